"""The shipped scenes' words (names, descriptions, object names), marked for the catalogue: one list for every host.

The scenes are data (``scenes/*.toml``), written in English; the viewer (:func:`scene_words`), the page, the
deck and the widget (``_(name)`` in ``web/static/js``) show them in the reader's language by looking each one
up in the catalogue, so they are listed here, where ``python -m affine3d.translations update`` finds them.
``tests/test_i18n_web.py`` fails when a shipped scene has a word that is not listed: add it here, then update,
translate and compile the catalogue. A user's own scene is shown as it is written.
"""

from __future__ import annotations

from .. import i18n
from ..i18n import N_

__all__ = ["SCENE_TEXTS", "scene_words"]

SCENE_TEXTS = (
    N_('1980 vs 2015'),
    N_('icosphere level 1 (80 triangles) next to level 5 (20480 triangles)'),
    N_('1980: 80 triangles'),
    N_('2015: 20480 triangles'),
    N_('Cube to sphere'),
    N_("a 3-3-3-3-3-3 tanh network maps the cube's surface onto the unit sphere, one stage at a time"),
    N_('cube'),
    N_('OBJ model: a small village'),
    N_('one mesh file (house.obj), three model transforms'),
    N_('house'),
    N_('small house'),
    N_('long barn'),
    N_('Platonic solids'),
    N_('tetrahedron, cube, octahedron, dodecahedron, icosahedron: the world turns, the camera stays'),
    N_('tetrahedron'),
    N_('octahedron'),
    N_('dodecahedron'),
    N_('icosahedron'),
    N_('Linked rings, 3 wide'),
    N_('a 3-wide network tries to pull two linked rings apart, and cannot (L: train, Backspace: start again)'),
    N_('ring A'),
    N_('ring B'),
    N_('Linked rings, 4 wide'),
    N_('hidden layers 4 wide: one ring passes around the other through the 4th dimension (L: train)'),
    N_('More shapes'),
    N_('uv_sphere, torus, prism, pyramid, icosphere'),
    N_('uv_sphere'),
    N_('torus'),
    N_('prism'),
    N_('pyramid'),
    N_('icosphere'),
    N_('Shear, squash, mirror'),
    N_('normals through the inverse transpose; a mirror flips the winding'),
    N_('sheared cube'),
    N_('squashed sphere'),
    N_('mirrored house'),
    N_('Sphere to cube'),
    N_('a 3-3-3-3-3-3 tanh network learns to press the sphere into a cube (L: train, Backspace: start again)'),
    N_('sphere'),
)
"""Every shipped scene's name, description and object names, as its file has them."""


def scene_words(text: str) -> str:
    """A scene's name, description or object name as the reader reads it: a shipped scene's from the catalogue,
    anything else (a user's own scene) as written.

    Examples
    --------
    >>> scene_words("My own scene")
    'My own scene'
    """
    return i18n._(text) if text in _LISTED else text


_LISTED = frozenset(SCENE_TEXTS)  # asked every frame by the viewer's overlay: a set, not a scan of the tuple
