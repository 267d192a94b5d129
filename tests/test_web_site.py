"""The browser page's Python side, without a browser: the exported files, the shaders for WebGL2, the server's walls."""

import http.client
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from affine3d.cli import main
from affine3d.geometry import list_scenes, load_scene
from affine3d.gl.glsl import expand_includes, to_webgl, webgl_source, with_defines
from affine3d.resources import shader_dir
from affine3d.web import build_site, make_server, serve_folder
from affine3d.web.site import SHADER_FILES, STATIC_DIR


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("web") / "site")


def get(url_or_address, path, method="GET", host_header=None):
    """``(status, body)`` for a raw request target (not normalised by any client library)."""
    host, port = url_or_address
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True, skip_host=host_header is not None)
    if host_header is not None:
        connection.putheader("Host", host_header)
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body, response.getheader("Content-Type")


# ---------------------------------------------------------------------------------------------- shaders
def test_webgl_shaders_are_the_desktop_files_with_only_the_version_line_adapted():
    """Each exported shader is the desktop program's source (includes joined) with line 1 swapped for ES 3.00 + precision."""
    for name in SHADER_FILES:
        desktop = expand_includes((shader_dir() / name).read_text(), shader_dir(), name=name)
        web = webgl_source(name)
        assert desktop.splitlines()[0] == "#version 330 core"
        assert web.splitlines()[:4] == ["#version 300 es", "precision highp float;", "precision highp int;", "#line 2 0"]
        assert web.splitlines()[4:] == desktop.splitlines()[1:]
    morph = webgl_source("morph.vert", {"N_BLOCKS": 3})
    desktop = expand_includes(with_defines("morph.vert", {"N_BLOCKS": 3}), shader_dir(), name="morph.vert")
    assert morph.splitlines()[4:] == desktop.splitlines()[1:] and "#define N_BLOCKS 3" in morph


def test_to_webgl_refuses_what_webgl2_cannot_compile():
    """A compute shader (#version 430) or a file with no version line is refused by name, not mangled."""
    with pytest.raises(ValueError, match=r"mlp\.comp: line 1 must be '#version 330 core'"):
        to_webgl((shader_dir() / "mlp.comp").read_text(), name="mlp.comp")
    with pytest.raises(ValueError, match="line 1"):
        to_webgl("void main() {}\n")


# ---------------------------------------------------------------------------------------------- the exported folder
def test_site_holds_the_page_shaders_scenes_and_models(site):
    """index.html, the modules, each shader as webgl_source makes it, every scene as JSON, the model file's own bytes."""
    for path in STATIC_DIR.rglob("*"):
        if path.is_file():
            assert (site / path.relative_to(STATIC_DIR)).read_bytes() == path.read_bytes()
    for name in SHADER_FILES:
        assert (site / "shaders" / name).read_text() == webgl_source(name)
    for blocks in (1, 2, 3, 4):
        assert (site / "shaders" / f"morph-{blocks}.vert").read_text() == webgl_source("morph.vert", {"N_BLOCKS": blocks})
    index = json.loads((site / "scenes" / "index.json").read_text())
    assert index["default"] == "platonic" and [s["key"] for s in index["scenes"]] == list_scenes()
    scene = load_scene("cube-to-sphere")
    record = json.loads((site / "scenes" / "cube-to-sphere.json").read_text())
    assert (site / record["mlp"]).read_bytes() == Path(scene.mlp).read_bytes()
    for obj, saved in zip(scene.objects, record["objects"]):
        assert np.array_equal(np.reshape(saved["vertices"], (-1, 3)), obj.mesh.vertices)  # float64, exactly
        assert np.array_equal(np.reshape(saved["triangles"], (-1, 3)), obj.mesh.triangles)
        assert np.array_equal(np.reshape(saved["edges"], (-1, 2)), obj.mesh.edges)
        assert np.array_equal(saved["model"], obj.model.matrix)
    assert np.allclose(record["world_rotation"], scene.world_rotation.A, atol=0)
    assert record["camera"]["fov"] == scene.camera.fov


def test_the_page_fetches_nothing_from_elsewhere(site):
    """No CDN, no remote font or script: no http(s):// or protocol-relative URL in any file the page loads
    (the file:// note's link to http://127.0.0.1:8000/, this machine, aside)."""
    for path in site.rglob("*"):
        if path.suffix in (".html", ".js", ".css"):
            text = path.read_text()
            assert not re.search(r"https?://(?!127\.0\.0\.1:8000/)|(src|href)=\"//", text), f"{path.name} refers to another site"


def test_export_refuses_a_folder_with_files_and_leaves_them(tmp_path, capsys):
    """export-web into a non-empty folder: one line, exit 2, the user's file untouched; a bad scene leaves no folder."""
    target = tmp_path / "mine"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    assert main(["export-web", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("affine3d export-web: error:") and len(err.strip().splitlines()) == 1
    assert (target / "notes.txt").read_text() == "keep me" and len(list(target.iterdir())) == 1
    assert main(["export-web", str(tmp_path / "new"), "no-such-scene"]) == 2
    assert "unknown scene 'no-such-scene'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]  # no half-written site, no temporary folder left


def test_export_of_a_users_scene_with_an_npz_model(tmp_path, rng):
    """A scene file of one's own whose network is .npz: the site gets it converted to .safetensors, same weights."""
    from affine3d.nn.mlp import MLP

    net = MLP.from_arrays([rng.normal(size=(3, 3)), rng.normal(size=(3, 3))], None, ["relu", "identity"])
    net.save(tmp_path / "net.npz")
    (tmp_path / "mine.toml").write_text('mlp = "net.npz"\n[[object]]\nshape = "cube"\n')
    assert main(["export-web", str(tmp_path / "site"), str(tmp_path / "mine.toml")]) == 0
    index = json.loads((tmp_path / "site" / "scenes" / "index.json").read_text())
    assert index["default"] == "mine" and index["scenes"][0]["mlp"] == "models/net.safetensors"
    again = MLP.load(tmp_path / "site" / "models" / "net.safetensors")
    for a, b in zip(again.layers, net.layers):
        assert np.allclose(a.W, b.W, atol=1e-6) and a.activation == b.activation


# ---------------------------------------------------------------------------------------------- the server
@pytest.fixture(scope="module")
def served(site, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("not for the web")
    (site / "secret-link.txt").symlink_to(outside / "secret.txt")
    (site / "out-dir").symlink_to(outside, target_is_directory=True)
    (site / "inside-link.js").symlink_to(site / "js" / "affine.js")
    server, url = serve_folder(site)
    yield server.server_address[:2]
    server.shutdown()
    server.server_close()
    for name in ("secret-link.txt", "out-dir", "inside-link.js"):
        (site / name).unlink()


@pytest.mark.parametrize("path", [
    "/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E/%2E%2E/etc/passwd", "/..%2f..%2fetc%2fpasswd",
    "/js/../../../etc/passwd", "//etc/passwd", "/etc/passwd", "/%2Fetc%2Fpasswd", "/C:/Windows/win.ini",
    "/..\\..\\etc\\passwd", "/secret-link.txt", "/out-dir/secret.txt", "/nothing-here.js", "/js/", "/index.html%00.js",
])
def test_server_answers_only_inside_its_folder(served, path):
    """Traversal (plain, encoded, doubled), absolute paths, symlinks out of the folder, listings: all 404."""
    status, body, _ = get(served, path)
    assert status == 404, path
    assert b"root:" not in body and b"not for the web" not in body


def test_server_serves_the_page_with_the_right_types(served, site):
    """/, the modules (a JavaScript type, or the browser refuses them), shaders, JSON, model bytes; symlinks inside are fine."""
    status, body, kind = get(served, "/")
    assert status == 200 and body == (site / "index.html").read_bytes() and kind.startswith("text/html")
    status, body, kind = get(served, "/js/affine.js")
    assert status == 200 and body == (site / "js" / "affine.js").read_bytes() and kind.startswith("text/javascript")
    status, body, kind = get(served, "/inside-link.js")
    assert status == 200 and body == (site / "js" / "affine.js").read_bytes()
    status, body, kind = get(served, "/scenes/index.json?cache=1")
    assert status == 200 and json.loads(body)["default"] == "platonic" and kind == "application/json"
    status, body, kind = get(served, "/models/cube-to-sphere.safetensors")
    assert status == 200 and body == (site / "models" / "cube-to-sphere.safetensors").read_bytes()
    status, body, _ = get(served, "/shaders/mesh.vert", method="HEAD")
    assert status == 200 and body == b""
    status, _, _ = get(served, "/index.html", method="POST")
    assert status == 501


def test_server_binds_this_machine_only_unless_told(site):
    """Default address 127.0.0.1; --host picks another (here 127.0.0.2, still this machine); a busy port is one line."""
    server = make_server(site, port=0)
    try:
        assert server.server_address[0] == "127.0.0.1"
        with pytest.raises(Exception, match=r"cannot listen on 127\.0\.0\.1:\d+"):
            make_server(site, port=server.server_address[1])
    finally:
        server.server_close()
    other = make_server(site, host="127.0.0.2", port=0)
    try:
        assert other.server_address[0] == "127.0.0.2"
    finally:
        other.server_close()


@pytest.mark.parametrize("host, scene", [(None, None), ("127.0.0.2", "cube-to-sphere")])
def test_serve_command_prints_its_address_and_answers(host, scene):
    """`affine3d serve --port 0` prints http://127.0.0.1:PORT/ (or the --host given), serves the page, stops on a signal."""
    command = [sys.executable, "-m", "affine3d", "serve", *([scene] if scene else []), "--port", "0", *(["--host", host] if host else [])]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        match = re.match(r"serving http://([\d.]+):(\d+)/ ", line)
        assert match, line + process.stderr.read() if process.poll() is not None else line
        assert match.group(1) == (host or "127.0.0.1")
        status, body, _ = get((match.group(1), int(match.group(2))), "/scenes/index.json")
        assert status == 200 and json.loads(body)["default"] == (scene or "platonic")
        status, _, _ = get((match.group(1), int(match.group(2))), "/../../etc/passwd")
        assert status == 404
    finally:
        process.send_signal(2)  # Ctrl+C
        process.wait(timeout=20)
    assert process.returncode == 0


def test_serve_with_a_bad_scene_is_one_line_and_exit_2(capsys):
    assert main(["serve", "no-such-scene", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("affine3d serve: error:") and "unknown scene 'no-such-scene'" in err and len(err.splitlines()) == 1


def test_server_answers_a_bad_path_with_400_and_foreign_host_names_with_403(served):
    """/%ff (not UTF-8) is a 400, not a traceback; on 127.0.0.1 a Host header naming another site (DNS rebinding) is a 403."""
    _, port = served
    status, body, _ = get(served, "/%ff")
    assert status == 400 and b"not UTF-8" in body
    for name in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example", "192.168.1.5"):
        status, body, _ = get(served, "/scenes/index.json", host_header=name)
        assert status == 403 and b'"default"' not in body, name
    for name in (f"127.0.0.1:{port}", f"localhost:{port}", "localhost", f"[::1]:{port}"):
        status, _, _ = get(served, "/scenes/index.json", host_header=name)
        assert status == 200, name


def test_server_serves_a_burst_of_200_connections(served):
    """200 GETs opened at once all get the page (the standard library's backlog of 5 dropped most of them)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(lambda _: get(served, "/js/affine.js")[0], range(200)))
    assert statuses == [200] * 200


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_serve_stops_on_sigterm_and_sighup_and_removes_its_folder(signal_name):
    """The temporary site is gone after SIGTERM or SIGHUP (as after Ctrl+C); --host 0.0.0.0 first says who can connect."""
    import signal

    command = [sys.executable, "-m", "affine3d", "serve", "--port", "0", "--host", "0.0.0.0"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        warning = process.stderr.readline()
        line = process.stdout.readline()
        folder = Path(re.search(r"the page: (.+?); Ctrl\+C", line).group(1))
        assert folder.is_dir() and (folder / "index.html").is_file()
        assert warning.startswith("warning: listening on 0.0.0.0: anyone who can reach every network") and "--host 127.0.0.1" in warning
    finally:
        process.send_signal(getattr(signal, signal_name))
        process.wait(timeout=20)
    assert process.returncode == 0 and not folder.exists() and not folder.parent.exists()


# ---------------------------------------------------------------------------------------------- the JS engine
JS_DIR = STATIC_DIR / "js"


def test_js_gpu_bytes_have_one_door():
    """Outside js/pack.js no module makes a Float32Array or asks WebGL to transpose: one door, as pack.py in Python."""
    modules = sorted(JS_DIR.glob("*.js"))
    assert {"pack.js", "affine.js", "projection.js", "arcball.js", "network.js", "morph.js", "engine.js"} <= {p.name for p in modules}
    for path in modules:
        text = path.read_text(encoding="utf-8")
        code = "\n".join(line.split("//")[0] for line in text.splitlines())  # comments may name it
        if path.name != "pack.js":
            assert "Float32Array" not in code, f"{path.name} makes GPU floats itself; use pack.js"
        assert not re.search(r"uniformMatrix\w+\([^,]+,\s*true", code), f"{path.name} transposes on upload"
    assert re.search(r"uniformMatrix\w+\([^,]+,\s*true", "gl.uniformMatrix4fv(u.world, true, m)")  # the pattern bites


def test_js_modules_mirror_the_python_modules_and_engine_exports_them_all():
    """Each engine module imports only engine modules (relative, no network), and engine.js re-exports every one
    (the hosts: the page's app.js, the notebook's widget.js, the lecture deck's deck.js and its slides.js)."""
    engine = (JS_DIR / "engine.js").read_text(encoding="utf-8")
    for path in sorted(JS_DIR.glob("*.js")):
        if path.name in ("engine.js", "app.js", "widget.js", "deck.js", "slides.js"):  # the hosts, not the engine
            continue
        assert f'export * from "./{path.name}";' in engine, path.name
        for target in re.findall(r'^import .* from "([^"]+)";', path.read_text(encoding="utf-8"), flags=re.M):
            assert re.fullmatch(r"\./[a-z0-9]+\.js", target) and (JS_DIR / target[2:]).is_file(), (path.name, target)


def test_index_json_carries_the_one_help_table(site):
    """scenes/index.json holds app/keys.py's table; the desktop's HELP_TEXT is built from the same table."""
    from affine3d.app.keys import KEYS, help_text
    from affine3d.app.state import HELP_TEXT

    record = json.loads((site / "scenes" / "index.json").read_text())["keys"]
    assert [tuple(entry[:3]) + (tuple(entry[3]),) for entry in record["keys"]] == list(KEYS)
    assert HELP_TEXT == help_text("desktop") and "L                  train it live" in HELP_TEXT
    assert "Backspace          start the training again (same seed) (desktop: affine3d view)" in help_text("page")


def test_smooth_objects_carry_the_desktop_corner_normals():
    """scene_record sends shading, and for a smooth mesh the corner normals the desktop renderer draws."""
    from affine3d.geometry.normals import smooth_layout
    from affine3d.web.site import scene_record

    scene = load_scene("obj-model")
    record = scene_record(scene)
    for obj, sent in zip(scene.objects, record["objects"]):
        assert sent["shading"] == obj.shading
        if obj.shading == "smooth":
            layout = smooth_layout(obj.mesh)
            np.testing.assert_array_equal(np.reshape(sent["normals"], (-1, 3, 3)), layout.normals[layout.triangles])
            assert len(sent["groups"]) == 3 * len(obj.mesh.triangles)
    assert "normals" not in scene_record(load_scene("platonic"))["objects"][0]
