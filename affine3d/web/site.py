"""Write the browser version of affine3d into a folder: the page, its shaders, the scenes as JSON, the models.

The folder holds only static files, so any web server (or a course site) can serve it, and nothing
is fetched from elsewhere at run time::

    index.html, style.css, js/*.js        the page and its ES modules (copied from affine3d/web/static)
    locale/<lang>.json                    the page's words in each language (the catalogue, compiled)
    shaders/*.vert, *.frag                shaders/ through the GLSL include step, for WebGL2 (glsl.webgl_source)
    scenes/index.json                     the scene list and the default scene
    scenes/<key>.json                     one scene: camera, world, light, objects (meshes, model maps, colours)
    models/<name>.safetensors             a scene's network (copied; .npz and .onnx models are converted)

Shapes are built and mesh files read here, in Python, by :func:`affine3d.geometry.load_scene`, so the
page draws exactly the vertices the desktop renderer draws. Numbers are written with ``repr``
(shortest round trip), so a float64 reaches JavaScript unchanged. Angles are radians, as in Python.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from ..app.keys import keys_record
from ..errors import SceneError, UsageError
from ..fileio import check_new_folder, new_folder
from ..i18n import _
from ..geometry.scene import DEFAULT_SCENE, list_scenes, load_scene
from ..geometry.shading import AMBIENT, EDGE_SHADE, INSIDE_COLOR, INSIDE_SHADE

__all__ = ["STATIC_DIR", "SHADER_FILES", "MORPH_BLOCKS", "build_site", "scene_record", "scene_key", "check_language",
           "force_language", "catalogs"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
"""The page's own files: ``index.html``, ``style.css``, ``js/``."""

SHADER_FILES = ("mesh.vert", "mesh.frag", "lines.vert", "lines.frag")
"""Desktop shader files the page compiles as they are (after the include step)."""

MORPH_BLOCKS = (1, 2, 3, 4)
"""``morph.vert`` is written once per ``N_BLOCKS`` (``morph-N.vert``): layers up to 3, 7, 11, 15 wide."""


def scene_key(scene) -> str:
    """The name a scene goes by in the page and in its URL: the file's stem (``platonic``)."""
    return scene.path.stem if scene.path is not None else scene.name


def catalogs() -> dict[str, dict]:
    """The page's catalogues (``static/locale/<lang>.json``) by language: for a deck or a widget that fetches nothing."""
    from ..i18n import LANGUAGES, SOURCE_LANGUAGE

    return {code: json.loads((STATIC_DIR / "locale" / f"{code}.json").read_text(encoding="utf-8"))
            for code in LANGUAGES if code != SOURCE_LANGUAGE}


def check_language(lang: str | None) -> str | None:
    """``lang`` when it is one of :data:`affine3d.i18n.LANGUAGES` (None: the reader's browser decides); else a UsageError."""
    from ..i18n import LANGUAGES

    if lang is not None and lang not in LANGUAGES:
        raise UsageError(_("--lang: expected one of {choices}, got {value}").format(choices=", ".join(LANGUAGES), value=repr(lang)))
    return lang


_LANG_META = '<meta name="affine3d-lang" content="">'


def force_language(html: str, lang: str | None) -> str:
    """The page with ``lang`` written into it as the teacher's choice (``?lang=`` in the URL still wins).

    Examples
    --------
    >>> force_language('<meta name="affine3d-lang" content="">', "pl")
    '<meta name="affine3d-lang" content="pl">'
    """
    if lang is None:
        return html
    if _LANG_META not in html:
        raise UsageError("the page has no language slot (<meta name=\"affine3d-lang\">) to write --lang into")
    return html.replace(_LANG_META, f'<meta name="affine3d-lang" content="{check_language(lang)}">', 1)


def _matrix(M) -> list[list[float]]:
    return [[float(v) for v in row] for row in np.asarray(M, dtype=np.float64)]


def scene_record(scene, model_url: str | None = None) -> dict:
    """A :class:`~affine3d.geometry.Scene` as the JSON the page reads.

    Parameters
    ----------
    scene : Scene
    model_url : str, optional
        Where the page finds the scene's network (relative to the site's root), if it has one.

    Returns
    -------
    dict
        ``camera`` (``fov`` radians, ``near``, ``far``, ``distance``, ``projection``),
        ``world_rotation`` (3x3 rows), ``spin`` (radians per second), ``light_direction`` (camera
        space, unit), ``background``, ``ambient``, ``edge_shade``, ``inside_color``, ``inside_shade``, and
        ``objects``: per object its ``name``, ``model`` (4x4 rows, object space -> world space),
        ``color``, ``wireframe``, ``edge_color`` and the mesh as flat lists (``vertices`` 3 per
        vertex, object space; ``triangles`` 3 indices each, counter-clockwise from outside;
        ``edges`` 2 indices each), its ``shading`` ("flat" or "smooth") and, when smooth, ``normals`` (9 per
        triangle: the corner normals the desktop renderer draws, object space) and ``groups`` (a smoothing
        group per corner, so normals can be recomputed when a network moves the vertices).

    Examples
    --------
    >>> record = scene_record(load_scene("platonic"))
    >>> record["key"], len(record["objects"]), record["objects"][1]["name"]
    ('platonic', 5, 'cube')
    >>> len(record["objects"][1]["vertices"]) // 3, len(record["objects"][1]["triangles"]) // 3
    (8, 12)
    """
    from ..geometry.normals import smooth_layout
    from ..geometry.shading import shading_of

    camera = scene.camera
    objects = []
    for obj in scene.objects:
        mesh = obj.mesh
        shading = shading_of(obj)
        smooth = {}
        if shading == "smooth":  # the desktop's own normals per corner, and the groups that keep creases when it moves
            layout = smooth_layout(mesh)
            smooth = {"normals": np.asarray(layout.normals[layout.triangles], dtype=np.float64).ravel().tolist(),
                      "groups": np.asarray(layout.groups, dtype=np.int64).ravel().tolist()}
        objects.append({
            "name": obj.name,
            "model": _matrix(obj.model.matrix),
            "color": [float(c) for c in obj.color],
            "wireframe": bool(obj.wireframe),
            "edge_color": None if obj.edge_color is None else [float(c) for c in obj.edge_color],
            "vertices": np.asarray(mesh.vertices, dtype=np.float64).ravel().tolist(),
            "triangles": np.asarray(mesh.triangles, dtype=np.int64).ravel().tolist(),
            "edges": np.asarray(mesh.edges, dtype=np.int64).ravel().tolist(),
            "shading": shading,
            **smooth,
        })
    return {
        "key": scene_key(scene),
        "name": scene.name,
        "description": scene.description,
        "background": [float(c) for c in scene.background],
        "camera": {"fov": float(camera.fov), "near": float(camera.near), "far": float(camera.far),
                   "distance": float(camera.distance), "projection": camera.projection},
        "world_rotation": _matrix(scene.world_rotation.A),
        "spin": float(scene.spin),
        "light_direction": [float(v) for v in scene.light_direction],
        "ambient": AMBIENT,
        "edge_shade": EDGE_SHADE,
        "inside_color": list(INSIDE_COLOR),
        "inside_shade": INSIDE_SHADE,
        "mlp": model_url,
        "objects": objects,
    }


def _write_model(source: Path, models: Path) -> str:
    """Copy (or, for .npz, .onnx and model folders, convert) a scene's network into ``models/``; its URL."""
    from ..nn.model import load_model

    network = load_model(source, what=source.name)  # a broken or 2D model fails here, in Python, with its one-line message
    target = models / f"{source.stem}.safetensors"
    if source.suffix.lower() == ".safetensors":
        shutil.copyfile(source, target)
    else:  # the page reads affine3d's .safetensors: a folder's model.safetensors names PyTorch's tensors, so write ours
        network.save(target)
    return f"models/{target.name}"


def _write_shaders(folder: Path) -> None:
    from ..gl.glsl import webgl_source

    for name in SHADER_FILES:
        (folder / name).write_text(webgl_source(name), encoding="utf-8")
    for blocks in MORPH_BLOCKS:
        (folder / f"morph-{blocks}.vert").write_text(webgl_source("morph.vert", {"N_BLOCKS": blocks}), encoding="utf-8")


def build_site(folder, scenes=None, *, default=None, lang=None) -> Path:
    """Write the page and everything it loads into ``folder``: static files only.

    Parameters
    ----------
    folder : path
        Created if missing; must be empty or not exist yet, so nothing of the user's is overwritten.
        Written through a temporary folder beside it and renamed at the end: a failed export leaves
        no half-written site.
    scenes : list of (str or path or Scene), optional
        Shipped scene names, ``.toml`` paths or loaded scenes; default every shipped scene.
    default : str, optional
        The key of the scene the page opens with (default: the first of ``scenes`` if they were
        given, else ``platonic``).
    lang : {"pl", "en"}, optional
        The language the page shows, whatever the reader's browser prefers (``?lang=`` in the URL still
        picks); default: the browser's language.

    Returns
    -------
    Path
        ``folder``.

    Raises
    ------
    UsageError
        ``folder`` exists and is not an empty directory, or ``lang`` is not a language of the catalogue.
    SceneError, ModelError
        A scene or its network cannot be read (the message names the file).
    """
    folder = check_new_folder(folder)
    check_language(lang)
    given = scenes is not None
    items = list(scenes) if given else list_scenes()
    if not items:
        raise UsageError(_("scenes: expected at least one scene"))
    loaded = [item if hasattr(item, "objects") else load_scene(item) for item in items]
    keys = [scene_key(s) for s in loaded]
    if len(set(keys)) != len(keys):
        raise SceneError(_("scenes: two scenes share the name {name}").format(name=repr(next(k for k in keys if keys.count(k) > 1))))
    if default is None:
        default = keys[0] if given else (DEFAULT_SCENE if DEFAULT_SCENE in keys else keys[0])
    if default not in keys:
        raise UsageError(_("default: expected one of {choices}, got {value}").format(choices=", ".join(keys), value=repr(default)))

    with new_folder(folder) as work:
        shutil.copytree(STATIC_DIR, work, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
        page = work / "index.html"
        page.write_text(force_language(page.read_text(encoding="utf-8"), lang), encoding="utf-8")
        for sub in ("shaders", "scenes", "models"):
            (work / sub).mkdir()
        _write_shaders(work / "shaders")
        index = []
        for key, scene in zip(keys, loaded):
            model_url = _write_model(Path(scene.mlp), work / "models") if scene.mlp is not None else None
            record = scene_record(scene, model_url)
            (work / "scenes" / f"{key}.json").write_text(json.dumps(record, separators=(",", ":")), encoding="utf-8")
            index.append({"key": key, "name": scene.name, "description": scene.description,
                          "file": f"scenes/{key}.json", "mlp": model_url})
        record = {"default": default, "scenes": index, "keys": keys_record()}  # keys: the one help table (app/keys.py)
        (work / "scenes" / "index.json").write_text(json.dumps(record, indent=1),
                                                     encoding="utf-8")
    return folder
