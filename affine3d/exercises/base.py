"""What an exercise is: its numbers (seeded per student), the starter file, the calls, the checks, a picture.

Each exercise in :mod:`affine3d.exercises.catalog` subclasses :class:`Exercise` and fills in

- :meth:`~Exercise.numbers`: the student's own numbers, drawn from a generator seeded by the
  exercise number and the student's id (:func:`student_rng`), so a teacher gets them again, and the
  other cases the checker tries; :attr:`~Exercise.own` names the student's own entries (those in the
  starter file). When checking, the others are drawn again from a teacher's secret and a nonce
  (:func:`other_rng`), so a student cannot know them in advance;
- :meth:`~Exercise.task`, :meth:`~Exercise.constants`, :meth:`~Exercise.skeleton`: the starter file's
  docstring, its numbers as Python constants, and the functions to fill in;
- :meth:`~Exercise.calls`: which functions the checker calls, on which arguments (the student's
  numbers, and other cases, so an answer typed in as numbers does not pass);
- :meth:`~Exercise.grade`: the checks, from the answers (:mod:`affine3d.exercises.feedback`);
- :meth:`~Exercise.picture`, for a geometric exercise: the student's result over the target.

The reference solutions are not here; they live in the tests (``tests/exercise_solutions/``).
"""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass

import numpy as np

from ..errors import UsageError
from .. import i18n
from ..i18n import N_, _
from .feedback import Answers, CheckResult
from .runner import Call

__all__ = ["Exercise", "Picture", "student_rng", "other_rng", "secret_id", "check_student_id", "literal",
           "DEFAULT_STUDENT"]

DEFAULT_STUDENT = "example"
"""The id used when ``start`` is given no ``--student``: everyone who omits it gets the same numbers."""

_STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")


def check_student_id(student: str) -> str:
    """``student`` if it is a usable id (letters, digits and ``. _ @ + -``, as in e-mail addresses), else UsageError.

    The id is written into the starter file as a Python string, so nothing else is allowed in it.
    """
    if not isinstance(student, str) or not _STUDENT_ID.fullmatch(student):
        raise UsageError(_("--student: expected an id of letters, digits and . _ @ + - (at most 128, like a login or an "
                           "e-mail address), got {student}").format(student=repr(student)))
    return student


def student_rng(number: int, student: str) -> np.random.Generator:
    """The generator of one student's numbers for exercise ``number``; ids are compared without case.

    Examples
    --------
    >>> float(student_rng(4, "Alice").random()) == float(student_rng(4, "alice").random())
    True
    >>> float(student_rng(4, "alice").random()) == float(student_rng(4, "bob").random())
    False
    """
    digest = hashlib.sha256(f"affine3d exercise {int(number)} {student.strip().lower()}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def other_rng(number: int, student: str, secret: str, nonce: str) -> np.random.Generator:
    """The generator of the *other* numbers of one check: from the teacher's secret, a nonce and the id.

    The student's own numbers come from :func:`student_rng` (the starter file shows them); the cases the
    checker adds come from here, so a file cannot answer them from a table made in an earlier run. The
    same secret and nonce give the same numbers: a recorded check can be replayed.

    >>> a = other_rng(4, "alice", "s3cret", "00ff")
    >>> float(a.random()) == float(other_rng(4, "alice", "s3cret", "00ff").random())
    True
    >>> float(other_rng(4, "alice", "s3cret", "00fe").random()) == float(other_rng(4, "alice", "s3cret", "00ff").random())
    False
    """
    key = hashlib.sha256(f"affine3d other numbers {int(number)} {student.strip().lower()} {nonce}".encode()).digest()
    digest = hashlib.sha256(key + secret.encode("utf-8")).digest()
    return np.random.default_rng(int.from_bytes(digest[:16], "little"))


def secret_id(secret: str) -> str:
    """A short fingerprint of a secret, recorded with a check (which secret replays it), not the secret itself."""
    if not secret:
        return ""
    return hashlib.sha256(b"affine3d secret id " + secret.encode("utf-8")).hexdigest()[:12]


@dataclass
class Picture:
    """A figure of the student's result over the target: RGB image, and the silhouette overlap when it means something."""

    image: np.ndarray  # (H, W, 3) uint8
    iou: float | None = None


class Exercise:
    """One exercise. Subclasses set the class attributes and override the methods that raise here."""

    number: int = 0
    slug: str = ""
    # title, lecture and goal are marked N_() in each exercise and shown through _() (the reader's language)
    title: str = ""
    lecture: str = ""  # which point of the lecture it practises (docs: the README's table)
    goal: str = ""  # one line for `affine3d exercise list`
    functions: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ("affine3d",)  # what the student's file may not import while it is checked
    blocked_reason: str = N_("affine3d's own classes would do the exercise for you")  # N_: shown through _()
    allowed: tuple[str, ...] = ("numpy",)  # what the student's file may import besides the standard library
    requires: tuple[str, ...] = ()  # modules the *checker* needs (onnxruntime for the ONNX exercise)
    geometric: bool = False  # draws exercise_N-yours-vs-target.png
    own: tuple[str, ...] = ("yours",)  # the entries of numbers() the starter file shows; the rest are "other" cases

    # ------------------------------------------------------------------ to fill in
    def numbers(self, rng: np.random.Generator) -> dict:
        """The student's numbers: a dict of plain values and arrays."""
        raise NotImplementedError

    def task(self, numbers: dict) -> str:
        """The task, for the starter file's docstring (plain text, may use the numbers)."""
        raise NotImplementedError

    def constants(self, numbers: dict) -> list[tuple[str, object]]:
        """The student's numbers as ``(NAME, value)`` constants at the top of the starter file."""
        return []

    def skeleton(self) -> str:
        """The functions to fill in (each ``raise NotImplementedError``) and the ``__main__`` block."""
        raise NotImplementedError

    def preamble(self) -> str:
        """Imports and helpers given to the student, after the docstring."""
        return "import numpy as np\n"

    def data_files(self, numbers: dict) -> dict[str, bytes]:
        """Files the exercise hands out with the starter (a model file), made from the numbers."""
        return {}

    def check_files(self, numbers: dict) -> dict[str, bytes]:
        """More files the checker gives the student's code (not handed out: another model to read)."""
        return {}

    def calls(self, numbers: dict) -> dict[str, Call]:
        """``key -> Call``: what the checker calls; :class:`~affine3d.exercises.runner.DataFile` for data files."""
        raise NotImplementedError

    def grade(self, numbers: dict, answers: Answers) -> list[CheckResult]:
        """The checks, in the order they are printed."""
        raise NotImplementedError

    def picture(self, numbers: dict, answers: Answers) -> Picture | None:
        """The student's result over the target (geometric exercises), or None when the answers do not allow one."""
        return None

    # ------------------------------------------------------------------ shared
    def numbers_for(self, student: str, secret: str | None = None, nonce: str | None = None) -> dict:
        """The numbers of ``student``: their own always the same; the others from ``secret`` and ``nonce`` if given.

        Without a nonce (``start``, the handouts, the tests) every entry comes from the id alone.
        """
        numbers = self.numbers(student_rng(self.number, student))
        if nonce is None:
            return numbers
        others = self.numbers(other_rng(self.number, student, secret or "", nonce))
        return {key: value if key in self.own else others[key] for key, value in numbers.items()}

    @property
    def picture_name(self) -> str:
        """``exercise_N-yours-vs-target.png``: each exercise its own picture, next to the file."""
        return f"exercise_{self.number}-yours-vs-target.png"

    @property
    def file_name(self) -> str:
        return f"exercise_{self.number}.py"

    @property
    def lecture_point(self) -> str:
        """``"lecture point 3: polyhedra are moved by ..."`` (from :attr:`lecture`, ``"3. polyhedra are ..."``)."""
        point, _dot, text = i18n._(self.lecture).partition(". ")
        return _("lecture point {point}: {text}").format(point=point, text=text)

    def starter(self, student: str) -> str:
        """The text of ``exercise_N.py`` for ``student``."""
        numbers = self.numbers_for(student)
        task = textwrap.dedent(self.task(numbers)).strip("\n")
        several = len(self.functions) > 1
        names = _and(f"`{name}`" for name in self.functions)
        if several:
            todo = _("What to do: fill in {names} below, in place of `raise NotImplementedError`. Try them on your "
                     "numbers with `python {file}`; check your work with")
            closing = _("The checker calls your functions with your numbers and with others, so write them for any "
                        "input.")
        else:
            todo = _("What to do: fill in {names} below, in place of `raise NotImplementedError`. Try it on your "
                     "numbers with `python {file}`; check your work with")
            closing = _("The checker calls your function with your numbers and with others, so write it for any input.")
        todo = todo.format(names=names, file=self.file_name)
        if self.blocked:
            closing += " " + _("While your file is checked, {modules} cannot be imported in it: {reason}.").format(
                modules=_and(self.blocked), reason=i18n._(self.blocked_reason))
        who = _("Student: {student}. These numbers are yours; `affine3d exercise start {number} --student "
                "{student}` makes them again.").format(student=student, number=self.number)
        header = (
            '"""' + _("affine3d exercise {number}: {title}.").format(number=self.number, title=i18n._(self.title)) + "\n\n"
            f"{textwrap.fill(who, 100)}\n"
            f"{textwrap.fill(self.lecture_point[0].upper() + self.lecture_point[1:] + '.', 100)}\n\n"
            f"{task}\n\n"
            f"{textwrap.fill(todo, 100)}\n\n"
            f"    affine3d exercise check {self.file_name}\n\n"
            f"{textwrap.fill(closing, 100)}\n"
            f'"""\n\n'
        )
        lines = [header, self.preamble(), "\n\n" if "def " in self.preamble() else "\n",
                 f"EXERCISE = {self.number}\n", f"STUDENT = {student!r}\n"]
        constants = self.constants(numbers)
        if constants:
            lines.append("\n# " + _("Your numbers") + "\n")
            lines += [f"{name} = {literal(value, indent=len(name) + 3)}\n" for name, value in constants]
        # skeleton() is one catalogue entry: its docstrings and comments translated, its code as it is
        lines.append("\n\n" + textwrap.dedent(self.skeleton()).strip("\n") + "\n")
        return "".join(lines)


def _and(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " " + _("and") + " " + names[-1]


def literal(value, indent: int = 0) -> str:
    """A Python literal for a number, text, list or numpy array (``np.array([...])``, one row a line).

    Examples
    --------
    >>> print(literal(np.array([[1.0, -0.5], [2.0, 0.25]])))
    np.array([[1.0, -0.5],
              [2.0, 0.25]])
    >>> literal(np.array([1.5, 0.0, -2.0]))
    'np.array([1.5, 0.0, -2.0])'
    """
    if isinstance(value, np.ndarray):
        if value.ndim == 1:
            return f"np.array([{', '.join(_number(v) for v in value)}])"
        if value.ndim == 2:
            rows = ["[" + ", ".join(_number(v) for v in row) + "]" for row in value]
            pad = " " * (indent + len("np.array(["))
            return "np.array([" + (",\n" + pad).join(rows) + "])"
        return f"np.array({value.tolist()!r})"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    if isinstance(value, (float, np.floating, int, np.integer)) and not isinstance(value, bool):
        return _number(value)
    return repr(value)


def _number(v) -> str:
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return repr(v if v != 0 else 0.0)
