"""Where the shipped data lives: ``shaders/`` and ``scenes/``.

In a source checkout (and an editable install) they sit at the top of the repository, beside the
``affine3d`` package; a wheel (a plain ``pip install .``) carries them inside the package as
``affine3d/shaders`` and ``affine3d/scenes``. This is the one place that knows both.
"""

from __future__ import annotations

from pathlib import Path
from .i18n import _

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The folder ``shaders`` or ``scenes``: inside the installed package, else beside it."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(_("affine3d's {name}/ folder was not found next to {limit}; reinstall the package").format(
        name=name, limit=_PACKAGE))


def shader_dir() -> Path:
    """The folder of GLSL sources (``*.vert``, ``*.frag``, ``*.comp``, ``*.glsl``)."""
    return data_dir("shaders")


def scene_dir() -> Path:
    """The folder of the shipped scenes (``*.toml``) and their mesh and model files."""
    return data_dir("scenes")
