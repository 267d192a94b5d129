"""The one place OpenGL contexts are made and made current.

moderngl sends every call to whatever context is *current* on the thread, not to the context the
object belongs to. A process that renders a scene headless, runs a network on a compute shader and
opens a viewer window holds several contexts; if one of them is not made current before it is used,
its calls land in another one: a crash at best ("cannot map the buffer"), silently wrong numbers at
worst. So affine3d keeps one rule: every GL entry point (a renderer's draw, a compute dispatch, a
transform-feedback pass, a read-back) calls :func:`make_current` on its context first. It costs well
under a microsecond when the context is current already.

- :func:`default_context`: one headless context per process, made on first use and shared by the
  renderer (:func:`affine3d.gl.render`), the GPU MLP (:func:`affine3d.gl.run_mlp_gpu`) and the
  morph; a notebook needs no other.
- :func:`create_context`: a new headless context of your own (EGL: no display needed).
- :func:`window_context`: a moderngl context on a pyglet window; :func:`make_current` then switches
  to that window.
"""

from __future__ import annotations

import sys
import weakref

from ..errors import GLUnavailableError, one_line
from ..i18n import _

__all__ = ["create_context", "default_context", "window_context", "make_current", "install_hint",
           "release_current_egl_context"]

# A context -> how to make it current, for contexts that moderngl cannot switch to itself (a window's).
_ACTIVATORS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_DEFAULT: dict = {}


def install_hint() -> str:
    """What to install for OpenGL on this platform, in one sentence."""
    if sys.platform.startswith("linux"):
        return _("install Mesa: apt-get install libegl1 libgl1-mesa-dri (Debian/Ubuntu) or dnf install mesa-libEGL "
                 "mesa-dri-drivers (Fedora)")
    if sys.platform == "darwin":
        return _("macOS has OpenGL 4.1 built in; reinstall moderngl and glcontext (pip install --force-reinstall moderngl "
                 "glcontext)")
    if sys.platform.startswith("win"):
        return _("install or update the graphics driver (it provides OpenGL), then reinstall moderngl")
    return _("install an OpenGL 3.3 driver (Mesa) and moderngl")


def _import_moderngl():
    try:
        import moderngl
    except ImportError as exc:  # pragma: no cover - moderngl is a dependency
        raise GLUnavailableError(_("moderngl could not be imported ({reason}); pip install moderngl").format(
            reason=one_line(exc))) from None
    return moderngl


def create_context(*, require: int = 330, backend: str | None = None):
    """A new headless OpenGL context of its own: no window, no display needed (CI, a notebook on a server).

    Parameters
    ----------
    require : int
        The least OpenGL version, as ``major * 100 + minor * 10`` (330 = OpenGL 3.3 core).
    backend : {None, "egl", "default"}
        None: EGL, then the platform's default (GLX, WGL, CGL); ``"egl"`` or ``"default"``: only that
        one (``affine3d doctor`` asks each in turn).

    Returns
    -------
    moderngl.Context
        Current on this thread.

    Raises
    ------
    GLUnavailableError
        One line: what was tried, why each failed, and what to install.
    """
    moderngl = _import_moderngl()
    version = f"{require // 100}.{require % 100 // 10}"
    tries = {"egl": ("EGL", {"backend": "egl"}), "default": ("default", {})}
    if backend is not None and backend not in tries:
        raise ValueError(_("backend: expected None, 'egl' or 'default', got {backend}").format(
            backend=repr(backend)))
    attempts = []
    for label, kwargs in ([tries[backend]] if backend else tries.values()):
        try:
            return moderngl.create_standalone_context(require=require, **kwargs)
        except Exception as exc:  # glcontext raises plain Exception subclasses with the driver's message
            attempts.append(f"{label}: {one_line(exc)}")
    raise GLUnavailableError(_("no OpenGL {version} context could be made ({attempts}); {hint}").format(
        version=version, attempts='; '.join(attempts), hint=install_hint()))


def default_context():
    """The process's shared headless context, made on first use; current when this returns.

    One context serves the renderer, the compute-shader MLP and the morph, so their objects can
    meet (a buffer written by one is read by another) and nothing is compiled twice. It asks for
    OpenGL 4.3 (compute shaders) and settles for 3.3 where the driver has no more (macOS): the
    renderer then works and the GPU MLP says why it cannot.
    """
    ctx = _DEFAULT.get("ctx")
    if ctx is None:
        try:
            ctx = create_context(require=430)
        except GLUnavailableError:
            ctx = create_context(require=330)
        _DEFAULT["ctx"] = ctx
    return make_current(ctx)


def window_context(window):
    """A moderngl context on ``window``'s OpenGL context (a pyglet window); :func:`make_current` switches to the window.

    Raises
    ------
    GLUnavailableError
        The window has no usable context, or one older than OpenGL 3.3.
    """
    window.switch_to()
    moderngl = _import_moderngl()
    try:
        moderngl.init_context()
        ctx = moderngl.get_context()
    except Exception as exc:
        raise GLUnavailableError(_("the window has no usable OpenGL context ({reason})").format(
            reason=one_line(exc))) from None
    if ctx.version_code < 330:
        raise GLUnavailableError(_("the window's OpenGL is {major}.{minor}; the viewer needs 3.3").format(
            major=ctx.version_code // 100, minor=ctx.version_code % 100 // 10))
    window_ref = weakref.ref(window)
    # A headless pyglet window is an EGL surface; a real one (GLX) cannot become current while an
    # EGL context is (see release_current_egl_context), so that one is let go of first.
    on_glx = type(window).__module__.startswith("pyglet.window.xlib")

    def activate():
        live = window_ref()
        if live is not None:
            if on_glx:
                release_current_egl_context()
            live.switch_to()

    _ACTIVATORS[ctx] = activate
    return ctx


def make_current(ctx):
    """Make ``ctx`` the thread's current context (every GL entry point calls this first); returns ``ctx``.

    A window's context is made current through its window; any other (a context of your own from
    moderngl, or one of :func:`create_context`) through moderngl's ``ctx.__enter__()``, which is
    deliberately not paired with ``__exit__``: that would leave no context current.
    """
    activate = _ACTIVATORS.get(ctx)
    if activate is not None:
        activate()
    else:
        ctx.__enter__()
    return ctx


def release_current_egl_context() -> None:
    """Let go of an EGL context that is current on this thread (a headless render made earlier).

    With libglvnd (every current Linux), a thread has one current context across GLX and EGL: while a
    headless EGL context is current, making a window's GLX context current silently fails, and the
    viewer would draw into the headless context instead of the window. Nothing to do elsewhere.
    """
    egl = _loaded_egl()
    if egl is not None and egl.eglGetCurrentContext():
        egl.eglMakeCurrent(egl.eglGetCurrentDisplay(), None, None, None)


def _loaded_egl():
    """libEGL through ctypes if this process has loaded it already (never load it just to ask), else None."""
    if not sys.platform.startswith("linux"):
        return None
    egl = _DEFAULT.get("libEGL")
    if egl is None:
        import ctypes
        import os

        try:
            egl = ctypes.CDLL("libEGL.so.1", mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            return None
        egl.eglGetCurrentContext.restype = ctypes.c_void_p
        egl.eglGetCurrentDisplay.restype = ctypes.c_void_p
        egl.eglMakeCurrent.argtypes = [ctypes.c_void_p] * 4
        _DEFAULT["libEGL"] = egl
    return egl
