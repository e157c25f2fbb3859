"""The insertion-based slot search over a day's tentative plan (pure, no database)."""
from __future__ import annotations

import random

import pytest

from scheduler import Problem, solve
from scheduler.slots import DayPlan, GradeWeights, SlotJob

AM, PM = (8 * 3600.0, 13 * 3600.0), (13 * 3600.0, 18 * 3600.0)
HOME = (-1.55, 53.80)


def engineers(n: int, shift=(8 * 3600, 18 * 3600), skills=("install",), breaks=True):
    out = []
    for k in range(n):
        e = {"id": f"E{k}", "start": [HOME[0] + 0.01 * k, HOME[1]],
             "shift": list(shift), "skills": list(skills)}
        if breaks:
            e["breaks"] = [{"window": [12 * 3600, 14 * 3600], "duration": 1800}]
        out.append(e)
    return out


def job(i: int, rng: random.Random, duration: float = 5400, skills=("install",)) -> SlotJob:
    where = (HOME[0] + rng.uniform(-0.04, 0.04), HOME[1] + rng.uniform(-0.02, 0.02))
    return SlotJob(f"J{i}", where, duration, frozenset(skills))


def fill(plan: DayPlan, n: int, seed: int = 0) -> list[str]:
    """Book up to ``n`` jobs, each in its best-graded offered window."""
    rng = random.Random(seed)
    booked = []
    for i in range(n):
        j = job(i, rng)
        offers = plan.offers(j, [AM, PM])
        if offers:
            best = max(offers, key=lambda o: o.grade)
            assert plan.add(j, best.window) is not None
            booked.append(j.id)
    return booked


def test_offered_windows_are_kept_by_the_plan_and_the_checker(check) -> None:  # type: ignore[no-untyped-def]
    plan = DayPlan(engineers(3), [], spare=2)  # few spares: the plan grows while booking
    booked = fill(plan, 40)
    assert 10 <= len(booked) < 40  # the day filled up: later customers were refused
    problem, schedule = plan.problem_dict(), plan.schedule()
    result = check(problem, schedule)
    assert result["metrics"]["assigned"] == len(booked) and not schedule["unassigned"]
    windows = {j["id"]: j["time_windows"][0] for j in problem["jobs"]}
    for route in schedule["routes"]:
        for step in route["steps"]:
            if step["type"] == "job":
                lo, hi = windows[step["job"]]
                assert lo <= step["start"] <= hi


def test_a_full_day_offers_nothing_and_a_cancellation_frees_capacity() -> None:
    plan = DayPlan(engineers(1, shift=(8 * 3600, 13 * 3600), breaks=False), [])
    rng = random.Random(1)
    placed = [j for j in (job(i, rng) for i in range(6)) if plan.add(j, AM) is not None]
    assert 2 <= len(placed) <= 3  # 90-minute jobs in a 5-hour shift
    probe = job(99, rng)
    assert plan.offers(probe, [AM, PM]) == []
    plan.remove(placed[0].id)
    offers = plan.offers(probe, [AM, PM])
    assert [o.window for o in offers] == [AM]  # the shift ends at 13:00: no PM slot


def test_skills_are_respected() -> None:
    plan = DayPlan(engineers(2, skills=("precable",)), [])
    rng = random.Random(2)
    assert plan.offers(job(0, rng), [AM, PM]) == []
    assert plan.offers(job(1, rng, skills=("precable",)), [AM, PM])


def test_grade_components_and_weights() -> None:
    plan = DayPlan(engineers(2), [])
    near = SlotJob("A", (HOME[0] + 0.001, HOME[1]), 3600, frozenset({"install"}))
    assert plan.add(near, AM) is not None
    close = SlotJob("B", (HOME[0] + 0.002, HOME[1]), 3600, frozenset({"install"}))
    far = SlotJob("C", (HOME[0] + 0.2, HOME[1] + 0.1), 3600, frozenset({"install"}))
    (c_off,) = plan.offers(close, [PM])
    (f_off,) = plan.offers(far, [PM])
    for key in ("added_travel_s", "nearest_job_travel_s", "engineer_utilisation",
                "travel_component", "proximity_component", "balance_component"):
        assert key in c_off.components
    assert c_off.components["nearest_job_travel_s"] < f_off.components["nearest_job_travel_s"]
    assert c_off.grade > f_off.grade
    only_balance = GradeWeights(travel=0, proximity=0, balance=1)
    (b_off,) = plan.offers(close, [PM], only_balance)
    assert b_off.grade == pytest.approx(100 * b_off.components["balance_component"], abs=0.01)


def test_rebuilt_plan_keeps_the_route_order_and_solve_keeps_every_window(check) -> None:  # type: ignore[no-untyped-def]
    plan = DayPlan(engineers(4), [])
    fill(plan, 30, seed=3)
    problem, routes = plan.problem_dict(), plan.routes()
    again = DayPlan(problem["engineers"], problem["jobs"], routes=routes)
    assert again.routes() == routes and not again.unplaced()
    check(problem, again.schedule())
    # the day's full solve, warm-started from the tentative plan, keeps every booked job
    solved = solve(Problem.from_dict(problem), time_limit=2, warm_start=plan.schedule())
    check(problem, solved.to_dict())
    assert not solved.to_dict()["unassigned"]
