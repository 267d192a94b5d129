"""Exercise 9: flatten the cube. A layer with det W = 0 that maps the cube onto a given plane."""

from __future__ import annotations

import numpy as np

from ...affine import Affine
from ...geometry.mesh import Mesh
from ...i18n import N_, _
from ..base import Exercise, Picture
from ..feedback import Wrong, check, fmt, mistake
from ..pictures import CONTEXT, Part, yours_vs_target
from ..runner import Call
from ._tools import as_pair, box, corners, integer_vector, pick

PLANE_TOL = 1e-6  # how far from the plane a corner may land (times the size of the numbers involved)


def _draw_plane(rng):
    return {"n": integer_vector(rng, min_nonzero=2), "d": pick(rng, -2, 2, 0.5, nonzero=True)}


def projection_onto(n, d):
    """The orthogonal projection onto n . y = d: one right answer (W = I - u u^T, b = d u / |n| with u = n / |n|)."""
    u = n / np.linalg.norm(n)
    return np.eye(3) - np.outer(u, u), d / np.linalg.norm(n) * u


class Flatten(Exercise):
    number = 9
    slug = "flatten"
    title = N_("flatten the cube: a layer with det W = 0")
    lecture = N_("2./3. an affine layer moves space; when det W = 0 it flattens a solid onto a plane")
    goal = N_("find W, b with det W = 0 that map the cube [-1, 1]^3 onto a given plane")
    functions = ("flatten",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_plane(rng), "other": _draw_plane(rng)}

    def task(self, n):
        p = n["yours"]
        return _("""
        A layer x -> W x + b of a 3 -> 3 network moves every point of space; the cube [-1, 1]^3 becomes
        a parallelepiped of volume |det W| * 8. When det W = 0 the volume is 0: the cube is flattened.

        Your plane is the set of points y with n . y = d, for n = {n} and d = {d:g}.
        Write flatten(n, d) -> (W, b), a 3x3 W and a b of 3, such that

            - det W = 0,
            - every point of the cube (every x) lands on the plane: n . (W x + b) = d,
            - the image is the whole plane, not a line or a point (rank W = 2).

        Many (W, b) do it; the orthogonal projection onto the plane is one. For any n (not 0) and d.
        """).format(n=p["n"].tolist(), d=p["d"])

    def constants(self, n):
        return [("N", n["yours"]["n"]), ("D", n["yours"]["d"])]

    def skeleton(self):
        return _('''
        def flatten(n, d):
            """(W, b): a 3x3 W with det W = 0 and a b of 3 that map every point onto the plane n . y = d."""
            raise NotImplementedError("exercise 9: flatten(n, d) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            W, b = flatten(N, D)
            print("W =", W, "b =", b, "det W =", np.linalg.det(W), sep="\\n")
            cube = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], dtype=float)
            print("n . y - d for the corners:", (cube @ W.T + b) @ N - D)
        ''')

    def calls(self, n):
        return {key: Call("flatten", (p["n"], p["d"])) for key, p in n.items()}

    def _pair(self, answers, key):
        return as_pair(answers, key, ((3, 3), (3,)), ("W", "b"))

    def _named(self, W, b, p):
        """The mistakes this answer matches, as Wrong (or nothing)."""
        n, d = p["n"], p["d"]
        W_right, b_right = projection_onto(n, d)
        candidates = [
            mistake("not normalised", (np.eye(3) - np.outer(n, n), d * n), _("I - n n^T is a projection only for a "
                    "unit n: divide n by its length |n| first (and d too: the plane is (n/|n|) . y = d/|n|)")),
            mistake("translation missing", (W_right, np.zeros(3)), _("the translation is missing: I - u u^T flattens "
                    "onto the parallel plane through the origin; b = (d / |n|) u moves it onto n . y = d")),
            mistake("reflection", (np.eye(3) - 2 * np.outer(n, n) / (n @ n), 2 * d * n / (n @ n)), _("that is the mirror "
                    "in the plane (det -1, exercise 14): it turns the cube inside out instead of flattening it")),
        ]
        for m in candidates:
            if np.allclose(W, m.answer[0], rtol=1e-2, atol=1e-8) and np.allclose(b, m.answer[1], rtol=1e-2, atol=1e-8):
                raise Wrong(m.hint, mistake=m.key)

    def _det(self, answers, key, p):
        W, b = self._pair(answers, key)
        det = float(np.linalg.det(W))
        if abs(det) > PLANE_TOL * max(1.0, np.linalg.norm(W) ** 3):
            self._named(W, b, p)
            raise Wrong(_("det W = {det}: W keeps some volume (the cube becomes a solid of volume {volume}); "
                          "a flattening has det 0").format(det=fmt(det), volume=fmt(abs(det) * 8)))

    def _on_plane(self, answers, key, p):
        W, b = self._pair(answers, key)
        n, d = p["n"], p["d"]
        images = corners() @ W.T + b
        distance = np.abs(images @ n - d) / np.linalg.norm(n)
        scale = 1.0 + np.abs(images).max() + abs(d)
        if distance.max() > PLANE_TOL * scale:
            self._named(W, b, p)
            worst = int(np.argmax(distance))
            raise Wrong(_("corner {corner} lands {distance} away from the plane (at {at}); {count} of 8 corners miss "
                          "it").format(corner=corners()[worst].astype(int).tolist(), distance=fmt(distance[worst]),
                                       at=images[worst].round(3).tolist(),
                                       count=np.count_nonzero(distance > PLANE_TOL * scale)))

    def _rank(self, answers, key):
        W, _unused = self._pair(answers, key)
        s = np.linalg.svd(W, compute_uv=False)
        rank = int(np.count_nonzero(s > 1e-9 * max(1.0, s[0])))
        if rank != 2:
            what = {0: _("every point lands on one point"), 1: _("the cube is squashed onto a line"),
                    3: _("W is not flat at all (det W is not 0)")}[rank]
            raise Wrong(_("rank W = {rank}: {what}; onto a plane needs rank 2").format(rank=rank, what=what))

    def grade(self, n, answers):
        def other():
            self._det(answers, "other", n["other"])
            self._on_plane(answers, "other", n["other"])
            self._rank(answers, "other")

        return [
            check(_("det W = 0"), 1, lambda: self._det(answers, "yours", n["yours"])),
            check(_("all 8 corners of the cube land on your plane"), 2, lambda: self._on_plane(answers, "yours", n["yours"])),
            check(_("the image is the whole plane (rank W = 2)"), 1, lambda: self._rank(answers, "yours")),
            check(_("another plane"), 1, other),
        ]

    def picture(self, n, answers):
        try:
            W, b = self._pair(answers, "yours")
        except Wrong:
            return None
        p = n["yours"]
        u = p["n"] / np.linalg.norm(p["n"])
        center = p["d"] / np.linalg.norm(p["n"]) * u
        # look at the plane from its +n side, a little from the side, so the flat shape shows its area
        side = np.cross(u, [0.0, 1.0, 0.0] if abs(u[1]) < 0.9 else [1.0, 0.0, 0.0])
        side /= np.linalg.norm(side)
        eye = center + 7 * (0.85 * u + 0.5 * side) / np.linalg.norm(0.85 * u + 0.5 * side)
        world = Affine.look_at(eye, center, up=np.cross(side, u) if abs(u[1]) > 0.9 else [0.0, 1.0, 0.0])
        plane = _plane_quad(u, center - 0.02 * u, 3.5)
        W_right, b_right = projection_onto(p["n"], p["d"])
        image, _unused = yours_vs_target([Part(plane, np.eye(4), CONTEXT)], [(box(), Affine(W, b).matrix)],
                                   [(box(), Affine(W_right, b_right).matrix)], world,
                                   _("[yours] your flattened cube  [given] the plane\n[target] one right answer: the "
                                   "orthogonal projection"))
        return Picture(image)


def _plane_quad(u, center, half) -> Mesh:
    """A square of the plane through ``center`` with normal ``u``, ``2 half`` wide, both sides drawn."""
    a = np.cross(u, [1.0, 0.0, 0.0] if abs(u[0]) < 0.9 else [0.0, 1.0, 0.0])
    a /= np.linalg.norm(a)
    c = np.cross(u, a)
    vertices = [center + half * (sa * a + sc * c) for sa, sc in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return Mesh(np.array(vertices), [[0, 1, 2], [0, 2, 3]], None, name="plane")
