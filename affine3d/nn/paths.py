"""Two paths from I to W: how an affine stage of a network's forward pass (:mod:`affine3d.nn.morph`) moves.

The straight path ``A(t) = (1 - t) I + t W`` has ``det A(t) = Π_k (1 - t + t λ_k)`` over the
eigenvalues ``λ_k`` of ``W``: it passes 0 (the solid flattens) at ``t = 1 / (1 - λ)`` for every
negative real eigenvalue, even when ``det W > 0`` (two negative eigenvalues: it flattens twice).
``path="polar"`` takes the other way round: the polar decomposition ``W = R S`` (``R`` a rotation,
``S`` symmetric positive semi-definite, from the SVD ``W = U Σ Vᵀ``: ``R = U Vᵀ``, ``S = V Σ Vᵀ``) and

    A(t) = R(t) ((1 - t) I + t S),   R(t) = exp(t log R)

a rotation turning at a steady rate from ``I`` to ``R`` (the rotation of the lecture's quaternion
slerp, in any dimension) times a stretch growing linearly from ``I`` to ``S``. Then
``det A(t) = det((1 - t) I + t S) > 0`` for all ``t < 1``: the solid turns and stretches but never
flattens. If ``det W < 0`` no continuous path from ``I`` (det 1) to ``W`` can avoid ``det = 0``;
then ``R`` is a rotation times the mirror along ``W``'s least-stretched direction, and that one
direction passes through 0 once (swapping two neurons, two rows of ``W``, would make ``det W > 0``).

Numpy only; the GPU morph (:mod:`affine3d.gl.morph`) and the page (``web/static/js/morph.js``) take ``A(t)`` from here.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import ModelError
from ..i18n import _

__all__ = ["PATHS", "PolarPath", "polar_decomposition", "rotation_log", "rotation_power", "straight_path_flattens",
           "check_path"]

PATHS = ("linear", "polar")
"""How an affine stage goes from ``I`` to ``W``: the straight line, or a rotation times a stretch."""

# A rotation angle this close to π (cos θ < -1 + NEAR_HALF_TURN) has its plane's logarithm taken on its own.
NEAR_HALF_TURN = 1e-6


def polar_decomposition(W) -> tuple[np.ndarray, np.ndarray]:
    """``W = R S``: ``R`` orthogonal, ``S`` symmetric positive semi-definite (definite when ``W`` is invertible).

    From the singular value decomposition ``W = U Σ Vᵀ``: ``R = U Vᵀ`` (the rotation, or rotation and
    mirror, nearest to ``W``) and ``S = V Σ Vᵀ`` (a stretch by ``σ_k`` along the directions ``v_k``).

    Parameters
    ----------
    W : array-like, shape (n, n)

    Returns
    -------
    R, S : ndarray, shape (n, n), float64

    Examples
    --------
    >>> R, S = polar_decomposition([[0.0, -2.0], [1.0, 0.0]])    # a quarter turn after stretching x by 1, y by 2
    >>> R.round(12) + 0.0, S.round(12) + 0.0
    (array([[ 0., -1.],
           [ 1.,  0.]]), array([[1., 0.],
           [0., 2.]]))
    """
    W = np.asarray(W, dtype=np.float64)
    U, sigma, Vt = np.linalg.svd(W)
    return U @ Vt, (Vt.T * sigma) @ Vt


def _skew_planes(M: np.ndarray) -> np.ndarray:
    """A complex structure ``J`` (``J² = -I``, ``Jᵀ = -J``) commuting with the skew matrix ``M`` (even size)."""
    k = len(M)
    if np.max(np.abs(M)) < 1e-12:  # any pairing of the axes will do
        J = np.zeros((k, k))
        for j in range(0, k, 2):
            J[j + 1, j], J[j, j + 1] = 1.0, -1.0
        return J
    _unused, V = np.linalg.eigh(-M @ M)  # M's invariant planes: eigenvalues φ² in pairs
    J = np.zeros((k, k))
    for j in range(0, k, 2):
        a, b = V[:, j], V[:, j + 1]
        J += np.outer(b, a) - np.outer(a, b)
    return J


def rotation_log(R) -> np.ndarray:
    """The logarithm of a rotation: the skew-symmetric ``L`` with ``exp(L) = R``, angles in ``[-π, π]``.

    In every plane that ``R`` turns by ``θ``, ``(R - Rᵀ) / 2 = sin θ J`` and ``(R + Rᵀ) / 2 = cos θ``;
    so ``L = f(C) K`` with ``C = (R + Rᵀ)/2``, ``K = (R - Rᵀ)/2`` and ``f(cos θ) = θ / sin θ``, taken
    through the eigenvectors of the symmetric ``C``. Planes turned by (nearly) a half turn, where
    ``sin θ`` vanishes, are read directly: ``θ = atan2(sin θ, cos θ)`` in their own 2x2 block.

    Parameters
    ----------
    R : array-like, shape (n, n)
        Orthogonal with determinant +1.

    Returns
    -------
    ndarray, shape (n, n), skew-symmetric

    Examples
    --------
    >>> from affine3d import Affine
    >>> L = rotation_log(Affine.rotation_z(0.5).A)
    >>> L.round(12) + 0.0
    array([[ 0. , -0.5,  0. ],
           [ 0.5,  0. ,  0. ],
           [ 0. ,  0. ,  0. ]])
    """
    R = np.asarray(R, dtype=np.float64)
    K, C = (R - R.T) / 2, (R + R.T) / 2
    cosines, Q = np.linalg.eigh(C)  # ascending: half turns first
    half = int(np.sum(cosines < -1 + NEAR_HALF_TURN))
    half += half % 2  # a plane has two directions
    theta = np.arccos(np.clip(cosines[half:], -1.0, 1.0))
    sine = np.sin(theta)
    f = np.divide(theta, sine, out=np.ones_like(theta), where=sine > 1e-12)  # θ / sin θ -> 1 as θ -> 0
    Q_rest = Q[:, half:]
    L = (Q_rest * f) @ Q_rest.T @ K
    if half:
        Q_half = Q[:, :half]
        block = Q_half.T @ R @ Q_half  # R in the half-turn planes: close to -I
        if half == 2:
            angle = math.atan2(block[1, 0] - block[0, 1], block[0, 0] + block[1, 1])
            log_block = np.array([[0.0, -angle], [angle, 0.0]])
        else:  # several planes at a half turn: -block is a small rotation M; log = π J + M with J M = M J
            M = rotation_log(-block)
            log_block = math.pi * _skew_planes(M) + M
        L = L + Q_half @ log_block @ Q_half.T
    return (L - L.T) / 2


def _skew_exp(L: np.ndarray, t: float) -> np.ndarray:
    """``exp(t L)`` for a skew-symmetric ``L``: ``i L`` is Hermitian, ``i L = U diag(ω) U*``, so ``exp(t L) = U diag(e^{-iωt}) U*``."""
    omega, U = np.linalg.eigh(1j * L)
    return ((U * np.exp(-1j * omega * t)) @ U.conj().T).real


def rotation_power(R, t: float) -> np.ndarray:
    """``R^t = exp(t log R)``: the rotation a fraction ``t`` of the way from ``I`` to ``R``, at a steady rate.

    In 3D this is the spherical linear interpolation (slerp) of the quaternions of ``I`` and ``R``.

    Examples
    --------
    >>> from affine3d import Affine
    >>> np.allclose(rotation_power(Affine.rotation_x(1.2).A, 0.25), Affine.rotation_x(0.3).A)
    True
    """
    return _skew_exp(rotation_log(R), float(t))


class PolarPath:
    """The path ``A(t) = R(t) ((1 - t) I + t S)`` from ``I`` (``t = 0``) to ``W`` (``t = 1``), ``R(t) = exp(t L)``.

    ``W = R S`` (:func:`polar_decomposition`). When ``det R = -1`` (``det W < 0``, or ``W`` singular)
    the mirror is moved into ``S``: ``R`` times ``D = I - 2 v vᵀ``, ``v`` the direction ``W`` stretches
    least, is a rotation, and ``D S`` is still symmetric. Then ``det A(t) = det((1 - t) I + t S)``: for
    ``t < 1`` positive when ``S`` is positive semi-definite, and crossing 0 exactly once, at
    ``t = 1 / (1 + σ_min)``, when ``det W < 0``.

    Parameters
    ----------
    W : array-like, shape (n, n)

    Attributes
    ----------
    rotation : ndarray, shape (n, n)
        ``R``, determinant +1.
    log : ndarray, shape (n, n)
        ``L = log R``, skew-symmetric.
    stretch : ndarray, shape (n, n)
        ``S``, symmetric: ``R S = W``.
    mirrored : bool
        ``det W < 0``: ``S`` has one negative eigenvalue, and ``det A(t)`` must pass 0.

    Examples
    --------
    >>> W = np.diag([-1.0, -2.0, 1.0])                  # det 2 > 0, but two negative eigenvalues
    >>> path = PolarPath(W)
    >>> np.allclose(path.at(0.0), np.eye(3)), np.allclose(path.at(1.0), W)
    (True, True)
    >>> bool(min(np.linalg.det(path.at(t)) for t in np.linspace(0, 1, 101)) > 0)   # never flat
    True
    >>> bool(min(np.linalg.det((1 - t) * np.eye(3) + t * W) for t in np.linspace(0, 1, 101)) < 0)   # the straight path is
    True
    """

    def __init__(self, W):
        W = np.asarray(W, dtype=np.float64)
        U, sigma, Vt = np.linalg.svd(W)
        if np.linalg.det(U) * np.linalg.det(Vt) < 0:  # R = U Vᵀ is a mirror: flip the least-stretched direction
            U = U.copy()
            U[:, -1] *= -1
            sigma = sigma.copy()
            sigma[-1] *= -1
        self.W = W
        self.rotation = U @ Vt
        self.stretch = (Vt.T * sigma) @ Vt
        self.mirrored = bool(sigma[-1] < 0)
        self.log = rotation_log(self.rotation)

    def at(self, t: float) -> np.ndarray:
        """``A(t)``, shape (n, n): exactly ``I`` at ``t = 0`` and ``W`` (to rounding) at ``t = 1``."""
        t = float(t)
        n = len(self.W)
        if t == 0.0:
            return np.eye(n)
        return _skew_exp(self.log, t) @ ((1.0 - t) * np.eye(n) + t * self.stretch)


def check_path(path: str) -> str:
    """``path`` if it is one of :data:`PATHS`, else a :class:`~affine3d.errors.ModelError` naming them."""
    if path not in PATHS:
        raise ModelError(_("path: expected one of {names}, got {path}").format(
            names=', '.join(PATHS), path=repr(path)))
    return path


def straight_path_flattens(W) -> bool:
    """Whether ``(1 - t) I + t W`` passes ``det = 0`` for some ``t`` in ``(0, 1]``: ``W`` has a real eigenvalue <= 0."""
    eigenvalues = np.linalg.eigvals(np.asarray(W, dtype=np.float64))
    real = eigenvalues[np.abs(eigenvalues.imag) <= 1e-12 * max(1.0, float(np.max(np.abs(eigenvalues))))].real
    return bool(np.any(real <= 0))
