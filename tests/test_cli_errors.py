"""The command line's mistakes: one line on stderr, exit code 2, naming what is wrong (the README's promise)."""

import subprocess
import sys
import types

import pytest

from affine3d import bench
from affine3d.cli import join_negative_values, main


@pytest.mark.parametrize("argv, expected", [
    (["view", "--frames", "x"], "affine3d view: error: argument --frames: invalid int value: 'x'"),
    (["render", "--backend", "xx"], "affine3d render: error: argument --backend: invalid choice: 'xx'"),
    (["render", "--size"], "affine3d render: error: argument --size: expected one argument"),
    (["no-such-command"], "affine3d: error: argument COMMAND: invalid choice: 'no-such-command'"),
    (["render", "--no-such-flag"], "affine3d render: error: unrecognized arguments: --no-such-flag"),
    (["inspect"], "affine3d inspect: error: the following arguments are required: FILE"),
])
def test_every_argparse_error_is_one_line_and_exit_2(argv, expected, capsys):
    """argparse's own errors (bad int, bad choice, missing value, unknown flag): one line, no usage block, exit 2."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected.split(": error:")[0]) and expected in lines[0], captured.err
    assert "usage:" not in captured.err and "--help" in lines[0]


def test_a_negative_size_reaches_the_size_check(capsys):
    """--size -5x10: the size check answers (not argparse's "expected one argument"), one line, exit 2."""
    assert main(["render", "--size", "-5x10"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["affine3d render: error: size: expected WIDTHxHEIGHT like 800x600, got '-5x10'"]


def test_negative_values_are_joined_to_their_options_only():
    """A value like -5x10 or -1e3 joins the option before it; positionals and flags are left alone."""
    assert join_negative_values(["render", "--yaw", "-1e3"]) == ["render", "--yaw=-1e3"]
    assert join_negative_values(["render", "--yaw=-3", "-o", "x.png"]) == ["render", "--yaw=-3", "-o", "x.png"]
    assert join_negative_values(["bench", "--", "-5"]) == ["bench", "--", "-5"]


def test_the_installed_command_prints_one_line_too(tmp_path):
    """The real entry point (a fresh process) exits 2 with one line for an argparse error."""
    result = subprocess.run([sys.executable, "-m", "affine3d", "view", "--samples", "many"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "--samples: invalid int value: 'many'" in result.stderr


@pytest.mark.parametrize("argv, option", [
    (["render", "--backend", "cpu", "-o", "missing/dir/x.png"], "--output"),
    (["render", "cube-to-sphere", "--backend", "cpu", "-o", "missing/dir/x.png"], "--output"),
    (["view", "--screenshot", "missing/dir/x.png"], "--screenshot"),
])
def test_writing_into_a_missing_folder_names_the_folder(tmp_path, monkeypatch, capsys, argv, option):
    """-o / --screenshot into a folder that does not exist: one line naming the option and the folder, before any drawing."""
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"{option}: the folder 'missing/dir' does not exist" in err[0]


def test_bench_json_into_a_missing_folder_fails_before_running_any_suite(monkeypatch, capsys):
    """bench --json /missing/dir/x.json: exit 2 at once, naming the folder; no suite ran."""
    ran = []
    module = types.ModuleType("affine3d_counting_suite")
    module.run = lambda quick=False: ran.append(quick) or []
    monkeypatch.setitem(sys.modules, "affine3d_counting_suite", module)
    monkeypatch.setattr(bench, "SUITES", {"counting": "affine3d_counting_suite"})
    assert main(["bench", "--json", "/missing-affine3d-folder/dir/x.json"]) == 2
    err = capsys.readouterr().err
    assert "--json: the folder '/missing-affine3d-folder/dir' does not exist" in err and ran == []
