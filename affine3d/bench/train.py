"""``affine3d bench train``: optimizer steps per second of affine3d's trainer next to PyTorch's, same run.

Live training in the viewer is only fun if it is quick, so this times one optimizer step (forward
pass, loss, backward pass, Adam update) of :class:`affine3d.nn.train.Training` (what ``fit`` and the
viewer's training thread run) against the same step in PyTorch on the CPU:

- the same network: the same layer sizes, activations and starting weights, in float64 (affine3d
  trains in float64; PyTorch is given float64 too, so both compute the same numbers: before anything
  is timed, three steps are run in each and the weights compared);
- the same batch (one fixed batch of rows, every step), the same loss (mean squared error, or
  cross-entropy on logits: ``torch.nn.CrossEntropyLoss``) and the same optimizer (Adam, lr 1e-3);
- two networks: the cube-to-sphere net (3-3-3-3-3-3, tanh, identity output, mse: the viewer's
  ``--train``) and the rings classifier of ``affine3d mlp-demo`` (2-16-16-3, tanh, softmax,
  cross-entropy), each at batches 256, 1024 and 4096. The first two run the readable trainer
  (below :data:`affine3d._fast.MIN_ROWS` rows), 4096 the fast step; on a busy machine the 4096 rows
  are where a BLAS call split over threads would show (a cliff of 10-20x).

PyTorch's step is ``zero_grad(); loss(model(X), Y).backward(); opt.step()``, the textbook loop.
Each library is timed in turn (best of several rounds, :func:`~affine3d.bench.core.best_time`) with a
pause in between: their thread pools (OpenBLAS for numpy, OpenMP for PyTorch) spin for a while after a
call and would slow the other down. Two tables: every library with its default threads, then each on
one thread, measured in a child process started with ``OPENBLAS_NUM_THREADS=1`` and
``torch.set_num_threads(1)`` (``--quick``: the first table only, shorter rounds).

*x PyTorch* is affine3d's steps per second over PyTorch's: above 1, affine3d's trainer is faster.
PyTorch is a reference here, never a dependency: without it the column says "not installed".
"""

from __future__ import annotations

import subprocess

import numpy as np

from .. import _fast
from ..nn.mlp import MLP
from ..errors import one_line
from ..nn.train import Training
from ..i18n import N_
from .core import Table, best_time, format_si, measure_in_child, pause

TITLE = "train: optimizer steps per second, affine3d's trainer against PyTorch (CPU), same network, batch, loss, optimizer"

BATCHES = (256, 1024, 4096)
LR = 1e-3
CHECK_STEPS = 3
COLUMNS = [N_("network"), N_("batch"), N_("affine3d steps/s"), N_("PyTorch steps/s"), N_("x PyTorch"), N_("affine3d step"), N_("PyTorch step")]


def networks():
    """``(label, start network, loss, data(batch, rng) -> (X, Y))`` for the two networks of the table."""

    def cube_points(batch, rng):  # points on the cube's surface, each to be sent to x / |x|
        X = rng.uniform(-1.0, 1.0, (batch, 3))
        X[np.arange(batch), rng.integers(0, 3, batch)] = rng.choice([-1.0, 1.0], batch)
        X /= np.sqrt(3)
        return X, X / np.linalg.norm(X, axis=1, keepdims=True)

    def ring_points(batch, rng):  # disc (r < 0.5), ring (r < 1) or outside, in [-1.5, 1.5]^2
        X = rng.uniform(-1.5, 1.5, (batch, 2))
        r = np.hypot(X[:, 0], X[:, 1])
        return X, np.where(r < 0.5, 0, np.where(r < 1.0, 1, 2))

    return [
        ("cube-to-sphere 3-3-3-3-3-3 tanh, mse",
         MLP.random([3, 3, 3, 3, 3, 3], activation="tanh", output="identity", seed=1), "mse", cube_points),
        ("rings 2-16-16-3 tanh, cross-entropy",
         MLP.random([2, 16, 16, 3], activation="tanh", output="softmax", seed=1), "cross_entropy", ring_points),
    ]


def run(quick: bool = False) -> list[Table]:
    """Two tables, default threads then one thread each (in a child process); ``quick``: the first only."""
    repeat, min_time_s, rest_s = (3, 0.03, 0.2) if quick else (5, 0.1, 0.3)
    rows, notes = measure(BATCHES, repeat=repeat, min_time_s=min_time_s, rest_s=rest_s)
    default = Table(f"{TITLE} (default threads)", COLUMNS, rows, notes)
    if quick:
        default.notes.append("--quick: default threads only, shorter rounds; without --quick also one thread each.")
        return [default]
    single = Table(f"{TITLE} (one thread each)", COLUMNS)
    try:
        single.rows, single.notes = _measure_in_child(BATCHES, repeat=repeat, min_time_s=min_time_s)
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        single.notes = [f"the one-thread run failed: {one_line(exc)}"]
    return [default, single]


def measure(batches, *, repeat: int = 5, min_time_s: float = 0.1, rest_s: float = 0.3,
            threads: int | None = None) -> tuple[list[list], list[str]]:
    """Table rows and notes: each network and batch, affine3d then PyTorch, with a pause before each."""
    torch = _import_torch()
    if torch is not None and threads is not None:
        torch.set_num_threads(threads)
    rows, worst = [], 0.0
    for label, net, loss, data in networks():
        for batch in batches:
            X, Y = data(batch, np.random.default_rng(batch))
            ours = Training(net, X, Y, loss=loss, optimizer="adam", lr=LR)
            theirs = _torch_step(torch, net, X, Y, loss)
            if theirs is not None:  # the same computation, before anything is timed
                worst = max(worst, _difference_after_steps(net, X, Y, loss, torch))
            pause(rest_s)
            t_ours = best_time(lambda: ours.step(ours.X, ours.T), repeat=repeat, min_time_s=min_time_s)
            t_theirs = None
            if theirs is not None:
                pause(rest_s)
                t_theirs = best_time(theirs, repeat=repeat, min_time_s=min_time_s)
            rows.append([label, batch, round(1 / t_ours), None if t_theirs is None else round(1 / t_theirs),
                         None if t_theirs is None else round(t_theirs / t_ours, 2),
                         format_si(t_ours, "s"), None if t_theirs is None else format_si(t_theirs, "s")])
    notes = ["Steps per second from the best of several rounds; x PyTorch = affine3d's steps/s over PyTorch's "
             "(above 1: affine3d is faster).",
             f"affine3d's path: batches below {_fast.MIN_ROWS} rows run the readable maths of affine3d/nn/train.py "
             f"(loss_and_gradients and the readable Adam: what the demos and the viewer run), {_fast.MIN_ROWS} rows "
             "and up the fast step of affine3d/nn/_fast_train.py (one flat parameter vector, blocks of rows whose "
             "every BLAS call stays on one thread)."]
    if torch is None:
        notes.append("PyTorch: not installed, its columns are empty (pip install torch to compare; it is a "
                     "benchmark reference only, never a dependency).")
    else:
        notes.append(f"PyTorch {torch.__version__}, {torch.get_num_threads()} intra-op threads, float64 (affine3d's "
                     f"dtype), model.train(), torch.optim.Adam(lr={LR:g}).")
        notes.append(f"Same computation: after {CHECK_STEPS} steps from the same weights the two networks' weights "
                     f"differ by at most {worst:.1e}.")
    notes.append(f"Each library is paused {rest_s:g} s before its turn (idle BLAS/OpenMP threads spin after a call).")
    return rows, notes


def _measure_in_child(batches, *, repeat: int, min_time_s: float) -> tuple[list[list], list[str]]:
    """:func:`measure` with one thread per library, in a fresh interpreter whose BLAS starts with one thread."""
    return measure_in_child("affine3d.bench.train",
                            f"measure({tuple(batches)!r}, repeat={repeat}, min_time_s={min_time_s}, threads=1)",
                            "torch.set_num_threads(1)")


# ---------------------------------------------------------------------- PyTorch, the reference
def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _torch_model(torch, net: MLP):
    """``torch.nn.Sequential`` of ``Linear`` (float64, our weights) and activations; logits at the end for cross-entropy."""
    modules = []
    for i, layer in enumerate(net.layers):
        linear = torch.nn.Linear(layer.affine.dim_in, layer.affine.dim_out, dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.array(layer.W)))   # the same (out, in) layout as ours
            linear.bias.copy_(torch.from_numpy(np.array(layer.b)))
        modules.append(linear)
        name = layer.activation.name
        if name == "tanh":
            modules.append(torch.nn.Tanh())
        elif name == "relu":
            modules.append(torch.nn.ReLU())
        elif not (name == "identity" or (name == "softmax" and i == len(net.layers) - 1)):
            raise ValueError(f"bench train: no PyTorch module for {name}")
    return torch.nn.Sequential(*modules).train()


def _torch_step(torch, net: MLP, X, Y, loss: str):
    """A function doing one PyTorch optimizer step on the fixed batch, or None without PyTorch."""
    if torch is None:
        return None
    model = _torch_model(torch, net)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    inputs, targets = torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(np.ascontiguousarray(Y))
    loss_fn = torch.nn.MSELoss() if loss == "mse" else torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss_fn(model(inputs), targets).backward()
        optimizer.step()

    step.model = model
    return step


def _difference_after_steps(net: MLP, X, Y, loss: str, torch) -> float:
    """Largest difference between affine3d's and PyTorch's weights after :data:`CHECK_STEPS` steps from ``net``."""
    ours = Training(net, X, Y, loss=loss, optimizer="adam", lr=LR)
    theirs = _torch_step(torch, net, X, Y, loss)
    for _ in range(CHECK_STEPS):
        ours.step(ours.X, ours.T)
        theirs()
    trained = ours.network()
    linears = [m for m in theirs.model if isinstance(m, torch.nn.Linear)]
    return max(max(float(np.max(np.abs(layer.W - m.weight.detach().numpy()))),
                   float(np.max(np.abs(layer.b - m.bias.detach().numpy()))))
               for layer, m in zip(trained.layers, linears))
