"""Tests of the package as a user gets it: imports without OpenGL, the command line, a plain wheel install."""

import importlib.metadata
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import affine3d

REPO = Path(__file__).resolve().parent.parent
GL_MODULES = ("moderngl", "glcontext", "pyglet")



def no_gl_child(body: str) -> str:
    """Python code that blocks OpenGL imports (as on a machine without OpenGL), runs ``body``, then prints
    the OpenGL, pyglet and onnx modules that got loaded, as JSON. Run in a child process, so modules
    imported by other tests in this process do not count."""
    prelude = textwrap.dedent(
        f"""
        import importlib.abc, json, sys

        BLOCKED = {GL_MODULES!r}

        class NoGL(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in BLOCKED:
                    raise ImportError(f"{{name}} is blocked: this machine has no OpenGL")
                return None

        sys.meta_path.insert(0, NoGL())
        """
    )
    report = 'print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED + ("onnx", "onnxruntime"))))\n'
    return prelude + textwrap.dedent(body) + "\n" + report


def run_python(code: str, **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, **kwargs)


def test_math_imports_and_works_without_opengl():
    """import affine3d (Affine, projection) loads neither moderngl nor pyglet, and the maths runs with them blocked."""
    body = textwrap.dedent(
        """
        import affine3d, affine3d.affine, affine3d.projection
        from affine3d import Affine
        F = Affine.rotation_z(0.5) @ Affine.translation([1, 2, 3])
        assert F.inverse()(F([1.0, 2.0, 3.0])).round(9).tolist() == [1.0, 2.0, 3.0]
        affine3d.projection.perspective(1.0, 1.0, 0.1, 10.0)
        F.to_gl()
        """
    )
    result = run_python(no_gl_child(body), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_command_line_help_imports_no_opengl():
    """Building the command's parser (what --help does) imports no OpenGL, pyglet or onnx module."""
    body = "from affine3d.cli import build_parser\nbuild_parser().format_help()"
    result = run_python(no_gl_child(body), cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_python_m_affine3d_help():
    """python -m affine3d --help prints the usage and the commands, exit code 0; --version prints the version."""
    result = subprocess.run([sys.executable, "-m", "affine3d", "--help"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: affine3d")
    assert "bench" in result.stdout
    version = subprocess.run([sys.executable, "-m", "affine3d", "--version"], capture_output=True, text=True, timeout=120)
    assert version.returncode == 0
    assert version.stdout.strip() == f"affine3d {affine3d.__version__}"


def test_console_script_is_declared():
    """The installed distribution declares the console script affine3d = affine3d.cli:main, at the package's version."""
    scripts = {ep.name: ep.value for ep in importlib.metadata.entry_points(group="console_scripts")}
    assert scripts.get("affine3d") == "affine3d.cli:main"
    assert importlib.metadata.version("affine3d") == affine3d.__version__


def test_plain_wheel_install_ships_shaders_and_scenes(tmp_path):
    """A non-editable install (wheel built from this tree, into a fresh venv) finds shaders/ and scenes/ inside site-packages."""
    wheels = tmp_path / "wheels"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(wheels), str(REPO)]
    if importlib.util.find_spec("hatchling") is not None:
        build.insert(4, "--no-build-isolation")  # offline when the build backend is already here
    result = subprocess.run(build, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (wheel,) = wheels.glob("affine3d-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)]
    result = subprocess.run(install, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, cwd=tmp_path, env=env,
    ).stdout.strip()
    # numpy and friends come from this interpreter's environment, *after* the venv's own site-packages,
    # so `import affine3d` finds the installed wheel and not this checkout.
    host_paths = sorted({p for p in sys.path if p.endswith("site-packages")})
    (Path(site) / "_host_packages.pth").write_text("\n".join(host_paths) + "\n")

    probe = (
        "import json, affine3d, affine3d.resources as r; "
        "print(json.dumps([affine3d.__file__, str(r.shader_dir()), str(r.scene_dir())]))"
    )
    result = subprocess.run([str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    package_file, shader_dir, scene_dir = (Path(p) for p in json.loads(result.stdout))
    package = Path(site) / "affine3d"
    assert package_file.parent == package
    assert shader_dir == package / "shaders"
    assert scene_dir == package / "scenes"

    for name, installed in (("shaders", shader_dir), ("scenes", scene_dir)):
        shipped = {p.relative_to(REPO / name) for p in (REPO / name).rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        found = {p.relative_to(installed) for p in installed.rglob("*") if p.is_file()}
        assert shipped, f"{name}/ is empty in the checkout"
        assert shipped <= found, f"missing from the wheel's {name}/: {sorted(map(str, shipped - found))}"
    assert (shader_dir / "affine.glsl").is_file()
    # the browser page's own files (affine3d serve / export-web): HTML, style, ES modules
    static = REPO / "affine3d" / "web" / "static"
    shipped = {p.relative_to(static) for p in static.rglob("*") if p.is_file()}
    found = {p.relative_to(package / "web" / "static") for p in (package / "web" / "static").rglob("*") if p.is_file()}
    assert Path("index.html") in shipped and Path("js/app.js") in shipped
    assert shipped <= found, f"missing from the wheel's web/static/: {sorted(map(str, shipped - found))}"
    # the lecture deck's templates (affine3d lecture)
    assert (package / "web" / "deck" / "lecture.html").is_file() and (package / "web" / "deck" / "lecture.css").is_file()

    script = venv / ("Scripts/affine3d.exe" if os.name == "nt" else "bin/affine3d")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: affine3d")
    result = subprocess.run([str(script), "export-web", "site", "cube-to-sphere"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "js" / "app.js").is_file() and (tmp_path / "site" / "shaders" / "morph-1.vert").is_file()
    assert (tmp_path / "site" / "models" / "cube-to-sphere.safetensors").is_file()
    result = subprocess.run([str(script), "lecture", "--export", "deck"], capture_output=True, text=True,
                            cwd=tmp_path, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert 'id="deck-data">{' in (tmp_path / "deck" / "index.html").read_text(encoding="utf-8")
    # the compiled catalogue ships: the installed command speaks Polish where the environment asks for it
    assert (package / "locale" / "pl" / "LC_MESSAGES" / "affine3d.mo").is_file()
    result = subprocess.run([str(python), "-c", "from affine3d.i18n import checked_language; checked_language('xx')"],
                            capture_output=True, text=True, cwd=tmp_path, env={**env, "LANG": "pl_PL.UTF-8"}, timeout=120)
    assert "nieznany język 'xx'" in result.stderr, result.stderr


def test_license_file_is_mit_and_shipped_in_the_wheel_and_the_sdist(tmp_path):
    """LICENSE (the MIT text, as pyproject.toml declares) is in the repository, the wheel's metadata and the sdist."""
    import tarfile
    import tomllib
    import zipfile

    text = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted, free of charge" in text
    assert tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["license"] == "MIT"
    code = ("import os, sys; os.chdir(sys.argv[1]); from hatchling.build import build_wheel, build_sdist; "
            "print(build_wheel(sys.argv[2])); print(build_sdist(sys.argv[2]))")
    result = subprocess.run([sys.executable, "-c", code, str(REPO), str(tmp_path)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    wheel_name, sdist_name = result.stdout.split()
    with zipfile.ZipFile(tmp_path / wheel_name) as wheel:
        licenses = [n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert licenses and wheel.read(licenses[0]).decode() == text
    with tarfile.open(tmp_path / sdist_name) as sdist:
        member = next(m for m in sdist.getmembers() if m.name.endswith("/LICENSE") and m.name.count("/") == 1)
        assert sdist.extractfile(member).read().decode() == text
