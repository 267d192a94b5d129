"""Exercise 10: find the bug. An upload of a 4x4 matrix to a GLSL mat4 that sends the GPU the transpose."""

from __future__ import annotations

import math

import numpy as np

from ...affine import Affine
from ...i18n import N_, _
from ..base import Exercise, Picture
from ..feedback import Wrong, check, compare, mistake
from ..pictures import CONTEXT, Part, camera, yours_vs_target
from ..runner import Call
from ._tools import grid, house, pick



def gpu_reads(data: bytes) -> np.ndarray:
    """The 4x4 matrix a GLSL ``mat4`` uniform holds after these 64 bytes: 16 float32, column by column."""
    columns = np.frombuffer(data, dtype="<f4").astype(np.float64).reshape(4, 4)  # row k here: the mat4's column k
    return columns.T  # reading what the GPU holds, not writing bytes: pack.py stays the only door out


def _draw_model(rng):
    turn = Affine.rotation_y(math.radians(pick(rng, 20, 70, 5))) @ Affine.rotation_x(math.radians(pick(rng, -20, 20, 10)))
    t = np.array([pick(rng, -1, 1, 0.5, nonzero=True), pick(rng, -0.5, 0.5, 0.5), pick(rng, -1, 1, 0.5, nonzero=True)])
    return np.round((Affine.translation(t) @ turn).matrix, 6)


class ToGLBug(Exercise):
    number = 10
    slug = "to-gl-bug"
    title = N_("find the bug: the upload that sends the transpose")
    lecture = N_("3. GPUs do the matrix computations of 3D graphics; every matrix crosses to them as bytes")
    goal = N_("fix a to_gl() whose bytes make the GPU see the transposed matrix (the picture shows it)")
    functions = ("to_gl",)
    own = ("M",)
    geometric = True

    def numbers(self, rng):
        other = np.eye(4)
        other[:3] = grid(rng, (3, 4), -2, 2, 0.5, nonzero=True)
        return {"M": _draw_model(rng), "other": other}

    def task(self, n):
        return _("""
        A GLSL vertex shader computes gl_Position = projection * world * model * vec4(in_position, 1.0),
        with the same column-vector maths as numpy: model @ [x, y, z, 1]. Python hands each matrix to
        the GPU as bytes: program["model"].write(data), 16 float32 numbers (64 bytes). A colleague wrote
        to_gl_buggy (below) to make those bytes, and now the house in the window is not the house
        turned and moved by M but a stretched, strangely shrunk thing.

        The GPU reads the 16 numbers of a mat4 column by column (column-major order: the first 4
        numbers are the first column). Find the bug in to_gl_buggy, say in a comment what it was, and
        write to_gl(M): the 64 bytes that make the GPU hold exactly M. (You can test it: the GPU holds
        np.frombuffer(data, np.float32).reshape(4, 4).T, since each group of 4 is a column.)
        """)

    def preamble(self):
        # one catalogue entry: its docstring translated, its code as it is
        return _('''import numpy as np


def to_gl_buggy(M):
    """A colleague's upload of a 4x4 matrix for a GLSL mat4 uniform: program["model"].write(to_gl_buggy(M))."""
    return np.asarray(M, dtype=np.float32).tobytes()
''')

    def constants(self, n):
        return [("M", n["M"])]

    def skeleton(self):
        return _('''
        def to_gl(M):
            """The 64 bytes that make a GLSL mat4 uniform hold exactly the 4x4 matrix M."""
            # The bug in to_gl_buggy was: ...
            raise NotImplementedError("exercise 10: to_gl(M) is not written yet")


        if __name__ == "__main__":
            np.set_printoptions(precision=4, suppress=True)
            for upload in (to_gl_buggy, to_gl):
                print(upload.__name__, "-> the GPU holds:")
                print(np.frombuffer(upload(M), np.float32).reshape(4, 4).T)  # each group of 4 numbers is a column
        ''')

    def calls(self, n):
        return {"yours": Call("to_gl", (n["M"],)), "other": Call("to_gl", (n["other"],))}

    def _bytes(self, answers, key) -> bytes:
        value = answers.value(key)
        if not isinstance(value, bytes):
            kind = _("an array") if isinstance(value, list) else type(value).__name__
            raise Wrong(_("to_gl returned {kind}, not bytes: a uniform's write() takes bytes (ndarray.tobytes)").format(
                kind=kind))
        if len(value) == 128:
            raise Wrong(_("128 bytes: those are float64 numbers (8 bytes each); a GLSL mat4 holds float32, 4 bytes "
                        "each: convert with dtype=np.float32"), mistake="float64")
        if len(value) != 64:
            raise Wrong(_("{count} bytes; a GLSL mat4 is 16 float32 numbers, 64 bytes").format(count=len(value)))
        held = gpu_reads(value)
        if not np.all(np.isfinite(held)):
            raise Wrong(_("the GPU would read NaN or inf from these bytes: they are not 16 float32 numbers"))
        return value

    def _held(self, answers, key, M):
        held = gpu_reads(self._bytes(answers, key))
        compare(held, M, name=_("the GPU's mat4"), homogeneous=True, mistakes=[
            mistake("transpose", M.T, _("the GPU reads the bytes column by column, so it holds the transpose of M: "
                                        "the translation lands in the bottom row, where it divides the picture like a "
                                        "perspective ({picture} shows it). numpy's tobytes() writes row by row unless "
                                        "asked for column (Fortran) order").format(picture=self.picture_name)),
        ])

    def grade(self, n, answers):
        return [
            check(_("64 bytes: 16 float32 numbers"), 1, lambda: self._bytes(answers, "yours") and None),
            check(_("the GPU holds your M"), 2, lambda: self._held(answers, "yours", n["M"])),
            check(_("the GPU holds another matrix"), 1, lambda: self._held(answers, "other", n["other"])),
        ]

    def picture(self, n, answers):
        try:
            held = gpu_reads(self._bytes(answers, "yours"))
        except Wrong:
            return None
        world = camera(yaw_deg=0, pitch_deg=15, distance=7.0)
        image, overlap = yours_vs_target([Part(_floor(), np.eye(4), CONTEXT)], [(house(), held)], [(house(), n["M"])],
                                         world, _("the house as the GPU draws it with [yours] your bytes  [target] M "
                                                "itself  IoU {iou}"))
        return Picture(image, overlap)


def _floor():
    from ...geometry.mesh import Mesh

    y, s = -1.6, 3.0
    return Mesh(np.array([[-s, y, -s], [s, y, -s], [s, y, s], [-s, y, s]]), [[0, 2, 1], [0, 3, 2]], None, name="floor")
