"""Run a student's exercise file in a sandbox, with limits, and collect its answers as data.

The student's file is code the student wrote and is meant to run, so it runs, but never in the
checker's process, and (where the machine allows it) never as the checker's user:
:mod:`~affine3d.exercises.sandbox` picks the isolation (bubblewrap namespaces, a fresh unprivileged
uid as root, or, for feedback only, the same user). :func:`run_file` starts ``_child.py`` in it on a
copy of the file (with the data files the exercise needs, made again from the student's numbers), in
a fresh Python (``python -I -S``: no user site, no site-packages, no current folder on ``sys.path``;
only numpy's folder is added) with

- a wall-clock limit (``timeout_s``) the child cannot stop: past it everything the run started is
  killed (the pid namespace, or every process of the sandbox's uid), so an endless loop, a
  ``time.sleep(1e9)``, a ``SIGSTOP`` or a double-forked ``setsid`` grandchild never outlives the check;
- resource limits set before it runs anything: address space (``memory_mb``) and CPU seconds per
  process, the number of processes of the whole sandbox, the size of any file it writes, open
  files, no core dumps; its disk is a size-limited tmpfs (bubblewrap);
- stdin closed (``input()`` gets EOF), stdout and stderr sent to files only the checker can open
  (a file that prints forever cannot block on a full pipe, and the file-size limit stops it);
- one BLAS thread (address-space limits and thread pools do not mix, and the machine is shared).

The answers come back as JSON lines over a **pipe the checker holds** (see
:mod:`affine3d.exercises._child`), one per call, written before the next call starts: when the process
is killed or crashes, the calls that finished keep their answers and the rest are reported as not
run. Every line is checked against the schema of a record (:func:`parse_record`): a malformed one is
that call failing with one line, never a traceback, and every text that came from the student's
process reaches the report with its control characters escaped (:func:`printable`).
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import _, prose_number
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

__all__ = ["Call", "DataFile", "Outcome", "Run", "run_file", "run_functions", "parse_record", "printable",
           "DEFAULT_TIMEOUT_S", "DEFAULT_MEMORY_MB"]

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_MB = 1024
POSIX = os.name == "posix"  # process groups and resource limits; elsewhere only the time limit holds
MAX_WRITE_BYTES = 32 << 20  # the largest file the student's process may write (its stdout included)
MAX_PROCESSES = 16  # processes of the whole sandbox (threads count too): enough for numpy, not for a fork bomb
MAX_OPEN_FILES = 256
WATCH_S = 0.1  # how often the memory of the whole sandbox is measured
WORK_BYTES = 64 << 20  # bubblewrap: the tmpfs holding the copy of the file, its data and what it writes
TMP_BYTES = 16 << 20  # bubblewrap: its private /tmp
MAX_RESULTS_BYTES = 64 << 20  # the most the checker reads from the answers' pipe
MAX_RECORD_BYTES = 16 << 20  # one answer's line (100 000 numbers as text, with room to spare)
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
    (the process died during this call), ``"malformed"`` (what came back is not a well-formed answer).
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
    """How the student's process went, for the messages: limits, time, what ended it, and the sandbox it ran in."""

    file_name: str
    timeout_s: float
    memory_mb: int
    seconds: float = 0.0
    timed_out: bool = False
    returncode: int | None = None
    stderr_tail: str = ""
    outcomes: list[Outcome] = field(default_factory=list)
    sandbox: str = ""
    malformed: list[str] = field(default_factory=list)
    over_memory: bool = False


def run_file(path, calls: list[Call], *, data_files: dict[str, bytes] | None = None, blocked=(), reason: str = "",
             allowed=("numpy",), timeout_s: float = DEFAULT_TIMEOUT_S, memory_mb: int = DEFAULT_MEMORY_MB,
             sandbox: str | None = None) -> Run:
    """Run the student's file at ``path`` in a sandbox and make ``calls`` on it.

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
    allowed : sequence of str
        The packages besides the standard library the file may import (numpy).
    timeout_s, memory_mb : float, int
        The wall-clock limit for the whole run and the address-space limit of each process.
    sandbox : str, optional
        One of :data:`affine3d.exercises.sandbox.MODES`; default :func:`~affine3d.exercises.sandbox.sandbox_mode`.

    Returns
    -------
    Run
        With one :class:`Outcome` per call, in order, and the mode it ran in.
    """
    from . import sandbox as sb

    path = Path(path)
    source = read_student_file(path)
    mode = sb.sandbox_mode(sandbox)
    if mode == "drop-privileges":
        sb.close_packages(blocked)
    name = path.name if path.suffix == ".py" else path.name + ".py"
    name = name if name.isprintable() and "/" not in name else "student_file.py"
    run = Run(file_name=printable(path.name), timeout_s=float(timeout_s), memory_mb=int(memory_mb), sandbox=mode)
    # ignore_cleanup_errors: the student's code may leave read-only files behind; they are not our problem
    with tempfile.TemporaryDirectory(prefix="affine3d-exercise-", ignore_cleanup_errors=True) as tmp:
        private = Path(tmp)  # the checker's own folder (0700): the output files, never the child's to open
        uid = sb.fresh_uid() if mode == "drop-privileges" or (mode == "bubblewrap" and sb.can_drop(allowed)) else None
        work = Path(sb.WORK) if mode == "bubblewrap" else private / "work"
        files = {str(work / name): source, **{str(work / k): v for k, v in (data_files or {}).items()}}
        request = {"file": str(work / name), "blocked": list(blocked), "reason": reason,
                   "sys_path": [sb.SITE] if mode == "bubblewrap" else sorted({str(d.parent) for d in sb.package_dirs(allowed)}),
                   "max_processes": MAX_PROCESSES if mode != "same-user" else 0, "max_open_files": MAX_OPEN_FILES,
                   "no_network": True,
                   "calls": [_encode_call(call, work) for call in calls]}
        stdout, stderr = private / "stdout", private / "stderr"
        keep: list[int] = []  # descriptors the child inherits; closed here once it started
        read_end = reader = None
        try:
            if POSIX:
                read_end, write_end = os.pipe()
                keep.append(write_end)
                request_fd = _blob(json.dumps(request).encode("utf-8"))
                keep.append(request_fd)
                request_arg, results_arg = str(request_fd), str(write_end)
            else:  # Windows (same-user only): no descriptors to inherit by number; files in the checker's folder
                read_end = None
                (private / "request.json").write_text(json.dumps(request), encoding="utf-8")
                request_arg, results_arg = str(private / "request.json"), str(private / "results.jsonl")
            child_args = ["-I", "-S", "-X", "utf8"]
            if mode == "bubblewrap":
                file_fds = {}
                for target, blob in files.items():
                    file_fds[target] = _blob(blob)
                    keep.append(file_fds[target])
                child_fd = _blob(Path(_child.__file__).read_bytes())
                keep.append(child_fd)
                command = sb.bwrap_command([*child_args, sb.CHILD, request_arg, results_arg], files=file_fds,
                                           data_fds={sb.CHILD: child_fd}, allowed=allowed, work_bytes=WORK_BYTES,
                                           tmp_bytes=TMP_BYTES, env={**_child_env(work), "TMPDIR": "/tmp"})
                cwd, env = "/", None
            else:
                child_path = private / "_child.py"
                child_path.write_bytes(Path(_child.__file__).read_bytes())
                _write_data(work, {Path(k).relative_to(work).as_posix(): v for k, v in files.items()})
                if uid is not None:  # the fresh uid may enter the folder, read the child, own its work folder
                    os.chmod(private, 0o711)
                    os.chmod(child_path, 0o644)
                    _chown_tree(work, uid)
                    os.chmod(work, 0o700)
                command = [sb.interpreter(), *child_args, str(child_path), request_arg, results_arg]
                cwd, env = work, _child_env(work)
            reader = _Reader(read_end) if read_end is not None else None
            started = time.perf_counter()
            with open(stdout, "wb") as out, open(stderr, "wb") as err:
                process = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd, env=env,
                    pass_fds=tuple(keep) if POSIX else (), start_new_session=POSIX,
                    user=uid, group=uid, extra_groups=[] if uid is not None else None,
                    preexec_fn=_limits(run.timeout_s, run.memory_mb) if POSIX else None,
                )
                for fd in keep:
                    os.close(fd)
                keep = []
                _watch(process, run, started, uid)
                sb.stop_group(process.pid)  # whatever the file started in the background goes too
                if mode == "drop-privileges":  # (bubblewrap: the pid namespace ended with its first process)
                    sb.kill_uid(uid)  # a setsid grandchild left the group, not the uid
                    sb.remove_uid_files(uid)
            run.seconds = time.perf_counter() - started
            if reader is None:
                reader = _Reader.of_file(Path(results_arg))
            reader.finish(timeout=2.0)
            run.stderr_tail = printable(_tail(stderr), keep_lines=True)
            records, run.malformed = reader.records(len(calls))
            run.outcomes = _outcomes(calls, records, run)
        finally:
            for fd in keep:
                os.close(fd)
            if reader is None and read_end is not None:  # the run never started
                os.close(read_end)
    return run


def _watch(process: subprocess.Popen, run: Run, started: float, uid: int | None) -> None:
    """Wait for the run within its time limit, and stop it when all its processes together use more than its memory.

    The address-space limit holds per process; this holds for the whole sandbox (every process of its uid,
    every descendant of its first process), measured as proportional set size every :data:`WATCH_S`.
    """
    from . import sandbox as sb

    deadline = started + run.timeout_s
    limit = run.memory_mb << 20
    while True:
        left = deadline - time.perf_counter()
        try:
            run.returncode = process.wait(timeout=max(0.0, min(WATCH_S, left)))
            return
        except subprocess.TimeoutExpired:
            pass
        if left <= WATCH_S:
            run.timed_out = True
        elif POSIX and sb.memory_used(process.pid, uid) > limit:
            run.over_memory = True
        else:
            continue
        sb.stop_group(process.pid)
        run.returncode = process.wait()
        return


def run_functions(functions: dict, calls: list[Call], *, data_files: dict[str, bytes] | None = None) -> Run:
    """Make ``calls`` on Python functions in this process, through the same JSON round trip as :func:`run_file`.

    For the tests and for trying an exercise's feedback on a known answer; no limits apply, so
    this is not for code you have not read.
    """
    run = Run(file_name="<functions>", timeout_s=float("inf"), memory_mb=0, sandbox="none")
    with tempfile.TemporaryDirectory(prefix="affine3d-exercise-") as tmp:
        work = Path(tmp)
        _write_data(work, data_files or {})
        lines = []
        encoded = json.loads(json.dumps([_encode_call(call, work) for call in calls]))
        _child.call_all(functions, encoded,
                        lambda r: lines.append(r if isinstance(r, str) else json.dumps(r, allow_nan=True)))
        parsed = [parse_record(line, len(calls)) for line in ['{"import": "ok"}', *lines, '{"done": true}']]
        run.outcomes = _outcomes(calls, [r for r in parsed if r is not None], run)
    return run


# ------------------------------------------------------------------------------------------ the process
def _blob(data: bytes) -> int:
    """A readable descriptor holding ``data`` (an unnamed file: no name another process could open or replace)."""
    f = tempfile.TemporaryFile()
    f.write(data)
    f.flush()
    fd = os.dup(f.fileno())
    f.close()
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _chown_tree(top: Path, uid: int) -> None:
    for folder, dirs, names in os.walk(top):
        for name in [folder, *(os.path.join(folder, n) for n in dirs + names)]:
            os.chown(name, uid, uid, follow_symlinks=False)


class _Reader:
    """Reads the answers' pipe in a thread, up to :data:`MAX_RESULTS_BYTES`: a child that writes forever blocks, not us."""

    def __init__(self, fd: int | None):
        self.fd, self.chunks, self.size = fd, [], 0
        self.thread = threading.Thread(target=self._run, name="affine3d-exercise-answers", daemon=True)
        if fd is not None:
            self.thread.start()

    @classmethod
    def of_file(cls, path: Path) -> "_Reader":
        """The answers the child wrote to a file (Windows), read up to the same limit."""
        reader = cls(None)
        try:
            with open(path, "rb") as f:
                data = f.read(MAX_RESULTS_BYTES)
            reader.chunks, reader.size = [data], len(data)
        except OSError:
            pass
        return reader

    def _run(self) -> None:
        try:
            while self.size < MAX_RESULTS_BYTES:
                chunk = os.read(self.fd, 1 << 16)
                if not chunk:
                    break
                self.chunks.append(chunk)
                self.size += len(chunk)
        except OSError:
            pass

    def finish(self, timeout: float) -> None:
        if self.fd is None:
            return
        self.thread.join(timeout)
        try:
            os.close(self.fd)  # a reader still blocked (a process of the same user kept the pipe) gets EBADF
        except OSError:
            pass
        self.thread.join(0.5)

    def records(self, n_calls: int) -> tuple[list[dict], list[str]]:
        """The well-formed records in order, and one line for each malformed one."""
        data = b"".join(self.chunks)[:MAX_RESULTS_BYTES]
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        elif lines:
            lines.pop()  # the last line, cut short when the process was killed
        records, malformed = [], []
        for raw in lines:
            try:
                record = parse_record(raw, n_calls)
            except ValueError as exc:
                malformed.append(printable(str(exc)))
                index = _index_of(raw, n_calls)
                if index is not None:
                    records.append({"index": index, "kind": "malformed", "error": printable(str(exc)), "where": ""})
                continue
            if record is not None:
                records.append(record)
        return records, malformed


def _child_env(work: Path) -> dict:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
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


# ------------------------------------------------------------------------------------------ the records
_KINDS = frozenset({"not_implemented", "error", "memory", "recursion", "missing"})
_MAX_DEPTH = 24
_FORMS = {_child.ARRAY: {_child.ARRAY, "dtype", "shape"}, _child.BYTES: {_child.BYTES}, _child.COMPLEX: {_child.COMPLEX},
          _child.MAPPING: {_child.MAPPING}, _child.TOO_BIG: {_child.TOO_BIG, "dtype"}, _child.OBJECT: {_child.OBJECT, "repr"}}
_MAX_TEXT = 4000


def printable(text, *, keep_lines: bool = False) -> str:
    r"""``text`` with every control character escaped (ESC -> ``\x1b``): a student's text cannot redraw a report.

    >>> printable("ok\x1b[2K\r\u2713")
    'ok\\x1b[2K\\x0d✓'
    """
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c.isprintable() or (keep_lines and c == "\n"):
            out.append(c)
        else:
            code = ord(c)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def _index_of(raw: bytes, n_calls: int) -> int | None:
    """The call a malformed line was about, when it says so (``{"index": 3, ...``), else None."""
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    index = record.get("index") if isinstance(record, dict) else None
    return index if type(index) is int and 0 <= index < n_calls else None


def parse_record(raw, n_calls: int) -> dict | None:
    """One line of the answers' pipe, checked against the record schema; ValueError (one line) if malformed.

    Records: ``{"import": "ok"}``, ``{"import": "error", "kind", "error", "where"}``, ``{"start": i}``,
    ``{"index": i, "ok": VALUE}``, ``{"index": i, "kind", "error", "where"}``, ``{"done": true}``; ``i`` a
    call's index, VALUE an :func:`affine3d.exercises._child.encode` d value whose arrays have the shape,
    dtype and size they claim. Returns the record (its value decoded), or None for an empty line.
    """
    if isinstance(raw, bytes):
        if len(raw) > MAX_RECORD_BYTES:
            raise ValueError(_("an answer of {size} MB: more than the {limit} MB an answer may have").format(
                size=len(raw) >> 20, limit=MAX_RECORD_BYTES >> 20))
        raw = raw.decode("utf-8", "replace")
    if not raw.strip():
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        raise ValueError(_("a line of the answers is not JSON")) from None
    if not isinstance(record, dict) or not record:
        raise ValueError(_("a line of the answers is not a record"))
    keys = set(record)
    if "import" in record:
        if record["import"] == "ok" and keys == {"import"}:
            return record
        if record["import"] == "error" and keys <= {"import", "kind", "error", "where"}:
            return {"import": "error", "kind": _text(record.get("kind", "error")),
                    "error": _text(record.get("error", "")), "where": _text(record.get("where", ""))}
        raise ValueError(_("a malformed import record"))
    if keys == {"done"}:
        return {"done": True}
    if keys == {"start"}:
        return {"start": _index(record["start"], n_calls)}
    if "index" not in record:
        raise ValueError(_("a record with unknown fields {fields}").format(fields=sorted(keys)[:4]))
    index = _index(record["index"], n_calls)
    if keys == {"index", "ok"}:
        try:
            return {"index": index, "ok": _decode_checked(record["ok"], 0)}
        except ValueError as exc:
            raise ValueError(_("call {index}: {error}").format(index=index, error=exc)) from None
    if keys <= {"index", "kind", "error", "where"} and record.get("kind") in _KINDS:
        return {"index": index, "kind": record["kind"], "error": _text(record.get("error", "")),
                "where": _text(record.get("where", ""))}
    raise ValueError(_("a malformed record for call {index}").format(index=index))


def _index(value, n_calls: int) -> int:
    if type(value) is not int or not 0 <= value < n_calls:
        raise ValueError(_("a record for call {index}, which was not made").format(index=printable(repr(value))[:40]))
    return value


def _text(value) -> str:
    if not isinstance(value, str):
        raise ValueError(_("a text field that is not text"))
    return printable(value[:_MAX_TEXT])


def _decode_checked(data, depth: int):
    """:func:`_child.decode`, after checking every field: what an array says it is, it is."""
    if depth > _MAX_DEPTH:
        raise ValueError(_("nested too deep"))
    if data is None or isinstance(data, (bool, int, float)):
        return data
    if isinstance(data, str):
        return printable(data[:_MAX_TEXT]) if len(data) > _MAX_TEXT or not data.isprintable() else data
    if isinstance(data, list):
        if len(data) > _child.MAX_ELEMENTS:
            raise ValueError(_("a list of {count} items").format(count=len(data)))
        return [_decode_checked(v, depth + 1) for v in data]
    if not isinstance(data, dict) or not any(set(data) <= form and key in data for key, form in _FORMS.items()):
        raise ValueError(_("an object with unexpected fields"))
    if _child.ARRAY in data:
        return _array(data)
    if _child.BYTES in data:
        text = data[_child.BYTES]
        if not isinstance(text, str) or len(text) > 12 * _child.MAX_ELEMENTS:
            raise ValueError(_("bytes that are not base64 text of a sensible size"))
        import base64
        import binascii

        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(_("bytes that are not base64")) from None
    if _child.COMPLEX in data:
        pair = data[_child.COMPLEX]
        if not (isinstance(pair, list) and len(pair) == 2 and all(_is_number(v) for v in pair)):
            raise ValueError(_("a complex number that is not two numbers"))
        return complex(*pair)
    if _child.MAPPING in data:
        mapping = data[_child.MAPPING]
        if not isinstance(mapping, dict) or len(mapping) > 1000:
            raise ValueError(_("a mapping that is not a dict of at most 1000 keys"))
        return {printable(str(k))[:200]: _decode_checked(v, depth + 1) for k, v in mapping.items()}
    if _child.TOO_BIG in data:
        shape = data[_child.TOO_BIG]
        if not (isinstance(shape, list) and len(shape) <= 32 and all(type(v) is int and v >= 0 for v in shape)):
            raise ValueError(_("a size that is not a list of counts"))
        return {_child.TOO_BIG: shape, "dtype": printable(str(data.get("dtype", "")))[:40]}
    if _child.OBJECT in data:
        return {_child.OBJECT: _text(data[_child.OBJECT])[:200], "repr": _text(data.get("repr", ""))[:200]}
    raise ValueError(_("an object of an unknown kind"))


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _array(data: dict):
    import numpy as np

    dtype, shape, values = data.get("dtype"), data.get("shape"), data[_child.ARRAY]
    try:  # numbers only: bool, int, uint, float, complex, in either byte order (">f4" from a big-endian answer)
        ok = isinstance(dtype, str) and len(dtype) <= 16 and np.dtype(dtype).kind in "biufc" and not np.dtype(dtype).fields
    except (TypeError, ValueError, SyntaxError):
        ok = False
    if not ok:
        raise ValueError(_("an array of dtype {dtype}").format(dtype=printable(repr(dtype))[:40]))
    if not (isinstance(shape, list) and len(shape) <= 32 and all(type(v) is int and 0 <= v for v in shape)):
        raise ValueError(_("an array whose shape is not a list of counts"))
    size = math.prod(shape)
    if size > _child.MAX_ELEMENTS:
        raise ValueError(_("an array of {count} numbers, more than {limit}").format(count=size, limit=_child.MAX_ELEMENTS))
    kind = np.dtype(dtype).kind
    parts = values if kind == "c" else [values]
    if kind == "c" and not (isinstance(values, list) and len(values) == 2):
        raise ValueError(_("a complex array that is not [real, imag]"))
    arrays = []
    for part in parts:
        if not _nested_numbers(part, shape, 0):
            raise ValueError(_("an array whose numbers do not have the shape {shape} it claims").format(shape=tuple(shape)))
        arrays.append(np.asarray(part, dtype=np.float64 if kind == "c" else None))
    try:
        if kind == "c":
            return (arrays[0] + 1j * arrays[1]).astype(dtype).reshape(shape)
        with np.errstate(all="ignore"):
            return np.asarray(arrays[0]).astype(dtype).reshape(shape)
    except (ValueError, TypeError, OverflowError):
        raise ValueError(_("numbers that do not fit dtype {dtype}").format(dtype=dtype)) from None


def _nested_numbers(value, shape: list, depth: int) -> bool:
    if depth == len(shape):
        return _is_number(value) or isinstance(value, bool)
    if not isinstance(value, list) or len(value) != shape[depth]:
        return False
    return all(_nested_numbers(v, shape, depth + 1) for v in value)


def _outcomes(calls: list[Call], records: list[dict], run: Run) -> list[Outcome]:
    """One Outcome per call from the child's records, and from how the process ended."""
    outcomes: list[Outcome | None] = [None] * len(calls)
    imported = next((r for r in records if "import" in r), None)
    if imported is None or imported["import"] != "ok":
        if imported is not None:
            error, where = imported.get("error", ""), imported.get("where", "")
        elif run.timed_out:
            error, where = "TimeoutError: " + _("importing the file took longer than {seconds} s").format(
                seconds=prose_number(run.timeout_s)), ""
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
            if outcomes[i] is None:  # the first answer counts; the file cannot take one back
                if "ok" in record:
                    outcomes[i] = Outcome(calls[i].function, "ok", value=record["ok"])
                else:
                    outcomes[i] = Outcome(calls[i].function, record["kind"], error=record["error"], where=record["where"])
            running = None
    for i, call in enumerate(calls):
        if outcomes[i] is not None:
            continue
        if i == running:
            if run.over_memory:
                outcomes[i] = Outcome(call.function, "memory",
                                      error=_("its processes used more than {megabytes} MB together and were "
                                              "stopped").format(megabytes=prose_number(run.memory_mb)))
            elif run.timed_out:
                outcomes[i] = Outcome(call.function, "timeout", error=_("did not finish within {seconds} s").format(
                    seconds=prose_number(run.timeout_s)))
            else:
                outcomes[i] = Outcome(call.function, "crashed", error=_ended(run))
        else:
            outcomes[i] = Outcome(call.function, "not_run", error=_("the process had stopped before this call"))
    return outcomes


def _ended(run: Run) -> str:
    """How the process ended, in words (a signal, a memory limit, an exit code) and the last of its stderr."""
    code = run.returncode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = _("signal {number}").format(number=-code)
        why = {"SIGXFSZ": _("it wrote more than {megabytes} MB (printing in a loop?)").format(
                   megabytes=MAX_WRITE_BYTES >> 20),
               "SIGXCPU": _("it used up its CPU time"), "SIGKILL": _("it was killed"),
               "SIGSEGV": _("a segmentation fault")}.get(name, "")
        text = _("the process was stopped by {signal}").format(signal=name) + (f": {why}" if why else "")
    elif code not in (None, 0):
        text = _("the process exited with code {code} (os._exit? a crash?)").format(code=code)
    else:
        text = _("the process ended early (os._exit?)")
    last = run.stderr_tail.strip().splitlines()[-1:] if run.stderr_tail.strip() else []
    return text + (_("; its last words: {words}").format(words=last[0][:200]) if last else "")
