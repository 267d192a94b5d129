"""Shared test settings: one hypothesis profile and a seeded random generator.

Hypothesis runs without its per-example deadline: the machines that run these tests are small and
shared, and a slow example is not a wrong one (speed is measured by ``affine3d bench``, not by tests).
"""

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("affine3d", deadline=None, print_blob=True)
settings.load_profile("affine3d")


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy random generator with a fixed seed, so a failure can be replayed."""
    return np.random.default_rng(20240601)
