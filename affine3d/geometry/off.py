"""OFF files: read into a :class:`~affine3d.geometry.mesh.Mesh` (:func:`load_off`), written (:func:`save_off`).

The format and the errors are described in :mod:`affine3d.geometry.mesh_files`; the bulk tokenizer is
:mod:`affine3d.geometry._mesh_text`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SceneError
from ..i18n import N_, _
from ._mesh_text import (_Piece, _coordinates_text, _fan, _finite, _integer, _integers, _joined, _number, _open,
                         _pieces, _ranges, _sides, _text, _write)
from .mesh import Mesh

__all__ = ["load_off", "save_off"]


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
                raise SceneError(_("{where}: expected the header 'OFF', got {value}").format(
                    where=where, value=repr(_text(tokens[0])[:40])))
            self.stage = "counts"
            tokens = tokens[1:]
            if not tokens:
                return
        if not 2 <= len(tokens) <= 3:
            raise SceneError(_("{where}: expected the counts 'n_vertices n_faces [n_edges]', got {value}").format(
                where=where, value=repr(_text(b' '.join(tokens))[:80])))
        # TRANSLATORS: these names of a token follow "expected" in "{where}: expected {what} (an integer)" (Polish: genitive)
        n_vertices, n_faces = (_integer(where, t, N_("a count")) for t in tokens[:2])
        if len(tokens) == 3:
            _integer(where, tokens[2], N_("the edge count"))
        if n_vertices < 0 or n_faces < 0:
            raise SceneError(_("{where}: expected counts >= 0, got {n_vertices} vertices and {n_faces} faces").format(
                where=where, n_vertices=n_vertices, n_faces=n_faces))
        if n_faces == 0:
            raise SceneError(_("{where}: expected at least one face, got a face count of 0").format(where=where))
        self.stage, self.n_vertices, self.n_faces = "data", n_vertices, n_faces

    def mesh(self) -> Mesh:
        shown = self.shown
        if self.stage != "data" or self.read < self.n_vertices + self.n_faces:
            if self.stage == "header":
                message = _("{shown}:{line}: the file ends early; expected the header 'OFF'")
            elif self.stage == "counts":
                message = _("{shown}:{line}: the file ends early; expected the counts 'n_vertices n_faces n_edges'")
            elif self.read < self.n_vertices:
                message = _("{shown}:{line}: the file ends early; expected {n_vertices} vertex lines, got {read}")
            else:
                message = _("{shown}:{line}: the file ends early; expected {n_faces} face lines, got {read_faces}")
            raise SceneError(message.format(shown=shown, line=self.last + 1, n_vertices=self.n_vertices, read=self.read,
                                            n_faces=self.n_faces, read_faces=self.read - self.n_vertices))
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
            raise SceneError(_("{shown}:{first_line}: cannot read the lines from this one on").format(
                shown=self.shown, first_line=first_line))

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
                raise SceneError(_("{where}: expected a vertex 'x y z', got {value}").format(
                    where=where, value=repr(_text(b' '.join(tokens))[:80])))
            xyz = [_finite(where, t, N_("a coordinate")) for t in tokens[:3]]
            for t in tokens[3:]:
                _number(where, t, N_("a colour value"))
            if self.keep:
                self.vertices.append(np.array([xyz]))
        elif self.read < n_vertices + self.n_faces:
            size = _integer(where, tokens[0], N_("the number of corners"))
            if size < 3:
                raise SceneError(_("{where}: expected a face with at least 3 corners, got {size}").format(
                    where=where, size=size))
            if len(tokens) < 1 + size:
                raise SceneError(_("{where}: expected {size} vertex indices after {size}, got {value}").format(
                    where=where, size=size, value=len(tokens) - 1))
            polygon = [_integer(where, t, N_("a vertex index")) for t in tokens[1 : 1 + size]]
            for index in polygon:
                if not 0 <= index < n_vertices:
                    raise SceneError(_("{where}: expected vertex indices in 0..{value}, got {index}").format(
                        where=where, value=n_vertices - 1, index=index))
            for t in tokens[1 + size :]:
                _number(where, t, N_("a colour value"))
            if self.keep:
                self.sizes.append(np.array([size]))
                self.corners.append(np.array(polygon, dtype=np.int64))
        else:
            raise SceneError(_("{where}: expected the end of the file after {n_faces} faces, got {value}").format(
                where=where, n_faces=self.n_faces, value=repr(_text(b' '.join(tokens))[:40])))
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
    with _open(path) as (shown, file):
        parts = _OffBulk(shown)
        for text, first_line in _pieces(shown, file, continuation=False):
            parts.feed(text, first_line)
    return parts.mesh()


def save_off(mesh: Mesh, path) -> None:
    """Write ``mesh`` as an OFF file: header, counts, vertices, one line per polygon (indices from 0).

    OFF has no place for edges that are no polygon side, nor for normals; those are dropped.
    """
    polygons = mesh.polygons()
    out = ["OFF", f"{mesh.n_vertices} {len(polygons)} {len(_sides(polygons))}"]
    out += [_coordinates_text(row) for row in mesh.vertices.tolist()]
    out += [f"{len(polygon)} " + " ".join(str(i) for i in polygon) for polygon in polygons]
    _write(path, "\n".join(out) + "\n")
