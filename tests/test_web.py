"""The page in a real browser (headless Chromium, WebGL2 on SwiftShader): the same pictures, maths and network as Python.

One browser for the module; a fresh page per test. Every server binds 127.0.0.1 with port 0. The
references are the Python objects the page mirrors: the CPU rasterizer (pictures, with the CPU-vs-GPU
rule of test_raster.py), ViewerState and the arcball (drags), Affine (the maths module), MLP.trace
and Morph (the warp).
"""

import base64
import io
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from affine3d import Affine
from affine3d.app.arcball import Arcball, Turntable
from affine3d.app.state import ViewerState
from affine3d.geometry import load_scene
from affine3d.nn.mlp import MLP
from affine3d.app.player import StagePlayer
from affine3d.app.stage_text import path_notes, stage_lines
from affine3d.nn.morph import Morph
from affine3d.web import build_site, serve_folder
from test_raster import agreement

VIEWPORT = {"width": 1200, "height": 760}


SMOOTH_SCENE = """# smooth meshes, where flat and smooth shading differ on every pixel of a curved surface
name = "Smooth solids"
[camera]
distance = 6.0
[[object]]
shape = "icosphere"
params = { level = 2 }
shading = "smooth"
transform = [{ translate = [-1.2, 0, 0] }]
[[object]]
shape = "torus"
params = { R = 0.7, r = 0.3, n_major = 32, n_minor = 16 }
shading = "smooth"
transform = [{ rotate = { axis = "x", deg = 60 } }, { translate = [1.2, 0, 0] }]
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from affine3d.geometry import list_scenes

    folder = tmp_path_factory.mktemp("web")
    (folder / "smooth-solids.toml").write_text(SMOOTH_SCENE)
    return build_site(folder / "site", [*list_scenes(), folder / "smooth-solids.toml"], default="platonic")


def scene_named(name, site):
    """A shipped scene, or the test's own smooth one (written beside the site)."""
    return load_scene(site.parent / f"{name}.toml" if name == "smooth-solids" else name)


@pytest.fixture(scope="module")
def url(site):
    server, address = serve_folder(site)
    assert address.startswith("http://127.0.0.1:")
    yield address
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    yield page
    context.close()


def open_page(page, url, view=""):
    """Load the page (with ``view`` as the URL's hash), wait until it has drawn its first frame."""
    page.goto(url + (f"#{view}" if view else ""))
    page.evaluate("window.affine3d.ready")
    page.evaluate("window.affine3d.settle()")
    return page


def canvas_image(page) -> np.ndarray:
    """The canvas as the page's PNG export has it: (H, W, 4) uint8, top row first."""
    data = page.evaluate("document.getElementById('view').toDataURL('image/png')")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGBA"))


def js(page, body: str, arg=None):
    """Run ``body`` with the page's maths module imported as ``m`` (and ``arg``); its return value."""
    return page.evaluate(f"async (arg) => {{ const m = await import('/js/engine.js'); {body} }}", arg)


def unit_quaternion(rng):
    q = rng.normal(size=4)
    return q / np.linalg.norm(q)


def world_points(scene) -> np.ndarray:
    """Every object's vertices in world space, in scene order: what the network is applied to."""
    return np.vstack([obj.model(obj.mesh.vertices) for obj in scene.objects])


def assert_keyframes_match_trace(page, mlp, points):
    """The page's stage boundaries (read back from transform feedback) equal MLP.trace within 1e-5."""
    keys = page.evaluate("window.affine3d.keyframes()")
    # The page leaves out identity activations (nothing moves): so do these.
    expected = [step.value for step in mlp.trace(points)
                if not (step.kind == "activation" and mlp.layers[step.layer - 1].activation.is_identity)]
    assert len(keys) == len(expected)
    for got, want in zip(keys, expected):
        np.testing.assert_allclose(np.array(got), want, atol=1e-5, rtol=0)


# ---------------------------------------------------------------------------------------------- the page
def test_page_loads_without_console_errors_and_shows_the_default_scene(page, url):
    """No console errors or warnings; the default scene (platonic) is drawn and its world matrix printed."""
    open_page(page, url)
    state = page.evaluate("window.affine3d.state()")
    assert state["scene"] == "platonic" and state["frames"] >= 1
    scene = load_scene("platonic")
    image = canvas_image(page)
    background = np.round(np.array(scene.background) * 255)
    drawn = np.abs(image[..., :3].astype(int) - background).max(axis=2) > 8
    assert 0.02 < drawn.mean() < 0.6, f"{drawn.mean():.1%} of the canvas differs from the background"
    panel = page.evaluate("window.affine3d.panel()")
    assert "det A       1.000000" in panel and "Platonic solids" in panel
    assert page.evaluate("document.getElementById('scene-picker').options.length") == len(__import__("affine3d").geometry.list_scenes()) + 1
    assert page.problems == []


def kept_inside_fov(scene, aspect, ortho, fill=0.98, least=0.8) -> float:
    """The field of view at which the sphere about the world's origin holding every object fills between ``least`` and
    ``fill`` of the canvas's smaller side at the scene's distance: the scene's own where it does, else the one at which
    it fills just ``fill`` (too large) or ``least`` (too small) (closed form: tan(fov/2) = r / (f s sqrt(d^2 - r^2)), or
    r / (f s d) orthographic, s = min(1, aspect))."""
    r = np.linalg.norm(scene.world_points(), axis=1).max()
    d, s = scene.camera.distance, min(1.0, aspect)
    at = lambda f: 2 * np.arctan(r / (f * s * d) if ortho else r / (f * s * np.sqrt(d * d - r * r)))  # noqa: E731
    return min(max(scene.camera.fov, at(fill)), at(least))


@pytest.mark.parametrize("scene_name, projection, edges, backend", [
    ("platonic", "perspective", False, "cpu"),
    ("shear", "orthographic", False, "cpu"),  # mirrored and sheared solids: the front-face switch and the normal matrix
    # Many thin edge lines: one-pixel lines are where the two rasterizers differ most (desktop OpenGL against the
    # CPU scores about 97.7% here too), so the page's edges are held to the desktop OpenGL renderer's.
    ("shear", "perspective", True, "gpu"),
    ("smooth-solids", "perspective", False, "cpu"),  # smooth shading: corner normals interpolated (drawn flat it scores ~95%)
])
def test_picture_at_a_fixed_world_matches_the_desktop_renderers(page, url, site, rng, scene_name, projection, edges, backend):
    """A view set through the URL's hash: the canvas agrees with `affine3d render` of the same view on >= 99% of pixels."""
    from affine3d.render import render_auto

    q = unit_quaternion(rng)
    view = f"scene={scene_name}&rot={','.join(repr(float(v)) for v in q)}&proj={projection}" + ("&edges=1" if edges else "")
    open_page(page, url, view)
    scene = scene_named(scene_name, site)
    world = scene.world(Affine.from_quaternion(q, order="wxyz"))
    np.testing.assert_allclose(page.evaluate("window.affine3d.world()"), world.matrix, atol=1e-12)
    state = page.evaluate("window.affine3d.state()")
    width, height = state["pixels"]
    assert state["fov"] == pytest.approx(kept_inside_fov(scene, width / height, projection == "orthographic"), rel=1e-9)
    scene.camera.fov = state["fov"]  # the page widens it where its canvas is too narrow for the scene
    expected, used = render_auto(scene, (width, height), world, ortho=projection == "orthographic", wireframe=edges,
                                 backend=backend)
    share = agreement(canvas_image(page), expected)
    assert share >= 0.99, f"only {share:.2%} of pixels agree with the {used} renderer"
    assert page.problems == []


def test_a_scripted_drag_moves_the_world_as_viewer_state_does(page, url):
    """Arcball drag, turntable drag (T), right-drag pan and the wheel: the page's world matrix equals ViewerState's (1e-6)."""
    open_page(page, url, "scene=platonic")
    box = page.locator("#view").bounding_box()
    page_state = page.evaluate("window.affine3d.state()")
    width, height = page_state["size"]
    scene = load_scene("platonic")
    scene.camera.fov = page_state["fov"]  # widened where the canvas is too narrow for the row of solids: pans follow it
    state = ViewerState(scene, size=(width, height))

    def at(x, y):  # page pixels -> the viewer's window units (origin bottom-left, y up)
        return x, height - y

    def drag(path, button="left"):
        page.mouse.move(box["x"] + path[0][0], box["y"] + path[0][1])
        page.mouse.down(button=button)
        state.mouse_press(*at(*path[0]), button)
        last = at(*path[0])
        for x, y in path[1:]:
            page.mouse.move(box["x"] + x, box["y"] + y)
            now = at(x, y)
            state.mouse_drag(*now, now[0] - last[0], now[1] - last[1])
            last = now
        page.mouse.up(button=button)
        state.mouse_release()
        np.testing.assert_allclose(page.evaluate("window.affine3d.world()"), state.world.matrix, atol=1e-6)

    drag([(300, 300), (340, 310), (420, 380), (700, 650)])  # the last point lies outside the ball: a roll
    drag([(200, 500), (260, 420)])
    page.keyboard.press("t")
    state.key("t")
    drag([(400, 400), (430, 350), (380, 200)])
    drag([(500, 300), (560, 340)], button="right")
    page.mouse.move(box["x"] + 300, box["y"] + 300)
    page.mouse.wheel(0, -200)  # two notches toward the camera
    state.scroll(2)
    page.wait_for_function(f"Math.abs(window.affine3d.world()[2][3] - ({state.world.matrix[2][3]})) < 1e-9")
    np.testing.assert_allclose(page.evaluate("window.affine3d.world()"), state.world.matrix, atol=1e-6)
    assert page.problems == []


def test_the_url_hash_reproduces_the_view(page, url):
    """A link holds scene, rotation, projection, stage and t: opening it shows exactly that state."""
    view = "scene=cube-to-sphere&rot=0.8,0.2,-0.4,0.4&proj=orthographic&stage=4&t=0.25"
    open_page(page, url, view)
    state = page.evaluate("window.affine3d.state()")
    assert state["scene"] == "cube-to-sphere" and state["ortho"] and not state["spinning"]
    assert (state["network"]["stage"], state["network"]["t"], state["network"]["playing"]) == (3, 0.25, False)
    q = np.array([0.8, 0.2, -0.4, 0.4])
    expected = load_scene("cube-to-sphere").world(Affine.from_quaternion(q, order="wxyz"))
    np.testing.assert_allclose(page.evaluate("window.affine3d.world()"), expected.matrix, atol=1e-12)
    written = page.evaluate("window.affine3d.hash()")
    fields = dict(part.split("=") for part in written.split("&"))
    assert fields["scene"] == "cube-to-sphere" and fields["proj"] == "orthographic" and (fields["stage"], fields["t"]) == ("4", "0.25")
    np.testing.assert_allclose([float(v) for v in fields["rot"].split(",")], q / np.linalg.norm(q), atol=1e-9)
    page.wait_for_function("location.hash.includes('stage=4')")  # the page writes its state back into the URL


@pytest.mark.parametrize("path", ["linear", "polar"])
def test_the_shipped_network_warps_as_mlp_trace_computes(page, url, path):
    """cube-to-sphere on either path: every stage boundary read back from morph.vert's transform feedback equals
    MLP.trace (1e-5); mid-stage positions, the picture (>= 99%) and the panel's lines equal the desktop's."""
    open_page(page, url, f"scene=cube-to-sphere&stage=5&t=0.5&path={path}")
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    points = world_points(scene)
    assert_keyframes_match_trace(page, mlp, points)
    morph = Morph(mlp, points, path=path)
    keys = morph.keyframes(points)
    got = np.array(page.evaluate("window.affine3d.positions(4, 0.5)")).reshape(-1, 3)
    np.testing.assert_allclose(got, morph.positions(4, 0.5, keys[4]), atol=1e-5, rtol=0)
    # The picture mid-warp (stage 5 turns the cube inside out: hatched) against the desktop's MorphingScene.
    from affine3d.gl.context import default_context
    from affine3d.render import MorphingScene

    width, height = page.evaluate("window.affine3d.state()")["pixels"]
    world = Affine.from_matrix(page.evaluate("window.affine3d.world()"))
    scene.camera.fov = page.evaluate("window.affine3d.state()")["fov"]  # the page frames the scene to its canvas
    with MorphingScene(default_context(), scene, mlp, (width, height), path=path) as desktop:
        expected = desktop.render(4, 0.5, world)
    share = agreement(canvas_image(page), expected)
    assert share >= 0.99, f"only {share:.2%} of pixels agree with the desktop's warp"
    panel = page.evaluate("window.affine3d.networkPanel()")
    info = morph.info(4)
    assert "\n".join(stage_lines(info, 0.5)) in panel  # W | b, det W, singular values, det A(t): the desktop HUD's lines
    page.evaluate("window.affine3d.settle()")
    panel = page.evaluate("window.affine3d.networkPanel()")
    for k in range(morph.n_stages):  # the path notes, where a stage has them, below its lines
        if morph.stages[k].kind == "affine" and path_notes(morph.info(k)):
            page.evaluate(f"window.affine3d.seek({k}, 0.5)")
            assert "\n".join(stage_lines(morph.info(k), 0.5) + path_notes(morph.info(k))) in page.evaluate("window.affine3d.networkPanel()")
    assert page.problems == []


def drop_file(page, data: bytes, name: str):
    """Drop a file onto the picture, as a person dragging it from their file manager."""
    page.evaluate(
        """async ([base64, name]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))], name));
            const area = document.getElementById('stage-area');
            area.dispatchEvent(new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }));
            area.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }""",
        [base64.b64encode(data).decode(), name],  # a string crosses to the page far faster than a list of ints
    )
    page.wait_for_function("window.affine3d.messages.length > 0")
    page.evaluate("window.affine3d.settle()")
    return page.evaluate("window.affine3d.messages.at(-1)")


def random_mlp(rng, sizes=(3, 3, 3), activations=("tanh", "identity")):
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes, sizes[1:])]
    biases = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return MLP.from_arrays(weights, biases, list(activations))


def test_a_dropped_model_warps_as_mlp_trace_computes(page, url, rng, tmp_path):
    """A random 3 -> 3 -> 3 network dropped onto the page: its keyframes equal MLP.trace of the scene's vertices."""
    open_page(page, url, "scene=platonic")
    mlp = random_mlp(rng)
    mlp.save(tmp_path / "mine.safetensors")
    message = drop_file(page, (tmp_path / "mine.safetensors").read_bytes(), "mine.safetensors")
    assert not message["error"], message["text"]
    assert "3-3-3" in message["text"]
    state = page.evaluate("window.affine3d.state()")
    assert state["network"]["name"] == "mine.safetensors" and state["network"]["stages"] == 3
    assert_keyframes_match_trace(page, mlp, world_points(load_scene("platonic")))
    assert page.problems == []


def drop_folder(page, files: dict[str, bytes], folder: str | None):
    """Drop a model folder (``folder``: one directory entry, as a file manager's drag gives) or its files together."""
    page.evaluate(
        """async ([files, folder]) => {
            const made = Object.entries(files).map(([name, text]) => new File([Uint8Array.from(atob(text), (c) => c.charCodeAt(0))], name));
            const area = document.getElementById('stage-area');
            if (folder === null) {
                const transfer = new DataTransfer();
                for (const file of made) transfer.items.add(file);
                area.dispatchEvent(new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
                return;
            }
            // A synthetic DataTransfer cannot hold a directory: stand in for the entry API a real folder drop gives.
            const children = made.map((file) => ({ isFile: true, isDirectory: false, name: file.name, file: (ok) => ok(file) }));
            const entry = { isFile: false, isDirectory: true, name: folder,
                            createReader: () => ({ readEntries: (ok) => ok(children) }) };
            const event = new Event('drop', { bubbles: true, cancelable: true });
            Object.defineProperty(event, 'dataTransfer', { value: { items: [{ webkitGetAsEntry: () => entry }], files: [] } });
            area.dispatchEvent(event);
        }""",
        [{name: base64.b64encode(data).decode() for name, data in files.items()}, folder],
    )
    page.wait_for_function("window.affine3d.messages.length > 0")
    page.evaluate("window.affine3d.settle()")
    return page.evaluate("window.affine3d.messages.at(-1)")


def test_a_dropped_model_folder_plays_its_weights(page, url, rng, tmp_path):
    """A save_pretrained folder, dropped whole or as its three files, plays its model.safetensors (= MLP.trace)."""
    mlp = random_mlp(rng)
    mlp.save_pretrained(tmp_path / "net")
    files = {path.name: path.read_bytes() for path in sorted((tmp_path / "net").iterdir())}
    assert set(files) == {"config.json", "model.safetensors", "README.md"}
    for folder, name in ((None, "model.safetensors"), ("net", "net/model.safetensors")):
        open_page(page, url, "scene=platonic")
        message = drop_folder(page, files, folder)
        assert not message["error"], message["text"]
        assert message["text"].startswith(f"{name}: 3-3-3 network")
        assert page.evaluate("window.affine3d.state()")["network"]["name"] == name
        assert_keyframes_match_trace(page, mlp, world_points(load_scene("platonic")))
    open_page(page, url, "scene=platonic")
    message = drop_folder(page, {"config.json": files["config.json"], "README.md": files["README.md"]}, "cards")
    assert message["error"] and message["text"].startswith("cards/: no model.safetensors in this folder")
    assert page.problems == []


def hostile_files(tmp_path, rng) -> list[tuple[str, bytes, str]]:
    """(file name, bytes, a piece of the message the page must show) for broken and hostile model files."""
    good = tmp_path / "good.safetensors"
    random_mlp(rng).save(good)
    data = good.read_bytes()
    length = int.from_bytes(data[:8], "little")
    header = data[8 : 8 + length].decode()

    def with_header(text: str) -> bytes:
        raw = text.encode()
        return len(raw).to_bytes(8, "little") + raw + data[8 + length :]

    wide = tmp_path / "wide.safetensors"
    random_mlp(rng, (2, 3, 3)).save(wide)
    flat = tmp_path / "flat.safetensors"
    random_mlp(rng, (3, 3, 2)).save(flat)
    first_offsets = re.search(r'"data_offsets":\[(\d+),(\d+)\]', header)
    past_end = header.replace(first_offsets.group(0), f'"data_offsets":[{10**6},{10**6 + int(first_offsets.group(2)) - int(first_offsets.group(1))}]', 1)
    wrong_shape = re.sub(r'"shape":\[3,3\]', '"shape":[9]', header, count=1)
    return [
        ("huge-header.safetensors", (2**60).to_bytes(8, "little") + data[8:], "the header length says 1,152,921,504,606,846,976 bytes"),
        ("past-end.safetensors", with_header(past_end), "lie past the end of the file"),
        ("wrong-shape.safetensors", with_header(wrong_shape), "expected weight (out, in) and bias (out,)"),
        ("two-in.safetensors", wide.read_bytes(), "expected 3 inputs (a point of 3D space), got 2"),
        ("two-out.safetensors", flat.read_bytes(), "expected 3 outputs (a point of 3D space), got 2"),
        ("not-json.safetensors", (5).to_bytes(8, "little") + b"{oops" + data[8:], "the JSON header is not valid JSON"),
        ("tiny.safetensors", b"\x01\x02", "truncated"),
        ("model.npz", b"PK\x03\x04", "the page reads .safetensors models"),
        *architecture_variants(data, header, length),
    ]


def architecture_variants(data: bytes, header: str, length: int) -> list[tuple[str, bytes, str]]:
    """Files MLP.load refuses for their header or architecture: too many layers, duplicates, bad metadata, version -7."""
    import json

    parsed = json.loads(header)
    record = json.loads(parsed["__metadata__"]["affine3d"])

    def with_record(**changes) -> bytes:
        meta = dict(parsed, __metadata__={"affine3d": json.dumps({**record, **changes})})
        raw = json.dumps(meta).encode()
        return len(raw).to_bytes(8, "little") + raw + data[8 + length :]

    shared = [{"weight": "layer1.weight", "bias": "layer1.bias", "activation": "tanh"}]
    duplicate = header.replace('"layer1.bias"', '"layer1.weight"', 1)  # the same tensor name twice in the header
    return [
        ("many-layers.safetensors", with_record(layers=shared * 1025), "the architecture lists 1,025 layers, more than the 1,024"),
        ("shared-20000.safetensors", with_record(layers=shared * 20000), "the architecture lists 20,000 layers"),
        ("bad-metadata.safetensors", with_record(metadata=[1, 2]), "the architecture's 'metadata' must be a JSON object"),
        ("version.safetensors", with_record(version=-7), "architecture version -7: expected a whole number >= 1"),
        ("duplicate.safetensors", len(duplicate.encode()).to_bytes(8, "little") + duplicate.encode() + data[8 + length :],
         "names tensor \"layer1.weight\" twice"),
    ]


def test_hostile_model_files_give_a_message_and_the_previous_network_keeps_playing(page, url, rng, tmp_path):
    """Header length 2^60, offsets past the end, wrong shapes, not 3 in / 3 out...: one message each, nothing breaks."""
    open_page(page, url, "scene=cube-to-sphere&play=1")
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    for name, data, expected in hostile_files(tmp_path, rng):
        message = drop_file(page, data, name)
        assert message["error"] and name in message["text"] and expected in message["text"], message
        assert expected in page.locator("#message").inner_text()
        state = page.evaluate("window.affine3d.state()")
        assert state["network"]["name"] == "cube-to-sphere.safetensors" and state["network"]["playing"]
    # Big ones, made in the page: a 60 MB header, and a 3-100000-3 network (2.8 MB) the page has no budget for.
    for name, expected in (("header-60mb.safetensors", "the JSON header is 60,000,000 bytes, more than the 8,388,608"),
                           ("wide-100000.safetensors", "a layer 100,000 wide (the page plays up to 4,096)")):
        message = page.evaluate("""async (name) => {
            const enc = new TextEncoder();
            let bytes;
            if (name.startsWith("header")) {
                bytes = new Uint8Array(8 + 60000000).fill(32);
                new DataView(bytes.buffer).setBigUint64(0, 60000000n, true);
            } else {
                const h = 100000, arch = JSON.stringify({ format: "affine3d.mlp", version: 1, layers: [
                    { weight: "w1", bias: "b1", activation: "tanh" }, { weight: "w2", bias: "b2", activation: "identity" }] });
                const header = enc.encode(JSON.stringify({ __metadata__: { affine3d: arch },
                    w1: { dtype: "F32", shape: [h, 3], data_offsets: [0, 12 * h] }, b1: { dtype: "F32", shape: [h], data_offsets: [12 * h, 16 * h] },
                    w2: { dtype: "F32", shape: [3, h], data_offsets: [16 * h, 28 * h] }, b2: { dtype: "F32", shape: [3], data_offsets: [28 * h, 28 * h + 12] } }));
                bytes = new Uint8Array(8 + header.length + 28 * h + 12);
                new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
                bytes.set(header, 8);
            }
            await window.affine3d.loadModelBuffer(bytes.buffer, name);
            return window.affine3d.messages.at(-1);
        }""", name)
        assert message["error"] and name in message["text"] and expected in message["text"], message
    state = page.evaluate("window.affine3d.state()")
    assert state["network"]["name"] == "cube-to-sphere.safetensors" and state["network"]["playing"]
    frames = page.evaluate("window.affine3d.state().frames")
    page.wait_for_function(f"window.affine3d.state().frames > {frames} + 2")  # still animating
    assert_keyframes_match_trace(page, mlp, world_points(scene))
    assert page.problems == []


@pytest.mark.parametrize("sizes, where", [((3, 16, 3), "CPU"), ((3, 64, 3), "CPU"), ((3, 12, 3), "GPU"), ((3, 1000, 3), "CPU")])
def test_wide_networks_play_on_the_page(page, url, rng, tmp_path, sizes, where):
    """3-16-3 (the README's example), 3-64-3, 3-1000-3: past 15 wide the morph runs on the CPU; keyframes equal
    MLP.trace, a mid-stage frame equals Morph.positions through its display map (1e-5)."""
    open_page(page, url, "scene=platonic")
    mlp = random_mlp(rng, sizes)
    mlp.save(tmp_path / "wide.safetensors")
    message = drop_file(page, (tmp_path / "wide.safetensors").read_bytes(), "wide.safetensors")
    assert not message["error"] and f"{'-'.join(map(str, sizes))} network" in message["text"] and f"({where})" in message["text"], message
    points = world_points(load_scene("platonic"))
    assert_keyframes_match_trace(page, mlp, points)
    morph = Morph(mlp, points)
    keys = morph.keyframes(points)
    for stage, t in ((0, 0.3), (1, 0.6), (morph.n_stages - 1, 0.5)):
        got = np.array(page.evaluate(f"window.affine3d.positions({stage}, {t})")).reshape(-1, 3)
        np.testing.assert_allclose(got, morph.positions(stage, t, keys[stage]), atol=1e-5, rtol=0)
    assert page.problems == []


def test_save_png_downloads_the_picture(page, url):
    """The button saves the canvas as a PNG of the canvas's size: the picture drawn, not a blank."""
    open_page(page, url, "scene=platonic&rot=1,0,0,0")
    with page.expect_download() as download:
        page.click("#save-png")
    path = download.value.path()
    image = np.asarray(Image.open(path).convert("RGBA"))
    width, height = page.evaluate("window.affine3d.state()")["pixels"]
    assert image.shape == (height, width, 4)
    assert agreement(image, canvas_image(page)) == 1.0 and len(np.unique(image.reshape(-1, 4), axis=0)) > 5


def test_keys_switch_scenes_and_toggles(page, url):
    """Tab, 2, P, W, space, T do what the desktop viewer's keys do."""
    open_page(page, url)
    scenes = __import__("affine3d").geometry.list_scenes()
    page.locator("#view").focus()
    page.keyboard.press("2")
    page.wait_for_function(f"window.affine3d.state().scene === {scenes[1]!r}")
    page.keyboard.press("Tab")
    page.wait_for_function(f"window.affine3d.state().scene === {scenes[2]!r}")
    page.keyboard.press("Shift+Tab")
    page.wait_for_function(f"window.affine3d.state().scene === {scenes[1]!r}")
    before = page.evaluate("window.affine3d.state()")
    for key in ("p", "w", "Space", "t"):
        page.keyboard.press(key)
    after = page.evaluate("window.affine3d.state()")
    assert (after["ortho"], after["wireframe"], after["spinning"]) == (not before["ortho"], not before["wireframe"], not before["spinning"])
    assert after["controller"] == "turntable"
    assert page.problems == []


def test_exported_site_works_from_a_plain_static_server(browser, tmp_path):
    """export-web's folder, served by python -m http.server (no affine3d behind it): the page loads and draws."""
    from affine3d.cli import main

    assert main(["export-web", str(tmp_path / "site"), "cube-to-sphere", "platonic"]) == 0
    server = subprocess.Popen([sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "-d", str(tmp_path / "site")],
                              stdout=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        port = int(re.search(r"port (\d+)", line).group(1))
        page = browser.new_page(viewport=VIEWPORT)
        problems = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        open_page(page, f"http://127.0.0.1:{port}/", "stage=3&t=0.5")
        state = page.evaluate("window.affine3d.state()")
        assert state["scene"] == "cube-to-sphere" and state["network"]["stages"] == 9
        assert page.evaluate("document.getElementById('scene-picker').options.length") == 2
        assert problems == []
        page.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_exported_site_opened_as_a_file_says_how_to_serve_it(browser, site):
    """index.html from file:// (where browsers run no modules) shows how to serve the folder, not a blank page."""
    page = browser.new_page(viewport=VIEWPORT)
    page.goto((site / "index.html").as_uri())
    note = page.locator("#file-note")
    assert note.is_visible()
    text = note.inner_text()
    assert "python3 -m http.server 8000 --bind 127.0.0.1" in text and str(site) in text and "affine3d serve" in text
    page.close()


# ---------------------------------------------------------------------------------------------- the maths module
def test_affine_module_follows_python_affine(page, url, rng):
    """affine.js: rotations, quaternions, F @ G, inverse, normal matrix, det, toGL() equal Python's Affine."""
    open_page(page, url)
    for _ in range(5):
        q, axis, angle, t = unit_quaternion(rng), rng.normal(size=3), float(rng.uniform(-4, 4)), rng.normal(size=3)
        result = js(page, """
            const [q, axis, angle, t] = arg;
            const F = m.Affine.fromQuaternion(q, "wxyz"), G = m.Affine.rotation(axis, angle).matmul(m.Affine.translation(t));
            const H = F.matmul(G).matmul(m.Affine.fromRows([[1, 0.5, 0], [0, 2, 0], [0.25, 0, -1]], [1, 2, 3]));
            return { F: F.matrix, FG: F.matmul(G).matrix, xyzw: m.Affine.fromQuaternion([q[1], q[2], q[3], q[0]], "xyzw").matrix,
                     quat: F.toQuaternion("wxyz"), H: H.matrix, inverse: H.inverse().matrix, normal: H.normalMatrix(),
                     det: H.determinant, gl: Array.from(H.toGL()), x: m.Affine.rotationX(angle).matrix,
                     y: m.Affine.rotationY(angle).matrix, z: m.Affine.rotationZ(angle).matrix,
                     ortho: m.Affine.fromRows([[1.01, 0.02, 0], [0, 0.99, 0.01], [0, 0, 1]]).orthonormalized().matrix };""",
            [q.tolist(), axis.tolist(), angle, t.tolist()])
        F = Affine.from_quaternion(q, order="wxyz")
        G = Affine.rotation(axis, angle) @ Affine.translation(t)
        H = F @ G @ Affine([[1, 0.5, 0], [0, 2, 0], [0.25, 0, -1]], [1, 2, 3])
        np.testing.assert_allclose(result["F"], F.matrix, atol=1e-14)
        np.testing.assert_allclose(result["xyzw"], F.matrix, atol=1e-14)
        np.testing.assert_allclose(result["FG"], (F @ G).matrix, atol=1e-13)
        np.testing.assert_allclose(result["quat"], F.to_quaternion(order="wxyz"), atol=1e-14)
        np.testing.assert_allclose(result["H"], H.matrix, atol=1e-13)
        np.testing.assert_allclose(result["inverse"], H.inverse().matrix, atol=1e-12)
        np.testing.assert_allclose(result["normal"], H.normal_matrix(), atol=1e-12)
        assert result["det"] == pytest.approx(H.determinant, abs=1e-12)
        assert np.frombuffer(H.to_gl(), dtype=np.float32).tolist() == result["gl"]  # the same bytes for the GPU
        for name, make in (("x", Affine.rotation_x), ("y", Affine.rotation_y), ("z", Affine.rotation_z)):
            np.testing.assert_allclose(result[name], make(angle).matrix, atol=1e-15)
        expected = Affine([[1.01, 0.02, 0], [0, 0.99, 0.01], [0, 0, 1]]).orthonormalized()
        np.testing.assert_allclose(result["ortho"], expected.matrix, atol=1e-14)


def test_arcball_and_turntable_follow_python(page, url, rng):
    """Random drags (inside and outside the ball) and spins: affine.js's controllers equal app/arcball.py's (1e-9)."""
    open_page(page, url)
    size = (640.0, 480.0)
    start = Affine.from_quaternion(unit_quaternion(rng), order="wxyz")
    path = rng.uniform(-100, 740, size=(12, 2)).tolist()
    result = js(page, """
        const [size, start, path] = arg;
        const out = {};
        for (const [name, Cls] of [["arcball", m.Arcball], ["turntable", m.Turntable]]) {
            const c = new Cls(size, m.Affine.fromMatrix(start));
            const seen = [];
            c.press(...path[0]);
            for (const p of path.slice(1, 6)) seen.push(c.drag(...p).matrix);
            c.release();
            c.spin(0.3);
            c.press(...path[6]);
            for (const p of path.slice(7)) seen.push(c.drag(...p).matrix);
            out[name] = seen;
        }
        return out;""", [list(size), start.matrix.tolist(), path])
    for name, cls in (("arcball", Arcball), ("turntable", Turntable)):
        c = cls(size, start)
        seen = []
        c.press(*path[0])
        seen += [c.drag(*p).matrix for p in path[1:6]]
        c.release()
        c.spin(0.3)
        c.press(*path[6])
        seen += [c.drag(*p).matrix for p in path[7:]]
        np.testing.assert_allclose(result[name], seen, atol=1e-9, err_msg=name)


def test_projection_and_matrix_text_follow_python(page, url):
    """sceneProjection equals Scene.projection; formatMatrix prints format_matrix's rows."""
    from affine3d.app.state import format_matrix

    open_page(page, url)
    scene = load_scene("shear")
    camera = {"fov": scene.camera.fov, "near": scene.camera.near, "far": scene.camera.far, "distance": scene.camera.distance}
    M = (Affine.rotation([1, 2, 3], 0.7) @ Affine.translation([0.5, -1.25, -6.0])).matrix
    result = js(page, "const [camera, M] = arg; return [m.sceneProjection(camera, 1.5, false), m.sceneProjection(camera, 0.75, true), m.formatMatrix(M)];",
                [camera, M.tolist()])
    np.testing.assert_allclose(result[0], scene.projection(1.5, False), atol=1e-14)
    np.testing.assert_allclose(result[1], scene.projection(0.75, True), atol=1e-14)
    assert result[2] == format_matrix(M)


def test_network_maths_follows_mlp_and_morph(page, url, rng):
    """Forward pass, det, singular values, the display maps of a wider hidden layer (PCA + Procrustes),
    the HUD lines and the stage player: affine.js equals nn/mlp.py and nn/morph.py."""
    open_page(page, url)
    mlp = random_mlp(rng, (3, 6, 3), ("tanh", "identity"))
    points = rng.normal(size=(40, 3))
    layers = [{"W": layer.W.tolist(), "b": layer.b.tolist(), "activation": {"name": layer.activation.name, "alpha": 0.01}}
              for layer in mlp.layers]
    result = js(page, """
        const [layers, points] = arg;
        const net = new m.Network(layers), morph = new m.Morph(net, points);
        const player = new m.StagePlayer(morph.nStages, { secondsPerStage: 2.0, holdS: 0.6 });
        const positions = [];
        for (const dt of [0.3, 0.5, 1.7, 2.2, 0.05, 3.0]) { player.update(dt); positions.push(player.position); }
        return { trace: points.map((p) => net.trace(p)), displays: morph.displays,
                 mid: morph.display(morph.stages[0], 0.4), infos: morph.infos.map((info) => m.infoLines(info, 0.3)),
                 det: m.determinant(layers[0].W.slice(0, 3).map((r) => r.slice(0, 3))),
                 sv: m.singularValues(layers[0].W), positions };""", [layers, points.tolist()])
    trace = mlp.trace(points)
    for k, step in enumerate(trace):
        np.testing.assert_allclose([t[k] for t in result["trace"]], step.value, atol=1e-12)
    morph = Morph(mlp, points)
    for got, want in zip(result["displays"], morph.displays):
        np.testing.assert_allclose(got["A"], want.A, atol=1e-9)
        np.testing.assert_allclose(got["b"], want.b, atol=1e-9)
    middle = morph.display(0, 0.4)
    np.testing.assert_allclose(result["mid"]["A"], middle.A, atol=1e-9)
    assert result["infos"] == [stage_lines(morph.info(k), 0.3) for k in range(morph.n_stages)]
    assert result["det"] == pytest.approx(np.linalg.det(mlp.layers[0].W[:3, :3]), abs=1e-12)
    np.testing.assert_allclose(result["sv"], np.linalg.svd(mlp.layers[0].W, compute_uv=False), atol=1e-12)
    player = StagePlayer(morph.n_stages, seconds_per_stage=2.0, hold_s=0.6)
    expected = []
    for dt in (0.3, 0.5, 1.7, 2.2, 0.05, 3.0):
        player.update(dt)
        expected.append(player.position)
    np.testing.assert_allclose(result["positions"], expected, atol=1e-12)


def test_polar_path_and_its_notes_follow_python(page, url, rng):
    """morph.js's PolarPath equals nn/paths.py's (A(t), R, S, mirrored) for random, mirrored and half-turn W;
    pathNotes equals app/stage_text.path_notes on both paths."""
    from affine3d.nn.paths import PolarPath

    open_page(page, url)
    matrices = [rng.normal(size=(3, 3)), rng.normal(size=(5, 5)), np.diag([-1.0, -2.0, 1.0]), np.diag([-1.0, 2.0, 0.5]),
                np.diag([-1.0, -1.0, 1.0]), Affine.rotation([1, 2, 3], 3.0).A @ np.diag([1.0, 2.0, 0.5])]
    times = [0.0, 0.25, 0.5, 0.9, 1.0]
    result = js(page, """
        const [matrices, times] = arg;
        return matrices.map((W) => { const p = new m.PolarPath(W);
            return { at: times.map((t) => p.at(t)), R: p.rotation, S: p.stretch, mirrored: p.mirrored }; });""",
                [[W.tolist() for W in matrices], times])
    for W, got in zip(matrices, result):
        path = PolarPath(W)
        np.testing.assert_allclose(got["R"], path.rotation, atol=1e-9)
        np.testing.assert_allclose(got["S"], path.stretch, atol=1e-9)
        assert got["mirrored"] == path.mirrored
        for t, A in zip(times, got["at"]):
            np.testing.assert_allclose(A, path.at(t), atol=1e-9, err_msg=f"t={t}")
    for path in ("linear", "polar"):
        mlp = MLP.from_arrays([np.diag([-1.0, -2.0, 1.0]), np.diag([-1.0, 2.0, 0.5]), rng.normal(size=(3, 3))],
                              [np.zeros(3)] * 3, ["identity"] * 3)
        layers = [{"W": l.W.tolist(), "b": l.b.tolist(), "activation": {"name": "identity", "alpha": 0.01}} for l in mlp.layers]
        got = js(page, """const [layers, path] = arg; const morph = new m.Morph(new m.Network(layers), null, path);
            return morph.infos.map((info) => [m.infoLines(info, 0.4), m.pathNotes(info)]);""", [layers, path])
        morph = Morph(mlp, path=path)
        assert got == [[stage_lines(morph.info(k), 0.4), path_notes(morph.info(k))] for k in range(morph.n_stages)], path


def test_page_help_is_the_one_help_table_and_desktop_keys_say_so(page, url):
    """The keys panel is help_text("page") of app/keys.py; F toggles smooth/flat; L and Backspace say they are the desktop's."""
    from affine3d.app.keys import help_text

    open_page(page, url, "scene=platonic")
    assert page.evaluate("window.affine3d.helpText()") == help_text("page")
    page.locator("#view").focus()
    for key in ("l", "Backspace"):
        page.keyboard.press(key)
        page.wait_for_function("window.affine3d.messages.length > 0")
        assert "key of the desktop viewer (affine3d view" in page.evaluate("window.affine3d.messages.at(-1).text"), key
    page.keyboard.press("f")
    assert page.evaluate("window.affine3d.state().shading") == "smooth"
    assert page.problems == []


def test_wide_layer_display_by_subspace_iteration_follows_python(page, url, rng):
    """A 3-200-3 network on 400 points (past EXACT_PCA both ways): morph.js's display maps, by subspace iteration,
    equal nn/morph.py's (numpy's eigh) to 1e-7."""
    open_page(page, url)
    mlp = random_mlp(rng, (3, 200, 3), ("tanh", "identity"))
    points = rng.normal(size=(400, 3))
    layers = [{"W": layer.W.tolist(), "b": layer.b.tolist(), "activation": {"name": layer.activation.name, "alpha": 0.01}}
              for layer in mlp.layers]
    result = js(page, "const [layers, points] = arg; return [m.EXACT_PCA, new m.Morph(new m.Network(layers), points).displays];",
                [layers, points.tolist()])
    assert result[0] < 200
    for got, want in zip(result[1], Morph(mlp, points).displays):
        np.testing.assert_allclose(got["A"], want.A, atol=1e-7)
        np.testing.assert_allclose(got["b"], want.b, atol=1e-7)


# ---------------------------------------------------------------------------------------------- every screen
FRAMING = """(background) => {
  const view = document.getElementById("view"), W = view.width, H = view.height;
  const c = document.createElement("canvas");
  c.width = W; c.height = H;
  const g = c.getContext("2d", { willReadFrequently: true });
  g.drawImage(view, 0, 0);
  const data = g.getImageData(0, 0, W, H).data;
  let border = 0, drawn = 0, x0 = W, x1 = -1, y0 = H, y1 = -1;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const k = 4 * (y * W + x);
    if (Math.abs(data[k] - background[0]) + Math.abs(data[k + 1] - background[1]) + Math.abs(data[k + 2] - background[2]) <= 24) continue;
    drawn += 1;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    if (x === 0 || y === 0 || x === W - 1 || y === H - 1) border += 1;
  }
  const clipped = [...document.querySelectorAll("#panels pre, #panels h2, #panels p, header")]
    .filter((e) => e.offsetParent && e.scrollWidth > e.clientWidth + 1).map((e) => e.id || e.tagName);
  return { border, drawn: drawn / (W * H), span: Math.max(x1 - x0, y1 - y0) / Math.min(W, H), clipped, size: [W, H] };
}"""


TURN = ",".join(repr(float(v)) for v in np.array([0.8, 0.3, -0.4, 0.33]) / np.linalg.norm([0.8, 0.3, -0.4, 0.33]))


def test_every_shipped_scene_fits_the_page_on_every_screen(browser, url):
    """At 1024x640, 1280x800 and 1920x1080 every shipped scene (a network's at two stages) leaves the canvas's border
    rows and columns background, spans at least 40% of the canvas's smaller side (its bounding sphere fills 80 to 98%
    of it: a ring seen at a slant, a network's output inside the sphere of all its stages, span less), and no panel
    text is cut off."""
    from affine3d.geometry import list_scenes

    context = browser.new_context(viewport={"width": 1024, "height": 640})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        open_page(page, url)
        for width, height in [(1024, 640), (1280, 800), (1920, 1080)]:
            page.set_viewport_size({"width": width, "height": height})
            for name in list_scenes():
                scene = load_scene(name)
                background = [round(255 * c) for c in scene.background[:3]]
                for moment in (["stage=4&t=0.5", "stage=99&t=1"] if scene.mlp is not None else [""]):
                    page.evaluate(f"location.hash = 'scene={name}&rot={TURN}&{moment}'")
                    page.wait_for_function(f"window.affine3d.state().scene === {name!r}")
                    page.evaluate("window.affine3d.settle()")
                    report = page.evaluate(FRAMING, background)
                    where = f"{name} {moment} at {width}x{height} (canvas {report['size']})"
                    assert report["border"] == 0, f"{where}: {report['border']} border pixels are not background"
                    assert report["span"] >= 0.4, f"{where}: the scene spans only {report['span']:.0%}"
                    assert report["clipped"] == [], where
        assert problems == []
    finally:
        context.close()


ROWS = """() => {
  const panel = document.getElementById("network-panel"), text = panel.firstChild.textContent, range = document.createRange();
  let start = 0;
  const rows = text.split("\\n").map((line) => {
    range.setStart(panel.firstChild, start);
    range.setEnd(panel.firstChild, start + line.length);
    start += line.length + 1;
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
  return { rows, font: parseFloat(getComputedStyle(panel).fontSize), clipped: panel.scrollWidth > panel.clientWidth + 1,
           first: text.split("\\n")[0] };
}"""


def test_the_network_panels_long_first_line_wraps_and_the_numbers_keep_their_size(browser, url):
    """The network panel's first line (the file name, the sizes, the path, where it runs) wraps at the panel's edge
    instead of shrinking the panel: every other line (W | b, det, singular values) stays on one row, nothing is cut off,
    and from 1280 x 800 on the font stays above 90% of its size."""
    context = browser.new_context(viewport={"width": 1024, "height": 640})
    page = context.new_page()
    try:
        open_page(page, url)
        for width, height in [(1024, 640), (1280, 800), (1920, 1080)]:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("location.hash = 'scene=cube-to-sphere&stage=4&t=0.5'")
            page.wait_for_function("window.affine3d.state().scene === 'cube-to-sphere'")
            page.evaluate("window.affine3d.settle()")
            report = page.evaluate(ROWS)
            where = f"{width}x{height}: {report}"
            assert not report["clipped"] and report["rows"][1:] == [1] * (len(report["rows"]) - 1), where
            assert report["first"].startswith("network cube-to-sphere.safetensors"), where
            if width == 1024:
                assert report["rows"][0] >= 2, where  # longer than the panel: wrapped, not shrunk away
            else:
                assert report["font"] >= 0.9 * 12, where
    finally:
        context.close()
