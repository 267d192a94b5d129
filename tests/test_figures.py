"""Figures for slides: hatched inside-out solids, an off-centre projection, the naive-normals mistake, stage captions,
`render` applying a scene's network at a chosen moment, and pictures that come out the same byte for byte.

The GPU and the CPU rasterizer draw each of these; the pixel rule of tests/test_raster.py holds (>= 99% of pixels
agree within 8/255, one pixel of shift allowed at edges), and the stripes must fall on the very same pixels.
"""

import math
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from affine3d import MLP, Affine, load_scene
from affine3d.cpu.raster import render_cpu
from affine3d.geometry import solids
from affine3d.geometry.scene import Camera, Scene, SceneObject
from affine3d.geometry.shading import AMBIENT, INSIDE_COLOR, INSIDE_LEGEND, INSIDE_SHADE, hatch_period
from affine3d.gl.context import create_context
from affine3d.gl.renderer import Renderer
from affine3d.images import caption, wrap_text, _font
from affine3d.nn.morph import Morph
from affine3d.projection import into_box, perspective, project_points
from affine3d.render import MorphingScene, render_output
from affine3d.pictures import stage_label

from test_raster import agreement  # the CPU-vs-GPU pixel rule

LIGHT = np.array([0.3, 0.5, 1.0]) / np.linalg.norm([0.3, 0.5, 1.0])


@pytest.fixture(scope="module")
def ctx():
    context = create_context()
    yield context
    context.release()


def scene_of(*objects, distance=5.0):
    camera = Camera(fov=math.radians(45), near=0.1, far=100.0, distance=distance)
    return Scene("figure", None, list(objects), camera=camera, light_direction=LIGHT, background=(0.1, 0.1, 0.12),
                 world_rotation=Affine.rotation_x(0.45) @ Affine.rotation_y(-0.6))


def gpu(ctx, scene, size, **draw):
    with Renderer(ctx, scene, size, samples=0, cull_back_faces=draw.pop("cull", True)) as renderer:
        renderer.draw(**draw)
        return renderer.read()


def covered(image, scene):
    return np.any(np.abs(image[..., :3].astype(int) - np.round(np.asarray(scene.background) * 255)) > 8, axis=-1)


# ---------------------------------------------------------------------------- hatching
@pytest.mark.parametrize("size", [(160, 120), (320, 240)])
def test_hatched_solid_has_the_same_stripes_on_the_gpu_and_the_cpu(ctx, size):
    """A hatched object: >= 99% of pixels agree (shift allowed) and >= 97% of its pixels agree exactly, so the
    stripes fall on the same pixels; the picture holds both stripes and no trace of the object's own colour."""
    cube = SceneObject("cube", solids.cube(), Affine.scaling(1.3), color=(0.2, 0.4, 0.9), hatched=True)
    scene = scene_of(cube)
    on_gpu, on_cpu = gpu(ctx, scene, size), render_cpu(scene, size)
    assert agreement(on_gpu, on_cpu) >= 0.99
    inside = covered(on_gpu, scene) & covered(on_cpu, scene)
    exact = (np.abs(on_gpu[..., :3].astype(int) - on_cpu[..., :3]) <= 8).all(axis=2)
    assert exact[inside].mean() >= 0.97
    rgb = on_gpu[inside][:, :3].astype(float)
    assert (rgb[:, 2] <= 2).all()  # INSIDE_COLOR has no blue; the cube's own colour would
    # Along one row of the front face the stripes alternate every hatch_period(height) pixels.
    row = np.flatnonzero(inside[size[1] // 2])
    values = on_gpu[size[1] // 2, row, 0].astype(int)
    changes = np.flatnonzero(np.abs(np.diff(values)) > 40)
    steps = np.diff(changes)
    assert len(changes) >= 4 and np.median(steps) == hatch_period(size[1])


def test_stripe_colours_are_inside_color_and_its_shade_lit_like_the_face(ctx):
    """On a face turned straight to the light, the bright stripe is INSIDE_COLOR * 1.0 and the dark one INSIDE_SHADE
    times it (Lambert: ambient + (1 - ambient) * n.l with n.l = 1), to the rounding of 8 bits."""
    square = SceneObject("square", solids.cube(), Affine.scaling([1.5, 1.5, 0.1]), hatched=True)
    # world: turn the square's +z face toward the light direction (camera space), then push it away
    axis = np.cross([0, 0, 1.0], LIGHT)
    turn = Affine.rotation(axis, math.acos(float(LIGHT[2])))
    scene = scene_of(square)
    world = Affine.translation([0, 0, -5.0]) @ turn
    image = gpu(ctx, scene, (160, 120), world=world)
    pixels = image[covered(image, scene)][:, :3].astype(int)
    bright = np.round(np.array(INSIDE_COLOR) * 255)
    dark = np.round(np.array(INSIDE_COLOR) * INSIDE_SHADE * 255)
    near_bright = (np.abs(pixels - bright) <= 2).all(axis=1)
    near_dark = (np.abs(pixels - dark) <= 2).all(axis=1)
    assert near_bright.mean() > 0.3 and near_dark.mean() > 0.3 and (near_bright | near_dark).mean() > 0.9


def test_morphing_scene_hatches_the_solid_the_network_turned_inside_out_the_same_on_both_backends(ctx):
    """cube-to-sphere at stage 3, t = 0.5 (det A(t) < 0 by then: inside out): hatched on the GPU and the CPU, alike."""
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    size = (200, 150)
    with MorphingScene(ctx, scene, mlp, size, samples=0) as on_gpu, MorphingScene(None, scene, mlp, size) as on_cpu:
        a, b = on_gpu.render(2, 0.5), on_cpu.render(2, 0.5)
        assert on_gpu.inside_out == on_cpu.inside_out == [True]
        info = on_gpu.morph.info(2)
        assert info.determinant_at(0.5) * Morph(mlp).info(0).determinant < 0  # the independent reason: det < 0
    assert agreement(a, b) >= 0.99


# ---------------------------------------------------------------------------- the off-centre projection
def test_into_box_draws_the_scene_in_the_box_where_the_cpu_projection_says(ctx):
    """A solid drawn with into_box(P, box, size): GPU and CPU agree; its pixels span what project_points gives
    for its vertices under the same matrix, and a point at the world origin lands on the box's centre."""
    size, box = (320, 240), (40, 110, 240, 120)  # left, top, width, height: the lower part of the image
    cube = SceneObject("cube", solids.cube(), Affine.identity(3), color=(0.9, 0.6, 0.2))
    scene = scene_of(cube, distance=6.0)
    P = into_box(perspective(scene.camera.fov, box[2] / box[3], 0.1, 100.0), box, size)
    on_gpu, on_cpu = gpu(ctx, scene, size, projection=P), render_cpu(scene, size, projection=P)
    assert agreement(on_gpu, on_cpu) >= 0.99
    rows, cols = np.nonzero(covered(on_gpu, scene))
    points = project_points(P, scene.world()(cube.mesh.vertices), size)
    assert abs(cols.min() - points[:, 0].min()) <= 1.5 and abs(cols.max() + 1 - points[:, 0].max()) <= 1.5
    assert abs(rows.min() - points[:, 1].min()) <= 1.5 and abs(rows.max() + 1 - points[:, 1].max()) <= 1.5
    assert rows.min() >= box[1] - 1 and rows.max() <= box[1] + box[3]
    centre = project_points(P, scene.world()(np.zeros((1, 3))), size)[0]
    assert np.allclose(centre[:2], [box[0] + box[2] / 2, box[1] + box[3] / 2])


# ---------------------------------------------------------------------------- A n instead of the normal matrix
def test_naive_normals_light_a_sheared_face_as_A_n_says_on_both_renderers(ctx):
    """naive_normals=True: a sheared cube's top face takes the colour Lambert gives with normalize(A n), computed
    here by hand; with the normal matrix it takes the (different) right colour; GPU and CPU agree both ways."""
    color = np.array([0.3, 0.7, 0.9])
    shear = Affine.shear(xy=1.2)  # x += 1.2 y: the top face (normal +y) tilts in A n, not in (A^-1)^T n
    cube = SceneObject("sheared", solids.cube(), shear, color=tuple(color))
    scene = scene_of(cube)
    world = Affine.translation([0, 0, -5.0]) @ Affine.rotation_x(0.7)  # the top face toward the camera
    size = (240, 180)
    A = (world @ shear).A
    top_centre = world(shear([0.0, solids.cube().vertices[:, 1].max(), 0.0]))
    x, y, _ = project_points(scene.projection(size[0] / size[1]), top_centre[None], size)[0]
    for naive in (False, True):
        n = A @ [0.0, 1.0, 0.0] if naive else np.linalg.inv(A).T @ [0.0, 1.0, 0.0]
        n /= np.linalg.norm(n)
        expected = np.round(color * (AMBIENT + (1 - AMBIENT) * max(float(n @ LIGHT), 0.0)) * 255)
        on_gpu = gpu(ctx, scene, size, world=world, naive_normals=naive)
        on_cpu = render_cpu(scene, size, world, naive_normals=naive)
        assert agreement(on_gpu, on_cpu) >= 0.99
        for image in (on_gpu, on_cpu):
            assert np.abs(image[int(y), int(x), :3].astype(int) - expected).max() <= 2, (naive, image[int(y), int(x)])
    right = np.linalg.inv(A).T @ [0, 1.0, 0]
    wrong = A @ [0, 1.0, 0]
    assert abs(right @ LIGHT / np.linalg.norm(right) - wrong @ LIGHT / np.linalg.norm(wrong)) > 0.1  # visibly different


# ---------------------------------------------------------------------------- captions and labels
def test_a_long_caption_is_wrapped_inside_the_picture_not_cut():
    """The platonic input label on an 800 x 600 stage picture (render's default): two lines, inside the margins."""
    label = "input: tetrahedron, cube, octahedron, dodecahedron, icosahedron"
    image = caption(Image.new("RGB", (800, 600)), label)
    size = 600 // 22
    font = _font(size)
    lines = wrap_text(label, font, 800 - 2 * (size // 2))
    assert len(lines) >= 2 and " ".join(lines) == label
    assert all(font.getlength(line) <= 800 - 2 * (size // 2) for line in lines)
    lit = np.nonzero(np.asarray(image.convert("L")) > 128)
    assert lit[1].max() < 800 - 2 and lit[0].max() > 2 * size  # nothing at the right edge; a second line below


def test_stage_labels_carry_the_layers_det_W():
    """Each stage's caption names its stage and det W of its layer (numpy's det of the file's W)."""
    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    morph = Morph(mlp)
    for stage in morph.stages:
        det = np.linalg.det(mlp.layers[stage.layer - 1].W)
        label = stage_label(morph, stage)
        assert label.startswith(stage.name) and f"{det:.2f}" in label


def test_hatched_pictures_and_the_sheet_carry_the_legend(ctx, tmp_path):
    """A stage PNG that shows a hatched solid has the legend in its bottom-left corner; one that does not, has not."""
    from affine3d.pictures import render_stages

    scene = load_scene("cube-to-sphere")
    mlp = MLP.load(scene.mlp)
    result = render_stages(scene, mlp, tmp_path, (200, 150), frames_per_stage=1, samples=0, ctx=ctx)
    with MorphingScene(None, scene, mlp, (40, 30)) as morphing:
        flags = [False] + [(morphing.show(s, 1.0), morphing.inside_out[0])[1] for s in morphing.morph.stages]
    assert any(flags) and not all(flags)
    for path, hatched in zip(result["stages"], flags):
        corner = np.asarray(Image.open(path).convert("L"))[-20:, :100]
        assert (corner.max() > 200) == hatched, path.name  # the light caption text
    assert INSIDE_LEGEND == "hatched: inside out, det < 0"


# ---------------------------------------------------------------------------- render: the scene's network, a moment
def run_render(tmp_path, *args):
    result = subprocess.run([sys.executable, "-m", "affine3d", "render", *args], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_render_cube_to_sphere_applies_the_scenes_network(ctx, tmp_path):
    """`affine3d render cube-to-sphere` is the scene after its network (as render --help says), not the plain cube."""
    run_render(tmp_path, "cube-to-sphere", "--size", "160x120", "-o", "c.png")
    image = np.asarray(Image.open(tmp_path / "c.png").convert("RGBA"))
    scene = load_scene("cube-to-sphere")
    warped = render_output(scene, MLP.load(scene.mlp), (160, 120), ctx=ctx)
    with Renderer(ctx, scene, (160, 120)) as renderer:
        renderer.draw()
        plain = renderer.read()
    assert agreement(image, warped) >= 0.99 and agreement(image, plain) < 0.95


def test_render_stage_and_t_draw_that_moment_and_the_same_bytes_every_time(ctx, tmp_path):
    """--stage 3 --t 0.5: MorphingScene's picture at stage index 2, t = 0.5; run twice, the PNG files are identical."""
    args = ["cube-to-sphere", "--stage", "3", "--t", "0.5", "--size", "160x120", "--samples", "0"]
    out = run_render(tmp_path, *args, "-o", "a.png")
    assert "stage 3 (layer 2 of 5: affine), t = 0.5" in out
    run_render(tmp_path, *args, "-o", "b.png")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    scene = load_scene("cube-to-sphere")
    with MorphingScene(ctx, scene, MLP.load(scene.mlp), (160, 120), samples=0) as morphing:
        expected = morphing.render(2, 0.5)
        other = morphing.render(2, 0.7)
    image = np.asarray(Image.open(tmp_path / "a.png").convert("RGBA"))
    assert np.array_equal(image, expected) and not np.array_equal(image, other)


@pytest.mark.parametrize("args, message", [
    (["cube-to-sphere", "--t", "0.5"], "--t: a time within a stage; give the stage too"),
    (["cube-to-sphere", "--stage", "10"], "--stage: expected 0 (the input) to 9"),
    (["cube-to-sphere", "--stage", "2", "--t", "1.5"], "--t: expected a time from 0"),
    (["platonic", "--stage", "1"], "has no network"),
    (["cube-to-sphere", "--stage", "1", "--stages"], "--stages writes them all"),
])
def test_render_stage_mistakes_are_one_line(args, message, capsys):
    from affine3d.cli import main

    assert main(["render", *args, "--backend", "cpu", "-o", "never.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_render_stages_writes_the_same_files_every_time(tmp_path):
    """--stages twice: every stage PNG, the GIF (frames at fixed times of each stage) and the sheet are identical."""
    for folder in ("a", "b"):
        run_render(tmp_path, "cube-to-sphere", "--stages", "--frames", "2", "--size", "96x72", "-o", folder)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert "forward-pass.gif" in names and "stages.png" in names and len(names) == 12
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_stage_pictures_speak_the_readers_language_but_keep_english_file_names():
    """Under Polish, a stage's caption is Polish (its title and det line) while its PNG keeps the English file name
    that scripts and the README name (``stage-01-layer-1-of-5-affine.png``); back in English the caption is as before."""
    from affine3d import i18n
    from affine3d.pictures import stage_file_name

    morph = Morph(MLP.load(load_scene("cube-to-sphere").mlp))
    english = [(stage_file_name(k, s), stage_label(morph, s)) for k, s in enumerate(morph.stages, start=1)]
    try:
        i18n.use_language("pl")
        polish = [(stage_file_name(k, s), stage_label(morph, s)) for k, s in enumerate(morph.stages, start=1)]
    finally:
        i18n.use_language("en")
    assert [name for name, _ in polish] == [name for name, _ in english]
    assert english[0] == ("stage-01-layer-1-of-5-affine.png", "layer 1 of 5: affine, det W1 = 2.32")
    assert polish[0][1].startswith("warstwa 1 z 5: ") and all("layer" not in label for _, label in polish)
