"""Exercise 3: homogeneous coordinates, the (n+1)x(n+1) matrix of F(x) = A x + b, and why a translation needs it."""

from __future__ import annotations

import textwrap

import numpy as np

from ... import i18n
from ...i18n import N_, _
from ..base import Exercise
from ..feedback import Wrong, check, compare, mistake
from ..runner import Call
from ._tools import grid

# The statements of the "why" question, in the order the starter file lists them (a, b, c, d); "right" is
# the true one, the others get their own hint.
STATEMENTS = {  # shown through _()
    "matrix": N_("A 3x3 matrix can translate too, if its entries are chosen well; the 4th coordinate only makes it "
                 "faster."),
    "depth": N_("The 4th coordinate holds each point's depth, so that far things can be drawn smaller."),
    "right": N_("A translation moves the origin, and a linear map (any 3x3 matrix) keeps the origin where it is; "
                "with a 1 appended to every point, x -> A x + b is linear in one dimension more: one 4x4 matrix."),
    "gpu": N_("GPUs only take 4x4 matrices, so a 4th coordinate is added to fit the hardware."),
}
LETTERS = dict(zip("abcd", STATEMENTS))
WRONG_HINTS = {  # shown through _()
    "matrix": N_("no 3x3 matrix moves the origin: A 0 = 0 for every A. A translation moves it, so it needs the extra "
                 "coordinate"),
    "gpu": N_("GPUs work with 4x4 matrices because of this, not the other way round: a translation is not linear in "
              "R^3"),
    "depth": N_("that is w in a perspective projection (exercise 7); for an affine map w stays 1. The reason is that a "
                "translation moves the origin, which no 3x3 matrix can"),
}


def _draw_map(rng, n):
    while True:
        A = grid(rng, (n, n), -2, 2, 0.5)
        if abs(np.linalg.det(A)) > 0.25 and not np.allclose(A, A.T):
            return A, grid(rng, n, -3, 3, 0.5, nonzero=True)


class Homogeneous(Exercise):
    number = 3
    slug = "homogeneous"
    title = N_("homogeneous coordinates: the matrix of F(x) = A x + b")
    lecture = N_("2. an affine map is a linear map followed by a translation, F(X) = A X + B")
    goal = N_("build the 4x4 matrix of F(x) = A x + b, and say why a translation needs the 4th coordinate")
    functions = ("homogeneous", "why_translation")
    own = ("A", "b")

    def numbers(self, rng):
        A, b = _draw_map(rng, 3)
        A2, b2 = _draw_map(rng, 2)
        return {"A": A, "b": b, "A2": A2, "b2": b2}

    def task(self, n):
        options = "\n".join(textwrap.fill(i18n._(STATEMENTS[key]), width=96, initial_indent=f"{'':4}({letter}) ",
                                           subsequent_indent=" " * 8) for letter, key in LETTERS.items())
        return textwrap.dedent(_("""
        An affine map F(x) = A x + b of R^3 becomes one 4x4 matrix once every point gets a 4th
        coordinate, 1: the matrix M with M @ [x, 1] = [A x + b, 1]. The same works in any dimension n,
        with an (n+1)x(n+1) matrix.

        1. Write homogeneous(A, b): the (n+1)x(n+1) matrix of F(x) = A x + b, for any n (A of shape
           (n, n), b of shape (n,)). Column vectors, as in the lecture: y = M x.
        2. Why does a translation need the 4th coordinate? why_translation() returns the letter of the
           true statement:

        {options}
        """)).format(options=options)

    def constants(self, n):
        return [("A", n["A"]), ("B", n["b"])]

    def skeleton(self):
        return _('''
        def homogeneous(A, b):
            """The (n+1)x(n+1) matrix M of F(x) = A x + b: M @ [x, 1] = [A x + b, 1].

            A : (n, n); b : (n,). Returns an array of shape (n+1, n+1).
            """
            raise NotImplementedError("exercise 3: homogeneous(A, b) is not written yet")


        def why_translation():
            """The letter ("a", "b", "c" or "d") of the true statement in the task."""
            raise NotImplementedError("exercise 3: why_translation() is not answered yet")


        if __name__ == "__main__":
            M = homogeneous(A, B)
            print(M)
            x = np.array([1.0, 2.0, 3.0])
            print("M @ [x, 1] =", M @ np.append(x, 1), " A x + b =", A @ x + B)
        ''')

    def calls(self, n):
        return {"yours": Call("homogeneous", (n["A"], n["b"])),
                "plane": Call("homogeneous", (n["A2"], n["b2"])),
                "why": Call("why_translation", ())}

    def _compare(self, answers, key, A, b):
        size = len(b) + 1
        target = np.eye(size)
        target[:-1, :-1], target[:-1, -1] = A, b
        M = answers.array(key, (size, size), _("the matrix"))
        row_vectors = target.T
        A_transposed = target.copy()
        A_transposed[:-1, :-1] = A.T
        linear_only = np.eye(size)
        linear_only[:-1, :-1] = A
        compare(M, target, name="M", homogeneous=True, mistakes=[
            mistake("translation in last row", row_vectors),
            mistake("transpose", A_transposed, _("A is transposed: row i of M starts with row i of A, "
                                                 "so that M @ [x, 1] = [A x + b, 1]")),
            mistake("translation missing", linear_only, _("the translation is missing: b goes in the last column, "
                                                          "above the final 1")),
        ])

    def _why(self, n, answers):
        value = answers.value("why")
        if not isinstance(value, str):
            raise Wrong(_("why_translation returned {kind}, expected a letter: 'a', 'b', 'c' or 'd'").format(
                kind=type(value).__name__))
        letter = value.strip().strip("()").lower()
        if letter not in LETTERS:
            raise Wrong(_("why_translation returned {value}, expected one of the letters 'a', 'b', 'c', 'd'").format(
                value=repr(value)))
        key = LETTERS[letter]
        if key != "right":
            raise Wrong(_("not ({letter}): {hint}").format(letter=letter, hint=i18n._(WRONG_HINTS[key])), mistake=f"why: {key}")

    def grade(self, n, answers):
        return [
            check(_("the 4x4 matrix of your F(x) = A x + b"), 2, lambda: self._compare(answers, "yours", n["A"], n["b"])),
            check(_("a map of the plane gives a 3x3 matrix"), 1, lambda: self._compare(answers, "plane", n["A2"], n["b2"])),
            check(_("why a translation needs the 4th coordinate"), 1, lambda: self._why(n, answers)),
        ]
