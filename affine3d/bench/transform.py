"""``affine3d bench transform``: ``F(points)`` on 10^6 points against the memory-copy floor.

The floor is ``np.copyto`` of an output array of the same size: reading the points and writing
the result can never be faster than that. Beside it: the textbook one-liner ``X @ A.T + b``,
pyrr and pytransform3d doing the same job (each only where installed).
"""

from __future__ import annotations

import math

import numpy as np

from ..affine import Affine
from ..i18n import N_
from .core import Table, best_time, pause

TITLE = "transform: F(points) = points @ A.T + b"


def run(quick: bool = False) -> list[Table]:
    # 10^6 points (12 MB in float32) does not fit in the CPU cache, so the floor is memory-bound;
    # --quick keeps the size (a smaller one would time the cache) and skips the slow per-point loop.
    n_points = 1_000_000
    F = Affine.rotation([1, 2, 3], 0.7) @ Affine.translation([0.5, -1, 2])
    table = Table(
        f"{TITLE}, {n_points:,} points",
        ["dtype", N_("method"), N_("points/s"), N_("time"), N_("x floor")],
        notes=["x floor: time / time of np.copyto into an output of the same size (1.0 is the best possible)."],
    )
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        points = rng.standard_normal((n_points, 3)).astype(dtype)
        out = np.empty_like(points)
        A_T, b = F.A.T.astype(dtype), F.b.astype(dtype)
        methods = [
            ("np.copyto (floor)", lambda: np.copyto(out, points), n_points),
            ("Affine F(X, out=)", lambda: F(points, out=out), n_points),
            ("Affine F(X)", lambda: F(points), n_points),
            ("X @ A.T + b", lambda: points @ A_T + b, n_points),
        ]
        methods += _pytransform3d(F, points) + ([] if quick else _pyrr(F, points))
        name = np.dtype(dtype).name
        # Rounds go through every method in turn and each keeps its best round, so a burst of load
        # from elsewhere on a shared machine hits all methods alike instead of the one it lands on.
        best = [math.inf] * len(methods)
        for _ in range(2 if quick else 5):
            for i, (_, fn, count) in enumerate(methods):
                best[i] = min(best[i], best_time(fn, repeat=1) * n_points / count)  # loops run on a subset
                pause(0.05)
        floor = best[0]
        for (label, _, _), seconds in zip(methods, best):
            table.add(name, label, f"{n_points / seconds:.3g}", f"{seconds * 1e3:.3g} ms", seconds / floor)
    return [table]


def _pytransform3d(F: Affine, points: np.ndarray):
    try:
        from pytransform3d.transformations import transform, vectors_to_points
    except ImportError:
        return []
    matrix = F.matrix
    # pytransform3d works on homogeneous (N, 4) rows; making them is part of its job.
    return [("pytransform3d transform()", lambda: transform(matrix, vectors_to_points(points))[:, :3], len(points))]


def _pyrr(F: Affine, points: np.ndarray):
    try:
        import pyrr
    except ImportError:
        return []
    M = F.to_pyrr()
    subset = points[:2000]

    def per_point():
        for p in subset:
            pyrr.matrix44.apply_to_vector(M, p)

    return [("pyrr apply_to_vector, loop", per_point, len(subset))]
