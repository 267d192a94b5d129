"""Exercise 14, reference solution: the Householder mirror, moved onto the plane n . y = d."""

import numpy as np

EXERCISE = 14


def mirror(n, d):
    n = np.asarray(n, dtype=float)
    u = n / np.linalg.norm(n)
    W = np.eye(3) - 2 * np.outer(u, u)
    p = d / np.linalg.norm(n) * u  # a point of the plane; the mirror keeps it: W p + b = p
    return W, p - W @ p
