"""Exercise 13, reference solution: pytransform3d's axis-angle rotation (an independent implementation)."""

import numpy as np
from pytransform3d.rotations import matrix_from_axis_angle

EXERCISE = 13


def rotation(axis, angle_deg):
    axis = np.asarray(axis, dtype=float)
    return matrix_from_axis_angle(np.r_[axis / np.linalg.norm(axis), np.radians(angle_deg)])
