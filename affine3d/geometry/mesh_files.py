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
spends microseconds on each. The readers take the file in pieces of ``_mesh_text.CHUNK_BYTES`` (whole lines,
so memory stays a few times the final arrays whatever the file's size) and read each piece with numpy
in bulk: line ends, tokens and keywords are found as arrays, all the coordinates of a piece are
converted by one ``np.fromstring`` call, face indices digit by digit for all corners at once.

The readable reader is still here: :class:`_ObjStatements` and :class:`_OffStatements` read a piece
one statement at a time. The bulk reader checks everything it reads (counts, numbers, ranges); when
something in a piece is wrong, it hands that piece to the statement reader, which finds the first
bad line and says what is wrong there, with its line number. Both readers give the same mesh for
every file (``tests/test_mesh_files.py`` checks this on random and damaged files).

The modules: :mod:`.obj` (``load_obj``, ``save_obj``), :mod:`.off` (``load_off``, ``save_off``) and the private
tokenizer both share, :mod:`._mesh_text` (opening through :mod:`affine3d.fileio`, pieces, bulk tokens); this
module picks the reader by suffix (:func:`load_mesh`).

Writing
-------
Through :func:`affine3d.fileio.write_bytes` (a temporary file renamed over the target, never through a link).
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
from pathlib import Path

from ..errors import SceneError
from ..i18n import _
from ._mesh_text import CHUNK_BYTES, MAX_MESH_BYTES, _open, _pieces, _shown  # noqa: F401 - CHUNK_BYTES: bench
from .mesh import Mesh
from .obj import _ObjStatements, load_obj, save_obj
from .off import _OffStatements, load_off, save_off  # noqa: F401 - _OffStatements: the reference reader

__all__ = ["load_mesh", "load_obj", "load_off", "save_obj", "save_off", "MESH_SUFFIXES", "MAX_MESH_BYTES"]

MESH_SUFFIXES = (".obj", ".off")


def _read_slowly(path, reader) -> Mesh:
    """The same file through a statement reader (``_ObjStatements`` or ``_OffStatements``): the reference."""
    with _open(path) as (shown, file):
        parts = reader(shown)
        for text, first_line in _pieces(shown, file, continuation=reader is _ObjStatements):
            parts.feed(text, first_line)
    return parts.mesh()


def load_mesh(path) -> Mesh:
    """Read a mesh file, choosing the reader by suffix: ``.obj`` (:func:`load_obj`) or ``.off`` (:func:`load_off`)."""
    shown = _shown(path)
    try:  # the suffix of the path itself: `shown` is shortened in the middle when the path is long
        suffix = Path(os.fsdecode(os.fspath(path))).suffix.lower()
    except TypeError:
        suffix = ""
    if suffix == ".obj":
        return load_obj(path)
    if suffix == ".off":
        return load_off(path)
    raise SceneError(_("{shown}: unknown mesh format {value}; expected one of {names}").format(
        shown=shown, value=repr(suffix) if suffix else _("(no suffix)"), names=', '.join(MESH_SUFFIXES)))
