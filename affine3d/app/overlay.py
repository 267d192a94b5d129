"""The lab's additions to the viewer's picture: live training, a picked vertex's trace, the lattice.

:class:`LabOverlay` belongs to a :class:`affine3d.app.window.Viewer` and draws, each frame, what the
window-free parts of the lab say (:mod:`affine3d.app.lab`, :mod:`affine3d.app.picking`,
:mod:`affine3d.cpu.trace`, :mod:`affine3d.app.lattice`): in the scene's space
(:meth:`LabOverlay.draw_scene`, right after the scene: the lattice and the basis arrows) and on top
of the picture (:meth:`LabOverlay.draw_overlay`, after the HUD's panels: the training panel and its
loss curve, the trace panel and the mark on the picked vertex, the basis panel with the matrix's
columns in the arrows' colours). It also listens to the mouse for clicks (a press and a release
without a drag) and picks the vertex nearest the click. Everything here runs on the window's thread;
pyglet is handed in by the viewer (it is imported only when a window is made).
"""

from __future__ import annotations

import numpy as np

from ..cpu.trace import format_vector, trace_vertex
from ..errors import one_line
from ..geometry.scene_texts import scene_words
from ..i18n import _
from ..nn.targets import Target, experiment_from_table
from .lattice import BASIS_COLORS, Basis, LatticeDrawer, basis_for
from .picking import pick

__all__ = ["LabOverlay", "untrained_network"]

CURVE_HEIGHT_LINES = 5
"""The loss curve takes the height of this many text lines at the bottom of the training panel."""
CURVE_POINTS = 120
"""At most this many points in the loss curve (the epochs are binned to fit)."""
CLICK_SLOP = 3
"""A press and release at most this many window points apart, with no drag between, is a click."""
MARK_COLOR = (255, 214, 0, 255)
"""The ring around the picked vertex: yellow, over everything."""


def untrained_network(scene, state) -> tuple:
    """``(mlp, name)`` for a scene with a ``[train]`` table (or a script's Target) and no network file: the seeded start."""
    table = getattr(scene, "train", None)
    if table is None and not isinstance(state.lab_target, Target):  # a script's own Target trains in any scene
        return None, ""
    try:
        experiment = experiment_from_table(table, None, state.lab_target)
    except ValueError as exc:  # an unknown target name in the file: say so, show the scene unwarped
        state.say(f"{scene.name}: train: {one_line(exc)}")
        return None, ""
    return experiment.start(), _("untrained (seed {seed}: L trains it)").format(seed=experiment.seed)


def compact_trace(rows) -> list[str]:
    """The trace table in the viewer's panel: ``name = (values)  space``, three decimals."""
    width = max(len(row.name) for row in rows)
    values = [format_vector(row.value, 3) for row in rows]
    value_width = max(len(v) for v in values)
    return [f"{row.name:<{width}} = {value:<{value_width}}  {row.space}" for row, value in zip(rows, values)]


class Polyline:
    """A polyline of at most ``n`` points in window coordinates: one pyglet vertex list of line segments.

    Made once; :meth:`set` rewrites its vertices in place (unused segments collapse onto the last
    point), so a curve that changes every frame costs no new GPU objects and no Python per-point loop.
    """

    def __init__(self, pyglet, batch, parent, n: int, color):
        gl = pyglet.gl
        program = pyglet.shapes.get_default_shader()  # pyglet's own 2D shader: position, colour, translation, rotation

        class _Program(pyglet.graphics.Group):
            def set_state(self):
                program.bind()
                gl.glEnable(gl.GL_BLEND)
                gl.glBlendFunc(gl.GL_SRC_ALPHA, gl.GL_ONE_MINUS_SRC_ALPHA)

            def unset_state(self):
                gl.glDisable(gl.GL_BLEND)
                program.unbind()

        self.n = n
        count = 2 * (n - 1)
        self.vertices = program.vertex_list(count, gl.GL_LINES, batch, _Program(parent=parent),
                                            position=("f", [0.0] * (2 * count)), colors=("Bn", tuple(color) * count),
                                            translation=("f", [0.0] * (2 * count)), rotation=("f", [0.0] * count))

    def set(self, xy: np.ndarray) -> None:
        """Show the points ``xy`` (k, 2), k <= n, joined in order (k < 2: nothing)."""
        xy = np.asarray(xy, dtype=np.float32)[: self.n]
        segments = np.zeros((self.n - 1, 2, 2), dtype=np.float32)
        if len(xy) >= 2:
            segments[: len(xy) - 1, 0] = xy[:-1]
            segments[: len(xy) - 1, 1] = xy[1:]
            segments[len(xy) - 1:] = xy[-1]  # the rest: zero-length, at the last point
        self.vertices.position[:] = segments.ravel().tolist()

    def delete(self) -> None:
        self.vertices.delete()


class LabOverlay:
    """Panels and marks of the lab in one viewer's window.

    The window calls, each frame: :meth:`layout` (while it lays out its own panels, before the scene is
    framed: the lab's panels are placed clear of the HUD's and count as taken room, so the scene is
    framed clear of them too), :meth:`draw_scene` (after the scene) and :meth:`draw_overlay` (after
    its HUD); and :meth:`restyle` whenever it makes its panels (again) at a font size.

    Parameters
    ----------
    viewer : Viewer
        The window it draws into (its ``pyglet``, ``window``, ``state``, ``ctx``, renderer and ``hud_boxes()``).
    """

    def __init__(self, viewer):
        self.viewer = viewer
        self.pyglet = viewer.pyglet
        self.batch = None
        self.training = self.trace = self.basis_panel = None
        self._press = None          # (x, y) of a left press that may become a click
        self._lattice = None        # LatticeDrawer, made at the first G
        self._basis = None          # what G shows this frame: a Basis, or a message
        self._rows = None           # the picked vertex's trace this frame
        self._taken = []            # boxes of the panels placed this frame (the HUD's and ours)
        self._drop_marks()

    def restyle(self, batch, groups, font, scale: float, make_panel) -> None:
        """Make the panels (again) at the HUD's font ``scale``: ``make_panel(points) -> panel`` in ``batch``."""
        if self.batch is not None:
            for panel in (self.training, self.trace, self.basis_panel):
                panel.release()
            for label in [*self._curve_labels, *self._columns]:
                label.delete()
            for shape in (self._curve, self._mark):
                if shape is not None:
                    shape.delete()
        self.batch, self.groups, self.font, self.scale = batch, groups, font, float(scale)
        self.training = make_panel(10 * scale)
        self.trace = make_panel(9 * scale)
        self.basis_panel = make_panel(10 * scale)
        self._drop_marks()

    def _drop_marks(self) -> None:
        self._curve = None          # Polyline of the loss curve
        self._curve_for = None      # (points, box) it was drawn for
        self._curve_labels = []
        self._columns = []          # the basis panel's coloured cells
        self._mark = None           # the ring around the picked vertex

    # ------------------------------------------------------------------ the mouse: a click picks a vertex
    def listen(self) -> None:
        """Watch the window's mouse (after the viewer's own handlers are pushed: ours run first and pass the event on)."""
        self.viewer.window.push_handlers(on_mouse_press=self._on_press, on_mouse_drag=self._on_drag,
                                         on_mouse_release=self._on_release)

    def _on_press(self, x, y, button, modifiers):
        left = button == self.pyglet.window.mouse.LEFT and not modifiers & self.pyglet.window.key.MOD_SHIFT
        self._press = (x, y) if left else None

    def _on_drag(self, x, y, dx, dy, buttons, modifiers):
        if self._press is not None and max(abs(x - self._press[0]), abs(y - self._press[1])) > CLICK_SLOP:
            self._press = None  # a drag turns the world; it picks nothing

    def _on_release(self, x, y, button, modifiers):
        if self._press is not None and max(abs(x - self._press[0]), abs(y - self._press[1])) <= CLICK_SLOP:
            self.click(x, y)
        self._press = None

    def click(self, x: float, y: float) -> None:
        """Pick the vertex nearest ``(x, y)`` (window points, origin bottom-left), as drawn; none near: clear the pick."""
        viewer, state = self.viewer, self.viewer.state
        drawn = viewer.morphing.scene if viewer.morphing is not None else state.scene
        width, height = viewer.window.get_size()
        fb_width, fb_height = viewer.renderer.size
        click_px = (x * fb_width / width, (height - y) * fb_height / height)  # pixels, rows from the top
        found = pick(drawn, state.world, state.projection(), (fb_width, fb_height), click_px)
        state.picked = found
        if found is None:
            state.say(_("no vertex near the click: trace off (click a vertex to follow it through every map)"))
        else:
            name = scene_words(state.scene.objects[found.obj].name)
            state.say(_("vertex {vertex} of {name} (object {number}): its way through every map is in the panel").format(
                vertex=found.vertex, name=name, number=found.obj))

    def trace_rows(self):
        """The picked vertex's table for the frame on screen (the network up to the stage shown), or None."""
        state = self.viewer.state
        if state.picked is None:
            return None
        frame = state.morph_frame()
        morph = None if frame is None or state.player.at_input else state.morph
        stage, t = (frame if morph is not None else (None, 1.0))
        return trace_vertex(state.scene, state.picked.obj, state.picked.vertex, self.viewer.renderer.size, state.world,
                            ortho=state.ortho, morph=morph, stage=stage, t=t, projection=state.projection())

    # ------------------------------------------------------------------ the panels' places
    def layout(self, taken) -> list[tuple[float, float, float, float]]:
        """Fill and place the lab's panels clear of ``taken`` (the HUD's boxes: x, y, width, height in window
        points, origin bottom-left); returns the boxes they take, the same way: the scene is framed clear
        of them too (it moves aside once, when L, G or a click opens a panel; the ring follows the vertex).
        """
        viewer, state = self.viewer, self.viewer.state
        width, height = viewer.window.get_size()
        self._taken = list(taken)
        mine = len(self._taken)
        bottom = 30 * self.scale  # above the status line
        lab = state.lab
        if lab is None:
            self.training.set_lines([])
        else:
            self.training.set_lines(lab.lines() + [""] * CURVE_HEIGHT_LINES)
            self._place(self.training, 4, bottom)
        self._basis = self.current_basis()
        self._layout_basis(4, bottom)
        self._rows = self.trace_rows()
        if self._rows is None:
            self.trace.set_lines([])
        else:
            picked = state.picked
            head = _("vertex {vertex} of {name} (object {number})").format(
                vertex=picked.vertex, name=scene_words(state.scene.objects[picked.obj].name), number=picked.obj)
            self.trace.set_lines([head, *compact_trace(self._rows)])
            self._place(self.trace, max(4, width - 4 - self.trace.width), bottom)
        return self._taken[mine:]

    def _place(self, panel, x: float, bottom: float) -> None:
        """Put ``panel`` at ``x`` with its bottom at ``bottom`` or, if a panel is there already, just above it."""
        for _attempt in range(len(self._taken) + 1):
            clash = [by + bh for bx, by, bw, bh in self._taken
                     if x < bx + bw and bx < x + panel.width and bottom < by + bh and by < bottom + panel.height]
            if not clash:
                break
            bottom = max(clash) + 6
        panel.place(round(x), round(bottom + panel.height))
        self._taken.append(panel.box())

    # ------------------------------------------------------------------ in the scene
    def current_basis(self):
        """What key G shows now: a :class:`~affine3d.app.lattice.Basis`, a message, or None (G off)."""
        state = self.viewer.state
        if state.lattice is None:
            return None
        frame = state.morph_frame()
        if state.lattice == "layer" and frame is not None:
            return basis_for(state.world, frame[0], frame[1], mode="layer")
        return basis_for(state.world, mode="world" if state.lattice == "world" else "layer")

    def draw_scene(self) -> None:
        """The lattice and the basis arrows, over the scene just drawn (key G)."""
        viewer, state = self.viewer, self.viewer.state
        basis = self.current_basis()  # what the world and the stage are now (the overlay may be hidden)
        if not isinstance(basis, Basis):
            return
        if self._lattice is None:
            self._lattice = LatticeDrawer(viewer.ctx)
        self._lattice.draw(basis, state.world, state.projection(), viewer.renderer.size)

    # ------------------------------------------------------------------ on top
    def draw_overlay(self) -> None:
        """The lab's panels and marks, over the picture (only while the HUD is shown)."""
        viewer, state = self.viewer, self.viewer.state
        if not state.show_hud:
            return
        lab = state.lab
        if lab is None:
            self._set_curve(None, None)
        else:
            x, y, w, h = self.training.box()
            line = self.training.line_height
            self._set_curve(lab, (x + 10 * self.scale, y + 8 * self.scale, w - 20 * self.scale,
                                  line * CURVE_HEIGHT_LINES - 8 * self.scale))
        self._set_columns()
        self._set_mark()
        self.batch.draw()

    def _set_mark(self) -> None:
        """The ring around the picked vertex, where the scene drawn this frame has it."""
        rows = self.trace_rows() if self._rows is not None else None  # the projection the scene was drawn with
        where = None
        if rows is not None:
            width, height = self.viewer.window.get_size()
            fb_width, fb_height = self.viewer.renderer.size
            x_px, y_px, _depth = rows[-1].value
            where = (x_px * width / fb_width, height - y_px * height / fb_height)
        if where is None or not all(np.isfinite(where)):
            if self._mark is not None:
                self._mark.visible = False
            return
        if self._mark is None:
            top = self.pyglet.graphics.Group(order=2)  # over the panels: the picked vertex stays visible
            self._mark = self.pyglet.shapes.Arc(0, 0, 8 * self.scale, thickness=2, color=MARK_COLOR,
                                                batch=self.batch, group=top)
        self._mark.visible = True
        self._mark.position = (float(where[0]), float(where[1]))

    def _layout_basis(self, x: float, bottom: float) -> None:
        """The basis panel's lines (key G): its title, a header, room for [A | b], what the arrows are."""
        basis, panel = self._basis, self.basis_panel
        if not isinstance(basis, Basis):
            panel.set_lines([] if basis is None else [basis])
        else:
            panel.set_lines([basis.title, "    A e1     A e2     A e3  |       b", *([" " * 37] * 3),
                             _("arrows: from b to A e_i + b (the images of e1, e2, e3)")])
        if panel.labels:
            self._place(panel, x, bottom)

    def _set_columns(self) -> None:
        """The numbers of [A | b] in the basis panel, one label per cell, in its column's colour."""
        basis, panel = self._basis, self.basis_panel
        if not isinstance(basis, Basis):
            for label in self._columns:
                label.visible = False
            return
        pyglet, (_back, front) = self.pyglet, self.groups
        if not self._columns:
            style = dict(font_name=self.font, font_size=10 * self.scale, batch=self.batch, group=front)
            colors = [tuple(int(255 * c) for c in rgb) + (255,) for rgb in BASIS_COLORS] + [(235, 235, 235, 255)]
            self._columns = [pyglet.text.Label("", color=colors[c], **style) for _row in range(3) for c in range(4)]
        labels = panel.labels
        char = labels[1].content_width / len(labels[1].text)
        numbers = [[f"{round(float(v), 3) + 0.0:8.3f}" for v in row] for row in np.column_stack([basis.A, basis.b])]
        for r, row in enumerate(numbers):
            x0, y0 = labels[2 + r].x, labels[2 + r].y
            for c, cell in enumerate(row):
                label = self._columns[4 * r + c]
                where = (x0 + (c * 9 + (3 if c == 3 else 0)) * char, y0, 0)
                if label.text != cell:
                    label.text = cell
                if label.position != where:
                    label.position = where
                label.visible = True

    def _set_curve(self, lab, box) -> None:
        """The loss curve inside ``box`` (x, y, width, height), rewritten only when it changed."""
        points = None if lab is None else lab.curve()
        key = None if points is None else (points.tobytes(), box)
        if key == self._curve_for:
            return
        self._curve_for = key
        pyglet = self.pyglet
        batch, (_back, front) = self.batch, self.groups
        if self._curve is None:  # made once; then only its vertices and the labels' text change
            self._curve = Polyline(pyglet, batch, front, CURVE_POINTS, (120, 200, 255, 255))
            style = dict(font_name=self.font, font_size=8 * self.scale, color=(170, 170, 170, 255), batch=batch,
                         group=front)
            self._curve_labels = [pyglet.text.Label("", anchor_x="right", anchor_y="top", **style),
                                  pyglet.text.Label("", anchor_x="left", anchor_y="bottom", **style)]
        top, bottom = self._curve_labels
        if points is None or len(points) < 2:
            self._curve.set(np.zeros((0, 2)))
            top.text = bottom.text = ""
            return
        x, y, w, h = box
        self._curve.set(np.column_stack([x + points[:, 0] * w, y + points[:, 1] * h]))
        # The curve runs from the top left (the first, largest losses) to the bottom right: labels in the other corners.
        low, high = lab.loss_range()
        for label, text, where in ((top, _("loss {value} (log scale)").format(value=f"{high:.1e}"), (x + w, y + h, 0)),
                                   (bottom, _("{value}, epochs ->").format(value=f"{low:.1e}"), (x, y, 0))):
            if label.text != text:
                label.text = text
            if label.position != where:
                label.position = where

    def release(self) -> None:
        """Free the lattice's GPU objects (the window's context is current)."""
        if self._lattice is not None:
            self._lattice.release()
            self._lattice = None
