"""Tests of affine3d.projection: closed forms (near -> -1, far -> +1, field-of-view edge -> +-1, box corners),
PyGLM and pyrr as references, the perspective divide, errors."""

import itertools
import math

import numpy as np
import pyrr
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyglm import glm

from affine3d import Affine, AffineError
from affine3d.projection import orthographic, perspective, project_points

fovys = st.floats(0.05, math.pi - 0.05)
aspects = st.floats(0.2, 5.0)
nears = st.floats(0.01, 10.0)
depth_ratios = st.floats(1.5, 1000.0)  # far / near
bounds = st.floats(-50, 50)
extents = st.floats(0.1, 50)
# PyGLM computes in float32: give it box sides that float32 holds exactly (multiples of 1/8), so its
# -(right + left) / (right - left) has no cancellation error to compare against.
eighths = st.integers(-400, 400).map(lambda k: k / 8)
positive_eighths = st.integers(4, 400).map(lambda k: k / 8)


def to_ndc(P: np.ndarray, point) -> np.ndarray:
    """camera space -> clip (P @ [p, 1]) -> NDC (divide by w): what the GPU does to a vertex."""
    clip = P @ np.r_[np.asarray(point, dtype=float), 1.0]
    return clip[:3] / clip[3]


def glm_to_numpy(m) -> np.ndarray:
    """A PyGLM matrix as the matrix it means: GLM indexes column first, ``m[c][r]`` is row r of column c."""
    return np.array([[m[c][r] for c in range(4)] for r in range(4)], dtype=np.float64)


# ---------------------------------------------------------------------------- perspective


@given(fovy=fovys, aspect=aspects, near=nears, ratio=depth_ratios)
def test_perspective_sends_near_to_minus_one_and_far_to_plus_one(fovy, aspect, near, ratio):
    """A point on the near plane (z = -near) has NDC depth -1, one on the far plane +1; the view axis maps to x = y = 0."""
    far = near * ratio
    P = perspective(fovy, aspect, near, far)
    np.testing.assert_allclose(to_ndc(P, [0, 0, -near]), [0, 0, -1], rtol=0, atol=1e-9)
    np.testing.assert_allclose(to_ndc(P, [0, 0, -far]), [0, 0, 1], rtol=0, atol=1e-9)


@given(fovy=fovys, aspect=aspects, near=nears, ratio=depth_ratios, t=st.floats(0, 1))
def test_perspective_sends_the_field_of_view_edge_to_plus_minus_one(fovy, aspect, near, ratio, t):
    """At any depth d, the top of the view (y = d tan(fovy/2)) maps to NDC y = 1, the right edge (x = aspect times that) to x = 1."""
    far = near * ratio
    d = near + t * (far - near)
    half_height = d * math.tan(fovy / 2)
    P = perspective(fovy, aspect, near, far)
    for sx, sy in itertools.product([-1, 1], repeat=2):
        ndc = to_ndc(P, [sx * aspect * half_height, sy * half_height, -d])
        np.testing.assert_allclose(ndc[:2], [sx, sy], rtol=0, atol=1e-9)
        assert -1 - 1e-9 <= ndc[2] <= 1 + 1e-9


def test_perspective_divide_halves_the_size_at_twice_the_distance():
    """The same offset from the axis looks half as big twice as far away: the divide by w = -z."""
    P = perspective(math.radians(60), 4 / 3, 0.1, 100)
    np.testing.assert_array_equal(P[3], [0, 0, -1, 0])
    near, far = to_ndc(P, [1, 1, -2]), to_ndc(P, [1, 1, -4])
    np.testing.assert_allclose(far[:2], near[:2] / 2, rtol=1e-14)
    clip = P @ [1, 1, -4, 1]
    assert clip[3] == 4  # w = -z


@given(fovy=fovys, aspect=aspects, near=nears, ratio=depth_ratios)
def test_perspective_matches_glm_and_pyrr(fovy, aspect, near, ratio):
    """perspective equals glm.perspective (float32) and pyrr's create_perspective_projection (degrees) transposed."""
    far = near * ratio
    P = perspective(fovy, aspect, near, far)
    G = glm_to_numpy(glm.perspective(fovy, aspect, near, far))
    np.testing.assert_allclose(P, G, rtol=2e-6, atol=1e-6 * np.abs(P).max())
    R = np.asarray(pyrr.matrix44.create_perspective_projection(math.degrees(fovy), aspect, near, far))
    np.testing.assert_allclose(P, R.T, rtol=1e-12, atol=1e-12 * np.abs(P).max())


def test_perspective_is_not_affine():
    """Its last row is [0, 0, -1, 0], so Affine.from_matrix refuses it and points to this module."""
    P = perspective(1.0, 1.5, 0.1, 10)
    with pytest.raises(AffineError, match="projection"):
        Affine.from_matrix(P)


# ---------------------------------------------------------------------------- orthographic


@given(left=bounds, width=extents, bottom=bounds, height=extents, near=st.floats(-20, 20), depth=extents)
def test_orthographic_sends_the_box_corners_to_the_cube_corners(left, width, bottom, height, near, depth):
    """The 8 corners of [left, right] x [bottom, top] x [-near, -far] land on the corners of [-1, 1]^3, in order."""
    right, top, far = left + width, bottom + height, near + depth
    O = orthographic(left, right, bottom, top, near, far)
    for (x, sx), (y, sy), (z, sz) in itertools.product(
        [(left, -1), (right, 1)], [(bottom, -1), (top, 1)], [(-near, -1), (-far, 1)]
    ):
        np.testing.assert_allclose(to_ndc(O, [x, y, z]), [sx, sy, sz], rtol=0, atol=1e-9)


@given(left=eighths, width=positive_eighths, bottom=eighths, height=positive_eighths, near=eighths, depth=positive_eighths)
def test_orthographic_matches_glm_and_pyrr(left, width, bottom, height, near, depth):
    """orthographic equals glm.ortho (float32) and pyrr's create_orthogonal_projection transposed."""
    args = (left, left + width, bottom, bottom + height, near, near + depth)
    O = orthographic(*args)
    G = glm_to_numpy(glm.ortho(*args))
    np.testing.assert_allclose(O, G, rtol=2e-6, atol=2e-6 * np.abs(O).max())
    R = np.asarray(pyrr.matrix44.create_orthogonal_projection(*args))
    np.testing.assert_allclose(O, R.T, rtol=1e-12, atol=1e-12 * np.abs(O).max())


def test_orthographic_is_affine():
    """An orthographic projection only scales and shifts: it is an Affine map, and w stays 1."""
    O = orthographic(-2, 2, -1, 1, 0.5, 10)
    F = Affine.from_matrix(O)
    np.testing.assert_array_equal(F.matrix, O)
    np.testing.assert_allclose(F([2.0, 1.0, -0.5]), [1, 1, -1], atol=1e-14)


# ---------------------------------------------------------------------------- project_points


def test_project_points_to_pixels_top_left_origin():
    """The view axis lands on the image centre, the top edge of the view on row 0, the right edge on column width."""
    width, height = 800, 600
    fovy, aspect, near, far = math.radians(60), width / height, 0.5, 50.0
    P = perspective(fovy, aspect, near, far)
    d = 5.0
    top = d * math.tan(fovy / 2)
    points = np.array([[0, 0, -d], [0, top, -d], [aspect * top, 0, -d], [-aspect * top, -top, -d], [0, 0, -near]])
    px = project_points(P, points, (width, height))
    assert px.shape == (5, 3)
    np.testing.assert_allclose(px[0, :2], [400, 300], atol=1e-9)
    np.testing.assert_allclose(px[1, :2], [400, 0], atol=1e-9)
    np.testing.assert_allclose(px[2, :2], [800, 300], atol=1e-9)
    np.testing.assert_allclose(px[3, :2], [0, 600], atol=1e-9)
    assert px[4, 2] == pytest.approx(0)  # the near plane: window depth 0 (NDC -1)


@given(seed=st.integers(0, 2**32 - 1))
def test_project_points_equals_divide_then_viewport(seed):
    """project_points is P @ [p, 1], divided by w, then mapped to pixels with y flipped and depth to [0, 1], point by point."""
    rng = np.random.default_rng(seed)
    P = perspective(rng.uniform(0.3, 2.5), rng.uniform(0.5, 2), 0.1, 100)
    points = np.column_stack([rng.uniform(-5, 5, (20, 2)), -rng.uniform(0.2, 90, 20)])
    width, height = 640, 480
    px = project_points(P, points, (width, height))
    for p, got in zip(points, px):
        ndc = to_ndc(P, p)
        np.testing.assert_allclose(got, [(ndc[0] + 1) * width / 2, (1 - ndc[1]) * height / 2, (ndc[2] + 1) / 2],
                                   rtol=1e-12, atol=1e-9)


# ---------------------------------------------------------------------------- errors

ERRORS = {
    "fovy in degrees": (lambda: perspective(60, 1, 0.1, 10), ["fovy", "60", "radians"]),
    "fovy zero": (lambda: perspective(0, 1, 0.1, 10), ["fovy", "0"]),
    "fovy pi": (lambda: perspective(math.pi, 1, 0.1, 10), ["fovy"]),
    "fovy nan": (lambda: perspective(float("nan"), 1, 0.1, 10), ["fovy", "nan"]),
    "fovy negative": (lambda: perspective(-0.5, 1, 0.1, 10), ["fovy", "-0.5"]),
    "aspect zero": (lambda: perspective(1, 0, 0.1, 10), ["aspect", "0"]),
    "aspect negative": (lambda: perspective(1, -1.5, 0.1, 10), ["aspect", "-1.5"]),
    "aspect inf": (lambda: perspective(1, float("inf"), 0.1, 10), ["aspect", "inf"]),
    "near zero": (lambda: perspective(1, 1, 0, 10), ["near", "0"]),
    "near negative": (lambda: perspective(1, 1, -1, 10), ["near", "-1"]),
    "near nan": (lambda: perspective(1, 1, float("nan"), 10), ["near", "nan"]),
    "far inf": (lambda: perspective(1, 1, 0.1, float("inf")), ["far", "inf"]),
    "far before near": (lambda: perspective(1, 1, 10, 1), ["far", "near=10", "far=1"]),
    "far equals near": (lambda: perspective(1, 1, 2, 2), ["far", "near"]),
    "ortho left = right": (lambda: orthographic(1, 1, -1, 1, 0.1, 10), ["left", "right", "1.0"]),
    "ortho bottom = top": (lambda: orthographic(-1, 1, 2, 2, 0.1, 10), ["bottom", "top", "2.0"]),
    "ortho near = far": (lambda: orthographic(-1, 1, -1, 1, 3, 3), ["near", "far", "3.0"]),
    "ortho nan": (lambda: orthographic(-1, float("nan"), -1, 1, 0.1, 10), ["finite", "nan"]),
    "ortho inf": (lambda: orthographic(-1, 1, -1, 1, 0.1, float("inf")), ["finite", "inf"]),
    "points wrong width": (lambda: project_points(np.eye(4), np.zeros((3, 2)), (10, 10)), ["points_camera", "(3, 2)"]),
    "points 1D": (lambda: project_points(np.eye(4), np.zeros(3), (10, 10)), ["points_camera", "(3,)"]),
    "point behind camera": (
        lambda: project_points(perspective(1, 1, 0.1, 10), [[0, 0, -1], [0, 0, 1]], (10, 10)),
        ["points_camera", "behind"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_bad_input_raises_affine_error_naming_the_argument(case):
    """Each bad argument raises AffineError (a ValueError) naming the argument and the value found."""
    call, fragments = ERRORS[case]
    with pytest.raises(AffineError) as info:
        call()
    assert isinstance(info.value, ValueError)
    for fragment in fragments:
        assert fragment in str(info.value), f"{fragment!r} not in {str(info.value)!r}"
