"""Activations against closed forms (math module, element by element), onnxruntime, and finite differences."""

import math

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

from affine3d import ModelError
from affine3d.nn.activations import NAMES, Activation, get, leaky_relu, relu, sigmoid, softmax, tanh

Z = np.array([-1000.0, -40.0, -3.0, -0.5, 0.0, 1e-8, 0.7, 2.0, 40.0, 1000.0])


def _closed_form(name, z, alpha=0.01):
    if name == "identity":
        return z
    if name == "relu":
        return z if z > 0 else 0.0
    if name == "leaky_relu":
        return z if z >= 0 else alpha * z
    if name == "tanh":
        return math.tanh(z)
    # sigmoid, written two ways so neither branch overflows
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


@pytest.mark.parametrize("name", ["identity", "relu", "leaky_relu", "sigmoid", "tanh"])
def test_elementwise_matches_closed_form(name):
    """Each element-wise activation equals its textbook formula, including at |z| = 1000."""
    expected = np.array([_closed_form(name, float(z)) for z in Z])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow warnings leak out
        got = get(name)(Z)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_sigmoid_tails_are_exact_limits():
    """sigmoid(-1000) is 0, sigmoid(1000) is 1, sigmoid(0) is 1/2, without warnings."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        s = sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    assert s.tolist() == [0.0, 0.5, 1.0]


def test_softmax_matches_closed_form_and_is_shift_invariant():
    """softmax(z)_i = e^z_i / sum e^z_j per row; adding a constant to a row changes nothing."""
    rng = np.random.default_rng(0)
    z = rng.normal(0, 3, (5, 4))
    expected = np.array([[math.exp(v) / sum(math.exp(w) for w in row) for v in row] for row in z])
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-12)
    np.testing.assert_allclose(softmax(z + 500.0), expected, rtol=1e-9)
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0)


def test_softmax_does_not_overflow():
    """Huge logits give the one-hot limit, not NaN."""
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        p = softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]], atol=1e-300)


@pytest.mark.parametrize("name", NAMES)
def test_in_place_and_float32(name):
    """out=z works in place (returns z itself) and float32 stays float32."""
    rng = np.random.default_rng(1)
    z = rng.normal(size=(6, 5)).astype(np.float32)
    a = get(name)
    expected = a(z.astype(np.float64))
    same = z.copy()
    result = a(same, out=same)
    assert result is same and result.dtype == np.float32
    np.testing.assert_allclose(result, expected, rtol=1e-5, atol=1e-6)


def _ort_apply(op, z, **attrs):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, list(z.shape))
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, list(z.shape))
    graph = helper.make_graph([helper.make_node(op, ["x"], ["y"], **attrs)], "g", [x], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 9
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"x": z})[0]


@pytest.mark.parametrize(
    "name, op, attrs",
    [("relu", "Relu", {}), ("sigmoid", "Sigmoid", {}), ("tanh", "Tanh", {}),
     ("leaky_relu", "LeakyRelu", {"alpha": 0.2}), ("softmax", "Softmax", {"axis": -1})],
)
def test_matches_onnxruntime(name, op, attrs):
    """Our activation and onnxruntime's operator agree on the same float32 input."""
    z = np.random.default_rng(2).normal(0, 4, (7, 5)).astype(np.float32)
    ours = get(name, **({"alpha": 0.2} if name == "leaky_relu" else {}))(z)
    np.testing.assert_allclose(ours, _ort_apply(op, z, **attrs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0, 2.5, -0.5])
def test_leaky_relu_any_alpha(alpha):
    """leaky_relu follows its definition for alpha below 0, in [0, 1] and above 1."""
    z = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(leaky_relu(z, alpha), np.where(z >= 0, z, alpha * z))


@pytest.mark.parametrize("spec", ["identity", "relu", {"name": "leaky_relu", "alpha": 0.1}, "sigmoid", "tanh", "softmax"])
def test_backward_matches_finite_differences(spec):
    """backward(z, y, g) equals the gradient of <g, σ(z)> by central differences."""
    a = get(spec)
    rng = np.random.default_rng(3)
    z = rng.normal(size=(3, 4)) + 0.05  # keep away from relu's kink at 0
    g = rng.normal(size=(3, 4))
    analytic = a.backward(z, a(z), g)
    numeric = np.zeros_like(z)
    h = 1e-6
    for idx in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[idx] += h
        zm[idx] -= h
        numeric[idx] = (np.sum(g * a(zp)) - np.sum(g * a(zm))) / (2 * h)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_unknown_activation_lists_valid_names():
    """An unknown name raises ModelError naming it and the valid ones."""
    with pytest.raises(ModelError, match=r"unknown 'gelu'.*relu.*softmax"):
        get("gelu")
    with pytest.raises(ModelError, match="unknown"):
        Activation("swish")


def test_bad_parameters():
    """A parameter the activation does not take, or a non-finite alpha, is a ModelError."""
    with pytest.raises(ModelError, match="unexpected parameter"):
        get("relu", alpha=0.1)
    with pytest.raises(ModelError, match="alpha"):
        get("leaky_relu", alpha=float("nan"))


def test_spec_round_trip():
    """to_dict() and get() are inverses (what model files rely on)."""
    for a in (get("relu"), get("leaky_relu", alpha=0.25), get("softmax")):
        assert get(a.to_dict()) == a


def test_out_shape_checked():
    """An out= of the wrong shape or dtype is refused."""
    with pytest.raises(ModelError, match="out"):
        relu(np.zeros(3), out=np.zeros(4))
    with pytest.raises(ModelError, match="out"):
        tanh(np.zeros(3), out=np.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("size", [8, 600, 20_000, 40_001])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_relu_gives_the_bits_of_max_z_0(dtype, size):
    """relu compares with stored zeros of z's type (a 0-d zero, or for big contiguous arrays a run of zeros,
    whole or in runs): the same bits as np.maximum(z, 0), -0.0, NaN and inf included, new, in place or into
    another array, contiguous or strided, in z's dtype; the stored zeros cannot be written to."""
    specials = np.array([-np.inf, -2.5, -0.0, 0.0, 1e-3, 3.0, np.inf, np.nan], dtype=dtype)
    z = np.resize(specials, size) * np.resize(np.array([1, 1, 1, 1, 2, 3], dtype=dtype), size)
    expected = np.maximum(z, 0)
    assert relu(z).dtype == dtype and relu(z).tobytes() == expected.tobytes()
    other = np.empty_like(z)
    assert relu(z, out=other) is other and other.tobytes() == expected.tobytes()
    same = z.copy()
    assert relu(same, out=same) is same and same.tobytes() == expected.tobytes()
    assert relu(z[None, :]).tobytes() == expected.tobytes()
    if size % 8 == 0:
        square = z.reshape(8, -1)
        assert relu(square).tobytes() == np.maximum(square, 0).tobytes()
        assert relu(square.T).tobytes() == np.maximum(square.T, 0).tobytes()            # strided
        assert relu(square[:, ::2]).tobytes() == np.maximum(square[:, ::2], 0).tobytes()
    from affine3d import _fast
    relu(np.ones((64, 64), np.float32))  # at least one shaped view of the zeros kept
    kept = list(_fast._ZERO.values()) + list(_fast._ZERO_RUNS.values()) + list(_fast._ZEROS_SHAPED.values())
    assert len(kept) >= 5 and all(not zero.flags.writeable and not np.any(zero) for zero in kept)
