"""The one module that knows both renderers: OpenGL (:mod:`affine3d.gl`) and the CPU rasterizer (:mod:`affine3d.cpu`).

- :func:`pick_backend` and :func:`render_auto`: draw with the GPU where OpenGL works, else with numpy.
- :func:`scene_png`: what a ``Scene`` shows in Jupyter, with or without OpenGL.
- :class:`MorphingScene`: a scene whose objects a network warps, stage by stage (:mod:`affine3d.nn.morph`
  says what each stage does; :mod:`affine3d.gl.morph` has the GPU do it); drawn by a
  :class:`~affine3d.gl.renderer.Renderer`, or by the CPU rasterizer where there is no context.
- :func:`render_output`: that scene at one moment of the network, as an image.

Pictures for slides (each stage as a PNG, a GIF, a sheet; a network learning) are made by :mod:`affine3d.pictures`.

The network is applied to each object's vertices in *world space* (after the object's model map,
before the world's rotation), so ``clip = projection @ world @ F_net(model(p))``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .affine import Affine
from .cpu.raster import render_cpu
from .errors import GLUnavailableError, ModelError, UsageError, one_line
from .i18n import _
from .geometry.normals import smoothing_groups
from .geometry.shading import EDGE_SHADE, INSIDE_COLOR
from .gl.context import default_context
from .gl.morph import MAX_WIDTH, GPUMorph
from .gl.renderer import Renderer, render
from .images import png_bytes
from .nn.morph import Morph

__all__ = ["BACKENDS", "pick_backend", "drawing_context", "render_auto", "scene_png", "MorphingScene", "render_output",
           "MORPH_SCENE"]

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
        raise UsageError(_("backend: expected one of {names}, got {backend}").format(
            names=', '.join(BACKENDS), backend=repr(backend)))
    if backend == "cpu":
        return "cpu", _("numpy rasterizer, as asked")
    try:
        ctx = default_context()
    except GLUnavailableError as exc:
        if backend == "gpu":
            raise
        return "cpu", _("numpy rasterizer; no OpenGL: {reason}").format(reason=one_line(exc))
    return "gpu", _("OpenGL renderer: {renderer}").format(renderer=ctx.info["GL_RENDERER"])


def drawing_context(backend: str, ctx=None):
    """The context a decided backend draws with: for ``"gpu"`` ``ctx``, else the shared headless one; None for ``"cpu"``.

    The one place the functions below choose their context (a backend is picked once, by :func:`pick_backend`
    or by the caller; nothing picks again).
    """
    if backend not in ("gpu", "cpu"):
        raise UsageError(_("backend: expected 'gpu' or 'cpu', got {backend}").format(backend=repr(backend)))
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
    image, _unused = render_auto(scene, size)
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
            groups, _unused = smoothing_groups(obj.mesh)  # decided once, on the mesh as it was made
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
            raise ModelError(_("stage {name} at t = {t:g}: the network produced non-finite positions").format(
                name=repr(stage.name), t=t))
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


# ---------------------------------------------------------------------------------------- a warped scene, once
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
        raise UsageError(_("backend: expected 'gpu' or 'cpu', got {backend}").format(backend=repr(backend)))
    ctx = drawing_context(backend, ctx)
    with MorphingScene(ctx, scene, mlp, size, samples, shading=shading, path=path) as morphing:
        moment = (morphing.morph.stages[-1], 1.0) if stage is None else (stage, t)
        return morphing.render(*moment, world, ortho=ortho, wireframe=wireframe)
