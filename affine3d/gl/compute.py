"""The MLP on a compute shader that uses the renderer's own GLSL affine helpers.

A layer ``y = σ(W x + b)`` is cut into 4x4 blocks of ``W``: output block ``i`` of a sample is
``b_i + Σ_j W_ij x_j``, and each term is ``apply_affine(W_ij, x_j)`` from ``shaders/affine.glsl``,
the very ``mat4 * vec4`` that ``shaders/mesh.vert`` applies to every vertex of a solid. So the GPU
evaluates the network with the code that draws the picture; :class:`GPUMLP` returns what the CPU
forward pass ``mlp(X)`` returns, to float32 rounding.

Two ways to hold the weights (``weights=``):

``"inline"``
    ``shaders/mlp.comp``: the whole network in one dispatch, one sample per invocation; each block
    ``W_ij`` is a ``mat4`` constant written into the shader source when the model is loaded, and every
    hidden value stays in registers. The fastest on Mesa's llvmpipe by far; the compile time grows
    with the number of blocks, so it is for small networks.
``"buffer"``
    ``shaders/mlp_layer.comp``: one dispatch per layer, the blocks in a uniform buffer (a storage
    buffer when the layer is larger than ``GL_MAX_UNIFORM_BLOCK_SIZE``), loops whose bounds are
    uniforms (compile time flat for any width), intermediate values in GPU buffers (never read back).
``"auto"`` (default)
    ``"inline"`` up to :data:`INLINE_MAX_BLOCKS` blocks in all, else ``"buffer"``.

Why two: on Mesa's llvmpipe (a software GPU) the layout of the weights decides the speed. llvmpipe
gathers a weight read from a buffer lane by lane unless its address is a compile-time constant (a
loop index is not), and unrolling the loops instead makes LLVM's compile time grow with the square of
the number of loads; a constant weight costs no load at all. ``affine3d bench gpu`` measures both
against numpy on the machine at hand; nothing here says anything about a real GPU.

Per call: the batch is uploaded (padded to whole vec4 blocks), the layers run, the output is read
back; :attr:`GPUMLP.timings` holds the three times of the last call (a small batch loses in the upload
and read-back, not in the arithmetic). The weights are uploaded or compiled once, in the constructor.

Without compute shaders (OpenGL < 4.3, e.g. macOS) the constructor raises
:class:`~affine3d.errors.GLUnavailableError`; the CPU path ``mlp(X)`` works everywhere.
"""

from __future__ import annotations

import re
import time
import weakref
from dataclasses import dataclass

import numpy as np

from .. import pack
from ..errors import GLUnavailableError, ModelError
from ..i18n import _
from .glsl import ACTIVATION_CODES, build_compute_from_source, with_defines
from ..nn.mlp import MLP
from .context import default_context, make_current

__all__ = ["GPUMLP", "GPUTimings", "run_mlp_gpu", "require_compute", "INLINE_MAX_BLOCKS", "COMPUTE_VERSION"]

COMPUTE_VERSION = 430  # OpenGL 4.3: compute shaders and storage buffers
INLINE_MAX_BLOCKS = 1024  # 4x4 weight blocks in one inline program; beyond that, "auto" keeps them in buffers
SAMPLES_PER_INVOCATION = 4  # "buffer": samples per invocation, so a fetched weight block serves four products
_MAX_GROUPS = 65535  # GL guarantees at least this many work groups per dispatch dimension


def require_compute(ctx) -> None:
    """Raise :class:`GLUnavailableError` unless ``ctx`` runs compute shaders (OpenGL >= 4.3).

    The message names the context's version and renderer and says that the CPU path still works.
    """
    version = int(ctx.version_code)
    if version < COMPUTE_VERSION:
        renderer = ctx.info.get("GL_RENDERER") or _("unknown renderer")
        raise GLUnavailableError(
            _("compute shaders need OpenGL 4.3; this context is {major}.{minor} ({renderer}); the CPU path mlp(X) "
              "still works").format(major=version // 100, minor=version % 100 // 10, renderer=renderer)
        )


def max_uniform_block_size(ctx) -> int:
    """GL_MAX_UNIFORM_BLOCK_SIZE in bytes (at least 16384 by the GL spec; 65536 on llvmpipe)."""
    return int(ctx.info.get("GL_MAX_UNIFORM_BLOCK_SIZE", 16384))


@dataclass
class GPUTimings:
    """Seconds spent in the last call, by step (wall clock; each step ends with the GPU idle)."""

    upload_s: float = 0.0   # pad the batch to vec4 blocks and write it to the GPU
    compute_s: float = 0.0  # every dispatch, until the GPU has finished
    read_s: float = 0.0     # read the output back and cut off the padding

    @property
    def total_s(self) -> float:
        return self.upload_s + self.compute_s + self.read_s


def _blocks(width: int) -> int:
    return (width + 3) // 4


def _padded(layer) -> tuple[np.ndarray, np.ndarray]:
    """``W`` (out, in) and ``b`` in float32, zero-padded to whole 4x4 blocks."""
    W, b = layer.affine.A, layer.affine.b
    n_out, n_in = W.shape
    P = np.zeros((4 * _blocks(n_out), 4 * _blocks(n_in)), np.float32)
    P[:n_out, :n_in] = W
    B = np.zeros(4 * _blocks(n_out), np.float32)
    B[:n_out] = b
    return P, B


def weight_blocks(layer) -> bytes:
    """The layer's ``W`` as 4x4 blocks, block (i, j) at index ``i * in_blocks + j``, each a column-major
    ``mat4`` (the bytes std140/std430 ``mat4 W_blocks[]`` expects), then ``b`` as ``vec4 bias[]``."""
    P, B = _padded(layer)
    return pack.mat4_blocks(P) + pack.floats(B)


class GPUMLP:
    """An :class:`~affine3d.nn.MLP` on a moderngl context: ``gpu(X)`` equals ``mlp(X)`` to float32 rounding.

    Parameters
    ----------
    ctx : moderngl.Context
        OpenGL 4.3 or newer (the headless EGL context of :func:`affine3d.gl.context.default_context` is 4.5
        on Mesa's llvmpipe).
    mlp : MLP
        Any widths and activations (softmax too); the weights are converted to float32 once, here.
    weights : {"auto", "inline", "buffer"}
        Where the weights live (see the module docstring): constants in one fused shader, or GPU buffers
        with one dispatch per layer. "auto" picks "inline" for networks up to :data:`INLINE_MAX_BLOCKS`.
    local_size : int
        Invocations per work group.

    Raises
    ------
    GLUnavailableError
        The context has no compute shaders (OpenGL < 4.3).
    ModelError
        ``mlp`` is not an MLP, or ``weights`` is not one of the names above.
    """

    def __init__(self, ctx, mlp: MLP, *, weights: str = "auto", local_size: int = 64):
        make_current(ctx)
        require_compute(ctx)
        if not isinstance(mlp, MLP):
            raise ModelError(_("mlp: expected an affine3d MLP, got {type}").format(type=type(mlp).__name__))
        if weights not in ("auto", "inline", "buffer"):
            raise ModelError(_("weights: expected 'auto', 'inline' or 'buffer', got {weights}").format(
                weights=repr(weights)))
        self.ctx = ctx
        self.mlp = mlp
        self.local_size = int(local_size)
        self.sizes = mlp.sizes
        n_blocks = sum(_blocks(a) * _blocks(b) for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        if weights == "auto":
            weights = "inline" if n_blocks <= INLINE_MAX_BLOCKS else "buffer"
        self.weights = weights
        self.timings = GPUTimings()
        self._in_blocks = _blocks(self.sizes[0])
        self._out_blocks = _blocks(self.sizes[-1])
        self._capacity = 0  # samples the buffers hold
        self._n = 0  # samples in the last upload
        self._staging = np.zeros((0, 4 * self._in_blocks), np.float32)
        self._result = np.zeros((0, 4 * self._out_blocks), np.float32)
        self._buffers: list = []  # every GL object made here, for release()
        if weights == "inline":
            self._program = _compile(ctx, _inline_source(mlp, self.local_size))
            self._layer_steps = []
        else:
            self._program = None
            self._layer_steps = [self._layer_step(layer) for layer in mlp.layers]
        self._x = self._track(ctx.buffer(reserve=16))
        self._hidden: list = []  # "buffer": each layer's output buffer (the last one is read back)
        self._y = self._track(ctx.buffer(reserve=16))

    # ------------------------------------------------------------------ the three steps of a call
    def __call__(self, X) -> np.ndarray:
        """``mlp(X)`` on the GPU: ``X`` of shape (in,) or (N, in) -> float32 array (out,) or (N, out).

        Fills :attr:`timings` with this call's upload, compute and read-back times.
        """
        rows, single = self._check_input(X)
        self.upload(rows)
        self.compute()
        Y = self.read()
        return Y[0] if single else Y

    def upload(self, X) -> None:
        """Write the batch ``X`` (N, in) to the GPU, padded with zeros to whole vec4 blocks."""
        start = time.perf_counter()
        make_current(self.ctx)
        rows, _unused = self._check_input(X)
        n = rows.shape[0]
        self._reserve(n)
        n_in = self.sizes[0]
        if n_in % 4 == 0:
            data = np.ascontiguousarray(rows, dtype=np.float32)
        else:
            data = self._staging[:n]
            data[:, :n_in] = rows  # the padding columns stay zero (0 * NaN would not)
        if n:
            self._x.write(data)
        self.ctx.finish()  # a real GPU may copy later; the wait keeps the copy out of the compute column
        self._n = n
        self.timings.upload_s = time.perf_counter() - start

    def compute(self) -> None:
        """Run the network on the uploaded batch; returns when the GPU has finished."""
        start = time.perf_counter()
        make_current(self.ctx)
        n = self._n
        if n:
            if self.weights == "inline":
                self._dispatch(self._program, self._x, self._y, n, 1)
            else:
                source = self._x
                for step, target in zip(self._layer_steps, self._hidden):
                    program, weights_buffer, in_ubo = step
                    if in_ubo:
                        weights_buffer.bind_to_uniform_block(0)
                    else:
                        weights_buffer.bind_to_storage_buffer(2)
                    self._dispatch(program, source, target, n, SAMPLES_PER_INVOCATION)
                    self.ctx.memory_barrier()  # the next layer reads what this one wrote
                    source = target
        self.ctx.finish()
        self.timings.compute_s = time.perf_counter() - start

    def read(self) -> np.ndarray:
        """The output of the last :meth:`compute`: float32 array (N, out), a new array."""
        start = time.perf_counter()
        make_current(self.ctx)
        n = self._n
        out = self._result[:n]
        if n:
            last = self._y if self.weights == "inline" else self._hidden[-1]
            last.read_into(out, size=out.nbytes)
        Y = out[:, : self.sizes[-1]].copy()
        self.timings.read_s = time.perf_counter() - start
        return Y

    def release(self) -> None:
        """Free the GPU buffers and programs (the object is unusable afterwards)."""
        if self._buffers:
            make_current(self.ctx)
        for obj in self._buffers:
            obj.release()
        self._buffers = []

    def __repr__(self) -> str:
        return f"GPUMLP({' -> '.join(map(str, self.sizes))}, weights={self.weights!r})"

    # ------------------------------------------------------------------ internals
    def _track(self, obj):
        self._buffers.append(obj)
        return obj

    def _check_input(self, X) -> tuple[np.ndarray, bool]:
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise ModelError(_("input: expected an array of numbers, got dtype {dtype}").format(dtype=X.dtype))
        n_in = self.sizes[0]
        if X.ndim not in (1, 2) or X.shape[-1] != n_in:
            raise ModelError(_("input: expected shape ({n_in},) or (N, {n_in}), got {shape}").format(
                n_in=n_in, shape=X.shape))
        return (X[None, :], True) if X.ndim == 1 else (X, False)

    def _reserve(self, n: int) -> None:
        """Buffers for at least ``n`` samples (grown by doubling, never shrunk)."""
        if n <= self._capacity:
            return
        capacity = max(n, 2 * self._capacity, 64)
        self._staging = np.zeros((capacity, 4 * self._in_blocks), np.float32)
        self._result = np.zeros((capacity, 4 * self._out_blocks), np.float32)
        self._x.orphan(capacity * 16 * self._in_blocks)
        if self.weights == "inline":
            self._y.orphan(capacity * 16 * self._out_blocks)
        else:
            if not self._hidden:
                self._hidden = [self._track(self.ctx.buffer(reserve=16)) for _unused in self.mlp.layers]
            for buffer, width in zip(self._hidden, self.sizes[1:]):
                buffer.orphan(capacity * 16 * _blocks(width))
        self._capacity = capacity

    def _dispatch(self, program, source, target, n: int, per_invocation: int) -> None:
        source.bind_to_storage_buffer(0)
        target.bind_to_storage_buffer(1)
        program["n_samples"].value = n
        samples_per_group = self.local_size * per_invocation
        groups = -(-n // samples_per_group)
        first = 0
        while groups > 0:  # more than 65535 work groups: several dispatches
            chunk = min(groups, _MAX_GROUPS)
            program["first_sample"].value = first
            program.run(chunk)
            first += chunk * samples_per_group
            groups -= chunk

    def _layer_step(self, layer):
        """("buffer") A compiled program for the layer's shape and activation, and its weight buffer."""
        n_out, n_in = layer.affine.A.shape
        data = weight_blocks(layer)
        in_ubo = len(data) <= max_uniform_block_size(self.ctx)
        defines = {
            "LOCAL_SIZE": self.local_size,
            "SAMPLES": SAMPLES_PER_INVOCATION,
            "IN_BLOCKS": _blocks(n_in),
            "OUT_BLOCKS": _blocks(n_out),
            "OUT_WIDTH": n_out,
            "WEIGHTS_IN_UBO": int(in_ubo),
            "ACTIVATION": ACTIVATION_CODES[layer.activation.name],
        }
        program = _compile(self.ctx, _source("mlp_layer.comp", defines))
        program["in_blocks"].value = _blocks(n_in)
        program["out_blocks"].value = _blocks(n_out)
        if layer.activation.name == "leaky_relu":
            program["alpha"].value = layer.activation.alpha
        return program, self._track(self.ctx.buffer(data)), in_ubo


# ---------------------------------------------------------------------- sources and programs
_MARKER = re.compile(r"^[ \t]*// @network.*$", re.MULTILINE)
_PROGRAMS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # ctx -> {source: program}


def _source(name: str, defines: dict, network: str | None = None) -> str:
    """``shaders/NAME`` with its ``#define NAME value`` lines set from ``defines`` and, for mlp.comp, the
    generated network in place of the marker line; includes not yet joined."""
    text = with_defines(name, defines)
    if network is not None:
        text, count = _MARKER.subn(lambda _: network, text)
        if count != 1:
            raise ValueError(_("{name}: expected one '// @network' marker line, found {count}").format(
                name=name, count=count))
    return text


def _compile(ctx, source: str):
    """A compute program for ``source`` (includes joined), compiled once per context and source."""
    cache = _PROGRAMS.setdefault(ctx, {})
    program = cache.get(source)
    if program is None:
        program = cache[source] = build_compute_from_source(ctx, source, name="mlp shader")
    return program


def _float(v: float) -> str:
    """A float32 as a GLSL float literal that reads back as the same float32 (9 significant digits)."""
    text = f"{float(v):.9g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _vec4(values) -> str:
    return "vec4(" + ", ".join(_float(v) for v in values) + ")"


def _mat4(block: np.ndarray) -> str:
    """A 4x4 block as a GLSL ``mat4(...)`` constructor: its arguments are column by column (as ``to_gl``'s bytes)."""
    return "mat4(" + ", ".join(_float(v) for v in pack.column_major(block)) + ")"


def _inline_source(mlp: MLP, local_size: int) -> str:
    """mlp.comp with the whole network written out: one statement per 4x4 block of each W."""
    sizes = mlp.sizes
    lines = [f"// {' -> '.join(map(str, sizes))}: h0 is the input, h{len(mlp.layers)} the output; hL_i = values 4i..4i+3 of layer L"]
    lines += [f"vec4 h0_{j} = x[x_at + {j}u];" for j in range(_blocks(sizes[0]))]
    for L, layer in enumerate(mlp.layers, start=1):
        P, B = _padded(layer)
        OB, IB = P.shape[0] // 4, P.shape[1] // 4
        a = layer.activation
        lines.append(f"// layer {L}: W{L} is {layer.affine.A.shape[0]}x{layer.affine.A.shape[1]}, then {a}")
        for i in range(OB):
            lines.append(f"vec4 h{L}_{i} = {_vec4(B[4 * i:4 * i + 4])};")
            for j in range(IB):
                lines.append(f"h{L}_{i} += apply_affine({_mat4(P[4 * i:4 * i + 4, 4 * j:4 * j + 4])}, h{L - 1}_{j});")
            if a.name == "leaky_relu":
                lines.append(f"h{L}_{i} = sigma_leaky_relu(h{L}_{i}, {_float(np.float32(a.alpha))});")
            elif a.name not in ("identity", "softmax"):
                lines.append(f"h{L}_{i} = sigma_{a.name}(h{L}_{i});")
        if a.name == "softmax":
            lines += _inline_softmax(L, layer.affine.A.shape[0])
    lines += [f"y[y_at + {i}u] = h{len(mlp.layers)}_{i};" for i in range(_blocks(sizes[-1]))]
    network = "\n".join("    " + line for line in lines)
    defines = {"LOCAL_SIZE": local_size, "IN_BLOCKS": _blocks(sizes[0]), "OUT_BLOCKS": _blocks(sizes[-1])}
    return _source("mlp.comp", defines, network)


def _inline_softmax(L: int, width: int) -> list[str]:
    """Softmax over the ``width`` values of layer L's blocks: subtract the maximum, exp, divide by the sum."""
    comps = "xyzw"
    values = [f"h{L}_{k // 4}.{comps[k % 4]}" for k in range(width)]
    lines = [f"float m{L} = {values[0]};"] + [f"m{L} = max(m{L}, {v});" for v in values[1:]]
    lines.append(f"float total{L} = 0.0;")
    for i in range(_blocks(width)):
        used = min(4, width - 4 * i)
        mask = "vec4(" + ", ".join("1.0" if c < used else "0.0" for c in range(4)) + ")"
        # padding slots: exp(0 - m) may overflow, so they are set to 0 by a select, not a product
        lines.append(f"h{L}_{i} = mix(vec4(0.0), exp(h{L}_{i} - m{L}), greaterThan({mask}, vec4(0.5)));")
        lines.append(f"total{L} += dot(h{L}_{i}, vec4(1.0));")
    lines += [f"h{L}_{i} /= total{L};" for i in range(_blocks(width))]
    return lines


_RUNNERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # mlp -> GPUMLP on the default context


def run_mlp_gpu(mlp: MLP, X, ctx=None, *, weights: str = "auto") -> np.ndarray:
    """``mlp(X)`` on the GPU (float32 result); without ``ctx``, on the process's default context.

    Programs are compiled once per context and network; on the default context the uploaded weights
    are kept for the next call with the same ``mlp`` object too.

    Examples
    --------
    >>> net = MLP.random([3, 5, 2], seed=1)
    >>> X = np.random.default_rng(0).standard_normal((10, 3))
    >>> bool(np.allclose(run_mlp_gpu(net, X), net(X), atol=1e-5))
    True
    """
    if ctx is None:
        runner = _RUNNERS.get(mlp)
        if runner is None or runner.weights != weights and weights != "auto":
            runner = _RUNNERS[mlp] = GPUMLP(default_context(), mlp, weights=weights)
        return runner(X)
    runner = GPUMLP(ctx, mlp, weights=weights)
    try:
        return runner(X)
    finally:
        runner.release()
