"""A mesh file as a scene: fitted to the view at any size and place, the printed fit map is the one applied."""

import math
import os
import re
import subprocess
import sys

import pyglet

if "pyglet.window" in sys.modules and not pyglet.options["headless"]:
    raise RuntimeError("tests/test_fit.py: pyglet.window was imported with a display before this module")
pyglet.options["headless"] = True

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PIL import Image  # noqa: E402

from affine3d import Affine, SceneError  # noqa: E402
from affine3d.app.state import ViewerState  # noqa: E402
from affine3d.bench.mesh_samples import bunny_like, fandisk_like, teapot_like  # noqa: E402
from affine3d.cli import main  # noqa: E402
from affine3d.geometry.fit import FIT_FILL, bounding_sphere, fit_map, fit_radius, fit_text  # noqa: E402
from affine3d.geometry.scene import MESH_COLOR, MESH_VIEW_DEG, Camera, load_scene  # noqa: E402
from affine3d.geometry.mesh import Mesh  # noqa: E402
from affine3d.geometry.mesh_files import save_off  # noqa: E402
from affine3d.geometry.solids import icosphere  # noqa: E402
from affine3d.gl.renderer import render  # noqa: E402

SIZE = (200, 150)
MODELS = {"teapot_like": lambda: teapot_like(1500), "bunny_like": lambda: bunny_like(1500),
          "fandisk_like": lambda: fandisk_like(8)}


def write_model(path, make, scale, offset):
    """The model's file, in other units and somewhere else: positions * scale + offset."""
    model = make()
    model.positions = model.positions * scale + np.asarray(offset)
    digits = max(6, 6 - int(math.floor(math.log10(scale))))  # keep the shape at any scale
    path.write_text(model.obj_text(digits=digits) if path.suffix == ".obj" else model.off_text(digits=digits),
                    encoding="utf-8")
    return path


def pixels(points_camera, camera, size):
    """A pinhole camera by hand (no projection matrix): camera space -> pixel (x right, y down)."""
    width, height = size
    half = math.tan(camera.fov / 2)
    if camera.projection == "orthographic":
        depth = np.full(len(points_camera), camera.distance)
    else:
        depth = -points_camera[:, 2]
    x = points_camera[:, 0] / (depth * half * width / height)  # -1 .. 1 across the view
    y = points_camera[:, 1] / (depth * half)
    return np.column_stack([(x + 1) / 2 * width, (1 - y) / 2 * height])


@settings(max_examples=30)
@given(st.sampled_from(list(MODELS)), st.sampled_from([1e-3, 0.37, 1.0, 42.0, 1e4]),
       st.lists(st.floats(-3, 3), min_size=3, max_size=3), st.floats(0, 2 * math.pi), st.floats(-1.5, 1.5),
       st.sampled_from(["perspective", "orthographic"]), st.sampled_from([(200, 150), (160, 160), (320, 120)]))
def test_a_fitted_model_of_any_size_stays_inside_the_window(tmp_path_factory, name, scale, offset, yaw, pitch,
                                                            projection, size):
    """1e-3 to 1e4 units, off-centre by up to 3 of its own sizes, turned any way: its projected bounding box lies
    inside the window, a margin of (1 - FIT_FILL) / 2 of the height free above and below (and at least that at the sides)."""
    path = write_model(tmp_path_factory.mktemp("fit") / f"{name}.obj", MODELS[name], scale, np.asarray(offset) * scale)
    scene = load_scene(path)
    scene.camera.projection = projection
    obj = scene.objects[0]
    world = scene.world(Affine.rotation_x(pitch) @ Affine.rotation_y(yaw))
    p = pixels((world @ obj.model)(obj.mesh.vertices), scene.camera, size)
    margin = (1 - FIT_FILL) / 2 * size[1]
    width, height = size
    slack = 1e-6 * height  # rounding of the printed fit (4 digits) is far below a pixel
    assert p[:, 1].min() >= margin - slack and p[:, 1].max() <= height - margin + slack
    assert p[:, 0].min() >= (width - height) / 2 + margin - slack and p[:, 0].max() <= (width + height) / 2 - margin + slack


@pytest.mark.parametrize("projection", ["perspective", "orthographic"])
def test_the_bounding_sphere_fills_the_stated_part_of_the_view(tmp_path, projection):
    """A fitted sphere (its own bounding sphere) reaches FIT_FILL of the half-height: the fit is tight, not just safe."""
    sphere = icosphere(5)
    path = tmp_path / "ball.off"
    save_off(Mesh(sphere.vertices * 250 + [1e3, -20, 5], sphere.triangles, None), path)
    if projection == "perspective":
        scene = load_scene(path)  # the default camera
    else:  # the fit is made for the scene's camera: say orthographic in a scene file
        (tmp_path / "ortho.toml").write_text('[camera]\nprojection = "orthographic"\n[[object]]\nmesh = "ball.off"\n'
                                             'fit = true\n', encoding="utf-8")
        scene = load_scene(tmp_path / "ortho.toml")
    obj = scene.objects[0]
    p = pixels((scene.world() @ obj.model)(obj.mesh.vertices), scene.camera, SIZE)
    reach = np.abs(p[:, 1] - SIZE[1] / 2).max() / (SIZE[1] / 2)
    assert FIT_FILL * 0.995 <= reach <= FIT_FILL * 1.0001


def test_fit_radius_closed_forms():
    """Perspective: the sphere's outline half-angle atan(FILL tan(fov/2)) is asin(r / d); orthographic: r = FILL d tan(fov/2)."""
    camera = Camera(fov=math.radians(50), distance=7.0)
    r = fit_radius(camera)
    assert math.asin(r / 7.0) == pytest.approx(math.atan(FIT_FILL * math.tan(math.radians(25))), rel=1e-12)
    camera.projection = "orthographic"
    assert fit_radius(camera) == pytest.approx(FIT_FILL * 7.0 * math.tan(math.radians(25)), rel=1e-12)


def test_fit_map_centres_and_scales():
    """After the fit the bounding sphere is at the origin (to the rounding of b) with the radius fit_radius gives."""
    rng = np.random.default_rng(5)
    for scale in (1e-3, 1.0, 1e4):
        points = rng.normal(size=(200, 3)) * scale + rng.uniform(-5, 5, 3) * scale
        fit = fit_map(points, Camera())
        centre, radius = bounding_sphere(fit(points))
        assert np.abs(centre).max() <= 1e-4 * fit_radius(Camera())
        assert radius == pytest.approx(fit_radius(Camera()), rel=1e-3)
        assert np.array_equal(eval(fit_text(fit), {"Affine": Affine}).matrix, fit.matrix)


def printed_fit(out: str) -> Affine:
    """The fit map that `render --verbose` printed, read back by evaluating the Python it printed."""
    lines = out.splitlines()
    k = next(i for i, line in enumerate(lines) if line.startswith("fit "))
    text = " ".join(line.strip() for line in lines[k + 1 : k + 3])
    assert re.fullmatch(r"Affine\.translation\(\[[^\]]*\]\) @ Affine\.scaling\([^)]*\)", text)
    return eval(text, {"Affine": Affine})


def test_the_printed_fit_is_the_map_applied(tmp_path, capsys):
    """render FILE --verbose prints the fit; that text, as Python, is exactly the object's model, and a scene file
    with those numbers as transform steps draws exactly the same picture."""
    path = write_model(tmp_path / "part.obj", MODELS["fandisk_like"], 37.0, [500.0, -20.0, 3.0])
    out_png = tmp_path / "part.png"
    assert main(["render", str(path), "--verbose", "--size", "200x150", "-o", str(out_png)]) == 0
    out = capsys.readouterr().out
    fit = printed_fit(out)
    scene = load_scene(path)
    assert np.array_equal(fit.matrix, scene.objects[0].model.matrix)
    s, b = float(fit.A[0, 0]), fit.b.tolist()
    yaw, pitch = MESH_VIEW_DEG
    (tmp_path / "by_hand.toml").write_text(
        f"[world]\nyaw_deg = {yaw!r}\npitch_deg = {pitch!r}\n[[object]]\nmesh = \"part.obj\"\n"
        f"transform = [{{ scale = {s!r} }}, {{ translate = {b!r} }}]\ncolor = {list(MESH_COLOR)!r}\nshading = \"smooth\"\n",
        encoding="utf-8")
    by_hand = load_scene(tmp_path / "by_hand.toml")
    assert np.array_equal(by_hand.objects[0].model.matrix, fit.matrix)
    np.testing.assert_array_equal(np.asarray(Image.open(out_png)), render(by_hand, SIZE))


def test_the_overlay_shows_the_same_fit(tmp_path, capsys):
    """The viewer's overlay carries the fit as the same Python text."""
    path = write_model(tmp_path / "pot.obj", MODELS["teapot_like"], 1e-3, [0.02, 0.0, -0.01])
    scene = load_scene(path)
    hud = ViewerState(scene, SIZE, scenes=[]).hud_lines()
    k = next(i for i, line in enumerate(hud) if line.startswith("fit "))
    text = " ".join(line.strip() for line in hud[k + 1 : k + 3])
    assert text == fit_text(scene.objects[0].fit)
    assert np.array_equal(eval(text, {"Affine": Affine}).matrix, scene.objects[0].model.matrix)


def test_fit_true_in_a_scene_file_comes_before_the_steps(tmp_path):
    """fit = true: model = transform @ fit, and the picture does not depend on the file's units or offset."""
    small = write_model(tmp_path / "small.obj", MODELS["bunny_like"], 1.0, [0, 0, 0])
    big = write_model(tmp_path / "big.obj", MODELS["bunny_like"], 1000.0, [-4000.0, 0, 250.0])
    pictures = []
    for name in ("small", "big"):
        path = tmp_path / f"{name}.toml"
        path.write_text(f'[[object]]\nmesh = "{name}.obj"\nfit = true\ntransform = [{{ rotate = {{ axis = "y", deg = 30 }} }},'
                        f' {{ translate = [0.5, 0, 0] }}]\n', encoding="utf-8")
        scene = load_scene(path)
        obj = scene.objects[0]
        steps = Affine.translation([0.5, 0, 0]) @ Affine.rotation_y(math.radians(30))
        assert np.array_equal(obj.model.matrix, (steps @ obj.fit).matrix)
        pictures.append(render(scene, SIZE, samples=0))
    assert np.mean(np.any(np.abs(pictures[0].astype(int) - pictures[1]) > 8, axis=2)) < 0.01


@pytest.mark.parametrize("text, message", [
    ('[[object]]\nmesh = "m.obj"\nfit = "yes"\n', "object[0].fit: expected true or false"),
    ('[[object]]\nmesh = "m.obj"\nshading = "glossy"\n', "object[0].shading: expected one of: flat, smooth"),
    ('[[object]]\nmesh = "dot.obj"\nfit = true\n', "object[0].fit: dot: cannot fit a mesh whose vertices all lie at one point"),
])
def test_bad_fit_and_shading_keys(tmp_path, text, message):
    """A wrong fit or shading value, or a mesh with no size to fit: SceneError naming the field."""
    (tmp_path / "m.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n", encoding="utf-8")
    (tmp_path / "dot.obj").write_text("v 1 1 1\nv 1 1 1\nv 1 1 1\nf 1 2 3\n", encoding="utf-8")
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SceneError) as info:
        load_scene(path)
    assert message in str(info.value)


def test_render_and_view_take_a_mesh_file(tmp_path, capsys):
    """`render FILE.off`, `render FILE.obj --flat`, `view FILE.obj --offscreen`: pictures of the model, named after it."""
    path = write_model(tmp_path / "bunny.off", MODELS["bunny_like"], 0.01, [0.5, 0.5, 0.5])
    assert main(["render", str(path), "--size", "160x120", "-o", str(tmp_path / "b.png")]) == 0
    smooth = np.asarray(Image.open(tmp_path / "b.png"))
    assert main(["render", str(path), "--size", "160x120", "--flat", "-o", str(tmp_path / "f.png")]) == 0
    flat = np.asarray(Image.open(tmp_path / "f.png"))
    assert "scene 'bunny.off'" in capsys.readouterr().out
    covered = np.any(smooth[..., :3] != smooth[0, 0, :3], axis=2)
    assert covered.mean() > 0.1 and np.mean(np.any(smooth != flat, axis=2)[covered]) > 0.3
    # The window, in a subprocess (a process holds pyglet in one mode; this one runs it headless already).
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    done = subprocess.run([sys.executable, "-m", "affine3d", "view", str(path), "--offscreen", "--frames", "2",
                           "--no-hud", "--size", "160x120", "--screenshot", "v.png"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    shot = np.asarray(Image.open(tmp_path / "v.png").convert("RGB")).astype(int)
    assert np.mean(np.abs(shot - smooth[..., :3]).max(axis=2) <= 8) >= 0.99


def test_a_missing_or_broken_mesh_file_is_one_line(tmp_path, capsys):
    """`render missing.obj`, `view broken.obj`: exit 2, one line naming the file (and the line)."""
    (tmp_path / "broken.obj").write_text("v 0 0 0\nv 1 0 x\nf 1 2 3\n", encoding="utf-8")
    for argv, expected in ([["render", str(tmp_path / "missing.obj")], f"{tmp_path / 'missing.obj'}: mesh file not found"],
                           [["view", str(tmp_path / "broken.obj"), "--offscreen"], f"{tmp_path / 'broken.obj'}:2: "]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and expected in err


def test_a_pipe_named_as_a_scene_objects_mesh_is_refused_as_one(tmp_path):
    """mesh = "pipe.obj" naming a FIFO: the scene error says it is a pipe (nothing is read, nothing hangs)."""
    os.mkfifo(tmp_path / "pipe.obj")
    (tmp_path / "s.toml").write_text('[[object]]\nmesh = "pipe.obj"\n', encoding="utf-8")
    with pytest.raises(SceneError) as info:
        load_scene(tmp_path / "s.toml")
    assert "object[0].mesh" in str(info.value) and "expected a regular file, got a pipe (FIFO)" in str(info.value)
