"""CONTRIBUTING.md stays true: its commands run, the files and names it points to exist.

Each ```bash block is run as a new contributor would run it (from the repository root, with this
environment's `python` and `affine3d` first on PATH), except the full-suite command, which must be the
README's own test command (running the whole suite from inside it would recurse).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", TEXT, re.S)


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"<!-- test-command -->\s*```bash\n(.*?)\n```", readme, re.S).group(1).strip()


def commands() -> list[str]:
    return [line.strip() for block in BLOCKS for line in block.splitlines() if line.strip()]


def test_the_full_suite_command_is_the_readmes():
    """The first command is the README's test command, which CI runs: one source of truth."""
    assert commands()[0] == readme_test_command()


def test_the_commands_run(tmp_path):
    """Every other command exits 0; the picture commands write PNGs that show something (not a blank image)."""
    if shutil.which("xvfb-run") is None:
        raise AssertionError("xvfb-run not found: CONTRIBUTING.md's window command needs Xvfb (apt-get install xvfb)")
    bin_dir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(ROOT)
    ran = 0
    for command in commands()[1:]:
        cwd = ROOT if "pytest" in command else tmp_path  # pictures land in a scratch folder, tests run from the root
        done = subprocess.run(command.replace("python ", f"{sys.executable} ", 1) if command.startswith("python ") else command,
                              shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, f"{command}\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        assert "Traceback" not in done.stderr, command
        ran += 1
    assert ran >= 5
    for name in ("offscreen.png", "window.png", "cpu.png"):
        pixels = np.asarray(Image.open(tmp_path / name).convert("RGB")).astype(int)
        assert pixels.std() > 10, f"{name} is blank"


def test_the_paths_and_names_it_mentions_exist():
    """Every repository path in backticks exists, and the registries it names are where it says."""
    paths = set(re.findall(r"`((?:affine3d|scenes|shaders|tests)/[\w./-]+)`", TEXT))
    assert len(paths) >= 15
    missing = [p for p in sorted(paths) if not (ROOT / p).exists()]
    assert missing == []
    from affine3d.geometry import solids
    from affine3d.gl import glsl
    from affine3d.nn import activations

    assert "cube" in solids.BUILTINS and callable(solids.BUILTINS["icosphere"])
    assert set(activations.NAMES) == set(activations._FUNCTIONS) == set(glsl.ACTIVATION_CODES)
    assert hasattr(activations.Activation, "backward") and hasattr(glsl, "Uniforms") and hasattr(glsl, "build_program")


def test_the_readme_activates_the_venv_before_any_bare_command():
    """README's two set-up commands activate the venv before calling pip, python or affine3d, so the bare
    `affine3d ...` lines after them find the command (no 'command not found' in a fresh clone)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for marker in ("main-command", "test-command"):
        command = re.search(rf"<!-- {marker} -->\s*```bash\n(.*?)\n```", readme, re.S).group(1).strip()
        steps = [step.strip() for step in command.split("&&")]
        assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"], command
        assert all(not step.startswith(".venv/bin/") for step in steps), command
    first_bare = re.search(r"^(affine3d|python -m|pip) ", readme, re.M)
    assert first_bare is None or first_bare.start() > readme.index("<!-- test-command -->")
