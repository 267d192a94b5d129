"""Shared test settings: one hypothesis profile, a seeded random generator, English messages.

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


def pytest_configure(config):
    """The tests speak English (the messages they match are the code's own), whatever the machine's LANG."""
    from affine3d.i18n import use_language

    use_language("en")


@pytest.fixture(autouse=True)
def english_messages():
    """Each test starts in English; a test that asks for Polish (``use_language("pl")``) is set back after it."""
    from affine3d.i18n import use_language

    use_language("en")
    yield
    use_language("en")


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, through Playwright: affine3d.web.browser.launch), one per test module."""
    from playwright.sync_api import sync_playwright

    from affine3d.web.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
