"""Gradescope's autograder for one exercise: ``affine3d exercise autograder N -o autograder.zip``.

Gradescope ("Autograder Specifications", gradescope-autograders.readthedocs.io) builds a Docker image from
the zip: it unpacks it into ``/autograder/source`` and runs ``setup.sh`` once; then, for each submission,
it copies the student's files into ``/autograder/submission`` and runs ``/autograder/run_autograder``,
which must write ``/autograder/results/results.json``. The zip made here holds

- ``setup.sh``: makes a virtual environment ``/autograder/venv`` with a Python >= 3.11 (Gradescope's
  Ubuntu 22.04 image has 3.10, so it installs ``python3.11`` with apt where none is there) and installs
  affine3d from the wheel in the zip, offline (``pip install --no-index --find-links wheels``); numpy
  and Pillow too, from ``wheels/`` when the zip carries them (``--wheels DIR``), else from PyPI;
- ``run_autograder``: finds the student's ``exercise_N.py`` in the submission (anywhere; a single
  ``.py`` file of another name is taken too), runs ``affine3d exercise check FILE --exercise N
  --format gradescope --output results/results.json`` and, when there is nothing to check, writes a
  results.json that says why (score 0);
- ``wheels/affine3d-V-py3-none-any.whl``: this affine3d, packed from the installed package
  (:func:`wheel_of_affine3d`; the same code that graded on the teacher's machine), and any other wheels;
- ``affine3d-autograder.json``: the exercise, the version, the limits, and the language the students read
  the feedback in (``--lang``; default the language the zip was made in), which run_autograder hands to the
  check as ``LANGUAGE``;
- ``secret.txt``: the course secret (``--secret``, else ``$AFFINE3D_COURSE_SECRET``), when there is one: it
  lives in the zip alone; setup.sh makes it root's (mode 0600) and run_autograder hands it to the check
  in ``AFFINE3D_COURSE_SECRET``, never on a command line; the student's file runs as another user in
  the sandbox and cannot read it.

``AFFINE3D_AUTOGRADER_ROOT`` moves ``/autograder`` (the tests run both scripts in a temporary folder);
``AFFINE3D_AUTOGRADER_PYTHON`` names the Python that setup.sh builds the environment from.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import json
import os
import sys
import time
import zipfile
from pathlib import Path

from ..errors import UsageError
from ..i18n import N_, _
from ..version import __version__

__all__ = ["build", "wheel_of_affine3d", "wheel_of_installed", "setup_script", "run_script", "GRADING_NEEDS"]

# What run_autograder says itself (in the zip's language: it reads them from the affine3d it installed)
NOTHING_TO_CHECK = N_("affine3d exercise {number}: upload one file {file} (the one '{command}' wrote and you filled "
                      "in); found: {names}")
NOT_CHECKED = N_("affine3d exercise {number}: {file} was not checked: {why}")
NONE_FOUND = N_("none")

GRADING_NEEDS = ("numpy", "pillow")
"""What ``affine3d exercise check`` imports besides affine3d (the viewer's OpenGL is not needed to grade)."""

_FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # zip entries' date: the same inputs make the same bytes


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{name},sha256={digest},{len(data)}"


def _write_wheel(path: Path, files: dict[str, bytes], dist_info: str, level: int = 6) -> Path:
    """A wheel (PEP 427): ``files`` (archive name -> bytes, the .dist-info included but RECORD) and the RECORD."""
    record = [_record_line(name, data) for name, data in files.items()] + [f"{dist_info}/RECORD,,"]
    files = {**files, f"{dist_info}/RECORD": ("\n".join(record) + "\n").encode("utf-8")}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, _FIXED_TIME)
            info.external_attr = (0o755 if name.endswith((".so", ".sh")) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return path


def wheel_of_affine3d(directory) -> Path:
    """Pack the installed affine3d (its modules, shaders and scenes) as ``affine3d-V-py3-none-any.whl`` in ``directory``.

    Made from the files this process imports, so the wheel is the code that grades here; an editable
    install (a source checkout) works as well as a wheel install.
    """
    from .. import resources

    package = Path(__file__).resolve().parents[1]
    files: dict[str, bytes] = {}
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.is_dir() or "__pycache__" in relative.parts or path.suffix in (".pyc", ".pyo"):
            continue
        files[f"affine3d/{relative.as_posix()}"] = path.read_bytes()
    for name in ("shaders", "scenes"):
        root = resources.data_dir(name)
        if root.parent == package:
            continue  # already in (a wheel install carries them inside the package)
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[f"affine3d/{name}/{path.relative_to(root).as_posix()}"] = path.read_bytes()
    dist_info = f"affine3d-{__version__}.dist-info"
    try:
        dist = importlib.metadata.distribution("affine3d")
        metadata = dist.read_text("METADATA") or ""
        entry_points = dist.read_text("entry_points.txt") or ""
    except importlib.metadata.PackageNotFoundError:
        metadata, entry_points = "", ""
    if f"Version: {__version__}" not in metadata:
        metadata = f"Metadata-Version: 2.1\nName: affine3d\nVersion: {__version__}\nRequires-Python: >=3.11\n"
    files[f"{dist_info}/METADATA"] = metadata.encode("utf-8")
    files[f"{dist_info}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: affine3d\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    files[f"{dist_info}/entry_points.txt"] = (entry_points or "[console_scripts]\naffine3d = affine3d.cli:main\n").encode()
    return _write_wheel(Path(directory) / f"affine3d-{__version__}-py3-none-any.whl", files, dist_info)


def wheel_of_installed(name: str, directory) -> Path:
    """Pack the installed distribution ``name`` (numpy, pillow, ...) back into its wheel in ``directory``.

    The files come from its RECORD, the tags from its WHEEL file, so the wheel fits this machine's
    Python and platform (and Gradescope's when they are the same: CPython 3.11 on Linux x86-64, say).
    """
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        raise UsageError(_("--with-installed-dependencies: {name} is not installed here").format(name=name)) from None
    wheel_text = dist.read_text("WHEEL") or ""
    tags = [line.split(":", 1)[1].strip() for line in wheel_text.splitlines() if line.startswith("Tag:")]
    if not tags or not dist.files:
        raise UsageError(_("--with-installed-dependencies: {name} was not installed from a wheel (no WHEEL or "
                           "RECORD)").format(name=name))
    python, abi, platform = ([], [], [])
    for tag in tags:
        for part, parts in zip(tag.split("-"), (python, abi, platform)):
            for piece in part.split("."):
                if piece not in parts:
                    parts.append(piece)
    dist_info = None
    files: dict[str, bytes] = {}
    for entry in dist.files:
        posix = entry.as_posix()
        if posix.startswith("..") or "__pycache__" in posix or posix.endswith((".pyc", ".pyo")):
            continue  # scripts in bin/ (outside site-packages) and byte code
        top = posix.split("/", 1)[0]
        if top.endswith(".dist-info"):
            dist_info = top
            if posix.split("/", 1)[1] in ("RECORD", "INSTALLER", "REQUESTED", "direct_url.json"):
                continue
        located = Path(dist.locate_file(entry))
        if located.is_file():
            files[posix] = located.read_bytes()
    if dist_info is None:
        raise UsageError(_("--with-installed-dependencies: {name} has no .dist-info in its RECORD").format(name=name))
    project, version = dist_info[:-len(".dist-info")].rsplit("-", 1)
    file_name = f"{project}-{version}-{'.'.join(python)}-{'.'.join(abi)}-{'.'.join(platform)}.whl"
    return _write_wheel(Path(directory) / file_name, files, dist_info, level=1)  # tens of MB: fast beats small


def setup_script(exercise: int, wheels: list[str], python_hint: str, requires=()) -> str:
    """The text of ``setup.sh``; ``requires``: what the exercise needs besides :data:`GRADING_NEEDS` (onnx, ...)."""
    carried = [w for w in wheels if not w.startswith("affine3d-")]
    needs = " ".join([*GRADING_NEEDS, *requires])
    install_needs = (f'"${{PIP[@]}}" install --no-index --find-links "$SOURCE/wheels" {needs}' if carried else
                     f'"${{PIP[@]}}" install {needs}  # from PyPI: the zip carries no wheels of them')
    return f"""#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder's image: it installs affine3d {__version__}
# (exercise {exercise}) from the wheel in this zip, without the network, into $ROOT/venv.
set -euo pipefail
ROOT="${{AFFINE3D_AUTOGRADER_ROOT:-/autograder}}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
PYTHON="${{AFFINE3D_AUTOGRADER_PYTHON:-}}"
fits() {{ command -v "$1" >/dev/null 2>&1 && "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }}
if [ -z "$PYTHON" ]; then
    for candidate in {python_hint} python3.13 python3.12 python3.11 python3; do
        if fits "$candidate"; then PYTHON="$candidate"; break; fi
    done
fi
if [ -z "$PYTHON" ]; then  # Gradescope's Ubuntu 22.04 image has Python 3.10; affine3d needs 3.11
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
if "$PYTHON" -m pip --version >/dev/null 2>&1; then  # that Python's pip installs into the new environment
    "$PYTHON" -m venv --without-pip "$VENV"
    PIP=("$PYTHON" -m pip --python "$VENV/bin/python")
fi
if [ -z "${{PIP+set}}" ] || ! "${{PIP[@]}}" --version >/dev/null 2>&1; then  # (pip >= 22.3 has --python)
    "$PYTHON" -m venv "$VENV"
    PIP=("$VENV/bin/python" -m pip)
fi
{install_needs}
"${{PIP[@]}}" install --no-index --find-links "$SOURCE/wheels" --no-deps --no-warn-conflicts "affine3d=={__version__}"
"$VENV/bin/python" -m affine3d --version
chmod +x "$SOURCE/run_autograder"
if [ -f "$SOURCE/secret.txt" ]; then chmod 600 "$SOURCE/secret.txt"; fi  # root's alone: not the student file's
"""


def run_script() -> str:
    """The text of ``run_autograder`` (a Python script run by the environment setup.sh made)."""
    return r'''#!/usr/bin/env bash
# Gradescope runs this for each submission: check the student's exercise file, write results/results.json.
ROOT="${AFFINE3D_AUTOGRADER_ROOT:-/autograder}"
exec "$ROOT/venv/bin/python" -I - "$ROOT" <<'PYTHON'
import json, os, subprocess, sys
from pathlib import Path

root = Path(sys.argv[1])
config = json.loads((root / "source" / "affine3d-autograder.json").read_text(encoding="utf-8"))
n = config["exercise"]
from affine3d import i18n
from affine3d.exercises.autograder import NONE_FOUND, NOT_CHECKED, NOTHING_TO_CHECK

if config.get("language"):
    i18n.use_language(config["language"])
results = root / "results" / "results.json"
results.parent.mkdir(parents=True, exist_ok=True)
submission = root / "submission"


def give(output, score=0.0):
    results.write_text(json.dumps({"score": score, "output": output, "tests": []}, indent=2), encoding="utf-8")
    print(output)
    sys.exit(0)


found = sorted(p for p in submission.rglob(f"exercise_{n}.py") if p.is_file()) if submission.is_dir() else []
if not found:
    python_files = sorted(p for p in submission.rglob("*.py") if p.is_file()) if submission.is_dir() else []
    if len(python_files) == 1:
        found = python_files
if len(found) != 1:
    names = ", ".join(str(p.relative_to(submission)) for p in found) or i18n._(NONE_FOUND)
    give(i18n._(NOTHING_TO_CHECK).format(number=n, file=f"exercise_{n}.py", command=f"affine3d exercise start {n}",
                                         names=names))
student = []
metadata = root / "submission_metadata.json"
try:
    users = json.loads(metadata.read_text(encoding="utf-8")).get("users") or []
    email = users[0].get("email") if users else None
except (OSError, ValueError, AttributeError):
    email = None
text = found[0].read_text(encoding="utf-8", errors="replace")
if email and "\nSTUDENT = " not in "\n" + text:
    student = ["--student", email]  # no STUDENT line: the numbers of the Gradescope account
command = [sys.executable, "-m", "affine3d", "exercise", "check", str(found[0]), "--exercise", str(n),
           "--format", "gradescope", "--output", str(results), "--timeout", str(config["timeout_s"]),
           "--memory", str(config["memory_mb"]),
           "--picture", str(root / "results" / f"exercise_{n}-yours-vs-target.png"), *student]
environment = dict(os.environ)
secret = root / "source" / "secret.txt"
if secret.is_file():  # the other cases' secret: in the checker's environment, never on a command line
    environment["AFFINE3D_COURSE_SECRET"] = secret.read_text(encoding="utf-8").strip()
if config.get("language"):  # the feedback in the course's language, whatever Gradescope's locale
    environment["LANGUAGE"] = config["language"]
if results.exists():
    results.unlink()
done = subprocess.run(command, capture_output=True, text=True, cwd=root, env=environment)
print(done.stdout)
print(done.stderr, file=sys.stderr)
if done.returncode == 2 or not results.exists():  # a usage error (no STUDENT line, an unreadable file): say it
    give(i18n._(NOT_CHECKED).format(number=n, file=found[0].name,
                                    why=(done.stderr.strip() or done.stdout.strip())[-500:]))
PYTHON
'''


GRADESCOPE_MEMORY_MB = 512
"""The student's memory limit on Gradescope: its containers have 768 MB by default, the checker needs the rest."""


def build(number, output, *, wheels=None, installed_dependencies: bool = False, timeout_s: float | None = None,
          memory_mb: int = GRADESCOPE_MEMORY_MB, secret: str | None = None, force: bool = False,
          language: str | None = None) -> dict:
    """Write Gradescope's autograder zip for exercise ``number`` to ``output``; returns what is in it.

    Parameters
    ----------
    number : int
        The exercise.
    output : path-like
        The zip to write (refused if it exists, unless ``force``).
    wheels : path-like, optional
        A folder of wheels to pack as well (numpy and Pillow for Gradescope's Python): then setup.sh
        installs everything without the network.
    installed_dependencies : bool
        Pack numpy and Pillow as installed here (:func:`wheel_of_installed`).
    timeout_s : float, optional
        The time limit of the student's file (default: ``check``'s).
    memory_mb : int
        The memory limit of the student's file (default :data:`GRADESCOPE_MEMORY_MB`).
    secret : str, optional
        The course secret (default ``$AFFINE3D_COURSE_SECRET``; empty: none), written to ``secret.txt``.
    language : str, optional
        The language of the feedback on Gradescope (``"pl"``, ``"en"``); default: the language messages are in now.
    """
    import tempfile

    from ..fileio import atomic_write
    from .runner import DEFAULT_TIMEOUT_S
    from .base import secret_id
    from .workflow import SECRET_ENV, _require, get

    from ..i18n import checked_language, current_language

    exercise = get(number)
    _require(exercise)
    try:
        language = current_language() if language is None else checked_language(language)
    except ValueError as exc:
        raise UsageError(f"--lang: {exc}") from None
    secret = (os.environ.get(SECRET_ENV, "") if secret is None else secret).strip()
    if "\n" in secret or "\r" in secret:
        raise UsageError(_("--secret: expected one line of text"))
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else float(timeout_s)
    if not 0 < timeout_s <= 3600:
        raise UsageError(_("--timeout: expected seconds in (0, 3600], got {value}").format(value=repr(timeout_s)))
    if not 64 <= int(memory_mb) <= 1 << 20:
        raise UsageError(_("--memory: expected megabytes from 64 up, got {value}").format(value=repr(memory_mb)))
    output = Path(output)
    if output.exists() and not force:
        raise UsageError(_("-o: {path} exists; use --force to replace it").format(path=output))
    extra: list[Path] = []
    if wheels is not None:
        folder = Path(wheels)
        if not folder.is_dir():
            raise UsageError(_("--wheels: {path} is not a folder of .whl files").format(path=folder))
        extra = sorted(folder.glob("*.whl"))
        if not extra:
            raise UsageError(_("--wheels: {path} has no .whl files ({command})").format(
                path=folder, command=f"pip download --only-binary=:all: --python-version 3.11 --platform "
                                     f"manylinux2014_x86_64 -d {folder} numpy pillow"))
    with tempfile.TemporaryDirectory(prefix="affine3d-autograder-") as tmp:
        made = [wheel_of_affine3d(tmp)]
        if installed_dependencies:
            made += [wheel_of_installed(name, tmp) for name in GRADING_NEEDS]
        names = [p.name for p in made] + [p.name for p in extra if p.name not in {m.name for m in made}]
        hint = f"python{sys.version_info.major}.{sys.version_info.minor}" if installed_dependencies else ""
        config = {"exercise": exercise.number, "title": exercise.title, "affine3d": __version__,
                  "timeout_s": timeout_s, "memory_mb": int(memory_mb), "secret_id": secret_id(secret), "language": language,
                  "made": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        entries = {"setup.sh": setup_script(exercise.number, names, hint, exercise.requires).encode("utf-8"),
                   "run_autograder": run_script().encode("utf-8"),
                   "affine3d-autograder.json": (json.dumps(config, indent=2) + "\n").encode("utf-8")}
        if secret:
            entries["secret.txt"] = (secret + "\n").encode("utf-8")
        with atomic_write(output, "-o", replace=True) as f:
            with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
                for name, data in entries.items():
                    info = zipfile.ZipInfo(name, _FIXED_TIME)
                    mode = 0o755 if name in ("setup.sh", "run_autograder") else 0o600 if name == "secret.txt" else 0o644
                    info.external_attr = mode << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, data)
                for path in [*made, *extra]:
                    if path in extra and path.name in {m.name for m in made}:
                        continue
                    z.write(path, f"wheels/{path.name}", compress_type=zipfile.ZIP_STORED)  # wheels are zips already
    offline = installed_dependencies or bool(extra)
    return {"exercise": exercise.number, "affine3d": __version__, "wheels": names, "offline": offline,
            "secret": bool(secret), "path": str(output), "language": language}
