"""``affine3d bench viewer``: the viewer's frames per second next to the renderer alone, same run.

Needs a display; on a server run it under a virtual one: ``xvfb-run -a affine3d bench viewer``.
For the default scene and the 1.3-million-triangle icosphere (level 8; ``--quick``: level 6), at
800x600 with 4x MSAA, each frame is timed four ways:

- **viewer frame**: :meth:`affine3d.viewer.Viewer.step` with auto-spin on: events, the world map
  from the controller, the scene into the offscreen framebuffer, the overlay (the matrix lines
  that changed are laid out again by pyglet), the MSAA resolve, the copy into the window, the swap;
- **viewer, overlay off**: the same with H pressed: what the overlay costs;
- **renderer alone**: :meth:`affine3d.renderer.Renderer.draw` plus the resolve into a headless
  (EGL) context, waiting for the GPU (``ctx.finish()``): the floor the window adds to;
- **affine3d render**: :func:`affine3d.renderer.render`, what the command does once: upload the
  meshes, draw, resolve, read the image back.

*x renderer* is each time over the renderer-alone time: the window should add little beyond the
copy and the swap. Under Xvfb on llvmpipe the "GPU" is the CPU and a swap copies the image into the
X server, so both are far slower than on a real GPU; the ratios are what carries over.
"""

from __future__ import annotations

import math
import os
import sys
import time

from .core import Table, best_time, pause

TITLE = "viewer: frames per second of the window against the renderer alone"

SIZE = (800, 600)
SAMPLES = 4


def _needs_display() -> bool:
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _icosphere_scene(level: int):
    from ..affine import Affine
    from ..polyhedra import icosphere
    from ..scene import Camera, Scene, SceneObject

    mesh = icosphere(level)
    obj = SceneObject(name=f"icosphere {level}", mesh=mesh, model=Affine.identity(3), color=(0.35, 0.7, 0.9))
    return Scene(name=f"icosphere level {level}", path=None, objects=[obj],
                 camera=Camera(fov=math.radians(40), near=0.5, far=50.0, distance=3.2),
                 world_rotation=Affine.rotation_x(0.3) @ Affine.rotation_y(0.5), spin=0.5)


def _frame_time(fn, quick: bool) -> float:
    return best_time(fn, repeat=2 if quick else 3, min_time_s=0.3 if quick else 1.0)


def _time_viewer(scene, quick: bool) -> tuple[float, float, str]:
    """(seconds per viewer frame with the overlay, without it, the window's GL renderer), in a real window."""
    from ..viewer import Viewer

    viewer = Viewer(scene, SIZE, samples=SAMPLES, vsync=False, scenes=[], caption="affine3d bench viewer")
    try:
        gl_renderer = viewer.ctx.info["GL_RENDERER"]
        viewer.state.spinning = True
        for _ in range(3):
            viewer.step(1 / 60)
        with_hud = _frame_time(lambda: viewer.step(1 / 60), quick)
        viewer.state.show_hud = False
        without_hud = _frame_time(lambda: viewer.step(1 / 60), quick)
    finally:
        viewer.close()
    return with_hud, without_hud, gl_renderer


def _time_renderer(ctx, scene, quick: bool) -> tuple[float, float]:
    """(seconds per Renderer.draw + resolve + finish, seconds per render() call), headless."""
    from ..renderer import Renderer, render

    with ctx:
        renderer = Renderer(ctx, scene, SIZE, samples=SAMPLES)
        try:
            world = scene.world()

            def frame():
                renderer.draw(world)
                if renderer.msaa_fbo is not None:
                    ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)
                ctx.finish()

            alone = _frame_time(frame, quick)
        finally:
            renderer.release()
        start = time.perf_counter()
        render(scene, SIZE, samples=SAMPLES, ctx=ctx)
        one_shot = time.perf_counter() - start
    return alone, one_shot


def run(quick: bool = False) -> list[Table]:
    level = 6 if quick else 8
    table = Table(
        f"{TITLE}, {SIZE[0]}x{SIZE[1]}, {SAMPLES}x MSAA",
        ["scene", "triangles", "what", "ms/frame", "frames/s", "x renderer"],
        notes=[
            "viewer frame: events, world map, scene, overlay, MSAA resolve, copy to the window, swap (vsync off).",
            "renderer alone: Renderer.draw + resolve in a headless EGL context, waiting for the GPU: the floor.",
            "affine3d render: one call of renderer.render(): upload, draw, resolve, read back (not a per-frame cost).",
        ],
    )
    if _needs_display():
        table.notes.insert(0, "no display (DISPLAY is not set): run it under Xvfb: xvfb-run -a affine3d bench viewer")
        return [table]

    from ..renderer import create_context
    from ..scene import DEFAULT_SCENE, load_scene

    scenes = [load_scene(DEFAULT_SCENE), _icosphere_scene(level)]
    ctx = None
    try:
        for scene in scenes:
            n_triangles = scene.n_triangles
            with_hud, without_hud, gl_renderer = _time_viewer(scene, quick)
            pause()
            if ctx is None:
                ctx = create_context()
            alone, one_shot = _time_renderer(ctx, scene, quick)
            pause()
            rows = [
                ("viewer frame", with_hud),
                ("viewer, overlay off", without_hud),
                ("renderer alone", alone),
                ("affine3d render (one call)", one_shot),
            ]
            for what, seconds in rows:
                table.add(scene.name, n_triangles, what, f"{seconds * 1e3:.3g}", f"{1 / seconds:.3g}", seconds / alone)
    finally:
        if ctx is not None:
            ctx.release()
    table.notes.append(f"window: DISPLAY={os.environ.get('DISPLAY', '')}, OpenGL renderer {gl_renderer}")
    return [table]
