"""Measures of a grouping that analysts can read: work vs capacity, compactness, splits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.neighbors import BallTree

from .engineers import group_capacity, skill_gaps
from .geo import haversine_km, spherical_mean


@dataclass(frozen=True, repr=False)
class ClusteringReport:
    """Quality of a grouping of jobs (and optionally of the engineers given to it).

    ``labels`` is the group of each job and ``split_from_nearest`` flags the
    jobs whose nearest neighbour is in another group. Per group (arrays
    indexed by group): ``sizes`` (jobs), ``work`` (seconds),
    ``capacity`` (seconds of engineer capacity, or None), ``n_engineers`` (or
    None), ``mean_km`` / ``max_km`` (great-circle distance of the group's jobs
    to its centre). Overall: ``compactness_km`` (mean distance of a job to its
    group's centre), ``split_share`` (``{k: share of jobs with at least one of
    their k nearest neighbours in another group}``, k = 1..n_neighbors; pairs
    of jobs at the same premises count as neighbours at 0 km), ``skill_gaps``
    (group -> skill sets no engineer of the group holds, when skills are
    given).
    """

    n_jobs: int
    n_groups: int
    labels: NDArray[np.int64] = field(repr=False)
    sizes: NDArray[np.int64]
    work: NDArray[np.float64]
    mean_km: NDArray[np.float64]
    max_km: NDArray[np.float64]
    compactness_km: float
    split_share: dict[int, float]
    split_from_nearest: NDArray[np.bool_] = field(repr=False)
    capacity: NDArray[np.float64] | None = None
    n_engineers: NDArray[np.int64] | None = None
    skill_gaps: dict[int, list[frozenset[str]]] | None = None

    def __repr__(self) -> str:
        return f"ClusteringReport({self.summary()})"

    @property
    def utilisation(self) -> NDArray[np.float64] | None:
        """Work / capacity per group (inf where a group has work but no capacity)."""
        if self.capacity is None:
            return None
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                self.capacity > 0, self.work / self.capacity, np.where(self.work > 0, np.inf, 0.0)
            )

    @property
    def over_capacity(self) -> list[int]:
        """Groups whose work exceeds their capacity."""
        u = self.utilisation
        return [] if u is None else [int(g) for g in np.flatnonzero(u > 1.0 + 1e-9)]

    def summary(self) -> dict[str, object]:
        """A small flat dict for logs, notebooks and benchmark tables."""
        out: dict[str, object] = {
            "n_jobs": self.n_jobs,
            "n_groups": self.n_groups,
            "jobs_per_group_min": int(self.sizes.min()) if self.n_groups else 0,
            "jobs_per_group_max": int(self.sizes.max()) if self.n_groups else 0,
            "work_max_over_mean": _ratio(self.work.max(), self.work.mean())
            if self.n_groups
            else 0.0,
            "compactness_km": round(self.compactness_km, 3),
            "max_km": round(float(self.max_km.max()), 3) if self.n_groups else 0.0,
        }
        for k, share in self.split_share.items():
            out[f"split_share_k{k}"] = round(share, 4)
        u = self.utilisation
        if u is not None:
            out["utilisation_max"] = round(float(u.max()), 4) if self.n_groups else 0.0
            out["groups_over_capacity"] = len(self.over_capacity)
        if self.skill_gaps is not None:
            out["groups_with_skill_gaps"] = len(self.skill_gaps)
        return out

    def rows(self) -> list[dict[str, object]]:
        """One dict per group: a table without pandas (``pd.DataFrame(rows)`` works too)."""
        u = self.utilisation
        split = self._split_by_group()
        rows = []
        for g in range(self.n_groups):
            row: dict[str, object] = {
                "group": g,
                "jobs": int(self.sizes[g]),
                "work_h": round(float(self.work[g]) / 3600.0, 2),
            }
            if self.capacity is not None and u is not None:
                row["capacity_h"] = round(float(self.capacity[g]) / 3600.0, 2)
                row["utilisation"] = round(float(u[g]), 3)
            if self.n_engineers is not None:
                row["engineers"] = int(self.n_engineers[g])
            row["mean_km"] = round(float(self.mean_km[g]), 3)
            row["max_km"] = round(float(self.max_km[g]), 3)
            if split is not None:
                row["split_nn1"] = round(float(split[g]), 3)
            if self.skill_gaps is not None:
                row["skill_gaps"] = "; ".join(
                    "+".join(sorted(s)) for s in self.skill_gaps.get(g, [])
                )
            rows.append(row)
        return rows

    def to_text(self) -> str:
        """The per-group table and the summary as aligned plain text."""
        rows = self.rows()
        if not rows:
            return "no groups"
        cols = list(rows[0])
        cells = [[str(c) for c in cols]] + [[str(r[c]) for c in cols] for r in rows]
        widths = [max(len(line[i]) for line in cells) for i in range(len(cols))]
        lines = ["  ".join(v.rjust(w) for v, w in zip(line, widths, strict=True)) for line in cells]
        lines.append("")
        lines.extend(f"{key}: {value}" for key, value in self.summary().items())
        return "\n".join(lines)

    def _split_by_group(self) -> NDArray[np.float64] | None:
        if self.n_jobs == 0:
            return None
        split = np.bincount(
            self.labels, weights=self.split_from_nearest.astype(float), minlength=self.n_groups
        )
        return split / np.maximum(self.sizes, 1)


def _ratio(a: float, b: float) -> float:
    return round(float(a) / float(b), 4) if b > 0 else 0.0


def neighbour_split_share(
    job_lonlat: ArrayLike, labels: ArrayLike, n_neighbors: int = 5
) -> tuple[dict[int, float], NDArray[np.bool_]]:
    """Share of jobs with one of their k nearest neighbours in another group, k = 1..n.

    Returns ``({k: share}, split_from_nearest)`` where the array flags the jobs
    whose very nearest neighbour is in another group. Great-circle neighbours
    (BallTree, haversine); a job is never its own neighbour, but another job
    at the same place is.
    """
    X = np.asarray(job_lonlat, dtype=np.float64).reshape(-1, 2)
    labels = np.asarray(labels)
    n = len(X)
    k = min(int(n_neighbors), n - 1)
    if k < 1:
        return {}, np.zeros(n, dtype=bool)
    coords = np.radians(X[:, ::-1])
    _, idx = BallTree(coords, metric="haversine").query(coords, k=k + 1)
    # Drop the job itself (wherever ties put it), else the farthest extra neighbour.
    is_self = idx == np.arange(n)[:, None]
    keep = np.argsort(is_self, axis=1, kind="stable")[:, :k]
    neigh = np.take_along_axis(idx, keep, axis=1)
    other = labels[neigh] != labels[:, None]
    split_upto = np.logical_or.accumulate(other, axis=1)
    shares = {j + 1: float(split_upto[:, j].mean()) for j in range(k)}
    return shares, other[:, 0]


def clustering_report(
    job_lonlat: ArrayLike,
    labels: ArrayLike,
    centers: ArrayLike | None = None,
    job_work: ArrayLike | None = None,
    *,
    capacity: ArrayLike | None = None,
    eng_labels: ArrayLike | None = None,
    eng_capacity_seconds: ArrayLike | None = None,
    job_skills: Sequence[Iterable[str]] | None = None,
    eng_skills: Sequence[Iterable[str]] | None = None,
    n_neighbors: int = 5,
) -> ClusteringReport:
    """Measure a grouping of jobs; see :class:`ClusteringReport`.

    ``centers`` default to the work-weighted spherical mean of each group;
    ``job_work`` (seconds) defaults to 1 per job. Capacity per group comes from
    ``capacity`` or from ``eng_labels`` + ``eng_capacity_seconds``; skill gaps
    are reported when ``job_skills``, ``eng_skills`` and ``eng_labels`` are
    all given.
    """
    X = np.asarray(job_lonlat, dtype=np.float64).reshape(-1, 2)
    labels = np.asarray(labels, dtype=np.int64)
    n = len(X)
    if len(labels) != n:
        raise ValueError("labels must have one entry per job")
    work = np.ones(n) if job_work is None else np.asarray(job_work, dtype=np.float64)
    if centers is None:
        k = int(labels.max()) + 1 if n else 0
        centers_arr = np.array(
            [
                spherical_mean(X[labels == g], work[labels == g])
                if np.any(labels == g)
                else [0.0, 0.0]
                for g in range(k)
            ]
        ).reshape(-1, 2)
    else:
        centers_arr = np.asarray(centers, dtype=np.float64).reshape(-1, 2)
        k = len(centers_arr)
    sizes = np.bincount(labels, minlength=k).astype(np.int64)
    group_work = np.bincount(labels, weights=work, minlength=k)
    d = haversine_km(X, centers_arr[labels]) if n else np.zeros(0)
    mean_km = np.bincount(labels, weights=d, minlength=k) / np.maximum(sizes, 1)
    max_km = np.zeros(k)
    np.maximum.at(max_km, labels, d)
    shares, split_nn = neighbour_split_share(X, labels, n_neighbors)

    cap = None if capacity is None else np.asarray(capacity, dtype=np.float64)
    n_eng = gaps = None
    if eng_labels is not None:
        el = np.asarray(eng_labels, dtype=np.int64)
        n_eng = np.bincount(el[el >= 0], minlength=k).astype(np.int64)
        if cap is None and eng_capacity_seconds is not None:
            cap = group_capacity(el, eng_capacity_seconds, k)
        if job_skills is not None and eng_skills is not None:
            gaps = skill_gaps(job_skills, labels, eng_skills, el, k)
    return ClusteringReport(
        n_jobs=n,
        n_groups=k,
        labels=labels,
        sizes=sizes,
        work=group_work,
        mean_km=mean_km,
        max_km=max_km,
        compactness_km=float(d.mean()) if n else 0.0,
        split_share=shares,
        capacity=cap,
        n_engineers=n_eng,
        skill_gaps=gaps,
        split_from_nearest=split_nn,
    )
