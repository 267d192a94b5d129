"""Exercise 1, reference solution: one neuron, y = sigmoid(w . x + b)."""

import numpy as np

EXERCISE = 1


def neuron(w, x, b):
    z = sum(w_j * x_j for w_j, x_j in zip(w, x)) + b
    return 1.0 / (1.0 + np.exp(-z))
