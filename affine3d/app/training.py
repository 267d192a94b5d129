"""Live training: a network learns in a background thread while the viewer draws it.

The training thread owns one :class:`affine3d.nn.train.Training` (the weights and the optimizer's state)
and nothing else: it never touches what the window draws. Every so often it *publishes* a
:class:`Snapshot`, an immutable record holding a new :class:`~affine3d.nn.mlp.MLP` (built from copies of
the weights), the epoch and the loss curve so far. The window's thread takes the newest snapshot when it
draws a frame and builds its own morph and GPU buffers from it, so every OpenGL call stays on the
window's thread, and a snapshot, once published, is never changed by anyone.

The window goes first. One thread at a time runs Python (the GIL), so a training thread busy in
Python would make the window wait; instead, while the window draws a frame (between
:meth:`LiveTraining.frame_begin` and :meth:`LiveTraining.frame_end`) the training thread waits at the
end of its current epoch, and it trains while the window waits for the next frame, the display, or
the GPU. The interpreter's switch interval is shortened while a training thread exists (and put back
when the last one ends), so that the window gets the interpreter back within half a millisecond
whenever it asks, and on Linux the training thread runs at a lower scheduling priority, so that on a
busy machine the window's threads (a software GPU's too) get the processor first.

Everything random comes from the experiment's seed: :meth:`LiveTraining.rewind` starts again from the
same network, and the same epochs give the same losses, whatever the timing of the frames.

A scripted run (``affine3d view --train --frames N``) has a fixed clock, so its training is fixed too:
:meth:`LiveTraining.lockstep` ends the thread and trains :data:`SCRIPTED_EPOCHS_PER_FRAME` epochs in the
window's thread before each frame after the first, so frame N shows epoch ``(N - 1) * 10`` on every machine,
every run.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import numpy as np

from ..errors import ModelError

from ..nn.mlp import MLP

__all__ = ["Snapshot", "LiveTraining", "SWITCH_INTERVAL_S", "SCRIPTED_EPOCHS_PER_FRAME"]

SCRIPTED_EPOCHS_PER_FRAME = 10
"""Epochs trained per frame in a scripted run (``--frames``): frame N shows epoch ``(N - 1) * 10``."""

SWITCH_INTERVAL_S = 0.0005
"""The interpreter's switch interval while a training thread runs (Python's default is 0.005 s)."""

PUBLISH_EVERY_S = 1 / 15
"""How often the training thread hands the window a new network (at most; and at every pause): often enough to
watch the solid change, rarely enough that the window's work for each (the morph, the text) stays small."""

WATCH_EVERY_S = 0.25
"""How often a target's measurement (the rings' linking number) is taken again while training."""

TRAINING_NICENESS = 10
"""The training thread's scheduling priority below the window's (Unix ``nice``; where threads can have one)."""


def _lower_priority() -> None:
    """Run the calling thread at a lower priority: on a busy machine the window's threads (and a software GPU's,
    such as Mesa's llvmpipe, which draws on these same cores) get the processor first. Linux sets it per thread;
    elsewhere this does nothing."""
    import os

    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), TRAINING_NICENESS)
    except (AttributeError, OSError):  # no per-thread priorities here (macOS, Windows): the window still goes first
        pass


_SWITCH = {"threads": 0, "saved": None}  # training threads alive, and the switch interval before the first
_SWITCH_LOCK = threading.Lock()


def _shorten_switch_interval() -> None:
    with _SWITCH_LOCK:
        if _SWITCH["threads"] == 0:
            _SWITCH["saved"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_SWITCH["saved"], SWITCH_INTERVAL_S))
        _SWITCH["threads"] += 1


def _restore_switch_interval() -> None:
    with _SWITCH_LOCK:
        _SWITCH["threads"] -= 1
        if _SWITCH["threads"] == 0:
            sys.setswitchinterval(_SWITCH["saved"])


@dataclass(frozen=True)
class Snapshot:
    """What the training has reached, as the window may draw it: nothing in it changes afterwards.

    Attributes
    ----------
    epoch : int
        Epochs done.
    mlp : MLP
        A new network with the weights reached (its own copies).
    losses : tuple of float
        The mean loss of every epoch so far (``losses[k]`` after epoch ``k + 1``).
    running : bool
        Training goes on (False: paused, or the epoch budget is spent).
    done : bool
        The epoch budget is spent (L trains on for another budget).
    note : str
        What the target measures on this network (the rings' linking number), computed by the
        training thread; "" for targets that measure nothing.
    stopped : str
        Why training stopped for good (the loss stopped being finite: one line), else "".
    """

    epoch: int
    mlp: MLP
    losses: tuple[float, ...]
    running: bool
    done: bool
    note: str = ""
    stopped: str = ""

    @property
    def loss(self) -> float | None:
        """The last epoch's loss (None before the first epoch)."""
        return self.losses[-1] if self.losses else None


class LiveTraining:
    """An experiment trained in a background thread; the window takes :meth:`snapshot` each frame.

    Parameters
    ----------
    experiment : Experiment
        The target, the network and the optimizer (:class:`affine3d.nn.targets.Experiment`).
    points : array-like, shape (N, 3)
        What the network trains on: the scene's vertices in world space.
    running : bool
        Start training at once (else paused until :meth:`toggle`).
    publish_every_s : float
        At most this often a new snapshot is published while training.
    epochs_per_frame : int, optional
        Train in lockstep with the frames instead (see :meth:`lockstep`): no thread at all.

    The thread starts with the object and ends with :meth:`close` (the window calls it when it closes).
    """

    def __init__(self, experiment, points, *, running: bool = False, publish_every_s: float = PUBLISH_EVERY_S,
                 epochs_per_frame: int | None = None):
        self.experiment = experiment
        self.points = np.array(points, dtype=np.float64)
        self.publish_every_s = float(publish_every_s)
        self._lock = threading.Lock()        # the Training: the thread's epoch, or a rewind from the window
        self._slot = threading.Lock()        # the published snapshot
        self._wake = threading.Condition(self._lock)
        self._window_idle = threading.Event()
        self._window_idle.set()
        self._closing = False
        self._training = experiment.training(self.points)
        self._budget = experiment.epochs
        self._running = bool(running)
        self._version = 0
        self._snapshot: Snapshot | None = None
        self._watched = 0.0
        self._lockstep = None if epochs_per_frame is None else _epochs_per_frame(epochs_per_frame)
        self._frames_begun = 0
        self._publish()
        _shorten_switch_interval()
        self._thread = threading.Thread(target=self._loop, name="affine3d-training", daemon=True)
        if self._lockstep is None:
            self._thread.start()

    def lockstep(self, epochs_per_frame: int = SCRIPTED_EPOCHS_PER_FRAME) -> None:
        """Train ``epochs_per_frame`` epochs before each frame after the first, in the window's thread, from epoch 0.

        For a scripted run, whose clock is fixed (``--frames``): the thread ends, training starts again from the
        seed, and frame N then shows epoch ``(N - 1) * epochs_per_frame`` however fast the machine is.
        """
        epochs_per_frame = _epochs_per_frame(epochs_per_frame)
        with self._lock:
            self._lockstep = epochs_per_frame
            self._wake.notify_all()
        self._window_idle.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            self._training = self.experiment.training(self.points)
            self._budget = self.experiment.epochs
            self._frames_begun = 0
            self._publish()

    # ------------------------------------------------------------------ the window's side
    def snapshot(self) -> Snapshot:
        """The newest published snapshot (the same object until a newer one is published)."""
        with self._slot:
            return self._snapshot

    @property
    def version(self) -> int:
        """Counts publications: a window compares it with the one it drew to know whether to rebuild."""
        with self._slot:
            return self._version

    @property
    def running(self) -> bool:
        return self._running

    def toggle(self) -> bool:
        """Pause, or train on (after the budget is spent: another ``experiment.epochs``); returns running."""
        with self._lock:
            self._set_running(not self._running)
            return self._running

    def start(self) -> None:
        """Train (if paused; after the budget is spent, another ``experiment.epochs``)."""
        with self._lock:
            self._set_running(True)

    def pause(self) -> None:
        """Stop at the end of the current epoch (if training)."""
        with self._lock:
            self._set_running(False)

    def _set_running(self, running: bool) -> None:
        """(With ``_lock`` held.) Start or stop, publish, and wake the thread."""
        if running == self._running:
            return
        if running and self._training.epoch >= self._budget:
            self._budget = self._training.epoch + self.experiment.epochs
        self._running = running
        self._publish()
        self._wake.notify_all()

    def rewind(self) -> None:
        """Back to the start: the same seeded network, a fresh optimizer, epoch 0 (running or paused as before)."""
        with self._lock:
            self._training = self.experiment.training(self.points)
            self._budget = self.experiment.epochs
            self._publish()
            self._wake.notify_all()

    def frame_begin(self) -> None:
        """The window starts drawing a frame: the training thread waits at the end of its epoch.

        In lockstep (:meth:`lockstep`) this is where the training happens: the frame's epochs, then a snapshot.
        """
        self._window_idle.clear()
        if self._lockstep is None:
            return
        with self._lock:
            if self._frames_begun > 0 and self._running:
                training = self._training
                for _ in range(self._lockstep):
                    if training.epoch >= self._budget:
                        break
                    training.run_epoch()
                self._running = training.epoch < self._budget
                self._publish()
            self._frames_begun += 1

    def frame_end(self) -> None:
        """The frame is drawn: training may go on."""
        self._window_idle.set()

    def wait_for_epoch(self, epoch: int, timeout_s: float = 30.0) -> Snapshot:
        """Block until a snapshot at ``epoch`` or later is published, or training ends or stops (tests, scripts); returns it."""
        end = time.monotonic() + timeout_s
        while True:
            shot = self.snapshot()
            if shot.epoch >= epoch or (not shot.running and (shot.done or shot.stopped)):
                return shot
            if time.monotonic() > end:
                raise TimeoutError(f"training: epoch {epoch} not reached in {timeout_s:g} s (at {shot.epoch})")
            time.sleep(0.005)

    def close(self) -> None:
        """Stop the thread (it finishes its epoch) and restore the switch interval. Safe to call twice."""
        if self._closing:
            return
        with self._lock:
            self._closing = True
            self._wake.notify_all()
        self._window_idle.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        _restore_switch_interval()

    # ------------------------------------------------------------------ the training thread
    def _loop(self) -> None:
        _lower_priority()
        last = time.monotonic()
        while True:
            self._window_idle.wait()
            with self._lock:
                while not self._running and not self._closing and self._lockstep is None:
                    self._wake.wait()
                if self._closing or self._lockstep is not None:
                    return
                training = self._training
                try:
                    training.run_epoch()
                except ModelError:  # the loss overflowed: stop, keep the last finite network, say why (Snapshot.stopped)
                    self._running = False
                    self._publish()
                    continue
                if training.epoch >= self._budget:
                    self._running = False
                    self._publish()
                    continue
                now = time.monotonic()
                if now - last >= self.publish_every_s:
                    self._publish()
                    last = now

    def _publish(self) -> None:
        """Put a new snapshot into the slot (called with ``_lock`` held: the Training does not move meanwhile)."""
        training = self._training
        mlp = training.network()
        watch = self.experiment.target.watch
        note, now = "", time.monotonic()
        if watch is not None:  # a measurement can take a while: a few times a second, and at every pause
            previous = self._snapshot
            fresh = previous is None or not self._running or now - self._watched >= WATCH_EVERY_S or \
                training.epoch < previous.epoch or self._lockstep is not None  # lockstep: no clock in the picture
            note = watch(mlp) if fresh else previous.note
            if fresh:
                self._watched = now
        shot = Snapshot(training.epoch, mlp, tuple(training.losses), self._running, training.epoch >= self._budget,
                        note, training.stopped)
        with self._slot:
            self._snapshot = shot
            self._version += 1


def _epochs_per_frame(value) -> int:
    value = int(value)
    if value < 1:
        raise ValueError(f"epochs_per_frame: expected 1 or more, got {value}")
    return value
