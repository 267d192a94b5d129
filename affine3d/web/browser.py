"""Headless Chromium for the page's tests and for ``affine3d bench web``, driven by Playwright.

Playwright cannot download its own browser build here, so it drives the system's Chromium (Debian's
``chromium`` package). WebGL2 then runs on SwiftShader, Chromium's CPU implementation of the GPU
(no GPU needed), which recent Chromium only enables when asked (``--enable-unsafe-swiftshader``).
The other flags keep a headless run from reaching for the network at every start (update checks,
sync, field trials): the page needs nothing but the local server.
"""

from __future__ import annotations

import shutil

from ..errors import UsageError
from ..i18n import _

__all__ = ["CHROMIUM_ARGS", "chromium_path", "launch"]

CHROMIUM_ARGS = [
    "--enable-unsafe-swiftshader", "--use-angle=swiftshader",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--no-first-run", "--disable-quic",
]


def chromium_path() -> str:
    """The system Chromium's path; a UsageError saying what to install when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    raise UsageError(_("no Chromium found on PATH; install it (Debian/Ubuntu: apt-get install chromium)"))


def launch(playwright):
    """A headless Chromium browser with WebGL2 on SwiftShader, from a started ``sync_playwright()``."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
