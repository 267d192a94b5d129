"""Timing and tables shared by the benchmark suites."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Callable

from ..errors import one_line


def best_time(fn: Callable[[], object], *, repeat: int = 5, min_time_s: float = 0.05) -> float:
    """Seconds per call of ``fn``: the best of ``repeat`` rounds, each long enough to time (>= ``min_time_s``).

    The minimum, not the mean: on a shared machine noise only ever adds time.
    """
    fn()  # warm up: caches, lazy kernels, thread pools
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_time_s or calls >= 1 << 20:
            break
        calls *= 2
    best = elapsed / calls
    for _ in range(repeat - 1):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def pause(seconds: float = 0.3) -> None:
    """Let idle BLAS/OpenMP/onnxruntime threads stop spinning before the next library is timed."""
    time.sleep(seconds)


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def gl_renderer() -> str:
    """The OpenGL renderer a headless context gets here, e.g. ``llvmpipe (LLVM 15.0.6, 256 bits), OpenGL 4.5``.

    Made lazily (moderngl is imported here, not at import time) and released at once; never raises:
    without OpenGL the text says why (the GL suites then report it in their own tables).
    """
    try:
        from ..gl.context import create_context

        ctx = create_context()
    except Exception as exc:  # GLUnavailableError, or anything an odd driver throws
        return f"unavailable ({one_line(exc)})"
    try:
        renderer = ctx.info.get("GL_RENDERER", "unknown renderer")
        version = int(ctx.version_code)
        return f"{renderer}, OpenGL {version // 100}.{version % 100 // 10}"
    finally:
        ctx.release()


def machine_info(*, gl: bool = False) -> dict:
    """Python, numpy, CPU and its BLAS threads (and, with ``gl``, the OpenGL renderer): the line every table is read against."""
    import numpy as np

    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
    }
    if hasattr(os, "getloadavg"):  # a shared machine's load when the run began: runnable processes, 1-minute average
        info["load"] = round(os.getloadavg()[0], 2)
    if gl:
        info["gl_renderer"] = gl_renderer()
    try:
        from threadpoolctl import threadpool_info  # optional

        info["blas_threads"] = {p["internal_api"]: p["num_threads"] for p in threadpool_info()}
    except ImportError:
        pass
    return info


def format_si(value: float, unit: str = "") -> str:
    """1234567 -> '1.23 M'; 0.00012 -> '120 µ' (for times: '120 µs')."""
    if value == 0:
        return f"0 {unit}".strip()
    for scale, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k"), (1, ""), (1e-3, "m"), (1e-6, "µ"), (1e-9, "n")):
        if abs(value) >= scale:
            return f"{value / scale:.3g} {prefix}{unit}".strip()
    return f"{value:.3g} {unit}".strip()


@dataclass
class Table:
    """A titled table of results; ``notes`` say what the reference is and how to read the ratios."""

    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row) -> None:
        self.rows.append(list(row))

    def format(self) -> str:
        """The table as text; a table without rows (a suite that could not run) is its title alone, one line."""
        if not self.rows:
            return self.title
        cells = [[_cell(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells if i < len(r)]) for i, c in enumerate(self.columns)]
        line = "  ".join(c.ljust(w) for c, w in zip(self.columns, widths))
        out = [self.title, "=" * len(self.title), line, "  ".join("-" * w for w in widths)]
        for row, raw in zip(cells, self.rows):
            out.append("  ".join(c.rjust(w) if _is_number(v) else c.ljust(w) for c, w, v in zip(row, widths, raw)))
        out.extend(f"  {note}" for note in self.notes)
        return "\n".join(out)

    def to_dict(self) -> dict:
        return {"title": self.title, "columns": self.columns, "rows": self.rows, "notes": self.notes}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) or (isinstance(value, str) and value[:1].isdigit())


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.3e}"
    return str(value)


SINGLE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""The environment of a child process whose BLAS and OpenMP pools start with one thread."""


def measure_in_child(module: str, call: str, how: str) -> tuple[list[list], list[str]]:
    """``rows, notes = module.<call>`` run in a fresh interpreter with :data:`SINGLE_THREAD_ENV`: one thread per library.

    ``call`` is the expression that returns ``(rows, notes)`` (e.g. ``measure((1, 64), repeat=5, threads=1)``);
    ``how`` ends the note that says how the child ran (which libraries were set to one thread, and how).
    """
    env = {**os.environ, **SINGLE_THREAD_ENV}
    code = (f"import json, sys; from {module} import measure; rows, notes = {call}; "
            "json.dump({'rows': rows, 'notes': notes}, sys.stdout)")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise ValueError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}")
    result = json.loads(done.stdout)
    notes = [n for n in result["notes"] if not n.startswith("Each library is paused")]
    notes.append("Run in a child process with " + " ".join(f"{k}={v}" for k, v in SINGLE_THREAD_ENV.items())
                 + f" and {how}: the same work on one core, no thread pool in the way.")
    return result["rows"], notes
