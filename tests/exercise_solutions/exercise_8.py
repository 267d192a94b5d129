"""Exercise 8, reference solution: x -> W_k(...(W_1 x + b_1)...) + b_k is one affine map."""

import numpy as np

EXERCISE = 8


def collapse(weights, biases):
    n = weights[0].shape[1]
    A, b = np.eye(n), np.zeros(n)
    for W, c in zip(weights, biases):
        A, b = W @ A, W @ b + c
    return A, b
