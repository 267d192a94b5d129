"""``affine3d bench``: the header names the machine's CPU and OpenGL renderer before any table."""

import json
import sys
import types

import pytest

from affine3d import bench
from affine3d.bench import core
from affine3d.cli import main


@pytest.fixture
def fake_suite(monkeypatch):
    """A suite that returns one tiny table at once, so the command's own output can be checked quickly."""
    module = types.ModuleType("affine3d_fake_suite")
    module.TITLE = "fake"
    module.run = lambda quick=False: [core.Table("fake table", ["a"], [[1]])]
    monkeypatch.setitem(sys.modules, "affine3d_fake_suite", module)
    monkeypatch.setattr(bench, "SUITES", {"fake": "affine3d_fake_suite"})
    return module


def test_gl_renderer_is_the_contexts_own():
    """gl_renderer() names the GL_RENDERER string of a headless context made independently here."""
    from affine3d.gl.context import create_context

    ctx = create_context()
    expected = ctx.info["GL_RENDERER"]
    ctx.release()
    assert core.gl_renderer().startswith(expected + ", OpenGL ")


def test_gl_renderer_never_raises(monkeypatch):
    """Without OpenGL the header says why instead of failing the whole benchmark."""
    from affine3d.errors import GLUnavailableError
    from affine3d.gl import context

    def broken(*args, **kwargs):
        raise GLUnavailableError("no EGL here")

    monkeypatch.setattr(context, "create_context", broken)
    assert core.gl_renderer() == "unavailable (no EGL here)"


def test_header_names_cpu_and_gl_renderer_first(fake_suite, capsys):
    """The first two lines: the CPU, then the OpenGL renderer; the tables follow."""
    assert main(["bench", "--quick"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("machine: ") and f"cpu {core.cpu_name()}" in lines[0]
    assert lines[1].startswith("OpenGL renderer: ")
    assert "fake table" in lines


def test_json_has_the_machine_and_tables(fake_suite, capsys):
    """--json - prints only JSON, with the GL renderer among the machine facts."""
    assert main(["bench", "--json", "-"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["machine"]["cpu"] == core.cpu_name()
    assert "gl_renderer" in result["machine"]
    assert result["tables"][0]["title"] == "fake table"


def test_unknown_suite_is_one_line_and_exit_2(fake_suite, capsys):
    """A misspelt suite: exit code 2 and one line on stderr naming the valid ones."""
    assert main(["bench", "nope"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "'nope'" in err and "fake" in err
