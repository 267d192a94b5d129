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

The per-map kernels (``A.T`` in the batch's dtype, ``b`` tiled, the block-diagonal) are made once per
map and kept until the map is garbage-collected (keyed by its read-only ``A`` array).
"""

from __future__ import annotations

import threading
import weakref

import numpy as np

__all__ = ["affine_rows", "ForwardPass", "FAST_DTYPES"]

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
# An MLP's bias and ReLU zeros are repeated over tiles of about this many numbers (64 KiB of float32),
# with an odd number of rows, for the same 4K-aliasing reason as TILE_ROWS.
TILE_NUMBERS = 16384

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

    A call allocates nothing but its result. Large batches go through in blocks of rows small enough for
    the scratch buffers to stay in the CPU cache between the product, the bias and the activation. The
    scratch buffers are per thread (a viewer's training thread and its drawing thread may both call).

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
        if n_rows <= block:
            _forward(self._plan(n_rows, rows.dtype), rows, result)
            return
        plan = self._plan(block, rows.dtype)
        for lo in range(0, n_rows, block):
            _forward(plan, rows[lo: lo + block], result[lo: lo + block])

    def _plan(self, rows: int, dtype) -> list:
        """Per layer: ``(A.T, b, b tiled, zeros tiled or None, rows per tile, scratch or None, activation or None)``.

        The bias and (for ReLU) zeros are repeated over a tile of rows, about :data:`TILE_NUMBERS`
        numbers: numpy adds and compares two long contiguous runs several times faster than it
        broadcasts a short row (or a scalar, for ``maximum``) over many rows. Scratch buffers hold at
        least ``rows`` rows (the last layer writes into the result: None). One plan per thread, rebuilt
        when the dtype changes or more rows are needed.
        """
        cached = getattr(self._local, "plan", None)
        if cached is not None and cached[0] >= rows and cached[1] == dtype:
            return cached[2]
        plan = []
        last = len(self.layers) - 1
        for i, (A, b, activation) in enumerate(self.layers):
            A_T, _ = kernels(A, b, dtype)
            width = A.shape[0]
            b_cast = b.astype(dtype)
            tile_rows = max(1, TILE_NUMBERS // width) | 1  # odd: see TILE_NUMBERS
            b_tile = np.tile(b_cast, tile_rows)
            relu = activation.name == "relu"
            zeros = np.zeros(tile_rows * width, dtype=dtype) if relu else None
            sigma = None if (relu or activation.is_identity) else activation.function
            z = None if i == last else np.empty((rows, width), dtype=dtype)
            plan.append((A_T, b_cast, b_tile, zeros, tile_rows, z, sigma))
        self._local.plan = (rows, dtype, plan)
        return plan


def _forward(plan: list, a: np.ndarray, result: np.ndarray) -> None:
    """Rows ``a`` (r, in) through every layer of ``plan`` into ``result`` (r, out)."""
    n_rows = a.shape[0]
    for A_T, b, b_tile, zeros, tile_rows, z, sigma in plan:
        if z is None:  # the last layer writes straight into the result
            z = result
        elif z.shape[0] != n_rows:
            z = z[:n_rows]
        np.matmul(a, A_T, out=z)                    # z = a @ W.T: one BLAS call
        whole = n_rows - n_rows % tile_rows          # rows covered by whole tiles
        if whole:
            tiles = z[:whole].reshape(-1, b_tile.shape[0])
            np.add(tiles, b_tile, out=tiles)         # z += b
            if zeros is not None:
                np.maximum(tiles, zeros, out=tiles)  # relu, in place
        if whole < n_rows:
            rest = z[whole:] if whole else z
            np.add(rest, b, out=rest)
            if zeros is not None:
                np.maximum(rest, 0, out=rest)
        if sigma is not None:
            sigma(z, out=z)
        a = z
