"""Mouse -> rotation: Shoemake's arcball and a turntable, as :class:`~affine3d.affine.Affine` rotations.

The camera never moves (see ``scene.py``): the mouse turns the *world*. Both controllers keep one
rotation ``R`` (camera space -> camera space, applied to the world about its origin) and answer
``press(x, y)``, ``drag(x, y)``, ``release()`` with window coordinates as pyglet gives them: pixels
(window points), origin at the **bottom-left**, ``y`` up. The viewer puts the result into the world
map as ``world = translation(0, 0, -distance) @ translation(pan) @ R``.

Arcball (Ken Shoemake, "ARCBALL: A User Interface for Specifying Three-Dimensional Orientation Using
a Mouse", Graphics Interface 1992). A virtual unit sphere sits in the middle of the window, its
radius half the window's shorter side. A pixel maps to the point of the sphere under it
(:meth:`Arcball.sphere_point`); a drag from ``p0`` to ``p1`` turns the world about the axis
``p0 x p1`` by the angle between them, ``atan2(|p0 x p1|, p0 . p1)``. With that (1x) angle the point
of the sphere grabbed at the press stays under the cursor. Shoemake's paper uses the quaternion
``[p0 . p1, p0 x p1]``, which turns by *twice* the angle (so a drag across the sphere's radius turns
the world half a turn, and a closed mouse path gives a closed rotation path); pass ``double=True``
for it. Outside the sphere's silhouette, ``outside="clamp"`` (Shoemake) moves the point to the rim,
so dragging there rolls the world about the view axis; ``outside="hyperbolic"`` (Bell's sheet,
``z = 1 / (2 d)`` beyond ``d = 1 / sqrt 2``, then normalised) makes the change gradual.

Each drag is anchored at its press: ``R = rotation(p0 -> p) @ R_press``, so the rotation depends on
where the mouse is, not on the path it took, and it is re-orthonormalised (SVD) at every step, so
rounding never piles up. Drags compose: the second drag starts from the first one's ``R``.

Turntable: yaw about the world's own up axis (its ``y``), then pitch about the camera's ``x``:
``R = rotation_x(pitch) @ rotation_y(yaw)``. The world's up axis goes to ``(0, cos pitch, sin
pitch)``, always in the camera's y-z plane: it never rolls. Pitch is clamped to +-89 degrees so the
world never flips over the top. Near the centre of the window both controllers turn by the same
amount per pixel, ``1 / radius`` radians.
"""

from __future__ import annotations

import math

import numpy as np

from ..affine import Affine
from ..errors import AffineError, UsageError

__all__ = ["Arcball", "Turntable", "arc_rotation", "PITCH_LIMIT"]

PITCH_LIMIT = math.radians(89.0)
"""The turntable's largest elevation, radians (89 degrees): one short of looking straight down."""

_OUTSIDE = ("clamp", "hyperbolic")


def _check_size(size) -> tuple[float, float]:
    try:
        width, height = (float(v) for v in size)
    except (TypeError, ValueError):
        raise UsageError(f"size: expected (width, height) in pixels, got {size!r}") from None
    if not (width > 0 and height > 0 and math.isfinite(width) and math.isfinite(height)):
        raise UsageError(f"size: expected a positive (width, height) in pixels, got {size!r}")
    return width, height


def _check_rotation(rotation: Affine | None) -> Affine:
    if rotation is None:
        return Affine.identity(3)
    if not isinstance(rotation, Affine) or rotation.A.shape != (3, 3):
        raise AffineError(f"rotation: expected a 3D Affine rotation, got {rotation!r}")
    if rotation.orthonormality_error() > 1e-6 or rotation.determinant < 0:
        raise AffineError(f"rotation: expected a rotation (orthonormal, det +1), got orthonormality error "
                          f"{rotation.orthonormality_error():.3g}, det {rotation.determinant:.6g}")
    return Affine(rotation.A)


def arc_rotation(p0, p1, *, double: bool = False) -> Affine:
    """The rotation that turns the unit vector ``p0`` toward ``p1`` about ``p0 x p1``.

    Parameters
    ----------
    p0, p1 : array-like, shape (3,)
        Directions in camera space (need not be unit length; they are normalised).
    double : bool
        False: turn by the angle between ``p0`` and ``p1`` (``p0`` lands on ``p1``). True: by twice
        that angle, Shoemake's quaternion ``[p0 . p1, p0 x p1]``.

    Returns
    -------
    Affine
        A rotation of R^3 (the identity when ``p0`` and ``p1`` are parallel).

    Examples
    --------
    >>> R = arc_rotation([1.0, 0, 0], [0, 1.0, 0])   # a quarter turn about z
    >>> np.round(R([1.0, 0, 0]), 12)
    array([0., 1., 0.])
    """
    p0 = np.asarray(p0, dtype=np.float64)
    p1 = np.asarray(p1, dtype=np.float64)
    p0 = p0 / np.linalg.norm(p0)
    p1 = p1 / np.linalg.norm(p1)
    axis = np.cross(p0, p1)
    sin_angle = float(np.linalg.norm(axis))
    if sin_angle < 1e-12:
        return Affine.identity(3)
    angle = math.atan2(sin_angle, float(np.dot(p0, p1)))
    return Affine.rotation(axis, 2 * angle if double else angle)


class Arcball:
    """Shoemake's arcball: drag the world around as if it were a ball under the mouse.

    Parameters
    ----------
    size : (width, height)
        The window, in the units of the mouse coordinates (pyglet: window points).
    rotation : Affine, optional
        The starting rotation (camera space -> camera space); the identity if omitted.
    double : bool
        Turn by twice the arc's angle (Shoemake's quaternion) instead of the angle itself.
    outside : {"clamp", "hyperbolic"}
        What a pixel outside the sphere's silhouette maps to (see the module docstring).

    Examples
    --------
    Drag from the centre a quarter of the radius to the right: the world turns about the vertical
    axis by ``asin(1/4)``, the angle between ``(0, 0, 1)`` and ``(1/4, 0, sqrt(15)/4)``.

    >>> ball = Arcball((800, 600))
    >>> ball.press(400, 300); R = ball.drag(475, 300)
    >>> bool(R.allclose(Affine.rotation_y(math.asin(0.25))))
    True
    """

    name = "arcball"

    def __init__(self, size, rotation: Affine | None = None, *, double: bool = False, outside: str = "clamp"):
        if outside not in _OUTSIDE:
            raise UsageError(f"outside: expected 'clamp' or 'hyperbolic', got {outside!r}")
        self.width, self.height = _check_size(size)
        self.double = bool(double)
        self.outside = outside
        self.rotation = _check_rotation(rotation)
        self._press_point: np.ndarray | None = None
        self._press_rotation = self.rotation

    @property
    def radius(self) -> float:
        """The virtual sphere's radius in pixels: half the window's shorter side."""
        return min(self.width, self.height) / 2

    def resize(self, size) -> None:
        """Follow the window's new size (a drag in progress continues from its press point)."""
        self.width, self.height = _check_size(size)

    def sphere_point(self, x: float, y: float) -> np.ndarray:
        """Window pixel (origin bottom-left, y up) -> unit vector in camera space, shape (3,) float64.

        Inside the silhouette: the point of the unit sphere under the pixel (``z >= 0``, toward the
        viewer). Outside: the nearest rim point (``clamp``) or the normalised point of the
        hyperbolic sheet ``z = 1 / (2 d)`` (``hyperbolic``, used beyond ``d = 1 / sqrt 2``).
        """
        px = (float(x) - self.width / 2) / self.radius
        py = (float(y) - self.height / 2) / self.radius
        d2 = px * px + py * py
        if self.outside == "hyperbolic":
            z = math.sqrt(1 - d2) if d2 <= 0.5 else 0.5 / math.sqrt(d2)
            p = np.array([px, py, z])
            return p / np.linalg.norm(p)
        if d2 <= 1:
            return np.array([px, py, math.sqrt(1 - d2)])
        d = math.sqrt(d2)
        return np.array([px / d, py / d, 0.0])

    def press(self, x: float, y: float) -> None:
        """Start a drag at window pixel ``(x, y)``."""
        self._press_point = self.sphere_point(x, y)
        self._press_rotation = self.rotation

    def drag(self, x: float, y: float) -> Affine:
        """The mouse is now at ``(x, y)``: set and return ``R = rotation(p_press -> p) @ R_press``."""
        if self._press_point is None:
            self.press(x, y)
        turn = arc_rotation(self._press_point, self.sphere_point(x, y), double=self.double)
        self.rotation = (turn @ self._press_rotation).orthonormalized()
        return self.rotation

    def release(self) -> None:
        """End the drag; the next one starts from the current rotation."""
        self._press_point = None

    def spin(self, angle: float) -> Affine:
        """Turn the world by ``angle`` radians about the camera's vertical axis (auto-spin)."""
        self.rotation = (Affine.rotation_y(angle) @ self.rotation).orthonormalized()
        if self._press_point is not None:
            self._press_rotation = (Affine.rotation_y(angle) @ self._press_rotation).orthonormalized()
        return self.rotation

    def reset(self, rotation: Affine | None = None) -> None:
        """Back to ``rotation`` (the identity if omitted), ending any drag."""
        self.rotation = _check_rotation(rotation)
        self._press_point = None


class Turntable:
    """A turntable: yaw about the world's up axis, pitch about the camera's x axis, never roll.

    Parameters
    ----------
    size : (width, height)
        The window, in the units of the mouse coordinates.
    rotation : Affine, optional
        A starting rotation; its roll is dropped (see :meth:`reset`).

    Examples
    --------
    >>> table = Turntable((800, 600))
    >>> table.press(400, 500); R = table.drag(400, 0)     # 500 px down is 95 degrees: pitch stops at 89
    >>> round(math.degrees(table.pitch), 9)
    89.0
    >>> bool(abs(R(np.array([0.0, 1, 0]))[0]) < 1e-15)   # world up stays in the camera's y-z plane
    True
    """

    name = "turntable"

    def __init__(self, size, rotation: Affine | None = None):
        self.width, self.height = _check_size(size)
        self.yaw = 0.0
        self.pitch = 0.0
        self._last: tuple[float, float] | None = None
        self.reset(rotation)

    @property
    def radius(self) -> float:
        """Pixels per radian: half the window's shorter side, as the arcball's sphere."""
        return min(self.width, self.height) / 2

    @property
    def rotation(self) -> Affine:
        """``rotation_x(pitch) @ rotation_y(yaw)``: camera space -> camera space."""
        return Affine.rotation_x(self.pitch) @ Affine.rotation_y(self.yaw)

    def resize(self, size) -> None:
        """Follow the window's new size."""
        self.width, self.height = _check_size(size)

    def press(self, x: float, y: float) -> None:
        """Start a drag at window pixel ``(x, y)``."""
        self._last = (float(x), float(y))

    def drag(self, x: float, y: float) -> Affine:
        """Right turns the world right (yaw), down tips its top toward the viewer (pitch, clamped)."""
        if self._last is None:
            self.press(x, y)
        x0, y0 = self._last
        self.yaw = math.remainder(self.yaw + (float(x) - x0) / self.radius, 2 * math.pi)
        self.pitch = min(PITCH_LIMIT, max(-PITCH_LIMIT, self.pitch - (float(y) - y0) / self.radius))
        self._last = (float(x), float(y))
        return self.rotation

    def release(self) -> None:
        """End the drag."""
        self._last = None

    def spin(self, angle: float) -> Affine:
        """Turn the world by ``angle`` radians about its own up axis (auto-spin)."""
        self.yaw = math.remainder(self.yaw + float(angle), 2 * math.pi)
        return self.rotation

    def reset(self, rotation: Affine | None = None) -> None:
        """Take yaw and pitch from ``rotation`` (identity if omitted), dropping any roll.

        The world's up axis lands at ``u = R e_y``; without roll ``u = (0, cos p, sin p)``, so
        ``p = atan2(u_z, u_y)`` (clamped), and ``rotation_x(-p) @ R`` is then ``rotation_y(yaw)``
        up to the dropped roll: ``yaw = atan2(M[0, 2], M[0, 0])``.
        """
        R = _check_rotation(rotation).A
        up = R[:, 1]
        self.pitch = min(PITCH_LIMIT, max(-PITCH_LIMIT, math.atan2(up[2], up[1])))
        M = Affine.rotation_x(-self.pitch).A @ R
        self.yaw = math.atan2(M[0, 2], M[0, 0])
        self._last = None
