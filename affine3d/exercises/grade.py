"""A whole class at once: ``affine3d exercise grade DIR`` checks every student's files, in parallel, resumably.

``DIR`` holds one folder per student, each with the student's ``exercise_N.py`` files (anywhere inside it)::

    DIR/
      ana@uni.edu/exercise_4.py     the folder's name is the id, unless the file's STUDENT line says another
      ben/exercise_2.py             (then both are reported)
      ben/exercise_4.py
      .affine3d-grades/             the results kept so far (made by grade)

:func:`grade` finds the work (:func:`find_work`), takes what it can from the kept results (one JSON file
per check in ``DIR/.affine3d-grades/``, named by a hash of the student, the exercise, the file's
SHA-256, the affine3d version, the limits, the sandbox and the secret's fingerprint, so a rerun after a
crash or a late submission checks only what changed), and checks the rest with
:func:`~affine3d.exercises.workflow.check` (``grading=True``: in the sandbox, refused without one unless
``unsafe_same_user``), ``jobs`` at a time. Each check writes the student's feedback beside their file (``exercise_N.feedback.txt``: the
text ``affine3d exercise check`` prints) and, for a geometric exercise, their picture
(``exercise_N-yours-vs-target.png``). A wrong layout (no ``exercise_N.py``, two of them, a folder
name that is no id, a file that cannot be read) is one note for that student, never a stop.

The checks run in ``jobs`` worker processes (:func:`_pool`), each of which starts the student's child
process. Ctrl+C stops the queue, lets the running checks end (each within its time limit: the
workers ignore it, so no student process is left behind half-watched) and keeps everything done.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

from .. import i18n
from ..errors import UsageError
from ..i18n import _, prose_number
from ..version import __version__
from .base import check_student_id
from .runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S, read_student_file
from .workflow import check, check_functions, get, student_in

__all__ = ["CACHE_DIR", "Task", "Grading", "find_work", "grade", "max_points", "labels_of", "feedback_name"]

CACHE_DIR = ".affine3d-grades"
"""The folder inside DIR that keeps one JSON file per check done."""

_CACHE_FORMAT = 1  # bumped when a kept record's fields change meaning
_MAX_RECORD_BYTES = 4 << 20


def feedback_name(number: int) -> str:
    """The feedback file beside the student's file: ``exercise_N.feedback.txt``."""
    return f"exercise_{number}.feedback.txt"


@dataclass
class Task:
    """One student's file for one exercise, ready to check (``path`` and ``sha256`` set) or not (``note`` says why)."""

    folder: str
    exercise: int
    student: str | None = None
    path: Path | None = None
    sha256: str = ""
    note: str = ""
    file_student: str | None = None  # the STUDENT line, when it differs from the folder's name


@dataclass
class Grading:
    """What :func:`grade` did: one record per (student folder, exercise), the notes, and the counts."""

    directory: Path
    exercises: list[int]
    records: dict[tuple[str, int], dict] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    general_notes: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    checked: int = 0
    from_cache: int = 0
    interrupted: bool = False
    seconds: float = 0.0


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_work(directory, exercise=None) -> tuple[list[int], list[str], list[Task], list[str]]:
    """The exercises, the student folders, one :class:`Task` per (folder, exercise), and notes on DIR itself.

    Without ``exercise``, the exercises are those with an ``exercise_N.py`` in any student's folder.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise UsageError(_("DIR: {path} is not a folder (expected one folder per student)").format(path=directory))
    general: list[str] = []
    folders = sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
    loose = sorted(p.name for p in directory.glob("*.py"))
    if loose:
        general.append(_("{files} in {path} itself: not in a student's folder, not graded").format(
            files=", ".join(loose), path=directory))
    found: dict[str, dict[int, list[Path]]] = {}
    for name in folders:
        per = found.setdefault(name, {})
        # os.walk, not rglob: links to folders are not followed (a loop of them would never end), hidden folders skipped
        for top, subfolders, files in os.walk(directory / name):
            subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
            for file_name in sorted(files):
                stem = file_name[len("exercise_"):-len(".py")]
                if file_name.startswith("exercise_") and file_name.endswith(".py") and stem.isdigit():
                    per.setdefault(int(stem), []).append(Path(top) / file_name)
    if exercise is not None:
        numbers = [get(exercise).number]
    else:
        numbers = sorted({n for per in found.values() for n in per})
        unknown = [n for n in numbers if not 1 <= n <= 99 or not _known(n)]
        for n in unknown:
            general.append(_("{file}: there is no exercise {number}; not graded").format(file=f"exercise_{n}.py", number=n))
        numbers = [n for n in numbers if n not in unknown]
    tasks = []
    for name in folders:
        for n in numbers:
            tasks.append(_task(directory, name, n, found[name].get(n, [])))
    return numbers, folders, tasks, general


def _known(number: int) -> bool:
    try:
        get(number)
    except UsageError:
        return False
    return True


def _task(directory: Path, folder: str, number: int, paths: list[Path]) -> Task:
    task = Task(folder, number)
    shown = [str(p.relative_to(directory)) for p in paths]
    if not paths:
        task.note = f"no exercise_{number}.py"
        return task
    if len(paths) > 1:
        task.note = _("{count} files {file} ({paths}): keep one; not graded").format(
            count=len(paths), file=f"exercise_{number}.py", paths=", ".join(shown))
        return task
    path = paths[0]
    try:
        data = read_student_file(path)
    except UsageError as exc:
        why = str(exc)
        why = why[len(str(path)) + 2:] if why.startswith(f"{path}: ") else why  # the note names the file already
        task.note = _("{file} cannot be read: {why}").format(file=shown[0], why=why)
        return task
    except OSError as exc:
        task.note = _("{file} cannot be read: {why}").format(file=shown[0], why=exc.strerror or exc)
        return task
    in_file = student_in(data.decode("utf-8", "replace"))
    folder_ok = _valid_id(folder)
    if in_file is not None and not _valid_id(in_file):
        in_file = None
    if in_file is None and not folder_ok:
        task.note = _("the folder name {folder} is not an id (letters, digits and . _ @ + -) and {file} has no "
                      "STUDENT line; not graded").format(folder=repr(folder), file=shown[0])
        return task
    task.student = in_file or folder
    if in_file is not None and in_file.lower() != folder.lower():
        task.file_student = in_file
    task.path, task.sha256 = path, _sha256(data)
    return task


def _valid_id(name: str) -> bool:
    try:
        check_student_id(name)
    except UsageError:
        return False
    return True


def max_points(number: int) -> float:
    """The points exercise ``number`` is worth (graded on no answers at all, in this process)."""
    return check_functions(number, {}, ["example"])[0].max_score


@dataclass(frozen=True)
class _Settings:
    """How each file is checked (sent to the workers): limits, the secret, the sandbox."""

    timeout_s: float
    memory_mb: int
    secret: str
    sandbox: str
    unsafe_same_user: bool
    allow: tuple

    def key(self) -> list:
        from .base import secret_id

        return [self.timeout_s, self.memory_mb, secret_id(self.secret), self.sandbox, sorted(self.allow)]


def _cache_key(task: Task, settings: _Settings) -> str:
    parts = [_CACHE_FORMAT, task.student, task.exercise, task.sha256, __version__, *settings.key()]
    return _sha256(json.dumps(parts).encode("utf-8"))


def labels_of(report) -> list[str]:
    """The names under which a failed check counts in the class's table, one per failed check.

    The mistake the checker recognised (``reverse order``, ``not implemented``, ...); else why the file gave
    no answer (``does not run``, ``time limit``, ``error``); else ``not recognised`` (unless another check
    of the same file named a mistake: the picture of a reversed product fails as well, for the same reason).
    """
    kinds = {o.kind for o in report.answers.outcomes.values()}
    labels = []
    for c in report.checks:
        if c.passed:
            continue
        if c.mistake:
            labels.append(c.mistake)
        elif "import_error" in kinds:
            labels.append("does not run")
        elif "timeout" in kinds:
            labels.append("time limit")
        elif kinds - {"ok", "not_implemented"}:
            labels.append("error")
        else:
            labels.append("not recognised")
    if any(c.mistake for c in report.checks if not c.passed):  # a check that fails *because of* a named mistake
        labels = [label for label in labels if label != "not recognised"]  # (the picture of it) is no second one
    return labels


def _check_one(task: Task, directory: Path, settings: _Settings) -> dict:
    """Check one file, write the student's feedback and picture beside it; the record kept for it."""
    from . import report as reports

    result = check(task.path, exercise=task.exercise, students=[task.student], timeout_s=settings.timeout_s,
                   memory_mb=settings.memory_mb, secret=settings.secret, sandbox=settings.sandbox, grading=True,
                   unsafe_same_user=settings.unsafe_same_user, allow=settings.allow)[0]
    result.notes[:] = [n for n in result.notes if not n.startswith("checked with the numbers of")]
    folder = task.path.parent
    picture_path, iou, picture_note = result.save_picture(folder / result.exercise.picture_name, "picture")
    text = reports.text(result, picture_path.name if picture_path else None, iou, picture_note)
    record = reports.as_json(result, picture_path, iou)
    record.update(folder=task.folder, file=str(task.path.relative_to(directory)), sha256=task.sha256,
                  labels=labels_of(result), feedback_text=text, affine3d=__version__)
    record["picture"] = None if picture_path is None else str(picture_path.relative_to(directory))
    _write_feedback(folder / feedback_name(task.exercise), text)
    return record


def _write_feedback(path: Path, text: str) -> None:
    from ..fileio import write_bytes

    data = (text + "\n").encode("utf-8")
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == data:
            return
        write_bytes(path, data, "feedback")
    except (OSError, UsageError):  # a read-only submission folder: the gradebook still has the text
        pass


def _read_kept(path: Path) -> dict | None:
    from ..fileio import read_regular

    try:
        record = json.loads(read_regular(path, limit=_MAX_RECORD_BYTES, what="kept result"))
    except (OSError, UsageError, ValueError):
        return None
    return record if isinstance(record, dict) and isinstance(record.get("checks"), list) else None


def _keep(path: Path, record: dict) -> None:
    from ..fileio import write_bytes

    write_bytes(path, json.dumps(record, ensure_ascii=False).encode("utf-8"), "kept result")


def _missing(task: Task, max_score: float) -> dict:
    label = "no file" if task.note.startswith("no exercise_") else "not graded"
    return {"exercise": task.exercise, "student": task.student or task.folder, "folder": task.folder, "file": None,
            "score": 0.0, "max_score": max_score, "passed": False, "checks": [], "notes": [task.note],
            "labels": [label], "picture": None, "feedback_text": None}


def grade(directory, *, exercise=None, jobs: int | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
          memory_mb: int = DEFAULT_MEMORY_MB, secret: str | None = None, sandbox: str | None = None,
          unsafe_same_user: bool = False, allow=(), progress: bool | None = None,
          stop: threading.Event | None = None) -> Grading:
    """Check every student's files under ``directory``; results kept in ``directory/.affine3d-grades/``.

    Parameters
    ----------
    directory : path-like
        One folder per student (see the module's docstring).
    exercise : int, optional
        Only this exercise (default: every exercise with a file in some student's folder).
    jobs : int, optional
        Checks at a time (default: the CPUs this process may use).
    timeout_s, memory_mb : float, int
        The limits of each check (:func:`~affine3d.exercises.workflow.check`).
    secret : str, optional
        The course secret the other cases are drawn from (default ``$AFFINE3D_COURSE_SECRET``); kept
        results are only reused with the same secret (its fingerprint is part of their name).
    sandbox, unsafe_same_user, allow
        As for :func:`~affine3d.exercises.workflow.check`; a class is graded, so without a sandbox the run
        refuses at once (one line saying what to install) unless ``unsafe_same_user``.
    progress : bool, optional
        Draw a progress bar on stderr (default: when stderr is a terminal).
    stop : threading.Event, optional
        Set it (or press Ctrl+C) to stop: the checks not started are left for the next run.

    Returns
    -------
    Grading
        ``records[(folder, N)]``: the check's JSON report (:func:`~affine3d.exercises.report.as_json`) with
        ``folder``, ``file``, ``sha256``, ``labels`` and ``feedback_text`` added.
    """
    started = time.perf_counter()
    directory = Path(directory)
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if not 1 <= int(jobs) <= 256:
        raise UsageError(_("--jobs: expected 1 to 256 checks at a time, got {value}").format(value=repr(jobs)))
    if timeout_s is None or not (0 < float(timeout_s) <= 3600):
        raise UsageError(_("--timeout: expected seconds in (0, 3600], got {value}").format(value=repr(timeout_s)))
    if not 64 <= int(memory_mb) <= 1 << 20:
        raise UsageError(_("--memory: expected megabytes from 64 up, got {value}").format(value=repr(memory_mb)))
    from .sandbox import INSTALL_HINT, sandbox_mode
    from .workflow import SECRET_ENV

    mode = sandbox_mode(sandbox)
    if mode == "same-user" and not unsafe_same_user:
        raise UsageError(_("no sandbox to grade in on this machine: {hint}").format(hint=i18n._(INSTALL_HINT)))
    settings = _Settings(float(timeout_s), int(memory_mb), os.environ.get(SECRET_ENV, "") if secret is None else secret,
                         mode, bool(unsafe_same_user), tuple(allow))
    numbers, folders, tasks, general = find_work(directory, exercise)
    if not folders:
        raise UsageError(_("DIR: {path} has no student folders (expected DIR/<student id>/exercise_N.py)").format(
            path=directory))
    for n in numbers:
        get(n)
    from .workflow import _require

    for n in numbers:
        _require(get(n))
    result = Grading(directory, numbers, folders=folders, general_notes=general)
    maxima = {n: max_points(n) for n in numbers}
    cache = directory / CACHE_DIR
    to_check: list[tuple[Task, Path]] = []
    for task in tasks:
        notes = result.notes.setdefault(task.folder, [])
        if task.path is None:
            notes.append(task.note)
            result.records[(task.folder, task.exercise)] = _missing(task, maxima[task.exercise])
            continue
        result.ids.setdefault(task.folder, task.student)
        if task.file_student is not None:
            notes.append(_("the folder is {folder}, {file} says STUDENT = {student}; graded with the numbers of "
                           "{graded}").format(folder=repr(task.folder), file=f"exercise_{task.exercise}.py",
                                               student=repr(task.file_student), graded=repr(task.student)))
        kept_path = cache / f"{_cache_key(task, settings)}.json"
        kept = _read_kept(kept_path) if kept_path.is_file() else None
        if kept is not None:
            result.records[(task.folder, task.exercise)] = kept
            result.from_cache += 1
            if kept.get("feedback_text"):
                _write_feedback(task.path.parent / feedback_name(task.exercise), kept["feedback_text"])
        else:
            to_check.append((task, kept_path))
    if to_check:
        cache.mkdir(exist_ok=True)
        _run(to_check, result, directory, int(jobs), settings, progress, stop or threading.Event())
    for task, _digest in to_check:
        if (task.folder, task.exercise) not in result.records:
            result.notes[task.folder].append(_("{file}: not checked (stopped); run grade again").format(
                file=f"exercise_{task.exercise}.py"))
            record = _missing(task, maxima[task.exercise])
            record.update(file=str(task.path.relative_to(directory)), labels=["not checked"])
            result.records[(task.folder, task.exercise)] = record
    result.seconds = time.perf_counter() - started
    return result


def _pool(jobs: int):
    """``jobs`` worker processes that ignore Ctrl+C (the checks they run finish; this process decides to stop).

    Processes, not threads: besides the student's child process, a check grades and draws in Python
    (the IoU check and the picture of a geometric exercise rasterize two houses, ~0.1-0.5 s of CPU), which
    threads would run one at a time. ``forkserver`` where there is one: workers start from a small clean
    process with this module imported, not as copies of this one with its threads.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_all_start_methods
    from multiprocessing import get_context as start_method  # (a process start method, no GL context)

    method = "forkserver" if "forkserver" in get_all_start_methods() else "spawn"
    context = start_method(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_ignore_ctrl_c)


def _ignore_ctrl_c() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(to_check, result: Grading, directory: Path, jobs: int, settings: _Settings, progress, stop) -> None:
    """Check ``to_check`` on ``jobs`` processes; keep each result as it comes; stop at Ctrl+C or ``stop``."""
    import sys

    from tqdm import tqdm

    bar = tqdm(total=len(to_check), unit="check", desc="grading", dynamic_ncols=True, file=sys.stderr,
               disable=(not sys.stderr.isatty()) if progress is None else not progress)
    pending = iter(to_check)
    running = {}
    pool = _pool(min(jobs, len(to_check)))

    def submit() -> bool:
        item = next(pending, None)
        if item is None:
            return False
        task, kept_path = item
        running[pool.submit(_check_and_keep, task, kept_path, directory, settings)] = task
        return True

    try:
        while len(running) < jobs and not stop.is_set() and submit():
            pass
        while running:
            done, _unused = wait(list(running), timeout=0.2, return_when=FIRST_COMPLETED)
            for future in done:
                _collect(result, running.pop(future), future)
                bar.update(1)
                if not stop.is_set():
                    submit()
    except KeyboardInterrupt:
        stop.set()
        bar.set_description("stopping")
        bar.refresh()
        sys.stderr.write("\n" + _("stopping: {count} running check(s) finish (each within {seconds} s); the rest are "
                                 "left for the next run").format(count=len(running),
                                                                 seconds=prose_number(settings.timeout_s)) + "\n")
        try:
            for future in list(running):
                wait([future])
                _collect(result, running.pop(future), future)
                bar.update(1)
        except KeyboardInterrupt:  # a second Ctrl+C: do not wait for them
            pass
    finally:
        pool.shutdown(wait=not running, cancel_futures=True)
        bar.close()
    if stop.is_set():
        result.interrupted = True


def _check_and_keep(task: Task, kept_path: Path, directory: Path, settings: _Settings) -> dict:
    record = _check_one(task, directory, settings)
    _keep(kept_path, record)
    return record


def _collect(result: Grading, task: Task, future) -> None:
    try:
        record = future.result()
    except Exception as exc:  # noqa: BLE001 - one file's trouble is one note: the file vanished meanwhile, a worker died
        why = (exc.strerror or type(exc).__name__) if isinstance(exc, OSError) else str(exc) or type(exc).__name__
        line = _("{file}: not graded: {why}").format(file=f"exercise_{task.exercise}.py", why=why)
        record = _missing(Task(task.folder, task.exercise, task.student, note=line), max_points(task.exercise))
        record.update(file=str(task.path.relative_to(result.directory)), labels=["not graded"])
        result.notes.setdefault(task.folder, []).append(line)
        result.records[(task.folder, task.exercise)] = record
        return
    result.records[(task.folder, task.exercise)] = record
    result.checked += 1
