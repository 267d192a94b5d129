"""Two paths from I to W (affine3d.nn.morph): the straight one, and the polar one that turns instead of flattening.

References: scipy.linalg.polar, logm and expm (peer library), pytransform3d's quaternion slerp (3D), and
closed forms: det((1 - t) I + t W) = Π (1 - t + t λ_k), det of the polar path = Π (1 - t + t s_k).
"""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given, settings
from hypothesis import strategies as st
from pytransform3d import rotations as pr

from affine3d import Affine, ModelError
from affine3d.nn.mlp import MLP
from affine3d.app.stage_text import path_notes
from affine3d.nn.morph import Morph
from affine3d.nn.paths import PolarPath, polar_decomposition, rotation_log, rotation_power, straight_path_flattens

TIMES = np.linspace(0.0, 1.0, 401)


def random_matrix(n, seed, sign=+1):
    """A random n x n matrix whose determinant has the given sign (a row negated if needed)."""
    W = np.random.default_rng(seed).normal(size=(n, n))
    if np.sign(np.linalg.det(W)) != sign:
        W[0] *= -1
    return W


def random_rotation(n, seed):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    if np.linalg.det(Q) < 0:
        Q[:, 0] *= -1
    return Q


# ---------------------------------------------------------------------------------------- the pieces
@settings(max_examples=40)
@given(n=st.integers(1, 6), seed=st.integers(0, 10**6))
def test_polar_decomposition_is_scipys(n, seed):
    """W = R S with R orthogonal and S symmetric positive semi-definite: scipy.linalg.polar's R and S."""
    W = np.random.default_rng(seed).normal(size=(n, n))
    R, S = polar_decomposition(W)
    R_ref, S_ref = scipy.linalg.polar(W)
    np.testing.assert_allclose(R, R_ref, atol=1e-9)
    np.testing.assert_allclose(S, S_ref, atol=1e-9)
    np.testing.assert_allclose(R @ S, W, atol=1e-12)


@settings(max_examples=40)
@given(n=st.integers(2, 7), seed=st.integers(0, 10**6))
def test_rotation_log_and_power_agree_with_scipy(n, seed):
    """exp(log R) = R (scipy's expm), log R equals scipy's logm, and R^t is expm(t logm R)."""
    R = random_rotation(n, seed)
    L = rotation_log(R)
    np.testing.assert_allclose(L, -L.T, atol=1e-14)
    np.testing.assert_allclose(scipy.linalg.expm(L), R, atol=1e-10)
    np.testing.assert_allclose(L, np.real(scipy.linalg.logm(R)), atol=1e-7)
    for t in (0.0, 0.3, 0.5, 1.0):
        np.testing.assert_allclose(rotation_power(R, t), scipy.linalg.expm(t * L), atol=1e-10)


@pytest.mark.parametrize("R", [
    np.diag([-1.0, -1.0, 1.0]),                                    # a half turn about z
    Affine.rotation([1.0, 2.0, -0.5], np.pi).A,                    # a half turn about a slanted axis
    Affine.rotation([0.3, -1.0, 0.2], np.pi - 1e-7).A,             # nearly a half turn
    -np.eye(4),                                                    # half turns in two planes at once
    scipy.linalg.block_diag(-np.eye(2), Affine.rotation_z(np.pi - 1e-9).A[:2, :2], [[1.0]]),
], ids=["z", "slanted", "nearly", "minus-I4", "two-planes"])
def test_half_turns_have_a_logarithm(R):
    """Rotations by (nearly) π, where sin θ = 0, still get a real skew logarithm with exp(log R) = R."""
    L = rotation_log(R)
    np.testing.assert_allclose(L, -L.T, atol=1e-14)
    np.testing.assert_allclose(scipy.linalg.expm(L), R, atol=1e-9)
    angles = np.abs(np.linalg.eigvals(L).imag)
    assert angles.max() <= np.pi + 1e-9


@settings(max_examples=30)
@given(seed=st.integers(0, 10**6), t=st.floats(0.0, 1.0))
def test_rotation_power_in_3d_is_quaternion_slerp(seed, t):
    """In 3D, R^t is the slerp from the identity quaternion to R's quaternion (pytransform3d), the shorter way round."""
    R = random_rotation(3, seed)
    q = pr.quaternion_from_matrix(R)
    if q[0] < 0:
        q = -q  # the shorter arc: the angle is at most π
    expected = pr.matrix_from_quaternion(pr.quaternion_slerp(np.array([1.0, 0, 0, 0]), q, t))
    np.testing.assert_allclose(rotation_power(R, t), expected, atol=1e-9)


# ---------------------------------------------------------------------------------------- the polar path
@settings(max_examples=40)
@given(n=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_polar_path_never_flattens_when_det_is_positive(n, seed):
    """det W > 0: det A(t) > 0 at every t (and equals det((1-t) I + t S), the closed form); A(0) = I, A(1) = W."""
    W = random_matrix(n, seed, +1)
    path = PolarPath(W)
    np.testing.assert_array_equal(path.at(0.0), np.eye(n))
    np.testing.assert_allclose(path.at(1.0), W, atol=1e-9)
    dets = np.array([np.linalg.det(path.at(t)) for t in TIMES])
    sigma = np.linalg.svd(W, compute_uv=False)
    closed = np.prod(1 - TIMES[:, None] + TIMES[:, None] * sigma, axis=1)
    np.testing.assert_allclose(dets, closed, rtol=1e-8, atol=1e-12)
    assert dets.min() > 0
    # R(t) is a rotation all along
    for t in (0.2, 0.5, 0.9):
        Rt = rotation_power(path.rotation, t)
        np.testing.assert_allclose(Rt.T @ Rt, np.eye(n), atol=1e-10)
        assert np.linalg.det(Rt) == pytest.approx(1.0, abs=1e-10)


def test_negative_eigenvalue_pair_collapses_the_straight_path_not_the_polar_one():
    """W with det > 0 and eigenvalues -1, -2, 3: the straight path's det passes 0 at t = 1/2 and 1/3; the polar path's never."""
    P = np.random.default_rng(5).normal(size=(3, 3))
    W = P @ np.diag([-1.0, -2.0, 3.0]) @ np.linalg.inv(P)
    assert np.linalg.det(W) > 0 and straight_path_flattens(W)
    straight = lambda t: np.linalg.det((1 - t) * np.eye(3) + t * W)  # noqa: E731
    for t_zero in (1 / 2, 1 / 3):  # 1 - t + t λ = 0 at t = 1 / (1 - λ)
        assert abs(straight(t_zero)) < 1e-9
        assert straight(t_zero - 0.01) * straight(t_zero + 0.01) < 0
    polar = PolarPath(W)
    assert min(np.linalg.det(polar.at(t)) for t in TIMES) > 0
    # the stage and the HUD say the same
    stage = Morph(MLP([Affine(W)]), path="polar").stages[0]
    np.testing.assert_allclose(stage.map_at(0.4).A, polar.at(0.4), atol=1e-12)
    info = Morph(MLP([Affine(W)])).info(0)
    assert any("straight path passes det 0" in line for line in path_notes(info))
    assert path_notes(Morph(MLP([Affine(W)]), path="polar").info(0)) == []


@settings(max_examples=30)
@given(n=st.integers(1, 5), seed=st.integers(0, 10**6))
def test_a_mirror_must_pass_det_zero_once(n, seed):
    """det W < 0: the polar path's det crosses 0 exactly once, at t = 1 / (1 + σ_min), and ends at W."""
    W = random_matrix(n, seed, -1)
    path = PolarPath(W)
    assert path.mirrored
    np.testing.assert_allclose(path.at(1.0), W, atol=1e-9)
    dets = np.array([np.linalg.det(path.at(t)) for t in TIMES])
    assert np.sum(np.sign(dets[1:]) != np.sign(dets[:-1])) == 1
    sigma_min = np.linalg.svd(W, compute_uv=False)[-1]
    assert np.linalg.det(path.at(1 / (1 + sigma_min))) == pytest.approx(0.0, abs=1e-9)


def test_a_mirror_is_announced():
    """A layer with det W < 0: the HUD says every path passes det 0, and to swap two neurons."""
    W = np.diag([1.0, 2.0, -0.5])
    lines = path_notes(Morph(MLP([Affine(W)]), path="polar").info(0))
    assert any("every path from I" in line for line in lines)
    assert any("swap two neurons" in line for line in lines)
    # and the viewer's network panel shows them during the layer's affine stage
    from affine3d.app.state import ViewerState
    from affine3d.geometry.scene import load_scene

    state = ViewerState(load_scene("platonic"), (320, 240), scenes=[])
    state.set_morph(Morph(MLP([Affine(W)]), path="polar"), "mirror")
    state.player.seek(0.3)
    assert any("swap two neurons" in line for line in state.morph_lines())


def test_singular_layer_flattens_only_at_the_end():
    """A singular W (det 0): det A(t) > 0 for t < 1 on the polar path, and 0 at t = 1."""
    W = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [1.0, 3.0, 0.0]])
    path = PolarPath(W)
    assert min(np.linalg.det(path.at(t)) for t in TIMES[:-1]) > 0
    np.testing.assert_allclose(path.at(1.0), W, atol=1e-12)


# ---------------------------------------------------------------------------------------- in the morph
def test_polar_morph_moves_points_by_the_polar_map():
    """Morph(path="polar"): the affine stage's values are A(t) x + t b, start at x and end at W x + b."""
    mlp = MLP.random([3, 4, 3], "tanh", "identity", seed=2)
    x = np.random.default_rng(1).uniform(-1, 1, (20, 3))
    morph = Morph(mlp, x, path="polar")
    keys = morph.keyframes(x)
    for stage in morph.stages:
        if stage.kind != "affine":
            continue
        W = np.zeros((stage.width, stage.width))
        W[: stage.width_out, : stage.width_in] = stage.affine.A
        b = np.zeros(stage.width)
        b[: stage.width_out] = stage.affine.b
        start = np.zeros((len(x), stage.width))
        start[:, : stage.width_in] = keys[stage.index]
        for t in (0.0, 0.3, 1.0):
            expected = start @ PolarPath(W).at(t).T + t * b
            np.testing.assert_allclose(morph.values(stage, t, keys[stage.index]), expected, atol=1e-9)


def test_unknown_path_is_refused():
    with pytest.raises(ModelError, match="path: expected one of linear, polar"):
        Morph(MLP.random([3, 3]), path="curvy")


def test_gpu_morph_takes_the_polar_map(ctx):
    """The vertex shader moves the points along the polar path exactly as numpy does (float32 rounding)."""
    from affine3d.gl.morph import GPUMorph

    W = np.diag([-1.0, -2.0, 1.5])
    mlp = MLP([(Affine(W, [0.1, 0.2, 0.3]), "tanh"), Affine(np.eye(3))])
    x = np.random.default_rng(3).uniform(-1, 1, (30, 3))
    morph = Morph(mlp, x, path="polar")
    gpu = GPUMorph(ctx, morph, x)
    try:
        for t in (0.25, 0.5, 0.8):
            np.testing.assert_allclose(gpu.positions(0, t), x @ PolarPath(W).at(t).T + t * np.array([0.1, 0.2, 0.3]),
                                       atol=1e-5)
    finally:
        gpu.release()


@pytest.fixture(scope="module")
def ctx():
    from affine3d.gl.context import create_context

    context = create_context()
    yield context
    context.release()
