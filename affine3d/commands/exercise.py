"""`affine3d exercise`: exercises that follow the lecture (its --help text is DESCRIPTION below)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .. import i18n
from ..i18n import LANGUAGES, N_, _, ngettext, prose_number

# HELP and DESCRIPTION: marked for the catalogue, looked up by affine3d.cli in the chosen language
HELP = N_("exercises with your own numbers, and feedback that says what is wrong: list, start N, check FILE; "
          "grade DIR (a class), autograder N (Gradescope)")
DESCRIPTION = N_("""Exercises that follow the lecture, each student with their own numbers, checked with feedback that teaches.

  affine3d exercise list
      the exercises: number, what it practises, the point of the lecture
  affine3d exercise start N [--dir DIR] [--student ID] [--lang pl|en] [--force]
      write DIR/exercise_N.py: the task, your numbers (made from ID: the same ID gives the same
      numbers, so a teacher can make any student's file again), and functions to fill in; --lang
      picks the handout's language (the code is the same in every language)
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
  affine3d exercise autograder N [-o autograder.zip] [--secret S] [--lang pl|en]
      Gradescope's autograder for exercise N (setup.sh, run_autograder, affine3d's wheel, the
      course secret, the language of the feedback): upload it as a "Programming Assignment"
      autograder, "Zip file upload", base image Ubuntu

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
""")
__doc__ = DESCRIPTION  # noqa: A001 - the English text, for pydoc and a command line that reads __doc__


def add_arguments(parser) -> None:
    from ..exercises.autograder import GRADESCOPE_MEMORY_MB
    from ..exercises.runner import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_S

    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.add_parser("list", help=_("the exercises, with what each practises"), description=_("List the exercises."))
    start = actions.add_parser("start", help=_("write exercise_N.py with your own numbers"),
                               description=_("Write DIR/exercise_N.py: the task, your numbers, the functions to fill in."))
    start.add_argument("number", metavar="N", help=_("the exercise's number (affine3d exercise list)"))
    start.add_argument("--dir", default=".", metavar="DIR", help=_("the folder to write it in (default: the current one)"))
    start.add_argument("--student", default=None, metavar="ID",
                       help=_("your id (login or e-mail); your numbers are made from it (default: 'example')"))
    start.add_argument("--force", action="store_true", help=_("replace an exercise_N.py that is already there"))
    start.add_argument("--lang", dest="handout_lang", default=None, metavar="LANG", type=_language_option,
                       help=_("the handout's language, and this command's: {choices} (default: the language of "
                              "the messages, from affine3d --lang or LANGUAGE, LC_ALL, LC_MESSAGES, LANG); its code is "
                              "the same in every language").format(choices=", ".join(LANGUAGES)))
    check = actions.add_parser("check", help=_("run a filled-in exercise file and grade it"),
                               description=_("Run FILE in a sandbox (bubblewrap, or a fresh unprivileged user as root) "
                                           "with limits, grade its answers, and say what is wrong. Exit code 0 when "
                                           "every check passes, 1 otherwise."))
    check.add_argument("file", metavar="FILE", help=_("the exercise_N.py to check"))
    check.add_argument("--student", default=None, metavar="ID",
                       help=_("whose numbers to check with (default: the STUDENT line of FILE)"))
    check.add_argument("--exercise", default=None, metavar="N",
                       help=_("which exercise FILE answers (default: its EXERCISE line, or its name)"))
    check.add_argument("--format", choices=("text", "json", "gradescope"), default="text",
                       help=_("text (default), json (on stdout, or --output), gradescope (results.json)"))
    check.add_argument("-o", "--output", default=None, metavar="PATH",
                       help=_("where --format json or gradescope writes (default: stdout for json, "
                            "results.json for gradescope)"))
    check.add_argument("--picture", default=None, metavar="PATH",
                       help=_("where the picture of a geometric exercise goes (default: exercise_N-yours-vs-target.png "
                            "next to FILE)"))
    check.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                       help=_("seconds the file may run, all checks together (default: {seconds})").format(
                           seconds=f"{DEFAULT_TIMEOUT_S:g}"))
    check.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help=_("memory each process of the file may use (default: {megabytes})").format(
                           megabytes=DEFAULT_MEMORY_MB))
    check.add_argument("--secret", default=None, metavar="TEXT",
                       help=_("the course secret the other cases are drawn from (default: $AFFINE3D_COURSE_SECRET; "
                            "the variable keeps it out of the process list)"))
    check.add_argument("--nonce", default=None, metavar="HEX",
                       help=_("replay a check: the nonce its report recorded (default: a fresh one)"))
    check.add_argument("--allow", action="append", default=[], metavar="PACKAGE",
                       help=_("a package the file may import besides numpy and the standard library (repeat for more)"))
    check.add_argument("--unsafe-same-user", action="store_true",
                       help=_("grade even where no sandbox is possible: the file runs as you and could change anything "
                            "you can (every report says so)"))
    grade = actions.add_parser("grade", help=_("check a whole class: a gradebook and the class's mistakes"),
                               description=_("Check every student's exercise_N.py under DIR (one folder per student) in "
                                           "parallel; write each student's feedback beside their file, the gradebook "
                                           "(--csv, --json) and DIR/mistakes.png; end with the class's mistakes. "
                                           "Results are kept in DIR/.affine3d-grades/: a rerun checks only files that "
                                           "changed. Ctrl+C stops, keeping what was done."))
    grade.add_argument("dir", metavar="DIR", help=_("the class: DIR/<student id>/exercise_N.py"))
    grade.add_argument("--exercise", default=None, metavar="N", help=_("only exercise N (default: every one found)"))
    grade.add_argument("--jobs", type=int, default=None, metavar="J",
                       help=_("checks at a time (default: this machine's cores)"))
    grade.add_argument("--csv", default=None, metavar="PATH", help=_("write the gradebook as CSV (one row per student)"))
    grade.add_argument("--json", default=None, metavar="PATH",
                       help=_("write every check of every student, the notes and the mistakes as JSON"))
    grade.add_argument("--chart", default=None, metavar="PATH",
                       help=_("where the bar chart of the class's mistakes goes (default: DIR/mistakes.png)"))
    grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                       help=_("seconds each file may run (default: {seconds})").format(seconds=f"{DEFAULT_TIMEOUT_S:g}"))
    grade.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                       help=_("memory each file may use (default: {megabytes})").format(megabytes=DEFAULT_MEMORY_MB))
    grade.add_argument("--secret", default=None, metavar="TEXT",
                       help=_("the course secret the other cases are drawn from (default: $AFFINE3D_COURSE_SECRET)"))
    grade.add_argument("--allow", action="append", default=[], metavar="PACKAGE",
                       help=_("a package the files may import besides numpy and the standard library (repeat for more)"))
    grade.add_argument("--unsafe-same-user", action="store_true",
                       help=_("grade even where no sandbox is possible: the files run as you and could change anything "
                            "you can, other students' files included (every report says so)"))
    grade.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                       help=_("the progress bar (default: when stderr is a terminal)"))
    auto = actions.add_parser("autograder", help=_("make Gradescope's autograder zip for exercise N"),
                              description=_("Make Gradescope's autograder for exercise N: setup.sh (installs affine3d "
                                          "from the wheel inside the zip, offline), run_autograder (checks the "
                                          "student's exercise_N.py, writes results/results.json). Upload it in a "
                                          "Programming Assignment: Configure Autograder, Zip file upload, base "
                                          "image Ubuntu."))
    auto.add_argument("number", metavar="N", help=_("the exercise"))
    auto.add_argument("-o", "--output", default=None, metavar="PATH",
                      help=_("the zip to write (default: exercise_N-autograder.zip)"))
    auto.add_argument("--wheels", default=None, metavar="DIR",
                      help=_("also pack every .whl in DIR (numpy and Pillow for Gradescope's Python, from "
                           "'pip download'): then setup.sh needs no network at all"))
    auto.add_argument("--with-installed-dependencies", action="store_true",
                      help=_("pack numpy and Pillow as installed here (right when Gradescope's Python and platform "
                           "are this machine's)"))
    auto.add_argument("--secret", default=None, metavar="TEXT",
                      help=_("the course secret, kept in the zip alone (default: $AFFINE3D_COURSE_SECRET; none: the "
                           "other cases are drawn from the nonce only)"))
    auto.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                      help=_("seconds the student's file may run (default: {seconds})").format(
                          seconds=f"{DEFAULT_TIMEOUT_S:g}"))
    auto.add_argument("--memory", type=int, default=GRADESCOPE_MEMORY_MB, metavar="MB",
                      help=_("memory the student's file may use (default: {megabytes}; Gradescope's containers have "
                             "768 MB)").format(megabytes=GRADESCOPE_MEMORY_MB))
    auto.add_argument("--force", action="store_true", help=_("replace the zip if it is there"))
    auto.add_argument("--lang", dest="feedback_lang", default=None, metavar="LANG", type=_language_option,
                      help=_("the language of the students' feedback on Gradescope: {choices} (default: the "
                             "language of the messages here)").format(choices=", ".join(LANGUAGES)))


def _language_option(name: str) -> str:
    """``--lang``'s value as a language affine3d speaks (argparse says the one-line error otherwise)."""
    from ..i18n import checked_language

    try:
        return checked_language(name)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    raise UsageError(_("expected an action: list, start N, check FILE, grade DIR or autograder N (affine3d exercise "
                       "--help)"))


def _list() -> int:
    from ..exercises import EXERCISES

    for e in EXERCISES:
        print(f"{e.number:>2}. {i18n._(e.title)}: {i18n._(e.goal)}")
        print(f"    {e.lecture_point}" + (" " + _("(draws {picture})").format(picture=e.picture_name) if e.geometric else ""))
    print("\n" + _("Start one with: {command}").format(command="affine3d exercise start N --student ID"))
    return 0


def _start(args) -> int:
    from ..exercises.workflow import speaking

    with speaking(args.handout_lang):  # --lang: the handout and what is said about it, in that language
        return _start_in_language(args)


def _start_in_language(args) -> int:
    from ..exercises import get, start
    from ..exercises.base import DEFAULT_STUDENT

    student = args.student or DEFAULT_STUDENT
    paths = start(args.number, args.dir, student, force=args.force, language=args.handout_lang)
    exercise = get(args.number)
    also = _(" (and {files})").format(files=", ".join(str(p.name) for p in paths[1:])) if paths[1:] else ""
    print(_("wrote {path}{also}: exercise {number}, {title}, with the numbers of {student}").format(
        path=paths[0], also=also, number=exercise.number, title=i18n._(exercise.title), student=student))
    if args.student is None:
        print("  " + _("(no --student: these are the numbers of '{student}'; a course gives each student their own "
                       "id)").format(student=DEFAULT_STUDENT))
    print(_("next: fill in {functions} in {file}, then: {command}").format(
        functions=", ".join(exercise.functions), file=paths[0].name, command=f"affine3d exercise check {paths[0]}"))
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
    if picture_note and picture_note != _("none: your answer is not one that can be drawn yet"):  # drawn, not written
        picture_note += _("; choose a place with --picture PATH")
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
            print(_("results.json for Gradescope: {path}").format(path=output))
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
    exercises = ", ".join(map(str, result.exercises)) or _("(none found)")
    print(ngettext("graded {students} students, exercise {exercises}: {checked} checked, {cached} unchanged since "
                   "the last run ({seconds} s)",
                   "graded {students} students, exercises {exercises}: {checked} checked, {cached} unchanged since "
                   "the last run ({seconds} s)", len(result.exercises)).format(
        students=len(result.folders), exercises=exercises, checked=result.checked, cached=result.from_cache,
        seconds=prose_number(result.seconds, 1)))
    for note in result.general_notes:
        print(_("note: {note}").format(note=note))
    missing: dict[str, list[str]] = {}
    for row in gradebook.rows(result):
        for note in row["notes"]:
            if note.startswith("no exercise_"):  # many, for a late exercise: one line each file name
                missing.setdefault(note[3:], []).append(row["folder"])
            else:
                print(_("note: {note}").format(note=f"{row['folder']}: {note}"))
    for name, folders in missing.items():
        shown = ", ".join(folders[:8]) + (_(" and {count} more").format(count=len(folders) - 8) if len(folders) > 8 else "")
        print(_("note: {note}").format(note=ngettext("no {name}: {count} student ({shown})",
                                                     "no {name}: {count} students ({shown})", len(folders)).format(
            name=name, count=len(folders), shown=shown)))
    print(gradebook.mistakes_text(table))
    save_png(gradebook.mistakes_chart(table), chart, "--chart")
    print(_("the class's mistakes, as a chart: {path}").format(path=chart))
    if args.csv:
        write_bytes(args.csv, gradebook.csv_text(result).encode("utf-8"), "--csv")
        print(_("gradebook: {path}").format(path=args.csv))
    if args.json:
        data = json.dumps(gradebook.as_json(result), indent=1, ensure_ascii=False) + "\n"
        write_bytes(args.json, data.encode("utf-8"), "--json")
        print(_("every check, as JSON: {path}").format(path=args.json))
    if result.interrupted:
        print(_("stopped before the end: run the same command again to check the rest"))
        return 130
    return 0


def _autograder(args) -> int:
    from ..exercises.autograder import build

    output = Path(args.output or f"exercise_{args.number}-autograder.zip")
    info = build(args.number, output, wheels=args.wheels, installed_dependencies=args.with_installed_dependencies,
                 timeout_s=args.timeout, memory_mb=args.memory, secret=args.secret, force=args.force,
                 language=args.feedback_lang)
    print(_("wrote {path}: Gradescope's autograder for exercise {number} (affine3d {version}; {wheels}), feedback "
            "in {language}").format(path=output, number=info["exercise"], version=info["affine3d"],
                                    wheels=", ".join(info["wheels"]), language=LANGUAGES[info["language"]]))
    if not info["secret"]:
        print("  " + _("no course secret (--secret or $AFFINE3D_COURSE_SECRET): the other cases come from the nonce "
                       "alone"))
    if not info["offline"]:
        print("  " + _("setup.sh installs affine3d from the zip and numpy and Pillow from PyPI (Gradescope's build has "
                       "the network); --wheels DIR packs them too"))
    print(_("upload it on Gradescope: a Programming Assignment, Configure Autograder, 'Zip file upload', base image "
            "Ubuntu"))
    return 0
