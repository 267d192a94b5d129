"""Wavefront OBJ and OFF mesh files: read into a :class:`~affine3d.geometry.Mesh`, write one out.

Reading
-------
**OBJ** (text, one statement per line; ``#`` starts a comment; a line ending in ``\\`` continues on
the next):

- ``v x y z`` a vertex (a fourth ``w`` and vertex colours after it are accepted and ignored);
- ``f a b c ...`` a polygon face, each corner written ``v``, ``v/vt``, ``v//vn`` or ``v/vt/vn``;
  indices count from 1, and a negative index counts back from the last vertex read (``-1`` is the
  latest). Polygons with more than 3 corners are cut into a fan of triangles from their first corner;
- ``l a b ...`` a polyline: its segments are added to the wireframe edges;
- ``vt``, ``vn``, ``vp``, ``o``, ``g``, ``s``, ``usemtl``, ``mtllib`` and the other statements of the
  format (curves, surfaces, display attributes) are skipped: only the shape is read.

**OFF**: the line ``OFF`` (or ``COFF``, optionally followed by the counts), the counts
``n_vertices n_faces [n_edges]``, one ``x y z`` line per vertex (extra columns, such as colours,
ignored), one ``n i1 ... in`` line per face (indices from 0, colour values after them ignored).
``#`` starts a comment; blank lines are skipped.

Anything else (a malformed number, a non-finite coordinate, an index out of range, a face with fewer
than 3 corners) raises :class:`~affine3d.errors.SceneError` as ``"path:LINE: what was found, what was
expected"``. No other exception escapes the readers, whatever the bytes.

Writing
-------
:func:`save_obj` and :func:`save_off` write the mesh's polygon faces (rebuilt from its triangles and
edges by :meth:`Mesh.polygons`), so a cube is written as 6 squares and reads back as the same mesh:
the same vertices (exactly: floats are written with ``repr``), the same triangles, the same edges.

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

import math
import os
from pathlib import Path

import numpy as np

from ..errors import SceneError
from .mesh import Mesh

__all__ = ["load_mesh", "load_obj", "load_off", "save_obj", "save_off", "MESH_SUFFIXES"]

MESH_SUFFIXES = (".obj", ".off")

# OBJ statements that say nothing about the polygonal shape: skipped without complaint.
_OBJ_IGNORED = frozenset(
    "vt vn vp o g s mg usemtl mtllib usemap maplib p cstype deg bmat step curv curv2 surf parm trim hole "
    "scrv sp end con lod bevel c_interp d_interp ctech stech shadow_obj trace_obj".split()
)


# ---------------------------------------------------------------------------------------- reading
def _read_text(path) -> tuple[str, str]:
    """``(shown name, text)``: the file's bytes as text; bytes that are not UTF-8 become U+FFFD.

    A stray Latin-1 byte in a comment is then harmless, and one inside a number is reported as a
    malformed number on its line.
    """
    try:
        shown = os.fspath(path)
    except TypeError:
        raise SceneError(f"path: expected a file path, got {type(path).__name__}") from None
    try:
        data = Path(shown).read_bytes()
    except FileNotFoundError:
        raise SceneError(f"{shown}: file not found") from None
    except IsADirectoryError:
        raise SceneError(f"{shown}: expected a mesh file, got a directory") from None
    except (OSError, ValueError) as exc:
        raise SceneError(f"{shown}: cannot read the file ({exc})") from None
    return str(shown), data.decode("utf-8", errors="replace")


def _number(where: str, token: str, what: str) -> float:
    try:
        value = float(token)
    except ValueError:
        raise SceneError(f"{where}: expected {what} (a number), got {token!r}") from None
    return value


def _finite(where: str, token: str, what: str) -> float:
    value = _number(where, token, what)
    if not math.isfinite(value):
        raise SceneError(f"{where}: expected {what} (a finite number), got {token!r}")
    return value


def _integer(where: str, token: str, what: str) -> int:
    try:
        return int(token)
    except ValueError:
        raise SceneError(f"{where}: expected {what} (an integer), got {token!r}") from None


def _split_lines(text: str) -> list[str]:
    """Lines as an editor counts them (``\\n``, ``\\r\\n`` or ``\\r``; not ``str.splitlines``' form feeds)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _obj_lines(text: str):
    """``(line number, tokens)`` of each non-empty statement, comments removed, continuations joined."""
    pending: list[str] = []
    first = 0
    for number, line in enumerate(_split_lines(text), start=1):
        line = line.split("#", 1)[0]
        if not pending:
            first = number
        if line.rstrip().endswith("\\"):
            pending.append(line.rstrip()[:-1])
            continue
        pending.append(line)
        tokens = " ".join(pending).split()
        pending = []
        if tokens:
            yield first, tokens
    if pending:
        tokens = " ".join(pending).split()
        if tokens:
            yield first, tokens


def load_obj(path) -> Mesh:
    """Read a Wavefront OBJ file: vertices, polygon faces (fanned into triangles) and polylines.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    Mesh
        Vertices in the file's own units and object space; named after the file's stem.

    Raises
    ------
    SceneError
        ``"path:LINE: ..."`` for a malformed statement, a non-finite coordinate or an index out of
        range; ``"path: ..."`` for a missing file or a file without faces.
    """
    shown, text = _read_text(path)
    vertices: list[tuple[float, float, float]] = []
    polygons: list[list[int]] = []
    polygon_lines: list[int] = []
    lines: list[tuple[int, int]] = []
    line_numbers: list[int] = []

    def corner(where: str, token: str, allow_normal: bool) -> int:
        parts = token.split("/")
        if len(parts) > (3 if allow_normal else 2) or not parts[0]:
            forms = "v, v/vt, v//vn or v/vt/vn" if allow_normal else "v or v/vt"
            raise SceneError(f"{where}: expected a vertex reference ({forms}), got {token!r}")
        for part in parts[1:]:
            if part:
                _integer(where, part, f"a texture or normal index in {token!r}")
        index = _integer(where, parts[0], f"a vertex index in {token!r}")
        if index == 0:
            raise SceneError(f"{where}: expected a vertex index from 1 (or negative, counting back), got 0 in {token!r}")
        if index < 0:
            if -index > len(vertices):
                raise SceneError(
                    f"{where}: expected a relative index -1..-{len(vertices)} (vertices read so far), got {index}"
                    if vertices else f"{where}: relative index {index}, but no vertex has been read yet"
                )
            return len(vertices) + index
        return index - 1  # checked against the final vertex count below

    for number, tokens in _obj_lines(text):
        where = f"{shown}:{number}"
        keyword, args = tokens[0], tokens[1:]
        if keyword == "v":
            if not 3 <= len(args) <= 7:
                raise SceneError(f"{where}: expected 'v x y z' (3 coordinates, optionally w and colours), got {len(args)} values")
            x, y, z = (_finite(where, t, "a coordinate") for t in args[:3])
            for t in args[3:]:
                _number(where, t, "a weight or colour")
            vertices.append((x, y, z))
        elif keyword == "f":
            if len(args) < 3:
                raise SceneError(f"{where}: expected a face with at least 3 corners, got {len(args)}")
            polygons.append([corner(where, t, True) for t in args])
            polygon_lines.append(number)
        elif keyword == "l":
            if len(args) < 2:
                raise SceneError(f"{where}: expected a polyline with at least 2 vertices, got {len(args)}")
            chain = [corner(where, t, False) for t in args]
            lines.extend(zip(chain, chain[1:]))
            line_numbers.extend([number] * (len(chain) - 1))
        elif keyword in _OBJ_IGNORED:
            continue
        else:
            raise SceneError(f"{where}: unknown statement {keyword[:40]!r}; expected v, f, l or another OBJ statement (vt, vn, o, g, s, usemtl, ...)")

    n = len(vertices)
    for polygon, number in zip(polygons, polygon_lines):
        for index in polygon:
            if index >= n:
                raise SceneError(f"{shown}:{number}: face index {index + 1} is out of range; the file has {n} vertices")
    for (i, j), number in zip(lines, line_numbers):
        if max(i, j) >= n:
            raise SceneError(f"{shown}:{number}: line index {max(i, j) + 1} is out of range; the file has {n} vertices")
    if not polygons:
        raise SceneError(f"{shown}: no faces found; expected at least one 'f' statement")
    return Mesh.from_polygons(np.array(vertices, dtype=np.float64).reshape(-1, 3), polygons, Path(shown).stem, lines)


def _off_lines(text: str):
    """``(line number, tokens)`` of each non-empty line, comments removed."""
    for number, line in enumerate(_split_lines(text), start=1):
        tokens = line.split("#", 1)[0].split()
        if tokens:
            yield number, tokens


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
        file ends early or is missing.
    """
    shown, text = _read_text(path)
    lines = _off_lines(text)
    last = 0

    def next_line(what: str) -> tuple[int, list[str]]:
        nonlocal last
        try:
            number, tokens = next(lines)
        except StopIteration:
            raise SceneError(f"{shown}:{last + 1}: the file ends early; expected {what}") from None
        last = number
        return number, tokens

    number, tokens = next_line("the header 'OFF'")
    if tokens[0] not in ("OFF", "COFF"):
        raise SceneError(f"{shown}:{number}: expected the header 'OFF', got {tokens[0][:40]!r}")
    counts = tokens[1:]
    if not counts:
        number, counts = next_line("the counts 'n_vertices n_faces n_edges'")
    where = f"{shown}:{number}"
    if not 2 <= len(counts) <= 3:
        raise SceneError(f"{where}: expected the counts 'n_vertices n_faces [n_edges]', got {' '.join(counts)[:80]!r}")
    n_vertices, n_faces = (_integer(where, t, "a count") for t in counts[:2])
    if len(counts) == 3:
        _integer(where, counts[2], "the edge count")
    if n_vertices < 0 or n_faces < 0:
        raise SceneError(f"{where}: expected counts >= 0, got {n_vertices} vertices and {n_faces} faces")
    if n_faces == 0:
        raise SceneError(f"{where}: expected at least one face, got a face count of 0")

    vertices = []
    for k in range(n_vertices):
        number, tokens = next_line(f"{n_vertices} vertex lines, got {k}")
        where = f"{shown}:{number}"
        if len(tokens) < 3:
            raise SceneError(f"{where}: expected a vertex 'x y z', got {' '.join(tokens)[:80]!r}")
        vertices.append(tuple(_finite(where, t, "a coordinate") for t in tokens[:3]))
        for t in tokens[3:]:
            _number(where, t, "a colour value")

    polygons = []
    for k in range(n_faces):
        number, tokens = next_line(f"{n_faces} face lines, got {k}")
        where = f"{shown}:{number}"
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
        polygons.append(polygon)

    for number, tokens in lines:
        raise SceneError(f"{shown}:{number}: expected the end of the file after {n_faces} faces, got {' '.join(tokens)[:40]!r}")
    return Mesh.from_polygons(np.array(vertices, dtype=np.float64).reshape(-1, 3), polygons, Path(shown).stem)


def load_mesh(path) -> Mesh:
    """Read a mesh file, choosing the reader by suffix: ``.obj`` (:func:`load_obj`) or ``.off`` (:func:`load_off`)."""
    try:
        suffix = Path(os.fspath(path)).suffix.lower()
    except TypeError:
        raise SceneError(f"path: expected a file path, got {type(path).__name__}") from None
    if suffix == ".obj":
        return load_obj(path)
    if suffix == ".off":
        return load_off(path)
    raise SceneError(f"{os.fspath(path)}: unknown mesh format {suffix or '(no suffix)'!r}; expected one of {', '.join(MESH_SUFFIXES)}")


# ---------------------------------------------------------------------------------------- writing
def _write(path, text: str) -> None:
    try:
        Path(os.fspath(path)).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SceneError(f"{os.fspath(path)}: cannot write the file ({exc})") from None


def _loose_edges(mesh: Mesh, polygons: list[list[int]]) -> list[tuple[int, int]]:
    """Edges of ``mesh`` that are no side of any polygon (they came from OBJ ``l`` lines)."""
    sides = {(min(a, b), max(a, b)) for polygon in polygons for a, b in zip(polygon, polygon[1:] + polygon[:1])}
    return [(int(i), int(j)) for i, j in mesh.edges.tolist() if (i, j) not in sides]


def _coordinates(row) -> str:
    return " ".join(repr(float(x)) for x in row)  # repr: the shortest text that reads back exactly


def save_obj(mesh: Mesh, path) -> None:
    """Write ``mesh`` as a Wavefront OBJ file: ``v`` lines, one ``f`` line per polygon, ``l`` for loose edges.

    Coordinates are written exactly (``repr``), so :func:`load_obj` gives back the same vertices.
    """
    polygons = mesh.polygons()
    out = [f"# {mesh.name or 'mesh'}: {mesh.n_vertices} vertices, {len(polygons)} faces (written by affine3d)"]
    if mesh.name:
        out.append(f"o {' '.join(mesh.name.split())}")
    out += [f"v {_coordinates(row)}" for row in mesh.vertices.tolist()]
    out += ["f " + " ".join(str(i + 1) for i in polygon) for polygon in polygons]
    out += [f"l {i + 1} {j + 1}" for i, j in _loose_edges(mesh, polygons)]
    _write(path, "\n".join(out) + "\n")


def save_off(mesh: Mesh, path) -> None:
    """Write ``mesh`` as an OFF file: header, counts, vertices, one line per polygon (indices from 0).

    OFF has no place for edges that are no polygon side; those are dropped.
    """
    polygons = mesh.polygons()
    n_sides = len({(min(a, b), max(a, b)) for polygon in polygons for a, b in zip(polygon, polygon[1:] + polygon[:1])})
    out = ["OFF", f"{mesh.n_vertices} {len(polygons)} {n_sides}"]
    out += [_coordinates(row) for row in mesh.vertices.tolist()]
    out += [f"{len(polygon)} " + " ".join(str(i) for i in polygon) for polygon in polygons]
    _write(path, "\n".join(out) + "\n")
