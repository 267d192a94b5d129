"""Exercise 1: one neuron by hand, y = σ(w1 x1 + w2 x2 + w3 x3 + b)."""

from __future__ import annotations

import numpy as np

from ...i18n import N_, _
from ..base import Exercise
from ..feedback import check, compare_number, mistake
from ..runner import Call
from ._tools import grid, pick



def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _draw_neuron(rng):
    while True:
        w = grid(rng, 3, -2, 2, 0.5, nonzero=True)
        x = grid(rng, 3, -1, 2, 0.5, nonzero=True)
        b = pick(rng, -1, 1, 0.5, nonzero=True)
        if 0.5 <= abs(w @ x + b) <= 2.5:  # far enough from 0 that σ(z) and z differ, small enough to do by hand
            return w, x, b


class Neuron(Exercise):
    number = 1
    slug = "neuron"
    title = N_("one neuron by hand")
    lecture = N_("1. a neuron computes y = σ(w1·x1 + w2·x2 + w3·x3 + b)")
    goal = N_("compute one neuron's output y = σ(Σ_j w_j x_j + b) for your w, x and b")
    functions = ("neuron",)
    own = ("w", "x", "b")

    def numbers(self, rng):
        w, x, b = _draw_neuron(rng)
        others = [_draw_neuron(rng) for _unused in range(2)]
        return {"w": w, "x": x, "b": b, "others": others}

    def task(self, n):
        return _("""
        One neuron of the lecture's first slide takes three inputs x1, x2, x3, weighs them with w1, w2, w3,
        adds a bias b, and applies an activation function σ:

            y = σ(w1·x1 + w2·x2 + w3·x3 + b)

        Here σ is the sigmoid, σ(z) = 1 / (1 + e^(-z)), and your neuron's numbers are W, X and B below.
        Work y out by hand first (the sum z, then σ(z)); then write neuron(w, x, b), which computes y
        for any w and x of length 3 and any b, and compare it with your hand calculation.
        """)

    def constants(self, n):
        return [("W", n["w"]), ("X", n["x"]), ("B", n["b"])]

    def skeleton(self):
        return _('''
        def neuron(w, x, b):
            """y = σ(w · x + b): one neuron, σ the sigmoid.

            w, x : arrays of shape (3,); b : a number. Returns y, one number.
            """
            raise NotImplementedError("exercise 1: neuron(w, x, b) is not written yet")


        if __name__ == "__main__":
            print("y =", neuron(W, X, B))
        ''')

    def calls(self, n):
        calls = {"yours": Call("neuron", (n["w"], n["x"], n["b"]))}
        for k, (w, x, b) in enumerate(n["others"]):
            calls[f"other{k}"] = Call("neuron", (w, x, b))
        return calls

    def _compare(self, n, answers, key, w, x, b):
        sigma = sigmoid
        z = w @ x + b
        y = answers.number(key, "y", size_hints={3: ("no sum", N_("sum the products w_j x_j: a neuron gives one number"))})
        compare_number(y, sigma(z), name="y", mistakes=[
            mistake("no activation", z, _("you returned z = w·x + b, the sum before the activation: apply σ to it")),
            mistake("wrong activation", np.tanh(z), _("this is tanh(z); here σ is the sigmoid, 1 / (1 + e^(-z))")),
            mistake("bias missing", sigma(w @ x), _("the bias b is missing: it is added to the sum before σ "
                                                    "(it is the b of the affine map w·x + b)")),
        ])

    def grade(self, n, answers):
        def others():
            for k, (w, x, b) in enumerate(n["others"]):
                self._compare(n, answers, f"other{k}", w, x, b)

        return [
            check(_("y for your numbers"), 2, lambda: self._compare(n, answers, "yours", n["w"], n["x"], n["b"])),
            check(_("y for two other neurons"), 1, others),
        ]
