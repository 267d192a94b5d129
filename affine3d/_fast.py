"""Private fast paths: ``X @ A.T + b`` and an MLP's forward pass on big batches, without temporaries.

:class:`~affine3d.affine.Affine` and :class:`~affine3d.nn.MLP` read as the maths (``x @ A.T + b``; a
loop over layers) and hand batches of rows to this module, which computes the same sums faster. Nothing
here is part of the API; it is numpy only, and its tests are the classes' own (a batch equals the maths,
row by row) and ``affine3d bench transform`` / ``affine3d bench mlp``.

Three tricks, each measured by those benchmarks:

- No temporaries: the product goes straight into the output (``np.matmul(x, A_T, out=out)``) and ``b``
  is added in place.
- Short rows: adding a length-3 ``b`` to N rows makes numpy's inner loop 3 elements long. Viewed as
  rows of :data:`TILE_ROWS` points, with ``b`` tiled to match, the loop runs over long contiguous runs.
  :data:`TILE_ROWS` is not a power of two on purpose: with 1024 points a float32 row is 12 KiB, a
  multiple of 4 KiB, so every output row starts at the same offset modulo 4096 as the tiled ``b``, and
  the CPU stalls on false store-to-load dependencies ("4K aliasing").
- Small maps (n, m <= 4): :data:`GROUP` points per row of the product, times the block-diagonal
  ``diag(A.T, ..., A.T)``. BLAS is slow on an inner dimension of 3 and fast on 12; the extra
  multiplications by zero are free next to the memory traffic.

An MLP's pass (:class:`ForwardPass`) adds four more, measured by ``affine3d bench mlp`` against onnxruntime:

- Tiles of rows that stay in cache: a tile goes through every layer before the next one starts.
- Threads across tiles, one per CPU, each holding numpy's BLAS to one thread (threadpoolctl, when
  installed): numpy releases the GIL in its products and loops, and a BLAS thread pool on a busy
  machine spins where our threads just wait.
- The bias inside the product: a hidden layer's buffer has one more column, all ones, and the next
  kernel one more row, ``b``; so no pass over memory adds ``b``.
- ReLU as long runs against a row of zeros (:func:`relu_into`, which every ReLU of affine3d's networks runs: numpy
  compares two arrays several times faster than an array and the scalar 0), over the ones column too
  (``max(1, 0) = 1``).

The per-map kernels (``A.T`` in the batch's dtype, ``b`` tiled, the block-diagonal, ``[[A.T], [b]]``) are
made once per map and kept until the map is garbage-collected (keyed by its read-only ``A`` array).
"""

from __future__ import annotations

import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np

__all__ = ["affine_rows", "ForwardPass", "FAST_DTYPES", "relu_into"]

FAST_DTYPES = "fd"
"""The dtype characters (``x.dtype.char``) of the batches taken here: float32 and float64."""
MIN_ROWS = 4096
"""Batches of fewer rows than this run the readable code (``x @ A.T + b``; the MLP's loop over layers).

Up to a few thousand rows the readable code's temporaries are small (4096 rows of a 64-wide float32 layer
are 1 MiB) and stay in the CPU's caches: a call costs tens of microseconds whichever way it goes, so the
lecture's scenes (the 1 538 vertices of ``cube-to-sphere``), the demos' data and the exercises run the
lines the README quotes. From here on memory traffic dominates: the tricks below make a 10^5-point
``F(X)`` some 20 times faster than ``x @ A.T + b`` (``affine3d bench transform``), and an MLP's forward
pass skips a new array per layer (``affine3d bench mlp``, whose batches of 4096 and up take this path).
:class:`affine3d.nn.train.Training` takes its fast step (``nn/_fast_train.py``) from the same size on.
The tests check both sides of the line against each other (tests/test_fast_paths.py).
"""
TILE_ROWS = 1000
GROUP = 4
# An MLP's ReLU compares runs of this many numbers with as many zeros (64 KiB of float32, and 64 bytes more:
# not a multiple of 4 KiB, for the same 4K-aliasing reason as TILE_ROWS).
TILE_NUMBERS = 16400
MIN_ZERO_RUN = 512
""":func:`relu_into` compares arrays of at least this many numbers with a run of zeros (below, the scalar 0
costs less than making the view)."""
FOLD_INPUT = 16
"""An MLP's input rows up to this wide are copied beside a column of ones, so the first layer's bias rides in its product."""
THREADS: int | None = None
"""Threads that share a big forward pass (:class:`ForwardPass`); None: one per CPU this process may use, when
numpy's BLAS can be held to one thread meanwhile (threadpoolctl installed), otherwise 1 (the BLAS's own threads
then share each product). The tests set it to run the threaded path on any machine."""
MIN_TILE_ROWS = 256
"""The fewest rows a thread takes at a time: below that, each tile's dozen numpy calls cost more than they save."""
MIN_THREADED_ROWS = 16384
"""Batches of fewer rows run on one thread (BLAS keeps its own threads for each product). Measured on 2 cores
(``affine3d bench mlp``; 3-64-64-3, ReLU, float32): at 4096 rows a call takes ~0.35 ms on one thread and ~0.5 ms
on two, waking a helper and handing tiles over costing more than the work it takes; the two are level at 8192 and
two threads win from 16384 on. (784-256-256-10, whose products are BLAS's: the same either way at 4096.)"""

_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
_BLAS: list = []  # [threadpoolctl's controllers of the loaded BLAS libraries, or None], looked up once
_BLAS_LOCK = threading.Lock()
_BLAS_USERS: list = [0, []]  # calls inside _OneBlasThread now, and the (library, threads) to restore after them
_POOL: list = [None, 0, 0]  # the ThreadPoolExecutor, its size, the process id it was made in


def _blas_controllers():
    """threadpoolctl's handles on numpy's BLAS (a list), or None without threadpoolctl or a BLAS it knows."""
    if not _BLAS:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _BLAS.append(None)
        else:
            _BLAS.append(ThreadpoolController().select(user_api="blas").lib_controllers or None)
    return _BLAS[0]


def workers() -> int:
    """How many threads share a big forward pass: :data:`THREADS`, or one per CPU when BLAS can be held to one."""
    if THREADS is not None:
        return max(1, int(THREADS))
    return _CPUS if _CPUS > 1 and _blas_controllers() is not None else 1


class _OneBlasThread:
    """Inside: numpy's BLAS on one thread per call (so that our threads, one per CPU, do not each start its
    pool); the thread counts it had are restored when the last such block ends. Without threadpoolctl: nothing."""

    def __enter__(self):
        with _BLAS_LOCK:
            if _BLAS_USERS[0] == 0:
                kept = [(lib, lib.get_num_threads()) for lib in (_blas_controllers() or ())]
                kept = [(lib, count) for lib, count in kept if isinstance(count, int) and count > 1]
                for lib, _count in kept:
                    lib.set_num_threads(1)
                _BLAS_USERS[1] = kept
            _BLAS_USERS[0] += 1
        return self

    def __exit__(self, *exc):
        with _BLAS_LOCK:
            _BLAS_USERS[0] -= 1
            if _BLAS_USERS[0] == 0:
                for lib, count in _BLAS_USERS[1]:
                    lib.set_num_threads(count)
                _BLAS_USERS[1] = []
        return False


def _pool(size: int) -> ThreadPoolExecutor:
    """A pool of ``size`` helper threads, made once (again after a fork: a child has none of its parent's threads)."""
    pool, made_size, pid = _POOL
    if pool is None or made_size < size or pid != os.getpid():
        pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="affine3d-fast")
        _POOL[:] = [pool, size, os.getpid()]
    return pool

_KERNELS: dict[int, dict] = {}  # id(A) -> {key: kernel}; emptied when A is collected


def _kernels_of(A: np.ndarray) -> dict:
    table = _KERNELS.get(id(A))
    if table is None:
        table = _KERNELS[id(A)] = {"A": A}
        weakref.finalize(A, _KERNELS.pop, id(A), None)
    return table


def kernels(A: np.ndarray, b: np.ndarray, dtype) -> tuple[np.ndarray, np.ndarray]:
    """``A.T`` (contiguous) and ``b`` in ``dtype``, ``b`` tiled over :data:`TILE_ROWS` points for short rows."""
    table = _kernels_of(A)
    key = (dtype, id(b))
    kernel = table.get(key)
    if kernel is None:
        A_T = np.ascontiguousarray(A.T, dtype=dtype)
        b_tile = np.tile(b.astype(dtype), TILE_ROWS if A.shape[0] < 16 else 1)
        kernel = table[key] = (A_T, b_tile)
    return kernel


def _block_diagonal(A: np.ndarray, dtype) -> np.ndarray:
    """``diag(A.T, ..., A.T)`` with :data:`GROUP` blocks, in ``dtype``, made once per map."""
    table = _kernels_of(A)
    key = ("blocks", dtype)
    blocks = table.get(key)
    if blocks is None:
        blocks = table[key] = np.kron(np.eye(GROUP), A.T).astype(dtype)
    return blocks


def affine_rows(A: np.ndarray, b: np.ndarray, x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``x @ A.T + b`` for points ``x`` of shape (..., n), float32 or float64, into ``out`` (..., m) if given."""
    dtype = x.dtype
    m, n = A.shape
    if out is None:
        out = np.empty(x.shape[:-1] + (m,), dtype=dtype)
    if not out.flags.c_contiguous:  # a strided view: fill a packed array, then copy into place
        np.copyto(out, affine_rows(A, b, x))
        return out
    rows_in, rows_out = x.reshape(-1, n), out.reshape(-1, m)
    A_T, b_tile = kernels(A, b, dtype)
    rows = rows_in.shape[0]
    if n <= 4 and m <= 4 and rows >= GROUP:
        grouped = rows - rows % GROUP
        np.matmul(rows_in[:grouped].reshape(-1, GROUP * n), _block_diagonal(A, dtype),
                  out=rows_out[:grouped].reshape(-1, GROUP * m))
        np.matmul(rows_in[grouped:], A_T, out=rows_out[grouped:])
    else:
        np.matmul(rows_in, A_T, out=rows_out)
    if b_tile.shape[0] == m:  # long rows: numpy's broadcast add is already efficient
        rows_out += b_tile
        return out
    whole = (rows // TILE_ROWS) * TILE_ROWS
    rows_out[:whole].reshape(-1, b_tile.shape[0]).__iadd__(b_tile)
    rows_out[whole:] += b_tile[:m]
    return out


class ForwardPass:
    """An MLP's forward pass on rows, fast: per layer one BLAS call into a kept scratch buffer, then ``+ b``
    and the activation in place.

    A call allocates nothing but its result. The rows go through in tiles small enough for the scratch
    buffers to stay in the CPU's cache from one layer to the next: a tile goes through every layer before
    the next tile starts. With several CPUs the tiles are shared among threads (:func:`workers`), each
    thread's BLAS calls on that thread alone (:class:`_OneBlasThread`): numpy releases the GIL in its
    products and loops. Scratch buffers are per thread (a viewer's training thread and its drawing thread
    may both call).

    Parameters
    ----------
    layers : sequence of (A, b, activation)
        ``A`` (out, in) and ``b`` (out,) float64, read-only (an Affine's); ``activation`` an
        :class:`~affine3d.nn.activations.Activation`.
    """

    def __init__(self, layers):
        self.layers = list(layers)
        self._local = threading.local()
        widest = max((A.shape[0] for A, _, _ in self.layers[:-1]), default=1)
        self._block = {}  # itemsize -> rows per block: the widest scratch buffer about 1 MiB (256 to 4096 rows)
        for itemsize in (4, 8):
            fit = (1 << 20) // (widest * itemsize)
            self._block[itemsize] = int(min(4096, max(256, 1 << max(fit.bit_length() - 1, 0))))

    def __call__(self, rows: np.ndarray, result: np.ndarray) -> None:
        """``rows`` (N, in), float32 or float64, through every layer into ``result`` (N, out), same dtype."""
        n_rows = rows.shape[0]
        block = self._block[rows.dtype.itemsize]
        threads = workers()
        if threads > 1 and n_rows >= max(2 * MIN_TILE_ROWS, MIN_THREADED_ROWS):
            # two tiles per thread or more (a thread that starts late, or shares its CPU, takes fewer):
            # at most a block, at least MIN_TILE_ROWS, a multiple of 8 rows
            share = -(-n_rows // (2 * threads))
            tile = min(block, max(MIN_TILE_ROWS, -(-share // 8) * 8))
            if tile < n_rows:
                self._in_threads(rows, result, tile, threads)
                return
        if n_rows <= block:
            _forward(self._plan(n_rows, rows.dtype), rows, result)
            return
        plan = self._plan(block, rows.dtype)
        for lo in range(0, n_rows, block):
            _forward(plan, rows[lo: lo + block], result[lo: lo + block])

    def _in_threads(self, rows: np.ndarray, result: np.ndarray, tile: int, threads: int) -> None:
        """Tiles of ``tile`` rows handed out to ``threads`` threads (this one among them), each taking the next when free."""
        n_rows = rows.shape[0]
        starts = iter(range(0, n_rows, tile))
        lock = threading.Lock()

        def work():
            plan = self._plan(tile, rows.dtype)
            while True:
                with lock:
                    lo = next(starts, None)
                if lo is None:
                    return
                _forward(plan, rows[lo: lo + tile], result[lo: lo + tile])

        helpers = min(threads, -(-n_rows // tile)) - 1
        with _OneBlasThread():
            futures = [_pool(threads - 1).submit(work) for _ in range(helpers)]
            try:
                work()
            finally:
                for future in futures:
                    future.result()

    def _plan(self, rows: int, dtype) -> "_Plan":
        """Scratch buffers for ``rows`` rows and each layer's kernel, in ``dtype``: one plan per thread, rebuilt
        when the dtype changes or more rows are needed (see :class:`_Plan`)."""
        cached = getattr(self._local, "plan", None)
        if cached is not None and cached.rows >= rows and cached.dtype == dtype:
            return cached
        plan = self._local.plan = _Plan(self.layers, rows, dtype)
        return plan


class _Plan:
    """What one thread needs to push tiles of up to ``rows`` rows through the layers.

    The bias rides in the product: a hidden layer's output is kept in a buffer one column wider than the
    layer, that column all ones, and the next layer's kernel is ``A.T`` with ``b`` as one more row, so
    ``[a, 1] @ [[A.T], [b]] = a @ A.T + b`` in one BLAS call, and no pass over memory adds ``b``. The first
    layer gets the same when the input is narrow (its rows are copied beside a column of ones, cheap for
    a few numbers per row); a wide input's first layer adds ``b`` after its product, as one flat run over
    its buffer against ``[b, 0]`` repeated (numpy adds two long contiguous runs several times faster than
    it broadcasts ``b`` over rows that have a gap between them).

    ReLU runs over the whole buffer, ones column included (``max(1, 0) = 1``), as flat runs against zeros
    (:func:`relu_into`). Other activations run on the layer's columns.
    """

    def __init__(self, layers, rows: int, dtype):
        self.rows, self.dtype = rows, dtype
        A0 = layers[0][0]
        n_in = A0.shape[1]
        # the input's rows beside a column of ones, when the first layer folds its bias in too
        self.x1 = np.ones((rows, n_in + 1), dtype=dtype) if n_in <= FOLD_INPUT else None
        self.steps = []
        last = len(layers) - 1
        for i, (A, b, activation) in enumerate(layers):
            width = A.shape[0]
            folded = i > 0 or self.x1 is not None
            kernel = _folded_kernel(A, b, dtype) if folded else kernels(A, b, dtype)[0]
            buffer = None if i == last else np.ones((rows, width + 1), dtype=dtype)
            b_runs = None
            if not folded:  # b (and a 0 for the ones column) repeated over about TILE_NUMBERS numbers
                row = b if buffer is None else np.append(b, 0.0)
                b_runs = np.tile(row.astype(dtype), max(1, TILE_NUMBERS // row.shape[0]))
            relu = activation.name == "relu"
            sigma = None if (relu or activation.is_identity) else activation.function
            self.steps.append((kernel, b_runs, buffer, width, relu, sigma))


def _folded_kernel(A: np.ndarray, b: np.ndarray, dtype) -> np.ndarray:
    """``[[A.T], [b]]`` (in + 1, out), contiguous, in ``dtype``: the layer's map on rows ``[a, 1]``; made once per map."""
    table = _kernels_of(A)
    key = ("folded", dtype, id(b))
    kernel = table.get(key)
    if kernel is None:
        kernel = table[key] = np.ascontiguousarray(np.vstack([A.T, b[None, :]]), dtype=dtype)
    return kernel


_ZERO_RUNS = {char: np.zeros(TILE_NUMBERS, dtype=char) for char in FAST_DTYPES}  # dtype char -> zeros
for _run in _ZERO_RUNS.values():
    _run.setflags(write=False)
del _run
_ZERO = {char: run[:1].reshape(()) for char, run in _ZERO_RUNS.items()}  # 0 as a 0-d array of the type
_ZEROS_SHAPED: dict[tuple, np.ndarray] = {}  # (dtype char, shape) -> a view of the zeros in that shape


def relu_into(z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``max(z, 0)`` into ``out`` (same shape and dtype; may be ``z`` itself), and ``out`` returned.

    Float32/float64 arrays of :data:`MIN_ZERO_RUN` numbers or more, each in one contiguous run, are compared
    with a run of zeros: numpy's vectorised ``maximum`` wants two arrays, and it compares an array with a
    scalar 0 several times slower (a 64-by-64 float32 array: ~2 µs against ~0.7 µs). Anything else:
    ``np.maximum(z, 0)`` (0 as a 0-d array of z's type: numpy would convert a Python 0 on every call). Same
    numbers either way, NaN included.
    """
    if z.size >= MIN_ZERO_RUN and z.flags.c_contiguous and out.flags.c_contiguous and out.dtype is z.dtype:
        zeros = _ZERO_RUNS.get(z.dtype.char)
        if zeros is not None:
            if z.size > TILE_NUMBERS:
                _in_runs(np.maximum, z, zeros, out)
                return out
            key = (z.dtype.char, z.shape)
            shaped = _ZEROS_SHAPED.get(key)
            if shaped is None:
                if len(_ZEROS_SHAPED) > 256:  # a bound: the shapes seen are usually a network's few layers
                    _ZEROS_SHAPED.clear()
                shaped = _ZEROS_SHAPED[key] = zeros[: z.size].reshape(z.shape)
            return np.maximum(z, shaped, out=out)
    return np.maximum(z, _ZERO.get(z.dtype.char, 0), out=out)


def _in_runs(op, values: np.ndarray, run: np.ndarray, out: np.ndarray | None = None) -> None:
    """``out = op(values, run repeated)`` on contiguous arrays (``out``: ``values`` itself when None): runs of
    ``len(run)`` numbers, then the rest."""
    flat = values.reshape(-1)
    flat_out = flat if out is None else out.reshape(-1)
    step = run.shape[0]
    whole = flat.shape[0] - flat.shape[0] % step
    if whole:
        op(flat[:whole].reshape(-1, step), run, out=flat_out[:whole].reshape(-1, step))
    if whole < flat.shape[0]:
        op(flat[whole:], run[: flat.shape[0] - whole], out=flat_out[whole:])


def _forward(plan: _Plan, a: np.ndarray, result: np.ndarray) -> None:
    """Rows ``a`` (r, in) through every layer of ``plan`` into ``result`` (r, out)."""
    n_rows = a.shape[0]
    if plan.x1 is not None:  # [x, 1]: the first layer's bias rides in its product too
        x1 = plan.x1[:n_rows]
        np.copyto(x1[:, :-1], a)
        a = x1
    for kernel, b_runs, buffer, width, relu, sigma in plan.steps:
        if buffer is None:  # the last layer writes straight into the result
            z = whole = result
        else:
            whole = buffer[:n_rows]                  # [z, 1]
            z = whole[:, :width]
        np.matmul(a, kernel, out=z)                  # z = a @ W.T + b: one BLAS call
        if b_runs is not None:                       # a wide input's first layer: + b after the product
            _in_runs(np.add, whole, b_runs)
        if relu:
            relu_into(whole, whole)                  # relu in place (the ones column stays 1)
        elif sigma is not None:
            sigma(z, out=z)
        a = whole
