"""One context keeper: every GL entry point makes its context current first, so contexts can be mixed freely.

moderngl sends calls to whichever context is current. These are the two ways that used to go wrong (a crash,
"cannot map the buffer", and silently wrong numbers) and the alternation a notebook does; each runs in a
fresh process, so no context made by another test is current when it starts.
"""

import subprocess
import sys
import textwrap

PRELUDE = """
import numpy as np
from affine3d import MLP
from affine3d.geometry import load_scene
from affine3d.gl import GPUMLP, create_context, render, run_mlp_gpu
net = MLP.random([3, 7, 5, 2], activation="tanh", seed=1)
X = np.random.default_rng(0).standard_normal((9, 3))
def close(Y, Z):
    assert np.allclose(Y, Z, atol=1e-5), float(np.max(np.abs(Y - Z)))
"""


def run_fresh(code: str) -> None:
    """Run ``code`` (after PRELUDE) in a new Python process; it must print 'ok' and exit 0."""
    done = subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(code) + "\nprint('ok')\n"],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-2000:]


def test_gpu_mlp_after_a_render_in_the_same_process():
    """run_mlp_gpu, then render a scene, then run_mlp_gpu again: right answers (it used to crash mapping a buffer)."""
    run_fresh("""
        close(run_mlp_gpu(net, X), net(X))
        image = render(load_scene("platonic"), (80, 60))
        assert image.shape == (60, 80, 4) and image[..., :3].std() > 0   # a picture, not a blank
        close(run_mlp_gpu(net, X), net(X))
    """)


def test_own_context_after_the_default_one_was_used():
    """A GPUMLP on a context of one's own still answers right after the default context ran another network."""
    run_fresh("""
        ctx = create_context(require=430)
        g = GPUMLP(ctx, net, weights="inline")
        close(g(X), net(X))
        other = MLP.random([3, 5, 2], seed=2)
        close(run_mlp_gpu(other, X), other(X))
        close(g(X), net(X))      # used to give another network's numbers (max error 3.3), with no error
    """)


def test_a_users_own_context_and_the_default_alternate_ten_times():
    """A context made with moderngl directly and the shared default one, used in turn ten times: all correct."""
    run_fresh("""
        import moderngl
        from affine3d.gl import Renderer
        scene = load_scene("platonic")
        mine = moderngl.create_standalone_context(require=430, backend="egl")
        g = GPUMLP(mine, net, weights="buffer")
        r = Renderer(mine, scene, (80, 60), samples=0)
        other = MLP.random([3, 6, 3], activation="relu", seed=3)
        reference = render(scene, (80, 60), samples=0)
        for _ in range(10):
            close(g(X), net(X))
            r.draw()
            assert np.array_equal(r.read(), reference)
            close(run_mlp_gpu(other, X), other(X))
            assert np.array_equal(render(scene, (80, 60), samples=0), reference)
    """)


def test_default_context_is_one_per_process_and_current_when_returned():
    """default_context() returns the same context each time, and makes it current (a draw on it then works)."""
    run_fresh("""
        import moderngl
        from affine3d.gl import default_context
        first = default_context()
        other = moderngl.create_standalone_context(backend="egl")   # now *this* one is current
        assert default_context() is first
        close(run_mlp_gpu(net, X), net(X))
    """)
