"""raster.py: the numpy rasterizer follows OpenGL's rules, and its pictures match the GPU's pixel by pixel.

How CPU and GPU images are compared (``agreement``): a pixel of one image *agrees* when some pixel
in its 3x3 neighbourhood in the other image is within 8/255 in every channel; the share of agreeing
pixels is taken both ways and the smaller one must be at least 99%. Why these numbers:

- 8/255 (about 3%): the GPU shades in float32, numpy in float64; both round to 8 bits, so a colour
  may differ by a unit or two, never by more than a few;
- 3x3: where an edge passes within rounding error of a pixel centre, the two may decide that pixel
  differently, and OpenGL lets a driver place a line's end pixels one pixel off the diamond-exit
  rule; a wrong matrix, normal or winding moves whole regions, which no neighbourhood hides;
- 99%: a few stray edge pixels pass, a wrong face colour or a shifted object does not.

The GPU side renders with multisampling off (``samples=0``), one sample per pixel like the CPU.
"""

import math
import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from affine3d import Affine, AffineError, GLUnavailableError, SceneError, UsageError
from affine3d.cpu import raster
from affine3d.geometry import Mesh
from affine3d.geometry import solids as polyhedra
from affine3d.projection import perspective, project_points
from affine3d.cpu.raster import DepthBuffer, clip_near, draw_lines, rasterize, render_cpu, vertex_stage, window_coordinates
from affine3d.render import pick_backend, render_auto
from affine3d.gl.renderer import Renderer
from affine3d.gl.context import create_context
from affine3d.geometry.scene import DEFAULT_SCENE, Camera, Scene, SceneObject, load_scene

SIZE = (240, 180)
LIGHT = np.array([0.4, 0.6, 1.0]) / np.linalg.norm([0.4, 0.6, 1.0])  # camera space, toward the light
ROTATIONS = [  # world rotations: none, a general one, one that shows the solids from below and behind
    Affine.identity(3),
    Affine.rotation([1.0, 2.0, 0.5], 0.9),
    Affine.rotation([-0.3, 1.0, 0.8], 3.7),
]


@pytest.fixture(scope="module")
def ctx():
    context = create_context()
    yield context
    context.release()


def solo_scene(mesh, model=None, *, color=(0.9, 0.6, 0.2), distance=4.0, near=0.1, fov_deg=45.0,
               wireframe=False, light=LIGHT, projection="perspective"):
    """One object in front of the camera, a dark background, the light over the camera's shoulder."""
    camera = Camera(fov=math.radians(fov_deg), near=near, far=100.0, distance=distance, projection=projection)
    obj = SceneObject(name=mesh.name or "solo", mesh=mesh, model=model or Affine.identity(3), color=color,
                      wireframe=wireframe)
    return Scene(name="solo", path=None, objects=[obj], camera=camera, world_rotation=Affine.identity(3),
                 spin=0.0, light_direction=np.asarray(light, dtype=float), background=(0.1, 0.1, 0.12))


def gpu_image(ctx, scene, size=SIZE, world=None, *, ortho=None, wireframe=False, shading="flat", cull=True):
    """The GPU renderer's picture, one sample per pixel (no multisampling)."""
    with Renderer(ctx, scene, size, samples=0, shading=shading, cull_back_faces=cull) as renderer:
        renderer.draw(world, ortho=ortho, wireframe=wireframe)
        return renderer.read()


def agreement(a, b, tol=8):
    """The smaller, over both directions, share of pixels with a match within tol in the other's 3x3."""
    def one_way(x, y):
        height, width = x.shape[:2]
        padded = np.pad(y[..., :3].astype(int), ((1, 1), (1, 1), (0, 0)), mode="edge")
        ok = np.zeros((height, width), bool)
        for dy in range(3):
            for dx in range(3):
                ok |= (np.abs(x[..., :3].astype(int) - padded[dy : dy + height, dx : dx + width]) <= tol).all(axis=2)
        return ok.mean()

    return min(one_way(a, b), one_way(b, a))


def assert_cpu_matches_gpu(ctx, scene, size=SIZE, world=None, **kwargs):
    cpu = render_cpu(scene, size, world, ortho=kwargs.get("ortho"), wireframe=kwargs.get("wireframe", False),
                     shading=kwargs.get("shading", "flat"), cull_back_faces=kwargs.get("cull", True))
    gpu = gpu_image(ctx, scene, size, world, **kwargs)
    assert cpu.shape == gpu.shape == (size[1], size[0], 4) and cpu.dtype == np.uint8
    background = np.round(np.asarray(scene.background) * 255)
    assert np.any(np.abs(cpu[..., :3] - background) > 0), "the CPU image is empty"
    share = agreement(cpu, gpu)
    assert share >= 0.99, f"only {share:.2%} of pixels agree"
    return cpu, gpu


def coverage(size, triangles_window):
    """How many times each pixel is covered, drawing each triangle into a buffer of its own."""
    count = np.zeros((size[1], size[0]), int)
    for triangle in triangles_window:
        buffer = DepthBuffer(size)
        rasterize(buffer, np.asarray([triangle], dtype=float), np.array([0]))
        count += buffer.triangle_ids() >= 0
    return count


def window(points_xy, depth=0.5):
    """Triangle corners given in pixels -> (N, 3, 3) window coordinates at one depth."""
    p = np.asarray(points_xy, dtype=float)
    return np.concatenate([p, np.full(p.shape[:-1] + (1,), depth)], axis=-1)


# ---------------------------------------------------------------------------------------------- the stages
def test_vertex_stage_and_viewport_agree_with_project_points(rng):
    """model, world, projection, divide and viewport put points where projection.project_points does."""
    p_model = rng.uniform(-1, 1, (50, 3))
    model = Affine.rotation([1, 2, 3], 0.4) @ Affine.scaling([1.5, 0.5, 1.0])
    camera_from_world = Affine.translation([0.2, -0.1, -5.0]) @ Affine.rotation_y(0.3)
    P = perspective(math.radians(50), 4 / 3, 0.5, 20.0)
    p_window = window_coordinates(vertex_stage(p_model, model, camera_from_world, P), (400, 300))
    expected = project_points(P, camera_from_world(model(p_model)), (400, 300))
    assert np.allclose(p_window[:, :2], expected[:, :2], atol=1 / 512)  # snapped to 1/256 pixel
    assert np.allclose(p_window[:, 2], expected[:, 2])  # one depth convention: [0, 1]


def test_depth_is_zero_on_the_near_plane_and_one_on_the_far_plane():
    """glDepthRange(0, 1): the near plane maps to depth 0, the far plane to 1, the axis to the image centre."""
    P = perspective(math.radians(60), 1.0, 2.0, 30.0)
    p_camera = np.array([[0, 0, -2.0], [0, 0, -30.0]])
    p_window = window_coordinates(vertex_stage(p_camera, Affine.identity(3), Affine.identity(3), P), (64, 64))
    assert np.allclose(p_window, [[32, 32, 0], [32, 32, 1]])


@given(st.lists(st.floats(-3, 3), min_size=9, max_size=9), st.booleans())
def test_clip_near_keeps_the_part_in_front_inside_the_triangle(values, raw):
    """Pieces lie in front of the near plane (w > 0) and inside the original triangle (barycentrics in [0, 1]).

    ``raw``: the nine numbers are taken as clip coordinates (x, y, w with z = 0) of a matrix other
    than ours, where the second cut at w > 0 may split pieces again (up to 4); otherwise they are
    camera-space corners through a perspective projection (up to 2 pieces).
    """
    p = np.array(values).reshape(3, 3)
    if raw:
        corners = np.column_stack([p[:, :2], np.zeros(3), p[:, 2]])[None]
    else:
        corners = vertex_stage(p, Affine.identity(3), Affine.identity(3), perspective(1.0, 1.0, 0.5, 10.0))[None]
    pieces, ids = clip_near(corners, np.array([5]))
    assert len(pieces) <= (4 if raw else 2) and set(ids.tolist()) <= {5}
    d = corners[0, :, 2] + corners[0, :, 3]
    if (d >= 0).all() and (corners[0, :, 3] >= 1e-12).all():
        assert np.array_equal(pieces, corners)  # wholly in front: untouched
    if (d < 0).all():
        assert len(pieces) == 0  # wholly behind: dropped
    basis = np.vstack([corners[0].T, np.ones(3)])  # (5, 3): each column a corner, plus a row of ones
    for piece in pieces:
        assert np.all(piece[:, 2] + piece[:, 3] >= -1e-9) and np.all(piece[:, 3] > 0)
        if np.linalg.matrix_rank(basis) == 3:
            # Each new corner is a + t (b - a) on an edge: a convex combination of the original corners.
            weights = np.linalg.lstsq(basis, np.vstack([piece.T, np.ones(3)]), rcond=None)[0]
            assert np.all(weights > -1e-6) and np.all(weights < 1 + 1e-6)


# ---------------------------------------------------------------------------------------------- coverage
@given(st.integers(0, 255), st.integers(0, 255), st.integers(1, 9), st.integers(1, 7), st.booleans())
def test_a_rectangle_covers_exactly_its_area_wherever_it_lies(fx, fy, w, h, other_diagonal):
    """Top-left rule: a w x h rectangle (two triangles) covers w * h pixels, each once, at any sub-pixel offset."""
    x0, y0 = 3 + fx / 256, 2 + fy / 256
    a, b, c, d = (x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h)
    triangles = window([[a, b, c], [a, c, d]] if not other_diagonal else [[a, b, d], [b, c, d]])
    count = coverage((16, 12), triangles)
    assert count.max() == 1
    assert count.sum() == w * h


def test_two_triangulations_of_a_polygon_cover_the_same_pixels_once():
    """A hexagon fanned from its centre or from a corner: the same pixels, none twice, none missed inside."""
    angles = np.arange(6) * np.pi / 3 + 0.1
    corners = np.column_stack([20 + 15 * np.cos(angles), 20 + 15 * np.sin(angles)])
    corners = np.round(corners * 256) / 256
    centre = corners.mean(axis=0)
    from_centre = window([[centre, corners[k], corners[(k + 1) % 6]] for k in range(6)])
    from_corner = window([[corners[0], corners[k], corners[k + 1]] for k in range(1, 5)])
    count_centre, count_corner = coverage((40, 40), from_centre), coverage((40, 40), from_corner)
    assert count_centre.max() == 1 and count_corner.max() == 1
    assert np.array_equal(count_centre, count_corner)
    area = 0.5 * abs(np.sum(corners[:, 0] * np.roll(corners[:, 1], -1) - np.roll(corners[:, 0], -1) * corners[:, 1]))
    assert abs(count_centre.sum() - area) < 0.05 * area  # shoelace formula


def test_pixel_centres_decide_coverage():
    """Pixel (i, j) covers [i, i+1) x [j, j+1) and counts when its centre (i + 0.5, j + 0.5) is inside."""
    def strip(x0, x1):  # the rectangle [x0, x1] x [1, 7] as two triangles
        return [[(x0, 1), (x1, 1), (x1, 7)], [(x0, 1), (x1, 7), (x0, 7)]]

    count = coverage((8, 8), window(strip(2.4, 2.6) + strip(4.6, 4.9)))
    assert count[1:7, 2].tolist() == [1] * 6  # column 2's centres x = 2.5 lie in [2.4, 2.6], rows 1..6
    assert count.sum() == 6  # no centre x = 4.5 or 5.5 lies in [4.6, 4.9]


def test_nearer_triangle_wins_and_a_tie_goes_to_the_one_drawn_first():
    """Depth test GL_LESS: the smaller depth wins whatever the order; equal depths keep the first id."""
    square = [(1, 1), (9, 1), (9, 9)]
    for order in ([0, 1], [1, 0]):
        buffer = DepthBuffer((10, 10))
        depths = [0.3, 0.6]
        for k in order:
            rasterize(buffer, window([square], depths[k]), np.array([k]))
        assert set(np.unique(buffer.triangle_ids())) == {-1, 0}
        assert np.isclose(buffer.depth()[2, 7], 0.3)
    buffer = DepthBuffer((10, 10))
    rasterize(buffer, window([square, square]), np.array([4, 2]))  # same depth: id 2 is drawn first
    assert set(np.unique(buffer.triangle_ids())) == {-1, 2}


def test_degenerate_triangles_draw_nothing_and_warn_nothing():
    """Zero-area triangles (three equal corners, collinear corners) cover no pixel and raise no warning."""
    vertices = np.array([[0, 0, 0], [1, 1, 0], [2, 2, 0], [0.5, 0.5, 0]], dtype=float)
    mesh = Mesh(vertices, [[0, 1, 2], [3, 3, 3], [0, 2, 1]], None, name="flat")
    scene = solo_scene(mesh)
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        image = render_cpu(scene, SIZE, cull_back_faces=False, wireframe=True)
    background = np.round(np.asarray(scene.background) * 255)
    fill = (np.abs(image[..., :3] - background) > 0).any(axis=2)
    # The collinear "triangles" leave at most their edges (one-pixel lines) on screen, no filled area.
    assert fill.sum() < 2 * SIZE[0]
    buffer = DepthBuffer((8, 8))
    rasterize(buffer, window([[(1, 1), (5, 5), (3, 3)], [(2, 2), (2, 2), (2, 2)]]), np.array([0, 1]))
    assert (buffer.triangle_ids() == -1).all()


def test_line_draws_one_pixel_per_column_from_start_to_end():
    """A shallow line: one pixel per centre passed, the start pixel drawn, the end pixel (diamond) not."""
    buffer = DepthBuffer((16, 8))
    p_clip = np.array([[-1 + 2 * 2.5 / 16, 1 - 2 * 3.5 / 8, 0, 1], [-1 + 2 * 10.5 / 16, 1 - 2 * 4.2 / 8, 0, 1]])
    draw_lines(buffer, p_clip, np.array([[0, 1]]))
    rows, cols = np.nonzero(buffer.triangle_ids() >= 0)
    assert cols.tolist() == list(range(2, 10))  # 2.5 (start, in its diamond) .. 9.5; 10.5 is the end
    assert set(rows.tolist()) <= {3, 4}


# ---------------------------------------------------------------------------------------------- CPU == GPU
def test_default_scene_matches_the_gpu(ctx):
    """The default scene at 800x600: the CPU's picture is the GPU's."""
    assert_cpu_matches_gpu(ctx, load_scene(DEFAULT_SCENE), (800, 600))


@pytest.mark.parametrize("variant", [{"wireframe": True}, {"ortho": True}, {"shading": "smooth"}])
def test_default_scene_variants_match_the_gpu(ctx, variant):
    """Wireframe, orthographic and smooth shading: the same picture on both."""
    scene = load_scene(DEFAULT_SCENE)
    assert_cpu_matches_gpu(ctx, scene, SIZE, scene.world(ROTATIONS[1]), **variant)


@pytest.mark.parametrize("name", ["tetrahedron", "cube", "octahedron", "dodecahedron", "icosahedron"])
@pytest.mark.parametrize("rotation", range(len(ROTATIONS)))
def test_platonic_solids_match_the_gpu_at_several_rotations(ctx, name, rotation):
    """Each Platonic solid, turned three ways, with its edges: the same picture on both."""
    scene = solo_scene(polyhedra.builtin(name), Affine.translation([0.3, -0.2, 0]), wireframe=True)
    assert_cpu_matches_gpu(ctx, scene, SIZE, scene.world(ROTATIONS[rotation]))


@pytest.mark.parametrize("shading", ["flat", "smooth"])
@pytest.mark.parametrize("cull", [True, False])
def test_mirrored_and_sheared_solids_match_the_gpu(ctx, shading, cull):
    """det < 0 (a mirror) and a shear: winding, culling and normals through the inverse transpose agree."""
    mirror = Affine.scaling([-1.0, 1.0, 1.0]) @ Affine.rotation([1, 1, 0], 0.5)
    shear = Affine.translation([0.4, 0, 0]) @ Affine.shear(xy=0.8) @ Affine.scaling([0.5, 0.8, 1.2])
    assert (mirror @ Affine.identity(3)).determinant < 0
    for model, mesh in ((mirror, polyhedra.cube()), (shear, polyhedra.icosphere(2))):
        scene = solo_scene(mesh, model)
        assert_cpu_matches_gpu(ctx, scene, SIZE, scene.world(ROTATIONS[1]), shading=shading, cull=cull)


def test_edges_have_the_gpus_colour(ctx):
    """Wireframe edges without a colour of their own: a quarter of the object's colour on both backends."""
    scene = solo_scene(polyhedra.cube(), Affine.rotation([1, 1, 0], 0.6), color=(0.8, 0.4, 1.0), wireframe=True)
    edge = np.round(0.25 * np.array([0.8, 0.4, 1.0]) * 255)
    counts = [np.all(image[..., :3] == edge, axis=2).sum()
              for image in (render_cpu(scene, SIZE), gpu_image(ctx, scene))]
    assert counts[0] > 100 and abs(counts[0] - counts[1]) <= 0.05 * counts[1]


def test_a_mirrored_model_draws_the_mirror_image():
    """Without the GPU: mirroring x in camera space flips the picture left-right (outsides still shown)."""
    model = Affine.translation([0.6, 0.2, 0]) @ Affine.rotation([1, 2, 3], 0.8)
    mirror = Affine.scaling([-1.0, 1.0, 1.0])
    kwargs = dict(light=[0.0, 0.0, 1.0])  # a light on the axis is its own mirror image
    image = render_cpu(solo_scene(polyhedra.dodecahedron(), model, **kwargs), SIZE)
    mirrored = render_cpu(solo_scene(polyhedra.dodecahedron(), mirror @ model, **kwargs), SIZE)
    assert agreement(image[:, ::-1], mirrored) >= 0.99


def test_a_vertex_behind_the_camera_is_clipped_like_the_gpu(ctx):
    """The camera inside a box: corners behind it (w < 0) are cut at the near plane; no NaN, no warning."""
    scene = solo_scene(polyhedra.cube(), Affine.scaling([4.0, 2.0, 4.0]), distance=0.0, near=0.05, wireframe=True)
    camera_from_world = scene.world(Affine.rotation_y(0.6) @ Affine.rotation_x(0.2))
    p_clip = vertex_stage(scene.objects[0].mesh.vertices, scene.objects[0].model, camera_from_world,
                          scene.projection(SIZE[0] / SIZE[1]))
    assert (p_clip[:, 3] < 0).any() and (p_clip[:, 3] > 0).any()  # corners on both sides of the camera
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        assert_cpu_matches_gpu(ctx, scene, SIZE, camera_from_world, cull=False)


def test_a_million_triangles_in_bounded_memory():
    """Icosphere level 8 (1.3 million triangles): the disk the closed form predicts, in under 300 MB extra."""
    mesh = polyhedra.icosphere(8)
    assert mesh.n_triangles > 1_000_000
    scene = solo_scene(mesh, distance=3.0, fov_deg=45.0)
    size = (800, 600)
    tracemalloc.start()
    try:
        image = render_cpu(scene, size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 300e6, f"peak {peak / 1e6:.0f} MB"
    # A unit sphere seen from distance d fills a cone of half-angle asin(1 / d); on screen a disk of
    # radius tan(asin(1 / d)) / tan(fov / 2) * height / 2 pixels.
    radius = math.tan(math.asin(1 / 3.0)) / math.tan(math.radians(45) / 2) * size[1] / 2
    background = np.round(np.asarray(scene.background) * 255)
    covered = (np.abs(image[..., :3] - background) > 0).any(axis=2)
    assert abs(covered.sum() / (math.pi * radius**2) - 1) < 0.01


# ---------------------------------------------------------------------------------------------- bad input, backends
@pytest.mark.parametrize("text", [
    "[camera\nfov_deg = 40",  # TOML syntax error
    '[[object]]\nshape = "dodecahedrom"',  # unknown shape
    '[[object]]\nshape = "cube"\ncolour = "#ffffff"',  # unknown key
    '[camera]\nfov_deg = "wide"\n[[object]]\nshape = "cube"',  # wrong type
])
def test_bad_scene_files_raise_the_shared_scene_error(tmp_path, text):
    """A broken scene file is a SceneError from the shared loader, before either backend draws."""
    path = tmp_path / "bad.toml"
    path.write_text(text)
    for backend in ("cpu", "auto"):
        with pytest.raises(SceneError, match="bad.toml"):
            render_auto(load_scene(path), SIZE, backend=backend)


@pytest.mark.parametrize("size", [(0, 10), (10, -1), ("a", 3), (20000, 10)])
def test_bad_size_is_the_same_usage_error_as_the_gpu(size):
    """Sizes are checked by the renderer's own check_size, so both backends reject the same sizes."""
    with pytest.raises(UsageError, match="size"):
        render_cpu(load_scene(DEFAULT_SCENE), size)


def test_a_singular_model_is_the_same_scene_error_as_the_gpu(ctx):
    """A model that squashes an axis to zero has no normal matrix: both backends say so, naming the object."""
    scene = solo_scene(polyhedra.cube(), Affine.scaling([1.0, 0.0, 1.0]))
    with pytest.raises(SceneError) as gpu:
        gpu_image(ctx, scene)
    with pytest.raises(SceneError) as cpu:
        render_cpu(scene, SIZE)
    assert str(cpu.value) == str(gpu.value) and "cube" in str(cpu.value)


def test_backend_choice():
    """'cpu' never touches OpenGL, 'auto' and 'gpu' take the GPU here (llvmpipe), anything else is an error."""
    assert pick_backend("cpu")[0] == "cpu"
    assert pick_backend("auto")[0] == "gpu" and "OpenGL renderer" in pick_backend("auto")[1]
    image, used = render_auto(load_scene(DEFAULT_SCENE), (64, 48), backend="gpu", samples=0)
    assert used == "gpu" and image.shape == (48, 64, 4)
    with pytest.raises(UsageError, match="backend"):
        pick_backend("vulkan")


def test_auto_falls_back_to_the_cpu_without_opengl(monkeypatch):
    """No OpenGL context: 'auto' renders on the CPU and says why, 'gpu' raises GLUnavailableError."""
    from affine3d import render

    def no_gl():
        raise GLUnavailableError("no OpenGL 3.3 context could be made (EGL: eglInitialize failed); install Mesa")

    monkeypatch.setattr(render, "default_context", no_gl)
    image, used = render_auto(load_scene(DEFAULT_SCENE), (64, 48))
    assert used == "cpu" and image.shape == (48, 64, 4)
    assert "eglInitialize failed" in pick_backend("auto")[1]
    with pytest.raises(GLUnavailableError):
        render_auto(load_scene(DEFAULT_SCENE), (64, 48), backend="gpu")


def test_chunks_and_batches_do_not_change_the_picture(monkeypatch):
    """Tiny chunks and batches (many loop turns) give the same image as the defaults: memory bounds are free."""
    scene = load_scene("1980-vs-2015")
    reference = render_cpu(scene, SIZE, wireframe=True)
    monkeypatch.setattr(raster, "CHUNK_TRIANGLES", 97)
    monkeypatch.setattr(raster, "BATCH_SAMPLES", 64)
    assert np.array_equal(render_cpu(scene, SIZE, wireframe=True), reference)


def test_repr_png_falls_back_to_the_cpu_without_opengl(monkeypatch):
    """A notebook without OpenGL still shows the scene: _repr_png_ draws it with the CPU rasterizer."""
    import io

    from PIL import Image

    from affine3d import render

    def no_gl():
        raise GLUnavailableError("no OpenGL 3.3 context could be made (EGL: eglInitialize failed); install Mesa")

    monkeypatch.setattr(render, "default_context", no_gl)
    scene = load_scene(DEFAULT_SCENE)
    image = np.asarray(Image.open(io.BytesIO(scene._repr_png_())))
    assert np.array_equal(image, render_cpu(scene, (640, 480)))
