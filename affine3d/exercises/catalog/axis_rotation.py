"""Exercise 13: a rotation about an arbitrary axis (Rodrigues' formula)."""

from __future__ import annotations

import math

import numpy as np

from ...affine import Affine
from ...i18n import N_, _, prose_number
from ..base import Exercise, Picture
from ..feedback import Wrong, check, close, compare, mistake, rotation_angle_deg
from ..pictures import CONTEXT, Part, camera, silhouette_iou, yours_vs_target
from ..runner import Call
from ._tools import box, house, integer_vector, pick

ANGLE_TOL_DEG = 0.5
IOU_MIN = 0.9
WORLD = camera(yaw_deg=25, pitch_deg=20, distance=6.5)


def rodrigues(axis, angle: float) -> np.ndarray:
    """R = I + sin(a) K + (1 - cos(a)) K^2 with K the cross-product matrix of ``axis`` (as given: not normalised)."""
    k = np.asarray(axis, dtype=np.float64)
    K = np.array([[0.0, -k[2], k[1]], [k[2], 0.0, -k[0]], [-k[1], k[0], 0.0]])
    return np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * (K @ K)


def _draw_rotation(rng):
    return {"axis": integer_vector(rng, min_nonzero=2), "angle_deg": pick(rng, 20, 160, 5, avoid=(90,))}


def target_of(p) -> np.ndarray:
    return Affine.rotation(p["axis"], math.radians(p["angle_deg"])).A


def _axis_bar(axis) -> Part:
    """A long thin box along the axis, through the origin (so the picture shows what the house turns about)."""
    u = np.asarray(axis, dtype=np.float64) / np.linalg.norm(axis)
    a = np.cross(u, [1.0, 0.0, 0.0] if abs(u[0]) < 0.9 else [0.0, 1.0, 0.0])
    a /= np.linalg.norm(a)
    frame = np.column_stack([np.cross(a, u), a, u])  # z along the axis
    return Part(box(), Affine(frame @ np.diag([0.035, 0.035, 3.2])).matrix, CONTEXT)


class AxisRotation(Exercise):
    number = 13
    slug = "axis-rotation"
    title = N_("a rotation about an arbitrary axis")
    lecture = N_("3. the affine maps that move polyhedra: a turn about any axis through the origin")
    goal = N_("build the 3x3 rotation about a given axis by a given angle (Rodrigues' formula)")
    functions = ("rotation",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_rotation(rng), "other": _draw_rotation(rng)}

    def task(self, n):
        p = n["yours"]
        return _("""
        rotation_x, rotation_y and rotation_z turn space about the coordinate axes. A turn by an angle
        a about any axis through the origin, with the direction k (a unit vector), is Rodrigues' formula

            R = I + sin(a) K + (1 - cos(a)) K @ K,   K = [[0, -k3, k2], [k3, 0, -k1], [-k2, k1, 0]]

        (K @ v is the cross product k x v). It turns counter-clockwise seen from the tip of k looking
        back at the origin (the right-hand rule).

        Your axis is {axis} (not a unit vector) and your angle {angle:g} degrees. Write
        rotation(axis, angle_deg): the 3x3 rotation, for any axis (not 0) and any angle in degrees.
        """).format(axis=p["axis"].tolist(), angle=p["angle_deg"])

    def constants(self, n):
        return [("AXIS", n["yours"]["axis"]), ("ANGLE_DEG", n["yours"]["angle_deg"])]

    def skeleton(self):
        return _('''
        def rotation(axis, angle_deg):
            """The 3x3 rotation by angle_deg degrees about axis (shape (3,), any length but 0), right-hand rule."""
            raise NotImplementedError("exercise 13: rotation(axis, angle_deg) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            R = rotation(AXIS, ANGLE_DEG)
            print(R)
            print("R R^T =", R @ R.T, "det R =", np.linalg.det(R), "R axis =", R @ AXIS, sep="\\n")
        ''')

    def calls(self, n):
        return {key: Call("rotation", (p["axis"], p["angle_deg"])) for key, p in n.items()}

    def _rotation(self, answers, key, p):
        R = answers.array(key, (3, 3), "the rotation")
        axis, angle = p["axis"], math.radians(p["angle_deg"])
        target = target_of(p)
        orthonormal = np.max(np.abs(R.T @ R - np.eye(3))) < 1e-2 and np.linalg.det(R) > 0
        off = rotation_angle_deg(R, target) if orthonormal else None
        if orthonormal and off <= ANGLE_TOL_DEG:
            return None
        mistakes = [
            mistake("degrees", Affine.rotation(axis, p["angle_deg"]).A),
            mistake("transpose", target.T, _("your R turns the other way (it is the transpose of the right answer, the "
                                           "inverse rotation): check the signs of the sin(a) K terms")),
            mistake("axis not normalised", rodrigues(axis, angle), _("the axis must be a unit vector in Rodrigues' "
                    "formula: divide it by its length first (with |k| != 1 the result is not even a rotation)")),
        ]
        try:
            compare(R, target, name="R", mistakes=mistakes)
        except Wrong as wrong:
            if wrong.mistake or not orthonormal:
                raise Wrong(str(wrong) if wrong.mistake else _("R is not a rotation (R^T R != I, or det R <= 0); {wrong}").format(wrong=wrong),
                            mistake=wrong.mistake) from None
            raise Wrong(_("your rotation is off by {angle}° (tolerance {tolerance}°); {wrong}").format(
                angle=prose_number(off, 1), tolerance=prose_number(ANGLE_TOL_DEG), wrong=wrong)) from None
        raise Wrong(_("your rotation is off by {angle}° (tolerance {tolerance}°)").format(
            angle=prose_number(off, 2), tolerance=prose_number(ANGLE_TOL_DEG)))

    def _axis_fixed(self, n, answers):
        R = answers.array("yours", (3, 3), "the rotation")
        axis = n["yours"]["axis"]
        moved = R @ axis
        if not np.all(close(moved, axis, atol=1e-6)):
            raise Wrong(_("R @ axis = {moved}, but a turn about the axis leaves it where it is: {axis}").format(
                moved=np.round(moved, 3).tolist(), axis=axis.tolist()))
        return None

    def _house(self, n, answers):
        R = answers.array("yours", (3, 3), "the rotation")
        overlap = silhouette_iou([(house(), Affine(R).matrix)], [(house(), Affine(target_of(n["yours"])).matrix)], WORLD)
        if overlap < IOU_MIN:
            raise Wrong(_("the house turned by your R and by the right one overlap {overlap}% (IoU), less than "
                          "{minimum}% ({picture} shows both)").format(overlap=round(overlap * 100),
                                                                     minimum=round(IOU_MIN * 100),
                                                                     picture=self.picture_name))
        return f"IoU {prose_number(overlap, 2)}"

    def grade(self, n, answers):
        return [
            check(_("your rotation (within {tolerance}°)").format(tolerance=prose_number(ANGLE_TOL_DEG)), 2, lambda: self._rotation(answers, "yours", n["yours"])),
            check(_("the axis stays where it is: R @ axis = axis"), 1, lambda: self._axis_fixed(n, answers)),
            check(_("another axis and angle"), 1, lambda: self._rotation(answers, "other", n["other"])),
            check(_("the house turned about your axis (silhouette IoU >= {minimum})").format(minimum=prose_number(IOU_MIN)), 1, lambda: self._house(n, answers)),
        ]

    def picture(self, n, answers):
        try:
            R = answers.array("yours", (3, 3), "the rotation")
        except Wrong:
            return None
        image, overlap = yours_vs_target([_axis_bar(n["yours"]["axis"])], [(house(), Affine(R).matrix)],
                                         [(house(), Affine(target_of(n["yours"])).matrix)], WORLD,
                                         _("[yours] the house turned by your R  [target] by the right one  [given] the "
                                         "axis\nIoU {iou}"))
        return Picture(image, overlap)
