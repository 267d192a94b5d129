"""The lab: targets (affine3d.nn.targets), live training in a thread (affine3d.app.training, lab) and its GIF."""

import hashlib

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from affine3d import Affine, ModelError, SceneError
from affine3d.app.lab import Lab
from affine3d.app.state import ViewerState
from affine3d.app.training import LiveTraining
from affine3d.cli import main
from affine3d.geometry.scene import load_scene
from affine3d.nn.mlp import MLP
from affine3d.nn.morph import Morph
from affine3d.nn.targets import TARGETS, Experiment, Target, experiment_from_table, linking_number, ring_centres
from affine3d.nn.train import Training
from affine3d.pictures import render_learning


def small(name="cube-to-sphere", **changes):
    """A quick experiment on a coarse version of the scene's points."""
    scene = load_scene(name)
    return experiment_from_table(scene.train).with_options(**changes), scene.world_points()


# ---------------------------------------------------------------------------------------- targets
def test_shipped_targets_are_their_closed_forms(rng):
    """cube-to-sphere is x/|x|; sphere-to-cube lands on the cube's surface along x; untangle moves each ring one unit apart."""
    x = rng.normal(size=(50, 3))
    np.testing.assert_allclose(TARGETS["cube-to-sphere"](x), x / np.linalg.norm(x, axis=1, keepdims=True))
    y = TARGETS["sphere-to-cube"](x)
    np.testing.assert_allclose(np.abs(y).max(axis=1), 1 / np.sqrt(3))          # on the cube's faces
    np.testing.assert_allclose(np.cross(y, x), 0, atol=1e-12)                   # in x's own direction
    assert np.all(np.sum(y * x, axis=1) > 0)
    a, b = ring_centres(40)
    np.testing.assert_allclose(TARGETS["untangle-rings"](a), a - [1, 0, 0])
    np.testing.assert_allclose(TARGETS["untangle-rings"](b), b + [1, 0, 0])


def test_a_target_function_that_misbehaves_is_named():
    """A user's function returning the wrong shape or NaN: ModelError naming the target."""
    with pytest.raises(ModelError, match=r"target 'flat': expected the function to return shape \(4, 3\)"):
        Target("flat", lambda p: p[:, :2])(np.ones((4, 3)))
    with pytest.raises(ModelError, match="target 'nan': the function gave a non-finite point for point 0"):
        Target("nan", lambda p: np.full_like(p, np.nan))(np.zeros((4, 3)))


def test_linking_number_of_linked_and_unlinked_rings():
    """The Hopf link has linking number ±1 (the sign flips with an orientation); rings apart, 0."""
    a, b = ring_centres(64)
    assert linking_number(a, b) == pytest.approx(-1.0, abs=1e-9)
    assert linking_number(a, b[::-1]) == pytest.approx(1.0, abs=1e-9)
    assert linking_number(a, b + [5.0, 0, 0]) == pytest.approx(0.0, abs=1e-9)
    # a coil winding twice around ring A's circle, on a thin torus about it: linking number 2
    t = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    coil = np.column_stack([(1 + 0.3 * np.cos(2 * t)) * np.cos(t), (1 + 0.3 * np.cos(2 * t)) * np.sin(t), 0.3 * np.sin(2 * t)])
    assert abs(linking_number(coil, ring_centres(200)[0])) == pytest.approx(2.0, abs=1e-6)


@settings(max_examples=25)
@given(seed=st.integers(0, 10**6))
def test_a_3_wide_network_with_invertible_layers_keeps_the_rings_linked(seed):
    """colah's argument: tanh layers 3 wide with det W != 0 are homeomorphisms of R^3, so the rings' images stay linked."""
    mlp = MLP.random([3, 3, 3, 3, 3], activation="tanh", output="identity", seed=seed)
    # invertible, and not so nearly singular that the images of the rings come closer than the polygons' sides
    assume(all(np.linalg.svd(l.W, compute_uv=False)[-1] > 0.1 for l in mlp.layers))
    a, b = ring_centres(256)
    assert round(abs(linking_number(mlp(a), mlp(b)))) == 1


def test_rings_3_wide_stay_linked_and_4_wide_come_apart():
    """The shipped scenes: after training, the 3-wide network still links the rings; the 4-wide one unlinked them, at lower loss."""
    losses, links = {}, {}
    for name in ("rings", "rings-4-wide"):
        experiment, points = small(name)
        run = experiment.training(points)
        for _ in range(1500):
            run.run_epoch()
        a, b = ring_centres(96)
        net = run.network()
        links[name], losses[name] = linking_number(net(a), net(b)), run.losses[-1]
    assert round(abs(links["rings"])) == 1 and round(abs(links["rings-4-wide"])) == 0
    assert losses["rings-4-wide"] < losses["rings"] / 3
    assert "3 wide" in " ".join(experiment_from_table(load_scene("rings").train).describe())
    assert "4D" in " ".join(experiment_from_table(load_scene("rings-4-wide").train).describe())


def test_experiment_from_a_scene_table():
    """[train] gives the experiment; without sizes the network's own; an unknown target name is refused, listing them."""
    table = load_scene("sphere-to-cube").train
    e = experiment_from_table(table)
    assert (e.target.name, e.sizes, e.activation, e.seed, e.epochs) == ("sphere-to-cube", (3, 3, 3, 3, 3, 3), "tanh", 3, 4000)
    net = MLP.random([3, 5, 3], activation="relu", seed=0)
    e = experiment_from_table({"target": "cube-to-sphere"}, net)
    assert e.sizes == (3, 5, 3) and e.activation == "relu"
    assert e.start().sizes == [3, 5, 3]
    assert experiment_from_table(None).target.name == "cube-to-sphere"
    with pytest.raises(ModelError, match="target: unknown 'nope'; expected one of: cube-to-sphere, sphere-to-cube"):
        experiment_from_table({"target": "nope"})
    with pytest.raises(ModelError, match=r"sizes: expected \[3, ..., 3\]"):
        Experiment(TARGETS["cube-to-sphere"], sizes=(2, 3))


@pytest.mark.parametrize("text, message", [
    ('[train]\nsizes = [3, 3]', "train: missing key 'target'"),
    ('[train]\ntarget = 1', "train.target: expected a string"),
    ('[train]\ntarget = "x"\nsizes = [2, 3]', "train.sizes: expected 3 inputs and 3 outputs"),
    ('[train]\ntarget = "x"\nsizes = "wide"', "train.sizes: expected a list of widths"),
    ('[train]\ntarget = "x"\nlr = -1', "train.lr: expected a number > 0"),
    ('[train]\ntarget = "x"\nseed = 1.5', "train.seed: expected an integer >= 0"),
    ('[train]\ntarget = "x"\nspeed = 1', "train.speed: unknown key"),
])
def test_bad_train_tables_name_the_field(tmp_path, text, message):
    """A wrong [train] table: one SceneError naming the file and the field."""
    path = tmp_path / "s.toml"
    path.write_text('[[object]]\nshape = "cube"\n' + text + "\n")
    with pytest.raises(SceneError, match=message.replace("[", r"\[")):
        load_scene(path)


# ---------------------------------------------------------------------------------------- the training thread
def test_rewind_gives_the_same_loss_curve_twice():
    """Train, rewind, train again: the same losses, epoch for epoch, and the same as a plain Training run."""
    experiment, points = small()
    live = LiveTraining(experiment, points, running=True, publish_every_s=0.0)
    try:
        first = live.wait_for_epoch(60).losses[:60]
        live.rewind()
        assert live.snapshot().epoch == 0 and live.snapshot().losses == ()
        second = live.wait_for_epoch(60).losses[:60]
    finally:
        live.close()
    assert len(first) == 60 and first == second
    plain = experiment.training(points)
    for _ in range(60):
        plain.run_epoch()
    assert tuple(plain.losses) == first


def test_snapshots_are_new_networks_that_training_never_changes():
    """A published network keeps its weights while training goes on; each publication is a new MLP."""
    experiment, points = small()
    live = LiveTraining(experiment, points, running=True, publish_every_s=0.0)
    try:
        early = live.wait_for_epoch(5)
        kept = [np.array(l.W) for l in early.mlp.layers]
        later = live.wait_for_epoch(early.epoch + 20)
    finally:
        live.close()
    assert later.mlp is not early.mlp and later.epoch > early.epoch
    for W, layer in zip(kept, early.mlp.layers):
        np.testing.assert_array_equal(layer.W, W)
    assert not later.mlp.allclose(early.mlp, atol=1e-12)


def test_pause_stops_and_budget_ends_a_run():
    """Paused, the epoch stands still; at the budget the run stops and says done; L (toggle) trains on."""
    experiment, points = small(epochs=30)
    live = LiveTraining(experiment, points, running=True, publish_every_s=0.0)
    try:
        done = live.wait_for_epoch(30)
        assert done.epoch == 30 and done.done and not done.running
        assert live.toggle() is True
        assert live.wait_for_epoch(40).epoch >= 40
        live.pause()
        stopped = live.snapshot().epoch
        live._thread.join(timeout=0.2)  # the thread waits while paused: it does not end, and trains no further
        assert live._thread.is_alive()
        assert live.snapshot().epoch == stopped and not live.snapshot().running
    finally:
        live.close()


def test_keys_l_and_backspace_in_the_state():
    """L starts training the network shown (output stage on screen), L pauses, Backspace goes back to epoch 0."""
    scene = load_scene("cube-to-sphere")
    state = ViewerState(scene, (320, 240), scenes=[])
    state.key("backspace")
    assert state.lab is None and "L starts" in state.status
    state.set_morph(Morph(MLP.load(scene.mlp), scene.world_points()), "cube-to-sphere.safetensors")
    try:
        state.key("l")
        assert state.lab is not None and state.lab.training.running
        assert state.player.stage_index == state.player.n_stages - 1 and state.player.t == 1.0
        state.lab.training.wait_for_epoch(10)
        state.key("l")
        assert not state.lab.training.running
        state.key("backspace")
        assert state.lab.training.snapshot().epoch == 0 and "rewound" in state.status
        assert any(line.startswith("live training: epoch 0") for line in state.lab.lines())
    finally:
        state.close_lab()


def test_l_without_a_network_says_so():
    state = ViewerState(load_scene("platonic"), (320, 240), scenes=[])
    state.key("l")
    assert state.lab is None and "no network to train" in state.status


# ---------------------------------------------------------------------------------------- the learning GIF
def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_learning_gif_is_deterministic_with_the_seed(tmp_path):
    """render_learning twice with one seed: the same GIF, sheet and model, byte for byte; another seed, another GIF."""
    scene = load_scene("cube-to-sphere")
    experiment = experiment_from_table(scene.train)
    runs = []
    for k, seed in enumerate((1, 1, 2)):
        result = render_learning(scene, experiment.with_options(seed=seed), tmp_path / str(k), (96, 72), frames=4,
                                 epochs=30, backend="cpu")
        runs.append(result)
    assert [digest(runs[0][key]) for key in ("gif", "sheet", "model")] == \
        [digest(runs[1][key]) for key in ("gif", "sheet", "model")]
    assert digest(runs[0]["gif"]) != digest(runs[2]["gif"])
    assert runs[0]["frames"] == 4 and len(runs[0]["losses"]) == 30
    # the saved network is the one trained: Training run alone gives the same weights
    plain = experiment.with_options(seed=1).training(scene.world_points())
    for _ in range(30):
        plain.run_epoch()
    assert MLP.load(runs[0]["model"]).allclose(plain.network(), atol=1e-6)  # float32 in the file


def test_render_train_command_writes_the_learning(tmp_path, capsys):
    """affine3d render SCENE --train --frames N --stages: learning.gif with N frames, the trained stages, one line each."""
    from PIL import Image

    out = tmp_path / "learn"
    code = main(["render", "sphere-to-cube", "--train", "--frames", "3", "--epochs", "20", "--stages", "--backend", "cpu",
                 "--size", "80x60", "-o", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "learning.gif (3 frames: epochs 0 to 20)" in text and "stage PNGs of the trained network" in text
    with Image.open(out / "learning.gif") as gif:
        assert gif.n_frames == 3 and gif.size == (80, 60)
    assert (out / "forward-pass.gif").is_file() and (out / "trained.safetensors").is_file()


@pytest.mark.parametrize("args, message", [
    (["platonic", "--train"], "--train: the scene 'Platonic solids' has no network"),
    (["cube-to-sphere", "--train", "--frames", "1"], "--frames: with --train, expected 2 or more"),
    (["cube-to-sphere", "--train", "--target", "nope"], "target: unknown 'nope'"),
    (["cube-to-sphere", "--seed", "3"], "--seed: only with --train"),
])
def test_render_train_bad_input(args, message, capsys):
    assert main(["render", *args, "--backend", "cpu"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err


def test_your_own_target_script_writes_its_gif(tmp_path):
    """scenes/lab_twist.py --gif: a user's Python function trained and written as a GIF; the network learnt the twist."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "scenes" / "lab_twist.py"
    done = subprocess.run([sys.executable, str(script), "--gif", str(tmp_path), "--frames", "3", "--epochs", "400",
                           "--size", "80x60", "--backend", "cpu"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "learning.gif (3 frames)" in done.stdout
    net = MLP.load(tmp_path / "trained.safetensors")
    assert net.sizes == [3, 8, 8, 3] and net.metadata["target"] == "twist"
    x = load_scene("cube-to-sphere").objects[0].mesh.vertices
    angle = 1.5 * x[:, 1]
    twisted = np.column_stack([x[:, 0] * np.cos(angle) - x[:, 2] * np.sin(angle), x[:, 1],
                               x[:, 0] * np.sin(angle) + x[:, 2] * np.cos(angle)])
    assert np.mean((net(x) - twisted) ** 2) < 0.02  # learnt (the untrained start is ~0.3 away)
    assert np.mean((experiment_from_table(None, None, Target("t", lambda p: p, sizes=(3, 8, 8, 3))).start()(x)
                    - twisted) ** 2) > 0.1


def test_your_own_target_script_without_a_display_draws_offscreen_in_one_line(tmp_path):
    """python scenes/lab_twist.py with no DISPLAY: exit 0, one line on stderr, the viewer drawn into lab-twist.png."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from PIL import Image

    script = Path(__file__).resolve().parent.parent / "scenes" / "lab_twist.py"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("no display") and "lab-twist.png" in lines[0], done.stderr
    with Image.open(tmp_path / "lab-twist.png") as image:
        pixels = np.asarray(image.convert("RGB")).astype(int)
    assert image.size == (960, 720) and pixels.std() > 10  # the overlay and the cube, not a blank frame
