"""Make the README's pictures of the lab (docs/lab-*.png, docs/polar-path.png): python docs/make_lab_figures.py

Each picture is the viewer (drawn offscreen, overlay included) or `affine3d render`, as a user gets them;
the keys and clicks a user would press are sent to the window as events.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pyglet

pyglet.options["headless"] = True
pyglet.options["debug_gl"] = False  # as the viewer sets it

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from affine3d.app.window import Viewer  # noqa: E402
from affine3d.cpu.trace import trace_vertex  # noqa: E402
from affine3d.geometry.scene import load_scene  # noqa: E402
from affine3d.images import caption, contact_sheet  # noqa: E402
from affine3d.nn.mlp import MLP  # noqa: E402
from affine3d.nn.targets import experiment_from_table  # noqa: E402
from affine3d.render import MorphingScene  # noqa: E402
from affine3d.pictures import render_learning  # noqa: E402
from affine3d.gl.context import default_context  # noqa: E402

DOCS = Path(__file__).resolve().parent
SIZE = (960, 720)
KEY = pyglet.window.key


def press(viewer, *symbols):
    for symbol in symbols:
        viewer.window.dispatch_event("on_key_press", symbol, 0)
        viewer.window.dispatch_events()


def training_picture():
    """The viewer training cube-to-sphere live: the warped cube, the layer's matrix, the loss curve."""
    viewer = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False, train=True)
    viewer.state.scroll(2)  # the world nearer: the panels frame the scene smaller
    start = time.monotonic()
    while viewer.state.lab.training.snapshot().epoch < 400 and time.monotonic() - start < 60:
        viewer.step(1 / 60)
        time.sleep(0.01)
    press(viewer, KEY.L)  # pause, so the picture is the network the panel describes
    viewer.step(0.0)
    viewer.draw()
    viewer.save(DOCS / "lab-training.png")
    viewer.close()


def rings_picture():
    """The linked rings pulled apart: 3 wide (top row) cannot, 4 wide (bottom row) can."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("rings", "rings-4-wide"):
            scene = load_scene(name)
            render_learning(scene, experiment_from_table(scene.train), Path(tmp) / name, (480, 360), frames=10)
            with Image.open(Path(tmp) / name / "learning.gif") as gif:
                frames = []
                for k in (2, 5, 9):
                    gif.seek(k)
                    frames.append(gif.convert("RGB").copy())
            rows += frames
    contact_sheet(rows, 3).save(DOCS / "lab-rings.png")


def trace_picture():
    """A vertex of cube-to-sphere clicked: its way through every map in the panel, the ring on it."""
    viewer = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False)
    press(viewer, KEY.END)
    viewer.step(0.0)
    state = viewer.state
    rows = trace_vertex(state.scene, 0, 1100, viewer.renderer.size, state.world, morph=state.morph,
                        projection=state.projection())
    x_px, y_px, _ = rows[-1].value
    x, y = x_px, SIZE[1] - y_px
    viewer.window.dispatch_event("on_mouse_press", x, y, pyglet.window.mouse.LEFT, 0)
    viewer.window.dispatch_event("on_mouse_release", x, y, pyglet.window.mouse.LEFT, 0)
    viewer.window.dispatch_events()
    viewer.step(0.0)
    viewer.draw()
    viewer.save(DOCS / "lab-trace.png")
    viewer.close()


def lattice_picture():
    """G on cube-to-sphere, layer 1's affine stage at t = 0.7: the unit cube's grid and e1, e2, e3 carried by A(t)."""
    viewer = Viewer(load_scene("cube-to-sphere"), SIZE, visible=False)
    viewer.state.scroll(3)
    press(viewer, KEY.G, KEY.G)
    viewer.state.player.seek(0.7)
    viewer.step(0.0)
    viewer.draw()
    viewer.save(DOCS / "lab-lattice.png")
    viewer.close()


def polar_picture():
    """The layer of cube-to-sphere with det W > 0 and two negative eigenvalues, on the straight and the polar path.

    The straight path is flat where 1 - t + t lambda = 0, t = 1 / (1 - lambda), for each negative eigenvalue lambda:
    the pictures are taken there, before and after.
    """
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    for k, layer in enumerate(mlp.layers):
        eigenvalues = np.linalg.eigvals(layer.affine.A)
        negative = sorted(float(v.real) for v in eigenvalues if abs(v.imag) < 1e-12 and v.real < 0)
        if np.linalg.det(layer.affine.A) > 0 and len(negative) == 2:
            break
    else:
        raise SystemExit("cube-to-sphere has no layer with det W > 0 and two negative eigenvalues")
    flats = sorted(round(1 / (1 - v), 3) for v in negative)
    print(f"layer {k + 1}: det W = {np.linalg.det(layer.affine.A):.2f}, eigenvalues "
          f"{', '.join(f'{v.real:.2f}' for v in eigenvalues)}; flat at t = {flats[0]} and {flats[1]}")
    stage = 2 * k  # layer k + 1's affine stage
    pictures = []
    for path in ("linear", "polar"):
        with MorphingScene(default_context(), scene, mlp, (320, 240), path=path) as morphing:
            info = morphing.morph.info(stage)
            for t in (0.2, *flats, 0.8):
                image = Image.fromarray(morphing.render(stage, t), "RGBA").convert("RGB")
                pictures.append(caption(image, f"{path}: t = {t}, det A(t) = {info.determinant_at(t):+.3f}"))
    contact_sheet(pictures, 4).save(DOCS / "polar-path.png")


if __name__ == "__main__":
    for make in (training_picture, rings_picture, trace_picture, lattice_picture, polar_picture):
        make()
        print(f"made {make.__doc__.splitlines()[0]}", file=sys.stderr)
