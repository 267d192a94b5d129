"""renderer.py: the GPU does the CPU's algebra (silhouettes, positions, lighting), headless on EGL."""

import io
import math
import warnings
from dataclasses import replace

import moderngl
import numpy as np
import pytest
from PIL import Image

from affine3d import Affine, GLUnavailableError, SceneError, UsageError
from affine3d.geometry import Mesh
from affine3d.geometry import solids as polyhedra
from affine3d.gl.glsl import UnusedUniformWarning
from affine3d.projection import project_points
from affine3d.geometry.shading import AMBIENT
from affine3d.gl.renderer import Renderer, render
from affine3d.gl.context import create_context
from affine3d.images import parse_size, save_png
from affine3d.render import scene_png
from affine3d.resources import shader_dir
from affine3d.geometry.scene import DEFAULT_SCENE, Camera, Scene, SceneObject, list_scenes, load_scene

SIZE = (240, 180)
BLACK = (0.0, 0.0, 0.0)
LIGHT = np.array([0.4, 0.6, 1.0]) / np.linalg.norm([0.4, 0.6, 1.0])  # camera space, toward the light


@pytest.fixture(scope="module")
def ctx():
    context = create_context()
    yield context
    context.release()


def solo_scene(mesh, model=None, *, color=(1.0, 1.0, 1.0), background=BLACK, distance=6.0, fov_deg=45.0,
               projection="perspective", wireframe=False):
    """A scene with one object, a black background and the light over the camera's shoulder."""
    camera = Camera(fov=math.radians(fov_deg), near=0.1, far=100.0, distance=distance, projection=projection)
    obj = SceneObject(name=mesh.name or "solo", mesh=mesh, model=model or Affine.identity(3), color=color, wireframe=wireframe)
    return Scene(name="solo", path=None, objects=[obj], camera=camera, world_rotation=Affine.identity(3), spin=0.0,
                 light_direction=LIGHT, background=background)


def covered(image, background=BLACK):
    """Boolean (H, W): pixels that differ from the background colour."""
    bg = np.round(np.asarray(background) * 255).astype(int)
    return np.any(np.abs(image[..., :3].astype(int) - bg) > 0, axis=2)


def dilate(mask):
    """mask grown by one pixel in all 8 directions."""
    padded = np.pad(mask, 1)
    out = mask.copy()
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            out |= padded[1 + dy : 1 + dy + mask.shape[0], 1 + dx : 1 + dx + mask.shape[1]]
    return out


def convex_hull(points):
    """Andrew's monotone chain: the hull's corners, counter-clockwise (in x-right, y-up terms)."""
    pts = sorted(map(tuple, np.asarray(points, dtype=float)))

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1]) - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0]) <= 0:
                out.pop()
            out.append(p)
        return out[:-1]

    return np.array(half(pts) + half(pts[::-1]))


def shoelace(polygon):
    """The area of a simple polygon from its corners in order."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def cpu_pixels(scene, world, points_object, model, size, ortho=None):
    """Object-space points -> pixels (x right, y down) by Affine and project_points, no GL involved."""
    width, height = size
    points_camera = (world @ model)(np.asarray(points_object, dtype=np.float64))
    return project_points(scene.projection(width / height, ortho), points_camera, size)[:, :2]


# ----------------------------------------------------------------------------- the same algebra
ROTATIONS = [
    Affine.identity(3),
    Affine.rotation_y(math.radians(30)),
    Affine.rotation_x(math.radians(35)) @ Affine.rotation_y(math.radians(45)),
    Affine.rotation([1, 2, 3], 1.0),
    Affine.rotation([-2, 1, 0.5], 2.5),
]


@pytest.mark.parametrize("ortho", [False, True], ids=["perspective", "orthographic"])
@pytest.mark.parametrize("rotation", ROTATIONS, ids=[f"rot{i}" for i in range(len(ROTATIONS))])
def test_cube_silhouette_matches_cpu_projection(ctx, rotation, ortho):
    """The rendered cube's bounding box is the CPU-projected vertices' within 2 px; its area the hull's within 3%."""
    mesh = polyhedra.cube()
    model = Affine.scaling(1.6)
    scene = solo_scene(mesh, model)
    camera_from_world = scene.world(rotation)
    with Renderer(ctx, scene, SIZE, samples=0) as renderer:
        renderer.draw(camera_from_world, ortho=ortho)
        mask = covered(renderer.read())
    pixels = cpu_pixels(scene, camera_from_world, mesh.vertices, model, SIZE, ortho)
    rows, cols = np.nonzero(mask)
    # pixel (col, row) covers [col, col + 1) x [row, row + 1)
    rendered_box = [cols.min(), rows.min(), cols.max() + 1, rows.max() + 1]
    cpu_box = [pixels[:, 0].min(), pixels[:, 1].min(), pixels[:, 0].max(), pixels[:, 1].max()]
    np.testing.assert_allclose(rendered_box, cpu_box, atol=2.0)
    hull_area = shoelace(convex_hull(pixels))
    assert mask.sum() == pytest.approx(hull_area, rel=0.03)


def test_quarter_turn_of_the_world_moves_an_object_where_the_cpu_says(ctx):
    """Turning the world 90 deg about the vertical axis carries a cube from in front of the origin to the right."""
    mesh = polyhedra.cube()
    model = Affine.translation([0, 0, 2.0]) @ Affine.scaling(0.6)  # in front of the origin, toward the camera
    scene = solo_scene(mesh, model, distance=8.0)
    quarter = Affine.rotation_y(math.pi / 2)
    # closed form: a quarter turn about +y sends +z to +x, so the cube ends up right of centre at the same depth
    np.testing.assert_allclose(quarter(np.array([0.0, 0.0, 2.0])), [2.0, 0.0, 0.0], atol=1e-12)
    boxes = []
    for rotation in (Affine.identity(3), quarter):
        camera_from_world = scene.world(rotation)
        mask = covered(render(scene, SIZE, camera_from_world, samples=0))
        rows, cols = np.nonzero(mask)
        pixels = cpu_pixels(scene, camera_from_world, mesh.vertices, model, SIZE)
        np.testing.assert_allclose([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1],
                                   [pixels[:, 0].min(), pixels[:, 1].min(), pixels[:, 0].max(), pixels[:, 1].max()], atol=2.0)
        boxes.append((cols.min() + cols.max() + 1) / 2)
    assert abs(boxes[0] - SIZE[0] / 2) < 2  # before: centred
    assert boxes[1] > SIZE[0] / 2 + 20  # after: clearly right of centre


def test_image_is_top_row_first_and_width_by_height(ctx):
    """A cube moved up (+y, camera space) lands in the first rows of a (H, W, 4) uint8 image."""
    scene = solo_scene(polyhedra.cube(), Affine.translation([0, 1.5, 0]) @ Affine.scaling(0.5))
    image = render(scene, (200, 120))
    assert image.shape == (120, 200, 4) and image.dtype == np.uint8
    rows = np.nonzero(covered(image))[0]
    assert rows.max() < 60  # wholly in the upper half
    assert np.all(image[..., 3] == 255)


# ----------------------------------------------------------------------------- lighting
def visible_faces(mesh, camera_from_object, scene, size):
    """(pixel, outward normal in object space, face centre in camera space) of each face seen from the camera."""
    normals = mesh.face_normals()
    faces = {}
    for t, n in enumerate(normals):
        faces.setdefault(tuple(np.round(n, 6)), set()).update(mesh.triangles[t].tolist())
    width, height = size
    projection = scene.projection(width / height)
    out = []
    for n, corners in faces.items():
        corners = mesh.vertices[sorted(corners)]
        centre_camera = camera_from_object(corners.mean(axis=0)[None])[0]
        # CPU normal: inverse transpose of the linear part (independent of the shader's)
        n_camera = np.linalg.inv(camera_from_object.A).T @ np.array(n)
        if np.dot(n_camera, centre_camera) >= 0:  # faces away from the camera (at the origin)
            continue
        corner_pixels = project_points(projection, camera_from_object(corners), size)[:, :2]
        if shoelace(convex_hull(corner_pixels)) < 150:  # too thin on screen to sample its middle
            continue
        centre_pixel = project_points(projection, centre_camera[None], size)[0, :2]
        out.append((centre_pixel, np.array(n), n_camera / np.linalg.norm(n_camera)))
    return out


def lambert_rgb(color, n_camera, ambient):
    """The documented shading: color * (ambient + (1 - ambient) * max(n . l, 0)), in 0..255."""
    return 255 * np.asarray(color) * (ambient + (1 - ambient) * max(float(np.dot(n_camera, LIGHT)), 0.0))


def check_lighting(ctx, model, rotation, *, cull=True, color=(0.9, 0.8, 0.6), ambient=0.2):
    mesh = polyhedra.cube()
    scene = solo_scene(mesh, model, color=color)
    camera_from_world = scene.world(rotation)
    with Renderer(ctx, scene, SIZE, samples=0, ambient=ambient, cull_back_faces=cull) as renderer:
        renderer.draw(camera_from_world)
        image = renderer.read()
    faces = visible_faces(mesh, camera_from_world @ model, scene, SIZE)
    assert len(faces) >= 2
    for pixel, n_object, n_camera in faces:
        got = image[int(pixel[1]), int(pixel[0]), :3].astype(float)
        np.testing.assert_allclose(got, lambert_rgb(color, n_camera, ambient), atol=2.5, err_msg=f"face {n_object}")
    return faces


def test_sheared_and_stretched_cube_is_lit_through_the_inverse_transpose(ctx):
    """Each visible face of a sheared, non-uniformly scaled cube has the CPU's Lambert colour of (A^-1)^T n."""
    model = Affine.shear(xy=0.8, zx=0.3) @ Affine.scaling([1.6, 0.7, 1.1])
    rotation = Affine.rotation_x(0.5) @ Affine.rotation_y(0.6)
    faces = check_lighting(ctx, model, rotation)
    # the test has teeth: transforming normals by A itself would light some visible face visibly differently
    A = (Affine.translation([0, 0, -6]) @ rotation @ model).A
    wrong = [np.asarray(A @ n_object) / np.linalg.norm(A @ n_object) for _, n_object, _ in faces]
    assert max(abs(lambert_rgb((0.9, 0.8, 0.6), w, 0.2) - lambert_rgb((0.9, 0.8, 0.6), n, 0.2)).max()
               for w, (_, _, n) in zip(wrong, faces)) > 10


@pytest.mark.parametrize("cull", [True, False], ids=["culling", "two-sided"])
@pytest.mark.parametrize("mirror", [[-1, 1, 1], [1, 1, -1], [-1, -1, -1]], ids=["x", "z", "point"])
def test_mirrored_cube_shows_its_outside_lit_correctly(ctx, mirror, cull):
    """A cube through a reflection (det < 0) shows its outside faces with the CPU's Lambert colours."""
    model = Affine.scaling(mirror) @ Affine.shear(xy=0.4) @ Affine.scaling([1.5, 1.0, 0.8])
    assert model.determinant < 0
    check_lighting(ctx, model, Affine.rotation_x(0.45) @ Affine.rotation_y(-0.7), cull=cull)


def test_mirrored_world_also_shows_outsides(ctx):
    """A reflection in the world map (not the model) flips the winding too; faces still match the CPU."""
    mesh = polyhedra.cube()
    model = Affine.shear(yz=0.5)
    color, ambient = (0.6, 0.8, 0.9), 0.2
    scene = solo_scene(mesh, model, color=color)
    camera_from_world = scene.world(Affine.scaling([-1, 1, 1]) @ Affine.rotation_x(0.4) @ Affine.rotation_y(0.9))
    with Renderer(ctx, scene, SIZE, samples=0, ambient=ambient) as renderer:
        renderer.draw(camera_from_world)
        image = renderer.read()
    for pixel, _, n_camera in visible_faces(mesh, camera_from_world @ model, scene, SIZE):
        np.testing.assert_allclose(image[int(pixel[1]), int(pixel[0]), :3], lambert_rgb(color, n_camera, ambient), atol=2.5)


# ----------------------------------------------------------------------------- scenes and options
def test_default_scene_shows_every_object_in_its_colour(ctx):
    """The default scene renders non-empty; each object's centre pixel is a lit shade of its colour."""
    scene = load_scene(DEFAULT_SCENE)
    size = (320, 240)
    image = render(scene, size)
    assert covered(image, scene.background).mean() > 0.03
    camera_from_world = scene.world()
    for obj in scene.objects:
        x, y = cpu_pixels(scene, camera_from_world, np.zeros((1, 3)), obj.model, size)[0]
        assert 0 <= x < size[0] and 0 <= y < size[1], f"{obj.name} is off screen"
        rgb = image[int(y), int(x), :3] / 255.0
        color = np.asarray(obj.color, dtype=float)
        k = float(rgb @ color / (color @ color))
        assert k > 0.1, f"{obj.name}: centre pixel {rgb} is dark or background"
        np.testing.assert_allclose(rgb, k * color, atol=0.03, err_msg=f"{obj.name}: not a shade of {obj.color}")


@pytest.mark.parametrize("name", list_scenes())
def test_faces_turned_away_from_the_light_still_stand_out_from_the_background(name):
    """An unlit face (colour * AMBIENT) of every shipped object differs from its scene's background by >= 0.1 in RGB."""
    scene = load_scene(name)
    for obj in scene.objects:
        unlit = np.asarray(obj.color) * AMBIENT
        assert np.linalg.norm(unlit - np.asarray(scene.background)) >= 0.1, f"{name}: {obj.name} melts into the background"


def test_default_scene_has_no_inside_out_faces(ctx):
    """Culling back faces changes nothing inside the silhouettes: every visible triangle faces outward.

    (On a silhouette edge a back and a front triangle share the edge, and a pixel centre lying exactly
    on it goes to one or the other by GL's tie rule; those pixels may differ.)
    """
    scene = load_scene(DEFAULT_SCENE)
    images = []
    for cull in (True, False):
        with Renderer(ctx, scene, (320, 240), samples=0, cull_back_faces=cull) as renderer:
            renderer.draw()
            images.append(renderer.read())
    changed = np.any(images[0] != images[1], axis=2)
    inside = covered(images[0], scene.background)
    assert inside.sum() > 1000
    interior = ~dilate(~inside)  # covered pixels whose 8 neighbours are covered too
    assert not np.any(changed & interior)


def test_wireframe_differs_from_solid_only_on_the_object(ctx):
    """The wireframe overlay changes pixels, all on the cube or touching its outline; the background stays."""
    scene = solo_scene(polyhedra.cube(), Affine.rotation([1, 1, 0], 0.6) @ Affine.scaling(1.5))
    solid = render(scene, SIZE, wireframe=False)
    wired = render(scene, SIZE, wireframe=True)
    changed = np.any(solid != wired, axis=2)
    assert changed.sum() > 100
    assert not np.any(changed & ~dilate(covered(solid)))


def test_object_wireframe_flag_draws_its_edges(ctx):
    """SceneObject.wireframe = True draws its edges even when render(wireframe=False)."""
    mesh = polyhedra.octahedron()
    plain = render(solo_scene(mesh), SIZE)
    flagged = render(solo_scene(mesh, wireframe=True), SIZE)
    assert np.any(plain != flagged)


def test_wireframe_of_a_cube_shows_squares_not_diagonals(ctx):
    """Edges come from Mesh.edges: a cube seen face-on has no line across its front face's diagonal."""
    scene = solo_scene(polyhedra.cube(), Affine.scaling(1.5), color=(1, 1, 1))
    size = (200, 200)
    image = render(scene, size, ortho=True, wireframe=True, samples=0)
    # the front face is a square; sample points along its diagonal, away from the corners
    corners = cpu_pixels(scene, scene.world(), polyhedra.cube().vertices, Affine.scaling(1.5), size, ortho=True)
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    front = image[int(lo[1]) + 3, int(lo[0]) + 3, :3].astype(int)
    for t in np.linspace(0.2, 0.8, 7):
        x, y = lo + t * (hi - lo)
        np.testing.assert_array_equal(image[int(y), int(x), :3], front)
    # ... while its border is drawn in the edge colour, darker than the face
    mid_left = image[int((lo[1] + hi[1]) / 2), int(round(lo[0])), :3].astype(int)
    assert mid_left.sum() < front.sum() - 100


def test_orthographic_and_perspective_differ(ctx):
    """The same view through the two projections gives different pictures."""
    scene = solo_scene(polyhedra.cube(), Affine.rotation([1, 1, 0], 0.6) @ Affine.scaling(1.5))
    assert np.any(render(scene, SIZE, ortho=True) != render(scene, SIZE, ortho=False))


def test_background_colour_fills_the_corners(ctx):
    """Where no object is, the pixel is the scene's background colour (rounded to 8 bits)."""
    background = (0.2, 0.4, 0.6)
    image = render(solo_scene(polyhedra.tetrahedron(), background=background), SIZE)
    np.testing.assert_array_equal(image[0, 0], [51, 102, 153, 255])
    np.testing.assert_array_equal(image[-1, -1], [51, 102, 153, 255])


def test_msaa_smooths_edges(ctx):
    """With 4 samples a slanted edge has in-between shades; without, only the face colour and the background."""
    scene = solo_scene(polyhedra.cube(), Affine.rotation_z(0.3) @ Affine.scaling(1.2))
    plain = render(scene, SIZE, ortho=True, samples=0)
    smooth = render(scene, SIZE, ortho=True, samples=4)
    colors = lambda image: len(np.unique(image.reshape(-1, 4), axis=0))  # noqa: E731
    assert colors(plain) == 2  # face-on: one lit face, one background
    assert colors(smooth) > 4


def test_smooth_shading_keeps_the_silhouette_and_changes_the_shading(ctx):
    """Per-vertex normals: same outline as flat shading (same triangles), different inside."""
    scene = solo_scene(polyhedra.icosphere(1), Affine.scaling(1.5))
    flat = render(scene, SIZE, samples=0, shading="flat")
    smooth = render(scene, SIZE, samples=0, shading="smooth")
    np.testing.assert_array_equal(covered(flat), covered(smooth))
    assert np.any(flat != smooth)


def test_draw_uploads_nothing_per_frame(ctx, monkeypatch):
    """After construction a frame makes no buffers, vertex arrays or buffer writes: only uniforms change."""
    scene = load_scene(DEFAULT_SCENE)
    with Renderer(ctx, scene, SIZE) as renderer:
        def forbidden(*args, **kwargs):
            raise AssertionError("a frame must not upload vertex data")

        monkeypatch.setattr(moderngl.Context, "buffer", forbidden)
        monkeypatch.setattr(moderngl.Context, "vertex_array", forbidden)
        monkeypatch.setattr(moderngl.Buffer, "write", forbidden)
        for angle in (0.0, 0.5, 1.0):
            renderer.draw(scene.world(Affine.rotation_y(angle)), wireframe=True)
        assert renderer.read().shape == (SIZE[1], SIZE[0], 4)


def test_drawing_into_another_framebuffer(ctx):
    """draw(framebuffer=fbo) puts the same picture there (how a window draws to ctx.screen)."""
    scene = solo_scene(polyhedra.dodecahedron())
    with Renderer(ctx, scene, SIZE, samples=0) as renderer:
        renderer.draw()
        own = renderer.read()
        other = ctx.simple_framebuffer(SIZE)
        renderer.draw(framebuffer=other)
        theirs = np.frombuffer(other.read(components=4), np.uint8).reshape(SIZE[1], SIZE[0], 4)[::-1]
        other.release()
    np.testing.assert_array_equal(own, theirs)


def test_resize_changes_the_image_size(ctx):
    """resize((w, h)) makes read() return (h, w, 4)."""
    with Renderer(ctx, solo_scene(polyhedra.cube()), (64, 48)) as renderer:
        renderer.resize((100, 30))
        renderer.draw()
        assert renderer.read().shape == (30, 100, 4)


def test_unused_uniform_in_a_students_shader_warns_and_still_draws(ctx, tmp_path):
    """A mesh.frag that no longer uses light_dir: warnings name it (and what fed it), the cube is still drawn."""
    for path in shader_dir().iterdir():
        (tmp_path / path.name).write_text(path.read_text())
    frag = tmp_path / "mesh.frag"
    text = frag.read_text()
    assert "float diffuse = lambert(n, light_dir);" in text
    frag.write_text(text.replace("float diffuse = lambert(n, light_dir);", "float diffuse = 0.5;  // lambert(n, light_dir);"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with Renderer(ctx, solo_scene(polyhedra.cube()), SIZE, shader_directory=tmp_path) as renderer:
            renderer.draw()
            image = renderer.read()
    messages = [str(w.message) for w in caught if issubclass(w.category, UnusedUniformWarning)]
    named = {m.split("'")[1] for m in messages}
    # without the light the normal is unused too, so the compiler drops the whole chain that fed it
    assert named == {"light_dir", "normal_matrix", "in_normal"}, messages
    assert covered(image).sum() > 100


# ----------------------------------------------------------------------------- files, sizes, contexts
def test_save_png_and_scene_png_round_trip(ctx, tmp_path):
    """save_png writes what render returned; scene_png gives PNG bytes of the same size."""
    scene = solo_scene(polyhedra.icosahedron())
    image = render(scene, SIZE)
    path = save_png(image, tmp_path / "out.png")
    np.testing.assert_array_equal(np.asarray(Image.open(path)), image)
    data = scene_png(scene, size=(160, 120))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(data)).size == (160, 120)


@pytest.mark.parametrize("text", ["800", "800x", "x600", "0x600", "800x-1", "abcxdef", "99999x10"])
def test_bad_size_is_a_usage_error(text):
    """A size that is not WIDTHxHEIGHT in 1..16384 raises UsageError quoting it."""
    with pytest.raises(UsageError, match="size"):
        parse_size(text)


def test_no_opengl_is_one_line_naming_what_to_install(monkeypatch):
    """When no context can be made, GLUnavailableError says what was tried and what to install, in one line."""
    def fail(*args, **kwargs):
        raise Exception("eglInitialize failed\n(second line of driver noise)")

    monkeypatch.setattr(moderngl, "create_standalone_context", fail)
    with pytest.raises(GLUnavailableError) as info:
        create_context()
    message = str(info.value)
    assert "\n" not in message
    assert "EGL" in message and "install" in message


def test_scene_shows_itself_as_a_png_in_jupyter(ctx):
    """Scene._repr_png_ (what a notebook calls) returns PNG bytes of a non-empty picture."""
    data = load_scene(DEFAULT_SCENE)._repr_png_()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    image = np.asarray(Image.open(io.BytesIO(data)))
    assert covered(image, load_scene(DEFAULT_SCENE).background).mean() > 0.01


def test_normal_matrix_uniform_is_affines_inverse_transpose_of_world_at_model(ctx):
    """After a frame the normal_matrix uniform holds (world @ model).normal_matrix(), i.e. ((W M)^-1)^T."""
    model = Affine.translation([0.3, 0, 0]) @ Affine.shear(xz=0.6) @ Affine.scaling([2.0, 0.5, -1.2])
    scene = solo_scene(polyhedra.cube(), model)
    camera_from_world = scene.world(Affine.rotation([1, 1, 1], 0.8))
    with Renderer(ctx, scene, (32, 24)) as renderer:
        renderer.draw(camera_from_world)
        got = np.frombuffer(renderer.mesh_program["normal_matrix"].read(), "f4").reshape(3, 3, order="F")
    expected = np.linalg.inv((camera_from_world @ model).A).T
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_singular_model_is_a_scene_error_naming_the_object(ctx):
    """A model that flattens its object (det 0) has no normal matrix: SceneError naming the object."""
    scene = solo_scene(polyhedra.cube(), Affine.scaling([1.0, 1.0, 0.0]))
    with pytest.raises(SceneError, match="singular"):
        Renderer(ctx, scene, (32, 24))


def test_objects_sharing_a_mesh_share_its_buffers(ctx):
    """Two objects with the same Mesh upload it once, and both are drawn (at their own places)."""
    mesh = polyhedra.cube()
    one = solo_scene(mesh, Affine.translation([-1.5, 0, 0]) @ Affine.scaling(0.6))
    one.objects.append(SceneObject(name="twin", mesh=mesh, model=Affine.translation([1.5, 0, 0]) @ Affine.scaling(0.6), color=(1.0, 1.0, 1.0)))
    with Renderer(ctx, one, SIZE, samples=0) as renderer:
        assert sum(len(item.buffers) for item in renderer._drawables) == len(renderer._drawables[0].buffers)
        renderer.draw()
        mask = covered(renderer.read())
    cols = np.nonzero(mask)[1]
    assert cols.min() < SIZE[0] / 2 - 10 and cols.max() > SIZE[0] / 2 + 10
    assert not mask[:, SIZE[0] // 2].any()  # a gap between the two cubes


@pytest.mark.parametrize("shading", ["flat", "smooth"])
def test_set_object_draws_what_a_fresh_upload_of_the_moved_mesh_draws(ctx, shading):
    """set_object rewrites an object's buffers in place: the frame equals a new Renderer given the moved mesh."""
    cube = polyhedra.cube()
    moved = Mesh(Affine.shear(xy=0.4)(cube.vertices) * [1.0, 0.7, 1.2], cube.triangles, cube.edges)
    scene = solo_scene(cube)
    with Renderer(ctx, scene, SIZE, samples=0, shading=shading) as renderer:
        renderer.set_object(0, replace(scene.objects[0], mesh=moved))
        renderer.draw(scene.world(), wireframe=True)
        rewritten = renderer.read()
    with Renderer(ctx, solo_scene(moved), SIZE, samples=0, shading=shading) as renderer:
        renderer.draw(scene.world(), wireframe=True)
        fresh = renderer.read()
    original = render(solo_scene(cube), SIZE, scene.world(), wireframe=True, samples=0, shading=shading, ctx=ctx)
    assert covered(rewritten).sum() != covered(original).sum()  # the picture did change
    assert np.array_equal(rewritten, fresh)
    assert scene.objects[0].mesh is cube  # the caller's scene is not changed: the renderer holds the new object


def test_set_object_refuses_another_topology(ctx):
    """A mesh with other triangles cannot be written into the old buffers: one clear SceneError."""
    scene = solo_scene(polyhedra.cube())
    with Renderer(ctx, scene, SIZE, samples=0) as renderer:
        with pytest.raises(SceneError, match="object 0's topology"):
            renderer.set_object(0, replace(scene.objects[0], mesh=polyhedra.octahedron()))
