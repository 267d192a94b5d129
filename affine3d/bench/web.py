"""``affine3d bench web``: the browser page's frame time next to the desktop renderer's, same run, same scenes.

The page (``affine3d serve``) runs in headless Chromium, whose WebGL2 is SwiftShader (Chromium's
software GPU) on a machine without one; the desktop renderer is moderngl on whatever OpenGL the
machine has (Mesa's llvmpipe here, also software). Both draw the same scene at the same size with 4x
MSAA, the same shader files, and each frame is waited for (the page reads one pixel back, the desktop
calls ``ctx.finish()``), so the columns time the same work:

- **1980-vs-2015**: one frame of the two icospheres (80 and 20,480 triangles, edges on the first);
- **cube-to-sphere warp**: one animation frame of the network: ``morph.vert`` through transform
  feedback from the stage's keyframe, the positions read back, flat normals and the inside-out test
  on the CPU (JavaScript / numpy), the vertex buffers rewritten, the frame drawn.

Needs Chromium and Playwright (``pip install 'affine3d[test]'``, ``apt-get install chromium``).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from ..i18n import N_
from .core import Table, pause

TITLE = "web: the browser page's frame time (headless Chromium, WebGL2) next to the desktop renderer's"

VIEWPORT = {"width": 1240, "height": 680}
SAMPLES = 4


def _desktop_frame(scene, size, world, warp: bool, quick: bool) -> float:
    """Best seconds per frame of the desktop renderer (draw, or warp + draw), waited for with ctx.finish()."""
    from ..gl.context import create_context
    from ..gl.renderer import Renderer
    from ..nn.model import load_model
    from ..render import MorphingScene

    ctx = create_context()
    try:
        if warp:
            morphing = MorphingScene(ctx, scene, load_model(scene.mlp), size, SAMPLES)
            renderer, stages = morphing.renderer, morphing.morph.stages
        else:
            renderer = Renderer(ctx, scene, size, samples=SAMPLES)
        position = [0.0]

        def frame():
            if warp:
                position[0] = (position[0] + 0.37) % len(stages)
                k = int(position[0])
                morphing.show(stages[k], position[0] - k)
            renderer.draw(world)
            if renderer.msaa_fbo is not None:  # resolve the samples, as the page's canvas does before its read
                ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)
            ctx.finish()

        return _best(frame, quick)
    finally:
        ctx.release()


def _best(frame, quick: bool) -> float:
    frame()
    n = 5 if quick else 20
    best = float("inf")
    for _ in range(2 if quick else 4):
        start = time.perf_counter()
        for _ in range(n):
            frame()
        best = min(best, (time.perf_counter() - start) / n)
        pause(0.05)
    return best


def run(quick: bool = False) -> list[Table]:
    from ..errors import UsageError
    from ..web.browser import chromium_path

    try:
        from playwright.sync_api import sync_playwright  # noqa: F401

        chromium_path()
    except (ImportError, UsageError) as exc:  # the other suites still run; this one says what is missing
        why = "Playwright is not installed (pip install playwright)" if isinstance(exc, ImportError) else str(exc)
        return [Table(TITLE, [N_("not run")], [[why]])]
    return _run(quick)


def _run(quick: bool) -> list[Table]:
    from playwright.sync_api import sync_playwright

    from ..affine import Affine
    from ..geometry.scene import load_scene
    from ..web.browser import launch
    from ..web.server import serve_folder
    from ..web.site import build_site

    cases = [("1980-vs-2015", False), ("cube-to-sphere", True)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="affine3d-bench-web-") as tmp:
        site = build_site(Path(tmp) / "site", [name for name, _ in cases])
        server, url = serve_folder(site)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                page = browser.new_page(viewport=VIEWPORT)
                version = browser.version
                renderer = None
                for name, warp in cases:
                    # A fixed view; the warp pauses (the benchmark moves it), the spin is off.
                    page.goto(f"{url}#scene={name}&rot=0.98,0.17,0.1,0&stage=1&t=0")
                    page.evaluate("window.affine3d.ready")
                    page.evaluate("window.affine3d.settle()")
                    if renderer is None:
                        renderer = page.evaluate("""() => { const gl = document.getElementById('view').getContext('webgl2');
                            const info = gl.getExtension('WEBGL_debug_renderer_info');
                            return info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER); }""")
                    n = 5 if quick else 20
                    page_s = min(page.evaluate(f"window.affine3d.benchFrames({n}, {str(warp).lower()})")
                                 for _ in range(2 if quick else 4)) / 1000
                    width, height = page.evaluate("window.affine3d.state()")["pixels"]
                    world = Affine.from_matrix(page.evaluate("window.affine3d.world()"))
                    rows.append((name, warp, (width, height), world, page_s))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    table = Table(f"{TITLE}", [N_("scene"), N_("frame"), N_("triangles"), N_("size"), N_("page (Chromium)"), N_("desktop (moderngl)"),
                               N_("page / desktop"), N_("page fps")])
    for name, warp, size, world, page_s in rows:
        scene = load_scene(name)
        pause(0.3)
        desktop_s = _desktop_frame(scene, size, world, warp, quick)
        table.add(name, "warp + draw" if warp else "draw", scene.n_triangles, f"{size[0]}x{size[1]}",
                  f"{page_s * 1e3:.2f} ms", f"{desktop_s * 1e3:.2f} ms", page_s / desktop_s, 1 / page_s)
    table.notes = [
        f"page: Chromium {version}, WebGL2 on {renderer}; desktop: moderngl on the machine's OpenGL (see the header).",
        "Each frame waited for: the page reads one pixel back (gl.readPixels), the desktop resolves its MSAA image and "
        "calls ctx.finish(). "
        f"{SAMPLES}x MSAA on both, the same shader files; the best of several rounds.",
        "warp + draw: morph.vert through transform feedback, positions read back, flat normals and the inside-out test "
        "on the CPU (JavaScript / numpy), buffers rewritten, one frame drawn.",
        "page / desktop above 1: the page is slower. Both are software renderers on this CPU here (SwiftShader, llvmpipe).",
    ]
    return [table]
