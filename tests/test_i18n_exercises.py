"""The exercises in Polish: `exercise start N --lang pl` writes a Polish handout over the same code, and
`exercise check` answers in the language it runs in (issue 24).

A handout's prose is its docstrings and comments (tokenize finds them); its code is every other token, and
must be the English handout's token for token, string literals aside (a print's label may be translated),
so the checker, the function names and the student's numbers are the same in every language.
"""

import contextlib
import io
import os
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

from _english import english_words
from affine3d import i18n
from affine3d.cli import main
from affine3d.exercises import EXERCISES, check, get

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = Path(__file__).resolve().parent / "exercise_solutions"
ALLOW = {13: ("pytransform3d",), 15: ("pytransform3d",)}


def run_cli(*args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main(["exercise", *map(str, args)])
    return code, out.getvalue()


def run_in(language_env: str, *args, cwd=None) -> subprocess.CompletedProcess:
    """``python -m affine3d exercise ARGS`` with ``LANG`` set (and LANGUAGE, LC_ALL, LC_MESSAGES unset)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=language_env, PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "affine3d", "exercise", *map(str, args)], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def prose_and_code(text: str) -> tuple[str, list, int]:
    """A Python file's prose (docstrings and comments), its code tokens (no strings, comments or blank lines),
    and how many string literals it has."""
    prose, code, strings = [], [], 0
    previous = tokenize.NEWLINE
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.COMMENT:
            prose.append(token.string.lstrip("#"))
        elif token.type == tokenize.STRING:
            strings += 1
            if previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):  # a docstring: a string statement
                prose.append(token.string.strip("\"'"))
        elif token.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            code.append(token.string)
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    return "\n".join(prose), code, strings


def test_the_prose_check_finds_a_planted_english_sentence():
    """The check can fail: an English docstring or comment in a Polish handout is found, code is not prose."""
    polish = '"""Zadanie: napisz funkcję."""\n\ndef f(x):\n    """Zwraca x."""\n    return x  # bez zmian\n'
    assert english_words(prose_and_code(polish)[0]) == []
    planted = polish.replace("# bez zmian", "# the value is returned as it is")
    assert english_words(prose_and_code(planted)[0]) == ["the", "value", "is", "it", "is"]
    assert prose_and_code(polish)[1] == prose_and_code(planted)[1]


@pytest.mark.parametrize("number", [e.number for e in EXERCISES])
def test_polish_handout_has_no_english_prose_over_the_same_code(number, tmp_path):
    """exercise start N --lang pl: docstrings and comments in Polish; the code the English handout's, token for token."""
    before = i18n.current_language()
    code, out = run_cli("start", number, "--dir", tmp_path / "pl", "--student", "ana", "--lang", "pl")
    assert code == 0 and "zadanie" in out
    code, _out = run_cli("start", number, "--dir", tmp_path / "en", "--student", "ana", "--lang", "en")
    assert code == 0
    assert i18n.current_language() == before  # the handout's language is the handout's alone
    name = f"exercise_{number}.py"
    polish = (tmp_path / "pl" / name).read_text(encoding="utf-8")
    english = (tmp_path / "en" / name).read_text(encoding="utf-8")
    prose, code_tokens, strings = prose_and_code(polish)
    english_prose, english_code, english_strings = prose_and_code(english)
    assert english_words(prose) == [], prose
    assert english_words(english_prose)  # the English handout is English (the check sees English where it is)
    assert prose != english_prose
    assert code_tokens == english_code and strings == english_strings
    for data in sorted((tmp_path / "en").rglob("*")):  # the data files (a model, a folder) are the same bytes
        if data.is_file() and data.name != name:
            assert (tmp_path / "pl" / data.relative_to(tmp_path / "en")).read_bytes() == data.read_bytes()


@pytest.mark.parametrize("number", [e.number for e in EXERCISES])
def test_polish_handout_is_checked_as_before(number, tmp_path):
    """The Polish handout with the reference solution appended passes every check, its prose notwithstanding."""
    run_cli("start", number, "--dir", tmp_path, "--student", "ana", "--lang", "pl")
    handout = tmp_path / f"exercise_{number}.py"
    solution = (SOLUTIONS / f"exercise_{number}.py").read_text(encoding="utf-8")
    handout.write_text(handout.read_text(encoding="utf-8") + "\n\n" + solution, encoding="utf-8")
    report = check(handout, timeout_s=120, allow=ALLOW.get(number, ()))[0]
    assert report.student == "ana"
    assert [(c.name, c.message) for c in report.checks if not c.passed] == []


def test_without_lang_the_handout_follows_the_environment(tmp_path):
    """No --lang: LANG=pl_PL.UTF-8 gives a Polish handout and Polish output, LANG=C an English one."""
    polish = run_in("pl_PL.UTF-8", "start", "1", "--dir", tmp_path / "pl")
    english = run_in("C", "start", "1", "--dir", tmp_path / "en")
    assert polish.returncode == 0 and english.returncode == 0, (polish.stderr, english.stderr)
    assert english_words(polish.stdout) == [] and "zapisano" in polish.stdout
    assert "wrote" in english.stdout
    assert "jeden neuron ręcznie" in (tmp_path / "pl" / "exercise_1.py").read_text(encoding="utf-8")
    assert "one neuron by hand" in (tmp_path / "en" / "exercise_1.py").read_text(encoding="utf-8")


WRONG = {
    # the factors in the reverse order (M = S @ R @ T): a named mistake, a geometric exercise with a picture
    4: ("import numpy as np\n\n"
        "def model_matrix(s, angle_deg, t):\n"
        "    a = np.radians(angle_deg)\n"
        "    S = np.diag([s, s, s, 1.0])\n"
        "    R = np.array([[np.cos(a), 0, np.sin(a), 0], [0, 1, 0, 0], [-np.sin(a), 0, np.cos(a), 0], [0, 0, 0, 1]])\n"
        "    T = np.eye(4)\n"
        "    T[:3, 3] = t\n"
        "    return S @ R @ T\n"),
    # no activation: a named mistake; a batch of one input without its batch axis; another call that raises
    2: ("import numpy as np\n\n"
        "def layer(W, b, X):\n"
        "    if len(X) == 7:\n"
        "        raise ValueError('nie wiem')\n"
        "    Y = X @ W.T + b\n"
        "    return Y[0] if len(X) == 1 else Y\n"),
}


@pytest.mark.parametrize("number", sorted(WRONG))
def test_check_report_of_a_wrong_solution_is_in_the_language_it_runs_in(number, tmp_path):
    """check under LANG=pl_PL.UTF-8: no English word, the mistake named in Polish; under LANG=C: English."""
    run_cli("start", number, "--dir", tmp_path, "--student", "ana")
    path = tmp_path / f"exercise_{number}.py"
    path.write_text(path.read_text(encoding="utf-8").split("\n\ndef ")[0] + "\n\n" + WRONG[number], encoding="utf-8")
    polish = run_in("pl_PL.UTF-8", "check", path)
    english = run_in("C", "check", path)
    assert polish.returncode == english.returncode == 1, (polish.stderr, english.stderr)
    assert polish.stderr == english.stderr == ""
    # the function's name is code, not prose (the English list knows "layer" as a word)
    assert [w for w in english_words(polish.stdout) if w not in get(number).functions] == [], polish.stdout
    assert "wynik: 0/4" in polish.stdout and "score: 0/4" in english.stdout
    if number == 4:
        assert "czynniki są w odwrotnej kolejności" in polish.stdout
        assert "the factors are in the reverse order" in english.stdout
        assert "rysunek:" in polish.stdout and "Twój wynik na pomarańczowo" in polish.stdout
    else:
        assert "to sumy W x + b przed funkcją aktywacji" in polish.stdout
        assert "these are the sums W x + b before the activation" in english.stdout
        assert "layer zwróciła tablicę o kształcie (4,)" in polish.stdout
        assert "layer zgłosiła ValueError: nie wiem" in polish.stdout and ", wiersz " in polish.stdout
        assert "layer raised ValueError: nie wiem" in english.stdout and ", line " in english.stdout


def test_the_class_table_names_the_mistakes_in_the_readers_language():
    """grade's closing table: the labels are keys (JSON and CSV keep them), shown in Polish under --lang pl."""
    from affine3d.exercises import gradebook
    from affine3d.exercises.workflow import speaking

    table = [{"exercise": 4, "title": get(4).title, "students": 3,
              "checks": [{"name": "macierz modelu dla Twoich liczb", "passed": 1}],
              "mistakes": [{"label": gradebook.ALL_PASS, "count": 1}, {"label": "reverse order", "count": 2}]}]
    with speaking("pl"):
        polish = gradebook.mistakes_text(table)
    english = gradebook.mistakes_text(table)
    assert english_words(polish) == [], polish
    assert "zadanie 4: kolejność złożenia: domek na dachu (3 studentów)" in polish
    assert "komplet punktów: 1; błędy (liczba studentów): odwrotna kolejność: 2" in polish
    assert "full marks: 1; mistakes (students): reverse order: 2" in english


def test_what_the_sandboxed_child_says_is_said_again_in_polish(tmp_path):
    """The child cannot read the catalogue: its refusal of a blocked import is put into Polish by the checker."""
    path = tmp_path / "exercise_1.py"
    path.write_text("EXERCISE = 1\nSTUDENT = 'ana'\nimport affine3d\n\ndef neuron(w, x, b):\n    return 0\n",
                    encoding="utf-8")
    polish = run_in("pl_PL.UTF-8", "check", path)
    assert polish.returncode == 1 and english_words(polish.stdout) == [], polish.stdout
    assert "modułu 'affine3d' nie można tu zaimportować: klasy affine3d zrobiłyby to zadanie za Ciebie" in polish.stdout
    assert "(exercise_1.py, wiersz 3: import affine3d)" in polish.stdout
