"""`affine3d render` and `affine3d doctor`: files written, angles composed, bad input in one line."""

import json
import math
import tomllib

import numpy as np
import pytest
from PIL import Image

from affine3d import Affine
from affine3d.cli import main
from affine3d.commands import doctor
from affine3d.gl.renderer import render
from affine3d.resources import scene_dir
from affine3d.geometry.scene import DEFAULT_SCENE, load_scene

SIZE = (160, 120)


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_render_writes_the_png_and_says_where(tmp_path, capsys):
    """`render -o PATH --size WxH` writes that PNG, prints its path, and it is render() of the default scene."""
    path = tmp_path / "out.png"
    code, out, err = run_cli(capsys, "render", "-o", str(path), "--size", "160x120")
    assert code == 0 and err == ""
    assert str(path) in out
    image = np.asarray(Image.open(path))
    assert image.shape == (120, 160, 4)
    np.testing.assert_array_equal(image, render(load_scene(DEFAULT_SCENE), SIZE))


def test_render_default_output_is_named_after_the_scene(tmp_path, capsys, monkeypatch):
    """Without -o the file is SCENE.png in the current folder."""
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(capsys, "render", "--size", "64x48")
    assert code == 0
    assert (tmp_path / f"{DEFAULT_SCENE}.png").is_file()
    assert f"{DEFAULT_SCENE}.png" in out


def test_yaw_and_pitch_add_to_the_scene_files_angles(tmp_path, capsys):
    """--yaw Y --pitch P draws the world turned by rotation_x(pitch_deg + P) @ rotation_y(yaw_deg + Y) of the file."""
    with open(scene_dir() / f"{DEFAULT_SCENE}.toml", "rb") as f:
        world_table = tomllib.load(f).get("world", {})
    yaw_file, pitch_file = world_table.get("yaw_deg", 0.0), world_table.get("pitch_deg", 0.0)
    path = tmp_path / "turned.png"
    code, _, _ = run_cli(capsys, "render", "-o", str(path), "--size", "160x120", "--yaw", "70", "--pitch", "-25")
    assert code == 0
    scene = load_scene(DEFAULT_SCENE)
    rotation = Affine.rotation_x(math.radians(pitch_file - 25)) @ Affine.rotation_y(math.radians(yaw_file + 70))
    expected = render(scene, SIZE, scene.world(rotation))
    got = np.asarray(Image.open(path))
    assert np.mean(np.any(got != expected, axis=2)) < 0.002  # equal up to a rounding-level pixel or two
    assert np.any(got != render(scene, SIZE))  # and it did turn


@pytest.mark.parametrize("flag", ["--ortho", "--wireframe", "--smooth"])
def test_render_flags_change_the_picture(tmp_path, capsys, flag):
    """--ortho, --wireframe and --smooth each give a different picture from the default."""
    plain, flagged = tmp_path / "plain.png", tmp_path / "flagged.png"
    assert run_cli(capsys, "render", "1980-vs-2015" if flag == "--smooth" else DEFAULT_SCENE, "-o", str(plain), "--size", "160x120")[0] == 0
    assert run_cli(capsys, "render", "1980-vs-2015" if flag == "--smooth" else DEFAULT_SCENE, "-o", str(flagged), "--size", "160x120", flag)[0] == 0
    assert np.any(np.asarray(Image.open(plain)) != np.asarray(Image.open(flagged)))


def test_render_a_scene_file_by_path(tmp_path, capsys):
    """SCENE may be the path of a .toml file; the output defaults to its stem."""
    scene_file = tmp_path / "one_cube.toml"
    scene_file.write_text('background = [1, 1, 1]\n[[object]]\nshape = "cube"\ncolor = [1, 0, 0]\n')
    out = tmp_path / "cube.png"
    code, _, _ = run_cli(capsys, "render", str(scene_file), "-o", str(out), "--size", "80x60")
    assert code == 0
    image = np.asarray(Image.open(out))
    assert np.all(image[0, 0, :3] == 255)  # white background
    centre = image[30, 40, :3].astype(int)
    assert centre[0] > 0 and centre[1] == 0 and centre[2] == 0  # a shade of red


@pytest.mark.parametrize("size", ["800", "800x", "0x600", "big", "20000x10"])
def test_bad_size_is_one_line_and_exit_2(tmp_path, capsys, size):
    """A malformed or out-of-range --size prints one line naming 'size' and exits 2, writing nothing."""
    code, out, err = run_cli(capsys, "render", "-o", str(tmp_path / "x.png"), "--size", size)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("affine3d render: error: size")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("argv, word", [
    (["no-such-scene"], "no-such-scene"),
    (["-o", "out.jpg"], "png"),
    (["--yaw", "nan"], "yaw"),
])
def test_other_bad_input_is_one_line_and_exit_2(capsys, argv, word):
    """An unknown scene, a non-.png output, a non-finite angle: one line on stderr, exit 2."""
    code, _, err = run_cli(capsys, "render", "--size", "32x24", *argv)
    assert code == 2
    assert err.count("\n") == 1 and word in err


# ----------------------------------------------------------------------------- doctor
def test_doctor_reports_versions_and_the_headless_context(capsys, monkeypatch):
    """doctor exits 0 and names Python, numpy, moderngl, pyglet and the EGL context's renderer and compute support."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0
    for word in ("python", "numpy", "moderngl", "pyglet"):
        assert f"\n{word}" in out
    assert "headless (EGL): OK" in out
    assert "renderer" in out and "vendor" in out and "compute shaders" in out
    assert "windowed (pyglet): skipped" in out and "xvfb-run" in out


def test_doctor_json_is_data(capsys, monkeypatch):
    """doctor --json prints JSON with the packages and each context's facts."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    code, out, _ = run_cli(capsys, "doctor", "--json")
    assert code == 0
    findings = json.loads(out)
    egl = findings["contexts"]["headless (EGL)"]
    assert egl["ok"] and egl["version_code"] >= 330 and isinstance(egl["compute"], bool)
    assert egl["compute"] == (egl["version_code"] >= 430)
    assert set(findings["packages"]) >= {"numpy", "moderngl", "pyglet"}


def test_doctor_without_any_opengl_still_exits_0_and_says_what_to_install(capsys, monkeypatch):
    """When no context can be made, doctor still exits 0 and names what to install."""
    monkeypatch.setattr(doctor, "_probe_in_child", lambda kind: {"ok": False, "error": "RuntimeError: eglInitialize failed"})
    monkeypatch.setenv("DISPLAY", ":0")
    code, out, _ = run_cli(capsys, "doctor")
    assert code == 0
    assert "FAILED" in out and "install" in out
    assert "CPU rasterizer" in out and "cannot draw" not in out   # render still works: --backend auto falls back
