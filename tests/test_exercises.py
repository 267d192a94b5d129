"""`affine3d exercise`: reference solutions pass, common mistakes are named, broken files never break the checker.

The reference solutions are in tests/exercise_solutions/ (numpy, pytransform3d, onnx: nothing from affine3d);
each is run by the real checker, in its sandbox, for 20 student ids at once. The common mistakes are
graded in this process (``check_functions``: the same JSON round trip, no process), one test each.
"""

import contextlib
import io
import json
import math
import os
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from affine3d.cli import main
from affine3d.exercises import EXERCISES, check, check_functions, get, start
from affine3d.exercises.base import student_rng
from affine3d.exercises.feedback import MISTAKES

SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"
STUDENTS = [f"s{k:02d}@example.edu" for k in range(20)]
ALLOW = {13: ("pytransform3d",), 15: ("pytransform3d",)}
"""What the reference solutions import besides numpy: the sandbox lets a file import only what it is allowed."""


def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["exercise", *map(str, args)])
    return code, out.getvalue(), err.getvalue()


# ------------------------------------------------------------------------------------------ the references
@pytest.mark.parametrize("number", [e.number for e in EXERCISES])
def test_reference_solution_passes_every_check_for_20_students(number):
    """The reference solution, run by the checker in a child process, passes every check for 20 ids."""
    reports = check(SOLUTIONS / f"exercise_{number}.py", students=STUDENTS, timeout_s=120, allow=ALLOW.get(number, ()))
    assert [r.student for r in reports] == STUDENTS
    for report in reports:
        failed = [(c.name, c.message) for c in report.checks if not c.passed]
        assert not failed, (report.student, failed)
        assert report.score == report.max_score > 0


def test_there_are_at_least_12_exercises_numbered_in_order_with_a_lecture_point():
    """15 exercises, numbered 1.., each naming the lecture point it practises and the functions to write."""
    assert len(EXERCISES) >= 12
    assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))
    for e in EXERCISES:
        assert e.title and e.goal and e.functions
        assert e.lecture_point.startswith("lecture point ")
        assert (SOLUTIONS / f"exercise_{e.number}.py").is_file()


def test_the_solution_files_are_in_the_tests_not_in_the_package():
    """The reference solutions (exercise_N.py) are in tests/exercise_solutions/; the package has none."""
    import affine3d

    assert not list(Path(affine3d.__file__).parent.rglob("exercise_*.py"))
    assert sorted(p.name for p in SOLUTIONS.glob("exercise_*.py")) == sorted(f"exercise_{e.number}.py" for e in EXERCISES)


# ------------------------------------------------------------------------------------------ the common mistakes
def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def relu(z):
    return np.maximum(z, 0)


def h(A, b):
    M = np.eye(len(b) + 1)
    M[:-1, :-1], M[:-1, -1] = A, b
    return M


def rot(axis, angle):
    c, s = math.cos(angle), math.sin(angle)
    return {"x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]), "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
            "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])}[axis]


def house_matrix(s, angle, t, order="TRS", transposed_rotation=False):
    factors = {"T": h(np.eye(3), t), "R": h(rot("y", angle).T if transposed_rotation else rot("y", angle), np.zeros(3)),
               "S": np.diag([s, s, s, 1.0])}
    return factors[order[0]] @ factors[order[1]] @ factors[order[2]]


def to_pixels(P, p, width, height, *, divide=True, flip=True, by_z=False, transpose=False, ndc=False):
    clip = (P.T if transpose else P) @ np.append(p, 1)
    xy = clip[:2] / (p[2] if by_z else clip[3] if divide else 1.0)
    if ndc:
        return xy
    return np.array([(xy[0] + 1) / 2 * width, ((1 - xy[1]) if flip else (xy[1] + 1)) / 2 * height])


def onnx_forward(path, X, *, transposed=False, no_activation=False, swap=False, output_activation=False):
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    weights = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    functions = {"Relu": relu, "Sigmoid": sigmoid, "Tanh": np.tanh}
    activations = [n.op_type for n in model.graph.node if n.op_type != "Gemm"]
    if swap:
        activations = activations[::-1]
    a = np.asarray(X, dtype=np.float64)
    for k in range(1, 4):
        W, b = weights[f"layer{k}.weight"], weights[f"layer{k}.bias"]
        a = a @ (W if transposed else W.T) + b
        if k < 3 and not no_activation:
            a = functions[activations[k - 1]](a)
    if output_activation:
        a = functions[activations[-1]](a)
    return a


def read_tensor(path, name, *, from_file_start=False, flat=False, dtype_override=None, endian="<"):
    data = Path(path).read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    entry = json.loads(data[8:8 + length])[name]
    begin, end = entry["data_offsets"]
    start = 0 if from_file_start else 8 + length
    code = {"F16": "f2", "F32": "f4", "F64": "f8", "I32": "i4", "I64": "i8"}[entry["dtype"]]
    values = np.frombuffer(data[start + begin:start + end], dtype=dtype_override or endian + code)
    return values if flat or dtype_override else values.reshape(entry["shape"])


def mirror(n, d, *, factor=2.0, normalise=True, b_scale=1.0, b_zero=False, b_unnormalised=False):
    n = np.asarray(n, dtype=float)
    u = n / np.linalg.norm(n) if normalise else n
    W = np.eye(3) - factor * np.outer(u, u)
    if b_zero:
        return W, np.zeros(3)
    if b_unnormalised:
        return W, 2 * d * n
    return W, b_scale * 2 * d / np.linalg.norm(n) * (n / np.linalg.norm(n))


def euler(a, b, g, order="zyx", degrees=True):
    a, b, g = (math.radians(v) if degrees else v for v in (a, b, g))
    R = {"x": rot("x", a), "y": rot("y", b), "z": rot("z", g)}
    return R[order[0]] @ R[order[1]] @ R[order[2]]


def projection_onto(n, d):
    u = np.asarray(n, dtype=float) / np.linalg.norm(n)
    return np.eye(3) - np.outer(u, u), d / np.linalg.norm(n) * u


def rodrigues(axis, angle):
    k = np.asarray(axis, dtype=float)
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(angle) * K + (1 - math.cos(angle)) * K @ K


def unit(v):
    return np.asarray(v, dtype=float) / np.linalg.norm(v)


# (exercise, mistake key, the mistaken functions, a phrase of the hint that must be given)
MISTAKE_CASES = [
    (1, "no activation", {"neuron": lambda w, x, b: float(w @ x + b)}, "the sum before the activation"),
    (1, "wrong activation", {"neuron": lambda w, x, b: math.tanh(w @ x + b)}, "this is tanh(z)"),
    (1, "bias missing", {"neuron": lambda w, x, b: sigmoid(w @ x)}, "the bias b is missing"),
    (1, "no sum", {"neuron": lambda w, x, b: sigmoid(w * x + b)}, "sum the products"),
    (2, "transpose", {"layer": lambda W, b, X: relu(W @ X.T + b[:, None])}, "transpose of the answer"),
    (2, "no activation", {"layer": lambda W, b, X: X @ W.T + b}, "before the activation"),
    (2, "bias missing", {"layer": lambda W, b, X: relu(X @ W.T)}, "the biases b are missing"),
    (2, "batch axis dropped", {"layer": lambda W, b, X: relu(X @ W.T + b).squeeze()}, "keep the batch axis"),
    (3, "translation in last row", {"homogeneous": lambda A, b: h(A, b).T, "why_translation": lambda: "c"},
     MISTAKES["translation in last row"]),
    (3, "transpose", {"homogeneous": lambda A, b: h(A.T, b), "why_translation": lambda: "c"}, "A is transposed"),
    (3, "translation missing", {"homogeneous": lambda A, b: h(A, 0 * b), "why_translation": lambda: "c"},
     "the translation is missing"),
    (3, "why: matrix", {"homogeneous": h, "why_translation": lambda: "a"}, "no 3x3 matrix moves the origin"),
    (3, "why: depth", {"homogeneous": h, "why_translation": lambda: "(B)"}, "w in a perspective projection"),
    (3, "why: gpu", {"homogeneous": h, "why_translation": lambda: "d"}, "not the other way round"),
    (4, "reverse order", {"model_matrix": lambda s, a, t: house_matrix(s, math.radians(a), t, "SRT")},
     MISTAKES["reverse order"]),
    (4, "degrees", {"model_matrix": lambda s, a, t: house_matrix(s, a, t)}, MISTAKES["degrees"]),
    (4, "translation in last row", {"model_matrix": lambda s, a, t: house_matrix(s, math.radians(a), t).T},
     MISTAKES["translation in last row"]),
    (4, "transpose", {"model_matrix": lambda s, a, t: house_matrix(s, math.radians(a), t, transposed_rotation=True)},
     "the rotation turns the wrong way"),
    (4, "order", {"model_matrix": lambda s, a, t: house_matrix(s, math.radians(a), t, "RTS")},
     "the three steps are in the wrong order"),
    (5, "inverse", {"world_to_camera": lambda R, eye: h(R, eye)}, "this is the camera's pose"),
    (5, "reverse order", {"world_to_camera": lambda R, eye: h(R.T, -eye)}, "first move the eye to the origin"),
    (5, "translation in last row", {"world_to_camera": lambda R, eye: h(R.T, -R.T @ eye).T},
     MISTAKES["translation in last row"]),
    (5, "transpose", {"world_to_camera": lambda R, eye: h(R, -R.T @ eye)}, "the rotation part is R itself"),
    (6, "A n", {"normal_matrix": lambda M: M[:3, :3]}, MISTAKES["A n"]),
    (6, "inverse not transposed", {"normal_matrix": lambda M: np.linalg.inv(M[:3, :3])}, "A^-1 without the transpose"),
    (6, "transpose", {"normal_matrix": lambda M: M[:3, :3].T}, "the transpose without the inverse"),
    (6, "4x4", {"normal_matrix": lambda M: np.linalg.inv(M).T}, "a translation does not move them"),
    (6, "inward normals", {"normal_matrix": lambda M: -np.linalg.inv(M[:3, :3]).T}, "point into the solid"),
    (7, "no divide by w", {"to_pixels": lambda P, p, w, h_: to_pixels(P, p, w, h_, divide=False)},
     MISTAKES["no divide by w"]),
    (7, "y not flipped", {"to_pixels": lambda P, p, w, h_: to_pixels(P, p, w, h_, flip=False)}, "y is upside down"),
    (7, "divided by z", {"to_pixels": lambda P, p, w, h_: to_pixels(P, p, w, h_, by_z=True)}, "you divided by z, not by w"),
    (7, "transpose", {"to_pixels": lambda P, p, w, h_: to_pixels(P, p, w, h_, transpose=True)}, "transpose of P"),
    (7, "NDC not mapped", {"to_pixels": lambda P, p, w, h_: to_pixels(P, p, w, h_, ndc=True)},
     "normalised device coordinates"),
    (8, "reverse order", {"collapse": lambda Ws, bs: collapse_net(Ws[::-1], bs[::-1])}, "W1 stands rightmost"),
    (8, "biases not carried", {"collapse": lambda Ws, bs: (collapse_net(Ws, bs)[0], np.sum(bs, axis=0))},
     "each bias also goes through the later layers"),
    (9, "not normalised", {"flatten": lambda n, d: (np.eye(3) - np.outer(n, n), d * n)}, "only for a unit n"),
    (9, "translation missing", {"flatten": lambda n, d: (projection_onto(n, d)[0], np.zeros(3))},
     "onto the parallel plane through the origin"),
    (9, "reflection", {"flatten": lambda n, d: mirror(n, d)}, "that is the mirror"),
    (10, "transpose", {"to_gl": lambda M: np.asarray(M, dtype=np.float32).tobytes()}, "it holds the transpose of M"),
    (10, "float64", {"to_gl": lambda M: np.asarray(M, dtype=np.float64).tobytes(order="F")}, "float64 numbers"),
    (11, "transpose", {"forward": lambda p, X: onnx_forward(p, X, transposed=True)}, "you used W where Gemm has transB=1"),
    (11, "no activation", {"forward": lambda p, X: onnx_forward(p, X, no_activation=True)}, "no activation between"),
    (11, "activations swapped", {"forward": lambda p, X: onnx_forward(p, X, swap=True)}, "the activations are swapped"),
    (11, "activation on the output", {"forward": lambda p, X: onnx_forward(p, X, output_activation=True)},
     "the last Gemm's output is the model's output"),
    (12, "offsets from the file start", {"read_tensor": lambda p, n: read_tensor(p, n, from_file_start=True)},
     "data_offsets count from the first byte after the header"),
    (12, "not reshaped", {"read_tensor": lambda p, n: read_tensor(p, n, flat=True)}, "reshape them"),
    (12, "wrong dtype", {"read_tensor": lambda p, n: read_tensor(p, n, dtype_override="<f4")}, "bytes each"),
    (12, "big-endian", {"read_tensor": lambda p, n: read_tensor(p, n, endian=">")}, "little-endian"),
    (13, "degrees", {"rotation": lambda axis, a: rodrigues(unit(axis), a)}, MISTAKES["degrees"]),
    (13, "transpose", {"rotation": lambda axis, a: rodrigues(unit(axis), math.radians(a)).T}, "turns the other way"),
    (13, "axis not normalised", {"rotation": lambda axis, a: rodrigues(axis, math.radians(a))},
     "the axis must be a unit vector"),
    (14, "flattening", {"mirror": lambda n, d: mirror(n, d, factor=1.0)}, "the projection onto the plane"),
    (14, "not normalised", {"mirror": lambda n, d: mirror(n, d, normalise=False)}, "a mirror only for a unit n"),
    (14, "translation missing", {"mirror": lambda n, d: mirror(n, d, b_zero=True)}, "b = 0 mirrors"),
    (14, "half the translation", {"mirror": lambda n, d: mirror(n, d, b_scale=0.5)}, "b is half what it must be"),
    (15, "reverse order", {"euler_xyz": lambda a, b, g: euler(a, b, g, "xyz"), "twin": lambda a, g, na: g + na - a},
     "Rx(α) stands rightmost"),
    (15, "degrees", {"euler_xyz": lambda a, b, g: euler(a, b, g, degrees=False), "twin": lambda a, g, na: g + na - a},
     MISTAKES["degrees"]),
    (15, "transpose", {"euler_xyz": lambda a, b, g: euler(a, b, g).T, "twin": lambda a, g, na: g + na - a},
     MISTAKES["transpose"]),
    (15, "alpha plus gamma", {"euler_xyz": euler, "twin": lambda a, g, na: g - (na - a)}, "depends on α - γ only"),
]


def collapse_net(weights, biases):
    A, b = weights[0], biases[0]
    for W, c in zip(weights[1:], biases[1:]):
        A, b = W @ A, W @ b + c
    return A, b


@pytest.mark.parametrize("number, key, functions, hint", MISTAKE_CASES,
                         ids=[f"{number}-{key}" for number, key, _, _ in MISTAKE_CASES])
def test_common_mistake_is_recognised_with_its_own_hint(number, key, functions, hint):
    """The mistake is named on the check of the student's own numbers, with its hint, for 2 students."""
    for report in check_functions(number, functions, ["ana", "ben"]):
        named = [c for c in report.checks if c.mistake == key]
        assert named, (report.student, [(c.name, c.message) for c in report.checks])
        for c in named:
            assert not c.passed and c.points == 0
            assert hint in c.message, c.message
        assert not report.passed


def test_every_mistake_the_issue_names_has_a_case_and_hints_differ():
    """The issue's eight mistakes are all tested; within an exercise, different mistakes get different hints."""
    keys = {key for _, key, _, _ in MISTAKE_CASES}
    assert set(MISTAKES) <= keys
    hints = {}
    for number, key, _, hint in MISTAKE_CASES:
        hints.setdefault(number, {})[key] = hint
    for number, by_key in hints.items():
        assert len(set(by_key.values())) == len(by_key), number


def test_entries_that_are_off_are_named():
    """A wrong answer that is no known mistake gets the entries that are off, with the student's values."""
    def almost(A, b):
        M = h(A, b)
        M[1, 3] += 5
        return M

    report = check_functions(3, {"homogeneous": almost, "why_translation": lambda: "c"}, ["ana"])[0]
    first = report.checks[0]
    assert not first.passed and first.mistake is None
    assert first.message.startswith("1 of 16 entries is off: M[1, 3] = ")
    assert "translation column" in first.message


# ------------------------------------------------------------------------------------------ broken files
def write(tmp_path, name, body) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


BROKEN = {
    "syntax error": ("import numpy as np\ndef layer(W, b, X:\n    return X\n", "does not run: SyntaxError", "line 2"),
    "import raises": ("raise RuntimeError('half-finished file')\n", "does not run: RuntimeError: half-finished file", "line 1"),
    "raises": ("def layer(W, b, X):\n    return 1 / 0\n", "raised ZeroDivisionError: division by zero", "line 2: return 1 / 0"),
    "wrong shape": ("import numpy as np\ndef layer(W, b, X):\n    return np.zeros((3, 3))\n",
                    "returned shape (3, 3), expected the outputs of shape (5, 4)", ""),
    "not numbers": ("class Thing:\n    pass\ndef layer(W, b, X):\n    return Thing()\n", "returned a Thing", ""),
    "missing function": ("def layers(W, b, X):\n    return X\n", "has no function layer", ""),
    "None": ("def layer(W, b, X):\n    pass\n", "returned None (a missing return?)", ""),
    "reads stdin": ("def layer(W, b, X):\n    return input()\n", "raised EOFError", "line 2"),
    "exits": ("import sys\ndef layer(W, b, X):\n    sys.exit(3)\n", "raised SystemExit", ""),
    "os._exit": ("import os\ndef layer(W, b, X):\n    os._exit(0)\n", "the process ended early", ""),
    "too much memory": ("import numpy as np\ndef layer(W, b, X):\n    return np.ones((1 << 40,))\n",
                        "ran out of memory (the limit is", "line 3"),
    "blocked import": ("from affine3d import Affine\n", "No module named 'affine3d' here", "line 1"),
    "prints forever": ("def layer(W, b, X):\n    while True:\n        print('x' * 10000)\n", "wrote more than", ""),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_gets_a_clear_cross_never_a_traceback(tmp_path, case):
    """Each way a file can be broken is a ✗ with a clear message on every check; the checker itself stays up."""
    body, message, where = BROKEN[case]
    path = write(tmp_path, "exercise_2.py", body)
    code, out, err = run_cli("check", path, "--student", "ana", "--timeout", "20")
    assert code == 1 and err == ""
    assert "Traceback" not in out
    lines = out.splitlines()
    assert lines[0].startswith("affine3d exercise 2:")
    assert lines[1].startswith("  ✗ 0/2") and message in lines[1] and where in lines[1], lines[1]
    assert all(line.startswith("  ✗ 0/") for line in lines[2:4]), out
    assert lines[4] == "score: 0/4"


def test_endless_loop_is_stopped_at_the_time_limit_and_later_calls_are_not_run(tmp_path):
    """A file that loops forever is killed at --timeout: that check says so, the calls after it say 'not run'."""
    path = write(tmp_path, "exercise_1.py", """
        import numpy as np
        calls = []
        def neuron(w, x, b):
            calls.append(1)
            if len(calls) == 2:
                while True:
                    pass
            return 1 / (1 + np.exp(-(w @ x + b)))
        """)
    result = subprocess.run([sys.executable, "-m", "affine3d", "exercise", "check", str(path), "--student", "ana",
                             "--timeout", "2", "--format", "json"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    first, second = report["checks"]
    assert first["passed"] and first["score"] == 2
    assert not second["passed"]
    assert "did not finish within 2 s" in second["message"]


# ------------------------------------------------------------------------------------------ start and check
def test_untouched_starter_files_score_zero_with_not_implemented_hints(tmp_path):
    """start, then check at once: every exercise scores 0, and every check says 'not implemented yet'."""
    for exercise in EXERCISES:
        paths = start(exercise.number, tmp_path / str(exercise.number), "ana")
        report = check(paths[0])[0]
        assert report.student == "ana" and report.exercise is exercise
        assert report.score == 0 and report.max_score > 0
        for c in report.checks:
            assert c.message.startswith("not implemented yet: "), (exercise.number, c.message)
            assert c.mistake == "not implemented"


def test_start_writes_the_task_the_numbers_and_the_data_files(tmp_path):
    """exercise_N.py names the student, holds their numbers, compiles; ONNX and safetensors files come with 11 and 12."""
    code, out, _ = run_cli("start", "4", "--dir", tmp_path, "--student", "ana")
    assert code == 0 and "exercise_4.py" in out
    text = (tmp_path / "exercise_4.py").read_text(encoding="utf-8")
    compile(text, "exercise_4.py", "exec")
    numbers = get(4).numbers_for("ana")
    assert "STUDENT = 'ana'" in text and "EXERCISE = 4" in text
    assert f"S = {numbers['yours']['s']!r}" in text
    assert "raise NotImplementedError" in text
    start(11, tmp_path, "ana")
    start(12, tmp_path, "ana")
    import onnx
    from safetensors.numpy import load_file

    onnx.checker.check_model(onnx.load(str(tmp_path / "exercise_11.onnx")))
    tensors = load_file(str(tmp_path / "exercise_12.safetensors"))  # the library reads our hand-made file
    mine = get(12).numbers_for("ana")["mine"]["tensors"]
    assert set(tensors) == {name for name, _, _ in mine}
    for name, _, array in mine:
        np.testing.assert_array_equal(tensors[name], array)


def test_start_never_replaces_a_file_without_force(tmp_path):
    """A second start into the same folder refuses (exit 2, one line) and leaves the student's work; --force replaces it."""
    start(1, tmp_path, "ana")
    work = tmp_path / "exercise_1.py"
    work.write_text("my work", encoding="utf-8")
    code, out, err = run_cli("start", "1", "--dir", tmp_path, "--student", "ana")
    assert code == 2 and len(err.splitlines()) == 1 and "exists" in err and "--force" in err
    assert work.read_text(encoding="utf-8") == "my work"
    assert run_cli("start", "1", "--dir", tmp_path, "--student", "ana", "--force")[0] == 0
    assert "STUDENT = 'ana'" in work.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["exercise_1.py"]  # no temporary file left behind


def test_numbers_depend_on_the_student_id_and_nothing_else():
    """The same id (in any case) gives the same numbers; another id other numbers; the teacher can make them again."""
    for exercise in EXERCISES:
        assert exercise.starter("ana") == exercise.starter("ana")
        assert exercise.starter("ana") != exercise.starter("ben")
    a, b = student_rng(3, "Ana@Uni.edu").random(4), student_rng(3, "ana@uni.edu").random(4)
    np.testing.assert_array_equal(a, b)


def test_check_uses_the_student_line_and_notes_another_id(tmp_path):
    """Without --student the file's STUDENT line decides; with another id the numbers are that id's, and a note says so."""
    paths = start(2, tmp_path, "ana")
    text = paths[0].read_text(encoding="utf-8")
    paths[0].write_text(text.replace('    raise NotImplementedError("exercise 2: layer(W, b, X) is not written yet")',
                                     "    return np.maximum(X @ W.T + b, 0)"), encoding="utf-8")
    assert check(paths[0])[0].passed
    code, out, _ = run_cli("check", paths[0], "--student", "ben")
    assert code == 0
    assert "note: checked with the numbers of ben; the file says STUDENT = 'ana'" in out


@pytest.mark.parametrize("args, message", [
    (["start", "99"], "expected a number from 1 to"),
    (["start", "1", "--student", "a b"], "--student: expected an id"),
    (["check", "no-such-file.py"], "No such file or directory"),
    (["check", "."], "Is a directory"),
    ([], "expected an action"),
])
def test_usage_errors_are_one_line_and_exit_2(args, message):
    """Bad input: exit 2 and one line on stderr naming what is wrong."""
    code, out, err = run_cli(*args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and message in err, err


def test_a_file_without_exercise_or_student_line_asks_for_them(tmp_path):
    """A renamed file without EXERCISE/STUDENT lines: one line asking for --exercise, then for --student."""
    path = write(tmp_path, "homework.py", "def neuron(w, x, b):\n    return 0\n")
    code, _, err = run_cli("check", path)
    assert code == 2 and "--exercise N" in err
    code, _, err = run_cli("check", path, "--exercise", "1")
    assert code == 2 and "--student ID" in err
    code, out, _ = run_cli("check", path, "--exercise", "1", "--student", "ana")
    assert code == 1 and out.startswith("affine3d exercise 1:")


def test_list_names_every_exercise():
    """exercise list: one entry per exercise, with its lecture point."""
    code, out, _ = run_cli("list")
    assert code == 0
    for e in EXERCISES:
        assert f"{e.number:>2}. {e.title}" in out
    assert out.count("lecture point") == len(EXERCISES)


# ------------------------------------------------------------------------------------------ formats and pictures
def test_gradescope_results_json_has_the_autograder_fields_and_types(tmp_path):
    """--format gradescope: score (number) and tests with name, score, max_score, status, output; scores add up."""
    paths = start(4, tmp_path, "ana")
    results = tmp_path / "results.json"
    code, out, _ = run_cli("check", paths[0], "--format", "gradescope", "--output", results)
    assert code == 1 and "score: 0/4" in out
    data = json.loads(results.read_text(encoding="utf-8"))
    assert isinstance(data["score"], float) and data["score"] == 0.0
    assert isinstance(data["execution_time"], (int, float)) and isinstance(data["output"], str)
    assert len(data["tests"]) == 3
    for test in data["tests"]:
        assert set(test) == {"name", "number", "score", "max_score", "status", "output", "visibility"}
        assert isinstance(test["name"], str) and isinstance(test["output"], str) and isinstance(test["number"], str)
        assert isinstance(test["score"], float) and isinstance(test["max_score"], float)
        assert test["status"] in ("passed", "failed") and test["visibility"] == "visible"
    assert sum(t["max_score"] for t in data["tests"]) == 4.0
    solved = check(SOLUTIONS / "exercise_4.py", students=["ana"])[0]
    from affine3d.exercises.report import gradescope

    data = gradescope(solved)
    assert data["score"] == 4.0 == sum(t["score"] for t in data["tests"])
    assert all(t["status"] == "passed" for t in data["tests"])


def test_json_format_and_the_picture(tmp_path):
    """--format json carries the checks, the mistake names and the picture; the picture overlays yours on the target."""
    path = write(tmp_path, "exercise_4.py", """
        import numpy as np
        EXERCISE = 4
        STUDENT = 'ana'
        def model_matrix(s, angle_deg, t):
            a = np.radians(angle_deg)
            S = np.diag([s, s, s, 1.0])
            R = np.array([[np.cos(a), 0, np.sin(a), 0], [0, 1, 0, 0], [-np.sin(a), 0, np.cos(a), 0], [0, 0, 0, 1]])
            T = np.eye(4)
            T[:3, 3] = t
            return S @ R @ T
        """)
    picture = tmp_path / "pictures" / "mine.png"
    picture.parent.mkdir()
    code, out, _ = run_cli("check", path, "--format", "json", "--picture", picture)
    assert code == 1
    data = json.loads(out)
    assert data["exercise"] == 4 and data["student"] == "ana" and data["score"] == 0
    assert [c["mistake"] for c in data["checks"]][:2] == ["reverse order", "reverse order"]
    assert data["picture"] == str(picture) and 0 <= data["iou"] < 0.5
    from PIL import Image

    with Image.open(picture) as image:
        assert image.size == (640, 480)
    code, out, _ = run_cli("check", SOLUTIONS / "exercise_4.py", "--student", "ana", "--format", "json", "--picture", picture)
    assert code == 0 and json.loads(out)["iou"] > 0.99


def test_pictures_agree_with_the_cpu_renderer():
    """The pictures' drawing (any 4x4 matrix) gives render_cpu's silhouette for an affine model: the same rasterizer."""
    from affine3d.affine import Affine
    from affine3d.cpu.raster import render_cpu
    from affine3d.exercises.catalog._tools import house
    from affine3d.exercises.pictures import Part, draw
    from affine3d.geometry.scene import Scene, SceneObject

    model = Affine.translation([0.3, -0.2, 0.1]) @ Affine.rotation_y(0.7) @ Affine.scaling([1.2, 0.8, 1.0])
    world = Affine.translation([0, 0, -5]) @ Affine.rotation_x(0.4)
    scene = Scene("house", None, [SceneObject("house", house(), model)], background=(0, 0, 0))
    reference = render_cpu(scene, (200, 150), world)[..., :3].any(axis=2)
    _, (mask,) = draw([Part(house(), model.matrix, (1, 1, 1))], world, (200, 150), fov_deg=40)
    assert np.count_nonzero(mask != reference) <= 0.01 * np.count_nonzero(reference)


def test_geometric_exercises_need_no_opengl(tmp_path):
    """Checking a geometric exercise and drawing its picture works with moderngl and pyglet blocked."""
    code = textwrap.dedent(f"""
        import importlib.abc, sys
        class NoGL(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in ("moderngl", "glcontext", "pyglet"):
                    raise ImportError(name + " is blocked")
        sys.meta_path.insert(0, NoGL())
        from affine3d.cli import main
        code = main(["exercise", "check", {str(SOLUTIONS / "exercise_10.py")!r}, "--student", "ana",
                     "--picture", {str(tmp_path / "p.png")!r}])
        assert code == 0, code
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("moderngl", "pyglet")))
        """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"
    assert (tmp_path / "p.png").stat().st_size > 1000


def test_answers_travel_as_json_with_their_shapes_and_dtypes():
    """The child's encoding: arrays keep shape and dtype, bytes and tuples survive, NaN stays NaN; no pickle."""
    from affine3d.exercises import _child

    values = [np.arange(6, dtype=np.float32).reshape(2, 3), np.int64(7), (1.5, [2, 3]), b"\x00\xff", float("nan"),
              np.array([1 + 2j]), {"a": np.eye(2)}]
    decoded = _child.decode(json.loads(json.dumps(_child.encode(values))))
    assert decoded[0].dtype == np.float32 and decoded[0].shape == (2, 3)
    np.testing.assert_array_equal(decoded[0], values[0])
    assert decoded[1] == 7 and decoded[2] == [1.5, [2, 3]] and decoded[3] == b"\x00\xff"
    assert math.isnan(decoded[4]) and decoded[5][0] == 1 + 2j
    np.testing.assert_array_equal(decoded[6]["a"], np.eye(2))
    assert _child.encode(object())["__object__"] == "object"
    assert "__too_big__" in _child.encode(np.zeros(_child.MAX_ELEMENTS + 1))
