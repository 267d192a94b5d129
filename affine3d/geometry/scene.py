"""Scene files (``scenes/*.toml``) -> :class:`Scene`: objects, a fixed camera, a turning world.

The lecture's picture: the camera stands at the origin looking down ``-z`` and never moves; the world
is turned by ``world_rotation`` and pushed ``distance`` along ``-z``; each object is placed in the
world by its own model transform. Per vertex::

    clip = projection @ world @ model @ [p, 1],   world = translation([0, 0, -distance]) @ world_rotation

Degrees are for people: the file says ``fov_deg``, ``deg``, ``yaw_deg``; this module converts them to
radians once, and everything in Python (:class:`Camera`, :class:`Scene`, :class:`~affine3d.affine.Affine`)
is in radians.

Scene file format (TOML)
------------------------
Every key is optional except at least one ``[[object]]`` with a ``shape`` or a ``mesh``::

    name = "Platonic solids"            # shown in the window title (default: the file name)
    description = "one line for the HUD"
    background = [0.10, 0.10, 0.12]     # colour: [r, g, b] in 0..1, or "#1a1a1f"
    mlp = "cube-to-sphere.safetensors"  # a 3 -> ... -> 3 network (.safetensors, .npz, .onnx), relative to this
                                        #   file, that warps the objects stage by stage (affine3d.nn.morph)

    [train]                             # what a network learns here, live (view --train, key L; render --train)
    target = "cube-to-sphere"           # a target map of affine3d.nn.targets.TARGETS
    sizes = [3, 3, 3, 3, 3, 3]          # the network (default: the mlp's sizes, else the target's)
    activation = "tanh"                 # hidden layers' activation; the last layer is linear
    lr = 0.01                           # Adam's step size
    seed = 1                            # the starting weights (Backspace in the viewer goes back to them)
    epochs = 3000                       # one training run
    # optimizer = "adam", batch = 256   # or "sgd"; mini-batches (default: all vertices each step)

    [camera]
    fov_deg = 40                        # vertical field of view, degrees, in (0, 180)
    near = 0.1                          # clipping planes, 0 < near < far
    far = 100.0
    distance = 6.0                      # from the camera to the world's origin, > 0
    projection = "perspective"          # or "orthographic" (same framing at the world's origin)

    [world]                             # the world's initial rotation in front of the camera:
    yaw_deg = 30                        #   first turn it about its vertical y axis (yaw),
    pitch_deg = 20                      #   then tip it about the camera's x axis (pitch)
    spin_deg_per_s = 0                  # auto-spin about the vertical axis in the viewer (0: none)

    [light]
    direction = [0.3, 0.5, 1.0]         # camera space, from the surface toward the light (normalised here)

    [[object]]                          # one block per object
    name = "cube"                       # default: the shape name or the mesh file's stem
    shape = "cube"                      # a built-in: tetrahedron cube octahedron dodecahedron icosahedron
                                        #   icosphere uv_sphere torus prism pyramid subdivided_cube
    params = { }                        # the built-in's parameters, e.g. { level = 3 } for an icosphere
    # mesh = "house.obj"                # or a mesh file (.obj, .off), relative to this scene file
    transform = [                       # the model transform, steps applied in the order listed:
        { scale = 0.8 },                #   a number (uniform) or [sx, sy, sz] (negative: a mirror)
        { shear = { xy = 0.5 } },       #   xy adds xy * y to x; also xz yx yz zx zy
        { rotate = { axis = [0, 1, 0], deg = 30 } },   # axis [x, y, z] or "x" / "y" / "z"
        { translate = [-2, 0, 0] },     #   scene units
    ]
    color = [0.9, 0.3, 0.2]             # or "#e64d33" (default: a palette colour by position)
    wireframe = false                   # draw the polygon edges over the faces
    edge_color = [0, 0, 0]              # colour of those edges (default: the renderer's)
    shading = "flat"                    # or "smooth" (default: smooth for a mesh file, flat for a shape)
    fit = false                         # true: centre the object and scale it to fill the view first

The steps compose first to last: ``transform = [S1, S2, S3]`` is ``model = S3 @ S2 @ S1``, so the
example scales the cube, shears it, turns it, and only then moves it to ``x = -2``. With
``fit = true`` the fit map (:mod:`affine3d.geometry.fit`) comes before them all:
``model = S3 @ S2 @ S1 @ fit``, so a model in millimetres and one in kilometres both arrive at the
world's origin, the size that fills the view, and the steps then place them.

Smooth shading (:mod:`affine3d.geometry.normals`) uses a mesh file's own normals (OBJ ``vn``) where
it has them, else angle-weighted normals that keep sharp edges sharp; flat shading shows every facet.

A mesh file as a scene
----------------------
``load_scene("bunny.obj")`` (and so ``affine3d view bunny.obj``, ``affine3d render bunny.obj``) makes
a scene on the fly: the mesh with ``fit = true`` and smooth shading, the default camera and light,
the world turned a little (:data:`MESH_VIEW_DEG`) so the model is seen from above and the side.

What can be drawn
-----------------
A scene is refused, with the field named, when it could not be drawn correctly in float32 on a GPU
or would not fit in memory:

- lengths (``near``, ``far``, ``distance``, ``translate``) and the model map's stretches (its singular
  values) lie within ``1e-12 .. 1e12`` (:data:`MAX_LENGTH`): a scale of ``1e200`` or ``1e-200``
  overflows or vanishes in float32, and a map that flattens the object (a zero stretch, as two
  opposite shears make) has no normals to light it;
- ``fov_deg`` is at least 0.01 and ``near`` at least ``distance / 1e5``: closer to 0, every surface lands
  on the far plane in the depth buffer and nothing is drawn;
- at most :data:`MAX_SCENE_TRIANGLES` triangles (5,242,880, the finest icosphere) and :data:`MAX_OBJECTS`
  objects: building and drawing takes about 250 bytes a triangle, so a scene at the budget peaks near
  1.3 GB (CPU) to 1.5 GB (OpenGL). A built-in shape's triangles are counted from its parameters, before
  it is built.

Files
-----
A scene file is read only if it is a regular file of at most :data:`MAX_SCENE_BYTES` (a FIFO or
``/dev/zero`` is refused at once). The ``mesh`` and ``mlp`` files it names must lie inside the scene
file's own folder (or below it, after following symbolic links): a scene folder is self-contained
and can be shared, and opening one never reads a file elsewhere on the machine. Messages name a file
and a field; they never show a file's content.

Errors
------
Anything wrong raises :class:`~affine3d.errors.SceneError` naming the file and the field, with
0-based indices: ``"scenes/x.toml: object[2].transform[1].rotate.deg: expected a number, got
'ninety'"``. Unknown keys list the valid ones; TOML syntax errors give the line.

Examples
--------
>>> scene = load_scene("platonic")
>>> [obj.name for obj in scene.objects]
['tetrahedron', 'cube', 'octahedron', 'dodecahedron', 'icosahedron']
>>> round(math.degrees(scene.camera.fov), 9)      # fov_deg = 40 in the file, radians in Python
40.0
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..affine import MAX_CONDITION, Affine
from .. import i18n
from ..errors import AffineError, SceneError, one_line, os_reason, shown
from ..fileio import open_regular, read_regular, shown_path
from ..i18n import N_, _, prose_number
from .fit import fit_map
from .solids import BUILTINS, builtin_parameters, triangle_count
from .mesh import Mesh
from .shading import DEFAULT_LIGHT, SHADINGS
from ..projection import orthographic, perspective
from ..resources import scene_dir

__all__ = [
    "Camera",
    "SceneObject",
    "Scene",
    "load_scene",
    "list_scenes",
    "DEFAULT_SCENE",
    "parse_transform",
    "parse_color",
    "PALETTE",
    "mesh_scene",
    "MESH_VIEW_DEG",
    "MAX_SCENE_TRIANGLES",
    "MAX_OBJECTS",
    "MAX_SCENE_BYTES",
    "MAX_LENGTH",
    "scene_file_path",
]

MAX_SCENE_BYTES = 1 << 20
"""The largest scene file read, 1 MiB: the shipped scenes are under 5 KB; a thousand objects take about 100 KB."""
MAX_SCENE_TRIANGLES = 20 * 4**9
"""A scene's triangle budget: 5,242,880, the finest icosphere (level 9). About 250 bytes a triangle while it is
built and drawn: 1.3 GB (CPU rasterizer) to 1.5 GB (OpenGL, llvmpipe) at the budget, measured."""
MAX_OBJECTS = 1024
"""The most objects a scene may have: each is a draw call a frame and its own buffers on the GPU."""
MAX_LENGTH = 1e12
"""Lengths and stretches lie within ``1 / MAX_LENGTH .. MAX_LENGTH``: products of two stay well inside float32 (3.4e38)."""
MIN_FOV_DEG = 0.01
"""The narrowest field of view, degrees: narrower, float32 cannot place the vertices on the screen."""
MIN_NEAR_OVER_DISTANCE = 1e-5
"""``near`` at least ``distance`` times this: closer to 0, the depth buffer puts every surface on the far plane."""

DEFAULT_SCENE = "platonic"

PROJECTIONS = ("perspective", "orthographic")

# Colours given to objects without a ``color``, in order (a colour-blind-safe set: Okabe & Ito).
PALETTE: tuple[tuple[float, float, float], ...] = (
    (0.902, 0.624, 0.0),
    (0.337, 0.706, 0.914),
    (0.0, 0.620, 0.451),
    (0.941, 0.894, 0.259),
    (0.0, 0.447, 0.698),
    (0.835, 0.369, 0.0),
    (0.800, 0.475, 0.655),
)

_TOP_KEYS = ("name", "description", "background", "mlp", "camera", "world", "light", "object", "train")
_TRAIN_KEYS = ("target", "sizes", "activation", "optimizer", "lr", "seed", "epochs", "batch")
MODEL_SUFFIXES = (".safetensors", ".npz", ".onnx")
_CAMERA_KEYS = ("fov_deg", "near", "far", "distance", "projection")
_WORLD_KEYS = ("yaw_deg", "pitch_deg", "spin_deg_per_s")
_LIGHT_KEYS = ("direction",)
_OBJECT_KEYS = ("name", "shape", "params", "mesh", "transform", "color", "wireframe", "edge_color", "shading", "fit")

MESH_VIEW_DEG = (-30.0, 20.0)
"""(yaw, pitch) in degrees of the world in a scene made from a mesh file: a three-quarter view from above."""

MESH_COLOR = (0.337, 0.706, 0.914)
"""The colour of a model shown from a mesh file (the palette's sky blue)."""
_STEP_KINDS = ("translate", "rotate", "scale", "shear")
_ROTATE_KEYS = ("axis", "deg")
_SHEAR_KEYS = ("xy", "xz", "yx", "yz", "zx", "zy")
_AXIS_NAMES = {"x": (1.0, 0.0, 0.0), "y": (0.0, 1.0, 0.0), "z": (0.0, 0.0, 1.0)}


# ---------------------------------------------------------------------------------------- data
@dataclass
class Camera:
    """The fixed camera: at the origin, looking down ``-z``, ``+y`` up.

    Attributes
    ----------
    fov : float
        Vertical field of view, radians, in ``(0, pi)``.
    near, far : float
        Clipping distances along ``-z``, ``0 < near < far``, scene units.
    distance : float
        How far the world's origin is pushed in front of the camera (along ``-z``), scene units.
    projection : str
        ``"perspective"`` or ``"orthographic"``.
    """

    fov: float = math.radians(40.0)
    near: float = 0.1
    far: float = 100.0
    distance: float = 6.0
    projection: str = "perspective"


@dataclass
class SceneObject:
    """One object of a scene: a mesh in object space and the model map that places it.

    Attributes
    ----------
    name : str
    mesh : Mesh
        Object space.
    model : Affine
        model: object space -> world space.
    color : (r, g, b)
        Floats in ``0..1``.
    wireframe : bool
        Draw the mesh's polygon edges over its faces.
    edge_color : (r, g, b) or None
        Colour of those edges; None lets the renderer choose.
    hatched : bool
        Draw the faces in stripes of :data:`INSIDE_COLOR` and a dark shade instead of ``color``: a solid
        a network turned inside out (set by :class:`affine3d.render.MorphingScene`; not a scene-file key).
    shading : {"flat", "smooth"}
        One normal per triangle, or per corner (the file's, or angle-weighted with creases kept).
    fit : Affine or None
        The fit map the model starts with (object space -> world space, :mod:`affine3d.geometry.fit`),
        when the object was fitted to the view: then ``model = transform @ fit``.
    """

    name: str
    mesh: Mesh
    model: Affine = field(default_factory=lambda: Affine.identity(3))
    color: tuple[float, float, float] = PALETTE[0]
    wireframe: bool = False
    edge_color: tuple[float, float, float] | None = None
    hatched: bool = False
    shading: str = "flat"
    fit: Affine | None = None

    def world_vertices(self) -> np.ndarray:
        """The mesh's vertices in world space: ``model(vertices)``, shape (V, 3) float64 (object space -> world space)."""
        return self.model(self.mesh.vertices)

    def __repr__(self) -> str:
        return (f"SceneObject({self.name!r}: {self.mesh.n_vertices:,} vertices, {self.mesh.n_triangles:,} triangles, "
                f"color {_hex(self.color)}, {self.shading}{', fitted' if self.fit is not None else ''}"
                f"{', wireframe' if self.wireframe else ''}{', hatched' if self.hatched else ''})")


@dataclass
class Scene:
    """A scene: objects in world space, a fixed camera, the world's rotation in front of it, a light.

    Attributes
    ----------
    name : str
    path : Path or None
        The file it was read from (None for a scene built in Python).
    objects : list of SceneObject
    camera : Camera
    world_rotation : Affine
        The world's initial rotation, a 3D rotation: world space -> rotated world space.
    spin : float
        Auto-spin rate about the vertical (y) axis, radians per second; 0 for none.
    light_direction : ndarray, shape (3,)
        Unit vector in camera space, from the surface toward the light.
    background : (r, g, b)
        Floats in ``0..1``.
    description : str
        One line about the scene, for a HUD.
    mlp : Path or None
        A 3 -> ... -> 3 network file (``.safetensors``, ``.npz``, ``.onnx``) that the viewer and
        ``affine3d render --stages`` apply to the objects, stage by stage (:mod:`affine3d.nn.morph`);
        the file is checked to exist, not loaded here.
    train : dict or None
        The ``[train]`` table, type-checked: what a network learns in this scene
        (:func:`affine3d.nn.targets.experiment_from_table` reads it; target names are checked there).
    """

    name: str
    path: Path | None
    objects: list[SceneObject]
    camera: Camera = field(default_factory=Camera)
    world_rotation: Affine = field(default_factory=lambda: Affine.identity(3))
    spin: float = 0.0
    light_direction: np.ndarray = field(default_factory=lambda: _unit_vector(DEFAULT_LIGHT))
    background: tuple[float, float, float] = (0.1, 0.1, 0.12)
    description: str = ""
    mlp: Path | None = None
    train: dict | None = None

    def world(self, rotation: Affine | None = None) -> Affine:
        """world: world space -> camera space, ``translation([0, 0, -distance]) @ rotation``.

        Parameters
        ----------
        rotation : Affine, optional
            The world's rotation (default: :attr:`world_rotation`).
        """
        rotation = self.world_rotation if rotation is None else rotation
        return Affine.translation([0.0, 0.0, -self.camera.distance]) @ rotation

    def projection(self, aspect: float, ortho: bool | None = None) -> np.ndarray:
        """projection: camera space -> clip space, a 4x4 float64 array.

        Parameters
        ----------
        aspect : float
            Viewport width / height.
        ortho : bool, optional
            True for orthographic, False for perspective, None for the camera's own choice.
            The orthographic box shows, at the world's origin, what the perspective view shows
            there: half-height ``distance * tan(fov / 2)``.
        """
        camera = self.camera
        if ortho is None:
            ortho = camera.projection == "orthographic"
        if not ortho:
            return perspective(camera.fov, aspect, camera.near, camera.far)
        half_height = camera.distance * math.tan(camera.fov / 2)
        half_width = half_height * float(aspect)
        return orthographic(-half_width, half_width, -half_height, half_height, camera.near, camera.far)

    @property
    def n_triangles(self) -> int:
        """Triangles in all objects together."""
        return sum(obj.mesh.n_triangles for obj in self.objects)

    def world_points(self) -> np.ndarray:
        """Every object's vertices in world space, object after object: (N, 3), what a 3 -> 3 network warps and learns on.

        Examples
        --------
        >>> scene = load_scene("platonic")
        >>> scene.world_points().shape == (sum(obj.mesh.n_vertices for obj in scene.objects), 3)
        True
        """
        return np.vstack([obj.world_vertices() for obj in self.objects])

    def __repr__(self) -> str:
        """One line: the name, the file, the objects, the camera; not every vertex.

        Examples
        --------
        >>> load_scene("platonic")
        Scene('Platonic solids' from platonic.toml: 5 objects (tetrahedron, cube, octahedron, dodecahedron, icosahedron), 80 triangles, perspective camera, fov 40 deg, distance 13.5)
        """
        names = ", ".join(obj.name for obj in self.objects[:6]) + (", ..." if len(self.objects) > 6 else "")
        where = f" from {self.path.name}" if self.path is not None else ""
        network = f", network {self.mlp.name}" if self.mlp is not None else ""
        count = len(self.objects)
        return (f"Scene({self.name!r}{where}: {count} object{'s' if count != 1 else ''} ({names}), "
                f"{self.n_triangles:,} triangles, {self.camera.projection} camera, fov {math.degrees(self.camera.fov):.3g} deg, "
                f"distance {self.camera.distance:g}{network})")

    def _repr_png_(self) -> bytes | None:
        """The scene as PNG bytes, so a notebook shows a picture (see :func:`set_png_maker`); None if there is none."""
        make_png = _PNG_MAKER.get("png")
        return None if make_png is None else make_png(self)


    def widget(self, **options):
        """A live notebook widget of this scene (:func:`affine3d.notebook.show`; needs ``affine3d[notebook]``)."""
        return _WIDGET_MAKER["widget"](self, **options)


_PNG_MAKER: dict = {}
_WIDGET_MAKER: dict = {}


def set_widget_maker(make_widget) -> None:
    """Say how ``Scene.widget(...)`` and ``MLP.widget(...)`` make a notebook widget: ``make_widget(scene, **options)``.

    As :func:`set_png_maker`: geometry knows no browser code, so the ``affine3d`` package hands it
    :func:`affine3d.notebook.show` when it is imported.
    """
    _WIDGET_MAKER["widget"] = make_widget


def set_png_maker(make_png) -> None:
    """Say how a :class:`Scene` becomes a picture in Jupyter: ``make_png(scene) -> PNG bytes or None``.

    Geometry knows no renderer (imports point down), so the ``affine3d`` package, which knows
    them all, sets this when it is imported: :func:`affine3d.render.scene_png`.
    """
    _PNG_MAKER["png"] = make_png


def _hex(color) -> str:
    """``(r, g, b)`` in 0..1 -> ``"#rrggbb"``."""
    return "#" + "".join(f"{round(min(max(float(c), 0.0), 1.0) * 255):02x}" for c in color[:3])


# ---------------------------------------------------------------------------------------- validation
def _show(value) -> str:
    return shown(value)


class _Reader:
    """Checks values from a parsed TOML file; every error names the file and the field."""

    def __init__(self, shown: str):
        self.shown = shown

    def error(self, where: str, message: str) -> SceneError:
        return SceneError(f"{self.shown}: {where}: {message}" if where else f"{self.shown}: {message}")

    def table(self, value, where: str, keys: tuple[str, ...]) -> dict:
        if not isinstance(value, dict):
            raise self.error(where, _("expected a table, got {value}").format(value=_show(value)))
        for key in value:
            if key not in keys:
                name = key if len(key) <= 60 and key.isprintable() else shown(key)
                message = (_("unknown key; expected one of: {keys}").format(keys=", ".join(keys)) if keys
                           else _("unknown key; expected no keys here"))
                raise self.error(f"{where}.{name}" if where else name, message)
        return value

    def number(self, value, where: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(where, _("expected a number, got {value}").format(value=_show(value)))
        try:
            number = float(value)
        except OverflowError:  # an integer past float64's range (a 400-digit number)
            raise self.error(where, _("expected a finite number, got {value}").format(value=_show(value))) from None
        if not math.isfinite(number):
            raise self.error(where, _("expected a finite number, got {value}").format(value=value))
        return number

    def length(self, value, where: str, *, signed: bool = False) -> float:
        """A number of scene units within :data:`MAX_LENGTH` (positive, or any sign with ``signed``)."""
        number = self.number(value, where) if signed else self.positive(value, where)
        if abs(number) > MAX_LENGTH:
            raise self.error(where, _("expected at most {limit} in size (float32 on the GPU), got {value}").format(
                limit=f"{MAX_LENGTH:g}", value=f"{number:g}"))
        if not signed and number < 1 / MAX_LENGTH:
            raise self.error(where, _("expected at least {limit}, got {value}").format(limit=f"{1 / MAX_LENGTH:g}",
                                                                                      value=f"{number:g}"))
        return number

    def positive(self, value, where: str) -> float:
        value = self.number(value, where)
        if value <= 0:
            raise self.error(where, _("expected a number > 0, got {value}").format(value=f"{value:g}"))
        return value

    def string(self, value, where: str, choices: tuple[str, ...] | None = None) -> str:
        if not isinstance(value, str):
            raise self.error(where, _("expected a string, got {value}").format(value=_show(value)))
        if choices is not None and value not in choices:
            raise self.error(where, _("expected one of: {choices}; got {value}").format(choices=", ".join(choices),
                                                                                       value=_show(value)))
        return value

    def boolean(self, value, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(where, _("expected true or false, got {value}").format(value=_show(value)))
        return value

    def vector(self, value, where: str) -> np.ndarray:
        if not isinstance(value, list) or len(value) != 3:
            raise self.error(where, _("expected [x, y, z] (3 numbers), got {value}").format(value=_show(value)))
        return np.array([self.number(v, f"{where}[{k}]") for k, v in enumerate(value)])

    def color(self, value, where: str) -> tuple[float, float, float]:
        if isinstance(value, str):
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", value):
                raise self.error(where, _('expected [r, g, b] (numbers in 0..1) or "#rrggbb", got {value}').format(
                    value=_show(value)))
            return tuple(int(value[k : k + 2], 16) / 255 for k in (1, 3, 5))
        if not isinstance(value, list) or len(value) != 3:
            raise self.error(where, _('expected [r, g, b] (numbers in 0..1) or "#rrggbb", got {value}').format(
                value=_show(value)))
        rgb = tuple(self.number(v, f"{where}[{k}]") for k, v in enumerate(value))
        for k, v in enumerate(rgb):
            if not 0 <= v <= 1:
                raise self.error(f"{where}[{k}]", _('expected a number in 0..1, got {value} (for 0..255 use "#rrggbb")').format(
                    value=f"{v:g}"))
        return rgb

    # ------------------------------------------------------------------ transforms
    def transform(self, value, where: str) -> Affine:
        if not isinstance(value, list):
            raise self.error(where, _("expected a list of steps like [{{ translate = [x, y, z] }}], got {value}").format(
                value=_show(value)))
        model = Affine.identity(3)
        for k, step in enumerate(value):
            model = self.step(step, f"{where}[{k}]") @ model  # the first step listed is applied first
            self.drawable(model, where)
        return model

    def drawable(self, model: Affine, where: str) -> None:
        """Refuse a model map the renderers cannot draw: too big for float32, or flattening the object.

        Its singular values (how much it stretches each direction) must lie within ``1/MAX_LENGTH ..
        MAX_LENGTH`` and its translation within ``MAX_LENGTH``; then its normal matrix ``A^-T`` exists
        and every product the GPU forms stays finite in float32.
        """
        A, b = model.A, model.b
        with np.errstate(all="ignore"):
            stretches = np.linalg.svd(A, compute_uv=False) if np.all(np.isfinite(A)) else np.array([math.inf])
        largest, smallest = float(stretches.max()), float(stretches.min())
        if not largest <= MAX_LENGTH:
            raise self.error(where, _("the model map stretches by {stretch}, more than {limit} (float32 on the GPU "
                                      "overflows); use smaller scales").format(stretch=f"{largest:.3g}",
                                                                               limit=f"{MAX_LENGTH:g}"))
        if not smallest >= 1 / MAX_LENGTH:
            raise self.error(where, _("the model map flattens the object: it shrinks one direction to {stretch} (at least "
                                      "{limit} needed for normals to light it); give every axis a scale away from 0, and "
                                      "shears that do not cancel each other").format(stretch=f"{smallest:.3g}",
                                                                                     limit=f"{1 / MAX_LENGTH:g}"))
        try:  # the renderers' own test (a 1-norm condition number): what passes here draws there
            model.normal_matrix()
        except AffineError:
            raise self.error(where, _("the model map stretches one direction {ratio} times more than another (at most "
                                      "{limit}): nearly flat, its normals cannot be computed; use scales and shears "
                                      "closer to each other").format(ratio=f"{largest / smallest:.3g}",
                                                                     limit=f"{MAX_CONDITION:g}")) from None
        if not np.all(np.abs(b) <= MAX_LENGTH):
            raise self.error(where, _("the model map moves the object {distance} away, more than {limit} (float32 on the "
                                      "GPU)").format(distance=f"{float(np.max(np.abs(b))):.3g}", limit=f"{MAX_LENGTH:g}"))

    def step(self, value, where: str) -> Affine:
        steps = ", ".join(f"{{ {kind} = ... }}" for kind in _STEP_KINDS)
        if not isinstance(value, dict) or len(value) != 1:
            raise self.error(where, _("expected a step with one key, one of: {steps}; got {value}").format(
                steps=steps, value=_show(value)))
        (kind, arg), = value.items()
        here = f"{where}.{kind}"
        if kind == "translate":
            t = self.vector(arg, here)
            for k, v in enumerate(t):
                self.length(v, f"{here}[{k}]", signed=True)
            return Affine.translation(t)
        if kind == "rotate":
            arg = self.table(arg, here, _ROTATE_KEYS)
            for key in _ROTATE_KEYS:
                if key not in arg:
                    raise self.error(here, _("missing key {key}; expected {{ axis = [x, y, z], deg = ... }}").format(
                        key=repr(key)))
            axis = self.axis(arg["axis"], f"{here}.axis")
            return Affine.rotation(axis, math.radians(self.number(arg["deg"], f"{here}.deg")))
        if kind == "scale":
            if isinstance(arg, list):
                factors = self.vector(arg, here)
            else:
                factors = np.full(3, self.number(arg, here))
            if np.any(factors == 0):
                raise self.error(here, _("expected non-zero factors (a zero flattens the object), got {value}").format(
                    value=_show(arg)))
            for k, factor in enumerate(factors):
                field_name = f"{here}[{k}]" if isinstance(arg, list) else here
                if not 1 / MAX_LENGTH <= abs(factor) <= MAX_LENGTH:
                    raise self.error(field_name, _("expected a factor of size {low} .. {high} (negative: a mirror), got "
                                                   "{value}").format(low=f"{1 / MAX_LENGTH:g}", high=f"{MAX_LENGTH:g}",
                                                                     value=f"{factor:g}"))
            return Affine.scaling(factors)
        if kind == "shear":
            arg = self.table(arg, here, _SHEAR_KEYS)
            return Affine.shear(**{key: self.length(v, f"{here}.{key}", signed=True) for key, v in arg.items()})
        raise self.error(where, _("unknown step {kind}; expected one of: {steps}").format(kind=repr(kind), steps=steps))

    def axis(self, value, where: str) -> np.ndarray:
        if isinstance(value, str):
            if value not in _AXIS_NAMES:
                raise self.error(where, _('expected [x, y, z] or "x", "y", "z", got {value}').format(value=_show(value)))
            return np.array(_AXIS_NAMES[value])
        return self.direction(value, where, _("expected a non-zero axis, got [0, 0, 0]"))

    def direction(self, value, where: str, message: str) -> np.ndarray:
        """A non-zero [x, y, z] as a unit vector; any scale works (``[1e-200, 1e-200, 0]`` is ``[1, 1, 0]``).

        ``message`` is the error for [0, 0, 0] ("expected a non-zero axis, ...").
        """
        vector = self.vector(value, where)
        if not np.any(vector):
            raise self.error(where, message)
        return _unit_vector(vector)


# ---------------------------------------------------------------------------------------- public helpers
def parse_transform(steps, where: str = "transform", file: str = "<transform>") -> Affine:
    """A model transform from scene-file steps (degrees), as :func:`load_scene` reads them.

    Examples
    --------
    >>> F = parse_transform([{"rotate": {"axis": "z", "deg": 90}}, {"translate": [0, 0, 1]}])
    >>> np.round(F([1.0, 0, 0]), 12)
    array([0., 1., 1.])
    """
    return _Reader(file).transform(steps, where)


def parse_color(value, where: str = "color", file: str = "<color>") -> tuple[float, float, float]:
    """``[r, g, b]`` (0..1) or ``"#rrggbb"`` -> a tuple of three floats in 0..1.

    Examples
    --------
    >>> parse_color("#ff8000")
    (1.0, 0.5019607843137255, 0.0)
    """
    return _Reader(file).color(value, where)


def _unit_vector(v) -> np.ndarray:
    """``v / |v|``, divided by its largest entry first so that tiny or huge vectors neither underflow nor overflow."""
    v = np.asarray(v, dtype=np.float64)
    v = v / np.max(np.abs(v))
    return v / np.linalg.norm(v)


def list_scenes() -> list[str]:
    """Names of the shipped scenes (``scenes/*.toml`` without the suffix), sorted."""
    return sorted(path.stem for path in scene_dir().glob("*.toml"))


# ---------------------------------------------------------------------------------------- loading
def _resolve(path_or_name) -> tuple[Path, str]:
    """``(path, shown name)``: a shipped scene by name, or a file path."""
    if isinstance(path_or_name, str) and not path_or_name.endswith(".toml") and "/" not in path_or_name and os.sep not in path_or_name:
        if path_or_name not in list_scenes():
            raise SceneError(_("scene: unknown scene {name}; expected one of: {names}, or a path to a .toml file").format(
                name=_show(path_or_name), names=", ".join(list_scenes())))
        path = scene_dir() / f"{path_or_name}.toml"
        return path, f"scenes/{path.name}"
    try:
        path = Path(os.fsdecode(os.fspath(path_or_name)))
    except TypeError:
        raise SceneError(_("scene: expected a scene name or a path, got {type}").format(
            type=type(path_or_name).__name__)) from None
    return path, shown_path(path)


def scene_file_path(base: Path, relative: str) -> Path:
    """``base / relative`` if, symbolic links followed, it lies inside the folder ``base``; else ValueError saying why.

    The policy for the files a scene names (meshes, networks): inside the scene's own folder or below.
    """
    if os.path.isabs(relative):
        raise ValueError(_("an absolute path; scene files name files relative to their own folder"))
    path = base / relative
    try:
        inside = os.path.realpath(path).startswith(os.path.join(os.path.realpath(base), ""))
    except (OSError, ValueError):
        inside = False
    if not inside:
        raise ValueError(_("outside the scene's folder {folder}; a scene reads only files in its own folder or below").format(
            folder=shown_path(base)))
    return path


def mesh_scene(path) -> Scene:
    """A scene made on the fly from a mesh file: the mesh fitted to the view, smooth, default camera and light.

    Parameters
    ----------
    path : str or os.PathLike
        An ``.obj`` or ``.off`` file.

    Returns
    -------
    Scene
        One object, ``model = fit`` (:func:`affine3d.geometry.fit.fit_map`, also kept as ``obj.fit``),
        seen from :data:`MESH_VIEW_DEG`; named after the file.
    """
    from .mesh_files import load_mesh  # scene -> mesh_files: only when a file is read

    mesh = load_mesh(path)
    camera = Camera()
    fit = fit_map(mesh, camera)
    shown = Path(os.fspath(path))
    yaw, pitch = (math.radians(a) for a in MESH_VIEW_DEG)
    obj = SceneObject(name=mesh.name or shown.stem, mesh=mesh, model=fit, color=MESH_COLOR, shading="smooth", fit=fit)
    normals = _("its own normals") if mesh.normals is not None else _("computed normals")
    return Scene(name=shown.name, path=shown, objects=[obj], camera=camera,
                 world_rotation=Affine.rotation_x(pitch) @ Affine.rotation_y(yaw),
                 description=_("{name}: {vertices} vertices, {triangles} triangles, {normals}, fitted to the "
                               "view").format(name=shown.name, vertices=prose_number(mesh.n_vertices),
                                              triangles=prose_number(mesh.n_triangles), normals=normals))


def _is_mesh_file(path_or_name) -> bool:
    from .mesh_files import MESH_SUFFIXES

    try:
        return Path(os.fspath(path_or_name)).suffix.lower() in MESH_SUFFIXES
    except TypeError:
        return False


def load_scene(path_or_name=DEFAULT_SCENE) -> Scene:
    """Read a scene: a shipped one by name (``"platonic"``), any ``.toml`` file by path, or a mesh file.

    Parameters
    ----------
    path_or_name : str or os.PathLike
        A name without ``.toml`` (see :func:`list_scenes`), a path to a ``.toml`` scene file, or a
        path to an ``.obj`` or ``.off`` mesh file (:func:`mesh_scene`: fitted to the view, smooth).

    Returns
    -------
    Scene
        Angles converted to radians; meshes built or loaded; model maps composed.

    Raises
    ------
    SceneError
        A missing file, a TOML syntax error (with its line), an unknown key, a wrong type or value,
        an unknown shape, a missing or malformed mesh file: the message names the file and the field.
    """
    if _is_mesh_file(path_or_name):
        return mesh_scene(path_or_name)
    path, shown = _resolve(path_or_name)
    data = read_regular(path, limit=MAX_SCENE_BYTES, what=N_("scene file"), shown=shown, error=SceneError)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SceneError(_("{file}:{line}: expected UTF-8 text (the file is not a TOML scene)").format(
            file=shown, line=line)) from None
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = f":{match.group(1)}" if match else ""
        raise SceneError(_("{file}{line}: TOML syntax error: {detail}").format(file=shown, line=line,
                                                                              detail=_toml_reason(exc))) from None
    except RecursionError:  # 3000 nested [ or { : tomllib parses by recursion
        raise SceneError(_("{file}: TOML nested too deeply (arrays or inline tables inside each other); a scene needs a "
                           "few levels").format(file=shown)) from None
    except ValueError:  # an integer of more than 4300 digits (Python's int-from-text limit)
        match = re.search(r"\d{4000,}", text)
        line = f":{text[: match.start()].count(chr(10)) + 1}" if match else ""
        raise SceneError(_("{file}{line}: a number with thousands of digits; expected numbers a float can hold").format(
            file=shown, line=line)) from None
    return _build(document, path, shown)


# tomllib's messages (English whatever the language), as the catalogue says them: (pattern, message with {what}).
_TOML_REASONS = (
    (r"Expected '=' after a key in a key/value pair", N_("expected '=' after a key in a key/value pair")),
    (r"Expected '\]' at the end of a table declaration", N_("expected ']' at the end of a table declaration")),
    (r"Expected '\]\]' at the end of an array declaration", N_("expected ']]' at the end of an array declaration")),
    (r"Expected (.+)", N_("expected {what}")),
    (r"Invalid value", N_("invalid value")),
    (r"Invalid statement", N_("invalid statement")),
    (r"Invalid initial character for a key part", N_("invalid first character of a key")),
    (r"Invalid date or datetime", N_("invalid date or time")),
    (r"Invalid hex value", N_("invalid hexadecimal value")),
    (r"Unclosed array", N_("unclosed array")),
    (r"Unclosed inline table", N_("unclosed inline table")),
    (r"Unterminated string", N_("unterminated string")),
    (r"Unescaped '\\' in a string", N_("unescaped '\\' in a string")),
    (r"Escaped character is not a Unicode scalar value", N_("the escaped character is not a Unicode scalar value")),
    (r"Cannot overwrite a value", N_("cannot overwrite a value")),
    (r"Cannot declare (.+) twice", N_("cannot declare {what} twice")),
    (r"Cannot mutate immutable namespace (.+)", N_("cannot change the finished table {what}")),
    (r"Cannot redefine namespace (.+)", N_("cannot define the table {what} again")),
    (r"Duplicate inline table key (.+)", N_("duplicate key {what} in an inline table")),
    (r"Found invalid character (.+)", N_("invalid character {what}")),
    (r"Illegal character (.+)", N_("illegal character {what}")),
)


def _toml_reason(exc: Exception) -> str:
    """tomllib's message for a syntax error, in the current language where the catalogue has it.

    English keeps tomllib's own words (``Expected '=' after a key ... (at line 3, column 5)``).
    """
    text = one_line(exc)
    if i18n.current_language() == i18n.SOURCE_LANGUAGE:
        return text
    match = re.fullmatch(r"(.*) \(at (?:line (\d+), column (\d+)|(end of document))\)", text)
    if not match:
        return text
    message, line, column, end = match.groups()
    for pattern, translated in _TOML_REASONS:
        found = re.fullmatch(pattern, message)
        if found:
            message = i18n._(translated).format(what=found.group(1) if found.groups() else "")
            break
    else:
        return text
    where = (_("at the end of the document") if end else
             _("line {line}, column {column}").format(line=line, column=column))
    return f"{message} ({where})"


def _build(document: dict, path: Path, shown: str) -> Scene:
    read = _Reader(shown)
    read.table(document, "", _TOP_KEYS)

    camera_table = read.table(document.get("camera", {}), "camera", _CAMERA_KEYS)
    defaults = Camera()
    fov_deg = read.number(camera_table.get("fov_deg", math.degrees(defaults.fov)), "camera.fov_deg")
    if not MIN_FOV_DEG <= fov_deg < 180:
        raise read.error("camera.fov_deg", _("expected degrees in [{low}, 180), got {value}").format(
            low=f"{MIN_FOV_DEG:g}", value=f"{fov_deg:g}"))
    near = read.length(camera_table.get("near", defaults.near), "camera.near")
    far = read.length(camera_table.get("far", defaults.far), "camera.far")
    if far <= near:
        raise read.error("camera.far", _("expected far > near = {near}, got {value}").format(near=f"{near:g}",
                                                                                            value=f"{far:g}"))
    distance = read.length(camera_table.get("distance", defaults.distance), "camera.distance")
    if near < distance * MIN_NEAR_OVER_DISTANCE:
        raise read.error("camera.near", _("expected at least distance / {ratio} = {lowest} (nearer to 0, the depth buffer "
                                          "puts every surface on the far plane), got {value}").format(
            ratio=f"{1 / MIN_NEAR_OVER_DISTANCE:g}", lowest=f"{distance * MIN_NEAR_OVER_DISTANCE:g}", value=f"{near:g}"))
    camera = Camera(
        fov=math.radians(fov_deg),
        near=near,
        far=far,
        distance=distance,
        projection=read.string(camera_table.get("projection", defaults.projection), "camera.projection", PROJECTIONS),
    )

    world = read.table(document.get("world", {}), "world", _WORLD_KEYS)
    yaw = math.radians(read.number(world.get("yaw_deg", 0.0), "world.yaw_deg"))
    pitch = math.radians(read.number(world.get("pitch_deg", 0.0), "world.pitch_deg"))
    spin = math.radians(read.number(world.get("spin_deg_per_s", 0.0), "world.spin_deg_per_s"))

    light = read.table(document.get("light", {}), "light", _LIGHT_KEYS)
    if "direction" in light:
        light_direction = read.direction(light["direction"], "light.direction",
                                         _("expected a non-zero vector, got [0, 0, 0]"))
    else:
        light_direction = _unit_vector(DEFAULT_LIGHT)

    objects_value = document.get("object")
    if objects_value is None or objects_value == []:
        raise read.error("object", _("expected at least one [[object]] table, got none"))
    if not isinstance(objects_value, list):
        raise read.error("object", _("expected an array of tables ([[object]], double brackets), got {value}").format(
            value=_show(objects_value)))
    if len(objects_value) > MAX_OBJECTS:
        raise read.error("object", _("expected at most {limit} objects, got {count}").format(
            limit=prose_number(MAX_OBJECTS), count=prose_number(len(objects_value))))
    meshes: dict[Path, Mesh] = {}
    budget = _Budget()
    _count_builtins(read, objects_value, budget)
    objects = [_object(read, value, k, path.parent, meshes, camera, budget) for k, value in enumerate(objects_value)]

    return Scene(
        name=read.string(document.get("name", path.stem), "name"),
        path=path,
        objects=objects,
        camera=camera,
        world_rotation=Affine.rotation_x(pitch) @ Affine.rotation_y(yaw),
        spin=spin,
        light_direction=light_direction,
        background=read.color(document["background"], "background") if "background" in document else Scene.background,
        description=read.string(document.get("description", ""), "description"),
        mlp=_model_path(read, document["mlp"], path.parent) if "mlp" in document else None,
        train=_train_table(read, document["train"]) if "train" in document else None,
    )


def _train_table(read: _Reader, value) -> dict:
    """The ``[train]`` table: types and ranges checked here, names (target, activation) where they are known."""
    table = read.table(value, "train", _TRAIN_KEYS)
    if "target" not in table:
        raise read.error("train", _('missing key {key}; expected e.g. target = "cube-to-sphere"').format(key="'target'"))
    train = {"target": read.string(table["target"], "train.target")}
    if "sizes" in table:
        sizes = table["sizes"]
        if not isinstance(sizes, list) or len(sizes) < 2 or any(isinstance(v, bool) or not isinstance(v, int) or v < 1
                                                                for v in sizes):
            raise read.error("train.sizes", _("expected a list of widths like [3, 8, 8, 3], got {value}").format(
                value=_show(sizes)))
        if sizes[0] != 3 or sizes[-1] != 3:
            raise read.error("train.sizes", _("expected 3 inputs and 3 outputs (3D points), got {value}").format(
                value=_show(sizes)))
        train["sizes"] = [int(v) for v in sizes]
    for key in ("activation", "optimizer"):
        if key in table:
            train[key] = read.string(table[key], f"train.{key}")
    if "lr" in table:
        train["lr"] = read.positive(table["lr"], "train.lr")
    for key, lowest in (("seed", 0), ("epochs", 1), ("batch", 1)):
        if key in table:
            v = table[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < lowest:
                raise read.error(f"train.{key}", _("expected an integer >= {lowest}, got {value}").format(lowest=lowest,
                                                                                                         value=_show(v)))
            train[key] = v
    return train


class _Budget:
    """The triangles a scene has used so far, against :data:`MAX_SCENE_TRIANGLES`."""

    def __init__(self):
        self.used = 0

    def take(self, read: _Reader, where: str, triangles: int) -> None:
        if self.used + triangles > MAX_SCENE_TRIANGLES:
            if self.used:
                message = _("{count} triangles (after {used} in the objects before it) exceed the scene's budget of "
                            "{limit} (a level-9 icosphere); use fewer or coarser shapes")
            else:
                message = _("{count} triangles exceed the scene's budget of {limit} (a level-9 icosphere); use fewer or "
                            "coarser shapes")
            raise read.error(where, message.format(count=prose_number(triangles), used=prose_number(self.used),
                                                   limit=prose_number(MAX_SCENE_TRIANGLES)))
        self.used += triangles


def _scene_file(read: _Reader, where: str, relative: str, base: Path, what: str) -> Path:
    """The file ``relative`` names for the field ``where``: inside the scene's folder, a regular file (not read here)."""
    try:
        os.lstat(base / relative)
    except FileNotFoundError:
        raise read.error(where, _("{what} not found: {path}").format(what=i18n._(what),
                                                                     path=shown_path(base / relative))) from None
    except (OSError, ValueError) as exc:  # a name too long, a NUL in it, a loop of links
        reason = os_reason(exc) if isinstance(exc, OSError) and exc.strerror else _("not a valid file name")
        raise read.error(where, _("cannot open the {what} {path}: {reason}").format(
            what=i18n._(what), path=shown_path(relative), reason=reason)) from None
    try:
        path = scene_file_path(base, relative)
    except ValueError as exc:
        raise read.error(where, _("{name} is {reason}").format(name=_show(relative), reason=exc)) from None
    try:
        with open_regular(path, limit=None, what=what, shown=shown_path(relative), error=SceneError):
            pass  # a regular file that can be opened; the reader opens it again
    except SceneError as exc:
        raise read.error(where, str(exc)) from None
    return path


def _model_path(read: _Reader, value, base: Path) -> Path:
    """The ``mlp`` key: a network file relative to the scene file, with a known suffix, that exists; or a model folder."""
    relative = read.string(value, "mlp")
    if Path(relative).suffix.lower() not in MODEL_SUFFIXES:
        try:
            folder = scene_file_path(base, relative)
        except ValueError as exc:
            raise read.error("mlp", _("{name} is {reason}").format(name=_show(relative), reason=exc)) from None
        if folder.is_dir() and (folder / "config.json").is_file():  # a Hugging Face folder (save_pretrained)
            return folder
        raise read.error("mlp", _("expected a model file ending in {suffixes} or a model folder (config.json + "
                                  "model.safetensors), got {value}").format(suffixes=", ".join(MODEL_SUFFIXES),
                                                                            value=_show(relative)))
    return _scene_file(read, "mlp", relative, base, N_("model file"))


def _shape_of(read: _Reader, value, k: int) -> tuple[dict, str | None, dict]:
    """``(table, shape name or None for a mesh, params)`` of object ``k``, checked; nothing is built."""
    where = f"object[{k}]"
    table = read.table(value, where, _OBJECT_KEYS)
    has_shape, has_mesh = "shape" in table, "mesh" in table
    if has_shape == has_mesh:
        message = (_('expected either shape = "..." (a built-in) or mesh = "file.obj", got both') if has_shape
                   else _('expected either shape = "..." (a built-in) or mesh = "file.obj", got neither'))
        raise read.error(where, message)
    if not has_shape:
        if "params" in table:
            raise read.error(f"{where}.params", _("expected no params with mesh = ...; params belong to a built-in shape"))
        return table, None, {}
    shape = read.string(table["shape"], f"{where}.shape")
    if shape not in BUILTINS:
        raise read.error(f"{where}.shape", _("unknown shape {name}; expected one of: {names}").format(
            name=_show(shape), names=", ".join(BUILTINS)))
    return table, shape, read.table(table.get("params", {}), f"{where}.params", tuple(builtin_parameters(shape)))


def _count_builtins(read: _Reader, objects_value: list, budget: "_Budget") -> None:
    """Every built-in shape's triangles against the budget, before any is built (mesh files count as they load)."""
    for k, value in enumerate(objects_value):
        _table, shape, params = _shape_of(read, value, k)
        if shape is not None:
            try:
                triangles = triangle_count(shape, **params)
            except SceneError as exc:  # "level: expected an integer in 0..9, got 12"
                raise SceneError(f"{read.shown}: object[{k}].params.{exc}") from None
            budget.take(read, f"object[{k}].params", triangles)


def _object(read: _Reader, value, k: int, base: Path, meshes: dict[Path, Mesh], camera: Camera,
            budget: _Budget) -> SceneObject:
    where = f"object[{k}]"
    table, shape, params = _shape_of(read, value, k)
    if shape is not None:
        try:
            mesh = BUILTINS[shape](**params)
        except SceneError as exc:  # the builder names the parameter: "height: expected ..."
            raise SceneError(f"{read.shown}: {where}.params.{exc}") from None
        default_name = shape
    else:
        relative = read.string(table["mesh"], f"{where}.mesh")
        mesh_path = _scene_file(read, f"{where}.mesh", relative, base, N_("mesh file"))
        if mesh_path not in meshes:
            from .mesh_files import load_mesh  # scene -> mesh_files -> polyhedra: no cycle, but only when needed

            try:
                meshes[mesh_path] = load_mesh(mesh_path)
            except SceneError as exc:
                raise read.error(f"{where}.mesh", str(exc)) from None
        mesh = meshes[mesh_path]
        budget.take(read, f"{where}.mesh", mesh.n_triangles)
        default_name = mesh_path.stem
    edge_color = table.get("edge_color")
    model = read.transform(table.get("transform", []), f"{where}.transform")
    fit = None
    if read.boolean(table.get("fit", False), f"{where}.fit"):
        try:
            fit = fit_map(mesh, camera)
        except SceneError as exc:  # a mesh with no extent: "name: cannot fit ..."
            raise read.error(f"{where}.fit", str(exc)) from None
        model = model @ fit  # the fit first, then the steps listed
    return SceneObject(
        name=read.string(table.get("name", default_name), f"{where}.name"),
        mesh=mesh,
        model=model,
        color=read.color(table["color"], f"{where}.color") if "color" in table else PALETTE[k % len(PALETTE)],
        wireframe=read.boolean(table.get("wireframe", False), f"{where}.wireframe"),
        edge_color=None if edge_color is None else read.color(edge_color, f"{where}.edge_color"),
        shading=read.string(table.get("shading", "flat" if shape is not None else "smooth"), f"{where}.shading", SHADINGS),
        fit=fit,
    )
