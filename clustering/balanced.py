"""Capacity-balanced geographic groups: no group holds more work than it may."""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray
from ortools.graph.python import min_cost_flow
from scipy.spatial import cKDTree
from sklearn.utils import check_random_state

from .base import GeoClusterer
from .geo import EARTH_RADIUS_M, lonlat_to_unit, unit_to_lonlat
from .kmeans import _normalise, _weighted_sums, spherical_kmeans

#: Work is quantised to this many integer units in the flow model (0.0001 % steps).
_WORK_UNITS = 1_000_000
#: Cost of sending work to the overflow node: more than any real distance in metres.
_OVERFLOW_COST = int(4 * math.pi * EARTH_RADIUS_M)


def _distance_m(units: NDArray[np.float64], center_units: NDArray[np.float64]) -> NDArray:
    """Great-circle metres between every unit vector and every centre, ``(n, k)``."""
    chord = np.sqrt(np.clip(2.0 - 2.0 * (units @ center_units.T), 0.0, 4.0))
    return 2.0 * np.arcsin(chord / 2.0) * EARTH_RADIUS_M


def _nearest_centers(
    units: NDArray[np.float64], center_units: NDArray[np.float64], m: int
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """The ``m`` nearest centres of each job, nearest first, and their distances in metres."""
    chord, idx = cKDTree(center_units).query(units, k=m)
    chord, idx = chord.reshape(len(units), m), idx.reshape(len(units), m)
    return idx.astype(np.int64), 2.0 * np.arcsin(np.clip(chord, 0, 2) / 2.0) * EARTH_RADIUS_M


def capacitated_assignment(
    units: NDArray[np.float64],
    center_units: NDArray[np.float64],
    weights: NDArray[np.float64],
    capacity: float,
    n_candidates: int = 8,
) -> NDArray[np.int64]:
    """Assign each job to a centre minimising Σ work × distance with load ≤ capacity.

    1. A min-cost flow (OR-Tools) sends each job's work, quantised to integer
       units, to its ``n_candidates`` nearest centres, each of which accepts at
       most ``capacity``; an expensive overflow node keeps the model feasible.
       This is a transportation problem, solved exactly.
    2. The flow may split a job between centres (in a basic optimum at most
       k-1 jobs are split) or park it in the overflow: such jobs are placed,
       heaviest first, on the nearest centre that still has room, else on the
       least loaded one.
    3. A repair pass moves jobs out of any group still above capacity to the
       group with room where the extra distance is smallest.

    Deterministic: no randomness. Jobs with zero weight go to their nearest
    centre.
    """
    k = len(center_units)
    m = min(max(1, n_candidates), k)
    cand, cand_m = _nearest_centers(units, center_units, m)
    labels = cand[:, 0].copy()
    total = float(weights.sum())
    if k == 1 or total <= 0:
        return labels
    unit = total / _WORK_UNITS
    q = np.rint(weights / unit).astype(np.int64)
    cap_units = int(math.floor(capacity / unit))
    jobs = np.flatnonzero(q > 0)
    unplaced = jobs
    if len(jobs) and cap_units > 0:
        nj = len(jobs)
        centre_node = nj + np.arange(k)
        overflow, sink = nj + k, nj + k + 1
        job_node = np.arange(nj)
        tails = np.concatenate([np.repeat(job_node, m), job_node, centre_node, [overflow]])
        heads = np.concatenate(
            [centre_node[cand[jobs].ravel()], np.full(nj, overflow), np.full(k, sink), [sink]]
        )
        caps = np.concatenate(
            [np.repeat(q[jobs], m), q[jobs], np.full(k, cap_units), [int(q.sum())]]
        )
        costs = np.concatenate(
            [
                np.rint(cand_m[jobs]).astype(np.int64).ravel(),
                np.full(nj, _OVERFLOW_COST),
                np.zeros(k + 1, dtype=np.int64),
            ]
        )
        flow = min_cost_flow.SimpleMinCostFlow()
        arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
        supplies = np.zeros(nj + k + 2, dtype=np.int64)
        supplies[:nj] = q[jobs]
        supplies[sink] = -int(q[jobs].sum())
        flow.set_nodes_supplies(np.arange(nj + k + 2), supplies)
        if flow.solve() == flow.OPTIMAL:
            f = flow.flows(arcs)[: nj * m].reshape(nj, m)
            whole = f.max(axis=1) == q[jobs]
            labels[jobs[whole]] = cand[jobs[whole], np.argmax(f[whole], axis=1)]
            unplaced = jobs[~whole]
    load = np.bincount(labels, weights=weights, minlength=k)
    load -= np.bincount(labels[unplaced], weights=weights[unplaced], minlength=k)
    if len(unplaced):
        order = np.argsort(_distance_m(units[unplaced], center_units), axis=1, kind="stable")
        for row in np.argsort(-weights[unplaced], kind="stable"):
            i = unplaced[row]
            room = load[order[row]] + weights[i] <= capacity
            target = order[row][np.argmax(room)] if room.any() else int(np.argmin(load))
            labels[i] = target
            load[target] += weights[i]
    return _repair_overload(labels, units, center_units, weights, capacity)


def _repair_overload(labels, units, center_units, weights, capacity) -> NDArray[np.int64]:
    """Move jobs out of overloaded groups to groups with room, cheapest move first."""
    k = len(center_units)
    load = np.bincount(labels, weights=weights, minlength=k)
    for g in np.argsort(-load, kind="stable"):
        if load[g] <= capacity * (1 + 1e-9):
            continue
        members = np.flatnonzero((labels == g) & (weights > 0))
        dist = _distance_m(units[members], center_units)
        moved = np.zeros(len(members), dtype=bool)
        while load[g] > capacity * (1 + 1e-9) and (~moved).sum() > 1:
            room = (load[None, :] + weights[members, None] <= capacity) & ~moved[:, None]
            room[:, g] = False
            if not room.any():
                break
            extra = np.where(room, dist - dist[:, [g]], np.inf)
            row, h = divmod(int(np.argmin(extra)), k)
            i = members[row]
            labels[i] = h
            moved[row] = True
            load[g] -= weights[i]
            load[h] += weights[i]
    return labels


def weighted_medians(
    units: NDArray[np.float64],
    weights: NDArray[np.float64],
    labels: NDArray[np.int64],
    centers: NDArray[np.float64],
    n_iter: int = 10,
) -> NDArray[np.float64]:
    """Per group, the point on the sphere minimising Σ work × distance (approximately).

    Weiszfeld's iteration on chords, all groups at once, each step pushed back
    onto the sphere; it starts from ``centers``. Groups without work use
    unit weights; groups without jobs keep their centre.
    """
    k = len(centers)
    work = np.bincount(labels, weights=weights, minlength=k)
    w = np.where(work[labels] > 0, weights, 1.0)
    c = centers.copy()
    for _ in range(n_iter):
        d = np.linalg.norm(units - c[labels], axis=1)
        sums = _weighted_sums(units, w / np.maximum(d, 1e-12), labels, k)
        ok = np.linalg.norm(sums, axis=1) > 1e-12
        c[ok] = _normalise(sums[ok])
    return c


def _work_km(units, weights, labels, centers) -> float:
    chord = np.linalg.norm(units - centers[labels], axis=1)
    return float(weights @ (2.0 * np.arcsin(np.clip(chord, 0.0, 2.0) / 2.0)))


class BalancedGeoClusterer(GeoClusterer):
    """Compact groups whose work fits a capacity: capacitated p-median on the sphere.

    Seeds come from :class:`~clustering.kmeans.KMeansGeoClusterer`'s spherical
    k-means; then, alternately, jobs are assigned to centres by a min-cost flow
    that minimises Σ work × great-circle distance subject to every group's
    summed ``sample_weight`` being ≤ the capacity (see
    :func:`capacitated_assignment`), and each centre moves to the work-weighted
    geometric median of its group, until Σ work × distance stops improving by
    more than ``tol``. The best assignment is kept together with the centres
    it was made to, so ``cluster_centers_`` and ``labels_`` belong together.

    The capacity per group is ``capacity`` if given, else
    ``(1 + tolerance) × total work / n_clusters``, so with the default every
    group holds at most 10 % more than an equal share. Only an upper bound is
    enforced; a group can be lighter. A single job heavier than the capacity
    still gets a group (it then exceeds it), and integer jobs can leave a group
    a fraction of one job above a very tight capacity.

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of groups. ``"auto"``: ``ceil(total work / target_work)``, where
        ``target_work`` defaults to ``capacity / (1 + tolerance)``.
    target_work : float, default=None
        Seconds of work per group for ``n_clusters="auto"``.
    capacity : float, default=None
        Upper bound on a group's summed ``sample_weight``. When it is too small
        for ``n_clusters`` groups to hold all the work, a warning is issued and
        ``(1 + tolerance) × total / n_clusters`` is used instead.
    tolerance : float, default=0.1
        Allowed excess over an equal share when ``capacity`` is None.
    n_candidates : int, default=8
        Nearest centres each job may be sent to by the flow (more: slower,
        rarely better; the overflow handling keeps it feasible).
    max_iter : int, default=20
        Assignment / centre-update rounds.
    tol : float, default=1e-3
        Stop when a round lowers Σ work × distance by less than this fraction;
        the best round is kept.
    n_init : int, default=2
        k-means++ restarts for the seeds.
    random_state : int, RandomState instance or None, default=None
        Seeds the k-means seeding; the balancing itself is deterministic.

    Attributes
    ----------
    labels_, cluster_centers_, n_clusters_, group_work_ :
        See :class:`~clustering.base.GeoClusterer`.
    capacity_ : float
        The capacity per group that was enforced.
    n_iter_ : int
        Balancing rounds run.

    ``predict`` sends a job to the nearest centre and ignores capacity, so on
    training jobs it can differ from ``labels_`` where the capacity pushed a
    job to a farther group.
    """

    def __init__(
        self,
        n_clusters: int | str = 8,
        *,
        target_work: float | None = None,
        capacity: float | None = None,
        tolerance: float = 0.1,
        n_candidates: int = 8,
        max_iter: int = 20,
        tol: float = 1e-3,
        n_init: int = 2,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.target_work = target_work
        self.capacity = capacity
        self.tolerance = tolerance
        self.n_candidates = n_candidates
        self.max_iter = max_iter
        self.tol = tol
        self.n_init = n_init
        self.random_state = random_state

    def _auto_target_work(self) -> float | None:
        if self.target_work is not None:
            return self.target_work
        if self.capacity is not None:
            return float(self.capacity) / (1.0 + float(self.tolerance))
        return None

    def _fit_lonlat(self, X, sample_weight):
        if float(self.tolerance) < 0:
            raise ValueError(f"tolerance must be >= 0, got {self.tolerance!r}")
        if self.capacity is not None and not float(self.capacity) > 0:
            raise ValueError(f"capacity must be positive, got {self.capacity!r}")
        for name in ("n_init", "max_iter", "n_candidates"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")
        units = lonlat_to_unit(X)
        total = float(sample_weight.sum())
        k = self._resolve_n_clusters(len(X), total)
        k = min(k, int(np.count_nonzero(sample_weight > 0)))
        fair = (1.0 + float(self.tolerance)) * total / k
        capacity = fair if self.capacity is None else float(self.capacity)
        if capacity * k < total * (1 - 1e-12):
            warnings.warn(
                f"capacity {capacity:g} x {k} groups < total work {total:g}; "
                f"using {fair:g} per group",
                UserWarning,
                stacklevel=3,
            )
            capacity = fair
        _, centers, _, _ = spherical_kmeans(
            units,
            sample_weight,
            k,
            n_init=int(self.n_init),
            max_iter=100,
            tol=1e-7,
            random_state=check_random_state(self.random_state),
        )
        # Alternate: capacitated assignment to the centres, then centres to the
        # medians of their groups. Each kept (labels, centres) pair is an
        # assignment *to those centres*, so predict agrees with labels_ wherever
        # capacity did not push a job away from its nearest centre.
        best: tuple[float, NDArray[np.int64], NDArray[np.float64]] | None = None
        n_iter = 0
        for n_iter in range(1, int(self.max_iter) + 1):  # noqa: B007 - reported
            labels = capacitated_assignment(
                units, centers, sample_weight, capacity, int(self.n_candidates)
            )
            cost = _work_km(units, sample_weight, labels, centers)
            improved = best is None or cost < best[0] * (1.0 - float(self.tol))
            if best is None or cost < best[0]:
                best = (cost, labels, centers)
            if not improved:
                break
            centers = weighted_medians(units, sample_weight, labels, centers)
        assert best is not None
        _, labels, centers = best
        self.capacity_ = capacity
        self.n_iter_ = n_iter
        return labels, unit_to_lonlat(centers)
