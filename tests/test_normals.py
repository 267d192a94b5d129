"""Tests for affine3d.geometry.normals: angle-weighted normals against closed forms, creases, the file's normals, the layout."""

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d import Affine, SceneError
from affine3d.bench.mesh_samples import fandisk_like, teapot_like
from affine3d.geometry import normals as nm
from affine3d.geometry.mesh import Mesh
from affine3d.geometry.solids import PLATONIC, cube, icosahedron, icosphere, torus, uv_sphere


def unit(v):
    length = np.linalg.norm(v, axis=-1, keepdims=True)
    return np.divide(v, length, out=np.zeros_like(v), where=length > 0)


@pytest.mark.parametrize("make", [lambda: icosphere(6), lambda: uv_sphere(128, 64)], ids=["icosphere(6)", "uv_sphere(128, 64)"])
def test_sphere_normals_are_the_positions_directions(make):
    """On a finely cut sphere every corner's normal is its position's direction within 1e-3 (the facets' error, O(h))."""
    mesh = make()
    corner = mesh.corner_normals()  # (T, 3, 3)
    radial = unit(mesh.vertices[mesh.triangles])
    assert np.abs(corner - radial).max() < 1e-3
    assert np.abs(mesh.vertex_normals() - unit(mesh.vertices)).max() < 1e-3


def test_torus_normals_point_away_from_the_tube_centre():
    """A torus (R 0.7, r 0.3): the normal at a point is its direction from the nearest point of the tube's centre circle."""
    mesh = torus(0.7, 0.3, 192, 96)
    p = mesh.vertices
    ring = np.column_stack([p[:, 0], np.zeros(len(p)), p[:, 2]])
    centre = 0.7 * unit(ring)
    expected = unit(p - centre)
    assert np.abs(mesh.vertex_normals() - expected).max() < 1e-3


@pytest.mark.parametrize("name", list(PLATONIC))
def test_platonic_solids_keep_their_face_normals(name):
    """Every Platonic solid's edges are creases (dihedral turns of 41.8 to 109.5 degrees > 30): each corner gets its face's normal."""
    mesh = PLATONIC[name]()
    np.testing.assert_allclose(mesh.corner_normals(), np.repeat(mesh.face_normals()[:, None], 3, axis=1), atol=1e-12)


def test_cube_layout_splits_every_vertex_in_three():
    """A cube's 8 vertices each split into one copy per face: 24 layout vertices, each at its vertex's position."""
    mesh = cube()
    layout = nm.smooth_layout(mesh)
    assert layout.n_vertices == 24 and sorted(np.bincount(layout.source).tolist()) == [3] * 8
    np.testing.assert_array_equal(layout.source[layout.triangles], mesh.triangles)


def test_fandisk_keeps_flat_faces_flat_and_rounds_the_curves():
    """The machined part: a corner on a flat face has exactly that face's normal; on the half-round top, the radial one."""
    model = fandisk_like(48)
    mesh = Mesh(model.positions, model.triangles(), None)
    corner = mesh.corner_normals()
    face = mesh.face_normals()
    p = mesh.vertices[mesh.triangles]  # (T, 3, 3)
    # Flat faces: the wall quads of straight profile segments and the two end caps (z = +-0.6).
    cap = np.abs(np.abs(p[..., 2]).max(axis=1) - 0.6) < 1e-9
    cap &= np.ptp(p[..., 2], axis=1) < 1e-12
    np.testing.assert_allclose(corner[cap], np.repeat(face[cap][:, None], 3, axis=1), atol=1e-12)
    # The flat bottom (y = -0.5; at x = -0.75 the fillet blends into it tangentially, so those corners are
    # rightly smooth) and the right side (x = 1, between two sharp corners).
    bottom = np.all(np.abs(p[..., 1] + 0.5) < 1e-12, axis=1)[:, None] & (p[..., 0] > -0.75 + 1e-9)
    right = np.all(np.abs(p[..., 0] - 1.0) < 1e-12, axis=1)[:, None] & np.ones((1, 3), bool)
    for flat in (bottom, right):
        assert flat.sum() >= 6
        np.testing.assert_allclose(corner[flat], np.broadcast_to(face[:, None], corner.shape)[flat], atol=1e-12)
    # The half-round top: points at distance 0.45 from the axis (0, 0.3, z), above y = 0.3, not on a cap.
    rel = p[..., :2] - [0.0, 0.3]
    on_arc = np.all((np.abs(np.hypot(rel[..., 0], rel[..., 1]) - 0.45) < 1e-9) & (rel[..., 1] > 1e-9), axis=1) & ~cap
    assert on_arc.sum() > 20
    radial = np.concatenate([unit(rel[on_arc]), np.zeros((on_arc.sum(), 3, 1))], axis=2)
    assert np.abs(corner[on_arc] - radial).max() < 1e-3


def test_angle_weighting_ignores_how_a_face_is_cut():
    """Cutting one face of a cube-like solid into a fan from its centre changes no vertex normal: each corner's
    angle is split, not doubled (area or plain averaging would tilt the normals toward the cut face)."""
    mesh = icosahedron()
    t = 0
    a, b, c = mesh.triangles[t]
    centre = mesh.vertices[[a, b, c]].mean(axis=0)
    vertices = np.vstack([mesh.vertices, centre])
    m = len(mesh.vertices)
    cut = np.vstack([np.delete(mesh.triangles, t, axis=0), [[a, b, m], [b, c, m], [c, a, m]]])
    before = mesh.vertex_normals()
    after = Mesh(vertices, cut, None).vertex_normals()
    np.testing.assert_allclose(after[:m], before, atol=1e-14)


def test_corner_angles_sum_to_pi():
    """The three angles of every triangle add up to pi; a right isosceles triangle has 90, 45, 45 degrees."""
    mesh = icosphere(2)
    np.testing.assert_allclose(nm.corner_angles(mesh.vertices, mesh.triangles).sum(axis=1), math.pi, atol=1e-12)


@pytest.mark.parametrize("fold_deg, groups", [(29.0, 6), (31.0, 8)])
def test_crease_threshold(fold_deg, groups):
    """Two squares folded along their shared edge: below CREASE_DEG (30) one smooth strip, above it split there."""
    angle = math.radians(fold_deg)
    vertices = np.array([[0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0],
                         [1 + math.cos(angle), 0, -math.sin(angle)], [1 + math.cos(angle), 1, -math.sin(angle)]])
    strip = np.array([[0, 1, 2], [0, 2, 3], [1, 4, 5], [1, 5, 2]])
    assert nm.CREASE_DEG == 30.0
    assert nm.crease_groups(vertices, strip)[1] == groups


def reference_groups(vertices, triangles, crease_deg):
    """Corners grouped the slow way: per vertex, a flood fill over faces that share an edge at a smooth angle."""
    normals = unit(np.cross(vertices[triangles[:, 1]] - vertices[triangles[:, 0]],
                            vertices[triangles[:, 2]] - vertices[triangles[:, 0]]))
    sides = defaultdict(list)
    for t, tri in enumerate(triangles.tolist()):
        for k in range(3):
            sides[frozenset((tri[k], tri[(k + 1) % 3]))].append(t)
    parent = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    for edge, faces in sides.items():
        if len(faces) != 2 or len(edge) != 2:
            continue
        t1, t2 = faces
        if normals[t1] @ normals[t2] < math.cos(math.radians(crease_deg)):
            continue
        for v in edge:  # join the two faces' corners at both ends of the edge
            k1, k2 = triangles[t1].tolist().index(v), triangles[t2].tolist().index(v)
            parent[find((t1, k1))] = find((t2, k2))
    return {(t, k): find((t, k)) for t in range(len(triangles)) for k in range(3)}


@settings(max_examples=40)
@given(st.integers(0, 2**32 - 1), st.floats(5.0, 60.0))
def test_crease_groups_match_a_flood_fill(seed, crease_deg):
    """On randomly dented solids (creases everywhere and nowhere), the groups are the flood fill's partition."""
    rng = np.random.default_rng(seed)
    base = icosphere(1) if seed % 2 else uv_sphere(8, 5)
    vertices = base.vertices * (1 + rng.uniform(-0.25, 0.25, size=(base.n_vertices, 1)))
    groups, n = nm.crease_groups(vertices, base.triangles, crease_deg)
    reference = reference_groups(vertices, base.triangles, crease_deg)
    mine = defaultdict(set)
    theirs = defaultdict(set)
    for (t, k), root in reference.items():
        mine[groups[t, k]].add((t, k))
        theirs[root].add((t, k))
    assert sorted(map(sorted, mine.values())) == sorted(map(sorted, theirs.values()))
    assert n == len(mine)


def test_the_files_normals_are_used_and_zero_ones_computed():
    """Given normals (unit or not) are used as they are, normalised; a zero one is replaced by the computed normal."""
    mesh = icosphere(1)
    rng = np.random.default_rng(3)
    given_normals = rng.normal(size=(mesh.n_vertices, 3)) * 5
    given_normals[0] = 0.0
    with_normals = mesh.with_normals(given_normals, mesh.triangles)
    corner = with_normals.corner_normals()
    expected = unit(given_normals)[mesh.triangles]
    at_zero = mesh.triangles == 0
    np.testing.assert_allclose(corner[~at_zero], expected[~at_zero], atol=1e-15)
    np.testing.assert_allclose(corner[at_zero], mesh.vertex_normals()[mesh.triangles][at_zero], atol=1e-14)


@pytest.mark.parametrize("F", [Affine.shear(xy=0.8) @ Affine.scaling([0.5, 1.5, 1.0]),
                               Affine.scaling([-1.0, 1.0, 1.0]) @ Affine.rotation([1, 2, 0], 0.7)],
                         ids=["sheared", "mirrored"])
def test_transformed_normals_go_through_the_normal_matrix(F):
    """Mesh.transformed maps a sphere's exact normals by (A^-1)^T: they are the ellipsoid's gradients, still outward."""
    mesh = icosphere(3)
    with_normals = mesh.with_normals(mesh.vertices, mesh.triangles)  # the exact radial normals
    moved = with_normals.transformed(F)
    # The ellipsoid |A^-1 (x - b)| = 1 has gradient A^-T A^-1 (x - b) = A^-T p at x = F(p).
    gradient = unit(mesh.vertices @ np.linalg.inv(F.A))  # rows: (A^-T p)^T = p^T A^-1
    np.testing.assert_allclose(moved.normals, gradient, atol=1e-12)
    outward = np.einsum("ij,ij->i", moved.normals, moved.vertices - F.b)
    assert np.all(outward > 0)
    np.testing.assert_allclose(moved.corner_normals(), gradient[moved.normal_indices], atol=1e-12)


def test_moved_vertices_keep_the_smoothing_groups():
    """with_vertices keeps the groups (creases where they were) and recomputes normals from the moved triangles."""
    mesh = cube()
    layout = nm.smooth_layout(mesh)
    stretched = mesh.vertices * [2.0, 1.0, 0.5]
    moved = mesh.with_vertices(stretched)
    assert moved.normals is None and moved.normal_indices is None  # a cube made in Python has no groups of its own
    grouped = mesh.with_normals(None, layout.groups)
    moved_grouped = grouped.with_vertices(stretched)
    np.testing.assert_array_equal(moved_grouped.normal_indices, layout.groups)
    np.testing.assert_allclose(layout.normals_for(stretched)[layout.triangles], moved_grouped.corner_normals(), atol=1e-15)
    # And those are the stretched box's face normals: the creases stayed creases.
    np.testing.assert_allclose(moved_grouped.corner_normals(), np.repeat(moved.face_normals()[:, None], 3, axis=1),
                               atol=1e-15)


def test_teapot_like_export_normals_are_smooth_where_the_surface_is():
    """The exporter's exact normals agree with the computed ones on the body (within the facets' error)."""
    model = teapot_like(6000)
    mesh = Mesh(model.positions, model.triangles(), None, "teapot", model.normals, model.triangles())
    body = slice(0, 2 * model.faces[0].shape[0])  # the body's quads, fanned: two triangles each
    computed = Mesh(mesh.vertices, mesh.triangles, None).corner_normals()[body]
    given_normals = mesh.corner_normals()[body]
    assert np.abs(computed - given_normals).max() < 0.05


def test_bad_normals_are_scene_errors():
    """Normals without indices, indices out of range or of the wrong count: SceneError naming the field."""
    mesh = cube()
    for normals, indices, message in [(np.zeros((1, 3)), None, "without normal_indices"),
                                      (np.zeros((1, 3)), mesh.triangles, "normal_indices[0]"),
                                      (None, mesh.triangles[:3], "one row per triangle"),
                                      (np.full((8, 3), np.nan), mesh.triangles, "finite")]:
        with pytest.raises(SceneError, match=message.replace("[", r"\[").replace("]", r"\]")):
            mesh.with_normals(normals, indices)


@settings(max_examples=50)
@given(st.integers(1, 60), st.lists(st.tuples(st.integers(0, 59), st.integers(0, 59)), max_size=80))
def test_components_match_union_find(n, edges):
    """The numpy hook-and-compress components equal a plain union-find's, each labelled by its smallest member."""
    edges = [(i % n, j % n) for i, j in edges]
    parent = list(range(n))

    def find(x):
        while parent[x] != x:
            x = parent[x]
        return x

    for i, j in edges:
        a, b = find(i), find(j)
        parent[max(a, b)] = min(a, b)
    expected = [min(k for k in range(n) if find(k) == find(x)) for x in range(n)]
    i = np.array([e[0] for e in edges], dtype=np.int64)
    j = np.array([e[1] for e in edges], dtype=np.int64)
    assert nm._components(n, i, j).tolist() == expected
