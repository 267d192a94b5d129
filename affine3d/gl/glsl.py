"""GLSL sources: find them in ``shaders/``, join ``#include "affine.glsl"``, build programs, set uniforms.

The shaders live as files (``shaders/mesh.vert``, ``shaders/affine.glsl``, ...) so they read like
the rest of the code. GLSL has no include statement of its own, so this module adds the smallest
one: a line ``#include "NAME"`` is replaced by the text of ``shaders/NAME``. Included files are
plain functions with no ``#version`` line, which is how one ``affine.glsl`` serves both the
``#version 330 core`` renderer and the ``#version 430`` compute shader.

(Do not quote an include line inside a comment: moderngl scans the final text for the same
pattern and would look for that file in ``ctx.includes``.)

``#line`` directives around each included file keep the compiler's error messages pointing at the
right line: GLSL numbers source strings, so the main file is string 0 and the includes are 1, 2, ...
in the order they appear; a compile error lists which number is which file.

The same step builds the page's programs (``affine3d serve``, :mod:`affine3d.web`): :func:`webgl_source`
joins the same includes and only swaps the ``#version 330 core`` line for WebGL2's ``#version 300 es``
and the precision statements GLSL ES asks for, so the browser compiles the very files the desktop does.

A uniform that the GLSL compiler optimised away (because a student commented out the line that
used it) does not exist in the linked program. :class:`Uniforms` warns, naming it, instead of
raising ``KeyError``: the picture is still worth drawing.

This module imports moderngl only inside its functions; the contexts come from :mod:`.context`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from ..resources import shader_dir
from .context import make_current
from ..i18n import _

__all__ = [
    "UnusedUniformWarning",
    "load_source",
    "with_defines",
    "expand_includes",
    "build_program",
    "build_program_from_source",
    "build_compute_from_source",
    "Uniforms",
    "active_uniforms",
    "ACTIVATION_CODES",
    "webgl_source",
    "to_webgl",
]

ACTIVATION_CODES = {"identity": 0, "relu": 1, "leaky_relu": 2, "sigmoid": 3, "tanh": 4, "softmax": 5}
"""How the shaders name an activation: ``mlp_layer.comp``'s ``ACTIVATION`` define, ``morph.vert``'s ``activation`` uniform."""

WEBGL_HEADER = ("#version 300 es", "precision highp float;", "precision highp int;")
"""What replaces a desktop shader's ``#version 330 core`` line for WebGL2 (GLSL ES 3.00, where precision is required)."""

_DESKTOP_VERSION = re.compile(r"^#version 330 core[ \t]*$")
_DEFINE = re.compile(r"^#define (\w+) .*$", re.MULTILINE)
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include[ \t]+"([^"]+)"[ \t]*(?://.*)?$')


class UnusedUniformWarning(UserWarning):
    """A uniform was set that the linked program does not have (unused, so optimised away, or misspelt)."""


def load_source(name: str, directory: Path | None = None) -> str:
    """The text of ``shaders/NAME`` with every ``#include "FILE"`` replaced by that file's text.

    Parameters
    ----------
    name : str
        A file name in the shader folder, e.g. ``"mesh.vert"``.
    directory : Path, optional
        Where to look instead of the shipped ``shaders/`` folder (tests, a student's own shaders).

    Returns
    -------
    str
        GLSL source ready for the compiler: ``#version`` still on line 1.

    Examples
    --------
    >>> source = load_source("mesh.vert")
    >>> source.splitlines()[0]
    '#version 330 core'
    >>> "vec4 apply_affine(mat4 M, vec4 p)" in source
    True
    """
    folder = Path(directory) if directory is not None else shader_dir()
    path = folder / name
    text = path.read_text(encoding="utf-8")  # FileNotFoundError names the path
    return expand_includes(text, folder, name=name)


def with_defines(name: str, defines: dict, directory: Path | None = None) -> str:
    """The text of ``shaders/NAME`` with its ``#define KEY value`` lines set from ``defines``; includes not yet joined.

    Each line is replaced in place, so the compiler's line numbers stay those of the file.

    Raises
    ------
    ValueError
        A key of ``defines`` with no ``#define`` line in the file.

    Examples
    --------
    >>> [line for line in with_defines("morph.vert", {"N_BLOCKS": 2}).splitlines() if "N_BLOCKS 2" in line]
    ['#define N_BLOCKS 2']
    """
    folder = Path(directory) if directory is not None else shader_dir()
    text = (folder / name).read_text(encoding="utf-8")
    missing = set(defines)

    def define(match):
        key = match.group(1)
        if key not in defines:
            return match.group(0)
        missing.discard(key)
        return f"#define {key} {defines[key]}"

    text = _DEFINE.sub(define, text)
    if missing:
        raise ValueError(_("{name}: no '#define' line for {names}").format(
            name=name, names=', '.join(sorted(missing))))
    return text


def expand_includes(source: str, directory: Path | None = None, *, name: str = "<source>") -> str:
    """Replace each ``#include "FILE"`` line of ``source`` by ``FILE``'s text from ``directory``.

    Each file is included at most once (a second ``#include`` of it is dropped, like an include
    guard), and includes may nest. ``#line`` directives keep compiler messages on the right line:
    the main source is string 0, the first distinct include string 1, and so on
    (:func:`source_names` lists them).

    Examples
    --------
    >>> text = expand_includes('#version 330 core\\n#include "affine.glsl"\\nvoid main() {}\\n')
    >>> text.splitlines()[1]
    '#line 1 1'
    >>> text.splitlines()[-2:]
    ['#line 3 0', 'void main() {}']
    """
    folder = Path(directory) if directory is not None else shader_dir()
    names = [name]
    return "\n".join(_expand(source, folder, names, 0, [name])) + "\n"


def source_names(source: str, directory: Path | None = None, *, name: str = "<source>") -> list[str]:
    """The file behind each GLSL source-string number of ``expand_includes(source)``: index = number."""
    folder = Path(directory) if directory is not None else shader_dir()
    names = [name]
    _expand(source, folder, names, 0, [name])
    return names


def _expand(source: str, folder: Path, names: list[str], number: int, stack: list[str]) -> list[str]:
    out: list[str] = []
    for line_number, line in enumerate(source.splitlines(), start=1):
        match = _INCLUDE.match(line)
        if not match:
            out.append(line)
            continue
        include = match.group(1)
        if include in stack:
            raise ValueError(_("{stack}, line {line_number}: #include {include} includes itself (via {names})").format(
                stack=stack[-1], line_number=line_number, include=repr(include), names=' -> '.join(stack)))
        if include in names:
            out.append(f"// {include} was already included above")  # moderngl would try to resolve an include line itself
            continue
        names.append(include)
        child = len(names) - 1
        text = (folder / include).read_text(encoding="utf-8")
        out.append(f"#line 1 {child}")
        out.extend(_expand(text, folder, names, child, stack + [include]))
        out.append(f"#line {line_number + 1} {number}")
    return out


def to_webgl(source: str, *, name: str = "<source>") -> str:
    """Desktop GLSL (``#version 330 core`` on line 1) as WebGL2 GLSL: the version line and precision adapted.

    Line 1 becomes ``#version 300 es`` followed by ``precision highp float;`` and ``precision highp
    int;`` (GLSL ES has no default float precision in fragment shaders; highp keeps float32, as on the
    desktop), then ``#line 2 0``, so the browser's compile errors still name the file's own lines.
    Nothing else changes: the maths is the same text.

    Raises
    ------
    ValueError
        ``source`` does not start with ``#version 330 core`` (a compute shader, ``#version 430``,
        has no WebGL2 counterpart).

    Examples
    --------
    >>> to_webgl("#version 330 core\\nvoid main() {}\\n").splitlines()
    ['#version 300 es', 'precision highp float;', 'precision highp int;', '#line 2 0', 'void main() {}']
    """
    first, _unused, rest = source.partition("\n")
    if not _DESKTOP_VERSION.match(first):
        raise ValueError(_("{name}: line 1 must be '#version 330 core' to become WebGL2 GLSL, got {first}").format(
            name=name, first=repr(first[:40])))
    return "\n".join([*WEBGL_HEADER, "#line 2 0", rest])


def webgl_source(name: str, defines: dict | None = None, directory: Path | None = None) -> str:
    """``shaders/NAME`` for WebGL2: ``#define`` lines set, includes joined (as for the desktop), then :func:`to_webgl`.

    Examples
    --------
    >>> source = webgl_source("mesh.vert")
    >>> source.splitlines()[:2]
    ['#version 300 es', 'precision highp float;']
    >>> "gl_Position = projection * world * model * vec4(in_position, 1.0);" in source
    True
    """
    folder = Path(directory) if directory is not None else shader_dir()
    text = with_defines(name, defines, folder) if defines else (folder / name).read_text(encoding="utf-8")
    return to_webgl(expand_includes(text, folder, name=name), name=name)


def build_program(ctx, vertex_shader: str, fragment_shader: str, *, geometry_shader: str | None = None,
                  varyings: tuple[str, ...] = (), directory: Path | None = None):
    """Compile and link a program from shader files.

    Parameters
    ----------
    ctx : moderngl.Context
    vertex_shader, fragment_shader, geometry_shader : str
        File names in ``shaders/`` (or ``directory``), e.g. ``"mesh.vert"``.
    varyings : tuple of str
        Vertex-shader outputs to capture with transform feedback (then ``fragment_shader`` may be ``None``).

    Returns
    -------
    moderngl.Program

    Raises
    ------
    moderngl.Error
        A compile or link error; the message starts with which source number is which file.
    """
    files = {"vertex_shader": vertex_shader, "fragment_shader": fragment_shader, "geometry_shader": geometry_shader}
    folder = Path(directory) if directory is not None else shader_dir()
    sources = {stage: (folder / name).read_text(encoding="utf-8") for stage, name in files.items() if name}
    return build_program_from_source(ctx, **sources, varyings=varyings, directory=folder, names=files)


def build_program_from_source(ctx, vertex_shader: str, fragment_shader: str | None = None, *,
                              geometry_shader: str | None = None, varyings: tuple[str, ...] = (),
                              directory: Path | None = None, names: dict | None = None):
    """Compile and link a program from GLSL text (for tests and experiments); includes are joined first."""
    import moderngl

    make_current(ctx)
    names = names or {}
    stages = {"vertex_shader": vertex_shader, "fragment_shader": fragment_shader, "geometry_shader": geometry_shader}
    expanded, legends = {}, []
    for stage, text in stages.items():
        if text is None:
            continue
        label = names.get(stage) or stage.replace("_shader", " shader")
        expanded[stage] = expand_includes(text, directory, name=label)
        numbered = source_names(text, directory, name=label)
        if len(numbered) > 1:
            legends.append(f"{label}: " + ", ".join(f"{i} = {n}" for i, n in enumerate(numbered)))
    try:
        return ctx.program(**expanded, varyings=list(varyings))
    except moderngl.Error as exc:
        legend = f"(GLSL source numbers: {'; '.join(legends)})\n" if legends else ""
        raise moderngl.Error(f"{legend}{exc}") from None


def build_compute_from_source(ctx, source: str, *, name: str = "compute shader", directory: Path | None = None):
    """Compile a compute shader (``#version 430``, GL >= 4.3) from GLSL text; includes joined first.

    Raises
    ------
    moderngl.Error
        A compile error; the message starts with which source number is which file.
    """
    import moderngl

    make_current(ctx)
    try:
        return ctx.compute_shader(expand_includes(source, directory, name=name))
    except moderngl.Error as exc:
        legend = ", ".join(f"{i} = {n}" for i, n in enumerate(source_names(source, directory, name=name)))
        raise moderngl.Error(_("(GLSL source numbers: {legend})\n{exc}").format(legend=legend, exc=exc)) from None


def active_uniforms(program) -> set[str]:
    """The names of the uniforms the linked program kept (the compiler drops the unused ones)."""
    import moderngl

    return {name for name in program if isinstance(program[name], moderngl.Uniform)}


class Uniforms:
    """The uniforms ``names`` of a linked program, looked up once; :meth:`write` sets one from its bytes.

    A name the GLSL compiler removed (nothing depends on it: a student commented out the line that
    used it, or it is misspelt) is not in the linked program. With ``warn`` (the default) that is an
    :class:`UnusedUniformWarning` naming it, here, once; :meth:`write` then skips it, so the picture
    is still drawn. ``warn=False`` for programs that use some uniforms only in some variants.

    The bytes come from :mod:`affine3d.pack` (``pack.matrix(M)``, ``F.to_gl()``, ``pack.floats(v)``):
    float32, matrices column-major, as GLSL reads them.
    """

    def __init__(self, program, names, *, warn: bool = True):
        active = active_uniforms(program)
        self._handles = {name: program[name] for name in names if name in active}
        if warn:
            for name in names:
                if name not in active:
                    warnings.warn(
                        _("uniform {name} is not in the linked program: the GLSL compiler removed it because no output "
                          "depends on it (or it is misspelt); it will not be set").format(name=repr(name)),
                        UnusedUniformWarning,
                        stacklevel=2,
                    )

    def __contains__(self, name: str) -> bool:
        return name in self._handles

    def write(self, name: str, data: bytes) -> None:
        """Set uniform ``name`` to ``data`` (its bytes); a uniform the program dropped is skipped."""
        uniform = self._handles.get(name)
        if uniform is not None:
            uniform.write(data)
