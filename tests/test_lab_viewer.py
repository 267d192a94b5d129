"""The lab in the viewer, headless (pyglet's offscreen EGL window): live training, picking a vertex, the lattice."""

import sys
import time

import pyglet

# Before anything imports pyglet.window: the window is then an offscreen EGL surface (no display).
if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_lab_viewer.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from affine3d.app.window import Viewer  # noqa: E402
from affine3d.geometry.scene import load_scene  # noqa: E402

SIZE = (480, 360)
KEY = pyglet.window.key


def press(v, symbol, modifiers=0):
    v.window.dispatch_event("on_key_press", symbol, modifiers)
    v.window.dispatch_events()


@pytest.fixture
def trainer():
    """A headless viewer on cube-to-sphere, training from the first frame (as ``view --train``)."""
    v = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False, samples=0, scenes=[], train=True)
    yield v
    v.close()


# ---------------------------------------------------------------------------------------- live training
def test_the_window_keeps_drawing_while_the_network_trains(trainer):
    """Frames are drawn one after another (the frame counter) while epochs go by; the window draws the published networks."""
    state = trainer.state
    live = state.lab.training
    seen = []
    for _ in range(40):
        trainer.step(1 / 60)
        seen.append((state.frames, live.snapshot().epoch))
        time.sleep(0.01)  # the event loop's wait for the next frame: training goes on meanwhile
    frames = [f for f, _ in seen]
    epochs = [e for _, e in seen]
    assert frames == list(range(frames[0], frames[0] + 40))  # every step drew a frame
    assert epochs[-1] > epochs[0]  # and training went on meanwhile
    assert len(set(epochs)) > 3  # the network changed many times while the window drew
    # the network drawn is a published snapshot: pause, draw, and the warped cube is that network's output
    press(trainer, KEY.L)
    trainer.step(0.0)  # the key is handled by now, whether pyglet queued it or not
    assert not live.running
    shot = live.snapshot()
    trainer.step(0.0)
    assert live.snapshot() is shot  # paused: nothing newer is published
    assert state.morph.mlp is shot.mlp
    x = load_scene("cube-to-sphere").objects[0].mesh.vertices
    np.testing.assert_allclose(trainer.morphing.scene.objects[0].mesh.vertices, shot.mlp(x), atol=1e-12)
    assert "live training: epoch" in trainer._extras.training.text_lines()[0]


def test_backspace_rewinds_in_the_window(trainer):
    """Backspace: epoch 0, the seeded start network on screen, the same one every time."""
    state = trainer.state
    state.lab.training.wait_for_epoch(20)
    start = state.lab.experiment.start()
    press(trainer, KEY.L)  # pause: then rewind shows exactly the start
    press(trainer, KEY.BACKSPACE)
    trainer.step(0.0)
    assert state.lab.training.snapshot().epoch == 0
    assert state.morph.mlp.allclose(start, atol=0)


def test_a_scene_without_a_network_file_starts_untrained():
    """sphere-to-cube ships no network: the viewer shows the experiment's seeded start; L trains it."""
    v = Viewer(load_scene("sphere-to-cube"), SIZE, visible=False, samples=0, scenes=[])
    try:
        assert v.state.morph is not None and "untrained" in v.state.network_name
        press(v, KEY.L)
        assert v.state.lab is not None and v.state.lab.experiment.target.name == "sphere-to-cube"
    finally:
        v.close()
    assert v.state.lab is None  # closing the window ends the training thread


# ---------------------------------------------------------------------------------------- picking a vertex
from affine3d.app.picking import pick  # noqa: E402
from affine3d.cpu.raster import vertex_stage  # noqa: E402
from affine3d.cpu.trace import trace_vertex, viewport_matrix  # noqa: E402
from affine3d import Affine  # noqa: E402


def brute_force_pixels(scene, world, projection, size):
    """Every vertex's pixel, the rasterizer's way (vertex_stage, then divide and viewport): [(object, vertex, x, y, depth)]."""
    rows = []
    for k, obj in enumerate(scene.objects):
        clip = vertex_stage(obj.mesh.vertices, obj.model, world, projection)
        for i, c in enumerate(clip):
            if c[3] <= 0:
                continue
            x, y, depth, _ = viewport_matrix(size) @ np.append(c[:3] / c[3], 1.0)
            rows.append((k, i, x, y, depth))
    return rows


@pytest.mark.parametrize("name", ["platonic", "shear", "cube-to-sphere"])
def test_the_picked_vertex_is_the_one_nearest_the_click(name):
    """For clicks all over the picture, pick() returns a vertex no farther from the click than any other (brute force)."""
    scene = load_scene(name)
    size = (640, 480)
    world = scene.world(Affine.rotation_y(0.4))
    projection = np.asarray(scene.projection(size[0] / size[1]), dtype=np.float64)
    pixels = brute_force_pixels(scene, world, projection, size)
    xy = np.array([(x, y) for _, _, x, y, _ in pixels])
    rng = np.random.default_rng(7)
    clicks = np.vstack([xy[rng.integers(0, len(xy), 25)] + rng.normal(0, 3, (25, 2)), rng.uniform(0, 640, (15, 2))])
    for click in clicks:
        found = pick(scene, world, projection, size, click, radius_px=1e9)
        distances = np.hypot(xy[:, 0] - click[0], xy[:, 1] - click[1])
        k, i = pixels[int(np.argmin(distances))][:2]
        assert found.distance_px == pytest.approx(distances.min(), abs=1e-9)
        picked_xy = next((x, y) for kk, ii, x, y, _ in pixels if (kk, ii) == (found.obj, found.vertex))
        assert np.hypot(picked_xy[0] - click[0], picked_xy[1] - click[1]) == pytest.approx(distances.min(), abs=1e-9)
    assert pick(scene, world, projection, size, (-500.0, -500.0)) is None  # far from everything: nothing


def click_at(v, x_px, y_px):
    """A left click (press, release, no drag) at a framebuffer pixel (rows from the top)."""
    width, height = v.window.get_size()
    fb_width, fb_height = v.renderer.size
    x, y = x_px * width / fb_width, height - y_px * height / fb_height
    v.window.dispatch_event("on_mouse_press", x, y, pyglet.window.mouse.LEFT, 0)
    v.window.dispatch_event("on_mouse_release", x, y, pyglet.window.mouse.LEFT, 0)
    v.window.dispatch_events()


def test_a_click_picks_and_the_panel_follows_the_vertex_live():
    """Click on a vertex of the warped cube: it is picked, the panel shows its trace, the ring marks its pixel; the world turns, the panel follows."""
    v = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False, samples=0, scenes=[])
    try:
        press(v, KEY.END)  # the network's output on screen
        v.step(0.0)
        state = v.state
        drawn = v.morphing.scene
        i = 700
        rows = trace_vertex(state.scene, 0, i, v.renderer.size, state.world, morph=state.morph,
                            projection=state.projection())
        x_px, y_px, _ = rows[-1].value
        click_at(v, x_px + 0.5, y_px - 0.5)
        assert (state.picked.obj, state.picked.vertex) == (0, i)
        v.step(0.0)  # the panel opens, and the scene is framed clear of it: the ring follows the vertex
        v.step(0.0)
        lines = v._extras.trace.text_lines()
        assert lines[0] == "vertex 700 of cube (object 0)"
        assert any(line.startswith("y = W5 a4 + b5") for line in lines)
        mark = v._extras._mark
        width, height = v.window.get_size()
        rows = trace_vertex(state.scene, 0, i, v.renderer.size, state.world, morph=state.morph,
                            projection=state.projection())
        x_px, y_px, _ = rows[-1].value
        assert mark.visible and mark.position == pytest.approx((x_px, height - y_px), abs=1e-4)  # SIZE is the framebuffer
        picture = v.read()  # and the ring is drawn there: yellow pixels a radius from the vertex
        r = mark.radius
        ring = [picture[int(round(y_px + dy)), int(round(x_px + dx))] for dx, dy in ((r, 0), (-r, 0), (0, r), (0, -r))]
        assert any(abs(int(p[0]) - 255) < 40 and abs(int(p[1]) - 214) < 40 and p[2] < 80 for p in ring)
        np.testing.assert_allclose(drawn.objects[0].mesh.vertices[i], rows[-5].value, atol=1e-5)  # the GPU warped it: float32
        # the world turns: the panel's camera row is the new world map's
        state.spinning = True
        v.step(0.5)
        new = trace_vertex(state.scene, 0, i, v.renderer.size, state.world, morph=state.morph,
                           projection=state.projection())
        camera = next(line for line in v._extras.trace.text_lines() if line.startswith("p_camera"))
        assert camera.split(" = ")[1].startswith(f"({new[-4].value[0]:.3f}")
        # a click on empty space clears the pick
        click_at(v, 2.0, 2.0)
        assert state.picked is None
        v.step(0.0)
        assert v._extras.trace.text_lines() == [] and not v._extras._mark.visible
    finally:
        v.close()


# ---------------------------------------------------------------------------------------- the lattice
from affine3d.app.lattice import BASIS_COLORS, basis_arrows, basis_for, lattice_segments  # noqa: E402
from affine3d.nn.mlp import MLP  # noqa: E402
from affine3d.nn.morph import Morph  # noqa: E402
from affine3d.projection import project_points  # noqa: E402


def test_arrow_tips_are_the_images_of_the_basis_vectors(rng):
    """Arrow i runs from b to A e_i + b = F(e_i), for the world map and for a layer's map at t, on both paths."""
    F = Affine(rng.normal(size=(3, 3)), rng.normal(size=3))
    arrows = basis_arrows(F.A, F.b)
    for i in range(3):
        np.testing.assert_allclose(arrows[i, 0], F(np.zeros(3)))
        np.testing.assert_allclose(arrows[i, 1], F(np.eye(3)[i]))
    world = load_scene("platonic").world(Affine.rotation_y(0.3))
    basis = basis_for(world, mode="world")
    np.testing.assert_allclose(basis.tips, world(np.eye(3)), atol=1e-12)   # in camera space
    np.testing.assert_allclose(world(basis.arrows[:, 1]), basis.tips, atol=1e-12)  # as drawn: e_i through the world map
    mlp = MLP.random([3, 3, 3], "tanh", "identity", seed=4)
    for path in ("linear", "polar"):
        stage = Morph(mlp, path=path).stages[0]
        basis = basis_for(world, stage, 0.3, mode="layer")
        np.testing.assert_allclose(basis.tips, stage.map_at(0.3)(np.eye(3)), atol=1e-12)
        np.testing.assert_allclose(basis.segments, lattice_segments(stage.map_at(0.3)), atol=1e-12)


def test_the_lattice_is_the_unit_grid_carried_by_the_map(rng):
    """lattice_segments(F) = F applied to the grid's ends; the grid spans [0, 1]^3 with cells + 1 lines a side."""
    grid = lattice_segments(cells=4)
    assert grid.shape == (3 * 25, 2, 3) and grid.min() == 0.0 and grid.max() == 1.0
    F = Affine(rng.normal(size=(3, 3)), rng.normal(size=3))
    np.testing.assert_allclose(lattice_segments(F, cells=4), F(grid.reshape(-1, 3)).reshape(grid.shape))
    bent = basis_for(Affine.identity(3), Morph(MLP.from_arrays([np.eye(3)], activations="tanh")).stages[1], 1.0, "layer")
    np.testing.assert_allclose(bent.segments, np.tanh(lattice_segments(samples=12)), atol=1e-12)


def test_g_draws_the_arrows_where_the_cpu_projects_their_tips():
    """G in a plain scene: red, green and blue pixels at the projected tips world(e_i) of the three arrows."""
    v = Viewer(load_scene("platonic"), SIZE, visible=False, samples=0, scenes=[])
    try:
        press(v, KEY.G)
        v.state.show_hud = False
        v.step(0.0)
        image = v.read().astype(int)
        tips = project_points(v.state.projection(), v.state.world(np.eye(3)), v.renderer.size)
        for (x, y, _), color in zip(tips, BASIS_COLORS):
            patch = image[int(y) - 3: int(y) + 4, int(x) - 3: int(x) + 4].reshape(-1, 3)
            want = np.round(np.array(color) * 255)
            assert np.min(np.abs(patch - want).max(axis=1)) <= 2, (x, y, color)
        assert "world map" in v.state.status
    finally:
        v.close()


def test_a_scripts_own_target_trains_in_the_viewer(tmp_path):
    """affine3d.lab.view with a Target of one's own, on a scene with no network: the window trains it and saves a frame."""
    from affine3d.lab import Target, view

    target = Target("flip", lambda p: -p, formula="x -> -x", sizes=(3, 4, 3), epochs=50)
    view(target, "platonic", size=(240, 180), offscreen=True, frames=5, screenshot=tmp_path / "flip.png")
    assert (tmp_path / "flip.png").is_file()


def test_a_scripted_run_trains_a_fixed_number_of_epochs_per_frame(tmp_path):
    """view --train --frames N: frame N shows epoch 10 (N - 1) whatever the machine's speed; two runs save one PNG."""
    from affine3d.app.training import SCRIPTED_EPOCHS_PER_FRAME

    pictures, losses = [], []
    for run in range(2):
        v = Viewer(load_scene("rings"), (160, 120), visible=False, samples=0, scenes=[], train=True)
        time.sleep(0.2)  # the thread trains meanwhile: a scripted run starts again from epoch 0 all the same
        path = tmp_path / f"run{run}.png"
        live = v.state.lab.training
        v.run(frames=4, screenshot=path, announce=False)
        shot = live.snapshot()
        assert shot.epoch == 3 * SCRIPTED_EPOCHS_PER_FRAME
        pictures.append(path.read_bytes())
        losses.append(shot.losses)
    assert pictures[0] == pictures[1] and losses[0] == losses[1]
