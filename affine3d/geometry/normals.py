"""Normals for smooth shading: angle-weighted vertex normals that keep sharp edges sharp.

Flat shading gives each triangle its own normal, so every facet shows. Smooth shading gives each
*corner* of a triangle a normal and lets the GPU interpolate it across the triangle, so a sphere made
of facets looks round. Which normal a corner gets:

1. the file's own (OBJ ``vn``, referenced as ``f v//vn``): a modelling program knows its surface best;
2. otherwise the **angle-weighted** mean of the face normals around the vertex (each face counts with
   the angle it has at that vertex; Thürmer & Wüthrich 1998): unlike the plain or the area-weighted
   mean, it does not change when a face is cut into more triangles;
3. but only over the faces that meet the corner's face across edges smoother than a **crease angle**
   (``CREASE_DEG``): where two faces' normals differ by more, the edge is a crease, and each side keeps
   its own normal. A cube keeps its six face normals; a machined part keeps its edges; a sphere is round.

Corners that share a normal form a *smoothing group* (the OBJ ``vn`` index plays this part in a file).
The GPU needs one vertex per (position, normal) pair, so a mesh is drawn from a vertex layout that may
differ from its topology: a vertex on a crease is split into one copy per side (:class:`SmoothLayout`).
The :class:`~affine3d.geometry.mesh.Mesh` itself is never changed.

Numpy only: no OpenGL here.

Examples
--------
>>> from affine3d.geometry.solids import cube
>>> layout = smooth_layout(cube())
>>> layout.n_vertices               # 8 corners x 3 faces: every vertex split across its creases
24
>>> corner = layout.normals[layout.triangles]          # (T, 3, 3): the normal at each corner
>>> bool(np.allclose(corner, cube().face_normals()[:, None, :]))   # each face keeps its own
True
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

import numpy as np

__all__ = ["CREASE_DEG", "corner_angles", "crease_groups", "group_normals", "SmoothLayout", "smooth_layout",
           "smoothing_groups"]

CREASE_DEG = 30.0
"""Faces whose normals differ by more than this (degrees) meet at a sharp edge: their corners keep separate normals.

30 degrees, like Blender's auto smooth: the facets of a cube (90), an icosahedron (41.8) or a chamfer
(45) stay sharp; a sphere or a teapot body cut into 10-degree facets comes out round."""


# ---------------------------------------------------------------------------------------- per triangle
def _unit(v: np.ndarray) -> np.ndarray:
    length = np.sqrt(np.einsum("...i,...i->...", v, v))[..., None]
    return np.divide(v, length, out=np.zeros_like(v), where=length > 0)


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Row-wise cross products of two (N, 3) arrays (``np.cross`` is several times slower on big ones)."""
    out = np.empty(u.shape)
    out[:, 0] = u[:, 1] * v[:, 2] - u[:, 2] * v[:, 1]
    out[:, 1] = u[:, 2] * v[:, 0] - u[:, 0] * v[:, 2]
    out[:, 2] = u[:, 0] * v[:, 1] - u[:, 1] * v[:, 0]
    return out


def _triangle_terms(vertices: np.ndarray, triangles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(unit normals (T, 3), corner angles (T, 3))``, sharing one cross product per triangle.

    At every corner the two sides leaving it span twice the triangle's area, ``|u x v| = 2 A``, so
    the angle there is ``atan2(2 A, u . v)``: accurate for thin triangles, where ``acos`` of a rounded
    cosine is not. A degenerate triangle gets the zero normal and zero angles.
    """
    p0, p1, p2 = (vertices[triangles[:, k]] for k in range(3))
    e0, e1, e2 = p1 - p0, p2 - p1, p0 - p2  # the sides, each from corner k to corner k + 1
    n = _cross(e0, -e2)
    twice_area = np.sqrt(np.einsum("ij,ij->i", n, n))
    normals = np.divide(n, twice_area[:, None], out=np.zeros_like(n), where=twice_area[:, None] > 0)
    dots = np.column_stack([-np.einsum("ij,ij->i", e0, e2), -np.einsum("ij,ij->i", e1, e0),
                            -np.einsum("ij,ij->i", e2, e1)])
    angles = np.arctan2(twice_area[:, None], dots)
    angles[twice_area == 0] = 0.0
    return normals, angles


def corner_angles(vertices: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """The angle of each triangle at each of its corners, radians: shape (T, 3), float64.

    Examples
    --------
    >>> right = corner_angles(np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0.0]]), np.array([[0, 1, 2]]))
    >>> np.degrees(right).round(6).tolist()
    [[90.0, 45.0, 45.0]]
    """
    return _triangle_terms(np.asarray(vertices, dtype=np.float64), np.asarray(triangles, dtype=np.int64))[1]


# ---------------------------------------------------------------------------------------- smoothing groups
def crease_groups(vertices: np.ndarray, triangles: np.ndarray, crease_deg: float = CREASE_DEG) -> tuple[np.ndarray, int]:
    """Smoothing groups: corners of one vertex joined across edges smoother than ``crease_deg``.

    Two triangles that share an edge (each side used once: a manifold edge) are joined at both ends
    when their normals differ by at most ``crease_deg`` degrees; the groups are the connected sets of
    corners so joined. A corner on a crease, a boundary or a non-manifold edge is joined to nothing
    across it. A degenerate (zero-area) triangle is joined to its neighbours: it has no normal of its
    own, and should not cut a smooth fan in two. Every group lies at one vertex.

    Parameters
    ----------
    vertices : ndarray, shape (V, 3)
    triangles : ndarray, shape (T, 3), int
    crease_deg : float

    Returns
    -------
    groups : ndarray, shape (T, 3), int64
        The group of each corner, numbered from 0.
    n_groups : int

    Examples
    --------
    Two squares folded by 90 degrees along their common edge, then by 10 degrees:

    >>> strip = np.array([[0, 1, 2], [0, 2, 3], [1, 4, 5], [1, 5, 2]])
    >>> folded = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0], [1, 0, -1], [1, 1, -1.0]])
    >>> crease_groups(folded, strip)[1]    # the shared edge's two vertices split: 6 + 2 groups
    8
    >>> gentle = folded.copy(); gentle[4:, 0] = 1 + math.cos(math.radians(10)); gentle[4:, 2] = -math.sin(math.radians(10))
    >>> crease_groups(gentle, strip)[1]    # one smooth strip: a group per vertex
    6
    """
    vertices = np.asarray(vertices, dtype=np.float64)
    triangles = np.asarray(triangles, dtype=np.int64)
    return _crease_groups(triangles, _triangle_terms(vertices, triangles)[0], crease_deg)


def _crease_groups(triangles: np.ndarray, normals: np.ndarray, crease_deg: float) -> tuple[np.ndarray, int]:
    T = len(triangles)
    if T == 0:
        return np.zeros((0, 3), dtype=np.int64), 0
    V = int(triangles.max()) + 1
    corner_vertex = triangles.ravel()
    # Half-edge h = 3 t + k runs from corner h (vertex triangles[t, k]) to corner next(h) (k + 1).
    following = np.arange(3 * T, dtype=np.int64).reshape(T, 3)[:, [1, 2, 0]].ravel()
    start, end = corner_vertex, corner_vertex[following]
    keys = np.minimum(start, end) * V + np.maximum(start, end)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    same = sorted_keys[1:] == sorted_keys[:-1]
    # An edge with exactly two sides: equal to the next key, not to the one before or after the pair.
    pair = same.copy()
    pair[1:] &= ~same[:-1]
    pair[:-1] &= ~same[1:]
    h1, h2 = order[:-1][pair], order[1:][pair]
    del keys, order, sorted_keys, same, pair
    t1, t2 = h1 // 3, h2 // 3
    dot = np.einsum("ij,ij->i", normals[t1], normals[t2])
    degenerate = ~normals[t1].any(axis=1) | ~normals[t2].any(axis=1)
    smooth = (dot >= math.cos(math.radians(float(crease_deg)))) | degenerate
    h1, h2 = h1[smooth], h2[smooth]
    # Join corner to corner: the two sides usually run in opposite directions (a -> b and b -> a).
    opposite = start[h1] != start[h2]
    a1, b1 = h1, following[h1]
    a2 = np.where(opposite, following[h2], h2)
    b2 = np.where(opposite, h2, following[h2])
    left, right = np.concatenate([a1, b1]), np.concatenate([a2, b2])
    # A vertex whose every side is joined smoothly is one group (its fan goes round unbroken).
    # Only the corners of vertices with a crease, a boundary or a non-manifold edge are sorted out.
    joins = np.bincount(corner_vertex[left], minlength=V)
    corners = np.bincount(corner_vertex, minlength=V)
    broken = joins != corners
    key = corner_vertex.copy()  # a group's key: its vertex, or V + its smallest corner where broken
    split = broken[corner_vertex]
    if split.any():
        keep = split[left]
        label = _components(3 * T, left[keep], right[keep])
        key[split] = V + label[split]
    present = np.zeros(V + 3 * T, dtype=bool)
    present[key] = True
    dense = np.cumsum(present) - 1
    groups = dense[key]
    return groups.reshape(T, 3), int(dense[-1]) + 1


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Connected components of the graph on ``0 .. n-1`` with edges ``(i, j)``: each node's smallest member.

    Hook and compress, all in numpy: every edge pulls the larger root under the smaller, then each
    node jumps to its root; a few rounds suffice (each at least halves the longest chain).
    """
    label = np.arange(n, dtype=np.int64)
    while len(i):
        li, lj = label[i], label[j]
        differ = li != lj
        if not differ.any():
            break
        i, j, li, lj = i[differ], j[differ], li[differ], lj[differ]
        np.minimum.at(label, np.maximum(li, lj), np.minimum(li, lj))
        while True:  # compress: every node to its root
            up = label[label]
            if np.array_equal(up, label):
                break
            label = up
    return label


def group_normals(vertices: np.ndarray, triangles: np.ndarray, groups: np.ndarray, n_groups: int,
                  terms: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """One unit normal per smoothing group: the angle-weighted mean of its corners' face normals, (G, 3).

    ``terms``: the triangles' ``(normals, angles)`` if already computed. A group whose corners all
    lie on degenerate triangles gets the zero vector.
    """
    normals, angles = _triangle_terms(vertices, triangles) if terms is None else terms
    flat_groups = np.asarray(groups).ravel()
    total = np.column_stack([np.bincount(flat_groups, weights=(angles * normals[:, k:k + 1]).ravel(), minlength=n_groups)
                             for k in range(3)])
    return _unit(total)


def smoothing_groups(mesh, crease_deg: float = CREASE_DEG) -> tuple[np.ndarray, int]:
    """``(groups (T, 3), n_groups)``: the mesh's own (``mesh.normal_indices``) or, without them, :func:`crease_groups`."""
    if mesh.normal_indices is not None:
        groups = mesh.normal_indices
        return groups, (int(groups.max()) + 1 if groups.size else 0)
    return crease_groups(mesh.vertices, mesh.triangles, crease_deg)


# ---------------------------------------------------------------------------------------- what the GPU draws
@dataclass(frozen=True, eq=False)
class SmoothLayout:
    """The vertices a smooth mesh is drawn with: one per (position, smoothing group) pair.

    Attributes
    ----------
    source : ndarray, shape (R,), int64
        The mesh vertex each layout vertex is a copy of (``mesh.vertices[source]`` are its positions).
    group : ndarray, shape (R,), int64
        Its smoothing group.
    triangles : ndarray, shape (T, 3), int64
        The mesh's triangles, in the same order, indexing layout vertices.
    normals : ndarray, shape (R, 3), float64
        Unit normals, object space: the file's, or the angle-weighted ones of each group.
    groups : ndarray, shape (T, 3), int64
        The smoothing group of each corner (keeps the layout when the vertices move: :meth:`normals_for`).
    """

    source: np.ndarray
    group: np.ndarray
    triangles: np.ndarray
    normals: np.ndarray
    groups: np.ndarray

    @property
    def n_vertices(self) -> int:
        """R, the vertices drawn (at least the mesh's used vertices; more where creases split them)."""
        return len(self.source)

    def positions(self, vertices: np.ndarray) -> np.ndarray:
        """(R, 3): the layout's vertices for mesh vertices ``vertices`` (the mesh's, or moved ones)."""
        return vertices[self.source]

    def normals_for(self, vertices: np.ndarray) -> np.ndarray:
        """(R, 3) unit normals for the same triangles with the vertices moved to ``vertices`` (V, 3).

        The smoothing groups stay as they were (a mesh warped frame by frame does not change which edges
        are creases); each group's normal is recomputed, angle-weighted, from the moved triangles.
        """
        mesh_triangles = self.source[self.triangles]
        n_groups = int(self.groups.max()) + 1 if self.groups.size else 0
        return group_normals(vertices, mesh_triangles, self.groups, n_groups)[self.group]


_LAYOUTS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def smooth_layout(mesh, crease_deg: float = CREASE_DEG) -> SmoothLayout:
    """The smooth-shading layout of ``mesh``: normals per corner, vertices split where those differ.

    Each corner's normal is the file's (``mesh.normals[mesh.normal_indices]``) where the mesh has them,
    else the angle-weighted normal of its smoothing group (``mesh.normal_indices`` without normals, else
    :func:`crease_groups`). The result is kept for as long as the mesh lives (a mesh never changes),
    so the GPU renderer, the CPU rasterizer and every redraw share one computation.

    Parameters
    ----------
    mesh : Mesh
    crease_deg : float
        Used only for a mesh without smoothing groups of its own.
    """
    key = float(crease_deg)
    cached = _LAYOUTS.get(mesh)
    if cached is not None and key in cached:
        return cached[key]
    triangles = mesh.triangles
    terms = _triangle_terms(mesh.vertices, triangles)
    if mesh.normal_indices is None:
        # Computed groups each lie at one vertex: the groups are the layout's vertices.
        groups, n_groups = _crease_groups(triangles, terms[0], crease_deg)
        source = np.zeros(n_groups, dtype=np.int64)
        source[groups.ravel()] = triangles.ravel()
        layout = SmoothLayout(source=source, group=np.arange(n_groups), triangles=groups,
                              normals=group_normals(mesh.vertices, triangles, groups, n_groups, terms), groups=groups)
    else:
        groups = mesh.normal_indices
        n_groups = int(groups.max()) + 1 if groups.size else 0
        if mesh.normals is not None:
            n_groups = max(n_groups, len(mesh.normals))
        normals = group_normals(mesh.vertices, triangles, groups, n_groups, terms)
        if mesh.normals is not None:  # the file's, except a zero one (then the computed one)
            given = np.asarray(mesh.normals, dtype=np.float64)
            normals = np.where(np.any(given != 0, axis=1, keepdims=True), _unit(given), normals)
        # A group may span several vertices (a file's vn shared by a face's corners): one layout vertex
        # per distinct (vertex, group) pair, in order.
        pair = triangles.ravel() * max(n_groups, 1) + np.asarray(groups).ravel()
        order = np.argsort(pair, kind="stable")
        sorted_pair = pair[order]
        first = np.ones(len(pair), dtype=bool)
        first[1:] = sorted_pair[1:] != sorted_pair[:-1]
        unique = sorted_pair[first]
        index = np.empty(len(pair), dtype=np.int64)
        index[order] = np.cumsum(first) - 1
        source, group = unique // max(n_groups, 1), unique % max(n_groups, 1)
        layout = SmoothLayout(source=source, group=group, triangles=index.reshape(-1, 3), normals=normals[group],
                              groups=np.asarray(groups, dtype=np.int64))
    for array in (layout.source, layout.group, layout.triangles, layout.normals, layout.groups):
        array.setflags(write=False)
    _LAYOUTS.setdefault(mesh, {})[key] = layout
    return layout
