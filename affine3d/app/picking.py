"""Pick a vertex with the mouse: the CPU projection says which vertex lands nearest the cursor.

Window-free: :func:`pick` projects every vertex of the scene as drawn (warped by a network, if one
warps it) through the viewer's world map and projection (:func:`affine3d.projection.project_points`,
the GPU's arithmetic on the CPU) and returns the one whose pixel is nearest the click. The viewer
then shows that vertex's way through every map (:func:`affine3d.cpu.trace.trace_vertex`) in a panel,
live, and marks it on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..projection import project_points

__all__ = ["Pick", "pick", "PICK_RADIUS_PX"]

PICK_RADIUS_PX = 12.0
"""A click farther than this from every vertex picks nothing (and clears the pick)."""


@dataclass(frozen=True)
class Pick:
    """The vertex picked: object ``obj`` (0-based), vertex ``vertex`` of its mesh, ``distance_px`` from the click."""

    obj: int
    vertex: int
    distance_px: float


def pick(scene, world, projection: np.ndarray, size, click_px, radius_px: float = PICK_RADIUS_PX) -> Pick | None:
    """The vertex of ``scene`` whose projection is nearest ``click_px``, or None if none is within ``radius_px``.

    Parameters
    ----------
    scene : Scene
        As drawn: each object's mesh and model map (a warped scene's vertices already moved).
    world : Affine
        world space -> camera space.
    projection : ndarray, shape (4, 4)
        camera space -> clip space.
    size : (width, height)
        The framebuffer, in pixels.
    click_px : (x, y)
        In pixels from the image's top-left corner (rows down), as :func:`project_points` returns them.
    radius_px : float

    Returns
    -------
    Pick or None
        Of vertices equally near (to 1e-9 px), the one nearest the camera. Vertices behind the
        camera (w <= 0) are never picked.
    """
    click = np.asarray(click_px, dtype=np.float64)[:2]
    best = None  # (distance, depth, object, vertex)
    for k, obj in enumerate(scene.objects):
        camera = world(obj.world_vertices())
        clip_w = camera @ projection[3, :3] + projection[3, 3]
        front = np.flatnonzero(clip_w > 1e-9)
        if len(front) == 0:
            continue
        pixels = project_points(projection, camera[front], size)  # (x_px, y_px, depth in [0, 1])
        distance = np.hypot(pixels[:, 0] - click[0], pixels[:, 1] - click[1])
        nearest = distance.min()
        candidates = np.flatnonzero(distance <= nearest + 1e-9)
        j = candidates[np.argmin(pixels[candidates, 2])]  # the one nearest the camera
        entry = (float(distance[j]), float(pixels[j, 2]), k, int(front[j]))
        if best is None or entry[:2] < best[:2]:
            best = entry
    if best is None or best[0] > radius_px:
        return None
    return Pick(best[2], best[3], best[0])
