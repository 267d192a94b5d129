"""``affine3d bench viewer``: the viewer's frames per second next to the renderer alone, same run.

Needs a display; on a server run it under a virtual one: ``xvfb-run -a affine3d bench viewer``.
For the default scene, the 1.3-million-triangle icosphere (level 8; ``--quick``: level 5, 20,480
triangles, and shorter rounds: a few seconds) and a mesh file the size of a classic scanned model
(124,000 faces, ``bunny_like`` from :mod:`affine3d.bench.mesh_samples`, opened as ``affine3d view FILE``
opens it: fitted, smooth shading; ``--quick``: 20,000), at 800x600 with 4x MSAA, a frame is timed these ways
(best of several rounds; the ways alternate within a round so that machine noise hits all of them alike):

- **viewer frame**: :meth:`affine3d.app.window.Viewer.step` with auto-spin on: events, the world map
  from the controller, the scene into the offscreen framebuffer, the overlay (the matrix lines
  that changed are laid out again by pyglet), the MSAA resolve, the copy into the window, the swap;
- **viewer, overlay off**: the same with H pressed: what the overlay costs;
- **copy to window + swap only**: the blit of a finished frame into the window and the swap;
- **renderer alone**: the viewer's own :meth:`affine3d.gl.renderer.Renderer.draw` plus the resolve,
  offscreen in the window's context, waiting for the GPU (``ctx.finish()``): the floor;
- **renderer alone, headless EGL**: the same in the headless context ``affine3d render`` uses
  (timed after the window is closed: with libglvnd a thread has one current context, GLX or EGL);
- **affine3d render (one call)**: :func:`affine3d.gl.renderer.render`, what the command does once:
  upload the meshes, draw, resolve, read the image back.

*x renderer* is each time over the renderer-alone time: the window should add little beyond the
copy and the swap.

A second table times the viewer while a network trains live (``affine3d view cube-to-sphere
--train``, :mod:`affine3d.app.training`): the cube-to-sphere scene in the default 960x720 window,
frames paced at 60 a second as the event loop paces them, the output stage on screen, with and
without the training thread (rounds alternate). *x idle* is the median frame time while training over
the median without: the training thread must not hold up the window (the goal: under 1.5). The epochs
per second are what the training achieved meanwhile, in the time the window left it. Under Xvfb on llvmpipe the "GPU" is the CPU and a swap copies the image into the
X server, so both are far slower than on a real GPU; the ratios are what carries over.
"""

from __future__ import annotations

import math
import time

from ..app.display import display_name, no_display_reason
from ..i18n import N_
from .core import Table, pause

TITLE = "viewer: frames per second of the window against the renderer alone"

SIZE = (800, 600)
SAMPLES = 4


def _icosphere_scene(level: int):
    from ..affine import Affine
    from ..geometry.solids import icosphere
    from ..geometry.scene import Camera, Scene, SceneObject

    mesh = icosphere(level)
    obj = SceneObject(name=f"icosphere {level}", mesh=mesh, model=Affine.identity(3), color=(0.35, 0.7, 0.9))
    return Scene(name=f"icosphere level {level}", path=None, objects=[obj],
                 camera=Camera(fov=math.radians(40), near=0.5, far=50.0, distance=3.2),
                 world_rotation=Affine.rotation_x(0.3) @ Affine.rotation_y(0.5), spin=0.5)


def _mesh_file_scene(n_faces: int):
    """A scanned-looking model written to an OBJ file and read back as `affine3d view FILE` reads it (fitted, smooth)."""
    import tempfile
    from pathlib import Path

    from ..geometry.scene import load_scene
    from .mesh_samples import bunny_like

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"bunny_like-{n_faces // 1000}k.obj"
        path.write_text(bunny_like(n_faces).obj_text(), encoding="utf-8")
        return load_scene(path)


def _per_frame(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def _rounds(ways: dict, quick: bool) -> dict[str, float]:
    """Seconds per frame of each way: the best of several rounds, the ways alternating within a round."""
    target_s = 0.1 if quick else 0.6
    frames = {}
    for name, fn in ways.items():  # warm up, and pick how many frames make a round
        fn()
        frames[name] = max(2, min(200, int(target_s / max(_per_frame(fn, 1), 1e-6))))
    best = {name: math.inf for name in ways}
    for _ in range(2 if quick else 3):
        for name, fn in ways.items():
            best[name] = min(best[name], _per_frame(fn, frames[name]))
            pause(0.05)
    return best


def _measure_window(scene, quick: bool) -> tuple[dict[str, float], str]:
    """The window's ways, all in the window's own OpenGL context (GLX under Xvfb).

    One thread has one current context (libglvnd): the headless EGL context is used only after the
    window is closed, so that neither draws into the other.
    """
    from ..app.window import Viewer

    viewer = Viewer(scene, SIZE, samples=SAMPLES, vsync=False, scenes=[], caption="affine3d bench viewer")
    try:
        gl_renderer = viewer.ctx.info["GL_RENDERER"]
        viewer.state.spinning = True
        renderer, ctx = viewer.renderer, viewer.ctx
        world = viewer.state.world

        def viewer_frame(hud: bool):
            def frame():
                viewer.state.show_hud = hud
                viewer.step(1 / 60)
            return frame

        def copy_and_swap():
            viewer._blit_to_window()
            viewer.window.flip()
            ctx.finish()

        def renderer_frame():  # the viewer's own renderer, offscreen, nothing else
            renderer.draw(world)
            if renderer.msaa_fbo is not None:
                ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)  # resolve, as the viewer does
            ctx.finish()

        times = _rounds({
            "viewer frame": viewer_frame(True),
            "viewer, overlay off": viewer_frame(False),
            "copy to window + swap only": copy_and_swap,
            "renderer alone": renderer_frame,
        }, quick)
    finally:
        viewer.close()
    return times, gl_renderer


def _measure_headless(scene, quick: bool) -> dict[str, float]:
    """Renderer.draw + resolve in a headless EGL context, and one render() call: what 'affine3d render' does."""
    from ..gl.renderer import Renderer, render
    from ..gl.context import create_context

    ctx = create_context()
    try:
        with ctx:
            renderer = Renderer(ctx, scene, SIZE, samples=SAMPLES)
            world = scene.world()

            def frame():
                renderer.draw(world)
                if renderer.msaa_fbo is not None:
                    ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)
                ctx.finish()

            times = _rounds({"renderer alone, headless EGL": frame}, quick)
            renderer.release()
            start = time.perf_counter()
            render(scene, SIZE, samples=SAMPLES, ctx=ctx)
            times["affine3d render (one call)"] = time.perf_counter() - start
    finally:
        ctx.release()
    return times


def _measure_training(quick: bool) -> Table:
    """Median frame time of the cube-to-sphere viewer at 60 frames a second, with and without live training."""
    import numpy as np

    from ..app.window import Viewer
    from ..geometry.scene import load_scene

    size, period = (960, 720), 1 / 60
    seconds = 1.5 if quick else 4.0
    viewer = Viewer(load_scene("cube-to-sphere"), size, samples=SAMPLES, vsync=False, scenes=[],
                    caption="affine3d bench viewer: training")
    frames = {False: [], True: []}
    epochs = 0.0
    trained_s = 0.0
    try:
        state = viewer.state
        state.spinning = True
        for _ in range(2 if quick else 3):
            for training in (False, True):
                if training:
                    state.start_lab(running=True)
                    first = state.lab.training.snapshot().epoch
                else:
                    state.close_lab()
                state.player.seek(state.player.n_stages)  # the network's output, as --train shows it
                for _ in range(5):  # settle: the first frames lay out the panels
                    viewer.step(period)
                start = time.perf_counter()
                while time.perf_counter() - start < seconds:
                    began = time.perf_counter()
                    viewer.step(period)
                    took = time.perf_counter() - began
                    frames[training].append(took)
                    time.sleep(max(0.0, period - took))  # the event loop's pacing
                if training:
                    epochs += state.lab.training.snapshot().epoch - first
                    trained_s += time.perf_counter() - start
                    state.close_lab()
                pause(0.1)
        gl_renderer = viewer.ctx.info["GL_RENDERER"]
    finally:
        viewer.close()
    idle, busy = (float(np.median(frames[k])) for k in (False, True))
    table = Table(f"viewer while a network trains live: cube-to-sphere, {size[0]}x{size[1]}, {SAMPLES}x MSAA, 60 frames/s",
                  [N_("what"), N_("median ms/frame"), N_("frames"), N_("x idle"), N_("epochs/s")])
    table.add("not training", f"{idle * 1e3:.3g}", len(frames[False]), 1.0, None)
    table.add("training (L / --train)", f"{busy * 1e3:.3g}", len(frames[True]), round(busy / idle, 2),
              round(epochs / trained_s) if trained_s else None)
    table.notes += [
        "A frame: Viewer.step (events, a new network from the training thread if one was published, the warped "
        "scene, the overlay with the training panel and loss curve, the swap); frames are paced at 60 a second "
        "and the training thread trains while the window waits.",
        f"x idle: median frame time training over not training (goal: at most 1.5). OpenGL renderer {gl_renderer}; "
        f"{'2' if quick else '3'} rounds of {seconds:g} s each way, alternating.",
    ]
    return table


def run(quick: bool = False) -> list[Table]:
    level = 5 if quick else 8
    table = Table(
        f"{TITLE}, {SIZE[0]}x{SIZE[1]}, {SAMPLES}x MSAA",
        [N_("scene"), N_("triangles"), N_("what"), N_("ms/frame"), N_("frames/s"), N_("x renderer")],
        notes=[
            "viewer frame: events, world map, scene, overlay, MSAA resolve, copy to the window, swap (vsync off).",
            "copy to window + swap only: what the window adds to a frame the renderer has made.",
            "renderer alone: the viewer's own Renderer.draw + resolve, offscreen in the window's context, waiting "
            "for the GPU (ctx.finish()): the floor; x renderer is each time over it.",
            "renderer alone, headless EGL: the same in the headless context that 'affine3d render' uses.",
            "affine3d render: one call of renderer.render(): upload, draw, resolve, read back (not a per-frame cost).",
            "bunny_like-*.obj: a generated mesh file opened as 'affine3d view FILE' opens it: fitted to the view, "
            "smooth shading (a normal per corner, vertices split only along creases), culling on.",
            "A scene of 50,000 triangles or more is drawn single-sampled while it moves (the viewer frames here spin), "
            "so its viewer frame can take less than the renderer alone, which keeps 4x MSAA.",
        ],
    )
    if no_display_reason() is not None:  # one line, at once: the window is what this suite measures
        table = Table("viewer: not run: it measures a window, and there is no display (DISPLAY and WAYLAND_DISPLAY "
                      "are not set); run it under a virtual one: xvfb-run -a affine3d bench viewer", table.columns)
        return [table]

    from ..geometry.scene import DEFAULT_SCENE, load_scene

    for scene in (load_scene(DEFAULT_SCENE), _icosphere_scene(level), _mesh_file_scene(20_000 if quick else 124_000)):
        times, gl_renderer = _measure_window(scene, quick)
        pause()
        times.update(_measure_headless(scene, quick))
        pause()
        alone = times["renderer alone"]
        for what, seconds in times.items():
            table.add(scene.name, scene.n_triangles, what, f"{seconds * 1e3:.3g}", f"{1 / seconds:.3g}", seconds / alone)
    table.notes.append(f"window: {display_name()}, OpenGL renderer {gl_renderer}; "
                       f"best of {2 if quick else 3} rounds, the ways alternating")
    pause()
    return [table, _measure_training(quick)]
