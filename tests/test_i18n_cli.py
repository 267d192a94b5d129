"""The command line in Polish: every --help, argparse's own words, errors, doctor, inspect and mlp-demo, with no
English left (the word list of tests/_english.py); and --lang en gives English back under a Polish locale."""

import argparse
import ast
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _english import english_words
from affine3d import cli, i18n, translations

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "scenes" / "cube-to-sphere.safetensors"


def polish_env(**extra) -> dict:
    """This environment with LANG=pl_PL.UTF-8 and nothing that outranks it (LANGUAGE, LC_ALL, LC_MESSAGES)."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update({"LANG": "pl_PL.UTF-8", "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
                **extra})
    return env


def affine3d(*argv, cwd=None, timeout=180, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "affine3d", *argv], capture_output=True, text=True, cwd=cwd,
                          env=polish_env(**env), timeout=timeout)


def command_paths(parser=None, prefix=()) -> list[tuple[str, ...]]:
    """Every command and subcommand of the parser (``("exercise", "start")`` too), from the parser itself."""
    parser = parser or cli.build_parser()
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append((*prefix, name))
                found += command_paths(sub, (*prefix, name))
    return found


@pytest.mark.parametrize("path", [(), *command_paths()],
                         ids=lambda path: " ".join(path) or "affine3d")
def test_every_help_is_polish(path):
    """``affine3d [COMMAND...] --help`` under LANG=pl_PL.UTF-8: argparse's words and ours in Polish, no English."""
    result = affine3d(*path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("użycie: ") and "opcje:" in result.stdout
    assert english_words(result.stdout) == [], result.stdout


@pytest.mark.parametrize("argv", [
    ["inspect"],                                    # a missing argument
    ["render", "--backend", "xx"],                  # an invalid choice
    ["render", "--no-such-flag"],                   # an unknown flag
    ["no-such-command"],                            # an unknown command
    ["view", "--frames", "x"],                      # an invalid int
    ["render", "--size"],                           # a missing value
    ["inspect", "no-such-model.safetensors"],       # a missing file
    ["--lang", "xx", "doctor"],                     # an unknown language
])
def test_errors_are_one_polish_line(argv, tmp_path):
    """Mistakes on the command line: one line on stderr, in Polish, exit code 2."""
    result = affine3d(*argv, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and ": błąd: " in lines[0], result.stderr
    english = affine3d(*argv, cwd=tmp_path, LANG="C.UTF-8").stderr.strip()
    assert english.partition(": error: ")[2] != lines[0].partition(": błąd: ")[2], english  # translated, not passed through
    assert english_words(lines[0]) == [], lines[0]


def test_lang_en_under_a_polish_locale_and_lang_pl_under_an_english_one():
    """``--lang`` outranks the environment, before the command or after it."""
    english = affine3d("--lang", "en", "--help")
    assert english.stdout.startswith("usage: ") and english_words(english.stdout)
    after = affine3d("render", "--size", "--lang", "en")
    assert "expected one argument" in after.stderr
    polish = affine3d("--lang", "pl", "inspect", LANG="en_US.UTF-8")
    assert polish.stderr.startswith("affine3d inspect: błąd: brak wymaganych argumentów: FILE")


def test_doctor_is_polish():
    result = affine3d("doctor", timeout=300)
    assert result.returncode == 0
    assert english_words(result.stdout) == [], result.stdout


def test_doctor_in_english_under_a_polish_locale():
    """``affine3d --lang en doctor`` under LANG=pl_PL.UTF-8 is English (its check processes get LANGUAGE=en)."""
    result = affine3d("--lang", "en", "doctor", timeout=300)
    assert result.returncode == 0 and "OpenGL contexts:" in result.stdout
    assert "not tried: DISPLAY and WAYLAND_DISPLAY are not set" in result.stdout or "DISPLAY" not in result.stdout


def test_inspect_is_polish_and_keeps_what_is_pasted():
    """Words translated; tensor names, byte ranges (begin:end, no thousands separator) and field names kept."""
    result = affine3d("inspect", str(MODEL))
    assert result.returncode == 0, result.stderr
    assert english_words(result.stdout) == [], result.stdout
    ranges = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("  layer") and "." in line]
    assert ranges and all(":" in r and r.replace(":", "").isdigit() for r in ranges), ranges


def test_mlp_demo_is_polish(tmp_path):
    result = affine3d("mlp-demo", "--out", str(tmp_path / "demo"), cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    assert english_words(result.stdout) == [], result.stdout


def test_english_words_finds_a_planted_sentence():
    """The check itself can fail: an English sentence among Polish ones is found, code beside it is not."""
    text = "użycie: affine3d render [--size WxH]\nthe file must exist\n  --out DIR  folder `the file` 'no such file'"
    assert english_words(text) == ["the", "file", "must"]


# ---------------------------------------------------------------------------- argparse's own words
# argparse messages only a programmer building a parser can meet (a wrong add_argument call), never a user.
PROGRAMMERS_MESSAGES = {
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    "cannot merge actions - two groups are named %r", "'required' is an invalid argument for positionals",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments", "%r is not callable",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "argument '%(argument_name)s' is deprecated", "command '%(parser_name)s' is deprecated",
    "option '%(option)s' is deprecated",
}


def argparse_messages() -> set[str]:
    """The messages the running Python's argparse looks up with ``_()`` / ``ngettext()``."""
    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                found.add(node.args[0].value)
    return found


def test_argparse_messages_are_ours_letter_for_letter():
    """Every message a user can get from this Python's argparse is in cli.ARGPARSE_MESSAGES (or its plurals),
    and translated in the catalogue: a newer argparse with a new message fails here, not in front of a class."""
    ours = set(cli.ARGPARSE_MESSAGES) | {"expected %s argument", "conflicting option string: %s"}
    assert argparse_messages() - PROGRAMMERS_MESSAGES - ours == set()
    catalog = translations.read("pl")
    for message in ours:
        assert catalog[message] is not None and catalog[message].string, message


def test_argparse_speaks_through_our_catalogue():
    """After build_parser(), argparse's `_` and `ngettext` are affine3d.i18n's, and follow use_language."""
    try:
        i18n.use_language("pl")
        parser = cli.build_parser()
        assert argparse._ is i18n._ and argparse.ngettext is i18n.ngettext
        assert parser.format_usage().startswith("użycie: ")
        assert cli.argparse_plurals(5) == ("oczekiwano 5 argumentów".replace("5", "%s"), "sprzeczne opcje: %s")
        i18n.use_language("en")
        assert cli.build_parser().format_usage().startswith("usage: ")
    finally:
        i18n.use_language(None)


def test_render_names_the_stage_in_polish(tmp_path):
    """render --stage says which stage in the reader's words (Stage.title), not the stage's name in code."""
    result = affine3d("render", "cube-to-sphere", "--stage", "3", "--t", "0.5", "--backend", "cpu", "--size", "64x48",
                      "-o", str(tmp_path / "stage.png"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warstwa 2 z 5: afiniczne" in result.stdout and "layer 2 of 5" not in result.stdout
