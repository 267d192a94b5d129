"""Exercise 9, reference solution: the orthogonal projection onto the plane n . y = d."""

import numpy as np

EXERCISE = 9


def flatten(n, d):
    n = np.asarray(n, dtype=float)
    u = n / np.linalg.norm(n)
    W = np.eye(3) - np.outer(u, u)
    b = d / np.linalg.norm(n) * u
    return W, b
