"""The viewer's key F (flat / smooth for every object) and the --flat / --smooth flags, headless."""

import math
import sys

import pyglet

if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_viewer_shading.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from affine3d import Affine  # noqa: E402
from affine3d.app.state import HELP_TEXT, ViewerState  # noqa: E402
from affine3d.app.window import Viewer  # noqa: E402
from affine3d.geometry.scene import Camera, Scene, SceneObject  # noqa: E402
from affine3d.geometry.solids import cube, icosphere  # noqa: E402
from affine3d.gl.renderer import Renderer  # noqa: E402

SIZE = (240, 180)


def two_objects():
    """A flat cube and a smooth sphere (each object's own shading)."""
    objects = [SceneObject("cube", cube(), Affine.translation([-1.3, 0, 0]) @ Affine.rotation([1, 1, 0], 0.6),
                           (0.9, 0.6, 0.2), shading="flat"),
               SceneObject("sphere", icosphere(3), Affine.translation([1.3, 0, 0]), (0.3, 0.7, 0.9), shading="smooth")]
    return Scene("two", None, objects, Camera(fov=math.radians(45), near=0.1, far=50, distance=5))


def test_key_f_switches_every_object_between_flat_and_smooth():
    """F: from each object's own ("mixed") to all flat, then all smooth, then flat; the overlay says which."""
    state = ViewerState(two_objects(), SIZE, scenes=[])
    assert state.shown_shading() == "mixed" and "mixed (F)" in state.hud_text()
    assert state.key("f") == "shading" and state.shading == "flat" and "flat (F)" in state.hud_text()
    assert state.key("F") == "shading" and state.shading == "smooth" and "smooth (F)" in state.hud_text()
    assert state.key("f") == "shading" and state.shading == "flat"
    assert any(line.split()[0] == "F" and "flat / smooth" in line for line in HELP_TEXT.splitlines())


def test_f_in_the_window_draws_what_a_renderer_with_that_shading_draws():
    """Pressing F in the window re-uploads the meshes: the frame is then a Renderer's with that shading, exactly."""
    scene = two_objects()
    viewer = Viewer(scene, SIZE, scenes=[], visible=False, samples=0)
    try:
        viewer.state.show_hud = False
        pictures = {}
        for expected in ("flat", "smooth"):
            viewer.window.dispatch_event("on_key_press", pyglet.window.key.F, 0)
            viewer.window.dispatch_events()
            assert viewer.state.shading == expected
            viewer.state.status = ""  # the "flat shading" message at the bottom is not the renderer's
            viewer.draw()
            pictures[expected] = viewer.read()
            with Renderer(viewer.ctx, scene, viewer.renderer.size, samples=0, shading=expected) as renderer:
                renderer.draw(viewer.state.world)
                reference = renderer.read()[..., :3]
            np.testing.assert_array_equal(pictures[expected], reference)
        assert np.any(pictures["flat"] != pictures["smooth"])
    finally:
        viewer.close()


@pytest.mark.parametrize("flag", ["--flat", "--smooth", None])
def test_view_flags_set_the_starting_shading(tmp_path, flag):
    """view FILE --flat / --smooth draws every object so (without either: the mesh file's own, smooth): the window's
    frame is what render() draws with that shading. A subprocess: this process runs pyglet headless already."""
    import os
    import subprocess

    from PIL import Image

    from affine3d.bench.mesh_samples import bunny_like
    from affine3d.geometry.scene import load_scene
    from affine3d.gl.renderer import render

    path = tmp_path / "blob.obj"
    path.write_text(bunny_like(400).obj_text(), encoding="utf-8")  # coarse: its facets show when flat
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    command = [sys.executable, "-m", "affine3d", "view", str(path), "--offscreen", "--frames", "1", "--no-hud",
               "--size", "160x120", "--screenshot", "shot.png"] + ([flag] if flag else [])
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    shot = np.asarray(Image.open(tmp_path / "shot.png").convert("RGB")).astype(int)
    scene = load_scene(path)
    expected = {"--flat": "flat", "--smooth": "smooth", None: None}[flag]
    same = render(scene, (160, 120), shading=expected)[..., :3].astype(int)
    other = render(scene, (160, 120), shading="smooth" if expected == "flat" else "flat")[..., :3].astype(int)
    assert np.mean(np.abs(shot - same).max(axis=2) <= 8) >= 0.99
    covered = np.any(same != same[0, 0], axis=2)
    assert np.mean(np.abs(shot - other).max(axis=2)[covered] > 8) > 0.2


def test_a_big_scene_in_motion_skips_multisampling(monkeypatch):
    """At or above MOVING_MSAA_TRIANGLES, a spinning scene is drawn single-sampled; stopped, saved or scripted, with MSAA."""
    from affine3d.app import window

    scene = two_objects()
    viewer = Viewer(scene, SIZE, scenes=[], visible=False, samples=4)
    try:
        if viewer.renderer.msaa_fbo is None:
            pytest.fail("the renderer made no multisampled framebuffer")
        targets = []
        draw = viewer.renderer.draw
        monkeypatch.setattr(viewer.renderer, "draw", lambda *a, **k: (targets.append(k.get("framebuffer")), draw(*a, **k)))
        for limit, spinning, still, expected in ((10**9, True, False, None), (1, True, False, viewer.renderer.fbo),
                                                 (1, False, False, None), (1, True, True, None)):
            monkeypatch.setattr(window, "MOVING_MSAA_TRIANGLES", limit)
            viewer.state.spinning = spinning
            viewer.draw(still=still)  # still: a frame to save (S, the last scripted frame) keeps its MSAA
            assert targets[-1] is expected
        viewer.state.spinning = True
        viewer.state.use_fixed_step(1 / 60)  # a scripted run (--frames): every frame antialiased, the same PNG
        viewer.draw()
        assert targets[-1] is None
    finally:
        viewer.close()
