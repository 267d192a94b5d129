"""The viewer's lab: train the network you are looking at, live (key L), and start again (Backspace).

Window-free, like :mod:`affine3d.app.state`: a :class:`Lab` knows the experiment (what the scene's
``[train]`` table asks for: :func:`affine3d.nn.targets.experiment_from_table`), runs it in a
:class:`~affine3d.app.training.LiveTraining` thread, answers the keys, and says what the overlay shows
(the text, the loss curve). The window (:mod:`affine3d.app.window`) asks it each frame for a newer
snapshot (:meth:`Lab.take`) and redraws the warped scene with that network.
"""

from __future__ import annotations

import numpy as np

from ..errors import InputError
from ..i18n import _
from ..images import curve_points
from ..nn.targets import experiment_from_table
from .training import LiveTraining

__all__ = ["Lab"]


class Lab:
    """Live training of the scene's network in the viewer.

    Parameters
    ----------
    experiment : Experiment
        Target, network sizes, optimizer, seed, epochs per run.
    points : ndarray, shape (N, 3)
        The scene's vertices in world space: what the network trains on.
    running : bool
        Start training at once.
    epochs_per_frame : int, optional
        Train this many epochs before each frame, in the window's thread (a scripted run), not in a thread.
    """

    def __init__(self, experiment, points, *, running: bool = False, epochs_per_frame: int | None = None):
        self.experiment = experiment
        self.training = LiveTraining(experiment, points, running=running, epochs_per_frame=epochs_per_frame)
        self._taken = None  # the version of the last snapshot the window drew
        self._curve = (None, None)  # (snapshot, its curve): made once per snapshot, drawn every frame

    @classmethod
    def for_scene(cls, scene, network=None, target=None, *, running: bool = False,
                  epochs_per_frame: int | None = None) -> "Lab":
        """The lab a scene asks for: its ``[train]`` table, else the network's sizes; ``target`` overrides.

        A target name that the scene file gets wrong is reported with the file's name.
        """
        try:
            experiment = experiment_from_table(getattr(scene, "train", None), network, target)
        except InputError as exc:
            where = getattr(scene, "path", None)
            raise type(exc)(f"{where.name if where else scene.name}: train: {exc}") from None
        return cls(experiment, scene.world_points(), running=running, epochs_per_frame=epochs_per_frame)

    # ------------------------------------------------------------------ keys and frames
    def key(self, name: str) -> str | None:
        """L: train / pause; Backspace: start again from the seed. Returns a status message, or None if not ours."""
        if name == "l":
            running = self.training.toggle()
            return _("training on (L)") if running else _("training paused (L)")
        if name == "backspace":
            self.training.rewind()
            return _("training rewound to epoch 0, seed {seed} (Backspace)").format(seed=self.experiment.seed)
        return None

    def take(self):
        """The newest snapshot if the window has not drawn it yet, else None (the window's thread calls this)."""
        version = self.training.version
        if version == self._taken:
            return None
        self._taken = version
        return self.training.snapshot()

    def frame_begin(self) -> None:
        self.training.frame_begin()

    def frame_end(self) -> None:
        self.training.frame_end()

    def close(self) -> None:
        self.training.close()

    # ------------------------------------------------------------------ what the overlay shows
    def lines(self) -> list[str]:
        """The training panel: epoch and loss, what is learnt by which network, the keys; a target's own notes."""
        shot = self.training.snapshot()
        state = (_("stopped") if shot.stopped else _("training") if shot.running
                 else (_("done") if shot.done else _("paused")))
        loss = "-" if shot.loss is None else f"{shot.loss:.3g}"
        lines = [_("live training: epoch {epoch}  mse {loss}  {state}").format(epoch=shot.epoch, loss=loss, state=state),
                 *self.experiment.describe()]
        if shot.stopped:
            lines.append(shot.stopped)
        if shot.note:
            lines.append(shot.note)
        lines.append(_("L: train/pause  Backspace: start again"))
        return lines

    def curve(self) -> np.ndarray:
        """The loss curve so far in the unit square (:func:`affine3d.images.curve_points`)."""
        shot = self.training.snapshot()
        if self._curve[0] is not shot:
            self._curve = (shot, curve_points(shot.losses))
        return self._curve[1]

    def loss_range(self) -> tuple[float, float] | None:
        """The smallest and largest loss so far (the curve's bottom and top), or None before the first epoch."""
        losses = self.training.snapshot().losses
        if not losses:
            return None
        return float(min(losses)), float(max(losses))
