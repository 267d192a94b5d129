"""``affine3d bench grade``: checks per second of ``affine3d exercise grade``, one job against one job per core.

A class of generated students, each with an ``exercise_4.py`` (the house on the roof: a geometric
exercise, so every check runs the student's file in its own process, grades it, and rasterizes the
silhouettes for the IoU check and the picture). The answer is a wrong one on purpose (the identity
matrix: every check runs to the end, and no solution sits in the package). The class is graded
twice from scratch, with ``--jobs 1`` and with ``--jobs`` = the CPUs this process may use; *x one
job* is the ratio of the two rates, measured in the same run. With one core both rows are one job.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from ..i18n import N_
from .core import Table, pause

TITLE = "grade: checks per second of `affine3d exercise grade` (exercise 4, a new file each), one job against one per core"
COLUMNS = [N_("jobs"), N_("checks"), N_("seconds"), N_("checks/s"), N_("x one job")]

_ANSWER = "import numpy as np\n\n\ndef model_matrix(s, angle_deg, t):\n    return np.eye(4)\n"


def make_class(root: Path, students: int) -> Path:
    """``students`` folders under ``root``, each with an exercise_4.py (the identity: wrong, but it runs)."""
    for k in range(students):
        folder = root / f"student{k:03d}"
        folder.mkdir(parents=True)
        (folder / "exercise_4.py").write_text(f"EXERCISE = 4\nSTUDENT = 'student{k:03d}'\n" + _ANSWER, encoding="utf-8")
    return root


def run(quick: bool = False) -> list[Table]:
    from ..exercises.grade import grade

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    students = 8 if quick else 24
    table = Table(TITLE, COLUMNS)
    rates = {}
    for jobs in dict.fromkeys((1, cores)):
        with tempfile.TemporaryDirectory(prefix="affine3d-bench-grade-") as tmp:
            root = make_class(Path(tmp) / "class", students)
            started = time.perf_counter()
            result = grade(root, jobs=jobs, progress=False)
            seconds = time.perf_counter() - started
        rates[jobs] = result.checked / seconds
        table.add(jobs, result.checked, round(seconds, 2), rates[jobs], rates[jobs] / rates[1])
        pause()
    table.notes.append(f"{students} students, each file new (nothing kept from an earlier run); {cores} CPU(s) here. "
                       "Each check starts a Python for the student's file, so a check costs ~0.1-0.5 s of CPU.")
    if cores == 1:
        table.notes.append("one CPU: no parallel row")
    return [table]
