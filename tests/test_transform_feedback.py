"""The renderer's own vertex shader evaluates a neural-network layer.

A 3 -> 3 layer ``z = W x + b`` is an Affine, so its 4x4 homogeneous matrix (``Affine.to_gl()``) can be
the ``world`` uniform of ``shaders/mesh.vert`` (with ``model`` and ``projection`` the identity). Feeding
the inputs as vertex positions and capturing ``gl_Position`` with transform feedback gives ``(z, 1)``:
compared here with the affine step of ``MLP.trace`` (the expected values), and the activation applied
afterwards on the CPU with the next step of the trace.
"""

import moderngl
import numpy as np
import pytest

from affine3d.affine import Affine
from affine3d import pack
from affine3d.gl.glsl import Uniforms, build_program
from affine3d.nn.mlp import MLP


@pytest.fixture(scope="module")
def ctx():
    from affine3d.gl.context import create_context

    return create_context()


@pytest.fixture(scope="module")
def mesh_vert(ctx):
    """mesh.vert with no fragment shader, gl_Position captured by transform feedback."""
    return build_program(ctx, "mesh.vert", None, varyings=("gl_Position",))


def vertex_shader_layer(ctx, program, layer_map: Affine, points: np.ndarray) -> np.ndarray:
    """Run ``points`` (N, 3) through mesh.vert with world = layer_map; return the captured gl_Position (N, 4)."""
    uniforms = Uniforms(program, ["model", "world", "projection"])
    uniforms.write("model", Affine.identity(3).to_gl())
    uniforms.write("world", layer_map.to_gl())
    uniforms.write("projection", pack.matrix(np.eye(4)))
    vbo = ctx.buffer(np.ascontiguousarray(points, dtype=np.float32).tobytes())
    captured = ctx.buffer(reserve=len(points) * 16)
    vao = ctx.vertex_array(program, [(vbo, "3f", "in_position")])
    # Even a draw that only feeds back needs a complete framebuffer (a surfaceless EGL context has none).
    fbo = ctx.simple_framebuffer((1, 1))
    fbo.use()
    vao.transform(captured, mode=moderngl.POINTS, vertices=len(points))
    clip = np.frombuffer(captured.read(), np.float32).reshape(len(points), 4)
    for obj in (vao, vbo, captured, fbo):
        obj.release()
    return clip


def test_mesh_vert_evaluates_one_layer(ctx, mesh_vert):
    """gl_Position of mesh.vert with world = [W | b] is (W x + b, 1): the trace's z1; then tanh gives a1."""
    rng = np.random.default_rng(0)
    net = MLP.from_arrays([rng.standard_normal((3, 3))], [rng.standard_normal(3)], ["tanh"])
    X = rng.standard_normal((257, 3))
    steps = net.trace(X)
    z1 = steps[1].value  # "z1 = W1 x + b1"
    assert steps[1].kind == "affine"

    clip = vertex_shader_layer(ctx, mesh_vert, net.layers[0].affine, X)

    np.testing.assert_allclose(clip[:, :3], z1, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(clip[:, 3], 1.0)  # an affine map keeps w = 1: nothing to divide
    a1 = net.layers[0].activation(clip[:, :3].astype(np.float64))
    np.testing.assert_allclose(a1, steps[2].value, rtol=1e-5, atol=1e-5)


def test_mesh_vert_runs_a_whole_3_wide_network(ctx, mesh_vert):
    """Layer after layer through the vertex shader (activation on the CPU in between) gives every step of the trace."""
    rng = np.random.default_rng(1)
    activations = ["relu", "leaky_relu", "sigmoid", "identity"]
    net = MLP.from_arrays([rng.standard_normal((3, 3)) for _ in activations], [rng.standard_normal(3) for _ in activations], activations)
    X = rng.standard_normal((100, 3))
    steps = net.trace(X)
    a = X
    for i, layer in enumerate(net.layers):
        z = vertex_shader_layer(ctx, mesh_vert, layer.affine, a)[:, :3].astype(np.float64)
        np.testing.assert_allclose(z, steps[1 + 2 * i].value, rtol=1e-4, atol=1e-5)
        a = layer.activation(z)
        np.testing.assert_allclose(a, steps[2 + 2 * i].value, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(a, net(X), rtol=1e-4, atol=1e-5)


def test_the_layer_matrix_is_the_world_uniform_bytes():
    """What the renderer uploads as `world` for the layer is [W | b] over [0 0 0 | 1], column-major float32."""
    W = np.arange(9.0).reshape(3, 3)
    b = np.array([10.0, 11.0, 12.0])
    column_major = np.frombuffer(Affine(W, b).to_gl(), np.float32).reshape(4, 4).T
    expected = np.block([[W, b[:, None]], [np.zeros((1, 3)), np.ones((1, 1))]])
    np.testing.assert_array_equal(column_major, expected)
