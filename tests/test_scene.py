"""Tests for affine3d.geometry.scene: shipped scenes load and are framed, degrees become radians, bad files say where."""

import math

import numpy as np
import pytest

from affine3d import Affine, SceneError
from affine3d.geometry.mesh_files import load_obj
from affine3d.geometry.solids import PLATONIC, cube
from affine3d.projection import orthographic, perspective, project_points
from affine3d.resources import scene_dir
from affine3d.geometry.scene import DEFAULT_SCENE, Camera, Scene, SceneObject, list_scenes, load_scene, parse_color, parse_transform

CUBE = '[[object]]\nshape = "cube"\n'


def scene_from(tmp_path, text, name="x.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_scene(path)


def error_of(tmp_path, text, name="x.toml") -> str:
    with pytest.raises(SceneError) as info:
        scene_from(tmp_path, text, name)
    return str(info.value)


# ---------------------------------------------------------------------------------------- shipped scenes
def test_shipped_scenes_are_listed():
    """The default, '1980 vs 2015' and the OBJ scene ship, and list_scenes() names them."""
    names = list_scenes()
    assert {DEFAULT_SCENE, "platonic", "1980-vs-2015", "obj-model", "shear"} <= set(names)


@pytest.mark.parametrize("name", list_scenes())
def test_every_shipped_scene_loads(name):
    """Each scenes/*.toml loads, by name and by path, with at least one object and a unit light."""
    scene = load_scene(name)
    assert scene.objects and scene.n_triangles > 0
    assert load_scene(scene_dir() / f"{name}.toml").n_triangles == scene.n_triangles
    assert np.linalg.norm(scene.light_direction) == pytest.approx(1.0)
    assert scene.world_rotation.is_rigid() and scene.world_rotation.determinant == pytest.approx(1.0)
    for obj in scene.objects:
        assert all(0 <= c <= 1 for c in obj.color)


def test_default_scene_is_the_five_platonic_solids():
    """The default scene holds the five Platonic solids, each with its own colour, side by side along x."""
    scene = load_scene()
    assert scene.name and scene.path.name == "platonic.toml"
    assert sorted(o.mesh.name for o in scene.objects) == sorted(PLATONIC)
    assert len({o.color for o in scene.objects}) == 5
    centres = [o.model(np.zeros(3)) for o in scene.objects]
    xs = sorted(c[0] for c in centres)
    assert all(b - a >= 2 for a, b in zip(xs, xs[1:]))  # circumradius 1: the solids do not overlap


def pixel_bounds(scene, size, rotation=None):
    """Every vertex of every object, projected to pixels on the CPU: (min xy, max xy)."""
    width, height = size
    P = scene.projection(width / height)
    points_camera = np.vstack([(scene.world(rotation) @ o.model)(o.mesh.vertices) for o in scene.objects])
    pixels = project_points(P, points_camera, size)[:, :2]
    return pixels.min(axis=0), pixels.max(axis=0)


@pytest.mark.parametrize("name", list_scenes())
def test_scenes_are_framed_for_4_3(name):
    """At 800x600 every vertex lands inside the window with a 5 % margin (over a whole turn if the scene spins)."""
    scene = load_scene(name)
    size = np.array([800, 600])
    yaws = np.radians(np.arange(0, 360, 10)) if scene.spin else [None]
    for yaw in yaws:
        rotation = None if yaw is None else scene.world_rotation @ Affine.rotation_y(yaw)
        lo, hi = pixel_bounds(scene, tuple(size), rotation)
        assert np.all(lo >= 0.05 * size) and np.all(hi <= 0.95 * size), (name, yaw, lo, hi)


def test_default_scene_fills_the_width():
    """The default row of solids spans more than two thirds of a 4:3 window's width."""
    lo, hi = pixel_bounds(load_scene(), (800, 600))
    assert hi[0] - lo[0] > 800 * 2 / 3


def test_1980_vs_2015():
    """Two unit spheres: an icosphere with few triangles (20 * 4^k, k <= 1) and one with many (k >= 5)."""
    scene = load_scene("1980-vs-2015")
    counts = sorted(o.mesh.n_triangles for o in scene.objects)
    assert len(counts) == 2 and counts[0] in (20, 80) and counts[1] in (20 * 4**5, 20 * 4**6)
    for obj in scene.objects:
        np.testing.assert_allclose(np.linalg.norm(obj.mesh.vertices, axis=1), 1.0)


def test_obj_scene_reads_the_file_next_to_it():
    """obj-model's objects carry the mesh of scenes/house.obj, read from the scene's own folder."""
    scene = load_scene("obj-model")
    house = load_obj(scene_dir() / "house.obj")
    for obj in scene.objects:
        assert np.array_equal(obj.mesh.vertices, house.vertices)
        assert np.array_equal(obj.mesh.triangles, house.triangles)


def test_shear_scene_has_a_shear_and_a_mirror():
    """The normal-matrix scene holds a non-orthogonal map and a reflection (det < 0)."""
    models = [o.model for o in load_scene("shear").objects]
    assert any(not m.orthonormalized().allclose(m, 1e-6) and m.determinant > 0 for m in models)
    assert any(m.determinant < 0 for m in models)


# ---------------------------------------------------------------------------------------- degrees, order
def test_rotate_90_about_z_sends_x_to_y(tmp_path):
    """A rotate step of 90 degrees about z maps (1, 0, 0) to (0, 1, 0): the file's degrees became radians."""
    scene = scene_from(tmp_path, CUBE + 'transform = [{ rotate = { axis = [0, 0, 1], deg = 90 } }]\n')
    np.testing.assert_allclose(scene.objects[0].model([1.0, 0, 0]), [0, 1, 0], atol=1e-15)
    same = parse_transform([{"rotate": {"axis": "z", "deg": 90}}])
    assert same.allclose(Affine.rotation_z(math.pi / 2), 1e-15)


def test_camera_and_world_angles_in_radians(tmp_path):
    """fov_deg = 90 gives fov = pi/2; yaw_deg = 90 turns +x to -z; pitch_deg = 90 turns +y to +z; spin 180 deg/s = pi rad/s."""
    scene = scene_from(tmp_path, "[camera]\nfov_deg = 90\n[world]\nyaw_deg = 90\nspin_deg_per_s = 180\n" + CUBE)
    assert scene.camera.fov == pytest.approx(math.pi / 2)
    assert scene.spin == pytest.approx(math.pi)
    np.testing.assert_allclose(scene.world_rotation([1.0, 0, 0]), [0, 0, -1], atol=1e-15)
    pitched = scene_from(tmp_path, "[world]\npitch_deg = 90\n" + CUBE, "p.toml")
    np.testing.assert_allclose(pitched.world_rotation([0, 1.0, 0]), [0, 0, 1], atol=1e-15)


def test_yaw_then_pitch_order(tmp_path):
    """The world turns about its own y first (yaw), then tips about x (pitch): R = Rx(pitch) Ry(yaw)."""
    scene = scene_from(tmp_path, "[world]\nyaw_deg = 30\npitch_deg = 20\n" + CUBE)
    expected = Affine.rotation_x(math.radians(20)) @ Affine.rotation_y(math.radians(30))
    assert scene.world_rotation.allclose(expected, 1e-15)


def test_steps_apply_in_the_order_listed(tmp_path):
    """[scale 2, translate x+1] sends (1,0,0) to (3,0,0); the reverse order sends it to (4,0,0)."""
    a = scene_from(tmp_path, CUBE + "transform = [{ scale = 2 }, { translate = [1, 0, 0] }]\n", "a.toml")
    b = scene_from(tmp_path, CUBE + "transform = [{ translate = [1, 0, 0] }, { scale = 2 }]\n", "b.toml")
    np.testing.assert_allclose(a.objects[0].model([1.0, 0, 0]), [3, 0, 0])
    np.testing.assert_allclose(b.objects[0].model([1.0, 0, 0]), [4, 0, 0])


def test_scale_and_shear_steps(tmp_path):
    """Per-axis scale, a negative (mirror) factor and a shear give the matrices their names say."""
    scene = scene_from(tmp_path, CUBE + "transform = [{ scale = [2, -1, 0.5] }, { shear = { xy = 0.5 } }]\n")
    np.testing.assert_allclose(scene.objects[0].model.A, [[2, -0.5, 0], [0, -1, 0], [0, 0, 0.5]])


def test_world_and_projection(tmp_path):
    """world() pushes the origin to (0, 0, -distance); projection() is perspective or an equally framed box."""
    scene = scene_from(tmp_path, "[camera]\nfov_deg = 60\nnear = 1\nfar = 20\ndistance = 5\n" + CUBE)
    np.testing.assert_allclose(scene.world()(np.zeros(3)), [0, 0, -5])
    rotation = Affine.rotation_y(0.3)
    assert scene.world(rotation).allclose(Affine.translation([0, 0, -5]) @ rotation)
    np.testing.assert_allclose(scene.projection(1.5), perspective(math.radians(60), 1.5, 1, 20))
    half = 5 * math.tan(math.radians(30))
    np.testing.assert_allclose(scene.projection(1.5, ortho=True), orthographic(-1.5 * half, 1.5 * half, -half, half, 1, 20))
    # a point at the top of the view, at the world's origin depth, is at the top edge in both projections
    top = np.array([0, half, -5, 1])
    for P in (scene.projection(1.5), scene.projection(1.5, ortho=True)):
        clip = P @ top
        assert clip[1] / clip[3] == pytest.approx(1.0)
    ortho = scene_from(tmp_path, '[camera]\nprojection = "orthographic"\n' + CUBE, "o.toml")
    assert ortho.projection(1.0)[3].tolist() == [0, 0, 0, 1]


def test_colours_light_and_defaults(tmp_path):
    """'#rrggbb' and [r, g, b] colours, a normalised light, and defaults for everything optional."""
    scene = scene_from(tmp_path, 'background = "#ff8000"\n[light]\ndirection = [0, 3, 4]\n' + CUBE
                       + 'color = "#00ff00"\nwireframe = true\nedge_color = [0, 0, 1]\n' + CUBE)
    assert scene.background == (1.0, 128 / 255, 0.0)
    np.testing.assert_allclose(scene.light_direction, [0, 0.6, 0.8])
    first, second = scene.objects
    assert first.color == (0.0, 1.0, 0.0) and first.wireframe and first.edge_color == (0, 0, 1)
    assert second.color != first.color and not second.wireframe and second.edge_color is None
    assert scene.name == "x" and first.name == "cube" and first.model.allclose(Affine.identity(3))
    assert parse_color([0.25, 0.5, 1]) == (0.25, 0.5, 1.0)


def test_builtin_params(tmp_path):
    """params are passed to the built-in: an icosphere of level 2 has 320 triangles."""
    scene = scene_from(tmp_path, '[[object]]\nshape = "icosphere"\nparams = { level = 2 }\n')
    assert scene.n_triangles == 320


def test_scene_in_python():
    """A Scene built in Python needs only a name, a path and objects; world() and projection() work."""
    scene = Scene("one cube", None, [SceneObject("cube", cube())])
    assert scene.camera == Camera() and scene.n_triangles == 12
    np.testing.assert_allclose(scene.world()(np.zeros(3)), [0, 0, -Camera().distance])


# ---------------------------------------------------------------------------------------- errors
BAD_SCENES = [
    # (file text, the message must contain this; the field comes after "x.toml: ")
    (CUBE + 'transform = [{ rotate = { axis = [0, 0, 1], deg = "ninety" } }]\n',
     "x.toml: object[0].transform[0].rotate.deg: expected a number, got 'ninety'"),
    ('[camera]\nfov = 40\n' + CUBE, "x.toml: camera.fov: unknown key; expected one of: fov_deg, near, far, distance, projection"),
    ('colour = "red"\n' + CUBE, "x.toml: colour: unknown key; expected one of: name, description, background"),
    (CUBE + 'colour = [1, 0, 0]\n', "x.toml: object[0].colour: unknown key; expected one of: name, shape, params, mesh"),
    ('[[object]]\nshape = "cone"\n', "x.toml: object[0].shape: unknown shape 'cone'; expected one of: tetrahedron, cube, octahedron, dodecahedron, icosahedron, icosphere"),
    ('[[object]]\nshape = 3\n', "x.toml: object[0].shape: expected a string, got 3"),
    ('[[object]]\nmesh = "nowhere.obj"\n', "x.toml: object[0].mesh: mesh file not found: "),
    ('[[object]]\nshape = "cube"\nmesh = "a.obj"\n', "x.toml: object[0]: expected either shape"),
    ('[[object]]\nname = "nothing"\n', "x.toml: object[0]: expected either shape"),
    ('[camera]\nfov_deg = 40\n', "x.toml: object: expected at least one [[object]]"),
    ('[object]\nshape = "cube"\n', "x.toml: object: expected an array of tables ([[object]], double brackets)"),
    ('[camera]\nfov_deg = 180\n' + CUBE, "x.toml: camera.fov_deg: expected degrees in [0.01, 180), got 180"),
    ('[camera]\nfov_deg = true\n' + CUBE, "x.toml: camera.fov_deg: expected a number, got True"),
    ('[camera]\nnear = 5\nfar = 1\n' + CUBE, "x.toml: camera.far: expected far > near = 5, got 1"),
    ('[camera]\ndistance = -2\n' + CUBE, "x.toml: camera.distance: expected a number > 0, got -2"),
    ('[camera]\nnear = nan\n' + CUBE, "x.toml: camera.near: expected a finite number, got nan"),
    ('[camera]\nprojection = "fisheye"\n' + CUBE, "x.toml: camera.projection: expected one of: perspective, orthographic; got 'fisheye'"),
    ('[world]\nyaw = 30\n' + CUBE, "x.toml: world.yaw: unknown key; expected one of: yaw_deg, pitch_deg, spin_deg_per_s"),
    ('[light]\ndirection = [0, 0, 0]\n' + CUBE, "x.toml: light.direction: expected a non-zero vector"),
    ('[light]\ndirection = [0, 1]\n' + CUBE, "x.toml: light.direction: expected [x, y, z] (3 numbers), got [0, 1]"),
    ('background = "red"\n' + CUBE, 'x.toml: background: expected [r, g, b] (numbers in 0..1) or "#rrggbb", got \'red\''),
    (CUBE + 'color = [255, 0, 0]\n', "x.toml: object[0].color[0]: expected a number in 0..1, got 255"),
    (CUBE + 'wireframe = "yes"\n', "x.toml: object[0].wireframe: expected true or false, got 'yes'"),
    (CUBE + 'params = { size = 2 }\n', "x.toml: object[0].params.size: unknown key; expected no keys here"),
    ('[[object]]\nshape = "icosphere"\nparams = { level = 99 }\n', "x.toml: object[0].params.level: expected an integer in 0..9, got 99"),
    ('[[object]]\nshape = "icosphere"\nparams = { lvl = 2 }\n', "x.toml: object[0].params.lvl: unknown key; expected one of: level"),
    (CUBE + 'transform = { translate = [1, 0, 0] }\n', "x.toml: object[0].transform: expected a list of steps"),
    (CUBE + 'transform = [{ translate = [1, 0, 0], scale = 2 }]\n', "x.toml: object[0].transform[0]: expected a step with one key"),
    (CUBE + 'transform = [{ move = [1, 0, 0] }]\n', "x.toml: object[0].transform[0]: unknown step 'move'; expected one of: { translate = ... }"),
    (CUBE + 'transform = [{ translate = [1, 0, "z"] }]\n', "x.toml: object[0].transform[0].translate[2]: expected a number, got 'z'"),
    (CUBE + 'transform = [{ rotate = { axis = "w", deg = 3 } }]\n', "x.toml: object[0].transform[0].rotate.axis: expected [x, y, z] or"),
    (CUBE + 'transform = [{ rotate = { axis = [0, 0, 0], deg = 3 } }]\n', "x.toml: object[0].transform[0].rotate.axis: expected a non-zero axis"),
    (CUBE + 'transform = [{ rotate = { axis = "x" } }]\n', "x.toml: object[0].transform[0].rotate: missing key 'deg'"),
    (CUBE + 'transform = [{ rotate = { axis = "x", degrees = 3 } }]\n', "x.toml: object[0].transform[0].rotate.degrees: unknown key; expected one of: axis, deg"),
    (CUBE + 'transform = [{ scale = 0 }]\n', "x.toml: object[0].transform[0].scale: expected non-zero factors"),
    (CUBE + 'transform = [{ shear = { xx = 1 } }]\n', "x.toml: object[0].transform[0].shear.xx: unknown key; expected one of: xy, xz, yx, yz, zx, zy"),
    (CUBE + CUBE + 'name = 7\n', "x.toml: object[1].name: expected a string, got 7"),
    ('[[object]]\nmesh = "m.obj"\nparams = { level = 1 }\n', "x.toml: object[0].params: expected no params with mesh"),
    ('mlp = "nowhere.safetensors"\n' + CUBE, "x.toml: mlp: model file not found: "),
    ('mlp = "net.pkl"\n' + CUBE, "x.toml: mlp: expected a model file ending in .safetensors, .npz, .onnx or a model folder "
                              "(config.json + model.safetensors), got 'net.pkl'"),
    ('mlp = 3\n' + CUBE, "x.toml: mlp: expected a string, got 3"),
]


@pytest.mark.parametrize("text, message", BAD_SCENES)
def test_scene_errors_name_file_and_field(tmp_path, text, message):
    """Each bad scene raises SceneError naming the file and the field, what was found and what was expected."""
    assert message in error_of(tmp_path, text)


def test_toml_syntax_error_has_the_line(tmp_path):
    """A TOML syntax error names the file and the line."""
    message = error_of(tmp_path, '[camera]\nfov_deg = 40\nnear = \n' + CUBE)
    assert message.startswith(f"{tmp_path / 'x.toml'}:3: TOML syntax error")


def test_errors_start_with_the_path_given(tmp_path):
    """The file part of the message is the path as given to load_scene."""
    message = error_of(tmp_path, '[camera]\nfov = 1\n' + CUBE)
    assert message.startswith(f"{tmp_path / 'x.toml'}: camera.fov: ")


def test_mesh_file_errors_pass_through_with_the_field(tmp_path):
    """A malformed mesh file: the message names the scene field, the mesh file and its line."""
    (tmp_path / "bad.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 zero\nf 1 2 3\n")
    message = error_of(tmp_path, '[[object]]\nmesh = "bad.obj"\n')
    assert "x.toml: object[0].mesh: " in message and "bad.obj:3: expected a coordinate" in message


def test_mesh_path_is_relative_to_the_scene(tmp_path, monkeypatch):
    """mesh = 'sub/m.off' is found next to the scene file, whatever the working directory."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.off").write_text("OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n")
    monkeypatch.chdir("/")
    scene = scene_from(tmp_path, '[[object]]\nmesh = "sub/m.off"\n')
    assert scene.objects[0].name == "m" and scene.n_triangles == 1


def test_mlp_path_is_relative_to_the_scene(tmp_path, monkeypatch):
    """mlp = 'nets/n.npz' names the network file next to the scene file (checked, not loaded); no key: None."""
    (tmp_path / "nets").mkdir()
    (tmp_path / "nets" / "n.npz").write_bytes(b"not read by the scene loader")
    monkeypatch.chdir("/")
    scene = scene_from(tmp_path, 'mlp = "nets/n.npz"\n' + CUBE)
    assert scene.mlp == tmp_path / "nets" / "n.npz"
    assert scene_from(tmp_path, CUBE).mlp is None


def test_not_utf8_unknown_name_missing_file(tmp_path):
    """A non-UTF-8 scene file, an unknown scene name (lists the shipped ones) and a missing path raise SceneError."""
    (tmp_path / "b.toml").write_bytes(b'name = "caf\xe9"\n' + CUBE.encode())
    with pytest.raises(SceneError, match=r"b\.toml:1: expected UTF-8 text"):
        load_scene(tmp_path / "b.toml")
    with pytest.raises(SceneError) as info:
        load_scene("no-such-scene")
    assert "unknown scene 'no-such-scene'" in str(info.value) and "platonic" in str(info.value)
    with pytest.raises(SceneError, match="scene file not found"):
        load_scene(tmp_path / "missing.toml")
    assert issubclass(SceneError, ValueError)
