"""scenes/teapot.obj is what scenes/make_teapot.py makes from Newell's patches: byte for byte, smooth, facing out."""

import importlib.util
import math

import numpy as np

from affine3d.geometry.mesh_files import load_mesh
from affine3d.resources import scene_dir

SHIPPED = scene_dir() / "teapot.obj"


def make_teapot():
    """scenes/make_teapot.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_teapot", scene_dir() / "make_teapot.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_script_makes_the_shipped_file_byte_for_byte(tmp_path, capsys):
    """Running scenes/make_teapot.py writes exactly the bytes of scenes/teapot.obj (the README's claim)."""
    out = tmp_path / "teapot.obj"
    assert make_teapot().main(["-o", str(out)]) == 0
    assert out.read_bytes() == SHIPPED.read_bytes()
    assert "2081 vertices" in capsys.readouterr().out


def test_the_data_is_the_published_teapot():
    """32 patches over 306 control points; a Bézier patch passes through its 4 corner points, so the file has them."""
    script = make_teapot()
    assert len(script.PATCHES) == 32 and all(len(p) == 16 for p in script.PATCHES)
    assert len(script.VERTICES) == 306
    corners = np.asarray(script.VERTICES)[np.asarray(script.PATCHES)[:, [0, 3, 12, 15]].ravel()]
    corners_y_up = corners[:, [0, 2, 1]] * [1, 1, -1]  # a quarter turn about x: (x, y, z) -> (x, z, -y)
    mesh = load_mesh(SHIPPED)
    distance = np.min(np.linalg.norm(mesh.vertices[None, :, :] - corners_y_up[:, None, :], axis=2), axis=1)
    assert distance.max() < 1e-6
    assert np.allclose(mesh.bounds()[0], [-3.0, 0.0, -2.0]) and np.allclose(mesh.bounds()[1], [3.433154, 3.15, 2.0])


def test_the_normals_are_unit_and_face_out():
    """Each corner normal has length 1 and lies on the side its triangle's winding faces; the volume is positive."""
    mesh = load_mesh(SHIPPED)
    assert mesh.normals is not None and mesh.normal_indices is not None
    assert np.allclose(np.linalg.norm(mesh.normals, axis=1), 1.0, atol=2e-6)
    corner = mesh.normals[mesh.normal_indices]
    faces = mesh.face_normals()
    assert np.all(np.einsum("tk,tck->tc", faces, corner) > 0.2)  # 0.25 at the worst: the spout's sharp tip
    # The body's volume, bounded by radius 2 and height 3.15: positive (outward) and of the right size.
    assert 0.5 * math.pi * 2.0**2 * 3.15 < mesh.signed_volume() < math.pi * 2.0**2 * 3.15


def test_the_body_is_a_surface_of_revolution_with_radial_normals():
    """Away from the spout and handle, points sit on circles about the y axis and normals point away from the axis."""
    mesh = load_mesh(SHIPPED)
    corner_points = mesh.vertices[mesh.triangles].reshape(-1, 3)
    corner_normals = mesh.normals[mesh.normal_indices].reshape(-1, 3)
    radial = np.linalg.norm(corner_points[:, [0, 2]], axis=1)
    body = (radial > 1.6) & (corner_points[:, 1] > 0.3) & (corner_points[:, 1] < 2.2) & (np.abs(corner_points[:, 2]) > 1.0)
    assert body.sum() > 500
    outward = np.einsum("nk,nk->n", corner_normals[body][:, [0, 2]], corner_points[body][:, [0, 2]]) / radial[body]
    assert np.all(outward > 0.5)


def test_smooth_shading_uses_the_files_normals():
    """The smooth layout lights the teapot with the file's own normals (every corner names one), not computed ones."""
    from affine3d.geometry.normals import smooth_layout

    mesh = load_mesh(SHIPPED)
    layout = smooth_layout(mesh)
    written = np.concatenate([mesh.vertices[mesh.triangles], mesh.normals[mesh.normal_indices]], axis=2).reshape(-1, 6)
    drawn = np.hstack([layout.positions(mesh.vertices), layout.normals])[layout.triangles].reshape(-1, 6)
    np.testing.assert_allclose(drawn, written, atol=1e-6)
    knob = mesh.vertices[np.argmax(mesh.vertices[:, 1])]
    assert np.allclose(knob, [0.0, 3.15, 0.0])  # y up: the lid's knob on top, on the axis
    assert np.allclose(layout.normals[layout.source == np.argmax(mesh.vertices[:, 1])], [0.0, 1.0, 0.0], atol=1e-6)
