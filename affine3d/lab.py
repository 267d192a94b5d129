"""Your own target for the lab: a Python function of the points, learnt live in the viewer or written as a GIF.

The shipped targets (cube -> sphere, sphere -> cube, untangling two linked rings) are functions in
:mod:`affine3d.nn.targets`; yours is a function in a script of yours, which you run::

    import numpy as np
    from affine3d.lab import Target, view

    def twist(points):                         # (N, 3) -> (N, 3): where each point should go
        x, y, z = points.T
        angle = 1.5 * y
        return np.column_stack([x * np.cos(angle) - z * np.sin(angle), y, x * np.sin(angle) + z * np.cos(angle)])

    view(Target("twist", twist, formula="turn by 1.5 y about the y axis", sizes=(3, 8, 8, 3)), scene="cube-to-sphere")

:func:`view` opens the viewer on a scene and trains a fresh network (the Target's sizes, activation,
step size and seed) toward your function on that scene's vertices, live (L pauses, Backspace starts
again); :func:`render` writes the learning as a GIF instead (no window needed). ``scenes/lab_twist.py``
is the example above as a script. Only code you run yourself runs: scene and model files are data
(TOML, safetensors), and nothing loaded from a file is executed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from .app.display import display_name, headless_possible, no_display_reason, use_headless
from .errors import GLUnavailableError, InputError, one_line
from .i18n import _
from .nn.targets import TARGETS, Experiment, Target, experiment_from_table

__all__ = ["Target", "Experiment", "TARGETS", "view", "render"]


def view(target, scene="cube-to-sphere", *, size=(960, 720), offscreen: bool = False, frames: int | None = None,
         screenshot=None, path: str = "linear") -> None:
    """Open the viewer on ``scene`` and train a network toward ``target`` live, from the first frame.

    Parameters
    ----------
    target : Target or str
        Your :class:`Target`, or a shipped target's name.
    scene : str or path
        A shipped scene's name or a ``.toml`` file: its objects' vertices are what the network learns on.
    size : (width, height)
        Window size.
    offscreen : bool
        No window: draw into an offscreen EGL surface (with ``frames`` and ``screenshot``: a figure on a server).
        Where there is no display at all (no DISPLAY or WAYLAND_DISPLAY), :func:`view` says so in one line and
        does this by itself, as ``affine3d view`` does: one frame into ``screenshot`` (default
        ``lab-NAME.png``); :func:`render` writes the whole learning as a GIF.
    frames : int, optional
        Quit after this many frames.
    screenshot : path, optional
        Save the last frame as a PNG.
    path : {"linear", "polar"}
        How each affine stage goes from I to W when you step through the stages.
    """
    from .geometry.scene import load_scene

    scene = load_scene(scene)
    experiment = experiment_from_table(scene.train, None, target)  # a wrong name or size: one line, before any window
    reason = None if offscreen else no_display_reason()
    if reason is not None and headless_possible():  # as `affine3d view` does: one line, then draw offscreen
        offscreen, frames = True, frames or 1
        screenshot = screenshot or f"lab-{re.sub(r'[^A-Za-z0-9_-]+', '-', experiment.target.name).strip('-') or 'target'}.png"
    if offscreen:
        use_headless()
    from .app.window import Viewer

    try:
        viewer = Viewer(scene, size, visible=not offscreen, train=True, target=target, path=path)
    except InputError:
        raise
    except Exception as exc:  # no X server behind DISPLAY, no GLX, no OpenGL 3.3: one line, never a traceback
        if offscreen:
            message = _("lab.view: could not open an offscreen OpenGL window ({reason}); lab.render writes the learning as "
                        "a GIF without a window")
        elif display_name():
            message = _("lab.view: could not open a window on {display} ({reason}); lab.render writes the learning as a "
                        "GIF without a window")
        else:
            message = _("lab.view: could not open a window on this display ({reason}); lab.render writes the learning as "
                        "a GIF without a window")
        raise GLUnavailableError(message.format(display=display_name(), reason=one_line(exc, typed=True))) from None
    viewer.run(frames=frames, screenshot=Path(screenshot) if screenshot else None, announce=reason is None)
    if reason is not None:
        print(_("no display ({reason}): drew the lab offscreen, overlay included, to {screenshot} (lab.render writes "
                "the learning as a GIF)").format(reason=reason, screenshot=screenshot), file=sys.stderr)


def render(target, scene="cube-to-sphere", directory="learning", *, size=(800, 600), frames: int = 40,
           epochs: int | None = None, backend: str = "auto", stages: bool = False) -> dict:
    """Train a network toward ``target`` on ``scene``'s vertices and write the learning into ``directory``.

    ``learning.gif`` (``frames`` pictures from epoch 0 to ``epochs``), ``learning.png`` and
    ``trained.safetensors``, as ``affine3d render SCENE --train`` writes them (and with ``stages`` the
    trained network's stages). ``backend``: "gpu", "cpu" or "auto". Returns what
    :func:`affine3d.pictures.render_learning` returns.
    """
    from .geometry.scene import load_scene
    from .render import pick_backend
    from .pictures import render_learning, render_stages

    scene = load_scene(scene)
    experiment = experiment_from_table(scene.train, None, target)
    if epochs is not None:
        experiment = experiment.with_options(epochs=epochs)
    used, _unused = pick_backend(backend)
    result = render_learning(scene, experiment, directory, size, frames=frames, backend=used)
    if stages:
        result["stages"] = render_stages(scene, result["mlp"], directory, size, backend=used)
    return result
