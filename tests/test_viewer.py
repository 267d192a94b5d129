"""The viewer, headless (pyglet's offscreen EGL window): events in, world matrix, pixels and HUD text out."""

import math
import sys

import pyglet

# Before anything imports pyglet.window: the window is then an offscreen EGL surface (no display).
if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_viewer.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False  # as the viewer sets it: no glGetError after every pyglet GL call

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from affine3d import Affine  # noqa: E402
from affine3d.geometry import solids as polyhedra  # noqa: E402
from affine3d.projection import project_points  # noqa: E402
from affine3d.geometry.scene import Camera, Scene, SceneObject, list_scenes, load_scene  # noqa: E402
from affine3d.app.state import DEFAULT_SPIN, ZOOM_STEP, ViewerState, format_matrix, parse_matrix
from affine3d.app.window import Viewer  # noqa: E402

SIZE = (400, 300)  # arcball radius 150 px, centre (200, 150)
BLACK = (0.0, 0.0, 0.0)


def cube_scene(distance=5.0, fov_deg=40.0, rotation=None):
    """One cube (circumradius 1) at the world's origin on black, nothing else."""
    camera = Camera(fov=math.radians(fov_deg), near=0.5, far=50.0, distance=distance)
    cube = SceneObject(name="cube", mesh=polyhedra.cube(), model=Affine.identity(3), color=(0.9, 0.6, 0.2))
    return Scene(name="cube", path=None, objects=[cube], camera=camera,
                 world_rotation=rotation or Affine.identity(3), background=BLACK)


@pytest.fixture
def viewer():
    """A headless viewer on the one-cube scene, 400x300; closed afterwards."""
    v = Viewer(cube_scene(), SIZE, scenes=list_scenes(), visible=False)
    yield v
    v.close()


def send(v, event, *args):
    """Send one event through the window's event dispatch (queued, then dispatched like pyglet does)."""
    v.window.dispatch_event(event, *args)
    v.window.dispatch_events()


def mouse_drag(v, start, end, button=pyglet.window.mouse.LEFT, modifiers=0, steps=8):
    """Press at ``start``, drag in straight steps to ``end``, release: all through the window's handlers."""
    send(v, "on_mouse_press", *start, button, modifiers)
    last = np.array(start, dtype=float)
    for t in np.linspace(0, 1, steps + 1)[1:]:
        point = np.array(start) + t * (np.array(end) - np.array(start))
        dx, dy = point - last
        send(v, "on_mouse_drag", point[0], point[1], dx, dy, button, modifiers)
        last = point
    send(v, "on_mouse_release", *end, button, modifiers)


def press(v, symbol, modifiers=0):
    send(v, "on_key_press", symbol, modifiers)


def silhouette_box(image, background=BLACK):
    """(x_min, x_max, y_min, y_max) of the pixels that differ from the background, as pixel edges."""
    bg = np.round(np.asarray(background) * 255).astype(int)
    mask = np.any(np.abs(image[..., :3].astype(int) - bg) > 0, axis=2)
    rows, cols = np.nonzero(mask)
    return cols.min(), cols.max() + 1, rows.min(), rows.max() + 1


def predicted_box(v):
    """The same box from the CPU: cube vertices through world @ model, then project_points."""
    state = v.state
    obj = state.scene.objects[0]
    points_camera = (state.world @ obj.model)(obj.mesh.vertices)
    pixels = project_points(state.projection(), points_camera, v.renderer.size)
    return pixels[:, 0].min(), pixels[:, 0].max(), pixels[:, 1].min(), pixels[:, 1].max()


def test_horizontal_drag_across_half_the_window_turns_world_about_vertical():
    """Left-drag from x = w/4 to 3w/4 through the handlers: world = T(0,0,-5) @ rotation_y(acos(1/9))."""
    v = Viewer(cube_scene(), SIZE, visible=False, scenes=[])
    try:
        mouse_drag(v, (100, 150), (300, 150))
        expected = Affine.translation([0, 0, -5.0]) @ Affine.rotation_y(math.acos(1 / 9))
        assert v.state.world.allclose(expected, atol=1e-12)
    finally:
        v.close()


def test_silhouette_follows_the_cpu_projection_after_a_drag(viewer):
    """After a diagonal drag the rendered cube's bounding box is the CPU projection's to 2 px."""
    press(viewer, pyglet.window.key.H)  # overlay off: only the scene in the picture
    viewer.draw()
    before = viewer.read()
    assert np.allclose(silhouette_box(before), predicted_box(viewer), atol=2)
    mouse_drag(viewer, (150, 110), (260, 200))
    assert not viewer.state.rotation.allclose(Affine.identity(3), atol=0.1)
    viewer.draw()
    after = viewer.read()
    assert np.allclose(silhouette_box(after), predicted_box(viewer), atol=2)
    assert np.abs(after.astype(int) - before.astype(int)).max() > 100  # the picture did change


def test_window_shows_what_read_returns(viewer):
    """The frame blitted into the window's framebuffer equals the offscreen image that screenshots save."""
    mouse_drag(viewer, (120, 120), (230, 170))
    viewer.draw()
    image = viewer.read()
    width, height = viewer.window.get_framebuffer_size()
    # framebuffer 0 is the window's own; GL's rows go bottom-up
    screen = np.frombuffer(viewer.ctx.screen.read(components=3, alignment=1), np.uint8).reshape(height, width, 3)[::-1]
    assert np.array_equal(screen, image)


def test_hud_shows_the_world_matrix_and_its_measures(viewer):
    """The overlay's 4x4 grid, determinant and orthonormality error are the world matrix's, to 3 decimals."""
    mouse_drag(viewer, (120, 90), (260, 220))
    send(viewer, "on_mouse_scroll", 200, 150, 0, 3)
    mouse_drag(viewer, (200, 150), (230, 130), button=pyglet.window.mouse.RIGHT)
    viewer.draw()
    lines = viewer.hud_text.splitlines()
    camera_from_world = viewer.state.world
    assert np.allclose(parse_matrix(lines[1:5]), camera_from_world.matrix, atol=5e-4 + 1e-12)
    assert float(lines[5].split()[-1]) == pytest.approx(camera_from_world.determinant, abs=5e-7)
    assert float(lines[6].split()[1]) == pytest.approx(camera_from_world.orthonormality_error(), abs=1e-16)
    assert "perspective" in viewer.hud_text and "arcball" in viewer.hud_text
    assert f"{viewer.state.scene.n_triangles:,}" in viewer.hud_text


def test_scroll_moves_the_world_toward_the_camera(viewer):
    """Two clicks up: the origin's depth becomes distance * 0.9^2, the rotation stays, the camera stays."""
    send(viewer, "on_mouse_scroll", 200, 150, 0, 2)
    assert viewer.state.world.allclose(Affine.translation([0, 0, -5.0 * ZOOM_STEP**2]), atol=1e-12)
    send(viewer, "on_mouse_scroll", 200, 150, 0, -2)
    assert viewer.state.world.allclose(Affine.translation([0, 0, -5.0]), atol=1e-12)


@pytest.mark.parametrize("button, modifiers", [
    (pyglet.window.mouse.RIGHT, 0),
    (pyglet.window.mouse.LEFT, pyglet.window.key.MOD_SHIFT),
])
def test_pan_moves_the_world_origin_with_the_cursor(viewer, button, modifiers):
    """Right-drag (or shift-drag) by (dx, dy): the origin's image moves by (dx, -dy) image pixels, no turn."""
    origin_before = project_points(viewer.state.projection(), viewer.state.world(np.zeros((1, 3))), SIZE)[0]
    mouse_drag(viewer, (200, 150), (260, 110), button=button, modifiers=modifiers)
    origin_after = project_points(viewer.state.projection(), viewer.state.world(np.zeros((1, 3))), SIZE)[0]
    assert np.allclose(origin_after[:2] - origin_before[:2], [60, 40], atol=1e-9)
    assert viewer.state.rotation.allclose(Affine.identity(3), atol=1e-15)


def test_space_spins_about_the_vertical_axis(viewer):
    """Space, then one second of updates: the world turned by DEFAULT_SPIN radians about y."""
    press(viewer, pyglet.window.key.SPACE)
    for _ in range(60):
        viewer.step(1 / 60)
    assert viewer.state.rotation.allclose(Affine.rotation_y(DEFAULT_SPIN), atol=1e-9)
    press(viewer, pyglet.window.key.SPACE)
    viewer.step(1.0)
    assert viewer.state.rotation.allclose(Affine.rotation_y(DEFAULT_SPIN), atol=1e-9)


def test_keys_toggle_projection_wireframe_controller_help_and_reset(viewer):
    """P, W, T, F1, ? and R do what the help says; the overlay reports each."""
    key = pyglet.window.key
    press(viewer, key.P)
    viewer.draw()
    assert viewer.state.ortho and "orthographic" in viewer.hud_text
    assert np.allclose(viewer.state.projection()[3], [0, 0, 0, 1])
    press(viewer, key.W)
    assert viewer.state.wireframe
    press(viewer, key.T)
    viewer.draw()
    assert "turntable" in viewer.hud_text
    press(viewer, key.F1)
    assert viewer.state.show_help
    send(viewer, "on_text", "?")
    assert not viewer.state.show_help
    mouse_drag(viewer, (200, 150), (300, 250))
    send(viewer, "on_mouse_scroll", 200, 150, 0, 1)
    press(viewer, key.R)
    assert viewer.state.world.allclose(Affine.translation([0, 0, -5.0]), atol=1e-12)


def test_turntable_through_the_window_never_rolls(viewer):
    """T, then drags every way: world up stays in the camera's y-z plane, pitch at most 89 degrees."""
    press(viewer, pyglet.window.key.T)
    mouse_drag(viewer, (100, 280), (390, 10))
    mouse_drag(viewer, (50, 20), (300, 290))
    mouse_drag(viewer, (200, 0), (200, 300))
    up = viewer.state.world.apply_vectors(np.array([0.0, 1.0, 0.0]))
    assert abs(up[0]) < 1e-12
    assert math.degrees(abs(viewer.state.controller.pitch)) <= 89 + 1e-12


def test_number_keys_and_tab_switch_scenes(viewer):
    """1 loads the first scene in scenes/, Tab the next; the renderer and the triangle count follow."""
    names = list_scenes()
    press(viewer, pyglet.window.key._1)
    viewer.draw()
    first = load_scene(names[0])
    assert viewer.state.scene.name == first.name
    assert viewer.renderer.n_triangles == first.n_triangles
    assert f"{first.n_triangles:,}" in viewer.hud_text
    press(viewer, pyglet.window.key.TAB)
    viewer.draw()
    assert viewer.state.scene.name == load_scene(names[1 % len(names)]).name
    press(viewer, pyglet.window.key.TAB, pyglet.window.key.MOD_SHIFT)
    assert viewer.state.scene.name == first.name


def test_s_saves_a_screenshot_of_the_frame(viewer, tmp_path, monkeypatch, capsys):
    """S writes affine3d-cube-001.png in the working directory, the window's size, and prints its path."""
    monkeypatch.chdir(tmp_path)
    press(viewer, pyglet.window.key.S)
    path = tmp_path / "affine3d-cube-001.png"
    assert path.is_file() and str(path.name) in capsys.readouterr().out
    with Image.open(path) as image:
        assert image.size == viewer.window.get_framebuffer_size()
        assert len(np.unique(np.asarray(image.convert("RGB")).reshape(-1, 3), axis=0)) > 10  # scene and overlay


def test_s_never_replaces_a_file(viewer, tmp_path, monkeypatch, capsys):
    """S with affine3d-cube-001.png already there (even as a link): writes 002 and leaves 001 and its target alone."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("notes")
    (tmp_path / "affine3d-cube-001.png").symlink_to("notes.txt")
    press(viewer, pyglet.window.key.S)
    assert (tmp_path / "affine3d-cube-002.png").is_file() and (tmp_path / "notes.txt").read_text() == "notes"
    assert "affine3d-cube-002.png" in capsys.readouterr().out


def test_s_on_a_full_disk_says_so_and_the_viewer_goes_on(viewer, tmp_path, monkeypatch, capsys):
    """A screenshot that cannot be written: one line on stderr and in the overlay; the window stays open."""
    import errno
    import os

    monkeypatch.chdir(tmp_path)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    press(viewer, pyglet.window.key.S)
    err = capsys.readouterr().err
    assert "no space left on the device" in err and len(err.strip().splitlines()) == 1
    assert not viewer.closed and not list(tmp_path.iterdir())
    viewer.draw()  # and it still draws


def test_escape_and_q_close_the_window():
    """Esc (and Q) close the window and release the renderer; closing twice is harmless."""
    for symbol in (pyglet.window.key.ESCAPE, pyglet.window.key.Q):
        v = Viewer(cube_scene(), (160, 120), visible=False, scenes=[])
        press(v, symbol)
        assert v.closed
        v.close()


def test_run_with_frames_saves_the_last_frame(tmp_path):
    """run(frames=5, screenshot=...) returns after 5 frames with the PNG written and the window closed."""
    v = Viewer(cube_scene(), (160, 120), visible=False, scenes=[])
    path = tmp_path / "last.png"
    v.run(frames=5, screenshot=path, fps=200)
    assert v.closed and v.state.frames == 5 and path.is_file()


def test_resize_keeps_the_aspect_right():
    """After on_resize the projection uses the framebuffer's new width/height: P[1,1] / P[0,0] = aspect."""
    state = ViewerState(cube_scene(), (400, 300), scenes=[])
    state.resize((500, 250), (1000, 500))  # a HiDPI screen: twice as many pixels as points
    P = state.projection()
    assert P[1, 1] / P[0, 0] == pytest.approx(2.0)
    assert state.units_per_point()[1] == pytest.approx(2 * 5.0 * math.tan(math.radians(20)) / 250)


def test_state_hud_lines_without_a_window():
    """ViewerState alone (no pyglet) formats the matrix so that parsing it gives the world back."""
    state = ViewerState(cube_scene(rotation=Affine.rotation([1, 1, 0], 2.0)), SIZE, scenes=[])
    lines = state.hud_lines()
    assert np.allclose(parse_matrix(lines[1:5]), state.world.matrix, atol=5e-4 + 1e-12)
    assert not any("-0.000" in line for line in lines)
    assert format_matrix(-np.eye(2) * 1e-9) == ["[  0.000 |  0.000 ]", "[  0.000 |  0.000 ]"]


def test_5000_frames_of_auto_spin_stay_orthonormal_and_do_not_leak():
    """5 000 spinning frames stay orthonormal to 1e-9; drawn with the HUD relaid out, RSS grows < 1 MB from frame 500 to 1500."""
    page = __import__("os").sysconf("SC_PAGE_SIZE")

    def rss_bytes():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * page

    v = Viewer(cube_scene(), (96, 72), samples=0, visible=False, scenes=[])
    try:
        v.state.key("space")
        rss = {}
        for frame in range(1, 5001):
            v.state.update(1 / 60)
            if frame <= 1500:  # a leak of ~1 KB a frame shows within 1 000 drawn frames; the drift needs all 5 000
                v.on_draw()
            if frame in (500, 1500):
                v.ctx.finish()
                rss[frame] = rss_bytes()
        assert v.state.world.orthonormality_error() < 1e-9
        assert v.state.rotation.allclose(Affine.rotation_y(DEFAULT_SPIN * 5000 / 60), atol=1e-9)
        assert rss[1500] - rss[500] < 2**20, f"RSS grew by {(rss[1500] - rss[500]) / 2**20:.1f} MB"
    finally:
        v.close()

