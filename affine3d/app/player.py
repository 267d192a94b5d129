"""The viewer's playback clock for a network's stages: playing, paused, stepping, scrubbing.

The stages themselves (what moves, and how) are :mod:`affine3d.nn.morph`'s; this only says where the animation is.
The page has the same clock (``web/static/js/morph.js``'s ``StagePlayer``).
"""

from __future__ import annotations

import math

from ..errors import ModelError

__all__ = ["StagePlayer"]


class StagePlayer:
    """Where an animation of the stages is: a position ``p`` in ``[0, n_stages]``, playing or paused.

    ``p = k + t`` is time ``t`` of stage ``k``; a whole number ``p = k >= 1`` is the end of stage
    ``k - 1`` (the same picture as the start of stage ``k``). Playing, ``p`` grows by one every
    ``seconds_per_stage`` seconds and rests ``hold_s`` at each stage's end, so the finished shape
    can be seen; after the last stage it rests, then starts again from the input.

    Stepping and scrubbing pause the playback (a student looking at a stage does not want it to run away).

    Examples
    --------
    >>> player = StagePlayer(3, seconds_per_stage=2.0, hold_s=0.0)
    >>> player.update(1.0); player.stage_index, player.t
    (0, 0.5)
    >>> player.next(); player.stage_index, player.t, player.playing
    (0, 1.0, False)
    """

    def __init__(self, n_stages: int, seconds_per_stage: float = 2.0, hold_s: float = 0.6, *, playing: bool = True):
        if int(n_stages) < 1:
            raise ModelError(f"n_stages: expected 1 or more, got {n_stages}")
        if not seconds_per_stage > 0 or not hold_s >= 0:
            raise ModelError(f"seconds_per_stage, hold_s: expected > 0 and >= 0, got {seconds_per_stage}, {hold_s}")
        self.n_stages = int(n_stages)
        self.seconds_per_stage = float(seconds_per_stage)
        self.hold_s = float(hold_s)
        self.playing = bool(playing)
        self.position = 0.0
        self._held = 0.0

    @property
    def stage_index(self) -> int:
        """The stage shown: ``ceil(p) - 1`` (0 at the input)."""
        return max(0, math.ceil(self.position) - 1)

    @property
    def t(self) -> float:
        """Time within :attr:`stage_index`, in [0, 1]: 1.0 at a stage's end, 0.0 only at the input."""
        return float(self.position - self.stage_index)

    @property
    def at_input(self) -> bool:
        return self.position == 0.0

    def update(self, dt_s: float) -> None:
        """Advance the clock by ``dt_s`` seconds (nothing happens while paused)."""
        if not self.playing or dt_s <= 0:
            return
        remaining = float(dt_s)
        while remaining > 0:
            if self.position == int(self.position) and self._held < self._hold_here():
                wait = min(remaining, self._hold_here() - self._held)  # resting at a stage boundary
                self._held += wait
                remaining -= wait
                continue
            if self.position >= self.n_stages:  # rested at the end: start again
                self.position, self._held = 0.0, 0.0
                continue
            boundary = math.floor(self.position) + 1
            step = remaining / self.seconds_per_stage
            if self.position + step >= boundary:
                remaining -= (boundary - self.position) * self.seconds_per_stage
                self.position, self._held = float(boundary), 0.0
            else:
                self.position += step
                remaining = 0.0

    def _hold_here(self) -> float:
        if self.position == 0.0:
            return self.hold_s
        return 3 * self.hold_s if self.position >= self.n_stages else self.hold_s

    def toggle(self) -> None:
        """Play / pause; playing from the very end starts again at the input."""
        self.playing = not self.playing
        if self.playing and self.position >= self.n_stages:
            self.position, self._held = 0.0, self.hold_s

    def next(self) -> None:
        """Pause at the end of the stage shown (or of the next one, if already there)."""
        self.seek(math.floor(self.position) + 1)

    def previous(self) -> None:
        """Pause at the start of the stage shown (or of the one before, if already there)."""
        self.seek(math.ceil(self.position) - 1)

    def scrub(self, stages: float) -> None:
        """Move by ``stages`` (a fraction of a stage, + forward, - back) and pause."""
        self.seek(self.position + float(stages))

    def seek(self, position: float) -> None:
        """Pause at ``position``, clamped to ``[0, n_stages]``."""
        self.position = float(min(max(position, 0.0), self.n_stages))
        self.playing = False
        self._held = 0.0
