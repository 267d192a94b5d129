"""The lab in the viewer, headless (pyglet's offscreen EGL window): live training, picking a vertex, the lattice."""

import sys
import time

import pyglet

# Before anything imports pyglet.window: the window is then an offscreen EGL surface (no display).
if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_lab_viewer.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from affine3d.app.window import Viewer  # noqa: E402
from affine3d.geometry.scene import load_scene  # noqa: E402

SIZE = (480, 360)
KEY = pyglet.window.key


def press(v, symbol, modifiers=0):
    v.window.dispatch_event("on_key_press", symbol, modifiers)
    v.window.dispatch_events()


@pytest.fixture
def trainer():
    """A headless viewer on cube-to-sphere, training from the first frame (as ``view --train``)."""
    v = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False, samples=0, scenes=[], train=True)
    yield v
    v.close()


# ---------------------------------------------------------------------------------------- live training
def test_the_window_keeps_drawing_while_the_network_trains(trainer):
    """Frames are drawn one after another (the frame counter) while epochs go by; the window draws the published networks."""
    state = trainer.state
    live = state.lab.training
    seen = []
    for _ in range(40):
        trainer.step(1 / 60)
        seen.append((state.frames, live.snapshot().epoch))
        time.sleep(0.01)  # the event loop's wait for the next frame: training goes on meanwhile
    frames = [f for f, _ in seen]
    epochs = [e for _, e in seen]
    assert frames == list(range(frames[0], frames[0] + 40))  # every step drew a frame
    assert epochs[-1] > epochs[0]  # and training went on meanwhile
    assert len(set(epochs)) > 3  # the network changed many times while the window drew
    # the network drawn is a published snapshot: pause, draw, and the warped cube is that network's output
    press(trainer, KEY.L)
    shot = live.snapshot()
    trainer.step(0.0)
    assert state.morph.mlp is shot.mlp
    x = load_scene("cube-to-sphere").objects[0].mesh.vertices
    np.testing.assert_allclose(trainer.morphing.scene.objects[0].mesh.vertices, shot.mlp(x), atol=1e-12)
    assert "live training: epoch" in trainer._extras.training.text_lines()[0]


def test_backspace_rewinds_in_the_window(trainer):
    """Backspace: epoch 0, the seeded start network on screen, the same one every time."""
    state = trainer.state
    state.lab.training.wait_for_epoch(20)
    start = state.lab.experiment.start()
    press(trainer, KEY.L)  # pause: then rewind shows exactly the start
    press(trainer, KEY.BACKSPACE)
    trainer.step(0.0)
    assert state.lab.training.snapshot().epoch == 0
    assert state.morph.mlp.allclose(start, atol=0)


def test_a_scene_without_a_network_file_starts_untrained():
    """sphere-to-cube ships no network: the viewer shows the experiment's seeded start; L trains it."""
    v = Viewer(load_scene("sphere-to-cube"), SIZE, visible=False, samples=0, scenes=[])
    try:
        assert v.state.morph is not None and "untrained" in v.state.network_name
        press(v, KEY.L)
        assert v.state.lab is not None and v.state.lab.experiment.target.name == "sphere-to-cube"
    finally:
        v.close()
    assert v.state.lab is None  # closing the window ends the training thread
