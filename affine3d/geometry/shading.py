"""The renderers' look: light, ambient share, edge shade, the stripes of a solid turned inside out.

The GPU renderer (:mod:`affine3d.gl.renderer`), the CPU rasterizer (:mod:`affine3d.cpu.raster`), the browser
page (:mod:`affine3d.web.site` hands these to its shaders) and the grader's pictures all shade with these
numbers, so their pictures agree. Scene files (:mod:`affine3d.geometry.scene`) say only which light and shading
an object asks for; how that looks is decided here.
"""

from __future__ import annotations

from ..affine import MAX_CONDITION
from ..errors import SceneError, shown
from ..i18n import N_, _

__all__ = ["DEFAULT_LIGHT", "SHADINGS", "shading_of", "AMBIENT", "EDGE_SHADE", "INSIDE_COLOR", "INSIDE_SHADE",
           "INSIDE_LEGEND", "hatch_period", "singular_model_error"]

# Camera space, from the surfaces toward the light: above, right, in front (normalised where used).
DEFAULT_LIGHT = (0.3, 0.5, 1.0)


SHADINGS = ("flat", "smooth")
"""How an object's triangles are lit: one normal per triangle, or a normal per corner interpolated across it."""


def shading_of(obj) -> str:
    """An object's shading, "flat" for an object that does not say (any object with a ``mesh`` and a ``model`` draws)."""
    return getattr(obj, "shading", "flat")


AMBIENT = 0.3
"""Share of the light every face gets, lit or not: colour * (AMBIENT + (1 - AMBIENT) * max(n . l, 0))."""

EDGE_SHADE = 0.25
"""An edge without its own ``edge_color``: the object's colour times this (darkened to a quarter)."""


INSIDE_COLOR = (0.902, 0.624, 0.0)
"""The stripes' colour on a solid a network turned inside out (det < 0): what faces the camera is its inside."""

INSIDE_SHADE = 0.3
"""The dark stripes are :data:`INSIDE_COLOR` times this: orange and near-black, a look no scene colour has."""

INSIDE_LEGEND = N_("hatched: inside out, det < 0")  # looked up where it is shown: i18n._(INSIDE_LEGEND)
"""What the overlay and the stage sheets say about the stripes."""


def hatch_period(height: int) -> int:
    """The stripes' width in pixels for an image ``height`` pixels high: about a ninetieth of it, at least 4.

    Both renderers take it from here, so their stripes fall on the same pixels.
    """
    return max(4, int(int(height) / 90 + 0.5))  # halves round up, as JavaScript's Math.round (the web page)


def singular_model_error(obj) -> SceneError:
    """What both renderers (:mod:`affine3d.gl.renderer` and :mod:`affine3d.cpu.raster`) raise for an object whose model has det 0."""
    return SceneError(_("object {value}: model is singular or nearly so (det 0, or a condition number above {limit:g}), so "
                         "its surface normals are undefined; give every axis a non-zero scale").format(
        value=shown(getattr(obj, 'name', '?')), limit=MAX_CONDITION))
