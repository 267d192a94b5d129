"""The process that runs a student's exercise file: import it, call its functions, write the answers as JSON.

:mod:`affine3d.exercises.runner` starts this file as a script in a fresh interpreter, in the sandbox
(``python -I -S -X utf8 _child.py REQUEST_FD RESULTS_FD``), with a time limit and resource limits, so
whatever the student's code does (raise, loop, allocate, exit, crash) happens here and not in the
checker. It reads the request from the descriptor REQUEST_FD and writes the answers to RESULTS_FD, a
pipe whose other end only the checker holds (on Windows, where no sandbox exists, two files' paths): plain data, one JSON object per line, never pickle (the
checker reads numbers, not objects, and checks each line against a schema). A line is written before
each call, so when the process is killed the checker knows which call was running. The student's
code runs in this process and can write to that pipe too: what it writes there is no more than an
answer it could have returned.

This file imports only the standard library and numpy (the exercises' inputs are numpy arrays);
in particular not affine3d, which the request usually blocks: an exercise asks the student to do
by hand what affine3d's own classes would do for them.

Request (JSON)::

    {"file": "/work/exercise_4.py", "blocked": ["affine3d"], "reason": "...", "sys_path": ["/sandbox/site"],
     "max_processes": 16, "max_open_files": 256, "calls": [{"function": "model_matrix", "args": [...]}, ...]}

Results (JSON lines)::

    {"import": "ok"}                or  {"import": "error", "error": "SyntaxError: ...", "where": "line 3: ..."}
    {"start": 0}                    the call about to run
    {"index": 0, "ok": VALUE}       or  {"index": 0, "kind": "error", "error": "...", "where": "..."}
"""

import base64
import importlib.abc
import importlib.util
import json
import sys
import traceback

MAX_ELEMENTS = 100_000  # an answer larger than this is reported by its shape only

# Encoded values: JSON numbers, strings, booleans, null and lists as they are; everything else as a
# one-key object, so an answer is never confused with an array of the same numbers.
ARRAY, BYTES, COMPLEX, MAPPING = "__array__", "__bytes__", "__complex__", "__dict__"
OBJECT, TOO_BIG = "__object__", "__too_big__"


def encode(value, depth: int = 0):
    """A student's answer (or a checker's argument) as JSON-ready data; arrays keep their shape and dtype."""
    if depth > 20:
        return {OBJECT: "nested too deep", "repr": ""}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if abs(value) < 2**63 else float(value)
    if isinstance(value, float):
        return value
    if isinstance(value, complex):
        return {COMPLEX: [value.real, value.imag]}
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        if len(data) > 8 * MAX_ELEMENTS:
            return {TOO_BIG: [len(data)], "dtype": "bytes"}
        return {BYTES: base64.b64encode(data).decode("ascii")}
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, (numpy.ndarray, numpy.generic)):
        array = numpy.asarray(value)
        if array.dtype.kind not in "biufc":
            return {OBJECT: f"numpy array of dtype {array.dtype}", "repr": _short_repr(array)}
        if array.size > MAX_ELEMENTS:
            return {TOO_BIG: list(array.shape), "dtype": str(array.dtype)}
        if array.dtype.kind == "c":
            return {ARRAY: [array.real.tolist(), array.imag.tolist()], "dtype": str(array.dtype), "shape": list(array.shape)}
        return {ARRAY: array.tolist(), "dtype": str(array.dtype), "shape": list(array.shape)}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ELEMENTS:
            return {TOO_BIG: [len(value)], "dtype": type(value).__name__}
        return [encode(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {MAPPING: {str(k): encode(v, depth + 1) for k, v in list(value.items())[:1000]}}
    return {OBJECT: type(value).__name__, "repr": _short_repr(value)}


def decode(data):
    """The inverse of :func:`encode` (numpy arrays come back as numpy arrays, when numpy can be imported)."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if ARRAY in data:
        import numpy

        dtype = numpy.dtype(data["dtype"])
        if dtype.kind == "c":
            real, imag = data[ARRAY]
            return (numpy.asarray(real, dtype=numpy.float64) + 1j * numpy.asarray(imag, dtype=numpy.float64)).astype(dtype)
        return numpy.asarray(data[ARRAY], dtype=dtype).reshape(data["shape"])
    if BYTES in data:
        return base64.b64decode(data[BYTES])
    if COMPLEX in data:
        return complex(*data[COMPLEX])
    if MAPPING in data:
        return {k: decode(v) for k, v in data[MAPPING].items()}
    return data  # OBJECT and TOO_BIG stay descriptions; the checker reports them


def _short_repr(value) -> str:
    try:
        text = repr(value)
    except BaseException:  # a student's __repr__ may raise anything
        return "?"
    return text if len(text) <= 120 else text[:117] + "..."


class _Blocker(importlib.abc.MetaPathFinder):
    """Refuses to import the named packages and modules (and what is inside them), with a message that says why."""

    def __init__(self, names, reason):
        self.names, self.reason = tuple(names), reason

    def find_spec(self, name, path=None, target=None):
        if any(name == blocked or name.startswith(blocked + ".") for blocked in self.names):
            raise ModuleNotFoundError(f"No module named {name!r} here: {self.reason}", name=name)
        return None


def _where(exc: BaseException, student_file: str) -> str:
    """The innermost line of the student's file in the traceback: ``line 12: return W @ x``."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == student_file]
    if isinstance(exc, SyntaxError) and exc.filename == student_file and exc.lineno:
        text = (exc.text or "").strip()
        return f"line {exc.lineno}" + (f": {text}" if text else "")
    if not frames:
        return ""
    frame = frames[-1]
    return f"line {frame.lineno}" + (f": {frame.line.strip()}" if frame.line else "")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, SyntaxError):
        return f"{type(exc).__name__}: {exc.msg}"
    if isinstance(exc, SystemExit):
        return f"SystemExit: the code called exit({'' if exc.code is None else repr(exc.code)})"
    message = _short_repr(exc) if not str(exc) else str(exc)
    message = " ".join(message.split())
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _kind(exc: BaseException) -> str:
    if isinstance(exc, NotImplementedError):
        return "not_implemented"
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, RecursionError):
        return "recursion"
    return "error"


def call_all(module_or_functions, calls, write, student_file: str = "") -> None:
    """Run each call ``{"function", "args"}`` on the student's module; report each outcome through ``write``."""
    for index, call in enumerate(calls):
        write({"start": index})
        name = call["function"]
        if isinstance(module_or_functions, dict):
            function = module_or_functions.get(name)
        else:
            function = getattr(module_or_functions, name, None)
        if function is None:
            write({"index": index, "kind": "missing", "error": f"no function {name}"})
            continue
        if not callable(function):
            write({"index": index, "kind": "missing", "error": f"{name} is a {type(function).__name__}, not a function"})
            continue
        try:
            value = function(*decode(call["args"]))
            answer = encode(value)
            text = json.dumps({"index": index, "ok": answer}, allow_nan=True)
        except BaseException as exc:  # noqa: BLE001 - whatever the student's code raises is an answer too
            write({"index": index, "kind": _kind(exc), "error": _describe(exc), "where": _where(exc, student_file)})
            continue
        write(text)


def _limit_processes(request) -> None:
    """The sandbox-wide limits the request asks for: processes (of this uid in this sandbox) and open files."""
    try:
        import resource
    except ImportError:  # Windows: no such limits (and no sandbox)
        return

    for limit, value in ((getattr(resource, "RLIMIT_NPROC", None), request.get("max_processes")),
                         (resource.RLIMIT_NOFILE, request.get("max_open_files"))):
        if limit is not None and value:
            try:
                resource.setrlimit(limit, (value, value))
            except (ValueError, OSError):
                pass


def _descriptor_or_path(arg: str):
    """A descriptor the checker passed (its number), or a file's path (Windows, where none is inherited by number)."""
    return int(arg) if arg.isdigit() else arg


# seccomp: the system calls by which a process opens a network connection, refused (EACCES) before the
# student's code runs, where the kernel cannot be asked for a network namespace (drop-privileges): socket(),
# io_uring_setup() (io_uring can open sockets too), and any call of another ABI (x32, i386 int 0x80).
_ARCHES = {"x86_64": (0xC000003E, (41, 425)), "aarch64": (0xC00000B7, (198, 425))}


def _no_network() -> bool:
    """Install the seccomp filter that refuses sockets; True if it is in place (Linux on x86_64 or arm64)."""
    import ctypes
    import os
    import struct

    machine = os.uname().machine if hasattr(os, "uname") else ""
    if not sys.platform.startswith("linux") or machine not in _ARCHES:
        return False
    arch, refused = _ARCHES[machine]
    ld_w_abs, jeq_k, jset_k, ret_k = 0x20, 0x15, 0x45, 0x06
    allow, deny = 0x7FFF0000, 0x00050000 | 13  # SECCOMP_RET_ALLOW, SECCOMP_RET_ERRNO | EACCES
    program = [(ld_w_abs, 0, 0, 4),  # A = seccomp_data.arch
               (jeq_k, 1, 0, arch),  # the native ABI: go on; another: refuse
               (ret_k, 0, 0, deny),
               (ld_w_abs, 0, 0, 0),  # A = seccomp_data.nr
               (jset_k, len(refused) + 1, 0, 0x40000000)]  # x32 calls on x86_64: refuse
    for k, number in enumerate(refused):
        program.append((jeq_k, len(refused) - k, 0, number))
    program += [(ret_k, 0, 0, allow), (ret_k, 0, 0, deny)]
    code = b"".join(struct.pack("HBBI", *op) for op in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = struct.pack("HxxxxxxP", len(program), ctypes.addressof(buffer))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(38, 1, None, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS: required to filter without privileges
        return False
    fprog_buffer = ctypes.create_string_buffer(fprog, len(fprog))
    return libc.prctl(22, 2, ctypes.addressof(fprog_buffer), 0, 0) == 0  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER


def main(request_arg: str, results_arg: str) -> int:
    with open(_descriptor_or_path(request_arg), "rb") as f:
        request = json.loads(f.read().decode("utf-8"))
    results = open(_descriptor_or_path(results_arg), "w", encoding="utf-8", buffering=1)

    def write(record) -> None:
        results.write((record if isinstance(record, str) else json.dumps(record, allow_nan=True)) + "\n")
        results.flush()

    sys.path[:0] = request.get("sys_path") or []
    _limit_processes(request)
    if request.get("no_network"):
        try:
            _no_network()
        except (OSError, AttributeError, ImportError):  # no ctypes or no prctl: the namespaces (if any) still hold
            pass

    try:
        import numpy  # noqa: F401 - the inputs are numpy arrays; imported before any block applies
    except ImportError:
        pass
    blocked = request.get("blocked") or []
    if blocked:
        sys.meta_path.insert(0, _Blocker(blocked, request.get("reason", "not available in this exercise")))
    student_file = request["file"]
    sys.argv = [student_file]
    try:
        spec = importlib.util.spec_from_file_location("student_exercise", student_file)
        module = importlib.util.module_from_spec(spec)
        sys.modules["student_exercise"] = module
        spec.loader.exec_module(module)
    except BaseException as exc:  # noqa: BLE001 - a file that does not import is the student's answer too
        write({"import": "error", "kind": _kind(exc), "error": _describe(exc), "where": _where(exc, student_file)})
        return 0
    write({"import": "ok"})
    call_all(module, request["calls"], write, student_file)
    write({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
