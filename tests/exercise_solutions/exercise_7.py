"""Exercise 7, reference solution: project, divide by w, map NDC to pixels (y down)."""

import numpy as np

EXERCISE = 7


def to_pixels(P, p, width, height):
    x, y, z, w = P @ np.append(p, 1.0)
    x_ndc, y_ndc = x / w, y / w
    return np.array([(x_ndc + 1) / 2 * width, (1 - y_ndc) / 2 * height])
