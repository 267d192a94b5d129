"""Exercise 2, reference solution: a ReLU layer for a batch of rows."""

import numpy as np

EXERCISE = 2


def layer(W, b, X):
    return np.maximum(X @ W.T + b, 0.0)
