"""Private: mesh files as text, cut into pieces and read in bulk (the tokenizer of :mod:`.obj` and :mod:`.off`).

A mesh file is opened through :func:`affine3d.fileio.open_regular` (a regular file, at most
:data:`MAX_MESH_BYTES`), read :data:`CHUNK_BYTES` at a time in pieces of whole lines (:func:`_pieces`), and each
piece is taken apart by numpy all at once (:class:`_Piece`, :func:`_fields`): where the lines and tokens
start and end, which keyword each line has, its numbers. The OBJ and OFF readers say what the tokens mean;
the statement-at-a-time readers beside them (``_ObjStatements``, ``_OffStatements``) are the slow reference
the bulk ones are tested against, and what the bulk ones fall back to for the line a message must name.
Written as :mod:`affine3d._fast` is for :class:`~affine3d.affine.Affine`: speed here, meaning there.
"""

from __future__ import annotations

import contextlib
import os
import re

import numpy as np

from .. import i18n
from ..errors import SceneError, byte_size, os_reason
from ..i18n import N_, _
from ..fileio import open_regular, shown_path, write_bytes

MAX_MESH_BYTES = 1 << 30
"""Mesh files larger than this (1 GiB) are refused: about 20 million triangles, beyond what the viewer
turns smoothly, and a few GB of arrays once read."""

CHUNK_BYTES = 1 << 23
"""Bytes of text read and converted at a time (8 MiB): the readers' working memory besides the result."""

_WHITESPACE = b" \t\n\r\x0b\x0c"  # what separates tokens: ASCII whitespace, as bytes.split() and np.fromstring see it
_MAX_DIGITS = 18  # an index of up to 18 digits fits an int64
_IS_SPACE = np.zeros(256, dtype=bool)
_IS_SPACE[list(_WHITESPACE)] = True  # a lookup table: one pass over a piece's bytes


# ---------------------------------------------------------------------------------------- opening and writing
def _shown(path) -> str:
    """How messages name the file ``path`` (a SceneError for something that is no path at all)."""
    try:
        return shown_path(os.fspath(path))
    except TypeError:
        raise SceneError(_("path: expected a file path, got {type}").format(type=type(path).__name__)) from None


@contextlib.contextmanager
def _open(path):
    """``(shown name, binary file)`` for a regular file of at most :data:`MAX_MESH_BYTES`, else one SceneError line.

    Through :func:`affine3d.fileio.open_regular`: opened without blocking, so a pipe or a device is refused
    instead of hanging the reader.
    """
    shown = _shown(path)
    with open_regular(path, limit=MAX_MESH_BYTES, what=N_("mesh file"), shown=shown, error=SceneError) as file:
        yield shown, file


def _write(path, text: str) -> None:
    """Write a mesh file's text through :func:`affine3d.fileio.write_bytes`: atomic, never through a link."""
    write_bytes(path, text.encode("utf-8"), "mesh file")


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
            raise SceneError(_("{shown}: cannot read the file ({reason})").format(shown=shown, reason=os_reason(exc))) from None
        total += len(block)
        if total > MAX_MESH_BYTES:  # the file grew while being read
            raise SceneError(_("{shown}: the file is over {size}; mesh files that large are refused").format(
                shown=shown, size=byte_size(MAX_MESH_BYTES)))
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


def _number(where: str, token: bytes, what: str, context: str = "") -> float:
    value = _float_token(token)
    if value is None:
        # TRANSLATORS: {what} is the token's name, translated apart in the form that follows "expected"
        raise SceneError(_("{where}: expected {what} (a number), got {value}").format(
            where=where, what=i18n._(what).format(token=repr(context)), value=repr(_text(token))))
    return value


def _finite(where: str, token: bytes, what: str, context: str = "") -> float:
    value = _number(where, token, what, context)
    if not np.isfinite(value):
        raise SceneError(_("{where}: expected {what} (a finite number), got {value}").format(
            where=where, what=i18n._(what).format(token=repr(context)), value=repr(_text(token))))
    return value


def _integer(where: str, token: bytes, what: str, context: str = "") -> int:
    value = _int_token(token)
    if value is None:
        raise SceneError(_("{where}: expected {what} (an integer), got {value}").format(
            where=where, what=i18n._(what).format(token=repr(context)), value=repr(_text(token))))
    return value


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


def _sides(polygons: list[list[int]]) -> set[tuple[int, int]]:
    return {(min(a, b), max(a, b)) for polygon in polygons for a, b in zip(polygon, polygon[1:] + polygon[:1])}


def _coordinates_text(row) -> str:
    return " ".join(repr(float(x)) for x in row)  # repr: the shortest text that reads back exactly
