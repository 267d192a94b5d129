"""Watch a network warp space: the forward pass of a 3 → … → 3 MLP, one stage at a time.

The lecture writes a network as ``F = σ_k ∘ F_k ∘ … ∘ σ_1 ∘ F_1``. Applied to the vertices of a
polyhedron, each factor moves the solid, so the forward pass becomes an animation in *stages*: for
each layer ``i``, first its affine map ``F_i(x) = W_i x + b_i``, then its activation ``σ_i``.
A stage runs from ``t = 0`` (the solid as the previous stage left it) to ``t = 1`` (as this stage
leaves it):

- affine stage: ``A(t) = (1 - t) I + t W``, ``b(t) = t b``, so ``x(t) = A(t) x + b(t)``; at ``t = 0``
  nothing has moved, at ``t = 1`` the point is at ``W x + b``. Since ``A(t) x + b(t) = (1 - t) x +
  t (W x + b)``, every vertex travels in a straight line to its image, and at every ``t`` the solid
  is an affine image of where it started (flat faces stay flat); ``det A(t)`` shows when it
  flattens (``det = 0``) or turns inside out (``det < 0``; it must pass through 0 on the way from
  ``det I = 1``, and can do so twice even when ``det W > 0``).
- activation stage: ``x(t) = (1 - t) x + t σ(x)``, element by element (softmax by rows).

Two paths from I to W
---------------------
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

Stages whose activation is the identity are left out: nothing would move. A 3-64-3 network with a
tanh hidden layer and a linear output thus has three stages: ``layer 1 of 2: affine``, ``layer 1
of 2: tanh``, ``layer 2 of 2: affine``.

Hidden layers that are not 3 wide
---------------------------------
The values of a vertex after layer ``i`` live in ``R^h`` (``h`` the layer's width); the screen shows
``R^3``. Each *space* (the input, and the output of each layer) gets one fixed affine
**display map** ``D: R^h -> R^3``:

- ``h = 3``: the identity: the values *are* the positions (a network that is 3 wide throughout
  is shown exactly as it computes);
- ``h < 3``: the values padded with zeros (a 3 -> 2 layer flattens the solid onto the plane z = 0);
- ``h > 3``: the orthogonal projection onto the 3D subspace in which the sample points (the
  mesh's vertices) spread the most: the first three principal directions of the layer's values
  over those points (its pre- and post-activation values together), turned within that subspace
  to line up as well as possible with the previous space's picture (orthogonal Procrustes) and
  centred where the previous picture was, so the solid does not jump or spin between stages.
  Without sample points, the first three coordinates.

A layer ``m -> n`` with ``m != n`` animates in ``R^N``, ``N = max(m, n)``: both ends padded with zeros
and ``W`` padded to an ``N x N`` matrix. When ``N <= 3`` the padded values are drawn as they are (a
3 -> 2 layer squeezes the solid linearly onto the plane z = 0); when ``N > 3`` the picture blends the
two spaces' display maps, ``D(t) = (1 - t) D_in + t D_out``, so ``t = 0`` and ``t = 1`` show exactly
the neighbouring stages.

Numpy only: no OpenGL here (the GPU path is :mod:`affine3d.gl.morph`).

Examples
--------
>>> from affine3d.nn.mlp import MLP
>>> net = MLP.from_arrays([2 * np.eye(3), np.eye(3)], [np.zeros(3), np.ones(3)], ["tanh", "identity"])
>>> morph = Morph(net)
>>> [stage.name for stage in morph.stages]
['layer 1 of 2: affine', 'layer 1 of 2: tanh', 'layer 2 of 2: affine']
>>> morph.positions(0, 0.5, np.array([[1.0, 0.0, 0.0]]))     # halfway from x to 2 x
array([[1.5, 0. , 0. ]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .model import check_dims
from .activations import Activation
from ..affine import Affine
from ..errors import ModelError

__all__ = ["Stage", "StageInfo", "Morph", "StagePlayer", "PolarPath", "PATHS", "polar_decomposition", "rotation_log",
           "rotation_power", "stage_times", "check_model"]

STAGE_KINDS = ("affine", "activation")

# Singular values below this fraction of the largest count as zero (the map flattens the solid).
SINGULAR_RTOL = 1e-9


def check_model(mlp) -> None:
    """Raise :class:`~affine3d.errors.ModelError` unless ``mlp`` maps R^3 to R^3 (:func:`affine3d.nn.model.check_dims`).

    The message names the width found and the layer's weight shape, e.g.
    ``"model: expected 3 inputs (a point of 3D space), got 2: W1 has shape (8, 2)"``.
    """
    check_dims(mlp, (3, 3))


# ---------------------------------------------------------------------------------------- paths from I to W
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
    _, V = np.linalg.eigh(-M @ M)  # M's invariant planes: eigenvalues φ² in pairs
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


def _check_path(path: str) -> str:
    if path not in PATHS:
        raise ModelError(f"path: expected one of {', '.join(PATHS)}, got {path!r}")
    return path


def straight_path_flattens(W) -> bool:
    """Whether ``(1 - t) I + t W`` passes ``det = 0`` for some ``t`` in ``(0, 1]``: ``W`` has a real eigenvalue <= 0."""
    eigenvalues = np.linalg.eigvals(np.asarray(W, dtype=np.float64))
    real = eigenvalues[np.abs(eigenvalues.imag) <= 1e-12 * max(1.0, float(np.max(np.abs(eigenvalues))))].real
    return bool(np.any(real <= 0))


# ---------------------------------------------------------------------------------------- stages
@dataclass(frozen=True)
class Stage:
    """One stage of the forward pass: a layer's affine step or its activation.

    Attributes
    ----------
    index : int
        0-based position in :attr:`Morph.stages`.
    layer : int
        1-based layer number (``F_1`` is layer 1, as in the lecture).
    n_layers : int
    kind : str
        ``"affine"`` or ``"activation"``.
    affine : Affine
        The layer's map ``F_i`` (``A = W_i``, shape (out, in)); both stages of a layer carry it, so
        a HUD can show the layer's matrix during its activation too.
    activation : Activation
    width_in, width_out : int
        Widths of the values at ``t = 0`` and at ``t = 1``.
    path : {"linear", "polar"}
        How an affine stage goes from ``I`` to ``W`` (see the module docstring, "Two paths from I to W").
    polar : PolarPath or None
        The polar path of an affine stage (made once, when ``path`` is "polar").
    """

    index: int
    layer: int
    n_layers: int
    kind: str
    affine: Affine
    activation: Activation
    width_in: int
    width_out: int
    path: str = "linear"
    polar: PolarPath | None = field(default=None, compare=False, repr=False)

    @property
    def name(self) -> str:
        """``"layer 2 of 3: affine"`` or ``"layer 2 of 3: tanh"``."""
        what = "affine" if self.kind == "affine" else str(self.activation)
        return f"layer {self.layer} of {self.n_layers}: {what}"

    @property
    def width(self) -> int:
        """Width of the values during the stage: ``max(width_in, width_out)`` (the shorter end padded with zeros)."""
        return max(self.width_in, self.width_out)

    def map_at(self, t: float) -> Affine:
        """The affine stage's map at time ``t`` on ``R^width``: ``A(t) x + b(t)`` with ``b(t) = t b`` and

        - path "linear": ``A(t) = (1 - t) I + t W``;
        - path "polar": ``A(t) = R(t) ((1 - t) I + t S)`` (:class:`PolarPath`).

        ``W`` (out, in) is padded with zeros to ``width x width`` (and ``b`` to ``width``) when the
        layer is not square. Only for affine stages.
        """
        if self.kind != "affine":
            raise ModelError(f"stage {self.name!r}: map_at() is for affine stages; this is an activation")
        W, b = _padded(self.affine, self.width)
        t = float(t)
        if self.path == "polar":
            polar = self.polar if self.polar is not None else PolarPath(W)
            return Affine(polar.at(t), t * b)
        return Affine((1.0 - t) * np.eye(self.width) + t * W, t * b)

    def end(self, start: np.ndarray) -> np.ndarray:
        """Where the stage takes ``start`` (N, width_in) at ``t = 1``: ``W x + b`` or ``σ(x)``; (N, width_out)."""
        if self.kind == "affine":
            return self.affine(start)
        return self.activation(start)


def _padded(affine: Affine, width: int) -> tuple[np.ndarray, np.ndarray]:
    """``W`` and ``b`` padded with zeros to ``(width, width)`` and ``(width,)``."""
    W = np.zeros((width, width))
    W[: affine.dim_out, : affine.dim_in] = affine.A
    b = np.zeros(width)
    b[: affine.dim_out] = affine.b
    return W, b


def _pad(values: np.ndarray, width: int) -> np.ndarray:
    """Rows padded with zero columns to ``width`` (the same array if already that wide)."""
    if values.shape[-1] == width:
        return values
    out = np.zeros(values.shape[:-1] + (width,), dtype=values.dtype)
    out[..., : values.shape[-1]] = values
    return out


def stage_times(frames_per_stage: int) -> np.ndarray:
    """``frames_per_stage`` times in ``(0, 1]``, evenly spaced and ending at 1: the in-between frames of a stage.

    Examples
    --------
    >>> stage_times(4)
    array([0.25, 0.5 , 0.75, 1.  ])
    """
    n = int(frames_per_stage)
    if n < 1:
        raise ModelError(f"frames_per_stage: expected 1 or more, got {frames_per_stage}")
    return np.arange(1, n + 1) / n


# ---------------------------------------------------------------------------------------- HUD facts
@dataclass(frozen=True)
class StageInfo:
    """What a HUD shows about a stage: the layer's matrix, its determinant and singular values.

    Attributes
    ----------
    stage : Stage
    W : ndarray, shape (out, in)
        The layer's weights.
    b : ndarray, shape (out,)
    determinant : float or None
        ``det W``; None when ``W`` is not square (no volume to compare).
    singular_values : ndarray, shape (min(out, in),)
        Descending: how much the layer stretches along its principal axes.
    rank : int
        Singular values above ``1e-9`` times the largest.
    """

    stage: Stage
    W: np.ndarray
    b: np.ndarray
    determinant: float | None
    singular_values: np.ndarray
    rank: int

    @property
    def singular(self) -> bool:
        """True when the layer loses a dimension of its input: it flattens the solid (onto a plane, a line)."""
        return self.rank < self.W.shape[1]

    def determinant_at(self, t: float) -> float | None:
        """``det A(t)`` of the affine stage's interpolated map (None if ``W`` is not square).

        It moves from 1 at ``t = 0`` to ``det W`` at ``t = 1``; if ``det W < 0`` it must cross 0 on
        the way: the solid flattens, then comes out inside out. On the straight path it can cross 0
        (twice) even when ``det W > 0``; on the polar path it cannot.
        """
        if self.determinant is None:
            return None
        return float(np.linalg.det(self.stage.map_at(t).A))

    def lines(self, t: float | None = None, digits: int = 2) -> list[str]:
        """Text lines for a HUD: the stage, ``W`` next to ``b``, det, singular values, what they mean."""
        stage = self.stage
        i = stage.layer
        head = stage.name if t is None else f"{stage.name}   t = {t:.2f}"
        lines = [head]
        if stage.kind == "affine" and stage.path == "polar":
            lines.append(f"x -> A(t) x + b(t),  A(t) = R(t) ((1-t) I + t S),  W{i} = R S,  b(t) = t b{i}")
        elif stage.kind == "affine":
            lines.append(f"x -> A(t) x + b(t),  A(t) = (1-t) I + t W{i},  b(t) = t b{i}")
        else:
            lines.append(f"x -> (1-t) x + t {stage.activation}(x)   (element-wise, after W{i} x + b{i})")
        out, n_in = self.W.shape
        lines.append(f"W{i} ({out}x{n_in}) | b{i}")
        width = digits + 4

        def number(v: float) -> str:  # no "-0.00"
            return f"{round(float(v), digits) + 0.0:{width}.{digits}f}"

        for row, bias in zip(self.W[:8], self.b[:8]):
            cells = " ".join(number(v) for v in row[:8])
            more = " ..." if n_in > 8 else ""
            lines.append(f"[{cells}{more} ] [{number(bias)}]")
        if out > 8:
            lines.append(f"... ({out - 8} more rows)")
        def small(v: float) -> str:  # fixed point, or powers of ten for what would print as 0.00
            v = float(v)
            return f"{v:.1e}" if v != 0 and abs(v) < 0.5 * 10.0**-digits else f"{round(v, digits) + 0.0:.{digits}f}"

        sv = ", ".join(small(s) for s in self.singular_values[:8])
        if self.determinant is None:
            lines.append(f"det: none ({out}x{n_in} is not square); singular values {sv}")
        else:
            det = self.determinant
            note = ""
            if self.rank < len(self.W):
                note = "  singular: flattens the solid"
            elif det < 0:
                note = "  < 0: turns the solid inside out"
            lines.append(f"det W{i} = {small(det)}{note}")
            lines.append(f"singular values {sv}")
            if stage.kind == "affine" and t is not None:
                lines.append(f"det A(t) = {small(self.determinant_at(t))}")
        if out < n_in:
            lines.append(f"{n_in} -> {out}: the layer drops to {out} dimensions")
        return lines


    def path_notes(self) -> list[str]:
        """What the path from ``I`` to ``W`` must do: a mirror needs det A(t) = 0; a straight path may flatten needlessly.

        Lines for a HUD, below :meth:`lines` (the viewer shows them during an affine stage); empty when
        there is nothing to say (det W > 0 on the polar path, or no negative eigenvalue).
        """
        i, det = self.stage.layer, self.determinant
        if det is None or self.rank < len(self.W):
            return []
        if det < 0:
            return ["det W < 0: every path from I (det 1) to W passes det 0;",
                    f"swap two neurons (two rows of W{i}) and det W{i} > 0"]
        if self.stage.path == "linear" and straight_path_flattens(self.W):
            return ["W has a negative eigenvalue: this straight path passes det 0;",
                    "--path polar turns instead (det A(t) > 0 all the way)"]
        return []


def stage_info(stage: Stage) -> StageInfo:
    """The facts a HUD shows for ``stage`` (see :class:`StageInfo`)."""
    W, b = stage.affine.A, stage.affine.b
    s = np.linalg.svd(W, compute_uv=False)
    rank = int(np.sum(s > SINGULAR_RTOL * s[0])) if s.size and s[0] > 0 else 0
    det = float(np.linalg.det(W)) if W.shape[0] == W.shape[1] else None
    return StageInfo(stage, W, b, det, s, rank)


# ---------------------------------------------------------------------------------------- the morph
class Morph:
    """The forward pass of a 3 -> ... -> 3 MLP as stages that move points, with their display maps.

    Parameters
    ----------
    mlp : MLP
        3 inputs and 3 outputs; hidden layers of any width.
    points : array-like, shape (N, 3), optional
        Sample points (a mesh's vertices, in the space the network is applied in) used to choose
        the display of hidden layers wider than 3 (see the module docstring). Without them, such
        layers show their first three coordinates.
    path : {"linear", "polar"}
        How each affine stage goes from ``I`` to ``W`` (module docstring: "Two paths from I to W").

    Raises
    ------
    ModelError
        If the network does not take or return 3D points, or the path is unknown.
    """

    def __init__(self, mlp, points=None, path: str = "linear"):
        check_model(mlp)
        self.mlp = mlp
        self.path = _check_path(path)
        layers = mlp.layers
        n = len(layers)
        stages: list[Stage] = []
        for i, layer in enumerate(layers, start=1):
            m, h = layer.affine.dim_in, layer.affine.dim_out
            polar = PolarPath(_padded(layer.affine, max(m, h))[0]) if path == "polar" else None
            stages.append(Stage(len(stages), i, n, "affine", layer.affine, layer.activation, m, h, path, polar))
            if not layer.activation.is_identity:
                stages.append(Stage(len(stages), i, n, "activation", layer.affine, layer.activation, h, h, path))
        self.stages: tuple[Stage, ...] = tuple(stages)
        self._infos = [stage_info(s) for s in self.stages]
        self.displays: tuple[Affine, ...] = tuple(self._display_maps(points))

    # ------------------------------------------------------------------ sizes
    @property
    def n_stages(self) -> int:
        return len(self.stages)

    @property
    def max_width(self) -> int:
        """The widest values any stage holds (3 for a network 3 wide throughout)."""
        return max(s.width for s in self.stages)

    def stage(self, index) -> Stage:
        """Stage by index (negative counts from the end), by name (``"layer 1 of 2: tanh"``) or by Stage (its index)."""
        if isinstance(index, Stage):  # this morph's stage at that position (a stage of another network of the same sizes
            index = index.index      # names the same step: live training swaps networks under a paused player)
        if isinstance(index, str):
            for s in self.stages:
                if s.name == index:
                    return s
            raise ModelError(f"stage: no stage called {index!r}; expected one of: {', '.join(s.name for s in self.stages)}")
        try:
            return self.stages[int(index)]
        except (IndexError, TypeError, ValueError):
            raise ModelError(f"stage: expected an index in 0..{self.n_stages - 1} or a name, got {index!r}") from None

    def info(self, stage) -> StageInfo:
        """HUD facts for a stage (the layer's W, det, singular values)."""
        return self._infos[self.stage(stage).index]

    # ------------------------------------------------------------------ values
    def keyframes(self, points) -> list[np.ndarray]:
        """The values at every stage boundary: ``[x, end of stage 0, end of stage 1, ...]``.

        Entry ``s`` has shape (N, stages[s].width_in) (the last, (N, 3), is the network's output).
        The same arithmetic as :meth:`MLP.trace`, so the entries equal its ``z_i`` and ``a_i``.
        """
        x = self._check_points(points)
        frames = [x]
        for stage in self.stages:
            frames.append(stage.end(frames[-1]))
        return frames

    def values(self, stage, t: float, start) -> np.ndarray:
        """The values at time ``t`` of ``stage``, from the values ``start`` at its beginning.

        Parameters
        ----------
        stage : int, str or Stage
        t : float in [0, 1]
        start : ndarray, shape (N, width_in)

        Returns
        -------
        ndarray, shape (N, stage.width), float64
            ``(1 - t) x + t end(x)``, the shorter end padded with zeros; for an affine stage this is
            ``A(t) x + b(t)`` (:meth:`Stage.map_at`). Exactly ``start`` at ``t = 0`` and exactly the
            stage's result at ``t = 1`` (padded to ``width``).
        """
        stage = self.stage(stage)
        t = _check_t(t)
        start = np.asarray(start, dtype=np.float64)
        if start.ndim != 2 or start.shape[1] != stage.width_in:
            raise ModelError(f"start: expected shape (N, {stage.width_in}) for stage {stage.name!r}, got {start.shape}")
        end = _pad(stage.end(start), stage.width)
        start = _pad(start, stage.width)
        if t == 0.0:
            return start.copy()
        if t == 1.0:
            return end
        if stage.kind == "affine" and stage.path == "polar":  # not a straight line: A(t) x + b(t)
            return stage.map_at(t)(start)
        return (1.0 - t) * start + t * end

    def display(self, stage, t: float) -> Affine:
        """The display map at ``t`` of ``stage``: ``R^width -> R^3`` (scene units).

        For an affine stage at most 3 wide, the padded values as they are; for a wider one,
        ``(1 - t) D_in + t D_out`` (each applied to the first coordinates of the padded values); for
        an activation stage, its space's fixed ``D``.
        """
        stage = self.stage(stage)
        t = _check_t(t)
        if stage.kind == "activation":
            return self.displays[stage.layer]
        if stage.width <= 3:  # both ends are drawn as they are (padded with zeros): no blending needed
            return Affine(np.eye(3, stage.width))
        d_in, d_out = (_widened(self.displays[j], stage.width) for j in (stage.layer - 1, stage.layer))
        if t == 0.0:
            return d_in
        if t == 1.0:
            return d_out
        return Affine((1.0 - t) * d_in.A + t * d_out.A, (1.0 - t) * d_in.b + t * d_out.b)

    def positions(self, stage, t: float, start) -> np.ndarray:
        """Where the points are drawn at time ``t`` of ``stage``: (N, 3) float64, from ``start`` (N, width_in).

        For a network 3 wide throughout this is :meth:`values` itself.
        """
        stage = self.stage(stage)
        return self.display(stage, t)(self.values(stage, t, start))

    def frames(self, points, frames_per_stage: int = 12):
        """Every frame of the animation: yields ``(stage, t, positions (N, 3))``, starting with the input.

        The first frame is ``(stages[0], 0.0, x)``; then ``frames_per_stage`` frames per stage with
        ``t`` in ``(0, 1]`` (:func:`stage_times`).
        """
        keys = self.keyframes(points)
        yield self.stages[0], 0.0, self.display(0, 0.0)(keys[0])
        for stage in self.stages:
            for t in stage_times(frames_per_stage):
                yield stage, float(t), self.positions(stage, t, keys[stage.index])

    # ------------------------------------------------------------------ internals
    def _check_points(self, points) -> np.ndarray:
        x = np.asarray(points, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != 3:
            raise ModelError(f"points: expected shape (N, 3), got {x.shape}")
        return x

    def _display_maps(self, points) -> list[Affine]:
        """One display map per space: 0 = the input (the identity), i = layer i's output."""
        maps = [Affine.identity(3)]
        keys = None if points is None else self.keyframes(points)
        for i, layer in enumerate(self.mlp.layers, start=1):
            h = layer.affine.dim_out
            if h <= 3:
                maps.append(Affine(np.eye(3, h)))
                continue
            if keys is None:
                maps.append(Affine(np.eye(3, h)))
                continue
            # This layer's values over the sample points: its affine result and its activation's.
            ends = [k for s, k in zip(self.stages, keys[1:]) if s.layer == i]
            values = np.vstack(ends)
            # Where the previous space put the same points (the input of this layer's affine stage).
            first = next(s for s in self.stages if s.layer == i)
            before = maps[-1](keys[first.index])
            maps.append(_principal_display(values, np.vstack([before] * len(ends))))
        return maps


def _principal_display(values: np.ndarray, previous: np.ndarray) -> Affine:
    """``D(x) = Rᵀ Uᵀ (x - mean) + centre``: ``U`` the top-3 principal directions of ``values`` (N, h),
    ``R`` the orthogonal 3x3 that best lines the result up with ``previous`` (N, 3) (Procrustes),
    ``centre`` the mean of ``previous``."""
    mean = values.mean(axis=0)
    centred = values - mean
    _, _, Vt = np.linalg.svd(centred, full_matrices=False)
    U = Vt[:3].T  # (h, 3), orthonormal columns
    shown = centred @ U
    target = previous - previous.mean(axis=0)
    P, _, Qt = np.linalg.svd(shown.T @ target)
    R = P @ Qt  # minimises |shown R - target|
    A = (U @ R).T  # (3, h)
    return Affine(A, previous.mean(axis=0) - A @ mean)


def _widened(display: Affine, width: int) -> Affine:
    """A display map ``R^h -> R^3`` made to take ``R^width`` (width >= h), ignoring the extra coordinates."""
    if display.dim_in == width:
        return display
    A = np.zeros((3, width))
    A[:, : display.dim_in] = display.A
    return Affine(A, display.b)


def _check_t(t) -> float:
    t = float(t)
    if not 0.0 <= t <= 1.0:
        raise ModelError(f"t: expected a time in [0, 1], got {t}")
    return t


# ---------------------------------------------------------------------------------------- playing it
class StagePlayer:
    """Where an animation of the stages is: a position ``p`` in ``[0, n_stages]``, playing or paused.

    ``p = k + t`` is time ``t`` of stage ``k``; a whole number ``p = k >= 1`` is the end of stage
    ``k - 1`` (the same picture as the start of stage ``k``). Playing, ``p`` grows by one every
    ``seconds_per_stage`` seconds and rests ``hold_s`` at each stage's end, so the finished shape
    can be seen; after the last stage it rests, then starts again from the input.

    Stepping and scrubbing pause the playback (a student looking at a stage does not want it to run away).

    Examples
    --------
    >>> player = StagePlayer(3, seconds_per_stage=2.0, hold_s=0.0)
    >>> player.update(1.0); player.stage_index, player.t
    (0, 0.5)
    >>> player.next(); player.stage_index, player.t, player.playing
    (0, 1.0, False)
    """

    def __init__(self, n_stages: int, seconds_per_stage: float = 2.0, hold_s: float = 0.6, *, playing: bool = True):
        if int(n_stages) < 1:
            raise ModelError(f"n_stages: expected 1 or more, got {n_stages}")
        if not seconds_per_stage > 0 or not hold_s >= 0:
            raise ModelError(f"seconds_per_stage, hold_s: expected > 0 and >= 0, got {seconds_per_stage}, {hold_s}")
        self.n_stages = int(n_stages)
        self.seconds_per_stage = float(seconds_per_stage)
        self.hold_s = float(hold_s)
        self.playing = bool(playing)
        self.position = 0.0
        self._held = 0.0

    @property
    def stage_index(self) -> int:
        """The stage shown: ``ceil(p) - 1`` (0 at the input)."""
        return max(0, math.ceil(self.position) - 1)

    @property
    def t(self) -> float:
        """Time within :attr:`stage_index`, in [0, 1]: 1.0 at a stage's end, 0.0 only at the input."""
        return float(self.position - self.stage_index)

    @property
    def at_input(self) -> bool:
        return self.position == 0.0

    def update(self, dt_s: float) -> None:
        """Advance the clock by ``dt_s`` seconds (nothing happens while paused)."""
        if not self.playing or dt_s <= 0:
            return
        remaining = float(dt_s)
        while remaining > 0:
            if self.position == int(self.position) and self._held < self._hold_here():
                wait = min(remaining, self._hold_here() - self._held)  # resting at a stage boundary
                self._held += wait
                remaining -= wait
                continue
            if self.position >= self.n_stages:  # rested at the end: start again
                self.position, self._held = 0.0, 0.0
                continue
            boundary = math.floor(self.position) + 1
            step = remaining / self.seconds_per_stage
            if self.position + step >= boundary:
                remaining -= (boundary - self.position) * self.seconds_per_stage
                self.position, self._held = float(boundary), 0.0
            else:
                self.position += step
                remaining = 0.0

    def _hold_here(self) -> float:
        if self.position == 0.0:
            return self.hold_s
        return 3 * self.hold_s if self.position >= self.n_stages else self.hold_s

    def toggle(self) -> None:
        """Play / pause; playing from the very end starts again at the input."""
        self.playing = not self.playing
        if self.playing and self.position >= self.n_stages:
            self.position, self._held = 0.0, self.hold_s

    def next(self) -> None:
        """Pause at the end of the stage shown (or of the next one, if already there)."""
        self.seek(math.floor(self.position) + 1)

    def previous(self) -> None:
        """Pause at the start of the stage shown (or of the one before, if already there)."""
        self.seek(math.ceil(self.position) - 1)

    def scrub(self, stages: float) -> None:
        """Move by ``stages`` (a fraction of a stage, + forward, - back) and pause."""
        self.seek(self.position + float(stages))

    def seek(self, position: float) -> None:
        """Pause at ``position``, clamped to ``[0, n_stages]``."""
        self.position = float(min(max(position, 0.0), self.n_stages))
        self.playing = False
        self._held = 0.0
