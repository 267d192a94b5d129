"""``affine3d bench mlp``: the forward pass of our MLP next to PyTorch and onnxruntime, same weights, same run.

Two networks, ReLU hidden layers and a linear output, float32 throughout:

- 3-64-64-3: the shape of a network that moves 3D points (the demos' size);
- 784-256-256-10: an MNIST-sized classifier.

For each batch size the libraries are timed in turn, round after round (five rounds; each time the
best of two runs, see :func:`~affine3d.bench.core.best_time`), with a pause before each: OpenBLAS
(numpy), OpenMP (PyTorch) and onnxruntime each keep a pool of threads that spin for a while after a
call, and a pool still spinning slows the next library down. A time is the median of its rounds and a
ratio the median of the ratios within each round, so a burst of load on a shared machine moves one
round, not the table. The thread counts used are reported in the notes.

Two tables: first every library with its default thread pool (all cores), then every library on
one thread, measured in a child process started with ``OPENBLAS_NUM_THREADS=1`` (numpy's BLAS pool
is sized when numpy is imported) and one intra-op thread for onnxruntime and PyTorch. The second
compares the algorithms; the first what a user gets out of the box (``--quick``: only the first
table, batches 1 and 4096, shorter pauses). Before anything is timed, every
column's output is compared with ours (the notes give the largest difference).

Columns: ``affine3d`` is ``mlp(X)``: below :data:`affine3d._fast.MIN_ROWS` rows (batches 1 and 64) the
readable loop over the layers, from it on (4096, 65536) ``affine3d/_fast.py`` (tiles of rows through every
layer, shared among threads, the bias inside the product, ReLU in place); ``numpy`` the textbook
loop ``a = act(a @ W.T + b)`` with fresh arrays, the naive reference; ``products alone`` only the layers'
matrix products through numpy (``np.matmul`` into kept arrays; no bias, no activation, no checks): what any
forward pass through numpy's BLAS costs at least, so where it is above onnxruntime's whole pass no numpy code
can meet onnxruntime (its ratio column says where); ``PyTorch`` a
``torch.nn.Sequential`` of ``Linear`` and ``ReLU`` under ``inference_mode`` (skipped when torch is
not installed); ``onnxruntime`` an ``InferenceSession`` on the file ``mlp.to_onnx`` writes (skipped
when not installed). The ratio columns divide by onnxruntime's time: below 1 is faster than it.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from .. import _fast
from ..nn.mlp import MLP
from ..errors import one_line
from ..i18n import N_
from .core import Table, best_time, format_si, measure_in_child, pause

TITLE = "mlp: forward pass, affine3d against numpy, PyTorch and onnxruntime"

MODELS = ([3, 64, 64, 3], [784, 256, 256, 10])
BATCHES = (1, 64, 4096, 65536)
QUICK_BATCHES = (1, 4096)


COLUMNS = [N_("model"), N_("batch"), "affine3d", "numpy", "PyTorch", "onnxruntime", N_("products alone"), "affine3d/ort",
           "numpy/ort", "torch/ort", N_("products/ort")]


def run(quick: bool = False) -> list[Table]:
    """Two tables: every library with its default thread pool, then each on one thread (in a child process).

    ``quick``: batches 1 and 4096 only, fewer and shorter rounds, and no one-thread table (about 15
    seconds instead of a few minutes).
    """
    if quick:
        rows, notes = measure(QUICK_BATCHES, rounds=3, repeat=2, rest_s=0.15, min_time_s=0.02)
        notes.append("--quick: batches " + ", ".join(map(str, QUICK_BATCHES)) + ", default threads only, 3 rounds; "
                     "run without --quick for every batch size, 5 rounds and the one-thread table.")
        return [Table(f"{TITLE} (float32, time per call; default threads)", COLUMNS, rows, notes)]
    rows, notes = measure(BATCHES)
    default = Table(f"{TITLE} (float32, time per call; default threads)", COLUMNS, rows, notes)
    single = Table(f"{TITLE} (float32, time per call; one thread each)", COLUMNS)
    try:
        rows, notes = _measure_in_child(BATCHES)
        single.rows, single.notes = rows, notes
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        single.notes = [f"the one-thread run failed: {one_line(exc)}"]
    return [default, single]


def measure(batches, rounds: int = 5, repeat: int = 2, threads: int | None = None, *, rest_s: float = 0.2,
            min_time_s: float = 0.03, _threads: int | None = None) -> tuple[list[list], list[str]]:
    """Table rows and notes: each model and batch size, the libraries timed in turn, ``rounds`` times over.

    In each round every library is timed once (:func:`best_time` of ``repeat`` runs of at least
    ``min_time_s``), after a pause of ``rest_s``, in an order that turns from round to round. A time in the
    table is the median of its rounds; a ratio is the median of the ratios within each round (both
    libraries timed seconds apart, so a burst of load on a shared machine hits one round, not the ratio).
    ``threads``: onnxruntime's and PyTorch's intra-op thread count (None: their defaults). numpy's
    BLAS pool is fixed when numpy is imported (``OPENBLAS_NUM_THREADS``), hence the child process.
    """
    if threads is not None:  # our forward pass too: no more threads over tiles than the others get
        kept, _fast.THREADS = _fast.THREADS, threads
        try:
            return measure(batches, rounds, repeat, None, rest_s=rest_s, min_time_s=min_time_s, _threads=threads)
        finally:
            _fast.THREADS = kept
    threads = _threads
    torch = _import_torch()
    ort = _import_onnxruntime()
    if torch is not None and threads is not None:
        torch.set_num_threads(threads)
    rng = np.random.default_rng(0)
    rows, facts, worst = [], {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for sizes in MODELS:
            net = MLP.random(sizes, activation="relu", output="identity", seed=1)
            name = "-".join(map(str, sizes))
            numpy_plain = _numpy_plain(net)
            products = _products_alone(net)
            torch_run = _torch_runner(torch, net, facts)
            ort_run = _ort_runner(ort, net, Path(tmp) / f"{name}.onnx", facts, threads)
            for batch in batches:
                X = rng.standard_normal((batch, sizes[0])).astype(np.float32)
                out = np.empty((batch, sizes[-1]), dtype=np.float32)
                expected = net(X)
                for label, fn in (("numpy", numpy_plain), ("PyTorch", torch_run), ("onnxruntime", ort_run)):
                    if fn is not None:  # every column must compute the same function before it is timed
                        worst[label] = max(worst.get(label, 0.0), float(np.max(np.abs(fn(X) - expected))))
                contestants = [(label, fn) for label, fn in (
                    ("affine3d", lambda: net(X, out=out)), ("numpy", lambda: numpy_plain(X)),
                    ("products", lambda: products(X)),
                    ("PyTorch", torch_run and (lambda: torch_run(X))),
                    ("onnxruntime", ort_run and (lambda: ort_run(X)))) if fn is not None]
                times = {label: [] for label, _ in contestants}
                for turn in range(rounds):
                    k = turn % len(contestants)  # each library leads some rounds and follows in others
                    for label, fn in contestants[k:] + contestants[:k]:
                        pause(rest_s)  # let the previous library's threads stop spinning
                        times[label].append(best_time(fn, repeat=repeat, min_time_s=min_time_s))
                middle = {label: float(np.median(t)) for label, t in times.items()}
                reference = times.get("onnxruntime")

                def ratio(label):
                    if label not in times or reference is None:
                        return None
                    return round(float(np.median([t / r for t, r in zip(times[label], reference)])), 2)

                rows.append([name, batch, *(format_si(middle[label], "s") if label in middle else None for label in
                                            ("affine3d", "numpy", "PyTorch", "onnxruntime", "products")),
                             ratio("affine3d"), ratio("numpy"), ratio("PyTorch"), ratio("products")])
    notes = _notes(torch, ort, facts, rest_s, rounds)
    notes.extend(_floor_note(rows))
    if worst:
        notes.insert(1, "Same outputs: largest difference from affine3d's "
                     + ", ".join(f"{label} {value:.1e}" for label, value in worst.items()) + " (float32 rounding).")
    return rows, notes


def _measure_in_child(batches) -> tuple[list[list], list[str]]:
    """:func:`measure` with one thread per library, in a fresh interpreter whose BLAS starts with one thread."""
    return measure_in_child("affine3d.bench.mlp", f"measure({tuple(batches)!r}, threads=1)",
                            "one intra-op thread for onnxruntime and PyTorch")


# ---------------------------------------------------------------------- the contestants
def _numpy_plain(net: MLP):
    """The textbook forward pass: ``a = relu(a @ W.T + b)`` with new arrays at every step."""
    params = [(np.ascontiguousarray(l.W.T, dtype=np.float32), l.b.astype(np.float32), l.activation.name) for l in net.layers]

    def forward(X):
        a = X
        for W_T, b, act in params:
            a = a @ W_T + b
            if act == "relu":
                a = np.maximum(a, 0)
        return a

    return forward


def _floor_note(rows: list[list]) -> list[str]:
    """A note naming the rows whose products alone take as long as onnxruntime's whole pass (none: no note)."""
    floor = [f"{row[0]} x {row[1]}" for row in rows if row[-1] is not None and row[-1] >= 1]
    if not floor:
        return []
    return ["Where 'products/ort' is 1 or more (" + ", ".join(floor) + "), numpy's matrix products alone take as long "
            "as onnxruntime's whole pass: no forward pass through numpy's BLAS can be faster there."]


def _products_alone(net: MLP):
    """Only the forward pass's matrix products, through numpy, into arrays kept between calls: one row as a
    vector (as ``mlp(X)`` runs it), more as a matrix. No bias, no activation: the floor of any numpy pass."""
    kernels = [np.ascontiguousarray(layer.W.T, dtype=np.float32) for layer in net.layers]
    kept: dict[int, list[np.ndarray]] = {}

    def forward(X):
        rows = X.shape[0]
        outs = kept.get(rows)
        if outs is None:
            outs = kept[rows] = [np.empty((rows, k.shape[1]), np.float32) for k in kernels]
        a = X[0] if rows == 1 else X
        for kernel, z in zip(kernels, outs):
            a = np.matmul(a, kernel, out=z[0] if rows == 1 else z)
        return a

    return forward


def _import_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def _import_onnxruntime():
    try:
        import onnxruntime
    except ImportError:
        return None
    return onnxruntime


def _torch_runner(torch, net: MLP, threads: dict):
    if torch is None:
        return None
    modules = []
    for layer in net.layers:
        linear = torch.nn.Linear(layer.affine.dim_in, layer.affine.dim_out)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(layer.W.astype(np.float32)))   # same (out, in) layout as ours
            linear.bias.copy_(torch.from_numpy(layer.b.astype(np.float32)))
        modules.append(linear)
        if layer.activation.name == "relu":
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules).eval()
    threads["PyTorch"] = f"torch {torch.__version__}, {torch.get_num_threads()} intra-op threads"

    def forward(X):
        with torch.inference_mode():
            return model(torch.from_numpy(X)).numpy()

    return forward


def _ort_runner(ort, net: MLP, path: Path, threads: dict, n_threads: int | None = None):
    if ort is None:
        return None
    try:
        net.to_onnx(path)
    except Exception:  # the onnx package (needed to write the file) may be missing even with onnxruntime
        return None
    options = ort.SessionOptions()
    if n_threads is not None:
        options.intra_op_num_threads = n_threads
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    configured = session.get_session_options().intra_op_num_threads
    threads["onnxruntime"] = (f"onnxruntime {ort.__version__}, intra-op threads "
                              + (str(configured) if configured else f"default (one per physical core; {os.cpu_count()} logical CPUs)"))
    name = session.get_inputs()[0].name
    return lambda X: session.run(None, {name: X})[0]


def _threads_note() -> str:
    count = _fast.workers()
    if count == 1:
        return "one thread" + ("" if _fast.THREADS == 1 else "; threads over tiles need threadpoolctl (pip install threadpoolctl)"
                                                                " to hold BLAS to one thread each, so BLAS's own threads share each product")
    return (f"from {_fast.MIN_THREADED_ROWS} rows {count} threads over tiles of rows, each holding BLAS to one thread "
            "with threadpoolctl; below, one thread and BLAS's own")


def _notes(torch, ort, threads: dict, rest_s: float = 0.2, rounds: int = 5) -> list[str]:
    notes = [f"Each library is timed once per round, {rounds} rounds in turn; a time is the median of its rounds, a ratio the "
             "median of each round's time over onnxruntime's in that round (below 1: faster than onnxruntime).",
             "products alone: only the layers' np.matmul calls, into kept arrays (no bias, no activation, no checks), "
             "the floor of any numpy forward pass.",
             f"affine3d: batches below {_fast.MIN_ROWS} rows run the readable loop over the layers (z = a @ W.T; "
             f"z += b; σ in place), {_fast.MIN_ROWS} rows and up affine3d/_fast.py ({_threads_note()})."]
    try:
        from threadpoolctl import threadpool_info

        pools = ", ".join(f"{p['internal_api']} {p['num_threads']} threads" for p in threadpool_info())
        notes.append(f"numpy / affine3d BLAS: {pools or 'none found'} (threadpoolctl)")
    except ImportError:
        env = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS") if k in os.environ}
        notes.append(f"numpy / affine3d BLAS threads: {env or 'library default (usually one per CPU)'}; "
                     f"{os.cpu_count()} CPUs (install threadpoolctl to see the pool sizes)")
    notes.append(threads.get("PyTorch", "PyTorch: not installed, column skipped (pip install torch)" if torch is None else "PyTorch: -"))
    notes.append(threads.get("onnxruntime", "onnxruntime: not installed, column skipped (pip install 'affine3d[onnx]')" if ort is None
                             else "onnxruntime: the onnx package is missing, so no model file; column skipped"))
    notes.append(f"Each library is paused {rest_s:g} s before its turn: idle BLAS/OpenMP/onnxruntime threads spin ~0.2 s after a call "
                 "and would slow the next one, so each library is timed without the others' threads in the way.")
    return notes
