"""The lab's targets: maps of 3D space a network can learn while you watch, and how it is trained.

A :class:`Target` is where every point should go, as a Python function of the points; an
:class:`Experiment` adds the network (sizes, activation, seed) and the optimizer. The viewer's live
training (``affine3d view SCENE --train``, key L) and ``affine3d render SCENE --train`` train the
experiment's network on the scene's own vertices (world space: where the network acts) with the
targets the function gives for them, using :class:`affine3d.nn.train.Training`.

Shipped targets (:data:`TARGETS`):

- ``cube-to-sphere``: ``x -> x / |x|``, every point onto the unit sphere in its own direction;
- ``sphere-to-cube``: ``x -> x / (sqrt(3) max_i |x_i|)``, onto the cube with corners ``(±1, ±1, ±1) / sqrt(3)``;
- ``untangle-rings``: two linked rings (ring A: the unit circle in the plane z = 0; ring B: the unit
  circle about ``(1, 0, 0)`` in the plane y = 0), each point moved one unit along x, ring A to the
  left and ring B to the right: pulled apart. colah's example ("Neural Networks, Manifolds, and
  Topology"): a layer 3 wide with ``det W != 0`` followed by tanh is a continuous map of 3D space with a
  continuous inverse, and such maps keep two rings linked (their *linking number* cannot change); a
  network whose hidden layers are 4 wide can pass one ring around the other through the 4th
  dimension. :func:`linking_number` measures it on the rings' centre lines after the network.

Your own target is a function of the points in a small script of yours (it runs because you run it;
nothing loaded from a file runs code)::

    import numpy as np
    from affine3d.lab import Target, view

    def twist(points):                      # (N, 3) -> (N, 3): where each point should go
        x, y, z = points.T
        angle = 1.5 * y
        return np.column_stack([x * np.cos(angle) - z * np.sin(angle), y, x * np.sin(angle) + z * np.cos(angle)])

    view(Target("twist", twist, formula="turn by 1.5 y about the y axis"), scene="cube-to-sphere")

Examples
--------
>>> TARGETS["cube-to-sphere"](np.array([[3.0, 0.0, 4.0]]))
array([[0.6, 0. , 0.8]])
>>> experiment = Experiment(TARGETS["sphere-to-cube"], sizes=(3, 3, 3))
>>> experiment.start().sizes
[3, 3, 3]
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np

from ..errors import ModelError
from ..i18n import _, prose_number
from .activations import NAMES as ACTIVATIONS
from .mlp import MLP
from .train import OPTIMIZERS, Training

__all__ = ["Target", "Experiment", "TARGETS", "linking_number", "experiment_from_table", "TRAIN_KEYS"]


# ---------------------------------------------------------------------------------------- targets
@dataclass(frozen=True)
class Target:
    """Where every point should go: ``function(points (N, 3)) -> targets (N, 3)``, with its defaults for training.

    Parameters
    ----------
    name : str
        Short, for the overlay and file names (``"cube-to-sphere"``).
    function : callable
        ``(N, 3) float64 -> (N, 3)``: the target map, applied to the points the network trains on.
    formula : str
        The map in one line (``"x -> x / |x|"``), shown in the overlay.
    sizes : tuple of int
        The default network, ``(3, h1, ..., 3)``.
    activation : str
        The default hidden activation (the output layer is linear).
    lr, seed, epochs : float, int, int
        The default Adam step size, seed of the starting weights, and length of a training run.
    notes : callable, optional
        ``notes(sizes) -> list of str``: what the overlay says about this target for a network of these
        sizes (why it can or cannot be learnt).
    watch : callable, optional
        ``watch(mlp) -> str``: a line measured on the network as it learns (the rings' linking number).
    """

    name: str
    function: Callable[[np.ndarray], np.ndarray]
    formula: str = ""
    sizes: tuple[int, ...] = (3, 3, 3, 3, 3, 3)
    activation: str = "tanh"
    lr: float = 0.01
    seed: int = 1
    epochs: int = 3000
    notes: Callable[[tuple[int, ...]], list[str]] | None = field(default=None, compare=False)
    watch: Callable[[MLP], str] | None = field(default=None, compare=False)

    def __call__(self, points) -> np.ndarray:
        """The targets of ``points`` (N, 3): float64 (N, 3), checked (a ModelError names the target otherwise)."""
        points = np.asarray(points, dtype=np.float64)
        try:
            result = np.asarray(self.function(points.copy()), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ModelError(_("target {name}: its function failed on points of shape {shape}: {exc}").format(
                name=repr(self.name), shape=points.shape, exc=exc)) from None
        if result.shape != points.shape:
            raise ModelError(_("target {name}: expected the function to return shape {shape} (one 3D point per point), got {shape2}").format(
                name=repr(self.name), shape=points.shape, shape2=result.shape))
        if not np.all(np.isfinite(result)):
            bad = int(np.argmax(~np.all(np.isfinite(result), axis=1)))
            raise ModelError(_("target {name}: the function gave a non-finite point for point {bad}, {value}").format(
                name=repr(self.name), bad=bad, value=points[bad].tolist()))
        return result


def _to_sphere(points: np.ndarray) -> np.ndarray:
    """``x -> x / |x|``."""
    return points / np.linalg.norm(points, axis=1, keepdims=True)


def _to_cube(points: np.ndarray) -> np.ndarray:
    """``x -> x / (sqrt(3) max_i |x_i|)``: along its own direction onto the cube with corners (±1, ±1, ±1)/sqrt(3)."""
    return points / (math.sqrt(3) * np.abs(points).max(axis=1, keepdims=True))


# The two linked rings of scenes/rings*.toml: unit circles, A about the origin in the plane z = 0,
# B about (1, 0, 0) in the plane y = 0 (each passes through the other's disc: the Hopf link).
RING_SHIFT = np.array([1.0, 0.0, 0.0])


def ring_centres(n: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """The two rings' centre lines, ``n`` points each, as closed polygons: ``(A (n, 3), B (n, 3))``."""
    angle = 2 * np.pi * np.arange(n) / n
    c, s, zero = np.cos(angle), np.sin(angle), np.zeros(n)
    return np.column_stack([c, s, zero]), np.column_stack([1 + c, zero, s])


def _ring_distances(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y, z = points.T
    to_a = np.hypot(np.hypot(x, y) - 1.0, z)          # from the circle x² + y² = 1, z = 0
    to_b = np.hypot(np.hypot(x - 1.0, z) - 1.0, y)    # from the circle (x - 1)² + z² = 1, y = 0
    return to_a, to_b


def _untangle(points: np.ndarray) -> np.ndarray:
    """Each point one unit along x, away from the other ring: ring A (the nearer circle) left, ring B right."""
    to_a, to_b = _ring_distances(points)
    return points + np.where((to_a <= to_b)[:, None], -RING_SHIFT, RING_SHIFT)


def linking_number(a, b) -> float:
    """The linking number of two closed polygons ``a`` (n, 3) and ``b`` (m, 3): how often one winds through the other.

    Gauss's double integral, summed exactly over pairs of straight segments: each pair contributes the
    signed solid angle under which one segment sees the other (Klenin and Langowski, 2000), over 4π.
    The result is an integer (up to rounding) for curves that do not touch: ±1 for two linked rings,
    0 for two rings apart. Continuous maps of space with continuous inverses cannot change it.

    Examples
    --------
    >>> a, b = ring_centres(64)
    >>> round(linking_number(a, b)), round(linking_number(a, b + [3.0, 0, 0]))
    (-1, 0)
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    p1, p2 = a[:, None, :], np.roll(a, -1, axis=0)[:, None, :]
    p3, p4 = b[None, :, :], np.roll(b, -1, axis=0)[None, :, :]
    r13, r14, r23, r24 = p3 - p1, p4 - p1, p3 - p2, p4 - p2

    def unit(v):
        return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-300)

    n1, n2 = unit(np.cross(r13, r14)), unit(np.cross(r14, r24))
    n3, n4 = unit(np.cross(r24, r23)), unit(np.cross(r23, r13))

    def angle(u, v):
        return np.arcsin(np.clip(np.sum(u * v, axis=-1), -1.0, 1.0))

    solid = angle(n1, n2) + angle(n2, n3) + angle(n3, n4) + angle(n4, n1)
    sign = np.sign(np.sum(np.cross(p4 - p3, p2 - p1) * r13, axis=-1))
    return float(np.sum(solid * sign) / (4 * np.pi))


def _rings_notes(sizes) -> list[str]:
    hidden = list(sizes[1:-1]) or [3]
    # The overlay shows each item as one line: a translation keeps to about the same width (45 characters).
    if max(hidden) <= 3:
        return [_("3 wide: each layer (det W != 0, then tanh) is a"),
                _("one-to-one deformation of 3D space, and those"),
                _("never unlink rings (colah); 4 wide can")]
    return [_("{width} wide: in 4D a ring can pass the other").format(width=max(hidden)),
            _("(drawn: their 3D shadow); 3 wide cannot (colah)")]


WATCH_POINTS = 256
"""Points on each ring's centre line when the overlay measures the linking number after the network."""


def _rings_watch(mlp: MLP) -> str:
    a, b = (mlp(ring) for ring in ring_centres(WATCH_POINTS))
    # Polygons this close could cross between their corners: the number measured could be the polygons', not the curves'.
    gap = float(np.min(np.linalg.norm(a[:, None] - b[None], axis=2)))
    step = max(float(np.max(np.linalg.norm(np.diff(a, axis=0), axis=1))), float(np.max(np.linalg.norm(np.diff(b, axis=0), axis=1))))
    if gap < 0.5 * step:
        return _("rings' linking number now: ? (the rings touch)")
    value = linking_number(a, b)
    state = _("still linked") if round(abs(value)) >= 1 else _("unlinked")
    return _("rings' linking number now: {value} ({state})").format(value=f"{round(value, 2) + 0.0:+.2f}", state=state)


TARGETS: dict[str, Target] = {
    "cube-to-sphere": Target("cube-to-sphere", _to_sphere, "x -> x / |x|"),
    "sphere-to-cube": Target("sphere-to-cube", _to_cube, "x -> x / (sqrt3 max|x_i|)"),
    "untangle-rings": Target("untangle-rings", _untangle, "A 1 left, B 1 right",
                             sizes=(3, 3, 3, 3, 3, 3), epochs=6000, notes=_rings_notes, watch=_rings_watch),
}
"""The shipped targets by name (scene files name them: ``[train] target = "sphere-to-cube"``)."""


# ---------------------------------------------------------------------------------------- budgets
MAX_TRAIN_WIDTH = 1024
"""The widest layer a training experiment starts: its random rotation is the QR of a square Gaussian matrix of
this side (8 MiB); [3, 8000, 3] asked for 3.6 GB there."""
MAX_TRAIN_PARAMETERS = 2**20
"""The most weights and biases a training experiment trains (about a million: 3-1000-1000-3). Training keeps four
copies (weights, gradient, Adam's two moments), 32 MiB, and its activations grow with the points times the widths."""
MAX_EPOCHS = 1_000_000
"""The most epochs one run may ask for: every epoch keeps its loss, and the viewer draws the curve of them all."""


def check_training_budget(sizes, epochs) -> None:
    """Refuse, before anything is built, widths, parameter counts or epochs past the budgets above (one line each)."""
    widest = max(sizes)
    if widest > MAX_TRAIN_WIDTH:
        raise ModelError(_("sizes: a layer of width {widest} is wider than the {limit} a training experiment starts (its random "
                            "rotation is a {widest} x {widest} QR); got {value}").format(
            widest=prose_number(widest), limit=prose_number(MAX_TRAIN_WIDTH), value=list(sizes)[:8]))
    n_parameters = sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
    if n_parameters > MAX_TRAIN_PARAMETERS:
        raise ModelError(_("sizes: {n_parameters} parameters, more than the {limit} a training experiment trains; use fewer or "
                            "narrower layers").format(
            n_parameters=prose_number(n_parameters), limit=prose_number(MAX_TRAIN_PARAMETERS)))
    if isinstance(epochs, bool) or not isinstance(epochs, int) or not 1 <= epochs <= MAX_EPOCHS:
        raise ModelError(_("epochs: expected a whole number from 1 to {limit}, got {epochs}").format(
            limit=prose_number(MAX_EPOCHS), epochs=repr(epochs)[:120]))


# ---------------------------------------------------------------------------------------- experiments
@dataclass(frozen=True)
class Experiment:
    """A target, the network that learns it and how: everything a training run needs besides the points.

    Defaults come from the target; ``sizes`` must start and end with 3.
    """

    target: Target
    sizes: tuple[int, ...] | None = None
    activation: str | None = None
    optimizer: str = "adam"
    lr: float | None = None
    seed: int | None = None
    epochs: int | None = None
    batch_size: int | None = None

    def __post_init__(self):
        t = self.target
        sizes = tuple(int(s) for s in (t.sizes if self.sizes is None else self.sizes))
        if len(sizes) < 2 or sizes[0] != 3 or sizes[-1] != 3 or min(sizes) < 1:
            raise ModelError(_("sizes: expected [3, ..., 3] (3D points in and out, widths >= 1), got {value}").format(
                value=list(sizes)))
        check_training_budget(sizes, t.epochs if self.epochs is None else self.epochs)
        activation = t.activation if self.activation is None else self.activation
        if activation not in ACTIVATIONS:
            raise ModelError(_("activation: unknown {activation}; expected one of {names}").format(
                activation=repr(activation), names=', '.join(ACTIVATIONS)))
        if self.optimizer not in OPTIMIZERS:
            raise ModelError(_("optimizer: expected one of {names}, got {optimizer}").format(
                names=', '.join(OPTIMIZERS), optimizer=repr(self.optimizer)))
        lr = t.lr if self.lr is None else float(self.lr)
        epochs = t.epochs if self.epochs is None else int(self.epochs)
        if not (lr > 0 and math.isfinite(lr)) or epochs < 1:
            raise ModelError(_("lr, epochs: expected lr > 0 and epochs >= 1, got {lr}, {epochs}").format(
                lr=lr, epochs=epochs))
        for name, value in (("sizes", sizes), ("activation", activation), ("lr", lr), ("epochs", epochs),
                            ("seed", t.seed if self.seed is None else int(self.seed))):
            object.__setattr__(self, name, value)

    def start(self) -> MLP:
        """The network before training, the same every time: orthogonal weights from ``seed``, zero biases.

        Each ``W`` (out, in) is ``out`` rows of a random rotation (the QR of a Gaussian matrix, det +1),
        the start Saxe, McClelland and Ganguli (2014) give deep tanh networks: it keeps lengths, so the
        untrained network moves the solid without shrinking it to a dot (a Gaussian start would), and a
        rotation's straight path from I does not flatten it (a mirror's would, at t = 1/2): the first
        pictures show a solid to watch. Hidden layers use ``activation``, the last none.
        """
        rng = np.random.default_rng(self.seed)
        weights = []
        for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:]):
            square = max(n_in, n_out)
            Q, R = np.linalg.qr(rng.standard_normal((square, square)))
            Q = Q * np.sign(np.diag(R))  # the signs make Q uniformly random
            if np.linalg.det(Q) < 0:  # a rotation, not a mirror: the untrained stages turn the solid, not flatten it
                Q[0] *= -1
            weights.append(Q[:n_out, :n_in])
        activations = [self.activation] * (len(weights) - 1) + ["identity"]
        return MLP.from_arrays(weights, None, activations, {"target": self.target.name, "seed": self.seed})

    def training(self, points) -> Training:
        """A training run of :meth:`start` on ``points`` (N, 3) toward the target's values there (mse)."""
        points = np.asarray(points, dtype=np.float64)
        return Training(self.start(), points, self.target(points), loss="mse", optimizer=self.optimizer, lr=self.lr,
                        batch_size=self.batch_size, seed=self.seed)

    def snapshots(self, points, epochs) -> tuple[list[MLP], list[float]]:
        """Train :meth:`start` on ``points`` (:meth:`training`) and keep the network after each of ``epochs``.

        ``epochs`` ascending (0: the network before training). Returns ``(networks, losses)``: one network per
        entry of ``epochs``, and the loss of every epoch run (``losses[e - 1]`` is epoch ``e``'s). The same
        seed gives the same networks, bit for bit.

        Examples
        --------
        >>> experiment = Experiment(TARGETS["cube-to-sphere"], sizes=(3, 4, 3), seed=1)
        >>> networks, losses = experiment.snapshots(np.eye(3), [0, 2, 5])
        >>> len(networks), len(losses), networks[0] == experiment.start()
        (3, 5, True)
        """
        training = self.training(points)
        networks = []
        for epoch in epochs:
            while training.epoch < epoch:
                training.run_epoch()
            networks.append(training.network())
        return networks, list(training.losses)

    def describe(self) -> list[str]:
        """Overlay lines: the target, the network, the optimizer, and the target's notes for these sizes."""
        t = self.target
        lines = [f"target {t.name}: {t.formula}" if t.formula else f"target {t.name}",
                 f"network {'-'.join(map(str, self.sizes))} {self.activation}, {self.optimizer} lr {self.lr:g}, seed {self.seed}"]
        if t.notes is not None:
            lines += list(t.notes(self.sizes))
        return lines

    def with_options(self, **changes) -> "Experiment":
        """The same experiment with some fields changed (a new object)."""
        return replace(self, **changes)


TRAIN_KEYS = ("target", "sizes", "activation", "optimizer", "lr", "seed", "epochs", "batch")
"""The keys of a scene file's ``[train]`` table (see :func:`experiment_from_table`)."""


def experiment_from_table(table: dict | None, network: MLP | None = None, target=None) -> Experiment:
    """The experiment a scene asks for: its ``[train]`` table, else the network's architecture, else defaults.

    Parameters
    ----------
    table : dict or None
        A scene's ``[train]`` table (already type-checked by the scene reader): ``target`` (a name in
        :data:`TARGETS`), and optionally ``sizes``, ``activation``, ``optimizer``, ``lr``, ``seed``,
        ``epochs``, ``batch``.
    network : MLP, optional
        The scene's network: without ``sizes`` in the table, training starts from a fresh network of
        its sizes and hidden activation.
    target : str or Target, optional
        Overrides the table's target (``affine3d view --target NAME``). A script's own :class:`Target`
        brings its own sizes, activation, step size, seed and epochs (the table's are not used).
        Without any, ``cube-to-sphere``.

    Raises
    ------
    ModelError
        An unknown target name (the message lists the shipped ones), or sizes that do not map R^3 to R^3.
    """
    table = dict(table or {})
    if isinstance(target, Target):  # a script's own Target brings its own network and settings
        return Experiment(target)
    chosen = target if target is not None else table.get("target", "cube-to-sphere")
    if chosen not in TARGETS:
        raise ModelError(_("target: unknown {chosen}; expected one of: {names}").format(
            chosen=repr(chosen), names=', '.join(TARGETS)))
    chosen = TARGETS[chosen]
    sizes, activation = table.get("sizes"), table.get("activation")
    if sizes is None and network is not None:  # a fresh network of the sizes of the one on screen
        sizes = network.sizes
        if activation is None and len(network.layers) > 1:
            activation = network.layers[0].activation.name
    return Experiment(chosen, sizes=None if sizes is None else tuple(sizes), activation=activation,
                      optimizer=table.get("optimizer", "adam"), lr=table.get("lr"), seed=table.get("seed"),
                      epochs=table.get("epochs"), batch_size=table.get("batch"))
