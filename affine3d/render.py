"""The one module that knows both renderers: OpenGL (:mod:`affine3d.gl`) and the CPU rasterizer (:mod:`affine3d.cpu`).

- :func:`pick_backend` and :func:`render_auto`: draw with the GPU where OpenGL works, else with numpy.
- :func:`scene_png`: what a ``Scene`` shows in Jupyter, with or without OpenGL.
- :class:`MorphingScene`: a scene whose objects a network warps, stage by stage (:mod:`affine3d.nn.morph`
  says what each stage does; :mod:`affine3d.gl.morph` has the GPU do it); drawn by a
  :class:`~affine3d.gl.renderer.Renderer`, or by the CPU rasterizer where there is no context.
- :func:`render_stages` and :func:`render_output`: pictures of that for slides (PNGs, a GIF, a sheet).
- :func:`render_learning`: a network learning its target (:mod:`affine3d.nn.targets`), as a GIF.

The network is applied to each object's vertices in *world space* (after the object's model map,
before the world's rotation), so ``clip = projection @ world @ F_net(model(p))``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from .affine import Affine
from .cpu.raster import render_cpu
from .errors import GLUnavailableError, ModelError, UsageError, one_line, shown
from .geometry.normals import smoothing_groups
from .geometry.shading import EDGE_SHADE, INSIDE_COLOR, INSIDE_LEGEND
from .gl.context import default_context
from .gl.morph import MAX_WIDTH, GPUMorph
from .gl.renderer import Renderer, render
from .fileio import make_folder, replaces
from .images import ContactSheet, GifWriter, caption, loss_inset, png_bytes, save_image
from .nn.mlp import MLP
from .nn.morph import Morph, stage_times

__all__ = ["BACKENDS", "pick_backend", "render_auto", "scene_png", "MorphingScene", "render_stages", "render_output",
           "stage_file_name", "stage_label", "render_learning", "learning_epochs", "MORPH_SCENE", "INSIDE_COLOR",
           "INSIDE_LEGEND", "MAX_FRAMES_PER_STAGE", "MAX_LEARNING_FRAMES"]

MORPH_SCENE = "cube-to-sphere"
"""The scene a network warps when no scene is named (``affine3d view --mlp MODEL``): a finely cut cube."""



# ---------------------------------------------------------------------------------------- GPU or CPU
BACKENDS = ("auto", "gpu", "cpu")


def pick_backend(backend: str = "auto") -> tuple[str, str]:
    """Which renderer draws: ``("gpu", what OpenGL runs)`` or ``("cpu", why)``.

    ``"auto"`` takes the GPU when an OpenGL context can be made (the shared headless one of
    :func:`affine3d.gl.default_context`) and the CPU rasterizer otherwise; ``"gpu"`` raises
    :class:`GLUnavailableError` (with what to install) when there is no context; ``"cpu"`` never tries.
    """
    if backend not in BACKENDS:
        raise UsageError(f"backend: expected one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "cpu":
        return "cpu", "numpy rasterizer, as asked"
    try:
        ctx = default_context()
    except GLUnavailableError as exc:
        if backend == "gpu":
            raise
        return "cpu", f"numpy rasterizer; no OpenGL: {one_line(exc)}"
    return "gpu", f"OpenGL renderer: {ctx.info['GL_RENDERER']}"


def drawing_context(backend: str, ctx=None):
    """The context a decided backend draws with: for ``"gpu"`` ``ctx``, else the shared headless one; None for ``"cpu"``.

    The one place the functions below choose their context (a backend is picked once, by :func:`pick_backend`
    or by the caller; nothing picks again).
    """
    if backend not in ("gpu", "cpu"):
        raise UsageError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    return (ctx or default_context()) if backend == "gpu" else None


def render_auto(scene, size=(800, 600), world: Affine | None = None, *, ortho: bool | None = None,
                wireframe: bool = False, shading: str | None = None, samples: int = 4,
                backend: str = "auto") -> tuple[np.ndarray, str]:
    """Render with the GPU where OpenGL works, else on the CPU: ``(image, "gpu" or "cpu")``.

    The arguments are those of :func:`affine3d.gl.renderer.render` and :func:`render_cpu` (``samples``,
    the GPU's antialiasing, does not apply to the CPU); ``backend`` is ``"auto"``, ``"gpu"`` or
    ``"cpu"`` (see :func:`pick_backend`). The image is (height, width, 4) uint8 RGBA, top row first.

    Examples
    --------
    >>> from affine3d.geometry import load_scene
    >>> image, used = render_auto(load_scene("platonic"), (80, 60), backend="cpu")
    >>> image.shape, used
    ((60, 80, 4), 'cpu')
    """
    used = backend if backend in ("gpu", "cpu") else pick_backend(backend)[0]  # decided once: "auto" asks here
    if used == "gpu":
        image = render(scene, size, world, ortho=ortho, wireframe=wireframe, samples=samples, shading=shading,
                       ctx=drawing_context("gpu"))  # GLUnavailableError here when "gpu" was asked without OpenGL
        return image, used
    return render_cpu(scene, size, world, ortho=ortho, wireframe=wireframe, shading=shading), used



def scene_png(scene, size=(640, 480)) -> bytes:
    """The scene as PNG bytes: what ``Scene._repr_png_`` returns to Jupyter.

    Drawn headless by OpenGL where a context can be made, else by the CPU rasterizer
    (:func:`render_auto`), so a notebook without OpenGL still shows the picture.
    """
    image, _ = render_auto(scene, size)
    return png_bytes(image)


# ---------------------------------------------------------------------------------------- a network warping a scene
class MorphingScene:
    """A scene whose objects a network warps, stage by stage: GPU-warped vertices drawn by a Renderer.

    Parameters
    ----------
    ctx : moderngl.Context or None
        None: no OpenGL at all: positions from :class:`Morph` and pictures from the CPU rasterizer
        (:func:`affine3d.cpu.render_cpu`).
    scene : Scene
    mlp : MLP
        3 -> ... -> 3; applied to every object's vertices in world space.
    size : (width, height)
        Of the renderer's offscreen image.
    samples : int
        Multisample antialiasing (GPU only).
    gpu : bool
        True: positions from :class:`GPUMorph`; False (or a layer wider than :data:`MAX_WIDTH`): from
        :class:`Morph` on the CPU, drawn by the GPU all the same.
    shading : {None, "flat", "smooth"}
        As :class:`Renderer`'s. A smooth object keeps its smoothing groups (which edges are creases,
        decided on the unwarped mesh) while the network moves its vertices; its normals are
        recomputed from the warped triangles each frame.
    path : {"linear", "polar"}
        How each affine stage goes from I to W (:class:`Morph`: the straight line, or turn and stretch).

    Attributes
    ----------
    morph : Morph
    gpu : GPUMorph or None
    scene : Scene
        The warped scene as drawn now (objects with their model maps applied: model = identity; after
        :meth:`show`, their warped meshes and colours). A new Scene at each :meth:`show`; the one
        given is never changed.
    renderer : Renderer or None
        Built with back-face culling off, so a solid turned inside out (det < 0) still shows; None
        without a context.
    inside_out : list of bool
        Per object, after :meth:`show`: turned inside out (negative signed volume), so what faces the
        camera is its inside. It is then drawn hatched (``SceneObject.hatched``: stripes of
        :data:`INSIDE_COLOR` and a dark shade, a look no scene colour has; the CPU rasterizer draws
        the same stripes).
    """

    def __init__(self, ctx, scene, mlp, size=(800, 600), samples: int = 4, *, gpu: bool = True,
                 shading: str | None = None, path: str = "linear"):
        self.ctx = ctx
        self.size = tuple(size)
        self.shading = shading
        objects, world_points = [], []
        for obj in scene.objects:
            groups, _ = smoothing_groups(obj.mesh)  # decided once, on the mesh as it was made
            mesh = obj.mesh.with_normals(None, groups).transformed(obj.model)  # world space, a mirror rewound
            objects.append(replace(obj, mesh=mesh, model=Affine.identity(3)))
            world_points.append(mesh.vertices)
        self._offsets = np.cumsum([0] + [len(p) for p in world_points])
        points = self._points = np.vstack(world_points)
        self.morph = Morph(mlp, points, path)
        use_gpu = ctx is not None and gpu and self.morph.max_width <= MAX_WIDTH
        self.gpu = GPUMorph(ctx, self.morph, points) if use_gpu else None
        self._cpu_keys = None if self.gpu is not None else self.morph.keyframes(points)
        self.scene = replace(scene, objects=objects)
        self._unwarped = objects
        self.inside_out = [False] * len(objects)
        self.renderer = None if ctx is None else Renderer(ctx, self.scene, size, samples=samples, cull_back_faces=False,
                                                          shading=shading)
        self.stage, self.t = self.morph.stages[0], 0.0

    def set_network(self, mlp) -> None:
        """Warp with ``mlp`` from now on: a network of the same sizes (the next snapshot of live training).

        A new :class:`Morph`; the meshes move at the next :meth:`show`. A network that changes many
        times a second has its keyframes computed by numpy (one forward pass of the vertices, cheaper
        than a round of GPU passes and their read-back), so the GPU morph is given up here; the GPU
        still draws.
        """
        self.morph = Morph(mlp, self._points, self.morph.path)
        if self.gpu is not None:
            self.gpu.release()
            self.gpu = None
        self._cpu_keys = self.morph.keyframes(self._points)

    def positions(self, stage, t: float) -> np.ndarray:
        """All objects' vertices at time ``t`` of ``stage``, (N, 3), world space."""
        stage = self.morph.stage(stage)
        if self.gpu is not None:
            return self.gpu.positions(stage, t)
        return self.morph.positions(stage, t, self._cpu_keys[stage.index])

    def show(self, stage, t: float) -> None:
        """Move the renderer's meshes to time ``t`` of ``stage`` (the next draw shows them there)."""
        stage = self.morph.stage(stage)
        positions = np.asarray(self.positions(stage, t), dtype=np.float64)
        if not np.all(np.isfinite(positions)):
            raise ModelError(f"stage {stage.name!r} at t = {t:g}: the network produced non-finite positions")
        objects, inside_out = [], []
        for k, obj in enumerate(self._unwarped):
            lo, hi = self._offsets[k], self._offsets[k + 1]
            mesh = obj.mesh.with_vertices(positions[lo:hi])  # same topology: not checked again
            # Turned inside out (the stages so far have det < 0 overall): the outside now winds
            # clockwise and the signed volume is negative: its inside faces the camera. Drawn hatched.
            flipped = mesh.signed_volume() < 0
            warped = replace(obj, mesh=mesh, hatched=flipped)
            if flipped and obj.edge_color is None:  # its grid lines in the stripes' dark, not the object's colour
                warped = replace(warped, edge_color=tuple(EDGE_SHADE * c for c in INSIDE_COLOR))
            if self.renderer is not None:
                self.renderer.set_object(k, warped)
            objects.append(warped)
            inside_out.append(flipped)
        self.scene = replace(self.scene, objects=objects)
        self.inside_out = inside_out
        self.stage, self.t = stage, float(t)

    def render(self, stage, t: float, world: Affine | None = None, **draw_options) -> np.ndarray:
        """The scene at time ``t`` of ``stage`` as an image (H, W, 4) uint8, top row first.

        ``draw_options``: ``ortho``, ``wireframe``, ``projection`` (as :meth:`Renderer.draw`).
        """
        self.show(stage, t)
        if self.renderer is None:
            return render_cpu(self.scene, self.size, world, cull_back_faces=False, shading=self.shading, **draw_options)
        self.renderer.draw(world, **draw_options)
        return self.renderer.read()

    def release(self) -> None:
        if self.renderer is not None:
            self.renderer.release()
        if self.gpu is not None:
            self.gpu.release()

    def __enter__(self) -> "MorphingScene":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


# ---------------------------------------------------------------------------------------- pictures for slides
def stage_file_name(index: int, stage=None) -> str:
    """``stage-00-input.png``, ``stage-03-layer-2-of-5-affine.png``: the PNG of the state after stage ``index - 1``.

    Examples
    --------
    >>> stage_file_name(0)
    'stage-00-input.png'
    """
    if stage is None:
        return f"stage-{index:02d}-input.png"
    slug = re.sub(r"[^a-z0-9]+", "-", stage.name.lower()).strip("-")
    return f"stage-{index:02d}-{slug}.png"


def stage_label(morph, stage) -> str:
    """A stage picture's caption: its name and the layer's det W (``"layer 2 of 5: affine, det W2 = -1.30"``).

    Examples
    --------
    >>> from affine3d.nn.mlp import MLP
    >>> morph = Morph(MLP.from_arrays([np.diag([-2.0, 1, 1])], activations=["tanh"]))
    >>> [stage_label(morph, s) for s in morph.stages]
    ['layer 1 of 1: affine, det W1 = -2.00', 'layer 1 of 1: tanh, after W1 (det -2.00)']
    """
    info = morph.info(stage)
    i = stage.layer
    if info.determinant is None:
        out, n_in = info.W.shape
        det = f"W{i} is {out}x{n_in}: no det"
    else:
        det = f"det W{i} = {info.determinant:.2f}" if stage.kind == "affine" else f"after W{i} (det {info.determinant:.2f})"
    return f"{stage.name}, {det}"


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
        raise UsageError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    if isinstance(frames_per_stage, bool) or not isinstance(frames_per_stage, (int, np.integer)) \
            or not 1 <= frames_per_stage <= MAX_FRAMES_PER_STAGE:
        raise UsageError(f"frames: expected a whole number of GIF frames per stage in 1..{MAX_FRAMES_PER_STAGE}, "
                         f"got {shown(frames_per_stage)}")
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
            footer = INSIDE_LEGEND if any(morphing.inside_out) else None
            return caption(image, label, footer) if captions else image

        def still(k, image):  # a stage's last frame: its PNG and its tile, then it can go
            path = save_image(image, directory / names[k], what)
            paths.append(path)
            sheet.add(image)
            hatched_stills.append(any(morphing.inside_out))

        with GifWriter(gif_path, what=what) as gif:
            first = picture(stages[0], 0.0, f"input: {', '.join(o.name for o in scene.objects)}")
            gif.add(first, hold_ms)
            still(0, first)
            for k, stage in enumerate(stages, start=1):
                label = stage_label(morphing.morph, stage)
                for t in times:
                    image = picture(stage, float(t), label)
                    gif.add(image, hold_ms if t == 1.0 else frame_ms)
                still(k, image)
            gif.set_last_duration(2 * hold_ms)  # linger on the result before the loop starts again
    footer = f"{INSIDE_LEGEND} (the solid's inside faces the camera)" if any(hatched_stills) else None
    save_image(sheet.finished(footer), sheet_path, what)
    return {"stages": paths, "gif": gif_path, "sheet": sheet_path, "frames": gif.frames, "replaced": replaced}


def render_output(scene, mlp, size=(800, 600), *, world: Affine | None = None, ortho: bool | None = None,
                  wireframe: bool = False, samples: int = 4, backend: str = "gpu", ctx=None, stage=None,
                  t: float = 1.0, shading: str | None = None, path: str = "linear") -> np.ndarray:
    """The scene warped by the network: (H, W, 4) uint8, top row first.

    By default after the whole network (the end of the last stage); with ``stage`` (an index or a name,
    as :meth:`Morph.stage` takes it), at time ``t`` in [0, 1] of that stage (``stage=0, t=0``: the input),
    an affine stage moving along ``path`` ("linear" or "polar", see :class:`Morph`).
    ``backend`` "gpu" (``ctx``, default the shared headless context) or "cpu" (no OpenGL); ``shading``
    None (each object's own), "flat" or "smooth".
    """
    if backend not in ("gpu", "cpu"):
        raise UsageError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    ctx = drawing_context(backend, ctx)
    with MorphingScene(ctx, scene, mlp, size, samples, shading=shading, path=path) as morphing:
        moment = (morphing.morph.stages[-1], 1.0) if stage is None else (stage, t)
        return morphing.render(*moment, world, ortho=ortho, wireframe=wireframe)


# ---------------------------------------------------------------------------------------- learning, for slides
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
        raise UsageError(f"frames: expected 2 or more (the start and the end), got {frames}")
    steps = np.linspace(0.0, 1.0, int(frames)) ** 2 * int(epochs)
    return sorted({int(round(e)) for e in steps})


def render_learning(scene, experiment, directory, size=(800, 600), *, frames: int = 40, epochs: int | None = None,
                    world: Affine | None = None, ortho: bool | None = None, wireframe: bool = False, samples: int = 4,
                    captions: bool = True, frame_ms: int = 120, hold_ms: int = 1500, columns: int = 5,
                    backend: str = "gpu", ctx=None, what: str = "directory") -> dict:
    """Pictures of a network learning: the scene warped by the network after 0, ..., ``epochs`` epochs of training.

    The network of ``experiment`` (:class:`affine3d.nn.targets.Experiment`) starts from its seed and is
    trained with :class:`affine3d.nn.train.Training` on the scene's vertices in world space, toward the
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
        raise UsageError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    from .nn.targets import MAX_EPOCHS

    epochs = experiment.epochs if epochs is None else int(epochs)
    if not 1 <= epochs <= MAX_EPOCHS:
        raise UsageError(f"epochs: expected 1 to {MAX_EPOCHS:,}, got {epochs:,}")
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or not 2 <= frames <= MAX_LEARNING_FRAMES:
        raise UsageError(f"frames: expected 2..{MAX_LEARNING_FRAMES} pictures in the learning GIF, got {shown(frames)}")
    shown_epochs = learning_epochs(epochs, frames)
    ctx = drawing_context(backend, ctx)
    directory = make_folder(directory, what)
    gif, sheet_path, model = directory / "learning.gif", directory / "learning.png", directory / "trained.safetensors"
    replaced = [p for p in (gif, sheet_path, model) if replaces(p)]
    points = scene.world_points()
    training = experiment.training(points)
    networks = []
    for epoch in shown_epochs:  # train first (the loss curve's axes are the whole run's), keep the networks shown
        while training.epoch < epoch:
            training.run_epoch()
        networks.append(training.network())
    losses = list(training.losses)
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
                caption(image, f"{experiment.target.name}: epoch {epoch}{loss}{note}")
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
