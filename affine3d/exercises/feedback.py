"""Feedback that teaches: checks worth points, entry-by-entry comparison, and common mistakes by name.

A check passes or fails as a whole (:class:`CheckResult`); when it fails, its message says *what* is
wrong. Three kinds of message, from the most to the least specific:

1. a **common mistake**, recognised by computing what that mistake would have given and comparing
   (:data:`MISTAKES`: the transpose of the right answer, the factors in the reverse order, degrees
   where radians were expected, the translation missing or in the last row, the inverse instead of
   the map, ``A n`` instead of the normal matrix, the divide by w forgotten, and a few that belong to
   one exercise); each has its own hint;
2. the **entries that are off**, compared as PrairieLearn's matrix input does: entry by entry,
   ``|yours - target| <= ATOL + RTOL |target|`` with ``RTOL = 1e-2`` and ``ATOL = 1e-8``;
3. what went wrong **running** the function: not implemented yet, an exception (with the line of
   the student's file), the time or memory limit, a wrong shape or type.

Examples
--------
>>> target = np.array([[1.0, 0, 2], [0, 1, 3], [0, 0, 1]])
>>> result = check("M", 2, lambda: compare(target.T, target, name="M", mistakes=[mistake("transpose", target.T)]))
>>> result.passed, result.mistake
(False, 'transpose')
>>> check("M", 2, lambda: compare(target * 1.001, target, name="M")).passed     # within 1% of each entry
True
>>> check("M", 2, lambda: compare(target + 1e-4, target, name="M")).passed      # a 0 must be 0 (within 1e-8)
False
>>> try:
...     compare(np.array([[1.0, 0, 2], [0, 1, 5], [0, 0, 1]]), target, name="M")
... except Wrong as w:
...     print(w)
1 of 9 entries is off: M[1, 2] = 5
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .. import i18n
from ..i18n import N_, _, ngettext, prose_number
from . import _child
from .runner import MAX_WRITE_BYTES, Outcome, Run

__all__ = ["RTOL", "ATOL", "CheckResult", "Wrong", "check", "Answers", "Mistake", "mistake", "MISTAKES",
           "close", "compare", "compare_number", "rotation_angle_deg", "fmt"]

RTOL = 1e-2
"""Relative tolerance of every numeric comparison (PrairieLearn's default for matrix answers)."""
ATOL = 1e-8
"""Absolute tolerance, for entries whose right value is 0."""

MISTAKES: dict[str, str] = {  # the hints are looked up in the reader's language by mistake()
    "transpose": N_("this is the transpose of the right answer (rows and columns swapped). affine3d uses column "
                 "vectors, y = M x: the images of the axes are the columns of M"),
    "reverse order": N_("the factors are in the reverse order. F @ G means 'first G, then F': the map applied first "
                     "stands rightmost in the product"),
    "degrees": N_("the angle went in as degrees where radians were expected: np.cos(30) is the cosine of 30 radians. "
               "Convert first: np.radians(angle_deg)"),
    "translation missing": N_("the translation is missing: this is the linear part alone. An affine map F(x) = A x + b "
                           "also moves every point by b"),
    "translation in last row": N_("the translation is in the last row: that is the row-vector convention (v @ M, as "
                               "pyrr and DirectX write it). With column vectors, y = M x, b goes in the last column "
                               "and the last row is [0, ..., 0, 1]"),
    "inverse": N_("this is the inverse of the map asked for: it undoes the right answer"),
    "A n": N_("you transformed the normals with A itself (A n). Under a shear or a non-uniform scale that tilts them off "
           "their surfaces; the normal matrix is the inverse transpose, (A^-1)^T"),
    "no divide by w": N_("you forgot the perspective divide: clip coordinates (x, y, z, w) must be divided by w before "
                      "the viewport map. That division is what makes far things small"),
}
"""The common mistakes the issue names, with their hints; exercises add their own (``mistake(key, answer, hint)``)."""


# ---------------------------------------------------------------------------------------------- results
@dataclass
class CheckResult:
    """One check of an exercise: its name, points, and the message a student reads.

    Attributes
    ----------
    name : str
        What was checked, e.g. "the model matrix for your numbers".
    max_points, points : float
        Points available and awarded (all or nothing).
    message : str
        On a fail, the hint; on a pass, an optional note ("" for none).
    mistake : str or None
        The key of the common mistake recognised (in :data:`MISTAKES` or the exercise's own), if any.
    """

    name: str
    max_points: float
    points: float
    message: str = ""
    mistake: str | None = None

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points


class Wrong(Exception):
    """Raised inside a check: the answer is wrong, and ``str(self)`` says how; ``mistake`` names a common one."""

    def __init__(self, message: str, mistake: str | None = None):
        super().__init__(message)
        self.mistake = mistake


def check(name: str, points: float, test: Callable[[], str | None]) -> CheckResult:
    """Run ``test``: passing is returning (a note or None); failing is raising :class:`Wrong`."""
    try:
        note = test()
    except Wrong as wrong:
        return CheckResult(name, float(points), 0.0, str(wrong), wrong.mistake)
    return CheckResult(name, float(points), float(points), note or "")


@dataclass(frozen=True)
class Mistake:
    """A common mistake: its key, what it gives for these numbers, and the hint."""

    key: str
    answer: object
    hint: str


def mistake(key: str, answer, hint: str | None = None) -> Mistake:
    """A :class:`Mistake`; the hint defaults to the one in :data:`MISTAKES` for ``key``."""
    if hint is None:
        hint = i18n._(MISTAKES[key])
    return Mistake(key, answer, hint)


# ---------------------------------------------------------------------------------------------- answers
class Answers:
    """The outcomes of one student's calls, by key, turned into values or into :class:`Wrong`.

    Parameters
    ----------
    outcomes : dict
        ``key -> Outcome`` (:class:`affine3d.exercises.runner.Outcome`).
    run : Run
        How the process went (file name, limits), for the messages.
    error_hints : sequence of (str, str)
        ``(text, hint)``: when an exception's message contains ``text``, the hint follows it
        (``("matmul", "W has shape (out, in) ...")``).
    """

    def __init__(self, outcomes: dict[str, Outcome], run: Run, error_hints=()):
        self.outcomes = outcomes
        self.run = run
        self.error_hints = tuple(error_hints)

    def __getitem__(self, key: str) -> Outcome:
        return self.outcomes[key]

    def value(self, key: str):
        """The answer of call ``key``, or :class:`Wrong` saying why there is none."""
        outcome = self.outcomes[key]
        if not outcome.ok:
            raise Wrong(self.describe(outcome), mistake="not implemented" if outcome.kind == "not_implemented" else None)
        value = outcome.value
        if isinstance(value, dict) and _child.TOO_BIG in value:
            shape = tuple(value[_child.TOO_BIG])
            raise Wrong(_("{function} returned something of shape {shape}: far too big for this answer").format(
                function=outcome.function, shape=shape))
        if isinstance(value, dict) and _child.OBJECT in value:
            shown = f" ({value['repr']})" if value.get("repr") else ""
            raise Wrong(_("{function} returned a {kind}{shown}, not numbers").format(
                function=outcome.function, kind=value[_child.OBJECT], shown=shown))
        return value

    def describe(self, outcome: Outcome) -> str:
        """Why a call has no answer, in one sentence for the student."""
        fn, file, run = outcome.function, self.run.file_name, self.run
        error = _child_error(outcome.error)
        where = f" ({file}, {_where(outcome.where)})" if outcome.where else ""
        if outcome.kind == "not_implemented":
            return _("not implemented yet: {function} still raises NotImplementedError").format(function=fn)
        if outcome.kind == "import_error":
            return _("{file} does not run: {error}{where}").format(file=file, error=error, where=where)
        if outcome.kind == "missing":
            return _("{file} has no function {function} ({error}); keep the name the exercise gave it").format(
                file=file, function=fn, error=error)
        if outcome.kind == "timeout":
            return _("{function} did not finish within {seconds} s and was stopped (an endless loop? "
                     "a call to input()?)").format(function=fn, seconds=prose_number(run.timeout_s))
        if outcome.kind == "memory":
            return _("{function} ran out of memory (the limit is {megabytes} MB): {error}{where}").format(
                function=fn, megabytes=prose_number(run.memory_mb), error=error, where=where)
        if outcome.kind == "recursion":
            return _("{function} recursed too deep: {error}{where}").format(function=fn, error=error, where=where)
        if outcome.kind == "crashed":
            return _("{function} did not return: {error}").format(function=fn, error=error)
        if outcome.kind == "malformed":
            return _("the answer of {function} could not be read: {error}").format(function=fn, error=error)
        if outcome.kind == "not_run":
            return _("not run: the process running {file} had stopped before {function} was called").format(
                file=file, function=fn)
        text = _("{function} raised {error}{where}").format(function=fn, error=error, where=where)
        if "File too large" in outcome.error:  # RLIMIT_FSIZE: Python ignores SIGXFSZ, so the write fails instead
            return _("{text}: it wrote more than {megabytes} MB (printing in a loop?)").format(
                text=text, megabytes=MAX_WRITE_BYTES >> 20)
        for pattern, hint in self.error_hints:
            if pattern in outcome.error:
                hint = i18n._(hint)
                return f"{text}. {hint[0].upper()}{hint[1:]}"
        return text

    def number(self, key: str, what: str, size_hints: dict | None = None) -> float:
        """A real number (a Python or numpy scalar, or an array of one element).

        ``size_hints`` maps a wrong number of values to ``(mistake key, hint)``.
        """
        value = self.value(key)
        fn = self.outcomes[key].function
        if isinstance(value, (bool, str, bytes)) or value is None:
            raise Wrong(_("{function} returned {kind}, expected {what}, a number").format(
                function=fn, kind=_kind_of(value), what=what))
        try:
            array = np.asarray(value)
        except (TypeError, ValueError):  # a ragged list
            array = np.asarray([0], dtype=object)
        if array.dtype.kind not in "biuf":
            raise Wrong(_("{function} returned {kind}, expected {what}, a real number").format(
                function=fn, kind=_kind_of(value), what=what))
        if array.size != 1:
            key_, hint = (size_hints or {}).get(array.size, (None, None))
            raise Wrong(_("{function} returned {count} numbers (shape {shape}), expected {what}, one number").format(
                function=fn, count=array.size, shape=array.shape, what=what) + (f": {i18n._(hint)}" if hint else ""),
                mistake=key_)
        number = float(array.astype(np.float64).reshape(()))
        if not math.isfinite(number):
            raise Wrong(_("{function} returned {number}, expected {what}, a finite number").format(
                function=fn, number=number, what=what))
        return number

    def array(self, key: str, shape: tuple, what: str, shape_hints: dict | None = None, *,
              finite: bool = True) -> np.ndarray:
        """A float64 array of exactly ``shape`` (``None`` in ``shape``: any length), finite unless ``finite=False``.

        ``shape_hints`` maps a wrong shape to ``(mistake key, hint)``: a shape that tells the mistake.
        """
        value = self.value(key)
        return as_array(value, shape, what, self.outcomes[key].function, shape_hints, finite=finite)


def as_array(value, shape: tuple, what: str, fn: str, shape_hints: dict | None = None, *,
             finite: bool = True) -> np.ndarray:
    """``value`` (one returned item) as a finite float64 array of ``shape``, or :class:`Wrong` saying how it is not."""
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, dict):
        raise Wrong(_("{function} returned {kind}, expected {what}, an array of shape {shape}").format(
            function=fn, kind=_kind_of(value), what=what, shape=_shape(shape)))
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError):  # a ragged list
        raw = np.asarray([0], dtype=object)
    if raw.dtype.kind not in "biuf":
        kind = _("complex numbers") if raw.dtype.kind == "c" else _("rows of different lengths, or things that are "
                                                                    "not numbers")
        raise Wrong(_("{function} returned {value} that is not an array of real numbers ({kind}), "
                      "expected {what}, shape {shape}").format(function=fn, value=_kind_of(value), kind=kind, what=what,
                                                               shape=_shape(shape)))
    array = raw.astype(np.float64)
    expected_ndim = len(shape)
    fits = array.ndim == expected_ndim and all(s is None or s == t for s, t in zip(shape, array.shape))
    if not fits:
        message = _("{function} returned shape {shape}, expected {what} of shape {expected}").format(
            function=fn, shape=array.shape, what=what, expected=_shape(shape))
        key, hint = (shape_hints or {}).get(array.shape, (None, None))
        raise Wrong(message + (f": {i18n._(hint)}" if hint else ""), mistake=key)
    if finite and not np.all(np.isfinite(array)):
        raise Wrong(_("{function} returned {what} with NaN or inf in it (a division by zero?)").format(
            function=fn, what=what))
    return array


# What the child process (which cannot import affine3d's catalogue) writes in English, said again here.
_CHILD_WORDS = (  # (pattern, message, the names of its groups)
    (re.compile(r"^no function (\w+)$"), N_("no function {name}"), ("name",)),
    (re.compile(r"^(\w+) is a (\w+), not a function$"), N_("{name} is a {kind}, not a function"), ("name", "kind")),
    (re.compile(r"^ModuleNotFoundError: No module named ('[\w.]+') here: (.*)$", re.DOTALL),
     N_("ModuleNotFoundError: No module named {name} here: {reason}"), ("name", "reason")),
    (re.compile(r"^SystemExit: the code called exit\((.*)\)$", re.DOTALL), N_("SystemExit: the code called exit({code})"),
     ("code",)),
)


def _child_error(error: str) -> str:
    """An error the child or the runner wrote in English, in the reader's language when it is one we know."""
    for pattern, message, names in _CHILD_WORDS:
        match = pattern.match(error or "")
        if match:
            return i18n._(message).format(**dict(zip(names, match.groups())))
    return error


def _where(where: str) -> str:
    """``line 12: return W @ x`` with ``line`` in the reader's language (the code stays as it is)."""
    match = re.match(r"^line (\d+)(.*)$", where or "", re.DOTALL)
    return _("line {number}").format(number=match.group(1)) + match.group(2) if match else where


def _kind_of(value) -> str:
    if value is None:
        return _("None (a missing return?)")
    if isinstance(value, str):
        return _("the text {text}").format(text=repr(value[:40]))
    if isinstance(value, bytes):
        return ngettext("{count} byte", "{count} bytes", len(value)).format(count=len(value))
    if isinstance(value, dict):
        return _("a dict")
    if isinstance(value, list):
        return _("a list of {count}").format(count=len(value))
    return type(value).__name__


def _shape(shape: tuple) -> str:
    inner = ", ".join("N" if s is None else str(s) for s in shape)
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


# ---------------------------------------------------------------------------------------------- comparing
def close(yours, target, rtol: float = RTOL, atol: float = ATOL) -> np.ndarray:
    """Entry by entry: ``|yours - target| <= atol + rtol * |target|`` (PrairieLearn's rule, numpy.isclose's too)."""
    return np.isclose(np.asarray(yours, dtype=np.float64), np.asarray(target, dtype=np.float64), rtol=rtol, atol=atol,
                      equal_nan=True)


def fmt(x: float) -> str:
    """A number as a student would write it: 0.5, -1.25, 3, 0.0123, 1.2e-07."""
    x = float(x)
    if x == 0:
        return "0"
    if float(x).is_integer() and abs(x) < 1e9:
        return str(int(x))
    if 1e-3 <= abs(x) < 1e6:
        return f"{x:.4g}" if abs(x) >= 1 else f"{x:.3g}"
    return f"{x:.3g}"


def _entries_off(yours: np.ndarray, bad: np.ndarray, name: str) -> str:
    where = np.argwhere(bad)
    n, total = len(where), bad.size
    shown = [f"{name}[{', '.join(str(int(i)) for i in index)}] = {fmt(yours[tuple(index)])}" for index in where[:4]]
    more = _(" and {count} more").format(count=n - 4) if n > 4 else ""
    return ngettext("{count} of {total} entries is off: {entries}{more}",
                    "{count} of {total} entries are off: {entries}{more}", n).format(
        count=n, total=total, entries=", ".join(shown), more=more)


def _region(bad: np.ndarray) -> str:
    """For a homogeneous matrix: whether the entries that are off all lie in the translation column or the last row."""
    if bad.ndim != 2 or bad.shape[0] != bad.shape[1] or bad.shape[0] < 2:
        return ""
    n = bad.shape[0] - 1
    rows, cols = np.nonzero(bad)
    if np.all(rows == n):
        return _("; all in the last row, which for an affine map is [0, ..., 0, 1]")
    if np.all((cols == n) & (rows < n)):
        return _("; all in the translation column (b: where the origin goes)")
    if np.all((cols < n) & (rows < n)):
        return _("; all in the linear part A (the translation column is right)")
    return ""


def compare(yours: np.ndarray, target: np.ndarray, *, name: str = "M", mistakes: Sequence[Mistake] = (),
            rtol: float = RTOL, atol: float = ATOL, homogeneous: bool = False) -> None:
    """Raise :class:`Wrong` unless ``yours`` matches ``target`` entry by entry.

    First the ``mistakes`` are tried, in order: if ``yours`` matches what one of them gives (and that
    is not the right answer too), the message is its hint. Otherwise the message names the entries
    that are off (the first four), and for a ``homogeneous`` matrix where they lie.
    """
    yours = np.asarray(yours, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    if yours.shape == target.shape and np.all(close(yours, target, rtol, atol)):
        return
    for m in mistakes:
        candidate = np.asarray(m.answer, dtype=np.float64)
        if candidate.shape != yours.shape:
            continue
        if candidate.shape == target.shape and np.all(close(candidate, target, rtol, atol)):
            continue  # this mistake gives the right answer for these numbers: it cannot be told apart
        if np.all(close(yours, candidate, rtol, atol)):
            raise Wrong(m.hint, mistake=m.key)
    if yours.shape != target.shape:
        raise Wrong(_("{name} has shape {shape}, expected {expected}").format(name=name, shape=yours.shape,
                                                                            expected=target.shape))
    if yours.ndim == 0:
        raise Wrong(_("{name} = {value}: not the value expected (within {percent}%)").format(
            name=name, value=fmt(yours), percent=prose_number(round(rtol * 100))))
    bad = ~close(yours, target, rtol, atol)
    raise Wrong(_entries_off(yours, bad, name) + (_region(bad) if homogeneous else ""))


def compare_number(yours: float, target: float, *, name: str, mistakes: Sequence[Mistake] = (),
                   rtol: float = RTOL, atol: float = ATOL) -> None:
    """:func:`compare` for one number."""
    compare(np.float64(yours), np.float64(target), name=name, mistakes=mistakes, rtol=rtol, atol=atol)


def rotation_angle_deg(R_yours, R_target) -> float:
    """The angle, in degrees, of the rotation that takes ``R_target`` to ``R_yours``: ``R_target^T R_yours``.

    Both should be rotations; for other matrices this is the angle of the nearest rotation's trace.

    >>> round(rotation_angle_deg(np.eye(3), np.diag([1.0, -1, -1])), 6)
    180.0
    """
    relative = np.asarray(R_target, dtype=np.float64).T @ np.asarray(R_yours, dtype=np.float64)
    cosine = np.clip((np.trace(relative) - 1) / 2, -1.0, 1.0)
    return math.degrees(math.acos(cosine))
