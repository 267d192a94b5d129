"""Smooth shading in both renderers: the file's normals used and moved by the normal matrix, CPU = GPU on real-looking models."""

import math
from dataclasses import replace

import numpy as np
import pytest

from affine3d import Affine
from affine3d.bench.mesh_samples import bunny_like, fandisk_like
from affine3d.cpu.raster import render_cpu
from affine3d.geometry.mesh import Mesh
from affine3d.geometry.mesh_files import load_mesh, load_obj
from affine3d.geometry.scene import Camera, Scene, SceneObject, load_scene
from affine3d.geometry.shading import AMBIENT
from affine3d.geometry.solids import icosphere
from affine3d.gl.context import create_context
from affine3d.gl.renderer import Renderer
from affine3d.resources import scene_dir
from test_raster import agreement  # the CPU-vs-GPU pixel rule, one definition

SIZE = (240, 180)
LIGHT = np.array([0.4, 0.6, 1.0]) / np.linalg.norm([0.4, 0.6, 1.0])
COLOR = (0.9, 0.6, 0.2)
TURNED = Affine.rotation([1.0, 2.0, 0.5], 0.9)


@pytest.fixture(scope="module")
def ctx():
    context = create_context()
    yield context
    context.release()


def solo(mesh, model=None, *, shading="smooth", distance=4.0, fov_deg=45.0, background=(0.1, 0.1, 0.12)):
    """One object at the world's origin, the light over the camera's shoulder."""
    obj = SceneObject(name=mesh.name or "solo", mesh=mesh, model=model or Affine.identity(3), color=COLOR, shading=shading)
    camera = Camera(fov=math.radians(fov_deg), near=0.1, far=100.0, distance=distance)
    return Scene(name="solo", path=None, objects=[obj], camera=camera, light_direction=LIGHT, background=background)


def gpu_image(ctx, scene, world=None, *, shading=None, cull=True, size=SIZE):
    with Renderer(ctx, scene, size, samples=0, shading=shading, cull_back_faces=cull) as renderer:
        renderer.draw(world)
        return renderer.read()


def mesh_of(model):
    return Mesh(model.positions, model.triangles(), None, model.name)


MODELS = {
    "teapot.obj (vn)": lambda: load_mesh(scene_dir() / "teapot.obj"),  # made by scenes/make_teapot.py
    "bunny_like": lambda: mesh_of(bunny_like(6000)),
    "fandisk_like": lambda: mesh_of(fandisk_like(24)),
    "house.obj": lambda: load_mesh(scene_dir() / "house.obj"),
}


MAPS = {
    "fitted": None,
    "sheared": Affine.shear(xy=0.7, zx=-0.4) @ Affine.scaling([1.0, 0.7, 1.3]),
    "mirrored": Affine.scaling([-1.0, 1.0, 1.0]) @ Affine.rotation([0, 1, 0], 0.6),
}


@pytest.mark.parametrize("shading", ["smooth", "flat"])
@pytest.mark.parametrize("map_name", list(MAPS))
@pytest.mark.parametrize("model", list(MODELS))
def test_cpu_matches_gpu_on_models(ctx, model, map_name, shading):
    """The shipped teapot, bunny- and fandisk-like models and house.obj, plain, sheared and mirrored: >= 99% agree."""
    from affine3d.geometry.fit import fit_map

    mesh = MODELS[model]()
    scene = solo(mesh)
    fit = fit_map(mesh, scene.camera)
    extra = MAPS[map_name]
    model_map = fit if extra is None else extra @ fit
    scene = solo(mesh, model_map, shading=shading)
    for world in (scene.world(), scene.world(TURNED)):
        cpu = render_cpu(scene, SIZE, world)
        gpu = gpu_image(ctx, scene, world)
        assert np.any(np.abs(cpu[..., :3].astype(int) - [26, 26, 31]) > 2), "the picture is empty"
        share = agreement(cpu, gpu)
        assert share >= 0.99, f"{model}, {map_name}, {shading}: only {share:.2%} of pixels agree"


def test_smooth_changes_the_picture_and_keeps_the_silhouette(ctx):
    """Smooth and flat differ inside a round model (the shipped teapot), and cover the same pixels (same triangles)."""
    scene = solo(load_mesh(scene_dir() / "teapot.obj"), Affine.scaling(0.6))
    flat, smooth = gpu_image(ctx, scene, shading="flat"), gpu_image(ctx, scene, shading="smooth")
    covered = lambda image: np.any(image[..., :3] != image[0, 0, :3], axis=2)  # noqa: E731
    np.testing.assert_array_equal(covered(flat), covered(smooth))
    assert np.mean(np.any(flat != smooth, axis=2)[covered(flat)]) > 0.5


def ellipsoid_picture(C, c, size, fov, shading_normal):
    """A ray-traced ellipsoid {C p + c : |p| = 1} (camera space) lit like mesh.frag: uint8 RGB and the hit mask.

    ``shading_normal(p)`` gives the camera-space normal at the point with sphere parameter ``p``.
    """
    width, height = size
    aspect = width / height
    j, i = np.mgrid[0:height, 0:width]
    x_ndc = (i + 0.5) / width * 2 - 1
    y_ndc = 1 - (j + 0.5) / height * 2
    d = np.stack([x_ndc * math.tan(fov / 2) * aspect, y_ndc * math.tan(fov / 2), -np.ones_like(x_ndc)], axis=-1)
    C_inv = np.linalg.inv(C)
    u, v = d @ C_inv.T, C_inv @ c  # p = C^-1 (t d - c) = t u - v
    a, b, k = np.einsum("...i,...i", u, u), np.einsum("...i,i", u, v), v @ v - 1
    disc = b * b - a * k
    hit = disc > 0
    t = (b - np.sqrt(np.where(hit, disc, 0))) / a
    p = t[..., None] * u - v
    n = shading_normal(p)
    n = n / np.linalg.norm(n, axis=-1, keepdims=True)
    diffuse = np.maximum(n @ LIGHT, 0)
    rgb = np.rint(np.clip(np.asarray(COLOR) * (AMBIENT + (1 - AMBIENT) * diffuse)[..., None], 0, 1) * 255)
    # Pixels two or more pixels inside the outline (the mesh's facets move the outline by a fraction of one).
    inside = hit.copy()
    padded = np.pad(hit, 2)
    for dy in range(5):
        for dx in range(5):
            inside &= padded[dy : dy + height, dx : dx + width]
    return rgb, inside


@pytest.mark.parametrize("model_map", [Affine.shear(xy=0.8, yz=0.3) @ Affine.scaling([1.4, 0.6, 0.9]),
                                       Affine.translation([0.2, 0, 0]) @ Affine.scaling([-1.0, 0.8, 1.1])
                                       @ Affine.rotation([1, 1, 0], 0.5)],
                         ids=["sheared", "mirrored"])
@pytest.mark.parametrize("renderer", ["gpu", "cpu"])
def test_file_normals_of_a_sheared_sphere_light_it_like_the_true_ellipsoid(ctx, model_map, renderer):
    """A sphere with its exact normals (vn) under a shear or a mirror: the picture is the ray-traced ellipsoid's,
    whose normal is (A^-1)^T p; normals moved by A itself would light it visibly wrong."""
    sphere = icosphere(5)
    mesh = sphere.with_normals(sphere.vertices, sphere.triangles)  # as a file's vn: the exact radial normals
    scene = solo(mesh, model_map, distance=3.5)
    world = scene.world(TURNED)
    camera_from_object = world @ model_map
    C, c = camera_from_object.A, camera_from_object.b
    image = gpu_image(ctx, scene, world) if renderer == "gpu" else render_cpu(scene, SIZE, world)
    right, inside = ellipsoid_picture(C, c, SIZE, scene.camera.fov, lambda p: p @ np.linalg.inv(C))  # (C^-T p)^T
    wrong, _ = ellipsoid_picture(C, c, SIZE, scene.camera.fov, lambda p: p @ C.T)
    assert inside.sum() > 4000
    error = np.abs(image[..., :3].astype(int) - right).max(axis=-1)[inside]
    assert np.mean(error <= 2) >= 0.99, f"only {np.mean(error <= 2):.2%} within 2 levels"
    assert np.mean(np.abs(wrong - right).max(axis=-1)[inside] > 8) > 0.2  # the test can tell the two apart


def test_the_files_normals_are_what_lights_the_surface(ctx, tmp_path):
    """A flat square whose vn all tilt up: smooth shading lights it by that normal, flat shading by the face's."""
    tilt = np.array([0.0, 0.6, 0.8])
    path = tmp_path / "tilted.obj"
    path.write_text("v -1 -1 0\nv 1 -1 0\nv 1 1 0\nv -1 1 0\nvn 0 0.6 0.8\nf 1//1 2//1 3//1 4//1\n", encoding="utf-8")
    mesh = load_obj(path)
    light = np.array([0.0, -0.6, 0.8])  # camera space: below and in front
    for shading, normal in (("smooth", tilt), ("flat", np.array([0.0, 0.0, 1.0]))):
        scene = replace(solo(mesh, shading=shading), light_direction=light)
        expected = np.rint(np.asarray(COLOR) * (AMBIENT + (1 - AMBIENT) * max(normal @ light, 0)) * 255)
        for image in (gpu_image(ctx, scene), render_cpu(scene, SIZE)):
            centre = image[SIZE[1] // 2 - 10 : SIZE[1] // 2 + 10, SIZE[0] // 2 - 10 : SIZE[0] // 2 + 10, :3]
            assert np.abs(centre.astype(int) - expected).max() <= 1, shading


def test_each_object_keeps_its_own_shading_unless_told(ctx):
    """shading=None: a flat cube beside a smooth sphere, CPU = GPU; 'flat' for all changes only the sphere."""
    from affine3d.geometry.solids import cube

    objects = [SceneObject("cube", cube(), Affine.translation([-1.3, 0, 0]) @ TURNED, COLOR, shading="flat"),
               SceneObject("sphere", icosphere(3), Affine.translation([1.3, 0, 0]) @ TURNED, COLOR, shading="smooth")]
    scene = Scene("two", None, objects, Camera(fov=math.radians(45), near=0.1, far=50, distance=5),
                  light_direction=LIGHT)
    own, cpu = gpu_image(ctx, scene), render_cpu(scene, SIZE)
    assert agreement(own, cpu) >= 0.99
    all_flat = gpu_image(ctx, scene, shading="flat")
    left, right = np.s_[:, : SIZE[0] // 2], np.s_[:, SIZE[0] // 2 :]
    assert np.array_equal(own[left], all_flat[left]) and not np.array_equal(own[right], all_flat[right])


def test_set_shading_draws_what_a_fresh_renderer_draws(ctx):
    """Renderer.set_shading('flat') then back: each frame equals a new Renderer made with that shading."""
    scene = solo(mesh_of(bunny_like(2000)), Affine.scaling(1.4))
    with Renderer(ctx, scene, SIZE, samples=0) as renderer:
        pictures = []
        for shading in ("flat", None, "smooth"):
            renderer.set_shading(shading)
            renderer.draw()
            pictures.append((shading, renderer.read()))
    for shading, picture in pictures:
        np.testing.assert_array_equal(picture, gpu_image(ctx, scene, shading=shading))


def test_shipped_scenes_still_draw_alike_on_both(ctx):
    """The scene with a mesh file (now smooth by default, creases kept) agrees on both renderers."""
    scene = load_scene("obj-model")
    assert {obj.shading for obj in scene.objects} == {"smooth"}
    assert agreement(gpu_image(ctx, scene), render_cpu(scene, SIZE)) >= 0.99


def test_smooth_with_wireframe_matches_on_both(ctx):
    """Edges drawn over a smooth model (its own vertices, not the split layout): CPU = GPU."""
    mesh = mesh_of(fandisk_like(12))
    scene = solo(mesh, Affine.scaling(1.2))
    obj = replace(scene.objects[0], wireframe=True)
    scene = replace(scene, objects=[obj])
    world = scene.world(TURNED)
    with Renderer(ctx, scene, SIZE, samples=0) as renderer:
        renderer.draw(world)
        gpu = renderer.read()
    cpu = render_cpu(scene, SIZE, world)
    edge = np.round(0.25 * np.asarray(COLOR) * 255)
    assert np.all(gpu[..., :3] == edge, axis=2).sum() > 100  # the edges are there
    assert agreement(cpu, gpu) >= 0.99


@pytest.mark.parametrize("shading", ["smooth", "flat"])
def test_a_network_warping_a_smooth_mesh_draws_alike_on_both(ctx, shading):
    """The morph: smoothing groups decided on the unwarped mesh, normals recomputed from the warped triangles, on the
    GPU (vertex buffers rewritten in place) and on the CPU: the pictures agree at every stage's end."""
    from affine3d.nn.mlp import MLP
    from affine3d.render import MorphingScene

    rng = np.random.default_rng(7)
    mlp = MLP.from_arrays([rng.normal(size=(6, 3)) * 0.8, rng.normal(size=(3, 6)) * 0.8],
                           [rng.normal(size=6) * 0.1, np.zeros(3)], ["tanh", "identity"])
    mesh = mesh_of(fandisk_like(12))
    scene = solo(mesh, Affine.scaling(1.1), shading=shading)
    with MorphingScene(ctx, scene, mlp, SIZE, samples=0) as on_gpu, MorphingScene(None, scene, mlp, SIZE) as on_cpu:
        for stage in on_gpu.morph.stages:
            gpu = on_gpu.render(stage, 1.0)
            cpu = on_cpu.render(stage, 1.0)
            assert agreement(cpu, gpu) >= 0.99, stage.name
