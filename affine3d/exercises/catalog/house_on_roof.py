"""Exercise 4: composition order. Put a small house on the roof of the big one: scale, then turn, then move."""

from __future__ import annotations

import itertools
import math

import numpy as np

from ...affine import Affine
from ... import i18n
from ...i18n import N_, _, prose_number
from ..base import Exercise, Picture
from ..feedback import MISTAKES, Wrong, check, compare, mistake
from ..pictures import CONTEXT, Part, camera, silhouette_iou, yours_vs_target
from ..runner import Call
from ._tools import house, pick

RIDGE_Y = 0.9  # the big house's roof ridge (scenes/house.obj)
FLOOR_Y = -0.8  # its floor, in object space
IOU_MIN = 0.9


def model(s: float, angle_deg: float, t) -> np.ndarray:
    """T(t) @ R_y(angle) @ S(s): the target."""
    return (Affine.translation(t) @ Affine.rotation_y(math.radians(angle_deg)) @ Affine.scaling(s)).matrix


def _draw_placement(rng, on_roof: bool):
    s = pick(rng, 0.25, 0.4, 0.05)
    angle = pick(rng, 20, 160, 5, avoid=(90,))
    if on_roof:
        t = np.array([pick(rng, -0.5, 0.5, 0.1), round(RIDGE_Y - FLOOR_Y * s, 10), 0.0])  # floor on the ridge
    else:
        t = np.array([pick(rng, lo, 2, 0.5, nonzero=True) for lo in (-2, -1, -2)])
    return {"s": s, "angle_deg": angle, "t": t}


class HouseOnRoof(Exercise):
    number = 4
    slug = "house-on-roof"
    title = N_("composition order: the house on the roof")
    lecture = N_("3. polyhedra are moved by affine maps; F @ G means first G, then F")
    goal = N_("build one model matrix from a scaling, a rotation and a translation, in the right order")
    functions = ("model_matrix",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_placement(rng, True), "other": _draw_placement(rng, False)}

    def task(self, n):
        p = n["yours"]
        return _("""
        The house of scenes/house.obj (`affine3d view obj-model` shows it) has its floor at y = -0.8
        and its roof ridge along the x axis at y = 0.9. Put a small copy of it on the roof. In object
        space the copy is the same house; its model map (object space -> world space) must

            first scale it by s = {s} (about the origin, every axis alike),
            then turn it by {angle} degrees about the vertical y axis (counter-clockwise seen
                from above: the z axis turns toward x),
            then move it by t = {t}, which puts its floor on the ridge.

        Write model_matrix(s, angle_deg, t): that model map as one 4x4 matrix (column vectors,
        y = M x). numpy's cos and sin take radians.
        """).format(s=f"{p['s']:g}", angle=f"{p['angle_deg']:g}", t=p["t"].tolist())

    def constants(self, n):
        p = n["yours"]
        return [("S", p["s"]), ("ANGLE_DEG", p["angle_deg"]), ("T", p["t"])]

    def skeleton(self):
        return _('''
        def model_matrix(s, angle_deg, t):
            """The 4x4 model matrix: scale by s, then turn by angle_deg degrees about y, then move by t.

            s : a number; angle_deg : degrees; t : (3,). Returns an array of shape (4, 4).
            """
            raise NotImplementedError("exercise 4: model_matrix(s, angle_deg, t) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            print(model_matrix(S, ANGLE_DEG, T))
        ''')

    def calls(self, n):
        return {key: Call("model_matrix", (n[key]["s"], n[key]["angle_deg"], n[key]["t"])) for key in ("yours", "other")}

    def _compare(self, answers, key, p):
        M = answers.array(key, (4, 4), _("the model matrix"))
        s, angle, t = p["s"], p["angle_deg"], p["t"]
        T, R, S = Affine.translation(t).matrix, Affine.rotation_y(math.radians(angle)).matrix, Affine.scaling(s).matrix
        target = T @ R @ S
        others = [a @ b @ c for a, b, c in itertools.permutations((T, R, S)) if (a is not T or b is not R)]
        mistakes = [
            mistake("reverse order", S @ R @ T),
            mistake("degrees", T @ Affine.rotation_y(angle).matrix @ S),
            mistake("reverse order", S @ Affine.rotation_y(angle).matrix @ T,
                    _("two mistakes at once. First, {order}. Second, {degrees}").format(
                        order=i18n._(MISTAKES["reverse order"]), degrees=i18n._(MISTAKES["degrees"]))),
            mistake("translation in last row", target.T),
            mistake("transpose", T @ R.T @ S, _("the rotation turns the wrong way (its 3x3 part is transposed): "
                                                "about y, cos sits on the diagonal, +sin at [0, 2] and -sin at [2, 0]")),
        ] + [mistake("order", other, _("the three steps are in the wrong order: scale first, then turn, then move "
                                       "gives M = T @ R @ S (the step applied first stands rightmost)")) for other in others]
        compare(M, target, name="M", homogeneous=True, mistakes=mistakes)

    def _view(self, n):
        return camera(yaw_deg=-30, pitch_deg=20, distance=4.2, target=(0.0, 0.45, 0.0))

    def _on_roof(self, n, answers):
        M = answers.array("yours", (4, 4), _("the model matrix"))
        target = model(**n["yours"])
        overlap = silhouette_iou([(house(), M)], [(house(), target)], self._view(n))
        if overlap < IOU_MIN:
            raise Wrong(_("the silhouettes of your house and the target overlap {overlap}% (IoU), less than "
                          "{minimum}% ({picture} shows both)").format(overlap=round(overlap * 100),
                                                                     minimum=round(IOU_MIN * 100),
                                                                     picture=self.picture_name))
        return f"IoU {prose_number(overlap, 2)}"

    def grade(self, n, answers):
        return [
            check(_("the model matrix for your numbers"), 2, lambda: self._compare(answers, "yours", n["yours"])),
            check(_("another placement"), 1, lambda: self._compare(answers, "other", n["other"])),
            check(_("the house sits on the roof (silhouette IoU >= {minimum})").format(minimum=prose_number(IOU_MIN)), 1,
                  lambda: self._on_roof(n, answers)),
        ]

    def picture(self, n, answers):
        try:
            M = answers.array("yours", (4, 4), _("the model matrix"))
        except Wrong:
            return None
        image, overlap = yours_vs_target([Part(house(), np.eye(4), CONTEXT)], [(house(), M)],
                                         [(house(), model(**n["yours"]))], self._view(n),
                                         _("[yours] your house  [target] the target  IoU {iou}"))
        return Picture(image, overlap)
