"""Wavefront OBJ files: read into a :class:`~affine3d.geometry.mesh.Mesh` (:func:`load_obj`), written (:func:`save_obj`).

The format and the errors are described in :mod:`affine3d.geometry.mesh_files`; the bulk tokenizer is
:mod:`affine3d.geometry._mesh_text`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import SceneError, one_line
from ..i18n import N_, _, ngettext
from ._mesh_text import (_Piece, _coordinates_text, _fan, _fields, _finite, _integer, _joined,
                         _number, _open, _pieces, _resolve, _sides, _statements, _text, _write)
from .mesh import Mesh, _edges_from_keys

__all__ = ["load_obj", "save_obj"]

# OBJ statements that say nothing about the polygonal shape: skipped without complaint.
_OBJ_IGNORED = frozenset(
    "vt vp o g s mg usemtl mtllib usemap maplib p cstype deg bmat step curv curv2 surf parm trim hole "
    "scrv sp end con lod bevel c_interp d_interp ctech stech shadow_obj trace_obj".split()
)

# Most common first: the bulk reader stops looking once every line's keyword is known.
_OBJ_IGNORED_BYTES = tuple(sorted((w.encode() for w in _OBJ_IGNORED), key=lambda w: (w not in (b"vt", b"g", b"s", b"o", b"usemtl"), w)))


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
            raise SceneError(_("{shown}: no faces found; expected at least one 'f' statement").format(shown=shown))
        face_start = np.cumsum(sizes) - sizes
        corner_v = _joined(self.corner_v, np.int64)
        self.corner_v = []
        bad = np.flatnonzero(corner_v >= n)
        if len(bad):
            face = np.searchsorted(face_start, bad[0], side="right") - 1
            raise SceneError(ngettext("{shown}:{line}: face index {index} is out of range; the file has {n} vertex",
                                      "{shown}:{line}: face index {index} is out of range; the file has {n} vertices", n).format(
                shown=shown, line=_joined(self.face_lines, np.int32)[face], index=corner_v[bad[0]] + 1, n=n))
        segments = _joined(self.segments, np.int64).reshape(-1, 2)
        if len(segments):
            bad = np.flatnonzero(segments.max(axis=1) >= n)
            if len(bad):
                line = _joined(self.segment_lines, np.int64)[bad[0]]
                raise SceneError(ngettext("{shown}:{line}: line index {index} is out of range; the file has {n} vertex",
                                          "{shown}:{line}: line index {index} is out of range; the file has {n} vertices",
                                          n).format(shown=shown, line=line, index=segments[bad[0]].max() + 1, n=n))
        normals = normal_indices = None
        all_triangles = bool(np.all(sizes == 3))
        fan = None if all_triangles else _fan(sizes)
        if self.n_normals and self.every_corner_has_vn:
            corner_vn = _joined(self.corner_vn, np.int64)
            self.corner_vn = []
            bad = np.flatnonzero(corner_vn >= self.n_normals)
            if len(bad):
                face = np.searchsorted(face_start, bad[0], side="right") - 1
                raise SceneError(ngettext("{shown}:{line}: normal index {index} is out of range; the file has {n} normal",
                                          "{shown}:{line}: normal index {index} is out of range; the file has {n} normals",
                                          self.n_normals).format(
                    shown=shown, line=_joined(self.face_lines, np.int32)[face], index=corner_vn[bad[0]] + 1,
                    n=self.n_normals))
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


class _ObjBulk(_ObjParts):
    """The bulk OBJ reader: each piece of the file read by numpy as a whole."""

    def feed(self, text: bytes, first_line: int) -> None:
        if not self._read(_Piece(text, first_line, continuation=True)):
            # Something in this piece is wrong: the statement reader finds the first bad line and names it.
            _ObjStatements(self.shown, self.n_vertices, self.n_normals, keep=False).feed(text, first_line)
            raise SceneError(_("{shown}:{first_line}: cannot read the statements from this line on").format(
                shown=self.shown, first_line=first_line))

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
            raw, _start, _end, ok = _fields(a, piece.token_start[point], piece.token_end[point], 2)
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
                raise SceneError(_("{where}: expected 'v x y z' (3 coordinates, optionally w and colours), got {count} values").format(
                    where=where, count=len(args)))
            # TRANSLATORS: these names of a token follow "expected" in "{where}: expected {what} (a number)" (Polish: genitive)
            xyz = [_finite(where, t, N_("a coordinate")) for t in args[:3]]
            for t in args[3:]:
                _number(where, t, N_("a weight or colour"))
            self.n_vertices += 1
            if keep:
                self.vertices.append(np.array(xyz))
        elif keyword == b"vn":
            if len(args) != 3:
                raise SceneError(_("{where}: expected 'vn x y z' (3 numbers), got {count} values").format(
                    where=where, count=len(args)))
            xyz = [_finite(where, t, N_("a normal component")) for t in args]
            self.n_normals += 1
            if keep:
                self.normals.append(np.array(xyz))
        elif keyword == b"f":
            if len(args) < 3:
                raise SceneError(_("{where}: expected a face with at least 3 corners, got {count}").format(
                    where=where, count=len(args)))
            corners = [self.corner(where, t, True) for t in args]
            if keep:
                self.add_faces(np.array([v for v, _vn in corners], dtype=np.int64),
                               np.array([vn for _v, vn in corners], dtype=np.int64), [len(args)], [number])
        elif keyword == b"l":
            if len(args) < 2:
                raise SceneError(_("{where}: expected a polyline with at least 2 vertices, got {count}").format(
                    where=where, count=len(args)))
            chain = [self.corner(where, t, False)[0] for t in args]
            if keep:
                self.segments.append(np.array(list(zip(chain, chain[1:])), dtype=np.int64).ravel())
                self.segment_lines.append(np.full(len(chain) - 1, number))
        elif _text(keyword) not in _OBJ_IGNORED:
            raise SceneError(_("{where}: unknown statement {value}; expected v, f, l or another OBJ statement (vt, vn, o, g, s, "
                                "usemtl, ...)").format(
                where=where, value=repr(_text(keyword)[:40])))

    def corner(self, where: str, token: bytes, allow_normal: bool) -> tuple[int, int]:
        """``(vertex, normal)`` of a corner, 0-based (normal -1 if none); a positive vertex index is
        checked against the whole file later."""
        parts = token.split(b"/")
        shown = _text(token)
        if len(parts) > (3 if allow_normal else 2) or not parts[0]:
            forms = "v, v/vt, v//vn or v/vt/vn" if allow_normal else "v or v/vt"
            raise SceneError(_("{where}: expected a vertex reference ({forms}), got {shown}").format(
                where=where, forms=forms, shown=repr(shown)))
        for part in parts[1:]:
            if part:
                _integer(where, part, N_("a texture or normal index in {token}"), shown)
        index = _integer(where, parts[0], N_("a vertex index in {token}"), shown)
        vertex = _relative(where, index, self.n_vertices, "vertex", "vertices", shown)
        normal = -1
        if allow_normal and len(parts) == 3 and parts[2]:
            normal = _relative(where, int(parts[2]), self.n_normals, "normal", "normals", shown)
        return vertex, normal


def _relative(where: str, index: int, read_so_far: int, what: str, whats: str, token: str) -> int:
    """An OBJ index -> 0-based; a negative one counts back from the ``read_so_far`` items read so far."""
    if index == 0:
        message = (_("{where}: expected a vertex index from 1 (or negative, counting back), got 0 in {token}")
                   if what == "vertex" else
                   _("{where}: expected a normal index from 1 (or negative, counting back), got 0 in {token}"))
        raise SceneError(message.format(where=where, token=repr(token)))
    if index > 0:
        return index - 1  # checked against the final count once the file is read
    if -index > read_so_far:
        if read_so_far:
            message = (_("{where}: expected a relative index -1..-{read_so_far} (vertices read so far), got {index}")
                       if what == "vertex" else
                       _("{where}: expected a relative index -1..-{read_so_far} (normals read so far), got {index}"))
            raise SceneError(message.format(where=where, read_so_far=read_so_far, index=index))
        message = (_("{where}: relative index {index}, but no vertex has been read yet") if what == "vertex" else
                   _("{where}: relative index {index}, but no normal has been read yet"))
        raise SceneError(message.format(where=where, index=index))
    return read_so_far + index


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
    with _open(path) as (shown, file):
        parts = _ObjBulk(shown)
        for text, first_line in _pieces(shown, file, continuation=True):
            parts.feed(text, first_line)
    return parts.mesh()


def _loose_edges(mesh: Mesh, polygons: list[list[int]]) -> list[tuple[int, int]]:
    """Edges of ``mesh`` that are no side of any polygon (they came from OBJ ``l`` lines)."""
    sides = _sides(polygons)
    return [(int(i), int(j)) for i, j in mesh.edges.tolist() if (i, j) not in sides]


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
    polygons = [polygon for polygon, _lines in faces]
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
