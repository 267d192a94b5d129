"""Print what affine3d needs when something does not draw: versions and the OpenGL contexts this machine gives.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys

from ..errors import one_line
from .. import i18n
from ..i18n import N_, _, prose_number

HELP = N_("print versions and which OpenGL contexts work here (what to install if something does not draw)")

DESCRIPTION = N_("""Print what affine3d needs when something does not draw: versions and the OpenGL contexts this machine gives.

Checks, each in its own short-lived process (a crashing driver cannot take this command down):

  headless (EGL)    what `affine3d render`, the tests and notebooks use; needs no display
  windowed (pyglet) what `affine3d view` uses; tried only where a display exists (DISPLAY or
                    WAYLAND_DISPLAY on Linux; always on macOS and Windows)

For each context: the GL renderer (the chip or, for "llvmpipe", Mesa's software renderer on the CPU),
vendor, version, antialiasing samples, and whether compute shaders are available (OpenGL 4.3 or
newer; `affine3d.gl.compute` and `affine3d bench gpu` need them). Without any context, `affine3d render`
still draws, with the CPU rasterizer (affine3d/cpu/raster.py). Always exits 0.
""")

_PROBE_TIMEOUT_S = 30
NOT_INSTALLED = N_("not installed")  # a package's version when it is missing (--json keeps it in English)


def add_arguments(parser) -> None:
    parser.add_argument("--json", action="store_true", help=_("print the findings as JSON instead"))


# ---------------------------------------------------------------------------- probes (run in a child process)
def _context_facts(ctx) -> dict:
    facts = {
        "renderer": ctx.info.get("GL_RENDERER"),
        "vendor": ctx.info.get("GL_VENDOR"),
        "version": ctx.info.get("GL_VERSION"),
        "version_code": ctx.version_code,
        "max_samples": ctx.max_samples,
        "compute": False,
    }
    if ctx.version_code >= 430:
        try:  # compile one, rather than trust the version number
            ctx.compute_shader("#version 430\nlayout(local_size_x = 1) in;\nvoid main() {}\n").release()
            facts["compute"] = True
        except Exception as exc:  # noqa: BLE001 - any driver error means "no"
            facts["compute_error"] = one_line(exc)
    return facts


def probe(kind: str) -> dict:
    """Try to make one kind of context ("egl", "default", "window"); a dict of facts or of the error."""
    from ..gl.context import create_context, window_context

    try:
        if kind == "window":
            import pyglet

            from pyglet import gl

            config = gl.Config(major_version=3, minor_version=3, forward_compatible=True, double_buffer=True, depth_size=24)
            window = pyglet.window.Window(width=64, height=64, visible=False, config=config)
            try:
                facts = _context_facts(window_context(window))
            finally:
                window.close()
            return {"ok": True, **facts}
        ctx = create_context(require=330, backend=kind)
        facts = _context_facts(ctx)
        ctx.release()
        return {"ok": True, **facts}
    except BaseException as exc:  # noqa: BLE001 - the point is to report it
        return {"ok": False, "error": one_line(exc, typed=True)}


def _probe_in_child(kind: str) -> dict:
    code = f"import json; from affine3d.commands.doctor import probe; print(json.dumps(probe({kind!r})))"
    try:
        env = {**os.environ, "LANGUAGE": i18n.current_language()}  # the child speaks as this process does (--lang)
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S,
                              env=env)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": _("no answer within {seconds} s (a hung driver or display)").format(
            seconds=_PROBE_TIMEOUT_S)}
    except OSError as exc:
        return {"ok": False, "error": _("could not start {program}: {error}").format(program=sys.executable, error=exc)}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    tail = one_line(done.stderr or "", keep="end")
    said = _("the check process exited with code {code}").format(code=done.returncode)
    return {"ok": False, "error": said + (f": {tail}" if tail else "")}


# ---------------------------------------------------------------------------- report
def _version(module_name: str) -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return version(module_name)
    except PackageNotFoundError:
        return NOT_INSTALLED
    except Exception as exc:  # noqa: BLE001
        return _("unknown ({error})").format(error=exc)


def _has_display() -> tuple[bool, str]:
    from ..app.display import display_name, no_display_reason

    reason = no_display_reason()
    return (False, reason) if reason else (True, display_name())


def gather() -> dict:
    """Everything the report shows, as plain data."""
    findings = {
        "python": f"{platform.python_version()} ({sys.executable})",
        "platform": platform.platform(),
        "packages": {name: _version(name) for name in ("affine3d", "numpy", "moderngl", "glcontext", "pyglet", "pillow")},
        "contexts": {},
    }
    findings["contexts"]["headless (EGL)"] = _probe_in_child("egl")
    if not findings["contexts"]["headless (EGL)"]["ok"]:
        findings["contexts"]["headless (default backend)"] = _probe_in_child("default")
    display, why = _has_display()
    findings["display"] = why
    if display:
        findings["contexts"]["windowed (pyglet)"] = _probe_in_child("window")
    else:
        findings["contexts"]["windowed (pyglet)"] = {"ok": False, "skipped": True,
                                                     "error": _("not tried: {reason}").format(reason=why)}
    findings["xvfb_run"] = shutil.which("xvfb-run")
    return findings


# The contexts' names are keys of --json's output (English); the report shows them through these.
CONTEXT_NAMES = {
    "headless (EGL)": N_("headless (EGL)"),
    "headless (default backend)": N_("headless (default backend)"),
    "windowed (pyglet)": N_("windowed (pyglet)"),
}


def _advice(findings: dict) -> list[str]:
    from ..gl.context import install_hint

    contexts = findings["contexts"]
    headless = next((c for name, c in contexts.items() if name.startswith("headless") and c["ok"]), None)
    window = contexts["windowed (pyglet)"]
    lines = []
    if headless:
        lines.append(_("affine3d render, the tests and notebook pictures: OK (headless context)."))
    else:
        lines.append(_("affine3d render: no headless OpenGL 3.3 context, so it draws with the CPU rasterizer "
                       "(numpy, slower: --backend cpu); for the GPU, {hint}.").format(hint=install_hint()))
    if window["ok"]:
        lines.append(_("affine3d view: OK (a window with OpenGL 3.3 opened)."))
    elif window.get("skipped"):
        if not findings.get("xvfb_run") and sys.platform.startswith("linux"):
            hint = _("run it on a desktop, or under a virtual display: xvfb-run -a affine3d view (apt-get install xvfb)")
        else:
            hint = _("run it on a desktop, or under a virtual display: xvfb-run -a affine3d view")
        lines.append(_("affine3d view: needs a display, and {reason}; {hint}.").format(reason=findings["display"], hint=hint))
    elif "display" in window["error"].lower():
        lines.append(_("affine3d view: the display ({display}) could not be reached; check that variable, "
                       "or use a virtual display: xvfb-run -a affine3d view.").format(display=findings["display"]))
    else:
        lines.append(_("affine3d view: a window with OpenGL 3.3 could not be opened (see above); "
                       "{hint}; on a remote machine use xvfb-run -a affine3d view.").format(hint=install_hint()))
    best = headless or (window if window["ok"] else None)
    if best:
        if best.get("compute"):
            lines.append(_("compute shaders (the MLP on the GPU): available."))
        else:
            lines.append(_("compute shaders (the MLP on the GPU): not available, OpenGL {version} < 4.3; "
                           "the CPU path still works.").format(version=prose_number(best["version_code"] / 100, 1)))
        if "llvmpipe" in (best.get("renderer") or "").lower() or "softpipe" in (best.get("renderer") or "").lower():
            lines.append(_("note: llvmpipe is Mesa's software renderer: the 'GPU' is this CPU. Correct, but slow for "
                           "big meshes."))
    if findings["packages"]["pyglet"] == NOT_INSTALLED:
        lines.append(_("pyglet is not installed: pip install pyglet (needed by affine3d view)."))
    return lines


def _shown_version(value: str) -> str:
    return i18n._(value) if value == NOT_INSTALLED else value


def format_report(findings: dict) -> str:
    """The text report; names, versions and the driver's own strings as they are, the words in the reader's language."""
    out = ["affine3d doctor", "", f"python      {findings['python']}", f"platform    {findings['platform']}"]
    for name, value in findings["packages"].items():
        out.append(f"{name:<11} {_shown_version(value)}")
    out += ["", _("OpenGL contexts:")]
    for name, facts in findings["contexts"].items():
        shown = i18n._(CONTEXT_NAMES[name]) if name in CONTEXT_NAMES else name
        if facts["ok"]:
            if facts.get("compute"):
                compute = _("yes")
            elif facts.get("compute_error"):
                compute = _("no ({error})").format(error=facts["compute_error"])
            else:
                compute = _("no")
            out += [
                _("  {name}: OK").format(name=shown),
                _("      renderer  {value}").format(value=facts["renderer"]),
                _("      vendor    {value}").format(value=facts["vendor"]),
                _("      version   {value}").format(value=facts["version"]),
                _("      MSAA      up to {samples} samples").format(samples=facts["max_samples"]),
                _("      compute shaders (GL >= 4.3): {answer}").format(answer=compute),
            ]
        elif facts.get("skipped"):
            out.append(_("  {name}: skipped: {error}").format(name=shown, error=facts["error"]))
        else:
            out.append(_("  {name}: FAILED: {error}").format(name=shown, error=facts["error"]))
    out += [""] + _advice(findings)
    return "\n".join(out)


def run(args) -> int:
    try:
        findings = gather()
        if getattr(args, "json", False):
            print(json.dumps(findings, indent=2))
        else:
            print(format_report(findings))
    except Exception as exc:  # noqa: BLE001 - doctor must always finish and say something
        print(_("affine3d doctor: the check itself failed: {error}").format(error=f"{type(exc).__name__}: {exc}"))
    return 0
