"""The notebook widget (affine3d.notebook, on anywidget) in headless Chromium, through a harness that is
anywidget's front end: it imports the widget's one module from a blob URL, as anywidget does, and hands
``render`` a model with anywidget's API (get, set, on, save_changes, send) holding ``widget.get_state()``.
What the front end saves goes back through ``widget.set_state``, as the comm does. References: the CPU
rasterizer (pictures, the >= 99% pixel rule), ViewerState (drags), MorphingScene (a warp).
"""

import base64
import io
import re

import numpy as np
import pytest
from PIL import Image

from affine3d import Affine
from affine3d.app.state import ViewerState
from affine3d.geometry import load_scene
from affine3d.nn.mlp import MLP
from affine3d.notebook import engine_files, show, strip_imports, widget_module
from affine3d.web import build_site
from test_raster import agreement

HARNESS = """async ([esm, state]) => {
    // anywidget's model API over a plain object; change events fire synchronously, as Backbone's do.
    class Model {
        constructor(state) { this.state = state; this.handlers = {}; this.pending = {}; this.saved = []; this.sent = []; }
        get(name) { return this.state[name]; }
        set(name, value) { this.state[name] = value; this.pending[name] = value; this.emit(`change:${name}`); }
        on(event, fn) { (this.handlers[event] ||= []).push(fn); }
        off(event, fn) { this.handlers[event] = (this.handlers[event] || []).filter((f) => f !== fn); }
        emit(event, ...args) { for (const fn of this.handlers[event] || []) fn(...args); }
        save_changes() { this.saved.push(this.pending); this.pending = {}; }
        send(message) { this.sent.push(message); }
        fromPython(changes) { for (const [name, value] of Object.entries(changes)) { this.state[name] = value; this.emit(`change:${name}`); } }
    }
    for (const [name, value] of Object.entries(state)) {
        if (value && value.__bytes__ !== undefined) state[name] = new DataView(Uint8Array.from(atob(value.__bytes__), (c) => c.charCodeAt(0)).buffer);
    }
    const url = URL.createObjectURL(new Blob([esm], { type: "text/javascript" }));
    const module = await import(url);
    const model = new Model(state), el = document.createElement("div");
    document.body.appendChild(el);
    const cleanup = await module.default.render({ model, el });
    window.harness = { model, el, cleanup, canvas: el.querySelector("canvas"),
                       frame: () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))) };
    await window.harness.frame();
}"""


def state_for_js(widget, names=None) -> dict:
    """``widget.get_state()`` as JSON for the page: bytes as base64 (the comm sends them as binary buffers)."""
    state = widget.get_state(names)
    return {k: ({"__bytes__": base64.b64encode(bytes(v)).decode()} if isinstance(v, (bytes, memoryview)) else v)
            for k, v in state.items()}


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 900, "height": 700})
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    page.set_content("<!doctype html><html><body style='margin:0'></body></html>")
    yield page
    context.close()


def mount(page, widget):
    """Render ``widget`` in the harness; the page, ready."""
    page.evaluate(HARNESS, [widget._esm, state_for_js(widget)])
    return page


def sync_back(page, widget):
    """What the front end saved since the last call, applied to the Python widget (as the comm does); the changes."""
    saved = page.evaluate("() => { const s = window.harness.model.saved; window.harness.model.saved = []; return s; }")
    for changes in saved:
        widget.set_state(changes)
    return saved


def to_front_end(page, widget, *names):
    """Python's new values of ``names`` sent to the front end (the comm's update message); wait for a drawn frame."""
    page.evaluate("async (changes) => { window.harness.model.fromPython(changes); await window.harness.frame(); }",
                  state_for_js(widget, list(names)))


def canvas_image(page) -> np.ndarray:
    data = page.evaluate("window.harness.canvas.toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGBA"))


# ---------------------------------------------------------------------------------------------- the module
def test_widget_module_is_the_pages_engine_joined(tmp_path):
    """The widget's module is the exported page's js/ files (what the page runs), in engine.js's order, with only
    their relative imports dropped: rebuilt here from the site, it is byte for byte the widget's _esm."""
    site = build_site(tmp_path / "site", ["platonic"])
    module = widget_module()
    rebuilt = [f"// ---- {path.name}\n{strip_imports((site / 'js' / path.name).read_text(encoding='utf-8'))}"
               for path in engine_files()]
    assert module.endswith("\n".join(rebuilt))
    header = module[: len(module) - len("\n".join(rebuilt))]
    assert header.startswith("// affine3d notebook widget") and all(line.startswith("//") for line in header.splitlines())
    assert not re.search(r"^\s*import\b", module, re.M) and "export default { render }" in module
    assert [p.name for p in engine_files()][:3] == ["i18n.js", "pack.js", "affine.js"]  # the words first: the engine uses them
    state = show().get_state()
    assert state["_esm"] == module
    # ipywidgets' own traits (which class the front end makes) are anywidget's: ours must not shadow them
    assert (state["_model_module"], state["_model_name"]) == ("anywidget", "AnyModel")


def test_show_refuses_bad_arguments_in_one_line(tmp_path):
    """A bad world, size, path or a 2-D network: one UsageError / ModelError line, before anything reaches a browser."""
    from affine3d.errors import ModelError, UsageError

    with pytest.raises(UsageError, match=r"world: expected a 4x4 matrix, got shape \(3, 3\)"):
        show(world=np.eye(3))
    with pytest.raises(UsageError, match="size: expected 16..8192"):
        show(size=(0, 10))
    with pytest.raises(UsageError, match="path: expected linear or polar, got 'curved'"):
        show(path="curved")
    flat = MLP.from_arrays([np.ones((2, 3))], [np.zeros(2)], ["identity"])
    with pytest.raises(ModelError, match="expected 3 outputs"):
        show(mlp=flat)
    widget = show()
    with pytest.raises(Exception, match="last row must be 0 0 0 1"):
        widget.world = np.ones((4, 4))


# ---------------------------------------------------------------------------------------------- in the browser
def test_widget_draws_the_scene_like_the_cpu_renderer(page):
    """platonic in the widget: the canvas agrees with the CPU rasterizer's picture of the widget's world on >= 99% of pixels."""
    from affine3d.cpu import render_cpu

    widget = show("platonic", size=(640, 480))
    mount(page, widget)
    assert page.evaluate("[window.harness.canvas.width, window.harness.canvas.height]") == [640, 480]
    expected = render_cpu(load_scene("platonic"), (640, 480), widget.affine)
    share = agreement(canvas_image(page), expected)
    assert share >= 0.99, f"only {share:.2%} of pixels agree with the CPU renderer"
    assert page.problems == []


def test_a_drag_in_the_widget_writes_back_viewer_states_world(page):
    """Arcball drag, right-drag pan and the wheel in the widget: widget.world (synced back) equals ViewerState's (1e-6)."""
    widget = show("platonic", size=(640, 480))
    mount(page, widget)
    box = page.locator("canvas").bounding_box()
    state = ViewerState(load_scene("platonic"), size=(640, 480))

    def drag(path, button="left"):
        page.mouse.move(box["x"] + path[0][0], box["y"] + path[0][1])
        page.mouse.down(button=button)
        state.mouse_press(path[0][0], 480 - path[0][1], button)
        last = (path[0][0], 480 - path[0][1])
        for x, y in path[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y)
            state.mouse_drag(x, 480 - y, x - last[0], 480 - y - last[1])
            last = (x, 480 - y)
        page.mouse.up(button=button)
        state.mouse_release()

    drag([(300, 200), (340, 230), (420, 300), (630, 470)])
    assert sync_back(page, widget), "the drag saved nothing"
    np.testing.assert_allclose(widget.world, state.world.matrix, atol=1e-6)
    drag([(200, 300), (260, 260)], button="right")
    page.mouse.move(box["x"] + 300, box["y"] + 200)
    page.mouse.wheel(0, -200)
    state.scroll(2)
    page.wait_for_function(f"Math.abs(window.harness.model.get('world')[2][3] - ({state.world.matrix[2][3]})) < 1e-9")
    sync_back(page, widget)
    np.testing.assert_allclose(widget.world, state.world.matrix, atol=1e-6)
    assert isinstance(widget.affine, Affine)
    assert page.problems == []


def test_setting_world_from_python_redraws(page):
    """widget.world = an Affine (a rotation, then a shear): the picture becomes the CPU picture of that world (>= 99%)."""
    from affine3d.cpu import render_cpu

    scene = load_scene("shear")
    widget = show(scene, size=(640, 480))
    mount(page, widget)
    before = canvas_image(page)
    for world in (scene.world(Affine.rotation([1, 2, 0.5], 2.0)),
                  Affine.translation([0, 0, -scene.camera.distance]) @ Affine([[1, 0.4, 0], [0, 1, 0], [0, 0, 1]])):
        widget.world = world
        to_front_end(page, widget, "world")
        image = canvas_image(page)
        share = agreement(image, render_cpu(scene, (640, 480), world, ortho=scene.camera.projection == "orthographic"))
        assert share >= 0.99, f"only {share:.2%} of pixels agree after setting world"
        assert agreement(image, before) < 0.95
        np.testing.assert_allclose(page.evaluate("window.harness.model.get('world')"), world.matrix, atol=0)
    assert page.problems == []


def test_a_network_in_the_widget_warps_like_the_desktop(page):
    """show(mlp=...) sends the model's bytes; stage and t set from Python show the desktop OpenGL renderer's warp (>= 99%, as test_web holds the page);
    a network refused by the page's checks leaves the previous one playing and says why (model.send)."""
    from affine3d.render import render_output

    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    widget = show(scene, mlp=mlp, size=(640, 480))
    widget.playing = False
    mount(page, widget)
    widget.stage, widget.t = 4, 0.5
    to_front_end(page, widget, "playing", "stage", "t")
    share = agreement(canvas_image(page), render_output(scene, mlp, (640, 480), world=widget.affine, stage=4, t=0.5))
    assert share >= 0.99, f"only {share:.2%} of pixels agree with the desktop's warp"
    assert "model.safetensors: 3-3-3-3-3-3 network, 9 stages (GPU)" in page.evaluate("window.harness.el.textContent")
    widget.path = "polar"
    to_front_end(page, widget, "path")
    share = agreement(canvas_image(page), render_output(scene, mlp, (640, 480), world=widget.affine, stage=4, t=0.5,
                                                        path="polar"))
    assert share >= 0.99, f"only {share:.2%} of pixels agree with the desktop's polar warp"
    page.evaluate("(bytes) => window.harness.model.fromPython({ _network_name: 'bad.safetensors', _network: new DataView(Uint8Array.from(bytes).buffer) })",
                  list(b"\x05\x00\x00\x00\x00\x00\x00\x00{oops"))
    sent = page.evaluate("window.harness.model.sent")
    assert sent and sent[-1]["event"] == "error" and "the JSON header is not valid JSON" in sent[-1]["message"]
    assert "bad.safetensors: the JSON header is not valid JSON" in page.evaluate("window.harness.el.textContent")
    to_front_end(page, widget, "t")
    share = agreement(canvas_image(page), render_output(scene, mlp, (640, 480), world=widget.affine, stage=4, t=0.5,
                                                        path="polar"))
    assert share >= 0.99, "the previous network is no longer shown"
    assert page.problems == []


def test_scene_and_mlp_have_widget_shortcuts(rng, tmp_path):
    """Scene.widget(...) and MLP.widget(scene, ...) are show(...): the scene's JSON, the network's bytes, the options."""
    scene = load_scene("shear")
    widget = scene.widget(size=(320, 240))
    assert widget._scene["key"] == "shear" and (widget.width, widget.height) == (320, 240) and widget._network == b""
    np.testing.assert_allclose(widget.world, scene.world().matrix, atol=0)
    mlp = MLP.from_arrays([rng.normal(size=(16, 3)), rng.normal(size=(3, 16))], [np.zeros(16), np.zeros(3)], ["tanh", "identity"])
    widget = mlp.widget("platonic", path="polar")
    assert widget.path == "polar" and widget._scene["key"] == "platonic"
    sent = tmp_path / "sent.safetensors"
    sent.write_bytes(widget._network)
    for got, want in zip(MLP.load(sent).layers, mlp.layers):
        np.testing.assert_allclose(got.W, want.W, rtol=1e-6)
