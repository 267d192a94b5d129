"""affine3d.gl.compute: the MLP on compute shaders equals the CPU forward pass (independent reference: a plain
numpy loop ``a = σ(a @ W.T + b)`` in float64 with the activations written out here)."""

import numpy as np
import pytest

from affine3d.gl import compute as gpu
from affine3d.gl.glsl import ACTIVATION_CODES
from affine3d.nn.activations import NAMES
from affine3d.errors import GLUnavailableError, ModelError
from affine3d.gl.glsl import expand_includes
from affine3d.nn.mlp import MLP
from affine3d.resources import shader_dir

ACTIVATIONS = list(NAMES)  # every activation affine3d knows: a new one is checked on the GPU the day it is added


@pytest.fixture(scope="module")
def ctx():
    from affine3d.gl.context import create_context

    return create_context(require=430)


def reference(net: MLP, X: np.ndarray) -> np.ndarray:
    """The forward pass written out in float64 numpy, independent of affine3d's activations module."""
    a = np.asarray(X, np.float64)
    for layer in net.layers:
        z = a @ layer.affine.A.T + layer.affine.b
        name = layer.activation.name
        if name == "relu":
            a = np.maximum(z, 0)
        elif name == "leaky_relu":
            a = np.where(z >= 0, z, layer.activation.alpha * z)
        elif name == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif name == "tanh":
            a = np.tanh(z)
        elif name == "softmax":
            e = np.exp(z - z.max(axis=1, keepdims=True))
            a = e / e.sum(axis=1, keepdims=True)
        else:
            a = z
    return a


def assert_float32_close(got, expected):
    """Within float32 rounding: max error at most 1e-4 of the largest output (a norm-wise relative error)."""
    assert got.dtype == np.float32
    assert got.shape == expected.shape
    scale = max(np.abs(expected).max(), 1e-30)
    assert np.abs(got - expected).max() <= 1e-4 * scale


def random_mlp(rng, sizes, hidden, output, alpha=0.01) -> MLP:
    weights = [rng.standard_normal((o, i)) / np.sqrt(i) * 1.5 for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.standard_normal(o) * 0.5 for o in sizes[1:]]
    spec = lambda name: {"name": name, "alpha": alpha} if name == "leaky_relu" else name
    acts = [spec(hidden)] * (len(weights) - 1) + [spec(output)]
    return MLP.from_arrays(weights, biases, acts)


def test_every_activation_has_a_shader_code():
    """Each activation name has its code for the shaders (mlp_layer.comp's ACTIVATION, morph.vert's activation)."""
    assert set(ACTIVATION_CODES) == set(NAMES)
    assert len(set(ACTIVATION_CODES.values())) == len(ACTIVATION_CODES)


@pytest.mark.parametrize("weights", ["inline", "buffer"])
def test_every_activation_matches_cpu(ctx, weights):
    """Each activation as hidden and as output layer, widths not multiples of 4: GPU = CPU to float32 rounding."""
    rng = np.random.default_rng(1)
    for k, name in enumerate(ACTIVATIONS):
        hidden = name if name != "softmax" else "tanh"
        net = random_mlp(rng, [5, 7, 6, 3], hidden, name, alpha=0.2)
        X = rng.standard_normal((101, 5)) * 2
        runner = gpu.GPUMLP(ctx, net, weights=weights)
        got = runner(X)
        assert_float32_close(got, reference(net, X))
        assert_float32_close(got, net(X.astype(np.float32)).astype(np.float64).astype(np.float32))
        runner.release()


@pytest.mark.parametrize("weights", ["inline", "buffer"])
def test_random_networks_and_batch_sizes(ctx, weights):
    """Random depths and widths (1 to 19), batches not multiples of the work-group size (nor of 4)."""
    rng = np.random.default_rng(2)
    for trial in range(4):
        depth = int(rng.integers(1, 4))
        sizes = [int(s) for s in rng.integers(1, 20, size=depth + 1)]
        net = random_mlp(rng, sizes, "relu", "identity")
        runner = gpu.GPUMLP(ctx, net, weights=weights, local_size=32)
        for n in (1, 3, 65, 257):
            X = rng.standard_normal((n, sizes[0]))
            assert_float32_close(runner(X), reference(net, X))
        runner.release()


def test_softmax_rows_are_probabilities(ctx):
    """A softmax output layer: each row positive and summing to 1, also for large logits (no overflow)."""
    rng = np.random.default_rng(3)
    net = random_mlp(rng, [4, 9, 5], "relu", "softmax")
    X = rng.standard_normal((50, 4)) * 40  # logits in the hundreds: exp would overflow without the max shift
    for weights in ("inline", "buffer"):
        Y = gpu.GPUMLP(ctx, net, weights=weights)(X)
        assert np.all(np.isfinite(Y)) and np.all(Y >= 0)
        np.testing.assert_allclose(Y.sum(axis=1), 1.0, atol=1e-5)
        assert_float32_close(Y, reference(net, X))


def test_leaky_relu_alpha_reaches_the_shader(ctx):
    """Two leaky_relu slopes give two different outputs, each equal to the CPU's."""
    rng = np.random.default_rng(4)
    X = rng.standard_normal((40, 3))
    outputs = []
    for alpha in (0.01, 0.5):
        net = random_mlp(np.random.default_rng(5), [3, 6, 2], "leaky_relu", "identity", alpha=alpha)
        for weights in ("inline", "buffer"):
            Y = gpu.GPUMLP(ctx, net, weights=weights)(X)
            assert_float32_close(Y, reference(net, X))
        outputs.append(Y)
    assert not np.allclose(outputs[0], outputs[1])


def test_one_point_and_empty_batch(ctx):
    """A single point (in,) gives (out,); an empty batch (0, in) gives (0, out)."""
    net = random_mlp(np.random.default_rng(6), [3, 4, 2], "tanh", "identity")
    runner = gpu.GPUMLP(ctx, net)
    x = np.array([0.3, -1.0, 2.0])
    y = runner(x)
    assert y.shape == (2,)
    assert_float32_close(y, reference(net, x[None])[0])
    assert runner(np.zeros((0, 3))).shape == (0, 2)


def test_batch_grows_and_shrinks(ctx):
    """Buffers grow for a larger batch and are reused for a smaller one; results stay right."""
    net = random_mlp(np.random.default_rng(7), [6, 10, 4], "sigmoid", "identity")
    runner = gpu.GPUMLP(ctx, net, weights="buffer")
    rng = np.random.default_rng(8)
    for n in (10, 1000, 7):
        X = rng.standard_normal((n, 6))
        assert_float32_close(runner(X), reference(net, X))


def test_more_than_65535_work_groups(ctx, monkeypatch):
    """A batch needing more work groups than one dispatch allows is split over several dispatches."""
    monkeypatch.setattr(gpu, "_MAX_GROUPS", 3)  # same code path as 65535 groups, at a test's size
    net = random_mlp(np.random.default_rng(9), [3, 5, 3], "relu", "identity")
    X = np.random.default_rng(10).standard_normal((1000, 3))
    for weights in ("inline", "buffer"):
        assert_float32_close(gpu.GPUMLP(ctx, net, weights=weights, local_size=16)(X), reference(net, X))


def test_large_layer_falls_back_to_a_storage_buffer(ctx, monkeypatch):
    """A layer larger than GL_MAX_UNIFORM_BLOCK_SIZE keeps its weights in a storage buffer, same result."""
    net = random_mlp(np.random.default_rng(11), [9, 12, 5], "relu", "identity")
    # layer 1: 3x3 blocks + bias = 624 bytes, over the limit; layer 2: 2x3 blocks + bias = 416 bytes, under it
    monkeypatch.setattr(gpu, "max_uniform_block_size", lambda ctx: 512)
    runner = gpu.GPUMLP(ctx, net, weights="buffer")
    assert [in_ubo for _, _, in_ubo in runner._layer_steps] == [False, True]
    X = np.random.default_rng(12).standard_normal((30, 9))
    assert_float32_close(runner(X), reference(net, X))


def test_timings_and_mode(ctx):
    """A call fills upload, compute and read-back times; "auto" picks inline for a small network."""
    net = random_mlp(np.random.default_rng(13), [3, 8, 3], "relu", "identity")
    runner = gpu.GPUMLP(ctx, net)
    assert runner.weights == "inline"
    runner(np.ones((64, 3)))
    t = runner.timings
    assert t.upload_s > 0 and t.compute_s > 0 and t.read_s > 0
    assert t.total_s == pytest.approx(t.upload_s + t.compute_s + t.read_s)


def test_auto_uses_buffers_for_big_networks(ctx, monkeypatch):
    """Above INLINE_MAX_BLOCKS 4x4 blocks, "auto" keeps the weights in buffers."""
    monkeypatch.setattr(gpu, "INLINE_MAX_BLOCKS", 2)
    net = random_mlp(np.random.default_rng(14), [8, 8, 2], "relu", "identity")  # 4 + 2 blocks
    runner = gpu.GPUMLP(ctx, net)
    assert runner.weights == "buffer"


def test_run_mlp_gpu(ctx):
    """The one-call form, with a given context and with the default one."""
    net = random_mlp(np.random.default_rng(15), [3, 7, 2], "tanh", "identity")
    X = np.random.default_rng(16).standard_normal((20, 3))
    assert_float32_close(gpu.run_mlp_gpu(net, X, ctx), reference(net, X))
    assert_float32_close(gpu.run_mlp_gpu(net, X), reference(net, X))


def test_old_gl_raises_clear_error_and_cpu_still_works(ctx, monkeypatch):
    """GL < 4.3: GLUnavailableError naming the version and the CPU fallback; mlp(X) is unaffected."""
    monkeypatch.setattr(ctx, "version_code", 330)
    net = random_mlp(np.random.default_rng(17), [3, 4, 2], "relu", "identity")
    with pytest.raises(GLUnavailableError) as info:
        gpu.GPUMLP(ctx, net)
    message = str(info.value)
    assert "compute shaders need OpenGL 4.3" in message and "3.3" in message and "mlp(X) still works" in message
    X = np.ones((2, 3))
    np.testing.assert_allclose(net(X), reference(net, X))


def test_bad_arguments(ctx):
    """Wrong input width, a non-MLP and an unknown weights mode are ModelErrors naming the problem."""
    net = random_mlp(np.random.default_rng(18), [3, 4, 2], "relu", "identity")
    runner = gpu.GPUMLP(ctx, net)
    with pytest.raises(ModelError, match=r"expected shape \(3,\) or \(N, 3\)"):
        runner(np.ones((5, 4)))
    with pytest.raises(ModelError, match="expected an affine3d MLP"):
        gpu.GPUMLP(ctx, "not a network")
    with pytest.raises(ModelError, match="weights: expected"):
        gpu.GPUMLP(ctx, net, weights="texture")


def test_shaders_use_the_renderers_affine_helper():
    """Both compute shaders include affine.glsl and apply each weight block with its apply_affine."""
    for name in ("mlp.comp", "mlp_layer.comp"):
        text = (shader_dir() / name).read_text()
        assert '#include "affine.glsl"' in text
        assert "vec4 apply_affine(mat4 M, vec4 p)" in expand_includes(text)
    net = random_mlp(np.random.default_rng(19), [3, 4, 2], "relu", "identity")
    assert "apply_affine(mat4(" in gpu._inline_source(net, 64)
    assert "apply_affine(M, h[" in (shader_dir() / "mlp_layer.comp").read_text()


def test_weight_blocks_layout():
    """Block (i, j) of W, column-major, at index i * in_blocks + j; zero past the edges; then b."""
    W = np.arange(5 * 6, dtype=np.float64).reshape(5, 6) + 1
    b = np.array([10.0, 20, 30, 40, 50])
    net = MLP.from_arrays([W], [b])
    data = np.frombuffer(gpu.weight_blocks(net.layers[0]), np.float32)
    blocks = data[: 2 * 2 * 16].reshape(2, 2, 4, 4)  # (i, j, column, row)
    P = np.zeros((8, 8))
    P[:5, :6] = W
    for i in range(2):
        for j in range(2):
            np.testing.assert_array_equal(blocks[i, j].T, P[4 * i:4 * i + 4, 4 * j:4 * j + 4])
    np.testing.assert_array_equal(data[64:], [10, 20, 30, 40, 50, 0, 0, 0])


def test_float_literals_round_trip():
    """The inline shader's literals read back as the same float32 values."""
    values = np.random.default_rng(20).standard_normal(1000).astype(np.float32) * np.float32(10) ** np.random.default_rng(21).integers(-8, 8, 1000).astype(np.float32)
    for v in list(values) + [np.float32(0), np.float32(-0.0), np.float32(1), np.float32(3e38)]:
        text = gpu._float(v)
        assert np.float32(float(text)) == v
        assert any(c in text for c in ".e")
