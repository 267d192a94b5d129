"""Exercises that follow the lecture, each student with their own numbers, checked with feedback that teaches.

  affine3d exercise list
      the exercises: number, what it practises, the point of the lecture
  affine3d exercise start N [--dir DIR] [--student ID] [--force]
      write DIR/exercise_N.py: the task, your numbers (made from ID: the same ID gives the same
      numbers, so a teacher can make any student's file again), and functions to fill in
  affine3d exercise check FILE [--student ID] [--format text|json|gradescope]
      run FILE in a sandbox (as an unprivileged user, time, memory, process and disk limits), check
      its answers: one line per check (✓/✗, points, a hint on ✗), the score; for geometric
      exercises exercise_N-yours-vs-target.png next to FILE. Exit code 0 when every check passes,
      1 otherwise.
  affine3d exercise grade DIR [--exercise N] [--jobs J] [--csv PATH] [--json PATH] [--secret S]
      a whole class: DIR holds one folder per student with their exercise_N.py files; checks them
      in parallel, each in the sandbox (results kept in DIR/.affine3d-grades/, so a rerun checks
      only what changed), writes each student's exercise_N.feedback.txt (and picture) beside their
      file, the gradebook, and ends with the class's mistakes (also drawn in DIR/mistakes.png)
  affine3d exercise autograder N [-o autograder.zip] [--secret S]
      Gradescope's autograder for exercise N (setup.sh, run_autograder, affine3d's wheel, the
      course secret): upload it as a "Programming Assignment" autograder, "Zip file upload", base
      image Ubuntu

--format gradescope writes results.json (Gradescope's autograder format: score, and tests with
name, score, max_score, status, output) to --output, and prints the feedback too. json and
gradescope are grades: they need a sandbox (bubblewrap, or running as root) and refuse without one
unless --unsafe-same-user is given. The cases the checker adds to the student's own numbers are
drawn from the course secret ($AFFINE3D_COURSE_SECRET or --secret) and a fresh nonce; both are
recorded (the secret as a fingerprint), and --nonce with the same secret replays a check.

Examples:
  affine3d exercise start 4 --student alice --dir hw
  affine3d exercise check hw/exercise_4.py
  affine3d exercise check submission/exercise_4.py --student alice@uni.edu --format gradescope \\
      --output /autograder/results/results.json
  affine3d exercise grade class/ --csv grades.csv
  affine3d exercise autograder 4 -o exercise_4-autograder.zip
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = ("exercises with your own numbers, and feedback that says what is wrong: list, start N, check FILE; "
        "grade DIR (a class), autograder N (Gradescope)")


def add_arguments(parser) -> None:
    from ..exercises.autograder import GRADESCOPE_MEMORY_MB
    from ..exercises.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S

    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help="the exercises, with what each practises", description="List the exercises.")
    start = actions.add_parser("start", help="write exercise_N.py with your own numbers",
                               description="Write DIR/exercise_N.py: the task, your numbers, the functions to fill in.")
    start.add_argument("number", metavar="N", help="the exercise's number (affine3d exercise list)")
    start.add_argument("--dir", default=".", metavar="DIR", help="the folder to write it in (default: the current one)")
    start.add_argument("--student", default=None, metavar="ID",
                       help="your id (login or e-mail); your numbers are made from it (default: 'example')")
    start.add_argument("--force", action="store_true", help="replace an exercise_N.py that is already there")
    check = actions.add_parser("check", help="run a filled-in exercise file and grade it",
                               description="Run FILE in a sandbox (bubblewrap, or a fresh unprivileged user as root) "
                                           "with limits, grade its answers, and say what is wrong. Exit code 0 when "
                                           "every check passes, 1 otherwise.")
    check.add_argument("file", metavar="FILE", help="the exercise_N.py to check")
    check.add_argument("--student", default=None, metavar="ID",
                       help="whose numbers to check with (default: the STUDENT line of FILE)")
    check.add_argument("--exercise", default=None, metavar="N",
                       help="which exercise FILE answers (default: its EXERCISE line, or its name)")
    check.add_argument("--format", choices=("text", "json", "gradescope"), default="text",
                       help="text (default), json (on stdout, or --output), gradescope (results.json)")
    check.add_argument("-o", "--output", default=None, metavar="PATH",
                       help="where --format json or gradescope writes (default: stdout for json, "
                            "results.json for gradescope)")
    check.add_argument("--picture", default=None, metavar="PATH",
                       help="where the picture of a geometric exercise goes (default: exercise_N-yours-vs-target.png "
                            "next to FILE)")
    check.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                       help=f"seconds the file may run, all checks together (default: {DEFAULT_TIMEOUT_S:g})")
    check.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help=f"memory each process of the file may use (default: {DEFAULT_MEMORY_MB})")
    check.add_argument("--secret", default=None, metavar="TEXT",
                       help="the course secret the other cases are drawn from (default: $AFFINE3D_COURSE_SECRET; "
                            "the variable keeps it out of the process list)")
    check.add_argument("--nonce", default=None, metavar="HEX",
                       help="replay a check: the nonce its report recorded (default: a fresh one)")
    check.add_argument("--allow", action="append", default=[], metavar="PACKAGE",
                       help="a package the file may import besides numpy and the standard library (repeat for more)")
    check.add_argument("--unsafe-same-user", action="store_true",
                       help="grade even where no sandbox is possible: the file runs as you and could change anything "
                            "you can (every report says so)")
    grade = actions.add_parser("grade", help="check a whole class: a gradebook and the class's mistakes",
                               description="Check every student's exercise_N.py under DIR (one folder per student) in "
                                           "parallel; write each student's feedback beside their file, the gradebook "
                                           "(--csv, --json) and DIR/mistakes.png; end with the class's mistakes. "
                                           "Results are kept in DIR/.affine3d-grades/: a rerun checks only files that "
                                           "changed. Ctrl+C stops, keeping what was done.")
    grade.add_argument("dir", metavar="DIR", help="the class: DIR/<student id>/exercise_N.py")
    grade.add_argument("--exercise", default=None, metavar="N", help="only exercise N (default: every one found)")
    grade.add_argument("--jobs", type=int, default=None, metavar="J",
                       help="checks at a time (default: this machine's cores)")
    grade.add_argument("--csv", default=None, metavar="PATH", help="write the gradebook as CSV (one row per student)")
    grade.add_argument("--json", default=None, metavar="PATH",
                       help="write every check of every student, the notes and the mistakes as JSON")
    grade.add_argument("--chart", default=None, metavar="PATH",
                       help="where the bar chart of the class's mistakes goes (default: DIR/mistakes.png)")
    grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                       help=f"seconds each file may run (default: {DEFAULT_TIMEOUT_S:g})")
    grade.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help=f"memory each file may use (default: {DEFAULT_MEMORY_MB})")
    grade.add_argument("--secret", default=None, metavar="TEXT",
                       help="the course secret the other cases are drawn from (default: $AFFINE3D_COURSE_SECRET)")
    grade.add_argument("--allow", action="append", default=[], metavar="PACKAGE",
                       help="a package the files may import besides numpy and the standard library (repeat for more)")
    grade.add_argument("--unsafe-same-user", action="store_true",
                       help="grade even where no sandbox is possible: the files run as you and could change anything "
                            "you can, other students' files included (every report says so)")
    grade.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help="the progress bar (default: when stderr is a terminal)")
    auto = actions.add_parser("autograder", help="make Gradescope's autograder zip for exercise N",
                              description="Make Gradescope's autograder for exercise N: setup.sh (installs affine3d "
                                          "from the wheel inside the zip, offline), run_autograder (checks the "
                                          "student's exercise_N.py, writes results/results.json). Upload it in a "
                                          "Programming Assignment: Configure Autograder, Zip file upload, base "
                                          "image Ubuntu.")
    auto.add_argument("number", metavar="N", help="the exercise")
    auto.add_argument("-o", "--output", default=None, metavar="PATH",
                      help="the zip to write (default: exercise_N-autograder.zip)")
    auto.add_argument("--wheels", default=None, metavar="DIR",
                      help="also pack every .whl in DIR (numpy and Pillow for Gradescope's Python, from "
                           "'pip download'): then setup.sh needs no network at all")
    auto.add_argument("--with-installed-dependencies", action="store_true",
                      help="pack numpy and Pillow as installed here (right when Gradescope's Python and platform "
                           "are this machine's)")
    auto.add_argument("--secret", default=None, metavar="TEXT",
                      help="the course secret, kept in the zip alone (default: $AFFINE3D_COURSE_SECRET; none: the "
                           "other cases are drawn from the nonce only)")
    auto.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                      help=f"seconds the student's file may run (default: {DEFAULT_TIMEOUT_S:g})")
    auto.add_argument("--memory", type=int, default=GRADESCOPE_MEMORY_MB, metavar="MB",
                      help=f"memory the student's file may use (default: {GRADESCOPE_MEMORY_MB}; Gradescope's "
                           f"containers have 768 MB)")
    auto.add_argument("--force", action="store_true", help="replace the zip if it is there")


def run(args) -> int:
    from ..errors import UsageError

    if args.action == "list":
        return _list()
    if args.action == "start":
        return _start(args)
    if args.action == "check":
        return _check(args)
    if args.action == "grade":
        return _grade(args)
    if args.action == "autograder":
        return _autograder(args)
    raise UsageError("expected an action: list, start N, check FILE, grade DIR or autograder N (affine3d exercise --help)")


def _list() -> int:
    from ..exercises import EXERCISES

    for e in EXERCISES:
        print(f"{e.number:>2}. {e.title}: {e.goal}")
        print(f"    {e.lecture_point}" + (f" (draws {e.picture_name})" if e.geometric else ""))
    print("\nStart one with: affine3d exercise start N --student ID")
    return 0


def _start(args) -> int:
    from ..exercises import get, start
    from ..exercises.base import DEFAULT_STUDENT

    student = args.student or DEFAULT_STUDENT
    paths = start(args.number, args.dir, student, force=args.force)
    exercise = get(args.number)
    print(f"wrote {paths[0]}" + (f" (and {', '.join(str(p.name) for p in paths[1:])})" if paths[1:] else "")
          + f": exercise {exercise.number}, {exercise.title}, with the numbers of {student}")
    if args.student is None:
        print(f"  (no --student: these are the numbers of '{DEFAULT_STUDENT}'; a course gives each student their own id)")
    print(f"next: fill in {', '.join(exercise.functions)} in {paths[0].name}, then: affine3d exercise check {paths[0]}")
    return 0


def _check(args) -> int:
    from ..exercises import check, report
    from ..fileio import check_output, write_bytes

    grading = args.format in ("json", "gradescope")
    output = Path(args.output) if args.output else (Path("results.json") if args.format == "gradescope" else None)
    if output is not None:
        check_output(output, "--output")  # before the run: a missing folder is said at once, not after it
    if args.picture:
        check_output(args.picture, "--picture")
    reports = check(args.file, exercise=args.exercise, students=[args.student] if args.student else None,
                    timeout_s=args.timeout, memory_mb=args.memory, secret=args.secret, nonce=args.nonce,
                    grading=grading, unsafe_same_user=args.unsafe_same_user, allow=tuple(args.allow))
    result = reports[0]
    target = Path(args.picture) if args.picture else Path(args.file).parent / result.exercise.picture_name
    picture_path, iou, picture_note = result.save_picture(target, "--picture", strict=bool(args.picture))
    if picture_note.startswith("not written"):
        picture_note += "; choose a place with --picture PATH"
    if args.format == "json":
        data = json.dumps(report.as_json(result, picture_path, iou), indent=2, ensure_ascii=False)
        if output is not None:
            write_bytes(output, (data + "\n").encode("utf-8"), "--output")
        else:
            print(data)
    else:
        print(report.text(result, picture_path, iou, picture_note))
        if args.format == "gradescope":
            write_bytes(output, (json.dumps(report.gradescope(result), indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
                        "--output")
            print(f"results.json for Gradescope: {output}")
    sys.stdout.flush()
    return 0 if result.passed else 1


def _grade(args) -> int:
    from ..exercises import gradebook
    from ..exercises.grade import grade
    from ..fileio import check_output, write_bytes
    from ..images import save_png

    chart = Path(args.chart) if args.chart else Path(args.dir) / "mistakes.png"
    for option, path in (("--csv", args.csv), ("--json", args.json), ("--chart", args.chart)):
        if path:
            check_output(path, option)  # before the class is graded, not after
    result = grade(args.dir, exercise=args.exercise, jobs=args.jobs, timeout_s=args.timeout, memory_mb=args.memory,
                   secret=args.secret, unsafe_same_user=args.unsafe_same_user, allow=tuple(args.allow),
                   progress=args.progress)
    table = gradebook.mistakes(result)
    print(f"graded {len(result.folders)} students, exercise{'s' if len(result.exercises) != 1 else ''} "
          f"{', '.join(map(str, result.exercises)) or '(none found)'}: {result.checked} checked, "
          f"{result.from_cache} unchanged since the last run ({result.seconds:.1f} s)")
    for note in result.general_notes:
        print(f"note: {note}")
    missing: dict[str, list[str]] = {}
    for row in gradebook.rows(result):
        for note in row["notes"]:
            if note.startswith("no exercise_"):  # many, for a late exercise: one line each file name
                missing.setdefault(note[3:], []).append(row["folder"])
            else:
                print(f"note: {row['folder']}: {note}")
    for name, folders in missing.items():
        shown = ", ".join(folders[:8]) + (f" and {len(folders) - 8} more" if len(folders) > 8 else "")
        print(f"note: no {name}: {len(folders)} student{'s' if len(folders) != 1 else ''} ({shown})")
    print(gradebook.mistakes_text(table))
    save_png(gradebook.mistakes_chart(table), chart, "--chart")
    print(f"the class's mistakes, as a chart: {chart}")
    if args.csv:
        write_bytes(args.csv, gradebook.csv_text(result).encode("utf-8"), "--csv")
        print(f"gradebook: {args.csv}")
    if args.json:
        data = json.dumps(gradebook.as_json(result), indent=1, ensure_ascii=False) + "\n"
        write_bytes(args.json, data.encode("utf-8"), "--json")
        print(f"every check, as JSON: {args.json}")
    if result.interrupted:
        print("stopped before the end: run the same command again to check the rest")
        return 130
    return 0


def _autograder(args) -> int:
    from ..exercises.autograder import build

    output = Path(args.output or f"exercise_{args.number}-autograder.zip")
    info = build(args.number, output, wheels=args.wheels, installed_dependencies=args.with_installed_dependencies,
                 timeout_s=args.timeout, memory_mb=args.memory, secret=args.secret, force=args.force)
    print(f"wrote {output}: Gradescope's autograder for exercise {info['exercise']} (affine3d {info['affine3d']}; "
          f"{', '.join(info['wheels'])})")
    if not info["secret"]:
        print("  no course secret (--secret or $AFFINE3D_COURSE_SECRET): the other cases come from the nonce alone")
    if not info["offline"]:
        print("  setup.sh installs affine3d from the zip and numpy and Pillow from PyPI (Gradescope's build has the "
              "network); --wheels DIR packs them too")
    print("upload it on Gradescope: a Programming Assignment, Configure Autograder, 'Zip file upload', base image Ubuntu")
    return 0
