"""Stand-ins for the classic test models, written as OBJ and OFF files the way real programs write them.

The Stanford bunny, the Utah teapot and the fandisk cannot be downloaded here (and their licences
vary), so the mesh benchmark and the tests use synthetic models with the same traits:

- :func:`teapot_like`: a modelling program's export. A body of revolution, a spout (a tapering,
  bending tube), a handle (part of a torus) and a knob, in groups with materials; quads and
  triangle fans; every corner ``v/vt/vn`` with the surface's exact normals; the knob's faces use
  negative (relative) indices, as some exporters write them.
- :func:`bunny_like`: a scanner's mesh. A lumpy closed surface, triangles only, ``v`` and ``f a b c``
  lines and nothing else: normals must be computed.
- :func:`fandisk_like`: a machined part. A profile with flat sides, a chamfer, a rounding fillet and a
  half-round top, extruded: one connected mesh in which flat faces meet at sharp edges (90 and 45
  degrees) that smooth shading must keep, and curved parts it must round. No normals in the file.

Each returns a :class:`SampleModel`: the arrays, and :meth:`SampleModel.obj_text` /
:meth:`SampleModel.off_text` to write them. Only numpy: the files are generated in bulk, a million
faces in a few seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["SampleModel", "teapot_like", "bunny_like", "fandisk_like", "SAMPLES"]


@dataclass
class SampleModel:
    """A polygon model as a file would hold it.

    Attributes
    ----------
    name : str
    positions : ndarray, shape (V, 3)
        Object space.
    faces : list of ndarray
        Blocks of polygons, each ``(F_k, n_k)`` int64 vertex indices from 0, counter-clockwise from
        outside; blocks may differ in ``n_k`` (triangles, quads).
    groups : list of (name, first block, last block + 1)
        Which blocks form which ``g`` group.
    normals : ndarray, shape (V, 3), or None
        Unit normals, one per vertex (written as ``vn``, referenced ``v/vt/vn``).
    uvs : ndarray, shape (V, 2), or None
        Texture coordinates (``vt``).
    relative_groups : set of str
        Groups whose faces are written with negative (relative) indices.
    """

    name: str
    positions: np.ndarray
    faces: list
    groups: list = field(default_factory=list)
    normals: np.ndarray | None = None
    uvs: np.ndarray | None = None
    relative_groups: set = field(default_factory=set)

    @property
    def n_triangles(self) -> int:
        """Triangles after fanning every polygon."""
        return int(sum(len(block) * (block.shape[1] - 2) for block in self.faces))

    @property
    def n_faces(self) -> int:
        """Polygons, as the file counts them."""
        return int(sum(len(block) for block in self.faces))

    def triangles(self) -> np.ndarray:
        """(T, 3): every polygon fanned from its first corner, the way affine3d reads it."""
        parts = []  # polygon by polygon, each fanned in order, as a reader does
        for block in self.faces:
            n = block.shape[1]
            fan = np.stack([np.stack([block[:, 0], block[:, i], block[:, i + 1]], axis=1) for i in range(1, n - 1)], axis=1)
            parts.append(fan.reshape(-1, 3))
        return np.concatenate(parts) if parts else np.zeros((0, 3), np.int64)

    # ------------------------------------------------------------------ files
    def obj_text(self, *, digits: int = 6) -> str:
        """The model as an OBJ file: a header comment, ``mtllib``, ``o``, ``v``/``vt``/``vn``, then per group
        ``g``, ``usemtl``, ``s`` and ``f`` lines."""
        out = [f"# {self.name}: {len(self.positions)} vertices, {self.n_faces} faces",
               "# written by affine3d.bench.mesh_samples (a synthetic stand-in for a classic test model)",
               f"mtllib {self.name}.mtl", f"o {self.name}"]
        out.append(_rows("v", self.positions, digits))
        if self.uvs is not None:
            out.append(_rows("vt", self.uvs, digits))
        if self.normals is not None:
            out.append(_rows("vn", self.normals, 4))
        groups = self.groups or [(self.name, 0, len(self.faces))]
        n_vertices = len(self.positions)
        for k, (group, lo, hi) in enumerate(groups):
            out.append(f"g {group}\nusemtl material_{k}\ns {1 if self.normals is not None else 'off'}")
            for block in self.faces[lo:hi]:
                relative = group in self.relative_groups
                out.append(_face_rows(block, n_vertices, relative, self.uvs is not None, self.normals is not None))
        return "\n".join(part for part in out if part) + "\n"

    def off_text(self, *, digits: int = 6) -> str:
        """The model as an OFF file: header, counts, vertices, ``n i1 .. in`` faces."""
        out = ["OFF", f"# {self.name}", f"{len(self.positions)} {self.n_faces} 0",
               _rows("", self.positions, digits)]
        for block in self.faces:
            n = block.shape[1]
            out.append(((f"{n}" + " %d" * n + "\n") * len(block) % tuple(block.ravel())).rstrip("\n"))
        return "\n".join(out) + "\n"


def _rows(keyword: str, array: np.ndarray, digits: int) -> str:
    array = np.asarray(array, dtype=np.float64)
    if len(array) == 0:
        return ""
    head = f"{keyword} " if keyword else ""
    line = head + " ".join([f"%.{digits}f"] * array.shape[1]) + "\n"
    return ((line * len(array)) % tuple(array.ravel())).rstrip("\n")


def _face_rows(block: np.ndarray, n_vertices: int, relative: bool, uv: bool, normal: bool) -> str:
    """``f`` lines: 1-based indices (or negative, counted back from the vertices read so far)."""
    index = block - n_vertices if relative else block + 1
    per_corner = "%d"
    if uv and normal:
        per_corner, repeat = "%d/%d/%d", 3
    elif normal:
        per_corner, repeat = "%d//%d", 2
    elif uv:
        per_corner, repeat = "%d/%d", 2
    else:
        repeat = 1
    n = block.shape[1]
    line = "f " + " ".join([per_corner] * n) + "\n"
    values = np.repeat(index[:, :, None], repeat, axis=2)
    return ((line * len(block)) % tuple(values.ravel())).rstrip("\n")


# ---------------------------------------------------------------------------------------- building blocks
def _grid(rows: int, cols: int, closed: bool, first: int) -> np.ndarray:
    """Quads of a (rows, cols) vertex grid numbered from ``first``, row-major; ``closed``: the columns wrap."""
    index = first + np.arange(rows * cols).reshape(rows, cols)
    if closed:
        index = np.concatenate([index, index[:, :1]], axis=1)
    return np.stack([index[:-1, :-1], index[1:, :-1], index[1:, 1:], index[:-1, 1:]], axis=-1).reshape(-1, 4)


def _revolve(profile_r, profile_y, d_r, d_y, n_around: int):
    """A surface of revolution about y: positions, unit normals, uvs for the profile (r, y) and its derivative.

    The profile runs from bottom to top; the normal is the profile's tangent turned outward, swept around.
    """
    angle = 2 * np.pi * np.arange(n_around) / n_around
    s, c = np.sin(angle), np.cos(angle)
    positions = np.stack([profile_r[:, None] * s, np.broadcast_to(profile_y[:, None], (len(profile_r), n_around)),
                          profile_r[:, None] * c], axis=-1).reshape(-1, 3)
    length = np.hypot(d_r, d_y)
    n_r, n_y = d_y / length, -d_r / length  # the tangent (d_r, d_y) turned clockwise: outward for a profile going up
    normals = np.stack([n_r[:, None] * s, np.broadcast_to(n_y[:, None], (len(n_r), n_around)), n_r[:, None] * c],
                       axis=-1).reshape(-1, 3)
    u = np.broadcast_to(np.arange(n_around) / n_around, (len(profile_r), n_around))
    v = np.broadcast_to(np.linspace(0, 1, len(profile_r))[:, None], (len(profile_r), n_around))
    return positions, normals, np.stack([u, v], axis=-1).reshape(-1, 2)


def _tube(centre, tangent, radius, n_around: int):
    """A tube around a centre line (N, 3) with tangents (N, 3) and radii (N,): positions, normals, uvs."""
    tangent = tangent / np.linalg.norm(tangent, axis=1, keepdims=True)
    helper = np.where(np.abs(tangent[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    side = np.cross(tangent, helper)
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    up = np.cross(side, tangent)
    angle = 2 * np.pi * np.arange(n_around) / n_around
    # Around the tube counter-clockwise seen along the tangent, so that the quads face outward.
    normals = np.cos(angle)[None, :, None] * side[:, None] + np.sin(angle)[None, :, None] * up[:, None]
    positions = centre[:, None] + radius[:, None, None] * normals
    u = np.broadcast_to(np.arange(n_around) / n_around, (len(centre), n_around))
    v = np.broadcast_to(np.linspace(0, 1, len(centre))[:, None], (len(centre), n_around))
    return positions.reshape(-1, 3), normals.reshape(-1, 3), np.stack([u, v], axis=-1).reshape(-1, 2)


def _fan(centre: int, ring: np.ndarray, reverse: bool) -> np.ndarray:
    """Triangles from vertex ``centre`` to each side of the closed ``ring``."""
    nxt = np.roll(ring, -1)
    tri = np.stack([np.full(len(ring), centre), ring, nxt], axis=1)
    return tri[:, [0, 2, 1]] if reverse else tri


# ---------------------------------------------------------------------------------------- the models
def teapot_like(n_faces: int = 6000) -> SampleModel:
    """A teapot-like model with about ``n_faces`` polygons (quads, triangle fans), ``v/vt/vn`` corners.

    Body, spout, handle and knob are separate surfaces (like the Utah teapot's patches, they meet
    without sharing vertices), each in its own group; the normals written are the surfaces' exact ones.
    """
    k = max(2, int(round(math.sqrt(n_faces / 14.0))))  # body 8k^2, spout 2k*k, handle 2k*k, knob ~2k^2
    positions, normals, uvs, faces, groups = [], [], [], [], []

    def add(p, n, uv, blocks, name):
        first = sum(len(x) for x in positions)
        positions.append(p)
        normals.append(n)
        uvs.append(uv)
        groups.append((name, len(faces), len(faces) + len(blocks)))
        faces.extend(block + first for block in blocks)

    # Body: r(t) = sin t (1 - 0.15 cos t), y(t) = -0.7 cos t, t from 0 (bottom) to pi (top), poles left out.
    n_around, n_profile = 4 * k, 2 * k
    t = np.pi * np.arange(1, n_profile) / n_profile
    r, y = np.sin(t) * (1 - 0.15 * np.cos(t)), -0.7 * np.cos(t)
    d_r = np.cos(t) * (1 - 0.15 * np.cos(t)) + 0.15 * np.sin(t) ** 2
    d_y = 0.7 * np.sin(t)
    p, n, uv = _revolve(r, y, d_r, d_y, n_around)
    rings = len(t)
    p = np.concatenate([p, [[0.0, -0.7, 0.0], [0.0, 0.7, 0.0]]])
    n = np.concatenate([n, [[0.0, -1.0, 0.0], [0.0, 1.0, 0.0]]])
    uv = np.concatenate([uv, [[0.0, 0.0], [0.0, 1.0]]])
    bottom, top = rings * n_around, rings * n_around + 1
    quads = _grid(rings, n_around, True, 0)[:, ::-1]  # rows go up, columns toward +x: reversed faces outward
    add(p, n, uv, [quads, _fan(bottom, np.arange(n_around), True),
                   _fan(top, (rings - 1) * n_around + np.arange(n_around), False)], "body")

    # Spout: a tube bending up and out of the body's side, tapering.
    s = np.linspace(0.0, 1.0, 2 * k)
    centre = np.stack([0.75 + 0.65 * s, -0.15 + 0.75 * s ** 2, np.zeros_like(s)], axis=1)
    tangent = np.stack([np.full_like(s, 0.65), 1.5 * s, np.zeros_like(s)], axis=1)
    p, n, uv = _tube(centre, tangent, 0.2 - 0.1 * s, k)
    add(p, n, uv, [_grid(len(s), k, True, 0)], "spout")

    # Handle: part of a torus in the x-y plane, on the -x side.
    a = np.linspace(-0.6 * np.pi, 0.6 * np.pi, 2 * k)
    centre = np.stack([-0.95 - 0.45 * np.cos(a), 0.05 + 0.45 * np.sin(a), np.zeros_like(a)], axis=1)
    tangent = np.stack([0.45 * np.sin(a), 0.45 * np.cos(a), np.zeros_like(a)], axis=1)
    p, n, uv = _tube(centre, tangent, np.full_like(a, 0.08), k)
    add(p, n, uv, [_grid(len(a), k, True, 0)], "handle")

    # Knob: a small sphere on the lid (written with negative indices).
    m = max(3, k)
    t = np.pi * np.arange(1, m) / m
    p, n, uv = _revolve(0.12 * np.sin(t), 0.8 - 0.12 * np.cos(t), 0.12 * np.cos(t), 0.12 * np.sin(t), 2 * m)
    rings = len(t)
    p = np.concatenate([p, [[0.0, 0.68, 0.0], [0.0, 0.92, 0.0]]])
    n = np.concatenate([n, [[0.0, -1.0, 0.0], [0.0, 1.0, 0.0]]])
    uv = np.concatenate([uv, [[0.0, 0.0], [0.0, 1.0]]])
    add(p, n, uv, [_grid(rings, 2 * m, True, 0)[:, ::-1], _fan(rings * 2 * m, np.arange(2 * m), True),
                   _fan(rings * 2 * m + 1, (rings - 1) * 2 * m + np.arange(2 * m), False)], "knob")

    return SampleModel("teapot_like", np.concatenate(positions), faces, groups, np.concatenate(normals),
                       np.concatenate(uvs), {"knob"})


def bunny_like(n_faces: int = 70000) -> SampleModel:
    """A scanned-looking closed surface of about ``n_faces`` triangles: ``v`` and ``f a b c`` only.

    A sphere pushed in and out by a few smooth waves (no sharp edges anywhere), made of a latitude-longitude
    grid of triangles.
    """
    n_lat = max(3, int(round(math.sqrt(n_faces / 4.0))))
    n_lon = 2 * n_lat
    theta = np.pi * np.arange(1, n_lat) / n_lat
    phi = 2 * np.pi * np.arange(n_lon) / n_lon
    T, P = np.meshgrid(theta, phi, indexing="ij")
    # Waves that fade out toward the poles (sin T), so the surface is smooth there too.
    radius = 1 + np.sin(T) ** 2 * (0.12 * np.cos(3 * T) * np.cos(2 * P) + 0.08 * np.sin(5 * P + 1.0)
                                   + 0.05 * np.cos(7 * T + 2 * P))
    positions = np.stack([radius * np.sin(T) * np.sin(P), 0.8 * radius * np.cos(T), radius * np.sin(T) * np.cos(P)],
                         axis=-1).reshape(-1, 3)
    rings = len(theta)
    positions = np.concatenate([positions, [[0.0, 0.8, 0.0], [0.0, -0.8, 0.0]]])
    top, bottom = rings * n_lon, rings * n_lon + 1
    quads = _grid(rings, n_lon, True, 0)  # rows go down from the top: (r, c), (r+1, c), (r+1, c+1), (r, c+1)
    triangles = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    # Rows run from the top (theta small, +y) down; columns east: quads wind outward as built.
    caps = np.concatenate([_fan(top, np.arange(n_lon), False), _fan(bottom, (rings - 1) * n_lon + np.arange(n_lon), True)])
    triangles = np.concatenate([caps, triangles])
    return SampleModel("bunny_like", positions, [triangles])


def fandisk_like(segments: int = 24) -> SampleModel:
    """A machined part: a profile with sharp corners, a chamfer, a fillet and a half-round top, extruded along z.

    One connected mesh (walls and end caps share their vertices), so the sharp edges are creases
    between faces that share vertices, as in the fandisk: flat faces must keep their own normals
    there, the half-round top and the fillet must come out smooth. ``segments`` sets the tessellation
    of the curves and the number of slices along z.
    """
    m = max(4, int(segments))
    arc = np.pi * np.arange(m + 1) / m
    fillet = 0.5 * np.pi * np.arange(1, m // 2) / (m // 2)
    # The profile, counter-clockwise in the x-y plane (seen from +z), starting at the bottom right.
    profile = [(1.0, -0.5), (1.0, 0.0), (0.7, 0.3)]                                   # side, then a 45-degree chamfer
    profile += [(0.45 * math.cos(a), 0.3 + 0.45 * math.sin(a)) for a in arc]          # half-round top (r 0.45)
    profile += [(-1.0, 0.3)]                                                          # flat shoulder, sharp corners
    profile += [(-1.0, -0.25)]                                                        # left side down to the fillet
    profile += [(-0.75 - 0.25 * math.cos(a), -0.25 - 0.25 * math.sin(a)) for a in fillet]  # fillet (r 0.25)
    profile += [(-0.75, -0.5)]                                                        # then the flat bottom
    profile = np.array(profile)
    ring = len(profile)
    z = np.linspace(-0.6, 0.6, max(2, m // 2) + 1)
    walls = np.concatenate([np.column_stack([profile, np.full(ring, zi)]) for zi in z])
    # Walls: slice s to s+1 along z; profile point j to j+1 (wrapping). Outward: (j, s), (j+1, s), (j+1, s+1), (j, s+1).
    index = np.arange(len(z) * ring).reshape(len(z), ring)
    index = np.concatenate([index, index[:, :1]], axis=1)
    quads = np.stack([index[:-1, :-1], index[:-1, 1:], index[1:, 1:], index[1:, :-1]], axis=-1).reshape(-1, 4)
    # End caps: a fan from a centre point inside (the profile is star-shaped about (0, 0)).
    centre_front, centre_back = len(walls), len(walls) + 1
    positions = np.concatenate([walls, [[0.0, 0.0, z[-1]], [0.0, 0.0, z[0]]]])
    front = _fan(centre_front, index[-1, :-1], False)
    back = _fan(centre_back, index[0, :-1], True)
    return SampleModel("fandisk_like", positions, [quads, front, back], [("walls", 0, 1), ("caps", 1, 3)])


SAMPLES = {"teapot_like": teapot_like, "bunny_like": bunny_like, "fandisk_like": fandisk_like}
