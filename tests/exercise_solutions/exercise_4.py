"""Exercise 4, reference solution: scale, then turn about y, then move: M = T @ R @ S."""

import numpy as np

EXERCISE = 4


def model_matrix(s, angle_deg, t):
    a = np.radians(angle_deg)
    S = np.diag([s, s, s, 1.0])
    R = np.array([[np.cos(a), 0, np.sin(a), 0], [0, 1, 0, 0], [-np.sin(a), 0, np.cos(a), 0], [0, 0, 0, 1]])
    T = np.eye(4)
    T[:3, 3] = t
    return T @ R @ S
