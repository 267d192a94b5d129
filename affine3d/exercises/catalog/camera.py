"""Exercise 5: the camera stays, the world turns. From a camera's pose, the world -> camera map."""

from __future__ import annotations

import math

import numpy as np

from ...affine import Affine
from ...i18n import N_, _, prose_number
from ..base import Exercise, Picture
from ..feedback import Wrong, check, close, compare, fmt, mistake, rotation_angle_deg
from ..pictures import silhouette_iou, yours_vs_target
from ..runner import Call
from ._tools import box, homogeneous, house, pick

ANGLE_TOL_DEG = 0.5
TRANSLATION_TOL = 0.01  # times the camera's distance from the origin
IOU_MIN = 0.9


def _draw_pose(rng):
    distance = pick(rng, 4, 7, 0.5)
    azimuth, elevation = math.radians(pick(rng, 0, 345, 15)), math.radians(pick(rng, 10, 45, 5))
    eye = np.round(distance * np.array([math.cos(elevation) * math.sin(azimuth), math.sin(elevation),
                                        math.cos(elevation) * math.cos(azimuth)]), 2)
    forward = -eye / np.linalg.norm(eye)  # it looks at the origin
    side = np.cross(forward, [0.0, 1.0, 0.0])
    side /= np.linalg.norm(side)
    up = np.cross(side, forward)
    R = np.round(np.column_stack([side, up, -forward]), 6)  # columns: the camera's axes, in world coordinates
    return {"R": R, "eye": eye}


def world_from_camera(pose) -> np.ndarray:
    return homogeneous(pose["R"], pose["eye"])


def camera_from_world(pose) -> np.ndarray:
    R, eye = pose["R"], pose["eye"]
    return homogeneous(R.T, -R.T @ eye)


def _seen_through(V: np.ndarray) -> list:
    """What the camera looks at, a house at the origin and a cube beside it, moved into camera space by V.

    (The pictures' world map must be an Affine; a student's V need not be one, so it goes into each model.)
    """
    cube_model = Affine.translation([1.8, -0.4, 0.3]).matrix @ np.diag([0.4, 0.4, 0.4, 1.0])
    return [(house(), V), (box(), V @ cube_model)]


class Camera(Exercise):
    number = 5
    slug = "camera"
    title = N_("the camera stays, the world turns")
    lecture = N_("3. the camera stays in place and the rest of the world is transformed")
    goal = N_("from a camera's pose (where it is, which way it looks) build the world -> camera map")
    functions = ("world_to_camera",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_pose(rng), "other": _draw_pose(rng)}

    def task(self, n):
        p = n["yours"]
        return _("""
        A renderer never moves its camera: the camera sits at the origin and looks down -z, with +y up
        (OpenGL's camera space). To show the scene from somewhere else, the *world* is moved instead.

        Your camera stands at EYE = {eye} and looks at the origin. Its pose is given as
        R (below): the columns of R are the camera's own x, y, z axes written in world coordinates
        (it looks along -z, the negative third column). So the camera's pose, camera space -> world
        space, is p_world = R p_camera + eye.

        Write world_to_camera(R, eye): the 4x4 matrix of the map world space -> camera space that
        the renderer applies to every vertex (column vectors, y = M x). After it, the eye is at the
        origin and the camera's axes are x, y, z.
        """).format(eye=p["eye"].tolist())

    def constants(self, n):
        return [("R", n["yours"]["R"]), ("EYE", n["yours"]["eye"])]

    def skeleton(self):
        return _('''
        def world_to_camera(R, eye):
            """The 4x4 world -> camera matrix of a camera at eye whose axes are the columns of R.

            R : (3, 3) rotation, camera axes in world coordinates; eye : (3,) the camera's position.
            Returns an array of shape (4, 4).
            """
            raise NotImplementedError("exercise 5: world_to_camera(R, eye) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            V = world_to_camera(R, EYE)
            print(V)
            print("the eye lands at", V @ np.append(EYE, 1))
            print("the origin lands at", V @ [0, 0, 0, 1], "(in front of the camera: on -z)")
        ''')

    def calls(self, n):
        return {key: Call("world_to_camera", (p["R"], p["eye"])) for key, p in n.items()}

    def _pose(self, answers, key, pose):
        V = answers.array(key, (4, 4), _("the world -> camera matrix"))
        R, eye = pose["R"], pose["eye"]
        target = camera_from_world(pose)
        mistakes = [
            mistake("inverse", world_from_camera(pose), _("this is the camera's pose (camera space -> world space), "
                    "the inverse of the map asked for: the world must be moved the opposite way, by R^T and -R^T eye")),
            mistake("reverse order", homogeneous(R.T, -eye), _("the factors are in the reverse order: first move the "
                    "eye to the origin (by -eye), then turn by R^T; so V = R^T @ T(-eye), whose translation is -R^T eye")),
            mistake("translation in last row", target.T),
            mistake("transpose", homogeneous(R, -R.T @ eye), _("the rotation part is R itself, but the world turns the "
                    "other way: R^T (for a rotation, R^T is R^-1)")),
            mistake("transpose", homogeneous(R, -R @ eye), _("the rotation part is R itself, but the world turns the "
                    "other way: R^T (for a rotation, R^T is R^-1)")),
        ]
        tolerance = TRANSLATION_TOL * float(np.linalg.norm(eye))
        A, t = V[:3, :3], V[:3, 3]
        rigid = np.all(close(V[3], [0, 0, 0, 1])) and np.max(np.abs(A.T @ A - np.eye(3))) < 1e-2 and np.linalg.det(A) > 0
        angle = rotation_angle_deg(A, R.T) if rigid else None
        shift = float(np.linalg.norm(t - target[:3, 3]))
        if rigid and angle <= ANGLE_TOL_DEG and shift <= tolerance:
            return _("rotation off by {angle}°, translation by {shift}").format(angle=prose_number(angle, 2),
                                                                                 shift=fmt(shift))
        try:
            compare(V, target, name="V", homogeneous=True, mistakes=mistakes)
        except Wrong as wrong:
            if wrong.mistake:
                raise
            if not rigid:
                raise Wrong(_("V does not keep lengths and angles (its 3x3 part is not a rotation, or its last row "
                              "is not [0, 0, 0, 1]); a camera only turns and moves the world. {wrong}").format(
                    wrong=wrong)) from None
            raise Wrong(_("rotation off by {angle}° (tolerance {tolerance}°), translation off by {shift} "
                          "(tolerance {shift_tolerance}); {wrong}").format(
                angle=prose_number(angle, 1), tolerance=prose_number(ANGLE_TOL_DEG), shift=fmt(shift),
                shift_tolerance=fmt(tolerance), wrong=wrong)) from None
        if not rigid:
            raise Wrong(_("V does not keep lengths and angles: its 3x3 part is not a rotation, or its last row is not "
                        "[0, 0, 0, 1]"))
        raise Wrong(_("rotation off by {angle}° (tolerance {tolerance}°), translation off by {shift} "
                      "(tolerance {shift_tolerance})").format(
            angle=prose_number(angle, 2), tolerance=prose_number(ANGLE_TOL_DEG), shift=fmt(shift),
            shift_tolerance=fmt(tolerance)))

    def _scene_check(self, n, answers):
        V = answers.array("yours", (4, 4), _("the world -> camera matrix"))
        overlap = silhouette_iou(_seen_through(V), _seen_through(camera_from_world(n["yours"])), Affine.identity(3))
        if overlap < IOU_MIN:
            raise Wrong(_("the scene seen through your matrix and through the right one overlap {overlap}% (IoU), "
                          "less than {minimum}% ({picture} shows both)").format(
                overlap=round(overlap * 100), minimum=round(IOU_MIN * 100), picture=self.picture_name))
        return f"IoU {prose_number(overlap, 2)}"

    def grade(self, n, answers):
        return [
            check(_("world -> camera for your camera (rotation within 0.5°, translation within 1%)"), 2,
                  lambda: self._pose(answers, "yours", n["yours"])),
            check(_("another camera"), 1, lambda: self._pose(answers, "other", n["other"])),
            check(_("the scene through your camera (silhouette IoU >= {minimum})").format(minimum=prose_number(IOU_MIN)), 1, lambda: self._scene_check(n, answers)),
        ]

    def picture(self, n, answers):
        try:
            V = answers.array("yours", (4, 4), _("the world -> camera matrix"))
        except Wrong:
            return None
        image, overlap = yours_vs_target([], _seen_through(V), _seen_through(camera_from_world(n["yours"])),
                                         Affine.identity(3), _("through [yours] your camera  [target] the right one  IoU {iou}"))
        return Picture(image, overlap)
