"""The lab's additions to the viewer's picture: the training panel and its loss curve (more to come).

:class:`LabOverlay` belongs to a :class:`affine3d.app.window.Viewer` and draws, each frame, what the
window-free parts of the lab (:mod:`affine3d.app.lab`) say: in the scene's own 3D space
(:meth:`LabOverlay.draw_scene`, right after the scene, with its depth) and on top of the picture, in
the overlay (:meth:`LabOverlay.draw_overlay`, after the HUD's panels). Everything here runs on the
window's thread; pyglet is handed in by the viewer (it is imported only when a window is made).
"""

from __future__ import annotations

import numpy as np

from ..nn.targets import experiment_from_table

__all__ = ["LabOverlay", "untrained_network"]

CURVE_HEIGHT_LINES = 5
CURVE_POINTS = 120
"""The loss curve takes the height of this many text lines at the bottom of the training panel."""


def untrained_network(scene, state) -> tuple:
    """``(mlp, name)`` for a scene with a ``[train]`` table and no network file: the experiment's seeded start."""
    table = getattr(scene, "train", None)
    if table is None:
        return None, ""
    try:
        experiment = experiment_from_table(table, None, state.lab_target)
    except ValueError as exc:  # an unknown target name in the file: say so, show the scene unwarped
        state.say(f"{scene.name}: train: {' '.join(str(exc).split())}")
        return None, ""
    return experiment.start(), f"untrained (seed {experiment.seed}: L trains it)"


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

    Parameters
    ----------
    viewer : Viewer
        The window it draws into (its ``pyglet``, ``window``, ``state``, ``ctx`` and renderer).
    make_panel : callable
        ``make_panel(font_size) -> panel``: a box of text lines like the HUD's own (the window's ``_Panel``).
    """

    def __init__(self, viewer, make_panel):
        self.viewer = viewer
        self.pyglet = viewer.pyglet
        self.training = make_panel(10)
        self._curve = None          # pyglet MultiLine of the loss curve
        self._curve_for = None      # (points, box) it was made for
        self._curve_labels = []

    # ------------------------------------------------------------------ in the scene
    def draw_scene(self) -> None:
        """Marks drawn into the scene's framebuffer, with its depth buffer (none yet)."""

    # ------------------------------------------------------------------ on top
    def draw_overlay(self) -> None:
        """The lab's panels, over the picture (only while the HUD is shown)."""
        viewer, state = self.viewer, self.viewer.state
        if not state.show_hud:
            return
        width, height = viewer.window.get_size()
        lab = state.lab
        if lab is None:
            self.training.set_lines([])
            self._set_curve(None, None)
        else:
            lines = lab.lines()
            self.training.set_lines(lines + [""] * CURVE_HEIGHT_LINES)
            self.training.place(4, 30 + self.training.height)  # bottom left, above the status line
            x, y, w, h = self.training.box()
            curve_box = (x + 10, y + 8, w - 20, self.training.line_height * CURVE_HEIGHT_LINES - 8)
            self._set_curve(lab, curve_box)
        self.viewer._extras_batch.draw()

    def _set_curve(self, lab, box) -> None:
        """The loss curve inside ``box`` (x, y, width, height), rewritten only when it changed."""
        points = None if lab is None else lab.curve()
        key = None if points is None else (points.tobytes(), box)
        if key == self._curve_for:
            return
        self._curve_for = key
        pyglet = self.pyglet
        batch, (_, front) = self.viewer._extras_batch, self.viewer._extras_groups
        if self._curve is None:  # made once; then only its vertices and the labels' text change
            self._curve = Polyline(pyglet, batch, front, CURVE_POINTS, (120, 200, 255, 255))
            style = dict(font_name=self.viewer._font, font_size=8, color=(170, 170, 170, 255), batch=batch, group=front)
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
        for label, text, where in ((top, f"loss {high:.1e} (log scale)", (x + w, y + h, 0)),
                                   (bottom, f"{low:.1e}, epochs ->", (x, y, 0))):
            if label.text != text:
                label.text = text
            if label.position != where:
                label.position = where

    def release(self) -> None:
        """Free what this drew with (GPU buffers of the marks; none yet)."""
