"""The problem model: validation names the field and the value; the JSON round trip is exact."""
from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from typing import Any

import pytest

from scheduler import Problem, ProblemError
from scheduler.generate import generate_day


def haversine_problem() -> dict[str, Any]:
    """A valid little day in Leeds: two engineers, a pre-cable -> install chain, a repair."""
    return {
        "name": "leeds-test",
        "horizon_start": "2026-11-23T00:00:00+00:00",
        "travel": {"metric": "haversine", "speed_kmh": 30, "detour_factor": 1.3},
        "engineers": [
            {"id": "E1", "start": [-1.55, 53.80], "end": [-1.55, 53.80], "shift": [28800, 61200],
             "skills": ["install", "precable"],
             "breaks": [{"window": [43200, 50400], "duration": 1800}],
             "capacity": [6, 2], "max_jobs": 8},
            {"id": "E2", "start": [-1.50, 53.78], "end": None, "shift": [32400, 64800],
             "skills": ["repair"]},
        ],
        "jobs": [
            {"id": "J1-PC", "location": [-1.54, 53.79], "duration": 3600, "skills": ["precable"],
             "demand": [1, 0], "order": "O1"},
            {"id": "J1-IN", "location": [-1.54, 53.79], "duration": 5400, "skills": ["install"],
             "time_windows": [[28800, 46800]], "after": ["J1-PC"], "demand": [1, 1],
             "order": "O1"},
            {"id": "R1", "location": [-1.52, 53.81], "duration": 1800, "skills": ["repair"],
             "time_windows": [[32400, 46800], [50400, 61200]], "priority": 2,
             "engineer": "E2"},
            {"id": "J2", "location": [-1.56, 53.82], "duration": 0, "skills": []},
        ],
    }


def errors_of(data: Any) -> list[str]:
    with pytest.raises(ProblemError) as info:
        Problem.from_dict(data)
    err = info.value
    assert err.errors, "ProblemError without errors"
    for e in err.errors:  # every error is also in the message shown to a user
        assert e in str(err)
    return err.errors


def mutated(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(haversine_problem())
    change(data)
    return data


def test_valid_problem_parses_into_typed_frozen_objects() -> None:
    p = Problem.from_dict(haversine_problem())
    assert [e.id for e in p.engineers] == ["E1", "E2"]
    e1, e2 = p.engineers
    assert e1.skills == frozenset({"install", "precable"})
    assert e1.capacity == (6, 2) and e1.max_jobs == 8
    assert e1.breaks[0].window == (43200, 43200 + 7200) and e1.breaks[0].duration == 1800
    assert e2.end is None, "end: null means an open-ended route"
    jobs = {j.id: j for j in p.jobs}
    assert jobs["J1-IN"].after == ("J1-PC",)
    assert jobs["R1"].time_windows == ((32400, 46800), (50400, 61200))
    assert jobs["R1"].engineer == "E2" and jobs["R1"].priority == 2
    assert jobs["J2"].time_windows == (), "no windows means any time"
    with pytest.raises(AttributeError):
        p.engineers[0].shift = (0, 1)  # type: ignore[misc]


def test_engineer_end_defaults_to_start() -> None:
    data = haversine_problem()
    del data["engineers"][0]["end"]
    e1 = Problem.from_dict(data).engineers[0]
    assert e1.end == e1.start


def test_issue_example_message_names_field_and_values() -> None:
    data = mutated(lambda d: d["jobs"].append(
        {"id": "J9", "location": [-1.5, 53.8], "duration": 60,
         "time_windows": [[50000, 40000]]}))
    assert "jobs[4].time_windows[0]: start 50000 is after end 40000" in errors_of(data)


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A mutation setting ``data[a][b]...`` given ``"a.b.c"`` (ints index lists)."""
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]

    def change(d: dict[str, Any]) -> None:
        for k in keys[:-1]:
            d = d[k]
        d[keys[-1]] = value

    return change


def _dup_job(d: dict[str, Any]) -> None:
    d["jobs"][3]["id"] = "J1-PC"


def _dup_engineer(d: dict[str, Any]) -> None:
    d["engineers"][1]["id"] = "E1"


def _cycle(d: dict[str, Any]) -> None:
    d["jobs"][0]["after"] = ["J1-IN"]


def _long_cycle(d: dict[str, Any]) -> None:
    d["jobs"][3]["after"] = ["J1-IN"]
    d["jobs"][0]["after"] = ["J2"]


# (mutation, the path that must be named, fragments of the message naming the value)
CASES: list[tuple[str, Callable[[dict[str, Any]], None], str, list[str]]] = [
    ("window reversed", _set("jobs.1.time_windows.0", [50000, 40000]),
     "jobs[1].time_windows[0]", ["start 50000 is after end 40000"]),
    ("duplicate job id", _dup_job, "jobs[3].id", ["duplicate", "'J1-PC'", "jobs[0]"]),
    ("duplicate engineer id", _dup_engineer, "engineers[1].id", ["duplicate", "'E1'"]),
    ("unknown after", _set("jobs.1.after", ["J1-PC", "NOPE"]), "jobs[1].after",
     ["unknown", "'NOPE'"]),
    ("unknown pinned engineer", _set("jobs.2.engineer", "E9"), "jobs[2].engineer",
     ["unknown", "'E9'"]),
    ("self precedence", _set("jobs.3.after", ["J2"]), "jobs[3].after", ["'J2'"]),
    ("two-job cycle", _cycle, "precedence cycle", ["J1-PC", "J1-IN"]),
    ("three-job cycle", _long_cycle, "precedence cycle", ["J1-PC", "J1-IN", "J2"]),
    ("negative duration", _set("jobs.0.duration", -5), "jobs[0].duration", ["-5"]),
    ("string duration", _set("jobs.0.duration", "1h"), "jobs[0].duration", ["'1h'"]),
    ("missing duration", lambda d: d["jobs"][0].pop("duration"), "jobs[0].duration",
     ["None"]),
    ("window outside every shift", _set("jobs.3.time_windows", [[70000, 80000]]),
     "jobs[3].time_windows[0]", ["70000", "80000", "shift"]),
    ("NaN duration", _set("jobs.0.duration", math.nan), "jobs[0].duration", ["nan"]),
    ("infinite shift end", _set("engineers.0.shift", [28800, math.inf]),
     "engineers[0].shift[1]", ["inf"]),
    ("NaN window", _set("jobs.1.time_windows", [[math.nan, 46800]]),
     "jobs[1].time_windows[0][0]", ["nan"]),
    ("NaN longitude", _set("jobs.0.location", [math.nan, 53.8]), "jobs[0].location[0]",
     ["nan"]),
    ("latitude out of range", _set("jobs.0.location", [-1.54, 95.0]), "jobs[0].location",
     ["latitude", "95"]),
    ("longitude out of range", _set("engineers.1.start", [200.0, 53.8]), "engineers[1].start",
     ["longitude", "200"]),
    ("location not a pair", _set("jobs.3.location", [-1.5]), "jobs[3].location", ["[-1.5]"]),
    ("unknown travel metric", _set("travel.metric", "manhattan"), "travel.metric",
     ["'manhattan'"]),
    ("zero speed", _set("travel.speed_kmh", 0), "travel.speed_kmh", ["0"]),
    ("negative priority", _set("jobs.2.priority", -1), "jobs[2].priority", ["-1"]),
    ("fractional priority", _set("jobs.2.priority", 1.5), "jobs[2].priority", ["1.5"]),
    ("skills not a list", _set("jobs.0.skills", "precable"), "jobs[0].skills", ["'precable'"]),
    ("empty skill name", _set("engineers.0.skills", ["install", ""]), "engineers[0].skills",
     ["''"]),
    ("negative capacity", _set("engineers.0.capacity", [6, -1]), "engineers[0].capacity[1]",
     ["-1"]),
    ("demand dimension mismatch", _set("jobs.0.demand", [1, 0, 0]), "jobs[0].demand",
     ["3"]),
    ("negative max_jobs", _set("engineers.0.max_jobs", -2), "engineers[0].max_jobs", ["-2"]),
    ("break longer than its window", _set("engineers.0.breaks.0.duration", 9000),
     "engineers[0].breaks[0]", ["9000"]),
    ("reversed shift", _set("engineers.1.shift", [64800, 32400]), "engineers[1].shift",
     ["start 64800 is after end 32400"]),
    ("missing job id", lambda d: d["jobs"][2].pop("id"), "jobs[2].id", ["None"]),
    ("jobs not a list", _set("jobs", {"J1": {}}), "jobs", ["J1"]),
]


@pytest.mark.parametrize(("change", "path", "fragments"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_problem_names_field_and_value(
        change: Callable[[dict[str, Any]], None], path: str, fragments: list[str]) -> None:
    errors = errors_of(mutated(change))
    hits = [e for e in errors if e.startswith(path + ":") or
            (not path.startswith(("jobs", "engineers", "travel")) and path in e)]
    assert hits, f"no error names {path!r}: {errors}"
    assert any(all(f in e for f in fragments) for e in hits), \
        f"no error at {path!r} names {fragments}: {hits}"


def test_all_errors_are_reported_at_once() -> None:
    def three_faults(d: dict[str, Any]) -> None:
        d["jobs"][1]["time_windows"] = [[40000, 30000]]
        d["jobs"][2]["engineer"] = "NOBODY"
        d["engineers"][0]["max_jobs"] = -1

    errors = errors_of(mutated(three_faults))
    paths = {e.split(":")[0] for e in errors}
    assert {"jobs[1].time_windows[0]", "jobs[2].engineer", "engineers[0].max_jobs"} <= paths


def test_paths_after_a_rejected_entry_keep_the_input_index() -> None:
    """A job or engineer rejected early must not shift the index named in later errors."""
    def faults(d: dict[str, Any]) -> None:
        d["jobs"][0]["duration"] = -1  # jobs[0] is rejected ...
        d["jobs"][2]["engineer"] = "NOBODY"  # ... and this is still jobs[2]
        d["engineers"][0]["shift"] = [100, 50]  # engineers[0] is rejected ...
        d["engineers"][1]["id"] = "E3"
        d["engineers"].append(dict(d["engineers"][1]))  # ... this duplicate is engineers[2]

    errors = errors_of(mutated(faults))
    paths = {e.split(":")[0] for e in errors}
    assert {"jobs[0].duration", "jobs[2].engineer", "engineers[0].shift",
            "engineers[2].id"} <= paths, errors


def test_a_rejected_entry_causes_no_spurious_errors() -> None:
    """J1-IN follows J1-PC, which is in the file but has a bad duration: the one fault is
    the duration, not an 'unknown job id' at J1-IN."""
    errors = errors_of(mutated(_set("jobs.0.duration", -1)))
    assert [e.split(":")[0] for e in errors] == ["jobs[0].duration"], errors


def test_not_an_object() -> None:
    errors = errors_of([1, 2])
    assert "list" in errors[0]


def test_a_skill_nobody_holds_is_not_a_validation_error() -> None:
    """Unheld skills are a reason for leaving the job unassigned, decided by the solver."""
    data = mutated(_set("jobs.3.skills", ["splicing"]))
    assert Problem.from_dict(data).jobs[3].skills == frozenset({"splicing"})


def test_haversine_range_edges_are_valid_and_euclidean_is_unbounded() -> None:
    data = mutated(_set("jobs.3.location", [180.0, -90.0]))
    assert Problem.from_dict(data).jobs[3].location == (180.0, -90.0)
    data = mutated(_set("jobs.3.location", [180.0001, 0.0]))
    assert any(e.startswith("jobs[3].location") for e in errors_of(data))
    data = mutated(_set("travel", {"metric": "euclidean"}))
    data["jobs"][3]["location"] = [500.0, -900.0]
    assert Problem.from_dict(data).jobs[3].location == (500.0, -900.0)


# -- matrix travel ------------------------------------------------------------------------

def matrix_problem() -> dict[str, Any]:
    return {
        "travel": {"metric": "matrix", "durations": [[0, 10, 20], [10, 0, 15], [20, 15, 0]]},
        "engineers": [{"id": "E1", "start": 0, "shift": [0, 1000], "skills": []}],
        "jobs": [{"id": "A", "location": 1, "duration": 5, "skills": []},
                 {"id": "B", "location": 2, "duration": 5, "skills": []}],
    }


@pytest.mark.parametrize("index", [3, -1, 1.0, "1", True])
def test_matrix_index_out_of_range_or_not_an_index(index: Any) -> None:
    data = matrix_problem()
    data["jobs"][1]["location"] = index
    errors = errors_of(data)
    assert any(e.startswith("jobs[1].location:") and repr(index) in e or
               e.startswith("jobs[1].location:") and str(index) in e for e in errors), errors


@pytest.mark.parametrize(("matrix", "path"), [
    ([[0, 1], [1, 0, 2]], "travel.durations[1]"),
    ([[0, -1], [1, 0]], "travel.durations[0][1]"),
    ([[0, math.inf], [1, 0]], "travel.durations[0][1]"),
    ([], "travel.durations"),
])
def test_bad_matrices(matrix: list[list[float]], path: str) -> None:
    data = matrix_problem()
    data["travel"]["durations"] = matrix
    data["jobs"] = []
    data["engineers"][0]["start"] = 0
    assert any(e.startswith(path + ":") for e in errors_of(data))


def test_distance_matrix_must_match_durations() -> None:
    data = matrix_problem()
    data["travel"]["distances"] = [[0, 1], [1, 0]]
    assert any(e.startswith("travel.distances:") for e in errors_of(data))


# -- round trip ---------------------------------------------------------------------------

def _euclidean_problem() -> dict[str, Any]:
    data = mutated(_set("travel", {"metric": "euclidean", "time_per_unit": 2.5}))
    for i, j in enumerate(data["jobs"]):
        j["location"] = [i * 10.5, -3.25]
    for e in data["engineers"]:
        e["start"] = [0, 0]
        if e.get("end") is not None:
            e["end"] = [1, 1]
    return data


def _matrix_with_distances() -> dict[str, Any]:
    data = matrix_problem()
    data["travel"]["distances"] = [[0, 100, 200], [100, 0, 150.5], [200, 150.5, 0]]
    data["engineers"][0]["end"] = None
    return data


@pytest.mark.parametrize("make", [
    haversine_problem, _euclidean_problem, matrix_problem, _matrix_with_distances,
    lambda: generate_day("leeds", orders=15, engineers=6, seed=2),
], ids=["haversine", "euclidean", "matrix", "matrix+distances", "generated"])
def test_round_trip(make: Callable[[], dict[str, Any]]) -> None:
    p1 = Problem.from_dict(make())
    d1 = p1.to_dict()
    text = json.dumps(d1)  # the written form is plain JSON
    p2 = Problem.from_dict(json.loads(text))
    assert p2 == p1
    assert p2.to_dict() == d1
