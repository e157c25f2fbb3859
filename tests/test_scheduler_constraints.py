"""One constraint family at a time: tiny feasible and infeasible cases (CP-SAT Primer style).

Most cases are euclidean on a line with one unit = one second, so every time can be worked
out by hand. Every schedule goes through the contract's independent checker.
"""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from conftest import (
    CONTRACT,
    assert_complete,
    check_schedule,
    job_steps,
    jobs_of,
    line_problem,
    reasons_of,
    routes_by_engineer,
)

from scheduler import Problem, SolveOptions, solve
from scheduler.generate import generate_day

LIMIT = 1.0


def run(problem: dict[str, Any], options: SolveOptions | None = None,
        **overrides: Any) -> dict[str, Any]:
    """Solve, check with the independent checker, and return the contract schedule."""
    overrides.setdefault("time_limit", LIMIT)
    schedule = solve(Problem.from_dict(problem), options, **overrides).to_dict()
    check_schedule(problem, schedule)
    assert_complete(problem, schedule)
    return schedule


def objective(problem: dict[str, Any], schedule: dict[str, Any]) -> tuple[float, ...]:
    """The issue's lexicographic objective as a tuple to maximise: jobs assigned per priority
    level, highest level first, then less travel."""
    prio = {j["id"]: j.get("priority", 0) for j in problem["jobs"]}
    levels = sorted(set(prio.values()), reverse=True)
    done = job_steps(schedule)
    counts = [sum(1 for j in done if prio[j] == p) for p in levels]
    return (*counts, -round(schedule["summary"]["travel_time"], 3))


# -- skills -------------------------------------------------------------------------------

def test_skills_only_the_skilled_engineer_gets_the_job() -> None:
    # E2 lives next to the job but lacks the skill; E1 is far away but qualified.
    p = line_problem(
        jobs=[{"id": "J1", "location": [100, 0], "skills": ["install"]},
              {"id": "J2", "location": [110, 0], "skills": ["repair"]}],
        engineers=[{"id": "E1", "start": [-2000, 0], "skills": ["install"]},
                   {"id": "E2", "start": [100, 0], "skills": ["repair", "precable"]}])
    s = run(p)
    assert jobs_of(s, "E1") == ["J1"]
    assert jobs_of(s, "E2") == ["J2"]


def test_skills_all_needed_skills_must_be_held_by_one_engineer() -> None:
    p = line_problem(
        jobs=[{"id": "B", "location": [10, 0], "skills": ["business", "install"]}],
        engineers=[{"id": "E1", "skills": ["install"]}, {"id": "E2", "skills": ["business"]},
                   {"id": "E3", "start": [900, 0], "skills": ["business", "install", "civils"]}])
    assert jobs_of(run(p), "E3") == ["B"]


def test_skills_job_nobody_can_do_is_unassigned_with_reason() -> None:
    p = line_problem(
        jobs=[{"id": "J1", "location": [10, 0], "skills": ["splicing"]},
              {"id": "J2", "location": [20, 0], "skills": ["install", "splicing"]},
              {"id": "J3", "location": [30, 0], "skills": ["install"]}],
        engineers=[{"id": "E1", "skills": ["install"]}, {"id": "E2", "skills": ["repair"]}])
    s = run(p)
    assert reasons_of(s) == {"J1": "no_engineer_with_skills", "J2": "no_engineer_with_skills"}
    assert jobs_of(s, "E1") == ["J3"]


# -- pinned engineer ----------------------------------------------------------------------

def test_pinned_job_goes_to_its_engineer_even_when_another_is_closer() -> None:
    p = line_problem(
        jobs=[{"id": "J1", "location": [10, 0], "engineer": "E2"},
              {"id": "J2", "location": [12, 0]}],
        engineers=[{"id": "E1"}, {"id": "E2", "start": [3000, 0]}])
    s = run(p)
    assert job_steps(s)["J1"][0] == "E2"


def test_pinned_to_an_engineer_without_the_skill() -> None:
    p = line_problem(
        jobs=[{"id": "J1", "location": [10, 0], "engineer": "E2", "skills": ["install"]}],
        engineers=[{"id": "E1", "skills": ["install"]}, {"id": "E2", "skills": ["repair"]}])
    assert reasons_of(run(p)) == {"J1": "no_engineer_with_skills"}


def test_pinned_to_an_engineer_who_cannot_reach_it_in_time() -> None:
    # E1 could do it; E2, the pinned one, cannot get there and back inside its shift.
    p = line_problem(
        jobs=[{"id": "J1", "location": [600, 0], "engineer": "E2"}],
        engineers=[{"id": "E1"}, {"id": "E2", "shift": [0, 1000]}])
    assert reasons_of(run(p)) == {"J1": "no_feasible_time_window"}


# -- shift start and end ------------------------------------------------------------------

def test_shift_end_is_inclusive() -> None:
    # 600 out + 100 on site + 600 back = 1300: exactly the end of the shift.
    p = line_problem(jobs=[{"id": "J1", "location": [600, 0]}],
                     engineers=[{"id": "E1", "shift": [0, 1300]}])
    steps = routes_by_engineer(run(p))["E1"]
    assert steps[-1]["type"] == "end" and steps[-1]["arrival"] <= 1300


def test_job_reachable_only_after_shift_end() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [600, 0]},
                           {"id": "J2", "location": [100, 0]}],
                     engineers=[{"id": "E1", "shift": [0, 1299]}])
    s = run(p)
    assert reasons_of(s) == {"J1": "no_feasible_time_window"}
    assert jobs_of(s, "E1") == ["J2"]


def test_window_closes_before_anyone_can_arrive() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [600, 0], "time_windows": [[0, 599]]}],
                     engineers=[{"id": "E1", "shift": [0, 5000]}])
    assert reasons_of(run(p)) == {"J1": "no_feasible_time_window"}


def test_departure_not_before_shift_start() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [50, 0]}],
                     engineers=[{"id": "E1", "shift": [500, 2000]}])
    steps = routes_by_engineer(run(p))["E1"]
    assert steps[0]["departure"] >= 500
    assert steps[1]["arrival"] >= 550


# -- open-ended routes --------------------------------------------------------------------

def test_open_ended_route_has_no_end_step_and_may_end_at_shift_end() -> None:
    # Arrive at 600, work until 1000 = shift end; there is no way home, and none is needed.
    p = line_problem(jobs=[{"id": "J1", "location": [600, 0], "duration": 400}],
                     engineers=[{"id": "E1", "end": None, "shift": [0, 1000]}])
    s = run(p)
    steps = routes_by_engineer(s)["E1"]
    assert [x["type"] for x in steps] == ["start", "job"]
    assert steps[-1]["end"] <= 1000
    assert s["summary"]["travel_time"] == pytest.approx(600, abs=1e-3)


def test_same_job_is_infeasible_with_a_return_home() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [600, 0], "duration": 400}],
                     engineers=[{"id": "E1", "shift": [0, 1000]}])
    assert reasons_of(run(p)) == {"J1": "no_feasible_time_window"}


def test_route_may_end_somewhere_else() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [500, 0]}],
                     engineers=[{"id": "E1", "end": [1000, 0], "shift": [0, 1100]}])
    s = run(p)
    steps = routes_by_engineer(s)["E1"]
    assert steps[-1] == {**steps[-1], "type": "end", "location": [1000, 0]}
    assert s["summary"]["travel_time"] == pytest.approx(1000, abs=1e-3)


# -- several time windows -----------------------------------------------------------------

def test_start_lands_in_the_second_window_when_the_first_is_unreachable() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [300, 0],
                            "time_windows": [[0, 100], [800, 900]]}])
    step = job_steps(run(p))["J1"][1]
    assert 800 <= step["start"] <= 900
    assert step["arrival"] >= 300


def test_first_window_is_used_when_reachable() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [50, 0],
                            "time_windows": [[0, 100], [800, 900]]}])
    assert job_steps(run(p))["J1"][1]["start"] <= 100


def test_no_window_reachable() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [300, 0],
                            "time_windows": [[0, 100], [200, 250]]}])
    assert reasons_of(run(p)) == {"J1": "no_feasible_time_window"}


def test_windows_let_two_jobs_share_one_place() -> None:
    # Both at the same spot: A can only start at 100 or 1000, B only in [100, 150].
    # The only way to do both: B at 100..150, then A at 1000.
    p = line_problem(jobs=[{"id": "A", "location": [100, 0], "duration": 200,
                            "time_windows": [[100, 100], [1000, 1000]]},
                           {"id": "B", "location": [100, 0], "duration": 200,
                            "time_windows": [[100, 150]]}],
                     engineers=[{"id": "E1", "shift": [0, 2000]}])
    s = run(p)
    assert jobs_of(s, "E1") == ["B", "A"]
    assert job_steps(s)["A"][1]["start"] == pytest.approx(1000, abs=1e-3)


# -- breaks -------------------------------------------------------------------------------

def _break_steps(steps: list[dict[str, Any]]) -> list[int]:
    return [i for i, x in enumerate(steps) if x["type"] == "break"]


def test_break_taken_mid_day_between_two_jobs() -> None:
    # J1 fills 100..3100, J2 must start in [3800, 3900]; the break window [3000, 4000]
    # (600 s) fits only at J1's location, after J1 and before driving on to J2.
    p = line_problem(
        jobs=[{"id": "J1", "location": [100, 0], "duration": 3000, "time_windows": [[100, 100]]},
              {"id": "J2", "location": [200, 0], "time_windows": [[3800, 3900]]}],
        engineers=[{"id": "E1", "shift": [0, 5000],
                    "breaks": [{"window": [3000, 4000], "duration": 600}]}])
    s = run(p)
    steps = routes_by_engineer(s)["E1"]
    assert [x.get("job", x["type"]) for x in steps] == ["start", "J1", "break", "J2", "end"]
    brk, j1, j2 = steps[2], steps[1], steps[3]
    assert brk["start"] >= j1["end"] and brk["end"] - brk["start"] >= 600
    assert j2["arrival"] >= brk["end"] + 100, "the drive to J2 comes after the break"


def test_break_is_never_taken_while_driving() -> None:
    # J1 must start at exactly 1000 after a 1000 s drive; the 500 s break must be taken
    # inside [0, 1000]. Breaking during the drive would fit; the contract forbids it.
    p = line_problem(
        jobs=[{"id": "J1", "location": [1000, 0], "time_windows": [[1000, 1000]]}],
        engineers=[{"id": "E1", "shift": [0, 5000],
                    "breaks": [{"window": [0, 1000], "duration": 500}]}])
    assert reasons_of(run(p)) == {"J1": "no_feasible_time_window"}


@pytest.mark.parametrize(("window", "break_window", "break_after"), [
    ([[1500, 1500]], [0, 1000], "start"),  # break at home, then leave at 500
    ([[1000, 1000]], [1100, 2000], "J1"),  # break at the job, after it
])
def test_break_at_home_or_at_the_job(window: list[list[int]], break_window: list[int],
                                     break_after: str) -> None:
    p = line_problem(
        jobs=[{"id": "J1", "location": [1000, 0], "time_windows": window}],
        engineers=[{"id": "E1", "shift": [0, 5000],
                    "breaks": [{"window": break_window, "duration": 500}]}])
    steps = routes_by_engineer(run(p))["E1"]
    i = _break_steps(steps)[0]
    assert steps[i - 1].get("job", steps[i - 1]["type"]) == break_after


def test_every_break_is_taken_on_a_route_with_jobs() -> None:
    p = line_problem(
        jobs=[{"id": f"J{i}", "location": [10 * i, 0], "duration": 300} for i in range(1, 5)],
        engineers=[{"id": "E1", "shift": [0, 5000],
                    "breaks": [{"window": [1000, 2000], "duration": 300},
                               {"window": [200, 900], "duration": 100}]}])
    s = run(p)
    assert len(_break_steps(routes_by_engineer(s)["E1"])) == 2
    assert not reasons_of(s)


def test_overlapping_break_windows_listed_out_of_order() -> None:
    # After J1 (ends 1100) both breaks are due. The checker gives each break step the first
    # remaining break, in the problem's order, that it fits: a 400 s step taken first would
    # be matched to the 100 s break and leave the 100 s step unmatched.
    p = line_problem(
        jobs=[{"id": "J1", "location": [100, 0], "duration": 1000, "time_windows": [[100, 100]]}],
        engineers=[{"id": "E1", "shift": [0, 10000],
                    "breaks": [{"window": [1000, 3000], "duration": 100},
                               {"window": [900, 4000], "duration": 400}]}])
    assert len(_break_steps(routes_by_engineer(run(p))["E1"])) == 2


def test_lunch_break_on_a_haversine_day() -> None:
    """Whole-day haversine case: 4 h of work either side of a lunch in 12:00-14:00."""
    home = [-1.55, 53.80]
    jobs = [{"id": f"J{i}", "location": [-1.55 + 0.01 * i, 53.80 + 0.004 * (i % 3)],
             "duration": 5400, "skills": ["install"],
             "time_windows": [[28800, 46800]] if i < 3 else [[46800, 64800]]}
            for i in range(5)]
    p = {"travel": {"metric": "haversine", "speed_kmh": 30, "detour_factor": 1.3},
         "engineers": [{"id": "E1", "start": home, "shift": [28800, 61200],
                        "skills": ["install"],
                        "breaks": [{"window": [43200, 50400], "duration": 1800}]}],
         "jobs": jobs}
    s = run(p)
    steps = routes_by_engineer(s)["E1"]
    (i,) = _break_steps(steps)
    assert steps[i]["start"] >= 43200 and steps[i]["end"] <= 50400
    assert len(job_steps(s)) >= 4


# -- capacity and max_jobs ----------------------------------------------------------------

def test_two_dimensional_capacity_sends_each_kind_to_the_right_van() -> None:
    p = line_problem(
        jobs=[{"id": f"A{i}", "location": [10 + i, 0], "demand": [1, 0]} for i in range(2)] +
             [{"id": f"B{i}", "location": [20 + i, 0], "demand": [0, 1]} for i in range(2)],
        engineers=[{"id": "E1", "capacity": [2, 0]}, {"id": "E2", "capacity": [0, 2]}])
    s = run(p)
    assert sorted(jobs_of(s, "E1")) == ["A0", "A1"]
    assert sorted(jobs_of(s, "E2")) == ["B0", "B1"]


def test_capacity_limits_the_load_of_one_van() -> None:
    p = line_problem(
        jobs=[{"id": f"A{i}", "location": [10 + i, 0], "demand": [1, 0]} for i in range(3)] +
             [{"id": "B", "location": [20, 0], "demand": [0, 1]}],
        engineers=[{"id": "E1", "capacity": [2, 1]}])
    s = run(p)
    assert len(jobs_of(s, "E1")) == 3 and "B" in jobs_of(s, "E1")
    assert len(reasons_of(s)) == 1


@pytest.mark.parametrize("demand", [[3, 0], [0, 2]])
def test_demand_exceeding_every_van_has_reason_capacity(demand: list[int]) -> None:
    p = line_problem(
        jobs=[{"id": "BIG", "location": [10, 0], "demand": demand},
              {"id": "OK", "location": [10, 0], "demand": [1, 1]}],
        engineers=[{"id": "E1", "capacity": [2, 1]}, {"id": "E2", "capacity": [1, 1]}])
    assert reasons_of(run(p)) == {"BIG": "capacity"}


def test_max_jobs() -> None:
    p = line_problem(jobs=[{"id": f"J{i}", "location": [10 * i, 0]} for i in range(1, 5)],
                     engineers=[{"id": "E1", "max_jobs": 1}, {"id": "E2", "max_jobs": 2}])
    s = run(p)
    assert len(jobs_of(s, "E1")) <= 1 and len(jobs_of(s, "E2")) <= 2
    assert len(job_steps(s)) == 3


def test_max_jobs_zero_means_no_jobs() -> None:
    p = line_problem(jobs=[{"id": "J1", "location": [10, 0]}],
                     engineers=[{"id": "E1", "max_jobs": 0}])
    assert reasons_of(run(p)) == {"J1": "capacity"}


# -- cross-engineer precedence ------------------------------------------------------------

def test_install_by_b_waits_for_precable_by_a() -> None:
    # B lives at the premises and could start at once; A needs 500 s to get there and the
    # pre-cable takes 1000 s, so the install may not start before 1500.
    p = line_problem(
        jobs=[{"id": "IN", "location": [500, 0], "duration": 600, "skills": ["install"],
               "after": ["PC"]},
              {"id": "PC", "location": [500, 0], "duration": 1000, "skills": ["precable"]}],
        engineers=[{"id": "A", "skills": ["precable"]},
                   {"id": "B", "start": [500, 0], "skills": ["install"]}])
    s = run(p)
    steps = job_steps(s)
    assert steps["PC"][0] == "A" and steps["IN"][0] == "B"
    assert steps["IN"][1]["start"] >= steps["PC"][1]["end"] - 1e-6


@pytest.mark.parametrize("links", [2, 3])
def test_chain_done_by_one_engineer(links: int) -> None:
    """The everyday case: one engineer does civils, pre-cable and install in turn."""
    names = ["CV", "PC", "IN"][-links:]
    jobs = [{"id": name, "location": [10 * (k + 1), 0], "duration": 300,
             **({"after": [names[k - 1]]} if k else {})} for k, name in enumerate(names)]
    s = run(line_problem(jobs=jobs))
    assert jobs_of(s, "E1") == names


def test_three_link_chain_across_three_engineers() -> None:
    p = line_problem(
        jobs=[{"id": "IN", "location": [50, 0], "duration": 300, "skills": ["install"],
               "after": ["PC"], "time_windows": [[0, 5000]]},
              {"id": "PC", "location": [50, 0], "duration": 300, "skills": ["precable"],
               "after": ["CV"]},
              {"id": "CV", "location": [50, 0], "duration": 300, "skills": ["civils"]}],
        engineers=[{"id": "A", "skills": ["install"]}, {"id": "B", "skills": ["precable"]},
                   {"id": "C", "skills": ["civils"]}])
    steps = job_steps(run(p))
    assert {steps[j][0] for j in steps} == {"A", "B", "C"}
    assert steps["PC"][1]["start"] >= steps["CV"][1]["end"] - 1e-6
    assert steps["IN"][1]["start"] >= steps["PC"][1]["end"] - 1e-6


def test_job_with_two_predecessors_on_two_engineers() -> None:
    p = line_problem(
        jobs=[{"id": "X", "location": [10, 0], "duration": 400, "skills": ["x"]},
              {"id": "Y", "location": [20, 0], "duration": 700, "skills": ["y"]},
              {"id": "Z", "location": [30, 0], "after": ["X", "Y"]}],
        engineers=[{"id": "A", "skills": ["x"]}, {"id": "B", "skills": ["y"]}])
    steps = job_steps(run(p))
    assert steps["Z"][1]["start"] >= max(steps["X"][1]["end"], steps["Y"][1]["end"]) - 1e-6


@pytest.mark.parametrize(("change", "pc_reason"), [
    ({"skills": ["splicing"]}, "no_engineer_with_skills"),
    ({"location": [6000, 0]}, "no_feasible_time_window"),
])
def test_impossible_predecessor_makes_successor_unassigned(change: dict[str, Any],
                                                           pc_reason: str) -> None:
    p = line_problem(
        jobs=[{"id": "PC", "location": [10, 0], "duration": 300, **change},
              {"id": "IN", "location": [10, 0], "duration": 300, "after": ["PC"]},
              {"id": "IN2", "location": [10, 0], "duration": 300, "after": ["IN"]},
              {"id": "FREE", "location": [20, 0]}],
        engineers=[{"id": "E1", "shift": [0, 5000]}])
    s = run(p)
    assert reasons_of(s) == {"PC": pc_reason, "IN": "predecessor_unassigned",
                             "IN2": "predecessor_unassigned"}


def test_successor_whose_window_closes_before_its_predecessor_can_end() -> None:
    # The install window closes at 500; the pre-cable cannot end before 1010. More engineer
    # time would not help, so the reason is the window, not a lack of time.
    p = line_problem(
        jobs=[{"id": "PC", "location": [10, 0], "duration": 1000},
              {"id": "IN", "location": [10, 0], "duration": 100, "after": ["PC"],
               "time_windows": [[0, 500]]}],
        engineers=[{"id": "E1"}, {"id": "E2"}])
    assert reasons_of(run(p)).get("IN") == "no_feasible_time_window"


def test_lunch_break_does_not_delay_a_morning_chain() -> None:
    # A pre-cable (1000 s, any time) then its install, whose start window closes at 2000.
    # Lunch ([3000, 6000], 600 s) comes after both: taking it first would push the
    # pre-cable's end to 3610 and lose the install, so the break goes after the work.
    p = line_problem(
        jobs=[{"id": "PC", "location": [10, 0], "duration": 1000},
              {"id": "IN", "location": [10, 0], "duration": 500, "after": ["PC"],
               "time_windows": [[0, 2000]]}],
        engineers=[{"id": "E1", "breaks": [{"window": [3000, 6000], "duration": 600}]},
                   {"id": "E2", "breaks": [{"window": [3000, 6000], "duration": 600}]}])
    s = run(p)
    assert not reasons_of(s)
    done = job_steps(s)
    assert done["PC"][1]["end"] == 1010 and done["IN"][1]["start"] <= 2000


def test_no_job_of_a_generated_day_is_declared_hopeless() -> None:
    # Every job of a generated day can be done by some engineer (the generator guarantees
    # skills and windows); with a generous team nearly all of them are assigned.
    problem = generate_day("leeds", 60, 40, seed=3)
    s = run(problem, time_limit=3)
    assert not [r for r in reasons_of(s).values() if r == "no_feasible_time_window"]
    assert len(job_steps(s)) >= 0.95 * len(problem["jobs"])


def test_many_chains_split_between_precable_and_install_teams() -> None:
    """Six pre-cable -> install orders, pre-cablers and installers disjoint, AM and PM
    installs, time to spare: every job is done and every install follows its pre-cable."""
    jobs = []
    for i in range(1, 7):
        loc = [1000 * i, 300 * (i % 2)]
        jobs.append({"id": f"O{i}-IN", "location": loc, "duration": 3600, "skills": ["install"],
                     "after": [f"O{i}-PC"],
                     "time_windows": [[0, 15000]] if i <= 3 else [[12000, 25000]]})
        jobs.append({"id": f"O{i}-PC", "location": loc, "duration": 1800,
                     "skills": ["precable"]})
    p = line_problem(jobs=jobs, engineers=[
        {"id": "P1", "skills": ["precable"], "shift": [0, 30000]},
        {"id": "P2", "skills": ["precable"], "shift": [0, 30000], "start": [6000, 0]},
        {"id": "I1", "skills": ["install"], "shift": [0, 30000]},
        {"id": "I2", "skills": ["install"], "shift": [0, 30000], "start": [6000, 0]}])
    s = run(p)
    assert not reasons_of(s)
    steps = job_steps(s)
    for i in range(1, 7):
        assert steps[f"O{i}-IN"][1]["start"] >= steps[f"O{i}-PC"][1]["end"] - 1e-6


# -- priorities ---------------------------------------------------------------------------

def test_higher_priority_job_is_kept_when_only_one_fits() -> None:
    # LOW is listed first and is nearer; only one of the two fits in the shift.
    p = line_problem(jobs=[{"id": "LOW", "location": [10, 0], "duration": 800},
                           {"id": "HIGH", "location": [50, 0], "duration": 800, "priority": 2}],
                     engineers=[{"id": "E1", "shift": [0, 1000]}])
    s = run(p)
    assert jobs_of(s, "E1") == ["HIGH"]
    assert reasons_of(s) == {"LOW": "not_enough_engineer_time"}


def _one_high_or_three_low() -> dict[str, Any]:
    # Either HIGH alone or the three LOW jobs fill the shift.
    return line_problem(
        jobs=[{"id": f"LOW{i}", "location": [0, 0], "duration": 330} for i in range(3)] +
             [{"id": "HIGH", "location": [0, 0], "duration": 1000, "priority": 1}],
        engineers=[{"id": "E1", "shift": [0, 1000]}])


def test_never_drop_a_higher_priority_job_for_several_lower_ones() -> None:
    s = run(_one_high_or_three_low())
    assert jobs_of(s, "E1") == ["HIGH"]


def test_never_drop_a_higher_priority_job_even_from_a_warm_start() -> None:
    p = _one_high_or_three_low()
    warm = run(p, search="never", frozen={"E1": ["LOW0", "LOW1", "LOW2"]})
    assert len(jobs_of(warm, "E1")) == 3
    s = run(p, warm_start=warm)
    assert jobs_of(s, "E1") == ["HIGH"], "the warm start's low-priority jobs displaced HIGH"


# -- not enough engineer time -------------------------------------------------------------

def test_two_jobs_that_fit_alone_but_not_together() -> None:
    p = line_problem(jobs=[{"id": "A", "location": [0, 0], "duration": 600},
                           {"id": "B", "location": [0, 0], "duration": 600}],
                     engineers=[{"id": "E1", "shift": [0, 1000]}])
    s = run(p)
    assert len(jobs_of(s, "E1")) == 1
    assert list(reasons_of(s).values()) == ["not_enough_engineer_time"]


def test_second_engineer_takes_the_overflow() -> None:
    p = line_problem(jobs=[{"id": "A", "location": [0, 0], "duration": 600},
                           {"id": "B", "location": [0, 0], "duration": 600}],
                     engineers=[{"id": "E1", "shift": [0, 1000]},
                                {"id": "E2", "shift": [0, 1000]}])
    s = run(p)
    assert not reasons_of(s) and s["summary"]["engineers_used"] == 2


# -- frozen prefixes and warm start -------------------------------------------------------

def _frozen_problem() -> dict[str, Any]:
    # Left to itself E1 would visit J1 (x=100) before J3 (x=300), and E2 would take J3/J4.
    return line_problem(
        jobs=[{"id": "J1", "location": [100, 0]}, {"id": "J2", "location": [200, 0]},
              {"id": "J3", "location": [300, 0]}, {"id": "J4", "location": [2900, 0]}],
        engineers=[{"id": "E1"}, {"id": "E2", "start": [3000, 0]}])


def test_frozen_prefix_stays_at_the_head_of_the_route() -> None:
    free = run(_frozen_problem())
    assert jobs_of(free, "E1")[:2] != ["J3", "J1"], "the test needs an unnatural prefix"
    s = run(_frozen_problem(), SolveOptions(time_limit=LIMIT, frozen={"E1": ["J3", "J1"]}))
    assert jobs_of(s, "E1")[:2] == ["J3", "J1"]
    assert not reasons_of(s)


def test_frozen_job_on_a_far_engineer() -> None:
    s = run(_frozen_problem(), frozen={"E2": ["J1"]})
    assert jobs_of(s, "E2")[:1] == ["J1"]


def test_frozen_with_unknown_ids_is_refused() -> None:
    prob = Problem.from_dict(_frozen_problem())
    with pytest.raises(ValueError, match="E9"):
        solve(prob, time_limit=LIMIT, frozen={"E9": ["J1"]})
    with pytest.raises(ValueError, match="NOPE"):
        solve(prob, time_limit=LIMIT, frozen={"E1": ["NOPE"]})


def test_warm_start_is_at_least_as_good() -> None:
    data = generate_day("leeds", orders=25, engineers=6, seed=11)
    first = run(data, time_limit=1.0, search="never")
    again = run(data, time_limit=1.0, warm_start=first)
    assert objective(data, again) >= objective(data, first)


def test_warm_start_from_the_example_schedule() -> None:
    data = json.loads((CONTRACT / "examples" / "small-day.json").read_text())
    example = json.loads((CONTRACT / "examples" / "small-day.schedule.json").read_text())
    s = run(data, time_limit=1.0, warm_start=example)
    assert objective(data, s) >= objective(data, example)


def test_stale_warm_start_is_repaired() -> None:
    """A previous schedule with an unknown job, a job on an unqualified engineer and a
    broken precedence order still gives a feasible schedule."""
    p = line_problem(
        jobs=[{"id": "PC", "location": [10, 0], "duration": 500, "skills": ["precable"]},
              {"id": "IN", "location": [10, 0], "duration": 500, "skills": ["install"],
               "after": ["PC"]},
              {"id": "R", "location": [20, 0], "skills": ["repair"]}],
        engineers=[{"id": "A", "skills": ["precable"]},
                   {"id": "B", "skills": ["install", "repair"]}])
    stale = {"routes": [
        {"engineer": "A", "steps": [{"type": "job", "job": "R"}, {"type": "job", "job": "GONE"},
                                    {"type": "job", "job": "PC"}]},
        {"engineer": "B", "steps": [{"type": "job", "job": "IN"}]},
        {"engineer": "NOBODY", "steps": [{"type": "job", "job": "PC"}]}],
        "unassigned": []}
    s = run(p, warm_start=copy.deepcopy(stale))
    assert not reasons_of(s)
