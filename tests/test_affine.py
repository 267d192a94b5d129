"""Tests of affine3d.affine: properties on random maps, peer libraries, closed forms, errors.

Expected values come from somewhere other than affine3d: a closed form written out here (a quarter turn
about z sends x to y), a peer library (pytransform3d, pyrr, PyGLM), or an algebraic property that any
correct implementation must have ((F o G) o H = F o (G o H), F^-1 o F = id, det R = +1, ...).
"""

import math
import pickle
import re

import numpy as np
import pyrr
import pytest
import pytransform3d.rotations as pr
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from pyglm import glm

from affine3d import Affine, AffineError, _fast, compose
from affine3d.projection import perspective

# ---------------------------------------------------------------------------- strategies and references

TAIT_BRYAN = ["xyz", "xzy", "yxz", "yzx", "zxy", "zyx"]
PROPER_EULER = ["xyx", "xzx", "yxy", "yzy", "zxz", "zyz"]
ALL_AXES = TAIT_BRYAN + PROPER_EULER
FRAMES = ["intrinsic", "extrinsic"]
CONVENTIONS = [(axes, frame) for axes in ALL_AXES for frame in FRAMES]  # all 24
AXIS_INDEX = {"x": 0, "y": 1, "z": 2}

angles = st.floats(-2 * math.pi, 2 * math.pi, allow_nan=False, allow_infinity=False)
coordinates = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
vectors3 = st.tuples(coordinates, coordinates, coordinates).map(np.array)
unit_interval = st.floats(-1, 1, allow_nan=False, allow_infinity=False)
axes3 = st.tuples(unit_interval, unit_interval, unit_interval).map(np.array).filter(lambda v: np.linalg.norm(v) > 0.1)
quaternions = (
    st.tuples(unit_interval, unit_interval, unit_interval, unit_interval)
    .map(np.array)
    .filter(lambda q: np.linalg.norm(q) > 0.1)
)
seeds = st.integers(0, 2**32 - 1)
dims = st.integers(1, 5)


def well_conditioned(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    """A random m x n matrix with singular values in [0.5, 2] (so condition number <= 4)."""
    U, _ = np.linalg.qr(rng.normal(size=(m, m)))
    V, _ = np.linalg.qr(rng.normal(size=(n, n)))
    k = min(m, n)
    return (U[:, :k] * rng.uniform(0.5, 2.0, k)) @ V[:, :k].T


def random_map(seed: int, dim_out: int, dim_in: int) -> Affine:
    rng = np.random.default_rng(seed)
    return Affine(well_conditioned(rng, dim_out, dim_in), rng.uniform(-10, 10, dim_out))


def random_rotation_matrix(seed: int) -> np.ndarray:
    """A rotation from pytransform3d (not from affine3d): axis-angle with a random axis and angle."""
    rng = np.random.default_rng(seed)
    axis = rng.normal(size=3)
    return pr.matrix_from_axis_angle(np.r_[axis / np.linalg.norm(axis), rng.uniform(-math.pi, math.pi)])


def textbook_rotation(axis: str, angle: float) -> np.ndarray:
    """The active right-handed rotation matrices as printed in any graphics textbook."""
    c, s = math.cos(angle), math.sin(angle)
    return {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def assert_rotation(A: np.ndarray, tol: float = 1e-12, name: str = "") -> None:
    """A is orthonormal (A^T A = I) with det +1, measured here, not with Affine's own helpers."""
    np.testing.assert_allclose(A.T @ A, np.eye(3), rtol=0, atol=tol, err_msg=name)
    assert abs(np.linalg.det(A) - 1) < tol, name


def wrap(angle):
    """An angle difference mapped to [-pi, pi)."""
    return (np.asarray(angle) + math.pi) % (2 * math.pi) - math.pi


def glm_to_numpy(m) -> np.ndarray:
    """A PyGLM matrix as the matrix it means: GLM indexes column first, ``m[c][r]`` is row r of column c."""
    n = len(m)
    return np.array([[m[c][r] for c in range(n)] for r in range(n)], dtype=np.float64)


# ---------------------------------------------------------------------------- the parts


def test_matrix_is_A_and_b_over_the_row_0_0_1():
    """matrix is the block [[A, b], [0 ... 0, 1]] with b in the last column."""
    A = np.arange(6.0).reshape(2, 3) + 1
    b = np.array([7.0, 8.0])
    F = Affine(A, b)
    expected = np.block([[A, b[:, None]], [np.zeros((1, 3)), np.ones((1, 1))]])
    np.testing.assert_array_equal(F.matrix, expected)
    assert (F.dim_in, F.dim_out) == (3, 2)


def test_b_defaults_to_zeros_and_parts_are_read_only_float64():
    """b defaults to zeros; A and b are float64 copies that cannot be changed in place."""
    A_in = np.array([[1, 2], [3, 4]], dtype=np.int32)
    F = Affine(A_in)
    np.testing.assert_array_equal(F.b, [0.0, 0.0])
    assert F.A.dtype == np.float64 and F.b.dtype == np.float64
    with pytest.raises(ValueError):
        F.A[0, 0] = 5
    with pytest.raises(ValueError):
        F.b[0] = 5
    A_in[0, 0] = 100  # the map holds its own copy
    assert F.A[0, 0] == 1


@given(seeds, dims, dims)
def test_from_matrix_reads_back_matrix(seed, m, n):
    """from_matrix(F.matrix) is F, for maps between spaces of any dimensions."""
    F = random_map(seed, m, n)
    G = Affine.from_matrix(F.matrix)
    np.testing.assert_array_equal(G.A, F.A)
    np.testing.assert_array_equal(G.b, F.b)


def test_pickle_round_trip():
    """A pickled map comes back equal."""
    F = Affine.rotation_z(0.3) @ Affine.translation([1, 2, 3])
    G = pickle.loads(pickle.dumps(F))
    np.testing.assert_array_equal(G.matrix, F.matrix)


def test_simple_constructors_closed_form():
    """identity, translation, scaling (a number or one per axis), shear: the matrices written out by hand."""
    np.testing.assert_array_equal(Affine.identity(4).matrix, np.eye(5))
    np.testing.assert_array_equal(Affine.translation([1, 2]).matrix, [[1, 0, 1], [0, 1, 2], [0, 0, 1]])
    np.testing.assert_array_equal(Affine.scaling(2).A, 2 * np.eye(3))
    np.testing.assert_array_equal(Affine.scaling(3, dim=2).A, 3 * np.eye(2))
    np.testing.assert_array_equal(Affine.scaling([1, 2, 3]).A, np.diag([1, 2, 3]))
    S = Affine.shear(xy=0.5, zx=-2)
    np.testing.assert_array_equal(S.A, [[1, 0.5, 0], [0, 1, 0], [-2, 0, 1]])
    np.testing.assert_array_equal(S([0.0, 2.0, 1.0]), [1.0, 2.0, 1.0])
    for F in (Affine.translation([1, 2, 3]), Affine.scaling([1, 2, 3]), S):
        np.testing.assert_array_equal(F.matrix[-1], [0, 0, 0, 1])


# ---------------------------------------------------------------------------- composition and inverse


@given(seeds, seeds, seeds, dims, dims, dims, dims)
def test_composition_is_associative(s1, s2, s3, n0, n1, n2, n3):
    """(F o G) o H = F o (G o H) for maps R^n0 -> R^n1 -> R^n2 -> R^n3."""
    H, G, F = random_map(s1, n1, n0), random_map(s2, n2, n1), random_map(s3, n3, n2)
    left, right = (F @ G) @ H, F @ (G @ H)
    np.testing.assert_allclose(left.matrix, right.matrix, rtol=1e-12, atol=1e-11)


@given(seeds, seeds, dims, dims, dims)
def test_composition_is_the_product_of_homogeneous_matrices(s1, s2, n0, n1, n2):
    """(F @ G).matrix == F.matrix @ G.matrix."""
    G, F = random_map(s1, n1, n0), random_map(s2, n2, n1)
    np.testing.assert_allclose((F @ G).matrix, F.matrix @ G.matrix, rtol=1e-13, atol=1e-12)


@given(seeds, seeds, seeds, dims, dims, dims)
def test_composition_applies_the_right_map_first(s1, s2, s3, n0, n1, n2):
    """(F @ G)(x) == F(G(x)): G first, then F."""
    G, F = random_map(s1, n1, n0), random_map(s2, n2, n1)
    x = np.random.default_rng(s3).uniform(-10, 10, n0)
    np.testing.assert_allclose((F @ G)(x), F(G(x)), rtol=1e-12, atol=1e-11)


def test_compose_applies_maps_in_the_order_given():
    """compose([F1, F2, F3]) is F3 o F2 o F1 (F1 first)."""
    F1, F2, F3 = Affine.translation([1, 0, 0]), Affine.rotation_z(math.pi / 2), Affine.scaling(2)
    x = np.array([0.0, 0.0, 0.0])
    np.testing.assert_allclose(compose([F1, F2, F3])(x), [0, 2, 0], atol=1e-14)
    np.testing.assert_allclose(compose([F1, F2, F3]).matrix, (F3 @ F2 @ F1).matrix, rtol=0, atol=0)
    with pytest.raises(AffineError, match="maps"):
        compose([])


@given(seeds, dims)
def test_inverse_undoes_the_map_on_both_sides(seed, n):
    """F^-1 o F = id and F o F^-1 = id for well-conditioned square maps."""
    F = random_map(seed, n, n)
    F_inv = F.inverse()
    identity = np.eye(n + 1)
    np.testing.assert_allclose((F_inv @ F).matrix, identity, rtol=0, atol=1e-12)
    np.testing.assert_allclose((F @ F_inv).matrix, identity, rtol=0, atol=1e-12)


@given(seeds)
def test_inverse_of_a_general_map_matches_numpy(seed):
    """A non-rigid map's inverse has A^-1 from numpy.linalg.inv and b = -A^-1 b."""
    F = random_map(seed, 3, 3)
    assume(np.max(np.abs(F.A.T @ F.A - np.eye(3))) > 1e-6)  # not rigid
    A_inv = np.linalg.inv(F.A)
    np.testing.assert_allclose(F.inverse().A, A_inv, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(F.inverse().b, -A_inv @ F.b, rtol=1e-12, atol=1e-11)


@given(seeds, vectors3)
def test_inverse_of_a_rigid_map_uses_the_transpose(seed, t):
    """Rotation then translation: the inverse's A is exactly A.T (no rounding from a general solve)."""
    F = Affine.translation(t) @ Affine(random_rotation_matrix(seed))
    F_inv = F.inverse()
    np.testing.assert_array_equal(F_inv.A, F.A.T)
    np.testing.assert_allclose(F_inv.b, -F.A.T @ t, rtol=1e-14, atol=1e-14)


# ---------------------------------------------------------------------------- rotations

ROTATION_CONSTRUCTORS = {
    "rotation": lambda axis, angle, q: Affine.rotation(axis, angle),
    "rotation_x": lambda axis, angle, q: Affine.rotation_x(angle),
    "rotation_y": lambda axis, angle, q: Affine.rotation_y(angle),
    "rotation_z": lambda axis, angle, q: Affine.rotation_z(angle),
    "from_quaternion wxyz": lambda axis, angle, q: Affine.from_quaternion(q, order="wxyz"),
    "from_quaternion xyzw": lambda axis, angle, q: Affine.from_quaternion(q, order="xyzw"),
}


@given(axis=axes3, angle=angles, q=quaternions)
def test_rotations_are_orthonormal_with_det_plus_one(axis, angle, q):
    """Every rotation constructor gives A^T A = I and det A = +1, with b = 0."""
    for name, constructor in ROTATION_CONSTRUCTORS.items():
        F = constructor(axis, angle, q)
        assert_rotation(F.A, name=name)
        np.testing.assert_array_equal(F.b, np.zeros(3))
        assert F.is_rigid(), name


@settings(max_examples=50)  # each example checks all 24 conventions
@given(a=st.tuples(angles, angles, angles))
def test_euler_rotations_are_orthonormal_with_det_plus_one(a):
    """from_euler gives a rotation for all 12 axis sequences in both frames."""
    for axes, frame in CONVENTIONS:
        assert_rotation(Affine.from_euler(a, axes, frame=frame).A, name=f"{axes} {frame}")


def test_quarter_turns_closed_form():
    """A quarter turn about z sends x to y; about x sends y to z; about y sends z to x; in the plane x to y."""
    quarter = math.pi / 2
    e_x, e_y, e_z = np.eye(3)
    np.testing.assert_allclose(Affine.rotation_z(quarter)(e_x), e_y, atol=1e-14)
    np.testing.assert_allclose(Affine.rotation_x(quarter)(e_y), e_z, atol=1e-14)
    np.testing.assert_allclose(Affine.rotation_y(quarter)(e_z), e_x, atol=1e-14)
    np.testing.assert_allclose(Affine.rotation([0, 0, 1], quarter)(e_x), e_y, atol=1e-14)
    np.testing.assert_allclose(Affine.rotation([0, 0, 7], quarter)(e_x), e_y, atol=1e-14)  # axis length ignored
    np.testing.assert_allclose(Affine.rotation_2d(quarter)([1.0, 0.0]), [0.0, 1.0], atol=1e-14)


@pytest.mark.parametrize("axis", ["x", "y", "z"])
@given(angle=angles)
def test_coordinate_rotations_match_the_textbook(axis, angle):
    """rotation_x/y/z equal the textbook matrices and rotation(e_axis, angle)."""
    constructor = {"x": Affine.rotation_x, "y": Affine.rotation_y, "z": Affine.rotation_z}[axis]
    expected = textbook_rotation(axis, angle)
    np.testing.assert_allclose(constructor(angle).A, expected, rtol=0, atol=1e-14)
    np.testing.assert_allclose(Affine.rotation(np.eye(3)[AXIS_INDEX[axis]], angle).A, expected, rtol=0, atol=1e-14)


@given(angle=angles)
def test_rotation_2d_matches_the_textbook(angle):
    """rotation_2d is [[c, -s], [s, c]] (counter-clockwise)."""
    c, s = math.cos(angle), math.sin(angle)
    np.testing.assert_allclose(Affine.rotation_2d(angle).A, [[c, -s], [s, c]], rtol=0, atol=1e-14)


@given(axis=axes3, angle=angles)
def test_rotation_about_an_axis_matches_pytransform3d(axis, angle):
    """rotation(axis, angle) equals pytransform3d's matrix_from_axis_angle, and keeps the axis fixed."""
    unit = axis / np.linalg.norm(axis)
    F = Affine.rotation(axis, angle)
    np.testing.assert_allclose(F.A, pr.matrix_from_axis_angle(np.r_[unit, angle]), rtol=0, atol=1e-14)
    np.testing.assert_allclose(F(axis), axis, rtol=0, atol=1e-14)


@given(axis=axes3, angle=angles)
def test_rotation_about_an_axis_matches_glm_rotate(axis, angle):
    """rotation(axis, angle) equals glm.rotate(mat4(1), angle, axis) (double precision)."""
    M = glm.rotate(glm.dmat4(1), angle, glm.dvec3(*axis))
    np.testing.assert_allclose(Affine.rotation(axis, angle).matrix, glm_to_numpy(M), rtol=0, atol=1e-14)


def test_glm_matrices_convert_with_np_array_as_they_are():
    """PyGLM's buffer is column-major with matching strides: np.array(m) is the matrix itself, not its transpose."""
    M = glm.translate(glm.dmat4(1), glm.dvec3(1, 2, 3))
    np.testing.assert_array_equal(glm_to_numpy(M), Affine.translation([1, 2, 3]).matrix)
    np.testing.assert_array_equal(np.array(M), glm_to_numpy(M))
    assert tuple(M[3]) == (1, 2, 3, 1)  # GLM's m[3] is the translation *column*


@given(q=quaternions)
def test_from_quaternion_matches_pytransform3d_and_glm(q):
    """from_quaternion(q, order='wxyz') equals pytransform3d's matrix_from_quaternion and glm.mat4_cast(quat(w, x, y, z))."""
    unit = q / np.linalg.norm(q)
    F = Affine.from_quaternion(q, order="wxyz")
    np.testing.assert_allclose(F.A, pr.matrix_from_quaternion(unit), rtol=0, atol=1e-14)
    M = glm.mat4_cast(glm.dquat(*unit))  # glm.quat(w, x, y, z): scalar first
    np.testing.assert_allclose(F.matrix, glm_to_numpy(M), rtol=0, atol=1e-14)


@given(q=quaternions)
def test_quaternion_orders_name_the_same_rotation(q):
    """order='xyzw' reads the same numbers with the scalar last; q and -q are the same rotation."""
    F = Affine.from_quaternion(q, order="wxyz")
    xyzw = np.r_[q[1:], q[0]]
    np.testing.assert_allclose(Affine.from_quaternion(xyzw, order="xyzw").A, F.A, rtol=0, atol=1e-14)
    np.testing.assert_allclose(Affine.from_quaternion(-q, order="wxyz").A, F.A, rtol=0, atol=1e-14)


@pytest.mark.parametrize("order", ["wxyz", "xyzw"])
@given(q=quaternions)
def test_quaternion_round_trip(order, q):
    """to_quaternion(from_quaternion(q)) is q/|q| or -q/|q|, the one with w >= 0; q and -q give the same."""
    unit = q / np.linalg.norm(q)
    w_index = 0 if order == "wxyz" else 3
    expected = unit if unit[w_index] >= 0 else -unit
    for sign in (1, -1):
        back = Affine.from_quaternion(sign * q, order=order).to_quaternion(order=order)
        assert back[w_index] >= 0
        if abs(unit[w_index]) < 1e-9:  # a half turn: w = 0, and q, -q both have w >= 0
            assert min(np.abs(back - unit).max(), np.abs(back + unit).max()) < 1e-12
        else:
            np.testing.assert_allclose(back, expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("order", ["wxyz", "xyzw"])
@given(seed=seeds)
def test_rotation_quaternion_rotation_round_trip(order, seed):
    """A rotation (from pytransform3d) -> quaternion -> rotation is the same matrix, and the quaternion is pytransform3d's."""
    R = random_rotation_matrix(seed)
    q = Affine(R).to_quaternion(order=order)
    np.testing.assert_allclose(Affine.from_quaternion(q, order=order).A, R, rtol=0, atol=1e-13)
    q_wxyz = q if order == "wxyz" else np.r_[q[3], q[:3]]
    reference = pr.quaternion_from_matrix(R)
    assert min(np.abs(q_wxyz - reference).max(), np.abs(q_wxyz + reference).max()) < 1e-12


@pytest.mark.parametrize(
    "axis", [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [1, -1, 1], [0, 3, -4]], ids=lambda a: str(a)
)
def test_half_turns_round_trip_through_quaternions(axis):
    """Half turns (w = 0, where a trace-based formula divides by zero) come back as the axis, up to sign."""
    unit = np.array(axis, dtype=float) / np.linalg.norm(axis)
    F = Affine.rotation(axis, math.pi)
    q = F.to_quaternion(order="wxyz")
    assert abs(q[0]) < 1e-12
    assert min(np.abs(q[1:] - unit).max(), np.abs(q[1:] + unit).max()) < 1e-12
    np.testing.assert_allclose(Affine.from_quaternion(q, order="wxyz").A, F.A, rtol=0, atol=1e-14)


def test_pyrr_quaternions_are_xyzw():
    """pyrr's quaternion for a turn about x, read with order='xyzw', is rotation_x."""
    for angle in (0.3, -1.2, 2.9):
        q = np.asarray(pyrr.quaternion.create_from_x_rotation(angle))
        np.testing.assert_allclose(Affine.from_quaternion(q, order="xyzw").A, Affine.rotation_x(angle).A, atol=1e-14)


@given(a=st.tuples(angles, angles, angles))
def test_from_euler_matches_pytransform3d(a):
    """from_euler equals pytransform3d's matrix_from_euler (active, with its extrinsic flag) for all 24 conventions."""
    for axes, frame in CONVENTIONS:
        i, j, k = (AXIS_INDEX[c] for c in axes)
        expected = pr.matrix_from_euler(np.array(a), i, j, k, extrinsic=frame == "extrinsic")
        actual = Affine.from_euler(a, axes, frame=frame).A
        np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-14, err_msg=f"{axes} {frame}")


@given(a=st.tuples(angles, angles, angles))
def test_intrinsic_equals_extrinsic_with_axes_and_angles_reversed(a):
    """Intrinsic (i, j, k) with (a, b, c) is extrinsic (k, j, i) with (c, b, a), for all 12 sequences."""
    for axes in ALL_AXES:
        intrinsic = Affine.from_euler(a, axes, frame="intrinsic")
        extrinsic = Affine.from_euler(a[::-1], axes[::-1], frame="extrinsic")
        np.testing.assert_allclose(intrinsic.A, extrinsic.A, rtol=0, atol=1e-14, err_msg=axes)


def test_intrinsic_xyz_is_extrinsic_zyx_closed_form():
    """Intrinsic xyz (a, b, c) is Rx(a) Ry(b) Rz(c), the same as extrinsic zyx (c, b, a)."""
    a, b, c = 0.3, -0.7, 1.9
    expected = textbook_rotation("x", a) @ textbook_rotation("y", b) @ textbook_rotation("z", c)
    np.testing.assert_allclose(Affine.from_euler([a, b, c], "xyz", frame="intrinsic").A, expected, atol=1e-14)
    np.testing.assert_allclose(Affine.from_euler([c, b, a], "zyx", frame="extrinsic").A, expected, atol=1e-14)


@settings(max_examples=50)  # each example checks all 24 conventions
@given(first=st.floats(-math.pi, math.pi), middle=st.floats(0.01, math.pi - 0.01), last=st.floats(-math.pi, math.pi))
def test_euler_round_trip_away_from_gimbal_lock(first, middle, last):
    """to_euler(from_euler(a)) == a (mod 2 pi) with the middle angle inside its range, away from gimbal lock.

    The middle angle lies in (0, pi) for proper Euler sequences and in (-pi/2, pi/2) for Tait-Bryan ones.
    """
    for axes, frame in CONVENTIONS:
        b = middle if axes[0] == axes[2] else middle - math.pi / 2
        a = np.array([first, b, last])
        back = Affine.from_euler(a, axes, frame=frame).to_euler(axes, frame=frame)
        np.testing.assert_allclose(wrap(back - a), 0, rtol=0, atol=1e-9, err_msg=f"{axes} {frame}")


@settings(max_examples=50)  # each example checks all 24 conventions
@given(seed=seeds)
def test_euler_matrix_round_trip_for_any_rotation(seed):
    """from_euler(to_euler(R)) == R for any rotation R (from pytransform3d), in all 24 conventions."""
    R = random_rotation_matrix(seed)
    for axes, frame in CONVENTIONS:
        back = Affine.from_euler(Affine(R).to_euler(axes, frame=frame), axes, frame=frame)
        np.testing.assert_allclose(back.A, R, rtol=0, atol=1e-12, err_msg=f"{axes} {frame}")


def gimbal_locks(axes):
    return [0.0, math.pi] if axes[0] == axes[2] else [math.pi / 2, -math.pi / 2]


@pytest.mark.parametrize("axes", ALL_AXES)
@pytest.mark.parametrize("frame", FRAMES)
def test_euler_matrix_round_trip_at_gimbal_lock(axes, frame):
    """At gimbal lock the angles are not unique, but from_euler(to_euler(R)) == R, and the first angle is 0."""
    for lock in gimbal_locks(axes):
        for outer in [(0.0, 0.0), (2.5, -1.3), (-0.4, 3.0), (1.0, 1.0), (-2.9, 2.9)]:
            a = [outer[0], lock, outer[1]]
            R = Affine.from_euler(a, axes, frame=frame)
            back = R.to_euler(axes, frame=frame)
            np.testing.assert_allclose(Affine.from_euler(back, axes, frame=frame).A, R.A, rtol=0, atol=1e-12)
            assert back[0] == 0.0
            assert abs(wrap(back[1] - lock)) < 1e-7


@pytest.mark.parametrize("axes", ALL_AXES)
@pytest.mark.parametrize("frame", FRAMES)
def test_euler_matrix_round_trip_near_gimbal_lock(axes, frame):
    """Near gimbal lock the matrix round trip holds to the size of the offset (exactly, beyond 1e-7)."""
    for lock in gimbal_locks(axes):
        for offset in (1e-12, -1e-12, 1e-9, -1e-9, 5e-8, -5e-8, 2e-7, -2e-7, 1e-6, -1e-6):
            R = Affine.from_euler([2.5, lock + offset, -1.3], axes, frame=frame)
            back = Affine.from_euler(R.to_euler(axes, frame=frame), axes, frame=frame)
            # to_euler treats |offset| < 1e-7 as locked and sets the first angle to 0: an error of about |offset|
            np.testing.assert_allclose(back.A, R.A, rtol=0, atol=max(1e-12, 4 * abs(offset)))


# ---------------------------------------------------------------------------- applying the map


@given(seeds, dims, dims, st.integers(1, 40))
def test_batch_equals_one_at_a_time(seed, m, n, count):
    """F(X)[i] == F(X[i]) == A X[i] + b for every row."""
    F = random_map(seed, m, n)
    X = np.random.default_rng(seed + 1).uniform(-10, 10, (count, n))
    batch = F(X)
    assert batch.shape == (count, m)
    for x, y in zip(X, batch):
        np.testing.assert_allclose(y, F(x), rtol=1e-13, atol=1e-12)
        np.testing.assert_allclose(y, F.A @ x + F.b, rtol=1e-12, atol=1e-11)


@pytest.mark.parametrize("count", [0, 1, 2, 999, 1000, 1001, 1023, 1024, 1025, 3000, 4096])
@pytest.mark.parametrize("m", [1, 3, 4, 16, 20])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_batches_match_the_closed_form(count, m, dtype, rng, monkeypatch):
    """The fast path's F(X) == X @ A.T + b for batch sizes around the 1000-point rows (_fast.TILE_ROWS) used to add b."""
    monkeypatch.setattr(_fast, "MIN_ROWS", 1)
    n = 3
    F = Affine(well_conditioned(rng, m, n), rng.uniform(-10, 10, m))
    X = rng.uniform(-10, 10, (count, n)).astype(dtype)
    expected = X.astype(np.float64) @ F.A.T + F.b
    Y = F(X)
    assert Y.shape == (count, m) and Y.dtype == dtype
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(Y, expected, rtol=tol, atol=tol * 10)


def test_points_broadcast_over_leading_dimensions(rng):
    """X of shape (..., n) gives (..., m), each point mapped as on its own."""
    F = Affine(well_conditioned(rng, 2, 3), [1.0, -2.0])
    X = rng.uniform(-5, 5, (4, 5, 6, 3))
    Y = F(X)
    assert Y.shape == (4, 5, 6, 2)
    np.testing.assert_allclose(Y, np.einsum("ij,...j->...i", F.A, X) + F.b, rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(Y[2, 3, 4], F(X[2, 3, 4]), rtol=1e-13, atol=1e-13)
    assert F(np.zeros((0, 7, 3))).shape == (0, 7, 2)


def test_float32_in_float32_out_close_to_float64(rng):
    """float32 points give float32 results within float32 rounding of the float64 result."""
    F = Affine.translation([1, 2, 3]) @ Affine.rotation([1, 2, 3], 0.7) @ Affine.scaling([1, 2, 0.5])
    X64 = rng.uniform(-10, 10, (500, 3))
    X32 = X64.astype(np.float32)
    Y32 = F(X32)
    assert Y32.dtype == np.float32
    assert F(X32[0]).dtype == np.float32
    np.testing.assert_allclose(Y32, F(X32.astype(np.float64)), rtol=0, atol=5e-5)


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint16, np.bool_])
def test_integers_become_float64(dtype):
    """Integer (and boolean) points give float64 results; plain lists too."""
    F = Affine.translation([0.5, 0.5, 0.5])
    Y = F(np.ones((2, 3), dtype=dtype))
    assert Y.dtype == np.float64
    np.testing.assert_array_equal(Y, np.full((2, 3), 1.5))
    assert F([1, 1, 1]).dtype == np.float64


def test_float16_stays_float16():
    """float16 points give float16 results (the slow but correct path)."""
    Y = Affine.translation([1, 2, 3])(np.ones((4, 3), dtype=np.float16))
    assert Y.dtype == np.float16
    np.testing.assert_array_equal(Y, np.tile(np.array([2, 3, 4], dtype=np.float16), (4, 1)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("min_rows", [1, 10**9])
def test_out_is_written_and_returned(dtype, rng, min_rows, monkeypatch):
    """out= receives the result and is returned, contiguous or a strided view, on the fast path and the readable one."""
    monkeypatch.setattr(_fast, "MIN_ROWS", min_rows)
    F = Affine.rotation_z(0.4) @ Affine.translation([1, -2, 3])
    X = rng.uniform(-3, 3, (2050, 3)).astype(dtype)
    expected = F(X)
    out = np.empty((2050, 3), dtype=dtype)
    assert F(X, out=out) is out
    np.testing.assert_array_equal(out, expected)

    buffer = np.zeros((2050, 6), dtype=dtype)
    view = buffer[:, ::2]  # not contiguous
    assert not view.flags.c_contiguous
    assert F(X, out=view) is view
    np.testing.assert_array_equal(buffer[:, ::2], expected)
    np.testing.assert_array_equal(buffer[:, 1::2], 0)  # the other columns untouched

    single = np.empty(3, dtype=dtype)
    assert F(X[5], out=single) is single
    np.testing.assert_allclose(single, expected[5], rtol=1e-6, atol=1e-6)


def test_input_points_are_not_modified(rng):
    """F(X) leaves X as it was."""
    X = rng.uniform(-1, 1, (2000, 3)).astype(np.float32)
    before = X.copy()
    Affine.translation([1, 2, 3])(X)
    np.testing.assert_array_equal(X, before)


def test_apply_vectors_ignores_the_translation():
    """Directions (w = 0) are turned but not moved."""
    F = Affine.translation([5, 6, 7]) @ Affine.rotation_z(math.pi / 2)
    np.testing.assert_allclose(F.apply_vectors([1.0, 0, 0]), [0, 1, 0], atol=1e-14)
    np.testing.assert_allclose(F.matrix @ [1, 0, 0, 0], [0, 1, 0, 0], atol=1e-14)


# ---------------------------------------------------------------------------- measures


def test_determinant_and_is_rigid():
    """det is the volume factor; only rotations (det +1, orthonormal) are rigid."""
    assert Affine.scaling([2, 3, 4]).determinant == pytest.approx(24)
    assert Affine.shear(xy=0.7).determinant == pytest.approx(1)
    assert Affine.rotation([1, 1, 0], 0.3).is_rigid()
    assert (Affine.translation([1, 2, 3]) @ Affine.rotation_x(1)).is_rigid()
    assert not Affine.scaling(2).is_rigid()
    assert not Affine.scaling([1, 1, -1]).is_rigid()  # a mirror keeps lengths but is not a rotation
    assert not Affine(np.eye(3)[:, :2]).is_rigid()


@given(seed=seeds, noise_seed=seeds, sign=st.sampled_from([1, -1]))
def test_orthonormalized_is_the_polar_factor(seed, noise_seed, sign):
    """orthonormalized() gives Q orthonormal with Q^T A symmetric positive definite (the polar decomposition), same b and det sign."""
    R = random_rotation_matrix(seed) @ np.diag([1, 1, sign])
    A = R + np.random.default_rng(noise_seed).normal(scale=1e-3, size=(3, 3))
    F = Affine(A, [1, 2, 3])
    Q = F.orthonormalized().A
    np.testing.assert_allclose(Q.T @ Q, np.eye(3), rtol=0, atol=1e-14)
    P = Q.T @ A
    np.testing.assert_allclose(P, P.T, rtol=0, atol=1e-13)
    assert np.all(np.linalg.eigvalsh((P + P.T) / 2) > 0)
    assert np.sign(np.linalg.det(Q)) == sign
    np.testing.assert_array_equal(F.orthonormalized().b, [1, 2, 3])


@given(sx=st.floats(0.2, 5), sy=st.floats(0.2, 5), sz=st.floats(0.2, 5), shear=st.floats(-2, 2), seed=seeds)
def test_normal_matrix_keeps_normals_perpendicular(sx, sy, sz, shear, seed):
    """After a non-uniform scale and shear, normal_matrix() @ n stays perpendicular to every mapped tangent."""
    F = Affine.rotation_x(0.3) @ Affine.shear(xy=shear) @ Affine.scaling([sx, sy, sz])
    rng = np.random.default_rng(seed)
    n = rng.normal(size=3)
    t = np.cross(n, rng.normal(size=3))  # a tangent: perpendicular to n
    N = F.normal_matrix()
    assert N.shape == (3, 3)
    assert abs(np.dot(N @ n, F.A @ t)) < 1e-9 * np.linalg.norm(N @ n) * np.linalg.norm(F.A @ t) * 1e3
    np.testing.assert_allclose(Affine.rotation([1, 2, 3], 0.4).normal_matrix(), Affine.rotation([1, 2, 3], 0.4).A, atol=1e-14)


def test_allclose_compares_shape_and_entries():
    """allclose is True for equal maps within atol and False for other shapes or entries."""
    F = Affine.rotation_z(0.5)
    assert F.allclose(Affine.rotation([0, 0, 1], 0.5))
    assert not F.allclose(Affine.rotation_z(0.5 + 1e-6))
    assert not F.allclose(Affine.identity(2))


# ---------------------------------------------------------------------------- look_at


@given(eye=vectors3, target=vectors3, up=axes3)
def test_look_at_puts_the_camera_at_the_origin_looking_down_minus_z(eye, target, up):
    """look_at sends eye to 0, target to (0, 0, -|target - eye|), up into the +y half of the y-z plane; it is rigid."""
    distance = np.linalg.norm(target - eye)
    assume(distance > 1e-3)
    forward = (target - eye) / distance
    assume(np.linalg.norm(np.cross(forward, up / np.linalg.norm(up))) > 1e-3)
    V = Affine.look_at(eye, target, up)
    assert_rotation(V.A)
    np.testing.assert_allclose(V(eye), [0, 0, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(V(target), [0, 0, -distance], rtol=0, atol=1e-12)
    up_camera = V.apply_vectors(up)
    assert abs(up_camera[0]) < 1e-12 and up_camera[1] > 0


@given(eye=vectors3, target=vectors3, up=axes3)
def test_look_at_matches_glm_and_pyrr(eye, target, up):
    """look_at equals glm.lookAt (double precision) and pyrr's create_look_at transposed."""
    distance = np.linalg.norm(target - eye)
    assume(distance > 1e-2)
    assume(np.linalg.norm(np.cross((target - eye) / distance, up / np.linalg.norm(up))) > 1e-2)
    V = Affine.look_at(eye, target, up).matrix
    M = glm.lookAt(glm.dvec3(*eye), glm.dvec3(*target), glm.dvec3(*up))
    np.testing.assert_allclose(V, glm_to_numpy(M), rtol=0, atol=1e-11)
    P = np.asarray(pyrr.matrix44.create_look_at(eye, target, up))
    np.testing.assert_allclose(V, P.T, rtol=0, atol=1e-11)


def test_look_at_closed_form_default_up():
    """A camera at (0, 0, 5) looking at the origin is a move of -5 along z."""
    V = Affine.look_at([0, 0, 5], [0, 0, 0])
    np.testing.assert_allclose(V.matrix, Affine.translation([0, 0, -5]).matrix, atol=1e-14)
    # a camera on the +x axis looking back at the origin, y up: world +x points at the camera (camera +z),
    # and the camera's right hand (forward x up = -x times y) is world -z
    V = Affine.look_at([3, 0, 0], [0, 0, 0], up=[0, 1, 0])
    np.testing.assert_allclose(V.apply_vectors([1.0, 0, 0]), [0, 0, 1], atol=1e-14)
    np.testing.assert_allclose(V.apply_vectors([0, 0, -1.0]), [1, 0, 0], atol=1e-14)
    np.testing.assert_allclose(V.apply_vectors([0, 1.0, 0]), [0, 1, 0], atol=1e-14)


# ---------------------------------------------------------------------------- pyrr (row vectors)


@given(seed=seeds, t=vectors3)
def test_to_pyrr_is_the_transpose_and_from_pyrr_reads_it_back(seed, t):
    """to_pyrr() stores matrix.T (pyrr's row vectors); from_pyrr undoes it; v @ M in pyrr is our F(v)."""
    F = Affine.translation(t) @ Affine(random_rotation_matrix(seed)) @ Affine.scaling([1, 2, 3])
    P = F.to_pyrr()
    assert isinstance(P, pyrr.Matrix44)
    np.testing.assert_array_equal(np.asarray(P), F.matrix.T)
    np.testing.assert_array_equal(Affine.from_pyrr(P).matrix, F.matrix)
    v = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(np.r_[v, 1] @ np.asarray(P), np.r_[F(v), 1], rtol=1e-13, atol=1e-12)
    np.testing.assert_allclose(np.asarray(pyrr.matrix44.apply_to_vector(P, v)), F(v), rtol=1e-13, atol=1e-12)


@given(s1=seeds, s2=seeds)
def test_pyrr_product_of_to_pyrr_is_to_pyrr_of_composition(s1, s2):
    """to_pyrr(F) * to_pyrr(G) (pyrr's Matrix44 product) equals to_pyrr(F @ G)."""
    F = Affine(random_rotation_matrix(s1), [1, 2, 3])
    G = Affine(random_rotation_matrix(s2), [-3, 0, 1])
    np.testing.assert_allclose(np.asarray(F.to_pyrr() * G.to_pyrr()), np.asarray((F @ G).to_pyrr()), atol=1e-13)


@given(t=vectors3, axis=axes3, angle=angles, q=quaternions)
def test_pyrr_constructors_against_ours(t, axis, angle, q):
    """pyrr's translation and axis rotation are our matrices transposed; its x/y/z and quaternion rotations are ours as is."""
    m44 = pyrr.matrix44
    np.testing.assert_allclose(np.asarray(m44.create_from_translation(t)), Affine.translation(t).matrix.T, atol=1e-14)
    unit = axis / np.linalg.norm(axis)
    np.testing.assert_allclose(
        np.asarray(m44.create_from_axis_rotation(unit, angle)), Affine.rotation(axis, angle).matrix.T, atol=1e-14
    )
    # pyrr issue #101: these are the inverse rotations under pyrr's own v @ M convention
    np.testing.assert_allclose(np.asarray(m44.create_from_x_rotation(angle)), Affine.rotation_x(angle).matrix, atol=1e-14)
    np.testing.assert_allclose(np.asarray(m44.create_from_y_rotation(angle)), Affine.rotation_y(angle).matrix, atol=1e-14)
    np.testing.assert_allclose(np.asarray(m44.create_from_z_rotation(angle)), Affine.rotation_z(angle).matrix, atol=1e-14)
    unit_q = q / np.linalg.norm(q)
    np.testing.assert_allclose(
        np.asarray(m44.create_from_quaternion(unit_q)), Affine.from_quaternion(q, order="xyzw").matrix, atol=1e-14
    )


def test_pyrr_x_rotation_turns_y_toward_minus_z_in_its_own_convention():
    """The trap the docs warn about: pyrr's x-rotation, used as pyrr uses it (v @ M), sends +y to -z; ours sends it to +z."""
    M = np.asarray(pyrr.matrix44.create_from_x_rotation(math.pi / 2))
    np.testing.assert_allclose([0, 1, 0, 1] @ M, [0, 0, -1, 1], atol=1e-14)
    np.testing.assert_allclose(Affine.rotation_x(math.pi / 2)([0.0, 1, 0]), [0, 0, 1], atol=1e-14)


# ---------------------------------------------------------------------------- printing and the GPU


def parse_repr(text: str):
    """Split the printed layout into (header, [(left cells, right cell)])."""
    header, *rows = text.splitlines()
    parsed = []
    for row in rows:
        match = re.fullmatch(r"\[\s*(.*?)\s*\|\s*(\S+)\s*\]", row)
        assert match, f"not a '[ ... | ... ]' row: {row!r}"
        parsed.append(([float(c) for c in match.group(1).split()], float(match.group(2))))
    return header, parsed


def test_repr_prints_the_textbook_layout():
    """repr shows [A | b] over [0 ... 0 | 1]: b after the bar, the last row 0 ... 0 | 1 (not pyrr's transpose)."""
    A = np.array([[11.0, 12.0, 13.0], [21.0, 22.0, 23.0]])
    b = np.array([-7.0, 8.0])
    header, rows = parse_repr(repr(Affine(A, b)))
    assert "R^3" in header and "R^2" in header
    assert len(rows) == 3
    for i in range(2):
        assert rows[i][0] == A[i].tolist()
        assert rows[i][1] == b[i]
    assert rows[2] == ([0.0, 0.0, 0.0], 1.0)
    assert str(Affine(A, b)) == repr(Affine(A, b))


def test_repr_of_a_translation_is_not_pyrr_transpose():
    """A translation prints its offset in the column after the bar, where pyrr would put it in the last row."""
    _, rows = parse_repr(repr(Affine.translation([4, 5, 6])))
    assert [right for _, right in rows] == [4.0, 5.0, 6.0, 1.0]
    assert rows[-1][0] == [0.0, 0.0, 0.0]
    assert not np.array_equal(np.asarray(Affine.translation([4, 5, 6]).to_pyrr())[:3, 3], [4, 5, 6])


def test_repr_rounds_to_three_decimals():
    """Non-integer entries print to 3 decimals, in their places."""
    F = Affine.rotation_z(0.5) @ Affine.translation([0.25, 0, 0])
    _, rows = parse_repr(repr(F))
    M = F.matrix
    for i, (left, right) in enumerate(rows):
        np.testing.assert_allclose(left, M[i, :3], atol=5e-4)
        assert right == pytest.approx(M[i, 3], abs=5e-4)


def test_repr_of_huge_entries_stays_short_and_readable_back():
    """A scaling by 1e200 prints as 1.000e+200 (not 200 digits) and parses back to the matrix."""
    F = Affine.scaling([1e200, 2.5e7, 0.5]) @ Affine.translation([0, 1e12 + 0.5, 0])
    text = repr(F)
    assert max(len(line) for line in text.splitlines()) < 80
    _, rows = parse_repr(text)
    for i, (left, right) in enumerate(rows):
        np.testing.assert_allclose(left + [right], F.matrix[i], rtol=1e-3, atol=5e-4)


def test_to_gl_is_float32_column_major():
    """to_gl() is 64 bytes for a 3D map; read back column-major it is the matrix; 2D maps give a mat3."""
    F = Affine.translation([1, 2, 3]) @ Affine.rotation([1, 1, 1], 0.6) @ Affine.scaling([1, 2, 3])
    data = F.to_gl()
    assert isinstance(data, bytes) and len(data) == 64
    np.testing.assert_allclose(np.frombuffer(data, np.float32).reshape(4, 4, order="F"), F.matrix, rtol=1e-6, atol=1e-6)
    # translation in floats 12..14, where a GLSL mat4's fourth column lives
    np.testing.assert_array_equal(np.frombuffer(Affine.translation([1, 2, 3]).to_gl(), np.float32)[12:16], [1, 2, 3, 1])
    data2 = Affine.rotation_2d(0.3).to_gl()
    assert len(data2) == 36
    np.testing.assert_allclose(
        np.frombuffer(data2, np.float32).reshape(3, 3, order="F"), Affine.rotation_2d(0.3).matrix, atol=1e-7
    )


# ---------------------------------------------------------------------------- drift


def small_random_rotations(count: int, seed: int, max_angle: float = 0.05) -> list:
    """``count`` rotations by at most ``max_angle`` radians about random axes (Rodrigues, written out here)."""
    rng = np.random.default_rng(seed)
    axes = rng.normal(size=(count, 3))
    axes /= np.linalg.norm(axes, axis=1, keepdims=True)
    theta = rng.uniform(-max_angle, max_angle, count)
    K = np.zeros((count, 3, 3))
    K[:, 0, 1], K[:, 0, 2], K[:, 1, 2] = -axes[:, 2], axes[:, 1], -axes[:, 0]
    K -= K.transpose(0, 2, 1)
    R = np.eye(3) + np.sin(theta)[:, None, None] * K + (1 - np.cos(theta))[:, None, None] * (K @ K)
    return [Affine(r) for r in R]


def orthonormality_error(A: np.ndarray) -> float:
    return float(np.max(np.abs(A.T @ A - np.eye(3))))


def test_orthonormalized_stops_drift_over_100000_small_rotations():
    """100 000 composed small random rotations, re-orthonormalized after each step as the viewer does, stay
    orthonormal to 1e-9 with det +1; without it the error grows measurably larger."""
    pool = small_random_rotations(1000, seed=7)  # drawn from a pool: 10^5 Affine constructions cost seconds
    order = np.random.default_rng(8).integers(0, len(pool), 100_000)
    kept = Affine.identity(3)
    for index in order:
        kept = (pool[index] @ kept).orthonormalized()
    assert orthonormality_error(kept.A) < 1e-9
    assert abs(np.linalg.det(kept.A) - 1) < 1e-9
    assert orthonormality_error(kept.A) < 1e-14  # in fact at rounding level

    # The reason for the feature: without it, rounding errors pile up step after step. The same walk
    # without re-orthonormalizing, as the product of the A's (which is what F @ G computes for A).
    drifting = np.eye(3)
    errors = {}
    for step, index in enumerate(order, start=1):
        drifting = pool[index].A @ drifting
        if step in (1_000, 100_000):
            errors[step] = orthonormality_error(drifting)
    assert errors[100_000] > 10 * orthonormality_error(kept.A)
    assert errors[100_000] > errors[1_000]
    # both walks are the same rotation, up to that drift
    np.testing.assert_allclose(kept.A, drifting, rtol=0, atol=1e-9)


# ---------------------------------------------------------------------------- errors

Q = [1.0, 0.0, 0.0, 0.0]
NAN, INF = float("nan"), float("inf")
F3 = Affine.rotation_z(0.3)

ERRORS = {
    # wrong shapes
    "A is 1D": (lambda: Affine([1.0, 2.0, 3.0]), ["A", "2D", "(3,)"]),
    "A is 3D": (lambda: Affine(np.zeros((2, 2, 2))), ["A", "(2, 2, 2)"]),
    "A is empty": (lambda: Affine(np.zeros((0, 3))), ["A", "(0, 3)"]),
    "A not numbers": (lambda: Affine("abc"), ["A"]),
    "b too short": (lambda: Affine(np.eye(3), [1, 2]), ["b", "(3,)", "(2,)"]),
    "b is 2D": (lambda: Affine(np.eye(3), [[1, 2, 3]]), ["b", "(3,)", "(1, 3)"]),
    "x wrong width": (lambda: F3(np.zeros(2)), ["x", "n=3", "(2,)"]),
    "x batch wrong width": (lambda: F3(np.zeros((5, 4))), ["x", "n=3", "(5, 4)"]),
    "x scalar": (lambda: F3(1.0), ["x", "()"]),
    "x strings": (lambda: F3(np.array(["a", "b", "c"])), ["x", "dtype"]),
    "out wrong shape": (lambda: F3(np.zeros((5, 3)), out=np.zeros((4, 3))), ["out", "(5, 3)", "(4, 3)"]),
    "out wrong dtype": (lambda: F3(np.zeros((5, 3)), out=np.zeros((5, 3), np.float32)), ["out", "float64", "float32"]),
    "compose mismatch": (lambda: Affine(np.ones((2, 3))) @ Affine(np.ones((2, 3))), ["F @ G", "R^3", "R^2"]),
    "translation 2D": (lambda: Affine.translation([[1, 2, 3]]), ["t", "(1, 3)"]),
    "scaling dim 0": (lambda: Affine.scaling(2, dim=0), ["dim", "0"]),
    "identity 0": (lambda: Affine.identity(0), ["n", "0"]),
    "quaternion length 3": (lambda: Affine.from_quaternion([1, 0, 0], order="wxyz"), ["q", "(4,)", "(3,)"]),
    "axis length 2": (lambda: Affine.rotation([1, 0], 0.1), ["axis", "(3,)", "(2,)"]),
    "angles length 2": (lambda: Affine.from_euler([1, 2], "xyz", frame="intrinsic"), ["angles", "(3,)", "(2,)"]),
    "from_matrix 1D": (lambda: Affine.from_matrix([1.0, 0.0, 1.0]), ["M", "(3,)"]),
    "from_pyrr 3x3": (lambda: Affine.from_pyrr(np.eye(3)), ["m", "(4, 4)", "(3, 3)"]),
    "to_pyrr of a 2D map": (lambda: Affine.rotation_2d(0.1).to_pyrr(), ["A", "(3, 3)", "(2, 2)"]),
    "to_gl non-square": (lambda: Affine(np.ones((2, 3))).to_gl(), ["A", "(2, 3)"]),
    "determinant non-square": (lambda: Affine(np.ones((2, 3))).determinant, ["A", "(2, 3)"]),
    "orthonormalized non-square": (lambda: Affine(np.ones((2, 3))).orthonormalized(), ["A", "(2, 3)"]),
    "to_quaternion of 2D": (lambda: Affine.rotation_2d(0.1).to_quaternion(order="wxyz"), ["A", "(3, 3)"]),
    # not an affine matrix
    "from_matrix projection": (
        lambda: Affine.from_matrix(perspective(1.0, 1.0, 0.1, 10.0)),
        ["M", "last row", "[0.0, 0.0, 0.0, 1.0]", "-1.0", "projection"],
    ),
    "from_matrix scaled last row": (lambda: Affine.from_matrix(np.diag([1.0, 1.0, 2.0])), ["M", "last row", "2.0"]),
    "from_pyrr transposed": (lambda: Affine.from_pyrr(Affine.translation([1, 2, 3]).matrix), ["M", "last row"]),
    # non-finite entries
    "A nan": (lambda: Affine([[1.0, NAN], [0.0, 1.0]]), ["A", "finite", "nan", "(0, 1)"]),
    "b inf": (lambda: Affine(np.eye(3), [0, INF, 0]), ["b", "finite", "inf", "(1,)"]),
    "M nan": (lambda: Affine.from_matrix([[1, NAN], [0, 1]]), ["M", "nan"]),
    "t nan": (lambda: Affine.translation([0, NAN, 0]), ["t", "nan"]),
    "s inf": (lambda: Affine.scaling([1, INF, 1]), ["s", "inf"]),
    "scalar s nan": (lambda: Affine.scaling(NAN), ["s", "nan"]),
    "shear nan": (lambda: Affine.shear(xy=NAN), ["shear", "nan"]),
    "angle nan": (lambda: Affine.rotation_x(NAN), ["angle", "nan"]),
    "angle inf": (lambda: Affine.rotation([0, 0, 1], INF), ["angle", "inf"]),
    "angle 2d nan": (lambda: Affine.rotation_2d(NAN), ["angle", "nan"]),
    "angle not a number": (lambda: Affine.rotation_z("ninety"), ["angle", "ninety"]),
    "axis nan": (lambda: Affine.rotation([0, NAN, 1], 0.1), ["axis", "nan"]),
    "euler nan": (lambda: Affine.from_euler([0, NAN, 0], "xyz", frame="intrinsic"), ["angles", "nan"]),
    "quaternion nan": (lambda: Affine.from_quaternion([NAN, 0, 0, 1], order="wxyz"), ["q", "nan"]),
    "quaternion inf": (lambda: Affine.from_quaternion([1, 0, INF, 0], order="xyzw"), ["q", "inf"]),
    "eye nan": (lambda: Affine.look_at([0, 0, NAN], [0, 0, 0]), ["eye", "nan"]),
    "target inf": (lambda: Affine.look_at([0, 0, 1], [0, INF, 0]), ["target", "inf"]),
    # singular, zero length, degenerate
    "singular inverse": (lambda: Affine([[1, 2], [2, 4]]).inverse(), ["A", "singular", "determinant"]),
    "zero scaling inverse": (lambda: Affine.scaling([1, 0, 1]).inverse(), ["A", "singular"]),
    "non-square inverse": (lambda: Affine(np.ones((2, 3))).inverse(), ["A", "square", "(2, 3)"]),
    "singular normal matrix": (lambda: Affine.scaling([1, 0, 1]).normal_matrix(), ["singular"]),
    "zero quaternion": (lambda: Affine.from_quaternion([0, 0, 0, 0], order="wxyz"), ["q", "non-zero", "[0.0, 0.0, 0.0, 0.0]"]),
    "zero axis": (lambda: Affine.rotation([0, 0, 0], 1.0), ["axis", "non-zero", "[0.0, 0.0, 0.0]"]),
    "up parallel to view": (lambda: Affine.look_at([0, 0, 5], [0, 0, 0], up=[0, 0, 2]), ["up", "parallel"]),
    "up anti-parallel to view": (lambda: Affine.look_at([0, 1, 0], [0, 3, 0], up=[0, -1, 0]), ["up", "parallel"]),
    "zero up": (lambda: Affine.look_at([0, 0, 5], [0, 0, 0], up=[0, 0, 0]), ["up", "non-zero"]),
    "eye is target": (lambda: Affine.look_at([1, 2, 3], [1, 2, 3]), ["eye", "target", "[1.0, 2.0, 3.0]"]),
    "not a rotation to quaternion": (lambda: Affine.scaling(2).to_quaternion(order="wxyz"), ["A", "rotation", "det"]),
    "mirror to quaternion": (lambda: Affine.scaling([1, 1, -1]).to_quaternion(order="xyzw"), ["A", "rotation", "det -1"]),
    "not a rotation to euler": (lambda: Affine.shear(xy=1).to_euler("xyz", frame="intrinsic"), ["A", "rotation"]),
    # bad strings
    "quaternion order": (lambda: Affine.from_quaternion(Q, order="wxzy"), ["order", "'wxyz'", "'xyzw'", "'wxzy'"]),
    "to_quaternion order": (lambda: F3.to_quaternion(order="xyz"), ["order", "'xyz'"]),
    "euler frame": (lambda: Affine.from_euler([0, 0, 0], "xyz", frame="body"), ["frame", "'intrinsic'", "'body'"]),
    "to_euler frame": (lambda: F3.to_euler("xyz", frame="static"), ["frame", "'static'"]),
    "euler axes letter": (lambda: Affine.from_euler([0, 0, 0], "xyw", frame="intrinsic"), ["axes", "'xyw'"]),
    "euler axes length": (lambda: Affine.from_euler([0, 0, 0], "xy", frame="extrinsic"), ["axes", "'xy'"]),
    "euler axes repeated": (lambda: Affine.from_euler([0, 0, 0], "xxy", frame="extrinsic"), ["axes", "'xxy'"]),
    "euler axes not a string": (lambda: Affine.from_euler([0, 0, 0], 123, frame="extrinsic"), ["axes", "123"]),
    "to_euler axes": (lambda: F3.to_euler("zzx", frame="intrinsic"), ["axes", "'zzx'"]),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_raises_affine_error_naming_the_argument(case):
    """Each bad input raises AffineError (a ValueError) whose message names the argument and what was found."""
    call, fragments = ERRORS[case]
    with pytest.raises(AffineError) as info:
        call()
    assert isinstance(info.value, ValueError)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"


def test_quaternion_order_and_euler_frame_are_required_keywords():
    """from_quaternion/to_quaternion need order=, from_euler/to_euler need frame=: no silent default."""
    with pytest.raises(TypeError):
        Affine.from_quaternion(Q)
    with pytest.raises(TypeError):
        Affine.from_quaternion(Q, "wxyz")
    with pytest.raises(TypeError):
        F3.to_quaternion()
    with pytest.raises(TypeError):
        Affine.from_euler([0, 0, 0], "xyz")
    with pytest.raises(TypeError):
        F3.to_euler("xyz")


def test_composition_with_an_array_is_a_type_error():
    """F @ array and array @ F are not defined (use F.matrix, or F(x) for points): Python's TypeError, not a numpy error."""
    with pytest.raises(TypeError):
        F3 @ np.eye(4)
    with pytest.raises(TypeError):
        np.eye(4) @ F3
    with pytest.raises(TypeError):
        F3 @ [[1, 0, 0], [0, 1, 0], [0, 0, 1]]


@pytest.mark.parametrize("scale", [1e155, 1e300])
def test_extreme_but_finite_inputs_give_the_right_rotation(scale):
    """Quaternions, axes and view directions are normalised without overflow: a huge but finite q is still its rotation."""
    q = np.array([math.cos(0.35), 0.0, 0.0, math.sin(0.35)]) * scale
    np.testing.assert_allclose(Affine.from_quaternion(q, order="wxyz").A, textbook_rotation("z", 0.7), atol=1e-14)
    np.testing.assert_allclose(Affine.rotation([0, 0, scale], 0.7).A, textbook_rotation("z", 0.7), atol=1e-14)
    V = Affine.look_at([0, 0, scale], [0, 0, 0], up=[0, scale, 0])
    np.testing.assert_allclose(V.A, np.eye(3), atol=1e-14)
