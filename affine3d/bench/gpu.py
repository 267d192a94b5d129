"""``affine3d bench gpu``: the MLP on a compute shader next to numpy, onnxruntime and ``mlp(X)``, same run.

The network is 3-64-64-3 (ReLU, then a linear output), float32, at growing batch sizes. The reference
for every ratio is numpy's textbook layer ``X @ W.T + b`` into a preallocated array with the
activation in place, timed seconds before on the same batch. Beside it: ``mlp(X)`` (affine3d's own
CPU forward pass), onnxruntime on the file ``mlp.to_onnx`` writes (where installed), and the two
GPU paths of :mod:`affine3d.gl.compute`:

- ``weights inline``: one fused dispatch, the weights as ``mat4`` constants in the shader;
- ``weights in UBO``: one dispatch per layer, the weights as ``mat4`` blocks in a uniform buffer.

For the GPU, ``compute`` is the dispatches until the GPU is done (the batch already uploaded), and
``upload + read-back`` writing the batch to the GPU and reading the output back (with the padding
to vec4 blocks and its removal): a small batch loses there, not in the arithmetic. ``total`` is a
whole call ``gpu(X)``. Each figure is the best of several rounds (see
:func:`~affine3d.bench.core.best_time`), with a pause between libraries so no thread pool still spins.

The table's title names the OpenGL renderer. Mesa's llvmpipe is a *software* renderer: its
"GPU" is this CPU's cores running JIT-compiled SIMD code, so the table says nothing about a real GPU.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from ..nn.mlp import MLP
from ..i18n import N_
from .core import Table, best_time, cpu_name, format_si, pause

TITLE = "gpu: the MLP on a compute shader (affine.glsl's apply_affine per 4x4 weight block) against numpy"

SIZES = [3, 64, 64, 3]
BATCHES = (1, 64, 4096, 65536)
QUICK_BATCHES = (64, 16384)
COLUMNS = [N_("batch"), N_("method"), N_("compute"), N_("upload + read-back"), N_("total"), N_("x numpy (compute)"), N_("x numpy (total)")]


def run(quick: bool = False) -> list[Table]:
    from ..errors import GLUnavailableError
    from ..gl.compute import GPUMLP
    from ..gl.context import create_context

    batches = QUICK_BATCHES if quick else BATCHES
    repeat = 2 if quick else 5
    rest_s = 0.1 if quick else 0.3
    try:
        ctx = create_context(require=430)
        renderer = ctx.info.get("GL_RENDERER", "unknown renderer")
        runners = {"inline": GPUMLP(ctx, _network(), weights="inline"), "buffer": GPUMLP(ctx, _network(), weights="buffer")}
    except GLUnavailableError as exc:
        table = Table(f"{TITLE}: no compute shaders here", COLUMNS)
        table.notes.append(str(exc))
        return [table]
    net = _network()
    table = Table(f"{TITLE}, {'-'.join(map(str, SIZES))} float32, OpenGL renderer: {renderer}", COLUMNS)
    ort = _onnxruntime(net)
    rng = np.random.default_rng(0)
    for n in batches:
        X = rng.standard_normal((n, SIZES[0])).astype(np.float32)
        reference = _numpy_forward(net, X)
        expected = reference()
        for runner in runners.values():  # outputs checked before anything is timed
            if not np.allclose(runner(X), expected, rtol=1e-4, atol=1e-4 * max(1.0, float(np.abs(expected).max()))):
                raise AssertionError(f"gpu bench: the {runner.weights} GPU output differs from numpy's at batch {n}")
        t_numpy = best_time(reference, repeat=repeat)
        table.add(n, "numpy X @ W.T + b (reference)", _t(t_numpy), None, _t(t_numpy), 1.0, 1.0)
        pause(rest_s)
        t = best_time(lambda: net(X), repeat=repeat)
        table.add(n, "affine3d mlp(X) (CPU)", _t(t), None, _t(t), t / t_numpy, t / t_numpy)
        if ort is not None:
            pause(rest_s)
            t = best_time(lambda: ort(X), repeat=repeat)
            table.add(n, "onnxruntime (CPU)", _t(t), None, _t(t), t / t_numpy, t / t_numpy)
        for name, runner in runners.items():
            pause(rest_s)
            t_compute, t_io, t_total = _best_call(runner, X, budget_s=0.1 if quick else 0.4)
            label = "GPU compute shader, weights inline" if name == "inline" else "GPU compute shader, weights in UBO"
            table.add(n, label, _t(t_compute), _t(t_io), _t(t_total),
                      t_compute / t_numpy, t_total / t_numpy)
    for runner in runners.values():
        runner.release()
    table.notes += [
        f"renderer {renderer}; CPU {cpu_name()}. llvmpipe is Mesa's software OpenGL: its 'GPU' is these CPU "
        "cores running JIT-compiled SIMD code, so nothing here is a claim about a real GPU.",
        "x numpy: time / numpy's time for the same batch, measured in the same run (below 1 is faster).",
        "weights inline: one dispatch for the whole network, weights compiled in as mat4 constants; in UBO: "
        "one dispatch per layer, weights as mat4 blocks in a uniform buffer (on llvmpipe each weight read "
        "from a buffer is a memory load per SIMD lane, a constant costs none: the layout decides).",
        "compute: the dispatches until the GPU is done; upload + read-back: the batch to the GPU and the "
        "output back, padding included; total: a whole call gpu(X) (the fastest of many; its parts are from "
        "the same call).",
    ]
    if ort is None:
        table.notes.append("onnxruntime: not installed (pip install onnxruntime), row left out.")
    return [table]


def _best_call(runner, X, budget_s: float, min_calls: int = 5) -> tuple[float, float, float]:
    """``(compute, upload + read-back, total)`` seconds of the fastest of many whole calls ``runner(X)``.

    All three come from the same call (its :attr:`GPUMLP.timings`), so the parts add up to the
    total; timing the parts in separate loops let them come out larger than the whole.
    """
    runner(X)  # warm up
    best, calls, spent = None, 0, 0.0
    while calls < min_calls or spent < budget_s:
        start = time.perf_counter()
        runner(X)
        total = time.perf_counter() - start
        spent, calls = spent + total, calls + 1
        if best is None or total < best[2]:
            t = runner.timings
            best = (t.compute_s, t.upload_s + t.read_s, total)
    return best


def _network() -> MLP:
    return MLP.random(SIZES, activation="relu", output="identity", seed=0)


def _numpy_forward(net: MLP, X: np.ndarray):
    """The textbook forward pass: per layer ``X @ W.T + b`` into a preallocated array, activation in place."""
    layers = [(np.ascontiguousarray(l.W.T, np.float32), l.b.astype(np.float32), l.activation.name) for l in net.layers]
    buffers = [np.empty((len(X), W_T.shape[1]), np.float32) for W_T, _, _ in layers]

    def forward():
        a = X
        for (W_T, b, name), out in zip(layers, buffers):
            np.matmul(a, W_T, out=out)
            out += b
            if name == "relu":
                np.maximum(out, 0, out=out)
            a = out
        return a

    return forward


def _onnxruntime(net: MLP):
    try:
        import onnxruntime
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "mlp.onnx"
        net.to_onnx(path)
        session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda X: session.run(None, {name: X})[0]


def _t(seconds: float) -> str:
    return format_si(seconds, "s")
