"""The one door to the GPU: numbers become the bytes OpenGL reads.

float64 on the CPU, float32 on the GPU; a GLSL matrix (``mat3``, ``mat4``) is read *column by
column*, and moderngl uploads bytes as they are, untransposed. So every matrix that crosses to the
GPU (``Affine.to_gl()``, the normal matrix, the projection, a network's weights, the morph's stage
maps) goes through :func:`matrix` or :func:`mat4_blocks` here, and nowhere else in the package is a
matrix transposed or written column-major to "fix" a picture: fix the maths instead. A test reads
every module and fails on one that does.

This module is numpy only, so :class:`~affine3d.affine.Affine` (the core) and :mod:`affine3d.gl`
both use it.

Examples
--------
>>> np.frombuffer(matrix([[1, 2], [3, 4]]), np.float32).tolist()     # column by column
[1.0, 3.0, 2.0, 4.0]
"""

from __future__ import annotations

import numpy as np
from .i18n import _

__all__ = ["matrix", "column_major", "floats", "ints", "vertices", "indices", "mat4_blocks"]


def column_major(M) -> np.ndarray:
    """The entries of the 2D array ``M`` as float32, column by column: shape (rows * columns,)."""
    return np.asarray(M, dtype=np.float32).ravel(order="F")


def matrix(M) -> bytes:
    """A 2D array as the bytes of a GLSL ``matN`` (or ``matNxM``) uniform: float32, column-major.

    Examples
    --------
    >>> len(matrix(np.eye(4)))
    64
    """
    return column_major(M).tobytes()


def floats(values) -> bytes:
    """A number or a vector (``float``, ``vec3``, a colour) as float32 bytes."""
    return np.asarray(values, dtype=np.float32).tobytes()


def ints(values) -> bytes:
    """A number or a vector (``int``, ``ivec``) as int32 bytes."""
    return np.asarray(values, dtype=np.int32).tobytes()


def vertices(*columns) -> bytes:
    """Per-vertex attributes interleaved: ``vertices(positions, normals)`` writes, for each vertex, its
    position then its normal (float32), the layout of a vertex buffer ``"3f 3f"``.

    Each of ``columns`` is an array of shape (N, k) with the same N.
    """
    return np.hstack([np.asarray(c, dtype=np.float32) for c in columns]).astype(np.float32, copy=False).tobytes()


def indices(array) -> bytes:
    """Vertex indices (triangles, edges) as uint32 bytes, for an index buffer."""
    return np.ascontiguousarray(array, dtype=np.uint32).tobytes()


def mat4_blocks(M, block_rows: int | None = None) -> bytes:
    """The 4x4 blocks of ``M`` (both sides multiples of 4) as an array of GLSL ``mat4``: block ``(i, j)`` at index
    ``i * (columns / 4) + j``, each column-major; only the first ``block_rows`` rows of blocks if given.

    This is how a layer ``W`` too big for one ``mat4`` reaches a shader: ``W x`` is a sum of 4x4 blocks
    times 4-vectors, each one ``apply_affine(W_ij, x_j)``.

    Examples
    --------
    >>> M = np.arange(32.0).reshape(4, 8)
    >>> np.frombuffer(mat4_blocks(M), np.float32)[16:20].tolist()    # block (0, 1), its first column
    [4.0, 12.0, 20.0, 28.0]
    """
    M = np.asarray(M, dtype=np.float32)
    rows, cols = M.shape
    if rows % 4 or cols % 4:
        raise ValueError(_("M: expected both sides multiples of 4, got shape {shape}").format(shape=M.shape))
    row_blocks = rows // 4 if block_rows is None else block_rows
    # (block row i, row r, block column j, column c) -> (i, j, c, r): each block's entries column by column
    blocks = M[: 4 * row_blocks].reshape(row_blocks, 4, cols // 4, 4).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(blocks).tobytes()
