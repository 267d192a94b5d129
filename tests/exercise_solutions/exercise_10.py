"""Exercise 10, reference solution: GLSL reads a mat4 column by column, so write the bytes in that order."""

import numpy as np

EXERCISE = 10


def to_gl(M):
    # The bug: tobytes() writes row by row (C order); the GPU read that as the transpose.
    return np.asarray(M, dtype=np.float32).tobytes(order="F")
