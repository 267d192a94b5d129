"""The readable code and the private fast paths (affine3d/_fast.py, nn/_fast_train.py) compute the same numbers.

Below ``_fast.MIN_ROWS`` rows, ``F(X)``, ``mlp(X)`` and a training step run the readable lines; from it on,
the fast paths. Both sides of the line are checked against each other (the threshold moved with
:func:`rows_threshold`, so small random cases reach both paths) and at the real threshold.
"""

import contextlib
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d import Affine, _fast
from affine3d.nn import _fast_train
from affine3d.nn.mlp import MLP
from affine3d.nn.train import Training

ACTIVATIONS = ["identity", "relu", {"name": "leaky_relu", "alpha": 0.1}, "sigmoid", "tanh", "softmax"]


@contextlib.contextmanager
def rows_threshold(rows: int):
    """``_fast.MIN_ROWS`` set to ``rows`` inside the block (hypothesis tests cannot take pytest's monkeypatch)."""
    kept = _fast.MIN_ROWS
    _fast.MIN_ROWS = rows
    try:
        yield
    finally:
        _fast.MIN_ROWS = kept


def both_paths(fn):
    """``(readable, fast)``: ``fn()`` with every batch below the threshold, then with every batch above it."""
    with rows_threshold(10**12):
        readable = fn()
    with rows_threshold(1):
        fast = fn()
    return readable, fast


class Spy:
    """Counts the calls of a network's fast forward pass (``mlp._fast``), and makes them."""

    def __init__(self, fast):
        self.fast, self.calls = fast, 0

    def __call__(self, rows, result):
        self.calls += 1
        self.fast(rows, result)


@contextlib.contextmanager
def fast_threads(threads: int, min_tile_rows: int = _fast.MIN_TILE_ROWS):
    """``_fast.THREADS`` and ``_fast.MIN_TILE_ROWS`` set inside the block (and no smallest threaded batch): the threaded
    path on any machine, on small batches."""
    kept = _fast.THREADS, _fast.MIN_TILE_ROWS, _fast.MIN_THREADED_ROWS
    _fast.THREADS, _fast.MIN_TILE_ROWS, _fast.MIN_THREADED_ROWS = threads, min_tile_rows, 0
    try:
        yield
    finally:
        _fast.THREADS, _fast.MIN_TILE_ROWS, _fast.MIN_THREADED_ROWS = kept


def random_net(rng, sizes, names):
    return MLP.from_arrays([rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])],
                           [rng.normal(size=o) for o in sizes[1:]], names)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 24), min_size=2, max_size=5), st.integers(0, 10**6), st.integers(1, 40),
       st.sampled_from([np.float32, np.float64]), st.sampled_from([1, 2, 3]))
def test_mlp_readable_and_fast_agree(sizes, seed, rows, dtype, threads):
    """mlp(X) through the layer loop and through _fast.ForwardPass (on 1 to 3 threads, tiles of 2 rows and up):
    equal within the dtype's rounding. Inputs up to 24 wide: both sides of _fast.FOLD_INPUT."""
    rng = np.random.default_rng(seed)
    names = [ACTIVATIONS[k] for k in rng.integers(0, len(ACTIVATIONS), len(sizes) - 1)]
    net = random_net(rng, sizes, names)
    X = rng.normal(size=(rows, sizes[0])).astype(dtype)
    with fast_threads(threads, min_tile_rows=2):
        readable, fast = both_paths(lambda: net(X))
    assert readable.dtype == fast.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(fast, readable, rtol=tol, atol=tol)


def tile_edges(block: int, threads: int) -> list[int]:
    """Batch sizes around the fast pass's tile edges: the smallest threaded batch, a tile, a block, a block per thread."""
    edge = 2 * _fast.MIN_TILE_ROWS
    sizes = {1, 3, edge - 1, edge, edge + 1, block - 1, block, block + 1, 2 * block + 3, threads * block - 1,
             threads * block + 7}
    return sorted(n for n in sizes if n > 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: a if isinstance(a, str) else a["name"])
@pytest.mark.parametrize("sizes", [[3, 70, 33, 5], [20, 40, 7]], ids=["narrow-input", "wide-input"])
def test_forward_pass_equals_the_readable_loop_row_by_row(dtype, threads, activation, sizes):
    """Every activation, float32 and float64, on one thread and on three, odd batch sizes around the tile edges:
    each row of the fast pass is the readable loop's row for the same batch, and for that row alone.

    [3, 70, 33, 5] copies its narrow input beside a column of ones (the first bias inside the product);
    [20, 40, 7] adds the first bias after the product (FOLD_INPUT); both fold the later biases.
    """
    assert 3 <= _fast.FOLD_INPUT < 20  # the two networks sit on either side of it
    rng = np.random.default_rng(12)
    others = [a for a in ACTIVATIONS if a != activation]
    net = random_net(rng, sizes, [activation] * (len(sizes) - 2) + [others[len(sizes) % len(others)]])
    net_last = random_net(rng, sizes, ["tanh"] * (len(sizes) - 2) + [activation])  # the activation on the output
    tol = 1e-4 if dtype == np.float32 else 1e-12
    with fast_threads(threads):
        for network in (net, net_last):
            block = network._fast._block[np.dtype(dtype).itemsize]
            for n in tile_edges(block, threads):
                X = rng.normal(size=(n, sizes[0])).astype(dtype)
                fast = np.empty((n, sizes[-1]), dtype)
                network._fast(X, fast)
                with rows_threshold(10**12):
                    readable = network(X)
                    for i in sorted({0, n // 2, n - 1, min(n - 1, block), min(n - 1, block - 1)}):
                        np.testing.assert_allclose(fast[i], network(X[i]), rtol=tol, atol=tol, err_msg=f"row {i} of {n}")
                np.testing.assert_allclose(fast, readable, rtol=tol, atol=tol, err_msg=f"{n} rows")


def test_forward_pass_shares_its_tiles_among_threads(monkeypatch):
    """With THREADS = 3 a big batch's tiles run on several threads, each tile once, and the rows come out in place."""
    ran = []
    real = _fast._forward
    caller, helped = threading.get_ident(), threading.Event()

    def spy(plan, a, result):
        ran.append((threading.get_ident(), a.shape[0]))
        if threading.get_ident() != caller:
            helped.set()
        else:  # the calling thread waits for a helper to take a tile (a busy machine may start it late)
            helped.wait(timeout=10)
        real(plan, a, result)

    monkeypatch.setattr(_fast, "_forward", spy)
    net = MLP.random([3, 64, 64, 3], seed=13)
    X = np.random.default_rng(14).normal(size=(20_001, 3))
    with fast_threads(3):
        fast = np.empty((20_001, 3))
        net._fast(X, fast)
    assert sum(rows for _, rows in ran) == 20_001
    assert len({thread for thread, _ in ran}) >= 2
    with rows_threshold(10**12):
        np.testing.assert_allclose(fast, net(X), rtol=1e-12, atol=1e-12)


def test_forward_pass_is_safe_from_two_threads_at_once():
    """Two threads calling one network's fast pass together (a viewer draws while it trains) each get their own rows."""
    net = MLP.random([3, 32, 3], seed=15)
    rng = np.random.default_rng(16)
    batches = [rng.normal(size=(n, 3)).astype(np.float32) for n in (5000, 9000, 4096, 7001)]
    with rows_threshold(10**12):
        expected = [net(X) for X in batches]
    errors = []

    def run(k):
        try:
            for _ in range(5):
                for X, want in zip(batches[k::2], expected[k::2]):
                    got = np.empty_like(want)
                    net._fast(X, got)
                    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
        except AssertionError as exc:  # pragma: no cover - the failure is reported below
            errors.append(exc)

    with fast_threads(2):
        workers = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert not errors, errors[0]


def test_blas_is_held_to_one_thread_inside_the_pass_and_given_back():
    """Inside _OneBlasThread numpy's BLAS runs on one thread; the count it had comes back when the last block ends."""
    import threadpoolctl  # in the test extra: the fast path's threads need it, so CI always has it

    blas = threadpoolctl.ThreadpoolController().select(user_api="blas")
    assert blas.lib_controllers, "numpy's BLAS is not one threadpoolctl knows: the pass could not hold it to one thread"
    with blas.limit(limits=2):
        before = [lib.get_num_threads() for lib in blas.lib_controllers]
        with _fast._OneBlasThread():
            with _fast._OneBlasThread():  # nested, as two threads' calls overlap
                assert [lib.get_num_threads() for lib in blas.lib_controllers] == [1] * len(before)
            assert [lib.get_num_threads() for lib in blas.lib_controllers] == [1] * len(before)
        assert [lib.get_num_threads() for lib in blas.lib_controllers] == before
        assert _fast.workers() == (_fast._CPUS if _fast.THREADS is None else _fast.THREADS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_mlp_takes_the_fast_path_from_min_rows_on(dtype):
    """MIN_ROWS - 1 rows run the layer loop, MIN_ROWS rows the fast pass; the rows they share agree."""
    net = MLP.random([3, 64, 64, 3], seed=4)
    net._fast = spy = Spy(net._fast)
    X = np.random.default_rng(5).normal(size=(_fast.MIN_ROWS, 3)).astype(dtype)
    below = net(X[:-1])
    assert spy.calls == 0
    above = net(X)
    assert spy.calls == 1
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(above[:-1], below, rtol=tol, atol=tol)
    a = X.astype(np.float64)  # the longhand pass
    for layer in net.layers:
        a = layer.activation(a @ layer.W.T + layer.b)
    np.testing.assert_allclose(above, a, rtol=10 * tol, atol=10 * tol)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 6), st.integers(0, 10**6), st.integers(1, 30),
       st.sampled_from([np.float32, np.float64]))
def test_affine_readable_and_fast_agree(m, n, seed, rows, dtype):
    """F(X) as x @ A.T + b and through _fast.affine_rows (grouped rows, tiled b): equal within rounding."""
    rng = np.random.default_rng(seed)
    F = Affine(rng.normal(size=(m, n)), rng.normal(size=m))
    X = rng.normal(size=(rows, n)).astype(dtype)
    readable, fast = both_paths(lambda: F(X))
    assert readable.dtype == fast.dtype == dtype
    tol = 1e-5 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(fast, readable, rtol=tol, atol=tol)


def test_affine_takes_the_fast_path_from_min_rows_on(monkeypatch):
    """MIN_ROWS - 1 points are x @ A.T + b, MIN_ROWS points go to _fast.affine_rows; both are the closed form."""
    calls = []
    real = _fast.affine_rows
    monkeypatch.setattr(_fast, "affine_rows", lambda *args: calls.append(1) or real(*args))
    F = Affine.rotation([1, 2, 3], 0.7) @ Affine.translation([1, -2, 3])
    X = np.random.default_rng(6).normal(size=(_fast.MIN_ROWS, 3))
    below = F(X[:-1])
    assert not calls
    above = F(X)
    assert len(calls) == 1
    np.testing.assert_allclose(above, X @ F.A.T + F.b, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(below, above[:-1], rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("sizes, hidden, output, loss, optimizer", [
    ([3, 3, 3, 3], "tanh", "identity", "mse", "adam"),
    ([2, 8, 3], "relu", "softmax", "cross_entropy", "sgd"),
])
def test_training_readable_and_fast_agree(sizes, hidden, output, loss, optimizer):
    """Training runs the readable steps below MIN_ROWS and the fast ones above: the same losses and weights."""
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, sizes[0]))
    Y = rng.integers(0, sizes[-1], 300) if loss == "cross_entropy" else rng.normal(size=(300, sizes[-1]))
    net = MLP.random(sizes, activation=hidden, output=output, seed=8)

    def train():
        run = Training(net, X, Y, loss=loss, optimizer=optimizer, lr=0.01, batch_size=128, seed=1)
        losses = [run.run_epoch() for _ in range(5)]  # 128, 128 and a last batch of 44 rows
        return run.fast, losses, run.network()

    (readable_is_fast, readable_losses, readable), (fast_is_fast, fast_losses, fast) = both_paths(train)
    assert not readable_is_fast and fast_is_fast
    np.testing.assert_allclose(fast_losses, readable_losses, rtol=1e-12)
    assert fast.allclose(readable, atol=1e-12, rtol=1e-12)


def test_training_path_is_chosen_by_the_rows_of_a_step():
    """A run takes the fast step when its batches have at least MIN_ROWS rows, whatever the data's size."""
    X = np.zeros((_fast.MIN_ROWS + 10, 3))
    net = MLP.random([3, 2, 3], seed=0)
    assert Training(net, X, X).fast
    assert not Training(net, X[:-11], X[:-11]).fast
    assert not Training(net, X, X, batch_size=64).fast
    assert Training(net, X, X, batch_size=_fast.MIN_ROWS).fast


def test_fast_training_step_keeps_every_blas_call_on_one_thread(monkeypatch):
    """The fast step's products, bias sums and loss stay under OpenBLAS's thresholds for threads, on big batches too.

    A dot product of more than 10 000 numbers, a gemv of 9 216 entries or a gemm above 2^18 multiply-adds
    would run on OpenBLAS's threads: 20x slower on a busy machine (``affine3d bench train``'s rows).
    """
    calls = []

    def spy(name, real):
        def call(a, b, *args, **kwargs):
            calls.append((name, np.shape(a), np.shape(b)))
            return real(a, b, *args, **kwargs)
        return call

    for name in ("matmul", "dot", "vdot", "inner"):
        monkeypatch.setattr(np, name, spy(name, getattr(np, name)))
    rng = np.random.default_rng(9)
    cases = [([3, 3, 3, 3, 3, 3], "tanh", "identity", "mse", rng.normal(size=(20000, 3))),
             ([2, 16, 16, 3], "tanh", "softmax", "cross_entropy", rng.integers(0, 3, 20000))]
    for sizes, hidden, output, loss, Y in cases:
        X = rng.normal(size=(20000, sizes[0]))
        run = Training(MLP.random(sizes, activation=hidden, output=output), X, Y, loss=loss)
        assert run.fast
        calls.clear()
        run.step(run.X, run.T)
        assert calls
        for name, a, b in calls:
            if name != "matmul" or len(a) == 1 or len(b) == 1 or 1 in a + b:  # dot, or a matrix times a vector
                assert (np.prod(a) if name != "matmul" else max(np.prod(a), np.prod(b))) \
                    <= _fast_train.SINGLE_THREAD_VECTOR_PRODUCT, (name, a, b)
            else:
                assert a[0] * a[1] * b[1] <= _fast_train.SINGLE_THREAD_PRODUCT, (name, a, b)


def test_dot_in_chunks_equals_the_sum():
    """_fast_train.dot over more numbers than one chunk equals the exact sum of products."""
    u = np.random.default_rng(10).normal(size=(5000, 7))
    v = np.random.default_rng(11).normal(size=(5000, 7))
    import math
    assert _fast_train.dot(u, v) == pytest.approx(math.fsum((u * v).reshape(-1)), rel=1e-12)
    assert _fast_train.dot(u[:10], u[:10]) == pytest.approx(float(np.sum(u[:10] ** 2)), rel=1e-13)


def test_a_batch_below_min_threaded_rows_runs_on_one_thread(monkeypatch):
    """Below MIN_THREADED_ROWS every tile runs on the calling thread (waking helpers costs more than they save there);
    from it on, with several threads allowed, the batch is handed to the threads (whichever of them takes each tile)."""
    ran, handed = [], []
    real_forward, real_in_threads = _fast._forward, _fast.ForwardPass._in_threads

    def spy(plan, a, result):
        ran.append(threading.get_ident())
        real_forward(plan, a, result)

    def spy_threads(self, rows, result, tile, threads):
        handed.append(rows.shape[0])
        real_in_threads(self, rows, result, tile, threads)

    monkeypatch.setattr(_fast, "_forward", spy)
    monkeypatch.setattr(_fast.ForwardPass, "_in_threads", spy_threads)
    monkeypatch.setattr(_fast, "THREADS", 2)
    net = MLP.random([3, 64, 64, 3], seed=15)
    threads_of = {}
    for rows in (_fast.MIN_THREADED_ROWS - 1, _fast.MIN_THREADED_ROWS):
        ran.clear()
        X = np.random.default_rng(16).normal(size=(rows, 3))
        result = np.empty((rows, 3))
        net._fast(X, result)
        threads_of[rows] = set(ran)
        with rows_threshold(10**12):
            np.testing.assert_allclose(result, net(X), rtol=1e-12, atol=1e-12)
    assert handed == [_fast.MIN_THREADED_ROWS]
    assert threads_of[_fast.MIN_THREADED_ROWS - 1] == {threading.get_ident()}  # the smaller batch: all on this thread
