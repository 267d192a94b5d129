"""Exercise 3, reference solution: the homogeneous matrix of F(x) = A x + b."""

import numpy as np

EXERCISE = 3


def homogeneous(A, b):
    n = len(b)
    M = np.zeros((n + 1, n + 1))
    M[:n, :n] = A
    M[:n, n] = b
    M[n, n] = 1.0
    return M


def why_translation():
    return "c"  # a translation moves the origin; no linear map (no 3x3 matrix) does
