"""A triangle mesh: vertices in object space, counter-clockwise triangles, and the polygon edges of its faces.

A :class:`Mesh` is what the GPU draws: a table of vertices (points in *object space*), a table of
triangles (three vertex indices each, counter-clockwise when seen from outside, so the right-hand
rule gives the outward normal), and the polygon edges of the faces it was built from, so that a
wireframe of a cube shows squares and not their diagonals. The shapes that come with affine3d are in
:mod:`affine3d.geometry.solids`; OBJ and OFF files in :mod:`affine3d.geometry.mesh_files`.

Numpy only: no OpenGL here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..affine import Affine
from ..errors import SceneError
from ..i18n import _

__all__ = ["Mesh", "unique_edges", "unique_inverse"]

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
    normals : array-like, shape (N, 3), optional
        Normals that came with the mesh (OBJ ``vn``), object space; stored as read-only float64.
        Used by smooth shading (:mod:`affine3d.geometry.normals`); a zero row means "compute it".
    normal_indices : array-like, shape (T, 3), optional
        For each corner of each triangle, its row of ``normals`` (OBJ ``f v//vn``). Without
        ``normals`` these are *smoothing groups*: corners with the same index share one computed
        normal (a mesh moved by :meth:`with_vertices` keeps them, its old normals no longer fit).

    Raises
    ------
    SceneError
        A wrong shape, a non-finite coordinate, or an index outside ``0 .. V-1`` (or ``0 .. N-1``).

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
    normals: np.ndarray | None = None
    normal_indices: np.ndarray | None = None

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
        normals, normal_indices = _normals(where, self.normals, self.normal_indices, len(triangles))
        for array in (vertices, triangles, edges, normals, normal_indices):
            if array is not None:
                array.setflags(write=False)
        object.__setattr__(self, "vertices", vertices)
        object.__setattr__(self, "triangles", triangles)
        object.__setattr__(self, "edges", edges)
        object.__setattr__(self, "normals", normals)
        object.__setattr__(self, "normal_indices", normal_indices)

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
        normals = f", {len(self.normals)} normals" if self.normals is not None else ""
        return f"Mesh({self.name!r}: {self.n_vertices} vertices, {self.n_triangles} triangles, {self.n_edges} edges{normals})"

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
        """Unit normals per vertex: the angle-weighted mean of the adjacent face normals, (V, 3) float64.

        Every face around a vertex counts with its angle there (:mod:`affine3d.geometry.normals`), and no
        edge is treated as sharp: for shading, :meth:`corner_normals` keeps creases. A vertex in no
        triangle gets the zero vector.
        """
        from .normals import group_normals

        return group_normals(self.vertices, self.triangles, self.triangles, self.n_vertices)

    def corner_normals(self, crease_deg: float | None = None) -> np.ndarray:
        """The normal smooth shading gives each corner of each triangle: (T, 3, 3) float64, object space.

        The file's normals where the mesh has them; otherwise angle-weighted vertex normals that keep
        edges sharper than ``crease_deg`` (default :data:`affine3d.geometry.normals.CREASE_DEG`) sharp.

        Examples
        --------
        >>> from affine3d.geometry.solids import cube
        >>> bool(np.allclose(cube().corner_normals(), cube().face_normals()[:, None]))   # creases kept
        True
        """
        from .normals import CREASE_DEG, smooth_layout

        layout = smooth_layout(self, CREASE_DEG if crease_deg is None else crease_deg)
        return layout.normals[layout.triangles]

    def signed_volume(self) -> float:
        """The enclosed volume, positive when the triangles wind counter-clockwise seen from outside.

        Sum over triangles of ``a . (b x c) / 6`` (the divergence theorem); exact for a closed mesh.

        Examples
        --------
        >>> from affine3d.geometry.solids import cube
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
        :class:`affine3d.render.MorphingScene`) does not re-check and re-sort its indices each time.

        Examples
        --------
        >>> from affine3d.geometry.solids import cube
        >>> m = cube()
        >>> moved = m.with_vertices(2 * m.vertices)
        >>> moved.triangles is m.triangles, round(moved.signed_volume() / m.signed_volume(), 12)
        (True, 8.0)
        """
        where = f"mesh {self.name!r}" if self.name else "mesh"
        vertices = _vertices(where, vertices)
        if vertices.shape != self.vertices.shape:
            raise SceneError(_("{where}: vertices: expected shape {shape}, got {shape2}").format(
                where=where, shape=self.vertices.shape, shape2=vertices.shape))
        vertices.setflags(write=False)
        mesh = object.__new__(Mesh)
        # The normals described the old shape; their indices stay as smoothing groups.
        for name, value in (("vertices", vertices), ("triangles", self.triangles), ("edges", self.edges), ("name", self.name),
                            ("normals", None), ("normal_indices", self.normal_indices)):
            object.__setattr__(mesh, name, value)
        return mesh

    def with_normals(self, normals, normal_indices) -> "Mesh":
        """The same mesh with other normals: ``normals`` (N, 3) or None, ``normal_indices`` (T, 3) or None.

        ``with_normals(None, None)`` drops them (smooth shading then computes normals with creases);
        ``with_normals(None, groups)`` keeps only smoothing groups.
        """
        return Mesh(self.vertices, self.triangles, self.edges, self.name, normals, normal_indices)

    def transformed(self, F: Affine) -> "Mesh":
        """A new mesh with every vertex moved by ``F`` (object space -> F's space).

        A map with a negative determinant (a mirror) turns counter-clockwise into clockwise, so the
        triangles are rewound to keep the outside outside.
        """
        if not isinstance(F, Affine) or F.dim_in != 3 or F.dim_out != 3:
            raise SceneError(_("F: expected a 3D Affine, got {F}").format(F=repr(F)))
        mirror = [0, 2, 1] if F.determinant < 0 else [0, 1, 2]
        normals = self.normals
        if normals is not None:
            # Normals go through the normal matrix (A^-1)^T, then back to unit length.
            normals = normals @ F.normal_matrix().T
            length = np.linalg.norm(normals, axis=1, keepdims=True)
            normals = np.divide(normals, length, out=np.zeros_like(normals), where=length > 0)
        indices = None if self.normal_indices is None else self.normal_indices[:, mirror]
        return Mesh(F(self.vertices), self.triangles[:, mirror], self.edges, self.name, normals, indices)

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
        >>> from affine3d.geometry.solids import cube, dodecahedron
        >>> len(cube().polygons()), len(dodecahedron().polygons()[0])
        (6, 5)
        """
        return [polygon for polygon, _triangles in self.polygon_triangles()]

    def polygon_triangles(self) -> list[tuple[list[int], list[int]]]:
        """:meth:`polygons`, each with the indices of the triangles it was cut into: ``[(polygon, triangles), ...]``."""
        groups = self._polygon_groups()
        if groups is None:  # every triangle is a face of its own
            return [(triangle, [t]) for t, triangle in enumerate(self.triangles.tolist())]
        out: list[tuple[list[int], list[int]]] = []
        for group in groups:
            if len(group) == 1:
                out.append((self.triangles[group[0]].tolist(), group))
                continue
            polygon = _fan_polygon(self.triangles[group])
            if polygon is None:
                out.extend((self.triangles[t].tolist(), [t]) for t in group)
            else:
                out.append((polygon, group))
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
                raise SceneError(_("polygons[{k}]: expected at least 3 vertex indices, got {count}").format(
                    k=k, count=len(polygon)))
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
    triangles = np.asarray(triangles, dtype=np.int64).reshape(-1, 3)
    T, V = len(triangles), max(int(n_vertices), 1)
    keys = np.empty(3 * T, dtype=np.int64)  # side k of every triangle, keyed lo * V + hi, built in place
    for k in range(3):
        a, b, part = triangles[:, k], triangles[:, (k + 1) % 3], keys[k * T : (k + 1) * T]
        np.minimum(a, b, out=part)
        part *= V
        part += np.maximum(a, b)
    return _edges_from_keys(keys, V)


def _edges_from_keys(keys: np.ndarray, V: int) -> np.ndarray:
    """Edge keys ``lo * V + hi`` (an array this function may sort in place) -> unique sorted (E, 2) pairs, loops dropped."""
    keys.sort()
    if len(keys):
        keep = np.empty(len(keys), dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
    edges = np.empty((len(keys), 2), dtype=np.int64)
    np.floor_divide(keys, V, out=edges[:, 0])
    np.remainder(keys, V, out=edges[:, 1])
    loops = edges[:, 0] == edges[:, 1]
    return edges[~loops] if loops.any() else edges


def _unique(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1D integer array (sort + mask: numpy 2.3's hash-based
    ``np.unique`` is many times slower on millions of keys)."""
    keys = np.sort(keys, axis=None)
    return keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys


def unique_inverse(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(unique, inverse)`` with ``unique[inverse] == keys``, for a flat integer array."""
    order = np.argsort(keys, axis=None)
    ordered = keys.ravel()[order]
    first = np.concatenate([[True], ordered[1:] != ordered[:-1]])
    inverse = np.empty(len(ordered), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _canonical_edges(edges: np.ndarray, n_vertices: int) -> np.ndarray:
    """``edges`` as unique sorted pairs ``(i, j)`` with ``i < j``, dropping loops ``(i, i)``."""
    V = max(int(n_vertices), 1)
    first, second = edges[:, 0], edges[:, 1]
    keys = np.minimum(first, second)
    keys *= V
    keys += np.maximum(first, second)
    if len(keys) and np.all(first < second) and np.all(keys[1:] > keys[:-1]):
        return np.ascontiguousarray(edges, dtype=np.int64)  # already canonical: skip the sort
    return _edges_from_keys(keys, V)


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
        raise SceneError(_("{name}: expected an array of numbers, got {type} ({exc})").format(
            name=name, type=type(value).__name__, exc=exc)) from None
    if array.size == 0:
        array = array.reshape(0, columns)
    if array.ndim != 2 or array.shape[1] != columns:
        raise SceneError(_("{name}: expected shape (N, {columns}), got {shape}").format(
            name=name, columns=columns, shape=array.shape))
    return array


def _vertices(where: str, value) -> np.ndarray:
    """``value`` as a (V, 3) float64 array of finite coordinates, else a SceneError naming ``where``."""
    vertices = _array(f"{where}: vertices", value, np.float64, 3)
    if not np.all(np.isfinite(vertices)):
        row = int(np.argwhere(~np.isfinite(vertices))[0, 0])
        raise SceneError(_("{where}: vertices[{row}]: expected finite coordinates, got {value}").format(
            where=where, row=row, value=vertices[row].tolist()))
    return vertices


def _normals(where: str, normals, normal_indices, n_triangles: int) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Checked copies of the optional normals (N, 3) and their corner indices (T, 3)."""
    if normals is not None:
        normals = _array(f"{where}: normals", normals, np.float64, 3)
        if not np.all(np.isfinite(normals)):
            row = int(np.argwhere(~np.isfinite(normals))[0, 0])
            raise SceneError(_("{where}: normals[{row}]: expected finite numbers, got {value}").format(
                where=where, row=row, value=normals[row].tolist()))
        if normal_indices is None:
            raise SceneError(_("{where}: normals given without normal_indices; expected both").format(where=where))
    if normal_indices is None:
        return normals, None
    normal_indices = _array(f"{where}: normal_indices", normal_indices, np.int64, 3)
    if len(normal_indices) != n_triangles:
        raise SceneError(_("{where}: normal_indices: expected one row per triangle ({n_triangles}), got {count}").format(
            where=where, n_triangles=n_triangles, count=len(normal_indices)))
    limit = len(normals) if normals is not None else max(3 * n_triangles, 1)
    if normal_indices.size and (normal_indices.min() < 0 or normal_indices.max() >= limit):
        bad = np.argwhere((normal_indices < 0) | (normal_indices >= limit))[0]
        raise SceneError(_("{where}: normal_indices[{bad}]: expected indices in 0..{value}, got {normal_indices}").format(
            where=where, bad=bad[0], value=limit - 1, normal_indices=normal_indices[tuple(bad)]))
    return normals, normal_indices


def _check_range(name: str, indices: np.ndarray, n_vertices: int) -> None:
    if indices.size and (indices.min() < 0 or indices.max() >= n_vertices):
        bad = np.argwhere((indices < 0) | (indices >= n_vertices))[0]
        raise SceneError(
            _("{name}[{bad}]: expected vertex indices in 0..{value}, got {indices}").format(
                name=name, bad=bad[0], value=n_vertices - 1, indices=indices[tuple(bad)])
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
