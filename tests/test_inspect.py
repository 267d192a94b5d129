"""`affine3d inspect`: what it prints checked against the file's bytes, parsed independently here."""

import json
import re
import struct
import zipfile

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from affine3d.cli import main
from affine3d.nn.mlp import MLP

ROW = re.compile(r"^\s+(layer\d\.(?:weight|bias))\s+\(([\d, ]+)\)\s+(\S+)\s+([\d,]+)\s+(\d+):(\d+)$")


def _net():
    rng = np.random.default_rng(0)
    return MLP.from_arrays([rng.normal(size=(5, 2)), rng.normal(size=(3, 5))], [rng.normal(size=5), rng.normal(size=3)],
                           ["tanh", "softmax"], metadata={"task": "inspect test"})


def _inspect(capsys, path, *extra):
    assert main(["inspect", str(path), *extra]) == 0
    return capsys.readouterr().out


def _rows(out):
    rows = {}
    for line in out.splitlines():
        m = ROW.match(line)
        if m:
            shape = tuple(int(s) for s in m.group(2).replace(" ", "").split(",") if s)
            rows[m.group(1)] = (shape, m.group(3), int(m.group(4).replace(",", "")),
                                int(m.group(5).replace(",", "")), int(m.group(6).replace(",", "")))
    return rows


def _expected_tensor(net, name):
    i = int(name[5]) - 1
    return (net.layers[i].W if name.endswith("weight") else net.layers[i].b).astype(np.float32)


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_inspect_lists_every_tensor_with_offsets_that_hold_it(tmp_path, capsys, suffix):
    """Each printed tensor row has the right shape, and its printed byte range holds exactly that tensor."""
    net = _net()
    path = tmp_path / f"model{suffix}"
    net.save(path)
    out = _inspect(capsys, path)
    rows = _rows(out)
    assert set(rows) == {"layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"}
    data = path.read_bytes()
    for name, (shape, dtype, nbytes, begin, end) in rows.items():
        expected = _expected_tensor(net, name)
        assert shape == expected.shape and nbytes == expected.nbytes == end - begin
        np.testing.assert_array_equal(np.frombuffer(data[begin:end], dtype="<f4").reshape(shape), expected)
    assert "MLP 2 -> 5 -> 3" in out
    assert "layer 1: W1 5x2, b1 (5,), activation tanh" in out
    assert "layer 2: W2 3x5, b2 (3,), activation softmax" in out
    assert f"parameters: {5 * 2 + 5 + 3 * 5 + 3}" in out
    assert "inspect test" in out


def test_inspect_safetensors_header_layout(tmp_path, capsys):
    """The header length and data start printed are the file's first 8 bytes and 8 + that length."""
    path = tmp_path / "model.safetensors"
    _net().save(path)
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    out = _inspect(capsys, path)
    assert f"header length (little-endian u64) = {length:,}" in out
    assert f"bytes {8 + length}:{len(data)} tensor data" in out
    for name, (_, dtype, _, begin, end) in _rows(out).items():
        assert dtype == header[name]["dtype"]
        assert [begin - 8 - length, end - 8 - length] == header[name]["data_offsets"]


def test_inspect_npz_and_onnx_agree_with_their_libraries(tmp_path, capsys):
    """Shapes printed for .npz match zipfile + numpy; for .onnx they match onnx's initializers."""
    net = _net()
    npz, onx = tmp_path / "m.npz", tmp_path / "m.onnx"
    net.save(npz)
    net.to_onnx(onx)
    with zipfile.ZipFile(npz) as z, np.load(npz) as arrays:
        assert {n[:-4] for n in z.namelist()} == set(_rows(_inspect(capsys, npz))) | {"affine3d"}
        for name, (shape, *_rest) in _rows(_inspect(capsys, npz)).items():
            assert arrays[name].shape == shape
    model = onnx.load(str(onx))
    rows = _rows(_inspect(capsys, onx))
    for tensor in model.graph.initializer:
        assert rows[tensor.name][0] == numpy_helper.to_array(tensor).shape
    out = _inspect(capsys, onx)
    assert f"IR version {model.ir_version}, opset {model.opset_import[0].version}" in out


def test_inspect_json(tmp_path, capsys):
    """--json prints the same facts as JSON: architecture, tensors, parameter count."""
    path = tmp_path / "model.safetensors"
    _net().save(path)
    report = json.loads(_inspect(capsys, path, "--json"))
    assert report["architecture"]["sizes"] == [2, 5, 3]
    assert report["parameters"] == 5 * 2 + 5 + 3 * 5 + 3
    assert {t["name"] for t in report["tensors"]} == {"layer1.weight", "layer1.bias", "layer2.weight", "layer2.bias"}


def test_inspect_foreign_safetensors(tmp_path, capsys):
    """A safetensors file that is not an affine3d MLP is listed, with the reason it is not one."""
    from safetensors.numpy import save_file

    path = tmp_path / "other.safetensors"
    save_file({"tok_embeddings": np.zeros((4, 3), dtype=np.float32)}, str(path))
    out = _inspect(capsys, path)
    assert "not an affine3d MLP" in out and "tok_embeddings" in out and "parameters: 12" in out


def test_inspect_bad_file_is_one_line_and_exit_2(tmp_path, capsys):
    """A corrupted file: exit code 2 and one line on stderr naming the file, no traceback."""
    path = tmp_path / "broken.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all")
    assert main(["inspect", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "broken.safetensors" in err and "Traceback" not in err
    assert main(["inspect", str(tmp_path / "missing.onnx")]) == 2
