"""What a teacher reads after ``affine3d exercise grade``: the gradebook (CSV, JSON) and the class's mistakes.

- :func:`csv_text`: one row per student, for a spreadsheet: the id, the folder, for each exercise the
  points and the maximum, the total and its maximum, and the notes (a wrong layout, two ids).
- :func:`as_json`: every check of every student (points, message, the mistake recognised), the notes,
  the table of mistakes.
- :func:`mistakes`: per exercise, how many students passed each check, and how many made each
  mistake (a student counts once per mistake, however many checks it failed); :func:`mistakes_text`
  prints it, :func:`mistakes_chart` draws it as bars, big enough to show on a slide.
"""

from __future__ import annotations

import csv
import io

import numpy as np

from ..version import __version__
from .. import i18n
from ..i18n import N_, _, ngettext
from .feedback import fmt

__all__ = ["rows", "csv_text", "as_json", "mistakes", "mistakes_text", "mistakes_chart", "ALL_PASS"]

ALL_PASS = "all checks pass"
"""The table's name for the students with full marks."""

_PROBLEMS = ("no file", "not graded", "not checked", "does not run", "time limit", "error", "not recognised",
             "not implemented")

# The labels are keys (the JSON and the CSV keep them as they are); the table and the chart show them in the
# reader's language. A label not listed here is shown as it is.
LABELS = {
    "all checks pass": N_("all checks pass"),
    "no file": N_("no file"),
    "not graded": N_("not graded"),
    "not checked": N_("not checked"),
    "does not run": N_("does not run"),
    "time limit": N_("time limit"),
    "error": N_("error"),
    "not recognised": N_("not recognised"),
    "not implemented": N_("not implemented"),
    "A n": N_("A n"),
    "activation on the output": N_("activation on the output"),
    "activations swapped": N_("activations swapped"),
    "alpha plus gamma": N_("alpha plus gamma"),
    "axis not normalised": N_("axis not normalised"),
    "batch axis dropped": N_("batch axis dropped"),
    "bias missing": N_("bias missing"),
    "biases not carried": N_("biases not carried"),
    "big-endian": N_("big-endian"),
    "degrees": N_("degrees"),
    "flattening": N_("flattening"),
    "float64": N_("float64"),
    "half the translation": N_("half the translation"),
    "inverse": N_("inverse"),
    "inverse not transposed": N_("inverse not transposed"),
    "inward normals": N_("inward normals"),
    "no activation": N_("no activation"),
    "no biases": N_("no biases"),
    "no sum": N_("no sum"),
    "not normalised": N_("not normalised"),
    "not reshaped": N_("not reshaped"),
    "offsets from the file start": N_("offsets from the file start"),
    "order": N_("order"),
    "reflection": N_("reflection"),
    "reverse order": N_("reverse order"),
    "translation in last row": N_("translation in last row"),
    "translation missing": N_("translation missing"),
    "transpose": N_("transpose"),
    "weights only of the hidden layers": N_("weights only of the hidden layers"),
    "widths multiplied": N_("widths multiplied"),
    "wrong activation": N_("wrong activation"),
    "wrong dtype": N_("wrong dtype"),
    "no divide by w": N_("no divide by w"),
    "y not flipped": N_("y not flipped"),
    "divided by z": N_("divided by z"),
    "NDC not mapped": N_("NDC not mapped"),
    "why: matrix": N_("why: matrix"),
    "why: gpu": N_("why: gpu"),
    "why: depth": N_("why: depth"),
    "4x4": N_("4x4"),
}


def label_text(label: str) -> str:
    """A label (a mistake's key, a problem) as the table and the chart show it, in the reader's language."""
    return i18n._(LABELS[label]) if label in LABELS else label


def _points(x) -> str:
    return fmt(float(x)) if x else "0"


def rows(grading) -> list[dict]:
    """One dict per student folder: ``student``, ``folder``, ``exercises`` (N -> record), ``total``, ``max_total``,
    ``notes``."""
    out = []
    for folder in grading.folders:
        records = {n: grading.records[(folder, n)] for n in grading.exercises if (folder, n) in grading.records}
        out.append({
            "student": grading.ids.get(folder, folder),
            "folder": folder,
            "exercises": records,
            "total": sum(float(r["score"]) for r in records.values()),
            "max_total": sum(float(r["max_score"]) for r in records.values()),
            "notes": list(grading.notes.get(folder, [])),
        })
    return out


def csv_text(grading) -> str:
    """The gradebook as CSV: ``student, folder, exercise_N, exercise_N max, ..., total, total max, notes``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    header = ["student", "folder"]
    for n in grading.exercises:
        header += [f"exercise_{n}", f"exercise_{n} max"]
    writer.writerow(header + ["total", "total max", "notes"])
    for row in rows(grading):
        line = [row["student"], row["folder"]]
        for n in grading.exercises:
            record = row["exercises"][n]
            line += [_points(record["score"]), _points(record["max_score"])]
        writer.writerow(line + [_points(row["total"]), _points(row["max_total"]), "; ".join(row["notes"])])
    return buffer.getvalue()


def as_json(grading) -> dict:
    """The gradebook as plain data: every student's every check, the notes, and the class's mistakes."""
    students = []
    for row in rows(grading):
        exercises = {}
        for n, record in row["exercises"].items():
            exercises[str(n)] = {k: v for k, v in record.items() if k != "feedback_text"}
        students.append({"student": row["student"], "folder": row["folder"], "total": row["total"],
                         "max_total": row["max_total"], "notes": row["notes"], "exercises": exercises})
    return {
        "affine3d": __version__,
        "directory": str(grading.directory),
        "exercises": grading.exercises,
        "checked": grading.checked,
        "from_cache": grading.from_cache,
        "interrupted": grading.interrupted,
        "notes": list(grading.general_notes),
        "students": students,
        "mistakes": mistakes(grading),
    }


def mistakes(grading) -> list[dict]:
    """Per exercise: ``exercise``, ``title``, ``students``, ``checks`` (name, passed) and ``mistakes`` (label, count).

    ``mistakes`` are sorted by count, the most common first; full marks count as :data:`ALL_PASS`.
    """
    from .workflow import get

    table = []
    for n in grading.exercises:
        records = [grading.records[(folder, n)] for folder in grading.folders if (folder, n) in grading.records]
        checks: dict[str, int] = {}
        counts: dict[str, int] = {}
        for record in records:
            for c in record["checks"]:
                checks[c["name"]] = checks.get(c["name"], 0) + int(bool(c["passed"]))
            labels = set(record.get("labels") or [])
            if record["checks"] and not labels and record["score"] >= record["max_score"]:
                labels = {ALL_PASS}
            for label in labels:
                counts[label] = counts.get(label, 0) + 1
        # full marks, the named mistakes, "not recognised", then the files that gave no answer: most common first
        rank = {ALL_PASS: 0, "not recognised": 2}
        order = sorted(counts.items(), key=lambda kv: (rank.get(kv[0], 3 if kv[0] in _PROBLEMS else 1), -kv[1], kv[0]))
        table.append({"exercise": n, "title": get(n).title, "students": len(records),
                      "checks": [{"name": name, "passed": passed} for name, passed in checks.items()],
                      "mistakes": [{"label": label, "count": count} for label, count in order]})
    return table


def mistakes_text(table: list[dict]) -> str:
    """The table as the lines ``grade`` ends with."""
    lines = []
    for entry in table:
        lines.append(_heading(entry))
        for c in entry["checks"]:
            lines.append("  " + _("passed {passed} of {students}: {name}").format(
                passed=f"{c['passed']:>4}", students=entry["students"], name=c["name"]))
        named = [f"{label_text(m['label'])}: {m['count']}" for m in entry["mistakes"] if m["label"] != ALL_PASS]
        full = next((m["count"] for m in entry["mistakes"] if m["label"] == ALL_PASS), 0)
        lines.append("  " + _("full marks: {count}").format(count=full)
                     + (_("; mistakes (students): {mistakes}").format(mistakes=", ".join(named)) if named else ""))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ the chart
_WIDTH = 1600
_COLORS = {ALL_PASS: (46, 139, 87), "named": (230, 120, 30), "problem": (140, 140, 150)}


def mistakes_chart(table: list[dict]) -> np.ndarray:
    """The table as a bar chart, (H, 1600, 3) uint8: per exercise a title and one bar per label, counts written
    at the bars' ends; full marks green, named mistakes orange, files that gave no answer grey.

    Sized for a slide: 30-pixel labels on a 1600-pixel-wide picture are legible from the back of a lecture hall.
    """
    from PIL import Image, ImageDraw

    from ..images import font, wrap_text

    title_font, label_font, small_font = font(40, bold=True), font(30), font(24)
    row_h, label_w, margin = 52, 560, 40
    heights = []
    for entry in table:
        checks = _checks_line(entry)
        heights.append(70 + 40 * len(wrap_text(checks, small_font, _WIDTH - 2 * margin)) + row_h * max(1, len(entry["mistakes"])) + 40)
    image = Image.new("RGB", (_WIDTH, max(200, sum(heights) + 2 * margin)), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    y = margin
    for entry, height in zip(table, heights):
        draw.text((margin, y), _heading(entry, capital=True),
                  font=title_font, fill=(20, 20, 20))
        y += 60
        for line in wrap_text(_checks_line(entry), small_font, _WIDTH - 2 * margin):
            draw.text((margin, y), line, font=small_font, fill=(70, 70, 70))
            y += 40
        top = max([m["count"] for m in entry["mistakes"]] + [1])
        bar_w = _WIDTH - label_w - 2 * margin - 220
        for m in entry["mistakes"]:
            kind = m["label"] if m["label"] == ALL_PASS else "problem" if m["label"] in _PROBLEMS else "named"
            label = label_text(m["label"])
            shown = label if draw.textlength(label, font=label_font) < label_w - 20 else label[:28] + "…"
            draw.text((margin + label_w - 20, y + row_h / 2), shown, font=label_font, fill=(20, 20, 20), anchor="rm")
            length = max(4, round(bar_w * m["count"] / top))
            draw.rectangle([margin + label_w, y + 8, margin + label_w + length, y + row_h - 8], fill=_COLORS[kind])
            count = ngettext("{count} student", "{count} students", m["count"]).format(count=m["count"])
            draw.text((margin + label_w + length + 14, y + row_h / 2), count, font=label_font, fill=(20, 20, 20),
                      anchor="lm")
            y += row_h
        if not entry["mistakes"]:
            draw.text((margin + label_w, y + row_h / 2), _("no files"), font=label_font, fill=(70, 70, 70), anchor="lm")
            y += row_h
        y += 40
    return np.asarray(image)


def _checks_line(entry: dict) -> str:
    parts = [_("{name}: {passed}/{students} passed").format(name=c["name"], passed=c["passed"], students=entry["students"])
             for c in entry["checks"]]
    return "; ".join(parts) if parts else _("no check ran")


def _heading(entry: dict, capital: bool = False) -> str:
    """``exercise N: title (K students)`` (``Exercise`` as a chart's title), in the reader's language, the title too."""
    if capital:
        text = ngettext("Exercise {number}: {title} ({students} student)",
                        "Exercise {number}: {title} ({students} students)", entry["students"])
    else:
        text = ngettext("exercise {number}: {title} ({students} student)",
                        "exercise {number}: {title} ({students} students)", entry["students"])
    return text.format(number=entry["exercise"], title=i18n._(entry["title"]), students=entry["students"])
