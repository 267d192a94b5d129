"""The viewer with a network warping the scene, headless (pyglet's offscreen EGL window): keys step, scrub, play."""

import sys

import pyglet

# Before anything imports pyglet.window: the window is then an offscreen EGL surface (no display).
if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_morph_viewer.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from affine3d.nn.mlp import MLP  # noqa: E402
from affine3d.nn.morph import Morph  # noqa: E402
from affine3d.projection import project_points  # noqa: E402
from affine3d.resources import scene_dir  # noqa: E402
from affine3d.geometry.scene import load_scene  # noqa: E402
from affine3d.app.state import HELP_TEXT, ViewerState
from affine3d.app.window import Viewer  # noqa: E402

SIZE = (320, 240)
KEY = pyglet.window.key


@pytest.fixture
def viewer():
    """A headless viewer on the cube-to-sphere scene (its mlp key names the network), 320x240, no MSAA."""
    v = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False, samples=0, scenes=["cube-to-sphere", "platonic"])
    yield v
    v.close()


def press(v, symbol, modifiers=0):
    v.window.dispatch_event("on_key_press", symbol, modifiers)
    v.window.dispatch_events()


def covered_box(image, background):
    """(x_min, x_max, y_min, y_max) of the pixels that differ from the background, as pixel edges."""
    bg = np.round(np.asarray(background) * 255).astype(int)
    rows, cols = np.nonzero(np.any(np.abs(image[..., :3].astype(int) - bg) > 8, axis=2))
    return cols.min(), cols.max() + 1, rows.min(), rows.max() + 1


def expected_box(v, points_world):
    """The same box from the CPU: the warped vertices through the viewer's world map and projection."""
    pixels = project_points(v.state.projection(), v.state.world(points_world), v.renderer.size)
    return pixels[:, 0].min(), pixels[:, 0].max(), pixels[:, 1].min(), pixels[:, 1].max()


def hud_value(v, prefix):
    return next(line for line in v.hud_text.splitlines() if line.startswith(prefix))


def test_right_steps_through_the_stages_and_the_picture_follows(viewer):
    """Right pauses at the end of each stage in turn; the HUD names it and the solid drawn is the CPU's warped cube."""
    scene = viewer.state.scene
    mlp = MLP.load(scene.mlp)
    x = scene.objects[0].mesh.vertices
    morph = Morph(mlp, x)
    keys = morph.keyframes(x)
    names = []
    for k in range(morph.n_stages):
        press(viewer, KEY.RIGHT)
        viewer.step(0.0)
        assert not viewer.state.player.playing
        stage, t = viewer.state.morph_frame()
        assert (stage.index, t) == (k, 1.0)
        names.append(hud_value(viewer, "layer "))
        viewer.state.show_hud = False  # the picture alone
        viewer.step(0.0)
        got = covered_box(viewer.read(), scene.background)
        want = expected_box(viewer, keys[k + 1])
        assert np.all(np.abs(np.array(got) - np.array(want)) <= 1.5), (stage.name, got, want)
        viewer.state.show_hud = True
    assert [n.split("   t =")[0] for n in names] == [s.name for s in morph.stages]
    assert "t = 1.00" in names[-1]


def test_hud_shows_the_layer_matrix_det_and_singular_values(viewer):
    """At a stage the overlay shows W | b of its layer, det W, det A(t) and the singular values, from the model's numbers."""
    mlp = MLP.load(viewer.state.scene.mlp)
    press(viewer, KEY.RIGHT)
    press(viewer, KEY.PERIOD)  # then a twentieth into stage 2 (the first tanh)
    press(viewer, KEY.COMMA)
    press(viewer, KEY.COMMA)  # back: 0.95 of the way through stage 1 (the first affine)
    viewer.step(0.0)
    stage, t = viewer.state.morph_frame()
    assert stage.index == 0 and t == pytest.approx(0.95)
    text = viewer.hud_text
    W = mlp.layers[0].W
    assert "layer 1 of 5: affine   t = 0.95" in text
    assert f"det W1 = {np.linalg.det(W):.2f}" in text
    assert f"det A(t) = {np.linalg.det(0.05 * np.eye(3) + 0.95 * W):.2f}" in text
    assert ", ".join(f"{s:.2f}" for s in np.linalg.svd(W, compute_uv=False)) in text
    row = " ".join(f"{round(v, 2) + 0.0:6.2f}" for v in W[0])  # the first row of W1, then b1's first entry
    assert f"[{row} ] [{round(mlp.layers[0].b[0], 2) + 0.0:6.2f}]" in text


def test_playing_advances_while_the_mouse_turns_the_world(viewer):
    """Playing (the default), time moves the stages on; a drag meanwhile turns the world and the animation keeps going."""
    state = viewer.state
    assert state.player.playing and state.player.at_input
    for _ in range(10):
        viewer.step(0.25)
    first = state.player.position
    assert first > 0
    before = state.world.matrix.copy()
    for event, args in (("on_mouse_press", (160, 120, pyglet.window.mouse.LEFT, 0)),
                        ("on_mouse_drag", (220, 120, 60, 0, pyglet.window.mouse.LEFT, 0)),
                        ("on_mouse_release", (220, 120, pyglet.window.mouse.LEFT, 0))):
        viewer.window.dispatch_event(event, *args)
        viewer.step(0.25)
    assert not np.allclose(state.world.matrix, before)  # the world turned
    assert state.player.position > first and state.player.playing  # and the network kept playing


def test_m_pauses_home_and_end(viewer):
    """M pauses and plays; End shows the network's output (the sphere), Home the input (the cube)."""
    state = viewer.state
    press(viewer, KEY.M)
    assert not state.player.playing
    position = state.player.position
    viewer.step(1.0)
    assert state.player.position == position
    press(viewer, KEY.END)
    viewer.step(0.0)
    assert state.morph_frame()[0].index == state.morph.n_stages - 1 and state.morph_frame()[1] == 1.0
    mlp = MLP.load(state.scene.mlp)
    x = state.scene.objects[0].mesh.vertices
    state.show_hud = False
    viewer.step(0.0)
    got = covered_box(viewer.read(), state.scene.background)
    assert np.all(np.abs(np.array(got) - np.array(expected_box(viewer, mlp(x)))) <= 1.5)
    press(viewer, KEY.HOME)
    state.show_hud = True
    viewer.step(0.0)
    assert state.player.at_input and "input: the scene before layer 1" in viewer.hud_text
    press(viewer, KEY.M)
    assert state.player.playing


def test_switching_to_a_scene_without_a_network_and_back(viewer):
    """Tab to a scene without an mlp key: no network lines; back again: the network plays from the input."""
    press(viewer, KEY.TAB)
    viewer.step(0.0)
    assert viewer.state.player is None and "network" not in viewer.hud_text
    press(viewer, KEY.TAB)
    viewer.step(0.0)
    assert viewer.state.player is not None and "network cube-to-sphere.safetensors" in viewer.hud_text


def test_mlp_given_to_the_viewer_warps_any_scene():
    """Viewer(scene, mlp=...) warps a scene that names no network; its keys are in the help."""
    mirror = MLP.from_arrays([np.diag([-1.0, 1.0, 1.0])], activations=["tanh"])
    v = Viewer(load_scene("shapes"), SIZE, visible=False, samples=0, mlp=mirror, scenes=[])
    try:
        v.step(0.0)
        assert [s.name for s in v.state.morph.stages] == ["layer 1 of 1: affine", "layer 1 of 1: tanh"]
        assert "det W1 = -1.00" not in v.hud_text  # at the input: no layer yet
        press(v, KEY.RIGHT)
        v.step(0.0)
        assert "det W1 = -1.00  < 0: turns the solid inside out" in v.hud_text
    finally:
        v.close()
    assert "play / pause the forward pass" in HELP_TEXT and "scrub" in HELP_TEXT


def test_state_without_a_window_knows_the_keys():
    """ViewerState alone: set_morph, the keys and the HUD lines, no GL; M without a network says how to get one."""
    scene = load_scene("cube-to-sphere")
    state = ViewerState(scene, SIZE, scenes=[])
    assert state.key("m") is None and "no network" in state.status
    state.set_morph(Morph(MLP.load(scene.mlp)), "net")
    state.key("right")
    state.key("right")
    assert state.morph_frame()[0].name == "layer 1 of 5: tanh"
    state.key("left")
    assert state.morph_frame()[0].name == "layer 1 of 5: affine" and state.morph_frame()[1] == 1.0
    assert any(line.startswith("network net 3-3-3-3-3-3") for line in state.hud_lines())


def test_view_command_with_mlp_offscreen(tmp_path, capsys):
    """`affine3d view --mlp MODEL --offscreen --frames N --screenshot` draws the warped default cube and saves it."""
    from affine3d.cli import main

    path = tmp_path / "view.png"
    code = main(["view", "--mlp", str(scene_dir() / "cube-to-sphere.safetensors"), "--offscreen", "--frames", "3",
                 "--screenshot", str(path), "--size", "160x120", "--samples", "0"])
    out, err = capsys.readouterr()
    assert code == 0 and path.is_file()


def test_view_command_refuses_a_bad_model(tmp_path, capsys):
    """`view --mlp` with a 2-output network: exit 2, one line naming the width."""
    from affine3d.cli import main

    path = tmp_path / "bad.safetensors"
    MLP.random([3, 4, 2]).save(path)
    code = main(["view", "--mlp", str(path), "--offscreen", "--frames", "1"])
    out, err = capsys.readouterr()
    assert code == 2 and "expected 3 outputs (a point of 3D space), got 2" in err


def test_network_panel_sits_beside_the_world_matrix_and_both_show_their_lines(viewer):
    """At 960x720 the network's panel is top right, clear of the world panel; in a narrow window it goes under it."""
    press(viewer, KEY.RIGHT)  # the 320x240 fixture: too narrow for both side by side
    viewer.step(0.0)
    wx, wy, ww, wh = viewer.hud_boxes()["world"]
    nx, ny, nw, nh = viewer.hud_boxes()["network"]
    assert nx == wx and ny + nh <= wy  # stacked, not overlapping
    v = Viewer(load_scene("cube-to-sphere"), (960, 720), visible=False, samples=0, scenes=[])
    try:
        press(v, KEY.RIGHT)
        v.step(0.0)
        boxes = v.hud_boxes()
        wx, wy, ww, wh = boxes["world"]
        nx, ny, nw, nh = boxes["network"]
        assert wy + wh == 716 and ny + nh == 716  # both hang from the top edge
        assert nx >= wx + ww and nx + nw <= 960  # side by side, inside the window
        assert v.hud_text == v.state.hud_text()  # the two panels together show the state's lines
        assert "layer 1 of 5: affine" in v.hud_text and "det A" in v.hud_text
        v.state.show_hud = False
        v.step(0.0)
        image = v.read()
        v.state.show_hud = True
        v.step(0.0)
        changed = np.any(image != v.read(), axis=2)  # the pixels the overlay covers
        assert changed[720 - (ny + nh):720 - ny, nx:nx + nw].mean() > 0.9  # the network's box is drawn there
    finally:
        v.close()


def test_caption_names_a_network_that_is_not_the_scenes_own():
    """The bottom line is the scene's description with its own network; with another one (--mlp) it names that one."""
    scene = load_scene("cube-to-sphere")
    state = ViewerState(scene, SIZE, scenes=[])
    assert state.caption() == scene.description
    state.set_morph(Morph(MLP.load(scene.mlp)), scene.mlp.name)
    assert state.caption() == scene.description
    state.set_morph(Morph(MLP.random([3, 8, 3])), "wide.onnx")
    assert "warped by wide.onnx (3-8-3)" in state.caption() and "3-3-3-3-3-3" not in state.caption()
