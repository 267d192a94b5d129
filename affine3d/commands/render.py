"""Render a scene to a PNG file, headless (no window, no display needed): OpenGL through EGL, or the CPU.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import math
from pathlib import Path

from .. import i18n
from ..i18n import N_, _, ngettext, prose_number
from .paths import check_output_folder

HELP = N_("render a scene to a PNG file, headless (no display needed)")

# Messages render and view share (marked here, looked up where they are raised).
NO_NETWORK = N_("{option}: the scene {name} has no network (no mlp key); give one with --mlp MODEL")
ONE_OR_MORE = N_("{option}: expected 1 or more, got {value}")
SAMPLES_POWER_OF_TWO = N_("--samples: expected 0 (off) or a power of two (2, 4, 8, ...), got {samples}")

DESCRIPTION = N_("""Render a scene to a PNG file, headless (no window, no display needed): OpenGL through EGL, or the CPU.

SCENE is a shipped scene's name (see the scenes/ folder: platonic, 1980-vs-2015, ...), the path
of a .toml scene file, or the path of a mesh file (.obj, .off); without it, the default scene (the
five Platonic solids). A mesh file is shown on its own: centred and scaled so that its bounding
sphere fills four fifths of the view's height, whatever its units (the fit map, one more affine map;
--verbose prints it, as the Python that makes it), smoothly shaded, default camera and light.

Shading: --smooth gives every corner a normal and interpolates it across the triangle (the mesh
file's own normals, OBJ vn, when it has them; else angle-weighted normals with edges sharper than
30 degrees kept sharp); --flat gives every triangle one normal, so the facets show. Without either,
each object has its own: smooth for a mesh file, flat for a built-in shape, or what the scene file's
shading key says.

--yaw and --pitch turn the world further in front of the fixed camera, on top of the scene file's
own [world] rotation: --yaw turns it about its own vertical (y) axis, --pitch then tips it about the
camera's horizontal (x) axis, toward the camera for positive degrees. In maps:

    world_rotation = rotation_x(pitch) @ scene.world_rotation @ rotation_y(yaw)

and since a scene's rotation is rotation_x(pitch_deg) @ rotation_y(yaw_deg), the angles simply add
to the file's yaw_deg and pitch_deg.

Examples:
  affine3d render                                   # platonic.png, 800x600
  affine3d render 1980-vs-2015 -o spheres.png --size 1280x720
  affine3d render --yaw 45 --pitch 20 --wireframe --ortho -o turned.png
  affine3d render my_scene.toml -o my_scene.png
  affine3d render scenes/teapot.obj --verbose       # any mesh file, fitted to the view
  affine3d render scenes/teapot.obj --flat -o facets.png
  affine3d render --backend cpu -o cpu.png          # numpy only: no OpenGL needed
  affine3d render cube-to-sphere --stages -o stages/  # a network warping a cube: PNGs and a GIF
  affine3d render cube-to-sphere --stage 3 --t 0.5     # the cube halfway through stage 3
  affine3d render --mlp my-net.safetensors --stages -o my-net/

-o replaces a file of that name (the line it prints says so), through a temporary file renamed
over it: a run that is killed or fails leaves the old picture whole. A symbolic link is never written
through (remove it or pick another name).

--backend auto (the default) draws with OpenGL when a context can be made and falls back to
affine3d's CPU rasterizer (affine3d/cpu/raster.py) when not; the last line says which one drew.

A network that warps space: --mlp MODEL (a .safetensors, .npz or .onnx MLP with 3 inputs and 3
outputs, or a Hugging Face folder written by save_pretrained; a PyTorch state dict needs
--activations tanh,tanh,identity, one per layer) is applied to every object's vertices in world space; a scene file can name one itself
(mlp = "file" at the top). Without SCENE, --mlp warps the cube of the cube-to-sphere scene. With
--stages, -o is a folder that gets one PNG per stage of the forward pass (each layer's affine map
A(t) = (1-t) I + t W, b(t) = t b, then its activation (1-t) x + t sigma(x); see affine3d/nn/morph.py),
an animated GIF of the whole pass (--frames in-between frames a stage) and stages.png, all the
stages on one sheet (each picture captioned with its stage and det W). Without --stages, the PNG
shows the scene after the whole network, or, with --stage N --t X, at time X (0 to 1) of stage N
(numbered from 1 as in the viewer's overlay and the stage PNGs; 0 is the input): the moment det A(t)
passes 0, for a slide. A scene that names a network (cube-to-sphere) is always drawn warped by it.
A solid turned inside out by a layer with det < 0 shows its inside, hatched in orange and black
stripes ("hatched: inside out, det < 0" on the pictures).

--train trains the scene's network (a fresh one of its sizes, from the scene's seed) toward the
scene's target (its [train] table: cube-to-sphere, sphere-to-cube, untangle-rings) with affine3d's
own trainer, and writes the learning into the folder -o (default SCENE-learning): learning.gif
(--frames pictures from epoch 0 to --epochs, closer together early on, each with its epoch and a
loss curve), learning.png (a
sheet) and trained.safetensors; with --stages also the trained network's stages. The same seed
gives the same files, byte for byte:
  affine3d render cube-to-sphere --train --frames 40 --stages -o learning/
  affine3d render rings-4-wide --train --seed 1 -o rings/   # a start that stays linked: can, not must

--path polar animates each affine stage along W = R S (polar decomposition: R a rotation, S a
symmetric stretch): A(t) = R(t) ((1-t) I + t S), R(t) = exp(t log R). With det W > 0 the solid
turns and stretches but never flattens; the straight path (1-t) I + t W flattens whenever W has a
negative eigenvalue. With det W < 0 every path must pass det = 0.
""")


def add_arguments(parser) -> None:
    parser.add_argument("scene", nargs="?", default=None, metavar="SCENE",
                        help=_("a shipped scene's name, a .toml file, or a mesh file (.obj, .off) (default: platonic)"))
    parser.add_argument("-o", "--output", metavar="PATH", default=None,
                        help=_("the PNG file to write (default: SCENE.png in the current folder)"))
    parser.add_argument("--size", default="800x600", metavar="WxH", help=_("image size in pixels (default: 800x600)"))
    parser.add_argument("--yaw", type=float, default=0.0, metavar="DEG",
                        help=_("turn the world about its vertical axis, degrees, added to the scene's yaw"))
    parser.add_argument("--pitch", type=float, default=0.0, metavar="DEG",
                        help=_("tip the world toward the camera, degrees, added to the scene's pitch"))
    projection = parser.add_mutually_exclusive_group()
    projection.add_argument("--ortho", dest="ortho", action="store_const", const=True, default=None,
                            help=_("orthographic projection (parallel lines stay parallel)"))
    projection.add_argument("--perspective", dest="ortho", action="store_const", const=False,
                            help=_("perspective projection (default: what the scene's camera says)"))
    parser.add_argument("--wireframe", action="store_true", help=_("draw the polygon edges over the faces"))
    shading = parser.add_mutually_exclusive_group()
    shading.add_argument("--smooth", dest="shading", action="store_const", const="smooth", default=None,
                         help=_("smooth shading for every object: a normal per corner (the file's, or computed "
                              "with sharp edges kept), interpolated"))
    shading.add_argument("--flat", dest="shading", action="store_const", const="flat",
                         help=_("flat shading for every object: one normal per triangle, the facets show "
                              "(default: each object's own; smooth for a mesh file)"))
    parser.add_argument("-v", "--verbose", action="store_true",
                        help=_("also print the model map of each object fitted to the view (a mesh file, fit = true)"))
    parser.add_argument("--samples", type=int, default=4, metavar="N",
                        help=_("antialiasing samples per pixel on the GPU (0: off; default 4); the CPU takes one"))
    add_model_arguments(parser, _("a 3 -> ... -> 3 network (.safetensors, .npz, .onnx or a model folder) that warps the "
                                "scene (default: the scene file's mlp key, if any)"))
    parser.add_argument("--stages", action="store_true",
                        help=_("write one PNG per stage of the network's forward pass, an animated GIF and a sheet "
                             "into the folder -o (default: SCENE-stages)"))
    parser.add_argument("--frames", type=int, default=None, metavar="N",
                        help=_("with --stages: GIF frames per stage, 1..200 (default 12); with --train: pictures in the "
                             "learning GIF, 2..400 (default 40)"))
    parser.add_argument("--stage", type=int, default=None, metavar="N",
                        help=_("with a network: the picture during stage N (1 = layer 1's affine map, as the viewer's "
                             "overlay and the stage PNGs number them; 0: the input) instead of after the whole network"))
    parser.add_argument("--t", type=float, default=None, metavar="X",
                        help=_("with --stage: how far into the stage, 0 to 1 (default 1: the stage's end)"))
    parser.add_argument("--train", action="store_true",
                        help=_("train the scene's network from its seed toward the scene's target ([train] table) and "
                             "write the learning as a GIF into the folder -o (default: SCENE-learning); with --stages "
                             "also the trained network's stages"))
    parser.add_argument("--epochs", type=int, default=None, metavar="E",
                        help=_("with --train: epochs of training (default: the scene's [train] epochs)"))
    parser.add_argument("--seed", type=int, default=None, metavar="S",
                        help=_("with --train: the starting network's seed (default: the scene's); same seed, same GIF"))
    parser.add_argument("--target", metavar="NAME", default=None,
                        help=_("with --train: cube-to-sphere, sphere-to-cube or untangle-rings instead of the scene's target"))
    parser.add_argument("--path", choices=("linear", "polar"), default="linear",
                        help=_("how each layer's affine stage goes from I to W: linear, A(t) = (1-t) I + t W (the "
                             "default), or polar, W = R S turned and stretched (det A(t) > 0 whenever det W > 0)"))
    parser.add_argument("--backend", choices=("auto", "gpu", "cpu"), default="auto",
                        help=_("who draws: gpu (OpenGL), cpu (affine3d's numpy rasterizer: no OpenGL needed), or "
                             "auto (the GPU if an OpenGL context can be made, else the CPU; the default)"))


def check_angles(args) -> None:
    """``--yaw`` and ``--pitch`` are finite numbers of degrees (``inf`` parses as a float), else a one-line UsageError."""
    from ..errors import UsageError

    for name in ("yaw", "pitch"):
        if not math.isfinite(getattr(args, name)):
            raise UsageError(_("--{name}: expected a finite number of degrees, got {value}").format(
                name=name, value=getattr(args, name)))


def world_rotation(scene, yaw_deg: float, pitch_deg: float):
    """The scene's rotation turned by ``yaw_deg`` about its own y axis, then tipped by ``pitch_deg`` about x.

    ``rotation_x(pitch) @ scene.world_rotation @ rotation_y(yaw)``: yaw acts first (in the world's
    own frame), pitch last (in the camera's frame).
    """
    from ..affine import Affine

    return Affine.rotation_x(math.radians(pitch_deg)) @ scene.world_rotation @ Affine.rotation_y(math.radians(yaw_deg))


def run(args) -> int:
    from ..errors import UsageError
    from ..fileio import check_output
    from ..geometry.scene import DEFAULT_SCENE, load_scene
    from ..images import parse_size, save_png
    from ..render import render_auto
    from ..pictures import MAX_FRAMES_PER_STAGE

    size = parse_size(args.size)
    check_angles(args)
    if args.samples < 0:
        raise UsageError(i18n._(SAMPLES_POWER_OF_TWO).format(samples=args.samples))
    check_moment(args)
    if args.stages and args.stage is not None:
        raise UsageError(_("--stage: picks one moment for one PNG; --stages writes them all (give one of the two)"))
    if args.train:
        return _run_training(args, size)
    for flag in ("epochs", "seed", "target"):
        if getattr(args, flag) is not None:
            raise UsageError(_("--{flag}: only with --train").format(flag=flag))
    if args.stages and args.frames is not None and not 1 <= args.frames <= MAX_FRAMES_PER_STAGE:
        raise UsageError(_("--frames: expected 1..{most} GIF frames a stage, got {frames}").format(
            most=MAX_FRAMES_PER_STAGE, frames=args.frames))
    if args.mlp is not None or args.stages:
        return _run_network(args, size)
    scene = load_scene(args.scene or DEFAULT_SCENE)
    if scene.mlp is not None:  # the scene names its network: it applies (--stage picks the moment)
        return _run_network(args, size, scene)
    if args.stage is not None:
        raise UsageError(i18n._(NO_NETWORK).format(option="--stage", name=repr(scene.name)))
    stem = scene.path.stem if scene.path is not None else "scene"
    output = Path(args.output) if args.output else Path(f"{stem}.png")
    if output.suffix.lower() != ".png":
        raise UsageError(_("--output: expected a .png file name, got {name}").format(name=repr(str(output))))
    check_output_folder(output, "--output")
    replacing = check_output(output, "--output")  # a link or a device in its place: refused before the render

    backend, detail = _backend(args)
    image, _picked = render_auto(scene, size, scene.world(world_rotation(scene, args.yaw, args.pitch)), ortho=args.ortho,
                           wireframe=args.wireframe, samples=args.samples, shading=args.shading, backend=backend)
    save_png(image, output, "--output")
    if args.verbose:
        _print_fits(scene)
    print(_("wrote {path}{replaced} ({width}x{height}, scene {name}, {triangles} triangles, backend {backend}: "
            "{detail})").format(path=output, replaced=_replaced(replacing), width=size[0], height=size[1],
                                name=repr(scene.name), triangles=prose_number(scene.n_triangles), backend=backend,
                                detail=detail))
    return 0


def _print_fits(scene) -> None:
    from ..geometry.fit import fit_lines

    for line in fit_lines(scene.objects):
        print(line)


def check_moment(args) -> None:
    """--stage and --t: a stage number >= 0 and a time in [0, 1], --t only with --stage (UsageError otherwise)."""
    from ..errors import UsageError

    if args.t is not None:
        if args.stage is None:
            raise UsageError(_("--t: a time within a stage; give the stage too (--stage N --t X)"))
        if not 0.0 <= args.t <= 1.0:  # also refuses nan
            raise UsageError(_("--t: expected a time from 0 (the stage's start) to 1 (its end), got {t}").format(t=args.t))
    if args.stage is not None and args.stage < 0:
        raise UsageError(_("--stage: expected 0 (the input) or a stage number from 1, got {stage}").format(stage=args.stage))


def moment(args, morph, model_name: str):
    """``(stage index, t)`` for --stage N --t X, checked against the network's stages; None without --stage.

    Stage N counts from 1 as the viewer's overlay and the stage PNGs do (``stage-03-...png`` is the
    picture at the end of stage 3); 0 is the input.
    """
    from ..errors import UsageError

    if args.stage is None:
        return None
    if args.stage > morph.n_stages:
        raise UsageError(_("--stage: expected 0 (the input) to {last} for the network {name} ({last} stages), got "
                           "{stage}").format(last=morph.n_stages, name=model_name, stage=args.stage))
    if args.stage == 0:
        return 0, 0.0
    return args.stage - 1, 1.0 if args.t is None else float(args.t)


def _backend(args) -> tuple[str, str]:
    """``pick_backend(--backend)``, and --samples checked: on the GPU against the counts its driver offers."""
    from ..errors import UsageError
    from ..render import pick_backend

    backend, detail = pick_backend(args.backend)  # GLUnavailableError for --backend gpu without OpenGL
    if backend == "gpu":
        from ..gl.context import default_context
        from ..gl.renderer import check_samples

        check_samples(default_context(), args.samples, "--samples")
    elif args.samples & (args.samples - 1):  # the CPU draws one sample a pixel, but a typo is still a typo
        raise UsageError(i18n._(SAMPLES_POWER_OF_TWO).format(samples=args.samples))
    return backend, detail


def _replaced(replacing: bool) -> str:
    return _(", replacing the file that was there") if replacing else ""


def add_model_arguments(parser, help: str) -> None:
    """``--mlp MODEL`` and ``--activations A,B,...``, as every command that takes a network has them."""
    parser.add_argument("--mlp", metavar="MODEL", default=None, help=help)
    parser.add_argument("--activations", metavar="A,B,...", default=None,
                        help=_("with --mlp of a PyTorch state dict (nn.Linear weights in a .safetensors file, which "
                             "store no activations): one per layer, e.g. tanh,tanh,identity (leaky_relu:0.2 gives alpha)"))


def network_of(args, scene):
    """The network warping ``scene``: --mlp (with --activations), else the scene's mlp key, else None; checked 3 -> 3."""
    from ..errors import UsageError
    from ..nn.model import load_model

    activations = getattr(args, "activations", None)
    if args.mlp is not None:
        return load_model(args.mlp, activations=activations, what=f"--mlp {Path(args.mlp).name}")
    if activations is not None:
        raise UsageError(_("--activations: give it with --mlp MODEL (a scene's network names its own)"))
    return None if scene.mlp is None else load_model(scene.mlp, what=f"{scene.name}: mlp {scene.mlp.name}")


def _run_network(args, size, scene=None) -> int:
    """A network warping the scene (--mlp, or the scene's own): one PNG (its output, or --stage N --t X), or
    --stages: the stages, a GIF, a sheet."""
    from ..errors import ModelError, UsageError
    from ..fileio import check_output, make_folder
    from ..geometry.scene import load_scene
    from ..images import save_png
    from ..nn.morph import Morph
    from ..render import MORPH_SCENE
    from ..pictures import render_stages

    scene = scene or load_scene(args.scene or MORPH_SCENE)
    model_path = Path(args.mlp) if args.mlp is not None else scene.mlp
    if model_path is None:
        raise ModelError(i18n._(NO_NETWORK).format(option="--stages", name=repr(scene.name)))
    mlp = network_of(args, scene)
    when = moment(args, Morph(mlp), model_path.name)
    args.frames = 12 if args.frames is None else args.frames
    if args.frames < 1:
        raise UsageError(i18n._(ONE_OR_MORE).format(option="--frames", value=args.frames))
    stem = scene.path.stem if scene.path is not None else "scene"
    if args.stages:
        folder = Path(args.output) if args.output else Path(f"{stem}-stages")
        if folder.suffix.lower() in (".png", ".gif"):
            raise UsageError(_("--output: with --stages, expected a folder, got {name}").format(name=repr(str(folder))))
        make_folder(folder, "--output")  # a file or a device in its place: one line, before any drawing
        backend, detail = _backend(args)
        world = scene.world(world_rotation(scene, args.yaw, args.pitch))
        result = render_stages(scene, mlp, folder, size, frames_per_stage=args.frames, world=world, ortho=args.ortho,
                               wireframe=args.wireframe, samples=args.samples, backend=backend, shading=args.shading,
                               path=args.path, what="--output")
        if args.verbose:
            _print_fits(scene)
        print(_("wrote {count} stage PNGs, {gif} ({frames} frames) and {sheet} ({width}x{height}, scene {name}, network "
                "{model} {sizes}, backend {backend}: {detail})").format(
            count=len(result["stages"]), gif=result["gif"], frames=result["frames"], sheet=result["sheet"], width=size[0],
            height=size[1], name=repr(scene.name), model=model_path.name, sizes="-".join(map(str, mlp.sizes)),
            backend=backend, detail=detail))
        if result["replaced"]:
            print(replaced_files(result["replaced"], folder))
        return 0
    output = Path(args.output) if args.output else Path(f"{stem}.png")
    if output.suffix.lower() != ".png":
        raise UsageError(_("--output: expected a .png file name, got {name}").format(name=repr(str(output))))
    check_output_folder(output, "--output")
    replacing = check_output(output, "--output")  # a link or a device in its place: refused before the render
    backend, detail = _backend(args)
    world = scene.world(world_rotation(scene, args.yaw, args.pitch))
    from ..render import render_output

    stage, t = when if when is not None else (None, 1.0)
    save_png(render_output(scene, mlp, size, world=world, ortho=args.ortho, wireframe=args.wireframe,
                           samples=args.samples, backend=backend, stage=stage, t=t, shading=args.shading,
                           path=args.path), output, "--output")
    if args.verbose:
        _print_fits(scene)
    if when is None:
        what = _("after network {model}").format(model=model_path.name)
    elif args.stage == 0:
        what = _("before network {model} (its input)").format(model=model_path.name)
    else:
        what = _("at stage {stage} ({stage_name}), t = {t}, of network {model}").format(
            stage=args.stage, stage_name=Morph(mlp).stages[stage].title, t=prose_number(t), model=model_path.name)
    print(_("wrote {path}{replaced} ({width}x{height}, scene {name} {what}, backend {backend}: {detail})").format(
        path=output, replaced=_replaced(replacing), width=size[0], height=size[1], name=repr(scene.name), what=what,
        backend=backend, detail=detail))
    return 0


def _run_training(args, size) -> int:
    """--train: the scene's network learning its target, as learning.gif (and with --stages the trained network's stages)."""
    from ..errors import UsageError
    from ..geometry.scene import load_scene
    from ..fileio import make_folder
    from ..nn.targets import experiment_from_table
    from ..render import MORPH_SCENE
    from ..pictures import MAX_LEARNING_FRAMES, render_learning, render_stages

    scene = load_scene(args.scene or MORPH_SCENE)
    network = network_of(args, scene)
    if network is None and scene.train is None:
        raise UsageError(_("--train: the scene {name} has no network and no [train] table; try cube-to-sphere, "
                           "sphere-to-cube, rings or rings-4-wide, or give --mlp MODEL").format(name=repr(scene.name)))
    experiment = experiment_from_table(scene.train, network, args.target)
    changes = {key: getattr(args, key) for key in ("seed", "epochs") if getattr(args, key) is not None}
    if changes.get("epochs", 1) < 1:
        raise UsageError(i18n._(ONE_OR_MORE).format(option="--epochs", value=args.epochs))
    if changes.get("seed", 0) < 0:
        raise UsageError(_("--seed: expected 0 or more, got {seed}").format(seed=args.seed))
    experiment = experiment.with_options(**changes)
    frames = 40 if args.frames is None else args.frames
    if frames < 2:
        raise UsageError(_("--frames: with --train, expected 2 or more (the start and the end), got {frames}").format(
            frames=frames))
    if frames > MAX_LEARNING_FRAMES:
        raise UsageError(_("--frames: with --train, expected at most {most} pictures, got {frames}").format(
            most=MAX_LEARNING_FRAMES, frames=frames))
    stem = scene.path.stem if scene.path is not None else "scene"
    folder = Path(args.output) if args.output else Path(f"{stem}-learning")
    if folder.suffix.lower() in (".png", ".gif"):
        raise UsageError(_("--output: with --train, expected a folder, got {name}").format(name=repr(str(folder))))
    make_folder(folder, "--output")  # a file in its place: one line, before the training
    backend, detail = _backend(args)
    world = scene.world(world_rotation(scene, args.yaw, args.pitch))
    result = render_learning(scene, experiment, folder, size, frames=frames, world=world, ortho=args.ortho,
                             wireframe=args.wireframe, samples=args.samples, backend=backend, what="--output")
    sizes = "-".join(map(str, experiment.sizes))
    print(_("wrote {gif} ({frames} frames: epochs 0 to {epochs}), {sheet} and {model} (scene {name}, network {sizes} "
            "toward {target}, seed {seed}, final mse {loss}; backend {backend}: {detail})").format(
        gif=result["gif"], frames=result["frames"], epochs=experiment.epochs, sheet=result["sheet"], model=result["model"],
        name=repr(scene.name), sizes=sizes, target=experiment.target.name, seed=experiment.seed,
        loss=f"{result['losses'][-1]:.3g}", backend=backend, detail=detail))
    if args.stages:
        stages = render_stages(scene, result["mlp"], folder, size, world=world, ortho=args.ortho,
                               wireframe=args.wireframe, samples=args.samples, backend=backend, path=args.path,
                               what="--output")
        print(_("wrote {count} stage PNGs of the trained network, {gif} and {sheet}").format(
            count=len(stages["stages"]), gif=stages["gif"], sheet=stages["sheet"]))
    replaced = result["replaced"] + (stages["replaced"] if args.stages else [])
    if replaced:
        print(replaced_files(replaced, folder))
    return 0


def replaced_files(paths, folder) -> str:
    """``replaced 3 files that were in out: a.png, b.png, c.gif``, in the reader's language."""
    return ngettext("replaced {count} file that was in {folder}: {names}",
                    "replaced {count} files that were in {folder}: {names}", len(paths)).format(
        count=len(paths), folder=folder, names=", ".join(p.name for p in paths))
