"""Pictures for the feedback: the student's result and the target, drawn by the CPU rasterizer (no GPU needed).

The matrices drawn here are the student's, so they need not be affine, invertible or even sensible:
:func:`draw` takes any 4x4 object -> world matrix (a transposed upload's last row, a flattening
with det 0) and pushes the vertices through the same stages as :mod:`affine3d.cpu.raster`
(clip space, the near plane, the divide by w, edge functions and the depth test). A face is lit by
the normal of the triangle as drawn, unless a normal matrix is given; then by the normals that
matrix makes, which is how a wrong normal matrix shows.

:func:`overlay` puts the target's silhouette (outlined, blue) over the student's picture (orange),
and :func:`iou` measures how much the two silhouettes agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..affine import Affine
from ..cpu.raster import DepthBuffer, draw_triangles, lambert, to_unorm8
from ..geometry.mesh import Mesh
from ..geometry.shading import AMBIENT, DEFAULT_LIGHT
from ..projection import perspective

__all__ = ["Part", "draw", "overlay", "side_by_side", "iou", "silhouette", "silhouette_iou", "camera", "YOURS", "TARGET",
           "CONTEXT", "BACKGROUND", "CHECK_SIZE", "PICTURE_SIZE", "yours_vs_target", "outline"]

YOURS = (0.902, 0.624, 0.0)  # orange (Okabe & Ito)
TARGET = (0.337, 0.706, 0.914)  # sky blue
CONTEXT = (0.62, 0.62, 0.66)  # grey: what the exercise gives (the big house, the plane)
BACKGROUND = (0.1, 0.1, 0.12)
_LIGHT = np.asarray(DEFAULT_LIGHT, dtype=np.float64) / np.linalg.norm(DEFAULT_LIGHT)


@dataclass
class Part:
    """One mesh to draw: object space -> world space by ``matrix`` (any 4x4), in ``color``.

    ``normal_matrix`` (3x3, object normals -> world normals) lights the faces with the normals it
    makes; None lights each face by its own normal as drawn.
    """

    mesh: Mesh
    matrix: np.ndarray
    color: tuple[float, float, float]
    normal_matrix: np.ndarray | None = None


def camera(yaw_deg: float = 30.0, pitch_deg: float = 20.0, distance: float = 6.0, target=(0.0, 0.0, 0.0)) -> Affine:
    """A world -> camera map that looks at ``target`` from ``distance``, turned like a scene's ``[world]``."""
    turn = Affine.rotation_x(math.radians(pitch_deg)) @ Affine.rotation_y(math.radians(yaw_deg))
    return Affine.translation([0.0, 0.0, -distance]) @ turn @ Affine.translation(-np.asarray(target, dtype=np.float64))


def draw(parts: list[Part], world: Affine, size=(480, 360), *, fov_deg: float = 40.0,
         projection: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """Draw ``parts`` seen through ``world`` (world -> camera): an RGB image and each part's silhouette.

    Returns
    -------
    image : ndarray, shape (H, W, 3), uint8
    masks : list of ndarray, shape (H, W), bool
        Where each part is the nearest surface.
    """
    width, height = size
    P = perspective(math.radians(fov_deg), width / height, 0.1, 100.0) if projection is None else np.asarray(projection)
    V = world.matrix
    buffer = DepthBuffer((width, height))
    firsts, cameras = [], []
    first = 0
    for part in parts:
        homogeneous = np.hstack([part.mesh.vertices, np.ones((part.mesh.n_vertices, 1))])
        p_camera = homogeneous @ (V @ np.asarray(part.matrix, dtype=np.float64)).T  # (V, 4), w may differ from 1
        p_clip = p_camera @ P.T
        with np.errstate(all="ignore"):
            draw_triangles(buffer, p_clip, part.mesh.triangles, first_id=first, cull_back_faces=False)
        firsts.append(first)
        cameras.append(p_camera)
        first += part.mesh.n_triangles
    fragment = buffer.triangle_ids()  # 2 * triangle id + back, -1 where empty
    covered = fragment >= 0
    triangle, back = fragment >> 1, (fragment & 1).astype(bool)
    image = np.empty((height, width, 3), dtype=np.uint8)
    image[:] = to_unorm8(np.asarray(BACKGROUND))
    masks = []
    for part, lo, p_camera in zip(parts, firsts, cameras):
        mask = covered & (triangle >= lo) & (triangle < lo + part.mesh.n_triangles)
        masks.append(mask)
        if not mask.any():
            continue
        local = triangle[mask] - lo
        normals = _face_normals(part, V, p_camera)[local]
        normals[back[mask]] *= -1  # a face seen from behind is lit from the side that is seen
        image[mask] = to_unorm8(lambert(normals, part.color, _LIGHT, AMBIENT))
    return image, masks


def _face_normals(part: Part, V: np.ndarray, p_camera: np.ndarray) -> np.ndarray:
    """Unit normals in camera space, one per triangle (zero for a triangle squashed to a line)."""
    triangles = part.mesh.triangles
    if part.normal_matrix is not None:
        a, b, c = (part.mesh.vertices[triangles[:, k]] for k in range(3))
        n_object = np.cross(b - a, c - a)
        n_world = n_object @ np.asarray(part.normal_matrix, dtype=np.float64).T
        n_camera = n_world @ Affine(V[:3, :3]).normal_matrix().T
    else:
        with np.errstate(all="ignore"):
            points = p_camera[:, :3] / p_camera[:, 3:]
        a, b, c = (points[triangles[:, k]] for k in range(3))
        n_camera = np.cross(b - a, c - a)
    length = np.linalg.norm(n_camera, axis=1, keepdims=True)
    return np.divide(n_camera, length, out=np.zeros_like(n_camera), where=(length > 1e-12) & np.isfinite(length))


CHECK_SIZE = (320, 240)
"""The size at which silhouettes are compared (the pictures are drawn larger; the overlap is the same to about 1%)."""


PICTURE_SIZE = (640, 480)


def silhouette(placed: list[tuple[Mesh, np.ndarray]], world: Affine, size=CHECK_SIZE) -> np.ndarray:
    """Where the meshes, each moved by its matrix, cover the image, drawn alone (nothing else in front), (H, W) bool."""
    _unused, masks = draw([Part(mesh, matrix, YOURS) for mesh, matrix in placed], world, size)
    return np.logical_or.reduce(masks)


def silhouette_iou(yours: list[tuple[Mesh, np.ndarray]], target: list[tuple[Mesh, np.ndarray]], world: Affine,
                   size=CHECK_SIZE) -> float:
    """How much the student's meshes and the target's cover the same pixels: the IoU of their silhouettes."""
    return iou(silhouette(yours, world, size), silhouette(target, world, size))


def yours_vs_target(context: list[Part], yours: list[tuple[Mesh, np.ndarray]], target: list[tuple[Mesh, np.ndarray]],
                    world: Affine, legend: str, size=PICTURE_SIZE) -> tuple[np.ndarray, float]:
    """The picture: the context (grey) and the student's meshes (orange) drawn, the target's silhouette over them.

    ``legend`` may hold ``{iou}``; the overlap is the one the checks use (:func:`silhouette_iou`).
    Returns the RGB image and that overlap.
    """
    image, _unused = draw(context + [Part(mesh, matrix, YOURS) for mesh, matrix in yours], world, size)
    overlap = silhouette_iou(yours, target, world)
    yours_mask = silhouette(yours, world, size)
    from ..i18n import _, prose_number

    legend = legend.format(iou=prose_number(overlap, 2))
    if not yours_mask.any():
        legend += "\n" + _("(yours is out of view: behind the camera, or off the picture)")
    return overlay(image, yours_mask, silhouette(target, world, size), legend), overlap


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two silhouettes (1.0 when both are empty)."""
    union = np.count_nonzero(a | b)
    return 1.0 if union == 0 else np.count_nonzero(a & b) / union


def outline(mask: np.ndarray, width: int = 2) -> np.ndarray:
    """The pixels of ``mask`` within ``width`` of its edge."""
    inner = mask.copy()
    for _unused in range(width):
        shrunk = inner.copy()
        shrunk[1:] &= inner[:-1]
        shrunk[:-1] &= inner[1:]
        shrunk[:, 1:] &= inner[:, :-1]
        shrunk[:, :-1] &= inner[:, 1:]
        inner = shrunk
    return mask & ~inner


def overlay(image: np.ndarray, yours: np.ndarray, target: np.ndarray, legend: str) -> np.ndarray:
    """``image`` with the target's silhouette over it: outlined in blue, tinted where yours is missing; and a legend."""
    out = image.astype(np.float64)
    blue = np.asarray(TARGET) * 255
    missing = target & ~yours
    out[missing] = 0.55 * out[missing] + 0.45 * blue
    out[outline(target)] = blue
    return _legend(out.round().astype(np.uint8), legend)


def side_by_side(left: np.ndarray, right: np.ndarray, captions: tuple[str, str], gap: int = 6) -> np.ndarray:
    """Two images of one height next to each other, each with its caption."""
    height = left.shape[0]
    sheet = np.full((height, left.shape[1] + gap + right.shape[1], 3), 255, dtype=np.uint8)
    sheet[:, : left.shape[1]] = _legend(left, captions[0])
    sheet[:, left.shape[1] + gap :] = _legend(right, captions[1])
    return sheet


def _legend(image: np.ndarray, text: str) -> np.ndarray:
    """``text`` in the top-left corner, light on a dark outline; ``[yours]`` and ``[target]`` become coloured squares."""
    from PIL import Image, ImageDraw

    from ..images import font as picture_font

    picture = Image.fromarray(np.ascontiguousarray(image), "RGB")
    size = max(11, picture.height // 26)
    font = picture_font(size)  # DejaVu Sans where there is one: Polish captions need ą, ę, ł, ś, ż (and σ)
    pen = ImageDraw.Draw(picture)
    x, y = size // 2, size // 3
    swatches = {"[yours]": YOURS, "[target]": TARGET, "[given]": CONTEXT}
    for line in text.split("\n"):
        cursor = x
        for word in line.split(" "):
            if word in swatches:
                color = tuple(int(round(c * 255)) for c in swatches[word])
                pen.rectangle([cursor, y + size * 0.15, cursor + size * 0.8, y + size * 0.95], fill=color, outline=(0, 0, 0))
                cursor += int(size * 1.1)
                continue
            pen.text((cursor, y), word, fill=(240, 240, 240), font=font, stroke_width=max(1, size // 8), stroke_fill=(0, 0, 0))
            cursor += int(pen.textlength(word + " ", font=font))
        y += int(size * 1.3)
    return np.asarray(picture)
