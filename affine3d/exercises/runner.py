"""Run a student's exercise file in a separate process, with limits, and collect its answers as data.

The student's file is code the student wrote and is meant to run, so it runs, but never in the
checker's process: :func:`run_file` copies it into a fresh temporary folder (with the data files the
exercise needs, made again from the student's seed) and starts ``_child.py`` on it in a new Python
(``python -I``: no user site, no current folder on ``sys.path``) with

- a wall-clock limit (``timeout_s``): past it the whole process group is killed, so an endless
  loop, a ``time.sleep(1e9)`` or a child process the file started never hangs the checker;
- resource limits set in the child before it runs anything (:func:`resource.setrlimit`): address
  space (``memory_mb``), CPU seconds, the size of any file it writes, no core dumps;
- stdin closed (``input()`` gets EOF), stdout and stderr sent to files, not pipes (a file that
  prints forever cannot block on a full pipe, and the file-size limit stops it);
- one BLAS thread (address-space limits and thread pools do not mix, and the machine is shared).

The answers come back as JSON lines (see :mod:`affine3d.exercises._child`), one per call, written
before the next call starts: when the process is killed or crashes, the calls that finished keep
their answers and the rest are reported as not run. Nothing the file does can raise in the checker.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import _child

MAX_STUDENT_FILE_BYTES = 1 << 20
"""The largest student file read, 1 MiB: a solution is a few KB; a FIFO or /dev/zero is refused at once."""


def read_student_file(path: Path) -> bytes:
    """The bytes of a student's file: a regular file of at most :data:`MAX_STUDENT_FILE_BYTES` (UsageError otherwise)."""
    from ..errors import UsageError
    from ..fileio import read_regular

    if not os.path.lexists(path):  # the CLI's usual "No such file or directory: PATH"
        raise FileNotFoundError(2, "No such file or directory", str(path))
    return read_regular(path, limit=MAX_STUDENT_FILE_BYTES, what="student file", error=UsageError)

__all__ = ["Call", "DataFile", "Outcome", "Run", "run_file", "run_functions", "DEFAULT_TIMEOUT_S", "DEFAULT_MEMORY_MB"]

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_MB = 1024
POSIX = os.name == "posix"  # process groups and resource limits; elsewhere only the time limit holds
MAX_WRITE_BYTES = 32 << 20  # the largest file the student's process may write (its stdout included)
_TAIL = 2000  # characters of the process's stderr kept for a crash report


@dataclass(frozen=True)
class DataFile:
    """An argument that is the path of one of the exercise's data files (resolved in the run's folder)."""

    name: str


@dataclass(frozen=True)
class Call:
    """One call of a student's function: ``function(*args)``; arrays and numbers go as JSON."""

    function: str
    args: tuple


@dataclass
class Outcome:
    """What one call gave: a value, or why there is none.

    ``kind`` is ``"ok"`` (``value`` holds the answer, decoded: numpy arrays, numbers, bytes, lists) or
    one of ``"not_implemented"``, ``"error"``, ``"memory"``, ``"recursion"``, ``"missing"`` (no such
    function), ``"import_error"`` (the file did not run), ``"timeout"`` (killed at the time limit
    while this call ran), ``"not_run"`` (the process had stopped before this call), ``"crashed"``
    (the process died during this call).
    """

    function: str
    kind: str
    value: object = None
    error: str = ""
    where: str = ""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass
class Run:
    """How the student's process went, for the messages: limits, time, and what ended it."""

    file_name: str
    timeout_s: float
    memory_mb: int
    seconds: float = 0.0
    timed_out: bool = False
    returncode: int | None = None
    stderr_tail: str = ""
    outcomes: list[Outcome] = field(default_factory=list)


def run_file(path, calls: list[Call], *, data_files: dict[str, bytes] | None = None, blocked=(), reason: str = "",
             timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB) -> Run:
    """Run the student's file at ``path`` in a child process and make ``calls`` on it.

    Parameters
    ----------
    path : path-like
        The student's ``.py`` file (read, copied; never written).
    calls : list of Call
        What to call, in order; :class:`DataFile` arguments become paths of ``data_files``.
    data_files : dict, optional
        ``relative path -> bytes``: files written next to the copy of the student's file.
    blocked : sequence of str
        Top-level packages the student's file may not import (``affine3d``, ``onnxruntime``), and
        ``reason``, the end of the message an import of one of them raises.
    timeout_s, memory_mb : float, int
        The wall-clock limit for the whole run and the address-space limit of the process.

    Returns
    -------
    Run
        With one :class:`Outcome` per call, in order.
    """
    path = Path(path)
    source = read_student_file(path)
    run = Run(file_name=path.name, timeout_s=float(timeout_s), memory_mb=int(memory_mb))
    # ignore_cleanup_errors: the student's code may leave read-only files behind; they are not our problem
    with tempfile.TemporaryDirectory(prefix="affine3d-exercise-", ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        student_file = work / (path.name if path.suffix == ".py" else path.name + ".py")
        student_file.write_bytes(source)
        _write_data(work, data_files or {})
        request = {"file": str(student_file), "blocked": list(blocked), "reason": reason,
                   "calls": [_encode_call(call, work) for call in calls]}
        (work / ".request.json").write_text(json.dumps(request), encoding="utf-8")
        results = work / ".results.jsonl"
        stdout, stderr = work / ".stdout", work / ".stderr"
        started = time.perf_counter()
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            process = subprocess.Popen(
                [sys.executable, "-I", "-X", "utf8", str(Path(_child.__file__).resolve()),
                 str(work / ".request.json"), str(results)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=work, env=_child_env(work),
                start_new_session=POSIX, preexec_fn=_limits(run.timeout_s, run.memory_mb) if POSIX else None,
            )
            try:
                run.returncode = process.wait(timeout=run.timeout_s)
            except subprocess.TimeoutExpired:
                run.timed_out = True
                _kill_group(process)
                run.returncode = process.wait()
            _kill_group(process)  # whatever the file started in the background goes too
        run.seconds = time.perf_counter() - started
        run.stderr_tail = _tail(stderr)
        records = _read_records(results)
        run.outcomes = _outcomes(calls, records, run)
    return run


def run_functions(functions: dict, calls: list[Call], *, data_files: dict[str, bytes] | None = None) -> Run:
    """Make ``calls`` on Python functions in this process, through the same JSON round trip as :func:`run_file`.

    For the tests and for trying an exercise's feedback on a known answer; no limits apply, so
    this is not for code you have not read.
    """
    run = Run(file_name="<functions>", timeout_s=float("inf"), memory_mb=0)
    with tempfile.TemporaryDirectory(prefix="affine3d-exercise-") as tmp:
        work = Path(tmp)
        _write_data(work, data_files or {})
        records = []
        encoded = json.loads(json.dumps([_encode_call(call, work) for call in calls]))
        _child.call_all(functions, encoded, lambda r: records.append(json.loads(r) if isinstance(r, str) else r))
        run.outcomes = _outcomes(calls, [{"import": "ok"}, *records, {"done": True}], run)
    return run


# ------------------------------------------------------------------------------------------ the process
def _child_env(work: Path) -> dict:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "TMPDIR": str(work),
           "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[name] = "1"
    return env


def _limits(timeout_s: float, memory_mb: int):
    """The function the child runs before Python starts: its resource limits (soft and hard)."""
    import resource

    cpu_s = int(timeout_s) + 2  # a backstop: the wall clock normally stops it first

    def apply() -> None:
        for limit, value in ((resource.RLIMIT_AS, memory_mb << 20), (resource.RLIMIT_CPU, cpu_s),
                             (resource.RLIMIT_FSIZE, MAX_WRITE_BYTES), (resource.RLIMIT_CORE, 0)):
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):  # a platform without this limit (RLIMIT_AS on macOS): the others hold
                pass

    return apply


def _kill_group(process: subprocess.Popen) -> None:
    try:
        if POSIX:
            os.killpg(process.pid, signal.SIGKILL)
        elif process.poll() is None:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _tail(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            size = f.seek(0, 2)
            f.seek(max(0, size - _TAIL))
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _write_data(work: Path, data_files: dict[str, bytes]) -> None:
    for name, data in data_files.items():
        target = work / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _encode_call(call: Call, work: Path) -> dict:
    args = [str(work / a.name) if isinstance(a, DataFile) else a for a in call.args]
    return {"function": call.function, "args": _child.encode(args)}


def _read_records(results: Path) -> list[dict]:
    records = []
    try:
        text = results.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return records
    for line in text.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:  # the last line, cut short when the process was killed
            break
    return records


def _outcomes(calls: list[Call], records: list[dict], run: Run) -> list[Outcome]:
    """One Outcome per call from the child's records, and from how the process ended."""
    outcomes: list[Outcome | None] = [None] * len(calls)
    imported = next((r for r in records if "import" in r), None)
    if imported is None or imported["import"] != "ok":
        if imported is not None:
            error, where = imported.get("error", ""), imported.get("where", "")
        elif run.timed_out:
            error, where = f"TimeoutError: importing the file took longer than {run.timeout_s:g} s", ""
        else:
            error, where = _ended(run), ""
        kind = "timeout" if (imported is None and run.timed_out) else "import_error"
        return [Outcome(c.function, kind, error=error, where=where) for c in calls]
    running = None
    for record in records:
        if "start" in record:
            running = record["start"]
        elif "index" in record:
            i = record["index"]
            if "ok" in record:
                outcomes[i] = Outcome(calls[i].function, "ok", value=_child.decode(record["ok"]))
            else:
                outcomes[i] = Outcome(calls[i].function, record.get("kind", "error"), error=record.get("error", ""),
                                      where=record.get("where", ""))
            running = None
    for i, call in enumerate(calls):
        if outcomes[i] is not None:
            continue
        if i == running:
            if run.timed_out:
                outcomes[i] = Outcome(call.function, "timeout", error=f"did not finish within {run.timeout_s:g} s")
            else:
                outcomes[i] = Outcome(call.function, "crashed", error=_ended(run))
        else:
            outcomes[i] = Outcome(call.function, "not_run", error="the process had stopped before this call")
    return outcomes


def _ended(run: Run) -> str:
    """How the process ended, in words (a signal, a memory limit, an exit code) and the last of its stderr."""
    code = run.returncode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        why = {"SIGXFSZ": f"it wrote more than {MAX_WRITE_BYTES >> 20} MB (printing in a loop?)",
               "SIGXCPU": "it used up its CPU time", "SIGKILL": "it was killed",
               "SIGSEGV": "a segmentation fault"}.get(name, "")
        text = f"the process was stopped by {name}" + (f": {why}" if why else "")
    elif code not in (None, 0):
        text = f"the process exited with code {code} (os._exit? a crash?)"
    else:
        text = "the process ended early (os._exit?)"
    last = run.stderr_tail.strip().splitlines()[-1:] if run.stderr_tail.strip() else []
    return text + (f"; its last words: {last[0][:200]}" if last else "")
