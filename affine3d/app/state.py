"""What the viewer shows and does, without a window: the world map the mouse builds, the keys, the overlay's text.

The camera sits at the origin looking down -z and never moves. What the mouse changes is the
*world* map (world space -> camera space), an :class:`~affine3d.affine.Affine`::

    world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R

``R`` comes from the arcball or the turntable (:mod:`affine3d.app.arcball`), ``pan`` from right-drags,
``zoom`` from the scroll wheel. Every frame the renderer sends ``world`` to the vertex shader
(``projection * world * model * p``), and the overlay prints the same matrix, its determinant and
how far its linear part is from orthonormal, so the picture and the numbers sit side by side.

:class:`ViewerState` answers events in plain terms (``mouse_press(x, y, "left", shift=False)``,
``key("w")``) and imports neither pyglet nor OpenGL, so all of this is tested without a window;
:class:`affine3d.app.window.Viewer` translates the window's events into these calls.

Mouse and keys (also on screen with F1 or ?):

- left-drag: rotate (arcball, or turntable after T); right-drag, middle-drag or shift+left-drag:
  pan (the point at the world origin's depth follows the cursor); scroll: move the world toward
  or away from the camera (in orthographic projection that changes nothing on screen: parallel
  rays do not care how far away a thing is).
- space: auto-spin; W: edges (wireframe); P: perspective/orthographic; R: reset the view
  (rotation, pan, zoom); H: hide/show the overlay; S: save a screenshot PNG (the path is printed);
  T: arcball/turntable; F: flat / smooth shading for every object; 1-9: the n-th scene of
  ``scenes/``; Tab / shift+Tab: next / previous scene; N: light the solids with ``A n`` instead of
  the normal matrix ``(A^-1)^T n`` (the classic mistake: the shear scene shows why the inverse
  transpose is needed); F1 or ?: key help; Esc or Q: quit.
- live training (:mod:`affine3d.app.lab`): L trains the network shown toward the scene's target in a
  background thread (and pauses it), Backspace starts again from the same seeded network.
- G: a ghost lattice (the unit cube's grid) and the images of e1, e2, e3 under the world map, then
  under the layer on screen (:mod:`affine3d.app.lattice`); a click on a vertex traces it through every
  map in a panel (:mod:`affine3d.app.picking`, :mod:`affine3d.cpu.trace`).
- a network warping the scene (``--mlp MODEL`` or a scene's ``mlp`` key, :mod:`affine3d.nn.morph`):
  the forward pass plays stage by stage (each layer's affine map, then its activation) while the
  mouse still turns the world; M: play/pause; Right / Left: next / previous stage; ``.`` / ``,``
  (or ``]`` / ``[``): scrub forward / back by a twentieth of a stage; Home / End: the input / the
  output. A second panel of the overlay shows the stage, the layer's matrix W | b, det W, det A(t)
  and the singular values; a solid turned inside out is drawn hatched, and the panel says so.

Time: the window's clock follows the wall clock, but a scripted run (``--frames``) advances by a
fixed step per frame (:meth:`ViewerState.use_fixed_step`), so the same command draws the same
frames; the overlay then shows that clock instead of a measured frame rate.

Framing: while the overlay shows, the scene is framed in the part of the window its panels leave
free (:meth:`ViewerState.scene_box`: the free rectangle with the longest smaller side, of at least half the
window; the window shrinks its panels' text until there is one), by its bounding
sphere about the world's origin (:meth:`ViewerState.frame_radius`: every object, every stage of a
network), centred there and filling :data:`FRAME_FILL` of that side (an off-centre projection,
:func:`affine3d.projection.into_box`): no solid hides under a panel or leaves the window, whichever way
the world is turned, and the solids are as large as the free room allows.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ..affine import Affine
from ..errors import InputError, one_line
from ..geometry.fit import fit_lines
from ..geometry.scene import list_scenes, load_scene
from ..geometry.shading import INSIDE_LEGEND
from .. import i18n
from ..i18n import N_, _, prose_number
from .keys import help_text
from .player import StagePlayer
from ..geometry.scene_texts import scene_words
from .stage_text import path_notes, stage_lines
from ..projection import into_box
from .arcball import Arcball, Turntable
from .lab import Lab
from .training import SCRIPTED_EPOCHS_PER_FRAME

__all__ = ["ViewerState", "format_matrix", "parse_matrix", "scene_key", "free_box", "FRAME_FILL", "SCENE_SHARE", "HELP_TEXT", "DEFAULT_SPIN"]

DEFAULT_SPIN = 0.5
"""Auto-spin speed in radians per second when the scene sets none (about 29 degrees a second)."""

ZOOM_STEP = 0.9
"""One scroll click toward the camera multiplies the world's distance by this (away: divides)."""

STATUS_SECONDS = 4.0
"""How long a message (screenshot saved, scene loaded) stays at the bottom of the window."""

SCRUB_STEP = 0.05
"""How far one scrub key moves the forward pass, in stages."""

# key name -> what it does to the network's animation (ViewerState._morph_key)
_MORPH_KEYS = {
    "m": "toggle", "right": "next", "left": "previous",
    "period": "forward", "bracketright": "forward", ".": "forward", "]": "forward",
    "comma": "back", "bracketleft": "back", ",": "back", "[": "back",
    "home": "home", "end": "end",
}

HELP_TEXT = help_text("desktop")  # the one help table (app/keys.py), which the browser page reads too (English; the
# window shows help_text("desktop") in the reader's language)

CONTROLLER_NAMES = {"arcball": N_("arcball"), "turntable": N_("turntable")}
"""The controllers' names as the overlay shows them (looked up where shown)."""
SHADING_NAMES = {"flat": N_("flat"), "smooth": N_("smooth"), "mixed": N_("mixed")}
"""The shadings' names as the overlay shows them."""


# ---------------------------------------------------------------------------- text
def _fixed(value: float, decimals: int = 3) -> str:
    """``value`` with ``decimals`` places and no ``-0.000``."""
    return f"{round(float(value), decimals) + 0.0:.{decimals}f}"


def format_matrix(matrix: np.ndarray, decimals: int = 3) -> list[str]:
    """A 4x4 (or any m x n) matrix as text rows ``[ a  b  c | d ]``, the last column set off by ``|``.

    Examples
    --------
    >>> for row in format_matrix(Affine.translation([1, 2, -6]).matrix): print(row)
    [  1.000   0.000   0.000 |   1.000 ]
    [  0.000   1.000   0.000 |   2.000 ]
    [  0.000   0.000   1.000 |  -6.000 ]
    [  0.000   0.000   0.000 |   1.000 ]
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    cells = [[_fixed(v, decimals) for v in row] for row in matrix]
    width = max(len(c) for row in cells for c in row) + 1
    return ["[ " + " ".join(c.rjust(width) for c in row[:-1]) + " | " + row[-1].rjust(width) + " ]" for row in cells]


def parse_matrix(lines) -> np.ndarray:
    """Read back the rows that :func:`format_matrix` wrote: shape (rows, columns) float64.

    Examples
    --------
    >>> parse_matrix(format_matrix(np.eye(4)))[3].tolist()
    [0.0, 0.0, 0.0, 1.0]
    """
    rows = []
    for line in lines:
        rows.append([float(t) for t in line.replace("[", " ").replace("]", " ").replace("|", " ").split()])
    return np.array(rows)


def scene_key(scene) -> str:
    """The name 1-9 and Tab know a scene by: its file's stem (``platonic``), else its own name."""
    return scene.path.stem if getattr(scene, "path", None) is not None else scene.name


def _count_triangles(scene) -> int:
    return int(sum(obj.mesh.n_triangles for obj in scene.objects))


def _scene_names() -> list[str]:
    try:
        return list(list_scenes())
    except FileNotFoundError:
        return []


def free_box(size, rects, smallest: float = 0.0, share: float = 0.0) -> tuple[int, int, int, int] | None:
    """The free rectangle of a ``size`` image with the longest smaller side: ``(left, top, width, height)``.

    The scene is framed by its bounding sphere (:meth:`ViewerState.projection`), whose outline is a circle:
    what counts is the largest circle the panels leave room for, so the box is the rectangle that overlaps
    none of ``rects`` and whose smaller side is longest. Candidates are the rectangles whose sides lie on
    the image's edges and the rects' edges; among those whose smaller side is within :data:`NEAR_SIDE` of
    the longest (the scene would be framed almost as large in each), the largest wins (the band under two
    panels rather than the column between them), then the higher, then the further left. Only rectangles of
    at least ``share`` of the image's area compete, when there are any (:data:`SCENE_SHARE`: the scene keeps
    half the screen). None if even the best smaller side is below ``smallest`` times the image's smaller side.

    Parameters
    ----------
    size : (width, height)
    rects : list of (left, top, width, height)
        The covered parts, in the same units, from the top-left corner.

    Examples
    --------
    A panel across the top third: the band under it, full width.

    >>> free_box((900, 600), [(0, 0, 900, 200)])
    (0, 200, 900, 400)
    >>> free_box((900, 600), [(0, 0, 300, 600)])        # a panel down the left side: the square at the right
    (300, 0, 600, 600)
    """
    width, height = size
    xs = sorted({0, width, *(min(max(x + dx, 0), width) for x, _top, w, _height in rects for dx in (0, w))})
    ys = sorted({0, height, *(min(max(y + dy, 0), height) for _left, y, _width, h in rects for dy in (0, h))})
    free = [(x0, y0, x1 - x0, y1 - y0) for i, x0 in enumerate(xs) for x1 in xs[i + 1:]
            for j, y0 in enumerate(ys) for y1 in ys[j + 1:]
            if not any(x0 < x + w and x < x1 and y0 < y + h and y < y1 for x, y, w, h in rects)]
    if not free:
        return None
    large = [box for box in free if box[2] * box[3] >= share * width * height]
    free = large or free
    side = max(min(box[2], box[3]) for box in free)
    if side < smallest * min(width, height):
        return None
    near = [box for box in free if min(box[2], box[3]) >= NEAR_SIDE * side]
    best = max(near, key=lambda b: (b[2] * b[3], min(b[2], b[3]), -b[1], -b[0]))
    return tuple(int(v) for v in best)


SCENE_SHARE = 0.5
"""The share of the window's area the scene's box keeps at least while the overlay shows (a projector too): it is
chosen among the free boxes that large, and when there is none the viewer's panels shrink their text until there is."""
NEAR_SIDE = 0.95
"""free_box: a free rectangle whose smaller side is this share of the longest one's counts as as good for the scene."""


FRAME_FILL = 0.8
"""The share of the scene box's smaller side that the scene's bounding sphere fills (as geometry/fit.py's FIT_FILL)."""


# ---------------------------------------------------------------------------- the state
class ViewerState:
    """Everything the viewer shows and does, with no window: testable, and the window delegates here.

    Parameters
    ----------
    scene : Scene
        What to show (:func:`affine3d.geometry.scene.load_scene`).
    size : (width, height)
        The window in the units of mouse events (pyglet: window points, origin bottom-left).
    framebuffer_size : (width, height), optional
        The framebuffer in pixels (differs from ``size`` on HiDPI screens); default ``size``.
    turntable : bool
        Start with the turntable instead of the arcball.
    scenes : list of str, optional
        The scene names that 1-9 and Tab pick from; default :func:`affine3d.geometry.scene.list_scenes`.

    Attributes
    ----------
    controller : Arcball or Turntable
        Holds ``R``, the world's rotation (camera space -> camera space).
    pan : ndarray, shape (2,)
        The world's shift in camera x and y, scene units.
    zoom : float
        How far the world has come toward the camera from ``camera.distance``, scene units.
    spinning, wireframe, ortho, show_hud, show_help : bool
        The toggles.
    """

    def __init__(self, scene, size=(960, 720), framebuffer_size=None, *, turntable: bool = False,
                 scenes: list[str] | None = None):
        self.scenes = list(scenes) if scenes is not None else _scene_names()
        self.size = (float(size[0]), float(size[1]))
        self.framebuffer_size = tuple(int(v) for v in (framebuffer_size or size))
        self.controller = Turntable(self.size) if turntable else Arcball(self.size)
        self.show_hud = True
        self.show_help = False
        self.wireframe = False
        self.fps = 0.0
        self.frames = 0
        self.status = ""
        self._status_until = 0.0
        self._drag_mode: str | None = None
        self._fps_count = 0
        self._fps_since: float | None = None
        self._world = None  # (R, (distance, zoom, pan x, pan y), world): see world
        self.morph = None
        self.player = None
        self.network_name = ""
        self.inside_out = False  # a solid the network turned inside out is on screen (the window says)
        self.naive_normals = False
        self.clock_s = 0.0  # seconds the state has been advanced (update); the status line times out on it
        self.fixed_step: float | None = None  # seconds a frame in a scripted run; None: the wall clock
        self.hud_rects: list[tuple[int, int, int, int]] = []  # the overlay's panels (see scene_box)
        self._scene_box: tuple = (None, None)  # (framebuffer size and panels, the box free_box gave for them)
        self._frame_radius: float | None = None  # see frame_radius
        self.shading: str | None = None  # "flat" or "smooth" for every object; None: each object's own
        self.lab = None  # live training (affine3d.app.lab.Lab), started by L or --train
        self.lab_target = None  # a target name or Target that overrides the scene's [train] target
        self.picked = None  # the vertex a click picked (affine3d.app.picking.Pick), traced in a panel
        self.lattice = None  # key G: None, "world" (the world map's lattice) or "layer" (the current layer's)
        self.set_scene(scene)

    # -- the scene and the view
    def set_scene(self, scene) -> None:
        """Show ``scene`` from its own starting view (rotation, distance, projection, spin)."""
        self.close_lab()
        self.picked = None
        self.scene = scene
        self._frame_radius = None
        self.n_triangles = _count_triangles(scene)
        self.spin_rate = float(scene.spin) if scene.spin else DEFAULT_SPIN
        self.spinning = bool(scene.spin)
        self.ortho = scene.camera.projection == "orthographic"
        self.reset()

    def reset(self) -> None:
        """Back to the scene's starting view: its rotation, no pan, no zoom (toggles stay)."""
        self.controller.reset(self.scene.world_rotation)
        self.pan = np.zeros(2)
        self.zoom = 0.0
        self._drag_mode = None

    @property
    def rotation(self) -> Affine:
        """``R``: the world's rotation about its origin, camera space -> camera space."""
        return self.controller.rotation

    @property
    def depth(self) -> float:
        """How far in front of the camera the world's origin is: ``distance - zoom`` (scene units)."""
        return self.scene.camera.distance - self.zoom

    @property
    def world(self) -> Affine:
        """world space -> camera space: ``translation(0, 0, -distance + zoom) @ translation(pan) @ R``.

        The same object while the view stands still (the renderer then reuses its per-world terms,
        and the overlay asks again in the same frame); a new one once R, the pan or the zoom moved.
        """
        rotation = self.rotation
        key = (self.scene.camera.distance, self.zoom, float(self.pan[0]), float(self.pan[1]))
        cached = self._world
        if cached is not None and cached[0] is rotation and cached[1] == key:
            return cached[2]
        push = Affine.translation([0.0, 0.0, -self.scene.camera.distance + self.zoom])
        shift = Affine.translation([self.pan[0], self.pan[1], 0.0])
        world = push @ shift @ rotation
        self._world = (rotation, key, world)
        return world

    @property
    def aspect(self) -> float:
        """Framebuffer width / height: what the projection needs so circles stay round."""
        width, height = self.framebuffer_size
        return width / max(height, 1)

    def projection(self) -> np.ndarray:
        """camera space -> clip space, shape (4, 4): the scene's camera, framed in :meth:`scene_box`.

        Without a box (the overlay hidden), the camera's projection at the framebuffer's aspect; with
        one, the projection at the box's aspect moved into the box (:func:`affine3d.projection.into_box`):
        the scene's vertical field of view spans the box's height, its centre is the box's centre.
        """
        box = self.scene_box()
        if box is None:
            return np.asarray(self.scene.projection(self.aspect, self.ortho), dtype=np.float64)
        P = np.asarray(self.scene.projection(box[2] / box[3], self.ortho), dtype=np.float64)
        k = self.frame_scale(P, box)
        return into_box(np.diag([k, k, 1.0, 1.0]) @ P, box, self.framebuffer_size)

    def frame_radius(self) -> float:
        """The radius of the sphere about the world's origin that holds the scene under any rotation (scene units).

        The largest distance from the origin of a vertex in world space (each object's model map applied),
        and, with a network, of every shape its stages pass through (four moments a stage). The world turns
        about the origin, so whatever the rotation, everything stays inside this sphere. Kept until the
        scene or the network changes (live training's snapshots keep it: the picture does not jump).
        """
        if self._frame_radius is None:
            points = self.scene.world_points() if self.scene.objects else np.zeros((1, 3))
            radius = float(np.sqrt(np.max(np.einsum("ij,ij->i", points, points))))
            if self.morph is not None:
                keys = self.morph.keyframes(points)
                for stage in self.morph.stages:
                    for t in (0.25, 0.5, 0.75, 1.0):
                        shown = self.morph.positions(stage, t, keys[stage.index])
                        radius = max(radius, float(np.sqrt(np.max(np.einsum("ij,ij->i", shown, shown)))))
            self._frame_radius = max(radius, 1e-9)
        return self._frame_radius

    def frame_scale(self, P, box) -> float:
        """How much to enlarge the projection ``P`` (made for the box's aspect) so the scene's sphere fills the box.

        At the camera's distance ``d`` a sphere of radius ``r`` about the world's origin reaches
        ``P[1,1] r / sqrt(d^2 - r^2)`` in NDC (perspective: the tangent of its half-angle) or ``P[1,1] r``
        (orthographic), across the box's height; the factor makes that :data:`FRAME_FILL` of the box's
        smaller side, so a sphere in a wide box is as tall as the box allows and one in a tall box as wide.
        1 when the camera stands inside the sphere.
        """
        r, d = self.frame_radius(), float(self.scene.camera.distance)
        if self.ortho:
            reach = P[1, 1] * r
        elif r < d:
            reach = P[1, 1] * r / math.sqrt(d * d - r * r)
        else:
            return 1.0
        width, height = box[2], box[3]
        return FRAME_FILL * min(width, height) / (height * reach)

    def scene_box(self) -> tuple[int, int, int, int] | None:
        """Where the scene is framed while the overlay shows: ``(left, top, width, height)``, framebuffer pixels
        from the top-left corner; None: the whole window, as the scene file frames it.

        The free rectangle with the longest smaller side beside the panels of :attr:`hud_rects`, among those of
        at least :data:`SCENE_SHARE` of the window when there are any (:func:`free_box`); :meth:`projection` centres the scene's bounding sphere in it, filling
        :data:`FRAME_FILL` of that side. None when the overlay is hidden, when there are no panels, or
        when the room would be below a third of the window's smaller side (a tiny window: the panels then
        lie over the scene).
        """
        if not self.show_hud or not self.hud_rects:
            return None
        # asked a few times a frame (the overlay's fit, the projection) for the same panels: searched once for them
        key = (self.framebuffer_size, tuple(self.hud_rects))
        if self._scene_box[0] != key:
            self._scene_box = (key, free_box(self.framebuffer_size, self.hud_rects, smallest=1 / 3, share=SCENE_SHARE))
        return self._scene_box[1]

    def resize(self, size, framebuffer_size=None) -> None:
        """The window is now ``size`` (mouse units) with a ``framebuffer_size`` pixel framebuffer."""
        if min(size) <= 0:  # minimised: keep the last usable size
            return
        self.size = (float(size[0]), float(size[1]))
        self.framebuffer_size = tuple(int(v) for v in (framebuffer_size or size))
        self.controller.resize(self.size)

    # -- mouse
    def mouse_press(self, x: float, y: float, button: str, shift: bool = False) -> None:
        """A button went down at ``(x, y)``: left rotates, right/middle (or shift+left) pans."""
        if button == "left" and not shift:
            self._drag_mode = "rotate"
            self.controller.press(x, y)
        elif button in ("left", "right", "middle"):
            self._drag_mode = "pan"

    def mouse_drag(self, x: float, y: float, dx: float, dy: float) -> None:
        """The mouse moved to ``(x, y)`` by ``(dx, dy)`` with a button held."""
        if self._drag_mode == "rotate":
            self.controller.drag(x, y)
        elif self._drag_mode == "pan":
            self.pan = self.pan + np.array([dx, dy], dtype=np.float64) * self.units_per_point()

    def mouse_release(self) -> None:
        """The button came up: the drag ends."""
        if self._drag_mode == "rotate":
            self.controller.release()
        self._drag_mode = None

    def scroll(self, clicks: float) -> None:
        """Scroll ``clicks`` (up/away from the user > 0): the world comes toward the camera.

        The distance to the world's origin is multiplied by ``ZOOM_STEP ** clicks`` and kept
        between twice the near plane and half the far plane.
        """
        camera = self.scene.camera
        depth = self.depth * ZOOM_STEP ** float(clicks)
        depth = min(max(depth, 2 * camera.near), camera.far / 2)
        self.zoom = camera.distance - depth

    def units_per_point(self) -> np.ndarray:
        """Scene units per window point at the world origin's depth, shape (2,) (x, y): the pan scale.

        The projection maps camera ``x`` at depth ``d`` to NDC ``P[0,0] x / w`` with ``w = -z = d``
        (perspective) or ``w = 1`` (orthographic); NDC spans 2 across the window.
        """
        P = self.projection()
        w = float(P[3] @ np.array([0.0, 0.0, -self.depth, 1.0]))
        return np.array([2 * w / (P[0, 0] * self.size[0]), 2 * w / (P[1, 1] * self.size[1])])

    # -- a network warping the scene (affine3d.nn.morph)
    def set_morph(self, morph, name: str = "", playing: bool = True) -> None:
        """Animate the stages of ``morph`` (an :class:`affine3d.nn.morph.Morph`; None: no network)."""
        self.morph = morph
        self._frame_radius = None
        self.network_name = name
        self.inside_out = False
        self.player = None if morph is None else StagePlayer(morph.n_stages, playing=playing)

    def replace_network(self, morph) -> None:
        """The same animation, another network of the same sizes (live training's next snapshot): the player stays."""
        self.morph = morph
        if self.player is None or self.player.n_stages != morph.n_stages:  # another architecture: show its output
            self.player = StagePlayer(morph.n_stages, playing=False)
            self.player.seek(morph.n_stages)

    # -- live training (affine3d.app.lab)
    def start_lab(self, running: bool = True) -> bool:
        """Train the network shown toward the scene's target; False (and a message) when there is none to train."""
        if self.lab is not None:
            return True
        if self.morph is None:
            self.say(_("no network to train: open cube-to-sphere, sphere-to-cube, rings or rings-4-wide, or give --mlp"))
            return False
        try:
            self.lab = Lab.for_scene(self.scene, self.morph.mlp, self.lab_target, running=running,
                                     epochs_per_frame=SCRIPTED_EPOCHS_PER_FRAME if self.fixed_step is not None else None)
        except InputError as exc:
            self.say(one_line(exc))
            return False
        self.network_name = _("in training (seed {seed})").format(seed=self.lab.experiment.seed)
        self.player.seek(self.player.n_stages)  # watch the output learn; the arrows still step through the stages
        self.say(_("training toward {target}: L pauses, Backspace starts again").format(target=self.lab.experiment.target.name))
        return True

    def close_lab(self) -> None:
        """Stop the training thread (scene change, window closed)."""
        if self.lab is not None:
            self.lab.close()
            self.lab = None

    def _lab_key(self, name: str) -> bool:
        """L and Backspace (live training), G (the lattice); True if it was one of them."""
        if name == "g":
            modes = [None, "world"] + (["layer"] if self.morph is not None else [])
            self.lattice = modes[(modes.index(self.lattice) + 1) % len(modes)]
            self.say({None: _("lattice off (G)"), "world": _("G: the unit cube's grid and e1, e2, e3 carried by the world map"),
                      "layer": _("G: the unit cube's grid carried by the layer on screen; arrows: its A's columns")}[self.lattice])
            return True
        if name not in ("l", "backspace"):
            return False
        if self.lab is None:
            if name == "backspace":
                self.say(_("nothing to start again: L starts training"))
            else:
                self.start_lab(running=True)
            return True
        self.say(self.lab.key(name))
        return True

    def morph_frame(self):
        """``(stage, t)`` of the forward pass to show now, or None when no network warps the scene."""
        if self.player is None:
            return None
        return self.morph.stages[self.player.stage_index], self.player.t

    def _morph_key(self, name: str) -> bool:
        """A key of the network's animation; True if it was one."""
        player = self.player
        if name not in _MORPH_KEYS:
            return False
        if player is None:
            if name == "m":
                self.say(_("no network: give --mlp MODEL, or open a scene with an mlp key (cube-to-sphere)"))
                return True
            return False
        action = _MORPH_KEYS[name]
        if action == "toggle":
            player.toggle()
        elif action == "next":
            player.next()
        elif action == "previous":
            player.previous()
        elif action == "forward":
            player.scrub(SCRUB_STEP)
        elif action == "back":
            player.scrub(-SCRUB_STEP)
        elif action == "home":
            player.seek(0)
        else:
            player.seek(player.n_stages)
        return True

    @property
    def in_motion(self) -> bool:
        """Is the picture moving: a drag under way, auto-spin on, or a network's forward pass playing?"""
        playing = self.player is not None and self.player.playing
        return self._drag_mode is not None or self.spinning or playing

    # -- keys
    def key(self, name: str, shift: bool = False) -> str | None:
        """A key, by name (``"space"``, ``"w"``, ``"1"``, ``"tab"``, ``"f1"``, ``"?"``, ``"escape"``).

        Returns
        -------
        str or None
            What the window must do besides redrawing: ``"quit"``, ``"screenshot"`` or ``"scene"``
            (the scene changed: upload the new one); None otherwise.
        """
        name = name.lower()
        if self._morph_key(name) or self._lab_key(name):
            return None
        if name in ("escape", "q"):
            return "quit"
        if name == "s":
            return "screenshot"
        if name == "n":
            self.naive_normals = not self.naive_normals
            self.say(_("normals through A: wrong where A shears or stretches (N: the normal matrix again)")
                     if self.naive_normals else _("normals through the normal matrix (A^-1)^T: right"))
        elif name == "space":
            self.spinning = not self.spinning
        elif name == "w":
            self.wireframe = not self.wireframe
        elif name == "p":
            self.ortho = not self.ortho
        elif name == "r":
            self.reset()
        elif name == "h":
            self.show_hud = not self.show_hud
        elif name in ("f1", "?"):
            self.show_help = not self.show_help
        elif name == "t":
            self.toggle_controller()
        elif name == "f":
            return self.toggle_shading()
        elif len(name) == 1 and name in "123456789":
            return self.choose_scene(int(name) - 1)
        elif name == "tab":
            if not self.scenes:
                self.say(_("no scenes found in scenes/"))
                return None
            index = self.scene_index()
            index = (index - 1 if shift else index + 1) % len(self.scenes) if index is not None else 0
            return self.choose_scene(index)
        return None

    def shown_shading(self) -> str:
        """How the objects are shaded now: "flat", "smooth", or "mixed" (each object's own, and they differ)."""
        if self.shading is not None:
            return self.shading
        kinds = {getattr(obj, "shading", "flat") for obj in self.scene.objects}
        return kinds.pop() if len(kinds) == 1 else "mixed"

    def toggle_shading(self) -> str:
        """Key F: every object flat if they are smooth now (or mixed), else every object smooth.

        Returns ``"shading"``: the window must rebuild its vertex buffers (:meth:`Renderer.set_shading`).
        """
        self.shading = "flat" if self.shown_shading() != "flat" else "smooth"
        self.say(_("{shading} shading").format(shading=i18n._(SHADING_NAMES[self.shading])))
        return "shading"

    def toggle_controller(self) -> None:
        """Arcball <-> turntable, keeping the rotation (the turntable stands a rolled world upright)."""
        rotation = self.rotation
        cls = Arcball if isinstance(self.controller, Turntable) else Turntable
        self.controller = cls(self.size, rotation)
        self.say(i18n._(CONTROLLER_NAMES.get(self.controller.name, self.controller.name)))

    def scene_index(self) -> int | None:
        """Where the current scene is in :attr:`scenes` (by name), or None."""
        try:
            return self.scenes.index(scene_key(self.scene))
        except ValueError:
            return None

    def choose_scene(self, index: int) -> str | None:
        """Load ``scenes[index]``; a bad file shows its error on screen instead of ending the program."""
        if not 0 <= index < len(self.scenes):
            self.say(_("no scene {number}: there are {count} in scenes/").format(number=index + 1, count=len(self.scenes)))
            return None
        try:
            scene = load_scene(self.scenes[index])
        except (InputError, OSError) as exc:
            self.say(one_line(exc))
            return None
        self.set_scene(scene)
        self.say(_("scene {number}/{count}: {name}").format(number=index + 1, count=len(self.scenes),
                                                             name=scene_words(scene.name)))
        return "scene"

    def say(self, message: str, now: float | None = None) -> None:
        """Show ``message`` at the bottom of the window for a few seconds (of :attr:`clock_s`)."""
        now = self.clock_s if now is None else now
        self.status = message
        self._status_until = now + STATUS_SECONDS

    # -- time
    def update(self, dt_s: float) -> None:
        """Advance the clock by ``dt_s`` seconds: auto-spin turns the world by ``spin_rate * dt_s``."""
        if dt_s > 0:
            self.clock_s += dt_s
        if self.spinning and dt_s > 0:
            self.controller.spin(self.spin_rate * dt_s)
        if self.player is not None:
            self.player.update(dt_s)
        if self.status and self.clock_s > self._status_until:
            self.status = ""

    def use_fixed_step(self, dt_s: float) -> None:
        """A scripted run: each frame advances the clock by exactly ``dt_s`` seconds (see :meth:`next_frame`).

        Spin and playback then depend on the frame number alone, not on how fast this machine
        draws, so the same command gives the same pictures; the overlay's fps line shows this clock.
        Live training goes in lockstep with it: :data:`~affine3d.app.training.SCRIPTED_EPOCHS_PER_FRAME` epochs
        a frame, from epoch 0 (:meth:`affine3d.app.training.LiveTraining.lockstep`).
        """
        self.fixed_step = float(dt_s)
        if self.lab is not None:
            self.lab.training.lockstep(SCRIPTED_EPOCHS_PER_FRAME)

    def next_frame(self) -> None:
        """Before drawing frame ``frames + 1`` of a scripted run: the clock to ``frames * fixed_step`` (frame 1: 0 s)."""
        if self.fixed_step is not None and self.frames > 0:
            self.update(self.fixed_step)

    def show_moment(self, stage: int, t: float) -> None:
        """Pause the network's playback at time ``t`` of stage index ``stage`` (0-based; ``stage=0, t=0``: the input)."""
        if self.player is None:
            raise InputError("--stage: this scene has no network (give --mlp MODEL, or a scene with an mlp key)")
        self.player.seek(stage + float(t))

    def frame_drawn(self, now: float | None = None) -> None:
        """Count a frame; the FPS figure is refreshed every half second (steady enough to read)."""
        now = time.perf_counter() if now is None else now
        self.frames += 1
        if self._fps_since is None:
            self._fps_since, self._fps_count = now, 0
            return
        self._fps_count += 1
        elapsed = now - self._fps_since
        if elapsed >= 0.5:
            self.fps = self._fps_count / elapsed
            self._fps_since, self._fps_count = now, 0

    # -- the overlay
    def hud_lines(self) -> list[str]:
        """The overlay's text, one string per line: :meth:`world_lines`, then a blank and :meth:`morph_lines`."""
        network = self.morph_lines()
        return [*self.world_lines(), *([""] + network if network else [])]

    def world_lines(self) -> list[str]:
        """The overlay's first panel (top left): the world matrix, its determinant, orthonormality error, and so on."""
        world = self.world
        camera = self.scene.camera
        if self.ortho:
            projection = _("orthographic")
        else:
            projection = _("perspective, fov {degrees} deg").format(degrees=prose_number(math.degrees(camera.fov), 1))
        index = self.scene_index()
        where = f" ({index + 1}/{len(self.scenes)})" if index is not None else ""
        control = i18n._(CONTROLLER_NAMES.get(self.controller.name, self.controller.name))
        rows = [
            ("det A", _fixed(world.determinant, 6)),
            ("max|A\u1d40A-I|", f"{world.orthonormality_error():.1e}"),
            (_("projection"), projection),
            (_("control"), _("{controller}, spinning").format(controller=control) if self.spinning else control),
            (_("triangles"), _("{count}, {shading} (F)").format(count=prose_number(self.n_triangles),
                                                                shading=i18n._(SHADING_NAMES[self.shown_shading()]))),
            self._clock_row(),
            (_("normals"), _("A n: WRONG under shear, squash (N)") if self.naive_normals
             else _("(A\u207b\u00b9)\u1d40 n, normal matrix (N)")),
            (_("scene"), _("{name}{where}   F1: keys").format(name=scene_words(self.scene.name), where=where)),
        ]
        width = max(12, max(len(name) for name, _value in rows) + 2)
        return [_("world: world space -> camera space"), *format_matrix(world.matrix),
                *(f"{name:<{width}}{value}" for name, value in rows), *self.fit_lines()]

    def fit_lines(self) -> list[str]:
        """The fit map of each object fitted to the view (a mesh file): what centres and scales it, as Python."""
        return fit_lines(self.scene.objects)

    def _clock_row(self) -> tuple[str, str]:
        """The fps line: the measured frame rate, or in a scripted run the fixed clock it runs on."""
        if self.fixed_step is not None:
            # frame N of a scripted run shows time (N - 1) * step: a count of frames, not a measured rate
            return (_("clock"), _("frame {number}, {seconds} s (fixed 1/{rate} s steps)").format(
                number=self.frames + 1, seconds=prose_number(self.clock_s, 3), rate=f"{1 / self.fixed_step:g}"))
        return ("fps", prose_number(self.fps, 1) if self.fps else _("(measuring)"))  # first figure after half a second

    def morph_lines(self) -> list[str]:
        """The overlay's network panel (top right): the stage, the layer's W | b, det W, det A(t), singular values.

        Empty when no network warps the scene.
        """
        if self.player is None:
            return []
        player = self.player
        sizes = "-".join(str(w) for w in self.morph.mlp.sizes)
        how = _("playing") if player.playing else _("paused")
        head = [_("network {name} {sizes}").format(name=self.network_name, sizes=sizes),
                _("stage {number}/{count}, {state}").format(number=player.stage_index + 1, count=player.n_stages, state=how)]
        if player.at_input:
            return [*head, _("input: the scene before layer 1"), _("M play/pause, Left/Right stages, , . scrub")]
        stage, t = self.morph_frame()
        info = self.morph.info(stage)
        notes = path_notes(info) if stage.kind == "affine" else []
        legend = [i18n._(INSIDE_LEGEND)] if self.inside_out else []
        return [*head, *stage_lines(info, t), *notes, *legend]

    def max_morph_lines(self) -> int:
        """The most lines :meth:`morph_lines` can have for this network (the overlay reserves that much room).

        The count depends on the layers' shapes only, not on their weights: it is worked out once per
        architecture (live training swaps in a network of the same sizes many times a second).
        """
        if self.morph is None:
            return 0
        key = tuple((stage.kind, stage.affine.A.shape) for stage in self.morph.stages)
        cached = getattr(self, "_max_morph_lines", None)
        if cached is None or cached[0] != key:
            path_notes = 2  # an affine stage of a square layer may add two lines (stage_text.path_notes)
            count = 2 + max(len(stage_lines(self.morph.info(stage), 0.5)) + path_notes for stage in self.morph.stages) + 1
            self._max_morph_lines = cached = (key, count)
        return cached[1]

    def caption(self) -> str:
        """The line at the bottom of the window: the scene's description, unless that describes another network.

        A scene with an ``mlp`` key describes its own network; warped by a different one (``--mlp``),
        the line says which network is shown instead.
        """
        description = scene_words(getattr(self.scene, "description", "") or "")
        if self.lab is not None:
            return _("{scene}: a fresh network learning {target}, live").format(scene=scene_words(self.scene.name),
                                                                                 target=self.lab.experiment.target.name)
        own = getattr(self.scene, "mlp", None)
        if self.morph is not None and own is not None and Path(own).name != self.network_name:
            sizes = "-".join(str(w) for w in self.morph.mlp.sizes)
            return _("{scene}, warped by {network} ({sizes}) instead of the scene's {own}").format(
                scene=scene_words(self.scene.name), network=self.network_name, sizes=sizes, own=Path(own).name)
        return description

    def hud_text(self) -> str:
        """:meth:`hud_lines` joined by newlines."""
        return "\n".join(self.hud_lines())

