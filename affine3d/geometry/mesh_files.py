"""Wavefront OBJ and OFF mesh files: read into a :class:`~affine3d.geometry.Mesh`, write one out.

Reading
-------
**OBJ** (text, one statement per line; ``#`` starts a comment; a line ending in ``\\`` continues on
the next):

- ``v x y z`` a vertex (a fourth ``w`` and vertex colours after it are accepted and ignored);
- ``vn x y z`` a normal, for smooth shading (:mod:`affine3d.geometry.normals`);
- ``f a b c ...`` a polygon face, each corner written ``v``, ``v/vt``, ``v//vn`` or ``v/vt/vn``;
  indices count from 1, and a negative index counts back from the last vertex (or normal) read
  (``-1`` is the latest). Polygons with more than 3 corners are cut into a fan of triangles from their
  first corner. When every corner names a normal, the mesh keeps them (``Mesh.normals`` and
  ``Mesh.normal_indices``); otherwise smooth shading computes them;
- ``l a b ...`` a polyline: its segments are added to the wireframe edges;
- ``vt``, ``vp``, ``o``, ``g``, ``s``, ``usemtl``, ``mtllib`` and the other statements of the
  format (curves, surfaces, display attributes) are skipped: only the shape is read.

**OFF**: the line ``OFF`` (or ``COFF``, optionally followed by the counts), the counts
``n_vertices n_faces [n_edges]``, one ``x y z`` line per vertex (extra columns, such as colours,
ignored), one ``n i1 ... in`` line per face (indices from 0, colour values after them ignored).
``#`` starts a comment; blank lines are skipped.

Numbers are read as numpy reads them (``np.fromstring``): decimals, exponents, ``nan`` and ``inf``
(which a coordinate must not be); indices are integers of at most 18 digits.

Anything else (a malformed number, a non-finite coordinate, an index out of range, a face with fewer
than 3 corners) raises :class:`~affine3d.errors.SceneError` as ``"path:LINE: what was found, what was
expected"``. So do a path that is not a regular file (a directory, a pipe, a device) and a file over
:data:`MAX_MESH_BYTES`. No other exception escapes the readers, whatever the bytes.

How it reads fast
-----------------
A modelling program's OBJ file has hundreds of thousands of lines; Python reading them one by one
spends microseconds on each. The readers take the file in pieces of :data:`CHUNK_BYTES` (whole lines,
so memory stays a few times the final arrays whatever the file's size) and read each piece with numpy
in bulk: line ends, tokens and keywords are found as arrays, all the coordinates of a piece are
converted by one ``np.fromstring`` call, face indices digit by digit for all corners at once.

The readable reader is still here: :class:`_ObjStatements` and :class:`_OffStatements` read a piece
one statement at a time. The bulk reader checks everything it reads (counts, numbers, ranges); when
something in a piece is wrong, it hands that piece to the statement reader, which finds the first
bad line and says what is wrong there, with its line number. Both readers give the same mesh for
every file (``tests/test_mesh_files.py`` checks this on random and damaged files).

Writing
-------
:func:`save_obj` and :func:`save_off` write the mesh's polygon faces (rebuilt from its triangles and
edges by :meth:`Mesh.polygons`), so a cube is written as 6 squares and reads back as the same mesh:
the same vertices (exactly: floats are written with ``repr``), the same triangles, the same edges.
:func:`save_obj` writes a mesh's normals too (``vn`` and ``v//vn`` corners).

Examples
--------
>>> import tempfile, pathlib
>>> from affine3d.geometry.solids import cube
>>> path = pathlib.Path(tempfile.mkdtemp()) / "cube.obj"
>>> save_obj(cube(), path)
>>> back = load_mesh(path)
>>> back.n_vertices, back.n_triangles, back.n_edges
(8, 12, 12)
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import numpy as np

from ..errors import SceneError, one_line
from .mesh import Mesh, _edges_from_keys

__all__ = ["load_mesh", "load_obj", "load_off", "save_obj", "save_off", "MESH_SUFFIXES", "MAX_MESH_BYTES"]

MESH_SUFFIXES = (".obj", ".off")

MAX_MESH_BYTES = 1 << 30
"""Mesh files larger than this (1 GiB) are refused: about 20 million triangles, beyond what the viewer
turns smoothly, and a few GB of arrays once read."""

CHUNK_BYTES = 1 << 23
"""Bytes of text read and converted at a time (8 MiB): the readers' working memory besides the result."""

# OBJ statements that say nothing about the polygonal shape: skipped without complaint.
_OBJ_IGNORED = frozenset(
    "vt vp o g s mg usemtl mtllib usemap maplib p cstype deg bmat step curv curv2 surf parm trim hole "
    "scrv sp end con lod bevel c_interp d_interp ctech stech shadow_obj trace_obj".split()
)

# Most common first: the bulk reader stops looking once every line's keyword is known.
_OBJ_IGNORED_BYTES = tuple(sorted((w.encode() for w in _OBJ_IGNORED), key=lambda w: (w not in (b"vt", b"g", b"s", b"o", b"usemtl"), w)))

_WHITESPACE = b" \t\n\r\x0b\x0c"  # what separates tokens: ASCII whitespace, as bytes.split() and np.fromstring see it
_MAX_DIGITS = 18  # an index of up to 18 digits fits an int64
_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[list(_WHITESPACE)] = True  # a lookup table: one pass over a piece's bytes


# ---------------------------------------------------------------------------------------- opening
def _shown(path) -> str:
    try:
        return os.fspath(path)
    except TypeError:
        raise SceneError(f"path: expected a file path, got {type(path).__name__}") from None


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a regular file"


def _size(n: int) -> str:
    return f"{n / 2**30:.2f} GiB" if n >= 2**30 else f"{n / 2**20:.1f} MiB"


def _open(path):
    """``(shown name, binary file)`` for a regular file of at most :data:`MAX_MESH_BYTES`, else a SceneError.

    Opened without blocking, so a pipe or a device is refused (after ``fstat`` on what was opened)
    instead of hanging the reader.
    """
    shown = _shown(path)
    try:
        fd = os.open(shown, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise SceneError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise SceneError(f"{shown}: expected a mesh file, got a directory") from None
    except (OSError, ValueError) as exc:
        raise SceneError(f"{shown}: cannot read the file ({exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise SceneError(f"{shown}: expected a mesh file, got a directory")
        if not stat.S_ISREG(info.st_mode):
            raise SceneError(f"{shown}: expected a regular file, got {_kind_of(info.st_mode)}")
        if info.st_size > MAX_MESH_BYTES:
            raise SceneError(f"{shown}: the file is {_size(info.st_size)}; mesh files over {_size(MAX_MESH_BYTES)} "
                             f"are refused (about 20 million triangles)")
        return shown, os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _line_breaks(text: bytes) -> int:
    """Lines as an editor counts them: ``\\n``, ``\\r\\n`` and a lone ``\\r`` each end one."""
    if b"\r" not in text:
        return text.count(b"\n")
    return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")


def _continues(line: bytes) -> bool:
    """Does this OBJ line (without its line break) continue on the next? It ends in ``\\`` outside a comment."""
    return line.split(b"#", 1)[0].rstrip(_WHITESPACE).endswith(b"\\")


def _cut(data: bytes, lowest: int, continuation: bool) -> int:
    """Where to end a piece of ``data``: just after its last line break at or after ``lowest``; 0 if none.

    Not after a ``\\r`` that ends ``data`` (it may be the first half of ``\\r\\n``), and with
    ``continuation`` not after an OBJ line that continues on the next.
    """
    end = len(data)
    while True:
        k = max(data.rfind(b"\n", lowest, end), data.rfind(b"\r", lowest, end))
        if k < 0:
            return 0
        if data[k] == 13 and k + 1 == len(data):
            end = k
            continue
        if continuation:
            start = max(data.rfind(b"\n", 0, k), data.rfind(b"\r", 0, k)) + 1
            if _continues(data[start:k]):
                end = k
                continue
        return k + 1


def _pieces(shown: str, file, continuation: bool, size: int | None = None):
    """``(text, number of its first line)``: the file in pieces of about ``size`` bytes of whole lines.

    Every piece ends with a line break (one is added to a last line without), and, with
    ``continuation``, no OBJ statement is split between two pieces.
    """
    size = CHUNK_BYTES if size is None else size
    first_line, carry, total = 1, b"", 0
    while True:
        try:
            block = file.read(size)
        except OSError as exc:
            raise SceneError(f"{shown}: cannot read the file ({exc})") from None
        total += len(block)
        if total > MAX_MESH_BYTES:  # the file grew while being read
            raise SceneError(f"{shown}: the file is over {_size(MAX_MESH_BYTES)}; mesh files that large are refused")
        if not block:
            if carry:
                yield (carry if carry.endswith((b"\n", b"\r")) else carry + b"\n"), first_line
            return
        lowest = max(len(carry) - 1, 0)
        data = carry + block if carry else block
        cut = _cut(data, lowest, continuation)
        if cut == 0:
            carry = data
            continue
        piece, carry = data[:cut], data[cut:]
        yield piece, first_line
        first_line += _line_breaks(piece)


# ---------------------------------------------------------------------------------------- numbers
_INTEGER = re.compile(rb"[+-]?[0-9]{1,%d}" % _MAX_DIGITS)


def _float_token(token: bytes) -> float | None:
    """One number, read by the bulk reader's own rule (``np.fromstring``); None if it is not one."""
    try:
        values = np.fromstring(token, sep=" ")
    except ValueError:
        return None
    return float(values[0]) if len(values) == 1 and token.strip(_WHITESPACE) else None


def _int_token(token: bytes) -> int | None:
    """An integer of at most 18 digits with an optional sign; None otherwise."""
    return int(token) if _INTEGER.fullmatch(token) else None


def _text(token: bytes) -> str:
    return token.decode("utf-8", errors="replace")  # a stray Latin-1 byte is shown, not fatal


def _number(where: str, token: bytes, what: str) -> float:
    value = _float_token(token)
    if value is None:
        raise SceneError(f"{where}: expected {what} (a number), got {_text(token)!r}")
    return value


def _finite(where: str, token: bytes, what: str) -> float:
    value = _number(where, token, what)
    if not np.isfinite(value):
        raise SceneError(f"{where}: expected {what} (a finite number), got {_text(token)!r}")
    return value


def _integer(where: str, token: bytes, what: str) -> int:
    value = _int_token(token)
    if value is None:
        raise SceneError(f"{where}: expected {what} (an integer), got {_text(token)!r}")
    return value


# ---------------------------------------------------------------------------------------- a piece as arrays
class _Piece:
    """A piece of text as numpy arrays: its bytes, lines (with their numbers in the file) and tokens.

    Comments are blanked out (``#`` to the end of the line); with ``continuation``, a line ending
    in ``\\`` is joined to the next (the backslash and the line break become spaces), and the
    joined statement keeps the number of its first line.

    Attributes
    ----------
    a : ndarray (N,) uint8
        The text, writable (a reader blanks keywords in it).
    starts, ends : ndarray (L,) int64
        Each line's first byte and its closing ``\\n``.
    numbers : ndarray (L,) int64
        Each line's number in the file (from 1).
    token_start, token_end : ndarray (K,) int64
        Every token (a run of non-whitespace bytes), ``[start, end)``, in order.
    counts : ndarray (L,) int64
        Tokens per line; ``first_token[l]`` is the index of line ``l``'s first token.
    """

    def __init__(self, text: bytes, first_line: int, continuation: bool):
        if b"\r" in text:  # same length, so byte offsets and line counts stay as they were
            text = text.replace(b"\r\n", b" \n").replace(b"\r", b"\n")
        a = np.frombuffer(bytearray(text), dtype=np.uint8)
        ends = np.flatnonzero(a == 10)
        if b"#" in text:
            _blank_comments(a, ends)
        numbers = None
        if continuation and b"\\" in text and _join_continuations(a, ends):
            physical = ends
            ends = np.flatnonzero(a == 10)
            starts = np.concatenate([[0], ends[:-1] + 1])
            numbers = first_line + np.searchsorted(physical, starts)
        self.a = a
        self.ends = ends
        self.starts = np.concatenate([[0], ends[:-1] + 1]).astype(np.int64)
        self.numbers = first_line + np.arange(len(ends), dtype=np.int64) if numbers is None else numbers
        space = _IS_SPACE[a]
        begins = ~space
        begins[1:] &= space[:-1]
        stops = space  # a token ends at a space after a non-space (space is not needed afterwards)
        stops[1:] &= ~space[:-1]  # ~space[:-1] is a new array, made before stops is written
        stops[0] = False
        self.token_start = np.flatnonzero(begins)
        self.token_end = np.flatnonzero(stops)
        self.first_token = np.searchsorted(self.token_start, self.starts)
        self.counts = np.diff(self.first_token, append=len(self.token_start))

    @property
    def n_lines(self) -> int:
        return len(self.ends)

    def keywords(self, lines: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(start, length)`` of the first token of each of ``lines`` (which must have tokens)."""
        first = self.first_token[lines]
        return self.token_start[first], self.token_end[first] - self.token_start[first]

    def argument_tokens(self, lines: np.ndarray) -> np.ndarray:
        """Indices of the tokens after the first on each of ``lines``, in order."""
        return _ranges(self.first_token[lines] + 1, self.counts[lines] - 1)

    def line_bytes(self, kinds: np.ndarray) -> np.ndarray:
        """(N,) uint8: each byte's line kind, from ``kinds`` (L,) uint8 (a line's bytes include its ``\\n``)."""
        return np.repeat(kinds, self.ends - self.starts + 1)

    def floats(self, selected: np.ndarray) -> np.ndarray | None:
        """All numbers in the bytes where ``selected`` (N,) is true, in order; None if one is not a number."""
        blob = self.a[selected].tobytes()
        if not blob.strip(_WHITESPACE):
            return np.zeros(0)
        try:
            return np.fromstring(blob, sep=" ")
        except ValueError:
            return None


def _blank_comments(a: np.ndarray, ends: np.ndarray) -> None:
    """Replace each ``#`` and the rest of its line by spaces (the line break stays)."""
    hashes = np.flatnonzero(a == 35)
    line = np.searchsorted(ends, hashes)
    first = np.concatenate([[True], line[1:] != line[:-1]])
    begin, end = hashes[first], ends[line[first]]
    if len(begin) < 1000:  # a header comment or two: blank them where they are
        for b, e in zip(begin.tolist(), end.tolist()):
            a[b:e] = 32
        return
    mark = np.zeros(len(a) + 1, dtype=np.int8)
    mark[begin] = 1
    mark[end] = -1
    a[np.cumsum(mark[:-1], dtype=np.int8) > 0] = 32


def _join_continuations(a: np.ndarray, ends: np.ndarray) -> bool:
    """Join each line whose last non-space byte is ``\\`` to the next; True if any was joined."""
    backslashes = np.flatnonzero(a == 92)
    if not len(backslashes):  # they were all in comments
        return False
    lines = np.searchsorted(ends, backslashes)
    last = np.concatenate([lines[1:] != lines[:-1], [True]])  # the last backslash of each line
    joined = False
    for position, line in zip(backslashes[last].tolist(), lines[last].tolist()):
        end = int(ends[line])
        if a[position + 1 : end].tobytes().strip(_WHITESPACE):
            continue  # something follows the backslash: not a continuation
        a[position] = 32
        if line + 1 < len(ends):  # the file's last line keeps its line break
            a[end] = 32
            joined = True
    return joined


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, without the loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(np.asarray(starts, dtype=np.int64) - offsets, lengths) + np.arange(total, dtype=np.int64)


def _integers(a: np.ndarray, begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The integers written in ``a[begin[k]:end[k]]`` for every k: ``(values int64, ok bool)``.

    A field is an optional sign and 1 to 18 digits (an empty field is ok, with value 0); digits are
    read for all fields at once, one decimal place per step.
    """
    n = end - begin
    top = len(a) - 1
    first = a[np.minimum(begin, top)]
    signed = (n > 0) & ((first == 45) | (first == 43))
    negative = signed & (first == 45)
    digits_from = begin + signed
    n_digits = end - digits_from
    ok = (n == 0) | ((n_digits >= 1) & (n_digits <= _MAX_DIGITS))
    value = np.zeros(len(begin), dtype=np.int64)
    longest = int(n_digits[ok].max()) if ok.any() else 0
    for place in range(longest):
        live = n_digits > place
        digit = a[np.minimum(digits_from + place, top)].astype(np.int64) - 48
        ok &= ~(live & ((digit < 0) | (digit > 9)))
        value = np.where(live, value * 10 + digit, value)
    return np.where(negative, -value, value), ok


def _fields(a: np.ndarray, begin: np.ndarray, end: np.ndarray, max_fields: int, selected: np.ndarray | None = None):
    """OBJ corners ``v``, ``v/vt``, ``v//vn``, ``v/vt/vn`` in tokens ``[begin, end)``, all at once.

    ``selected`` (N,) bool, optional: the bytes of the lines these tokens are on, keywords blanked;
    when every corner has the same form (as in any exported file), they are read by one
    ``np.fromstring`` call instead of digit by digit.

    Returns
    -------
    (v, vn, has_vn, ok) : ndarrays, one entry per token
        ``v`` the vertex index as written, ``vn`` the normal index (where ``has_vn``), ``ok`` false
        for a malformed corner (too many fields, an empty first field, a field that is no integer).
    """
    k = len(begin)
    slashes = np.flatnonzero(a == 47)
    owner = np.searchsorted(begin, slashes, side="right") - 1
    inside = (owner >= 0) & (slashes < end[np.maximum(owner, 0)]) if k else np.zeros(len(slashes), bool)
    slashes, owner = slashes[inside], owner[inside]
    per_token = np.bincount(owner, minlength=k).astype(np.int64)
    if selected is not None and k:
        uniform = _uniform_fields(a, begin, end, slashes, per_token, max_fields, selected)
        if uniform is not None:
            return uniform
    n_fields = per_token + 1
    ok = n_fields <= max_fields
    first_field = np.cumsum(n_fields) - n_fields
    total = int(n_fields.sum())
    field_begin = np.empty(total, dtype=np.int64)
    field_end = np.empty(total, dtype=np.int64)
    field_begin[first_field] = begin
    field_end[first_field + per_token] = end
    rank = np.arange(len(slashes)) - (np.cumsum(per_token) - per_token)[owner]  # which slash of its token
    field_end[first_field[owner] + rank] = slashes
    field_begin[first_field[owner] + rank + 1] = slashes + 1
    values, good = _integers(a, field_begin, field_end)
    ok &= np.logical_and.reduceat(good, first_field) if total else ok
    ok &= field_end[first_field] > field_begin[first_field]  # the vertex index is not empty
    v = values[first_field]
    has_vn = n_fields >= 3
    normal_field = np.minimum(first_field + 2, max(total - 1, 0))
    has_vn &= field_end[normal_field] > field_begin[normal_field]
    vn = np.where(has_vn, values[normal_field], 0)
    return v, vn, has_vn, ok


def _uniform_fields(a, begin, end, slashes, per_token, max_fields, selected):
    """:func:`_fields` for corners that all have one form (``v``, ``v/vt``, ``v//vn`` or ``v/vt/vn``),
    each field 1 to 18 bytes long: the slashes become spaces and one ``np.fromstring`` reads every
    index. None when the corners differ or a number does not read (the digit-by-digit path then
    finds what is wrong)."""
    k, s = len(begin), int(per_token[0])
    if s >= max_fields or np.any(per_token != s):
        return None
    cuts = slashes.reshape(k, s)
    # Each field's length, one column at a time (a field between two slashes: their distance - 1).
    ends = [cuts[:, j] for j in range(s)] + [end]
    starts = [begin] + [cuts[:, j] + 1 for j in range(s)]
    lengths = [e - b for b, e in zip(starts, ends)]
    m = s + 1
    if s == 2 and not lengths[1].any():  # v//vn: the texture field empty in every corner
        lengths, m = [lengths[0], lengths[2]], 2
    for length in lengths:
        if length.min() < 1 or length.max() > _MAX_DIGITS:
            return None
    del starts, ends, lengths
    blob = a[selected]
    blob[blob == 47] = 32
    try:
        values = np.fromstring(blob.tobytes(), sep=" ", dtype=np.int64)
    except ValueError:
        return None
    if len(values) != k * m:
        return None
    values = values.reshape(k, m)
    has_vn = np.full(k, m == 3 or (s == 2 and m == 2))
    vn = values[:, -1] if has_vn.all() else np.zeros(k, dtype=np.int64)
    return values[:, 0], vn, has_vn, np.ones(k, dtype=bool)


def _resolve(raw: np.ndarray, before: np.ndarray) -> tuple[np.ndarray, bool]:
    """OBJ indices -> 0-based: ``i > 0`` is ``i - 1``, ``i < 0`` counts back from the ``before`` read so far.

    Returns the indices and whether all are valid (no 0, no reach back past the first); indices past
    the end of the file are left for the caller to check once the whole file is read.
    """
    resolved = np.where(raw > 0, raw - 1, before + raw)
    return resolved, bool(np.all(raw != 0) and np.all(resolved >= 0))


# ---------------------------------------------------------------------------------------- OBJ
class _ObjParts:
    """What an OBJ file says about a mesh, as it is read: the arrays both readers fill, and the checks
    that need the whole file (indices past the end), then the Mesh."""

    def __init__(self, shown: str):
        self.shown = shown
        self.n_vertices = 0
        self.n_normals = 0
        self.vertices: list[np.ndarray] = []
        self.normals: list[np.ndarray] = []
        self.corner_v: list[np.ndarray] = []  # 0-based vertex of each face corner, faces one after another
        self.corner_vn: list[np.ndarray] = []  # 0-based normal of each corner, while every corner names one
        self.every_corner_has_vn = True
        self.sizes: list[np.ndarray] = []  # corners per face (int32)
        self.face_lines: list[np.ndarray] = []  # (int32: a file under MAX_MESH_BYTES has fewer lines)
        self.segments: list[np.ndarray] = []  # polyline segments, flattened pairs
        self.segment_lines: list[np.ndarray] = []

    def add_faces(self, corner_v, corner_vn, sizes, lines) -> None:
        """Faces read: corners' vertices (0-based), their normals (-1: none), corners per face, line numbers."""
        self.corner_v.append(corner_v)
        if self.every_corner_has_vn and np.all(corner_vn >= 0):
            self.corner_vn.append(corner_vn)
        else:  # the file's normals cannot be used: stop keeping them
            self.every_corner_has_vn, self.corner_vn = False, []
        self.sizes.append(np.asarray(sizes, dtype=np.int32))
        self.face_lines.append(np.asarray(lines, dtype=np.int32))

    def mesh(self) -> Mesh:
        """The Mesh, after the checks that need the whole file; the parts are used up (their memory freed)."""
        shown, n = self.shown, self.n_vertices
        sizes = _joined(self.sizes, np.int32).astype(np.int64)
        if len(sizes) == 0:
            raise SceneError(f"{shown}: no faces found; expected at least one 'f' statement")
        face_start = np.cumsum(sizes) - sizes
        corner_v = _joined(self.corner_v, np.int64)
        self.corner_v = []
        bad = np.flatnonzero(corner_v >= n)
        if len(bad):
            face = np.searchsorted(face_start, bad[0], side="right") - 1
            raise SceneError(f"{shown}:{_joined(self.face_lines, np.int32)[face]}: face index {corner_v[bad[0]] + 1} "
                             f"is out of range; the file has {n} vertices")
        segments = _joined(self.segments, np.int64).reshape(-1, 2)
        if len(segments):
            bad = np.flatnonzero(segments.max(axis=1) >= n)
            if len(bad):
                line = _joined(self.segment_lines, np.int64)[bad[0]]
                raise SceneError(f"{shown}:{line}: line index {segments[bad[0]].max() + 1} is out of range; "
                                 f"the file has {n} vertices")
        normals = normal_indices = None
        all_triangles = bool(np.all(sizes == 3))
        fan = None if all_triangles else _fan(sizes)
        if self.n_normals and self.every_corner_has_vn:
            corner_vn = _joined(self.corner_vn, np.int64)
            self.corner_vn = []
            bad = np.flatnonzero(corner_vn >= self.n_normals)
            if len(bad):
                face = np.searchsorted(face_start, bad[0], side="right") - 1
                raise SceneError(f"{shown}:{_joined(self.face_lines, np.int32)[face]}: normal index "
                                 f"{corner_vn[bad[0]] + 1} is out of range; the file has {self.n_normals} normals")
            normals = _joined(self.normals, np.float64).reshape(-1, 3)
            normal_indices = corner_vn.reshape(-1, 3) if all_triangles else corner_vn[fan]
        self.face_lines = self.normals = []
        edges = None
        if len(segments) or not all_triangles:
            # The polygons' sides (and the polylines' segments), unique and sorted, keyed lo * V + hi.
            following = np.arange(1, len(corner_v) + 1)
            following[face_start + sizes - 1] = face_start
            V = max(n, 1)
            ends = corner_v[following]
            keys = np.concatenate([np.minimum(corner_v, ends) * V + np.maximum(corner_v, ends),
                                   segments.min(axis=1) * V + segments.max(axis=1)])
            del following, ends
            edges = _edges_from_keys(keys, V)
        triangles = corner_v.reshape(-1, 3) if all_triangles else corner_v[fan]
        del corner_v, fan
        vertices = _joined(self.vertices, np.float64).reshape(-1, 3)
        self.vertices = []
        return Mesh(vertices, triangles, edges, Path(shown).stem, normals, normal_indices)


def _joined(parts: list, dtype) -> np.ndarray:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts) if len(parts) > 1 else np.asarray(parts[0], dtype=dtype)


def _fan(sizes: np.ndarray) -> np.ndarray:
    """(T, 3): corner indices of each polygon's fan of triangles from its first corner, polygon by polygon."""
    if np.all(sizes == 3):
        return np.arange(3 * len(sizes), dtype=np.int64).reshape(-1, 3)
    n_triangles = sizes - 2
    first = np.repeat(np.cumsum(sizes) - sizes, n_triangles)
    step = _ranges(np.ones(len(sizes), dtype=np.int64), n_triangles)  # 1 .. n - 2 within each polygon
    return np.stack([first, first + step, first + step + 1], axis=1)


class _ObjBulk(_ObjParts):
    """The bulk OBJ reader: each piece of the file read by numpy as a whole."""

    def feed(self, text: bytes, first_line: int) -> None:
        if not self._read(_Piece(text, first_line, continuation=True)):
            # Something in this piece is wrong: the statement reader finds the first bad line and names it.
            _ObjStatements(self.shown, self.n_vertices, self.n_normals, keep=False).feed(text, first_line)
            raise SceneError(f"{self.shown}:{first_line}: cannot read the statements from this line on")

    def _read(self, piece: _Piece) -> bool:
        """Read a piece into the parts; False (and nothing kept) if anything in it is malformed."""
        a, counts = piece.a, piece.counts
        kind = np.zeros(piece.n_lines, dtype=np.uint8)  # 0 blank, 1 v, 2 vn, 3 f, 4 l, 5 skipped
        lines = np.flatnonzero(counts > 0)
        start, length = piece.keywords(lines)
        top = len(a) - 1
        c0, c1 = a[start], a[np.minimum(start + 1, top)]
        known = np.zeros(len(lines), dtype=bool)
        for code, word in ((1, b"v"), (2, b"vn"), (3, b"f"), (4, b"l")):
            match = _keyword_is(a, start, length, word)
            kind[lines[match]] = code
            known |= match
        rest = np.flatnonzero(~known)  # the lines whose keyword is none of v, vn, f, l
        for word in _OBJ_IGNORED_BYTES:
            if not len(rest):
                break
            if (c0[rest] == word[0]).any() and (len(word) == 1 or (c1[rest] == word[1]).any()):
                match = _keyword_is(a, start[rest], length[rest], word)
                kind[lines[rest[match]]] = 5
                rest = rest[~match]
        if len(rest):
            return False  # an unknown statement
        v_lines, vn_lines = np.flatnonzero(kind == 1), np.flatnonzero(kind == 2)
        f_lines, l_lines = np.flatnonzero(kind == 3), np.flatnonzero(kind == 4)
        v_args, vn_args = counts[v_lines] - 1, counts[vn_lines] - 1
        f_args, l_args = counts[f_lines] - 1, counts[l_lines] - 1
        if np.any((v_args < 3) | (v_args > 7)) or np.any(vn_args != 3) or np.any(f_args < 3) or np.any(l_args < 2):
            return False

        # Coordinates: blank the keywords, then one np.fromstring over all v lines (and one over vn).
        a[piece.token_start[piece.first_token[v_lines]]] = 32
        vn_start = piece.token_start[piece.first_token[vn_lines]]
        a[vn_start] = 32
        a[vn_start + 1] = 32
        a[piece.token_start[piece.first_token[f_lines]]] = 32
        byte_kind = piece.line_bytes(kind)
        vertices = _coordinates(piece, byte_kind, 1, v_args) if len(v_lines) else np.zeros((0, 3))
        normals = _coordinates(piece, byte_kind, 2, vn_args) if len(vn_lines) else np.zeros((0, 3))
        if vertices is None or normals is None:
            return False

        # How many vertices and normals were read before each line (negative indices count back from there).
        v_before = self.n_vertices + np.cumsum(kind == 1) - (kind == 1)
        vn_before = self.n_normals + np.cumsum(kind == 2) - (kind == 2)
        corner = piece.argument_tokens(f_lines)
        raw_v, raw_vn, has_vn, ok = _fields(a, piece.token_start[corner], piece.token_end[corner], 3, byte_kind == 3)
        if not ok.all():
            return False
        corner_line = np.repeat(f_lines, f_args)
        corner_v, valid = _resolve(raw_v, v_before[corner_line])
        if not valid:
            return False
        corner_vn, valid = _resolve(raw_vn[has_vn], vn_before[corner_line[has_vn]])
        if not valid:
            return False
        vn_of_corner = np.full(len(corner), -1, dtype=np.int64)
        vn_of_corner[has_vn] = corner_vn

        segments = np.zeros((0, 2), dtype=np.int64)
        segment_lines = np.zeros(0, dtype=np.int64)
        if len(l_lines):
            point = piece.argument_tokens(l_lines)
            raw, _, _, ok = _fields(a, piece.token_start[point], piece.token_end[point], 2)
            point_line = np.repeat(l_lines, l_args)
            chain, valid = _resolve(raw, v_before[point_line])
            if not (ok.all() and valid):
                return False
            same = point_line[1:] == point_line[:-1]
            segments = np.column_stack([chain[:-1][same], chain[1:][same]])
            segment_lines = piece.numbers[point_line[1:][same]]

        self.vertices.append(vertices)
        self.normals.append(normals)
        self.add_faces(corner_v, vn_of_corner, f_args, piece.numbers[f_lines])
        self.segments.append(segments.ravel())
        self.segment_lines.append(segment_lines)
        self.n_vertices += len(v_lines)
        self.n_normals += len(vn_lines)
        return True


def _keyword_is(a: np.ndarray, start: np.ndarray, length: np.ndarray, word: bytes) -> np.ndarray:
    """Which tokens ``[start, start + length)`` are exactly ``word``."""
    match = length == len(word)
    top = len(a) - 1
    for k, byte in enumerate(word):
        match &= a[np.minimum(start + k, top)] == byte
    return match


def _coordinates(piece: _Piece, byte_kind: np.ndarray, code: int, n_args: np.ndarray) -> np.ndarray | None:
    """(n, 3): the first three numbers of each line of kind ``code``; None if a number is malformed or not finite."""
    values = piece.floats(byte_kind == code)
    if values is None or len(values) != int(n_args.sum()):
        return None
    if np.all(n_args == 3):
        xyz = values.reshape(-1, 3)
    else:
        xyz = values[(np.cumsum(n_args) - n_args)[:, None] + np.arange(3)]
    return xyz if np.all(np.isfinite(xyz)) else None


class _ObjStatements(_ObjParts):
    """The statement reader: one OBJ statement at a time, in Python. Slow and plain; it names the line
    of the first error in a piece, and is the reference the bulk reader is tested against.

    ``n_vertices`` and ``n_normals`` are how many the file had before the piece; with ``keep=False``
    nothing is stored (finding an error in a huge file takes no memory).
    """

    def __init__(self, shown: str, n_vertices: int = 0, n_normals: int = 0, keep: bool = True):
        super().__init__(shown)
        self.n_vertices, self.n_normals, self.keep = n_vertices, n_normals, keep

    def feed(self, text: bytes, first_line: int) -> None:
        for number, tokens in _statements(text, first_line):
            self.statement(f"{self.shown}:{number}", number, tokens[0], tokens[1:])

    def statement(self, where: str, number: int, keyword: bytes, args: list[bytes]) -> None:
        keep = self.keep
        if keyword == b"v":
            if not 3 <= len(args) <= 7:
                raise SceneError(f"{where}: expected 'v x y z' (3 coordinates, optionally w and colours), got {len(args)} values")
            xyz = [_finite(where, t, "a coordinate") for t in args[:3]]
            for t in args[3:]:
                _number(where, t, "a weight or colour")
            self.n_vertices += 1
            if keep:
                self.vertices.append(np.array(xyz))
        elif keyword == b"vn":
            if len(args) != 3:
                raise SceneError(f"{where}: expected 'vn x y z' (3 numbers), got {len(args)} values")
            xyz = [_finite(where, t, "a normal component") for t in args]
            self.n_normals += 1
            if keep:
                self.normals.append(np.array(xyz))
        elif keyword == b"f":
            if len(args) < 3:
                raise SceneError(f"{where}: expected a face with at least 3 corners, got {len(args)}")
            corners = [self.corner(where, t, True) for t in args]
            if keep:
                self.add_faces(np.array([v for v, _ in corners], dtype=np.int64),
                               np.array([vn for _, vn in corners], dtype=np.int64), [len(args)], [number])
        elif keyword == b"l":
            if len(args) < 2:
                raise SceneError(f"{where}: expected a polyline with at least 2 vertices, got {len(args)}")
            chain = [self.corner(where, t, False)[0] for t in args]
            if keep:
                self.segments.append(np.array(list(zip(chain, chain[1:])), dtype=np.int64).ravel())
                self.segment_lines.append(np.full(len(chain) - 1, number))
        elif _text(keyword) not in _OBJ_IGNORED:
            raise SceneError(f"{where}: unknown statement {_text(keyword)[:40]!r}; expected v, f, l or another OBJ "
                             f"statement (vt, vn, o, g, s, usemtl, ...)")

    def corner(self, where: str, token: bytes, allow_normal: bool) -> tuple[int, int]:
        """``(vertex, normal)`` of a corner, 0-based (normal -1 if none); a positive vertex index is
        checked against the whole file later."""
        parts = token.split(b"/")
        shown = _text(token)
        if len(parts) > (3 if allow_normal else 2) or not parts[0]:
            forms = "v, v/vt, v//vn or v/vt/vn" if allow_normal else "v or v/vt"
            raise SceneError(f"{where}: expected a vertex reference ({forms}), got {shown!r}")
        for part in parts[1:]:
            if part:
                _integer(where, part, f"a texture or normal index in {shown!r}")
        index = _integer(where, parts[0], f"a vertex index in {shown!r}")
        vertex = _relative(where, index, self.n_vertices, "vertex", "vertices", shown)
        normal = -1
        if allow_normal and len(parts) == 3 and parts[2]:
            normal = _relative(where, int(parts[2]), self.n_normals, "normal", "normals", shown)
        return vertex, normal


def _relative(where: str, index: int, read_so_far: int, what: str, whats: str, token: str) -> int:
    """An OBJ index -> 0-based; a negative one counts back from the ``read_so_far`` items read so far."""
    if index == 0:
        raise SceneError(f"{where}: expected a {what} index from 1 (or negative, counting back), got 0 in {token!r}")
    if index > 0:
        return index - 1  # checked against the final count once the file is read
    if -index > read_so_far:
        if read_so_far:
            raise SceneError(f"{where}: expected a relative index -1..-{read_so_far} ({whats} read so far), got {index}")
        raise SceneError(f"{where}: relative index {index}, but no {what} has been read yet")
    return read_so_far + index


def _statements(text: bytes, first_line: int):
    """``(line number, tokens)`` of each OBJ statement: comments removed, continued lines joined."""
    pending: list[bytes] = []
    first = first_line
    for number, line in enumerate(text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"), start=first_line):
        line = line.split(b"#", 1)[0]
        if not pending:
            first = number
        if line.rstrip(_WHITESPACE).endswith(b"\\"):
            pending.append(line.rstrip(_WHITESPACE)[:-1])
            continue
        pending.append(line)
        tokens = b" ".join(pending).split()
        pending = []
        if tokens:
            yield first, tokens
    if pending:
        tokens = b" ".join(pending).split()
        if tokens:
            yield first, tokens


def load_obj(path) -> Mesh:
    """Read a Wavefront OBJ file: vertices, normals, polygon faces (fanned into triangles) and polylines.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Mesh
        Vertices in the file's own units and object space; the file's normals when every face corner
        names one; named after the file's stem.

    Raises
    ------
    SceneError
        ``"path:LINE: ..."`` for a malformed statement, a non-finite coordinate or an index out of
        range; ``"path: ..."`` for a missing, unreadable, irregular or oversized file, or one without faces.
    """
    shown, file = _open(path)
    parts = _ObjBulk(shown)
    with file:
        for text, first_line in _pieces(shown, file, continuation=True):
            parts.feed(text, first_line)
    return parts.mesh()


# ---------------------------------------------------------------------------------------- OFF
class _OffParts:
    """What an OFF file says, as it is read: the header's counts, then vertex and face lines."""

    def __init__(self, shown: str):
        self.shown = shown
        self.stage = "header"  # header -> counts -> data
        self.n_vertices = self.n_faces = 0
        self.read = 0  # data lines (vertices, then faces) read so far
        self.last = 0  # number of the last non-blank line read
        self.vertices: list[np.ndarray] = []
        self.corners: list[np.ndarray] = []
        self.sizes: list[np.ndarray] = []

    def state(self) -> tuple:
        return self.stage, self.n_vertices, self.n_faces, self.read, self.last

    def header(self, where: str, tokens: list[bytes]) -> None:
        """The first non-blank lines: ``OFF`` (maybe with the counts), then the counts."""
        if self.stage == "header":
            if tokens[0] not in (b"OFF", b"COFF"):
                raise SceneError(f"{where}: expected the header 'OFF', got {_text(tokens[0])[:40]!r}")
            self.stage = "counts"
            tokens = tokens[1:]
            if not tokens:
                return
        if not 2 <= len(tokens) <= 3:
            raise SceneError(f"{where}: expected the counts 'n_vertices n_faces [n_edges]', got "
                             f"{_text(b' '.join(tokens))[:80]!r}")
        n_vertices, n_faces = (_integer(where, t, "a count") for t in tokens[:2])
        if len(tokens) == 3:
            _integer(where, tokens[2], "the edge count")
        if n_vertices < 0 or n_faces < 0:
            raise SceneError(f"{where}: expected counts >= 0, got {n_vertices} vertices and {n_faces} faces")
        if n_faces == 0:
            raise SceneError(f"{where}: expected at least one face, got a face count of 0")
        self.stage, self.n_vertices, self.n_faces = "data", n_vertices, n_faces

    def mesh(self) -> Mesh:
        shown = self.shown
        if self.stage != "data" or self.read < self.n_vertices + self.n_faces:
            if self.stage == "header":
                what = "the header 'OFF'"
            elif self.stage == "counts":
                what = "the counts 'n_vertices n_faces n_edges'"
            elif self.read < self.n_vertices:
                what = f"{self.n_vertices} vertex lines, got {self.read}"
            else:
                what = f"{self.n_faces} face lines, got {self.read - self.n_vertices}"
            raise SceneError(f"{shown}:{self.last + 1}: the file ends early; expected {what}")
        sizes = _joined(self.sizes, np.int64)
        corners = _joined(self.corners, np.int64)
        edges = None
        if np.any(sizes != 3):
            start = np.cumsum(sizes) - sizes
            following = np.arange(1, len(corners) + 1)
            following[start + sizes - 1] = start
            edges = np.column_stack([corners, corners[following]])
        vertices = _joined(self.vertices, np.float64).reshape(-1, 3)
        return Mesh(vertices, corners[_fan(sizes)], edges, Path(shown).stem)


class _OffBulk(_OffParts):
    """The bulk OFF reader: the header line by line, then the vertex and face lines of each piece at once."""

    def feed(self, text: bytes, first_line: int) -> None:
        before = self.state()
        if not self._read(_Piece(text, first_line, continuation=False), text):
            reference = _OffStatements(self.shown, keep=False)
            reference.stage, reference.n_vertices, reference.n_faces, reference.read, reference.last = before
            reference.feed(text, first_line)
            raise SceneError(f"{self.shown}:{first_line}: cannot read the lines from this one on")

    def _read(self, piece: _Piece, text: bytes) -> bool:
        a, counts = piece.a, piece.counts
        lines = np.flatnonzero(counts > 0)
        k = 0
        while self.stage != "data" and k < len(lines):  # the header: a line or two, in Python
            line = lines[k]
            tokens = text[piece.starts[line]:piece.ends[line]].split(b"#", 1)[0].split()
            try:
                self.header(f"{self.shown}:{piece.numbers[line]}", tokens)
            except SceneError:
                return False
            self.last = int(piece.numbers[line])
            k += 1
        lines = lines[k:]
        if not len(lines):
            return True
        n_vertices, n_faces = self.n_vertices, self.n_faces
        index = self.read + np.arange(len(lines))  # each data line's place: vertices first, then faces
        if index[-1] >= n_vertices + n_faces:
            return False  # lines after the last face
        kind = np.zeros(piece.n_lines, dtype=np.uint8)
        v_lines, f_lines = lines[index < n_vertices], lines[index >= n_vertices]
        kind[v_lines], kind[f_lines] = 1, 2
        if len(v_lines):
            v_args = counts[v_lines]
            if np.any(v_args < 3):
                return False
            values = piece.floats(piece.line_bytes(kind) == 1)
            if values is None or len(values) != int(v_args.sum()):
                return False
            xyz = values.reshape(-1, 3) if np.all(v_args == 3) else values[(np.cumsum(v_args) - v_args)[:, None] + np.arange(3)]
            if not np.all(np.isfinite(xyz)):
                return False
            self.vertices.append(xyz)
        if len(f_lines):
            token = _ranges(piece.first_token[f_lines], counts[f_lines])
            values, ok = _integers(a, piece.token_start[token], piece.token_end[token])
            first = np.cumsum(counts[f_lines]) - counts[f_lines]  # each line's first token, in ``token``
            sizes = values[first]
            if not ok[first].all() or np.any(sizes < 3) or np.any(counts[f_lines] < 1 + sizes):
                return False
            corner = _ranges(first + 1, sizes)
            corners = values[corner]
            if not ok[corner].all() or np.any((corners < 0) | (corners >= n_vertices)):
                return False
            extra = counts[f_lines] - 1 - sizes  # colour values after the indices: numbers, ignored
            if extra.any():
                rest = token[_ranges(first + 1 + sizes, extra)]
                mark = np.zeros(len(a) + 1, dtype=np.int8)
                mark[piece.token_start[rest]] = 1
                mark[piece.token_end[rest]] = -1
                selected = np.cumsum(mark[:-1], dtype=np.int8) > 0
                selected[piece.token_end[rest]] = True  # and the space after each token, to keep them apart
                colours = piece.floats(selected)
                if colours is None or len(colours) != int(extra.sum()):
                    return False
            self.sizes.append(sizes)
            self.corners.append(corners)
        self.read += len(lines)
        self.last = int(piece.numbers[lines[-1]])
        return True


class _OffStatements(_OffParts):
    """The line reader for OFF: one line at a time, in Python (names the line of the first error)."""

    def __init__(self, shown: str, keep: bool = True):
        super().__init__(shown)
        self.keep = keep

    def feed(self, text: bytes, first_line: int) -> None:
        lines = text.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
        for number, line in enumerate(lines, start=first_line):
            tokens = line.split(b"#", 1)[0].split()
            if tokens:
                self.line(f"{self.shown}:{number}", tokens)
                self.last = number

    def line(self, where: str, tokens: list[bytes]) -> None:
        if self.stage != "data":
            self.header(where, tokens)
            return
        n_vertices = self.n_vertices
        if self.read < n_vertices:
            if len(tokens) < 3:
                raise SceneError(f"{where}: expected a vertex 'x y z', got {_text(b' '.join(tokens))[:80]!r}")
            xyz = [_finite(where, t, "a coordinate") for t in tokens[:3]]
            for t in tokens[3:]:
                _number(where, t, "a colour value")
            if self.keep:
                self.vertices.append(np.array([xyz]))
        elif self.read < n_vertices + self.n_faces:
            size = _integer(where, tokens[0], "the number of corners")
            if size < 3:
                raise SceneError(f"{where}: expected a face with at least 3 corners, got {size}")
            if len(tokens) < 1 + size:
                raise SceneError(f"{where}: expected {size} vertex indices after {size}, got {len(tokens) - 1}")
            polygon = [_integer(where, t, "a vertex index") for t in tokens[1 : 1 + size]]
            for index in polygon:
                if not 0 <= index < n_vertices:
                    raise SceneError(f"{where}: expected vertex indices in 0..{n_vertices - 1}, got {index}")
            for t in tokens[1 + size :]:
                _number(where, t, "a colour value")
            if self.keep:
                self.sizes.append(np.array([size]))
                self.corners.append(np.array(polygon, dtype=np.int64))
        else:
            raise SceneError(f"{where}: expected the end of the file after {self.n_faces} faces, got "
                             f"{_text(b' '.join(tokens))[:40]!r}")
        self.read += 1


def load_off(path) -> Mesh:
    """Read an OFF file (Object File Format): a header, the counts, vertices, then polygon faces.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Mesh
        Named after the file's stem; polygons fanned into triangles from their first corner.

    Raises
    ------
    SceneError
        ``"path:LINE: ..."`` for a bad header, count, coordinate or index; ``"path: ..."`` when the
        file ends early, is missing, unreadable, not a regular file or too large.
    """
    shown, file = _open(path)
    parts = _OffBulk(shown)
    with file:
        for text, first_line in _pieces(shown, file, continuation=False):
            parts.feed(text, first_line)
    return parts.mesh()


def _read_slowly(path, reader) -> Mesh:
    """The same file through a statement reader (``_ObjStatements`` or ``_OffStatements``): the reference."""
    shown, file = _open(path)
    parts = reader(shown)
    with file:
        for text, first_line in _pieces(shown, file, continuation=reader is _ObjStatements):
            parts.feed(text, first_line)
    return parts.mesh()


def load_mesh(path) -> Mesh:
    """Read a mesh file, choosing the reader by suffix: ``.obj`` (:func:`load_obj`) or ``.off`` (:func:`load_off`)."""
    shown = _shown(path)
    suffix = Path(shown).suffix.lower()
    if suffix == ".obj":
        return load_obj(path)
    if suffix == ".off":
        return load_off(path)
    raise SceneError(f"{shown}: unknown mesh format {suffix or '(no suffix)'!r}; expected one of {', '.join(MESH_SUFFIXES)}")


# ---------------------------------------------------------------------------------------- writing
def _write(path, text: str) -> None:
    try:
        Path(os.fspath(path)).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SceneError(f"{os.fspath(path)}: cannot write the file ({exc})") from None


def _sides(polygons: list[list[int]]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for polygon in polygons for a, b in zip(polygon, polygon[1:] + polygon[:1])}


def _loose_edges(mesh: Mesh, polygons: list[list[int]]) -> list[tuple[int, int]]:
    """Edges of ``mesh`` that are no side of any polygon (they came from OBJ ``l`` lines)."""
    sides = _sides(polygons)
    return [(int(i), int(j)) for i, j in mesh.edges.tolist() if (i, j) not in sides]


def _coordinates_text(row) -> str:
    return " ".join(repr(float(x)) for x in row)  # repr: the shortest text that reads back exactly


def _corner_normals(mesh: Mesh, faces: list[tuple[list[int], list[int]]]) -> list[list[int]] | None:
    """The normal index of each polygon corner, from the polygon's own triangles; None if its triangles
    give one vertex two normals (then the faces are written as triangles)."""
    out = []
    for polygon, triangles in faces:
        corner: dict[int, int] = {}
        for t in triangles:
            for v, n in zip(mesh.triangles[t].tolist(), mesh.normal_indices[t].tolist()):
                if corner.setdefault(v, n) != n:
                    return None
        out.append([corner[v] for v in polygon])
    return out


def save_obj(mesh: Mesh, path) -> None:
    """Write ``mesh`` as a Wavefront OBJ file: ``v`` (and ``vn``) lines, one ``f`` line per polygon, ``l`` for loose edges.

    Coordinates are written exactly (``repr``), so :func:`load_obj` gives back the same vertices (and normals).
    """
    faces = mesh.polygon_triangles()
    polygons = [polygon for polygon, _ in faces]
    normals = None
    if mesh.normals is not None:
        normals = _corner_normals(mesh, faces)
        if normals is None:  # the polygons do not give each corner one normal: write the triangles
            polygons = mesh.triangles.tolist()
            normals = mesh.normal_indices.tolist()
    out = [f"# {mesh.name or 'mesh'}: {mesh.n_vertices} vertices, {len(polygons)} faces (written by affine3d)"]
    if mesh.name:
        out.append(f"o {one_line(mesh.name, limit=None)}")
    out += [f"v {_coordinates_text(row)}" for row in mesh.vertices.tolist()]
    if normals is None:
        out += ["f " + " ".join(str(i + 1) for i in polygon) for polygon in polygons]
    else:
        out += [f"vn {_coordinates_text(row)}" for row in mesh.normals.tolist()]
        out += ["f " + " ".join(f"{i + 1}//{n + 1}" for i, n in zip(polygon, corner))
                for polygon, corner in zip(polygons, normals)]
    out += [f"l {i + 1} {j + 1}" for i, j in _loose_edges(mesh, polygons)]
    _write(path, "\n".join(out) + "\n")


def save_off(mesh: Mesh, path) -> None:
    """Write ``mesh`` as an OFF file: header, counts, vertices, one line per polygon (indices from 0).

    OFF has no place for edges that are no polygon side, nor for normals; those are dropped.
    """
    polygons = mesh.polygons()
    out = ["OFF", f"{mesh.n_vertices} {len(polygons)} {len(_sides(polygons))}"]
    out += [_coordinates_text(row) for row in mesh.vertices.tolist()]
    out += [f"{len(polygon)} " + " ".join(str(i) for i in polygon) for polygon in polygons]
    _write(path, "\n".join(out) + "\n")
