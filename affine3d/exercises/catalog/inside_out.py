"""Exercise 14: a 3 -> 3 layer that turns a solid inside out: the mirror in a plane (det W = -1)."""

from __future__ import annotations

import numpy as np

from ...affine import Affine
from ...i18n import N_, _, prose_number
from ..base import Exercise, Picture
from ..feedback import Wrong, check, compare, fmt, mistake
from ..pictures import CONTEXT, Part, camera, silhouette_iou, yours_vs_target
from ..runner import Call
from ._tools import as_pair, box, house, integer_vector, pick

IOU_MIN = 0.9


def mirror(n, d):
    """W = I - 2 u u^T, b = 2 (d / |n|) u with u = n / |n|: the reflection in the plane n . y = d."""
    u = n / np.linalg.norm(n)
    return np.eye(3) - 2 * np.outer(u, u), 2 * d / np.linalg.norm(n) * u


def _draw_plane(rng):
    return {"n": integer_vector(rng, min_nonzero=1), "d": pick(rng, -1, 1, 0.5, nonzero=True)}


class InsideOut(Exercise):
    number = 14
    slug = "inside-out"
    title = N_("a 3 -> 3 layer that turns a solid inside out")
    lecture = N_("2./3. a layer with det W < 0 turns a solid inside out (affine3d view cube-to-sphere shows it)")
    goal = N_("build the mirror in a plane as a layer (W, b) and see why det W < 0 turns the cube inside out")
    functions = ("mirror",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_plane(rng), "other": _draw_plane(rng)}

    def task(self, n):
        p = n["yours"]
        return _("""
        A layer x -> W x + b with det W < 0 turns every solid inside out: its faces' corners come out in
        the opposite order, so their outsides face inward (`affine3d view cube-to-sphere` draws such a
        solid orange). The simplest such map is a mirror.

        Write mirror(n, d) -> (W, b): the reflection in the plane n . y = d, which sends every point to
        its mirror image on the other side of the plane (points on the plane stay). Your plane has
        n = {n} (not a unit vector) and d = {d:g}; write it for any n (not 0) and d.
        """).format(n=p["n"].tolist(), d=p["d"])

    def constants(self, n):
        return [("N", n["yours"]["n"]), ("D", n["yours"]["d"])]

    def skeleton(self):
        return _('''
        def mirror(n, d):
            """(W, b): the reflection x -> W x + b in the plane n . y = d (W of shape (3, 3), b of shape (3,))."""
            raise NotImplementedError("exercise 14: mirror(n, d) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            W, b = mirror(N, D)
            print("W =", W, "b =", b, "det W =", np.linalg.det(W), sep="\\n")
        ''')

    def calls(self, n):
        return {key: Call("mirror", (p["n"], p["d"])) for key, p in n.items()}

    def _pair(self, answers, key):
        return as_pair(answers, key, ((3, 3), (3,)), ("W", "b"))

    def _W(self, answers, key, p):
        W, _unused = self._pair(answers, key)
        n = p["n"]
        u = n / np.linalg.norm(n)
        compare(W, mirror(n, p["d"])[0], name="W", mistakes=[
            mistake("flattening", np.eye(3) - np.outer(u, u), _("this is I - u u^T, the projection onto the plane: it "
                    "flattens (det 0, exercise 9). The mirror goes twice as far: I - 2 u u^T")),
            mistake("not normalised", np.eye(3) - 2 * np.outer(n, n), _("I - 2 n n^T is a mirror only for a unit n: "
                    "divide n by its length |n| first")),
        ])

    def _b(self, answers, key, p):
        _unused, b = self._pair(answers, key)
        n, d = p["n"], p["d"]
        target = mirror(n, d)[1]
        compare(b, target, name="b", mistakes=[
            mistake("translation missing", np.zeros(3), _("b = 0 mirrors in the parallel plane through the origin; your "
                    "plane is d / |n| away from it, so b = 2 (d / |n|) n / |n|")),
            mistake("half the translation", target / 2, _("b is half what it must be: a point on the plane's normal "
                    "line goes from distance s to -s, a jump of 2 (d / |n|) along n / |n|")),
            mistake("not normalised", 2 * d * n, _("divide n by its length: the plane's distance from the origin is "
                    "d / |n|, and the direction to move along is n / |n|")),
        ])

    def _inside_out(self, answers):
        W, b = self._pair(answers, "yours")
        # with_vertices, not transformed(): that one rewinds the triangles of a mirror to keep them right side out
        volume = box().with_vertices(box().vertices @ W.T + b).signed_volume()
        if volume >= 0 or abs(volume) < 1e-9:
            what = _("flattened (det W = 0): no volume left, so no inside") if abs(volume) < 1e-9 else \
                _("still right side out: its signed volume is {volume} (det W = {det} > 0)").format(
                    volume=fmt(volume), det=fmt(np.linalg.det(W)))
            raise Wrong(_("the cube's image is {what}; a mirror has det W = -1").format(what=what))
        return _("signed volume {volume} (it was 8): inside out").format(volume=fmt(volume))

    def _house(self, n, answers):
        overlap = silhouette_iou(*self._placed(n, answers))
        if overlap < IOU_MIN:
            raise Wrong(_("your mirrored house and the right one overlap {overlap}% (IoU), less than {minimum}% "
                          "({picture} shows both)").format(overlap=round(overlap * 100), minimum=round(IOU_MIN * 100),
                                                          picture=self.picture_name))
        return f"IoU {prose_number(overlap, 2)}"

    def _placed(self, n, answers):
        """The mirrored house, by the student's (W, b) and by the right one, and the view of both."""
        W, b = self._pair(answers, "yours")
        p = n["yours"]
        house_model = self._house_model(p)
        world = camera(yaw_deg=30, pitch_deg=20, distance=10.0, target=p["d"] / np.linalg.norm(p["n"]) ** 2 * p["n"])
        return ([(house(), Affine(W, b).matrix @ house_model)],
                [(house(), Affine(*mirror(p["n"], p["d"])).matrix @ house_model)], world)

    @staticmethod
    def _house_model(p) -> np.ndarray:
        return Affine.translation(-1.6 * p["n"] / np.linalg.norm(p["n"])).matrix  # the house on one side of the plane

    def grade(self, n, answers):
        def other():
            self._W(answers, "other", n["other"])
            self._b(answers, "other", n["other"])

        return [
            check(_("W for your plane"), 1, lambda: self._W(answers, "yours", n["yours"])),
            check(_("b for your plane"), 1, lambda: self._b(answers, "yours", n["yours"])),
            check(_("the cube comes out inside out (signed volume < 0)"), 1, lambda: self._inside_out(answers)),
            check(_("another plane"), 1, other),
            check(_("the mirrored house (silhouette IoU >= {minimum})").format(minimum=prose_number(IOU_MIN)), 1, lambda: self._house(n, answers)),
        ]

    def picture(self, n, answers):
        try:
            yours, target, world = self._placed(n, answers)
        except Wrong:
            return None
        image, overlap = yours_vs_target([Part(house(), self._house_model(n["yours"]), CONTEXT)], yours, target, world,
                                         _("[given] a house  [yours] its mirror image by your (W, b)  [target] the right "
                                         "one  IoU {iou}"))
        return Picture(image, overlap)
