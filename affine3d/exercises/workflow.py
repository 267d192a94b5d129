"""What ``affine3d exercise start`` and ``check`` do, as functions: hand out a starter file, check a student's file.

:func:`start` writes ``exercise_N.py`` (and the exercise's data files) for one student; it never
replaces a file that exists unless told to, and writes through a temporary file, so an interrupted
start leaves no half-written exercise.

:func:`check` finds the exercise and the student in the file (``EXERCISE = N``, ``STUDENT = '...'``)
unless they are given, runs the file once in a sandbox (:mod:`~affine3d.exercises.runner`,
:mod:`~affine3d.exercises.sandbox`) with the calls of every student asked for, and grades each
student's answers. Checking many ids in one run is what the tests use to try each reference
solution on 20 students at once. The other cases each check adds to the student's own numbers are
drawn from a secret and a fresh nonce (:meth:`~affine3d.exercises.base.Exercise.numbers_for`), both
recorded in the :class:`Report` (the secret as a fingerprint) so the check can be replayed.
"""

from __future__ import annotations

import importlib.util
import os
import re
import secrets as _secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from .. import i18n
from ..i18n import N_, _, ngettext
from .runner import read_student_file
from .base import DEFAULT_STUDENT, Exercise, check_student_id, secret_id
from .catalog import EXERCISES
from .feedback import Answers, CheckResult
from .runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, Call, DataFile, Run, run_file, run_functions

__all__ = ["get", "start", "check", "check_functions", "Report", "SECRET_ENV", "NOT_A_GRADE"]

SECRET_ENV = "AFFINE3D_COURSE_SECRET"
NOT_A_GRADE = N_("not a grade: no sandbox here, so the file ran as you, with your rights (fine for feedback on "
                 "your own work)")  # the notes are N_(): a report carries them through _()
UNSAFE = N_("graded without a sandbox (--unsafe-same-user): the file ran as the checker's user and could change anything "
            "it can")

_EXERCISE_LINE = re.compile(r"^EXERCISE\s*=\s*(\d+)\s*(#.*)?$", re.MULTILINE)
_STUDENT_LINE = re.compile(r"""^STUDENT\s*=\s*(['"])([^'"\n]*)\1\s*(#.*)?$""", re.MULTILINE)
_FILE_NAME = re.compile(r"exercise_(\d+)")


def get(number) -> Exercise:
    """The exercise with this number, or :class:`UsageError` naming the ones there are."""
    try:
        n = int(number)
    except (TypeError, ValueError):
        n = None
    for exercise in EXERCISES:
        if exercise.number == n:
            return exercise
    raise UsageError(_("exercise: expected a number from 1 to {count}, got {number} "
                       "(affine3d exercise list shows them)").format(count=len(EXERCISES), number=repr(number)))


def _require(exercise: Exercise) -> None:
    missing = [m for m in exercise.requires if importlib.util.find_spec(m) is None]
    if missing:
        raise UsageError(ngettext("exercise {number} needs {modules}, which is not installed: {command}",
                                  "exercise {number} needs {modules}, which are not installed: {command}",
                                  len(missing)).format(number=exercise.number, modules=(" " + _("and") + " ").join(missing),
                                                       command="pip install 'affine3d[onnx]'"))


def start(number, directory=".", student: str = DEFAULT_STUDENT, *, force: bool = False,
          language: str | None = None) -> list[Path]:
    """Write ``DIRECTORY/exercise_N.py`` (and its data files) for ``student``; returns the paths written.

    The handout's prose (the task, the docstrings, the comments) is in ``language`` (``"pl"``, ``"en"``;
    default: the language messages are in now, from ``affine3d --lang`` or the environment); its code,
    the function names and the numbers are the same in every language.

    Raises
    ------
    UsageError
        An unknown exercise or a bad id; or a file that is already there (the student's work?) and
        ``force`` is not set.
    """
    exercise = get(number)
    check_student_id(student)
    _require(exercise)
    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise UsageError(_("--dir: {path} is a file, not a folder").format(path=directory))
    numbers = exercise.numbers_for(student)
    with speaking(language):
        handout = exercise.starter(student)
    files = {exercise.file_name: handout.encode("utf-8"), **exercise.data_files(numbers)}
    targets = [directory / name for name in files]
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise UsageError(_("{path} exists (your work?); use --force to replace it, or another --dir").format(
            path=existing[0]))
    directory.mkdir(parents=True, exist_ok=True)
    for target, data in zip(targets, files.values()):
        target.parent.mkdir(parents=True, exist_ok=True)  # a data file may sit in a folder (exercise 16's model folder)
        _write_atomically(target, data)
    return targets


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file next to ``path``, then rename it over ``path``: never half a file
    (:func:`affine3d.fileio.write_bytes`, which also refuses to write through a symbolic link)."""
    from ..fileio import write_bytes

    write_bytes(path, data, "--dir")


@dataclass
class Report:
    """One student's result on one exercise: the checks, in order, and what is needed for a picture."""

    exercise: Exercise
    student: str
    file: Path
    checks: list[CheckResult]
    numbers: dict
    answers: Answers
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    sandbox: str = ""
    nonce: str = ""
    secret_id: str = ""

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def picture(self):
        """The student's result over the target (:class:`~affine3d.exercises.base.Picture`), or None."""
        if not self.exercise.geometric:
            return None
        return self.exercise.picture(self.numbers, self.answers)

    def save_picture(self, target, what: str = "--picture", *, strict: bool = False):
        """Write the picture to ``target`` (a geometric exercise); returns ``(path or None, IoU or None, note)``.

        When the answer cannot be drawn, a picture of an earlier check at ``target`` is removed (it would show
        another answer) and the note says so; a picture that cannot be written (a full disk, a link) is a note,
        or raises when ``strict`` (the user chose the place).
        """
        from ..images import save_png

        if not self.exercise.geometric:
            return None, None, ""
        target = Path(target)
        picture = self.picture()
        if picture is None:
            try:
                if target.is_file() and not target.is_symlink():
                    target.unlink()
            except OSError:
                pass
            return None, None, _("none: your answer is not one that can be drawn yet")
        try:
            return save_png(picture.image, target, what), picture.iou, ""
        except (OSError, UsageError) as exc:  # save_png says why in one line
            if strict:
                raise
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            return None, picture.iou, _("not written ({reason})").format(reason=reason)


def exercise_in(path: Path, text: str) -> int:
    """The exercise a file answers: its ``EXERCISE = N`` line, else the N in its name ``exercise_N.py``."""
    match = _EXERCISE_LINE.search(text) or _FILE_NAME.search(path.name)
    if match is None:
        raise UsageError(_("{path}: no 'EXERCISE = N' line and no exercise_N in its name; pass --exercise N").format(
            path=path))
    return int(match.group(1))


def student_in(text: str) -> str | None:
    """The id of the ``STUDENT = '...'`` line of a starter file, or None."""
    match = _STUDENT_LINE.search(text)
    return match.group(2) if match else None


def check(path, *, exercise=None, students=None, timeout_s: float = DEFAULT_TIMEOUT_S,
          memory_mb: int = DEFAULT_MEMORY_MB, secret: str | None = None, nonce: str | None = None,
          sandbox: str | None = None, grading: bool = False, unsafe_same_user: bool = False,
          allow=()) -> list[Report]:
    """Run the student's file once, in a sandbox, and grade it for each of ``students`` (default: the file's own STUDENT).

    Parameters
    ----------
    path : path-like
        The student's ``exercise_N.py``.
    exercise : int, optional
        Default: the file's ``EXERCISE = N`` line, or its name.
    students : list of str, optional
        Whose numbers to check with. Default: the id in the file's ``STUDENT = '...'`` line.
    timeout_s, memory_mb : float, int
        Limits of the student's process (for all the calls together).
    secret : str, optional
        The teacher's secret the other cases are drawn from (default ``$AFFINE3D_COURSE_SECRET``, else none).
    nonce : str, optional
        Hex digits; default a fresh random one. Give a recorded one (and the same secret) to replay a check.
    sandbox : str, optional
        One of :data:`affine3d.exercises.sandbox.MODES`; default the best this machine allows
        (:func:`affine3d.exercises.sandbox.sandbox_mode`, which ``$AFFINE3D_SANDBOX`` overrides).
    grading : bool
        True for a grade (json, Gradescope, a class): refuse to run without a sandbox, unless
        ``unsafe_same_user`` (then every report says so). False: feedback, with a note when it is no grade.
    allow : sequence of str
        Top-level packages the file may import besides the exercise's own (numpy; onnx for exercise 11)
        and the standard library (``scipy``); what they require comes with them.

    Returns
    -------
    list of Report
        One per student, in order.
    """
    from .sandbox import INSTALL_HINT, sandbox_mode, with_dependencies

    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(21, "Is a directory", str(path))
    text = read_student_file(path).decode("utf-8", "replace")
    ex = get(exercise if exercise is not None else exercise_in(path, text))
    _require(ex)
    if timeout_s is None or not (0 < float(timeout_s) <= 3600):
        raise UsageError(_("--timeout: expected seconds in (0, 3600], got {value}").format(value=repr(timeout_s)))
    if not (64 <= int(memory_mb) <= 1 << 20):
        raise UsageError(_("--memory: expected megabytes from 64 up, got {value}").format(value=repr(memory_mb)))
    secret = os.environ.get(SECRET_ENV, "") if secret is None else secret
    nonce = _check_nonce(nonce) if nonce is not None else _secrets.token_hex(16)
    mode = sandbox_mode(sandbox)
    if mode == "same-user" and grading and not unsafe_same_user:
        raise UsageError(_("no sandbox to grade in on this machine: {hint}").format(hint=i18n._(INSTALL_HINT)))
    in_file = student_in(text)
    if not students:
        if in_file is None:
            raise UsageError(_("{path}: no STUDENT = '...' line; pass --student ID (the id the exercise was started "
                               "with)").format(path=path))
        students = [in_file]
    students = [check_student_id(s) for s in students]
    numbers, calls, owners, data = _plan(ex, students, secret, nonce)
    blocked_allowed = [a for a in allow if a in ex.blocked]
    if blocked_allowed:
        raise UsageError(_("--allow: exercise {number} may not use {module} ({reason})").format(
            number=ex.number, module=blocked_allowed[0], reason=i18n._(ex.blocked_reason)))
    allowed = tuple(a for a in with_dependencies((*ex.allowed, *allow)) if a not in ex.blocked)
    # the child cannot read affine3d's catalogue: the reason it gives for a refused import is said here
    run = run_file(path, calls, data_files=data, blocked=ex.blocked, reason=i18n._(ex.blocked_reason), allowed=allowed,
                   timeout_s=timeout_s, memory_mb=memory_mb, sandbox=mode)
    reports = _reports(ex, students, numbers, owners, run, path)
    for report in reports:
        report.sandbox, report.nonce, report.secret_id = mode, nonce, secret_id(secret)
        if mode == "same-user":
            report.notes.append(i18n._(UNSAFE if grading else NOT_A_GRADE))
        if run.malformed:
            report.notes.append(ngettext("{count} line of the answers was malformed and ignored (the first: {first})",
                                         "{count} lines of the answers were malformed and ignored (the first: {first})",
                                         len(run.malformed)).format(count=len(run.malformed), first=run.malformed[0]))
    if in_file is not None and len(students) == 1 and students[0].lower() != in_file.lower():
        reports[0].notes.append(_("checked with the numbers of {student}; the file says STUDENT = {file_student}").format(
            student=students[0], file_student=repr(in_file)))
    return reports


def _check_nonce(nonce) -> str:
    if not (isinstance(nonce, str) and re.fullmatch(r"[0-9a-f]{8,64}", nonce)):
        raise UsageError(_("--nonce: expected 8 to 64 hex digits (as recorded in a report), got {value}").format(
            value=repr(nonce)))
    return nonce


@contextmanager
def speaking(language: str | None):
    """Messages in ``language`` inside the block (None: as they are), then back to the language chosen before."""
    if language is None:
        yield
        return
    saved = i18n._chosen, i18n._translation  # noqa: SLF001 - the choice to restore, whoever made it
    i18n.use_language(language)
    try:
        yield
    finally:
        i18n._chosen, i18n._translation = saved


def check_functions(exercise, functions: dict, students) -> list[Report]:
    """Grade Python functions (``name -> function``) in this process, as :func:`check` grades a file.

    No process and no limits: for the tests and for trying the feedback on answers you wrote yourself.
    """
    ex = get(exercise)
    students = [check_student_id(s) for s in students]
    numbers, calls, owners, data = _plan(ex, students)
    run = run_functions(functions, calls, data_files=data)
    return _reports(ex, students, numbers, owners, run, Path("<functions>"))


def _plan(ex: Exercise, students: list[str], secret: str | None = None, nonce: str | None = None):
    """Every student's numbers and calls, in one list for one process; data files under ``s<k>/``."""
    numbers, calls, owners, data = [], [], [], {}
    for k, student in enumerate(students):
        n = ex.numbers_for(student, secret, nonce)
        numbers.append(n)
        handed_out = ex.data_files(n)
        for name, blob in {**handed_out, **ex.check_files(n)}.items():
            data[f"s{k}/{name}"] = blob
            if k == 0 and name in handed_out:
                data[name] = blob  # next to the file too, where the starter's own code looks for it
        for key, call in ex.calls(n).items():
            args = tuple(DataFile(f"s{k}/{a.name}") if isinstance(a, DataFile) else a for a in call.args)
            calls.append(Call(call.function, args))
            owners.append((k, key))
    return numbers, calls, owners, data


def _reports(ex: Exercise, students, numbers, owners, run: Run, path: Path) -> list[Report]:
    per_student: list[dict] = [{} for _unused in students]
    for (k, key), outcome in zip(owners, run.outcomes):
        per_student[k][key] = outcome
    reports = []
    for k, student in enumerate(students):
        started = time.perf_counter()
        answers = Answers(per_student[k], run, getattr(ex, "error_hints", ()))
        checks = ex.grade(numbers[k], answers)
        reports.append(Report(ex, student, path, checks, numbers[k], answers,
                              seconds=run.seconds + time.perf_counter() - started))
    return reports
