"""The shipped scenes' names and captions in the reader's language.

A scene file (``scenes/*.toml``) is data: its ``name`` and ``description`` are English, as written. The files that
ship with affine3d have their words here, marked for the catalogue, so the viewer shows them translated; a scene of
the user's own shows its own words. ``tests/test_viewer_figures.py`` fails when a shipped file's words are missing here.
"""

from __future__ import annotations

from .. import i18n
from ..i18n import N_

__all__ = ["SHIPPED_SCENE_TEXTS", "scene_words"]

SHIPPED_SCENE_TEXTS = frozenset({
    N_("1980 vs 2015"),
    N_("icosphere level 1 (80 triangles) next to level 5 (20480 triangles)"),
    N_("Cube to sphere"),
    N_("a 3-3-3-3-3-3 tanh network maps the cube's surface onto the unit sphere, one stage at a time"),
    N_("OBJ model: a small village"),
    N_("one mesh file (house.obj), three model transforms"),
    N_("Platonic solids"),
    N_("tetrahedron, cube, octahedron, dodecahedron, icosahedron: the world turns, the camera stays"),
    N_("Linked rings, 3 wide"),
    N_("a 3-wide network tries to pull two linked rings apart, and cannot (L: train, Backspace: start again)"),
    N_("Linked rings, 4 wide"),
    N_("hidden layers 4 wide: one ring passes around the other through the 4th dimension (L: train)"),
    N_("More shapes"),
    N_("uv_sphere, torus, prism, pyramid, icosphere"),
    N_("Shear, squash, mirror"),
    N_("normals through the inverse transpose; a mirror flips the winding"),
    N_("Sphere to cube"),
    N_("a 3-3-3-3-3-3 tanh network learns to press the sphere into a cube (L: train, Backspace: start again)"),
})
"""Every shipped scene's name and description, as its file has them."""


def scene_words(text: str) -> str:
    """A scene's name or description as the reader reads it: a shipped scene's from the catalogue, others as written."""
    return i18n._(text) if text in SHIPPED_SCENE_TEXTS else text
