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

A uniform that the GLSL compiler optimised away (because a student commented out the line that
used it) does not exist in the linked program. Setting it warns, naming it, instead of raising
``KeyError``: the picture is still worth drawing.

This module imports moderngl only for type names; it never makes a context.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np

from .resources import shader_dir

__all__ = [
    "UnusedUniformWarning",
    "load_source",
    "with_defines",
    "expand_includes",
    "build_program",
    "build_program_from_source",
    "build_compute",
    "set_uniform",
    "uniform_bytes",
    "active_uniforms",
    "ACTIVATION_CODES",
]

ACTIVATION_CODES = {"identity": 0, "relu": 1, "leaky_relu": 2, "sigmoid": 3, "tanh": 4, "softmax": 5}
"""How the shaders name an activation: ``mlp_layer.comp``'s ``ACTIVATION`` define, ``morph.vert``'s ``activation`` uniform."""

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
        raise ValueError(f"{name}: no '#define' line for {', '.join(sorted(missing))}")
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
            raise ValueError(f"{stack[-1]}, line {line_number}: #include {include!r} includes itself (via {' -> '.join(stack)})")
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


def build_compute(ctx, compute_shader: str, *, directory: Path | None = None):
    """Compile a compute shader (``#version 430``, GL >= 4.3) from a file in ``shaders/``; includes joined."""
    import moderngl

    folder = Path(directory) if directory is not None else shader_dir()
    text = (folder / compute_shader).read_text(encoding="utf-8")
    numbered = source_names(text, folder, name=compute_shader)
    try:
        return ctx.compute_shader(expand_includes(text, folder, name=compute_shader))
    except moderngl.Error as exc:
        legend = ", ".join(f"{i} = {n}" for i, n in enumerate(numbered))
        raise moderngl.Error(f"(GLSL source numbers: {legend})\n{exc}") from None


def active_uniforms(program) -> set[str]:
    """The names of the uniforms the linked program kept (the compiler drops the unused ones)."""
    import moderngl

    return {name for name in program if isinstance(program[name], moderngl.Uniform)}


def uniform_bytes(value) -> bytes:
    """A Python value as the bytes a GLSL uniform expects: float32, matrices column-major.

    ``Affine`` -> ``to_gl()`` (its 4x4 homogeneous matrix); a 2D array -> column-major float32
    (a ``mat3`` normal matrix, a 4x4 projection); anything else -> a flat float32 array.
    Integer and boolean uniforms are set with ``.value`` instead (see :func:`set_uniform`).

    Examples
    --------
    >>> np.frombuffer(uniform_bytes(np.array([[1, 2], [3, 4]])), np.float32).tolist()
    [1.0, 3.0, 2.0, 4.0]
    """
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    to_gl = getattr(value, "to_gl", None)
    if to_gl is not None:
        return to_gl()
    array = np.asarray(value, dtype=np.float32)
    return array.tobytes(order="F")


def set_uniform(program, name: str, value) -> bool:
    """Set the uniform ``name`` of ``program``; warn (naming it) if the linked program has no such uniform.

    Parameters
    ----------
    program : moderngl.Program
    name : str
        The GLSL name, e.g. ``"model"``.
    value : Affine, array-like, bytes, int or bool
        Floats, vectors and matrices go through :func:`uniform_bytes` (float32, column-major);
        ``int`` and ``bool`` values (samplers, flags) are assigned to ``.value`` as they are.

    Returns
    -------
    bool
        True if it was set, False if the uniform is not in the program (after an
        :class:`UnusedUniformWarning`).
    """
    try:
        uniform = program[name]
    except KeyError:
        uniform = None
    if uniform is None or not hasattr(uniform, "write"):
        warnings.warn(
            f"uniform {name!r} is not in the linked program: the GLSL compiler removed it because no "
            f"output depends on it (or the name is misspelt); setting it has no effect",
            UnusedUniformWarning,
            stacklevel=2,
        )
        return False
    if isinstance(value, (bool, int, np.integer)):
        uniform.value = value
    else:
        uniform.write(uniform_bytes(value))
    return True
