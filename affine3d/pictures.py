"""Pictures of a network for slides: each stage of its forward pass (PNGs, a GIF, a sheet), and a network learning.

- :func:`render_stages`: one PNG per stage, ``forward-pass.gif`` and ``stages.png``, each stage captioned
  with :func:`stage_label` (``affine3d render --stages``).
- :func:`render_learning`: a network learning its target (:mod:`affine3d.nn.targets`), as a GIF and a sheet
  (``affine3d render --train``); the training is the experiment's own (:meth:`affine3d.nn.targets.Experiment.snapshots`).

The drawing is :mod:`affine3d.render`'s (:class:`~affine3d.render.MorphingScene`, on the GPU or the CPU); this
module only chooses the moments, captions them and writes the files.
"""

from __future__ import annotations

import re

import numpy as np

from . import i18n
from .affine import Affine
from .errors import UsageError, shown
from .fileio import make_folder, replaces
from .geometry.scene_texts import scene_words
from .geometry.shading import INSIDE_LEGEND
from .i18n import _, prose_number
from .images import ContactSheet, GifWriter, caption, loss_inset, save_image
from .nn.mlp import MLP
from .nn.morph import stage_times
from .render import MorphingScene, drawing_context

__all__ = ["render_stages", "stage_file_name", "stage_label", "render_learning", "learning_epochs",
           "MAX_FRAMES_PER_STAGE", "MAX_LEARNING_FRAMES"]


# ---------------------------------------------------------------------------------------- a network's stages
def stage_file_name(index: int, stage=None) -> str:
    """``stage-00-input.png``, ``stage-03-layer-2-of-5-affine.png``: the PNG of the state after stage ``index - 1``.

    Examples
    --------
    >>> stage_file_name(0)
    'stage-00-input.png'
    """
    if stage is None:
        return f"stage-{index:02d}-input.png"
    slug = re.sub(r"[^a-z0-9]+", "-", stage.name.lower()).strip("-")  # Stage.name: English in every language
    return f"stage-{index:02d}-{slug}.png"


def stage_label(morph, stage) -> str:
    """A stage picture's caption: its name and the layer's det W (``"layer 2 of 5: affine, det W2 = -1.30"``).

    Examples
    --------
    >>> from affine3d.nn.mlp import MLP
    >>> from affine3d.nn.morph import Morph
    >>> morph = Morph(MLP.from_arrays([np.diag([-2.0, 1, 1])], activations=["tanh"]))
    >>> [stage_label(morph, s) for s in morph.stages]
    ['layer 1 of 1: affine, det W1 = -2.00', 'layer 1 of 1: tanh, after W1 (det -2.00)']
    """
    info = morph.info(stage)
    i = stage.layer
    if info.determinant is None:
        out, n_in = info.W.shape
        det = _("W{i} is {rows}x{columns}: no det").format(i=i, rows=out, columns=n_in)
    elif stage.kind == "affine":
        det = _("det W{i} = {det}").format(i=i, det=f"{info.determinant:.2f}")
    else:
        det = _("after W{i} (det {det})").format(i=i, det=f"{info.determinant:.2f}")
    return f"{stage.title}, {det}"


MAX_FRAMES_PER_STAGE = 200
"""The most GIF frames a stage of :func:`render_stages` may have: 10 s a stage at the default 50 ms a frame."""
MAX_LEARNING_FRAMES = 400
"""The most pictures in :func:`render_learning`'s GIF: 48 s at its 120 ms a frame."""


def render_stages(scene, mlp, directory, size=(800, 600), *, frames_per_stage: int = 12, world: Affine | None = None,
                  ortho: bool | None = None, wireframe: bool = False, samples: int = 4, captions: bool = True,
                  frame_ms: int = 50, hold_ms: int = 700, columns: int = 5, backend: str = "gpu", ctx=None,
                  shading: str | None = None, path: str = "linear", what: str = "directory") -> dict:
    """Pictures of a network warping a scene: one PNG per stage, an animated GIF, and all stages on one sheet.

    Parameters
    ----------
    scene : Scene
    mlp : MLP
        3 -> ... -> 3, applied to the objects' vertices in world space.
    directory : path
        Created if missing. Gets ``stage-00-input.png``, then one ``stage-NN-<stage name>.png``
        per stage (the scene when that stage is done), ``forward-pass.gif`` (``frames_per_stage``
        frames per stage, each stage's end held ``hold_ms``) and ``stages.png`` (every stage PNG
        on one sheet, ``columns`` wide; tiles shrink so that it stays within
        :data:`~affine3d.images.MAX_SIZE` pixels a side).
    size : (width, height)
        Pixels of each picture.
    frames_per_stage : int, 1 .. :data:`MAX_FRAMES_PER_STAGE`
        GIF frames per stage. Frames are streamed into the GIF as they are drawn: memory does not
        grow with their number.
    world : Affine, optional
        world space -> camera space (default ``scene.world()``).
    captions : bool
        Write the stage's name in the corner of each picture.
    backend : {"gpu", "cpu"}
        "gpu": the vertex shader warps, OpenGL draws (``ctx``, default the shared headless one);
        "cpu": :class:`Morph` warps, the CPU rasterizer draws (no OpenGL needed).
    shading : {None, "flat", "smooth"}
        None: each object's own.
    path : {"linear", "polar"}
        How each affine stage goes from I to W (see :class:`Morph`).
    what : str
        The option that named ``directory``, for messages ("--output").

    Returns
    -------
    dict
        ``{"stages": [png paths], "gif": path, "sheet": path, "frames": number of GIF frames,
        "replaced": [paths of files that were there before and were replaced]}``.
    """
    from PIL import Image

    if backend not in ("gpu", "cpu"):
        raise UsageError(_("backend: expected 'gpu' or 'cpu', got {backend}").format(backend=repr(backend)))
    if isinstance(frames_per_stage, bool) or not isinstance(frames_per_stage, (int, np.integer)) \
            or not 1 <= frames_per_stage <= MAX_FRAMES_PER_STAGE:
        raise UsageError(_("frames: expected a whole number of GIF frames per stage in 1..{most}, got {value}").format(
            most=MAX_FRAMES_PER_STAGE, value=shown(frames_per_stage)))
    ctx = drawing_context(backend, ctx)
    directory = make_folder(directory, what)
    times = stage_times(frames_per_stage)
    paths, replaced = [], []
    gif_path, sheet_path = directory / "forward-pass.gif", directory / "stages.png"
    with MorphingScene(ctx, scene, mlp, size, samples, shading=shading, path=path) as morphing:
        stages = morphing.morph.stages
        names = [stage_file_name(k, stage) for k, stage in enumerate([None, *stages])]
        replaced = [p for p in [*(directory / n for n in names), gif_path, sheet_path] if replaces(p)]
        sheet = ContactSheet(len(names), size, columns)

        hatched_stills = []

        def picture(stage, t, label):
            image = Image.fromarray(morphing.render(stage, t, world, ortho=ortho, wireframe=wireframe), "RGBA").convert("RGB")
            footer = i18n._(INSIDE_LEGEND) if any(morphing.inside_out) else None
            return caption(image, label, footer) if captions else image

        def still(k, image):  # a stage's last frame: its PNG and its tile, then it can go
            path = save_image(image, directory / names[k], what)
            paths.append(path)
            sheet.add(image)
            hatched_stills.append(any(morphing.inside_out))

        with GifWriter(gif_path, what=what) as gif:
            first = picture(stages[0], 0.0, _("input: {objects}").format(
                objects=", ".join(scene_words(o.name) for o in scene.objects)))
            gif.add(first, hold_ms)
            still(0, first)
            for k, stage in enumerate(stages, start=1):
                label = stage_label(morphing.morph, stage)
                for t in times:
                    image = picture(stage, float(t), label)
                    gif.add(image, hold_ms if t == 1.0 else frame_ms)
                still(k, image)
            gif.set_last_duration(2 * hold_ms)  # linger on the result before the loop starts again
    footer = _("{legend} (the solid's inside faces the camera)").format(legend=i18n._(INSIDE_LEGEND)) \
        if any(hatched_stills) else None
    save_image(sheet.finished(footer), sheet_path, what)
    return {"stages": paths, "gif": gif_path, "sheet": sheet_path, "frames": gif.frames, "replaced": replaced}


# ---------------------------------------------------------------------------------------- a network learning
def learning_epochs(epochs: int, frames: int) -> list[int]:
    """The epochs a learning GIF shows: up to ``frames`` of them from 0 (the start) to ``epochs`` (the end).

    Spaced as the squares ``epochs * (k / (frames - 1))²``: a network changes most in its first
    epochs, so the early pictures are closer together (epochs repeated by rounding are shown once).

    Examples
    --------
    >>> learning_epochs(3000, 5)
    [0, 188, 750, 1688, 3000]
    """
    if int(frames) < 2:
        raise UsageError(_("frames: expected 2 or more (the start and the end), got {frames}").format(frames=frames))
    steps = np.linspace(0.0, 1.0, int(frames)) ** 2 * int(epochs)
    return sorted({int(round(e)) for e in steps})


def render_learning(scene, experiment, directory, size=(800, 600), *, frames: int = 40, epochs: int | None = None,
                    world: Affine | None = None, ortho: bool | None = None, wireframe: bool = False, samples: int = 4,
                    captions: bool = True, frame_ms: int = 120, hold_ms: int = 1500, columns: int = 5,
                    backend: str = "gpu", ctx=None, what: str = "directory") -> dict:
    """Pictures of a network learning: the scene warped by the network after 0, ..., ``epochs`` epochs of training.

    The network of ``experiment`` (:class:`affine3d.nn.targets.Experiment`) starts from its seed and is
    trained with :class:`affine3d.nn.train.Training` (:meth:`~affine3d.nn.targets.Experiment.snapshots`) on the scene's vertices in world space, toward the
    target's values there, exactly as the viewer's live training does; every picture shows the
    network's output (the end of its forward pass). Everything follows from the seed: the same call
    writes the same files, byte for byte.

    Parameters
    ----------
    scene : Scene
    experiment : Experiment
    directory : path
        Created if missing. Gets ``learning.gif`` (``frames`` pictures, ``frame_ms`` each, the first and
        last held ``hold_ms``; each with its epoch and a loss curve), ``learning.png`` (``columns`` of
        them on one sheet) and ``trained.safetensors`` (the network at the end).
    frames : int, 2 .. :data:`MAX_LEARNING_FRAMES`
        Pictures in the GIF, from epoch 0 to ``epochs``, closer together early on (:func:`learning_epochs`);
        streamed into the file, one in memory at a time.
    epochs : int, optional
        Default ``experiment.epochs``.
    world, ortho, wireframe, samples, backend, ctx
        As for :func:`render_stages`.

    what : str
        The option that named ``directory``, for messages ("--output").

    Returns
    -------
    dict
        ``{"gif": path, "sheet": path, "model": path, "mlp": the trained MLP, "losses": [...], "frames": n,
        "replaced": [files that were there and were replaced]}``.
    """
    from PIL import Image

    if backend not in ("gpu", "cpu"):
        raise UsageError(_("backend: expected 'gpu' or 'cpu', got {backend}").format(backend=repr(backend)))
    from .nn.targets import MAX_EPOCHS

    epochs = experiment.epochs if epochs is None else int(epochs)
    if not 1 <= epochs <= MAX_EPOCHS:
        raise UsageError(_("epochs: expected 1 to {most}, got {epochs}").format(
            most=prose_number(MAX_EPOCHS), epochs=prose_number(epochs)))
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 2 <= frames <= MAX_LEARNING_FRAMES:
        raise UsageError(_("frames: expected 2..{most} pictures in the learning GIF, got {value}").format(
            most=MAX_LEARNING_FRAMES, value=shown(frames)))
    shown_epochs = learning_epochs(epochs, frames)
    ctx = drawing_context(backend, ctx)
    directory = make_folder(directory, what)
    gif, sheet_path, model = directory / "learning.gif", directory / "learning.png", directory / "trained.safetensors"
    replaced = [p for p in (gif, sheet_path, model) if replaces(p)]
    # train first (the loss curve's axes are the whole run's), keep the networks shown
    networks, losses = experiment.snapshots(scene.world_points(), shown_epochs)
    # Pictures are streamed into the GIF (one in memory at a time); the sheet keeps a few, chosen in advance.
    picks = sorted(set(np.linspace(0, len(networks) - 1, min(columns * 2, len(networks))).round().astype(int)))
    sheet = ContactSheet(len(picks), size, columns)
    with MorphingScene(ctx, scene, networks[0], size, samples, gpu=False) as morphing, GifWriter(gif, what=what) as writer:
        for k, (epoch, network) in enumerate(zip(shown_epochs, networks)):
            morphing.set_network(network)
            image = Image.fromarray(morphing.render(-1, 1.0, world, ortho=ortho, wireframe=wireframe), "RGBA").convert("RGB")
            if captions:
                loss = f", mse {losses[epoch - 1]:.2e}" if epoch else ""
                watch = experiment.target.watch
                note = f"\n{watch(network)}" if watch is not None else ""
                caption(image, _("{target}: epoch {epoch}").format(target=experiment.target.name, epoch=epoch) + loss + note)
                loss_inset(image, losses, epoch)
            writer.add(image, hold_ms if k in (0, len(networks) - 1) else frame_ms)
            if k in picks:
                sheet.add(image)
    save_image(sheet.finished(), sheet_path, what)
    trained = MLP(networks[-1].layers, {**networks[-1].metadata, "epochs": epochs, "final_mse": losses[-1],
                                        "trained_by": "affine3d render --train (affine3d.nn.train.Training, mse)"})
    trained.save(model)
    return {"gif": gif, "sheet": sheet_path, "model": model, "mlp": trained, "losses": losses, "frames": writer.frames,
            "replaced": replaced}
