"""The arcball and the turntable: drags -> rotations, checked against closed forms and properties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from affine3d.affine import Affine
from affine3d.app.arcball import PITCH_LIMIT, Arcball, Turntable, arc_rotation
from affine3d.errors import AffineError, UsageError

SIZE = (800, 600)  # sphere radius 300 px, centre (400, 300)
E_Y = np.array([0.0, 1.0, 0.0])

pixel_x = st.floats(0, 800, allow_nan=False)
pixel_y = st.floats(0, 600, allow_nan=False)
inside = st.tuples(st.floats(-0.95, 0.95), st.floats(0, 2 * math.pi)).map(
    lambda rt: (400 + 300 * rt[0] * math.cos(rt[1]), 300 + 300 * rt[0] * math.sin(rt[1]))
)


def drag(controller, start, end, steps=10):
    """Press at start, move in ``steps`` straight steps to end, release; the final rotation."""
    controller.press(*start)
    for t in np.linspace(0, 1, steps + 1)[1:]:
        controller.drag(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
    controller.release()
    return controller.rotation


def test_horizontal_drag_across_half_the_window_turns_about_vertical_by_arc_angle():
    """Dragging from x = w/4 to 3w/4 turns the world about +y by acos(1/9), the angle between (-+2/3, 0, sqrt5/3)."""
    R = drag(Arcball(SIZE), (200, 300), (600, 300))
    assert R.allclose(Affine.rotation_y(math.acos(1 / 9)), atol=1e-12)


def test_double_variant_turns_by_twice_the_arc_angle():
    """Shoemake's quaternion [p0.p1, p0 x p1] turns by twice the angle: 2 acos(1/9) for the same drag."""
    R = drag(Arcball(SIZE, double=True), (200, 300), (600, 300))
    assert R.allclose(Affine.rotation_y(2 * math.acos(1 / 9)), atol=1e-12)


def test_downward_drag_tips_the_top_toward_the_viewer():
    """A drag from the centre half a radius down turns about +x by asin(1/2) = 30 degrees; world up gains +z."""
    R = drag(Arcball(SIZE), (400, 300), (400, 150))
    assert R.allclose(Affine.rotation_x(math.pi / 6), atol=1e-12)
    assert R(E_Y)[2] > 0


def test_drag_along_the_rim_rolls_about_the_view_axis():
    """Outside the silhouette points clamp to the rim: from (1,0,0) to (0,1,0) is a quarter turn about z."""
    R = drag(Arcball(SIZE), (790, 300), (400, 650), steps=1)
    assert R.allclose(Affine.rotation_z(math.pi / 2), atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(pixel_x, pixel_y)
def test_sphere_points_are_unit_vectors_facing_the_viewer(x, y):
    """Every pixel maps to a unit vector with z >= 0, in both outside modes."""
    for outside in ("clamp", "hyperbolic"):
        p = Arcball(SIZE, outside=outside).sphere_point(x, y)
        assert abs(np.linalg.norm(p) - 1) < 1e-12 and p[2] >= 0


def test_sphere_point_inside_is_on_the_sphere_under_the_pixel():
    """Inside the silhouette the point is (px, py, sqrt(1 - px^2 - py^2)) with px, py in radii from the centre."""
    p = Arcball(SIZE).sphere_point(400 + 90, 300 - 120)
    assert np.allclose(p, [0.3, -0.4, math.sqrt(1 - 0.25)], atol=1e-15)


def test_hyperbolic_sheet_meets_the_sphere_continuously():
    """Bell's sheet z = 1/(2d) equals the sphere's z at d = 1/sqrt 2, so the map has no jump there."""
    ball = Arcball(SIZE, outside="hyperbolic")
    r = 300 / math.sqrt(2)
    just_in, just_out = ball.sphere_point(400 + r - 1e-6, 300), ball.sphere_point(400 + r + 1e-6, 300)
    assert np.allclose(just_in, just_out, atol=1e-6)


@settings(max_examples=100, deadline=None)
@given(inside, inside)
def test_grabbed_point_stays_under_the_cursor(start, end):
    """With the 1x angle the sphere point pressed lands exactly on the sphere point under the cursor."""
    ball = Arcball(SIZE)
    ball.press(*start)
    R = ball.drag(*end)
    assert np.allclose(R(ball.sphere_point(*start)), ball.sphere_point(*end), atol=1e-9)


def test_drags_compose_as_products():
    """Two drags give R2 @ R1: each the closed-form arc rotation of its own press and release points."""
    ball = Arcball(SIZE)
    first, second = ((200, 300), (600, 300)), ((400, 300), (400, 150))
    drag(ball, *first)
    R = drag(ball, *second)
    R1 = Affine.rotation_y(math.acos(1 / 9))
    R2 = Affine.rotation_x(math.pi / 6)
    assert R.allclose(R2 @ R1, atol=1e-12)
    assert R.allclose(arc_rotation(ball.sphere_point(*second[0]), ball.sphere_point(*second[1])) @ R1, atol=1e-12)


def test_a_drag_depends_only_on_its_end_points():
    """A drag is anchored at its press: a zig-zag path and a straight one to the same pixel agree."""
    straight = drag(Arcball(SIZE), (300, 250), (520, 380), steps=1)
    ball = Arcball(SIZE)
    ball.press(300, 250)
    for x, y in [(700, 100), (100, 500), (650, 599), (520, 380)]:
        ball.drag(x, y)
    assert ball.rotation.allclose(straight, atol=1e-12)


def test_many_drags_stay_orthonormal():
    """After 500 random drags and 3 000 spin steps the rotation is orthonormal to 1e-9, det +1."""
    rng = np.random.default_rng(5)
    ball = Arcball(SIZE, outside="hyperbolic")
    for _ in range(500):
        start, end = rng.uniform([0, 0], SIZE), rng.uniform([-100, -100], [900, 700])
        drag(ball, start, end, steps=3)
    for _ in range(3000):
        ball.spin(0.0123)
    assert ball.rotation.orthonormality_error() < 1e-9
    assert abs(ball.rotation.determinant - 1) < 1e-9


def test_arcball_spin_turns_about_the_camera_vertical():
    """spin(a) left-multiplies rotation_y(a): the world turns about the camera's y axis."""
    start = Affine.rotation([1, 2, 3], 0.7)
    ball = Arcball(SIZE, start)
    assert ball.spin(0.25).allclose(Affine.rotation_y(0.25) @ start, atol=1e-12)


def test_turntable_horizontal_drag_yaws_by_pixels_over_radius():
    """A drag of 150 px right on a 300 px radius yaws by exactly 0.5 rad about the world's up axis."""
    table = Turntable(SIZE)
    R = drag(table, (100, 300), (250, 300))
    assert R.allclose(Affine.rotation_y(0.5), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(pixel_x, pixel_y, st.floats(-2000, 2000), st.floats(-2000, 2000)), min_size=1, max_size=8))
def test_turntable_never_rolls_and_pitch_clamps(drags):
    """After any drags world up stays in the camera's y-z plane, pointing up, with |pitch| <= 89 degrees."""
    table = Turntable(SIZE)
    for x, y, dx, dy in drags:
        drag(table, (x, y), (x + dx, y + dy), steps=2)
        up = table.rotation(E_Y)
        assert abs(up[0]) < 1e-12
        assert up[1] >= math.cos(PITCH_LIMIT) - 1e-12
        assert abs(table.pitch) <= PITCH_LIMIT


def test_turntable_pitch_stops_at_89_degrees():
    """Dragging 2 000 px down leaves pitch at +89 degrees; up again at -89."""
    table = Turntable(SIZE)
    drag(table, (400, 300), (400, -1700))
    assert table.pitch == pytest.approx(math.radians(89), abs=1e-15)
    drag(table, (400, 0), (400, 4000))
    assert table.pitch == pytest.approx(math.radians(-89), abs=1e-15)


def test_turntable_reset_recovers_yaw_and_pitch():
    """reset(rotation_x(p) @ rotation_y(y)) gives back p and y; a rolled rotation is stood upright."""
    table = Turntable(SIZE, Affine.rotation_x(0.4) @ Affine.rotation_y(-2.5))
    assert (table.pitch, table.yaw) == pytest.approx((0.4, -2.5), abs=1e-12)
    table.reset(Affine.rotation_z(0.3) @ Affine.rotation_x(0.2))
    assert abs(table.rotation(E_Y)[0]) < 1e-12


def test_turntable_spin_changes_yaw_only():
    """spin(a) adds a to the yaw: the world turns about its own up axis, pitch unchanged."""
    table = Turntable(SIZE, Affine.rotation_x(0.3))
    R = table.spin(1.0)
    assert R.allclose(Affine.rotation_x(0.3) @ Affine.rotation_y(1.0), atol=1e-12)


def test_bad_arguments_raise_errors_naming_them():
    """A bad size or outside mode is a UsageError, a non-rotation start an AffineError; each names the argument."""
    with pytest.raises(UsageError, match="size"):
        Arcball((0, 600))
    with pytest.raises(UsageError, match="outside"):
        Arcball(SIZE, outside="wrap")
    with pytest.raises(AffineError, match="rotation"):
        Turntable(SIZE, Affine.scaling(2))
