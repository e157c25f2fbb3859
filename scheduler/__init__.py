"""fieldsched's optimisation core: problem model, travel, construction, OR-Tools search.

Pure: no database, no HTTP. The public surface::

    from scheduler import Problem, solve
    schedule = solve(Problem.from_dict(data), time_limit=30, seed=0)
    schedule.to_dict()   # the contract schedule JSON
"""
from scheduler.model import Break, Engineer, Job, Problem, ProblemError, TravelSpec
from scheduler.reasons import REASONS
from scheduler.schedule import Schedule
from scheduler.solve import SolveOptions, solve

__all__ = ["Break", "Engineer", "Job", "Problem", "ProblemError", "REASONS", "Schedule",
           "SolveOptions", "TravelSpec", "solve"]
