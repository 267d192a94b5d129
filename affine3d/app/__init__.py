"""The interactive viewer: its state and logic (:mod:`.state`, no window), the arcball, and the pyglet window (:mod:`.window`).

pyglet is imported only by :mod:`.window`, when a :class:`~affine3d.app.window.Viewer` is made.
"""

from .arcball import Arcball, Turntable
from .state import ViewerState, format_matrix, parse_matrix

__all__ = ["ViewerState", "Arcball", "Turntable", "format_matrix", "parse_matrix"]
