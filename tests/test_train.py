"""Trainer: gradients against finite differences, stated losses reached with fixed seeds, progress bar."""

import io

import numpy as np
import pytest

from affine3d import ModelError
from affine3d.nn.mlp import MLP
from affine3d.nn.train import accuracy, fit, loss_and_gradients, loss_value


def _finite_difference_check(net, X, Y, loss):
    value, grads = loss_and_gradients(net, X, Y, loss)
    assert value == pytest.approx(loss_value(net, X, Y, loss), rel=1e-12)
    weights = [np.array(l.W) for l in net.layers]
    biases = [np.array(l.b) for l in net.layers]
    h = 1e-6
    for i in range(len(net.layers)):
        for params, analytic in ((weights, grads[i][0]), (biases, grads[i][1])):
            numeric = np.zeros_like(params[i])
            for idx in np.ndindex(params[i].shape):
                saved = params[i][idx]
                params[i][idx] = saved + h
                up = loss_value(net.with_weights(weights, biases), X, Y, loss)
                params[i][idx] = saved - h
                down = loss_value(net.with_weights(weights, biases), X, Y, loss)
                params[i][idx] = saved
                numeric[idx] = (up - down) / (2 * h)
            np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize(
    "hidden, output, loss",
    [
        ("tanh", "identity", "mse"),
        ("sigmoid", "sigmoid", "mse"),
        ({"name": "leaky_relu", "alpha": 0.1}, "tanh", "mse"),
        ("relu", "softmax", "mse"),
        ("tanh", "softmax", "cross_entropy"),
        ("relu", "identity", "cross_entropy"),
    ],
)
def test_gradients_match_finite_differences(hidden, output, loss):
    """Backpropagation's dL/dW and dL/db equal central finite differences of the loss."""
    rng = np.random.default_rng(0)
    net = MLP.random([3, 4, 5, 3], activation=hidden, output=output, seed=1)
    net = net.with_weights([l.W for l in net.layers], [rng.normal(0, 0.3, l.affine.dim_out) for l in net.layers])
    X = rng.normal(size=(6, 3))
    Y = rng.integers(0, 3, 6) if loss == "cross_entropy" else rng.normal(size=(6, 3))
    _finite_difference_check(net, X, Y, loss)


def test_cross_entropy_closed_form():
    """Cross-entropy of a one-layer softmax net equals -mean log p_label computed by hand."""
    W = np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 0.0]])
    net = MLP.from_arrays([W], [np.zeros(3)], "softmax")
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    labels = np.array([0, 1])
    z = X @ W.T
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    expected = -np.mean(np.log(p[[0, 1], labels]))
    assert loss_value(net, X, labels, "cross_entropy") == pytest.approx(expected, rel=1e-12)
    # one-hot targets give the same loss as integer labels
    assert loss_value(net, X, np.eye(3)[labels], "cross_entropy") == pytest.approx(expected, rel=1e-12)


def test_sgd_learns_an_affine_map_exactly():
    """Full-batch SGD with momentum on (x, A x + b) reaches MSE < 1e-12 and recovers A and b to 1e-6."""
    rng = np.random.default_rng(2)
    A = np.array([[0.0, -1.0, 0.5], [1.0, 0.0, 0.0], [0.3, 0.2, 1.0]])
    b = np.array([1.0, -2.0, 0.5])
    X = rng.uniform(-1, 1, (200, 3))
    result = fit(MLP.random([3, 3], output="identity", seed=3), X, X @ A.T + b,
                 optimizer="sgd", lr=0.5, momentum=0.9, epochs=300, quiet=True)
    assert result.losses[-1] < 1e-12
    F = result.mlp.collapse()
    np.testing.assert_allclose(F.A, A, atol=1e-6)
    np.testing.assert_allclose(F.b, b, atol=1e-6)


def test_adam_learns_xor_with_a_hidden_layer():
    """Adam with a tanh hidden layer classifies XOR: cross-entropy < 0.05 and accuracy 100% (seed 0)."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    result = fit(MLP.random([2, 8, 2], activation="tanh", output="softmax", seed=0), X, labels,
                 loss="cross_entropy", optimizer="adam", lr=0.05, epochs=300, quiet=True)
    assert result.losses[-1] < 0.05
    assert accuracy(result.mlp, X, labels) == 1.0


def test_linear_network_cannot_learn_xor():
    """The same network with identity activations collapses to one affine map and stays at chance on XOR."""
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    labels = np.array([0, 1, 1, 0])
    result = fit(MLP.random([2, 8, 2], activation="identity", output="softmax", seed=0), X, labels,
                 loss="cross_entropy", optimizer="adam", lr=0.05, epochs=300, quiet=True)
    assert accuracy(result.mlp, X, labels) <= 0.75  # a line separates at most 3 of the 4 points
    assert result.losses[-1] > 0.5


def test_same_seed_same_result():
    """Mini-batch training is reproducible: same seed, same weights; another seed, other weights."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(64, 2)), rng.normal(size=(64, 1))
    run = lambda seed: fit(MLP.random([2, 6, 1], seed=1), X, Y, batch_size=8, epochs=5, seed=seed, quiet=True).mlp  # noqa: E731
    assert run(7).allclose(run(7), atol=0)
    assert not run(7).allclose(run(8), atol=1e-6)


def test_input_network_is_not_changed():
    """fit() returns a new network; the one passed in keeps its weights."""
    net = MLP.random([2, 3, 1], seed=5)
    before = [l.W.copy() for l in net.layers]
    fit(net, np.ones((4, 2)), np.zeros((4, 1)), epochs=3, quiet=True)
    for W, layer in zip(before, net.layers):
        np.testing.assert_array_equal(W, layer.W)


class _FakeTTY(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_only_on_a_terminal():
    """The bar is drawn on a terminal stream, not on a plain one, and not when quiet."""
    X, Y = np.ones((4, 2)), np.zeros((4, 1))
    tty, plain, quiet = _FakeTTY(), io.StringIO(), _FakeTTY()
    fit(MLP.random([2, 1]), X, Y, epochs=3, stream=tty)
    fit(MLP.random([2, 1]), X, Y, epochs=3, stream=plain)
    fit(MLP.random([2, 1]), X, Y, epochs=3, stream=quiet, quiet=True)
    assert "3/3 epochs" in tty.getvalue() and "[" in tty.getvalue()
    assert plain.getvalue() == "" and quiet.getvalue() == ""


def test_callback_sees_every_epoch():
    """callback(epoch, mlp, loss) runs once per epoch with the recorded loss."""
    seen = []
    result = fit(MLP.random([2, 1]), np.ones((4, 2)), np.zeros((4, 1)), epochs=4, quiet=True,
                 callback=lambda e, m, l: seen.append((e, l)))
    assert [e for e, _ in seen] == [1, 2, 3, 4] and [l for _, l in seen] == result.losses


def test_bad_arguments():
    """Unknown loss or optimiser, mismatched targets, CE without softmax: ModelError."""
    net = MLP.random([2, 3], output="identity")
    X = np.ones((4, 2))
    with pytest.raises(ModelError, match="loss"):
        fit(net, X, np.zeros((4, 3)), loss="hinge")
    with pytest.raises(ModelError, match="optimizer"):
        fit(net, X, np.zeros((4, 3)), optimizer="lbfgs")
    with pytest.raises(ModelError, match=r"Y: expected shape \(4, 3\)"):
        fit(net, X, np.zeros((4, 2)))
    with pytest.raises(ModelError, match="labels"):
        fit(net, X, np.array([0, 1, 2, 3]), loss="cross_entropy")
    with pytest.raises(ModelError, match="softmax"):
        fit(MLP.random([2, 3], output="tanh"), X, np.array([0, 1, 2, 0]), loss="cross_entropy")
    with pytest.raises(ModelError, match=r"X: expected shape \(N, 2\)"):
        fit(net, np.ones((4, 5)), np.zeros((4, 3)))


# ---------------------------------------------------------------------- the fast step (affine3d/nn/_fast_train.py)
@pytest.mark.parametrize(
    "sizes, hidden, output, loss, optimizer",
    [
        ([3, 3, 3, 3, 3, 3], "tanh", "identity", "mse", "adam"),
        ([2, 16, 16, 3], "tanh", "softmax", "cross_entropy", "adam"),
        ([3, 8, 2], "relu", "sigmoid", "mse", "sgd"),
        ([3, 5, 4], {"name": "leaky_relu", "alpha": 0.2}, "softmax", "mse", "adam"),
        ([2, 6, 3], "sigmoid", "identity", "cross_entropy", "sgd"),
    ],
)
def test_training_steps_equal_the_readable_maths(sizes, hidden, output, loss, optimizer, monkeypatch):
    """The fast Training.step (flat parameters, kept buffers, blocks of rows) = loss_and_gradients + the readable optimizer, step by step."""
    from affine3d import _fast
    from affine3d.nn.train import Training, _Adam, _SGD

    monkeypatch.setattr(_fast, "MIN_ROWS", 1000)  # 3000 rows take the fast path (cheaper than 4096+)
    rng = np.random.default_rng(3)
    net = MLP.random(sizes, activation=hidden, output=output, seed=2)
    X = rng.normal(size=(3000, sizes[0]))  # more rows than one block of the widest layer: blocks are summed
    Y = rng.integers(0, sizes[-1], 3000) if loss == "cross_entropy" else rng.normal(size=(3000, sizes[-1]))
    run = Training(net, X, Y, loss=loss, optimizer=optimizer, lr=0.01, momentum=0.8)
    assert run.fast and (run._step.block_rows < 3000 or max(sizes) < 16)
    weights = [np.array(l.W) for l in net.layers]
    biases = [np.array(l.b) for l in net.layers]
    params = [p for pair in zip(weights, biases) for p in pair]
    reference = _Adam(params, 0.01) if optimizer == "adam" else _SGD(params, 0.01, 0.8)
    current = net
    for _ in range(4):
        value, grads = loss_and_gradients(current, X, Y, loss)
        assert run.step(run.X, run.T) == pytest.approx(value, rel=1e-12)
        reference.step(params, [g for pair in grads for g in pair])
        current = net.with_weights(weights, biases)
        assert run.network().allclose(current, atol=1e-12)


def test_training_snapshots_are_new_networks():
    """network() gives a new MLP each time; training on does not change a snapshot already taken."""
    from affine3d.nn.train import Training

    X = np.random.default_rng(0).normal(size=(50, 3))
    run = Training(MLP.random([3, 4, 3], seed=1), X, X ** 2)
    run.run_epoch()
    first = run.network()
    kept = [l.W.copy() for l in first.layers]
    run.run_epoch()
    second = run.network()
    assert second is not first and not second.allclose(first, atol=1e-12)
    for W, layer in zip(kept, first.layers):
        np.testing.assert_array_equal(layer.W, W)
    assert run.epoch == 2 and len(run.losses) == 2
