"""Exercise 2: a layer as σ(W x + b), for a batch of inputs (rows)."""

from __future__ import annotations

import numpy as np

from ...i18n import N_, _
from ..base import Exercise
from ..feedback import Wrong, check, close, compare, mistake
from ..runner import Call
from ._tools import grid



def relu(z):
    return np.maximum(z, 0.0)

_SHAPES_HINT = N_("W has shape (out, in) and the inputs are the rows of X, so the layer is X @ W.T + b")
ERROR_HINTS = (("matmul", _SHAPES_HINT), ("shapes", _SHAPES_HINT), ("broadcast", _SHAPES_HINT))  # shown through _()


def _draw_layer(rng, n_out, n_in, n_rows):
    while True:
        W = grid(rng, (n_out, n_in), -1.5, 1.5, 0.5)
        b = grid(rng, n_out, -1, 1, 0.5, nonzero=True)
        X = grid(rng, (n_rows, n_in), -2, 2, 0.5)
        Z = X @ W.T + b
        # Every mistake must show: some sums below 0 and some above (ReLU matters), none too close to 0.
        if (Z > 0.25).any() and (Z < -0.25).any() and np.linalg.matrix_rank(W) == min(W.shape):
            return W, b, X


class Layer(Exercise):
    number = 2
    slug = "layer"
    title = N_("a layer as σ(W x + b), for a batch")
    lecture = N_("2. a layer is Y = σ(W X + B): the neurons of a layer, in matrix form")
    goal = N_("write layer(W, b, X): σ(W x + b) for every row x of a batch X")
    functions = ("layer",)
    own = ("W", "b", "X")
    error_hints = ERROR_HINTS

    def numbers(self, rng):
        W, b, X = _draw_layer(rng, 4, 3, 5)
        W2, b2, X2 = _draw_layer(rng, 2, 3, 7)
        return {"W": W, "b": b, "X": X, "W2": W2, "b2": b2, "X2": X2}

    def task(self, n):
        return _("""
        A layer of 4 neurons with 3 inputs each computes, for one input x (a column vector of 3 numbers),

            y = σ(W x + b)        (W of shape (4, 3), b of shape (4,), σ applied to each entry)

        Row i of W holds neuron i's weights: PyTorch and ONNX store W as (out, in) too. Networks
        take a batch of inputs at once, one input per row of X (shape (N, 3)), and give one output
        per row (shape (N, 4)). Write layer(W, b, X) for any sizes, without a Python loop over the
        rows. Here σ is ReLU, σ(z) = max(z, 0).
        """)

    def constants(self, n):
        return [("W", n["W"]), ("B", n["b"]), ("X", n["X"])]

    def skeleton(self):
        return _('''
        def layer(W, b, X):
            """σ(W x + b) for every row x of X: the layer's outputs, one row per input.

            W : (m, n) weights, one row per neuron; b : (m,) biases; X : (N, n), one input per row.
            Returns an array of shape (N, m). σ is ReLU.
            """
            raise NotImplementedError("exercise 2: layer(W, b, X) is not written yet")


        if __name__ == "__main__":
            print(layer(W, B, X))
        ''')

    def calls(self, n):
        return {"yours": Call("layer", (n["W"], n["b"], n["X"])),
                "one": Call("layer", (n["W"], n["b"], n["X"][:1])),
                "other": Call("layer", (n["W2"], n["b2"], n["X2"]))}

    def _compare(self, n, answers, key, W, b, X):
        sigma = relu
        target = sigma(X @ W.T + b)
        shape_hints = {}
        if X.shape[0] == 1:
            shape_hints[(W.shape[0],)] = ("batch axis dropped", N_("keep the batch axis: a batch of one input gives "
                                                                    "shape (1, m)"))
        try:
            Y = answers.array(key, (X.shape[0], W.shape[0]), _("the outputs"), shape_hints)
        except Wrong:
            columns = np.asarray(answers.value(key), dtype=object)
            if columns.shape == (W.shape[0], X.shape[0]) and X.shape[0] != W.shape[0]:
                Yt = answers.array(key, (W.shape[0], X.shape[0]), _("the outputs"))
                if np.all(close(Yt.T, target)):
                    raise Wrong(_("this is the transpose of the answer: one column per input (W @ X.T). A batch is "
                                  "rows, one output per row: X @ W.T + b, shape (N, m)"), mistake="transpose") from None
            raise
        compare(Y, target, name="Y", mistakes=[
            mistake("no activation", X @ W.T + b, _("these are the sums W x + b before the activation: apply σ to "
                                                    "every entry")),
            mistake("bias missing", sigma(X @ W.T), _("the biases b are missing: add b to every row before σ")),
        ])

    def grade(self, n, answers):
        return [
            check(_("σ(W x + b) for your batch of 5 inputs"), 2,
                  lambda: self._compare(n, answers, "yours", n["W"], n["b"], n["X"])),
            check(_("a batch of one input, shape (1, 4)"), 1,
                  lambda: self._compare(n, answers, "one", n["W"], n["b"], n["X"][:1])),
            check(_("another layer: 2 neurons, a batch of 7"), 1,
                  lambda: self._compare(n, answers, "other", n["W2"], n["b2"], n["X2"])),
        ]
