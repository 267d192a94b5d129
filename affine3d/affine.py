"""Affine maps ``F(x) = A x + b`` in homogeneous coordinates: the one idea behind this package.

An affine map from R^n to R^m is a linear map ``A`` (an m x n matrix) followed by a translation
``b`` (a vector in R^m). Append a 1 to every point, ``x -> [x, 1]``, and the whole map becomes one
(m+1) x (n+1) matrix::

    [ A | b ] [ x ]   [ A x + b ]
    [-------] [---] = [---------]
    [ 0 | 1 ] [ 1 ]   [    1    ]

so composing maps is multiplying matrices. That is why 3D graphics uses 4 x 4 matrices for 3D
points, and it is exactly what one layer of a neural network computes before its activation:
``y = W x + b`` is ``Affine(W, b)``.

Conventions (column vectors, as on the blackboard):

- ``F.matrix`` is ``[[A, b], [0 ... 0, 1]]``; ``F @ G`` is ``F o G`` (first ``G``, then ``F``),
  exactly ``F.matrix @ G.matrix``.
- Points in a batch are rows, numpy style: ``F(X)`` with ``X`` of shape ``(..., n)`` computes
  ``X @ A.T + b`` and keeps ``X``'s float dtype.
- Rotations are active (they move points) and right-handed; angles are radians.
- ``A`` and ``b`` are stored as read-only float64 arrays; every method returns a new map.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

from . import _fast, pack
from .errors import AffineError, byte_size, one_line, shown
from . import i18n
from .i18n import N_, _

__all__ = ["Affine", "MAX_BUILT_ENTRIES", "MAX_CONDITION"]

_FLOAT64, _FLOAT32 = np.dtype(np.float64), np.dtype(np.float32)  # numpy's own instances: compared with `is`

_AXES = {"x": 0, "y": 1, "z": 2}
_MATMUL_HINT = N_("{left} @ {right}: @ composes two Affine maps (F @ G is F after G); to apply F to points x, "
                  "call F(x); for the 4x4 matrix itself, use F.matrix")
FLOAT32_RTOL = float(np.finfo(np.float32).eps)
"""The relative tolerance :meth:`Affine.allclose` and ``MLP.allclose`` allow by default: one float32 step.

A float64 number written to a float32 file (every model format here) comes back within half a step
of itself, so a network saved and loaded again is ``allclose`` to the original."""
_QUATERNION_ORDERS = ("wxyz", "xyzw")
_FRAMES = ("intrinsic", "extrinsic")

MAX_BUILT_ENTRIES = 2**26
"""The most entries (64 M: 512 MiB of float64) a constructor builds from a number alone: ``identity(n)``,
``scaling(s, dim)``, a diagonal from ``n`` factors. ``identity(10**6)`` (8 TB) is a typo, refused at once."""


def _as_floats(name: str, value, what: str) -> np.ndarray:
    """``value`` as a float64 array (a new one); complex numbers and ints too big for a float are refused."""
    try:
        raw = np.asarray(value)
        complex_values = raw.dtype.kind == "c" or (raw.dtype.kind == "O" and any(isinstance(v, complex) for v in raw.flat))
        if not complex_values:
            array = np.array(raw, dtype=np.float64)
    except OverflowError:  # a Python int beyond float64's range (10**400)
        raise AffineError(_("{name}: expected numbers within float64's range (about 1.8e308), got a larger integer").format(
            name=name)) from None
    except (TypeError, ValueError) as exc:
        detail = one_line(exc)
        message = (_("{name}: expected a vector of numbers, got {type} ({detail})") if what == "a vector" else
                   _("{name}: expected an array of numbers, got {type} ({detail})"))
        raise AffineError(message.format(name=name, type=type(value).__name__, detail=detail)) from None
    if complex_values:  # casting would silently drop the imaginary part
        raise AffineError(_("{name}: expected real numbers, got complex ones (an affine map here is real)").format(
            name=name))
    return array


def _check_built_size(name: str, n: int) -> int:
    """``n`` as an int if an n x n float64 matrix fits :data:`MAX_BUILT_ENTRIES`, else AffineError saying what it would take."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise AffineError(_("{name}: expected a dimension >= 1, got {n}").format(name=name, n=shown(n)))
    n = int(n)
    if n * n > MAX_BUILT_ENTRIES:
        limit = math.isqrt(MAX_BUILT_ENTRIES)
        raise AffineError(_("{name}: {n} would make a {n} x {n} matrix ({size} of float64); affine3d builds at most {limit} x "
                             "{limit} from a size alone").format(
            name=name, n=shown(n), size=byte_size(8 * n * n), limit=limit))
    return n


def _as_matrix(name: str, value, shape: tuple[int | None, int | None] | None = None) -> np.ndarray:
    """``value`` as a finite float64 2D array, or an AffineError naming ``name``."""
    array = _as_floats(name, value, "an array")
    if array.ndim != 2:
        raise AffineError(_("{name}: expected a 2D matrix, got shape {shape}").format(name=name, shape=array.shape))
    if shape is not None:
        rows, cols = shape
        if (rows is not None and array.shape[0] != rows) or (cols is not None and array.shape[1] != cols):
            want = "(" + ", ".join("any" if s is None else str(s) for s in shape) + ")"
            raise AffineError(_("{name}: expected shape {want}, got {shape}").format(
                name=name, want=want, shape=array.shape))
    _check_finite(name, array)
    return array


def _as_vector(name: str, value, length: int | None = None) -> np.ndarray:
    """``value`` as a finite float64 1D array of the given length, or an AffineError naming ``name``."""
    array = _as_floats(name, value, "a vector")
    if array.ndim != 1 or (length is not None and array.shape[0] != length):
        want = f"({length},)" if length is not None else "(n,)"
        raise AffineError(_("{name}: expected shape {want}, got {shape}").format(
            name=name, want=want, shape=array.shape))
    _check_finite(name, array)
    return array


def _check_finite(name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        bad = np.argwhere(~np.isfinite(array))[0]
        raise AffineError(_("{name}: expected finite numbers, got {array} at index {value}").format(
            name=name, array=array[tuple(bad)], value=tuple((int(i) for i in bad))))


def _as_angle(name: str, value) -> float:
    if isinstance(value, (complex, np.complexfloating)):
        raise AffineError(_("{name}: expected a real angle in radians, got {value}").format(
            name=name, value=shown(value)))
    try:
        angle = float(value)
    except OverflowError:  # an int beyond float64's range
        raise AffineError(_("{name}: expected a finite angle in radians, got {value}").format(
            name=name, value=shown(value))) from None
    except (TypeError, ValueError):
        raise AffineError(_("{name}: expected an angle in radians, got {value}").format(
            name=name, value=shown(value))) from None
    if not math.isfinite(angle):
        raise AffineError(_("{name}: expected a finite angle in radians, got {angle}").format(
            name=name, angle=angle))
    return angle


def _norm(vector: np.ndarray) -> float:
    """Euclidean length without overflow: scaled by the largest entry first (|v| of [1e200, 1e200] is not inf)."""
    scale = float(np.max(np.abs(vector))) if vector.size else 0.0
    if scale == 0.0 or not math.isfinite(scale):
        return scale
    return scale * float(np.linalg.norm(vector / scale))


def _unit(name: str, value, length: int = 3) -> np.ndarray:
    vector = _as_vector(name, value, length)
    norm = _norm(vector)
    if norm < 1e-12:
        raise AffineError(_("{name}: expected a non-zero vector, got {value} (length {norm:.3g})").format(
            name=name, value=vector.tolist(), norm=norm))
    return vector / norm


def _check_order(order: str) -> str:
    if order not in _QUATERNION_ORDERS:
        raise AffineError(_("order: expected 'wxyz' or 'xyzw', got {order}").format(order=repr(order)))
    return order


def _check_euler(axes: str, frame: str) -> tuple[int, int, int]:
    if frame not in _FRAMES:
        raise AffineError(_("frame: expected 'intrinsic' or 'extrinsic', got {frame}").format(frame=repr(frame)))
    if not isinstance(axes, str) or len(axes) != 3 or any(c not in _AXES for c in axes):
        # upper case is refused, not folded: SciPy reads "XYZ" as intrinsic, and frame= says that here
        raise AffineError(_("axes: expected three lower-case letters from 'xyz' such as 'xyz' or 'zxz', got {axes}").format(
            axes=repr(axes)))
    i, j, k = (_AXES[c] for c in axes)
    if i == j or j == k:
        raise AffineError(_("axes: two consecutive rotations about the same axis, got {axes}").format(
            axes=repr(axes)))
    return i, j, k


MAX_CONDITION = 1e14
"""The largest condition number :meth:`Affine.inverse` and :meth:`Affine.normal_matrix` accept: past it, float64
has two digits left and the inverse is noise."""


def _checked_inverse(A: np.ndarray, consequence: str) -> np.ndarray:
    """``A^-1`` for a square ``A``, or an AffineError if ``A`` is singular to working precision.

    ``consequence`` is the error's message (marked with ``N_``), with fields ``{det}`` and ``{cond}``.

    The test is the 1-norm condition number ``|A|_1 |A^-1|_1`` (within a factor n of the 2-norm one),
    which costs no SVD: the renderer asks for a normal matrix every frame.
    """
    if A.shape == (3, 3):
        A_inv, cond = _inverse_3x3(A)
    else:
        with np.errstate(all="ignore"):
            try:
                A_inv = np.linalg.inv(A)
                cond = float(np.abs(A).sum(axis=0).max() * np.abs(A_inv).sum(axis=0).max())
            except np.linalg.LinAlgError:
                A_inv, cond = None, math.inf
    if A_inv is None or not math.isfinite(cond) or cond > MAX_CONDITION:
        raise AffineError(
            i18n._(consequence).format(det=np.linalg.det(A), cond=cond)
        )
    return A_inv


def _inverse_3x3(A: np.ndarray) -> tuple[np.ndarray | None, float]:
    """``(A^-1, 1-norm condition number)`` of a 3x3 matrix by cofactors, in plain floats.

    Several times quicker than LAPACK at this size. With rows r0, r1, r2 of A, the columns of
    ``det(A) A^-1`` are r1 x r2, r2 x r0 and r0 x r1.
    """
    (a, b, c), (d, e, f), (g, h, i) = A.tolist()
    c0 = (e * i - f * h, f * g - d * i, d * h - e * g)  # r1 x r2
    c1 = (h * c - i * b, i * a - g * c, g * b - h * a)  # r2 x r0
    c2 = (b * f - c * e, c * d - a * f, a * e - b * d)  # r0 x r1
    det = a * c0[0] + b * c0[1] + c * c0[2]
    if det == 0 or not math.isfinite(det):
        return None, math.inf
    # 1-norm: the largest column sum of absolute values; A^-1's columns are c0, c1, c2 over det
    norm_A = max(abs(a) + abs(d) + abs(g), abs(b) + abs(e) + abs(h), abs(c) + abs(f) + abs(i))
    norm_inv = max(sum(abs(v) for v in column) for column in (c0, c1, c2)) / abs(det)
    return np.array([c0, c1, c2]).T / det, norm_A * norm_inv


def _rotation_matrix(axis: int, angle: float) -> np.ndarray:
    """3x3 active right-handed rotation about coordinate axis ``axis`` (0, 1, 2) by ``angle`` radians."""
    c, s = math.cos(angle), math.sin(angle)
    j, k = (axis + 1) % 3, (axis + 2) % 3
    R = np.eye(3)
    R[j, j], R[j, k], R[k, j], R[k, k] = c, -s, s, c
    return R


def _not_homogeneous_hint(M: np.ndarray) -> str:
    """What a matrix with the wrong last row probably is, for :meth:`Affine.from_matrix`'s message."""
    rows, cols = M.shape
    last = M[-1]
    if rows != cols:
        return _("; a {rows}x{cols} matrix is not square: a map R^n -> R^n has an (n+1) x (n+1) matrix ([A, b] with "
                 "[0 ... 0, 1] under it); for A and b alone use Affine(A, b)").format(rows=rows, cols=cols)
    if rows == 3:
        return _("; a 3x3 matrix is A alone (a linear map of R^3, such as a rotation): use Affine(A)")
    if last[-1] == 0 and np.count_nonzero(last[:-1]) == 1 and abs(last[-2]) == 1:
        return _(" (a projection? those live in affine3d.projection)")
    if last[-1] == 1 and np.all(M[:-1, -1] == 0):
        return _(" (the translation in the last row? that is the transpose, a row-vector matrix like pyrr's: use M.T)")
    return ""


class Affine:
    """An affine map ``F(x) = A x + b`` from R^n to R^m.

    Parameters
    ----------
    A : array-like, shape (m, n)
        The linear part. For an MLP layer this is the weight matrix ``W`` (PyTorch layout: out x in).
    b : array-like, shape (m,), optional
        The translation (an MLP layer's bias). Zeros if omitted.

    Examples
    --------
    >>> F = Affine([[0, -1], [1, 0]], [1, 0])     # turn a quarter, then move right
    >>> F([1.0, 0.0])
    array([1., 1.])
    >>> F
    Affine R^2 -> R^2
    [ 0  -1 | 1 ]
    [ 1   0 | 0 ]
    [ 0   0 | 1 ]
    """

    __slots__ = ("_A", "_b", "_cast")

    # numpy hands ``array @ F`` and ``F @ array`` back to Python (a TypeError), instead of treating F
    # as a 0-d object array and failing with a gufunc error.
    __array_ufunc__ = None

    def __init__(self, A, b=None):
        A = _as_matrix("A", A)
        if A.shape[0] == 0 or A.shape[1] == 0:
            raise AffineError(_("A: expected at least one row and one column, got shape {shape}").format(
                shape=A.shape))
        b = np.zeros(A.shape[0]) if b is None else _as_vector("b", b, A.shape[0])
        A.setflags(write=False)
        b.setflags(write=False)
        self._A, self._b = A, b
        self._cast = None  # A and b in float32, made when a float32 batch first comes (see _in_dtype)

    # ------------------------------------------------------------------ the parts
    @property
    def A(self) -> np.ndarray:
        """The linear part, shape (m, n), float64, read-only."""
        return self._A

    @property
    def b(self) -> np.ndarray:
        """The translation, shape (m,), float64, read-only."""
        return self._b

    @property
    def dim_in(self) -> int:
        """n: the dimension of the points the map takes."""
        return self._A.shape[1]

    @property
    def dim_out(self) -> int:
        """m: the dimension of the points the map returns."""
        return self._A.shape[0]

    @property
    def matrix(self) -> np.ndarray:
        """The homogeneous matrix ``[[A, b], [0 ... 0, 1]]``, shape (m+1, n+1), float64 (a new array)."""
        m, n = self._A.shape
        M = np.zeros((m + 1, n + 1))
        M[:m, :n] = self._A
        M[:m, n] = self._b
        M[m, n] = 1.0
        return M

    @classmethod
    def from_matrix(cls, M, *, dim: int | None = None) -> "Affine":
        """The map whose homogeneous matrix is ``M``, shape (m+1, n+1), last row ``[0 ... 0, 1]``.

        The size of ``M`` says the dimensions: a 4x4 ``M`` is a map of R^3, and a 3x3 ``M`` is a map
        of the *plane* R^2 (its ``A`` is the top-left 2x2; the repr's first line says ``R^2 -> R^2``).
        A 3x3 rotation or any other linear map of R^3 is ``A`` alone: ``Affine(A)``, not this.
        Give ``dim=3`` to have a matrix of the wrong size refused instead of read as another space.

        Parameters
        ----------
        M : array-like, shape (m+1, n+1)
            ``[[A, b], [0 ... 0, 1]]``.
        dim : int, optional
            The dimension n of the space the map acts on (R^n -> R^n): ``M`` must then be
            (n+1) x (n+1).

        Raises
        ------
        AffineError
            A last row other than ``[0 ... 0, 1]`` (a 3x3 linear map, a projection, a transposed
            matrix), or a shape that does not fit ``dim``.

        Examples
        --------
        >>> Affine.from_matrix([[1, 0, 5], [0, 1, 6], [0, 0, 1]]).b
        array([5., 6.])
        >>> Affine.from_matrix(np.eye(3))          # 3x3: a map of the plane
        Affine R^2 -> R^2
        [ 1  0 | 0 ]
        [ 0  1 | 0 ]
        [ 0  0 | 1 ]
        >>> Affine.from_matrix(np.eye(3), dim=3)
        Traceback (most recent call last):
            ...
        affine3d.errors.AffineError: M: expected shape (4, 4) for a map of R^3, got (3, 3): a 3x3 matrix is A alone; use Affine(A)
        """
        M = _as_matrix("M", M)
        if M.shape[0] < 2 or M.shape[1] < 2:
            raise AffineError(_("M: expected a homogeneous matrix of shape (m+1, n+1) with m, n >= 1, got {shape}").format(
                shape=M.shape))
        if dim is not None:
            if not isinstance(dim, (int, np.integer)) or dim < 1:
                raise AffineError(_("dim: expected a dimension >= 1, got {dim}").format(dim=repr(dim)))
            if M.shape != (dim + 1, dim + 1):
                if M.shape == (dim, dim):
                    message = _("M: expected shape ({size}, {size}) for a map of R^{dim}, got {shape}: a {dim}x{dim} "
                                "matrix is A alone; use Affine(A)")
                else:
                    message = _("M: expected shape ({size}, {size}) for a map of R^{dim}, got {shape}")
                raise AffineError(message.format(size=dim + 1, dim=dim, shape=M.shape))
        last = M[-1]
        expected = np.zeros(M.shape[1])
        expected[-1] = 1.0
        if not np.array_equal(last, expected):
            raise AffineError(_("M: expected last row {expected} (an affine map), got {last}{hint}").format(
                expected=expected.tolist(), last=last.tolist(), hint=_not_homogeneous_hint(M)))
        return cls(M[:-1, :-1], M[:-1, -1])

    # ------------------------------------------------------------------ applying the map
    def __call__(self, x, out: np.ndarray | None = None) -> np.ndarray:
        """Apply the map to points: ``x`` of shape (n,) or (..., n) -> shape (m,) or (..., m).

        Each point goes to ``A x + b``; a batch of points is rows, so the batch goes to ``x @ A.T + b``.
        Float32 input gives float32 output (computed in float32, as a GPU would); float64 stays
        float64; integers become float64. ``out``, if given, must be an array of the result's shape
        and dtype. The map's own entries are finite (checked when it was made); the points are not
        checked, since that would cost a pass over them as long as the map itself: NaN in, NaN out.

        Examples
        --------
        >>> F = Affine.translation([1, 2, 3])
        >>> F(np.zeros((2, 3), dtype=np.float32))
        array([[1., 2., 3.],
               [1., 2., 3.]], dtype=float32)
        """
        x = np.asarray(x)
        if x.dtype.kind != "f":
            if x.dtype.kind not in "iub":
                raise AffineError(_("x: expected an array of numbers, got dtype {dtype}").format(dtype=x.dtype))
            x = x.astype(np.float64)
        A, b = self._in_dtype(x.dtype)
        n = A.shape[1]
        if x.ndim == 0 or x.shape[-1] != n:
            raise AffineError(_("x: expected shape (n,) or (..., n) with n={n}, got {shape}").format(
                n=n, shape=x.shape))
        if out is not None:
            shape = x.shape[:-1] + (A.shape[0],)
            if not isinstance(out, np.ndarray) or out.shape != shape or out.dtype != x.dtype:
                got = f"{out.shape} and {out.dtype}" if isinstance(out, np.ndarray) else type(out).__name__
                raise AffineError(_("out: expected an array of shape {shape} and dtype {dtype}, got {got}").format(
                    shape=shape, dtype=x.dtype, got=got))
        if x.ndim > 1 and x.size >= _fast.MIN_ROWS * n and x.dtype.char in _fast.FAST_DTYPES:
            return _fast.affine_rows(self._A, self._b, x, out)  # many points: the same sum, without temporaries
        y = x @ A.T + b                                         # each row x_i becomes A x_i + b
        if out is None:
            return y
        np.copyto(out, y)
        return out

    def _in_dtype(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """``A`` and ``b`` in the points' float type: float64 as stored, float32 as copies made once and kept."""
        if dtype is _FLOAT64:
            return self._A, self._b
        if dtype is not _FLOAT32:  # float16, longdouble, another byte order: rare, cast each time
            return self._A.astype(dtype), self._b.astype(dtype)
        if self._cast is None:
            self._cast = (self._A.astype(np.float32), self._b.astype(np.float32))
        return self._cast

    def apply_vectors(self, v) -> np.ndarray:
        """Apply only the linear part to direction vectors (w = 0: translations do not move them).

        Examples
        --------
        >>> Affine.translation([5, 5, 5]).apply_vectors([1.0, 0.0, 0.0])
        array([1., 0., 0.])
        """
        return Affine(self._A)(v)

    # ------------------------------------------------------------------ composition and inverse
    def __matmul__(self, other: "Affine") -> "Affine":
        """``F @ G`` is ``F o G``: first ``G``, then ``F`` (the product of the homogeneous matrices).

        ``F @ x`` with an array is refused with a hint: ``F(x)`` applies a map to points.
        """
        if not isinstance(other, Affine):
            if isinstance(other, (np.ndarray, list, tuple, int, float, np.generic)):
                raise TypeError(i18n._(_MATMUL_HINT).format(left="F", right=_what(other)))
            return NotImplemented
        if self.dim_in != other.dim_out:
            raise AffineError(
                _("F @ G: F takes R^{dim_in} but G returns R^{dim_out} (shapes {shape} and {shape2})").format(
                    dim_in=self.dim_in, dim_out=other.dim_out, shape=self._A.shape, shape2=other._A.shape)
            )
        return Affine(self._A @ other._A, self._A @ other._b + self._b)

    def __rmatmul__(self, other) -> "Affine":
        """``x @ F`` with an array: refused with the same hint (``F(x)`` applies, ``F @ G`` composes)."""
        raise TypeError(i18n._(_MATMUL_HINT).format(left=_what(other), right="F"))

    def __mul__(self, other):
        """``F * x`` or ``F * G``: refused with a hint; ``F(x)`` applies a map, ``F @ G`` composes two."""
        raise TypeError(_operator_hint("*", "F", _what_operand(other)))

    def __rmul__(self, other):
        """``x * F``: refused with the same hint as ``F * x``."""
        raise TypeError(_operator_hint("*", _what_operand(other), "F"))

    def __add__(self, other):
        """``F + G``: refused; maps are composed (``F @ G``), and their matrices added as ``F.matrix + G.matrix``."""
        raise TypeError(_operator_hint("+", "F", _what_operand(other)))

    def __radd__(self, other):
        """``x + F``: refused with the same hint as ``F + x``."""
        raise TypeError(_operator_hint("+", _what_operand(other), "F"))

    def __sub__(self, other):
        """``F - G``: refused with the same hint as ``F + G``."""
        raise TypeError(_operator_hint("-", "F", _what_operand(other)))

    def __rsub__(self, other):
        """``x - F``: refused with the same hint as ``F + x``."""
        raise TypeError(_operator_hint("-", _what_operand(other), "F"))

    def inverse(self) -> "Affine":
        """The map ``F^-1`` with ``F^-1 @ F = identity``: ``x = A^-1 (y - b)``.

        A rigid map (orthonormal ``A``) is inverted with the transpose, which is exact and cheap;
        any other square ``A`` with a solve. A singular or non-square ``A`` raises AffineError.

        Examples
        --------
        >>> F = Affine.rotation_z(0.3) @ Affine.translation([1, 2, 3])
        >>> np.allclose((F.inverse() @ F).matrix, np.eye(4))
        True
        """
        m, n = self._A.shape
        if m != n:
            raise AffineError(_("A: expected a square matrix to invert, got shape {shape}").format(
                shape=self._A.shape))
        if self.orthonormality_error() < 1e-12:
            A_inv = self._A.T.copy()
        else:
            A_inv = _checked_inverse(self._A, N_("A: the map is singular (determinant {det:.3g}, condition number "
                                                 "{cond:.3g}) and has no inverse"))
        return Affine(A_inv, -A_inv @ self._b)

    # ------------------------------------------------------------------ measures
    @property
    def determinant(self) -> float:
        """``det A`` (square maps only): the factor by which volumes change; < 0 for a reflection."""
        if self.dim_in != self.dim_out:
            raise AffineError(_("A: the determinant needs a square matrix, got shape {shape}").format(
                shape=self._A.shape))
        return float(np.linalg.det(self._A))

    def orthonormality_error(self) -> float:
        """``max |A^T A - I|``: 0 for a rotation or reflection; grows as rounding errors pile up."""
        n = self.dim_in
        return float(np.max(np.abs(self._A.T @ self._A - np.eye(n))))

    def is_rigid(self, tol: float = 1e-9) -> bool:
        """True if ``A`` is a rotation (orthonormal, det +1) to within ``tol``: distances are kept."""
        return (
            self.dim_in == self.dim_out
            and self.orthonormality_error() <= tol
            and self.determinant > 0
        )

    def orthonormalized(self) -> "Affine":
        """The nearest map whose ``A`` is orthonormal (polar decomposition by SVD), same ``b``.

        Products of many rotations drift from orthonormal by rounding; the viewer calls this after
        every mouse step. The sign of the determinant is kept (a rotation stays a rotation).

        Examples
        --------
        >>> F = Affine([[1.001, 0.002, 0], [0, 0.999, 0], [0, 0, 1]])
        >>> G = F.orthonormalized(); G.orthonormality_error() < 1e-15
        True
        """
        if self.dim_in != self.dim_out:
            raise AffineError(_("A: expected a square matrix, got shape {shape}").format(shape=self._A.shape))
        U, _unused, Vt = np.linalg.svd(self._A)
        return Affine(U @ Vt, self._b)

    def normal_matrix(self) -> np.ndarray:
        """``(A^-1)^T``, shape (n, n): maps surface normals so they stay perpendicular to surfaces.

        Under a non-uniform scale or a shear, ``A`` would tilt normals off their surfaces; the inverse
        transpose keeps them perpendicular. For a rotation it equals ``A``. (The renderer calls this
        every frame, so it inverts ``A`` directly instead of building a whole inverse map.)
        """
        if self.dim_in != self.dim_out:
            raise AffineError(_("A: the normal matrix needs a square matrix, got shape {shape}").format(
                shape=self._A.shape))
        return _checked_inverse(self._A, N_("A: the map is singular (determinant {det:.3g}, condition number {cond:.3g}); "
                                            "it flattens surfaces, so they have no normals")).T

    def allclose(self, other: "Affine", atol: float = 1e-9, rtol: float = FLOAT32_RTOL) -> bool:
        """True if both maps have the same shape and entries equal up to rounding.

        Entries ``x`` and ``y`` count as equal when ``|x - y| <= atol + rtol * max(|x|, |y|)``: by
        default a few float64 roundings (``atol``) or one float32 rounding (``rtol``, about 1.2e-7),
        so a map read back from a float32 file is ``allclose`` to the one written. ``==`` is exact.

        Examples
        --------
        >>> F = Affine.rotation_z(0.5)
        >>> F.allclose(Affine(F.A.astype(np.float32), F.b))      # stored as float32 and read back
        True
        >>> F.allclose(Affine.rotation_z(0.5001))
        False
        """
        if not isinstance(other, Affine):
            raise AffineError(_("other: expected an Affine, got {type}").format(type=type(other).__name__))
        return self._A.shape == other._A.shape and _close(self._A, other._A, atol, rtol) \
            and _close(self._b, other._b, atol, rtol)

    def __eq__(self, other) -> bool:
        """``F == G``: the same shape and exactly the same ``A`` and ``b`` (use :meth:`allclose` for rounding).

        Affine maps never change, so they can be dict keys and set members (``hash`` agrees with ``==``).

        Examples
        --------
        >>> Affine.rotation_x(0.3) == Affine.rotation_x(0.3)
        True
        >>> Affine.rotation_x(0.1) @ Affine.rotation_x(0.2) == Affine.rotation_x(0.3)    # rounding: not exactly
        False
        >>> (Affine.rotation_x(0.1) @ Affine.rotation_x(0.2)).allclose(Affine.rotation_x(0.3))
        True
        """
        if not isinstance(other, Affine):
            return NotImplemented
        return self._A.shape == other._A.shape and bool(np.array_equal(self._A, other._A)) \
            and bool(np.array_equal(self._b, other._b))

    def __hash__(self) -> int:
        # + 0.0 turns -0.0 into 0.0: they are == as numbers, so they must hash alike
        return hash((self._A.shape, (self._A + 0.0).tobytes(), (self._b + 0.0).tobytes()))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def identity(cls, n: int = 3) -> "Affine":
        """The map that leaves every point of R^n where it is (``n`` up to ``isqrt(MAX_BUILT_ENTRIES)``)."""
        return cls(np.eye(_check_built_size("n", n)))

    @classmethod
    def translation(cls, t) -> "Affine":
        """The map that moves every point by ``t``: ``F(x) = x + t``.

        Parameters
        ----------
        t : array-like, shape (n,)
            Offset, in scene units.

        Returns
        -------
        Affine
            ``A = I`` and ``b = t``; directions (w = 0) do not move.

        Examples
        --------
        >>> Affine.translation([1, 2, 3])(np.zeros(3))
        array([1., 2., 3.])
        """
        t = _as_vector("t", t)
        return cls(np.eye(t.shape[0]), t)

    @classmethod
    def scaling(cls, s, dim: int = 3) -> "Affine":
        """Scale about the origin: ``s`` a number (uniform, in ``dim`` dimensions) or one factor per axis.

        Examples
        --------
        >>> Affine.scaling([2, 3, 4])(np.ones(3))
        array([2., 3., 4.])
        >>> Affine.scaling(2, dim=2).A
        array([[2., 0.],
               [0., 2.]])
        """
        if np.ndim(s) == 0:
            factor = _as_vector("s", [s])[0]
            return cls(np.eye(_check_built_size("dim", dim)) * factor)
        factors = _as_vector("s", s)
        _check_built_size("s", len(factors))
        return cls(np.diag(factors))

    @classmethod
    def rotation(cls, axis, angle: float) -> "Affine":
        """Rotate R^3 by ``angle`` radians about ``axis`` through the origin (right-hand rule).

        Rodrigues' formula: ``R = I + sin(a) K + (1 - cos(a)) K^2``, with ``K`` the cross-product
        matrix of the unit axis.

        Parameters
        ----------
        axis : array-like, shape (3,), or {"x", "y", "z"}
            The axis (any non-zero length), or a coordinate axis by name, as in scene files.
        angle : float
            Radians.

        Examples
        --------
        >>> np.round(Affine.rotation([0, 0, 1], np.pi / 2)([1.0, 0, 0]), 12)
        array([0., 1., 0.])
        >>> Affine.rotation("z", 0.3) == Affine.rotation_z(0.3)
        True
        """
        if isinstance(axis, str):
            name = axis.strip().lower()
            if name not in _AXES:
                raise AffineError(_("axis: expected 'x', 'y', 'z' or a vector [x, y, z], got {axis}").format(
                    axis=repr(axis)))
            return cls(_rotation_matrix(_AXES[name], _as_angle("angle", angle)))
        k = _unit("axis", axis)
        angle = _as_angle("angle", angle)
        K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
        return cls(np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * (K @ K))

    @classmethod
    def rotation_x(cls, angle: float) -> "Affine":
        """Rotate R^3 about the x axis by ``angle`` radians: y turns toward z."""
        return cls(_rotation_matrix(0, _as_angle("angle", angle)))

    @classmethod
    def rotation_y(cls, angle: float) -> "Affine":
        """Rotate R^3 about the y axis by ``angle`` radians: z turns toward x."""
        return cls(_rotation_matrix(1, _as_angle("angle", angle)))

    @classmethod
    def rotation_z(cls, angle: float) -> "Affine":
        """Rotate R^3 about the z axis by ``angle`` radians: x turns toward y.

        Examples
        --------
        >>> np.round(Affine.rotation_z(np.pi / 2)([1.0, 0, 0]), 12)
        array([0., 1., 0.])
        """
        return cls(_rotation_matrix(2, _as_angle("angle", angle)))

    @classmethod
    def rotation_2d(cls, angle: float) -> "Affine":
        """Rotate the plane R^2 by ``angle`` radians, counter-clockwise.

        Examples
        --------
        >>> np.round(Affine.rotation_2d(np.pi / 2)([1.0, 0.0]), 12)
        array([0., 1.])
        """
        angle = _as_angle("angle", angle)
        c, s = math.cos(angle), math.sin(angle)
        return cls([[c, -s], [s, c]])

    @classmethod
    def shear(cls, xy: float = 0.0, xz: float = 0.0, yx: float = 0.0, yz: float = 0.0, zx: float = 0.0, zy: float = 0.0) -> "Affine":
        """A shear of R^3: ``xy`` adds ``xy * y`` to x, ``xz`` adds ``xz * z`` to x, and so on.

        Volumes are kept (det = 1 when only one factor is set); right angles are not.

        Examples
        --------
        >>> Affine.shear(xy=0.5)([0.0, 2.0, 0.0])
        array([1., 2., 0.])
        """
        factors = _as_vector("shear factors", [xy, xz, yx, yz, zx, zy])
        A = np.eye(3)
        A[0, 1], A[0, 2], A[1, 0], A[1, 2], A[2, 0], A[2, 1] = factors
        return cls(A)

    @classmethod
    def from_quaternion(cls, q, *, order: str) -> "Affine":
        """The rotation of R^3 given by a quaternion (normalised first).

        Parameters
        ----------
        q : array-like, shape (4,)
            The quaternion; need not be unit length, must not be zero.
        order : {"wxyz", "xyzw"}
            Where the scalar part stands. Required, because libraries disagree: pytransform3d, Eigen's
            constructor and GLM's ``quat(w, x, y, z)`` put w first; pyrr, SciPy and Unity put it last.

        Examples
        --------
        >>> q = [np.cos(np.pi / 4), 0, 0, np.sin(np.pi / 4)]   # 90 degrees about z
        >>> np.round(Affine.from_quaternion(q, order="wxyz")([1.0, 0, 0]), 12)
        array([0., 1., 0.])
        """
        _check_order(order)
        q = _as_vector("q", q, 4)
        norm = _norm(q)
        if norm < 1e-12:
            raise AffineError(_("q: expected a non-zero quaternion, got {value}").format(value=q.tolist()))
        q = q / norm
        w, x, y, z = (q[0], q[1], q[2], q[3]) if order == "wxyz" else (q[3], q[0], q[1], q[2])
        return cls(
            [
                [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
            ]
        )

    def to_quaternion(self, *, order: str) -> np.ndarray:
        """The unit quaternion of this rotation, shape (4,), with ``w >= 0`` (q and -q are the same rotation).

        ``A`` must be a rotation of R^3 (orthonormal, det +1, to 1e-6). Shepperd's method: pick the
        largest of w, x, y, z to divide by, so the result is accurate for every angle.
        """
        _check_order(order)
        self._require_rotation()
        R = self._A
        trace = R[0, 0] + R[1, 1] + R[2, 2]
        candidates = [trace, R[0, 0], R[1, 1], R[2, 2]]
        largest = int(np.argmax(candidates))
        if largest == 0:
            w = math.sqrt(1 + trace) / 2
            x, y, z = (R[2, 1] - R[1, 2]) / (4 * w), (R[0, 2] - R[2, 0]) / (4 * w), (R[1, 0] - R[0, 1]) / (4 * w)
        elif largest == 1:
            x = math.sqrt(1 + R[0, 0] - R[1, 1] - R[2, 2]) / 2
            w, y, z = (R[2, 1] - R[1, 2]) / (4 * x), (R[0, 1] + R[1, 0]) / (4 * x), (R[0, 2] + R[2, 0]) / (4 * x)
        elif largest == 2:
            y = math.sqrt(1 - R[0, 0] + R[1, 1] - R[2, 2]) / 2
            w, x, z = (R[0, 2] - R[2, 0]) / (4 * y), (R[0, 1] + R[1, 0]) / (4 * y), (R[1, 2] + R[2, 1]) / (4 * y)
        else:
            z = math.sqrt(1 - R[0, 0] - R[1, 1] + R[2, 2]) / 2
            w, x, y = (R[1, 0] - R[0, 1]) / (4 * z), (R[0, 2] + R[2, 0]) / (4 * z), (R[1, 2] + R[2, 1]) / (4 * z)
        q = np.array([w, x, y, z])
        q /= np.linalg.norm(q)
        if q[0] < 0:
            q = -q
        return q if order == "wxyz" else q[[1, 2, 3, 0]]

    @classmethod
    def from_euler(cls, angles, axes: str = "xyz", *, frame: str) -> "Affine":
        """The rotation made of three turns about coordinate axes, ``angles`` in radians.

        Parameters
        ----------
        angles : array-like, shape (3,)
            The three angles, in the order the axes are named.
        axes : str
            Three letters, e.g. ``"xyz"`` (Tait-Bryan) or ``"zxz"`` (proper Euler).
        frame : {"intrinsic", "extrinsic"}
            Required. ``"extrinsic"``: each turn is about the fixed world axis, first ``axes[0]``;
            ``R = R3 @ R2 @ R1``. ``"intrinsic"``: each turn is about the body's own, already turned
            axis; ``R = R1 @ R2 @ R3``. So intrinsic ``"xyz"`` equals extrinsic ``"zyx"`` with the
            angles reversed.

        Examples
        --------
        >>> a = [0.1, 0.2, 0.3]
        >>> Affine.from_euler(a, "xyz", frame="intrinsic").allclose(
        ...     Affine.from_euler(a[::-1], "zyx", frame="extrinsic"))
        True
        """
        i, j, k = _check_euler(axes, frame)
        a = _as_vector("angles", angles, 3)
        R1, R2, R3 = _rotation_matrix(i, a[0]), _rotation_matrix(j, a[1]), _rotation_matrix(k, a[2])
        return cls(R1 @ R2 @ R3 if frame == "intrinsic" else R3 @ R2 @ R1)

    def to_euler(self, axes: str = "xyz", *, frame: str) -> np.ndarray:
        """The angles (radians, shape (3,)) with ``from_euler(angles, axes, frame=frame)`` equal to this rotation.

        Uses the quaternion method of Bernardes and Viollet (2022), which handles all twelve axis
        sequences. At gimbal lock (middle angle 0 or pi for proper Euler, +-pi/2 for Tait-Bryan)
        the first angle is set to 0.
        """
        i, j, k = _check_euler(axes, frame)
        if frame == "intrinsic":
            # intrinsic (i, j, k) with angles (a, b, c) == extrinsic (k, j, i) with angles (c, b, a)
            # (so at gimbal lock the extrinsic *third* angle, the intrinsic first, is the one set to 0)
            return self._extrinsic_euler(k, j, i, zero_at_lock=2)[::-1].copy()
        return self._extrinsic_euler(i, j, k, zero_at_lock=0)

    def _extrinsic_euler(self, i: int, j: int, k: int, zero_at_lock: int = 0) -> np.ndarray:
        w, *xyz = self.to_quaternion(order="wxyz")
        symmetric = i == k
        if symmetric:
            k = 3 - i - j
        sign = (i - j) * (j - k) * (k - i) // 2  # +1 for a cyclic (right-handed) sequence, -1 otherwise
        if symmetric:
            a, b, c, d = w, xyz[i], xyz[j], xyz[k] * sign
        else:
            a, b, c, d = w - xyz[j], xyz[i] + xyz[k] * sign, xyz[j] + w, xyz[k] * sign - xyz[i]
        theta2 = 2 * math.atan2(math.hypot(c, d), math.hypot(a, b))
        half_sum, half_diff = math.atan2(b, a), math.atan2(d, c)
        eps = 1e-7
        # At gimbal lock only theta1 + theta3 = 2 half_sum (theta2 = 0) or theta3 - theta1 = 2 half_diff
        # (theta2 = pi) is defined (theta3 before its Tait-Bryan sign below); the angle
        # ``zero_at_lock`` (0: theta1, 2: theta3) is set to 0 and the other one takes the whole turn.
        if abs(theta2) < eps:
            theta1, theta3 = (0.0, 2 * half_sum) if zero_at_lock == 0 else (2 * half_sum, 0.0)
        elif abs(theta2 - math.pi) < eps:
            theta1, theta3 = (0.0, 2 * half_diff) if zero_at_lock == 0 else (-2 * half_diff, 0.0)
        else:
            theta1, theta3 = half_sum - half_diff, half_sum + half_diff
        if not symmetric:
            theta3 *= sign
            theta2 -= math.pi / 2
        angles = np.array([theta1, theta2, theta3])
        return (angles + math.pi) % (2 * math.pi) - math.pi

    @classmethod
    def look_at(cls, eye, target, up=(0.0, 1.0, 0.0)) -> "Affine":
        """The world -> camera map of a camera at ``eye`` looking at ``target``.

        It is the inverse of the camera's pose: it moves and turns the *world* so that the camera
        sits at the origin looking down -z with ``up`` pointing along +y (OpenGL's eye space).
        ``target`` lands on the negative z axis.

        Examples
        --------
        >>> V = Affine.look_at(eye=[0, 0, 5], target=[0, 0, 0])
        >>> V([0.0, 0.0, 0.0])
        array([ 0.,  0., -5.])
        """
        eye = _as_vector("eye", eye, 3)
        target = _as_vector("target", target, 3)
        up = _unit("up", up)
        if _norm(target - eye) < 1e-12:
            raise AffineError(_("eye, target: expected two different points, got {value} for both").format(
                value=eye.tolist()))
        forward = (target - eye) / _norm(target - eye)
        side = np.cross(forward, up)
        if np.linalg.norm(side) < 1e-9:
            raise AffineError(
                _("up: expected a direction not parallel to the view direction {value}, got {value2}").format(
                    value=forward.tolist(), value2=up.tolist())
            )
        side /= np.linalg.norm(side)
        true_up = np.cross(side, forward)
        R = np.vstack([side, true_up, -forward])  # rows: camera axes in world coordinates
        return cls(R, -R @ eye)

    # ------------------------------------------------------------------ GPU and pyrr
    def to_gl(self) -> bytes:
        """float32, column-major: the byte order a GLSL ``mat4`` uniform expects (``mat3`` for 2D maps).

        Examples
        --------
        >>> len(Affine.identity(3).to_gl())
        64
        """
        if self.dim_in != self.dim_out:
            raise AffineError(_("A: a GLSL matN needs a square map, got shape {shape}").format(shape=self._A.shape))
        return pack.matrix(self.matrix)

    def to_pyrr(self):
        """This map as pyrr's ``Matrix44``, which stores the *transpose* (pyrr uses row vectors: ``v @ M``)."""
        import pyrr

        self._require_3d()
        return pyrr.Matrix44(self.matrix.T)

    @classmethod
    def from_pyrr(cls, m) -> "Affine":
        """The map stored in a pyrr ``Matrix44`` (row-vector convention: its transpose is our matrix)."""
        M = _as_matrix("m", np.asarray(m), (4, 4))
        return cls.from_matrix(M.T)

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        """The homogeneous matrix ``[A | b]`` over ``[0 | 1]``; a big map is summarised as numpy does.

        Past numpy's print threshold (``np.get_printoptions()``: 1000 entries), only the first and
        last ``edgeitems`` rows and columns are shown, with ``...`` between them, so printing a
        4000 x 4000 map costs what printing a 7 x 7 one does.
        """
        m, n = self._A.shape
        options = np.get_printoptions()
        edge = max(1, int(options["edgeitems"]))
        summarise = (m + 1) * (n + 1) > options["threshold"]
        rows = _shown_indices(m, edge) if summarise else list(range(m))
        cols = _shown_indices(n, edge) if summarise else list(range(n))
        table = [[_format_number(self._A[i, j]) for j in cols] + [_format_number(self._b[i])] for i in rows]
        table.append(["0"] * len(cols) + ["1"])  # the homogeneous row
        row_gap = len(rows) < m  # rows hidden: a line of ... after the first `edge` rows
        col_gap = len(cols) < n
        width = max(len(c) for row in table for c in row)
        if row_gap or col_gap:
            width = max(width, 3)

        def line(cells: list[str]) -> str:
            left = [c.rjust(width) for c in cells[:-1]]
            if col_gap:
                left.insert(edge, "...")
            return f"[ {'  '.join(left)} | {cells[-1].rjust(width)} ]"

        lines = [f"Affine R^{n} -> R^{m}"] + [line(cells) for cells in table]
        if row_gap:
            lines.insert(1 + edge, line(["..."] * (len(cols) + 1)))
        return "\n".join(lines)

    __str__ = __repr__

    def _repr_pretty_(self, p, cycle) -> None:  # IPython
        p.text(repr(self))

    # ------------------------------------------------------------------ checks
    def _require_3d(self) -> None:
        if self._A.shape != (3, 3):
            raise AffineError(_("A: expected a map of R^3 (shape (3, 3)), got shape {shape}").format(
                shape=self._A.shape))

    def _require_rotation(self, tol: float = 1e-6) -> None:
        self._require_3d()
        error = self.orthonormality_error()
        det = self.determinant
        if error > tol or det <= 0:
            raise AffineError(
                _("A: expected a rotation (orthonormal, det +1), got det {det:.6g} and |A^T A - I| = {error:.3g}").format(
                    det=det, error=error)
            )

    def __reduce__(self):
        # Affine objects are plain data; pickling them (in the user's own code) stays possible.
        return (Affine, (self._A.copy(), self._b.copy()))


def _close(x: np.ndarray, y: np.ndarray, atol: float, rtol: float) -> bool:
    """``|x - y| <= atol + rtol * max(|x|, |y|)`` everywhere (symmetric, unlike ``np.allclose``)."""
    return bool(np.all(np.abs(x - y) <= atol + rtol * np.maximum(np.abs(x), np.abs(y))))


def _shown_indices(count: int, edge: int) -> list[int]:
    """The first and last ``edge`` of ``range(count)`` (all of them if that is not fewer)."""
    if count <= 2 * edge:
        return list(range(count))
    return list(range(edge)) + list(range(count - edge, count))


def _what_operand(value) -> str:
    """``value`` named for an operator's message: 'G' for another map, else its kind in words."""
    return "G" if isinstance(value, Affine) else _what(value)


def _operator_hint(op: str, left: str, right: str) -> str:
    """The one-line TypeError text for ``left op right`` with an Affine on one side (``*``, ``+``, ``-``)."""
    if "G" in (left, right):
        return _("{left} {op} {right}: Affine maps have no {op}; compose two maps with @ (F @ G is F after G), or work "
                 "on their 4x4 matrices: F.matrix {op} G.matrix").format(left=left, op=op, right=right)
    return _("{left} {op} {right}: Affine maps have no {op}; to apply F to points x, call F(x); to compose maps, use @ "
             "(F @ G is F after G); for the 4x4 matrix itself, use F.matrix").format(left=left, op=op, right=right)


def _what(value) -> str:
    """``value``'s kind in words, for a message: 'an array', 'a list', 'a number'."""
    if isinstance(value, np.ndarray):
        return _("an array")
    if isinstance(value, (int, float, np.generic)):
        return _("a number")
    return _("a {type}").format(type=type(value).__name__)


def _format_number(value: float) -> str:
    """Short, blackboard-like: integers without a point, others with up to 3 decimals, huge ones as 1.000e+12."""
    if value == 0:
        return "0"
    if float(value).is_integer() and abs(value) < 1e9:
        return str(int(value))
    if abs(value) >= 1e6:
        return f"{value:.3e}"  # not 200 digits for a scaling by 1e200
    return f"{value:.3f}"


def compose(maps: Iterable[Affine]) -> Affine:
    """``F_k o ... o F_1`` for maps given in the order they are applied (``F_1`` first)."""
    maps = list(maps)
    if not maps:
        raise AffineError(_("maps: expected at least one map"))
    result = maps[0]
    for F in maps[1:]:
        result = F @ result
    return result
