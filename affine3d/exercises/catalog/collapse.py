"""Exercise 8: depth without σ buys nothing. Collapse a network of affine layers into one affine map."""

from __future__ import annotations

import numpy as np

from ...i18n import N_, _
from ..base import Exercise
from ..feedback import check, compare, mistake
from ..runner import Call
from ._tools import as_pair, grid

_ORDER_HINT = N_("each W has shape (out, in): the layer applied first stands rightmost, A = W3 @ W2 @ W1")
ERROR_HINTS = (("matmul", _ORDER_HINT), ("shapes", _ORDER_HINT))  # shown through _()


def _draw_network(rng, sizes):
    while True:
        weights = [grid(rng, (m, n), -1, 1, 0.5) for n, m in zip(sizes, sizes[1:])]
        biases = [grid(rng, m, -1, 1, 0.5, nonzero=True) for m in sizes[1:]]
        A = _product(weights)
        reverse = _product(weights[::-1]) if all(W.shape[0] == W.shape[1] for W in weights) else None
        if np.count_nonzero(A) == A.size and (reverse is None or not np.allclose(A, reverse, rtol=0.05)):
            return {"weights": weights, "biases": biases}


def _product(matrices):
    result = matrices[0]
    for W in matrices[1:]:
        result = W @ result
    return result


def collapsed(weights, biases):
    """A, b of the whole network: x -> W_k (... (W_1 x + b_1) ...) + b_k."""
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = W @ A, W @ b + c
    return A, b


class Collapse(Exercise):
    number = 8
    slug = "collapse"
    title = N_("depth without σ buys nothing: collapse a linear network")
    lecture = N_("2. a network is affine maps interleaved with σ; without σ the composition is one affine map")
    goal = N_("collapse a network of affine layers (no activations) into one A x + b")
    functions = ("collapse",)
    error_hints = ERROR_HINTS

    def numbers(self, rng):
        return {"yours": _draw_network(rng, [3, 3, 3, 3]), "other": _draw_network(rng, [2, 5, 3])}

    def task(self, n):
        return _("""
        Your network has three layers and no activation functions (σ = identity):

            x -> W1 x + b1 -> W2 (W1 x + b1) + b2 -> W3 (W2 (W1 x + b1) + b2) + b3

        (each W of shape (out, in); the weights and biases are below, layer 1 first). However deep,
        it is one affine map x -> A x + b: this is why networks need σ between their layers.

        Write collapse(weights, biases) -> (A, b): the single affine map of a network given as the
        lists [W1, W2, ...] and [b1, b2, ...], layer 1 first, of any number of layers and any sizes.
        """)

    def constants(self, n):
        p = n["yours"]
        return [(f"W{k}", W) for k, W in enumerate(p["weights"], 1)] + [(f"B{k}", b) for k, b in enumerate(p["biases"], 1)]

    def skeleton(self):
        return _('''
        def collapse(weights, biases):
            """(A, b) with A x + b equal to the whole network without activations; layer 1 first in the lists."""
            raise NotImplementedError("exercise 8: collapse(weights, biases) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            A, b = collapse([W1, W2, W3], [B1, B2, B3])
            print("A =", A, "b =", b, sep="\\n")
            x = np.array([1.0, -2.0, 0.5])
            print("network:", W3 @ (W2 @ (W1 @ x + B1) + B2) + B3, " collapsed:", A @ x + b)
        ''')

    def calls(self, n):
        return {key: Call("collapse", (p["weights"], p["biases"])) for key, p in n.items()}

    def _pair(self, answers, key, p):
        n_in, n_out = p["weights"][0].shape[1], p["weights"][-1].shape[0]
        return as_pair(answers, key, ((n_out, n_in), (n_out,)), ("A", "b"))

    def _A(self, answers, key, p):
        A, _unused = self._pair(answers, key, p)
        target, _unused = collapsed(p["weights"], p["biases"])
        mistakes = []
        if all(W.shape[0] == W.shape[1] for W in p["weights"]):
            mistakes.append(mistake("reverse order", _product(p["weights"][::-1]), _("the factors are in the reverse "
                                    "order: layer 1 acts first, so its W1 stands rightmost, A = W3 @ W2 @ W1")))
        compare(A, target, name="A", mistakes=mistakes)

    def _b(self, answers, key, p):
        _unused, b = self._pair(answers, key, p)
        target = collapsed(p["weights"], p["biases"])[1]
        mistakes = []
        if len({len(c) for c in p["biases"]}) == 1:  # the biases can be added only when they have one length
            mistakes.append(mistake("biases not carried", np.sum(p["biases"], axis=0), _("you added the biases, but each "
                                    "bias also goes through the later layers: b = W3 (W2 b1 + b2) + b3")))
        if all(W.shape[0] == W.shape[1] for W in p["weights"]):
            mistakes.append(mistake("reverse order", collapsed(p["weights"][::-1], p["biases"][::-1])[1],
                                    _("the layers are applied in the reverse order: layer 1 acts first, so W1 stands "
                                    "rightmost, and b = W3 (W2 b1 + b2) + b3")))
        compare(b, target, name="b", mistakes=mistakes)

    def grade(self, n, answers):
        def other():
            self._A(answers, "other", n["other"])
            self._b(answers, "other", n["other"])

        return [
            check(_("A of your network"), 1, lambda: self._A(answers, "yours", n["yours"])),
            check(_("b of your network"), 1, lambda: self._b(answers, "yours", n["yours"])),
            check(_("another network: 2 -> 5 -> 3"), 1, other),
        ]
