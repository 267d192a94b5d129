"""A checked exercise as text (what a student reads), as JSON, and as Gradescope's ``results.json``.

Gradescope's autograder specification (gradescope-autograders.readthedocs.io, "Autograder
Specifications"): ``run_autograder`` writes ``/autograder/results/results.json`` with a top-level
``score`` (a number), optional ``execution_time`` (seconds), ``output`` (text shown to the student)
and ``tests``, a list of objects with ``name``, ``score``, ``max_score``, ``status`` (``"passed"`` or
``"failed"``), ``output``, ``number`` and ``visibility``. :func:`gradescope` writes exactly those
fields; a course plugs it in unchanged.
"""

from __future__ import annotations

from .. import i18n
from ..i18n import N_, _
from .feedback import fmt

__all__ = ["text", "as_json", "gradescope", "PICTURE_LEGEND"]

PICTURE_LEGEND = N_("yours in orange, the target outlined in blue")  # shown through _()


def _points(x: float) -> str:
    return fmt(x) if x else "0"


def _line(check, previous=None) -> str:
    mark = "✓" if check.passed else "✗"
    line = f"  {mark} {_points(check.points)}/{_points(check.max_points)}  {check.name}"
    if not check.message:
        return line
    if previous is not None and check.message == previous.message and len(check.message) > 40:
        return line + ": " + _("the same as above")
    return f"{line}: {check.message}"


def text(report, picture_path=None, iou: float | None = None, picture_note: str = "") -> str:
    """The feedback a student reads: a title, one line per check, notes, the score and the picture's path."""
    ex = report.exercise
    lines = [_("affine3d exercise {number}: {title} (student {student})").format(
        number=ex.number, title=i18n._(ex.title), student=report.student)]
    lines += [_line(c, previous) for c, previous in zip(report.checks, [None, *report.checks])]
    lines += ["  " + _("note: {note}").format(note=note) for note in report.notes]
    lines.append(_("score: {score}/{max_score}").format(score=_points(report.score), max_score=_points(report.max_score))
                 + (_(" - all checks pass") if report.passed else ""))
    if picture_path is not None:
        overlap = _("; silhouettes overlap {percent}% (IoU)").format(percent=round(iou * 100)) if iou is not None else ""
        lines.append(_("picture: {path} ({legend}{overlap})").format(path=picture_path, legend=i18n._(PICTURE_LEGEND),
                                                                      overlap=overlap))
    elif picture_note:
        lines.append(_("picture: {note}").format(note=picture_note))
    return "\n".join(lines)


def as_json(report, picture_path=None, iou: float | None = None) -> dict:
    """The report as plain data (``affine3d exercise check --format json``)."""
    ex = report.exercise
    return {
        "exercise": ex.number,
        "title": ex.title,
        "student": report.student,
        "file": str(report.file),
        "score": report.score,
        "max_score": report.max_score,
        "passed": report.passed,
        "checks": [{"name": c.name, "score": c.points, "max_score": c.max_points, "passed": c.passed,
                    "message": c.message, "mistake": c.mistake} for c in report.checks],
        "notes": list(report.notes),
        "picture": None if picture_path is None else str(picture_path),
        "iou": iou,
        "seconds": round(report.seconds, 3),
        "sandbox": report.sandbox,
        "nonce": report.nonce,
        "secret_id": report.secret_id,
    }


def gradescope(report) -> dict:
    """``results.json`` for Gradescope's autograder: one test per check, the feedback as the outputs."""
    ex = report.exercise
    tests = []
    for k, c in enumerate(report.checks, start=1):
        tests.append({
            "name": c.name,
            "number": f"{ex.number}.{k}",
            "score": float(c.points),
            "max_score": float(c.max_points),
            "status": "passed" if c.passed else "failed",
            "output": ("✓ " if c.passed else "✗ ") + (c.message or (_("passed") if c.passed else _("failed"))),
            "visibility": "visible",
        })
    return {
        "score": float(report.score),
        "execution_time": round(report.seconds, 2),
        "output": text(report),
        "tests": tests,
        # Gradescope keeps extra_data with the submission (not shown to the student): what replays the check
        "extra_data": {"sandbox": report.sandbox, "nonce": report.nonce, "secret_id": report.secret_id},
    }
