"""Exercise 15, reference solution: pytransform3d's extrinsic xyz Euler angles; at beta = 90° only alpha - gamma matters."""

import numpy as np
from pytransform3d.rotations import matrix_from_euler

EXERCISE = 15


def euler_xyz(alpha_deg, beta_deg, gamma_deg):
    return matrix_from_euler(np.radians([alpha_deg, beta_deg, gamma_deg]), 0, 1, 2, extrinsic=True)


def twin(alpha_deg, gamma_deg, new_alpha_deg):
    return gamma_deg + (new_alpha_deg - alpha_deg)
