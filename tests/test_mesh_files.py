"""Tests for affine3d.geometry.mesh_files: OBJ and OFF round trips, the OBJ corner forms, errors with line numbers, fuzzing."""

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affine3d import SceneError
from affine3d.geometry.mesh_files import load_mesh, load_obj, load_off, save_obj, save_off
from affine3d.geometry.mesh import Mesh
from affine3d.geometry.solids import cube, dodecahedron, icosphere, prism, torus, uv_sphere
from affine3d.resources import scene_dir

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def rotated(triangle):
    """A triangle's indices rotated so the smallest comes first: the same triangle with the same winding."""
    k = int(np.argmin(triangle))
    return tuple(int(i) for i in np.roll(triangle, -k))


def same_mesh(a: Mesh, b: Mesh) -> bool:
    """Same vertices exactly, same triangles up to rotating each one's indices, same edges."""
    return (
        np.array_equal(a.vertices, b.vertices)
        and sorted(map(rotated, a.triangles)) == sorted(map(rotated, b.triangles))
        and np.array_equal(a.edges, b.edges)
    )


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


SQUARE = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"


@pytest.mark.parametrize("save, suffix", [(save_obj, ".obj"), (save_off, ".off")])
@pytest.mark.parametrize("make", [cube, dodecahedron, lambda: prism(7, 0.3), lambda: torus(0.8, 0.2, 9, 5),
                                  lambda: uv_sphere(6, 4), lambda: icosphere(2)])
def test_round_trip(tmp_path, save, suffix, make):
    """A mesh written and read back is the same mesh: vertices, triangles (up to rotation), polygon edges."""
    mesh = make()
    path = tmp_path / f"m{suffix}"
    save(mesh, path)
    assert same_mesh(load_mesh(path), mesh)


def test_a_long_path_is_read_by_its_own_suffix(tmp_path):
    """A path longer than messages show (shortened in the middle) still picks its reader by its real suffix."""
    folder = tmp_path / ("deep-" * 12) / ("deeper-" * 12)
    folder.mkdir(parents=True)
    for save, suffix in ((save_obj, ".obj"), (save_off, ".off")):
        path = folder / f"cube{suffix}"
        save(cube(), path)
        assert len(str(path)) > 150
        assert load_mesh(path).n_triangles == 12
    with pytest.raises(SceneError, match=r"unknown mesh format '\.stl'"):
        load_mesh(folder / "cube.stl")


def test_cube_is_written_as_six_squares(tmp_path):
    """The cube's OBJ and OFF files hold 6 four-cornered faces, not 12 triangles."""
    save_obj(cube(), tmp_path / "c.obj")
    save_off(cube(), tmp_path / "c.off")
    faces = [line.split()[1:] for line in (tmp_path / "c.obj").read_text().splitlines() if line.startswith("f ")]
    assert len(faces) == 6 and all(len(f) == 4 for f in faces)
    lines = (tmp_path / "c.off").read_text().split("\n")
    assert lines[1].split()[:2] == ["8", "6"]
    assert all(line.split()[0] == "4" for line in lines[2 + 8 : 2 + 8 + 6])


def test_obj_keeps_loose_edges(tmp_path):
    """An edge that is no polygon side (an OBJ 'l' line) survives the OBJ round trip."""
    path = write(tmp_path, "a.obj", SQUARE + "v 0 0 1\nf 1 2 3 4\nl 1 5\n")
    mesh = load_obj(path)
    assert [0, 4] in mesh.edges.tolist() and mesh.n_edges == 5
    save_obj(mesh, tmp_path / "b.obj")
    assert same_mesh(load_obj(tmp_path / "b.obj"), mesh)


def test_obj_corner_forms_and_negative_indices(tmp_path):
    """v, v/vt, v//vn, v/vt/vn and negative (relative) indices all name the same vertices."""
    plain = load_obj(write(tmp_path, "plain.obj", SQUARE + "f 1 2 3 4\n"))
    forms = load_obj(write(tmp_path, "forms.obj", SQUARE + "vt 0 0\nvn 0 0 1\nf 1/1 2//1 3/1/1 4\n"))
    relative = load_obj(write(tmp_path, "rel.obj", SQUARE + "f -4 -3 -2 -1\n"))
    for mesh in (forms, relative):
        assert same_mesh(mesh, plain)
    assert plain.triangles.tolist() == [[0, 1, 2], [0, 2, 3]]


def test_obj_negative_index_counts_from_the_vertices_read_so_far(tmp_path):
    """-1 is the latest vertex read before the face, not the last vertex of the file."""
    mesh = load_obj(write(tmp_path, "a.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 5 5 5\nv 6 5 5\nf -5 -2 -1\n"))
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 3, 4]]


def test_obj_ngon_fan(tmp_path):
    """A hexagon becomes a fan of 4 triangles from its first corner; its 6 sides are the edges; the area is kept."""
    angles = np.arange(6) * math.pi / 3
    text = "".join(f"v {math.cos(a)!r} {math.sin(a)!r} 0\n" for a in angles) + "f 1 2 3 4 5 6\n"
    mesh = load_obj(write(tmp_path, "hex.obj", text))
    assert mesh.triangles.tolist() == [[0, 1, 2], [0, 2, 3], [0, 3, 4], [0, 4, 5]]
    assert mesh.edges.tolist() == [[0, 1], [0, 5], [1, 2], [2, 3], [3, 4], [4, 5]]
    area = np.linalg.norm(np.cross(*(mesh.vertices[mesh.triangles[:, k]] - mesh.vertices[mesh.triangles[:, 0]] for k in (1, 2))), axis=1).sum() / 2
    assert area == pytest.approx(3 * math.sqrt(3) / 2)
    np.testing.assert_allclose(mesh.face_normals(), [[0, 0, 1]] * 4, atol=1e-15)


def test_obj_ignores_comments_and_other_statements(tmp_path):
    """Comments, blank lines, CRLF, vt/vn/o/g/s/usemtl/mtllib, a trailing comment and a continued line are fine."""
    text = (
        "# a comment\r\n\r\nmtllib x.mtl\r\no thing\r\ng part\r\ns 1\r\nusemtl red\r\n"
        "v 0 0 0 # origin\r\nv 1 0 0\r\nv 1 1 0\r\nv 0 1 \\\r\n 0\r\nvt 0.5 0.5\r\nvn 0 0 1\r\n"
        "f 1 2 \\\r\n3 4\r\n"
    )
    mesh = load_obj(write(tmp_path, "a.obj", text))
    assert mesh.n_vertices == 4 and mesh.n_triangles == 2
    np.testing.assert_array_equal(mesh.vertices[3], [0, 1, 0])


def test_obj_vertex_with_w_and_colours(tmp_path):
    """'v x y z w' and 'v x y z r g b' keep x, y, z."""
    mesh = load_obj(write(tmp_path, "a.obj", "v 0 0 0 1\nv 1 0 0 1 0 0\nv 0 1 0\nf 1 2 3\n"))
    np.testing.assert_array_equal(mesh.vertices, [[0, 0, 0], [1, 0, 0], [0, 1, 0]])


def test_off_header_forms_comments_and_ngons(tmp_path):
    """OFF with counts on the header line or the next, comments and a quad with a colour behind it."""
    body = "0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3 0.5 0.5 0.5\n"
    a = load_off(write(tmp_path, "a.off", "OFF 4 1 4\n" + body))
    b = load_off(write(tmp_path, "b.off", "OFF\n# made by hand\n\n4 1 0  # counts\n" + body))
    assert same_mesh(a, b)
    assert a.triangles.tolist() == [[0, 1, 2], [0, 2, 3]]
    assert a.n_edges == 4


def test_shipped_house_obj():
    """scenes/house.obj: two closed, outward parts (body and chimney): V - E + F = 4, positive volume."""
    mesh = load_mesh(scene_dir() / "house.obj")
    assert mesh.euler_characteristic() == 4
    assert mesh.signed_volume() > 0
    assert any(len(p) == 5 for p in mesh.polygons())  # the gable walls stay pentagons


OBJ_ERRORS = [
    ("v 0 0 0\nv 1 0 x\n", 2, "expected a coordinate (a number), got 'x'"),
    ("v 0 0 0\nv 1 0 nan\n", 2, "finite"),
    ("v 0 0 0\nv 1 0 inf\n", 2, "finite"),
    ("v 0 0\n", 1, "expected 'v x y z'"),
    (SQUARE + "f 1 2\n", 5, "at least 3 corners"),
    (SQUARE + "\n\nf 1 2 5\n", 7, "face index 5 is out of range; the file has 4 vertices"),
    (SQUARE + "f 1 2 0\n", 5, "got 0"),
    (SQUARE + "f 1 2 -5\n", 5, "expected a relative index -1..-4"),
    (SQUARE + "f 1 2 a\n", 5, "expected a vertex index in 'a'"),
    (SQUARE + "f 1 2 3/x\n", 5, "texture or normal index"),
    (SQUARE + "f 1 2 3/1/1/1\n", 5, "v, v/vt, v//vn or v/vt/vn"),
    (SQUARE + "q 1 2 3\n", 5, "unknown statement 'q'"),
    (SQUARE + "l 1\n", 5, "at least 2 vertices"),
    (SQUARE + "l 1 9\n", 5, "line index 9 is out of range"),
]


@pytest.mark.parametrize("text, line, message", OBJ_ERRORS)
def test_obj_errors_name_file_and_line(tmp_path, text, line, message):
    """Each malformed OBJ raises SceneError 'path:LINE: ...' saying what was found and expected."""
    path = write(tmp_path, "bad.obj", text + "f 1 2 3\n")
    with pytest.raises(SceneError) as info:
        load_obj(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


OFF_ERRORS = [
    ("PLY\n3 1 0\n", 1, "expected the header 'OFF'"),
    ("OFF\n3\n", 2, "expected the counts"),
    ("OFF\n3 x 0\n", 2, "a count"),
    ("OFF\n-3 1 0\n", 2, "expected counts >= 0"),
    ("OFF\n3 0 0\n", 2, "at least one face"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n", 5, "the file ends early; expected 3 vertex lines, got 2"),
    ("OFF\n3 1 0\n0 0 0\n1 0\n0 1 0\n3 0 1 2\n", 4, "expected a vertex 'x y z'"),
    ("OFF\n3 1 0\n0 0 0\n1 0 nan\n0 1 0\n3 0 1 2\n", 4, "finite"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n", 6, "expected vertex indices in 0..2, got 3"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n", 6, "at least 3 corners"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1\n", 6, "expected 3 vertex indices after 3, got 2"),
    ("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 2\n", 7, "expected the end of the file"),
]


@pytest.mark.parametrize("text, line, message", OFF_ERRORS)
def test_off_errors_name_file_and_line(tmp_path, text, line, message):
    """Each malformed OFF raises SceneError 'path:LINE: ...' saying what was found and expected."""
    path = write(tmp_path, "bad.off", text)
    with pytest.raises(SceneError) as info:
        load_off(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert message in str(info.value)


def test_missing_file_unknown_suffix_and_no_faces(tmp_path):
    """A missing file, an unsupported suffix and a file without faces raise SceneError naming the file."""
    for path, message in [
        (tmp_path / "none.obj", "file not found"),
        (write(tmp_path, "m.stl", "solid"), "unknown mesh format '.stl'"),
        (write(tmp_path, "empty.obj", "# nothing\nv 0 0 0\n"), "no faces found"),
        (tmp_path, "unknown mesh format"),
    ]:
        with pytest.raises(SceneError) as info:
            load_mesh(path)
        assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_non_utf8_bytes(tmp_path):
    """A Latin-1 byte in a comment is harmless; one inside a number is a malformed number on its line."""
    (tmp_path / "a.obj").write_bytes(b"# caf\xe9\n" + SQUARE.encode() + b"f 1 2 3\n")
    assert load_obj(tmp_path / "a.obj").n_triangles == 1
    (tmp_path / "b.obj").write_bytes(SQUARE.encode() + b"v 1 \xff 0\nf 1 2 3\n")
    with pytest.raises(SceneError, match=r"b\.obj:5: "):
        load_obj(tmp_path / "b.obj")


def loads_or_scene_error(load, path):
    """The fuzz property: a file either loads into a valid Mesh or raises SceneError, nothing else."""
    try:
        mesh = load(path)
    except SceneError:
        return
    assert mesh.n_triangles > 0
    assert np.all(np.isfinite(mesh.vertices))
    assert mesh.triangles.min() >= 0 and mesh.triangles.max() < mesh.n_vertices


OBJ_ALPHABET = st.sampled_from(list("vflotgs/#\\-+.e0123456789 \n\t") + ["nan", "inf", "1e400", "\r", "\xe9", "v ", "f "])
OFF_ALPHABET = st.sampled_from(list("OF#-+.e0123456789 \n\t") + ["nan", "OFF\n", "3 ", "\r", "\u2028", "\x0c"])


@FUZZ
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(tmp_path, data):
    """Random bytes: both readers load them or raise SceneError."""
    for name, load in (("f.obj", load_obj), ("f.off", load_off)):
        (tmp_path / name).write_bytes(data)
        loads_or_scene_error(load, tmp_path / name)


@FUZZ
@given(st.lists(OBJ_ALPHABET, max_size=120), st.lists(OFF_ALPHABET, max_size=120))
def test_fuzz_token_soup(tmp_path, obj_tokens, off_tokens):
    """Text made of the formats' own characters and keywords: loads or raises SceneError."""
    (tmp_path / "s.obj").write_text("".join(obj_tokens), encoding="utf-8")
    (tmp_path / "s.off").write_text("".join(off_tokens), encoding="utf-8")
    loads_or_scene_error(load_obj, tmp_path / "s.obj")
    loads_or_scene_error(load_off, tmp_path / "s.off")


@pytest.fixture(scope="module")
def valid_texts(tmp_path_factory):
    """The cube as OBJ and as OFF text: the seeds that the mutation fuzzer damages."""
    folder = tmp_path_factory.mktemp("seeds")
    save_obj(cube(), folder / "c.obj")
    save_off(cube(), folder / "c.off")
    obj = (folder / "c.obj").read_text() + "vt 0 0\nvn 0 0 1\nf 1/1/1 2//1 -1 -2\n"
    return {".obj": obj, ".off": (folder / "c.off").read_text()}


@FUZZ
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.sampled_from([".obj", ".off"]))
def test_fuzz_mutated_valid_files(tmp_path, valid_texts, seed, n_mutations, suffix):
    """A valid file with a few characters deleted, duplicated or replaced: loads or raises SceneError."""
    rng = random.Random(seed)
    text = list(valid_texts[suffix])
    pool = list("0123456789-./ \n#ef") + ["nan", "1e999", "-0", "99999999999999999999", "\\\n", "\x00"]
    for _ in range(n_mutations):
        i = rng.randrange(len(text))
        action = rng.randrange(3)
        if action == 0:
            del text[i]
        elif action == 1:
            text.insert(i, text[i])
        else:
            text[i] = rng.choice(pool)
    path = tmp_path / f"m{suffix}"
    path.write_text("".join(text), encoding="utf-8")
    loads_or_scene_error(load_mesh, path)


# ---------------------------------------------------------------------------------------- bulk reading
from affine3d.bench.mesh_samples import bunny_like, fandisk_like, teapot_like  # noqa: E402
from affine3d.geometry import _mesh_text, mesh_files  # noqa: E402


def identical(a: Mesh, b: Mesh) -> bool:
    """Same arrays exactly: vertices, triangles in order, edges, normals and their indices."""
    same = (np.array_equal(a.vertices, b.vertices) and np.array_equal(a.triangles, b.triangles)
            and np.array_equal(a.edges, b.edges))
    if a.normals is None or b.normals is None:
        return same and a.normals is None and b.normals is None
    return same and np.array_equal(a.normals, b.normals) and np.array_equal(a.normal_indices, b.normal_indices)


def statement_reader(path):
    """The reference: the same file read one statement at a time (mesh_files._ObjStatements / _OffStatements)."""
    reader = mesh_files._ObjStatements if str(path).endswith(".obj") else mesh_files._OffStatements
    return mesh_files._read_slowly(path, reader)


def same_outcome(path):
    """The bulk reader and the statement reader give the identical mesh, or the identical error message."""
    results = []
    for load in (load_mesh, statement_reader):
        try:
            results.append(load(path))
        except SceneError as exc:
            results.append(str(exc))
    bulk, reference = results
    if isinstance(bulk, str) or isinstance(reference, str):
        assert bulk == reference
    else:
        assert identical(bulk, reference)
    return bulk


SAMPLES = {"teapot": lambda: teapot_like(3000), "bunny": lambda: bunny_like(2000), "fandisk": lambda: fandisk_like(12)}


@pytest.mark.parametrize("name", list(SAMPLES))
@pytest.mark.parametrize("suffix", [".obj", ".off"])
def test_sample_files_read_as_generated(tmp_path, name, suffix):
    """Generated files (groups, materials, vt/vn, quads, fans, negative indices): the model's own arrays come back."""
    model = SAMPLES[name]()
    path = tmp_path / f"{name}{suffix}"
    path.write_text(model.obj_text() if suffix == ".obj" else model.off_text(), encoding="utf-8")
    mesh = same_outcome(path)
    np.testing.assert_allclose(mesh.vertices, model.positions, atol=5e-7)  # written with 6 decimals
    np.testing.assert_array_equal(mesh.triangles, model.triangles())
    if suffix == ".obj" and model.normals is not None:
        # Every corner names the vertex's own normal (v/vt/vn with the same index): the mesh keeps them.
        np.testing.assert_array_equal(mesh.normal_indices, mesh.triangles)
        np.testing.assert_allclose(mesh.normals, model.normals, atol=5e-5)
    else:
        assert mesh.normals is None


def test_teapot_like_file_has_what_an_exporter_writes(tmp_path):
    """The generated export has comments, mtllib, groups, usemtl, s, vt, vn, quads, v/vt/vn and negative indices."""
    text = teapot_like(3000).obj_text()
    heads = {line.split()[0] for line in text.splitlines() if line.strip()}
    assert {"#", "mtllib", "o", "g", "usemtl", "s", "v", "vt", "vn", "f"} <= heads
    faces = [line.split()[1:] for line in text.splitlines() if line.startswith("f ")]
    assert any(len(f) == 4 for f in faces) and any(len(f) == 3 for f in faces)
    assert all(corner.count("/") == 2 for f in faces for corner in f)
    assert any(corner.startswith("-") for f in faces for corner in f)


@pytest.mark.parametrize("chunk", [16, 37, 64, 4096])
def test_small_pieces_give_the_same_mesh(tmp_path, monkeypatch, chunk):
    """Read in pieces of a few bytes (lines, CRLF, continuations and comments cut anywhere): the same mesh."""
    text = ("# head\r\n" + SQUARE.replace("\n", "\r\n") + "vn 0 0 1\nv 2 2 \\\n 0 # continued\n"
            "f 1//1 2//1 3//1\r\nf -5//-1 \\\n -4//1 -1//1\n\n# the end")
    path = write(tmp_path, "a.obj", text)
    whole = load_obj(path)
    monkeypatch.setattr(_mesh_text, "CHUNK_BYTES", chunk)
    assert identical(load_obj(path), whole)
    assert whole.n_vertices == 5 and whole.triangles.tolist() == [[0, 1, 2], [0, 1, 4]]
    assert whole.normals is not None


@pytest.mark.parametrize("suffix", [".obj", ".off"])
def test_errors_deep_in_a_big_file_name_their_line(tmp_path, monkeypatch, suffix):
    """A bad number on a line far into a file read in many pieces: the message names that line."""
    model = bunny_like(3000)
    text = model.obj_text() if suffix == ".obj" else model.off_text()
    lines = text.split("\n")
    k = 2 * len(lines) // 3  # a face line two thirds in
    k = next(i for i in range(k, len(lines)) if lines[i][:1] in ("f", "3"))
    lines[k] = lines[k].replace(" ", " x", 1)
    path = write(tmp_path, f"bad{suffix}", "\n".join(lines))
    monkeypatch.setattr(_mesh_text, "CHUNK_BYTES", 4096)
    with pytest.raises(SceneError) as info:
        load_mesh(path)
    assert str(info.value).startswith(f"{path}:{k + 1}: ")
    assert "'x" in str(info.value)


NORMAL_ERRORS = [
    (SQUARE + "vn 0 0\nf 1//1 2//1 3//1\n", 5, "expected 'vn x y z'"),
    (SQUARE + "vn 0 0 nan\nf 1//1 2//1 3//1\n", 5, "finite"),
    (SQUARE + "vn 0 0 1\nf 1//1 2//2 3//1\n", 6, "normal index 2 is out of range; the file has 1 normal"),
    (SQUARE + "vn 0 0 1\nf 1//1 2//-2 3//1\n", 6, "expected a relative index -1..-1 (normals read so far)"),
    (SQUARE + "f 1//-1 2 3\n", 5, "no normal has been read yet"),
    (SQUARE + "vn 0 0 1\nf 1//0 2//1 3//1\n", 6, "expected a normal index from 1"),
]


@pytest.mark.parametrize("text, line, message", NORMAL_ERRORS)
def test_normal_errors_name_file_and_line(tmp_path, text, line, message):
    """vn lines and v//vn references are checked like vertices: one SceneError naming the line."""
    path = write(tmp_path, "bad.obj", text)
    with pytest.raises(SceneError) as info:
        load_obj(path)
    assert str(info.value).startswith(f"{path}:{line}: ") and message in str(info.value)
    same_outcome(path)


def test_normals_kept_only_when_every_corner_names_one(tmp_path):
    """One face without normals: the file's normals are not used (smooth shading computes them)."""
    both = load_obj(write(tmp_path, "a.obj", SQUARE + "vn 0 0 1\nf 1//1 2//1 3//1\nf 1//1 3//1 4//1\n"))
    mixed = load_obj(write(tmp_path, "b.obj", SQUARE + "vn 0 0 1\nf 1//1 2//1 3//1\nf 1 3 4\n"))
    assert both.normals.tolist() == [[0.0, 0.0, 1.0]] and both.normal_indices.tolist() == [[0, 0, 0], [0, 0, 0]]
    assert mixed.normals is None and mixed.normal_indices is None


def test_save_obj_writes_normals_back(tmp_path):
    """A mesh with normals (quads, v/vt/vn) written by save_obj reads back with the same normals per corner."""
    path = tmp_path / "t.obj"
    path.write_text(teapot_like(800).obj_text(), encoding="utf-8")
    mesh = load_obj(path)
    save_obj(mesh, tmp_path / "back.obj")
    back = load_obj(tmp_path / "back.obj")
    assert same_mesh(back, mesh)
    np.testing.assert_array_equal(back.normals[back.normal_indices], mesh.normals[mesh.normal_indices])
    assert any(line.startswith("f ") and len(line.split()) == 5 for line in (tmp_path / "back.obj").read_text().splitlines())


def test_refuses_what_is_not_a_regular_file(tmp_path):
    """A directory, a pipe and a character device: one line naming the path, nothing read, no hang."""
    import os

    fifo = tmp_path / "pipe.obj"
    os.mkfifo(fifo)
    for path, message in [(tmp_path, "expected a regular file, got a directory"),
                          (fifo, "expected a regular file, got a pipe (FIFO)"),
                          ("/dev/null", "expected a regular file, got a character device")]:
        for load in (load_obj, load_off):
            with pytest.raises(SceneError) as info:
                load(path)
            assert str(info.value) == f"{path}: {message}; affine3d reads a mesh file only from a regular file"


def test_refuses_a_file_over_the_limit(tmp_path, monkeypatch):
    """Above MAX_MESH_BYTES: one line with the file's size and the limit, before anything is read."""
    path = write(tmp_path, "big.obj", SQUARE + "f 1 2 3\n" * 1000)
    monkeypatch.setattr(_mesh_text, "MAX_MESH_BYTES", 1024)
    for load in (load_obj, load_off):
        with pytest.raises(SceneError) as info:
            load(path)
        assert str(info.value).startswith(f"{path}: ") and "more than the 1,024 a mesh file may have; refused" in str(info.value)


OBJ_SEEDS = [teapot_like(60).obj_text(), bunny_like(60).obj_text(), fandisk_like(4).obj_text(),
             SQUARE + "vn 0 0 1\nvt 0 0\nl 1 2 3\nf 1/1/1 2//1 -2/1/-1 4/1\nf 1 2 3 4\n"]
OFF_SEEDS = [bunny_like(60).off_text(), fandisk_like(4).off_text(), "OFF 4 1 4\n" + "0 0 0\n1 0 0\n1 1 0\n0 1 0\n4 0 1 2 3 0.5 0.5 0.5\n"]


@FUZZ
@given(st.integers(0, 2**32 - 1), st.integers(0, 6), st.booleans(), st.sampled_from(range(len(OBJ_SEEDS) + len(OFF_SEEDS))))
def test_fuzz_bulk_reader_matches_the_statement_reader(tmp_path, monkeypatch, seed, n_mutations, small, which):
    """Valid and damaged files, read whole or in tiny pieces: the bulk reader's mesh or message is the reference's."""
    rng = random.Random(seed)
    text = list((OBJ_SEEDS + OFF_SEEDS)[which])
    pool = list("0123456789-./ \n#efvln") + ["nan", "1e999", "-0", "99999999999999999999", "\\\n", "\r\n", "//", "\x00", "\xe9"]
    for _ in range(n_mutations):
        i = rng.randrange(len(text))
        action = rng.randrange(3)
        if action == 0:
            del text[i]
        elif action == 1:
            text.insert(i, text[i])
        else:
            text[i] = rng.choice(pool)
    path = tmp_path / ("m.obj" if which < len(OBJ_SEEDS) else "m.off")
    path.write_text("".join(text), encoding="utf-8")
    monkeypatch.setattr(_mesh_text, "CHUNK_BYTES", rng.choice([7, 64, 1 << 23]) if small else 1 << 23)
    same_outcome(path)
