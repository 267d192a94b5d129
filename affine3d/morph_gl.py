"""The morph on the GPU: each stage of a network's forward pass moves a mesh's vertices in a vertex shader.

:mod:`affine3d.morph` says what each stage does (numpy, the reference); this module has the GPU do
it, with the renderer's own affine helper (``apply_affine`` from ``shaders/affine.glsl``) and the
compute shaders' activations (``shaders/activations.glsl``) in ``shaders/morph.vert``, run with
*transform feedback*: the vertex shader's outputs are captured
into a buffer instead of being drawn. For a network 3 wide throughout, each vertex is the
homogeneous ``vec4(x, y, z, 1)`` and each affine stage is one 4x4 uniform, ``[A(t) | b(t)]``: the
vertex shader evaluates a layer of the network exactly as ``mesh.vert`` moves a solid. Wider
layers (up to :data:`MAX_WIDTH` values) use a homogeneous vector of up to four ``vec4`` blocks and
the matrix in 4x4 blocks.

The values at every stage boundary (the *keyframes*: ``z_i`` and ``a_i`` of :meth:`MLP.trace`)
are computed once, stage after stage on the GPU (the output buffer of one stage is the input of
the next, with no trip through the CPU); a frame at time ``t`` of a stage is one more pass from
that stage's keyframe. The CPU (:class:`~affine3d.morph.Morph`) is there for the check.

:class:`MorphingScene` puts the warped vertices into a :class:`~affine3d.renderer.Renderer` and
draws them: the network is applied to each object's vertices in *world space* (after the object's
model map, before the world's rotation), so ``clip = projection @ world @ F_net(model(p))``.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np

from .affine import Affine
from .errors import ModelError
from .glsl import ACTIVATION_CODES  # noqa: F401  (re-exported: the codes morph.vert's activation uniform takes)
from .morph import Morph

__all__ = ["GPUMorph", "MorphingScene", "render_stages", "render_output", "MORPH_SCENE", "MAX_WIDTH", "ACTIVATION_CODES", "INSIDE_COLOR"]

MAX_BLOCKS = 4
MAX_WIDTH = 4 * MAX_BLOCKS - 1
"""The widest layer the vertex shader takes: 4 vec4 attributes hold 15 values and the homogeneous 1."""

MORPH_SCENE = "cube-to-sphere"
"""The scene a network warps when no scene is named (``affine3d view --mlp MODEL``): a finely cut cube."""

INSIDE_COLOR = (0.902, 0.624, 0.0)
"""The colour of a solid the network has turned inside out (orange; solids are usually blue): its inside faces you."""


def morph_source(n_blocks: int) -> str:
    """``shaders/morph.vert`` with ``N_BLOCKS`` set (its ``#define`` line replaced, so line numbers stay)."""
    from .glsl import with_defines

    return with_defines("morph.vert", {"N_BLOCKS": int(n_blocks)})


class GPUMorph:
    """The stages of ``morph`` applied to ``points`` on the GPU (transform feedback through ``morph.vert``).

    Parameters
    ----------
    ctx : moderngl.Context
        OpenGL 3.3 or later (a headless one from :func:`affine3d.renderer.create_context` will do).
    morph : Morph
    points : array-like, shape (N, 3)
        The vertices, in the space the network is applied in; N >= 1.

    Raises
    ------
    ModelError
        A layer wider than :data:`MAX_WIDTH`, or points of the wrong shape.
    """

    def __init__(self, ctx, morph: Morph, points):
        from .glsl import build_program_from_source

        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3 or len(points) == 0:
            raise ModelError(f"points: expected shape (N, 3) with N >= 1, got {points.shape}")
        width = morph.max_width
        if width > MAX_WIDTH:
            raise ModelError(
                f"model: the GPU morph takes layers up to {MAX_WIDTH} wide (four vec4 attributes), but this network "
                f"has a layer {width} wide (sizes {morph.mlp.sizes}); use affine3d.morph.Morph on the CPU"
            )
        self.ctx, self.morph = ctx, morph
        self.n_points = len(points)
        self.n_blocks = (width + 1 + 3) // 4  # the values and the homogeneous 1, in vec4 blocks
        self.slots = 4 * self.n_blocks
        self.stride = self.slots + 3  # floats per vertex in a captured buffer: the values, then the position
        names = [f"out_x{i}" for i in range(self.n_blocks)] + ["out_position"]
        self.program = build_program_from_source(ctx, morph_source(self.n_blocks), varyings=tuple(names),
                                                 names={"vertex_shader": "morph.vert"})
        self._inputs = [f"in_x{i}" for i in range(self.n_blocks)]
        self._format = " ".join(["4f"] * self.n_blocks) + " 12x"
        self._vaos: dict[int, object] = {}
        # A headless (surfaceless EGL) context has no default framebuffer, and a draw call with no
        # framebuffer bound fails (GL_INVALID_FRAMEBUFFER_OPERATION) even when nothing is rasterised.
        self._fbo = ctx.simple_framebuffer((1, 1))
        first = np.zeros((self.n_points, self.stride), dtype="f4")
        first[:, :3] = points
        first[:, self.slots - 1] = 1.0  # the homogeneous 1
        first[:, self.slots:] = morph.displays[0](points)
        self._keys = [ctx.buffer(first.tobytes())]
        self._frame = ctx.buffer(reserve=self.n_points * self.stride * 4)
        for stage in morph.stages:  # every keyframe from the one before it, on the GPU
            out = ctx.buffer(reserve=self.n_points * self.stride * 4)
            self._run(stage, 1.0, self._keys[-1], out)
            self._keys.append(out)

    # ------------------------------------------------------------------ results
    def keyframe(self, index: int) -> np.ndarray:
        """The values at stage boundary ``index`` (0: the input; s + 1: the end of stage s), (N, width) float32.

        Equal, to float32 rounding, to :meth:`Morph.keyframes` and so to ``z_i`` / ``a_i`` of :meth:`MLP.trace`.
        """
        widths = [s.width_in for s in self.morph.stages] + [self.morph.stages[-1].width_out]
        data = self._read(self._keys[index])
        return data[:, : widths[index]].copy()

    def frame(self, stage, t: float) -> tuple[np.ndarray, np.ndarray]:
        """``(values (N, stage.width), positions (N, 3))`` at time ``t`` of ``stage``, float32, computed on the GPU."""
        stage = self.morph.stage(stage)
        t = float(t)
        if not 0.0 <= t <= 1.0:
            raise ModelError(f"t: expected a time in [0, 1], got {t}")
        self._run(stage, t, self._keys[stage.index], self._frame)
        data = self._read(self._frame)
        return data[:, : stage.width].copy(), data[:, self.slots:].copy()

    def positions(self, stage, t: float) -> np.ndarray:
        """Where the points are drawn at time ``t`` of ``stage``: (N, 3) float32, scene units."""
        return self.frame(stage, t)[1]

    def release(self) -> None:
        """Free the buffers, vertex arrays and the program."""
        for vao in self._vaos.values():
            vao.release()
        for buffer in self._keys + [self._frame]:
            buffer.release()
        self._vaos, self._keys = {}, []
        if self.ctx.fbo is self._fbo:  # still bound (a headless context had none to go back to)
            self.ctx.fbo = None
        self._fbo.release()
        self.program.release()

    # ------------------------------------------------------------------ internals
    def _read(self, buffer) -> np.ndarray:
        return np.frombuffer(buffer.read(), dtype="f4").reshape(self.n_points, self.stride)

    def _vao(self, buffer):
        vao = self._vaos.get(id(buffer))
        if vao is None:
            vao = self._vaos[id(buffer)] = self.ctx.vertex_array(self.program, [(buffer, self._format, *self._inputs)])
        return vao

    def _blocks(self, H: np.ndarray, rows: int) -> bytes:
        """Blocks (i, j) of the homogeneous matrix ``H`` (slots x slots) for block rows < ``rows``, column-major each."""
        n = self.n_blocks
        return b"".join(np.asarray(H[4 * i : 4 * i + 4, 4 * j : 4 * j + 4], dtype="f4").tobytes(order="F")
                        for i in range(rows) for j in range(n))

    def _homogeneous(self, F: Affine) -> np.ndarray:
        """``F`` (``R^w -> R^m``, ``w, m < slots``) as a slots x slots matrix whose last column holds ``b``."""
        H = np.zeros((self.slots, self.slots))
        H[: F.dim_out, : F.dim_in] = F.A
        H[: F.dim_out, -1] = F.b
        H[-1, -1] = 1.0
        return H

    def _run(self, stage, t: float, source, target) -> None:
        import moderngl

        program = self.program
        if stage.kind == "affine":
            stage_map = self._homogeneous(stage.map_at(t))
        else:
            stage_map = np.eye(self.slots)
        program["stage_map"].write(self._blocks(stage_map, self.n_blocks))
        program["display"].write(self._blocks(self._homogeneous(self.morph.display(stage, t)), 1))
        active = np.zeros(self.slots, dtype="f4")
        active[: stage.width_out] = 1.0
        _set(program, "value_mask", active.tobytes())
        _set(program, "kind", np.int32(0 if stage.kind == "affine" else 1).tobytes())
        _set(program, "activation", np.int32(ACTIVATION_CODES[stage.activation.name]).tobytes())
        _set(program, "alpha", np.float32(stage.activation.alpha).tobytes())
        _set(program, "t", np.float32(t).tobytes())
        # Leaves this 1x1 framebuffer bound: whoever draws next binds its own (Renderer.draw does).
        self._fbo.use()
        self._vao(source).transform(target, mode=moderngl.POINTS, vertices=self.n_points)


def _set(program, name: str, data: bytes) -> None:
    """Write a uniform the compiler kept (``value_mask`` and ``alpha`` go unused for some N_BLOCKS / code paths)."""
    try:
        uniform = program[name]
    except KeyError:
        return
    uniform.write(data)


# ---------------------------------------------------------------------------------------- drawing
class MorphingScene:
    """A scene whose objects a network warps, stage by stage: GPU-warped vertices drawn by a Renderer.

    Parameters
    ----------
    ctx : moderngl.Context or None
        None: no OpenGL at all: positions from :class:`Morph` and pictures from the CPU rasterizer
        (:func:`affine3d.raster.render_cpu`).
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

    Attributes
    ----------
    morph : Morph
    gpu : GPUMorph or None
    scene : Scene
        The warped scene the renderer draws (objects with their model maps applied: model = identity).
    renderer : Renderer or None
        Built with back-face culling off, so a solid turned inside out (det < 0) still shows; None
        without a context.
    inside_out : list of bool
        Per object, after :meth:`show`: turned inside out (negative signed volume); it is then
        drawn in :data:`INSIDE_COLOR`.
    """

    def __init__(self, ctx, scene, mlp, size=(800, 600), samples: int = 4, *, gpu: bool = True):
        from .polyhedra import Mesh
        from .renderer import Renderer

        self.ctx = ctx
        self.size = tuple(size)
        objects, world_points = [], []
        for obj in scene.objects:
            points = obj.model(obj.mesh.vertices)
            triangles = obj.mesh.triangles[:, [0, 2, 1]] if obj.model.determinant < 0 else obj.mesh.triangles
            mesh = Mesh(points, triangles, obj.mesh.edges, obj.mesh.name)
            objects.append(replace(obj, mesh=mesh, model=Affine.identity(3)))
            world_points.append(points)
        self._offsets = np.cumsum([0] + [len(p) for p in world_points])
        points = np.vstack(world_points)
        self.morph = Morph(mlp, points)
        use_gpu = ctx is not None and gpu and self.morph.max_width <= MAX_WIDTH
        self.gpu = GPUMorph(ctx, self.morph, points) if use_gpu else None
        self._cpu_keys = None if self.gpu is not None else self.morph.keyframes(points)
        self.scene = replace(scene, objects=objects)
        self._colors = [obj.color for obj in objects]
        self.inside_out = [False] * len(objects)
        self.renderer = None if ctx is None else Renderer(ctx, self.scene, size, samples=samples, cull_back_faces=False)
        self.stage, self.t = self.morph.stages[0], 0.0

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
        inside_out = []
        for k, obj in enumerate(self.scene.objects):
            lo, hi = self._offsets[k], self._offsets[k + 1]
            mesh = obj.mesh.with_vertices(positions[lo:hi])  # same topology: not checked again
            if self.renderer is not None:
                self.renderer.set_mesh(k, mesh)
            else:
                obj.mesh = mesh
            # Turned inside out (the stages so far have det < 0 overall): the outside now winds
            # clockwise and the signed volume is negative. Show it: the inside has its own colour.
            flipped = mesh.signed_volume() < 0
            obj.color = INSIDE_COLOR if flipped else self._colors[k]
            inside_out.append(flipped)
        self.inside_out = inside_out
        self.stage, self.t = stage, float(t)

    def render(self, stage, t: float, world: Affine | None = None, **draw_options) -> np.ndarray:
        """The scene at time ``t`` of ``stage`` as an image (H, W, 4) uint8, top row first.

        ``draw_options``: ``ortho``, ``wireframe`` (as :meth:`Renderer.draw`).
        """
        self.show(stage, t)
        if self.renderer is None:
            from .raster import render_cpu

            return render_cpu(self.scene, self.size, world, cull_back_faces=False, **draw_options)
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


def _caption(image, text: str):
    """``image`` (PIL) with ``text`` in its top-left corner, light on a dark outline (readable on any background)."""
    from PIL import ImageDraw, ImageFont

    size = max(10, image.height // 22)
    try:
        font = ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1: one small bitmap font
        font = ImageFont.load_default()
    ImageDraw.Draw(image).text((size // 2, size // 3), text, fill=(240, 240, 240), font=font,
                               stroke_width=max(1, size // 8), stroke_fill=(0, 0, 0))
    return image


def contact_sheet(images, columns: int = 5, gap: int = 4, background=(255, 255, 255)):
    """The PIL ``images`` (all one size) in a grid, ``columns`` wide, row by row."""
    from PIL import Image

    columns = max(1, min(columns, len(images)))
    rows = -(-len(images) // columns)
    width, height = images[0].size
    sheet = Image.new("RGB", (columns * width + (columns - 1) * gap, rows * height + (rows - 1) * gap), background)
    for k, image in enumerate(images):
        sheet.paste(image.convert("RGB"), ((k % columns) * (width + gap), (k // columns) * (height + gap)))
    return sheet


def render_stages(scene, mlp, directory, size=(800, 600), *, frames_per_stage: int = 12, world: Affine | None = None,
                  ortho: bool | None = None, wireframe: bool = False, samples: int = 4, captions: bool = True,
                  frame_ms: int = 50, hold_ms: int = 700, columns: int = 5, backend: str = "gpu", ctx=None) -> dict:
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
        on one sheet, ``columns`` wide).
    size : (width, height)
        Pixels of each picture.
    world : Affine, optional
        World space -> camera space (default ``scene.world()``).
    captions : bool
        Write the stage's name in the corner of each picture.
    backend : {"gpu", "cpu"}
        "gpu": the vertex shader warps, OpenGL draws (``ctx``, default the shared headless one);
        "cpu": :class:`Morph` warps, the CPU rasterizer draws (no OpenGL needed).

    Returns
    -------
    dict
        ``{"stages": [png paths], "gif": path, "sheet": path, "frames": number of GIF frames}``.
    """
    from pathlib import Path

    from PIL import Image

    from .morph import stage_times
    from .renderer import shared_context

    if backend not in ("gpu", "cpu"):
        raise ModelError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    if backend == "gpu":
        ctx = ctx or shared_context()
    else:
        ctx = None
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    times = stage_times(frames_per_stage)
    frames, durations, stills, paths = [], [], [], []
    with MorphingScene(ctx, scene, mlp, size, samples) as morphing:
        stages = morphing.morph.stages

        def picture(stage, t, label):
            image = Image.fromarray(morphing.render(stage, t, world, ortho=ortho, wireframe=wireframe), "RGBA").convert("RGB")
            return _caption(image, label) if captions else image

        first = picture(stages[0], 0.0, f"input: {', '.join(o.name for o in scene.objects)}")
        frames.append(first)
        durations.append(hold_ms)
        stills.append(first)
        for stage in stages:
            for t in times:
                image = picture(stage, float(t), stage.name)
                frames.append(image)
                durations.append(hold_ms if t == 1.0 else frame_ms)
            stills.append(frames[-1])
    for k, (image, stage) in enumerate(zip(stills, [None, *stages])):
        path = directory / stage_file_name(k, stage)
        image.save(path, format="PNG")
        paths.append(path)
    gif = directory / "forward-pass.gif"
    durations[-1] = 2 * hold_ms  # linger on the result before the loop starts again
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=durations, loop=0)
    sheet = directory / "stages.png"
    contact_sheet(stills, columns).save(sheet, format="PNG")
    return {"stages": paths, "gif": gif, "sheet": sheet, "frames": len(frames)}


def render_output(scene, mlp, size=(800, 600), *, world: Affine | None = None, ortho: bool | None = None,
                  wireframe: bool = False, samples: int = 4, backend: str = "gpu", ctx=None) -> np.ndarray:
    """The scene after the whole network (the end of the last stage): (H, W, 4) uint8, top row first.

    ``backend`` "gpu" (``ctx``, default the shared headless context) or "cpu" (no OpenGL).
    """
    from .renderer import shared_context

    if backend not in ("gpu", "cpu"):
        raise ModelError(f"backend: expected 'gpu' or 'cpu', got {backend!r}")
    ctx = (ctx or shared_context()) if backend == "gpu" else None
    with MorphingScene(ctx, scene, mlp, size, samples) as morphing:
        return morphing.render(morphing.morph.stages[-1], 1.0, world, ortho=ortho, wireframe=wireframe)
