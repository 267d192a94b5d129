"""Every mistake is one line that names the file and the field: careless and hostile scene files, model files,
flags and library calls, each refused with the project's own error (never a traceback, a numpy warning or a
silently wrong picture).
"""

import json
import math
import os
import struct
import warnings

import numpy as np
import pytest

from affine3d import Affine
from affine3d.cpu.raster import render_cpu
from affine3d.errors import AffineError, ModelError, SceneError, UsageError
from affine3d.geometry.scene import load_scene
from affine3d.nn import MLP
from test_fileio import one_line, run_cli  # the CLI helpers, one definition


@pytest.fixture(autouse=True)
def numpy_warnings_are_failures():
    """No numpy warning may reach the user: here every warning is an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield



def scene_error(tmp_path, text: str, name="x.toml") -> str:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(SceneError) as info:
        load_scene(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path)), message
    return message


CUBE = '[[object]]\nshape = "cube"\n'


# ---------------------------------------------------------------------------------------- scene files
@pytest.mark.parametrize("text, message", [
    ("[camera]\nfov_deg = 1" + "0" * 400 + "\n" + CUBE, "camera.fov_deg: expected a finite number, got an integer of 401 digits"),
    ('[[object]]\nshape = "icosphere"\nparams = { level = 1' + "0" * 400 + " }\n",
     "object[0].params.level: expected an integer in 0..9, got an integer of 401 digits"),
    ("[camera]\nfov_deg = 1" + "0" * 5000 + "\n" + CUBE, ":2: a number with thousands of digits"),
    ("x = " + "[" * 3000 + "]" * 3000 + "\n" + CUBE, "TOML nested too deeply"),
    ("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n" + CUBE, "TOML nested too deeply"),
    ('[[object]]\nmesh = "' + "m" * 5000 + '.obj"\n', "object[0].mesh: cannot open the mesh file mmmm"),
    ('[[object]]\nname = "' + "n" * 5000 + '"\nshape = 7\n', "object[0].shape: expected a string, got 7"),
])
def test_huge_numbers_deep_nesting_and_long_names_are_one_line(tmp_path, text, message):
    """400- and 5000-digit integers, 3000 nested arrays or tables, a 5000-character mesh name: one line, file and field."""
    assert message in scene_error(tmp_path, text)


@pytest.mark.parametrize("text, message", [
    (CUBE.replace('shape = "cube"', 'shape = "cube"\ntransform = [{ scale = 1e200 }]'),
     "object[0].transform[0].scale: expected a factor of size 1e-12 .. 1e+12 (negative: a mirror), got 1e+200"),
    (CUBE.replace('shape = "cube"', 'shape = "cube"\ntransform = [{ scale = 1e308 }, { scale = 1e308 }]'),
     "object[0].transform[0].scale: expected a factor"),
    (CUBE.replace('shape = "cube"', 'shape = "cube"\ntransform = [{ scale = 1e12 }, { scale = 1e12 }]'),
     "object[0].transform: the model map stretches by 1e+24, more than 1e+12"),
    (CUBE.replace('shape = "cube"', 'shape = "cube"\ntransform = [{ translate = [1e300, 0, 0] }]'),
     "object[0].transform[0].translate[0]: expected at most 1e+12"),
    ("[camera]\nfov_deg = 1e-300\n" + CUBE, "camera.fov_deg: expected degrees in [0.01, 180), got 1e-300"),
    ("[camera]\ndistance = 1e308\n" + CUBE, "camera.distance: expected at most 1e+12"),
    ("[camera]\nnear = 1e-8\n" + CUBE, "camera.near: expected at least distance / 100000"),
    ("[camera]\nfar = 1e300\n" + CUBE, "camera.far: expected at most 1e+12"),
])
def test_what_float32_cannot_draw_is_refused_naming_the_field(tmp_path, text, message):
    """scale 1e200 (det overflow), two 1e308 steps, fov 1e-300, distance 1e308: refused, not drawn wrong."""
    assert message in scene_error(tmp_path, text)


def _degenerate_transforms():
    """23 maps that flatten an object: a tiny axis, or two shears that cancel (det 0)."""
    cases = []
    for axis in range(3):
        for tiny in (1e-13, 1e-100, 1e-300):
            factors = [1.0, 1.0, 1.0]
            factors[axis] = tiny
            cases.append(f"{{ scale = {factors} }}")
    cases += ["{ scale = 1e-13 }", "{ scale = -1e-200 }"]
    for a, b in (("xy", "yx"), ("xz", "zx"), ("yz", "zy")):
        for k in (1.0, 2.0, 0.5, -4.0):
            cases.append(f"{{ shear = {{ {a} = {k}, {b} = {1 / k} }} }}")
    return cases


@pytest.mark.parametrize("step", _degenerate_transforms())
def test_tiny_axes_and_singular_shears_name_the_file_and_the_transform(tmp_path, step):
    """Each of 23 flattening maps: SceneError naming the file and object[0].transform, before any renderer sees it."""
    message = scene_error(tmp_path, CUBE.replace('shape = "cube"', f'shape = "cube"\ntransform = [{step}]'))
    assert "x.toml: object[0].transform" in message
    assert any(words in message for words in ("flattens the object", "expected a factor of size"))


def test_a_tiny_light_direction_lights_like_its_direction(tmp_path):
    """[1e-200, 1e-200, 0] is the direction [1, 1, 0]: the same picture, not black objects."""
    pictures = []
    for direction in ("[1e-200, 1e-200, 0]", "[1, 1, 0]"):
        path = tmp_path / "light.toml"
        path.write_text(f"[world]\nyaw_deg = 30\npitch_deg = 25\n[light]\ndirection = {direction}\n{CUBE}")
        scene = load_scene(path)
        np.testing.assert_allclose(scene.light_direction, np.array([1, 1, 0]) / math.sqrt(2))
        pictures.append(render_cpu(scene, (64, 48)))
    np.testing.assert_array_equal(pictures[0], pictures[1])
    assert len(np.unique(pictures[0].reshape(-1, 4), axis=0)) > 3  # lit faces, not one black silhouette


def test_meshes_outside_the_scene_folder_are_refused_without_reading_them(tmp_path):
    """../, an absolute path, a link out of the folder (to /proc/self/environ): refused; no content in the message."""
    folder = tmp_path / "scene"
    folder.mkdir()
    (tmp_path / "outside.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    (folder / "environ.obj").symlink_to("/proc/self/environ")
    (folder / "out.obj").symlink_to(tmp_path / "outside.obj")
    secrets = [value for value in os.environ.values() if len(value) >= 8]
    for mesh, words in (("../outside.obj", "outside the scene's folder"), ("/proc/self/environ", "an absolute path"),
                        ("environ.obj", "outside the scene's folder"), ("out.obj", "outside the scene's folder")):
        (folder / "s.toml").write_text(f'[[object]]\nmesh = "{mesh}"\n')
        with pytest.raises(SceneError) as info:
            load_scene(folder / "s.toml")
        message = str(info.value)
        assert "object[0].mesh" in message and words in message
        assert not any(secret in message for secret in secrets)
    MLP.random([3, 3]).save(tmp_path / "net.safetensors")
    (folder / "s.toml").write_text('mlp = "../net.safetensors"\n' + CUBE)
    with pytest.raises(SceneError, match="mlp: '../net.safetensors' is outside the scene's folder"):
        load_scene(folder / "s.toml")


def test_a_mesh_in_a_subfolder_and_a_linked_folder_inside_are_allowed(tmp_path):
    """Inside the folder (or below it, links followed) is fine."""
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "t.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n")
    (tmp_path / "alias").symlink_to("parts")
    (tmp_path / "s.toml").write_text('[[object]]\nmesh = "parts/t.obj"\n[[object]]\nmesh = "alias/t.obj"\n')
    assert [o.mesh.n_triangles for o in load_scene(tmp_path / "s.toml").objects] == [4, 4]


def test_a_file_that_is_not_utf8_does_not_show_its_bytes(tmp_path):
    """A scene of binary bytes: the line number, never the bytes themselves."""
    path = tmp_path / "b.toml"
    path.write_bytes(b"name = 1\n\xfe\xff secret")
    with pytest.raises(SceneError) as info:
        load_scene(path)
    assert str(info.value) == f"{path}:2: expected UTF-8 text (the file is not a TOML scene)"


# ---------------------------------------------------------------------------------------- model files
def _safetensors(path, header: dict, data: bytes = b"") -> None:
    text = json.dumps(header).encode() if isinstance(header, dict) else header
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def _record(**changes) -> dict:
    record = {"format": "affine3d.mlp", "version": 1, "metadata": {},
              "layers": [{"weight": "layer1.weight", "bias": "layer1.bias", "activation": {"name": "identity"}}]}
    record.update(changes)
    return record


def _tensors(n=3) -> tuple[dict, bytes]:
    W, b = np.eye(n, dtype=np.float32), np.zeros(n, dtype=np.float32)
    return ({"layer1.weight": {"dtype": "F32", "shape": [n, n], "data_offsets": [0, W.nbytes]},
             "layer1.bias": {"dtype": "F32", "shape": [n], "data_offsets": [W.nbytes, W.nbytes + b.nbytes]}},
            W.tobytes() + b.tobytes())


def test_a_10000_deep_json_header_is_one_line(tmp_path, capsys):
    """The safetensors header itself nested 10 000 deep: ModelError, not a RecursionError."""
    path = tmp_path / "deep.safetensors"
    _safetensors(path, b"[" * 10000 + b"]" * 10000)
    with pytest.raises(ModelError, match="deep.safetensors: the JSON header nests too deeply"):
        MLP.load(path)
    code, _, err = run_cli(capsys, "inspect", path)
    assert code == 2 and "nests too deeply" in one_line(err)


@pytest.mark.parametrize("depth", [100, 10000])
def test_deep_metadata_is_one_line(tmp_path, depth):
    """The architecture string nested 100 or 10 000 deep (its metadata): ModelError naming the file and the entry."""
    tensors, data = _tensors()
    text = json.dumps(_record())[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    _safetensors(tmp_path / "m.safetensors", {"__metadata__": {"affine3d": text}, **tensors}, data)
    with pytest.raises(ModelError, match="m.safetensors: the 'affine3d' entry nests too deeply"):
        MLP.load(tmp_path / "m.safetensors")


def test_deep_onnx_metadata_props_do_not_break_load_or_inspect(tmp_path, capsys):
    """ONNX metadata_props nested 10 000 deep: the model loads (without that metadata) and inspect prints it as text."""
    from onnx import helper, load, save

    path = tmp_path / "m.onnx"
    MLP.random([3, 4, 3], seed=0).to_onnx(path)
    model = load(str(path))
    helper.set_model_props(model, {"affine3d": "[" * 10000 + "]" * 10000})
    save(model, str(path))
    assert MLP.load(path).metadata == {}
    code, out, err = run_cli(capsys, "inspect", path)
    assert code == 0 and err == "" and "affine3d: [[[" in out


def test_a_400_digit_leaky_relu_alpha_is_one_line(tmp_path):
    """alpha written as a 400-digit integer: ModelError naming the file, the layer and alpha (not OverflowError)."""
    tensors, data = _tensors()
    record = _record()
    text = json.dumps(record).replace('{"name": "identity"}', '{"name": "leaky_relu", "alpha": 1' + "0" * 400 + "}")
    _safetensors(tmp_path / "a.safetensors", {"__metadata__": {"affine3d": text}, **tensors}, data)
    with pytest.raises(ModelError, match=r"a.safetensors: layer 1: leaky_relu alpha: expected a finite number, got an integer of 401 digits"):
        MLP.load(tmp_path / "a.safetensors")


def test_an_onnx_weight_of_shape_0x3_is_a_model_error_naming_the_file(tmp_path):
    """A Gemm whose weight is 0x3: ModelError naming the file and the node (it was Affine's own error)."""
    from onnx import TensorProto, helper, numpy_helper, save

    W = numpy_helper.from_array(np.zeros((0, 3), np.float32), "W")
    b = numpy_helper.from_array(np.zeros((0,), np.float32), "b")
    graph = helper.make_graph([helper.make_node("Gemm", ["x", "W", "b"], ["y"], name="empty", transB=1)], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 0])], [W, b])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    save(model, str(tmp_path / "w.onnx"))
    with pytest.raises(ModelError, match=r"w.onnx: node 'empty' \(Gemm\): A: expected at least one row and one column"):
        MLP.load(tmp_path / "w.onnx")


def test_an_npz_that_is_not_a_zip_does_not_show_its_bytes(tmp_path):
    """A text file named .npz: 'not an .npz archive', without echoing what it starts with."""
    (tmp_path / "t.npz").write_text("SECRET=hunter2\n")
    with pytest.raises(ModelError) as info:
        MLP.load(tmp_path / "t.npz")
    assert "not an .npz" in str(info.value) and "SECRET" not in str(info.value)


# ---------------------------------------------------------------------------------------- flags
@pytest.mark.parametrize("argv, message", [
    (["render", "--samples", "3", "--backend", "gpu"], "--samples: expected 0 (off) or a power of two this OpenGL driver offers (0, 2"),
    (["render", "--samples", "3", "--backend", "cpu"], "--samples: expected 0 (off) or a power of two (2, 4, 8, ...), got 3"),
    (["render", "--size", "9" * 5000 + "x10"], "size: expected WIDTHxHEIGHT like 800x600, got '999"),
    (["render", "--pitch", "-inf"], "--pitch: expected a finite number of degrees, got -inf"),
    (["render", "--yaw", "-nan"], "--yaw: expected a finite number of degrees, got nan"),
    (["mlp-demo", "--seed", "-1"], "--seed: expected a whole number >= 0, got -1"),
    (["view", "--samples", "6"], "--samples: expected 0 (off) or a power of two"),
])
def test_bad_flags_are_one_line(tmp_path, capsys, argv, message):
    """--samples 3, a 5000-digit --size, --pitch -inf (not taken for an option), --seed -1: one line, exit 2."""
    code, out, err = run_cli(capsys, *argv, *(["-o", tmp_path / "x.png"] if argv[0] == "render" else []))
    assert code == 2 and message in one_line(err) and out == ""


def test_a_negative_number_after_a_flag_is_its_value(tmp_path, capsys):
    """--pitch -1e3 is --pitch=-1000 (argparse alone would take -1e3 for an option)."""
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    assert run_cli(capsys, "render", "--backend", "cpu", "--size", "32x24", "--pitch", "-1e3", "-o", a)[0] == 0
    assert run_cli(capsys, "render", "--backend", "cpu", "--size", "32x24", "--pitch=-1000", "-o", b)[0] == 0
    assert a.read_bytes() == b.read_bytes()


def test_a_framebuffer_the_driver_cannot_make_is_one_line(monkeypatch):
    """--size 16384x16384 --backend gpu ("framebuffer is not complete"): a UsageError naming the size and the way out."""
    import moderngl

    from affine3d.gl.context import create_context
    from affine3d.gl.renderer import Renderer

    ctx = create_context()
    try:
        renderer = Renderer(ctx, load_scene("platonic"), (32, 24), samples=4)

        def refuse(*args, **kwargs):
            raise moderngl.Error("the framebuffer is not complete (INCOMPLETE_ATTACHMENT)")

        monkeypatch.setattr(ctx, "renderbuffer", refuse)
        with pytest.raises(UsageError, match=r"size: the OpenGL driver cannot make a 4096x4096 framebuffer with 4 samples "
                                             r"a pixel .*use a smaller size, fewer samples \(0: off\), or the CPU backend"):
            renderer.resize((4096, 4096))
        monkeypatch.undo()
        renderer.release()
    finally:
        ctx.release()


def test_sample_counts_are_the_drivers_powers_of_two():
    """check_samples: 0 and 1 mean off, powers of two are capped at the driver's maximum, anything else is refused."""
    from affine3d.gl.context import create_context
    from affine3d.gl.renderer import check_samples, sample_counts

    ctx = create_context()
    try:
        counts = sample_counts(ctx)
        assert counts[0] == 0 and all(b == 2 * a for a, b in zip(counts[1:], counts[2:])) and counts[-1] <= ctx.max_samples
        assert check_samples(ctx, 1) == 0 and check_samples(ctx, 64) == counts[-1]
        for bad in (3, -2, 6, 2.0):
            with pytest.raises(UsageError, match="samples"):
                check_samples(ctx, bad)
    finally:
        ctx.release()


# ---------------------------------------------------------------------------------------- the library
@pytest.mark.parametrize("call, error, message", [
    (lambda: Affine([[10**400]]), AffineError, "A: expected numbers within float64's range"),
    (lambda: Affine.rotation_x(10**400), AffineError, "angle: expected a finite angle in radians, got an integer of 401 digits"),
    (lambda: Affine.rotation_x(1j), AffineError, "angle: expected a real angle"),
    (lambda: MLP.from_arrays([[[10**400]]]), ModelError, "layer 1: weights must be within float64's range"),
    (lambda: Affine.identity(3)(np.zeros(3), out=[0.0, 0.0, 0.0]), AffineError, "out: expected an array of shape (3,)"),
    (lambda: MLP.random([3, 3])(np.zeros(3), out=[0.0, 0.0, 0.0]), ModelError, "out: expected shape (3,)"),
    (lambda: MLP.load(123), ModelError, "path: expected a model file path (str or os.PathLike), got int"),
    (lambda: MLP.random([3, 3]).save("m.safetensors", dtype="bogus"), ModelError, "dtype: expected one of float16, float32, float64, got 'bogus'"),
    (lambda: Affine(np.array([[1 + 2j, 0], [0, 1]])), AffineError, "A: expected real numbers, got complex ones"),
    (lambda: Affine(np.eye(2), [1j, 0]), AffineError, "b: expected real numbers, got complex ones"),
    (lambda: Affine([[1 + 0j]]), AffineError, "A: expected real numbers"),
    (lambda: MLP.from_arrays([np.eye(2) * 1j]), ModelError, "layer 1: W1 holds complex numbers"),
    (lambda: Affine.identity(3)(np.zeros(3, complex)), AffineError, "x: expected an array of numbers, got dtype complex128"),
])
def test_library_mistakes_raise_the_projects_errors(call, error, message):
    """Huge ints, complex numbers (never silently made real), a list as out=, a number as a path, a bogus dtype."""
    with pytest.raises(error) as info:
        call()
    assert message in str(info.value)


def test_a_folder_given_as_a_model_says_so(tmp_path):
    """MLP.load of a folder named like a model: ModelError saying it is a folder."""
    (tmp_path / "net.onnx").mkdir()
    with pytest.raises(ModelError, match=r"net.onnx: expected a model file.*, got a directory"):
        MLP.load(tmp_path / "net.onnx")


def _numbers(line: str) -> list[float]:
    return [float(token) for token in line.replace("[", " ").replace("]", " ").replace("|", " ").split() if token != "..."]


def test_the_repr_of_a_big_map_is_summarised_as_numpy_does():
    """2000 x 2000: numpy's edge rows and columns with ... between them, without building the (n+1)^2 matrix."""
    import tracemalloc

    n = 2000
    A = np.arange(n * n, dtype=np.float64).reshape(n, n) % 997
    F = Affine(A, np.arange(n) % 13)
    edge = np.get_printoptions()["edgeitems"]
    shown = np.r_[0:edge, n - edge:n]
    tracemalloc.start()
    text = repr(F)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    lines = text.splitlines()
    assert lines[0] == f"Affine R^{n} -> R^{n}" and len(lines) == 1 + 2 * edge + 2
    rows = [line for line in lines[1:] if set(_numbers(line)) or "..." not in line]
    data = [_numbers(line) for line in rows[:-1]]
    np.testing.assert_array_equal(np.array(data)[:, :-1], A[np.ix_(shown, shown)])
    np.testing.assert_array_equal(np.array(data)[:, -1], (np.arange(n) % 13)[shown])
    assert _numbers(rows[-1]) == [0.0] * (2 * edge) + [1.0]
    assert peak < 1 << 20  # no (n+1)^2 float64 matrix (32 MB) behind it


def test_a_map_under_numpys_threshold_is_printed_whole():
    """30 x 30 (961 entries with the homogeneous row and column) is under numpy's threshold of 1000: every entry."""
    F = Affine(np.eye(30))
    assert "..." not in repr(F) and len(repr(F).splitlines()) == 32
    assert "..." in repr(Affine(np.eye(31)))
