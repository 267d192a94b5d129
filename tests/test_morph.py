"""Tests for affine3d.nn.morph (the stages of a forward pass) and affine3d.gl.morph (the same on the GPU)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d import Affine, ModelError
from affine3d.nn.mlp import MLP
from affine3d.app.stage_text import stage_lines
from affine3d.nn.morph import Morph, check_model, stage_times
from affine3d.geometry.solids import subdivided_cube
from affine3d.resources import scene_dir

# What scenes/train_cube_to_sphere.py claims for the shipped network, on the scene's cube
# (subdivided_cube(16)): every vertex ends within this distance of the unit sphere, and of the
# sphere's point in its own direction, x / |x|.
SPHERE_TOLERANCE = 0.025


def random_points(n=50, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 3))


def net(sizes, hidden="tanh", output="identity", seed=0):
    return MLP.random(sizes, hidden, output, seed=seed)


# ---------------------------------------------------------------------------------------- stages
def test_stage_order_and_names():
    """Each layer gives 'layer i of k: affine' then 'layer i of k: <activation>'; identity activations move nothing and are left out."""
    morph = Morph(net([3, 3, 3, 3], "tanh", "identity"))
    assert [s.name for s in morph.stages] == [
        "layer 1 of 3: affine", "layer 1 of 3: tanh",
        "layer 2 of 3: affine", "layer 2 of 3: tanh",
        "layer 3 of 3: affine",
    ]
    assert [s.index for s in morph.stages] == list(range(5))
    assert [(s.layer, s.kind) for s in Morph(net([3, 4, 3], "relu", "sigmoid")).stages] == [
        (1, "affine"), (1, "activation"), (2, "affine"), (2, "activation")]
    assert Morph(net([3, 4, 3], "relu", "sigmoid")).stages[-1].name == "layer 2 of 2: sigmoid"
    leaky = MLP.from_arrays([np.eye(3)], activations=[{"name": "leaky_relu", "alpha": 0.2}])
    assert Morph(leaky).stages[1].name == "layer 1 of 1: leaky_relu(alpha=0.2)"


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 6), min_size=0, max_size=3), seed=st.integers(0, 10**6),
       hidden=st.sampled_from(["tanh", "relu", "sigmoid", "leaky_relu"]), t=st.floats(0, 1))
def test_interpolation_end_points(sizes, seed, hidden, t):
    """t = 0 of a stage is exactly where the previous stage ended (drawn and as values); t = 1 is its own end."""
    morph = Morph(net([3, *sizes, 3], hidden, "sigmoid", seed), random_points(20, seed))
    x = random_points(7, seed + 1)
    keys = morph.keyframes(x)
    for stage in morph.stages:
        start, end = keys[stage.index], keys[stage.index + 1]
        at0, at1 = morph.values(stage, 0.0, start), morph.values(stage, 1.0, start)
        assert np.array_equal(at0[:, : stage.width_in], start) and not at0[:, stage.width_in:].any()
        assert np.array_equal(at1[:, : stage.width_out], end) and not at1[:, stage.width_out:].any()
        if stage.index + 1 < morph.n_stages:  # the picture does not jump between stages
            following = morph.stages[stage.index + 1]
            np.testing.assert_allclose(morph.positions(stage, 1.0, start), morph.positions(following, 0.0, end), atol=1e-12)
        middle = morph.values(stage, t, start)
        assert middle.shape == (7, stage.width) and np.all(np.isfinite(middle))
    np.testing.assert_allclose(morph.positions(morph.stages[-1], 1.0, keys[-2]), morph.mlp(x), atol=1e-12)
    np.testing.assert_array_equal(morph.positions(0, 0.0, x), x)


def test_affine_stage_is_the_interpolated_map():
    """The affine stage applies A(t) = (1-t) I + t W, b(t) = t b: halfway from x to 2x + 1 is 1.5x + 0.5."""
    layer = Affine(2 * np.eye(3), np.ones(3))
    morph = Morph(MLP([layer]))
    x = random_points(9)
    np.testing.assert_allclose(morph.positions(0, 0.5, x), 1.5 * x + 0.5)
    W, b = np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), np.array([1.0, 2.0, 3.0])
    stage = Morph(MLP([Affine(W, b)])).stages[0]
    for t in (0.0, 0.25, 0.7, 1.0):
        F = stage.map_at(t)
        np.testing.assert_allclose(F.A, (1 - t) * np.eye(3) + t * W)
        np.testing.assert_allclose(F.b, t * b)
        np.testing.assert_allclose(Morph(MLP([Affine(W, b)])).values(0, t, x), F(x), atol=1e-12)


def test_activation_stage_blends_toward_sigma():
    """The activation stage is x -> (1-t) x + t sigma(x), with numpy's tanh and a hand-written sigmoid as references."""
    x = 3 * random_points(11)
    for name, sigma in (("tanh", np.tanh), ("sigmoid", lambda z: 1 / (1 + np.exp(-z))), ("relu", lambda z: np.where(z > 0, z, 0.0))):
        morph = Morph(MLP.from_arrays([np.eye(3)], activations=[name]))
        for t in (0.0, 0.3, 1.0):
            np.testing.assert_allclose(morph.values(1, t, x), (1 - t) * x + t * sigma(x), atol=1e-12)


def test_keyframes_are_the_trace():
    """The values at the stage boundaries are mlp.trace's z_i and a_i (identity activations skipped), bit for bit."""
    mlp = net([3, 5, 4, 3], "tanh", "identity", seed=3)
    x = random_points(30)
    trace = [step.value for step in mlp.trace(x) if not (step.kind == "activation" and step.name.startswith("y = identity"))]
    keys = Morph(mlp).keyframes(x)
    assert len(keys) == len(trace)
    for key, value in zip(keys, trace):
        np.testing.assert_array_equal(key, value)


def test_stage_times():
    """stage_times(n): n evenly spaced times ending at 1; fewer than one frame is refused."""
    np.testing.assert_allclose(stage_times(3), [1 / 3, 2 / 3, 1])
    with pytest.raises(ModelError, match="frames_per_stage"):
        stage_times(0)


# ---------------------------------------------------------------------------------------- widths other than 3
def test_layer_to_two_dimensions_flattens_onto_a_plane():
    """A 3 -> 2 layer shows its values padded with a zero: the solid ends flat on the plane z = 0, then comes back."""
    mlp = MLP.from_arrays([np.array([[1.0, 0, 0], [0, 1, 0]]), np.eye(3, 2)], activations="identity")
    morph = Morph(mlp, random_points())
    x = random_points(12, 4)
    keys = morph.keyframes(x)
    flat = morph.positions(0, 1.0, keys[0])
    np.testing.assert_allclose(flat, np.column_stack([x[:, :2], np.zeros(12)]))
    halfway = morph.positions(0, 0.5, keys[0])
    np.testing.assert_allclose(halfway[:, 2], 0.5 * x[:, 2])  # z shrinks linearly to 0
    assert morph.info(0).singular and morph.info(0).determinant is None


def test_wide_hidden_layer_is_shown_without_distortion():
    """A 3 -> 8 layer whose W has orthonormal columns keeps distances; its principal-subspace display keeps them too."""
    Q, _ = np.linalg.qr(np.random.default_rng(5).standard_normal((8, 3)))
    b = np.arange(8.0)
    mlp = MLP.from_arrays([Q, Q.T], [b, -Q.T @ b], activations="identity")
    points = random_points(40)
    morph = Morph(mlp, points)
    keys = morph.keyframes(points)
    shown = morph.positions(0, 1.0, keys[0])  # the hidden layer, in R^8, drawn in 3D

    def distances(p):
        return np.linalg.norm(p[:, None] - p[None], axis=-1)

    np.testing.assert_allclose(distances(shown), distances(points), atol=1e-9)
    # Lined up with the input's picture (Procrustes): the hidden layer is drawn where the input was.
    np.testing.assert_allclose(shown, points, atol=1e-9)
    np.testing.assert_allclose(morph.positions(1, 1.0, keys[1]), points, atol=1e-9)  # Q^T (Q x + b) - Q^T b = x


def test_wide_layer_without_sample_points_shows_first_coordinates():
    """Without sample points a hidden layer wider than 3 is drawn by its first three coordinates."""
    mlp = MLP.from_arrays([np.vstack([np.eye(3), np.ones((2, 3))]), np.ones((3, 5))], activations="identity")
    morph = Morph(mlp)
    x = random_points(5)
    np.testing.assert_allclose(morph.positions(0, 1.0, x), x)


# ---------------------------------------------------------------------------------------- HUD facts
def test_stage_info_determinant_and_singular_values():
    """det and singular values of W from closed forms: a rotation times diag(2, -1, 0.5) has det -1, singular values 2, 1, 0.5."""
    R = Affine.rotation([1, 2, 3], 0.7).A
    W = R @ np.diag([2.0, -1.0, 0.5])
    morph = Morph(MLP.from_arrays([W], [np.zeros(3)], activations=["tanh"]))
    info = morph.info(0)
    assert info.determinant == pytest.approx(-1.0)
    np.testing.assert_allclose(info.singular_values, [2.0, 1.0, 0.5])
    assert info.rank == 3 and not info.singular
    assert info.determinant_at(0.0) == pytest.approx(1.0) and info.determinant_at(1.0) == pytest.approx(-1.0)
    ts = np.linspace(0, 1, 101)
    assert any(a * b <= 0 for a, b in zip(map(info.determinant_at, ts[:-1]), map(info.determinant_at, ts[1:])))
    text = "\n".join(stage_lines(info, 0.5))
    assert "layer 1 of 1: affine" in text and "det W1 = -1.00" in text and "inside out" in text
    assert "2.00, 1.00, 0.50" in text and "det A(t)" in text
    assert morph.info(1).W is info.W and "tanh" in stage_lines(morph.info(1))[0]  # the activation stage shows the same layer


def test_stage_info_singular_layer_flattens():
    """A rank-2 W: det 0, rank 2, and the HUD says it flattens the solid."""
    W = np.array([[1.0, 0, 0], [0, 1, 0], [1, 1, 0]])
    info = Morph(MLP.from_arrays([W])).info(0)
    assert info.determinant == pytest.approx(0.0) and info.rank == 2 and info.singular
    assert "flattens" in "\n".join(stage_lines(info))


# ---------------------------------------------------------------------------------------- bad models
@pytest.mark.parametrize("sizes, message", [
    ([2, 4, 3], "model: expected 3 inputs (a point of 3D space), got 2: W1 has shape (4, 2)"),
    ([3, 4, 2], "model: expected 3 outputs (a point of 3D space), got 2: W2 has shape (2, 4)"),
    ([4, 4], "model: expected 3 inputs"),
    ([3, 3, 3, 10], "got 10: W3 has shape (10, 3)"),
])
def test_bad_models_are_refused(sizes, message):
    """A network that does not take or return 3D points is refused, naming the width and the weight shape."""
    with pytest.raises(ModelError) as info:
        Morph(net(sizes))
    assert message in str(info.value)
    with pytest.raises(ModelError):
        check_model(net(sizes))


def test_bad_arguments():
    """Points of the wrong shape, t outside [0, 1], unknown stages: ModelError saying what was expected."""
    morph = Morph(net([3, 3, 3]))
    with pytest.raises(ModelError, match=r"points: expected shape \(N, 3\)"):
        morph.keyframes(np.zeros((4, 2)))
    with pytest.raises(ModelError, match=r"t: expected a time in \[0, 1\], got 1.5"):
        morph.values(0, 1.5, np.zeros((1, 3)))
    with pytest.raises(ModelError, match="stage: expected an index in 0..2"):
        morph.stage(3)
    with pytest.raises(ModelError, match="no stage called"):
        morph.stage("layer 9 of 9: affine")
    assert morph.stage("layer 2 of 2: affine").index == 2
    with pytest.raises(ModelError, match="map_at"):
        morph.stages[1].map_at(0.5)


# ---------------------------------------------------------------------------------------- the shipped network
def shipped():
    from affine3d.geometry.scene import load_scene

    scene = load_scene("cube-to-sphere")
    return scene, MLP.load(scene.mlp)


def test_shipped_scene_names_its_network():
    """scenes/cube-to-sphere.toml names cube-to-sphere.safetensors next to it: a 3 -> ... -> 3 network, 3 wide throughout."""
    scene, mlp = shipped()
    assert scene.mlp == scene_dir() / "cube-to-sphere.safetensors"
    assert mlp.sizes[0] == mlp.sizes[-1] == 3 and set(mlp.sizes) == {3}
    assert [obj.mesh.name for obj in scene.objects] == ["subdivided_cube(16)"]


def test_shipped_network_morphs_the_cube_onto_the_sphere():
    """After the last stage the scene cube's vertices lie on the unit sphere, each near x/|x|, within the stated tolerance."""
    scene, mlp = shipped()
    x = scene.objects[0].model(scene.objects[0].mesh.vertices)
    assert np.abs(np.linalg.norm(x, axis=1) - 1).max() > 0.4  # the face centres start at 1/sqrt(3) from the origin
    morph = Morph(mlp, x)
    y = morph.keyframes(x)[-1]
    assert np.abs(np.linalg.norm(y, axis=1) - 1).max() <= SPHERE_TOLERANCE
    assert np.linalg.norm(y - x / np.linalg.norm(x, axis=1, keepdims=True), axis=1).max() <= SPHERE_TOLERANCE
    # and in between it is not yet a sphere: the network does its work across the stages
    assert np.abs(np.linalg.norm(morph.keyframes(x)[1], axis=1) - 1).max() > 0.1



def test_the_training_script_writes_the_shipped_network_byte_for_byte(tmp_path):
    """scenes/train_cube_to_sphere.py, run again, writes exactly the bytes of scenes/cube-to-sphere.safetensors."""
    import subprocess
    import sys

    out = tmp_path / "again.safetensors"
    done = subprocess.run([sys.executable, str(scene_dir() / "train_cube_to_sphere.py"), "-o", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == (scene_dir() / "cube-to-sphere.safetensors").read_bytes()
    assert "within" not in done.stderr and "subdivided_cube(16) vertices" in done.stdout

# ---------------------------------------------------------------------------------------- the GPU
@pytest.fixture(scope="module")
def ctx():
    from affine3d.gl.context import create_context

    context = create_context()
    yield context
    context.release()


@pytest.mark.parametrize("sizes, hidden, output", [
    ([3, 3, 3, 3], "tanh", "identity"),
    ([3, 7, 2, 3], "leaky_relu", "sigmoid"),
    ([3, 5, 3], "relu", "softmax"),
])
def test_gpu_keyframes_equal_the_trace(ctx, sizes, hidden, output):
    """The vertex shader's values at every stage boundary equal mlp.trace's z_i and a_i to float32 rounding."""
    from affine3d.gl.morph import GPUMorph

    mlp = net(sizes, hidden, output, seed=7)
    x = subdivided_cube(3).vertices
    morph = Morph(mlp, x)
    gpu = GPUMorph(ctx, morph, x)
    try:
        trace = [s.value for s in mlp.trace(x) if not (s.kind == "activation" and s.name.split("(")[0].endswith("identity"))]
        assert len(trace) == morph.n_stages + 1
        for k, value in enumerate(trace):
            np.testing.assert_allclose(gpu.keyframe(k), value, rtol=1e-5, atol=1e-5)
        keys = morph.keyframes(x)
        for stage in morph.stages:
            for t in (0.0, 0.35, 1.0):
                values, positions = gpu.frame(stage, t)
                np.testing.assert_allclose(values, morph.values(stage, t, keys[stage.index]), rtol=1e-5, atol=1e-5)
                np.testing.assert_allclose(positions, morph.positions(stage, t, keys[stage.index]), rtol=1e-5, atol=1e-5)
    finally:
        gpu.release()


def test_gpu_warps_the_shipped_cube_like_the_cpu(ctx):
    """The shipped network on the GPU: every in-between frame equals the CPU's, and the end is mlp(x)."""
    from affine3d.gl.morph import GPUMorph

    scene, mlp = shipped()
    x = scene.objects[0].mesh.vertices
    morph = Morph(mlp, x)
    gpu = GPUMorph(ctx, morph, x)
    try:
        keys = morph.keyframes(x)
        for stage in morph.stages:
            np.testing.assert_allclose(gpu.positions(stage, 0.5), morph.positions(stage, 0.5, keys[stage.index]), atol=1e-5)
        np.testing.assert_allclose(gpu.keyframe(morph.n_stages), mlp(x), atol=1e-5)
    finally:
        gpu.release()


def test_gpu_refuses_layers_too_wide(ctx):
    """A hidden layer wider than the vertex shader holds (15) is refused with the limit and the sizes."""
    from affine3d.gl.morph import GPUMorph

    mlp = net([3, 16, 3])
    with pytest.raises(ModelError, match=r"up to 15 wide.*sizes \[3, 16, 3\]"):
        GPUMorph(ctx, Morph(mlp), np.zeros((4, 3)))


# ---------------------------------------------------------------------------------------- drawing the morph
def test_morphing_scene_draws_where_the_cpu_projects(ctx):
    """The drawn solid at each stage end covers the pixels the CPU projection of the CPU-warped vertices spans."""
    from affine3d.render import MorphingScene
    from affine3d.projection import project_points

    scene, mlp = shipped()
    size = (160, 120)
    background = np.round(np.array(scene.background) * 255)
    x = scene.objects[0].mesh.vertices
    with MorphingScene(ctx, scene, mlp, size, samples=0) as morphing:
        keys = morphing.morph.keyframes(x)
        for stage in morphing.morph.stages[::2] + (morphing.morph.stages[-1],):
            image = morphing.render(stage, 1.0)
            covered = np.any(np.abs(image[..., :3].astype(float) - background) > 8, axis=-1)
            rows, cols = np.nonzero(covered)
            camera = scene.world()(keys[stage.index + 1])
            pixels = project_points(scene.projection(size[0] / size[1]), camera, size)
            assert abs(cols.min() - pixels[:, 0].min()) <= 1.5 and abs(cols.max() + 1 - pixels[:, 0].max()) <= 1.5
            assert abs(rows.min() - pixels[:, 1].min()) <= 1.5 and abs(rows.max() + 1 - pixels[:, 1].max()) <= 1.5


def test_inside_out_solid_is_hatched_and_keeps_its_colour(ctx):
    """A layer with det < 0 (a mirror) turns the solid inside out: from det A(t) < 0 on, what faces the camera is
    its inside, drawn in stripes of INSIDE_COLOR and its dark shade; before, the object's own colour, no stripes."""
    from affine3d.geometry.shading import INSIDE_COLOR, INSIDE_SHADE
    from affine3d.render import MorphingScene
    from affine3d.geometry.scene import Scene, SceneObject

    scene = Scene("mirror", None, [SceneObject("cube", subdivided_cube(2), color=(0.2, 0.4, 0.9))])
    mirror = MLP.from_arrays([np.diag([-1.0, 1.0, 1.0])])  # det A(t) = 1 - 2t: flat at t = 1/2
    background = np.round(np.array(scene.background) * 255)
    with MorphingScene(ctx, scene, mirror, (160, 120), samples=0) as morphing:
        before = morphing.render(0, 0.25)
        assert morphing.inside_out == [False]
        after = morphing.render(0, 0.75)
        assert morphing.inside_out == [True] and morphing.scene.objects[0].color == (0.2, 0.4, 0.9)
    for image, hatched in ((before, False), (after, True)):
        pixels = image[..., :3].astype(float)
        covered = np.any(np.abs(pixels - background) > 8, axis=-1)
        rgb = pixels[covered]
        # Each face is lit evenly, so a pixel's colour over the face's brightest is 1 or INSIDE_SHADE in
        # the stripes' hue; the cube's own blue has blue as its largest channel.
        orange = (rgb[:, 0] > rgb[:, 1]) & (rgb[:, 1] > rgb[:, 2]) & (rgb[:, 2] < 0.05 * rgb[:, 0] + 2)
        assert orange.mean() > 0.97 if hatched else orange.mean() == 0
        if hatched:
            hue = rgb[:, :2] / np.array(INSIDE_COLOR[:2])
            assert np.allclose(hue[:, 0], hue[:, 1], rtol=0.08, atol=3)  # r : g as in INSIDE_COLOR
            levels = np.unique(np.round(rgb[:, 0]))
            bright, dark = levels.max(), levels.min()
            assert abs(dark / bright - INSIDE_SHADE) < 0.15  # the dark stripes of the most brightly lit face


def test_render_stages_writes_pngs_gif_and_sheet(ctx, tmp_path):
    """One PNG per stage plus the input, a GIF with frames_per_stage frames a stage (so at least one per stage), a sheet."""
    from PIL import Image

    from affine3d.pictures import render_stages

    scene, mlp = shipped()
    result = render_stages(scene, mlp, tmp_path / "out", (96, 72), frames_per_stage=2, samples=0, ctx=ctx)
    n_stages = Morph(mlp).n_stages
    assert len(result["stages"]) == n_stages + 1
    assert all(p.is_file() and Image.open(p).size == (96, 72) for p in result["stages"])
    assert result["stages"][0].name == "stage-00-input.png"
    assert result["stages"][-1].name == f"stage-{n_stages:02d}-layer-5-of-5-affine.png"
    with Image.open(result["gif"]) as gif:
        assert gif.n_frames == result["frames"] == 1 + 2 * n_stages >= n_stages
        assert gif.info.get("loop") == 0
    with Image.open(result["sheet"]) as sheet:
        # 5 x 2 tiles, then (a layer with det < 0 turns the cube inside out) a white band with the hatching's legend
        assert sheet.size[0] == 5 * 96 + 4 * 4 and sheet.size[1] > 2 * 72 + 4
        band = np.asarray(sheet.convert("L"))[2 * 72 + 4 :]
        assert band.max() == 255 and band.min() < 64


# ---------------------------------------------------------------------------------------- the player
def test_player_plays_through_the_stages_resting_at_each_end():
    """seconds_per_stage = 2, hold 0.5: at 1 s halfway through stage 0; at 2.2 s resting at its end; 2.75 s an eighth into stage 1."""
    from affine3d.app.player import StagePlayer

    player = StagePlayer(3, seconds_per_stage=2.0, hold_s=0.5)
    player.update(0.5)  # the first rest, at the input
    assert player.at_input
    player.update(1.0)
    assert (player.stage_index, player.t) == (0, 0.5)
    player.update(1.2)  # 0.2 s into the rest at the end of stage 0
    assert (player.stage_index, player.t) == (0, 1.0)
    player.update(0.55)  # 0.3 s of rest left, then 0.25 s = an eighth of stage 1
    assert player.stage_index == 1 and player.t == pytest.approx(0.125)
    seen = set()
    for _ in range(200):  # on through the last stage, a longer rest, and round again to the input
        player.update(0.05)
        seen.add(player.stage_index)
        if player.at_input:
            break
    assert seen == {1, 2, 0} and player.at_input and player.playing


def test_player_steps_scrubs_and_pauses():
    """next/previous go to stage boundaries and pause; scrub moves by a fraction, clamped to [0, n]; toggle from the end restarts."""
    from affine3d.app.player import StagePlayer

    player = StagePlayer(4)
    player.scrub(0.3)
    assert not player.playing and (player.stage_index, player.t) == (0, pytest.approx(0.3))
    player.next()
    assert (player.stage_index, player.t) == (0, 1.0)
    player.next()
    assert (player.stage_index, player.t) == (1, 1.0)
    player.previous()
    assert (player.stage_index, player.t) == (0, 1.0)
    player.previous()
    assert player.at_input
    player.previous()
    assert player.at_input
    player.scrub(99)
    assert (player.stage_index, player.t) == (3, 1.0)
    player.update(5.0)
    assert player.position == 4  # paused: time does not move it
    player.toggle()
    assert player.playing and player.at_input
    with pytest.raises(ModelError, match="n_stages"):
        StagePlayer(0)


def test_render_stages_on_the_cpu_draws_the_same_shapes(ctx, tmp_path):
    """With no OpenGL (backend cpu: Morph warps, the numpy rasterizer draws) each stage covers the same pixels as on the GPU."""
    from PIL import Image

    from affine3d.pictures import render_stages

    scene, mlp = shipped()
    gpu = render_stages(scene, mlp, tmp_path / "gpu", (96, 72), frames_per_stage=1, samples=0, captions=False, ctx=ctx)
    cpu = render_stages(scene, mlp, tmp_path / "cpu", (96, 72), frames_per_stage=1, captions=False, backend="cpu")
    background = np.round(np.array(scene.background) * 255)
    for a, b in zip(gpu["stages"], cpu["stages"]):
        assert a.name == b.name
        covered = [np.any(np.abs(np.asarray(Image.open(p))[..., :3] - background) > 8, axis=-1) for p in (a, b)]
        assert np.mean(covered[0] != covered[1]) < 0.01  # edge pixels may differ (rasterization rules)


# ---------------------------------------------------------------------------------------- the command line
def run_cli(capsys, *argv):
    from affine3d.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_render_stages_writes_the_files(tmp_path, capsys):
    """`render cube-to-sphere --stages -o DIR` writes a PNG per stage plus the input, a GIF with >= one frame per stage, a sheet."""
    from PIL import Image

    folder = tmp_path / "slides"
    code, out, err = run_cli(capsys, "render", "cube-to-sphere", "--stages", "-o", str(folder), "--size", "96x72",
                             "--frames", "2", "--samples", "0")
    assert code == 0 and err == ""
    n_stages = Morph(shipped()[1]).n_stages
    pngs = sorted(folder.glob("stage-*.png"))
    assert len(pngs) == n_stages + 1 and all(Image.open(p).size == (96, 72) for p in pngs)
    with Image.open(folder / "forward-pass.gif") as gif:
        assert gif.n_frames >= n_stages
    assert (folder / "stages.png").is_file() and str(folder / "forward-pass.gif") in out


def test_cli_render_mlp_draws_the_output(tmp_path, capsys):
    """`render --mlp MODEL -o x.png` (no SCENE: the cube-to-sphere cube) draws the scene after the whole network."""
    from PIL import Image

    from affine3d.render import render_output

    path = tmp_path / "sphere.png"
    model = scene_dir() / "cube-to-sphere.safetensors"
    code, out, _ = run_cli(capsys, "render", "--mlp", str(model), "-o", str(path), "--size", "64x48", "--backend", "cpu")
    assert code == 0 and str(path) in out
    scene, mlp = shipped()
    np.testing.assert_array_equal(np.asarray(Image.open(path)), render_output(scene, mlp, (64, 48), backend="cpu"))


@pytest.mark.parametrize("sizes, message", [
    ([2, 3, 3], "expected 3 inputs (a point of 3D space), got 2"),
    ([3, 3, 4], "expected 3 outputs (a point of 3D space), got 4"),
])
def test_cli_refuses_bad_models_in_one_line(tmp_path, capsys, sizes, message):
    """A model file with the wrong input or output width: exit 2 and one line saying which width and why."""
    path = tmp_path / "bad.safetensors"
    net(sizes).save(path)
    code, out, err = run_cli(capsys, "render", "--mlp", str(path), "--stages", "-o", str(tmp_path / "d"))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "d").exists()


def test_cli_render_stages_needs_a_network(tmp_path, capsys):
    """--stages on a scene without an mlp key and no --mlp: exit 2 naming what is missing."""
    code, _, err = run_cli(capsys, "render", "platonic", "--stages", "-o", str(tmp_path / "d"))
    assert code == 2 and "has no network" in err and "--mlp" in err


def test_hud_numbers_never_read_minus_zero():
    """Tiny entries print as 0.00 (never -0.00); a tiny det or singular value prints in powers of ten, not as 0.00."""
    W = np.diag([-1e-5, 1e-5, 1e-5])
    text = "\n".join(stage_lines(Morph(MLP.from_arrays([W], [np.array([-1e-4, 0.0, 1.0])])).info(0), 0.5))
    assert "-0.00" not in text
    assert "det W1 = -1.0e-15" in text and "singular values 1.0e-05, 1.0e-05, 1.0e-05" in text


def test_a_stage_keeps_its_name_in_code_whatever_the_readers_language():
    """Stage.name is code (Morph.stage finds a stage by it under any language); Stage.title is the reader's words."""
    from affine3d import i18n

    morph = Morph(MLP.from_arrays([np.eye(3), np.eye(3)], activations=["tanh", "identity"]))
    try:
        i18n.use_language("pl")
        assert morph.stage("layer 2 of 2: affine").index == 2
        assert morph.stages[0].name == "layer 1 of 2: affine" and morph.stages[0].title.startswith("warstwa 1 z 2")
    finally:
        i18n.use_language("en")
    assert morph.stages[0].title == morph.stages[0].name
