"""Open the viewer: turn the world with the mouse and watch the 4x4 matrix that does it.

SCENE is a shipped scene's name (see the scenes/ folder: platonic, 1980-vs-2015, ...) or the path
of a .toml scene file; without it, the default scene (the five Platonic solids).

The camera never moves. The mouse changes the world map (world space -> camera space), shown
live in the overlay with its determinant and its distance from orthonormal:

    world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R

Mouse: left-drag rotates (arcball; T switches to a turntable), right-drag (or shift+left-drag)
pans, the wheel moves the world toward or away from the camera.
Keys: space auto-spin, W wireframe, P perspective/orthographic, R reset, H overlay, S screenshot,
1-9 / Tab scenes, T arcball/turntable, F1 or ? help, Esc or Q quit.

Watch a network warp space: --mlp MODEL (a .safetensors, .npz or .onnx MLP with 3 inputs and 3
outputs), or a scene file's mlp key (scenes/cube-to-sphere.toml), applies the network to the
objects' vertices and plays its forward pass stage by stage: each layer's affine map, A(t) = (1-t) I
+ t W and b(t) = t b, then its activation, x -> (1-t) x + t sigma(x). The overlay names the stage and
shows the layer's W | b, det W, det A(t) and the singular values; a solid turned inside out
(det < 0) is drawn orange. Without SCENE, --mlp warps the finely cut cube of cube-to-sphere.
Keys: M play/pause, Right/Left next/previous stage, . and , (or ] and [) scrub, Home/End the
input/the output; the mouse still turns the world while it plays.

Without a display (no DISPLAY or WAYLAND_DISPLAY, or no window can be opened) it says so and
renders the scene headless to a PNG instead (--screenshot PATH, else ./affine3d-view.png).
--offscreen draws the viewer itself, overlay included, into an offscreen EGL window: scripted
figures with the matrix in them on a machine with no display.

Examples:
  affine3d view
  affine3d view 1980-vs-2015 --turntable
  affine3d view cube-to-sphere                              # a network bends a cube onto a sphere
  affine3d view --mlp my-net.safetensors                    # any 3 -> ... -> 3 network, on the cube
  affine3d view --frames 30 --screenshot slide.png          # a scripted figure, then quit
  xvfb-run -a affine3d view --frames 30 --screenshot x.png  # the same on a server
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .paths import check_output_folder

HELP = "the interactive window: drag the world, watch its 4x4 matrix (renders a PNG when there is no display)"

FALLBACK_PNG = "affine3d-view.png"


def add_arguments(parser) -> None:
    parser.add_argument("scene", nargs="?", default=None, metavar="SCENE",
                        help="a shipped scene's name or a .toml file (default: platonic)")
    parser.add_argument("--frames", type=int, default=None, metavar="N", help="quit after N frames")
    parser.add_argument("--screenshot", metavar="PATH", default=None,
                        help="save the last frame as a PNG (with --frames: frame N; else when the window closes)")
    parser.add_argument("--size", default="960x720", metavar="WxH", help="window size (default: 960x720)")
    parser.add_argument("--turntable", action="store_true",
                        help="start with the turntable (yaw and clamped pitch, no roll) instead of the arcball")
    parser.add_argument("--ortho", action="store_true", help="start with the orthographic projection")
    parser.add_argument("--wireframe", action="store_true", help="start with the polygon edges drawn")
    parser.add_argument("--spin", action="store_true", help="start with auto-spin on")
    parser.add_argument("--no-hud", dest="hud", action="store_false", help="start with the overlay hidden")
    parser.add_argument("--samples", type=int, default=4, metavar="N", help="antialiasing samples per pixel (0: off; default 4)")
    parser.add_argument("--mlp", metavar="MODEL", default=None,
                        help="a 3 -> ... -> 3 network (.safetensors, .npz, .onnx) that warps the scene, played stage "
                             "by stage (default: the scene file's mlp key, if any)")
    parser.add_argument("--offscreen", action="store_true",
                        help="no window: draw the viewer into an offscreen EGL surface (use with --frames)")


def no_display_reason() -> str | None:
    """Why no window can open here, or None if one may: on Linux/BSD, no DISPLAY or WAYLAND_DISPLAY."""
    if sys.platform.startswith(("win", "darwin", "cygwin")):
        return None
    if os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return None
    return "DISPLAY and WAYLAND_DISPLAY are not set"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no message"
    text = text if len(text) <= 200 else text[:197] + "..."
    return f"{type(exc).__name__}: {text}"


def run(args) -> int:
    from ..errors import UsageError
    from ..geometry.scene import DEFAULT_SCENE, load_scene
    from ..images import parse_size
    from ..nn.mlp import MLP
    from ..render import MORPH_SCENE

    size = parse_size(args.size)
    if args.frames is not None and args.frames < 1:
        raise UsageError(f"--frames: expected 1 or more, got {args.frames}")
    if args.samples < 0:
        raise UsageError(f"--samples: expected 0 or more, got {args.samples}")
    if args.screenshot is not None and Path(args.screenshot).suffix.lower() != ".png":
        raise UsageError(f"--screenshot: expected a .png file name, got {args.screenshot!r}")
    if args.screenshot is not None:
        check_output_folder(args.screenshot, "--screenshot")
    mlp = _network(args)
    scene = load_scene(args.scene or (MORPH_SCENE if mlp is not None else DEFAULT_SCENE))
    models = {}
    if mlp is None and scene.mlp is not None:  # read once: a broken file is one line and exit 2, before any window
        models[scene.mlp] = _checked(MLP.load(scene.mlp))

    reason = None if args.offscreen else no_display_reason()
    viewer = None
    if reason is None:
        if args.offscreen:
            import pyglet

            if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
                raise UsageError("--offscreen: pyglet's window module is already loaded with a display")
            pyglet.options["headless"] = True
        from ..app.window import Viewer

        try:
            viewer = Viewer(scene, size, turntable=args.turntable, samples=args.samples, visible=not args.offscreen,
                            mlp=mlp, mlp_name=Path(args.mlp).name if args.mlp else "", models=models)
        except Exception as exc:  # no X server, no GLX, no OpenGL 3.3: fall back, never a traceback
            if args.offscreen:
                raise
            where = f" on DISPLAY={os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else ""
            reason = f"no window could be opened{where} ({_one_line(exc)})"
    if viewer is None:
        return _render_instead(scene, args, size, reason, mlp if mlp is not None else models.get(scene.mlp))

    state = viewer.state
    state.ortho = state.ortho or args.ortho
    state.wireframe = args.wireframe
    state.spinning = state.spinning or args.spin
    state.show_hud = args.hud
    if args.offscreen and args.frames is None:
        args.frames = 1
    viewer.run(frames=args.frames, screenshot=args.screenshot)
    return 0


def _network(args):
    """The --mlp network, loaded and checked to map R^3 to R^3 (ModelError otherwise), or None."""
    from ..nn.mlp import MLP

    return None if args.mlp is None else _checked(MLP.load(args.mlp))


def _checked(mlp):
    """``mlp`` after checking that it maps R^3 to R^3 (ModelError otherwise)."""
    from ..nn.morph import check_model

    check_model(mlp)
    return mlp


def _render_instead(scene, args, size, reason: str, mlp=None) -> int:
    """No window: say why in one line, render the scene headless, say where the PNG went."""
    from ..gl.renderer import render
    from ..images import save_png

    print(f"affine3d view: no display: {reason}", file=sys.stderr)
    path = Path(args.screenshot or FALLBACK_PNG)
    if mlp is not None:  # the scene after the whole network
        from ..render import render_output

        image = render_output(scene, mlp, size, ortho=True if args.ortho else None, wireframe=args.wireframe,
                              samples=args.samples)
    else:
        image = render(scene, size, ortho=True if args.ortho else None, wireframe=args.wireframe, samples=args.samples)
    save_png(image, path)
    shown = str(path) if path.is_absolute() or str(path).startswith(".") else f"./{path}"
    which = "the default scene" if args.scene is None else f"the scene {args.scene!r}"
    print(f"no display: rendered {which} to {shown} instead (use 'affine3d render' for more options)")
    return 0
