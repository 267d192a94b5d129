"""Exercise 6: the normal matrix. Light a sheared, stretched cube correctly: normals go through (A^-1)^T."""

from __future__ import annotations

import math

import numpy as np

from ...affine import Affine
from ...i18n import N_, _
from ..base import Exercise, Picture
from ..feedback import Wrong, check, close, compare, fmt, mistake
from ..pictures import TARGET, YOURS, Part, camera, draw, outline, side_by_side
from ..runner import Call
from ._tools import box, pick

SHEARS = ("xy", "xz", "yx", "yz", "zx", "zy")
LIT_WRONG_MAX = 0.01  # the share of the cube's pixels that may be lit differently
PICTURE_SIZE = (480, 360)


def _draw_model(rng):
    factor = pick(rng, -1.5, 1.5, 0.25, avoid=(0.0, -0.25, 0.25))
    which = str(rng.choice(SHEARS))
    scale = rng.permutation([0.5, 1.0, 2.0]) * rng.choice([1.0, 1.5])
    t = np.array([pick(rng, -1, 1, 0.5), pick(rng, -1, 1, 0.5), pick(rng, -1, 1, 0.5)])
    M = (Affine.translation(t) @ Affine.shear(**{which: factor}) @ Affine.scaling(scale)).matrix
    return {"M": np.round(M, 10), "shear": which, "factor": factor, "scale": scale, "t": t}


def target_of(M) -> np.ndarray:
    return np.linalg.inv(M[:3, :3]).T


def _lit(M, N) -> tuple[np.ndarray, np.ndarray]:
    """The cube moved by M, lit by the normals N makes: the image and the cube's silhouette."""
    corners = box().vertices @ M[:3, :3].T + M[:3, 3]
    center = corners.mean(axis=0)
    radius = float(np.linalg.norm(corners - center, axis=1).max())
    world = camera(yaw_deg=40, pitch_deg=30, distance=1.1 * radius / math.sin(math.radians(20)), target=center)
    image, (mask,) = draw([Part(box(), M, YOURS, normal_matrix=N)], world, PICTURE_SIZE)
    return image, mask


def _lit_differently(M, N) -> tuple[np.ndarray, float]:
    """Where the cube's colour differs by more than 8/255 from the target's, and the share of its pixels that do."""
    (yours, _unused), (target, covered) = _lit(M, N), _lit(M, target_of(M))
    off = np.any(np.abs(yours.astype(int) - target.astype(int)) > 8, axis=2) & covered
    return off, np.count_nonzero(off) / max(1, np.count_nonzero(covered))


class NormalMatrix(Exercise):
    number = 6
    slug = "normal-matrix"
    title = N_("the normal matrix: light a sheared cube correctly")
    lecture = N_("3. polyhedra moved by affine maps, and lit: normals need the inverse transpose")
    goal = N_("return the matrix that maps a surface's normals when the surface is moved by M")
    functions = ("normal_matrix",)
    geometric = True

    def numbers(self, rng):
        return {"yours": _draw_model(rng), "other": _draw_model(rng)}

    def task(self, n):
        p = n["yours"]
        return _("""
        A renderer lights each face by its normal n (a direction perpendicular to the face): the
        brightness is max(n . l, 0) for the direction l toward the light. When the model matrix M
        moves a solid, its faces move with A = M[:3, :3]; but A n is, in general, no longer
        perpendicular to the moved face. Your M (below) scales the cube by {scale}
        and shears it ({shear} = {factor:g}), so under it A n would tilt the normals and the cube
        would be lit wrongly.

        Write normal_matrix(M): the 3x3 matrix N such that N n is perpendicular to the moved face
        for every face normal n. (Hint: a direction u in the face moves to A u; what must N satisfy
        so that (N n) . (A u) = n . u for all u?)
        """).format(scale=p["scale"].tolist(), shear=p["shear"], factor=p["factor"])

    def constants(self, n):
        return [("M", n["yours"]["M"])]

    def skeleton(self):
        return _('''
        def normal_matrix(M):
            """The 3x3 matrix that maps surface normals when surfaces are moved by the 4x4 model matrix M."""
            raise NotImplementedError("exercise 6: normal_matrix(M) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            N = normal_matrix(M)
            print(N)
            A = M[:3, :3]
            n, u = np.array([0.0, 0.0, 1.0]), np.array([1.0, 0.0, 0.0])    # the top face's normal, a direction in it
            print("(N n) . (A u) =", (N @ n) @ (A @ u), "(0 when N n stays perpendicular)")
        ''')

    def calls(self, n):
        return {key: Call("normal_matrix", (p["M"],)) for key, p in n.items()}

    def _normals(self, answers, key, M):
        shape_hints = {(4, 4): ("4x4", _("normals are directions: a translation does not move them. Return the 3x3 "
                                       "normal matrix of the linear part A = M[:3, :3]"))}
        N = answers.array(key, (3, 3), _("the normal matrix"), shape_hints)
        A = M[:3, :3]
        target = target_of(M)
        scale = float(np.sum(N * target) / np.sum(target * target))  # normals are normalised: c N is as good, c > 0
        if scale > 0 and np.all(close(N, scale * target)):
            return None if abs(scale - 1) <= 1e-2 else _("a positive multiple of (A^-1)^T (x{scale}): fine, normals are "
                                                          "normalised before lighting").format(scale=fmt(scale))
        if scale < 0 and np.all(close(N, scale * target)):
            raise Wrong(_("a negative multiple of (A^-1)^T: your normals point into the solid, so its outside is lit "
                        "from behind"), mistake="inward normals")
        compare(N, target, name="N", mistakes=[
            mistake("A n", A),
            mistake("inverse not transposed", np.linalg.inv(A), _("this is A^-1 without the transpose: the normals "
                    "come out tilted. (N n) . (A u) = n . u for every u needs N^T A = I, so N = (A^-1)^T")),
            mistake("transpose", A.T, _("this is A^T, the transpose without the inverse: right for a rotation "
                                      "(there A^T = A^-1), wrong under a shear or a non-uniform scale")),
        ])
        return None

    def _lighting(self, n, answers):
        M = n["yours"]["M"]
        N = answers.array("yours", (3, 3), _("the normal matrix"))
        share = _lit_differently(M, N)[1]
        if share > LIT_WRONG_MAX:
            raise Wrong(_("{percent}% of the cube's pixels are lit differently from the target (more than 8/255 off; "
                          "{picture} shows both)").format(percent=round(share * 100), picture=self.picture_name))
        return None

    def grade(self, n, answers):
        return [
            check(_("the normal matrix of your M"), 2, lambda: self._normals(answers, "yours", n["yours"]["M"])),
            check(_("another model matrix"), 1, lambda: self._normals(answers, "other", n["other"]["M"])),
            check(_("the sheared cube is lit like the target (99% of pixels)"), 1, lambda: self._lighting(n, answers)),
        ]

    def picture(self, n, answers):
        try:
            N = answers.array("yours", (3, 3), _("the normal matrix"))
        except Wrong:
            return None
        M = n["yours"]["M"]
        off, share = _lit_differently(M, N)
        yours = _lit(M, N)[0].copy()
        yours[outline(off)] = np.round(np.asarray(TARGET) * 255).astype(np.uint8)
        return Picture(side_by_side(yours, _lit(M, target_of(M))[0],
                                    (_("lit by your N; [target] around the {percent}% of pixels lit differently").format(
                                        percent=round(share * 100)),
                                     _("lit by (A^-1)^T: the target"))))
