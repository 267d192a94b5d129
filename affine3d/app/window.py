"""The viewer's window: pyglet for the window and its events, the renderer drawing into it, the overlay on top.

:class:`Viewer` owns the pyglet window (an OpenGL 3.3 core, forward-compatible context, so it
opens on macOS too), a moderngl context on it (:func:`affine3d.gl.context.window_context`), a
:class:`~affine3d.gl.renderer.Renderer` that draws into an offscreen framebuffer copied to the window,
and pyglet labels for the overlay. Its ``on_*`` methods are the window's event handlers; they
translate pyglet's events and delegate to :class:`~affine3d.app.state.ViewerState`, which holds
everything the window shows and does.

pyglet is imported only when a :class:`Viewer` is made. To run without a display (tests), set
``pyglet.options["headless"] = True`` before anything imports ``pyglet.window``: the window is then
an offscreen EGL surface.
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from ..errors import InputError, ModelError, UsageError, one_line
from ..gl.context import make_current, release_current_egl_context, window_context
from ..fileio import replaces
from ..geometry.scene_texts import scene_words
from ..images import save_png
from ..nn.model import load_model
from ..render import MorphingScene
from ..gl.renderer import Renderer
from .overlay import LabOverlay, untrained_network
from .. import i18n
from ..i18n import _
from .keys import help_text
from .state import SCENE_SHARE, ViewerState, scene_key

__all__ = ["Viewer"]

HUD_FONT = ("DejaVu Sans Mono", "Menlo", "Consolas", "Courier New", "monospace")
HUD_FONT_SIZE = 11
NETWORK_FONT_SIZE = 10
"""The network panel's font size (points): a size smaller, so it fits beside the world matrix at 960 x 720."""

MOVING_MSAA_TRIANGLES = 50_000
"""A scene with at least this many triangles is drawn without multisampling while it moves (a drag, auto-spin,
a network playing): on a software renderer that is several times cheaper, so a scanned model turns smoothly.
A still picture gets its antialiasing back at the next frame."""

HUD_REFERENCE_SIZE = (960, 720)
"""The window size at which the overlay's fonts have the sizes above; they grow and shrink with the window."""

SMALLEST_HUD_SCALE = 0.75
"""The overlay's text shrinks to make room down to this scale (8.25 pt, as in a 720 x 540 window), no further."""


def hud_font_scale(size, hud_scale: float = 1.0) -> float:
    """How much larger than at 960 x 720 the overlay's text is in a window of ``size`` (points): the smaller of
    the width and height ratios, kept within 0.75 .. 4, times ``hud_scale`` (``--hud-scale``), in steps of 1/22
    (half a point of the 11 pt font), so that a window resized by a few points keeps its text.

    Examples
    --------
    >>> hud_font_scale((960, 720)), hud_font_scale((1920, 1080)), hud_font_scale((1920, 1080), 2)
    (1.0, 1.5, 3.0)
    """
    ratio = min(size[0] / HUD_REFERENCE_SIZE[0], size[1] / HUD_REFERENCE_SIZE[1])
    scale = min(max(ratio, 0.75), 4.0) * float(hud_scale)
    return round(scale * 2 * HUD_FONT_SIZE) / (2 * HUD_FONT_SIZE)


def smaller_hud_scale(scale: float) -> float:
    """The next font scale to try when the panels do not fit: about 8% smaller, at least half a point less,
    never below :data:`SMALLEST_HUD_SCALE`.

    >>> round(smaller_hud_scale(2.25), 3), smaller_hud_scale(0.77)
    (2.091, 0.75)
    """
    step = 1 / (2 * HUD_FONT_SIZE)
    return max(min(round(scale * 0.92 / step) * step, scale - step), SMALLEST_HUD_SCALE)


def _overlap(a, b) -> bool:
    """Whether boxes ``(x, y, width, height)`` share any area."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def hud_fits(size, boxes, scene_box, framebuffer_size=None) -> bool:
    """Whether the overlay's ``boxes`` (window points) all lie inside a ``size`` window, none over another, and
    leave the scene a free box (``scene_box``, in pixels of ``framebuffer_size``; None: no room) of at least
    :data:`SCENE_SHARE` of the window's area.

    Examples
    --------
    >>> hud_fits((800, 600), [(0, 300, 400, 300), (400, 300, 400, 300)], (0, 0, 800, 300))
    True
    >>> hud_fits((800, 600), [(0, 300, 400, 300), (390, 300, 400, 300)], (0, 0, 800, 300))  # one over another
    False
    >>> hud_fits((800, 600), [(0, 300, 400, 320)], (0, 0, 800, 300))  # past the top edge
    False
    >>> hud_fits((800, 600), [(0, 200, 800, 400)], (0, 0, 800, 200))  # a third of the window left
    False
    """
    width, height = size
    for i, box in enumerate(boxes):
        x, y, w, h = box
        if x < 0 or y < 0 or x + w > width or y + h > height:
            return False
        if any(_overlap(box, other) for other in boxes[i + 1:]):
            return False
    if scene_box is None:
        return False
    fb_width, fb_height = framebuffer_size or size
    return scene_box[2] * scene_box[3] >= SCENE_SHARE * fb_width * fb_height


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

    def release(self) -> None:
        """Delete the labels and the box (before the overlay is made again at another font size)."""
        for label in self.labels:
            label.delete()
        self.labels = []
        self.box_shape.delete()

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
        (:mod:`affine3d.nn.morph`); without it, a scene's own ``mlp`` key does the same.
    mlp_name : str
        What the overlay calls ``mlp`` (its file name).
    models : dict, optional
        Networks already loaded, by file path (``{scene.mlp: MLP}``): a scene's ``mlp`` key is looked
        up here before its file is read (``affine3d view`` loads and checks the file once, then hands
        it over); files read later are added.
    hud_scale : float
        The overlay's text size, times what the window's size gives it (:func:`hud_font_scale`): 1.5
        for the back row of a lecture hall.
    shading : {None, "flat", "smooth"}
        Start with every object so shaded (None: each object's own); key F switches.
    path : {"linear", "polar"}
        How each affine stage of the network goes from I to W (:class:`affine3d.nn.morph.Morph`).
    train : bool
        Start training the network live at once (as key L does; :mod:`affine3d.app.lab`).
    target : str or Target, optional
        What live training aims for, instead of the scene's ``[train]`` target (a name in
        :data:`affine3d.nn.targets.TARGETS`, or a :class:`~affine3d.nn.targets.Target` of a script).

    Raises
    ------
    Exception
        Whatever pyglet raises when no window can be opened (no display, no OpenGL 3.3):
        ``affine3d view`` catches it and renders headless instead.
    """

    def __init__(self, scene, size=(960, 720), *, turntable: bool = False, samples: int = 4, vsync: bool = True,
                 visible: bool = True, scenes: list[str] | None = None, caption: str | None = None,
                 mlp=None, mlp_name: str = "", models: dict | None = None, hud_scale: float = 1.0,
                 shading: str | None = None, path: str = "linear", train: bool = False, target=None):
        pyglet = self.pyglet = _import_pyglet()

        width, height = (int(v) for v in size)
        if not pyglet.options["headless"]:
            release_current_egl_context()
        errors = []
        self.window = None
        for config in _configs(pyglet):
            try:
                self.window = pyglet.window.Window(width, height,
                                                   caption=caption or f"affine3d view: {scene_words(scene.name)}",
                                                   resizable=True, config=config, vsync=vsync, visible=visible)
                break
            except (pyglet.window.NoSuchConfigException, pyglet.gl.ContextException) as exc:
                errors.append(exc)
        if self.window is None:
            raise errors[-1]
        window = self.window
        try:
            self.ctx = window_context(window)  # current now; every later GL step goes through make_current
            self.samples = samples
            self.state = ViewerState(scene, window.get_size(), window.get_framebuffer_size(), turntable=turntable,
                                     scenes=scenes)
            self.state.shading = shading
            self.state.lab_target = target
            self.mlp, self.mlp_name = mlp, mlp_name or ("--mlp" if mlp is not None else "")
            self.models = dict(models or {})
            self.path = path
            self.morphing = None
            self.hud_scale = float(hud_scale)
            self._hud_font_scale = None
            self._fitted_scale = None  # a smaller scale than the window's when the panels did not fit at that one
            self._fitted_for = None  # the window size it was found for
            self._extras = LabOverlay(self)  # the lab's panels and marks (affine3d.app.overlay)
            self._make_renderer(scene)
            self._make_hud()
            if train and not self.state.start_lab(running=True):
                raise UsageError(f"--train: {self.state.status}")
        except BaseException:
            window.close()  # no half-made window left on the screen
            raise
        self.frame_limit: int | None = None
        self.screenshot_path: Path | None = None
        self.saved: list[Path] = []
        self.closed = False
        self.save_error = None
        self._set_viewport()
        window.push_handlers(self)
        self._extras.listen()  # after the viewer's handlers: the lab sees a click first, then passes it on

    # -- overlay
    # -- overlay: made at a font size that follows the window's size (hud_font_scale)
    def _make_hud(self) -> None:
        pyglet = self.pyglet
        if self._hud_font_scale is not None:  # made before, at another size: let go of those labels
            for panel in self._panels.values():
                panel.release()
            for label in self._help_lines:
                label.delete()
            self._help_box.delete()
        scale = self._hud_font_scale = self._fitted_scale or hud_font_scale(self.window.get_size(), self.hud_scale)
        font = next((f for f in HUD_FONT if pyglet.font.have_font(f)), None)
        style = dict(font_name=font, font_size=HUD_FONT_SIZE * scale)
        back, front = pyglet.graphics.Group(order=0), pyglet.graphics.Group(order=1)
        extras = pyglet.graphics.Batch()  # the lab's panels, at the same scale
        self._extras.restyle(extras, (back, front), font, scale, lambda points: _Panel(
            pyglet, extras, back, front, dict(font_name=font, font_size=points)))
        # One label per line: a frame re-lays-out only the lines whose text changed (pyglet's layout
        # is Python, and slow), and nothing moves unless the window is resized.
        self._batch = pyglet.graphics.Batch()
        self._panels = {  # the world matrix top left; the network (if any) top right, a size smaller
            name: _Panel(pyglet, self._batch, back, front, dict(font_name=font, font_size=size * scale))
            for name, size in (("world", HUD_FONT_SIZE), ("network", NETWORK_FONT_SIZE))
        }
        self._help_batch = pyglet.graphics.Batch()
        self._help_box = pyglet.shapes.Rectangle(0, 0, 1, 1, color=(0, 0, 0, 230), batch=self._help_batch, group=back)
        self._help_lines = [pyglet.text.Label(line, color=(255, 255, 210, 255), batch=self._help_batch, group=front, **style)
                            for line in help_text("desktop", i18n._).splitlines()]
        self._status = pyglet.text.Label("", color=(255, 255, 160, 255), **style)
        self._text_points = style["font_size"]  # the help's and the status line's size before either shrinks to fit
        self._line_height = math.ceil(self._help_lines[0].content_height) or 16
        self._laid_out_for = None
        self._network_line_height = math.ceil(pyglet.text.Label("0", **self._panels["network"]._style).content_height) or 16

    @property
    def hud_text(self) -> str:
        """The text the overlay showed at the last frame, lines joined by newlines (as :meth:`ViewerState.hud_text`)."""
        world, network = (self._panels[name].text_lines() for name in ("world", "network"))
        return "\n".join([*world, *([""] + network if network else [])])

    def hud_boxes(self) -> dict:
        """Where the overlay's panels are: ``{"world": (x, y, width, height), "network": ..., "status": ...}`` in
        window points, origin bottom-left (a panel with no lines, or no status text: None)."""
        boxes = {name: panel.box() for name, panel in self._panels.items()}
        status = self._status
        shown = status.text and (self.state.status or self.state.show_hud)
        boxes["status"] = (status.x, status.y, math.ceil(status.content_width), math.ceil(status.content_height)) \
            if shown else None
        return boxes

    def _layout(self) -> None:
        """Place the help's labels for the window's size (only when it changed; the fonts too, if their size did)."""
        width, height = self.window.get_size()
        if (width, height) == self._laid_out_for:
            return
        if self._fitted_for != (width, height):  # a new size: the text starts at the size's own scale again
            self._fitted_scale = None
        if (self._fitted_scale or hud_font_scale((width, height), self.hud_scale)) != self._hud_font_scale:
            self._make_hud()
        self._laid_out_for = (width, height)
        self._status.text = ""  # fitted to the window's width again at the next draw
        for panel in self._panels.values():
            panel.placed_for = None
        step = self._line_height
        for label in self._help_lines:  # shrunk for a smaller window before: its own size again
            if label.font_size != self._text_points:
                label.font_size = self._text_points
        help_width = max(label.content_width for label in self._help_lines)
        help_height = step * len(self._help_lines)
        shrink = min((width - 36) / max(help_width, 1), (height - 36) / max(help_height, 1))
        if shrink < 1:  # the help is taller or wider than the window: its own text shrinks to fit
            for label in self._help_lines:  # not below 5 pt: a window that small clips it (FreeType draws no 0 pt)
                label.font_size = max(label.font_size * shrink * 0.98, 5.0)
            step = max(math.ceil(self._help_lines[0].content_height), 1)
            help_width = max(label.content_width for label in self._help_lines)
            help_height = step * len(self._help_lines)
        x = max(8, (width - help_width) // 2)
        top = min(height - 8, (height + help_height) // 2)
        for i, label in enumerate(self._help_lines):
            label.position = (x, top - (i + 1) * step, 0)
        self._help_box.position = (x - 10, top - help_height - 12)
        self._help_box.width, self._help_box.height = help_width + 20, help_height + 20
        self._status.position = (10, 8, 0)

    def _layout_hud(self) -> None:
        """Fill and place the overlay's panels for this frame, and tell the state where they are.

        :attr:`ViewerState.hud_rects` gets each panel's box (the network's at the most lines it can
        have, so the framing does not jump when a stage shows fewer) and the status line's band, in
        framebuffer pixels from the top-left corner, with a small gap around each. Panels that do not
        fit (past the window's edge, over each other or the status line, or leaving the scene less than
        :data:`SCENE_SHARE` of the window) are made again with smaller text until they do (down to
        :data:`SMALLEST_HUD_SCALE`); the smaller text stays until the window's size or the scene changes.
        """
        state = self.state
        self._layout()
        if not state.show_hud:
            return
        while True:
            boxes = self._place_panels()
            if self._hud_font_scale <= SMALLEST_HUD_SCALE or hud_fits(
                    self.window.get_size(), boxes, state.scene_box(), self.window.get_framebuffer_size()):
                return
            self._fitted_scale = smaller_hud_scale(self._hud_font_scale)
            self._fitted_for = self.window.get_size()
            self._make_hud()
            self._layout()

    def fit_again(self) -> None:
        """Let the overlay's text grow back to the window's own scale at the next frame (a new scene)."""
        if self._fitted_scale is not None:
            self._fitted_scale = None
            self._laid_out_for = None

    def _place_panels(self) -> list:
        """Place the panels (see :meth:`_layout_hud`); returns every box they and the status line take, in window
        points, origin bottom-left."""
        state = self.state
        world, network = self._panels["world"], self._panels["network"]
        world.set_lines(state.world_lines())
        network.set_lines(state.morph_lines())
        width, height = self.window.get_size()
        world.place(4, height - 4)
        status = 8 + self._line_height + 6  # the status line at the bottom, and a gap
        boxes = [world.box(), (0, 0, width, status)]  # the status line's band
        if network.labels:
            # At the right edge: beside the world panel if both fit across the window, else at the
            # bottom (above the status line) if it fits under the world panel, else just under it.
            # Its box is kept at the most lines it can have (reserved), so nothing jumps between stages.
            reserved = self._network_line_height * state.max_morph_lines() + 12
            x = width - 4 - network.width
            if x >= 4 + world.width + 8:
                network.place(x, height - 4)
                boxes.append((x, height - 4 - reserved, network.width, reserved))
            elif status + reserved <= height - 4 - world.height - 6 and x >= 4:
                network.place(x, status + network.height)
                boxes.append((x, status, network.width, reserved))
            else:
                top = height - 4 - world.height - 6
                network.place(4, top)
                boxes.append((4, top - reserved, network.width, reserved))
        boxes.extend(self._extras.layout(boxes))  # the lab's panels, clear of those
        rects = [(x - 4, height - y - h - 4, w + 8, h + 8) for x, y, w, h in boxes]  # from the top-left corner
        ratio = self.window.get_framebuffer_size()[1] / max(height, 1)  # framebuffer pixels per point
        gap = 6
        state.hud_rects = [(round((x - gap) * ratio), round((y - gap) * ratio), round((w + 2 * gap) * ratio),
                            round((h + 2 * gap) * ratio)) for x, y, w, h in rects]
        return boxes

    def _draw_hud(self) -> None:
        state = self.state
        if state.show_hud:
            self._batch.draw()
        if state.show_help:
            self._help_batch.draw()
        message = state.status or (state.caption() if state.show_hud else "")
        if message:
            if self._status.text != message:
                self._fit_status(message)
            self._status.draw()

    def _fit_status(self, message: str) -> None:
        """Show ``message`` in the status line, its font shrunk (never grown) until it fits across the window."""
        status, room = self._status, self.window.get_size()[0] - 2 * self._status.x
        status.begin_update()
        status.text, status.font_size = message, self._text_points
        status.end_update()
        if status.content_width > room > 0:
            status.font_size = max(self._text_points * room / status.content_width * 0.98, 5.0)

    # -- drawing
    def _set_viewport(self) -> None:
        width, height = self.window.get_framebuffer_size()
        if width > 0 and height > 0:
            self.renderer.resize((width, height))
            self.ctx.screen.viewport = (0, 0, width, height)

    def draw(self, still: bool = False) -> None:
        """Draw one frame into the window's back buffer: the scene, then the overlay on top.

        Both go into the renderer's offscreen (multisampled) framebuffer, which is then resolved and
        copied into the window: what the window shows is exactly what :meth:`read` returns. A scene of
        :data:`MOVING_MSAA_TRIANGLES` or more, while it moves, is drawn single-sampled instead, except
        in a scripted run (``--frames``) and with ``still`` (a frame to save: the S key, the last one).
        """
        state, ctx, renderer = self.state, self.ctx, self.renderer
        lab = state.lab
        if lab is not None:
            lab.frame_begin()  # the training thread waits while the window draws (affine3d.app.training)
        try:
            make_current(self.ctx)
            self._take_snapshot()
            self._move_vertices()
            self._layout_hud()  # first: the panels' room decides where the scene is framed
            # A big scene in motion goes straight into the single-sampled image (no multisampling, no resolve).
            direct = (renderer.msaa_fbo is not None and not still and state.fixed_step is None and state.in_motion
                      and renderer.n_triangles >= MOVING_MSAA_TRIANGLES)
            renderer.draw(state.world, ortho=state.ortho, wireframe=state.wireframe, projection=state.projection(),
                          naive_normals=state.naive_normals, framebuffer=renderer.fbo if direct else None)
            self._extras.draw_scene()  # over the scene: the lattice, the basis arrows
            # The overlay lies on top of everything: no depth test, no culling, pyglet's own shaders,
            # drawn into the framebuffer the renderer left bound.
            ctx.disable(ctx.DEPTH_TEST | ctx.CULL_FACE)
            self._draw_hud()
            self._extras.draw_overlay()
        finally:
            if lab is not None:
                lab.frame_end()
        if renderer.msaa_fbo is not None and not direct:
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

    def save(self, path, *, replace: bool = True) -> Path:
        """Save the frame just drawn (overlay included) as a PNG; returns the path.

        Written through a temporary file renamed over ``path`` (a file there is replaced whole, never
        left half-written); ``replace=False`` refuses an existing file instead (UsageError).
        """
        path = save_png(self.read(), path, "--screenshot", replace=replace)
        self.saved.append(path)
        return path

    def _save_screenshot(self) -> None:
        """The --screenshot frame: saved once; a failure (a full disk) is kept for :meth:`run` to raise."""
        path, self.screenshot_path = self.screenshot_path, None
        replacing = replaces(path)
        try:
            saved = self.save(path)
        except InputError as exc:
            self.save_error = exc
            self.pyglet.app.exit()
        else:
            self._saved(saved, replacing)

    def step(self, dt_s: float = 1 / 60, flip: bool = True) -> None:
        """One frame without the event loop: events, ``update(dt_s)``, draw, swap (tests, benchmarks)."""
        self.window.dispatch_events()
        self.state.update(dt_s)
        self.on_draw()
        if flip and not self.closed:
            self.window.flip()

    def run(self, frames: int | None = None, screenshot=None, fps: float = 60.0, announce: bool = True) -> None:
        """The event loop: redraw ``fps`` times a second until the window closes (or ``frames`` are drawn).

        Parameters
        ----------
        frames : int, optional
            Quit after this many frames. The clock then advances ``1 / fps`` seconds a frame (frame 1
            at 0 s), not with the wall clock: the same call draws the same frames.
        screenshot : path, optional
            Save the last frame there (with ``frames``: frame number ``frames``; else the frame on
            screen when the window closes).
        announce : bool
            Print ``saved PATH`` when it is saved (the caller may say it in its own words instead).
        """
        pyglet = self.pyglet
        self.frame_limit = frames
        self.screenshot_path = Path(screenshot) if screenshot else None
        self._announce = announce
        self.save_error = None
        if frames is not None:
            # Scripted: time moves one fixed step per frame drawn, not with the wall clock, so spin and
            # playback reach the same place at frame N however fast this machine draws.
            self.state.use_fixed_step(1 / fps)
        else:
            pyglet.clock.schedule(self._tick)
        try:
            pyglet.app.run(1 / fps)
        finally:
            pyglet.clock.unschedule(self._tick)
            self.close()
            # app.run() switches windows to immediate event dispatch and leaves it so; a window made
            # afterwards (a second viewer in the same process) would then get on_resize half-built.
            pyglet.window.Window._enable_event_queue = True
        if self.save_error is not None:  # the screenshot could not be written: the command says so, exit 2
            raise self.save_error

    def _saved(self, path: Path, replacing: bool = False) -> None:
        if getattr(self, "_announce", True):
            message = _("saved {path}, replacing the file that was there") if replacing else _("saved {path}")
            print(message.format(path=path))

    def _tick(self, dt_s: float) -> None:
        self.state.update(dt_s)

    def screenshot_name(self) -> Path:
        """``affine3d-SCENE-NNN.png`` in the working directory, the first number not taken."""
        stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in scene_key(self.state.scene)) or "scene"
        for n in range(1, 10000):
            path = Path(f"affine3d-{stem}-{n:03d}.png")
            if not os.path.lexists(path):
                return path
        raise UsageError(f"affine3d-{stem}-*.png: 9999 screenshots already; move some away")

    def save_new_screenshot(self) -> Path:
        """The S key: the frame on screen as a new ``affine3d-SCENE-NNN.png``; never replaces a file.

        The name is claimed with an exclusive create, so a file that appears meanwhile (another
        viewer's) is skipped, not overwritten.
        """
        for _attempt in range(100):
            path = self.screenshot_name()
            try:
                return self.save(path, replace=False)
            except UsageError:
                if not os.path.lexists(path):  # not a name clash: a full disk, a read-only folder
                    raise
        raise UsageError("S: no free screenshot name after 100 tries")

    def close(self) -> None:
        """Save the pending screenshot, release the GPU objects, close the window (safe to call twice)."""
        if self.closed:
            return
        self.closed = True
        try:
            if self.screenshot_path is not None:  # closed before --frames ran out: save what is on screen
                self.draw(still=True)
                self._save_screenshot()
            self.state.close_lab()
            make_current(self.ctx)
            self._extras.release()
            self._release_renderer()
        finally:
            self.state.close_lab()
            self.window.close()
            self.pyglet.app.exit()

    # -- pyglet event handlers (the window calls these; they translate and delegate)
    def on_draw(self):
        if self.closed or (self.frame_limit is not None and self.state.frames >= self.frame_limit):
            return True  # closed, or the scripted frames are done (pyglet may ask once more before it exits)
        self.state.next_frame()  # a scripted run's fixed step (nothing otherwise)
        self.draw()
        now = time.perf_counter()
        self.state.frame_drawn(now)
        if self.frame_limit is not None and self.state.frames >= self.frame_limit:
            if self.screenshot_path is not None:
                self._save_screenshot()
            self.pyglet.app.exit()
        return True

    def on_resize(self, width, height):
        make_current(self.ctx)
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
            self.draw(still=True)  # the back buffer holds the frame to save, antialiased
            try:
                path = self.save_new_screenshot()
            except InputError as exc:  # a full disk must not end the session: say it, in the overlay too
                print(f"affine3d view: {one_line(exc)}", file=sys.stderr)
                self.state.say(_("not saved: {reason}").format(reason=exc))
            else:
                print(_("saved {path}").format(path=path.resolve()))
                self.state.say(_("saved {path}").format(path=path))
        elif action == "scene":
            self._load_renderer()
        elif action == "shading":
            make_current(self.ctx)
            self.renderer.set_shading(self.state.shading)
        return True

    def on_text(self, text):
        if text == "?":
            self.state.key("?")
        return True

    def on_close(self):
        self.close()
        return True

    def _load_renderer(self) -> None:
        make_current(self.ctx)
        self._release_renderer()
        self._make_renderer(self.state.scene)
        self.fit_again()  # another scene's panels may need less room
        self.window.set_caption(f"affine3d view: {scene_words(self.state.scene.name)}")

    # -- a network warping the scene (affine3d.nn.morph, affine3d.gl.morph)
    def _network_for(self, scene):
        """``(mlp, name)`` that warps ``scene``: the one given to the viewer, else the scene's mlp key, else None."""
        if self.mlp is not None:
            return self.mlp, self.mlp_name
        if getattr(scene, "mlp", None) is None:
            return untrained_network(scene, self.state)
        mlp = self.models.get(scene.mlp)
        if mlp is None:
            try:
                mlp = load_model(scene.mlp, what=f"{scene.name}: mlp {scene.mlp.name}")
            except ModelError as exc:  # a broken model file: say so on screen, show the scene unwarped
                self.state.say(one_line(exc))
                return None, ""
            self.models[scene.mlp] = mlp
        return mlp, scene.mlp.name

    def _make_renderer(self, scene) -> None:
        """A Renderer for ``scene``; with a network, a MorphingScene's (vertices moved on the GPU each frame)."""
        mlp, name = self._network_for(scene)
        size = self.window.get_framebuffer_size()
        self._shown = None
        if mlp is None:
            self.morphing = None
            self.renderer = Renderer(self.ctx, scene, size, samples=self.samples, shading=self.state.shading)
            self.state.set_morph(None)
            return
        self.morphing = MorphingScene(self.ctx, scene, mlp, size, samples=self.samples, shading=self.state.shading,
                                      path=self.path)
        self.renderer = self.morphing.renderer
        self.state.set_morph(self.morphing.morph, name)

    def _take_snapshot(self) -> None:
        """Live training published a newer network: warp with it from this frame on (same sizes, same stage)."""
        lab = self.state.lab
        shot = lab.take() if lab is not None and self.morphing is not None else None
        if shot is None:
            return
        self.morphing.set_network(shot.mlp)
        self.state.replace_network(self.morphing.morph)
        self._shown = None

    def _move_vertices(self) -> None:
        """Put the warped scene where the player is (a GPU pass, only when the stage or t changed)."""
        frame = self.state.morph_frame()
        if self.morphing is None or frame is None:
            return
        key = (frame[0].index, frame[1])
        if key != self._shown:
            self.morphing.show(*frame)
            self._shown = key
            self.state.inside_out = any(self.morphing.inside_out)  # drawn hatched; the overlay says so

    def _release_renderer(self) -> None:
        if self.morphing is not None:
            self.morphing.release()
            self.morphing = None
        else:
            self.renderer.release()
