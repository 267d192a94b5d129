"""Follow one point (affine3d.cpu.trace, ``affine3d trace``): every number equals the CPU rasterizer's own value."""

import re
from pathlib import Path

import numpy as np
import pytest

from affine3d.cli import main
from affine3d.cpu.raster import vertex_stage, window_coordinates
from affine3d.cpu.trace import format_trace, trace_vertex
from affine3d.geometry.scene import load_scene
from affine3d.nn.mlp import MLP
from affine3d.nn.morph import Morph
from affine3d.render import MorphingScene

README = Path(__file__).resolve().parent.parent / "README.md"
SIZE = (800, 600)


def rasterizer_values(scene, k, i, world, projection, size, vertices=None):
    """What affine3d/cpu/raster.py computes for vertex i of object k: its p_world, p_camera, p_clip and p_window."""
    obj = scene.objects[k]
    p_model = (obj.mesh.vertices if vertices is None else vertices)[i][None]
    p_clip = vertex_stage(p_model, obj.model, world, projection)[0]
    p_world = obj.model(p_model)[0]
    return {"p_world": p_world, "p_camera": world(p_world), "p_clip": p_clip,
            "p_window": window_coordinates(p_clip[None], size)[0]}


@pytest.mark.parametrize("name", ["platonic", "shear", "obj-model"])
def test_every_vertex_row_is_the_rasterizers(name):
    """For several vertices of every object: p_world, p_camera, p_clip, p_ndc and p_window equal the rasterizer's values."""
    scene = load_scene(name)
    world = scene.world()
    projection = np.asarray(scene.projection(SIZE[0] / SIZE[1]), dtype=np.float64)
    for k, obj in enumerate(scene.objects):
        for i in sorted({0, len(obj.mesh.vertices) // 2, len(obj.mesh.vertices) - 1}):
            rows = {row.name: row.value for row in trace_vertex(scene, k, i, SIZE)}
            expected = rasterizer_values(scene, k, i, world, projection, SIZE)
            np.testing.assert_array_equal(rows["p_model"], obj.mesh.vertices[i])
            for key in ("p_world", "p_camera", "p_clip"):
                np.testing.assert_allclose(rows[key], expected[key], rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(rows["p_ndc"], expected["p_clip"][:3] / expected["p_clip"][3], rtol=1e-12)
            # the rasterizer snaps window x, y to 1/256 of a pixel, as GPUs do; depth is not snapped
            np.testing.assert_allclose(rows["p_window"][:2], expected["p_window"][:2], atol=1 / 512 + 1e-9)
            assert rows["p_window"][2] == pytest.approx(expected["p_window"][2], abs=1e-12)


def test_orthographic_and_turned_world():
    """Another world map and the orthographic projection: the same agreement."""
    from affine3d import Affine

    scene = load_scene("platonic")
    world = scene.world(Affine.rotation_y(0.7) @ Affine.rotation_x(-0.4))
    projection = np.asarray(scene.projection(640 / 480, True), dtype=np.float64)
    rows = {row.name: row.value for row in trace_vertex(scene, 3, 5, (640, 480), world, ortho=True)}
    expected = rasterizer_values(scene, 3, 5, world, projection, (640, 480))
    np.testing.assert_allclose(rows["p_clip"], expected["p_clip"], atol=1e-12)
    assert rows["p_clip"][3] == 1.0  # orthographic: nothing to divide
    np.testing.assert_allclose(rows["p_window"][:2], expected["p_window"][:2], atol=1 / 512 + 1e-9)


def test_network_rows_are_the_forward_pass_and_the_rest_is_the_warped_scenes():
    """cube-to-sphere: the layer rows are mlp.trace's values and names; camera..window are the rasterizer's for the warped vertex."""
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    x = scene.objects[0].model(scene.objects[0].mesh.vertices)
    morph = Morph(mlp, x)
    i = 123
    rows = trace_vertex(scene, 0, i, SIZE, morph=morph)
    names = [row.name for row in rows]
    steps = mlp.trace(x[i])
    # x, then z_i and a_i of every layer (the last layer's identity activation is no stage: y = W5 a4 + b5)
    network = rows[2:-5]
    assert network[0].name == "x = p_world"
    np.testing.assert_array_equal(network[0].value, steps[0].value)
    assert [r.name.split(" = ")[0] for r in network[1:]] == ["z1", "a1", "z2", "a2", "z3", "a3", "z4", "a4", "y"]
    assert [s.name.split(" = ")[0] for s in steps[1:-1]] == ["z1", "a1", "z2", "a2", "z3", "a3", "z4", "a4", "z5"]
    for row, step in zip(network[1:], steps[1:-1]):
        np.testing.assert_allclose(row.value, step.value, rtol=1e-12, atol=1e-12)
    assert names[-5:] == ["p_world", "p_camera", "p_clip", "p_ndc", "p_window"]
    # the rasterizer's values for the warped scene (MorphingScene on the CPU: model = identity, warped vertices)
    warped = MorphingScene(None, scene, mlp, SIZE)
    warped.show(warped.morph.stages[-1], 1.0)
    world = scene.world()
    projection = np.asarray(scene.projection(SIZE[0] / SIZE[1]), dtype=np.float64)
    expected = rasterizer_values(warped.scene, 0, i, world, projection, SIZE)
    table = {row.name: row.value for row in rows[-4:]}
    np.testing.assert_allclose(rows[-5].value, expected["p_world"], atol=1e-12)
    np.testing.assert_allclose(table["p_clip"], expected["p_clip"], atol=1e-12)
    np.testing.assert_allclose(table["p_window"][:2], expected["p_window"][:2], atol=1 / 512 + 1e-9)


def test_paused_in_a_stage_the_trace_stops_there():
    """With the forward pass at t = 0.4 of stage 3 (polar path too), the last network row and the drawn point are the morph's."""
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    x = scene.objects[0].mesh.vertices
    for path in ("linear", "polar"):
        morph = Morph(mlp, x, path)
        keys = morph.keyframes(x)
        rows = trace_vertex(scene, 0, 7, SIZE, morph=morph, stage=2, t=0.4)
        drawn = morph.positions(2, 0.4, keys[2])[7]
        np.testing.assert_allclose(rows[-5].value, drawn, atol=1e-12)
        assert rows[-6].name.startswith("z2 = W2 a1 + b2") and "t = 0.40" in rows[-6].name
        assert rows[-6].how.endswith(f"({path} path)")


def test_names_follow_the_readmes_pipeline_diagram():
    """The README's diagram names p_model, p_world, p_camera, p_clip, p_ndc, p_window in that order: so does the table."""
    text = README.read_text(encoding="utf-8")
    diagram = text[text.index("p_model --model-->"):]
    diagram = diagram[: diagram.index("```")]
    order = re.findall(r"p_[a-z]+", diagram)
    names = [row.name for row in trace_vertex(load_scene("platonic"), 1, 2)]
    assert names == order
    assert [row.name for row in trace_vertex(load_scene("platonic"), 1, 2)] == \
        ["p_model", "p_world", "p_camera", "p_clip", "p_ndc", "p_window"]


def test_command_prints_the_table(capsys):
    """affine3d trace: a header, one line per space with its name, the pixel; the numbers are trace_vertex's."""
    assert main(["trace", "platonic", "--object", "cube", "--vertex", "3", "--size", "640x480"]) == 0
    out = capsys.readouterr().out.splitlines()
    scene = load_scene("platonic")
    k = [o.name for o in scene.objects].index("cube")
    rows = trace_vertex(scene, k, 3, (640, 480))
    assert out[0].startswith("scene 'Platonic solids', 640x480 pixels")
    assert out[1:-1] == format_trace(rows)
    x, y, _ = rows[-1].value
    assert out[-1] == f"pixel column {int(np.floor(x))}, row {int(np.floor(y))}"
    for space in ("model space", "world space", "camera space", "clip space", "NDC", "window pixels"):
        assert any(line.startswith(space) for line in out)


def test_command_with_matrices_shows_each_map(capsys):
    """--matrices prints each map's matrix above its value: the world matrix's last row is [0 0 0 1]."""
    assert main(["trace", "cube-to-sphere", "--vertex", "0", "--matrices"]) == 0
    out = capsys.readouterr().out
    assert out.count("[   0.0000    0.0000    0.0000    1.0000 ]") >= 3
    assert "z1 = W1 x + b1" in out and "y = W5 a4 + b5" in out


@pytest.mark.parametrize("args, message", [
    (["--object", "9"], "--object: expected 0..4"),
    (["--object", "teapot"], "no object called 'teapot'"),
    (["--vertex", "99"], "--vertex: expected 0..3"),
    (["--yaw", "nan"], "--yaw: expected a finite number"),
])
def test_bad_arguments_are_one_line(args, message, capsys):
    """A wrong object, vertex or angle: exit 2, one line naming it."""
    assert main(["trace", "platonic", *args]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err
