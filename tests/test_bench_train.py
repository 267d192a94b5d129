"""``affine3d bench train``: the trainer's step timed next to PyTorch's; without PyTorch it says so cleanly."""

import numpy as np

from affine3d.bench import SUITES
from affine3d.bench import train as bench_train
from affine3d.nn.mlp import MLP
from affine3d.nn.train import Training


def test_without_pytorch_the_table_says_not_installed(monkeypatch):
    """No torch: the PyTorch columns are empty, a note says 'not installed', and affine3d's column is filled."""
    monkeypatch.setattr(bench_train, "_import_torch", lambda: None)
    rows, notes = bench_train.measure((16,), repeat=1, min_time_s=0.001, rest_s=0.0)
    assert [row[:2] for row in rows] == [[label, 16] for label, *_ in bench_train.networks()]
    for row in rows:
        assert row[2] > 0 and row[3] is None and row[4] is None
    assert any("not installed" in note for note in notes)


def test_the_timed_step_is_the_trainers():
    """The networks of the table train: a few hundred of the timed steps lower each one's loss."""
    for label, net, loss, data in bench_train.networks():
        X, Y = data(256, np.random.default_rng(0))
        run = Training(net, X, Y, loss=loss, lr=bench_train.LR)
        first = run.step(run.X, run.T)
        for _ in range(300):
            last = run.step(run.X, run.T)
        assert last < 0.9 * first, label


def test_suite_is_listed():
    assert SUITES["train"] == "affine3d.bench.train"
    assert isinstance(bench_train.networks()[0][1], MLP)
