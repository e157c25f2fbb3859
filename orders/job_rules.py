"""Which jobs an order needs, how long they take and which skills they require.

One small table keyed by (job kind, product, drop type, premise type), so the learned
duration model of a later issue can replace :func:`job_spec` without touching the
order flow. ``None`` in a key matches anything; the most specific row wins.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from orders.duration_predict import learned_duration_s
from orders.states import JobKind

_MIN = 60


@dataclass(frozen=True)
class JobSpec:
    duration_s: int
    skills: tuple[str, ...]
    priority: int = 0


# (kind, product, drop_type, premise_type) -> spec
RULES: dict[tuple[str, str | None, str | None, str | None], JobSpec] = {
    # Pre-cable: the drop from the pole or the footway box to the premise.
    (JobKind.PRECABLE, None, "overhead", None): JobSpec(60 * _MIN, ("precable", "overhead")),
    (JobKind.PRECABLE, None, "underground", None): JobSpec(
        90 * _MIN, ("precable", "underground")
    ),
    (JobKind.PRECABLE, None, "underground", "flat"): JobSpec(
        120 * _MIN, ("precable", "underground")
    ),
    # Install: ONT, router, tests inside the premise; faster tiers take longer to set up.
    (JobKind.INSTALL, "FTTP-150", None, None): JobSpec(75 * _MIN, ("install",)),
    (JobKind.INSTALL, "FTTP-500", None, None): JobSpec(90 * _MIN, ("install",)),
    (JobKind.INSTALL, "FTTP-900", None, None): JobSpec(105 * _MIN, ("install",)),
    (JobKind.INSTALL, None, None, None): JobSpec(90 * _MIN, ("install",)),
    (JobKind.REPAIR, None, None, None): JobSpec(60 * _MIN, ("repair",), priority=5),
    (JobKind.CIVILS, None, None, None): JobSpec(240 * _MIN, ("civils",), priority=2),
}

# Extra time on top of the matched row, for flats (risers, building access).
FLAT_INSTALL_EXTRA_S = 15 * _MIN


def job_spec(
    kind: str, product: str | None = None, drop_type: str | None = None,
    premise_type: str | None = None, **features: float | None,
) -> JobSpec:
    """:func:`default_spec` with the learned model's duration when one is trained
    (``features``: the model's numeric inputs when known, see orders.duration_predict)."""
    spec = default_spec(kind, product, drop_type, premise_type)
    learned = learned_duration_s(kind, product, drop_type, premise_type, features)
    return spec if learned is None else replace(spec, duration_s=learned)


def default_spec(
    kind: str, product: str | None = None, drop_type: str | None = None,
    premise_type: str | None = None,
) -> JobSpec:
    """The spec of the most specific matching rule (extra time for installs in flats)."""
    best: tuple[int, JobSpec] | None = None
    for (k, p, d, t), spec in RULES.items():
        if k != kind:
            continue
        if (p and p != product) or (d and d != drop_type) or (t and t != premise_type):
            continue
        score = (p is not None) * 4 + (d is not None) * 2 + (t is not None)
        if best is None or score > best[0]:
            best = (score, spec)
    if best is None:
        raise KeyError(f"no job rule for kind {kind!r}")
    spec = best[1]
    if kind == JobKind.INSTALL and premise_type == "flat":
        spec = JobSpec(spec.duration_s + FLAT_INSTALL_EXTRA_S, spec.skills, spec.priority)
    return spec


def needs_precable(drop_status: str) -> bool:
    return drop_status == "needs_precable"
