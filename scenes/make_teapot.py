"""Make ``scenes/teapot.obj``: the Utah teapot from Martin Newell's 32 Bézier patches, tessellated, with normals.

Run it from the repository root (it rewrites the shipped file, byte for byte the same)::

    python scenes/make_teapot.py                     # scenes/teapot.obj, 8 x 8 quads a patch
    python scenes/make_teapot.py --steps 16 -o fine.obj

The teapot (Martin Newell, University of Utah, 1975) is 32 bicubic Bézier patches over 306 control points: rim,
body, handle, spout, lid and bottom. The data below is the public-domain set as published (indices from 0, z up).
Each patch is a map from the unit square to space,

    S(u, v) = sum_i sum_j B_i(u) B_j(v) P_ij,      B_k(t) = C(3, k) t^k (1 - t)^(3 - k),

evaluated on a grid of ``steps + 1`` by ``steps + 1`` points; each grid square becomes two triangles. The normal
at a point is the cross product of the surface's two tangents, dS/dv x dS/du, pointing out (exact, not averaged
from triangles); where a patch shrinks an edge to a point (the lid's knob, the middle of the bottom) both tangents
vanish there and the normal is the mean of the normals just beside it. Points that several patches share are written once. Last,
one affine map turns the file to this package's axes, y up: ``Affine.rotation_x(-pi / 2)`` sends z to y.

Coordinates are rounded to 6 decimals, so the file is the same on every machine (tests/test_teapot.py makes it
again and compares the bytes). It is smooth: ``affine3d view scenes/teapot.obj`` shades it with these normals.
"""

from __future__ import annotations

import argparse
import sys
from math import pi
from pathlib import Path

import numpy as np

from affine3d import Affine
from affine3d.geometry.mesh import Mesh
from affine3d.geometry.mesh_files import save_obj

OUT = Path(__file__).resolve().parent / "teapot.obj"
STEPS = 8
DECIMALS = 6

# Each patch: 16 indices into VERTICES, row by row (4 rows along u, 4 control points along v in each).
PATCHES = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
    (3, 16, 17, 18, 7, 19, 20, 21, 11, 22, 23, 24, 15, 25, 26, 27),
    (18, 28, 29, 30, 21, 31, 32, 33, 24, 34, 35, 36, 27, 37, 38, 39),
    (30, 40, 41, 0, 33, 42, 43, 4, 36, 44, 45, 8, 39, 46, 47, 12),
    (12, 13, 14, 15, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59),
    (15, 25, 26, 27, 51, 60, 61, 62, 55, 63, 64, 65, 59, 66, 67, 68),
    (27, 37, 38, 39, 62, 69, 70, 71, 65, 72, 73, 74, 68, 75, 76, 77),
    (39, 46, 47, 12, 71, 78, 79, 48, 74, 80, 81, 52, 77, 82, 83, 56),
    (56, 57, 58, 59, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95),
    (59, 66, 67, 68, 87, 96, 97, 98, 91, 99, 100, 101, 95, 102, 103, 104),
    (68, 75, 76, 77, 98, 105, 106, 107, 101, 108, 109, 110, 104, 111, 112, 113),
    (77, 82, 83, 56, 107, 114, 115, 84, 110, 116, 117, 88, 113, 118, 119, 92),
    (120, 121, 122, 123, 124, 125, 126, 127, 128, 129, 130, 131, 132, 133, 134, 135),
    (123, 136, 137, 120, 127, 138, 139, 124, 131, 140, 141, 128, 135, 142, 143, 132),
    (132, 133, 134, 135, 144, 145, 146, 147, 148, 149, 150, 151, 68, 152, 153, 154),
    (135, 142, 143, 132, 147, 155, 156, 144, 151, 157, 158, 148, 154, 159, 160, 68),
    (161, 162, 163, 164, 165, 166, 167, 168, 169, 170, 171, 172, 173, 174, 175, 176),
    (164, 177, 178, 161, 168, 179, 180, 165, 172, 181, 182, 169, 176, 183, 184, 173),
    (173, 174, 175, 176, 185, 186, 187, 188, 189, 190, 191, 192, 193, 194, 195, 196),
    (176, 183, 184, 173, 188, 197, 198, 185, 192, 199, 200, 189, 196, 201, 202, 193),
    (203, 203, 203, 203, 206, 207, 208, 209, 210, 210, 210, 210, 211, 212, 213, 214),
    (203, 203, 203, 203, 209, 216, 217, 218, 210, 210, 210, 210, 214, 219, 220, 221),
    (203, 203, 203, 203, 218, 223, 224, 225, 210, 210, 210, 210, 221, 226, 227, 228),
    (203, 203, 203, 203, 225, 229, 230, 206, 210, 210, 210, 210, 228, 231, 232, 211),
    (211, 212, 213, 214, 233, 234, 235, 236, 237, 238, 239, 240, 241, 242, 243, 244),
    (214, 219, 220, 221, 236, 245, 246, 247, 240, 248, 249, 250, 244, 251, 252, 253),
    (221, 226, 227, 228, 247, 254, 255, 256, 250, 257, 258, 259, 253, 260, 261, 262),
    (228, 231, 232, 211, 256, 263, 264, 233, 259, 265, 266, 237, 262, 267, 268, 241),
    (269, 269, 269, 269, 278, 279, 280, 281, 274, 275, 276, 277, 270, 271, 272, 273),
    (269, 269, 269, 269, 281, 288, 289, 290, 277, 285, 286, 287, 273, 282, 283, 284),
    (269, 269, 269, 269, 290, 297, 298, 299, 287, 294, 295, 296, 284, 291, 292, 293),
    (269, 269, 269, 269, 299, 304, 305, 278, 296, 302, 303, 274, 293, 300, 301, 270),
)
VERTICES = (
    (1.4, 0.0, 2.4), (1.4, -0.784, 2.4), (0.784, -1.4, 2.4), (0.0, -1.4, 2.4), (1.3375, 0.0, 2.53125),
    (1.3375, -0.749, 2.53125), (0.749, -1.3375, 2.53125), (0.0, -1.3375, 2.53125), (1.4375, 0.0, 2.53125),
    (1.4375, -0.805, 2.53125), (0.805, -1.4375, 2.53125), (0.0, -1.4375, 2.53125), (1.5, 0.0, 2.4), (1.5, -0.84, 2.4),
    (0.84, -1.5, 2.4), (0.0, -1.5, 2.4), (-0.784, -1.4, 2.4), (-1.4, -0.784, 2.4), (-1.4, 0.0, 2.4),
    (-0.749, -1.3375, 2.53125), (-1.3375, -0.749, 2.53125), (-1.3375, 0.0, 2.53125), (-0.805, -1.4375, 2.53125),
    (-1.4375, -0.805, 2.53125), (-1.4375, 0.0, 2.53125), (-0.84, -1.5, 2.4), (-1.5, -0.84, 2.4), (-1.5, 0.0, 2.4),
    (-1.4, 0.784, 2.4), (-0.784, 1.4, 2.4), (0.0, 1.4, 2.4), (-1.3375, 0.749, 2.53125), (-0.749, 1.3375, 2.53125),
    (0.0, 1.3375, 2.53125), (-1.4375, 0.805, 2.53125), (-0.805, 1.4375, 2.53125), (0.0, 1.4375, 2.53125),
    (-1.5, 0.84, 2.4), (-0.84, 1.5, 2.4), (0.0, 1.5, 2.4), (0.784, 1.4, 2.4), (1.4, 0.784, 2.4),
    (0.749, 1.3375, 2.53125), (1.3375, 0.749, 2.53125), (0.805, 1.4375, 2.53125), (1.4375, 0.805, 2.53125),
    (0.84, 1.5, 2.4), (1.5, 0.84, 2.4), (1.75, 0.0, 1.875), (1.75, -0.98, 1.875), (0.98, -1.75, 1.875),
    (0.0, -1.75, 1.875), (2.0, 0.0, 1.35), (2.0, -1.12, 1.35), (1.12, -2.0, 1.35), (0.0, -2.0, 1.35), (2.0, 0.0, 0.9),
    (2.0, -1.12, 0.9), (1.12, -2.0, 0.9), (0.0, -2.0, 0.9), (-0.98, -1.75, 1.875), (-1.75, -0.98, 1.875),
    (-1.75, 0.0, 1.875), (-1.12, -2.0, 1.35), (-2.0, -1.12, 1.35), (-2.0, 0.0, 1.35), (-1.12, -2.0, 0.9),
    (-2.0, -1.12, 0.9), (-2.0, 0.0, 0.9), (-1.75, 0.98, 1.875), (-0.98, 1.75, 1.875), (0.0, 1.75, 1.875),
    (-2.0, 1.12, 1.35), (-1.12, 2.0, 1.35), (0.0, 2.0, 1.35), (-2.0, 1.12, 0.9), (-1.12, 2.0, 0.9), (0.0, 2.0, 0.9),
    (0.98, 1.75, 1.875), (1.75, 0.98, 1.875), (1.12, 2.0, 1.35), (2.0, 1.12, 1.35), (1.12, 2.0, 0.9),
    (2.0, 1.12, 0.9), (2.0, 0.0, 0.45), (2.0, -1.12, 0.45), (1.12, -2.0, 0.45), (0.0, -2.0, 0.45), (1.5, 0.0, 0.225),
    (1.5, -0.84, 0.225), (0.84, -1.5, 0.225), (0.0, -1.5, 0.225), (1.5, 0.0, 0.15), (1.5, -0.84, 0.15),
    (0.84, -1.5, 0.15), (0.0, -1.5, 0.15), (-1.12, -2.0, 0.45), (-2.0, -1.12, 0.45), (-2.0, 0.0, 0.45),
    (-0.84, -1.5, 0.225), (-1.5, -0.84, 0.225), (-1.5, 0.0, 0.225), (-0.84, -1.5, 0.15), (-1.5, -0.84, 0.15),
    (-1.5, 0.0, 0.15), (-2.0, 1.12, 0.45), (-1.12, 2.0, 0.45), (0.0, 2.0, 0.45), (-1.5, 0.84, 0.225),
    (-0.84, 1.5, 0.225), (0.0, 1.5, 0.225), (-1.5, 0.84, 0.15), (-0.84, 1.5, 0.15), (0.0, 1.5, 0.15),
    (1.12, 2.0, 0.45), (2.0, 1.12, 0.45), (0.84, 1.5, 0.225), (1.5, 0.84, 0.225), (0.84, 1.5, 0.15),
    (1.5, 0.84, 0.15), (-1.6, 0.0, 2.025), (-1.6, -0.3, 2.025), (-1.5, -0.3, 2.25), (-1.5, 0.0, 2.25),
    (-2.3, 0.0, 2.025), (-2.3, -0.3, 2.025), (-2.5, -0.3, 2.25), (-2.5, 0.0, 2.25), (-2.7, 0.0, 2.025),
    (-2.7, -0.3, 2.025), (-3.0, -0.3, 2.25), (-3.0, 0.0, 2.25), (-2.7, 0.0, 1.8), (-2.7, -0.3, 1.8),
    (-3.0, -0.3, 1.8), (-3.0, 0.0, 1.8), (-1.5, 0.3, 2.25), (-1.6, 0.3, 2.025), (-2.5, 0.3, 2.25), (-2.3, 0.3, 2.025),
    (-3.0, 0.3, 2.25), (-2.7, 0.3, 2.025), (-3.0, 0.3, 1.8), (-2.7, 0.3, 1.8), (-2.7, 0.0, 1.575),
    (-2.7, -0.3, 1.575), (-3.0, -0.3, 1.35), (-3.0, 0.0, 1.35), (-2.5, 0.0, 1.125), (-2.5, -0.3, 1.125),
    (-2.65, -0.3, 0.9375), (-2.65, 0.0, 0.9375), (-2.0, -0.3, 0.9), (-1.9, -0.3, 0.6), (-1.9, 0.0, 0.6),
    (-3.0, 0.3, 1.35), (-2.7, 0.3, 1.575), (-2.65, 0.3, 0.9375), (-2.5, 0.3, 1.125), (-1.9, 0.3, 0.6),
    (-2.0, 0.3, 0.9), (1.7, 0.0, 1.425), (1.7, -0.66, 1.425), (1.7, -0.66, 0.6), (1.7, 0.0, 0.6), (2.6, 0.0, 1.425),
    (2.6, -0.66, 1.425), (3.1, -0.66, 0.825), (3.1, 0.0, 0.825), (2.3, 0.0, 2.1), (2.3, -0.25, 2.1),
    (2.4, -0.25, 2.025), (2.4, 0.0, 2.025), (2.7, 0.0, 2.4), (2.7, -0.25, 2.4), (3.3, -0.25, 2.4), (3.3, 0.0, 2.4),
    (1.7, 0.66, 0.6), (1.7, 0.66, 1.425), (3.1, 0.66, 0.825), (2.6, 0.66, 1.425), (2.4, 0.25, 2.025),
    (2.3, 0.25, 2.1), (3.3, 0.25, 2.4), (2.7, 0.25, 2.4), (2.8, 0.0, 2.475), (2.8, -0.25, 2.475),
    (3.525, -0.25, 2.49375), (3.525, 0.0, 2.49375), (2.9, 0.0, 2.475), (2.9, -0.15, 2.475), (3.45, -0.15, 2.5125),
    (3.45, 0.0, 2.5125), (2.8, 0.0, 2.4), (2.8, -0.15, 2.4), (3.2, -0.15, 2.4), (3.2, 0.0, 2.4),
    (3.525, 0.25, 2.49375), (2.8, 0.25, 2.475), (3.45, 0.15, 2.5125), (2.9, 0.15, 2.475), (3.2, 0.15, 2.4),
    (2.8, 0.15, 2.4), (0.0, 0.0, 3.15), (0.0, -0.002, 3.15), (0.002, 0.0, 3.15), (0.8, 0.0, 3.15), (0.8, -0.45, 3.15),
    (0.45, -0.8, 3.15), (0.0, -0.8, 3.15), (0.0, 0.0, 2.85), (0.2, 0.0, 2.7), (0.2, -0.112, 2.7), (0.112, -0.2, 2.7),
    (0.0, -0.2, 2.7), (-0.002, 0.0, 3.15), (-0.45, -0.8, 3.15), (-0.8, -0.45, 3.15), (-0.8, 0.0, 3.15),
    (-0.112, -0.2, 2.7), (-0.2, -0.112, 2.7), (-0.2, 0.0, 2.7), (0.0, 0.002, 3.15), (-0.8, 0.45, 3.15),
    (-0.45, 0.8, 3.15), (0.0, 0.8, 3.15), (-0.2, 0.112, 2.7), (-0.112, 0.2, 2.7), (0.0, 0.2, 2.7), (0.45, 0.8, 3.15),
    (0.8, 0.45, 3.15), (0.112, 0.2, 2.7), (0.2, 0.112, 2.7), (0.4, 0.0, 2.55), (0.4, -0.224, 2.55),
    (0.224, -0.4, 2.55), (0.0, -0.4, 2.55), (1.3, 0.0, 2.55), (1.3, -0.728, 2.55), (0.728, -1.3, 2.55),
    (0.0, -1.3, 2.55), (1.3, 0.0, 2.4), (1.3, -0.728, 2.4), (0.728, -1.3, 2.4), (0.0, -1.3, 2.4),
    (-0.224, -0.4, 2.55), (-0.4, -0.224, 2.55), (-0.4, 0.0, 2.55), (-0.728, -1.3, 2.55), (-1.3, -0.728, 2.55),
    (-1.3, 0.0, 2.55), (-0.728, -1.3, 2.4), (-1.3, -0.728, 2.4), (-1.3, 0.0, 2.4), (-0.4, 0.224, 2.55),
    (-0.224, 0.4, 2.55), (0.0, 0.4, 2.55), (-1.3, 0.728, 2.55), (-0.728, 1.3, 2.55), (0.0, 1.3, 2.55),
    (-1.3, 0.728, 2.4), (-0.728, 1.3, 2.4), (0.0, 1.3, 2.4), (0.224, 0.4, 2.55), (0.4, 0.224, 2.55),
    (0.728, 1.3, 2.55), (1.3, 0.728, 2.55), (0.728, 1.3, 2.4), (1.3, 0.728, 2.4), (0.0, 0.0, 0.0), (1.5, 0.0, 0.15),
    (1.5, 0.84, 0.15), (0.84, 1.5, 0.15), (0.0, 1.5, 0.15), (1.5, 0.0, 0.075), (1.5, 0.84, 0.075), (0.84, 1.5, 0.075),
    (0.0, 1.5, 0.075), (1.425, 0.0, 0.0), (1.425, 0.798, 0.0), (0.798, 1.425, 0.0), (0.0, 1.425, 0.0),
    (-0.84, 1.5, 0.15), (-1.5, 0.84, 0.15), (-1.5, 0.0, 0.15), (-0.84, 1.5, 0.075), (-1.5, 0.84, 0.075),
    (-1.5, 0.0, 0.075), (-0.798, 1.425, 0.0), (-1.425, 0.798, 0.0), (-1.425, 0.0, 0.0), (-1.5, -0.84, 0.15),
    (-0.84, -1.5, 0.15), (0.0, -1.5, 0.15), (-1.5, -0.84, 0.075), (-0.84, -1.5, 0.075), (0.0, -1.5, 0.075),
    (-1.425, -0.798, 0.0), (-0.798, -1.425, 0.0), (0.0, -1.425, 0.0), (0.84, -1.5, 0.15), (1.5, -0.84, 0.15),
    (0.84, -1.5, 0.075), (1.5, -0.84, 0.075), (0.798, -1.425, 0.0), (1.425, -0.798, 0.0),
)


def bernstein(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The four cubic Bernstein polynomials at ``t`` and their derivatives: two arrays of shape (len(t), 4)."""
    s = 1.0 - t
    values = np.stack([s**3, 3 * t * s**2, 3 * t**2 * s, t**3], axis=1)
    slopes = np.stack([-3 * s**2, 3 * s**2 - 6 * t * s, 6 * t * s - 3 * t**2, 3 * t**2], axis=1)
    return values, slopes


def patch_grid(control: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Points and unit normals of one patch on a (steps + 1) x (steps + 1) grid: two arrays (steps + 1, steps + 1, 3).

    ``control`` is the patch's (4, 4, 3) control points. The published patches all turn the same way: dS/du x dS/dv
    points into the teapot, so the outward normal is dS/dv x dS/du. Where that vanishes (an edge shrunk to a point)
    it is NaN here and filled in by :func:`teapot`.
    """
    t = np.linspace(0.0, 1.0, steps + 1)
    B, dB = bernstein(t)
    points = np.einsum("ui,vj,ijk->uvk", B, B, control)
    du = np.einsum("ui,vj,ijk->uvk", dB, B, control)
    dv = np.einsum("ui,vj,ijk->uvk", B, dB, control)
    normals = np.cross(dv, du)  # outward (see above)
    length = np.linalg.norm(normals, axis=2, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        normals = np.where(length > 1e-9, normals / length, np.nan)
    return points, normals


def teapot(steps: int = STEPS) -> Mesh:
    """The teapot as one mesh, y up, with a normal at every corner (``Mesh.normals``, ``normal_indices``).

    Parameters
    ----------
    steps : int
        Grid squares along each side of a patch: ``32 * 2 * steps**2`` triangles before the degenerate ones
        (at the knob and the bottom's middle) are dropped.
    """
    control = np.asarray(VERTICES, dtype=np.float64)[np.asarray(PATCHES)].reshape(-1, 4, 4, 3)
    grids = [patch_grid(patch, steps) for patch in control]
    points = np.concatenate([p.reshape(-1, 3) for p, _ in grids])
    normals = np.concatenate([n.reshape(-1, 3) for _, n in grids])
    # One vertex per point, however many patches share it (rounded, so that equal points are equal).
    points = np.round(points, DECIMALS) + 0.0  # + 0.0: no -0.0 in the file
    vertices, vertex_of = np.unique(points, axis=0, return_inverse=True)
    vertex_of = vertex_of.reshape(-1)
    # Where both tangents vanish, the mean of the normals of the grid's neighbours there (all patches meeting there).
    missing = np.isnan(normals[:, 0])
    if missing.any():
        beside = np.concatenate([_beside(n) for _, n in grids])
        sums = np.zeros((len(vertices), 3))
        np.add.at(sums, vertex_of[missing], beside[missing])
        filled = sums[vertex_of[missing]]
        normals[missing] = filled / np.linalg.norm(filled, axis=1, keepdims=True)
    normals = np.round(normals, DECIMALS) + 0.0
    normal_rows, normal_of = np.unique(normals, axis=0, return_inverse=True)
    normal_of = normal_of.reshape(-1)
    # Two triangles per grid square, counter-clockwise seen from the side the normals point to.
    n = steps + 1
    i, j = np.meshgrid(np.arange(steps), np.arange(steps), indexing="ij")
    a, b, c, d = (i * n + j).ravel(), ((i + 1) * n + j).ravel(), ((i + 1) * n + j + 1).ravel(), (i * n + j + 1).ravel()
    square = np.concatenate([np.stack([a, c, b], axis=1), np.stack([a, d, c], axis=1)])
    corners = np.concatenate([square + k * n * n for k in range(len(grids))])
    triangles, normal_indices = vertex_of[corners], normal_of[corners]
    keep = (triangles[:, 0] != triangles[:, 1]) & (triangles[:, 1] != triangles[:, 2]) & (triangles[:, 0] != triangles[:, 2])
    y_up = Affine.rotation_x(-pi / 2)  # z up (the published data) -> y up (this package): an exact quarter turn
    vertices = np.round(y_up(vertices), DECIMALS) + 0.0
    normal_rows = np.round(Affine(y_up.A)(normal_rows), DECIMALS) + 0.0  # directions: A alone (a rotation)
    return Mesh(vertices, triangles[keep], None, name="Utah teapot", normals=normal_rows,
                normal_indices=normal_indices[keep])


def _beside(normals: np.ndarray) -> np.ndarray:
    """For each grid point, the mean of the defined normals of its 4 grid neighbours, shape (..., 3) flattened."""
    padded = np.pad(normals, ((1, 1), (1, 1), (0, 0)), constant_values=np.nan)
    around = np.stack([padded[:-2, 1:-1], padded[2:, 1:-1], padded[1:-1, :-2], padded[1:-1, 2:]])
    return np.nan_to_num(around).sum(axis=0).reshape(-1, 3)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--out", default=str(OUT), help=f"the OBJ file to write (default {OUT.name} beside this script)")
    parser.add_argument("--steps", type=int, default=STEPS, help=f"grid squares along each patch side (default {STEPS})")
    args = parser.parse_args(argv)
    if not 1 <= args.steps <= 64:
        parser.error(f"--steps: expected 1 to 64, got {args.steps}")
    mesh = teapot(args.steps)
    save_obj(mesh, args.out)
    print(f"wrote {args.out}: {mesh.n_vertices} vertices, {mesh.n_triangles} triangles, {len(mesh.normals)} normals")
    return 0


if __name__ == "__main__":
    sys.exit(main())
