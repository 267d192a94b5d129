"""The morph on the GPU: each stage of a network's forward pass moves a mesh's vertices in a vertex shader.

:mod:`affine3d.nn.morph` says what each stage does (numpy, the reference); this module has the GPU do
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
that stage's keyframe. The CPU (:class:`~affine3d.nn.morph.Morph`) is there for the check.

:class:`affine3d.render.MorphingScene` puts the warped vertices into a renderer and draws them.
"""

from __future__ import annotations

import numpy as np

from .. import pack
from ..affine import Affine
from ..errors import ModelError
from ..i18n import _
from ..nn.morph import Morph
from .context import make_current
from .glsl import ACTIVATION_CODES, Uniforms, build_program_from_source, with_defines

__all__ = ["GPUMorph", "MAX_WIDTH"]

MAX_BLOCKS = 4
MAX_WIDTH = 4 * MAX_BLOCKS - 1
"""The widest layer the vertex shader takes: 4 vec4 attributes hold 15 values and the homogeneous 1."""

def morph_source(n_blocks: int) -> str:
    """``shaders/morph.vert`` with ``N_BLOCKS`` set (its ``#define`` line replaced, so line numbers stay)."""
    return with_defines("morph.vert", {"N_BLOCKS": int(n_blocks)})


class GPUMorph:
    """The stages of ``morph`` applied to ``points`` on the GPU (transform feedback through ``morph.vert``).

    Parameters
    ----------
    ctx : moderngl.Context
        OpenGL 3.3 or later (the default one of :func:`affine3d.gl.context.default_context` will do).
    morph : Morph
    points : array-like, shape (N, 3)
        The vertices, in the space the network is applied in; N >= 1.

    Raises
    ------
    ModelError
        A layer wider than :data:`MAX_WIDTH`, or points of the wrong shape.
    """

    def __init__(self, ctx, morph: Morph, points):
        make_current(ctx)
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 3 or len(points) == 0:
            raise ModelError(_("points: expected shape (N, 3) with N >= 1, got {shape}").format(shape=points.shape))
        width = morph.max_width
        if width > MAX_WIDTH:
            raise ModelError(
                _("model: the GPU morph takes layers up to {limit} wide (four vec4 attributes), but this network has a "
                   "layer {width} wide (sizes {sizes}); use affine3d.nn.morph.Morph on the CPU").format(
                    limit=MAX_WIDTH, width=width, sizes=morph.mlp.sizes)
            )
        self.ctx, self.morph = ctx, morph
        self.n_points = len(points)
        self.n_blocks = (width + 1 + 3) // 4  # the values and the homogeneous 1, in vec4 blocks
        self.slots = 4 * self.n_blocks
        self.stride = self.slots + 3  # floats per vertex in a captured buffer: the values, then the position
        names = [f"out_x{i}" for i in range(self.n_blocks)] + ["out_position"]
        self.program = build_program_from_source(ctx, morph_source(self.n_blocks), varyings=tuple(names),
                                                 names={"vertex_shader": "morph.vert"})
        # value_mask and alpha go unused for some N_BLOCKS and code paths: no warning for those
        self._uniforms = Uniforms(self.program, ["value_mask", "kind", "activation", "alpha", "t"], warn=False)
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
            raise ModelError(_("t: expected a time in [0, 1], got {t}").format(t=t))
        self._run(stage, t, self._keys[stage.index], self._frame)
        data = self._read(self._frame)
        return data[:, : stage.width].copy(), data[:, self.slots:].copy()

    def positions(self, stage, t: float) -> np.ndarray:
        """Where the points are drawn at time ``t`` of ``stage``: (N, 3) float32, scene units."""
        return self.frame(stage, t)[1]

    def release(self) -> None:
        """Free the buffers, vertex arrays and the program."""
        make_current(self.ctx)
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
        make_current(self.ctx)
        return np.frombuffer(buffer.read(), dtype="f4").reshape(self.n_points, self.stride)

    def _vao(self, buffer):
        vao = self._vaos.get(id(buffer))
        if vao is None:
            vao = self._vaos[id(buffer)] = self.ctx.vertex_array(self.program, [(buffer, self._format, *self._inputs)])
        return vao

    def _homogeneous(self, F: Affine) -> np.ndarray:
        """``F`` (``R^w -> R^m``, ``w, m < slots``) as a slots x slots matrix whose last column holds ``b``."""
        H = np.zeros((self.slots, self.slots))
        H[: F.dim_out, : F.dim_in] = F.A
        H[: F.dim_out, -1] = F.b
        H[-1, -1] = 1.0
        return H

    def _run(self, stage, t: float, source, target) -> None:
        import moderngl

        make_current(self.ctx)
        program = self.program
        if stage.kind == "affine":
            stage_map = self._homogeneous(stage.map_at(t))
        else:
            stage_map = np.eye(self.slots)
        program["stage_map"].write(pack.mat4_blocks(stage_map))
        program["display"].write(pack.mat4_blocks(self._homogeneous(self.morph.display(stage, t)), 1))
        active = np.zeros(self.slots, dtype="f4")
        active[: stage.width_out] = 1.0
        uniforms = self._uniforms
        uniforms.write("value_mask", pack.floats(active))
        uniforms.write("kind", pack.ints(0 if stage.kind == "affine" else 1))
        uniforms.write("activation", pack.ints(ACTIVATION_CODES[stage.activation.name]))
        uniforms.write("alpha", pack.floats(stage.activation.alpha))
        uniforms.write("t", pack.floats(t))
        # Leaves this 1x1 framebuffer bound: whoever draws next binds its own (Renderer.draw does).
        self._fbo.use()
        self._vao(source).transform(target, mode=moderngl.POINTS, vertices=self.n_points)
