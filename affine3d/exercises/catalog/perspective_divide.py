"""Exercise 7: the perspective divide. A point in camera space -> clip space -> divide by w -> pixels."""

from __future__ import annotations

import math

import numpy as np

from ...affine import Affine
from ...projection import perspective
from ... import i18n
from ...i18n import N_, _, prose_number
from ..base import Exercise, Picture
from ..feedback import Wrong, check, compare, fmt, mistake
from ..pictures import CONTEXT, TARGET, YOURS, Part, _legend, draw
from ..runner import Call
from ._tools import box, pick

PIXEL_TOL = 0.5  # pixels, in x and in y
SIZES = ((640, 480), (800, 600), (400, 300))


def to_pixels(P, p, width, height, *, divide=True, flip=True, by_z=False, transpose=False, ndc_only=False):
    """The right answer, and what each common mistake gives instead (the flags)."""
    clip = (P.T if transpose else P) @ np.append(p, 1.0)
    if by_z:
        ndc = clip[:2] / p[2]
    else:
        ndc = clip[:2] / clip[3] if divide else clip[:2]
    if ndc_only:
        return ndc
    x = (ndc[0] + 1) / 2 * width
    y = (1 - ndc[1]) / 2 * height if flip else (ndc[1] + 1) / 2 * height
    return np.array([x, y])


MISTAKES = (
    ("no divide by w", {"divide": False}, None),
    ("y not flipped", {"flip": False}, N_("y is upside down: in NDC +y points up, but image rows count down from the "
                                          "top: y_px = (1 - y_ndc) / 2 * height")),
    ("divided by z", {"by_z": True}, N_("you divided by z, not by w: w = -z for this camera (P's last row is "
                                        "[0, 0, -1, 0]), so the picture comes out mirrored through its centre")),
    ("transpose", {"transpose": True}, N_("you multiplied by the transpose of P (a row vector times P, as in p @ P). "
                                          "With column vectors, clip = P @ [x, y, z, 1]")),
    ("NDC not mapped", {"ndc_only": True}, N_("these are normalised device coordinates (-1..1), not pixels: "
                                              "x_px = (x_ndc + 1) / 2 * width, y_px = (1 - y_ndc) / 2 * height")),
)  # the hints are shown through _()


def _draw_numbers(rng):
    fov = pick(rng, 40, 70, 5)
    width, height = SIZES[int(rng.integers(len(SIZES)))]
    P = np.round(perspective(math.radians(fov), width / height, 0.1, 100.0), 6)
    while True:
        p = np.array([pick(rng, -2, 2, 0.1), pick(rng, -1.5, 1.5, 0.1), pick(rng, -8, -2, 0.5)])
        clip = P @ np.append(p, 1)
        if np.all(np.abs(clip[:2] / clip[3]) < 0.85) and abs(clip[0] / clip[3]) > 0.1 and abs(clip[1] / clip[3]) > 0.1:
            break
    center = np.array([pick(rng, -1, 1, 0.25), pick(rng, -0.75, 0.75, 0.25), pick(rng, -7, -5, 0.5)])
    turn = Affine.rotation_x(math.radians(pick(rng, 15, 40, 5))) @ Affine.rotation_y(math.radians(pick(rng, 20, 70, 5)))
    cube_model = Affine.translation(center) @ turn @ Affine.scaling(0.8)
    corners = np.round(cube_model(box().vertices), 4)
    return {"fov_deg": fov, "width": width, "height": height, "P": P, "p": p, "corners": corners}


class PerspectiveDivide(Exercise):
    number = 7
    slug = "perspective-divide"
    title = N_("the perspective divide: a point to pixel coordinates")
    lecture = N_("3. draw polyhedra taking perspective into account: far things shrink")
    goal = N_("project a camera-space point with P, divide by w, and map it to pixel coordinates")
    functions = ("to_pixels",)
    own = ("fov_deg", "width", "height", "P", "p")
    geometric = True

    def numbers(self, rng):
        return _draw_numbers(rng)

    def task(self, n):
        return _("""
        A camera-space point p = (x, y, z) (the camera at the origin, looking down -z) reaches the
        screen in three steps:

            clip = P @ [x, y, z, 1]                      the projection (P below: a {fov:g}° field of view)
            ndc  = clip[:3] / clip[3]                    the perspective divide by w: far things shrink
            pixel: x_ndc, y_ndc in [-1, 1] -> x_px in [0, width], y_px in [0, height]

        Pixel coordinates count from the image's top-left corner (x to the right, y *down*, as image
        rows do), while y_ndc points up. The image is {width} x {height} pixels.

        Write to_pixels(P, p, width, height) -> [x_px, y_px] (an array of 2 numbers), for any P, p and size.
        """).format(fov=n["fov_deg"], width=n["width"], height=n["height"])

    def constants(self, n):
        return [("P", n["P"]), ("POINT", n["p"]), ("WIDTH", n["width"]), ("HEIGHT", n["height"])]

    def skeleton(self):
        return _('''
        def to_pixels(P, p, width, height):
            """Pixel coordinates [x_px, y_px] of the camera-space point p (shape (3,)) through the projection P (4, 4)."""
            raise NotImplementedError("exercise 7: to_pixels(P, p, width, height) is not written yet")


        if __name__ == "__main__":
            print(to_pixels(P, POINT, WIDTH, HEIGHT))
        ''')

    def calls(self, n):
        calls = {"yours": Call("to_pixels", (n["P"], n["p"], n["width"], n["height"]))}
        for k, corner in enumerate(n["corners"]):
            calls[f"corner{k}"] = Call("to_pixels", (n["P"], corner, n["width"], n["height"]))
        return calls

    def _points(self, n, answers, points, keys):
        yours = np.array([answers.array(key, (2,), "[x_px, y_px]") for key in keys])
        size = (n["P"], n["width"], n["height"])

        def project(**flags):
            return np.array([to_pixels(size[0], p, size[1], size[2], **flags) for p in points])

        target = project()
        mistakes = [mistake(key, project(**flags), hint and i18n._(hint)) for key, flags, hint in MISTAKES]
        try:
            compare(yours, target, name="pixels", mistakes=mistakes, rtol=0.0, atol=PIXEL_TOL)
        except Wrong as wrong:
            if wrong.mistake:
                raise
            error = np.abs(yours - target).max(axis=1)
            worst = int(np.argmax(error))
            raise Wrong(_("{count} of {total} off by more than {tolerance} px; the worst, {worst}, by {error} px").format(
                count=np.count_nonzero(error > PIXEL_TOL), total=len(points), tolerance=prose_number(PIXEL_TOL),
                worst=yours[worst].round(1).tolist(), error=fmt(error[worst]))) from None

    def grade(self, n, answers):
        keys = [f"corner{k}" for k in range(len(n["corners"]))]
        return [
            check(_("your point in pixels (within {tolerance} px)").format(tolerance=prose_number(PIXEL_TOL)), 2, lambda: self._points(n, answers, [n["p"]], ["yours"])),
            check(_("the 8 corners of a cube"), 2, lambda: self._points(n, answers, n["corners"], keys)),
        ]

    def picture(self, n, answers):
        keys = [f"corner{k}" for k in range(len(n["corners"]))]
        try:
            yours = np.array([answers.array(key, (2,), "[x_px, y_px]") for key in keys])
        except Wrong:
            return None
        size = (n["width"], n["height"])
        mesh = box().with_vertices(n["corners"])
        image, _unused = draw([Part(mesh, np.eye(4), CONTEXT)], Affine.identity(3), size, projection=n["P"])
        target = np.array([to_pixels(n["P"], p, *size) for p in n["corners"]])
        return Picture(_markers(image, yours, target))


def _markers(image: np.ndarray, yours: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Rings at the target's pixels, crosses at the student's (those outside the image are left out)."""
    from PIL import Image, ImageDraw

    picture = Image.fromarray(image, "RGB")
    pen = ImageDraw.Draw(picture)
    r = max(4, image.shape[0] // 60)
    blue, orange = (tuple(int(c * 255) for c in color) for color in (TARGET, YOURS))
    for x, y in target:
        pen.ellipse([x - r, y - r, x + r, y + r], outline=blue, width=2)
    height, width = image.shape[:2]
    outside = []
    for x, y in yours:
        if 0 <= x <= width and 0 <= y <= height:
            pen.line([x - r, y - r, x + r, y + r], fill=orange, width=2)
            pen.line([x - r, y + r, x + r, y - r], fill=orange, width=2)
        else:
            outside.append(f"({x:.0f}, {y:.0f})")
    legend = _("corners: [yours] yours (crosses)  [target] the target (rings)")
    if outside:
        shown = ", ".join(outside[:3]) + (" ..." if len(outside) > 3 else "")
        legend += "\n" + _("{count} of yours outside the picture: {shown}").format(count=len(outside), shown=shown)
    return _legend(np.asarray(picture), legend)
