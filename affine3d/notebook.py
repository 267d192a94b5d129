"""A scene (and a network) live in a notebook: the browser page's engine as an anywidget.

Jupyter, JupyterLab, VS Code, Colab and marimo all show `anywidget <https://anywidget.dev>`_ widgets:
one ES module, sent by Python, rendered in the notebook's browser tab. Here that module is the page's own
engine (``affine3d/web/static/js``: WebGL2, the desktop's shader files, the same maths), so a drag in the
picture, the world matrix and a network's forward pass behave as in ``affine3d view`` and ``affine3d serve``.
Nothing is fetched from the internet: shaders, scene and model travel with the widget. Colab, which has no
OpenGL in its kernel, draws it in the browser like any other front end::

    from affine3d.notebook import show
    w = show("cube-to-sphere")
    w                                             # the last line of a cell shows it
    w.world = w.affine @ Affine.rotation_y(0.5)   # Python turns the world; a drag writes `w.world` back

Needs the optional extra ``pip install affine3d[notebook]`` (anywidget). Synced both ways (traits):

- ``world``: the 4x4 world map (world space -> camera space), rows. Set an :class:`~affine3d.Affine` (or a
  4x4 array) and the picture redraws; a drag, right-drag or the wheel writes it back. ``w.affine`` reads
  it as an Affine.
- ``stage``, ``t``, ``playing``: where the network's forward pass is (stage 0-based, t in [0, 1]).
- ``projection`` ("perspective" / "orthographic"), ``wireframe``, ``shading`` ("scene", "flat",
  "smooth"), ``path`` ("linear" / "polar", as ``--path``).
- ``lang`` ("pl", "en", or "" for the browser's language): the language of the widget's words; the
  catalogue travels with the widget (``static/locale/<lang>.json``), as the shaders do.

anywidget loads the module from a blob URL, where the engine's relative imports (``./affine.js``) cannot
resolve, so :func:`widget_module` joins the engine's files, in ``engine.js``'s order, into one module,
dropping only their ``import`` lines: the widget runs the page's code byte for byte (a test holds that).
No Node toolchain: the join is done here, in Python, once per process.
"""

from __future__ import annotations

import functools
import re
import tempfile
from pathlib import Path

import numpy as np

from .affine import Affine
from .errors import UsageError
from .i18n import _
from .geometry import shading
from .web.site import STATIC_DIR, scene_record

__all__ = ["show", "widget_module", "engine_files", "WIDGET_SHADERS", "PROJECTIONS", "SHADINGS"]

JS_DIR = STATIC_DIR / "js"
WIDGET_SHADERS = ("mesh.vert", "mesh.frag", "lines.vert", "lines.frag", "morph-1.vert", "morph-2.vert", "morph-3.vert",
                  "morph-4.vert")
"""The shader texts the widget compiles: the page's ``shaders/`` (:func:`affine3d.web.site._write_shaders`)."""
PROJECTIONS = ("perspective", "orthographic")
SHADINGS = ("scene", *shading.SHADINGS)

_IMPORT = re.compile(r'^import\s*(?:\{[^}]*\}|\*\s+as\s+\w+|\w+)\s*from\s*"\./[a-z0-9]+\.js";[ \t]*\n', re.M)
_RE_EXPORT = re.compile(r'^export \* from "\./([a-z0-9]+\.js)";$', re.M)
_TOP_NAME = re.compile(r"^(?:export\s+)?(?:async\s+)?(?:function\*?|class|const|let|var)\s+([A-Za-z_$][\w$]*)", re.M)


def engine_files() -> list[Path]:
    """The engine's modules in ``engine.js``'s order, then ``widget.js``: what :func:`widget_module` joins."""
    names = _RE_EXPORT.findall((JS_DIR / "engine.js").read_text(encoding="utf-8"))
    return [JS_DIR / name for name in names] + [JS_DIR / "widget.js"]


def strip_imports(source: str) -> str:
    """A module's text without its relative ``import ... from "./x.js";`` lines (in one module they are one scope)."""
    return _IMPORT.sub("", source)


@functools.cache
def widget_module() -> str:
    """The widget's one self-contained ES module: the engine's files joined, imports dropped, ``export default`` last.

    Raises
    ------
    UsageError
        Two files declare the same top-level name (joined, they would clash): the engine must keep names unique.
    """
    parts, seen = [], {}
    for path in engine_files():
        body = strip_imports(path.read_text(encoding="utf-8"))
        for name in _TOP_NAME.findall(body):
            if name in seen:
                raise UsageError(_("{name}: top-level name {name2} is also declared in {seen}; the widget module joins the engine's "
                                    "files into one scope").format(
                    name=path.name, name2=repr(name), seen=seen[name]))
            seen[name] = path.name
        parts.append(f"// ---- {path.name}\n{body}")
    header = ("// affine3d notebook widget: the page's engine (affine3d/web/static/js) joined into one module by\n"
              "// affine3d.notebook.widget_module(); generated, do not edit.\n")
    return header + "\n".join(parts)


@functools.cache
def _shaders() -> dict:
    from .gl.glsl import webgl_source

    texts = {name: webgl_source(name) for name in WIDGET_SHADERS if not name.startswith("morph-")}
    for blocks in (1, 2, 3, 4):
        texts[f"morph-{blocks}.vert"] = webgl_source("morph.vert", {"N_BLOCKS": blocks})
    return texts


def _world_rows(value) -> list[list[float]]:
    """An Affine, a 4x4 array or rows -> 4x4 rows of floats (last row 0 0 0 1); one clear line otherwise."""
    if isinstance(value, Affine):
        if value.dim_in != 3 or value.dim_out != 3:
            raise UsageError(_("world: expected a 3D map (4x4), got an Affine {dim_out}x{dim_in}").format(
                dim_out=value.dim_out, dim_in=value.dim_in))
        value = value.matrix
    try:
        M = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise UsageError(_("world: expected an Affine or a 4x4 matrix, got {type}").format(
            type=type(value).__name__)) from None
    if M.shape != (4, 4):
        raise UsageError(_("world: expected a 4x4 matrix, got shape {shape}").format(shape=M.shape))
    if not np.all(np.isfinite(M)):
        raise UsageError(_("world: expected finite numbers"))
    if not np.array_equal(M[3], [0, 0, 0, 1]):
        raise UsageError(_("world: the last row must be 0 0 0 1 (an affine map), got {value}").format(
            value=M[3].tolist()))
    return [[float(v) for v in row] for row in M]


def _model_bytes(mlp) -> tuple[bytes, str]:
    """A network as the .safetensors bytes the page reads, and a name for it; checked 3 -> ... -> 3 here first."""
    from .nn.mlp import MLP
    from .nn.model import check_dims, load_model

    name = "model.safetensors"
    if isinstance(mlp, MLP):
        check_dims(mlp, (3, 3))
    else:  # a model file or a save_pretrained folder
        path = Path(mlp)
        name = f"{path.stem}.safetensors"
        mlp = load_model(path, what=path.name)
    with tempfile.TemporaryDirectory(prefix="affine3d-widget-") as tmp:
        target = Path(tmp) / name
        mlp.save(target)
        return target.read_bytes(), name


@functools.cache
def _widget_class():
    """The anywidget class, made on first use (importing affine3d never imports anywidget)."""
    try:
        import anywidget
        import traitlets
    except ImportError:
        raise UsageError(_("the notebook widget needs anywidget: pip install 'affine3d[notebook]'")) from None

    class World(traitlets.TraitType):
        """A 4x4 world map: takes an Affine, an array or rows; holds rows of floats (what the front end gets)."""

        default_value = None
        info_text = "an Affine or a 4x4 matrix with last row 0 0 0 1"

        def validate(self, obj, value):
            try:
                return _world_rows(value)
            except UsageError as exc:
                raise traitlets.TraitError(str(exc)) from None

    class Widget(anywidget.AnyWidget):
        """A scene (and optionally a network) drawn live by the page's WebGL2 engine; see :mod:`affine3d.notebook`."""

        _esm = widget_module()
        _scene = traitlets.Dict().tag(sync=True)
        _shaders = traitlets.Dict().tag(sync=True)
        _keys = traitlets.Dict().tag(sync=True)
        _network = traitlets.Bytes(b"").tag(sync=True)
        _network_name = traitlets.Unicode("").tag(sync=True)
        _catalogs = traitlets.Dict().tag(sync=True)  # the page's catalogues by language (web.site.catalogs)
        lang = traitlets.Unicode("").tag(sync=True)  # "" : the browser's language
        world = World().tag(sync=True)
        stage = traitlets.Int(0).tag(sync=True)
        t = traitlets.Float(0.0).tag(sync=True)
        playing = traitlets.Bool(True).tag(sync=True)
        projection = traitlets.Unicode("perspective").tag(sync=True)
        wireframe = traitlets.Bool(False).tag(sync=True)
        shading = traitlets.Unicode("scene").tag(sync=True)
        path = traitlets.Unicode("linear").tag(sync=True)
        width = traitlets.Int(640).tag(sync=True)
        height = traitlets.Int(480).tag(sync=True)

        @traitlets.validate("projection", "shading", "path")
        def _check_choice(self, proposal):
            name, value = proposal["trait"].name, proposal["value"]
            choices = {"projection": PROJECTIONS, "shading": SHADINGS, "path": ("linear", "polar")}[name]
            if value not in choices:
                raise traitlets.TraitError(_("{name}: expected one of {names}, got {value}").format(
                    name=name, names=', '.join(choices), value=repr(value)))
            return value

        @traitlets.validate("lang")
        def _check_lang(self, proposal):
            from .i18n import LANGUAGES

            if proposal["value"] not in ("", *LANGUAGES):
                raise traitlets.TraitError(_("lang: expected one of {names} (or '' for the browser's), got {value}").format(
                    names=", ".join(LANGUAGES), value=repr(proposal["value"])))
            return proposal["value"]

        @traitlets.validate("t")
        def _check_t(self, proposal):
            t = float(proposal["value"])
            if not 0.0 <= t <= 1.0:
                raise traitlets.TraitError(_("t: expected a number in [0, 1], got {t}").format(t=t))
            return t

        @property
        def affine(self) -> Affine:
            """``world`` as an :class:`~affine3d.Affine`."""
            return Affine.from_matrix(self.world)

        def set_model(self, mlp) -> None:
            """Play another network (an MLP or a model file): checked here first (3 -> ... -> 3), then sent as bytes."""
            data, name = _model_bytes(mlp)
            self._network_name = name
            self._network = data

    return Widget


def show(scene="platonic", *, world=None, mlp=None, path: str = "linear", size=(640, 480), lang=None):
    """A live widget of ``scene`` (and ``mlp`` warping it), for the last line of a notebook cell.

    Parameters
    ----------
    scene : str or path or Scene
        A shipped scene's name, a ``.toml`` file, or a loaded :class:`~affine3d.Scene`.
    world : Affine or 4x4 array, optional
        The world map to start from (default: the scene's own, ``scene.world()``).
    mlp : MLP or path, optional
        A 3 -> ... -> 3 network (or its model file) to play on the scene's vertices; default the scene's own
        network, if it names one.
    path : {"linear", "polar"}
        How an affine stage goes from I to W (as ``affine3d view --path``).
    size : (int, int)
        The picture's width and height in CSS pixels.
    lang : {"pl", "en"}, optional
        The language of the widget's words (default: the browser's); the ``lang`` trait changes it later.

    Returns
    -------
    Widget
        An anywidget: its traits ``world``, ``stage``, ``t``, ``playing``, ``projection``, ``wireframe``,
        ``shading``, ``path`` follow the picture and move it.

    Raises
    ------
    UsageError, SceneError, ModelError
        A bad scene, model, world, path or size: one line naming it (before anything reaches the browser).
    """
    from .app.keys import keys_record
    from .geometry.scene import load_scene
    from .web.site import catalogs, check_language, scene_key

    if not hasattr(scene, "objects"):
        scene = load_scene(scene)
    if path not in ("linear", "polar"):
        raise UsageError(_("path: expected linear or polar, got {path}").format(path=repr(path)))
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise UsageError(_("size: expected (width, height), got {size}").format(size=repr(size))) from None
    if not (16 <= width <= 8192 and 16 <= height <= 8192):
        raise UsageError(_("size: expected 16..8192 pixels each way, got {width}x{height}").format(
            width=width, height=height))
    check_language(lang)
    if mlp is None and scene.mlp is not None:
        mlp = scene.mlp
    data, name = _model_bytes(mlp) if mlp is not None else (b"", "")
    record = scene_record(scene)
    record["key"] = scene_key(scene)
    start = scene.world() if world is None else world
    Widget = _widget_class()
    return Widget(_scene=record, _shaders=_shaders(), _keys=keys_record(), _network=data, _network_name=name,
                  world=_world_rows(start), path=path, width=width, height=height,
                  projection=scene.camera.projection, _catalogs=catalogs(), lang=lang or "")


