"""Open the viewer: turn the world with the mouse and watch the 4x4 matrix that does it.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..app.display import DISPLAY_VARIABLES, display_name, headless_possible, no_display_reason, use_headless
from ..errors import one_line
from .. import i18n
from ..i18n import N_, _
from .paths import check_output_folder

HELP = N_("the interactive window: drag the world, watch its 4x4 matrix (drawn into a PNG when there is no display)")

DESCRIPTION = N_("""Open the viewer: turn the world with the mouse and watch the 4x4 matrix that does it.

SCENE is a shipped scene's name (see the scenes/ folder: platonic, 1980-vs-2015, ...), the path
of a .toml scene file, or the path of a mesh file (.obj, .off); without it, the default scene (the
five Platonic solids). A mesh file is centred and scaled to fill the view whatever its units; the
overlay shows that fit as one more affine map, the Python that makes it.

The camera never moves. The mouse changes the world map (world space -> camera space), shown
live in the overlay with its determinant and its distance from orthonormal:

    world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R

Mouse: left-drag rotates (arcball; T switches to a turntable), right-drag (or shift+left-drag)
pans, the wheel moves the world toward or away from the camera.
Keys: space auto-spin, W wireframe, P perspective/orthographic, R reset, H overlay, S screenshot,
1-9 / Tab scenes, T arcball/turntable, N normals through A (wrong) or the normal matrix, F flat/smooth
shading, F1 or ? help, Esc or Q quit. While the overlay shows, the scene is framed in the part of the
window its panels leave; its text grows with the window (and --hud-scale, for a projector).
--flat / --smooth start with every object so shaded (default: each object's own: smooth for a mesh
file, with its own normals or computed ones that keep sharp edges sharp; flat for a built-in shape).

Watch a network warp space: --mlp MODEL (a .safetensors, .npz or .onnx MLP with 3 inputs and 3
outputs, or a model folder; a PyTorch state dict with --activations A,B,...), or a scene file's mlp key (scenes/cube-to-sphere.toml), applies the network to the
objects' vertices and plays its forward pass stage by stage: each layer's affine map, A(t) = (1-t) I
+ t W and b(t) = t b, then its activation, taking x to (1-t) x + t sigma(x). The overlay names the stage and
shows the layer's W | b, det W, det A(t) and the singular values; a solid turned inside out
(det < 0) is drawn hatched (orange and black stripes; the overlay says "hatched: inside out, det < 0").
Without SCENE, --mlp warps the finely cut cube of cube-to-sphere.
Keys: M play/pause, Right/Left next/previous stage, . and , (or ] and [) scrub, Home/End the
input/the output; the mouse still turns the world while it plays. --stage N --t X starts paused at
time X (0 to 1) of stage N (numbered as the overlay numbers them; 0: the input). --path polar moves
each affine stage along W = R S (turn by R(t) = exp(t log R), stretch linearly to S): never flat
when det W > 0.

Live training: --train (or key L in any scene with a 3 -> ... -> 3 network) trains a fresh network of
the scene's sizes, seeded, toward the scene's target ([train] in the scene file; --target NAME picks
cube-to-sphere, sphere-to-cube or untangle-rings) with affine3d's own trainer, in a background thread
while the window draws: the warped solid, the layer matrices and det W change as it learns, and a loss
curve grows in the overlay. L pauses and resumes, Backspace starts again from the same seed.
sphere-to-cube, rings (3 wide: cannot untangle them) and rings-4-wide (can) ship no trained network:
they start untrained. A target of your own is a Python function in your script: see affine3d.lab.

Follow one point: click a vertex to see it go through every map (model, world, the network's layers,
camera, clip, NDC, window pixels) in a panel, live while the world turns (affine3d trace prints the
same table). G: a ghost lattice (the unit cube's grid) moved by the world map or the current layer,
with the columns of A as arrows from b.

Scripted figures: with --frames N the clock advances 1/60 s a frame (not with the wall clock), so
spin and playback are at the same place in frame N every time and the same command saves the same
PNG, byte for byte (the overlay's fps line then shows that clock). Live training (--train) keeps the
same clock: 10 epochs before each frame after the first, so frame N shows epoch 10 (N - 1) on every
run. --yaw and --pitch turn the world as in 'affine3d render'.

Without a display (no DISPLAY or WAYLAND_DISPLAY, or no window can be opened) it says so and draws
the viewer offscreen instead, overlay included, into a PNG (--screenshot PATH, else
./affine3d-view.png): the same picture as --offscreen. Only where no OpenGL context can be made at
all does it render the scene without the overlay (on the CPU if need be), and it says so.
--offscreen draws the viewer into an offscreen EGL window on purpose: scripted figures with the
matrix in them on a machine with no display.

--screenshot and that fallback replace a file of that name (and say so); S in the window never
replaces one: it takes the next free affine3d-SCENE-NNN.png. Every picture is written to a
temporary file first and renamed, so a killed viewer leaves the old file whole; a symbolic link is
never written through.

Examples:
  affine3d view
  affine3d view 1980-vs-2015 --turntable
  affine3d view scenes/teapot.obj                           # any OBJ or OFF file, fitted to the view
  affine3d view cube-to-sphere                              # a network bends a cube onto a sphere
  affine3d view --mlp my-net.safetensors                    # any 3 -> ... -> 3 network, on the cube
  affine3d view cube-to-sphere --train                      # watch a network learn it, live
  affine3d view rings --train                               # 3 wide: the linked rings stay linked
  affine3d view --frames 30 --screenshot slide.png          # a scripted figure, then quit
  xvfb-run -a affine3d view --frames 30 --screenshot x.png  # the same on a server
  affine3d view cube-to-sphere --stage 3 --t 0.5 --frames 1 --screenshot flat.png   # det A(t) near 0
  affine3d view shear --size 1920x1080 --hud-scale 1.5      # for a projector
""")

FALLBACK_PNG = "affine3d-view.png"


def _no_offscreen(error: str) -> str:
    return _("no offscreen OpenGL window either ({error})").format(error=error)


def add_arguments(parser) -> None:
    parser.add_argument("scene", nargs="?", default=None, metavar="SCENE",
                        help=_("a shipped scene's name, a .toml file, or a mesh file (.obj, .off) (default: platonic)"))
    parser.add_argument("--frames", type=int, default=None, metavar="N",
                        help=_("quit after N frames; time then advances a fixed 1/60 s a frame and --train 10 epochs a frame "
                             "(the same PNG every run)"))
    parser.add_argument("--screenshot", metavar="PATH", default=None,
                        help=_("save the last frame as a PNG (with --frames: frame N; else when the window closes)"))
    parser.add_argument("--size", default="960x720", metavar="WxH", help=_("window size (default: 960x720)"))
    parser.add_argument("--hud-scale", type=float, default=1.0, metavar="X",
                        help=_("the overlay's text size, times what the window's size gives it (default 1; 1.5 for "
                             "the back of a lecture hall)"))
    parser.add_argument("--yaw", type=float, default=0.0, metavar="DEG",
                        help=_("turn the world about its vertical axis, degrees, added to the scene's yaw (as render)"))
    parser.add_argument("--pitch", type=float, default=0.0, metavar="DEG",
                        help=_("tip the world toward the camera, degrees, added to the scene's pitch (as render)"))
    parser.add_argument("--turntable", action="store_true",
                        help=_("start with the turntable (yaw and clamped pitch, no roll) instead of the arcball"))
    parser.add_argument("--ortho", action="store_true", help=_("start with the orthographic projection"))
    parser.add_argument("--wireframe", action="store_true", help=_("start with the polygon edges drawn"))
    parser.add_argument("--spin", action="store_true", help=_("start with auto-spin on"))
    parser.add_argument("--no-hud", dest="hud", action="store_false", help=_("start with the overlay hidden"))
    parser.add_argument("--samples", type=int, default=4, metavar="N", help=_("antialiasing samples per pixel (0: off; default 4)"))
    from .render import add_model_arguments

    add_model_arguments(parser, _("a 3 -> ... -> 3 network (.safetensors, .npz, .onnx or a model folder) that warps the "
                                "scene, played stage by stage (default: the scene file's mlp key, if any)"))
    parser.add_argument("--stage", type=int, default=None, metavar="N",
                        help=_("with a network: start paused in stage N (as the overlay numbers them; 0: the input)"))
    parser.add_argument("--t", type=float, default=None, metavar="X",
                        help=_("with --stage: how far into the stage, 0 to 1 (default 1: its end)"))
    parser.add_argument("--path", choices=("linear", "polar"), default="linear",
                        help=_("how each layer's affine stage goes from I to W: linear (1-t) I + t W (default), or polar: "
                             "W = R S, turned and stretched (never flat when det W > 0)"))
    parser.add_argument("--train", action="store_true",
                        help=_("train the scene's network live from a fresh seeded start, toward the scene's target "
                             "(its [train] table), in a background thread while the window draws (key L: pause)"))
    parser.add_argument("--target", metavar="NAME", default=None,
                        help=_("what --train / key L aims for instead of the scene's target: cube-to-sphere, "
                             "sphere-to-cube or untangle-rings (your own: a Python function, see affine3d.lab)"))
    parser.add_argument("--offscreen", action="store_true",
                        help=_("no window: draw the viewer into an offscreen EGL surface (use with --frames)"))
    shading = parser.add_mutually_exclusive_group()
    shading.add_argument("--smooth", dest="shading", action="store_const", const="smooth", default=None,
                         help=_("start with smooth shading for every object (key F switches)"))
    shading.add_argument("--flat", dest="shading", action="store_const", const="flat",
                         help=_("start with flat shading for every object (default: each object's own)"))


def run(args) -> int:
    import math
    from dataclasses import replace

    from ..errors import InputError, UsageError
    from ..fileio import check_output
    from ..geometry.scene import DEFAULT_SCENE, load_scene
    from ..images import parse_size
    from ..nn.morph import Morph
    from ..render import MORPH_SCENE
    from .render import (NO_NETWORK, ONE_OR_MORE, SAMPLES_POWER_OF_TWO, check_angles, check_moment, moment, network_of,
                         world_rotation)

    size = parse_size(args.size)
    if args.frames is not None and args.frames < 1:
        raise UsageError(i18n._(ONE_OR_MORE).format(option="--frames", value=args.frames))
    if args.samples < 0 or args.samples & (args.samples - 1):
        raise UsageError(i18n._(SAMPLES_POWER_OF_TWO).format(samples=args.samples))
    if not (math.isfinite(args.hud_scale) and 0 < args.hud_scale <= 8):
        raise UsageError(_("--hud-scale: expected a factor above 0, at most 8, got {value}").format(value=args.hud_scale))
    check_angles(args)
    if args.screenshot is not None and Path(args.screenshot).suffix.lower() != ".png":
        raise UsageError(_("--screenshot: expected a .png file name, got {name}").format(name=repr(args.screenshot)))
    if args.screenshot is not None:
        check_output_folder(args.screenshot, "--screenshot")
        check_output(args.screenshot, "--screenshot")  # a link or a device in its place fails now, not at the end
    check_moment(args)
    if args.activations is not None and args.mlp is None:
        raise UsageError(_("--activations: give it with --mlp MODEL (a scene's network names its own)"))
    mlp = None if args.mlp is None else network_of(args, None)
    scene = load_scene(args.scene or (MORPH_SCENE if mlp is not None else DEFAULT_SCENE))
    if args.yaw or args.pitch:  # the viewer starts (and R resets) there
        scene = replace(scene, world_rotation=world_rotation(scene, args.yaw, args.pitch))
    models = {}
    if mlp is None and scene.mlp is not None:  # read once: a broken file is one line and exit 2, before any window
        models[scene.mlp] = network_of(args, scene)
    network = mlp if mlp is not None else models.get(scene.mlp)
    if args.stage is not None and network is None:
        raise UsageError(i18n._(NO_NETWORK).format(option="--stage", name=repr(scene.name)))
    name = Path(args.mlp).name if args.mlp else (scene.mlp.name if scene.mlp is not None else "")
    when = None if network is None else moment(args, Morph(network), name)
    options = dict(turntable=args.turntable, samples=args.samples, mlp=mlp, mlp_name=Path(args.mlp).name if args.mlp else "",
                   models=models, hud_scale=args.hud_scale, shading=args.shading, path=args.path, train=args.train,
                   target=args.target)
    if args.train or args.target is not None:  # what would be trained: checked before any window opens
        from ..nn.targets import experiment_from_table

        if network is None and scene.train is None:
            raise UsageError(_("--train: the scene {name} has no network to train; try cube-to-sphere, "
                               "sphere-to-cube, rings or rings-4-wide, or give --mlp MODEL").format(name=repr(scene.name)))
        experiment_from_table(scene.train, network, args.target)

    if args.offscreen:
        if not headless_possible():
            raise UsageError(_("--offscreen: pyglet's window module is already loaded with a display"))
        viewer = _viewer(scene, size, options, visible=False)
        return _play(viewer, args, when, frames=args.frames or 1)
    reason = no_display_reason()
    if reason is None:
        from ..app.window import Viewer

        try:
            viewer = Viewer(scene, size, visible=True, **options)
        except InputError:  # the user's mistake (--samples the driver lacks, a size too big): say it, do not fall back
            raise
        except Exception as exc:  # no X server, no GLX, no OpenGL 3.3: fall back, never a traceback
            if display_name():
                reason = _("no window could be opened on {display} ({error})").format(
                    display=display_name(), error=one_line(exc, typed=True))
            else:
                reason = _("no window could be opened ({error})").format(error=one_line(exc, typed=True))
            print(_("affine3d view: no display: {reason}").format(reason=reason), file=sys.stderr)
            # This process's pyglet is bound to that display now; a fresh one draws offscreen instead.
            return _offscreen_in_a_new_process(scene, args, size, network, when)
        return _play(viewer, args, when, frames=args.frames)
    print(_("affine3d view: no display: {reason}").format(reason=reason), file=sys.stderr)
    return _offscreen_instead(scene, args, size, options, network, when)


def _viewer(scene, size, options, visible: bool):
    """A Viewer in an offscreen EGL window (pyglet headless), as --offscreen and the no-display fallback make it."""
    import warnings

    use_headless()
    from ..app.window import Viewer

    with warnings.catch_warnings():  # pyglet's "no EGL device, using the native display": the error, if any, says it
        warnings.simplefilter("ignore", UserWarning)
        return Viewer(scene, size, visible=visible, **options)


def _play(viewer, args, when, frames, announce: bool = True) -> int:
    """Set the viewer's starting toggles and moment from the flags, then run it (``frames``: a scripted run)."""
    state = viewer.state
    state.ortho = state.ortho or args.ortho
    state.wireframe = args.wireframe
    state.spinning = state.spinning or args.spin
    state.show_hud = args.hud
    if when is not None:
        state.show_moment(*when)
    viewer.run(frames=frames, screenshot=args.screenshot, announce=announce)
    return 0


def _replaced(replacing: bool) -> str:
    return _(", replacing the file that was there") if replacing else ""


def _shown(path: Path) -> str:
    return str(path) if path.is_absolute() or str(path).startswith(".") else f"./{path}"


def _offscreen_instead(scene, args, size, options, network, when) -> int:
    """No display: draw the viewer offscreen, as --offscreen does (overlay included); without EGL, a plain render."""
    from ..fileio import check_output

    path = Path(args.screenshot or FALLBACK_PNG)
    if not headless_possible():  # pyglet already bound to a display in this process
        return _offscreen_in_a_new_process(scene, args, size, network, when)
    try:
        viewer = _viewer(scene, size, options, visible=False)
    except Exception as exc:  # not even an offscreen EGL window
        return _render_instead(scene, args, size, _no_offscreen(one_line(exc, typed=True)), network, when)
    args.screenshot = str(path)
    replacing = check_output(path, "--screenshot")
    _play(viewer, args, when, frames=args.frames or 1, announce=False)
    print(_drew_offscreen(args, path, replacing))
    return 0


def _child_argv(args, path: Path) -> list[str]:
    """The command line of this view, for a fresh process, with --offscreen and --screenshot ``path``."""
    argv = [] if args.scene is None else [args.scene]
    for flag, value in (("--frames", args.frames), ("--size", args.size), ("--samples", args.samples),
                        ("--hud-scale", args.hud_scale), ("--yaw", args.yaw), ("--pitch", args.pitch),
                        ("--mlp", args.mlp), ("--stage", args.stage), ("--t", args.t), ("--path", args.path),
                        ("--target", args.target)):
        if value is not None:
            argv.append(f"{flag}={value}")
    for flag, on in (("--turntable", args.turntable), ("--ortho", args.ortho), ("--wireframe", args.wireframe),
                     ("--spin", args.spin), ("--no-hud", not args.hud), ("--flat", args.shading == "flat"),
                     ("--smooth", args.shading == "smooth"), ("--train", args.train)):
        if on:
            argv.append(flag)
    return ["view", *argv, "--offscreen", f"--screenshot={path}"]


def _offscreen_in_a_new_process(scene, args, size, network, when) -> int:
    """Draw the viewer offscreen in a new process (pyglet picks its window system once per process)."""
    import subprocess

    from ..fileio import check_output

    path = Path(args.screenshot or FALLBACK_PNG)
    replacing = check_output(path, "--screenshot")
    env = {k: v for k, v in os.environ.items() if k not in DISPLAY_VARIABLES}
    env["LANGUAGE"] = i18n.current_language()  # its last line is quoted below: in the language of this process
    result = subprocess.run([sys.executable, "-m", "affine3d", *_child_argv(args, path)], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        return _render_instead(scene, args, size, _no_offscreen(last), network, when)
    print(_drew_offscreen(args, path, replacing))
    return 0


def _render_instead(scene, args, size, reason: str, mlp=None, when=None) -> int:
    """Not even an offscreen window: say why in one line, render the scene without the overlay, say where."""
    from ..fileio import check_output
    from ..images import save_png
    from ..render import pick_backend, render_auto, render_output

    print(_("affine3d view: {reason}").format(reason=reason), file=sys.stderr)
    path = Path(args.screenshot or FALLBACK_PNG)
    replacing = check_output(path, "--screenshot")
    backend, detail = pick_backend("auto")  # the CPU rasterizer where no OpenGL context can be made
    ortho = True if args.ortho else None
    if mlp is not None:  # the scene after the network, or at --stage/--t
        stage, t = when if when is not None else (None, 1.0)
        image = render_output(scene, mlp, size, ortho=ortho, wireframe=args.wireframe, samples=args.samples,
                              backend=backend, stage=stage, t=t, shading=args.shading)
    else:
        image, _picked = render_auto(scene, size, ortho=ortho, wireframe=args.wireframe, samples=args.samples, backend=backend,
                               shading=args.shading)
    save_png(image, path, "--screenshot")
    print(_("no display: rendered {which} to {path}{replaced} without the overlay ({backend}: {detail}); "
            "'affine3d render' has more options").format(which=_which(args), path=_shown(path), replaced=_replaced(replacing),
                                                         backend=backend, detail=detail))
    if getattr(args, "train", False):
        command = f"affine3d render {args.scene or ''} --train --stages -o DIR".replace("  ", " ")
        print(_("training needs the window; headless: {command} writes the learning as a GIF").format(command=command))


def _which(args) -> str:
    return _("the default scene") if args.scene is None else _("the scene {name}").format(name=repr(args.scene))


def _drew_offscreen(args, path: Path, replacing: bool) -> str:
    return _("no display: drew the viewer offscreen, overlay included, with {which} to {path}{replaced} (the same "
             "picture as 'affine3d view --offscreen'; 'affine3d render' has more options)").format(
        which=_which(args), path=_shown(path), replaced=_replaced(replacing))
    return 0
