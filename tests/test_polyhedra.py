"""Tests for affine3d.geometry.solids: counts and volumes from closed forms, orientation and closure as properties."""

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d import Affine, SceneError
from affine3d.geometry.solids import BUILTINS, PLATONIC, builtin, cube, icosphere, prism, pyramid, subdivided_cube, torus, uv_sphere
from affine3d.geometry.mesh import Mesh

SQRT5 = math.sqrt(5)

# (V, E, F, corners per face, volume at circumradius 1), from the solids' closed forms.
PLATONIC_FACTS = {
    "tetrahedron": (4, 6, 4, 3, 8 / (9 * math.sqrt(3))),
    "cube": (8, 12, 6, 4, (2 / math.sqrt(3)) ** 3),
    "octahedron": (6, 12, 8, 3, 4 / 3),
    # edge a = 4 R / (sqrt(3) (1 + sqrt(5))), volume (15 + 7 sqrt(5)) / 4 a^3
    "dodecahedron": (20, 30, 12, 5, (15 + 7 * SQRT5) / 4 * (4 / (math.sqrt(3) * (1 + SQRT5))) ** 3),
    # edge a = 4 R / sqrt(10 + 2 sqrt(5)), volume 5 (3 + sqrt(5)) / 12 a^3
    "icosahedron": (12, 30, 20, 3, 5 * (3 + SQRT5) / 12 * (4 / math.sqrt(10 + 2 * SQRT5)) ** 3),
}


def closed_and_consistent(mesh: Mesh) -> bool:
    """Every directed side u->v of a triangle occurs once and its reverse v->u once (watertight, one orientation)."""
    directed = Counter()
    for a, b, c in mesh.triangles.tolist():
        directed.update([(a, b), (b, c), (c, a)])
    return all(n == 1 and directed.get((v, u)) == 1 for (u, v), n in directed.items())


def outward_from_centre(mesh: Mesh, centre) -> bool:
    """Each face normal points away from ``centre`` (true for a convex solid around it)."""
    centroids = mesh.vertices[mesh.triangles].mean(axis=1)
    return bool(np.all(np.einsum("ij,ij->i", mesh.face_normals(), centroids - centre) > 0))


@pytest.mark.parametrize("name", list(PLATONIC))
def test_platonic_counts_and_euler(name):
    """V, E, F match the solid's known counts, and V - E + F = 2 with F the polygon faces."""
    V, E, F, corners, _ = PLATONIC_FACTS[name]
    mesh = PLATONIC[name]()
    polygons = mesh.polygons()
    assert (mesh.n_vertices, mesh.n_edges, len(polygons)) == (V, E, F)
    assert all(len(p) == corners for p in polygons)
    assert mesh.n_triangles == F * (corners - 2)
    assert mesh.euler_characteristic() == 2 == V - E + F


@pytest.mark.parametrize("name", list(PLATONIC))
def test_platonic_centred_unit_circumradius_regular(name):
    """Vertices on the unit sphere, centroid at the origin, all polygon edges of one length (the shortest distance)."""
    mesh = PLATONIC[name]()
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices, axis=1), 1.0, atol=1e-15)
    np.testing.assert_allclose(mesh.vertices.mean(axis=0), 0.0, atol=1e-15)
    lengths = np.linalg.norm(mesh.vertices[mesh.edges[:, 0]] - mesh.vertices[mesh.edges[:, 1]], axis=1)
    pairwise = np.linalg.norm(mesh.vertices[:, None] - mesh.vertices[None], axis=2)
    shortest = pairwise[pairwise > 1e-9].min()
    np.testing.assert_allclose(lengths, shortest, rtol=1e-12)


@pytest.mark.parametrize("name", list(PLATONIC))
def test_platonic_outward_and_volume(name):
    """Positive signed volume equal to the closed form; each face normal points away from the centroid."""
    mesh = PLATONIC[name]()
    assert mesh.signed_volume() == pytest.approx(PLATONIC_FACTS[name][4], rel=1e-12)
    assert outward_from_centre(mesh, np.zeros(3))
    assert closed_and_consistent(mesh)


@pytest.mark.parametrize("name", list(PLATONIC))
def test_platonic_polygons_are_planar_and_ccw(name):
    """Each polygon's corners lie in one plane whose right-hand normal (corner order) points outward."""
    mesh = PLATONIC[name]()
    for polygon in mesh.polygons():
        p = mesh.vertices[polygon]
        normal = np.cross(p[1] - p[0], p[2] - p[0])
        np.testing.assert_allclose((p - p[0]) @ normal, 0.0, atol=1e-12)
        assert normal @ p.mean(axis=0) > 0


@pytest.mark.parametrize("level", range(5))
def test_icosphere_counts_radius_closed(level):
    """20 * 4^k triangles, 30 * 4^k edges, 10 * 4^k + 2 vertices, all on the unit sphere, closed and outward."""
    mesh = icosphere(level)
    assert mesh.n_triangles == 20 * 4**level
    assert mesh.n_edges == 30 * 4**level
    assert mesh.n_vertices == 10 * 4**level + 2
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices, axis=1), 1.0, atol=1e-14)
    assert closed_and_consistent(mesh)
    assert outward_from_centre(mesh, np.zeros(3))
    assert mesh.euler_characteristic() == 2


def test_icosphere_level_0_is_the_icosahedron():
    """Level 0 is the icosahedron itself."""
    assert np.array_equal(icosphere(0).vertices, PLATONIC["icosahedron"]().vertices)
    assert np.array_equal(icosphere(0).triangles, PLATONIC["icosahedron"]().triangles)


def test_icosphere_volume_grows_toward_the_ball():
    """Inscribed in the unit sphere, each level's volume is larger and stays below 4/3 pi."""
    volumes = [icosphere(k).signed_volume() for k in range(6)]
    assert all(a < b for a, b in zip(volumes, volumes[1:]))
    assert volumes[-1] < 4 / 3 * math.pi
    assert volumes[-1] == pytest.approx(4 / 3 * math.pi, rel=2e-3)


def test_icosphere_level_8_size():
    """Level 8: 20 * 4^8 = 1,310,720 triangles on the unit sphere (the lecture's '2015' mesh)."""
    mesh = icosphere(8)
    assert mesh.n_triangles == 1_310_720
    assert mesh.n_vertices == 10 * 4**8 + 2
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices[::997], axis=1), 1.0, atol=1e-14)


@pytest.mark.parametrize("name", ["tetrahedron", "octahedron", "icosahedron"])
def test_platonic_vertex_normals_are_positions(name):
    """By symmetry, a triangle-faced Platonic solid's area-weighted vertex normal is its unit position vector."""
    mesh = PLATONIC[name]()
    np.testing.assert_allclose(mesh.vertex_normals(), mesh.vertices, atol=1e-14)


def test_icosphere_vertex_normals_near_positions():
    """On a fine icosphere the vertex normals are within a degree of the radial direction."""
    mesh = icosphere(4)
    cosines = np.einsum("ij,ij->i", mesh.vertex_normals(), mesh.vertices)
    assert cosines.min() > math.cos(math.radians(1))


def test_uv_sphere_counts_and_closure():
    """2 + n_lon (n_lat - 1) vertices, 2 n_lon (n_lat - 1) triangles, n_lon (2 n_lat - 1) edges, n_lon n_lat faces."""
    n_lon, n_lat = 12, 7
    mesh = uv_sphere(n_lon, n_lat)
    assert mesh.n_vertices == 2 + n_lon * (n_lat - 1)
    assert mesh.n_triangles == 2 * n_lon * (n_lat - 1)
    assert mesh.n_edges == n_lon * (2 * n_lat - 1)
    assert len(mesh.polygons()) == n_lon * n_lat
    assert mesh.euler_characteristic() == 2
    np.testing.assert_allclose(np.linalg.norm(mesh.vertices, axis=1), 1.0, atol=1e-15)
    assert closed_and_consistent(mesh)
    assert outward_from_centre(mesh, np.zeros(3))


def test_torus_euler_zero_and_volume():
    """A torus has V - E + F = 0; a fine one encloses nearly 2 pi^2 R r^2, and its normals point away from the tube's centre line."""
    R, r = 1.0, 0.25
    mesh = torus(R, r, 128, 64)
    assert mesh.euler_characteristic() == 0
    assert mesh.n_triangles == 2 * 128 * 64
    assert closed_and_consistent(mesh)
    assert mesh.signed_volume() == pytest.approx(2 * math.pi**2 * R * r**2, rel=5e-3)
    centroids = mesh.vertices[mesh.triangles].mean(axis=1)
    ring = centroids * [1, 0, 1]
    ring = R * ring / np.linalg.norm(ring, axis=1, keepdims=True)  # nearest point on the centre circle
    assert np.all(np.einsum("ij,ij->i", mesh.face_normals(), centroids - ring) > 0)


@pytest.mark.parametrize("n, h", [(3, 1.0), (6, 2.0), (17, 0.5)])
def test_prism_and_pyramid_volumes(n, h):
    """Prism volume = base area * h and pyramid = base area * h / 3, base a regular n-gon of circumradius 1."""
    base = n / 2 * math.sin(2 * math.pi / n)
    P, Y = prism(n, h), pyramid(n, h)
    assert P.signed_volume() == pytest.approx(base * h, rel=1e-12)
    assert Y.signed_volume() == pytest.approx(base * h / 3, rel=1e-12)
    assert (P.n_edges, len(P.polygons())) == (3 * n, n + 2)
    assert (Y.n_edges, len(Y.polygons())) == (2 * n, n + 1)
    for mesh in (P, Y):
        assert mesh.euler_characteristic() == 2
        assert closed_and_consistent(mesh)
        lo, hi = mesh.bounds()
        assert lo[1] == pytest.approx(-h / 2) and hi[1] == pytest.approx(h / 2)


@given(
    st.lists(st.floats(-3, 3), min_size=9, max_size=9),
    st.lists(st.floats(-5, 5), min_size=3, max_size=3),
)
@settings(max_examples=50, deadline=None)
def test_transformed_keeps_outside_out(entries, b):
    """Any invertible map: volume scales by |det A| and stays positive (a mirror is rewound)."""
    A = np.reshape(entries, (3, 3))
    det = np.linalg.det(A)
    if abs(det) < 1e-2:
        return
    mesh = cube().transformed(Affine(A, b))
    assert mesh.signed_volume() == pytest.approx(abs(det) * cube().signed_volume(), rel=1e-9)
    assert closed_and_consistent(mesh)


def test_transformed_normals_are_the_normal_matrix_image():
    """After a shear and squash, face normals equal normal_matrix() @ n, normalised (the inverse transpose)."""
    F = Affine.shear(xy=0.8) @ Affine.scaling([1.0, 0.4, 2.0])
    mesh = icosphere(1)
    expected = mesh.face_normals() @ F.normal_matrix().T
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    np.testing.assert_allclose(mesh.transformed(F).face_normals(), expected, atol=1e-12)


def test_mirror_rewinds_triangles():
    """A reflection (det < 0) swaps two corners of every triangle; a rotation keeps them."""
    mirror = Affine.scaling([-1.0, 1.0, 1.0])
    assert np.array_equal(cube().transformed(mirror).triangles, cube().triangles[:, [0, 2, 1]])
    assert np.array_equal(cube().transformed(Affine.rotation_z(0.3)).triangles, cube().triangles)


def test_flat_layout():
    """flat(): 3 float32 rows per triangle, each row the triangle's corner and its face normal."""
    mesh = PLATONIC["octahedron"]()
    positions, normals = mesh.flat()
    assert positions.shape == normals.shape == (3 * mesh.n_triangles, 3)
    assert positions.dtype == normals.dtype == np.float32
    t = 5
    np.testing.assert_allclose(positions[3 * t : 3 * t + 3], mesh.vertices[mesh.triangles[t]], atol=1e-7)
    np.testing.assert_allclose(normals[3 * t : 3 * t + 3], np.tile(mesh.face_normals()[t], (3, 1)), atol=1e-7)
    np.testing.assert_allclose(np.abs(mesh.face_normals()), 1 / math.sqrt(3), atol=1e-15)


def test_mesh_arrays_read_only_and_edges_canonical():
    """Arrays are read-only; edges given in any order come back unique, i < j, sorted."""
    mesh = Mesh([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]], [[2, 1], [1, 0], [0, 1], [0, 2]])
    assert mesh.edges.tolist() == [[0, 1], [0, 2], [1, 2]]
    with pytest.raises(ValueError):
        mesh.vertices[0, 0] = 5.0


@pytest.mark.parametrize(
    "vertices, triangles, message",
    [
        ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, 1, 3]], "expected vertex indices in 0..2, got 3"),
        ([[0, 0, 0], [1, 0, 0], [0, 1, 0]], [[0, -1, 2]], "got -1"),
        ([[0, 0, np.nan], [1, 0, 0], [0, 1, 0]], [[0, 1, 2]], "vertices[0]: expected finite coordinates"),
        ([[0, 0], [1, 0], [0, 1]], [[0, 1, 2]], "vertices: expected shape (N, 3), got (3, 2)"),
    ],
)
def test_mesh_rejects_bad_arrays(vertices, triangles, message):
    """Out-of-range indices, non-finite coordinates and wrong shapes raise SceneError saying what was found."""
    with pytest.raises(SceneError) as info:
        Mesh(vertices, triangles, None)
    assert message in str(info.value)


def test_builtin_by_name():
    """builtin() builds every name in BUILTINS; the Platonic ones equal their builders."""
    assert set(BUILTINS) == {"tetrahedron", "cube", "octahedron", "dodecahedron", "icosahedron",
                             "icosphere", "uv_sphere", "torus", "prism", "pyramid", "subdivided_cube"}
    for name in BUILTINS:
        assert builtin(name).n_triangles > 0
    assert builtin("icosphere", level=2).n_triangles == 320


def test_builtin_unknown_name_lists_valid_ones():
    """An unknown shape name raises SceneError listing every valid name."""
    with pytest.raises(SceneError) as info:
        builtin("cone")
    assert "'cone'" in str(info.value)
    assert all(name in str(info.value) for name in BUILTINS)


@pytest.mark.parametrize(
    "name, params, field",
    [
        ("icosphere", {"level": -1}, "level"),
        ("icosphere", {"level": 10}, "level"),
        ("icosphere", {"level": 2.0}, "level"),
        ("icosphere", {"level": True}, "level"),
        ("uv_sphere", {"n_lon": 2}, "n_lon"),
        ("uv_sphere", {"n_lat": 1}, "n_lat"),
        ("torus", {"R": 0.5, "r": 0.6}, "r"),
        ("torus", {"r": -1.0}, "r"),
        ("torus", {"R": float("inf")}, "R"),
        ("prism", {"n_sides": 2}, "n_sides"),
        ("prism", {"height": 0}, "height"),
        ("pyramid", {"height": "tall"}, "height"),
        ("subdivided_cube", {"n": 0}, "n"),
        ("subdivided_cube", {"n": 2.5}, "n"),
        ("cube", {"size": 2}, "params"),
        ("torus", {"radius": 2}, "params"),
    ],
)
def test_builtin_parameter_errors_name_the_parameter(name, params, field):
    """A bad or unknown parameter raises SceneError starting with the parameter's name."""
    with pytest.raises(SceneError) as info:
        builtin(name, **params)
    assert str(info.value).startswith(f"{field}:")


# ---------------------------------------------------------------------------------------- subdivided cube
@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_subdivided_cube_counts_and_closure(n):
    """An n x n grid on each face: V = 6n^2 + 2, T = 12n^2, E = 12n^2 grid lines; closed, one orientation, Euler 2."""
    mesh = subdivided_cube(n)
    assert (mesh.n_vertices, mesh.n_triangles, mesh.n_edges) == (6 * n * n + 2, 12 * n * n, 12 * n * n)
    assert closed_and_consistent(mesh)
    assert mesh.euler_characteristic() == 2
    assert outward_from_centre(mesh, np.zeros(3))


@pytest.mark.parametrize("n", [1, 3, 8])
def test_subdivided_cube_is_the_cube(n):
    """Same solid as cube(): the 8 corners (±1,±1,±1)/sqrt(3) among the vertices, all on its surface, same volume."""
    mesh = subdivided_cube(n)
    half = 1 / math.sqrt(3)
    assert np.allclose(np.abs(mesh.vertices).max(axis=1), half)  # every vertex on a face
    corners = {tuple(np.round(v, 12)) for v in cube().vertices}
    assert corners <= {tuple(np.round(v, 12)) for v in mesh.vertices}
    assert mesh.signed_volume() == pytest.approx((2 * half) ** 3)
    assert np.allclose(np.sort(np.linalg.norm(mesh.vertices, axis=1))[-8:], 1.0)  # the corners are the farthest
    if n == 1:
        assert len(mesh.polygons()) == 6


def test_subdivided_cube_grid_spacing():
    """Every grid edge is one step of the grid: the cube's edge 2/sqrt(3) over n."""
    mesh = subdivided_cube(6)
    a, b = mesh.vertices[mesh.edges].transpose(1, 0, 2)
    assert np.allclose(np.linalg.norm(a - b, axis=1), 2 / math.sqrt(3) / 6)
