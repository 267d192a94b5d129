"""Memory is bounded by what the user asked for: each budget refuses, in one line, before anything big is read or built.

Each refusal is checked in a child process under ``RLIMIT_AS`` (an address-space cap far below what the
refused input would take): the child must print the budget's own one-line message and exit 2, not run
out of memory. Big files are sparse (their size is declared, not written), so the tests stay small.
"""

import io
import json
import os
import resource
import struct
import subprocess
import sys
import weakref
import zipfile
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from affine3d.geometry import solids
from affine3d.geometry.scene import MAX_OBJECTS, MAX_SCENE_BYTES, MAX_SCENE_TRIANGLES
from affine3d.images import GifWriter
from affine3d.errors import ModelError
from affine3d.nn import MLP
from affine3d.nn.files.common import MAX_HEADER_BYTES, MAX_LAYERS, MAX_TENSOR_BYTES
from affine3d.nn.files.npz import MAX_MEMBERS
from affine3d.nn.files.onnx import MAX_ONNX_BYTES

CAP = 512 << 20  # the address space a refused input gets: enough for Python, numpy and the renderer's imports


def capped(*argv, cap=CAP, cwd=None):
    """``python -m affine3d ARGV`` under RLIMIT_AS = cap; returns the CompletedProcess."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-m", "affine3d", *map(str, argv)], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env=env, preexec_fn=limit)


def refused(result, message):
    """Exit 2 and exactly one stderr line that contains ``message``."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and message in lines[0], result.stderr


def python_capped(code: str, cap=CAP):
    """Run Python ``code`` under RLIMIT_AS = cap; returns the CompletedProcess."""
    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env,
                          preexec_fn=limit)


# ---------------------------------------------------------------------------------------- scenes: triangles
def test_the_budget_is_the_finest_icosphere_and_every_shape_fits():
    """MAX_SCENE_TRIANGLES = 20 * 4**9, and every built-in at its largest parameters fits in it."""
    assert MAX_SCENE_TRIANGLES == 20 * 4**solids.MAX_ICOSPHERE_LEVEL == solids.triangle_count("icosphere", level=9)
    largest = {
        "icosphere": {"level": solids.MAX_ICOSPHERE_LEVEL},
        "uv_sphere": {"n_lon": solids.MAX_SEGMENTS, "n_lat": solids.MAX_SEGMENTS},
        "torus": {"n_major": solids.MAX_SEGMENTS, "n_minor": solids.MAX_SEGMENTS},
        "prism": {"n_sides": solids.MAX_SEGMENTS},
        "pyramid": {"n_sides": solids.MAX_SEGMENTS},
        "subdivided_cube": {"n": solids.MAX_CUBE_CUTS},
    }
    for name in solids.BUILTINS:
        assert solids.triangle_count(name, **largest.get(name, {})) <= MAX_SCENE_TRIANGLES, name


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(list(solids.BUILTINS)), st.integers(0, 3), st.integers(3, 40), st.integers(2, 40))
def test_triangle_count_is_what_the_builder_builds(name, level, a, b):
    """triangle_count (from the parameters alone) equals the built mesh's n_triangles."""
    params = {"icosphere": {"level": level}, "uv_sphere": {"n_lon": a, "n_lat": b}, "torus": {"n_major": a, "n_minor": b + 1},
              "prism": {"n_sides": a}, "pyramid": {"n_sides": a}, "subdivided_cube": {"n": b}}.get(name, {})
    assert solids.triangle_count(name, **params) == solids.builtin(name, **params).n_triangles


def test_five_finest_icospheres_are_refused_before_any_is_built(tmp_path):
    """Five level-9 icospheres (26 M triangles, 2.4 GB before): one line naming object[1], under a 512 MiB cap."""
    scene = tmp_path / "five.toml"
    scene.write_text('[[object]]\nshape = "icosphere"\nparams = { level = 9 }\n' * 5)
    refused(capped("render", "--backend", "cpu", scene, "-o", tmp_path / "x.png"),
            "five.toml: object[1].params: 5,242,880 triangles (after 5,242,880 in the objects before it) exceed the "
            "scene's budget of 5,242,880")


@pytest.mark.parametrize("shape, params, field", [
    ("uv_sphere", "n_lon = 4096, n_lat = 4096", "n_lon: expected an integer in 3..1024, got 4096"),
    ("torus", "n_major = 4096, n_minor = 4096", "n_major: expected an integer in 3..1024, got 4096"),
    ("subdivided_cube", "n = 1024", "n: expected an integer in 1..512, got 1024"),
    ("icosphere", "level = 10", "level: expected an integer in 0..9, got 10"),
])
def test_shapes_past_their_maxima_are_refused(tmp_path, shape, params, field):
    """The old maxima (4096 x 4096: 33.5 M triangles, 9.4 GB) are one line naming the parameter, under the cap."""
    scene = tmp_path / "big.toml"
    scene.write_text(f'[[object]]\nshape = "{shape}"\nparams = {{ {params} }}\n')
    refused(capped("render", "--backend", "cpu", scene, "-o", tmp_path / "x.png"), f"object[0].params.{field}")


def test_too_many_objects_are_refused(tmp_path):
    """More than MAX_OBJECTS objects: one line, before any is built."""
    scene = tmp_path / "many.toml"
    scene.write_text('[[object]]\nshape = "tetrahedron"\n' * (MAX_OBJECTS + 1))
    refused(capped("render", "--backend", "cpu", scene, "-o", tmp_path / "x.png"), f"expected at most {MAX_OBJECTS:,} objects")


def test_a_huge_scene_file_is_refused_by_its_size(tmp_path):
    """A (sparse) scene file past MAX_SCENE_BYTES: refused from its size, never read."""
    scene = tmp_path / "huge.toml"
    with open(scene, "wb") as f:
        f.truncate(4 * MAX_SCENE_BYTES)
    refused(capped("render", "--backend", "cpu", scene, "-o", tmp_path / "x.png"),
            f"{4 * MAX_SCENE_BYTES:,} bytes, more than the {MAX_SCENE_BYTES:,} a scene file may have")


# ---------------------------------------------------------------------------------------- model files
def _npy_header(shape, descr="<f4") -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def _architecture_npy(n_layers=1) -> bytes:
    record = {"format": "affine3d.mlp", "version": 1, "metadata": {},
              "layers": [{"weight": f"layer{i}.weight", "bias": f"layer{i}.bias", "activation": {"name": "identity"}}
                         for i in range(1, n_layers + 1)]}
    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(record)))
    return buffer.getvalue()


def _stored_zip(path, members: dict, sparse: dict | None = None) -> None:
    """A zip of stored members; ``sparse`` = {name: (header bytes, data size)} members whose data is a hole."""
    sparse = sparse or {}
    central, offset = [], 0
    with open(path, "wb") as f:
        for name, content in [*members.items(), *sparse.items()]:
            raw = name.encode()
            header, size = (content, 0) if name in members else content
            total = len(header) + size
            crc = zlib.crc32(header) if name in members else 0
            f.write(struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, crc, total, total, len(raw), 0) + raw)
            f.write(header)
            f.seek(size, 1)  # a hole: declared, never written
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, crc, total, total,
                                       len(raw), 0, 0, 0, 0, 0, offset) + raw)
            offset = f.tell()
        directory = b"".join(central)
        f.write(directory)
        f.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0))


def test_npz_tensors_past_the_budget_are_refused_before_reading(tmp_path):
    """A (sparse) .npz whose weight declares 300 MiB: one line with the sizes, under a 512 MiB cap."""
    rows = (300 << 20) // 12
    path = tmp_path / "big.npz"
    _stored_zip(path, {"affine3d.npy": _architecture_npy(), "layer1.bias.npy": _npy_header((0,))},
                sparse={"layer1.weight.npy": (_npy_header((rows, 3)), rows * 12)})
    refused(capped("render", "--backend", "cpu", "--mlp", path, "-o", tmp_path / "x.png"),
            f"more than the {MAX_TENSOR_BYTES / 2**20:,.1f} MiB a model file may hold; refused before reading")
    listed = capped("inspect", path)  # inspect lists the tensors and says why the network is not loaded
    assert listed.returncode == 0 and "model:      not an affine3d MLP: big.npz: the tensors need 300.0 MiB" in listed.stdout


def test_a_compressed_npz_member_past_the_budget_is_refused(tmp_path):
    """A member deflated about 190:1 (under the old 200:1 rule) declaring 260 MiB: refused before it is inflated."""
    rows = (260 << 20) // 12
    chunk = bytearray(1 << 20)
    chunk[::880] = bytes(range(1, 256)) * (len(chunk[::880]) // 255) + bytes(range(1, 1 + len(chunk[::880]) % 255))
    path = tmp_path / "deflated.npz"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("affine3d.npy", _architecture_npy(), compress_type=zipfile.ZIP_STORED)
        z.writestr("layer1.bias.npy", _npy_header((0,)), compress_type=zipfile.ZIP_STORED)
        with z.open("layer1.weight.npy", "w") as member:
            member.write(_npy_header((rows, 3)))
            left = rows * 12
            while left:
                member.write(chunk[: min(left, len(chunk))])
                left -= min(left, len(chunk))
    info = zipfile.ZipFile(path).getinfo("layer1.weight.npy")
    assert info.file_size < 200 * info.compress_size  # the old rule let it through
    refused(capped("render", "--backend", "cpu", "--mlp", path, "-o", tmp_path / "x.png"), "the tensors need 260.0 MiB")


def test_a_zip64_member_claiming_80_gb_is_refused(tmp_path):
    """5.5 KB claiming a 100000 x 100000 float64 member (numpy: 'Unable to allocate 74.5 GiB'): one line."""
    path = tmp_path / "claim.npz"
    header = _npy_header((100000, 100000), "<f8")
    size = len(header) + 100000 * 100000 * 8
    name = b"layer1.weight.npy"
    extra = struct.pack("<HHQQ", 1, 16, size, size)
    meta = _architecture_npy()
    local_meta = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 0, 0, 0, zlib.crc32(meta), len(meta), len(meta), 12, 0)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 45, 0, 0, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name), len(extra))
    data = local_meta + b"affine3d.npy" + meta + local + name + extra + header + bytes(4096)
    central = (struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, zlib.crc32(meta), len(meta), len(meta),
                           12, 0, 0, 0, 0, 0, 0) + b"affine3d.npy"
               + struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 45, 45, 0, 0, 0, 0, 0, 0xFFFFFFFF, 0xFFFFFFFF, len(name),
                             len(extra), 0, 0, 0, 0, len(local_meta) + 12 + len(meta)) + name + extra)
    path.write_bytes(data + central + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 2, 2, len(central), len(data), 0))
    assert path.stat().st_size < 10_000
    refused(capped("inspect", path), "claims 80,000,000,128 bytes but the archive has only")


def test_an_npz_listing_thousands_of_members_is_refused_before_zipfile_lists_them(tmp_path):
    """More members than an MLP file can need (MAX_MEMBERS): refused from the zip's end record."""
    path = tmp_path / "many.npz"
    with zipfile.ZipFile(path, "w") as z:
        for k in range(MAX_MEMBERS + 1):
            z.writestr(f"m{k}.npy", b"")
    refused(capped("inspect", path), f"the archive lists {MAX_MEMBERS + 1:,} members")


def _safetensors(path, header: dict, data_size: int) -> None:
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        f.truncate(8 + len(text) + data_size)  # the tensor data: a hole


def test_safetensors_tensors_past_the_budget_are_refused_before_reading(tmp_path):
    """A (sparse) .safetensors whose header declares a 300 MiB weight: one line, under the cap."""
    rows = (300 << 20) // 12
    record = {
        "format": "affine3d.mlp", "version": 1, "metadata": {},
        "layers": [{"weight": "layer1.weight", "bias": "layer1.bias", "activation": {"name": "identity"}}]}
    header = {"__metadata__": {"affine3d": json.dumps(record)},
              "layer1.weight": {"dtype": "F32", "shape": [rows, 3], "data_offsets": [0, rows * 12]},
              "layer1.bias": {"dtype": "F32", "shape": [rows], "data_offsets": [rows * 12, rows * 16]}}
    path = tmp_path / "big.safetensors"
    _safetensors(path, header, rows * 16)
    refused(capped("render", "--backend", "cpu", "--mlp", path, "-o", tmp_path / "x.png"),
            f"more than the {MAX_TENSOR_BYTES / 2**20:,.1f} MiB a model file may hold")


def test_a_safetensors_header_past_its_budget_is_refused_unread(tmp_path):
    """A header length of MAX_HEADER_BYTES + 1 (in a sparse file that long): refused before the JSON is read."""
    path = tmp_path / "header.safetensors"
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", MAX_HEADER_BYTES + 1))
        f.truncate(8 + MAX_HEADER_BYTES + 1)
    refused(capped("inspect", path), f"the JSON header is {MAX_HEADER_BYTES + 1:,} bytes, more than the {MAX_HEADER_BYTES:,}")


def test_an_onnx_file_past_the_budget_is_refused_by_its_size(tmp_path):
    """protobuf parses a file whole, so an .onnx past MAX_ONNX_BYTES is refused before it is read."""
    path = tmp_path / "big.onnx"
    with open(path, "wb") as f:
        f.truncate(MAX_ONNX_BYTES + 1)
    refused(capped("inspect", path), f"{MAX_ONNX_BYTES + 1:,} bytes, more than the {MAX_ONNX_BYTES:,} a model file may have")


def test_more_layers_than_the_budget_are_refused(tmp_path):
    """An architecture listing MAX_LAYERS + 1 layers: one line, before any tensor is read."""
    path = tmp_path / "deep.npz"
    _stored_zip(path, {"affine3d.npy": _architecture_npy(MAX_LAYERS + 1)})
    refused(capped("render", "--backend", "cpu", "--mlp", path, "-o", tmp_path / "x.png"),
            f"lists {MAX_LAYERS + 1:,} layers, more than the {MAX_LAYERS:,}")


# ---------------------------------------------------------------------------------------- the library
@pytest.mark.parametrize("code, message", [
    ("from affine3d import Affine; Affine.identity(10**6)", "would make a 1000000 x 1000000 matrix (7.3 TiB of float64)"),
    ("from affine3d import Affine; Affine.scaling(2.0, dim=10**5)", "dim: 100000 would make"),
    ("from affine3d import MLP; MLP.random([3, 10**9, 3])", "would have 7,000,000,003 parameters"),
])
def test_constructors_refuse_sizes_that_cannot_fit(code, message):
    """A size alone asking for terabytes: the project's error, at once, under the cap (not MemoryError)."""
    result = python_capped(f"import sys\ntry:\n    {code}\nexcept ValueError as e:\n    print(type(e).__name__, e)\n")
    assert result.returncode == 0 and message in result.stdout and "Error" in result.stdout, result.stderr


# ---------------------------------------------------------------------------------------- GIF frames
def test_frames_per_stage_are_bounded(tmp_path):
    """--frames 300 (5.5 GB before streaming): one line naming the bound."""
    refused(capped("render", "cube-to-sphere", "--stages", "--frames", "300", "-o", tmp_path / "d"),
            "--frames: expected 1..200 GIF frames a stage, got 300")


def test_the_gif_writer_holds_one_frame_at_a_time(tmp_path):
    """Frames handed to GifWriter are not kept: after each add, the frames before the last one are garbage."""
    alive = []
    path = tmp_path / "many.gif"
    with GifWriter(path) as gif:
        for k in range(30):
            frame = Image.new("RGB", (32, 24), (k * 8, 255 - k * 8, 40))
            alive.append(weakref.ref(frame))
            gif.add(frame, 40)
            del frame
            assert sum(ref() is not None for ref in alive) == 0  # not even the last one: it was converted
    with Image.open(path) as image:
        assert image.n_frames == 30
        for k in (0, 17, 29):
            image.seek(k)
            assert image.convert("RGB").getpixel((5, 5)) == (k * 8, 255 - k * 8, 40)


# ---------------------------------------------------------------------------- training
def test_a_train_table_too_wide_is_refused_before_anything_is_built(tmp_path, capsys):
    """[train] sizes = [3, 8000, 3] (its start would be an 8000 x 8000 QR, 3.6 GB): one line, exit 2, nothing built."""
    from affine3d.cli import main
    from affine3d.nn.targets import MAX_TRAIN_WIDTH, TARGETS, Experiment

    with pytest.raises(ModelError, match=rf"width 8,000 is wider than the {MAX_TRAIN_WIDTH:,}"):
        Experiment(TARGETS["cube-to-sphere"], sizes=(3, 8000, 3))
    with pytest.raises(ModelError, match=r"parameters, more than"):
        Experiment(TARGETS["cube-to-sphere"], sizes=(3,) + (1000,) * 3 + (3,))
    scene = tmp_path / "wide.toml"
    scene.write_text('[[object]]\nshape = "cube"\n[train]\ntarget = "cube-to-sphere"\nsizes = [3, 8000, 3]\n')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert main(["render", str(scene), "--train", "--backend", "cpu", "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "8,000" in err
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: far from the 3.6 GB of the QR
    assert not (tmp_path / "out").exists()


def test_epochs_past_the_budget_are_refused(capsys):
    """--epochs 10**12 (memory would grow with every epoch's loss) is refused in one line; fit has its own bound."""
    from affine3d.cli import main
    from affine3d.nn import fit
    from affine3d.nn.targets import MAX_EPOCHS, TARGETS, Experiment

    with pytest.raises(ModelError, match=rf"epochs: expected a whole number from 1 to {MAX_EPOCHS:,}"):
        Experiment(TARGETS["cube-to-sphere"], epochs=10**12)
    assert main(["render", "cube-to-sphere", "--train", "--epochs", str(10**12), "--backend", "cpu"]) == 2
    assert "epochs" in capsys.readouterr().err
    with pytest.raises(ModelError, match=r"epochs: expected a whole number from 0 to"):
        fit(MLP.random([1, 1]), np.zeros((2, 1)), np.zeros((2, 1)), epochs=10**12)


@pytest.mark.parametrize("lr", [1e300, 1e100])
def test_a_step_that_overflows_stops_training_with_one_line(tmp_path, lr):
    """lr 1e300 or 1e100: the epoch whose loss or weights stop being finite raises one line; the network kept loads."""
    from affine3d.nn.train import Training

    X = np.random.default_rng(0).normal(size=(64, 3))
    run = Training(MLP.random([3, 8, 3], activation="tanh"), X, X ** 3, optimizer="sgd", lr=lr)
    with pytest.raises(ModelError) as info:
        for _ in range(50):
            run.run_epoch()
    message = str(info.value)
    assert "\n" not in message and "no longer finite" in message and f"lr {lr:g}" in message
    assert all(np.isfinite(v) for v in run.losses)
    net = run.network()  # the last finite epoch's weights: a model that can be saved and loaded back
    net.save(tmp_path / "kept.safetensors")
    assert MLP.load(tmp_path / "kept.safetensors").allclose(net)
    with pytest.raises(ModelError, match="no longer finite"):
        run.run_epoch()


def test_live_training_that_overflows_stops_and_says_so():
    """In the viewer's thread, lr 1e300 stops training (no thread traceback); the overlay says stopped and why."""
    import threading

    from affine3d.app.lab import Lab
    from affine3d.nn.targets import TARGETS, Experiment

    failures = []
    old_hook = threading.excepthook
    threading.excepthook = failures.append
    try:
        points = np.random.default_rng(0).uniform(-1, 1, size=(200, 3))
        lab = Lab(Experiment(TARGETS["cube-to-sphere"], lr=1e300, optimizer="sgd"), points, running=True)
        try:
            shot = lab.training.wait_for_epoch(10_000, timeout_s=60)
            lines = lab.lines()
            assert lab.training._thread.is_alive()
        finally:
            lab.close()
    finally:
        threading.excepthook = old_hook
    assert failures == [] and not shot.running and "no longer finite" in shot.stopped
    assert "stopped" in lines[0] and shot.stopped in lines
    assert np.all(np.isfinite(shot.mlp(points)))
