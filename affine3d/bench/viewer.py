"""``affine3d bench viewer``: the viewer's frames per second next to the renderer alone, same run.

Needs a display; on a server run it under a virtual one: ``xvfb-run -a affine3d bench viewer``.
For the default scene and the 1.3-million-triangle icosphere (level 8; ``--quick``: level 6), at
800x600 with 4x MSAA, each frame is timed five ways, alternating in rounds (best round kept):

- **viewer frame**: :meth:`affine3d.viewer.Viewer.step` with auto-spin on: events, the world map
  from the controller, the scene into the offscreen framebuffer, the overlay (the matrix lines
  that changed are laid out again by pyglet), the MSAA resolve, the copy into the window, the swap;
- **viewer, overlay off**: the same with H pressed: what the overlay costs;
- **copy to window + swap only**: the blit of a finished frame into the window and the swap: what
  the window adds to the renderer's work;
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

from .core import Table, pause

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


def _per_frame(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def _measure(scene, ctx, quick: bool) -> tuple[dict[str, float], str]:
    """Seconds per frame of each way of drawing ``scene``: the best of several rounds, the ways alternating.

    The window (GLX under Xvfb) and the headless renderer (EGL) live side by side in this process,
    so every round times each of them in turn and machine noise hits all of them alike.
    """
    from ..renderer import Renderer
    from ..viewer import Viewer

    viewer = Viewer(scene, SIZE, samples=SAMPLES, vsync=False, scenes=[], caption="affine3d bench viewer")
    renderer = None
    try:
        gl_renderer = viewer.ctx.info["GL_RENDERER"]
        viewer.state.spinning = True
        with ctx:
            renderer = Renderer(ctx, scene, SIZE, samples=SAMPLES)
        world = scene.world()

        def viewer_frame(hud: bool):
            def frame():
                viewer.state.show_hud = hud
                viewer.step(1 / 60)
            return frame

        def copy_and_swap():
            viewer.window.switch_to()
            viewer._blit_to_window()
            viewer.window.flip()
            viewer.ctx.finish()

        def renderer_frame():
            with ctx:
                renderer.draw(world)
                if renderer.msaa_fbo is not None:
                    ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)  # resolve, as the viewer does
                ctx.finish()

        ways = {
            "viewer frame": viewer_frame(True),
            "viewer, overlay off": viewer_frame(False),
            "copy to window + swap only": copy_and_swap,
            "renderer alone": renderer_frame,
        }
        target_s = 0.25 if quick else 0.6
        frames = {}
        for name, fn in ways.items():  # warm up, and pick how many frames make a round
            fn()
            frames[name] = max(2, min(200, int(target_s / max(_per_frame(fn, 1), 1e-6))))
        best = {name: math.inf for name in ways}
        for _ in range(2 if quick else 3):
            for name, fn in ways.items():
                best[name] = min(best[name], _per_frame(fn, frames[name]))
                pause(0.05)
    finally:
        if renderer is not None:
            with ctx:
                renderer.release()
        viewer.close()
    return best, gl_renderer


def _one_shot(ctx, scene) -> float:
    """Seconds for one :func:`affine3d.renderer.render` call: upload, draw, resolve, read back."""
    from ..renderer import render

    with ctx:
        start = time.perf_counter()
        render(scene, SIZE, samples=SAMPLES, ctx=ctx)
        return time.perf_counter() - start


def run(quick: bool = False) -> list[Table]:
    level = 6 if quick else 8
    table = Table(
        f"{TITLE}, {SIZE[0]}x{SIZE[1]}, {SAMPLES}x MSAA",
        ["scene", "triangles", "what", "ms/frame", "frames/s", "x renderer"],
        notes=[
            "viewer frame: events, world map, scene, overlay, MSAA resolve, copy to the window, swap (vsync off).",
            "copy to window + swap only: what the window adds to a frame the renderer has made.",
            "renderer alone: Renderer.draw + resolve in a headless EGL context, waiting for the GPU: the floor.",
            "affine3d render: one call of renderer.render(): upload, draw, resolve, read back (not a per-frame cost).",
        ],
    )
    if _needs_display():
        table.notes.insert(0, "no display (DISPLAY is not set): run it under Xvfb: xvfb-run -a affine3d bench viewer")
        return [table]

    from ..renderer import create_context
    from ..scene import DEFAULT_SCENE, load_scene

    ctx = create_context()
    try:
        for scene in (load_scene(DEFAULT_SCENE), _icosphere_scene(level)):
            times, gl_renderer = _measure(scene, ctx, quick)
            pause()
            times["affine3d render (one call)"] = _one_shot(ctx, scene)
            alone = times["renderer alone"]
            for what, seconds in times.items():
                table.add(scene.name, scene.n_triangles, what, f"{seconds * 1e3:.3g}", f"{1 / seconds:.3g}",
                          seconds / alone)
            pause()
    finally:
        ctx.release()
    table.notes.append(f"window: DISPLAY={os.environ.get('DISPLAY', '')}, OpenGL renderer {gl_renderer}; "
                       f"best of {2 if quick else 3} rounds, the ways alternating")
    return [table]
