"""The interactive viewer: its state and logic (:mod:`.state`, no window), the arcball, and the pyglet window (:mod:`.window`).

The lab, in modules of its own: live training (:mod:`.training`, the thread; :mod:`.lab`, keys and panel
text), picking a vertex (:mod:`.picking`), the lattice and basis arrows (:mod:`.lattice`), and what they
draw in the window (:mod:`.overlay`). A network's stages: their clock (:mod:`.player`) and their HUD lines
(:mod:`.stage_text`).

pyglet is imported only by :mod:`.window`, when a :class:`~affine3d.app.window.Viewer` is made.
"""

from .arcball import Arcball, Turntable
from .state import ViewerState, format_matrix, parse_matrix

__all__ = ["ViewerState", "Arcball", "Turntable", "format_matrix", "parse_matrix"]
