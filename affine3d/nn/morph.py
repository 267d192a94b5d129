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

An affine stage may also take the polar path (``path="polar"``): a rotation times a stretch that never
flattens the solid when ``det W > 0`` (:mod:`affine3d.nn.paths`).

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

from dataclasses import dataclass, field

import numpy as np

from .model import check_dims
from .paths import PolarPath, check_path
from .activations import Activation
from ..affine import Affine
from ..errors import ModelError
from ..i18n import _

__all__ = ["Stage", "StageInfo", "stage_info", "Morph", "stage_times", "check_model"]

STAGE_KINDS = ("affine", "activation")

# Singular values below this fraction of the largest count as zero (the map flattens the solid).
SINGULAR_RTOL = 1e-9


def check_model(mlp) -> None:
    """Raise :class:`~affine3d.errors.ModelError` unless ``mlp`` maps R^3 to R^3 (:func:`affine3d.nn.model.check_dims`).

    The message names the width found and the layer's weight shape, e.g.
    ``"model: expected 3 inputs (a point of 3D space), got 2: W1 has shape (8, 2)"``.
    """
    check_dims(mlp, (3, 3))


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
        """``"layer 2 of 3: affine"`` or ``"layer 2 of 3: tanh"``: the stage's name in code (:meth:`Morph.stage` finds it
        by this name in any language); :attr:`title` is the same words in the reader's language."""
        what = "affine" if self.kind == "affine" else str(self.activation)
        return f"layer {self.layer} of {self.n_layers}: {what}"

    @property
    def title(self) -> str:
        """The stage's name as the reader reads it (``"warstwa 2 z 3: afiniczna"`` in Polish): the HUD's and the
        pictures' title."""
        what = _("affine") if self.kind == "affine" else str(self.activation)
        return _("layer {number} of {count}: {what}").format(number=self.layer, count=self.n_layers, what=what)

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
            raise ModelError(_("stage {name}: map_at() is for affine stages; this is an activation").format(
                name=repr(self.name)))
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
        raise ModelError(_("frames_per_stage: expected 1 or more, got {frames_per_stage}").format(
            frames_per_stage=frames_per_stage))
    return np.arange(1, n + 1) / n


# ---------------------------------------------------------------------------------------- HUD facts
@dataclass(frozen=True)
class StageInfo:
    """What a HUD shows about a stage: the layer's matrix, its determinant and singular values.

    The numbers only: :mod:`affine3d.app.stage_text` writes them as the viewer's lines.

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
        self.path = check_path(path)
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
            raise ModelError(_("stage: no stage called {index}; expected one of: {names}").format(
                index=repr(index), names=', '.join((s.name for s in self.stages))))
        try:
            return self.stages[int(index)]
        except (IndexError, TypeError, ValueError):
            raise ModelError(_("stage: expected an index in 0..{value} or a name, got {index}").format(
                value=self.n_stages - 1, index=repr(index))) from None

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
            raise ModelError(_("start: expected shape (N, {width_in}) for stage {name}, got {shape}").format(
                width_in=stage.width_in, name=repr(stage.name), shape=start.shape))
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
            raise ModelError(_("points: expected shape (N, 3), got {shape}").format(shape=x.shape))
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
    _unused, _unused2, Vt = np.linalg.svd(centred, full_matrices=False)
    U = Vt[:3].T  # (h, 3), orthonormal columns
    shown = centred @ U
    target = previous - previous.mean(axis=0)
    P, _unused, Qt = np.linalg.svd(shown.T @ target)
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
        raise ModelError(_("t: expected a time in [0, 1], got {t}").format(t=t))
    return t
