"""Small helpers the exercises share: numbers a student can work with by hand, and a few shapes and maps."""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from ...affine import Affine
from ...geometry.mesh import Mesh
from ...geometry.mesh_files import load_mesh
from ...geometry.solids import cube
from ...resources import scene_dir


def grid(rng: np.random.Generator, shape, lo: float, hi: float, step: float, *, nonzero: bool = False) -> np.ndarray:
    """Numbers on the grid ``lo, lo + step, ..., hi`` (exact halves and quarters: easy by hand), float64."""
    values = np.round(np.arange(lo, hi + step / 2, step), 10)
    if nonzero:
        values = values[values != 0]
    return rng.choice(values, size=shape).astype(np.float64)


def pick(rng: np.random.Generator, lo: float, hi: float, step: float, *, nonzero: bool = False, avoid=()) -> float:
    """One number on the grid ``lo .. hi`` by ``step``, not in ``avoid``."""
    values = [v for v in np.round(np.arange(lo, hi + step / 2, step), 10) if not (nonzero and v == 0) and v not in avoid]
    return float(rng.choice(values))


def integer_vector(rng: np.random.Generator, lo: int = -2, hi: int = 2, *, min_nonzero: int = 2) -> np.ndarray:
    """A vector of 3 small integers, at least ``min_nonzero`` of them not 0 (an axis or a normal not along x, y, z)."""
    while True:
        v = rng.integers(lo, hi + 1, size=3).astype(np.float64)
        if np.count_nonzero(v) >= min_nonzero:
            return v


def homogeneous(A, b) -> np.ndarray:
    """``[[A, b], [0, 1]]``."""
    return Affine(A, b).matrix


@cache
def box() -> Mesh:
    """The cube ``[-1, 1]^3`` (affine3d's built-in cube has circumradius 1; here the corners are ``(±1, ±1, ±1)``)."""
    return cube().transformed(Affine.scaling(math.sqrt(3)))


@cache
def house() -> Mesh:
    """The house of ``scenes/house.obj``: floor at y = -0.8, roof ridge along x at y = 0.9, front facing +z."""
    return load_mesh(scene_dir() / "house.obj")


def corners() -> np.ndarray:
    """The 8 corners of ``[-1, 1]^3``, shape (8, 3)."""
    return np.array([[x, y, z] for x in (-1.0, 1.0) for y in (-1.0, 1.0) for z in (-1.0, 1.0)])


def rotation_deg(axis: str, angle_deg: float) -> np.ndarray:
    """The 3x3 rotation about a coordinate axis, from degrees."""
    angle = math.radians(angle_deg)
    return {"x": Affine.rotation_x, "y": Affine.rotation_y, "z": Affine.rotation_z}[axis](angle).A


def as_pair(answers, key: str, shapes: tuple, whats: tuple[str, str], shape_hints=None):
    """A function's answer that must be a pair, like ``(W, b)``: each part as an array of its shape."""
    from ...i18n import _
    from ..feedback import Wrong, as_array

    value = answers.value(key)
    fn = answers[key].function
    if not isinstance(value, list) or len(value) != 2:
        got = _("a list or tuple of {count}").format(count=len(value)) if isinstance(value, list) else type(value).__name__
        raise Wrong(_("{function} returned {got}, expected a pair ({first}, {second}): return {first}, {second}").format(
            function=fn, got=got, first=whats[0], second=whats[1]))
    return tuple(as_array(v, s, w, fn, shape_hints) for v, s, w in zip(value, shapes, whats))
