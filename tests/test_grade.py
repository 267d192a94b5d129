"""`affine3d exercise grade` and `autograder`: a generated class graded, the gradebook equal to `check`, the table of
mistakes counting what was planted, results kept between runs, and Gradescope's bundle installed offline and run.

The class is made here: right answers (the reference solutions of tests/exercise_solutions/, and a filled-in starter),
each named mistake of exercise 4 (and three of exercise 2) as a student would write it, untouched starters, broken
files, an endless loop, and wrong layouts (a missing file, two files, a folder name that is no id, a file that cannot
be read).
"""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from affine3d.cli import main
from affine3d.exercises import check, start

SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"
TIMEOUT = "3"  # seconds per file: the student with the endless loop costs this much
SECRET = "course secret 2026"  # the other cases are drawn from it and a nonce

EX4 = {  # the body of model_matrix(s, angle_deg, t) after S, R, T are built as the reference builds them
    "right": "return T @ R @ S",
    "reverse order": "return S @ R @ T",
    "order": "return R @ T @ S",
    "translation in last row": "return (T @ R @ S).T",
}
EX4_SOURCE = """
import numpy as np
EXERCISE = 4
{student}
def model_matrix(s, angle_deg, t):
    a = {angle}
    S = np.diag([s, s, s, 1.0])
    R = np.array([[np.cos(a), 0, {sin}, 0], [0, 1, 0, 0], [{msin}, 0, np.cos(a), 0], [0, 0, 0, 1]])
    T = np.eye(4)
    T[:3, 3] = t
    {body}
"""
EX2 = {
    "right": "return np.maximum(X @ W.T + b, 0.0)",
    "no activation": "return X @ W.T + b",
    "bias missing": "return np.maximum(X @ W.T, 0.0)",
    "transpose": "return np.maximum(W @ X.T + b[:, None], 0.0)",
}


def ex4(mistake="right", student=None) -> str:
    angle, sin, msin = "np.radians(angle_deg)", "np.sin(a)", "-np.sin(a)"
    body = EX4.get(mistake, EX4["right"])
    if mistake == "degrees":
        angle = "angle_deg"
    if mistake == "transpose":  # the rotation's sines swapped: it turns the other way
        sin, msin = msin, sin
    line = f"STUDENT = {student!r}" if student else ""
    return EX4_SOURCE.format(student=line, angle=angle, sin=sin, msin=msin, body=body)


def ex2(mistake="right") -> str:
    return f"import numpy as np\nEXERCISE = 2\ndef layer(W, b, X):\n    {EX2[mistake]}\n"


# folder -> (what was planted in exercise 4, what in exercise 2 or None for no file)
PLAN = {}
for k in range(8):
    PLAN[f"right{k}@uni.edu"] = ("right", "right" if k < 3 else None)
for key in ("reverse order", "degrees", "transpose", "translation in last row", "order"):
    for k in range(3 if key in ("reverse order", "degrees") else 2):
        PLAN[f"{key.replace(' ', '-')}{k}"] = (key, None)
PLAN.update({"nobias": ("right", "bias missing"), "noact": ("right", "no activation"), "transp2": ("right", "transpose")})
PLAN.update({f"starter{k}": ("not implemented", None) for k in range(3)})
PLAN.update({"syntax": ("does not run", None), "raises": ("error", None), "loop": ("time limit", None),
             "garbage": ("not recognised", None), "renamed": ("right in hw/", None), "missing": ("no file", "right"),
             "twofiles": ("not graded", None), "bad name!": ("not graded", None), "fifo": ("not graded", None),
             "other-id": ("right", None), "solution": ("right", "right")})


def make_class(root: Path) -> Path:
    """The class of PLAN under ``root``: one folder per student."""
    for folder, (four, two) in PLAN.items():
        d = root / folder
        d.mkdir(parents=True)
        if four in EX4 or four in ("degrees", "transpose"):
            (d / "exercise_4.py").write_text(ex4(four), encoding="utf-8")
        if two is not None:
            (d / "exercise_2.py").write_text(ex2(two), encoding="utf-8")
    shutil.copy(SOLUTIONS / "exercise_4.py", root / "solution" / "exercise_4.py")
    shutil.copy(SOLUTIONS / "exercise_2.py", root / "solution" / "exercise_2.py")
    for k in range(3):
        start(4, root / f"starter{k}", f"starter{k}")
    (root / "syntax" / "exercise_4.py").write_text("def model_matrix(s, angle_deg, t)\n    return 1\n")
    (root / "raises" / "exercise_4.py").write_text("def model_matrix(s, angle_deg, t):\n    return 1 / 0\n")
    (root / "loop" / "exercise_4.py").write_text("def model_matrix(s, angle_deg, t):\n    while True:\n        pass\n")
    (root / "garbage" / "exercise_4.py").write_text("import numpy as np\ndef model_matrix(s, angle_deg, t):\n"
                                                    "    return np.arange(16.0).reshape(4, 4)\n")
    (root / "renamed" / "hw").mkdir()
    (root / "renamed" / "hw" / "exercise_4.py").write_text(ex4("right"), encoding="utf-8")
    (root / "twofiles" / "exercise_4.py").write_text(ex4("right"), encoding="utf-8")
    (root / "twofiles" / "old").mkdir()
    (root / "twofiles" / "old" / "exercise_4.py").write_text(ex4("right"), encoding="utf-8")
    (root / "bad name!" / "exercise_4.py").write_text(ex4("right"), encoding="utf-8")
    os.mkfifo(root / "fifo" / "exercise_4.py")
    (root / "other-id" / "exercise_4.py").write_text(ex4("right", student="robert"), encoding="utf-8")
    return root


def run_cli(*args) -> tuple[int, str, str]:
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["exercise", *map(str, args)])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class, graded once by the CLI with --csv and --json."""
    root = make_class(tmp_path_factory.mktemp("class") / "class")
    out = root.parent
    code, stdout, stderr = run_cli("grade", root, "--csv", out / "grades.csv", "--json", out / "grades.json",
                                   "--timeout", TIMEOUT, "--jobs", "4", "--secret", SECRET)
    return root, code, stdout, stderr


def gradebook_csv(path: Path) -> dict:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["folder"]: row for row in csv.DictReader(f)}


def test_the_gradebook_has_every_student_and_counts_what_was_planted(graded):
    """Every folder is one CSV row; right answers get full marks, planted mistakes 0 on the matrix checks, layouts a note."""
    root, code, stdout, stderr = graded
    assert code == 0, stderr
    rows = gradebook_csv(root.parent / "grades.csv")
    assert set(rows) == set(PLAN)
    for folder, (four, two) in PLAN.items():
        row = rows[folder]
        assert row["exercise_4 max"] == "4" and row["exercise_2 max"] == "4"
        if four.startswith("right"):
            assert row["exercise_4"] == "4", (folder, row)
        elif four not in ("degrees", "transpose", "order"):  # (a wrong turn can still put the house on the roof)
            assert row["exercise_4"] == "0", (folder, row)
        else:
            assert float(row["exercise_4"]) <= 1, (folder, row)
        assert row["exercise_2"] == ("4" if two == "right" else "0"), (folder, row)
        assert float(row["total"]) == float(row["exercise_4"]) + float(row["exercise_2"])
    assert "not an id" in rows["bad name!"]["notes"] and "cannot be read" in rows["fifo"]["notes"]
    assert "2 files exercise_4.py" in rows["twofiles"]["notes"] and "no exercise_4.py" in rows["missing"]["notes"]
    assert rows["other-id"]["student"] == "robert" and "STUDENT = 'robert'" in rows["other-id"]["notes"]
    assert rows["renamed"]["exercise_4"] == "4"


def test_the_mistake_table_counts_each_planted_mistake_once_per_student(graded):
    """The table: each planted mistake of 4 and 2 with the number of students it was planted in; the chart is drawn."""
    root, _, stdout, _ = graded
    data = json.loads((root.parent / "grades.json").read_text(encoding="utf-8"))
    table = {entry["exercise"]: {m["label"]: m["count"] for m in entry["mistakes"]} for entry in data["mistakes"]}
    planted = {4: {}, 2: {}}
    for four, two in PLAN.values():
        planted[4][four] = planted[4].get(four, 0) + 1
        planted[2][two or "no file"] = planted[2].get(two or "no file", 0) + 1
    for n in (4, 2):
        right = sum(v for k, v in planted[n].items() if k.startswith("right"))
        expected = {("all checks pass" if k.startswith("right") else k): (right if k.startswith("right") else v)
                    for k, v in planted[n].items()}
        assert table[n] == expected, (n, table[n], expected)
    assert "reverse order: 3" in stdout and "not recognised: 1" in stdout
    from PIL import Image

    with Image.open(root / "mistakes.png") as image:
        assert image.width == 1600 and image.height > 600


def test_the_gradebook_equals_check_file_by_file(graded):
    """CSV and JSON points, and the feedback file beside each submission, are what `exercise check` says of that file."""
    root, _, _, _ = graded
    rows = gradebook_csv(root.parent / "grades.csv")
    data = {s["folder"]: s for s in json.loads((root.parent / "grades.json").read_text(encoding="utf-8"))["students"]}
    for folder in ("degrees0", "starter0", "syntax", "other-id", "nobias"):
        for n in (4, 2):
            path = root / folder / f"exercise_{n}.py"
            if not path.exists():
                continue
            students = None if folder in ("other-id", "starter0") else [folder]
            report = check(path, students=students, timeout_s=float(TIMEOUT), secret=SECRET, grading=True)[0]
            record = data[folder]["exercises"][str(n)]
            assert float(rows[folder][f"exercise_{n}"]) == record["score"] == report.score, (folder, n)
            assert [(c["name"], c["passed"], c["mistake"]) for c in record["checks"]] == \
                [(c.name, c.passed, c.mistake) for c in report.checks]
            # the student's own numbers are the same in both; the other cases come from each run's nonce
            assert record["checks"][0]["message"] == report.checks[0].message
            assert record["secret_id"] == report.secret_id != "" and record["sandbox"] == report.sandbox
            feedback = (root / folder / f"exercise_{n}.feedback.txt").read_text(encoding="utf-8")
            assert feedback.splitlines()[:len(report.checks) + 2] == \
                __import__("affine3d.exercises.report", fromlist=["text"]).text(report).splitlines()[:len(report.checks) + 2]
    assert (root / "right0@uni.edu" / "exercise_4-yours-vs-target.png").is_file()
    assert "did not finish within" in data["loop"]["exercises"]["4"]["checks"][0]["message"]


def test_a_rerun_checks_nothing_and_a_changed_file_is_checked_again(graded):
    """Results are kept by file hash: a second run checks nothing; after one file changes, that one file alone."""
    root, _, _, _ = graded
    code, out, _ = run_cli("grade", root, "--timeout", TIMEOUT, "--secret", SECRET)
    assert code == 0 and " 0 checked," in out, out
    (root / "degrees1" / "exercise_4.py").write_text(ex4("right"), encoding="utf-8")
    code, out, _ = run_cli("grade", root, "--timeout", TIMEOUT, "--exercise", "4", "--csv", root.parent / "again.csv",
                           "--secret", SECRET)
    assert code == 0 and " 1 checked," in out, out
    assert gradebook_csv(root.parent / "again.csv")["degrees1"]["exercise_4"] == "4"
    assert "degrees: 2" in out


def test_grade_usage_errors_are_one_line():
    """A DIR that is no folder, a bad --jobs: exit 2 and one line."""
    for args, message in ((["grade", "no-such-dir"], "is not a folder"), (["grade", ".", "--jobs", "0"], "--jobs")):
        code, _, err = run_cli(*args)
        assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err


def test_grading_without_a_sandbox_refuses_unless_told_unsafe(tmp_path, monkeypatch):
    """No sandbox: grade refuses at once with what to install; --unsafe-same-user grades, and every report says so."""
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "exercise_2.py").write_text(ex2("right"), encoding="utf-8")
    monkeypatch.setenv("AFFINE3D_SANDBOX", "same-user")
    code, _, err = run_cli("grade", tmp_path)
    assert code == 2 and "bubblewrap" in err and "--unsafe-same-user" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / ".affine3d-grades").exists()
    code, out, _ = run_cli("grade", tmp_path, "--unsafe-same-user", "--json", tmp_path / "g.json")
    record = json.loads((tmp_path / "g.json").read_text(encoding="utf-8"))["students"][0]["exercises"]["2"]
    assert code == 0 and record["score"] == 4 and record["sandbox"] == "same-user"
    assert any("graded without a sandbox" in note for note in record["notes"])


def test_ctrl_c_stops_cleanly_keeping_what_was_done(tmp_path):
    """SIGINT during grade: exit 130, no traceback, the gradebook written; the next run checks only the rest."""
    import signal
    import time

    root = tmp_path / "class"
    for k in range(6):
        (root / f"s{k}").mkdir(parents=True)
        (root / f"s{k}" / "exercise_2.py").write_text(ex2("right"), encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "affine3d", "exercise", "grade", str(root), "--jobs", "1",
                                "--csv", str(tmp_path / "g.csv")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    kept = root / ".affine3d-grades"
    deadline = time.monotonic() + 120
    while not (kept.is_dir() and any(kept.glob("*.json"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, (out, err)
    assert "Traceback" not in err and "stopped before the end" in out
    done = len(list(kept.glob("*.json")))
    assert 1 <= done < 6
    rows = gradebook_csv(tmp_path / "g.csv")
    assert sum(row["exercise_2"] == "4" for row in rows.values()) == done
    assert sum("not checked (stopped)" in row["notes"] for row in rows.values()) == 6 - done
    code, out, _ = run_cli("grade", root)
    assert code == 0 and f" {6 - done} checked, {done} unchanged" in out, out


# ------------------------------------------------------------------------------------------ Gradescope
@pytest.fixture(scope="module")
def autograder(tmp_path_factory):
    """The bundle for exercise 4 (with numpy and Pillow packed from this environment), unpacked into a root as
    Gradescope does, and setup.sh run there without the network."""
    base = tmp_path_factory.mktemp("gradescope")
    bundle = base / "autograder.zip"
    code, out, err = run_cli("autograder", "4", "-o", bundle, "--with-installed-dependencies", "--timeout", "20",
                             "--secret", SECRET)
    assert code == 0, err
    root = base / "autograder"
    with zipfile.ZipFile(bundle) as z:
        z.extractall(root / "source")
        names = z.namelist()
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    os.chmod(root / "run_autograder", 0o755)
    env = {**os.environ, "AFFINE3D_AUTOGRADER_ROOT": str(root), "AFFINE3D_AUTOGRADER_PYTHON": sys._base_executable,
           "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": "", "PIP_EXTRA_INDEX_URL": "", "PYTHONPATH": ""}
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env=env, cwd=root / "source",
                           capture_output=True, text=True, timeout=300)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    return root, env, names


def run_autograder(root: Path, env: dict, files: dict) -> dict:
    submission = root / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    for name, text in files.items():
        (submission / name).write_text(text, encoding="utf-8")
    (root / "submission_metadata.json").write_text(json.dumps({"users": [{"email": "ana@uni.edu"}]}))
    done = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_autograder_zip_has_gradescope_files_and_installs_offline(autograder):
    """setup.sh and run_autograder at the root of the zip, affine3d's wheel in it; setup.sh installed from it alone."""
    root, _, names = autograder
    assert {"setup.sh", "run_autograder", "affine3d-autograder.json"} <= set(names)
    assert any(n.startswith("wheels/affine3d-") and n.endswith("-py3-none-any.whl") for n in names)
    venv_python = root / "venv" / "bin" / "python"
    done = subprocess.run([str(venv_python), "-c", "import affine3d, sys; print(affine3d.__file__)"],
                          capture_output=True, text=True, timeout=60, env={"PATH": os.environ["PATH"]}, cwd=root)
    assert done.returncode == 0 and str(root / "venv") in done.stdout, done.stderr  # the wheel's copy, not ours


def test_run_autograder_scores_a_right_and_a_wrong_submission(autograder):
    """A right exercise_4.py scores 4 of 4, a reversed product 0 on the matrix checks: Gradescope's fields each time."""
    root, env, _ = autograder
    right = run_autograder(root, env, {"exercise_4.py": ex4("right", student="ana@uni.edu")})
    assert right["score"] == 4.0 and sum(t["max_score"] for t in right["tests"]) == 4.0
    wrong = run_autograder(root, env, {"exercise_4.py": ex4("reverse order")})  # no STUDENT line: the account's id
    assert wrong["score"] == 0.0 and "(student ana@uni.edu)" in wrong["output"]
    assert "the factors are in the reverse order" in wrong["tests"][0]["output"]
    for results in (right, wrong):
        assert isinstance(results["output"], str) and isinstance(results["execution_time"], (int, float))
        for test in results["tests"]:
            assert {"name", "score", "max_score", "status", "output", "visibility", "number"} <= set(test)
            assert test["status"] in ("passed", "failed")
    from affine3d.exercises.base import secret_id

    assert right["extra_data"]["secret_id"] == secret_id(SECRET) and right["extra_data"]["sandbox"] != "same-user"
    assert "AFFINE3D_COURSE_SECRET" not in env and (root / "source" / "secret.txt").stat().st_mode & 0o077 == 0
    nothing = run_autograder(root, env, {"notes.txt": "hello"})
    assert nothing["score"] == 0.0 and "upload one file exercise_4.py" in nothing["output"]
    # made with --lang pl (the zip records it): the students read the feedback in Polish, whatever Gradescope's locale
    config_path = root / "source" / "affine3d-autograder.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    assert config["language"] == "en"  # the tests run in English: the zip was made in English
    config_path.write_text(json.dumps({**config, "language": "pl"}), encoding="utf-8")
    try:
        polish = run_autograder(root, env, {"exercise_4.py": ex4("reverse order")})
        nothing_pl = run_autograder(root, env, {"notes.txt": "hello"})
    finally:
        config_path.write_text(json.dumps(config), encoding="utf-8")
    assert polish["score"] == 0.0 and "wynik: 0/4" in polish["output"]
    assert "czynniki są w odwrotnej kolejności" in polish["tests"][0]["output"]
    assert "wgraj jeden plik exercise_4.py" in nothing_pl["output"]


def test_autograder_usage_errors_are_one_line(tmp_path):
    """An existing zip without --force, an empty --wheels folder, an unknown exercise: exit 2, one line, nothing written."""
    (tmp_path / "there.zip").write_bytes(b"mine")
    (tmp_path / "empty").mkdir()
    for args, message in ((["4", "-o", tmp_path / "there.zip"], "--force"),
                          (["4", "-o", tmp_path / "a.zip", "--wheels", tmp_path / "empty"], "no .whl files"),
                          (["99", "-o", tmp_path / "b.zip"], "expected a number from 1 to")):
        code, _, err = run_cli("autograder", *args)
        assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert (tmp_path / "there.zip").read_bytes() == b"mine" and sorted(p.name for p in tmp_path.iterdir()) == [
        "empty", "there.zip"]


def test_the_wheel_of_affine3d_is_a_valid_wheel(tmp_path):
    """The packed wheel lists every file in RECORD with its SHA-256 and size, and carries the package's shaders."""
    import base64
    import hashlib

    from affine3d.exercises.autograder import wheel_of_affine3d

    wheel = wheel_of_affine3d(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        record = z.read(next(n for n in names if n.endswith(".dist-info/RECORD"))).decode().splitlines()
        for line in record:
            name, digest, size = line.rsplit(",", 2)
            if digest:
                data = z.read(name)
                assert digest == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
                assert int(size) == len(data)
    assert {line.rsplit(",", 2)[0] for line in record} == names
    assert "affine3d/exercises/grade.py" in names and any(n.startswith("affine3d/shaders/") for n in names)
    assert not any("__pycache__" in n for n in names)
