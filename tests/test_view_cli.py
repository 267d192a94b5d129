"""`affine3d view`: a real X window under Xvfb, the headless fallback without a display, bad input.

Every run that opens a window is a subprocess: a process can hold pyglet in one mode only (headless
or X), and tests/test_viewer.py runs pyglet headless in the test process.
"""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from affine3d.cli import main

XVFB = ["xvfb-run", "-a", "-s", "-screen 0 1280x800x24"]
BACKGROUND = np.array([0x1B, 0x1D, 0x23])  # platonic.toml: background = "#1b1d23"


def xvfb_run():
    """The xvfb-run command prefix; a missing xvfb-run is a failure (CI installs it), not a skip."""
    if shutil.which("xvfb-run") is None:
        pytest.fail("xvfb-run not found: install Xvfb (Debian/Ubuntu: apt-get install xvfb xauth) to test the viewer window")
    return XVFB


def run(command, cwd, env=None, timeout=180):
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def environment(**changes):
    """This process's environment without a display, plus ``changes``."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(changes)
    return env


def scene_pixels(path):
    """(pixels, covered): the PNG as (H, W, 3) uint8 and where it differs from the platonic background."""
    with Image.open(path) as image:
        pixels = np.asarray(image.convert("RGB"))
    return pixels, np.any(np.abs(pixels.astype(int) - BACKGROUND) > 8, axis=2)


def test_view_under_xvfb_exits_0_and_the_screenshot_shows_the_scene(tmp_path):
    """xvfb-run affine3d view --frames 30 --screenshot x.png: exit 0; the middle band holds the five solids."""
    result = run([*xvfb_run(), sys.executable, "-m", "affine3d", "view", "--frames", "30", "--screenshot", "x.png"],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    pixels, covered = scene_pixels(tmp_path / "x.png")
    assert pixels.shape == (720, 960, 3)
    height, width = covered.shape
    middle = covered[height // 3 : 2 * height // 3, width // 10 : 9 * width // 10]
    assert middle.mean() > 0.05
    band = pixels[height // 3 : 2 * height // 3][covered[height // 3 : 2 * height // 3]]
    hues = {tuple(c) for c in (band // 32)}  # coarse colour bins: five differently coloured solids, lit and shaded
    assert len(hues) >= 8
    assert covered[: height // 4, : width // 3].mean() > 0.1  # the overlay's box and text, top left


def test_window_under_xvfb_resizes_with_the_right_aspect(tmp_path):
    """A real X window resized to 300x500: framebuffer, screen and screenshot agree; the cube is where the CPU says.

    A headless EGL context is made first (as a notebook's earlier render would): the window must still
    get the frames (one current context per thread under libglvnd).
    """
    script = textwrap.dedent('''
        import json, math
        import numpy as np
        from affine3d import Affine
        from affine3d.geometry import solids as polyhedra
        from affine3d.projection import project_points
        from affine3d.gl.context import create_context
        from affine3d.geometry.scene import Camera, Scene, SceneObject
        from affine3d.app.window import Viewer

        headless = create_context()  # current on this thread until the viewer lets go of it

        cube = SceneObject(name="cube", mesh=polyhedra.cube(), model=Affine.identity(3), color=(0.9, 0.6, 0.2))
        scene = Scene(name="cube", path=None, objects=[cube], background=(0.0, 0.0, 0.0),
                      camera=Camera(fov=math.radians(40), near=0.5, far=50.0, distance=5.0))
        v = Viewer(scene, (400, 300), scenes=[])
        v.state.show_hud = False

        def screen_equals_read():
            v.draw()
            w, h = v.window.get_framebuffer_size()
            screen = v.ctx.screen.read(viewport=(0, 0, w, h), components=3, alignment=1)
            return bool(np.array_equal(np.frombuffer(screen, np.uint8).reshape(h, w, 3)[::-1], v.read()))

        v.step(0.0)
        first_frame_in_window = screen_equals_read()
        v.window.set_size(300, 500)
        for _ in range(20):
            v.step(0.0)
            if v.window.get_framebuffer_size() == (300, 500):
                break
        v.on_mouse_press(100, 250, 1, 0)
        v.on_mouse_drag(200, 300, 100, 50, 1, 0)
        v.on_mouse_release(200, 300, 1, 0)
        resized_frame_in_window = screen_equals_read()
        image = v.read()
        w, h = v.window.get_framebuffer_size()
        rows, cols = np.nonzero(image.max(axis=2) > 0)
        corners = project_points(v.state.projection(), (v.state.world @ cube.model)(cube.mesh.vertices), (w, h))
        print(json.dumps({
            "framebuffer": [w, h], "image": list(image.shape),
            "screen_equal": [first_frame_in_window, resized_frame_in_window],
            "box": [int(cols.min()), int(cols.max()) + 1, int(rows.min()), int(rows.max()) + 1],
            "predicted": [corners[:, 0].min(), corners[:, 0].max(), corners[:, 1].min(), corners[:, 1].max()],
            "aspect_ok": bool(abs(v.state.projection()[1, 1] / v.state.projection()[0, 0] - w / h) < 1e-12),
        }))
        v.close()
    ''')
    (tmp_path / "resize.py").write_text(script)
    result = run([*xvfb_run(), sys.executable, "resize.py"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["framebuffer"] == [300, 500] and report["image"] == [500, 300, 3]
    assert report["screen_equal"] == [True, True] and report["aspect_ok"]
    assert np.allclose(report["box"], report["predicted"], atol=2)


def test_view_without_a_display_draws_the_viewer_offscreen_as_offscreen_does(tmp_path):
    """No DISPLAY: one line saying so; ./affine3d-view.png is the viewer's frame, overlay included, byte for byte
    what `view --offscreen` saves; exit 0, no traceback."""
    result = run([sys.executable, "-m", "affine3d", "view"], cwd=tmp_path, env=environment())
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == ["affine3d view: no display: DISPLAY and WAYLAND_DISPLAY are not set"]
    assert result.stdout.strip().splitlines() == [
        "no display: drew the viewer offscreen, overlay included, with the default scene to ./affine3d-view.png "
        "(the same picture as 'affine3d view --offscreen'; 'affine3d render' has more options)"]
    pixels, covered = scene_pixels(tmp_path / "affine3d-view.png")
    assert pixels.shape == (720, 960, 3) and covered.mean() > 0.05
    assert (pixels[:200, :300].min(axis=2) > 200).sum() > 200  # the overlay's light text, top left
    offscreen = run([sys.executable, "-m", "affine3d", "view", "--offscreen", "--screenshot", "o.png"], cwd=tmp_path,
                    env=environment())
    assert offscreen.returncode == 0, offscreen.stderr
    assert (tmp_path / "o.png").read_bytes() == (tmp_path / "affine3d-view.png").read_bytes()


def test_no_display_fallback_keeps_frames_stage_and_size(tmp_path):
    """cube-to-sphere --frames 30 --stage 3 --t 0.5 without a display: the same bytes as with --offscreen."""
    args = ["cube-to-sphere", "--frames", "30", "--stage", "3", "--t", "0.5", "--size", "480x360"]
    fallback = run([sys.executable, "-m", "affine3d", "view", *args, "--screenshot", "f.png"], cwd=tmp_path,
                   env=environment())
    offscreen = run([sys.executable, "-m", "affine3d", "view", *args, "--offscreen", "--screenshot", "o.png"],
                    cwd=tmp_path, env=environment())
    assert fallback.returncode == offscreen.returncode == 0, fallback.stderr + offscreen.stderr
    assert (tmp_path / "f.png").read_bytes() == (tmp_path / "o.png").read_bytes()


def test_view_with_an_unreachable_display_draws_offscreen_in_a_fresh_process(tmp_path):
    """DISPLAY names no X server: the window cannot open, so a fresh process draws the viewer offscreen: the same
    picture as --offscreen; exit 0."""
    result = run([sys.executable, "-m", "affine3d", "view", "shapes", "--screenshot", "s.png", "--size", "320x240"],
                 cwd=tmp_path, env=environment(DISPLAY=":4093"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "no window could be opened on DISPLAY=:4093" in result.stderr
    assert "drew the viewer offscreen, overlay included, with the scene 'shapes' to ./s.png" in result.stdout
    offscreen = run([sys.executable, "-m", "affine3d", "view", "shapes", "--offscreen", "--screenshot", "o.png",
                     "--size", "320x240"], cwd=tmp_path, env=environment())
    assert offscreen.returncode == 0, offscreen.stderr
    assert (tmp_path / "o.png").read_bytes() == (tmp_path / "s.png").read_bytes()


def test_without_any_opengl_the_fallback_renders_on_the_cpu_and_says_so(tmp_path):
    """No display and no EGL device either (glvnd finds no vendor): the scene drawn by the CPU rasterizer, without
    the overlay, and both lines say so; exit 0."""
    result = run([sys.executable, "-m", "affine3d", "view", "--size", "320x240"], cwd=tmp_path,
                 env=environment(__EGL_VENDOR_LIBRARY_FILENAMES="/nonexistent/egl-vendor.json"))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    err = result.stderr.strip().splitlines()
    assert err[0] == "affine3d view: no display: DISPLAY and WAYLAND_DISPLAY are not set"
    assert err[1].startswith("affine3d view: no offscreen OpenGL window either") and len(err) == 2
    assert "without the overlay (cpu: numpy rasterizer" in result.stdout
    pixels, covered = scene_pixels(tmp_path / "affine3d-view.png")
    assert pixels.shape == (240, 320, 3) and covered.mean() > 0.03
    assert not (pixels[:60, :100].min(axis=2) > 200).any()  # no overlay text


def test_offscreen_draws_the_viewer_with_its_overlay(tmp_path):
    """--offscreen --frames 3 --screenshot: the viewer's own frame (scene and matrix overlay) without a display."""
    result = run([sys.executable, "-m", "affine3d", "view", "--offscreen", "--frames", "3", "--screenshot", "o.png",
                  "--size", "480x360"], cwd=tmp_path, env=environment())
    assert result.returncode == 0, result.stderr
    pixels, covered = scene_pixels(tmp_path / "o.png")
    assert pixels.shape == (360, 480, 3)
    text_corner = pixels[:120, :200]
    assert (text_corner.min(axis=2) > 200).sum() > 200  # light overlay text over the dark box


@pytest.mark.parametrize("argv, message", [
    (["view", "no-such-scene"], "unknown scene 'no-such-scene'"),
    (["view", "--frames", "0"], "--frames: expected 1 or more"),
    (["view", "--size", "800"], "size: expected WIDTHxHEIGHT"),
    (["view", "--screenshot", "x.jpg"], "--screenshot: expected a .png"),
])
def test_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    """Bad arguments are rejected before any window opens: one line on stderr, exit code 2."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1


LOAD_COUNTER = """
import sys
from affine3d.cli import main
from affine3d.nn.mlp import MLP
loads = []
original = MLP.load.__func__
MLP.load = classmethod(lambda cls, path, **options: loads.append(str(path)) or original(cls, path, **options))
code = main(sys.argv[1:])
print("loads", len(loads), code)
"""


@pytest.mark.parametrize("where", ["window", "no display"])
def test_view_reads_the_scenes_model_file_once(tmp_path, where):
    """`affine3d view cube-to-sphere` reads its network file once, window or fallback, and passes the MLP down."""
    args = ["view", "cube-to-sphere", "--size", "160x120", "--frames", "2", "--screenshot", "x.png"]
    command = [sys.executable, "-c", LOAD_COUNTER, *args]
    if where == "window":
        result = run([*xvfb_run(), *command], cwd=tmp_path)
    else:
        result = run(command, cwd=tmp_path, env=environment())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "loads 1 0"
    assert (tmp_path / "x.png").is_file()
