"""Projection matrices: camera (eye) space -> clip space, in OpenGL's conventions.

Why these are plain 4x4 arrays and not :class:`~affine3d.affine.Affine`: a perspective projection is
not affine. Its last row is not ``[0, 0, 0, 1]``; it is ``[0, 0, -1, 0]``, which copies ``-z`` into
``w``, and the GPU then divides ``x, y, z`` by ``w`` (the *perspective divide*). Dividing by a
coordinate is not a linear operation, so no ``A x + b`` can do it: far things shrink, parallel lines
meet. The orthographic projection *is* affine (it only scales and shifts a box onto the cube
``[-1, 1]^3``), but it lives here next to its sibling so that both are used the same way:
``clip = projection @ [x, y, z, 1]`` then ``ndc = clip[:3] / clip[3]``.

Conventions (the ones GLSL, GLM and ``gluPerspective`` use):

- eye space is right-handed, the camera sits at the origin and looks down ``-z``, ``+y`` is up;
- clip space depth runs from ``-1`` (near plane) to ``+1`` (far plane) after the divide;
- window pixels (:func:`viewport`, :func:`clip_to_window`, the one place NDC becomes pixels) count from the
  image's **top-left** corner, ``y_px`` growing downwards like image rows (OpenGL's window origin is
  bottom-left, so its rows come out flipped), and window depth is NDC ``z`` mapped from ``[-1, 1]`` to
  ``[0, 1]`` (``glDepthRange(0, 1)``): 0 on the near plane, 1 on the far one;
- angles are in radians.

Upload with ``affine3d.pack.matrix(P)`` (float32, column-major, like ``Affine.to_gl``).
"""

from __future__ import annotations

import math

import numpy as np

from .errors import AffineError
from .i18n import _

__all__ = ["perspective", "orthographic", "into_box", "project_points", "viewport", "clip_to_window"]


def _number(name: str, value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise AffineError(_("{name}: expected a number, got {value}").format(name=name, value=repr(value))) from None


def _positive(name: str, value: float) -> float:
    value = _number(name, value)
    if not math.isfinite(value) or value <= 0:
        raise AffineError(_("{name}: expected a finite number > 0, got {value}").format(
            name=name, value=repr(value)))
    return value


def perspective(fovy: float, aspect: float, near: float, far: float) -> np.ndarray:
    """The perspective projection: camera space -> clip space (then divide by ``w``).

    Parameters
    ----------
    fovy : float
        Vertical field of view, in radians, in ``(0, pi)``.
    aspect : float
        Width / height of the viewport.
    near, far : float
        Distances to the clipping planes, ``0 < near < far``.

    Returns
    -------
    ndarray, shape (4, 4), float64
        ``P`` with ``P @ [x, y, z, 1] = clip``; its last row is ``[0, 0, -1, 0]`` so ``w = -z``.

    Examples
    --------
    A point on the near plane maps to depth -1, one on the far plane to +1:

    >>> P = perspective(math.radians(60), 1.0, 1.0, 10.0)
    >>> clip = P @ [0, 0, -1.0, 1]; float(clip[2] / clip[3])
    -1.0
    >>> clip = P @ [0, 0, -10.0, 1]; float(clip[2] / clip[3])
    1.0
    """
    fovy = _number("fovy", fovy)
    if not (0 < fovy < math.pi):
        raise AffineError(_("fovy: expected radians in (0, pi), got {fovy} (degrees? use math.radians)").format(
            fovy=repr(fovy)))
    aspect = _positive("aspect", aspect)
    near = _positive("near", near)
    far = _positive("far", far)
    if far <= near:
        raise AffineError(_("far: expected far > near, got near={near}, far={far}").format(near=near, far=far))
    f = 1.0 / math.tan(fovy / 2)
    return np.array(
        [
            [f / aspect, 0.0, 0.0, 0.0],
            [0.0, f, 0.0, 0.0],
            [0.0, 0.0, (far + near) / (near - far), 2 * far * near / (near - far)],
            [0.0, 0.0, -1.0, 0.0],
        ]
    )


def orthographic(left: float, right: float, bottom: float, top: float, near: float, far: float) -> np.ndarray:
    """The orthographic projection: the box ``[left, right] x [bottom, top] x [-near, -far]`` -> ``[-1, 1]^3``.

    Parameters
    ----------
    left, right, bottom, top : float
        The visible box's sides in camera space, in scene units.
    near, far : float
        Distances to the clipping planes along ``-z`` (``near != far``; ``near`` may be negative).

    Returns
    -------
    ndarray, shape (4, 4), float64
        An affine matrix (last row ``[0, 0, 0, 1]``), kept as a plain array like :func:`perspective`.

    Examples
    --------
    >>> O = orthographic(-2, 2, -1, 1, 0.5, 10)
    >>> (O @ [2, 1, -0.5, 1]).tolist()
    [1.0, 1.0, -1.0, 1.0]
    """
    names = ("left", "right", "bottom", "top", "near", "far")
    values = [_number(n, v) for n, v in zip(names, (left, right, bottom, top, near, far))]
    if not all(math.isfinite(v) for v in values):
        raise AffineError(_("orthographic: expected finite bounds, got {values}").format(values=values))
    left, right, bottom, top, near, far = values
    for lo_name, lo, hi_name, hi in (("left", left, "right", right), ("bottom", bottom, "top", top), ("near", near, "far", far)):
        if lo == hi:
            raise AffineError(_("{lo_name}, {hi_name}: expected different values, got {lo} for both").format(
                lo_name=lo_name, hi_name=hi_name, lo=lo))
    return np.array(
        [
            [2 / (right - left), 0.0, 0.0, -(right + left) / (right - left)],
            [0.0, 2 / (top - bottom), 0.0, -(top + bottom) / (top - bottom)],
            [0.0, 0.0, -2 / (far - near), -(far + near) / (far - near)],
            [0.0, 0.0, 0.0, 1.0],
        ]
    )


def into_box(projection: np.ndarray, box, size: tuple[int, int]) -> np.ndarray:
    """``projection`` made to draw into the rectangle ``box`` of a ``size`` image: an off-centre projection.

    A projection sends what the camera sees onto NDC ``[-1, 1]^2``, which the viewport stretches over
    the whole image. To draw into part of the image instead (the part a window's panels leave free),
    follow it with the map that sends ``[-1, 1]^2`` onto the box's NDC rectangle,
    ``x_ndc -> s_x x_ndc + c_x`` and ``y_ndc -> s_y y_ndc + c_y``. Since ``x_ndc = x_clip / w``, that
    is ``x_clip -> s_x x_clip + c_x w`` in clip space, linear, so the result is one 4x4 matrix::

        B @ projection,   B = [[s_x, 0, 0, c_x], [0, s_y, 0, c_y], [0, 0, 1, 0], [0, 0, 0, 1]]

    The depth row and ``w`` are untouched (depth testing and the divide work as before), and the
    GPU and :mod:`affine3d.cpu.raster` apply it like any projection. Give ``projection`` the box's
    aspect (its width / height) so circles stay round. Nothing is cut at the box's edge: a solid
    larger than the box reaches past it.

    Parameters
    ----------
    projection : ndarray, shape (4, 4)
        Camera space -> clip space, for a viewport shaped like the box.
    box : (left, top, width, height)
        The rectangle, in pixels from the image's top-left corner (image rows, as :func:`project_points`).
    size : (width, height)
        The whole image, in pixels.

    Returns
    -------
    ndarray, shape (4, 4), float64

    Examples
    --------
    The camera's axis (the centre of NDC) lands on the box's centre, here (300, 250) in an 800 x 600 image:

    >>> P = into_box(perspective(math.radians(40), 400 / 300, 0.1, 10), (100, 100, 400, 300), (800, 600))
    >>> project_points(P, [[0.0, 0.0, -5.0]], (800, 600))[0, :2]
    array([300., 250.])
    """
    left, top, width, height = (float(v) for v in box)
    image_width, image_height = (float(v) for v in size)
    if width <= 0 or height <= 0 or image_width <= 0 or image_height <= 0:
        raise AffineError(_("box, size: expected positive widths and heights, got box {box} in an image of {size}").format(
            box=box, size=size))
    B = np.eye(4)
    B[0, 0], B[0, 3] = width / image_width, (2 * left + width) / image_width - 1
    B[1, 1], B[1, 3] = height / image_height, 1 - (2 * top + height) / image_height
    return B @ np.asarray(projection, dtype=np.float64)


def viewport(size) -> np.ndarray:
    """NDC -> window pixels as a (4, 4) matrix: ``x_px = (x + 1) / 2 W``, ``y_px = (1 - y) / 2 H``, ``depth = (z + 1) / 2``.

    The map :func:`clip_to_window` applies after the divide by ``w``, written as a matrix (for printing it
    next to the others, as ``affine3d trace --matrices`` does). Pixels count from the top-left corner.

    Examples
    --------
    >>> viewport((800, 600)) @ [-1.0, 1.0, -1.0, 1.0]      # NDC's top-left corner, on the near plane
    array([0., 0., 0., 1.])
    """
    width, height = size
    return np.array([[width / 2, 0.0, 0.0, width / 2],
                     [0.0, -height / 2, 0.0, height / 2],
                     [0.0, 0.0, 0.5, 0.5],
                     [0.0, 0.0, 0.0, 1.0]])


def clip_to_window(p_clip: np.ndarray, size) -> np.ndarray:
    """Clip space -> NDC (divide by ``w``) -> window pixels: ``(x_px, y_px, depth)``, as the GPU does it.

    Parameters
    ----------
    p_clip : ndarray, shape (..., 4)
        Clip coordinates with ``w > 0`` (in front of the camera).
    size : (width, height)
        The viewport, in pixels.

    Returns
    -------
    ndarray, shape (..., 3), float64
        ``x_px`` from the left edge, ``y_px`` from the top edge, ``depth`` in ``[0, 1]`` between the near and
        the far plane (the conventions above; :func:`viewport` is the same map as a matrix).

    Examples
    --------
    >>> clip_to_window(np.array([[0, 0, 0, 1.0], [-2, 2, -2, 2.0]]), (800, 600))
    array([[400. , 300. ,   0.5],
           [  0. ,   0. ,   0. ]])
    """
    p_clip = np.asarray(p_clip, dtype=np.float64)
    width, height = size
    p_ndc = p_clip[..., :3] / p_clip[..., 3:4]  # clip -> NDC: the perspective divide
    x_px = (p_ndc[..., 0] + 1) / 2 * width
    y_px = (1 - p_ndc[..., 1]) / 2 * height  # NDC y points up, image rows go down
    depth = (p_ndc[..., 2] + 1) / 2  # glDepthRange(0, 1)
    return np.stack([x_px, y_px, depth], axis=-1)


def project_points(projection: np.ndarray, points_camera: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Camera-space points -> window pixel coordinates, as the GPU does it (divide by w, viewport map).

    Parameters
    ----------
    projection : ndarray, shape (4, 4)
        From :func:`perspective` or :func:`orthographic`.
    points_camera : ndarray, shape (N, 3)
        Points in camera space (in front of the camera: ``z < 0``).
    size : (width, height)
        Viewport size in pixels.

    Returns
    -------
    ndarray, shape (N, 3), float64
        ``(x_px, y_px, depth)`` from :func:`clip_to_window`: the pixel origin at the **top-left** (image rows,
        as numpy and PNG files store them; OpenGL's window origin is bottom-left, hence the flip of ``y``),
        depth in ``[0, 1]``.
    """
    points_camera = np.asarray(points_camera, dtype=np.float64)
    if points_camera.ndim != 2 or points_camera.shape[1] != 3:
        raise AffineError(_("points_camera: expected shape (N, 3), got {shape}").format(shape=points_camera.shape))
    if not np.all(np.isfinite(points_camera)):
        raise AffineError(_("points_camera: expected finite coordinates, got NaN or inf"))
    homogeneous = np.hstack([points_camera, np.ones((len(points_camera), 1))])
    clip = homogeneous @ np.asarray(projection, dtype=np.float64).T
    if np.any(clip[:, 3] <= 0):
        raise AffineError(_("points_camera: a point is behind the camera (w <= 0); clip it before projecting"))
    return clip_to_window(clip, size)
