"""``affine3d bench raster``: the numpy CPU rasterizer next to the OpenGL renderer, same run, same frames.

For icospheres of level 0..8 (20 to 1.3 million triangles; ``--quick``: levels 0, 2, 4, 5) and the default
scene, one 800x600 frame is made into a numpy image two ways:

- **CPU**: :func:`affine3d.cpu.raster.render_cpu`, numpy only;
- **GPU**: :class:`affine3d.gl.renderer.Renderer` with one sample per pixel (no MSAA, like the CPU):
  ``draw()`` then ``read()``, so both columns end with the same (H, W, 4) uint8 array in memory.

The lecture says a GPU has about ten times the raw power of a CPU of its class; the ratio column
shows what that means for these two programs here. On Mesa's llvmpipe the "GPU" is itself software:
LLVM-compiled rasterizer code running on this machine's CPU cores, so the ratio is then "compiled,
threaded C against numpy" on the same silicon, not GPU against CPU.
"""

from __future__ import annotations

import math

from ..i18n import N_
from .core import Table, best_time, format_si, pause

TITLE = "raster: one 800x600 frame, numpy CPU rasterizer vs OpenGL renderer"

SIZE = (800, 600)


def _icosphere_scene(level: int):
    from ..affine import Affine
    from ..geometry.solids import icosphere
    from ..geometry.scene import Camera, Scene, SceneObject

    mesh = icosphere(level)
    obj = SceneObject(name=mesh.name or "icosphere", mesh=mesh, model=Affine.scaling(1.0), color=(0.35, 0.7, 0.9))
    return Scene(name="bench", path=None, objects=[obj],
                 camera=Camera(fov=math.radians(40), near=0.5, far=50.0, distance=3.2),
                 world_rotation=Affine.rotation_x(0.3) @ Affine.rotation_y(0.5))


def run(quick: bool = False) -> list[Table]:
    from ..cpu.raster import render_cpu
    from ..gl.renderer import Renderer
    from ..gl.context import create_context
    from ..geometry.scene import DEFAULT_SCENE, load_scene

    ctx = create_context()
    gl_renderer = ctx.info["GL_RENDERER"]
    levels = (0, 2, 4, 5) if quick else range(0, 9)
    repeat = 2 if quick else 3
    min_time_s = 0.05 if quick else 0.2
    table = Table(
        f"{TITLE} (GL_RENDERER: {gl_renderer})",
        [N_("scene"), N_("triangles"), N_("CPU frame"), N_("GPU frame"), N_("CPU fps"), N_("GPU fps"), N_("GPU / CPU speed"), N_("CPU triangles/s")],
    )
    cases = [(f"{DEFAULT_SCENE} (default)", lambda: load_scene(DEFAULT_SCENE))]
    cases += [(f"icosphere({level})", lambda level=level: _icosphere_scene(level)) for level in levels]
    for label, make in cases:
        scene = make()
        cpu = best_time(lambda: render_cpu(scene, SIZE), repeat=repeat, min_time_s=min_time_s)
        pause(0.3)
        renderer = Renderer(ctx, scene, SIZE, samples=0)

        def gpu_frame():
            renderer.draw()
            return renderer.read()  # waits for the frame: glReadPixels into numpy, like the CPU's result

        gpu = best_time(gpu_frame, repeat=repeat, min_time_s=min_time_s)
        renderer.release()
        pause(0.3)
        n = scene.n_triangles
        table.add(label, n, format_si(cpu, "s"), format_si(gpu, "s"), 1 / cpu, 1 / gpu, cpu / gpu, format_si(n / cpu))
    software = "llvmpipe" in gl_renderer.lower()
    table.notes = [
        f"GL_RENDERER = {gl_renderer!r}"
        + (": Mesa's software renderer, so the 'GPU' column also runs on this CPU's cores (LLVM-compiled, threaded)."
           if software else ": a hardware GPU."),
        f"Frames: {SIZE[0]}x{SIZE[1]}, flat shading, back faces culled, one sample per pixel on both; the best of "
        f"{repeat} rounds. Both end with the (H, W, 4) uint8 image in numpy (GPU: draw + read).",
        "GPU / CPU speed = CPU frame time / GPU frame time (above 1: the GPU path is faster). The lecture's ~10:1 is "
        "about hardware of a class; here it compares two programs on the machine named above.",
        "Goal for the CPU: the default scene at 800x600 in under 0.5 s on a 2-core machine.",
    ]
    ctx.release()
    return [table]
