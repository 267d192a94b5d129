"""The viewer as a figure maker: the same frames every scripted run, a chosen moment, text for a projector,
the scene framed clear of the panels, the N key's wrong normals, the hatching named in the overlay.

Headless (pyglet's offscreen EGL window) in this process, like tests/test_viewer.py; the real-window runs under
Xvfb are subprocesses.
"""

import json
import math
import shutil
import subprocess
import sys

import pyglet

if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_viewer_figures.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, strategies as st  # noqa: E402
from PIL import Image  # noqa: E402

from affine3d import MLP, Affine  # noqa: E402
from affine3d.app.state import DEFAULT_SPIN, FRAME_FILL, SCENE_SHARE, free_box  # noqa: E402
from affine3d.app.window import SMALLEST_HUD_SCALE, Viewer  # noqa: E402
from affine3d.cli import main  # noqa: E402
from affine3d.commands.render import world_rotation  # noqa: E402
from affine3d.geometry.scene import list_scenes, load_scene  # noqa: E402
from affine3d.geometry.shading import INSIDE_LEGEND  # noqa: E402
from affine3d.gl.context import create_context  # noqa: E402
from affine3d.gl.renderer import render  # noqa: E402
from affine3d.app.player import StagePlayer  # noqa: E402
from affine3d.projection import project_points  # noqa: E402
from affine3d.render import MorphingScene  # noqa: E402

STEP = 1 / 60


def pixels(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


# ---------------------------------------------------------------------------- a fixed step per frame
def test_a_scripted_run_advances_a_fixed_step_per_frame_and_draws_the_same_frame_twice(tmp_path):
    """run(frames=30): the clock is 29/60 s at frame 30 whatever the wall clock did; the network's player is where
    29 steps of 1/60 s put it; the overlay's clock line says so; two runs save the same PNG, byte for byte."""
    scene = load_scene("cube-to-sphere")
    saved = []
    for k in range(2):
        v = Viewer(scene, (320, 240), samples=4, visible=False, scenes=[])
        v.state.spinning = True  # the world turns too: about y by spin_rate * t
        path = tmp_path / f"run{k}.png"
        v.run(frames=30, screenshot=path, announce=False)
        saved.append(path.read_bytes())
        assert v.state.frames == 30 and v.state.clock_s == pytest.approx(29 * STEP, abs=1e-12)
        reference = StagePlayer(v.state.player.n_stages)
        for _ in range(29):
            reference.update(STEP)
        assert v.state.player.position == pytest.approx(reference.position, abs=1e-12)
        # the arcball's auto-spin turns about the camera's vertical axis: rotation_y(rate t) @ the start
        assert not scene.spin and v.state.rotation.allclose(
            Affine.rotation_y(DEFAULT_SPIN * 29 * STEP) @ scene.world_rotation, atol=1e-9)
        assert "clock       frame 30, 0.483 s (fixed 1/60 s steps)" in v.hud_text
        assert "fps" not in v.hud_text
    assert saved[0] == saved[1]


def xvfb():
    if shutil.which("xvfb-run") is None:
        pytest.fail("xvfb-run not found: install Xvfb (apt-get install xvfb xauth) to test the viewer window")
    return ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]


@pytest.mark.parametrize("args", [["cube-to-sphere", "--frames", "30", "--stage", "3", "--t", "0.5"],
                                  ["obj-model", "--frames", "30", "--no-hud"]])
def test_the_same_command_under_xvfb_saves_the_same_png_twice(tmp_path, args):
    """In a real X window (Xvfb), the issue's commands run twice give identical files, overlay included."""
    for name in ("a.png", "b.png"):
        result = subprocess.run([*xvfb(), sys.executable, "-m", "affine3d", "view", *args, "--screenshot", name],
                                cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


# ---------------------------------------------------------------------------- --stage, --t, --yaw, --pitch
def test_view_stage_and_t_show_that_moment(tmp_path, capsys):
    """view --stage 3 --t 0.5 (overlay hidden): the picture MorphingScene draws at stage index 2, t = 0.5."""
    path = tmp_path / "v.png"
    assert main(["view", "cube-to-sphere", "--offscreen", "--frames", "3", "--stage", "3", "--t", "0.5", "--no-hud",
                 "--size", "240x180", "--samples", "0", "--screenshot", str(path)]) == 0
    scene = load_scene("cube-to-sphere")
    ctx = create_context()
    try:
        with MorphingScene(ctx, scene, MLP.load(scene.mlp), (240, 180), samples=0) as morphing:
            expected = morphing.render(2, 0.5)[..., :3]
            later = morphing.render(2, 0.6)[..., :3]
    finally:
        ctx.release()
    assert np.array_equal(pixels(path), expected) and not np.array_equal(pixels(path), later)


def test_view_yaw_and_pitch_turn_the_world_as_render_does(tmp_path):
    """view --yaw 40 --pitch -15 (overlay hidden) is render's picture with the same angles."""
    path = tmp_path / "v.png"
    assert main(["view", "shapes", "--offscreen", "--no-hud", "--yaw", "40", "--pitch", "-15", "--size", "240x180",
                 "--samples", "0", "--screenshot", str(path)]) == 0
    scene = load_scene("shapes")
    expected = render(scene, (240, 180), scene.world(world_rotation(scene, 40, -15)), samples=0)[..., :3]
    plain = render(scene, (240, 180), samples=0)[..., :3]
    image = pixels(path)
    assert (np.abs(image.astype(int) - expected).max(axis=2) <= 8).mean() > 0.995
    assert not np.array_equal(image, plain)


@pytest.mark.parametrize("argv, message", [
    (["view", "--stage", "1"], "has no network"),
    (["view", "cube-to-sphere", "--t", "0.5"], "--t: a time within a stage"),
    (["view", "cube-to-sphere", "--stage", "12"], "--stage: expected 0 (the input) to 9"),
    (["view", "--hud-scale", "0"], "--hud-scale: expected a factor above 0"),
    (["view", "--yaw", "nan"], "--yaw: expected a finite number"),
])
def test_view_flag_mistakes_are_one_line(argv, message, capsys):
    assert main([*argv, "--offscreen"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


# ---------------------------------------------------------------------------- text for a projector
def line_height(viewer):
    viewer.step(0.0)
    x, y, w, h = viewer.hud_boxes()["world"]
    return h / len(viewer.state.world_lines())


@pytest.mark.parametrize("size, hud_scale, factor", [((1920, 1080), 1.0, 1.5), ((1920, 1440), 1.0, 2.0),
                                                     ((1920, 1440), 1.25, 2.5)])
def test_overlay_text_grows_with_the_window_and_hud_scale(size, hud_scale, factor):
    """The overlay's lines are `factor` times as tall as at 960 x 720 (min of the width and height ratios, times
    --hud-scale): 1.5 at 1920 x 1080 (the shear scene's one panel leaves the scene its half of the window)."""
    scene = load_scene("shear")
    base = Viewer(scene, (960, 720), samples=0, visible=False, scenes=[])
    big = Viewer(scene, size, samples=0, visible=False, scenes=[], hud_scale=hud_scale)
    try:
        ratio = line_height(big) / line_height(base)
    finally:
        base.close()
        big.close()
    assert ratio == pytest.approx(factor, rel=0.08)


def test_text_too_large_for_the_window_shrinks_until_the_scene_keeps_half_of_it():
    """--hud-scale 2 at 960 x 720: the world panel would cover most of the window; its text shrinks (below 2x,
    not below SMALLEST_HUD_SCALE) until the scene's box is SCENE_SHARE of the window; the panels stay inside it."""
    v = Viewer(load_scene("shear"), (960, 720), samples=0, visible=False, scenes=["shear", "platonic"], hud_scale=2.0)
    try:
        v.step(0.0)
        x, y, w, h = v.state.scene_box()
        assert w * h >= SCENE_SHARE * 960 * 720
        assert SMALLEST_HUD_SCALE <= v._hud_font_scale < 2.0
        assert_overlay_fits(v, "shear at 960 x 720, hud 2")
        v.state.key("tab")  # another scene starts again from the window's own scale, and shrinks as far as it needs
        v._load_renderer()  # what the window does for the key (on_key_press)
        v.step(0.0)
        assert SMALLEST_HUD_SCALE <= v._hud_font_scale < 2.0
        assert_overlay_fits(v, f"{v.state.scene.name} at 960 x 720, hud 2")
    finally:
        v.close()


RESIZE = """
import json
from affine3d import load_scene
from affine3d.app.window import Viewer

v = Viewer(load_scene("shear"), (960, 720), samples=0, scenes=[])

def line_height():
    v.step(0.0)
    return v.hud_boxes()["world"][3] / len(v.state.world_lines())

before = line_height()
v.window.set_size(1920, 1440)
for _ in range(50):
    v.step(0.0)
    if v.window.get_size() == (1920, 1440):
        break
print(json.dumps({"size": list(v.window.get_size()), "ratio": line_height() / before}))
v.close()
"""


def test_resizing_a_real_window_resizes_the_text(tmp_path):
    """Under Xvfb: a 960 x 720 window made 1920 x 1440 shows its overlay twice as large."""
    (tmp_path / "resize.py").write_text(RESIZE)
    result = subprocess.run([*xvfb(), sys.executable, "resize.py"], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["size"] == [1920, 1440] and report["ratio"] == pytest.approx(2.0, rel=0.08)


# ---------------------------------------------------------------------------- framing clear of the panels
def poses(viewer):
    """The views to check: the start; a full turn of spin in 45-degree steps for a spinning scene; every stage's
    middle and end for a scene with a network."""
    state = viewer.state
    yield "start"
    if state.scene.spin:
        for k in range(1, 8):
            state.controller.spin(math.radians(45))
            yield f"spun {45 * k} deg"
        state.reset()
    if state.player is not None:
        for index in range(state.player.n_stages):
            for t in (0.5, 1.0):
                state.show_moment(index, t)
                yield f"stage {index + 1}, t = {t}"


@pytest.mark.parametrize("name", list_scenes())
def test_no_object_of_a_shipped_scene_lies_under_a_panel_at_the_default_size(name):
    """At 960 x 720, with the overlay on, every pixel of the scene alone (drawn with the viewer's framed projection)
    under the world panel, the network panel and the status line is background: nothing hides under the overlay."""
    v = Viewer(load_scene(name), (960, 720), samples=0, visible=False, scenes=[])
    background = np.round(np.asarray(v.state.scene.background) * 255).astype(int)
    try:
        for pose in poses(v):
            v.step(0.0)  # moves the vertices, lays out the overlay and frames the scene
            state = v.state
            v.renderer.draw(state.world, ortho=state.ortho, wireframe=state.wireframe, projection=state.projection())
            scene_only = v.renderer.read()[..., :3].astype(int)
            drawn = np.any(scene_only != background, axis=2)
            assert drawn.sum() > 100, pose  # the scene is there
            for panel, box in v.hud_boxes().items():
                if box is None:
                    continue
                x, y, w, h = box
                if panel == "status":  # the caption's descenders reach below its baseline
                    y, h = 0, y + h
                rows = slice(max(720 - (y + h), 0), 720 - y)
                covered = drawn[rows, max(x, 0) : x + w]
                assert not covered.any(), f"{name}, {pose}: {covered.sum()} scene pixels under the {panel} panel"
    finally:
        v.close()


def test_hiding_the_overlay_gives_the_scene_the_whole_window():
    """H: no panels, so the projection is the camera's own at the window's aspect (no box)."""
    v = Viewer(load_scene("platonic"), (960, 720), samples=0, visible=False, scenes=[])
    try:
        v.step(0.0)
        assert v.state.scene_box() is not None
        v.state.key("h")
        v.step(0.0)
        assert v.state.scene_box() is None
        assert np.array_equal(v.state.projection(), v.state.scene.projection(960 / 720, v.state.ortho))
    finally:
        v.close()


@given(st.lists(st.tuples(st.integers(0, 900), st.integers(0, 600), st.integers(1, 500), st.integers(1, 400)),
                max_size=3))
def test_free_box_overlaps_no_rectangle_and_cannot_grow(rects):
    """free_box: inside the image, overlapping none of the rectangles, and maximal: one more pixel on any side
    would leave the image or cover a rectangle (a larger box would have won)."""
    box = free_box((900, 600), rects)
    if box is None:
        return
    x, y, w, h = box
    hits = lambda x, y, w, h: any(x < rx + rw and rx < x + w and y < ry + rh and ry < y + h for rx, ry, rw, rh in rects)  # noqa: E731
    assert 0 <= x and 0 <= y and x + w <= 900 and y + h <= 600 and w > 0 and h > 0
    assert not hits(x, y, w, h)
    for grown in ((x - 1, y, w + 1, h), (x, y - 1, w, h + 1), (x, y, w + 1, h), (x, y, w, h + 1)):
        gx, gy, gw, gh = grown
        assert gx < 0 or gy < 0 or gx + gw > 900 or gy + gh > 600 or hits(*grown), grown


# The window sizes and overlay scales the README names (a laptop, a 720p and a 1080p projector; --hud-scale 1.5).
SCREENS = [((800, 600), 1.0), ((1280, 720), 1.0), ((1280, 720), 1.5), ((1920, 1080), 1.0), ((1920, 1080), 1.5)]


@pytest.mark.parametrize("size, hud_scale", SCREENS)
def test_the_scene_fills_the_room_the_panels_leave(size, hud_scale):
    """Platonic, shear, cube-to-sphere at each README size and overlay scale, turned and played: every drawn pixel
    lies in the free box, off the window's border; the box is centred on the world's origin, and the sphere that
    holds the scene (sampled on its surface, projected as the GPU does) fills FRAME_FILL of the box's smaller side."""
    width, height = size
    for name in ("platonic", "shear", "cube-to-sphere"):
        v = Viewer(load_scene(name), size, samples=0, visible=False, scenes=[], hud_scale=hud_scale)
        background = np.round(np.asarray(v.state.scene.background) * 255).astype(int)
        try:
            v.step(0.0)
            state = v.state
            box = state.scene_box()
            assert box is not None, (name, size, hud_scale)
            bx, by, bw, bh = box
            # The sphere about the world's origin, radius frame_radius, at the camera's distance: its outline.
            d, r = state.scene.camera.distance, state.frame_radius()
            directions = np.random.default_rng(0).standard_normal((4000, 3))
            sphere = r * directions / np.linalg.norm(directions, axis=1, keepdims=True) + [0.0, 0.0, -d]
            P = state.projection()
            centre = project_points(P, [[0.0, 0.0, -d]], (width, height))[0, :2]
            np.testing.assert_allclose(centre, [bx + bw / 2, by + bh / 2], atol=0.5)
            reach = np.linalg.norm(project_points(P, sphere, (width, height))[:, :2] - centre, axis=1).max()
            assert reach == pytest.approx(FRAME_FILL * min(bw, bh) / 2, rel=0.01), (name, size, hud_scale)
            turns = [0, 90, 90] if state.player is None else [0, 120]
            moments = [None] if state.player is None else [(2, 0.5), (state.player.n_stages - 1, 1.0)]
            for moment in moments:
                if moment is not None:
                    state.show_moment(*moment)
                for angle in turns:
                    state.controller.spin(math.radians(angle))
                    v.step(0.0)  # the network panel may have grown: the box is the one this frame has
                    bx, by, bw, bh = state.scene_box()
                    v.renderer.draw(state.world, ortho=state.ortho, wireframe=state.wireframe, projection=state.projection())
                    drawn = np.any(v.renderer.read()[..., :3].astype(int) != background, axis=2)
                    where = f"{name} {size} hud {hud_scale}, {moment}, +{angle} deg"
                    assert drawn.sum() > 200, where
                    rows, cols = np.nonzero(drawn)
                    top = rows  # read() gives the top row first, as the box counts
                    assert top.min() >= by and top.max() < by + bh and cols.min() >= bx and cols.max() < bx + bw, where
                    assert not (drawn[0].any() or drawn[-1].any() or drawn[:, 0].any() or drawn[:, -1].any()), where
                    if angle == 0 and moment is None:  # the scene's own view (a row seen end-on after 90 deg is thin)
                        assert max(cols.max() - cols.min(), top.max() - top.min()) >= 0.4 * min(bw, bh), where
        finally:
            v.close()


# ---------------------------------------------------------------------------- N and the hatching, in the overlay
def test_n_lights_with_A_n_and_the_overlay_says_which():
    """In the shear scene N switches the lighting to A n: the sheared and squashed solids change, the overlay's
    normals line says A n and WRONG; N again restores the normal matrix, pixel for pixel."""
    v = Viewer(load_scene("shear"), (480, 360), samples=0, visible=False, scenes=[])
    try:
        for _ in range(2):  # the world panel widens for the "A n: WRONG" line and stays that wide: frame it so first
            v.state.key("n")
            v.step(0.0)
        right = v.read()
        assert "normal matrix" in v.hud_text and "WRONG" not in v.hud_text
        v.state.key("n")
        v.step(0.0)
        wrong = v.read()
        assert "A n: WRONG" in v.hud_text
        changed = np.abs(wrong.astype(int) - right).max(axis=2) > 6
        assert changed.sum() > 300
        v.state.key("n")
        v.step(0.0)
        box = v.state.scene_box()  # the scene's band, under the world panel and above the status line
        back = v.read()[box[1] : box[1] + box[3], box[0] : box[0] + box[2]]
        assert np.array_equal(back, right[box[1] : box[1] + box[3], box[0] : box[0] + box[2]])
    finally:
        v.close()


def test_overlay_names_the_hatching_while_a_solid_is_inside_out():
    """cube-to-sphere at stage 3, t = 0.5 (det < 0 so far): the network panel ends with the legend; at stage 1 not."""
    v = Viewer(load_scene("cube-to-sphere"), (960, 720), samples=0, visible=False, scenes=[])
    try:
        v.state.show_moment(2, 0.5)
        v.step(0.0)
        assert v.morphing.inside_out == [True] and v.hud_text.splitlines()[-1] == INSIDE_LEGEND
        v.state.show_moment(0, 1.0)
        v.step(0.0)
        assert v.morphing.inside_out == [False] and INSIDE_LEGEND not in v.hud_text
    finally:
        v.close()


# ---------------------------------------------------------------------------- every panel inside the window
def drawn_text(v):
    """Every label the overlay shows this frame: (where, left, right, baseline, height) in window points."""
    panels = dict(v._panels)
    extras = v._extras
    panels.update(training=extras.training, trace=extras.trace, basis=extras.basis_panel)
    for name, panel in panels.items():
        for i, label in enumerate(panel.labels):
            yield f"{name} line {i}", label.x, label.x + label.content_width, label.y, label.content_height
    for i, label in enumerate(label for label in extras._curve_labels if label.text):  # anchored at a far corner
        left = label.x - label.content_width if label.anchor_x == "right" else label.x
        bottom = label.y - label.content_height if label.anchor_y == "top" else label.y
        yield f"curve label {i}", left, left + label.content_width, bottom, label.content_height
    status = v._status
    if status.text:
        yield "status line", status.x, status.x + status.content_width, status.y, status.content_height
    if v.state.show_help:
        for i, label in enumerate(v._help_lines):
            yield f"help line {i}", label.x, label.x + label.content_width, label.y, label.content_height


def panel_boxes(v):
    """The boxes of the panels shown (window points, origin bottom-left), the status line's text included."""
    extras = v._extras
    boxes = {name: panel.box() for name, panel in v._panels.items()}
    boxes.update(training=extras.training.box(), trace=extras.trace.box(), basis=extras.basis_panel.box())
    boxes["status"] = v.hud_boxes()["status"]
    return {name: box for name, box in boxes.items() if box is not None}


def assert_overlay_fits(v, where):
    """No text past the window's edges (a baseline at least 2 points up: descenders stay in), no panel over another."""
    width, height = v.window.get_size()
    for what, left, right, baseline, tall in drawn_text(v):
        assert left >= 0 and right <= width and baseline >= 2 and baseline + 0.8 * tall <= height, \
            f"{where}: {what} reaches past the window ({left:.0f}..{right:.0f} x {baseline:.0f}+{tall:.0f})"
    boxes = sorted(panel_boxes(v).items())
    for i, (name, (x, y, w, h)) in enumerate(boxes):
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, f"{where}: the {name} panel leaves the window"
        for other, (ox, oy, ow, oh) in boxes[i + 1:]:
            assert not (x < ox + ow and ox < x + w and y < oy + oh and oy < y + h), f"{where}: {name} over {other}"


def moments(v):
    """The start, then every stage at its end (the network panel at each of its widths)."""
    yield "start"
    if v.state.player is not None:
        for index in range(v.state.player.n_stages):
            v.state.show_moment(index, 1.0)
            yield f"stage {index + 1}"


@pytest.mark.parametrize("size, hud_scale", SCREENS)
def test_every_panel_of_the_network_and_training_scenes_fits_the_window(size, hud_scale):
    """cube-to-sphere through every stage, rings training live (three panels and the loss curve, then G's basis panel
    and a picked vertex's trace), platonic with F1's help: every line of text lies inside the window, no panel lies
    over another or over the status line."""
    cases = [("cube-to-sphere", {}), ("rings", {"train": True}), ("platonic", {})]
    for name, extra in cases:
        v = Viewer(load_scene(name), size, samples=0, visible=False, scenes=[], hud_scale=hud_scale, **extra)
        try:
            if name == "platonic":
                v.state.key("f1")
            for _ in range(3 if extra else 0):  # a few frames of training: the loss curve and its labels
                v.step(1 / 60)
            for moment in moments(v):
                v.step(0.0)
                assert_overlay_fits(v, f"{name} {size} hud {hud_scale}, {moment}")
            if extra:  # G's basis panel and a clicked vertex's trace panel too: five panels and the status line
                from affine3d.app.picking import Pick

                v.state.key("g")
                v.state.picked = Pick(0, 0, 0.0)  # as a click on vertex 0 does (where it is drawn changes as it trains)
                v.step(0.0)
                assert v._extras.trace.box() is not None and v._extras.basis_panel.box() is not None
                assert_overlay_fits(v, f"{name} {size} hud {hud_scale}, G and a picked vertex")
        finally:
            v.close()


NETWORK_SCENES = [name for name in list_scenes() if load_scene(name).mlp is not None
                  or getattr(load_scene(name), "train", None) is not None]


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
@pytest.mark.parametrize("name", list_scenes())
def test_on_a_projector_the_scene_keeps_half_of_the_screen(name, size):
    """At 1280 x 720 and 1920 x 1080 with --hud-scale 1.5, every shipped scene (a network's at every stage): the box
    the scene is framed in is at least SCENE_SHARE of the window (the panels' text shrinks until it is), and the
    panels still fit."""
    width, height = size
    v = Viewer(load_scene(name), size, samples=0, visible=False, scenes=[], hud_scale=1.5)
    try:
        assert (v.state.player is not None) == (name in NETWORK_SCENES), name  # the network panel is there
        for moment in moments(v):
            v.step(0.0)
            x, y, w, h = v.state.scene_box()
            assert w * h >= SCENE_SHARE * width * height, f"{name} {size}, {moment}: the scene keeps {w * h / (width * height):.0%}"
            assert_overlay_fits(v, f"{name} {size}, {moment}")
        assert v._hud_font_scale > 1.0, name  # shrunk only as far as needed: still larger than at 960 x 720
    finally:
        v.close()


# ---------------------------------------------------------------------------- the HUD in the reader's language
@pytest.fixture
def polish():
    from affine3d.i18n import use_language

    use_language("pl")
    try:
        yield
    finally:
        use_language(None)


def test_the_hud_and_the_key_help_speak_polish(polish):
    """Under use_language("pl"): the world and network panels (mid-stage, inside out, with the path notes), a scene
    with no network, F1's help in the window and help_text itself hold no English word; matrices and numbers stay."""
    from affine3d import i18n
    from affine3d.app.keys import help_text
    from _english import english_words

    texts = {"help_text": help_text("desktop", i18n._)}
    for name, moment in (("cube-to-sphere", (2, 0.5)), ("shear", None)):
        v = Viewer(load_scene(name), (960, 720), samples=0, visible=False, scenes=[])
        try:
            if moment is not None:
                v.state.show_moment(*moment)
            v.state.key("f1")
            v.step(0.0)
            texts[f"{name} HUD"] = v.hud_text
            texts[f"{name} caption"] = v.state.caption()
            texts[f"{name} F1"] = "\n".join(label.text for label in v._help_lines)
            for key in ("p", "t", "space"):  # other states of the panel's rows
                v.state.key(key)
            v.step(0.0)
            texts[f"{name} HUD, keys P T space"] = v.hud_text
        finally:
            v.close()
    for where, text in texts.items():
        assert english_words(text) == [], f"{where}: {english_words(text)}\n{text}"
    hud = texts["cube-to-sphere HUD"]
    assert "współrzędne świata" in hud and "wartości osobliwe" in hud and "macierz normalnych" in hud
    assert "[   0.866   0.000   0.500 |   0.000 ]" in hud  # a matrix printout is never translated
    assert "rzutowanie prostokątne" not in hud and "prostokątne" in texts["cube-to-sphere HUD, keys P T space"]


def test_every_shipped_scenes_name_and_caption_is_in_the_catalogue(polish):
    """geometry/scene_texts.py holds each shipped scene file's name and description (a file that changes its words fails
    here), and the viewer shows them from the catalogue: in Polish, different from the file's English."""
    from affine3d.geometry.scene_texts import SCENE_TEXTS, scene_words

    for name in list_scenes():
        scene = load_scene(name)
        for text in (scene.name, scene.description):
            assert text in SCENE_TEXTS, f"{name}: {text!r} is not in geometry/scene_texts.py"
            assert scene_words(text) != text, f"{name}: {text!r} has no Polish"
    assert scene_words("My own scene") == "My own scene"


def test_the_english_word_check_finds_the_english_hud():
    """The same check on the English HUD finds English words (so the Polish test can fail)."""
    from _english import english_words

    v = Viewer(load_scene("cube-to-sphere"), (960, 720), samples=0, visible=False, scenes=[])
    try:
        v.state.show_moment(2, 0.5)
        v.step(0.0)
        assert {"the", "matrix"} <= set(english_words(v.hud_text))
    finally:
        v.close()


POLISH_HUD = """
import json
from affine3d import load_scene
from affine3d.app.window import Viewer

v = Viewer(load_scene("cube-to-sphere"), (1280, 800), samples=0, scenes=[])
v.state.show_moment(2, 0.5)
v.step(0.0)
v.step(0.0)
v.save("hud.png")
print(json.dumps({"hud": v.hud_text, "help": [label.text for label in v._help_lines]}))
v.close()
"""


def test_the_polish_hud_is_drawn_in_a_real_window(tmp_path):
    """Under Xvfb, LANG=pl_PL.UTF-8 (LANGUAGE, LC_ALL, LC_MESSAGES unset): the window's panels hold the Polish lines,
    and the picture differs from the English one only where the panels and the status line are."""
    import os

    (tmp_path / "hud.py").write_text(POLISH_HUD)
    reports, images = {}, {}
    for lang in ("pl_PL.UTF-8", "en_US.UTF-8"):
        env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
        env["LANG"] = lang
        folder = tmp_path / lang
        folder.mkdir()
        result = subprocess.run([*xvfb(), sys.executable, str(tmp_path / "hud.py")], cwd=folder, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        reports[lang] = json.loads(result.stdout.strip().splitlines()[-1])
        images[lang] = pixels(folder / "hud.png")
    from _english import english_words

    polish, english = reports["pl_PL.UTF-8"], reports["en_US.UTF-8"]
    assert english_words(polish["hud"]) == [] and "wartości osobliwe" in polish["hud"]
    assert english_words("\n".join(polish["help"])) == [] and "klawisze" in polish["help"]
    assert "singular values" in english["hud"]
    changed = np.any(images["pl_PL.UTF-8"] != images["en_US.UTF-8"], axis=2)
    assert changed.sum() > 500  # the words differ on screen


@pytest.mark.parametrize("size, hud_scale", [((800, 600), 1.0), ((1280, 720), 1.5), ((1920, 1080), 1.5)])
def test_the_polish_panels_fit_the_window_too(polish, size, hud_scale):
    """Polish lines are longer: cube-to-sphere through every stage and F1's help still lie inside the window, no panel
    over another, and the scene keeps its half of it."""
    width, height = size
    v = Viewer(load_scene("cube-to-sphere"), size, samples=0, visible=False, scenes=[], hud_scale=hud_scale)
    try:
        v.state.key("f1")
        for moment in moments(v):
            v.step(0.0)
            assert_overlay_fits(v, f"Polish, {size} hud {hud_scale}, {moment}")
            x, y, w, h = v.state.scene_box()
            assert w * h >= SCENE_SHARE * width * height, f"Polish, {size} hud {hud_scale}, {moment}"
    finally:
        v.close()
