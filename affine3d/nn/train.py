"""A small, readable trainer: backpropagation through the same layers, SGD with momentum or Adam.

It exists so that the demos' models come from somewhere a student can read in one sitting.

Forward: each layer's :class:`~affine3d.Affine` computes ``z_i = W_i a_{i-1} + b_i`` and its
activation ``a_i = σ_i(z_i)``. Backward, with ``g = dL/da_i`` for a batch of rows::

    dL/dz_i     = σ_i'(z_i) * g                    (Activation.backward)
    dL/dW_i     = (dL/dz_i)^T a_{i-1}              shape (out, in), like W_i
    dL/db_i     = Σ_rows dL/dz_i                   shape (out,)
    dL/da_{i-1} = (dL/dz_i) W_i                    the transposed map carries the error back

Losses: ``"mse"`` (mean over all entries of ``(y - t)^2``) and ``"cross_entropy"`` (mean over rows of
``-log p_label``, with ``p = softmax(z)`` of the last layer: its activation must be ``softmax`` or
``identity`` (logits); then ``dL/dz = (p - onehot) / N``).

Everything random comes from ``seed``: the same call gives the same network.

:func:`loss_and_gradients` and the two optimizers below are the maths as written above, one layer and
one parameter at a time, and they are what :class:`Training` (what :func:`fit` and the viewer's live
training run) runs on the demos' and the scenes' data. Only steps on at least
:data:`affine3d._fast.MIN_ROWS` rows take the same steps on one flat vector of all the parameters with
kept buffers, in the private module ``affine3d/nn/_fast_train.py``; the tests check the two agree step
by step, and ``affine3d bench train`` times both against PyTorch.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> X = rng.uniform(-1, 1, (200, 2))
>>> Y = X @ np.array([[2.0], [-1.0]]) + 0.5               # a plane: y = 2 x1 - x2 + 0.5
>>> result = fit(MLP.random([2, 1], output="identity"), X, Y, optimizer="sgd", lr=0.3, epochs=200, quiet=True)
>>> result.mlp.layers[0].affine.A.round(4), result.mlp.layers[0].affine.b.round(4)
(array([[ 2., -1.]]), array([0.5]))
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .. import _fast
from . import _fast_train
from .activations import softmax
from ..errors import ModelError
from ..i18n import _, prose_number
from .mlp import MLP

__all__ = ["fit", "Training", "loss_and_gradients", "loss_value", "accuracy", "TrainResult", "LOSSES", "OPTIMIZERS"]

LOSSES = ("mse", "cross_entropy")
OPTIMIZERS = ("sgd", "adam")


FLOAT32_MAX = float(np.finfo(np.float32).max)

MAX_FIT_EPOCHS = 10_000_000
"""The most epochs :func:`fit` runs: each keeps its loss (a Python float, 32 bytes in the list), 320 MB at most."""


@dataclass
class TrainResult:
    """The trained network and the mean training loss of each epoch.

    Printed, it is one line (the network's sizes, the epochs, the first and last loss), not every loss.

    Examples
    --------
    >>> TrainResult(MLP.random([2, 4, 1], seed=0), [0.9, 0.5, 0.25], 0.01)
    TrainResult(MLP 2 -> 4 -> 1, 3 epochs, loss 0.9 -> 0.25, 0.01 s)
    """

    mlp: MLP
    losses: list[float] = field(default_factory=list)
    seconds: float = 0.0

    def __repr__(self) -> str:
        sizes = " -> ".join(str(s) for s in self.mlp.sizes)
        if self.losses:
            loss = f"loss {self.losses[0]:.4g} -> {self.losses[-1]:.4g}"
        else:
            loss = "no loss yet"
        epochs = len(self.losses)
        return f"TrainResult(MLP {sizes}, {epochs} epoch{'s' if epochs != 1 else ''}, {loss}, {self.seconds:.3g} s)"


# ---------------------------------------------------------------------- losses and gradients
def _targets(mlp: MLP, Y, loss: str, n_rows: int) -> np.ndarray:
    """Targets as float64 (N, out): regression values, or one-hot rows from integer labels."""
    Y = np.asarray(Y)
    if loss == "cross_entropy" and Y.ndim == 1:
        if not np.issubdtype(Y.dtype, np.integer):
            raise ModelError(_("Y: expected integer class labels 0 .. {value}, got dtype {dtype}").format(
                value=mlp.dim_out - 1, dtype=Y.dtype))
        bad = (Y < 0) | (Y >= mlp.dim_out)
        if bad.any():
            i = int(np.argmax(bad))
            raise ModelError(_("Y: expected class labels 0 .. {value} (the network has {dim_out} outputs), got {Y} at row {i}").format(
                value=mlp.dim_out - 1, dim_out=mlp.dim_out, Y=int(Y[i]), i=i))
        onehot = np.zeros((Y.shape[0], mlp.dim_out))
        onehot[np.arange(Y.shape[0]), Y] = 1.0
        Y = onehot
    Y = np.asarray(Y, dtype=np.float64)
    if Y.ndim == 1 and mlp.dim_out == 1:
        Y = Y[:, None]
    if Y.shape != (n_rows, mlp.dim_out):
        raise ModelError(_("Y: expected shape ({n_rows}, {dim_out}) to match X and the network's output, got {shape}").format(
            n_rows=n_rows, dim_out=mlp.dim_out, shape=Y.shape))
    return Y


def _check(mlp: MLP, X, loss: str) -> np.ndarray:
    if loss not in LOSSES:
        raise ModelError(_("loss: expected one of {names}, got {loss}").format(
            names=', '.join(LOSSES), loss=repr(loss)))
    if loss == "cross_entropy" and mlp.layers[-1].activation.name not in ("softmax", "identity"):
        raise ModelError(
            _("loss: cross_entropy needs the last layer's activation to be softmax (or identity: logits), got "
               "{activation}").format(activation=mlp.layers[-1].activation)
        )
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != mlp.dim_in:
        raise ModelError(_("X: expected shape (N, {dim_in}), got {shape}").format(dim_in=mlp.dim_in, shape=X.shape))
    return X


def _loss_from_forward(z_last: np.ndarray, y_last: np.ndarray, T: np.ndarray, loss: str) -> float:
    if loss == "mse":
        return float(np.mean((y_last - T) ** 2))
    # cross-entropy from the logits z, stably: log Σ e^z - z_label (with soft targets: Σ_k t_k (...))
    shifted = z_last - z_last.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-np.mean(np.sum(T * log_p, axis=1)))


def loss_and_gradients(mlp: MLP, X, Y, loss: str = "mse") -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
    """The loss on ``(X, Y)`` and its gradient for every layer: ``[(dL/dW_1, dL/db_1), ...]`` (float64).

    ``X`` has shape (N, in); ``Y`` (N, out), or (N,) integer labels for ``"cross_entropy"``.
    """
    X = _check(mlp, X, loss)
    T = _targets(mlp, Y, loss, X.shape[0])
    return _backpropagate([(layer.W, layer.b, layer.activation) for layer in mlp.layers], X, T, loss)


def _backpropagate(layers, X: np.ndarray, T: np.ndarray, loss: str):
    """:func:`loss_and_gradients` on checked float64 rows ``X`` (N, in) and targets ``T`` (N, out).

    ``layers``: ``(W_i, b_i, σ_i)`` per layer. :class:`Training` calls this directly on its
    parameters (batches of fewer than :data:`affine3d._fast.MIN_ROWS` rows), so the lines below are
    the ones a demo's or the viewer's training runs.
    """
    # forward, keeping each layer's input a_{i-1}, pre-activation z_i and output a_i
    inputs, zs, outputs = [], [], []
    a = X
    for W, b, activation in layers:
        z = a @ W.T + b                      # the layer's affine map, as its Affine computes it: W a + b per row
        inputs.append(a)
        zs.append(z)
        a = activation(z)
        outputs.append(a)
    value = _loss_from_forward(zs[-1], outputs[-1], T, loss)
    n = X.shape[0]
    grads: list[tuple[np.ndarray, np.ndarray]] = []
    g = None
    last = len(layers) - 1
    for i in range(last, -1, -1):
        W, _unused, activation = layers[i]
        if i == last:
            if loss == "mse":
                g = 2.0 * (outputs[i] - T) / T.size                       # dL/da_k
                gz = activation.backward(zs[i], outputs[i], g)
            else:
                gz = (softmax(zs[i]) - T) / n                             # softmax + cross-entropy, fused
        else:
            gz = activation.backward(zs[i], outputs[i], g)
        grads.append((gz.T @ inputs[i], gz.sum(axis=0)))
        g = gz @ W                                                         # dL/da_{i-1}: W_i carries the error back
    grads.reverse()
    return value, grads


def loss_value(mlp: MLP, X, Y, loss: str = "mse") -> float:
    """The loss of ``mlp`` on ``(X, Y)`` (same definitions as in training)."""
    X = _check(mlp, X, loss)
    T = _targets(mlp, Y, loss, X.shape[0])
    a = X
    z = X
    for layer in mlp.layers:
        z = layer.affine(a)
        a = layer.activation(z)
    return _loss_from_forward(z, a, T, loss)


def accuracy(mlp: MLP, X, labels) -> float:
    """Fraction of rows whose largest output is at the label's index."""
    return float(np.mean(np.argmax(mlp(np.asarray(X, dtype=np.float64)), axis=1) == np.asarray(labels)))


# ---------------------------------------------------------------------- optimisers (the readable versions)
class _SGD:
    """``v = μ v - lr g;  p = p + v`` (heavy-ball momentum)."""

    def __init__(self, params, lr: float, momentum: float):
        self.lr, self.momentum = lr, momentum
        self.velocity = [np.zeros_like(p) for p in params]

    def step(self, params, grads) -> None:
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= self.lr * g
            p += v


class _Adam:
    """Adam (Kingma and Ba, 2015): per-parameter steps from running means of g and g², bias-corrected."""

    def __init__(self, params, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, params, grads) -> None:
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * g * g
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


# ---------------------------------------------------------------------- progress bar
class _Progress:
    """One line on a terminal, redrawn at most 10 times a second: ``[#####-----]  50/100  loss 0.0123``."""

    def __init__(self, total: int, label: str, stream, enabled: bool, width: int = 30):
        self.total, self.label, self.stream, self.width = total, label, stream, width
        self.enabled = enabled
        self.last = 0.0

    def update(self, done: int, loss: float) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if done < self.total and now - self.last < 0.1:
            return
        self.last = now
        filled = int(self.width * done / max(self.total, 1))
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write("\r" + _("{label} [{bar}] {done}/{total} epochs  loss {loss}").format(
            label=self.label, bar=bar, done=done, total=self.total, loss=f"{loss:.4g}"))
        self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


class Training:
    """One training run, advanced a step or an epoch at a time: what :func:`fit` loops over.

    The network given is never changed; :meth:`network` returns a new :class:`MLP` with the weights
    reached so far (a snapshot another thread can draw while training goes on). Everything random
    (the order of the mini-batches) comes from ``seed``, so two runs with the same arguments make the
    same networks and the same losses, epoch for epoch.

    Each step is :func:`loss_and_gradients` and the optimizer above, on the parameters as they are; a run
    whose steps take at least :data:`affine3d._fast.MIN_ROWS` rows computes the same on one flat vector of
    parameters and kept buffers instead (``affine3d/nn/_fast_train.py``).

    Parameters
    ----------
    mlp, X, Y, loss, optimizer, lr, momentum, batch_size, seed
        As for :func:`fit`.

    Attributes
    ----------
    epoch : int
        Epochs done.
    losses : list of float
        The mean training loss of each epoch done.

    Examples
    --------
    >>> X = np.linspace(-1, 1, 50)[:, None]
    >>> run = Training(MLP.random([1, 1], output="identity"), X, 3 * X - 1, optimizer="sgd", lr=0.5)
    >>> for _ in range(100): _ = run.run_epoch()
    >>> run.epoch, run.network().layers[0].W.round(6), run.network().layers[0].b.round(6)
    (100, array([[3.]]), array([-1.]))
    """

    def __init__(self, mlp: MLP, X, Y, *, loss: str = "mse", optimizer: str = "adam", lr: float = 1e-2,
                 momentum: float = 0.9, batch_size: int | None = None, seed: int = 0):
        self.X = _check(mlp, X, loss)
        self.T = _targets(mlp, Y, loss, self.X.shape[0])
        if optimizer not in OPTIMIZERS:
            raise ModelError(_("optimizer: expected one of {names}, got {optimizer}").format(
                names=', '.join(OPTIMIZERS), optimizer=repr(optimizer)))
        n = self.X.shape[0]
        self.batch = n if batch_size is None else int(batch_size)
        if self.batch < 1:
            raise ModelError(_("batch_size: expected a positive integer, got {batch_size}").format(
                batch_size=repr(batch_size)))
        self.start, self.loss, self.seed = mlp, loss, seed
        self.rng = np.random.default_rng(seed)
        self.params = _fast_train.FlatParameters([l.W.shape for l in mlp.layers])
        for W, b, layer in zip(self.params.weights, self.params.biases, mlp.layers):
            W[...], b[...] = layer.W, layer.b
        activations = [l.activation for l in mlp.layers]
        # The path is chosen once, by the rows of a step, so that every step of a run (and every run with
        # the same arguments) takes the same one: the readable maths above, or the fast step above MIN_ROWS.
        self.fast = min(self.batch, n) >= _fast.MIN_ROWS
        if self.fast:
            size = self.params.size
            self.optimizer = _fast_train.SGD(size, lr, momentum) if optimizer == "sgd" else _fast_train.Adam(size, lr)
            self._step = _fast_train.Step(self.params, activations, loss)
        else:  # W_i and b_i are views of the flat vector: the readable optimizer updates them in place
            self._layers = list(zip(self.params.weights, self.params.biases, activations))
            self._parameters = [p for W, b in zip(self.params.weights, self.params.biases) for p in (W, b)]
            self.optimizer = _SGD(self._parameters, lr, momentum) if optimizer == "sgd" else _Adam(self._parameters, lr)
            self._step = None
        self._rows_X = self._rows_T = None
        self._last_finite = self.params.flat.copy()  # the weights before the epoch: kept if the epoch diverges
        self.lr = lr
        self.epoch = 0
        self.losses: list[float] = []
        self.stopped = ""  # why training stopped (the loss or a weight stopped being finite); "" while it is fine

    def step(self, X: np.ndarray, T: np.ndarray) -> float:
        """One optimizer step on the rows ``X`` (n, in) with targets ``T`` (n, out), float64; the loss before it."""
        if self._step is None:
            value, grads = _backpropagate(self._layers, X, T, self.loss)
            self.optimizer.step(self._parameters, [g for pair in grads for g in pair])
            return value
        value = self._step(X, T)
        self.optimizer.step(self.params.flat, self._step.grad)
        return value

    def run_epoch(self) -> float:
        """One pass over the data (in shuffled mini-batches, or one full batch); returns its mean loss.

        Raises
        ------
        ModelError
            When the loss or a weight stops being finite, or a weight leaves float32's range (a step
            size too large makes them overflow):
            one line saying so, the weights put back to where the last finite epoch left them (so
            :meth:`network` is still a network that can be saved and loaded), and every later call
            raises the same. :attr:`stopped` keeps the line.
        """
        if self.stopped:
            raise ModelError(self.stopped)
        np.copyto(self._last_finite, self.params.flat)
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is caught below, and said in one line
            total = self._epoch_sum()
        mean = total / self.X.shape[0]
        # float32's range, not float64's: model files and the GPU hold the weights as float32
        if not (math.isfinite(mean) and np.isfinite(self.params.flat).all()
                and np.abs(self.params.flat).max(initial=0.0) <= FLOAT32_MAX):
            np.copyto(self.params.flat, self._last_finite)
            if not math.isfinite(mean):
                message = _("training stopped at epoch {epoch}: the loss overflowed, no longer finite (lr {lr} is too "
                            "large a step; try 10 to 100 times smaller)")
            else:
                message = _("training stopped at epoch {epoch}: a weight overflowed, no longer finite (lr {lr} is too "
                            "large a step; try 10 to 100 times smaller)")
            self.stopped = message.format(epoch=self.epoch + 1, lr=f"{self.lr:g}")
            raise ModelError(self.stopped)
        self.epoch += 1
        self.losses.append(mean)
        return mean

    def _epoch_sum(self) -> float:
        """The steps of one epoch; the sum over its rows of the loss before each step."""
        X, T, batch = self.X, self.T, self.batch
        n = X.shape[0]
        if batch >= n:
            total = self.step(X, T) * n
        else:
            order = self.rng.permutation(n)
            total = 0.0
            for lo in range(0, n, batch):
                rows = order[lo: lo + batch]
                if len(rows) == batch:  # gather the batch into kept arrays (np.take: no new array per step)
                    if self._rows_X is None:
                        self._rows_X, self._rows_T = np.empty((batch, X.shape[1])), np.empty((batch, T.shape[1]))
                    Xb, Tb = np.take(X, rows, axis=0, out=self._rows_X), np.take(T, rows, axis=0, out=self._rows_T)
                else:
                    Xb, Tb = X[rows], T[rows]
                total += self.step(Xb, Tb) * len(rows)
        return total

    def network(self) -> MLP:
        """The network with the weights reached so far: a new :class:`MLP` (copies; training goes on unaffected)."""
        return self.start.with_weights(self.params.weights, self.params.biases)


def fit(
    mlp: MLP,
    X,
    Y,
    *,
    loss: str = "mse",
    optimizer: str = "adam",
    lr: float = 1e-2,
    momentum: float = 0.9,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int = 0,
    quiet: bool = False,
    label: str = "training",
    stream=None,
    callback: Callable[[int, MLP, float], None] | None = None,
) -> TrainResult:
    """Train ``mlp`` (it is not changed: the result holds a new network) on inputs ``X`` and targets ``Y``.

    Parameters
    ----------
    mlp : MLP
        The starting point, e.g. ``MLP.random(sizes, seed=...)``; its architecture is kept.
    X : array-like, shape (N, in)
    Y : array-like, shape (N, out), or (N,) integer class labels for cross-entropy
    loss : {"mse", "cross_entropy"}
    optimizer : {"adam", "sgd"}
        ``"sgd"`` is gradient descent with ``momentum`` (0 for plain steps).
    lr : float
        Step size.
    epochs : int
        Passes over the data.
    batch_size : int, optional
        Rows per step; None (default) uses the whole set each step (full-batch gradient descent).
    seed : int
        Seeds the shuffling of mini-batches.
    quiet : bool
        No progress bar. The bar is drawn on ``stream`` (default stderr) only when it is a terminal.
    callback : callable, optional
        ``callback(epoch, mlp, loss)`` after every epoch (epoch counted from 1).
    """
    if not (isinstance(epochs, int) and 0 <= epochs <= MAX_FIT_EPOCHS):
        raise ModelError(_("epochs: expected a whole number from 0 to {limit}, got {epochs}").format(
            limit=prose_number(MAX_FIT_EPOCHS), epochs=repr(epochs)[:120]))
    run = Training(mlp, X, Y, loss=loss, optimizer=optimizer, lr=lr, momentum=momentum, batch_size=batch_size,
                   seed=seed)
    stream = sys.stderr if stream is None else stream
    enabled = not quiet and hasattr(stream, "isatty") and stream.isatty()
    progress = _Progress(epochs, label, stream, enabled)
    start = time.perf_counter()
    try:
        for epoch in range(1, epochs + 1):
            value = run.run_epoch()
            progress.update(epoch, value)
            if callback is not None:
                callback(epoch, run.network(), value)
    finally:
        progress.close()
    current = run.network() if epochs else mlp
    return TrainResult(current, list(run.losses), time.perf_counter() - start)
