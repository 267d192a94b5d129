"""MLP: forward pass against a hand-written numpy loop, trace, collapse, errors, buffers."""

import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d import Affine, ModelError, _fast
from affine3d.nn.mlp import MLP, Layer

ACTIVATIONS = ["identity", "relu", {"name": "leaky_relu", "alpha": 0.1}, "sigmoid", "tanh", "softmax"]


def _reference(weights, biases, names, X):
    """The forward pass written out longhand in float64, independent of affine3d."""
    a = np.asarray(X, dtype=np.float64)
    for W, b, name in zip(weights, biases, names):
        z = a @ np.asarray(W).T + b
        if name == "relu":
            a = np.maximum(z, 0)
        elif name == "leaky_relu":
            a = np.where(z >= 0, z, 0.1 * z)
        elif name == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif name == "tanh":
            a = np.tanh(z)
        elif name == "softmax":
            e = np.exp(z - z.max(axis=-1, keepdims=True))
            a = e / e.sum(axis=-1, keepdims=True)
        else:
            a = z
    return a


def _random_net(sizes, names, seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) for o in sizes[1:]]
    specs = [{"name": "leaky_relu", "alpha": 0.1} if n == "leaky_relu" else n for n in names]
    return MLP.from_arrays(weights, biases, specs), weights, biases


@pytest.mark.parametrize("rows", [1, 7, 1500])  # 1500 > 1024: the tiled bias path for short rows
def test_forward_matches_longhand_numpy(rows):
    """mlp(X) equals the forward pass written out by hand, for every activation."""
    names = ["relu", "leaky_relu", "sigmoid", "tanh", "identity", "softmax"]
    net, Ws, bs = _random_net([3, 8, 20, 5, 4, 17, 3], names)
    X = np.random.default_rng(1).normal(size=(rows, 3))
    np.testing.assert_allclose(net(X), _reference(Ws, bs, names, X), rtol=1e-12, atol=1e-12)


def test_float32_stays_float32_and_close_to_float64():
    """float32 in gives float32 out, within float32 rounding of the float64 answer."""
    net, Ws, bs = _random_net([4, 16, 16, 2], ["tanh", "relu", "identity"])
    X = np.random.default_rng(2).normal(size=(50, 4))
    y32 = net(X.astype(np.float32))
    assert y32.dtype == np.float32
    np.testing.assert_allclose(y32, _reference(Ws, bs, ["tanh", "relu", "identity"], X), rtol=1e-4, atol=1e-5)


def test_integers_become_float64_and_float16_is_kept():
    """Integer input gives float64; float16 input gives float16 (through the slow path)."""
    net, Ws, bs = _random_net([2, 3, 1], ["relu", "identity"])
    assert net(np.array([[1, 2]])).dtype == np.float64
    y16 = net(np.array([[1, 2]], dtype=np.float16))
    assert y16.dtype == np.float16
    np.testing.assert_allclose(y16, _reference(Ws, bs, ["relu", "identity"], [[1, 2]]), rtol=1e-2, atol=1e-2)


def test_single_point_equals_batch_row_by_row():
    """A batch gives the same rows as its points one at a time; (n,) in gives (out,) out."""
    net, _, _ = _random_net([3, 5, 2], ["sigmoid", "softmax"])
    X = np.random.default_rng(3).normal(size=(6, 3))
    one_by_one = np.stack([net(x) for x in X])
    assert net(X[0]).shape == (2,)
    np.testing.assert_allclose(net(X), one_by_one, rtol=1e-14)


def test_inputs_of_rank_3_are_refused():
    """An MLP takes (in,) or (N, in), as its docstring says: a (2, 5, 3) array is refused, not computed along its last axis."""
    net, _, _ = _random_net([3, 4, 2], ["relu", "identity"])
    X = np.random.default_rng(4).normal(size=(2, 5, 3))
    with pytest.raises(ModelError, match=r"expected shape \(3,\) or \(N, 3\).*got \(2, 5, 3\)"):
        net(X)
    np.testing.assert_allclose(net(X.reshape(-1, 3)).reshape(2, 5, 2)[1], net(X[1]))


def test_a_layer_is_the_affine_object():
    """The layer holds the very Affine passed in; a one-layer identity network is that Affine."""
    F = Affine.rotation_z(0.3) @ Affine.translation([1, 2, 3])
    net = MLP([F])
    assert net.layers[0].affine is F
    assert net.layers[0].W is F.A and net.layers[0].b is F.b
    X = np.random.default_rng(5).normal(size=(10, 3))
    np.testing.assert_allclose(net(X), F(X), rtol=1e-15)


def test_lecture_neuron_formulas():
    """y_i = σ(Σ_j w_ij x_j + b_i), written per neuron, equals the layer σ(W x + b)."""
    W = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-1.0, 1.0, 0.5]])
    b = np.array([0.1, -0.2, 0.3])
    x = np.array([1.0, 2.0, -1.0])
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    by_hand = [sig(W[i, 0] * x[0] + W[i, 1] * x[1] + W[i, 2] * x[2] + b[i]) for i in range(3)]
    np.testing.assert_allclose(MLP.from_arrays([W], [b], "sigmoid")(x), by_hand, rtol=1e-15)


def test_results_are_not_scratch_buffers():
    """Each call returns a new array: a later call does not overwrite an earlier result."""
    net, _, _ = _random_net([2, 4, 3], ["relu", "identity"])
    X1, X2 = np.ones((5, 2)), -np.ones((5, 2))
    y1 = net(X1)
    copy = y1.copy()
    net(X2)
    np.testing.assert_array_equal(y1, copy)


def test_out_argument():
    """out= receives the result (contiguous or a strided view); a wrong shape is a ModelError."""
    net, _, _ = _random_net([2, 4, 3], ["tanh", "identity"])
    X = np.random.default_rng(6).normal(size=(5, 2))
    out = np.empty((5, 3))
    assert net(X, out=out) is out
    np.testing.assert_allclose(out, net(X))
    wide = np.zeros((5, 6))
    net(X, out=wide[:, ::2])
    np.testing.assert_allclose(wide[:, ::2], net(X))
    with pytest.raises(ModelError, match=r"out: expected shape \(5, 3\)"):
        net(X, out=np.empty((5, 4)))
    with pytest.raises(ModelError, match="float64"):
        net(X, out=np.empty((5, 3), dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("last", ["identity", "relu", "softmax"])
def test_out_gets_the_same_bits_as_a_new_result(dtype, last):
    """The last layer writes into a contiguous out, a strided or Fortran-ordered out gets a copy: every way, the
    same bits as ``net(X)``, for (N, in) and (in,) (a 40-wide layer keeps W.T contiguous, the others a view)."""
    net, _, _ = _random_net([3, 40, 5, 3], ["relu", "tanh", last])
    X = np.random.default_rng(11).normal(size=(7, 3)).astype(dtype)
    for x in (X, X[0], X[:1]):
        expected = net(x)
        shape = expected.shape
        wide = np.zeros(shape[:-1] + (2 * shape[-1],), dtype)
        for out in (np.empty(shape, dtype), wide[..., ::2], np.empty(shape, dtype, order="F")):
            assert net(x, out=out) is out
            assert out.tobytes() == expected.tobytes()
        assert not wide[..., 1::2].any()  # the columns between stay untouched


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_row_batch_runs_as_its_vector(dtype):
    """A (1, in) batch (run as the vector (in,)) gives a new (1, out) array of its own, the bits of net(x) for the
    point, and the first row of a longer batch up to rounding."""
    net, _, _ = _random_net([5, 40, 6, 3], ["relu", "sigmoid", "softmax"])
    X = np.random.default_rng(13).normal(size=(4, 5)).astype(dtype)
    y = net(X[:1])
    assert y.shape == (1, 3) and y.dtype == dtype and y.flags.owndata and y.flags.c_contiguous
    assert y.tobytes() == net(X[0]).tobytes()
    np.testing.assert_allclose(y[0], net(X)[0], rtol=1e-5 if dtype == np.float32 else 1e-13)


def test_out_may_be_the_input():
    """net(X, out=X) (in = out) gives what net(X) gives, one layer (the product reads X as it writes) or three."""
    for sizes in ([3, 3], [3, 8, 40, 3]):
        net, _, _ = _random_net(sizes, ["relu"] * (len(sizes) - 2) + ["identity"])
        for rows in (6, 1):
            X = np.random.default_rng(12).normal(size=(rows, 3))
            expected = net(X)
            assert net(X, out=X) is X
            np.testing.assert_array_equal(X, expected)


def test_input_that_is_not_a_float_array_takes_the_checked_way():
    """Lists, integers, a float32 view with odd strides and an ndarray subclass give what the plain array gives,
    out= included; a list as out is refused."""
    net, _, _ = _random_net([3, 4, 2], ["relu", "identity"])
    X = np.array([[1.0, 2.0, -3.0], [0.5, -1.0, 2.0]])

    class Sub(np.ndarray):
        pass

    expected = net(X)
    for x in (X.tolist(), np.array([[1, 2, -3], [0, -1, 2]]), X.view(Sub)):
        want = net(np.asarray(x, dtype=np.float64))
        np.testing.assert_array_equal(net(x), want)
        out = np.empty((2, 2)).view(Sub)
        assert net(x, out=out) is out
        np.testing.assert_array_equal(out, want)
    np.testing.assert_array_equal(net(X.view(Sub)), expected)
    strided = np.asfortranarray(X.astype(np.float32))[:, ::1]
    np.testing.assert_array_equal(net(strided), net(np.ascontiguousarray(strided)))
    with pytest.raises(ModelError, match=r"out: expected shape \(2, 2\)"):
        net(X, out=[[0.0, 0.0], [0.0, 0.0]])


def test_threads_do_not_share_scratch_buffers(monkeypatch):
    """Two threads running one network on different inputs each get their own right answer (the fast path's buffers)."""
    monkeypatch.setattr(_fast, "MIN_ROWS", 100)
    net, Ws, bs = _random_net([3, 64, 64, 3], ["relu", "relu", "identity"])
    rng = np.random.default_rng(7)
    inputs = [rng.normal(size=(200, 3)) for _ in range(2)]
    expected = [_reference(Ws, bs, ["relu", "relu", "identity"], X) for X in inputs]
    failures = []

    def work(k):
        for _ in range(30):
            if not np.allclose(net(inputs[k]), expected[k]):
                failures.append(k)
                return

    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_trace_names_and_values():
    """trace() lists x, then z_i = W_i a_(i-1) + b_i and a_i = σ(z_i) per layer, with the right values."""
    net, Ws, bs = _random_net([3, 4, 2], ["relu", "softmax"])
    X = np.random.default_rng(8).normal(size=(5, 3))
    steps = net.trace(X)
    assert [s.name for s in steps] == ["x", "z1 = W1 x + b1", "a1 = relu(z1)", "z2 = W2 a1 + b2", "y = softmax(z2)"]
    assert [s.kind for s in steps] == ["input", "affine", "activation", "affine", "activation"]
    assert [s.layer for s in steps] == [0, 1, 1, 2, 2]
    z1 = X @ Ws[0].T + bs[0]
    np.testing.assert_allclose(steps[1].value, z1)
    np.testing.assert_allclose(steps[2].value, np.maximum(z1, 0))
    np.testing.assert_allclose(steps[3].value, np.maximum(z1, 0) @ Ws[1].T + bs[1])
    np.testing.assert_allclose(steps[-1].value, net(X))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=6), st.integers(0, 2**32 - 1))
def test_deep_linear_network_equals_its_collapse(sizes, seed):
    """Property: with identity activations, the network and its one-Affine collapse agree on random input."""
    net, Ws, bs = _random_net(sizes, ["identity"] * (len(sizes) - 1), seed)
    F = net.collapse()
    assert isinstance(F, Affine) and F.A.shape == (sizes[-1], sizes[0])
    X = np.random.default_rng(seed).normal(size=(9, sizes[0]))
    np.testing.assert_allclose(F(X), net(X), rtol=1e-9, atol=1e-9)


def test_collapse_is_the_matrix_product():
    """The collapse's homogeneous matrix is the product of the layers' matrices, last layer first."""
    net, Ws, bs = _random_net([3, 3, 3, 3], ["identity"] * 3)
    product = np.eye(4)
    for W, b in zip(Ws, bs):
        M = np.eye(4)
        M[:3, :3], M[:3, 3] = W, b
        product = M @ product
    np.testing.assert_allclose(net.collapse().matrix, product, rtol=1e-12, atol=1e-12)


def test_collapse_refuses_nonlinear_network():
    """A non-linear layer makes collapse() a ModelError naming that layer."""
    net, _, _ = _random_net([2, 3, 3, 1], ["identity", "tanh", "identity"])
    with pytest.raises(ModelError, match=r"layer 2: activation tanh is not linear"):
        net.collapse()


def test_shapes_that_do_not_chain():
    """Layers whose widths do not chain: ModelError with the layer index and both shapes."""
    with pytest.raises(ModelError, match=r"layer 2: W has shape \(2, 5\).*R\^5.*layer 1 returns R\^4.*\(4, 3\)"):
        MLP.from_arrays([np.ones((4, 3)), np.ones((2, 5))])
    with pytest.raises(ModelError, match=r"layer 3"):
        MLP([Affine(np.ones((4, 3))), Affine(np.ones((4, 4))), Affine(np.ones((1, 2)))])


def test_wrong_input_width():
    """An input of the wrong width: ModelError naming the expected width, layer 1's W shape and the input shape."""
    net = MLP.from_arrays([np.ones((4, 3)), np.ones((2, 4))])
    with pytest.raises(ModelError, match=r"expected shape \(3,\) or \(N, 3\).*\(4, 3\).*got \(10, 5\)"):
        net(np.ones((10, 5)))
    with pytest.raises(ModelError, match="input"):
        net.trace(np.ones(4))
    with pytest.raises(ModelError, match="dtype"):
        net(np.array(["a", "b", "c"]))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_weights(bad):
    """A NaN or infinite weight or bias: ModelError naming the layer, the tensor, its shape and the index."""
    W2 = np.ones((2, 4))
    W2[1, 3] = bad
    with pytest.raises(ModelError, match=r"layer 2: W2 \(shape \(2, 4\)\) has a non-finite entry .* at index \(1, 3\)"):
        MLP.from_arrays([np.ones((4, 3)), W2])
    b1 = np.zeros(4)
    b1[2] = bad
    with pytest.raises(ModelError, match=r"layer 1: b1"):
        MLP.from_arrays([np.ones((4, 3)), np.ones((2, 4))], [b1, np.zeros(2)])


def test_unknown_activation_names_layer():
    """An unknown activation in layer 2: ModelError with 'layer 2' and the name."""
    with pytest.raises(ModelError, match=r"layer 2: .*unknown 'swish'"):
        MLP.from_arrays([np.ones((4, 3)), np.ones((2, 4))], activations=["relu", "swish"])


def test_bias_shape_and_counts():
    """A bias of the wrong length is refused; sizes and n_parameters count W and b."""
    with pytest.raises(ModelError, match=r"layer 1: b must have shape \(4,\)"):
        MLP.from_arrays([np.ones((4, 3))], [np.ones(3)])
    net = MLP.random([784, 256, 256, 10])
    assert net.sizes == [784, 256, 256, 10]
    assert net.n_parameters == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10


def test_random_is_reproducible():
    """The same seed gives the same network; another seed another one."""
    a, b, c = MLP.random([3, 5, 2], seed=4), MLP.random([3, 5, 2], seed=4), MLP.random([3, 5, 2], seed=5)
    assert a.allclose(b, atol=0) and not a.allclose(c)


def test_layer_callable():
    """A Layer applied on its own computes σ(W x + b)."""
    layer = Layer(Affine([[1.0, -2.0]], [0.5]), MLP.from_arrays([[[1.0]]], activations="relu").layers[0].activation)
    np.testing.assert_allclose(layer(np.array([[1.0, 1.0], [3.0, 0.0]])), [[0.0], [3.5]])


def test_large_batches_in_blocks_match_longhand(monkeypatch):
    """Fast-path batches larger than the block size (wide hidden layers), with a partial last block, give the right rows."""
    monkeypatch.setattr(_fast, "MIN_ROWS", 1)  # the fast path's block edges, at sizes cheap to check
    names = ["tanh", "relu", "identity"]
    net, Ws, bs = _random_net([3, 600, 700, 5], names)
    rng = np.random.default_rng(9)
    for rows in (1100, 1, 257, 3000):  # block is 256 rows here; the plan is reused and regrown between calls
        X = rng.normal(size=(rows, 3))
        np.testing.assert_allclose(net(X), _reference(Ws, bs, names, X), rtol=1e-10, atol=1e-10)
        X32 = X.astype(np.float32)
        np.testing.assert_allclose(net(X32), _reference(Ws, bs, names, X), rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("rows", [255, 256, 257, 5461, 5462, 9000])
def test_tiled_bias_and_relu_edges(rows, monkeypatch):
    """Row counts just around the fast path's bias/ReLU tile sizes (256 rows of 64, 5461 rows of 3) give the longhand result."""
    monkeypatch.setattr(_fast, "MIN_ROWS", 1)
    names = ["relu", "relu", "identity"]
    net, Ws, bs = _random_net([3, 64, 64, 3], names)
    X = np.random.default_rng(10).normal(size=(rows, 3))
    np.testing.assert_allclose(net(X), _reference(Ws, bs, names, X), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(net(X.astype(np.float32)), _reference(Ws, bs, names, X), rtol=1e-4, atol=1e-4)
