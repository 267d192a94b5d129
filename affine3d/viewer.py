"""The interactive viewer: turn the world with the mouse and watch the 4x4 matrix that does it.

The camera sits at the origin looking down -z and never moves. What the mouse changes is the
*world* map (world space -> camera space), an :class:`~affine3d.affine.Affine`::

    world = translation(0, 0, -distance + zoom) @ translation(pan_x, pan_y, 0) @ R

``R`` comes from the arcball or the turntable (:mod:`affine3d.arcball`), ``pan`` from right-drags,
``zoom`` from the scroll wheel. Every frame the renderer sends ``world`` to the vertex shader
(``projection * world * model * p``), and the overlay prints the same matrix, its determinant and
how far its linear part is from orthonormal, so the picture and the numbers sit side by side.

Mouse and keys (also on screen with F1 or ?):

- left-drag: rotate (arcball, or turntable after T); right-drag, middle-drag or shift+left-drag:
  pan (the point at the world origin's depth follows the cursor); scroll: move the world toward
  or away from the camera (in orthographic projection that changes nothing on screen: parallel
  rays do not care how far away a thing is).
- space: auto-spin; W: edges (wireframe); P: perspective/orthographic; R: reset the view
  (rotation, pan, zoom); H: hide/show the overlay; S: save a screenshot PNG (the path is printed);
  T: arcball/turntable; 1-9: the n-th scene of ``scenes/``; Tab / shift+Tab: next / previous
  scene; F1 or ?: key help; Esc or Q: quit.
- a network warping the scene (``--mlp MODEL`` or a scene's ``mlp`` key, :mod:`affine3d.morph`):
  the forward pass plays stage by stage (each layer's affine map, then its activation) while the
  mouse still turns the world; M: play/pause; Right / Left: next / previous stage; ``.`` / ``,``
  (or ``]`` / ``[``): scrub forward / back by a twentieth of a stage; Home / End: the input / the
  output. A second panel of the overlay (top right, or lower down when the window is too narrow)
  shows the stage, the layer's matrix W | b, det W, det A(t) and the singular values. The vertices are moved on the GPU (``shaders/morph.vert``), then drawn as usual.

Two layers, so the logic is tested without a window:

- :class:`ViewerState` holds everything the window shows and does (controller, pan, zoom,
  toggles, FPS, the overlay's text) and answers events in plain terms (``mouse_press(x, y,
  "left", shift=False)``, ``key("w")``); no pyglet, no GL.
- :class:`Viewer` owns the pyglet window (an OpenGL 3.3 core, forward-compatible context, so it
  opens on macOS too), a moderngl context on it, a :class:`~affine3d.renderer.Renderer` that draws
  into the window's framebuffer, and pyglet labels for the overlay. Its ``on_*`` methods are the
  window's event handlers; they translate pyglet's events and delegate to the state.

pyglet is imported only when a :class:`Viewer` is made. To run without a display (tests), set
``pyglet.options["headless"] = True`` before anything imports ``pyglet.window``: the window is then
an offscreen EGL surface.
"""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

import numpy as np

from .affine import Affine
from .arcball import Arcball, Turntable
from .errors import AffineError, SceneError

__all__ = ["ViewerState", "Viewer", "format_matrix", "parse_matrix", "HELP_TEXT", "DEFAULT_SPIN"]

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

HUD_FONT = ("DejaVu Sans Mono", "Menlo", "Consolas", "Courier New", "monospace")
HUD_FONT_SIZE = 11
NETWORK_FONT_SIZE = 10
"""The network panel's font size (points): a size smaller, so it fits beside the world matrix at 960 x 720."""

HELP_TEXT = """\
mouse
  left-drag          rotate the world (arcball / turntable)
  right-drag         pan (also middle-drag, shift+left-drag)
  scroll             move the world toward / away from the camera
keys
  space              auto-spin on / off
  W                  wireframe (polygon edges)
  P                  perspective / orthographic
  R                  reset the view (rotation, pan, zoom)
  T                  arcball / turntable
  H                  overlay on / off
  S                  save a screenshot (PNG)
  1-9                the n-th scene in scenes/
  Tab, shift+Tab     next / previous scene
  F1 or ?            this help
  Esc or Q           quit
network (--mlp MODEL, or a scene with an mlp key)
  M                  play / pause the forward pass
  Right, Left        next / previous stage (pauses)
  . and ,  (] and [) scrub forward / back (pauses)
  Home, End          the input / the network's output
The camera never moves: the mouse changes the world matrix."""


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
        from .scene import list_scenes

        return list(list_scenes())
    except (ImportError, FileNotFoundError):
        return []


# ---------------------------------------------------------------------------- the state
class ViewerState:
    """Everything the viewer shows and does, with no window: testable, and the window delegates here.

    Parameters
    ----------
    scene : Scene
        What to show (:func:`affine3d.scene.load_scene`).
    size : (width, height)
        The window in the units of mouse events (pyglet: window points, origin bottom-left).
    framebuffer_size : (width, height), optional
        The framebuffer in pixels (differs from ``size`` on HiDPI screens); default ``size``.
    turntable : bool
        Start with the turntable instead of the arcball.
    scenes : list of str, optional
        The scene names that 1-9 and Tab pick from; default :func:`affine3d.scene.list_scenes`.

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
        self.set_scene(scene)

    # -- the scene and the view
    def set_scene(self, scene) -> None:
        """Show ``scene`` from its own starting view (rotation, distance, projection, spin)."""
        self.scene = scene
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
        """camera space -> clip space, shape (4, 4): the scene's camera at the framebuffer's aspect."""
        return np.asarray(self.scene.projection(self.aspect, self.ortho), dtype=np.float64)

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

    # -- a network warping the scene (affine3d.morph)
    def set_morph(self, morph, name: str = "", playing: bool = True) -> None:
        """Animate the stages of ``morph`` (an :class:`affine3d.morph.Morph`; None: no network)."""
        from .morph import StagePlayer

        self.morph = morph
        self.network_name = name
        self.player = None if morph is None else StagePlayer(morph.n_stages, playing=playing)

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
                self.say("no network: give --mlp MODEL, or open a scene with an mlp key (cube-to-sphere)")
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
        if self._morph_key(name):
            return None
        if name in ("escape", "q"):
            return "quit"
        if name == "s":
            return "screenshot"
        if name == "space":
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
        elif len(name) == 1 and name in "123456789":
            return self.choose_scene(int(name) - 1)
        elif name == "tab":
            if not self.scenes:
                self.say("no scenes found in scenes/")
                return None
            index = self.scene_index()
            index = (index - 1 if shift else index + 1) % len(self.scenes) if index is not None else 0
            return self.choose_scene(index)
        return None

    def toggle_controller(self) -> None:
        """Arcball <-> turntable, keeping the rotation (the turntable stands a rolled world upright)."""
        rotation = self.rotation
        cls = Arcball if isinstance(self.controller, Turntable) else Turntable
        self.controller = cls(self.size, rotation)
        self.say(f"{self.controller.name}")

    def scene_index(self) -> int | None:
        """Where the current scene is in :attr:`scenes` (by name), or None."""
        try:
            return self.scenes.index(scene_key(self.scene))
        except ValueError:
            return None

    def choose_scene(self, index: int) -> str | None:
        """Load ``scenes[index]``; a bad file shows its error on screen instead of ending the program."""
        if not 0 <= index < len(self.scenes):
            self.say(f"no scene {index + 1}: there are {len(self.scenes)} in scenes/")
            return None
        from .scene import load_scene

        try:
            scene = load_scene(self.scenes[index])
        except (SceneError, AffineError, OSError) as exc:
            self.say(" ".join(str(exc).split()))
            return None
        self.set_scene(scene)
        self.say(f"scene {index + 1}/{len(self.scenes)}: {scene.name}")
        return "scene"

    def say(self, message: str, now: float | None = None) -> None:
        """Show ``message`` at the bottom of the window for a few seconds."""
        now = time.perf_counter() if now is None else now
        self.status = message
        self._status_until = now + STATUS_SECONDS

    # -- time
    def update(self, dt_s: float) -> None:
        """Advance the clock by ``dt_s`` seconds: auto-spin turns the world by ``spin_rate * dt_s``."""
        if self.spinning and dt_s > 0:
            self.controller.spin(self.spin_rate * dt_s)
        if self.player is not None:
            self.player.update(dt_s)

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
        if self.status and now > self._status_until:
            self.status = ""

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
            projection = "orthographic"
        else:
            projection = f"perspective, fov {math.degrees(camera.fov):.1f} deg"
        index = self.scene_index()
        where = f" ({index + 1}/{len(self.scenes)})" if index is not None else ""
        rows = [
            ("det A", _fixed(world.determinant, 6)),
            ("max|A\u1d40A-I|", f"{world.orthonormality_error():.1e}"),
            ("projection", projection),
            ("control", f"{self.controller.name}{', spinning' if self.spinning else ''}"),
            ("triangles", f"{self.n_triangles:,}"),
            ("fps", f"{self.fps:.1f}" if self.fps else "(measuring)"),  # first figure after half a second
            ("scene", f"{self.scene.name}{where}   F1: keys"),
        ]
        return ["world: world space -> camera space", *format_matrix(world.matrix),
                *(f"{name:<12}{value}" for name, value in rows)]

    def morph_lines(self) -> list[str]:
        """The overlay's network panel (top right): the stage, the layer's W | b, det W, det A(t), singular values.

        Empty when no network warps the scene.
        """
        if self.player is None:
            return []
        player = self.player
        sizes = "-".join(str(w) for w in self.morph.mlp.sizes)
        how = "playing" if player.playing else "paused"
        head = [f"network {self.network_name} {sizes}", f"stage {player.stage_index + 1}/{player.n_stages}, {how}"]
        if player.at_input:
            return [*head, "input: the scene before layer 1", "M play/pause, Left/Right stages, , . scrub"]
        stage, t = self.morph_frame()
        return [*head, *self.morph.info(stage).lines(t)]

    def caption(self) -> str:
        """The line at the bottom of the window: the scene's description, unless that describes another network.

        A scene with an ``mlp`` key describes its own network; warped by a different one (``--mlp``),
        the line says which network is shown instead.
        """
        description = getattr(self.scene, "description", "") or ""
        own = getattr(self.scene, "mlp", None)
        if self.morph is not None and own is not None and Path(own).name != self.network_name:
            sizes = "-".join(str(w) for w in self.morph.mlp.sizes)
            return f"{self.scene.name}, warped by {self.network_name} ({sizes}) instead of the scene's {Path(own).name}"
        return description

    def hud_text(self) -> str:
        """:meth:`hud_lines` joined by newlines."""
        return "\n".join(self.hud_lines())


# ---------------------------------------------------------------------------- the window
def _import_pyglet():
    """Import pyglet with the options the viewer needs (only if no one has imported its window yet)."""
    import pyglet

    if "pyglet.window" not in sys.modules:
        pyglet.options["shadow_window"] = False  # no hidden legacy context (macOS would give 2.1)
        pyglet.options["debug_gl"] = False  # no glGetError after every call: much faster
    import pyglet.window  # noqa: F401

    return pyglet


def _configs(pyglet):
    """The GL configurations to try, best first: OpenGL 3.3 core, forward-compatible (macOS needs both).

    No multisampling here: the scene is drawn into the renderer's own multisampled framebuffer and
    copied to the window, because reading back a multisampled *window* (for a screenshot) gives
    unresolved samples on Mesa, and a multisampled window cannot be the target of that copy.
    """
    core = dict(major_version=3, minor_version=3, forward_compatible=True, double_buffer=True)
    return [
        pyglet.gl.Config(depth_size=24, red_size=8, green_size=8, blue_size=8, **core),
        pyglet.gl.Config(depth_size=16, **core),
    ]


def _attach_context():
    """A moderngl context on the OpenGL context that is current (the window's: GLX, EGL, WGL or CGL).

    ``moderngl.init_context()`` wraps whatever context is current, every time it is called;
    ``moderngl.create_context()`` does that only the first time in a process and later asks a
    platform backend to detect the context, which pyglet's headless EGL windows do not support.
    """
    import moderngl

    from .errors import GLUnavailableError

    try:
        moderngl.init_context()
        ctx = moderngl.get_context()
    except Exception as exc:
        raise GLUnavailableError(f"the window has no usable OpenGL context ({' '.join(str(exc).split())})") from None
    if ctx.version_code < 330:
        raise GLUnavailableError(f"the window's OpenGL is {ctx.version_code // 100}.{ctx.version_code % 100 // 10}; "
                                 f"the viewer needs 3.3")
    return ctx


def _release_current_egl_context() -> None:
    """Let go of an EGL context that is current on this thread (a headless render made earlier).

    With libglvnd (every current Linux), a thread has one current context across GLX and EGL: while a
    headless EGL context is current, making the window's GLX context current silently fails, and the
    viewer would draw into the headless context instead of the window. Nothing to do elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import os

    try:  # only if the process already loaded libEGL: never load it just to ask
        egl = ctypes.CDLL("libEGL.so.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
    except OSError:
        return
    egl.eglGetCurrentContext.restype = ctypes.c_void_p
    egl.eglGetCurrentDisplay.restype = ctypes.c_void_p
    egl.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
    if egl.eglGetCurrentContext():
        egl.eglMakeCurrent(egl.eglGetCurrentDisplay(), None, None, None)


def _key_name(key, symbol: int, modifiers: int) -> str:
    """pyglet key symbol -> the names :meth:`ViewerState.key` takes."""
    name = key.symbol_string(symbol).lower()
    if name.startswith("num_") and name[4:].isdigit():
        return name[4:]
    return name.lstrip("_")


class _Panel:
    """One box of overlay text: a label per line over a dark translucent rectangle, placed by its top-left corner.

    Its width only grows while the window keeps its size (a number changing width does not make
    the box jitter); :meth:`place` moves the labels only when the corner or the line count changed.
    """

    PAD = 8

    def __init__(self, pyglet, batch, back, front, style):
        self._pyglet, self._batch, self._front, self._style = pyglet, batch, front, style
        self.box_shape = pyglet.shapes.Rectangle(0, 0, 0, 0, color=(0, 0, 0, 160), batch=batch, group=back)
        self.labels = []
        self.line_height = None
        self.width = 0
        self.placed_for = None

    @property
    def height(self) -> int:
        return self.line_height * len(self.labels) + 12 if self.labels else 0

    def text_lines(self) -> list[str]:
        return [label.text for label in self.labels]

    def set_lines(self, lines: list[str]) -> None:
        """Show ``lines`` (re-laying out only the labels whose text changed)."""
        labels = self.labels
        while len(labels) < len(lines):
            labels.append(self._pyglet.text.Label("", color=(235, 235, 235, 255), batch=self._batch,
                                                  group=self._front, **self._style))
        while len(labels) > len(lines):
            labels.pop().delete()
        if not labels:
            self.width, self.placed_for = 0, None
            self.box_shape.width = self.box_shape.height = 0
            return
        for label, text in zip(labels, lines):
            if label.text != text:
                label.begin_update()  # one layout pass for delete + insert, not two
                label.text = text
                label.end_update()
        if self.line_height is None:
            self.line_height = math.ceil(self._pyglet.text.Label("0", **self._style).content_height) or 16
        self.width = max(self.width if self.placed_for else 0,
                         math.ceil(max(label.content_width for label in labels)) + 2 * self.PAD + 2)

    def place(self, x: int, top: int) -> None:
        """Put the box's top-left corner at ``(x, top)`` (window points, origin bottom-left)."""
        key = (x, top, len(self.labels))
        if key != self.placed_for:
            self.placed_for = key
            for i, label in enumerate(self.labels):
                label.position = (x + self.PAD, top - 4 - (i + 1) * self.line_height, 0)
        shape = self.box_shape
        shape.position = (x, top - self.height)
        shape.width, shape.height = self.width, self.height

    def box(self):
        """``(x, y, width, height)`` of the box, bottom-left corner; None when it has no lines."""
        if not self.labels:
            return None
        shape = self.box_shape
        return (shape.x, shape.y, shape.width, shape.height)


class Viewer:
    """A pyglet window that shows a scene, the mouse turning its world, the overlay showing the matrix.

    Parameters
    ----------
    scene : Scene
        What to show.
    size : (width, height)
        Window size in points.
    turntable : bool
        Start with the turntable instead of the arcball.
    samples : int
        Multisample antialiasing: samples per pixel of the offscreen framebuffer the frame is drawn
        into (0: off; clamped to what the driver allows).
    vsync : bool
        Wait for the display's refresh at each swap.
    visible : bool
        Show the window (False for tests and benchmarks).
    scenes : list of str, optional
        The names 1-9 and Tab choose from (default: the files in ``scenes/``).
    mlp : MLP, optional
        A 3 -> ... -> 3 network that warps every scene shown, played stage by stage
        (:mod:`affine3d.morph`); without it, a scene's own ``mlp`` key does the same.
    mlp_name : str
        What the overlay calls ``mlp`` (its file name).

    Raises
    ------
    Exception
        Whatever pyglet raises when no window can be opened (no display, no OpenGL 3.3):
        ``affine3d view`` catches it and renders headless instead.
    """

    def __init__(self, scene, size=(960, 720), *, turntable: bool = False, samples: int = 4, vsync: bool = True,
                 visible: bool = True, scenes: list[str] | None = None, caption: str | None = None,
                 mlp=None, mlp_name: str = ""):
        pyglet = self.pyglet = _import_pyglet()
        from .renderer import Renderer

        width, height = (int(v) for v in size)
        if not pyglet.options["headless"]:
            _release_current_egl_context()
        errors = []
        self.window = None
        for config in _configs(pyglet):
            try:
                self.window = pyglet.window.Window(width, height, caption=caption or f"affine3d view: {scene.name}",
                                                   resizable=True,
                                                   config=config, vsync=vsync, visible=visible)
                break
            except (pyglet.window.NoSuchConfigException, pyglet.gl.ContextException) as exc:
                errors.append(exc)
        if self.window is None:
            raise errors[-1]
        window = self.window
        try:
            window.switch_to()
            self.ctx = _attach_context()
            self.samples = samples
            self.state = ViewerState(scene, window.get_size(), window.get_framebuffer_size(), turntable=turntable,
                                     scenes=scenes)
            self._renderer_class = Renderer
            self.mlp, self.mlp_name = mlp, mlp_name or ("--mlp" if mlp is not None else "")
            self.morphing = None
            self._make_renderer(scene)
            self._make_hud()
        except BaseException:
            window.close()  # no half-made window left on the screen
            raise
        self.frame_limit: int | None = None
        self.screenshot_path: Path | None = None
        self.saved: list[Path] = []
        self.closed = False
        self._set_viewport()
        window.push_handlers(self)

    # -- overlay
    def _make_hud(self) -> None:
        pyglet = self.pyglet
        font = next((f for f in HUD_FONT if pyglet.font.have_font(f)), None)
        style = dict(font_name=font, font_size=HUD_FONT_SIZE)
        back, front = pyglet.graphics.Group(order=0), pyglet.graphics.Group(order=1)
        # One label per line: a frame re-lays-out only the lines whose text changed (pyglet's layout
        # is Python, about a millisecond a line), and nothing moves unless the window is resized.
        self._batch = pyglet.graphics.Batch()
        self._panels = {  # the world matrix top left; the network (if any) top right, a size smaller
            name: _Panel(pyglet, self._batch, back, front, dict(font_name=font, font_size=size))
            for name, size in (("world", HUD_FONT_SIZE), ("network", NETWORK_FONT_SIZE))
        }
        self._help_batch = pyglet.graphics.Batch()
        self._help_box = pyglet.shapes.Rectangle(0, 0, 1, 1, color=(0, 0, 0, 230), batch=self._help_batch, group=back)
        self._help_lines = [pyglet.text.Label(line, color=(255, 255, 210, 255), batch=self._help_batch, group=front, **style)
                            for line in HELP_TEXT.splitlines()]
        self._status = pyglet.text.Label("", color=(255, 255, 160, 255), **style)
        self._line_height = math.ceil(self._help_lines[0].content_height) or 16
        self._laid_out_for = None

    @property
    def hud_text(self) -> str:
        """The text the overlay showed at the last frame, lines joined by newlines (as :meth:`ViewerState.hud_text`)."""
        world, network = (self._panels[name].text_lines() for name in ("world", "network"))
        return "\n".join([*world, *([""] + network if network else [])])

    def hud_boxes(self) -> dict:
        """Where the overlay's panels are: ``{"world": (x, y, width, height), "network": ...}`` in window
        points, origin bottom-left (a panel with no lines: None)."""
        return {name: panel.box() for name, panel in self._panels.items()}

    def _layout(self) -> None:
        """Place the help's labels for the window's size (only when it changed)."""
        width, height = self.window.get_size()
        if (width, height) == self._laid_out_for:
            return
        self._laid_out_for = (width, height)
        for panel in self._panels.values():
            panel.placed_for = None
        step = self._line_height
        help_width = max(label.content_width for label in self._help_lines)
        help_height = step * len(self._help_lines)
        x = max(8, (width - help_width) // 2)
        top = min(height - 8, (height + help_height) // 2)
        for i, label in enumerate(self._help_lines):
            label.position = (x, top - (i + 1) * step, 0)
        self._help_box.position = (x - 10, top - help_height - 12)
        self._help_box.width, self._help_box.height = help_width + 20, help_height + 20
        self._status.position = (10, 8, 0)

    def _draw_hud(self) -> None:
        state = self.state
        self._layout()
        if state.show_hud:
            world, network = self._panels["world"], self._panels["network"]
            world.set_lines(state.world_lines())
            network.set_lines(state.morph_lines())
            width, height = self.window.get_size()
            world.place(4, height - 4)
            if network.labels:
                # At the right edge: beside the world panel if both fit across the window, else at the
                # bottom (above the status line) if it fits under the world panel, else just under it.
                x = width - 4 - network.width
                bottom = 30 + network.height
                if x >= 4 + world.width + 8:
                    network.place(x, height - 4)
                elif bottom <= height - 4 - world.height - 6 and x >= 4:
                    network.place(x, bottom)
                else:
                    network.place(4, height - 4 - world.height - 6)
            self._batch.draw()
        if state.show_help:
            self._help_batch.draw()
        message = state.status or (state.caption() if state.show_hud else "")
        if message:
            if self._status.text != message:
                self._status.text = message
            self._status.draw()

    # -- drawing
    def _set_viewport(self) -> None:
        width, height = self.window.get_framebuffer_size()
        if width > 0 and height > 0:
            self.renderer.resize((width, height))
            self.ctx.screen.viewport = (0, 0, width, height)

    def draw(self) -> None:
        """Draw one frame into the window's back buffer: the scene, then the overlay on top.

        Both go into the renderer's offscreen (multisampled) framebuffer, which is then resolved and
        copied into the window: what the window shows is exactly what :meth:`read` returns.
        """
        state, ctx, renderer = self.state, self.ctx, self.renderer
        self.window.switch_to()
        self._move_vertices()
        renderer.draw(state.world, ortho=state.ortho, wireframe=state.wireframe)
        # The overlay lies on top of everything: no depth test, no culling, pyglet's own shaders,
        # drawn into the framebuffer the renderer left bound.
        ctx.disable(ctx.DEPTH_TEST | ctx.CULL_FACE)
        self._draw_hud()
        if renderer.msaa_fbo is not None:
            ctx.copy_framebuffer(renderer.fbo, renderer.msaa_fbo)  # resolve: average each pixel's samples
        self._blit_to_window()

    def _blit_to_window(self) -> None:
        # moderngl's copy_framebuffer cannot target the window (GL_INVALID_OPERATION on GLX): plain GL.
        gl = self.pyglet.gl
        width, height = self.renderer.size
        gl.glBindFramebuffer(gl.GL_READ_FRAMEBUFFER, self.renderer.fbo.glo)
        gl.glBindFramebuffer(gl.GL_DRAW_FRAMEBUFFER, 0)
        gl.glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, gl.GL_COLOR_BUFFER_BIT, gl.GL_NEAREST)
        gl.glBindFramebuffer(gl.GL_FRAMEBUFFER, 0)

    def read(self) -> np.ndarray:
        """The frame just drawn, as the window shows it: (height, width, 3) uint8 RGB, top row first."""
        width, height = self.renderer.size
        data = self.renderer.fbo.read(components=3, alignment=1)
        return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 3)[::-1].copy()

    def save(self, path) -> Path:
        """Save the frame just drawn (overlay included) as a PNG; returns the path."""
        from .renderer import save_png

        path = save_png(self.read(), path)
        self.saved.append(path)
        return path

    def step(self, dt_s: float = 1 / 60, flip: bool = True) -> None:
        """One frame without the event loop: events, ``update(dt_s)``, draw, swap (tests, benchmarks)."""
        self.window.dispatch_events()
        self.state.update(dt_s)
        self.on_draw()
        if flip and not self.closed:
            self.window.flip()

    def run(self, frames: int | None = None, screenshot=None, fps: float = 60.0) -> None:
        """The event loop: redraw ``fps`` times a second until the window closes (or ``frames`` are drawn).

        Parameters
        ----------
        frames : int, optional
            Quit after this many frames.
        screenshot : path, optional
            Save the last frame there (with ``frames``: frame number ``frames``; else the frame on
            screen when the window closes).
        """
        pyglet = self.pyglet
        self.frame_limit = frames
        self.screenshot_path = Path(screenshot) if screenshot else None
        pyglet.clock.schedule(self._tick)
        try:
            pyglet.app.run(1 / fps)
        finally:
            pyglet.clock.unschedule(self._tick)
            self.close()
            # app.run() switches windows to immediate event dispatch and leaves it so; a window made
            # afterwards (a second viewer in the same process) would then get on_resize half-built.
            pyglet.window.Window._enable_event_queue = True

    def _tick(self, dt_s: float) -> None:
        self.state.update(dt_s)

    def screenshot_name(self) -> Path:
        """``affine3d-SCENE-NNN.png`` in the working directory, the first number not taken."""
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in scene_key(self.state.scene)) or "scene"
        for n in range(1, 10000):
            path = Path(f"affine3d-{stem}-{n:03d}.png")
            if not path.exists():
                return path
        raise FileExistsError("affine3d-*.png: 9999 screenshots already; move some away")

    def close(self) -> None:
        """Save the pending screenshot, release the GPU objects, close the window (safe to call twice)."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.screenshot_path is not None:  # closed before --frames ran out: save what is on screen
                self.draw()
                print(f"saved {self.save(self.screenshot_path)}")
                self.screenshot_path = None
            self.window.switch_to()
            self._release_renderer()
        finally:
            self.window.close()
            self.pyglet.app.exit()

    # -- pyglet event handlers (the window calls these; they translate and delegate)
    def on_draw(self):
        if self.closed:
            return True
        self.draw()
        now = time.perf_counter()
        self.state.frame_drawn(now)
        if self.frame_limit is not None and self.state.frames >= self.frame_limit:
            if self.screenshot_path is not None:
                print(f"saved {self.save(self.screenshot_path)}")
                self.screenshot_path = None
            self.pyglet.app.exit()
        return True

    def on_resize(self, width, height):
        self.window.switch_to()
        self.state.resize((width, height), self.window.get_framebuffer_size())
        self._set_viewport()
        self._laid_out_for = None  # place the overlay again at the next frame
        # not handled: pyglet's own on_resize then sets its viewport and the overlay's projection

    def on_mouse_press(self, x, y, button, modifiers):
        mouse, key = self.pyglet.window.mouse, self.pyglet.window.key
        name = {mouse.LEFT: "left", mouse.RIGHT: "right", mouse.MIDDLE: "middle"}.get(button, "other")
        self.state.mouse_press(x, y, name, shift=bool(modifiers & key.MOD_SHIFT))
        return True

    def on_mouse_drag(self, x, y, dx, dy, buttons, modifiers):
        self.state.mouse_drag(x, y, dx, dy)
        return True

    def on_mouse_release(self, x, y, button, modifiers):
        self.state.mouse_release()
        return True

    def on_mouse_scroll(self, x, y, scroll_x, scroll_y):
        self.state.scroll(scroll_y)
        return True

    def on_key_press(self, symbol, modifiers):
        key = self.pyglet.window.key
        name = _key_name(key, symbol, modifiers)
        if name in ("question", "slash"):  # '?' arrives through on_text, whatever the keyboard layout
            return True
        action = self.state.key(name, shift=bool(modifiers & key.MOD_SHIFT))
        if action == "quit":
            self.close()
        elif action == "screenshot":
            self.draw()  # the back buffer holds the frame to save
            path = self.save(self.screenshot_name())
            print(f"saved {path.resolve()}")
            self.state.say(f"saved {path}")
        elif action == "scene":
            self._load_renderer()
        return True

    def on_text(self, text):
        if text == "?":
            self.state.key("?")
        return True

    def on_close(self):
        self.close()
        return True

    def _load_renderer(self) -> None:
        self.window.switch_to()
        self._release_renderer()
        self._make_renderer(self.state.scene)
        self.window.set_caption(f"affine3d view: {self.state.scene.name}")

    # -- a network warping the scene (affine3d.morph, affine3d.morph_gl)
    def _network_for(self, scene):
        """``(mlp, name)`` that warps ``scene``: the one given to the viewer, else the scene's mlp key, else None."""
        if self.mlp is not None:
            return self.mlp, self.mlp_name
        if getattr(scene, "mlp", None) is None:
            return None, ""
        from .errors import ModelError
        from .mlp import MLP
        from .morph import check_model

        try:
            mlp = MLP.load(scene.mlp)
            check_model(mlp)
        except ModelError as exc:  # a broken model file: say so on screen, show the scene unwarped
            self.state.say(" ".join(str(exc).split()))
            return None, ""
        return mlp, scene.mlp.name

    def _make_renderer(self, scene) -> None:
        """A Renderer for ``scene``; with a network, a MorphingScene's (vertices moved on the GPU each frame)."""
        mlp, name = self._network_for(scene)
        size = self.window.get_framebuffer_size()
        self._shown = None
        if mlp is None:
            self.morphing = None
            self.renderer = self._renderer_class(self.ctx, scene, size, samples=self.samples)
            self.state.set_morph(None)
            return
        from .morph_gl import MorphingScene

        self.morphing = MorphingScene(self.ctx, scene, mlp, size, samples=self.samples)
        self.renderer = self.morphing.renderer
        self.state.set_morph(self.morphing.morph, name)

    def _move_vertices(self) -> None:
        """Put the warped scene where the player is (a GPU pass, only when the stage or t changed)."""
        frame = self.state.morph_frame()
        if self.morphing is None or frame is None:
            return
        key = (frame[0].index, frame[1])
        if key != self._shown:
            self.morphing.show(*frame)
            self._shown = key

    def _release_renderer(self) -> None:
        if self.morphing is not None:
            self.morphing.release()
            self.morphing = None
        else:
            self.renderer.release()
