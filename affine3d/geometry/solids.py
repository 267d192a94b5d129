"""The shapes that come with affine3d: the five Platonic solids, an icosphere and a few a teacher wants.

Every builder returns a :class:`~affine3d.geometry.mesh.Mesh` centred on the origin. The Platonic
solids have exact coordinates (the golden ratio ``phi`` for the dodecahedron and the icosahedron) and
circumradius 1: every vertex lies on the unit sphere. The model transform of a scene object then scales, turns and places it.

Numpy only: no OpenGL here.

Examples
--------
>>> cube().n_vertices, cube().n_triangles, cube().n_edges
(8, 12, 12)
>>> cube().euler_characteristic()
2
>>> icosphere(3).n_triangles == 20 * 4**3
True
"""

from __future__ import annotations

import functools
import inspect
import itertools
import math
from typing import Callable

import numpy as np

from ..errors import SceneError, shown
from ..i18n import _
from .mesh import Mesh, unique_inverse

__all__ = [
    "tetrahedron",
    "cube",
    "octahedron",
    "dodecahedron",
    "icosahedron",
    "icosphere",
    "uv_sphere",
    "torus",
    "prism",
    "pyramid",
    "subdivided_cube",
    "PLATONIC",
    "BUILTINS",
    "builtin",
    "builtin_names",
    "triangle_count",
]

PHI = (1 + math.sqrt(5)) / 2  # the golden ratio
MAX_SHAPE_LENGTH = 1e6  # a radius or height, in the shape's own units; larger is a typo (the model transform scales)

# The finest icosphere built on request: 20 * 4**9 = 5,242,880 triangles, which is also the budget of a
# whole scene (affine3d.geometry.scene.MAX_SCENE_TRIANGLES): every shape at its largest fits in it.
MAX_ICOSPHERE_LEVEL = 9
# Rings and segments beyond this are a typo, not a shape: a 1024 x 1024 torus has 2 * 1024**2 = 2,097,152
# triangles, a uv_sphere(1024, 1024) 2 * 1024 * 1023 = 2,095,104.
MAX_SEGMENTS = 1024
# Squares along a subdivided cube's edge: 12 * 512**2 = 3,145,728 triangles.
MAX_CUBE_CUTS = 512


# ---------------------------------------------------------------------------------------- convex solids
def _convex_faces(vertices: np.ndarray, tol: float = 1e-9) -> list[list[int]]:
    """The faces of the convex hull of ``vertices`` (all of them extreme), counter-clockwise from outside.

    Brute force over vertex triples (O(V^4)): meant for the few vertices of a Platonic solid.
    """
    planes: dict[tuple, tuple[np.ndarray, float]] = {}
    for i, j, k in itertools.combinations(range(len(vertices)), 3):
        n = np.cross(vertices[j] - vertices[i], vertices[k] - vertices[i])
        length = np.linalg.norm(n)
        if length < tol:
            continue
        n = n / length
        d = float(n @ vertices[i])
        side = vertices @ n - d
        if np.all(side <= tol):
            pass
        elif np.all(side >= -tol):
            n, d = -n, -d
        else:
            continue
        planes.setdefault(tuple(np.round(n, 6) + 0.0), (n, d))
    faces = []
    for n, d in planes.values():
        on = np.flatnonzero(np.abs(vertices @ n - d) < 1e-7)
        centre = vertices[on].mean(axis=0)
        u = vertices[on[0]] - centre
        u /= np.linalg.norm(u)
        w = np.cross(n, u)  # (u, w, n) right-handed: increasing angle is counter-clockwise seen from outside
        rel = vertices[on] - centre
        ring = on[np.argsort(np.arctan2(rel @ w, rel @ u))].tolist()
        first = ring.index(min(ring))
        faces.append(ring[first:] + ring[:first])
    return sorted(faces)


def _convex(vertices, name: str) -> Mesh:
    vertices = np.asarray(vertices, dtype=np.float64)
    return Mesh.from_polygons(vertices, _convex_faces(vertices), name)


@functools.cache
def tetrahedron() -> Mesh:
    """The regular tetrahedron: 4 vertices, 4 triangles, 6 edges, circumradius 1.

    Four alternate corners of the cube ``(±1, ±1, ±1) / sqrt(3)``.
    """
    return _convex(np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]]) / math.sqrt(3), "tetrahedron")


@functools.cache
def cube() -> Mesh:
    """The cube (hexahedron): 8 vertices ``(±1, ±1, ±1) / sqrt(3)``, 6 squares, 12 triangles, 12 edges."""
    corners = np.array(list(itertools.product((-1, 1), repeat=3)), dtype=np.float64)
    return _convex(corners / math.sqrt(3), "cube")


@functools.cache
def octahedron() -> Mesh:
    """The regular octahedron: the 6 unit points ``±x, ±y, ±z``, 8 triangles, 12 edges."""
    return _convex(np.vstack([np.eye(3), -np.eye(3)]), "octahedron")


@functools.cache
def icosahedron() -> Mesh:
    """The regular icosahedron: ``(0, ±1, ±phi)`` and cyclic shifts, over ``sqrt(1 + phi^2)``; 20 triangles, 30 edges."""
    points = []
    for s1, s2 in itertools.product((-1, 1), repeat=2):
        points += [(0, s1, s2 * PHI), (s1, s2 * PHI, 0), (s2 * PHI, 0, s1)]
    return _convex(np.array(points) / math.sqrt(1 + PHI**2), "icosahedron")


@functools.cache
def dodecahedron() -> Mesh:
    """The regular dodecahedron: 20 vertices, 12 pentagons (36 triangles), 30 edges, circumradius 1.

    Vertices ``(±1, ±1, ±1)``, ``(0, ±1/phi, ±phi)`` and cyclic shifts, over ``sqrt(3)``.
    """
    points = [tuple(p) for p in itertools.product((-1, 1), repeat=3)]
    for s1, s2 in itertools.product((-1, 1), repeat=2):
        points += [(0, s1 / PHI, s2 * PHI), (s1 / PHI, s2 * PHI, 0), (s2 * PHI, 0, s1 / PHI)]
    return _convex(np.array(points) / math.sqrt(3), "dodecahedron")


PLATONIC: dict[str, Callable[[], Mesh]] = {
    "tetrahedron": tetrahedron,
    "cube": cube,
    "octahedron": octahedron,
    "dodecahedron": dodecahedron,
    "icosahedron": icosahedron,
}


# ---------------------------------------------------------------------------------------- parameters
def _int_param(name: str, value, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise SceneError(_("{name}: expected an integer in {lo}..{hi}, got {value}").format(
            name=name, lo=lo, hi=hi, value=shown(value)))
    return int(value)


def _positive_param(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SceneError(_("{name}: expected a number > 0, got {value}").format(name=name, value=shown(value)))
    try:
        value = float(value)
    except OverflowError:  # an int past float64's range
        value = math.inf
    if not math.isfinite(value) or value <= 0 or value > MAX_SHAPE_LENGTH:
        raise SceneError(_("{name}: expected a number in (0, {limit:g}], got {value}").format(
            name=name, limit=MAX_SHAPE_LENGTH, value=shown(value)))
    return value


# ---------------------------------------------------------------------------------------- spheres
def _subdivide(vertices: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Split every triangle into 4 at its side midpoints, pushed out onto the unit sphere.

    Shared sides get one midpoint: each side is keyed ``lo * V + hi`` and deduplicated by
    sorting (no Python loop over triangles).
    """
    V = len(vertices)
    a, b, c = triangles.T
    sides = np.stack([np.stack([a, b]), np.stack([b, c]), np.stack([c, a])])  # (3 sides, 2 ends, T)
    keys = np.minimum(sides[:, 0], sides[:, 1]) * V + np.maximum(sides[:, 0], sides[:, 1])  # (3, T)
    unique, inverse = unique_inverse(keys)
    ab, bc, ca = V + inverse.reshape(keys.shape)
    middle = vertices[unique // V] + vertices[unique % V]
    middle /= np.linalg.norm(middle, axis=1, keepdims=True)
    new_triangles = np.concatenate(
        [np.stack([a, ab, ca], 1), np.stack([ab, b, bc], 1), np.stack([ca, bc, c], 1), np.stack([ab, bc, ca], 1)]
    )
    return np.concatenate([vertices, middle]), new_triangles


def icosphere(level: int = 2) -> Mesh:
    """The icosahedron subdivided ``level`` times onto the unit sphere: ``20 * 4**level`` triangles.

    Each step splits every triangle into four at its side midpoints and pushes the new points out
    onto the sphere. Level 0 is the icosahedron; level 8 has 1,310,720 triangles (the lecture's
    "1980: few faces, 2015: many faces").

    Parameters
    ----------
    level : int, 0 .. 9
    """
    level = _int_param("level", level, 0, MAX_ICOSPHERE_LEVEL)
    base = icosahedron()
    vertices, triangles = np.array(base.vertices), np.array(base.triangles)
    for _step in range(level):
        vertices, triangles = _subdivide(vertices, triangles)
    return Mesh(vertices, triangles, None, f"icosphere({level})")


def _ring(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``(sin, cos)`` of ``n`` equally spaced angles, starting at 0."""
    angle = 2 * np.pi * np.arange(n) / n
    return np.sin(angle), np.cos(angle)


def _quad_grid(index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Triangles and polygon edges of a grid of quads; ``index`` (rows, cols) of vertex ids.

    Quad ``(r, c)`` is ``index[r, c], index[r+1, c], index[r+1, c+1], index[r, c+1]`` in that
    (counter-clockwise) order, split along its diagonal ``index[r, c] - index[r+1, c+1]``.
    """
    p00, p10 = index[:-1, :-1].ravel(), index[1:, :-1].ravel()
    p11, p01 = index[1:, 1:].ravel(), index[:-1, 1:].ravel()
    triangles = np.concatenate([np.stack([p00, p10, p11], 1), np.stack([p00, p11, p01], 1)])
    edges = np.concatenate([np.stack([p00, p10], 1), np.stack([p00, p01], 1), np.stack([p10, p11], 1), np.stack([p01, p11], 1)])
    return triangles, edges


def uv_sphere(n_lon: int = 32, n_lat: int = 16) -> Mesh:
    """The unit sphere cut by meridians and parallels (a globe), poles on the y axis.

    ``n_lon`` meridians and ``n_lat`` bands: triangles at the poles, quads (two triangles each)
    between, ``2 * n_lon * (n_lat - 1)`` triangles in all.

    Parameters
    ----------
    n_lon : int, 3 .. 1024
    n_lat : int, 2 .. 1024
    """
    n_lon = _int_param("n_lon", n_lon, 3, MAX_SEGMENTS)
    n_lat = _int_param("n_lat", n_lat, 2, MAX_SEGMENTS)
    sin_lon, cos_lon = _ring(n_lon)
    polar = np.pi * np.arange(1, n_lat) / n_lat
    r, y = np.sin(polar)[:, None], np.cos(polar)[:, None]
    rings = np.stack([r * sin_lon, np.broadcast_to(y, (n_lat - 1, n_lon)), r * cos_lon], axis=-1).reshape(-1, 3)
    vertices = np.concatenate([[[0.0, 1.0, 0.0]], rings, [[0.0, -1.0, 0.0]]])
    north, south = 0, len(vertices) - 1
    ring_index = 1 + np.arange((n_lat - 1) * n_lon).reshape(n_lat - 1, n_lon)
    # Rows go south, columns east (toward +x from +z); the seam repeats the first column.
    index = np.concatenate([ring_index, ring_index[:, :1]], axis=1)
    body_triangles, body_edges = _quad_grid(index)
    top, nxt = index[0, :-1], index[0, 1:]
    bottom, bnxt = index[-1, :-1], index[-1, 1:]
    caps = np.concatenate([np.stack([np.full(n_lon, north), top, nxt], 1), np.stack([np.full(n_lon, south), bnxt, bottom], 1)])
    cap_edges = np.concatenate([np.stack([np.full(n_lon, north), top], 1), np.stack([np.full(n_lon, south), bottom], 1),
                                np.stack([top, nxt], 1), np.stack([bottom, bnxt], 1)])
    return Mesh(vertices, np.concatenate([caps, body_triangles]), np.concatenate([cap_edges, body_edges]),
                f"uv_sphere({n_lon}, {n_lat})")


def torus(R: float = 0.7, r: float = 0.3, n_major: int = 48, n_minor: int = 24) -> Mesh:
    """A ring torus about the y axis: a circle of radius ``r`` swept around a circle of radius ``R``.

    ``2 * n_major * n_minor`` triangles (quads split in two); V - E + F = 0. The defaults give an
    outer radius of 1, like the other builders.

    Parameters
    ----------
    R : float, > r
        Distance from the centre of the hole to the centre of the tube.
    r : float, > 0
        Radius of the tube.
    n_major, n_minor : int, 3 .. 1024
        Segments around the ring and around the tube.
    """
    R, r = _positive_param("R", R), _positive_param("r", r)
    if r >= R:
        raise SceneError(_("r: expected a tube radius smaller than R = {R}, got {r}").format(R=R, r=r))
    n_major = _int_param("n_major", n_major, 3, MAX_SEGMENTS)
    n_minor = _int_param("n_minor", n_minor, 3, MAX_SEGMENTS)
    sin_u, cos_u = _ring(n_major)
    sin_v, cos_v = _ring(n_minor)
    radius = R + r * cos_v[None, :]  # (1, n_minor): distance from the y axis
    vertices = np.stack(
        [radius * sin_u[:, None], np.broadcast_to(r * sin_v[None, :], (n_major, n_minor)), radius * cos_u[:, None]],
        axis=-1,
    ).reshape(-1, 3)
    ids = np.arange(n_major * n_minor).reshape(n_major, n_minor)
    index = np.concatenate([ids, ids[:1]], axis=0)
    index = np.concatenate([index, index[:, :1]], axis=1)
    triangles, edges = _quad_grid(index)
    return Mesh(vertices, triangles, edges, f"torus({R:g}, {r:g})")


# ---------------------------------------------------------------------------------------- prisms
def _polygon_ring(n: int, y: float) -> np.ndarray:
    """``n`` points of the regular polygon with circumradius 1 in the plane at height ``y``; (n, 3)."""
    sin, cos = _ring(n)
    return np.column_stack([sin, np.full(n, float(y)), cos])


def _outward(vertices: np.ndarray, polygons: list[list[int]]) -> list[list[int]]:
    """Each polygon of a convex solid wound counter-clockwise from outside (its normal away from the centre)."""
    centre = vertices.mean(axis=0)
    out = []
    for polygon in polygons:
        p = vertices[polygon]
        normal = np.cross(p - p.mean(axis=0), np.roll(p, -1, axis=0) - p.mean(axis=0)).sum(axis=0)
        out.append(polygon if normal @ (p.mean(axis=0) - centre) > 0 else polygon[::-1])
    return out


def prism(n_sides: int = 6, height: float = 1.0) -> Mesh:
    """A right prism over the regular ``n_sides``-gon of circumradius 1, axis y, centred.

    Two ``n``-gon caps (fanned into triangles) and ``n`` rectangular sides: ``3n`` edges.

    Parameters
    ----------
    n_sides : int, 3 .. 1024
    height : float, > 0
    """
    n = _int_param("n_sides", n_sides, 3, MAX_SEGMENTS)
    h = _positive_param("height", height)
    vertices = np.concatenate([_polygon_ring(n, -h / 2), _polygon_ring(n, h / 2)])
    polygons = [list(range(n)), list(range(n, 2 * n))] + [[i, (i + 1) % n, n + (i + 1) % n, n + i] for i in range(n)]
    return Mesh.from_polygons(vertices, _outward(vertices, polygons), f"prism({n}, {h:g})")


def pyramid(n_sides: int = 4, height: float = 1.0) -> Mesh:
    """A right pyramid over the regular ``n_sides``-gon of circumradius 1, axis y.

    The base lies at ``y = -height/2`` and the apex at ``y = +height/2`` (its bounding box is centred).

    Parameters
    ----------
    n_sides : int, 3 .. 1024
    height : float, > 0
    """
    n = _int_param("n_sides", n_sides, 3, MAX_SEGMENTS)
    h = _positive_param("height", height)
    vertices = np.concatenate([_polygon_ring(n, -h / 2), [[0.0, h / 2, 0.0]]])
    polygons = [list(range(n))] + [[n, i, (i + 1) % n] for i in range(n)]
    return Mesh.from_polygons(vertices, _outward(vertices, polygons), f"pyramid({n}, {h:g})")


def subdivided_cube(n: int = 8) -> Mesh:
    """The cube of :func:`cube` with each square face cut into an ``n x n`` grid of squares.

    Same corners ``(±1, ±1, ±1) / sqrt(3)`` (circumradius 1), flat faces, but ``6 n^2 + 2``
    vertices (shared along the cube's edges, so the surface stays closed when something bends
    it), ``12 n^2`` triangles and the grid lines as polygon edges: what a network that warps space
    needs to bend (``n = 1`` is the plain cube).

    Parameters
    ----------
    n : int, 1 .. 512
        Squares along each edge of the cube.

    Examples
    --------
    >>> mesh = subdivided_cube(4)
    >>> mesh.n_vertices, mesh.n_triangles, mesh.euler_characteristic()
    (98, 192, 2)
    """
    n = _int_param("n", n, 1, MAX_CUBE_CUTS)
    rows, cols = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    points = []  # per face: (n+1, n+1, 3) integer lattice points in 0..n on the cube's surface
    for axis in range(3):
        u_axis, v_axis = (axis + 1) % 3, (axis + 2) % 3  # (u, v, normal) is right-handed
        for side in (0, n):
            point = np.empty((n + 1, n + 1, 3), dtype=np.int64)
            point[..., axis], point[..., u_axis], point[..., v_axis] = side, cols, rows
            # Rows go along v, columns along u; _quad_grid winds (r,c) (r+1,c) (r+1,c+1): that is
            # counter-clockwise about -normal, so the face at side 0 keeps it and side n flips it.
            points.append(point if side == 0 else point[:, ::-1])
    lattice = np.stack(points)  # (6, n+1, n+1, 3)
    keys = (lattice[..., 0] * (n + 1) + lattice[..., 1]) * (n + 1) + lattice[..., 2]
    unique, inverse = unique_inverse(keys.ravel())  # points on the cube's edges are shared by faces
    index = inverse.reshape(keys.shape)
    triangles, edges = zip(*(_quad_grid(face) for face in index))
    ijk = np.stack([unique // (n + 1) ** 2, unique // (n + 1) % (n + 1), unique % (n + 1)], axis=1)
    vertices = (2.0 * ijk / n - 1.0) / math.sqrt(3)
    return Mesh(vertices, np.concatenate(triangles), np.concatenate(edges), f"subdivided_cube({n})")


# ---------------------------------------------------------------------------------------- by name
BUILTINS: dict[str, Callable[..., Mesh]] = {
    **PLATONIC,
    "icosphere": icosphere,
    "uv_sphere": uv_sphere,
    "torus": torus,
    "prism": prism,
    "pyramid": pyramid,
    "subdivided_cube": subdivided_cube,
}


def triangle_count(name: str, **params) -> int:
    """How many triangles ``builtin(name, **params)`` has, without building it (a scene checks its budget first).

    Bad parameter values raise the same SceneError the builder would.

    Examples
    --------
    >>> triangle_count("torus", n_major=1024, n_minor=1024)
    2097152
    >>> triangle_count("icosphere", level=3) == icosphere(3).n_triangles
    True
    """
    builder = _lookup(name)
    try:
        arguments = inspect.signature(builder).bind(**params)
    except TypeError:
        valid = builtin_parameters(name)
        expected = ", ".join(valid) if valid else _("no parameters")
        raise SceneError(_("params: expected {expected} for {name}, got {names}").format(
            expected=expected, name=repr(name), names=', '.join(map(shown, params)))) from None
    arguments.apply_defaults()
    a = arguments.arguments
    fixed = {"tetrahedron": 4, "cube": 12, "octahedron": 8, "dodecahedron": 36, "icosahedron": 20}
    if name in fixed:
        return fixed[name]
    if name == "icosphere":
        return 20 * 4 ** _int_param("level", a["level"], 0, MAX_ICOSPHERE_LEVEL)
    if name == "uv_sphere":
        return 2 * _int_param("n_lon", a["n_lon"], 3, MAX_SEGMENTS) * (_int_param("n_lat", a["n_lat"], 2, MAX_SEGMENTS) - 1)
    if name == "torus":
        return 2 * _int_param("n_major", a["n_major"], 3, MAX_SEGMENTS) * _int_param("n_minor", a["n_minor"], 3, MAX_SEGMENTS)
    if name == "prism":  # two (n-2)-triangle fans and n quads
        return 4 * _int_param("n_sides", a["n_sides"], 3, MAX_SEGMENTS) - 4
    if name == "pyramid":  # one (n-2)-triangle fan and n sides
        return 2 * _int_param("n_sides", a["n_sides"], 3, MAX_SEGMENTS) - 2
    if name == "subdivided_cube":
        return 12 * _int_param("n", a["n"], 1, MAX_CUBE_CUTS) ** 2
    raise SceneError(_("shape: no triangle count known for {name}").format(name=repr(name)))  # pragma: no cover - every builtin is listed


def builtin_names() -> list[str]:
    """The names :func:`builtin` knows, in a fixed order."""
    return list(BUILTINS)


def builtin_parameters(name: str) -> dict[str, object]:
    """Parameter name -> default value of the builder ``name`` (empty for the Platonic solids)."""
    return {p.name: p.default for p in inspect.signature(_lookup(name)).parameters.values()}


def _lookup(name: str) -> Callable[..., Mesh]:
    try:
        return BUILTINS[name]
    except (KeyError, TypeError):
        raise SceneError(_("shape: unknown shape {name}; expected one of: {names}").format(
            name=repr(name), names=', '.join(BUILTINS))) from None


def builtin(name: str, **params) -> Mesh:
    """The built-in mesh called ``name``, built with ``params``.

    Raises
    ------
    SceneError
        An unknown name (the message lists the valid ones), an unknown parameter (lists the valid
        ones) or a bad parameter value (names it).

    Examples
    --------
    >>> builtin("icosphere", level=1).n_triangles
    80
    >>> builtin("cone")
    Traceback (most recent call last):
    ...
    affine3d.errors.SceneError: shape: unknown shape 'cone'; expected one of: tetrahedron, cube, octahedron, dodecahedron, icosahedron, icosphere, uv_sphere, torus, prism, pyramid, subdivided_cube
    """
    builder = _lookup(name)
    valid = builtin_parameters(name)
    unknown = [key for key in params if key not in valid]
    if unknown:
        expected = ", ".join(valid) if valid else _("no parameters")
        raise SceneError(_("params: unknown parameter {unknown} for {name}; expected {expected}").format(
            unknown=repr(unknown[0]), name=repr(name), expected=expected))
    return builder(**params)
