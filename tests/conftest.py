"""Shared test settings: one hypothesis profile and a seeded random generator.

Hypothesis runs without its per-example deadline: the machines that run these tests are small and
shared, and a slow example is not a wrong one (speed is measured by ``affine3d bench``, not by tests).
"""

import os

import numpy as np
import pytest
from hypothesis import settings

# The tests read English messages unless a test asks for another language (LANG=pl_PL.UTF-8 in a child's
# environment, or --lang pl): the developer's own locale does not leak into them (affine3d.i18n reads these).
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)
os.environ["LANG"] = "C.UTF-8"

settings.register_profile("affine3d", deadline=None, print_blob=True)
settings.load_profile("affine3d")


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy random generator with a fixed seed, so a failure can be replayed."""
    return np.random.default_rng(20240601)
