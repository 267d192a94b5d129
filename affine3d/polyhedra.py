"""Meshes made of triangles: the five Platonic solids, an icosphere and a few shapes a teacher wants.

A :class:`Mesh` is what the GPU draws: a table of vertices (points in *object space*), a table of
triangles (three vertex indices each, counter-clockwise when seen from outside, so the right-hand
rule gives the outward normal), and the polygon edges of the faces it was built from, so that a
wireframe of a cube shows squares and not their diagonals.

Every builder returns a solid centred on the origin. The Platonic solids have exact coordinates
(the golden ratio ``phi`` for the dodecahedron and the icosahedron) and circumradius 1: every vertex
lies on the unit sphere. The model transform of a scene object then scales, turns and places it.

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
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .affine import Affine
from .errors import SceneError

__all__ = [
    "Mesh",
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
]

PHI = (1 + math.sqrt(5)) / 2  # the golden ratio

# The finest icosphere built on request: 20 * 4**9 = 5.2 million triangles (about 0.5 GB of arrays).
MAX_ICOSPHERE_LEVEL = 9
# Rings and segments beyond this are a typo, not a shape (4096**2 = 16.7 million triangles).
MAX_SEGMENTS = 4096


# ---------------------------------------------------------------------------------------- Mesh
@dataclass(frozen=True, eq=False)
class Mesh:
    """A triangle mesh in object space, with the polygon edges of its original faces.

    Parameters
    ----------
    vertices : array-like, shape (V, 3)
        Vertex positions in object space, scene units; stored as read-only float64.
    triangles : array-like, shape (T, 3)
        Vertex indices, counter-clockwise seen from outside; stored as read-only int64.
    edges : array-like, shape (E, 2)
        The polygon edges of the faces (for wireframes): stored unique, each as ``(i, j)`` with
        ``i < j``, sorted. Pass ``None`` to use every triangle edge.
    name : str
        What to call it in messages and the HUD.

    Raises
    ------
    SceneError
        A wrong shape, a non-finite coordinate, or an index outside ``0 .. V-1``.

    Examples
    --------
    >>> m = Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]], None, name="triangle")
    >>> m.edges.tolist()
    [[0, 1], [0, 2], [1, 2]]
    >>> m.face_normals().tolist()
    [[0.0, 0.0, 1.0]]
    """

    vertices: np.ndarray
    triangles: np.ndarray
    edges: np.ndarray
    name: str = ""

    def __post_init__(self) -> None:
        where = f"mesh {self.name!r}" if self.name else "mesh"
        vertices = _vertices(where, self.vertices)
        triangles = _array(f"{where}: triangles", self.triangles, np.int64, 3)
        _check_range(f"{where}: triangles", triangles, len(vertices))
        if self.edges is None:
            edges = unique_edges(triangles, len(vertices))
        else:
            edges = _array(f"{where}: edges", self.edges, np.int64, 2)
            _check_range(f"{where}: edges", edges, len(vertices))
            edges = _canonical_edges(edges, len(vertices))
        for array in (vertices, triangles, edges):
            array.setflags(write=False)
        object.__setattr__(self, "vertices", vertices)
        object.__setattr__(self, "triangles", triangles)
        object.__setattr__(self, "edges", edges)

    # ------------------------------------------------------------------ sizes
    @property
    def n_vertices(self) -> int:
        """V, the number of vertices."""
        return len(self.vertices)

    @property
    def n_triangles(self) -> int:
        """T, the number of triangles."""
        return len(self.triangles)

    @property
    def n_edges(self) -> int:
        """E, the number of polygon edges."""
        return len(self.edges)

    def __repr__(self) -> str:
        return f"Mesh({self.name!r}: {self.n_vertices} vertices, {self.n_triangles} triangles, {self.n_edges} edges)"

    # ------------------------------------------------------------------ geometry
    def _cross(self) -> np.ndarray:
        """(T, 3) float64: ``(b - a) x (c - a)`` per triangle, twice its area along its normal."""
        a, b, c = (self.vertices[k] for k in self.triangles.T)
        return _cross(b - a, c - a)

    def face_normals(self) -> np.ndarray:
        """Unit outward normals, one per triangle: ndarray (T, 3) float64, object space.

        A degenerate (zero-area) triangle gets the zero vector rather than NaN.
        """
        n = self._cross()
        length = np.linalg.norm(n, axis=1, keepdims=True)
        return np.divide(n, length, out=np.zeros_like(n), where=length > 0)

    def vertex_normals(self) -> np.ndarray:
        """Unit normals per vertex: the area-weighted mean of the adjacent face normals, (V, 3) float64.

        A vertex in no triangle gets the zero vector.
        """
        n = self._cross()  # its length is twice the area: the weight comes for free
        flat_index = self.triangles.ravel()
        summed = np.column_stack(
            [np.bincount(flat_index, weights=np.repeat(n[:, k], 3), minlength=self.n_vertices) for k in range(3)]
        )
        length = np.linalg.norm(summed, axis=1, keepdims=True)
        return np.divide(summed, length, out=np.zeros_like(summed), where=length > 0)

    def signed_volume(self) -> float:
        """The enclosed volume, positive when the triangles wind counter-clockwise seen from outside.

        Sum over triangles of ``a . (b x c) / 6`` (the divergence theorem); exact for a closed mesh.

        Examples
        --------
        >>> round(cube().signed_volume() * 3 ** 1.5 / 8, 12)   # a cube of side 2 / sqrt(3)
        1.0
        """
        a, b, c = (self.vertices[k] for k in self.triangles.T)
        return float(np.einsum("ij,ij->", a, _cross(b, c)) / 6)

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The axis-aligned bounding box: ``(lo, hi)``, each shape (3,), object space."""
        if self.n_vertices == 0:
            return np.zeros(3), np.zeros(3)
        return self.vertices.min(axis=0), self.vertices.max(axis=0)

    def with_vertices(self, vertices) -> "Mesh":
        """The same triangles and edges with the vertices moved to ``vertices``, shape (V, 3).

        Only the new vertices are checked (shape, finite): the topology was checked when this mesh
        was made and is shared, read-only, so moving a mesh every frame (a network warping it,
        :mod:`affine3d.morph_gl`) does not re-check and re-sort its indices each time.

        Examples
        --------
        >>> m = cube()
        >>> moved = m.with_vertices(2 * m.vertices)
        >>> moved.triangles is m.triangles, round(moved.signed_volume() / m.signed_volume(), 12)
        (True, 8.0)
        """
        where = f"mesh {self.name!r}" if self.name else "mesh"
        vertices = _vertices(where, vertices)
        if vertices.shape != self.vertices.shape:
            raise SceneError(f"{where}: vertices: expected shape {self.vertices.shape}, got {vertices.shape}")
        vertices.setflags(write=False)
        mesh = object.__new__(Mesh)
        for name, value in (("vertices", vertices), ("triangles", self.triangles), ("edges", self.edges), ("name", self.name)):
            object.__setattr__(mesh, name, value)
        return mesh

    def transformed(self, F: Affine) -> "Mesh":
        """A new mesh with every vertex moved by ``F`` (object space -> F's space).

        A map with a negative determinant (a mirror) turns counter-clockwise into clockwise, so the
        triangles are rewound to keep the outside outside.
        """
        if not isinstance(F, Affine) or F.dim_in != 3 or F.dim_out != 3:
            raise SceneError(f"F: expected a 3D Affine, got {F!r}")
        triangles = self.triangles[:, [0, 2, 1]] if F.determinant < 0 else self.triangles
        return Mesh(F(self.vertices), triangles, self.edges, self.name)

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Unshared vertices for flat shading: ``(positions, normals)``, each (3T, 3) float32, object space.

        Triangle ``t`` owns rows ``3t, 3t+1, 3t+2``, and all three carry its face normal.
        """
        positions = self.vertices[self.triangles].reshape(-1, 3).astype(np.float32)
        normals = np.repeat(self.face_normals(), 3, axis=0).astype(np.float32)
        return positions, normals

    # ------------------------------------------------------------------ polygons
    def polygons(self) -> list[list[int]]:
        """The original polygon faces, rebuilt from the triangles and the polygon edges.

        Triangles that share a side which is not a polygon edge (a diagonal) belong to one polygon.
        A polygon is returned as its boundary, counter-clockwise from outside, starting at a vertex
        shared by all its triangles, so a fan from its first vertex gives back the same triangles.
        A group of triangles that is not such a fan (or has no single boundary) is returned as its
        separate triangles.

        Examples
        --------
        >>> len(cube().polygons()), len(dodecahedron().polygons()[0])
        (6, 5)
        """
        groups = self._polygon_groups()
        if groups is None:  # every triangle is a face of its own
            return self.triangles.tolist()
        out: list[list[int]] = []
        for group in groups:
            if len(group) == 1:
                out.append(self.triangles[group[0]].tolist())
                continue
            polygon = _fan_polygon(self.triangles[group])
            if polygon is None:
                out.extend(self.triangles[t].tolist() for t in group)
            else:
                out.append(polygon)
        return out

    def euler_characteristic(self) -> int:
        """V - E + F, with F the number of polygon faces: 2 for a closed, hole-free solid, 0 for a torus.

        Vertices in no face and no edge are not counted.
        """
        used = _unique(np.concatenate([self.triangles.ravel(), self.edges.ravel()]))
        groups = self._polygon_groups()
        return int(len(used) - self.n_edges + (self.n_triangles if groups is None else len(groups)))

    def _polygon_groups(self) -> list[list[int]] | None:
        """Triangle indices grouped into polygons (joined across sides that are not polygon edges).

        None when every triangle is a polygon of its own (an icosphere): no list of a million lists.
        """
        T, V = self.n_triangles, max(self.n_vertices, 1)
        if T == 0:
            return []
        sides = np.stack([self.triangles[:, [0, 1]], self.triangles[:, [1, 2]], self.triangles[:, [2, 0]]], axis=1)
        keys = (sides.min(axis=2) * V + sides.max(axis=2)).ravel()  # (3T,), triangle t owns 3t .. 3t+2
        edge_keys = self.edges[:, 0] * V + self.edges[:, 1]
        inner = ~_contains(edge_keys, keys)
        if not inner.any():
            return None
        half = np.flatnonzero(inner)
        order = np.argsort(keys[half], kind="stable")
        half, sorted_keys = half[order], keys[half][order]
        same = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        parent = list(range(T))

        def find(t: int) -> int:
            while parent[t] != t:
                parent[t] = parent[parent[t]]
                t = parent[t]
            return t

        for i in same:
            a, b = find(int(half[i]) // 3), find(int(half[i + 1]) // 3)
            if a != b:
                parent[max(a, b)] = min(a, b)
        groups: dict[int, list[int]] = {}
        for t in range(T):
            groups.setdefault(find(t), []).append(t)
        return list(groups.values())

    @classmethod
    def from_polygons(cls, vertices, polygons: Sequence[Sequence[int]], name: str = "", extra_edges=()) -> "Mesh":
        """A mesh from polygon faces: each fanned into triangles from its first vertex.

        Parameters
        ----------
        vertices : array-like, shape (V, 3)
            Object space.
        polygons : sequence of sequences of int
            Vertex indices of each face, counter-clockwise seen from outside, at least 3 each.
        name : str
        extra_edges : sequence of (i, j)
            Edges drawn in the wireframe besides the polygons' sides (OBJ ``l`` lines).

        Examples
        --------
        >>> square = Mesh.from_polygons([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0]], [[0, 1, 2, 3]])
        >>> square.triangles.tolist(), square.n_edges
        ([[0, 1, 2], [0, 2, 3]], 4)
        """
        triangles: list[tuple[int, int, int]] = []
        edges: list[tuple[int, int]] = [tuple(e) for e in extra_edges]
        for k, polygon in enumerate(polygons):
            polygon = [int(i) for i in polygon]
            if len(polygon) < 3:
                raise SceneError(f"polygons[{k}]: expected at least 3 vertex indices, got {len(polygon)}")
            first = polygon[0]
            triangles.extend((first, polygon[i], polygon[i + 1]) for i in range(1, len(polygon) - 1))
            edges.extend(zip(polygon, polygon[1:] + polygon[:1]))
        return cls(
            np.asarray(vertices, dtype=np.float64).reshape(-1, 3),
            np.asarray(triangles, dtype=np.int64).reshape(-1, 3),
            np.asarray(edges, dtype=np.int64).reshape(-1, 2),
            name,
        )


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise cross products of two (N, 3) arrays (several times faster than ``np.cross`` for large N)."""
    out = np.empty(np.broadcast_shapes(u.shape, v.shape))
    out[:, 0] = u[:, 1] * v[:, 2] - u[:, 2] * v[:, 1]
    out[:, 1] = u[:, 2] * v[:, 0] - u[:, 0] * v[:, 2]
    out[:, 2] = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return out


def unique_edges(triangles: np.ndarray, n_vertices: int) -> np.ndarray:
    """Every side of every triangle once: ndarray (E, 2) int64, ``i < j``, sorted."""
    a, b, c = np.asarray(triangles, dtype=np.int64).reshape(-1, 3).T
    sides = np.stack([np.concatenate([a, b, c]), np.concatenate([b, c, a])], axis=1)
    return _canonical_edges(sides, n_vertices)


def _unique(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1D integer array (sort + mask: numpy 2.3's hash-based
    ``np.unique`` is many times slower on millions of keys)."""
    keys = np.sort(keys, axis=None)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def _unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(unique, inverse)`` with ``unique[inverse] == keys``, for a flat integer array."""
    order = np.argsort(keys, axis=None)
    ordered = keys.ravel()[order]
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _canonical_edges(edges: np.ndarray, n_vertices: int) -> np.ndarray:
    """``edges`` as unique sorted pairs ``(i, j)`` with ``i < j``, dropping loops ``(i, i)``."""
    lo, hi = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    V = max(int(n_vertices), 1)
    keys = lo * V + hi
    if len(keys) and np.all(lo < hi) and np.all(keys[1:] > keys[:-1]):
        return np.ascontiguousarray(np.column_stack([lo, hi]))  # already canonical: skip the sort
    keys = _unique(keys[lo < hi])
    return np.column_stack([keys // V, keys % V]).astype(np.int64)


def _contains(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Boolean mask: which ``keys`` occur in the sorted array ``sorted_keys``."""
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return sorted_keys[at] == keys


def _array(name: str, value, dtype, columns: int) -> np.ndarray:
    try:
        array = np.array(value, dtype=dtype)
    except (TypeError, ValueError, OverflowError) as exc:
        raise SceneError(f"{name}: expected an array of numbers, got {type(value).__name__} ({exc})") from None
    if array.size == 0:
        array = array.reshape(0, columns)
    if array.ndim != 2 or array.shape[1] != columns:
        raise SceneError(f"{name}: expected shape (N, {columns}), got {array.shape}")
    return array


def _vertices(where: str, value) -> np.ndarray:
    """``value`` as a (V, 3) float64 array of finite coordinates, else a SceneError naming ``where``."""
    vertices = _array(f"{where}: vertices", value, np.float64, 3)
    if not np.all(np.isfinite(vertices)):
        row = int(np.argwhere(~np.isfinite(vertices))[0, 0])
        raise SceneError(f"{where}: vertices[{row}]: expected finite coordinates, got {vertices[row].tolist()}")
    return vertices


def _check_range(name: str, indices: np.ndarray, n_vertices: int) -> None:
    if indices.size and (indices.min() < 0 or indices.max() >= n_vertices):
        bad = np.argwhere((indices < 0) | (indices >= n_vertices))[0]
        raise SceneError(
            f"{name}[{bad[0]}]: expected vertex indices in 0..{n_vertices - 1}, got {indices[tuple(bad)]}"
        )


def _fan_polygon(triangles: np.ndarray) -> list[int] | None:
    """The boundary of a group of CCW triangles, started where a fan reproduces them; else None."""
    following: dict[int, int] = {}
    counts: dict[tuple[int, int], int] = {}
    for a, b, c in triangles.tolist():
        for u, v in ((a, b), (b, c), (c, a)):
            counts[(u, v)] = counts.get((u, v), 0) + 1
    for (u, v), n in counts.items():
        if n > 1:
            return None
        if (v, u) not in counts:  # a side of only one triangle: on the boundary
            if u in following:
                return None  # the boundary touches itself
            following[u] = v
    if len(following) != len(triangles) + 2:
        return None
    start = next(iter(following))
    cycle = [start]
    while len(cycle) <= len(following):
        nxt = following.get(cycle[-1])
        if nxt is None:
            return None
        if nxt == start:
            break
        cycle.append(nxt)
    if len(cycle) != len(following):
        return None
    wanted = {_rotated(t) for t in triangles.tolist()}
    for shift in range(len(cycle)):
        candidate = cycle[shift:] + cycle[:shift]
        fan = {_rotated((candidate[0], candidate[i], candidate[i + 1])) for i in range(1, len(candidate) - 1)}
        if fan == wanted:
            return candidate
    return None


def _rotated(triangle) -> tuple[int, int, int]:
    """A triangle's indices rotated so the smallest comes first (the same triangle, same winding)."""
    a, b, c = (int(i) for i in triangle)
    if a <= b and a <= c:
        return a, b, c
    if b <= a and b <= c:
        return b, c, a
    return c, a, b


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
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise SceneError(f"{name}: expected an integer in {lo}..{hi}, got {value!r}")
    if not lo <= value <= hi:
        raise SceneError(f"{name}: expected an integer in {lo}..{hi}, got {value}")
    return int(value)


def _positive_param(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise SceneError(f"{name}: expected a number > 0, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise SceneError(f"{name}: expected a finite number > 0, got {value}")
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
    unique, inverse = _unique_inverse(keys)
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
    for _ in range(level):
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
    n_lon : int, >= 3
    n_lat : int, >= 2
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
    n_major, n_minor : int, >= 3
        Segments around the ring and around the tube.
    """
    R, r = _positive_param("R", R), _positive_param("r", r)
    if r >= R:
        raise SceneError(f"r: expected a tube radius smaller than R = {R}, got {r}")
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
    n_sides : int, >= 3
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
    n_sides : int, >= 3
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
    n : int, 1 .. 1024
        Squares along each edge of the cube.

    Examples
    --------
    >>> mesh = subdivided_cube(4)
    >>> mesh.n_vertices, mesh.n_triangles, mesh.euler_characteristic()
    (98, 192, 2)
    """
    n = _int_param("n", n, 1, 1024)
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
    unique, inverse = _unique_inverse(keys.ravel())  # points on the cube's edges are shared by faces
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
        raise SceneError(f"shape: unknown shape {name!r}; expected one of: {', '.join(BUILTINS)}") from None


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
        expected = ", ".join(valid) if valid else "no parameters"
        raise SceneError(f"params: unknown parameter {unknown[0]!r} for {name!r}; expected {expected}")
    return builder(**params)
