"""Model files: round trips, onnxruntime on the same files, hand-built ONNX graphs, broken and hostile files."""

import json
import struct
import sys
import zipfile

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from affine3d import ModelError
from affine3d.nn import files as mf
from affine3d.nn.inspect import describe
from affine3d.nn.mlp import MLP

SPECS = ["relu", {"name": "leaky_relu", "alpha": 0.2}, "sigmoid", "tanh", "softmax"]


def _net(seed=0, specs=SPECS, sizes=(3, 8, 6, 5, 4, 3)):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) for o in sizes[1:]]
    return MLP.from_arrays(weights, biases, specs, metadata={"task": "test", "classes": ["a", "b", "c"]})


def _ort(path_or_bytes, X, name=None):
    session = ort.InferenceSession(str(path_or_bytes) if not isinstance(path_or_bytes, bytes) else path_or_bytes,
                                   providers=["CPUExecutionProvider"])
    return session.run(None, {name or session.get_inputs()[0].name: X})[0]


# ---------------------------------------------------------------------- round trips
@pytest.mark.parametrize("suffix", [".safetensors", ".npz"])
def test_round_trip_float64_is_exact(tmp_path, suffix):
    """Saving as float64 and loading gives back the same weights, activations and metadata."""
    net = _net()
    path = tmp_path / f"model{suffix}"
    net.save(path, dtype="float64")
    back = MLP.load(path)
    assert back.allclose(net, atol=0)
    assert back.metadata == net.metadata


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_round_trip_float32(tmp_path, suffix):
    """The default float32 files give the weights rounded to float32, and the same activations."""
    net = _net()
    path = tmp_path / f"model{suffix}"
    net.save(path)
    back = MLP.load(path)
    assert [l.activation for l in back.layers] == [l.activation for l in net.layers]
    for a, b in zip(back.layers, net.layers):
        np.testing.assert_array_equal(a.W, b.W.astype(np.float32).astype(np.float64))
        np.testing.assert_array_equal(a.b, b.b.astype(np.float32).astype(np.float64))
    assert back.metadata == net.metadata


def test_onnxruntime_runs_our_export(tmp_path):
    """onnxruntime on our .onnx file gives what our network computes, for every activation."""
    net = _net()
    path = tmp_path / "model.onnx"
    net.to_onnx(path)
    X = np.random.default_rng(1).normal(size=(32, 3)).astype(np.float32)
    np.testing.assert_allclose(_ort(path, X, "input"), net(X), rtol=1e-5, atol=1e-6)


def test_export_is_one_gemm_per_layer_with_explicit_versions(tmp_path):
    """The .onnx holds Gemm(x, W, b, transB=1) per layer, W of shape (out, in), IR and opset as declared."""
    net = _net(specs=["relu", "identity", "tanh", "identity", "identity"])
    path = tmp_path / "model.onnx"
    net.to_onnx(path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert model.ir_version == mf.ONNX_IR_VERSION
    assert [(o.domain, o.version) for o in model.opset_import] == [("", mf.ONNX_OPSET)]
    gemms = [n for n in model.graph.node if n.op_type == "Gemm"]
    assert len(gemms) == 5
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    for i, (node, layer) in enumerate(zip(gemms, net.layers), start=1):
        assert {a.name: helper.get_attribute_value(a) for a in node.attribute} == {"transB": 1}
        np.testing.assert_array_equal(inits[node.input[1]], layer.W.astype(np.float32))
        np.testing.assert_array_equal(inits[node.input[2]], layer.b.astype(np.float32))
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm", "Gemm", "Tanh", "Gemm", "Gemm"]


# ---------------------------------------------------------------------- hand-built ONNX graphs
def _model(nodes, initializers, n_in, n_out, opset=17, ir=9, out_name="y"):
    graph = helper.make_graph(
        nodes, "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", n_in])],
        [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, ["N", n_out])],
        [numpy_helper.from_array(np.asarray(v, dtype=np.float32), k) for k, v in initializers.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = ir
    return model


def _check_against_ort(tmp_path, model, n_in):
    path = tmp_path / "hand.onnx"
    onnx.save(model, str(path))
    net = MLP.from_onnx(path)
    X = np.random.default_rng(2).normal(size=(11, n_in)).astype(np.float32)
    np.testing.assert_allclose(net(X), _ort(path, X), rtol=1e-5, atol=1e-5)
    return net


def test_gemm_alpha_beta_and_untransposed_weight(tmp_path):
    """Gemm with alpha, beta and transB=0 (W stored (in, out)) gives onnxruntime's answer."""
    rng = np.random.default_rng(3)
    inits = {"W": rng.normal(size=(3, 4)), "C": rng.normal(size=(4,)), "W2": rng.normal(size=(2, 4)), "C2": rng.normal(size=(1, 2))}
    nodes = [
        helper.make_node("Gemm", ["x", "W", "C"], ["h"], name="g1", alpha=0.5, beta=2.0),
        helper.make_node("LeakyRelu", ["h"], ["a"], name="lr", alpha=0.3),
        helper.make_node("Gemm", ["a", "W2", "C2"], ["y"], name="g2", transB=1, beta=-1.0),
    ]
    net = _check_against_ort(tmp_path, _model(nodes, inits, 3, 2), 3)
    assert net.sizes == [3, 4, 2]
    assert net.layers[0].activation.alpha == pytest.approx(0.3)


def test_gemm_weight_first_and_transA_batch_along_columns(tmp_path):
    """Gemm(W, x, transB=1) makes the batch run along columns; Gemm(h, W2, transA=1) turns it back."""
    rng = np.random.default_rng(4)
    inits = {"W": rng.normal(size=(5, 3)), "C": rng.normal(size=(5, 1)), "W2": rng.normal(size=(5, 2)), "C2": rng.normal(size=(2,))}
    nodes = [
        helper.make_node("Gemm", ["W", "x", "C"], ["h"], name="g1", transB=1),       # (5, N)
        helper.make_node("Tanh", ["h"], ["a"], name="t"),
        helper.make_node("Gemm", ["a", "W2", "C2"], ["y"], name="g2", transA=1),      # (N, 2)
    ]
    net = _check_against_ort(tmp_path, _model(nodes, inits, 3, 2), 3)
    assert net.sizes == [3, 5, 2]


def test_gemm_transA_on_a_weight(tmp_path):
    """Gemm(Wt, x, transA=1, transB=1): the weight is stored (in, out) and transposed by the node."""
    rng = np.random.default_rng(5)
    inits = {"Wt": rng.normal(size=(3, 4)), "W2": rng.normal(size=(4, 4))}
    nodes = [
        helper.make_node("Gemm", ["Wt", "x"], ["h"], name="g1", transA=1, transB=1, alpha=1.5),   # (4, N)
        helper.make_node("Relu", ["h"], ["a"], name="r"),
        helper.make_node("Gemm", ["a", "W2"], ["y"], name="g2", transA=1),                        # (N, 4)
    ]
    _check_against_ort(tmp_path, _model(nodes, inits, 3, 4, opset=13), 3)


def test_matmul_add_identity_softmax(tmp_path):
    """MatMul + Add (either order), Identity and Softmax(axis=1) load as layers matching onnxruntime."""
    rng = np.random.default_rng(6)
    inits = {"W": rng.normal(size=(3, 6)), "b": rng.normal(size=(6,)), "W2": rng.normal(size=(6, 4)), "b2": rng.normal(size=(1, 4))}
    nodes = [
        helper.make_node("MatMul", ["x", "W"], ["m"], name="mm1"),
        helper.make_node("Add", ["b", "m"], ["h"], name="add1"),
        helper.make_node("Sigmoid", ["h"], ["a"], name="s"),
        helper.make_node("Identity", ["a"], ["a2"], name="id"),
        helper.make_node("MatMul", ["a2", "W2"], ["m2"], name="mm2"),
        helper.make_node("Add", ["m2", "b2"], ["z"], name="add2"),
        helper.make_node("Softmax", ["z"], ["y"], name="sm", axis=1),
    ]
    net = _check_against_ort(tmp_path, _model(nodes, inits, 3, 4), 3)
    assert [l.activation.name for l in net.layers] == ["sigmoid", "softmax"]
    np.testing.assert_allclose(net.layers[0].W, inits["W"].astype(np.float32).T)


def test_linear_onnx_graph_collapses(tmp_path):
    """Gemm, Add, Gemm without activations load as one layer (consecutive affine maps compose)."""
    rng = np.random.default_rng(7)
    inits = {"W": rng.normal(size=(4, 3)), "c": rng.normal(size=(4,)), "W2": rng.normal(size=(2, 4))}
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["h"], name="g1", transB=1),
        helper.make_node("Add", ["h", "c"], ["h2"], name="a"),
        helper.make_node("Gemm", ["h2", "W2"], ["y"], name="g2", transB=1),
    ]
    net = _check_against_ort(tmp_path, _model(nodes, inits, 3, 2), 3)
    assert len(net.layers) == 1 and net.sizes == [3, 2]


def test_unsupported_operator_named(tmp_path):
    """An operator outside the list is refused with its type and its node's name."""
    rng = np.random.default_rng(8)
    inits = {"W": rng.normal(size=(4, 3))}
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["h"], name="g1", transB=1),
        helper.make_node("Elu", ["h"], ["y"], name="my_elu"),
    ]
    path = tmp_path / "elu.onnx"
    onnx.save(_model(nodes, inits, 3, 4), str(path))
    with pytest.raises(ModelError, match=r"node 'my_elu' \(Elu\): operator Elu is not supported"):
        MLP.from_onnx(path)


def test_branching_graph_refused(tmp_path):
    """A residual connection (Add of two running tensors) is not a chain of layers: ModelError."""
    rng = np.random.default_rng(9)
    inits = {"W": rng.normal(size=(3, 3))}
    nodes = [
        helper.make_node("Gemm", ["x", "W"], ["h"], name="g1", transB=1),
        helper.make_node("Add", ["h", "x"], ["y"], name="residual"),
    ]
    path = tmp_path / "res.onnx"
    onnx.save(_model(nodes, inits, 3, 3), str(path))
    with pytest.raises(ModelError, match=r"node 'residual' \(Add\).*chain"):
        MLP.from_onnx(path)


def test_softmax_over_batch_refused(tmp_path):
    """Softmax along axis 0 (across the batch) is refused."""
    nodes = [helper.make_node("Softmax", ["x"], ["y"], name="sm0", axis=0)]
    path = tmp_path / "sm.onnx"
    onnx.save(_model(nodes, {}, 3, 3), str(path))
    with pytest.raises(ModelError, match=r"sm0.*axis 0"):
        MLP.from_onnx(path)


@pytest.mark.parametrize("ir, opset", [(mf.MAX_ONNX_IR_VERSION + 1, 17), (9, mf.MAX_ONNX_OPSET + 1)])
def test_newer_onnx_refused_naming_both_versions(tmp_path, ir, opset):
    """A file newer than supported: the message names its IR version and opset and the supported ones."""
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="r")]
    path = tmp_path / "new.onnx"
    onnx.save(_model(nodes, {}, 3, 3, opset=opset, ir=ir), str(path))
    with pytest.raises(ModelError) as info:
        MLP.from_onnx(path)
    message = str(info.value)
    assert f"IR version {ir}" in message and f"opset {opset}" in message
    assert f"IR version <= {mf.MAX_ONNX_IR_VERSION}" in message and f"opset <= {mf.MAX_ONNX_OPSET}" in message


def test_onnx_optional_at_run_time(tmp_path, monkeypatch):
    """Without the onnx package, ONNX files give a ModelError with the pip command, not an ImportError."""
    path = tmp_path / "m.onnx"
    _net().to_onnx(path)
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ModelError, match=r"pip install 'affine3d\[onnx\]'"):
        MLP.from_onnx(path)
    with pytest.raises(ModelError, match=r"pip install"):
        _net().to_onnx(tmp_path / "other.onnx")


# ---------------------------------------------------------------------- broken and hostile files
@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_truncated_files_are_model_errors(tmp_path, suffix):
    """Every truncation of a valid file gives a ModelError, never another exception or a wrong network.

    (A protobuf cut exactly between two fields is still a valid message: then only trailing fields
    are missing and the network that loads must be the saved one.)
    """
    net = _net()
    good = tmp_path / f"good{suffix}"
    net.save(good)
    expected = MLP.load(good)
    data = good.read_bytes()
    cuts = sorted(set(list(range(0, 64)) + list(range(64, len(data), max(1, len(data) // 60))) + [len(data) - 1]))
    for cut in cuts:
        bad = tmp_path / f"cut{suffix}"
        bad.write_bytes(data[:cut])
        try:
            describe(bad)
        except ModelError:
            pass
        try:
            loaded = MLP.load(bad)
        except ModelError:
            continue
        assert suffix == ".onnx" and loaded.allclose(expected, atol=0), f"cut at {cut} of {len(data)} loaded"


@pytest.mark.parametrize("suffix", [".safetensors", ".npz", ".onnx"])
def test_corrupted_bytes_never_crash(tmp_path, suffix):
    """Random byte flips give a ModelError or a network (if the damage hit only weights), nothing else; inspect too."""
    good = tmp_path / f"good{suffix}"
    _net().save(good)
    data = bytearray(good.read_bytes())
    rng = np.random.default_rng(10)
    for trial in range(60):
        damaged = bytearray(data)
        for pos in rng.integers(0, len(data), size=3):
            damaged[pos] = int(rng.integers(0, 256))
        bad = tmp_path / f"bad{suffix}"
        bad.write_bytes(bytes(damaged))
        for reader in (MLP.load, describe):
            try:
                reader(bad)
            except ModelError:
                pass


def _safetensors_bytes(header: dict, data: bytes) -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + data


def _valid_header():
    arch = {"format": "affine3d.mlp", "version": 1,
            "layers": [{"weight": "layer1.weight", "bias": "layer1.bias", "activation": {"name": "relu"}}], "metadata": {}}
    header = {
        "__metadata__": {"affine3d": json.dumps(arch)},
        "layer1.weight": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]},
        "layer1.bias": {"dtype": "F32", "shape": [2], "data_offsets": [24, 32]},
    }
    data = np.arange(6, dtype="<f4").tobytes() + np.array([1, 2], dtype="<f4").tobytes()
    return header, data


def test_crafted_safetensors_loads(tmp_path):
    """A hand-made header (written here byte by byte) loads: the format is what we think it is."""
    header, data = _valid_header()
    path = tmp_path / "ok.safetensors"
    path.write_bytes(_safetensors_bytes(header, data))
    net = MLP.load(path)
    np.testing.assert_array_equal(net.layers[0].W, np.arange(6).reshape(2, 3))
    np.testing.assert_array_equal(net(np.array([1.0, 0.0, 0.0])), [1.0, 5.0])


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda h: h["layer1.weight"].update(shape=[3, 3]), r"says shape \(3, 3\) F32 \(36 bytes\) but gives it bytes \[0, 24\)"),
        (lambda h: h["layer1.weight"].update(shape=[3, 3], data_offsets=[0, 36]), r"past the end|overlap"),
        (lambda h: h["layer1.bias"].update(data_offsets=[24, 4000]), r"layer1.bias"),
        (lambda h: h["layer1.bias"].update(data_offsets=[16, 24]), r"overlap"),
        (lambda h: h["layer1.bias"].update(dtype="Q99"), r"unknown dtype 'Q99'"),
        (lambda h: h["layer1.bias"].update(shape=[-2]), r"non-negative"),
        (lambda h: h["layer1.bias"].update(dtype="I32"), r"dtype I32"),
        (lambda h: h["__metadata__"].update(affine3d="{not json"), r"not valid JSON"),
        (lambda h: h["__metadata__"].pop("affine3d"), r"no 'affine3d' entry names the architecture.*stores no activations"),
        (lambda h: h["__metadata__"].update(affine3d=json.dumps({"format": "affine3d.mlp", "version": 1, "layers": [
            {"weight": "layer1.weight", "bias": "layer1.bias", "activation": "gelu"}]})), r"layer 1: .*unknown 'gelu'"),
        (lambda h: h["__metadata__"].update(affine3d=json.dumps({"format": "affine3d.mlp", "version": 1, "layers": [
            {"weight": "layer1.weight", "bias": "nope", "activation": "relu"}]})), r"tensor 'nope' is missing"),
        (lambda h: h["__metadata__"].update(affine3d=json.dumps({"format": "affine3d.mlp", "version": 99, "layers": []})), r"newer"),
    ],
)
def test_lying_safetensors_headers(tmp_path, change, message):
    """Headers whose shapes, offsets, dtypes or architecture do not match the bytes: ModelError saying what."""
    header, data = _valid_header()
    change(header)
    path = tmp_path / "lie.safetensors"
    path.write_bytes(_safetensors_bytes(header, data))
    with pytest.raises(ModelError, match=message):
        MLP.load(path)


def test_safetensors_header_length_lies(tmp_path):
    """A header length larger than the file, or a header that is not JSON: ModelError."""
    path = tmp_path / "x.safetensors"
    path.write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(ModelError, match="header length says"):
        MLP.load(path)
    path.write_bytes(struct.pack("<Q", 4) + b"\xff\xfe{}")
    with pytest.raises(ModelError, match="not valid JSON"):
        MLP.load(path)
    path.write_bytes(b"\x01\x02")
    with pytest.raises(ModelError, match="truncated"):
        MLP.load(path)


def test_non_finite_weights_in_file(tmp_path):
    """A NaN weight stored in a file: ModelError naming the file and the layer."""
    header, data = _valid_header()
    data = np.array([0, 1, np.nan, 3, 4, 5], dtype="<f4").tobytes() + data[24:]
    path = tmp_path / "nan.safetensors"
    path.write_bytes(_safetensors_bytes(header, data))
    with pytest.raises(ModelError, match=r"nan.safetensors: layer 1: W1 .*non-finite"):
        MLP.load(path)


class _Boom:
    """Pickling this would create a file when unpickled: the proof that nothing was unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_pickle_in_npz_is_refused_without_running_it(tmp_path):
    """An object array in an .npz is a ModelError, and the pickle inside never runs."""
    marker = tmp_path / "pwned"
    net = _net()
    path = tmp_path / "evil.npz"
    net.save(path)
    with zipfile.ZipFile(path, "a") as z:
        with z.open("extra.npy", "w") as f:
            np.lib.format.write_array(f, np.array([_Boom(marker)], dtype=object), allow_pickle=True)
    with pytest.raises(ModelError, match=r"'extra' holds Python objects.*refused"):
        MLP.load(path)
    assert not marker.exists()
    # the architecture entry itself replaced by an object array
    path2 = tmp_path / "evil2.npz"
    np.savez(path2, affine3d=np.array([_Boom(marker)], dtype=object), **{"layer1.weight": np.ones((2, 2)), "layer1.bias": np.ones(2)})
    with pytest.raises(ModelError, match="Python objects"):
        MLP.load(path2)
    assert not marker.exists()


def test_plain_pickle_named_npz_is_refused(tmp_path):
    """A pickle file with an .npz name is refused before anything is unpickled."""
    import pickle

    marker = tmp_path / "pwned"
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(_Boom(marker)))
    with pytest.raises(ModelError, match="pickle"):
        MLP.load(path)
    assert not marker.exists()


def test_npz_member_header_lies(tmp_path):
    """An .npy member whose header claims more elements than it holds: ModelError, no huge allocation."""
    path = tmp_path / "lie.npz"
    _net().save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    raw = members["layer1.weight.npy"]
    members["layer1.weight.npy"] = raw.replace(b"(8, 3)", b"(9, 3)")  # same header length, one more row claimed
    with zipfile.ZipFile(path, "w") as z:
        for n, b in members.items():
            z.writestr(n, b)
    with pytest.raises(ModelError, match=r"layer1.weight.npy.*says shape \(9, 3\)"):
        MLP.load(path)


def test_unknown_suffix_and_missing_file(tmp_path):
    """An unknown suffix is a ModelError listing the known ones; a missing file is a ModelError naming it."""
    with pytest.raises(ModelError, match=r"\.safetensors, \.npz, \.onnx"):
        MLP.load(tmp_path / "model.pt")
    for suffix in (".safetensors", ".npz", ".onnx"):
        with pytest.raises(ModelError, match=rf"absent{suffix}: model file not found"):
            MLP.load(tmp_path / f"absent{suffix}")


def test_metadata_must_be_json(tmp_path):
    """Metadata that JSON cannot hold is refused when saving."""
    net = MLP.from_arrays([np.eye(2)], metadata={"f": object()})
    with pytest.raises(ModelError, match="metadata"):
        net.save(tmp_path / "m.safetensors")


# ---------------------------------------------------------------------- describe (affine3d inspect)
def test_describe_safetensors_offsets_point_at_the_tensors(tmp_path):
    """The byte ranges reported for each tensor hold exactly that tensor's little-endian values."""
    net = _net()
    path = tmp_path / "m.safetensors"
    net.save(path)
    info = describe(path)
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    assert len(info["tensors"]) == 2 * len(net.layers)
    for t in info["tensors"]:
        begin, end = t["begin"], t["end"]
        assert (begin - 8 - length, end - 8 - length) == tuple(header[t["name"]]["data_offsets"])
        values = np.frombuffer(data[begin:end], dtype="<f4").reshape(t["shape"])
        i = int(t["name"].split(".")[0][5:])
        expected = net.layers[i - 1].W if t["name"].endswith("weight") else net.layers[i - 1].b
        np.testing.assert_array_equal(values, expected.astype(np.float32))
    assert info["parameters"] == sum(l.W.size + l.b.size for l in net.layers)
    assert info["metadata"]["affine3d"]["metadata"] == net.metadata


def test_describe_npz_offsets_point_at_the_tensors(tmp_path):
    """For an uncompressed .npz the reported byte ranges hold each array's raw bytes."""
    net = _net()
    path = tmp_path / "m.npz"
    net.save(path)
    info = describe(path)
    data = path.read_bytes()
    for t in info["tensors"]:
        i = int(t["name"].split(".")[0][5:])
        expected = net.layers[i - 1].W if t["name"].endswith("weight") else net.layers[i - 1].b
        np.testing.assert_array_equal(np.frombuffer(data[t["begin"] : t["end"]], dtype="<f4").reshape(t["shape"]),
                                      expected.astype(np.float32))


def test_describe_foreign_files(tmp_path):
    """Files that are not affine3d MLPs are still described, with the reason they do not load."""
    from safetensors.numpy import save_file

    path = tmp_path / "foreign.safetensors"
    save_file({"embeddings": np.zeros((10, 4), dtype=np.float32)}, str(path), metadata={"format": "pt"})
    info = describe(path)
    assert info["mlp"] is None and "not an nn.Linear weight" in info["mlp_error"]
    assert info["parameters"] == 40 and info["metadata"] == {"format": "pt"}


def test_safetensors_file_gets_the_ordinary_permissions(tmp_path):
    """A saved .safetensors is created like any other file (mode 0666 less the umask), so it can be shared."""
    import os

    from affine3d import MLP

    mask = os.umask(0o022)
    try:
        path = tmp_path / "m.safetensors"
        MLP.random([3, 4, 3], seed=0).save(path)
        other = tmp_path / "plain.bin"
        other.write_bytes(b"x")
    finally:
        os.umask(mask)
    assert (path.stat().st_mode & 0o777) == (other.stat().st_mode & 0o777) == 0o644
    assert MLP.load(path).allclose(MLP.random([3, 4, 3], seed=0), atol=1e-6)
