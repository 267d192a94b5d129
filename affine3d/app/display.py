"""Is there a display? The one place that asks, for the viewer, the lab, the benchmarks and ``affine3d doctor``.

A window needs a display server: on Linux and the BSDs one named by ``DISPLAY`` (X11) or ``WAYLAND_DISPLAY``;
macOS and Windows always have their desktop. Without one, pyglet fails deep inside its X11 module with a
traceback; the callers ask here first and draw offscreen instead (an EGL surface, :func:`use_headless`).
This module imports no pyglet itself, so asking costs nothing.
"""

from __future__ import annotations

import os
import sys

DISPLAY_VARIABLES = ("DISPLAY", "WAYLAND_DISPLAY")


def no_display_reason() -> str | None:
    """Why no window can open here, or None if one may: on Linux/BSD, neither DISPLAY nor WAYLAND_DISPLAY is set.

    Examples
    --------
    >>> import os
    >>> saved = {k: os.environ.pop(k) for k in DISPLAY_VARIABLES if k in os.environ}
    >>> no_display_reason() if sys.platform.startswith("linux") else "DISPLAY and WAYLAND_DISPLAY are not set"
    'DISPLAY and WAYLAND_DISPLAY are not set'
    >>> os.environ.update(saved)
    """
    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        return None
    if any(os.environ.get(name) for name in DISPLAY_VARIABLES):
        return None
    from ..i18n import _

    return _("DISPLAY and WAYLAND_DISPLAY are not set")


def display_name() -> str:
    """The display a window would open on, for a message: ``"DISPLAY=:0"``, ``"WAYLAND_DISPLAY=wayland-0"``,
    the desktop's name on macOS and Windows, or ``""`` when there is none."""
    for name in DISPLAY_VARIABLES:
        if os.environ.get(name):
            return f"{name}={os.environ[name]}"
    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        import platform

        return f"{platform.system()} desktop"
    return ""


def headless_possible() -> bool:
    """True if this process can still make pyglet windows offscreen: its window module not yet loaded for a display."""
    if "pyglet.window" not in sys.modules:
        return True
    import pyglet

    return bool(pyglet.options["headless"])


def use_headless() -> None:
    """Make pyglet's windows offscreen EGL surfaces from now on (before ``pyglet.window`` is imported).

    Raises
    ------
    RuntimeError
        pyglet's window module is already loaded for a display in this process (it cannot switch).
    """
    import pyglet

    if not headless_possible():
        raise RuntimeError("offscreen: pyglet's window module is already loaded with a display")
    pyglet.options["headless"] = True
