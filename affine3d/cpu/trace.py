"""Follow one point: a vertex through every map of the pipeline, each value named with its space.

The renderer (``shaders/mesh.vert``) and the CPU rasterizer (:mod:`affine3d.cpu.raster`) move every
vertex through the same chain of maps; this module follows *one* vertex through it, as a table::

    p_model  --model-->  p_world  [--the network's layers-->  p_world]  --world-->  p_camera
             --projection-->  p_clip  --divide by w-->  p_ndc  --viewport-->  p_window

Each step is written as the matrix product it is, on homogeneous coordinates: ``[p, 1]`` for a point
of 3D space (an affine map keeps the 1), and a 4-vector ``(x, y, z, w)`` in clip space, where the
projection has put the depth into ``w``. A network (a scene's ``mlp`` key, or ``--mlp``) acts in world
space, after the object's model map and before the world's rotation, exactly where the renderer applies
it; its rows are the forward pass of :meth:`affine3d.nn.MLP.trace`: ``x``, then ``z_i = W_i a_{i-1} + b_i``
and ``a_i = σ_i(z_i)`` for each layer. In the viewer, with the forward pass paused in the middle of a
stage, the rows stop there (the value at that ``t``).

``affine3d trace SCENE --object K --vertex I`` prints the table; the viewer shows it live for a vertex
you click. ``tests/test_trace.py`` checks every number against the rasterizer's own intermediate values.

Examples
--------
>>> from affine3d.geometry.scene import load_scene
>>> rows = trace_vertex(load_scene("platonic"), 0, 0, size=(800, 600))
>>> [row.name for row in rows]
['p_model', 'p_world', 'p_camera', 'p_clip', 'p_ndc', 'p_window']
>>> [row.space for row in rows][:3]
['model space', 'world space', 'camera space']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..affine import Affine
from ..errors import UsageError
from ..i18n import _
from ..projection import viewport as viewport_matrix  # NDC -> window pixels: the one viewport map

__all__ = ["TraceRow", "trace_vertex", "format_trace", "format_vector", "viewport_matrix", "find_object"]


@dataclass(frozen=True)
class TraceRow:
    """One value of a vertex on its way to the screen.

    Attributes
    ----------
    name : str
        As on the blackboard and in the README's diagram: ``p_model``, ``p_world``, ``z2 = W2 a1 + b2``,
        ``p_camera``, ``p_clip``, ``p_ndc``, ``p_window``.
    space : str
        Where the value lives: ``model space``, ``world space``, ``layer 2`` (a network's values),
        ``camera space``, ``clip space``, ``NDC``, ``window pixels``.
    how : str
        The map that made it from the row before, e.g. ``world @ [p_world, 1]``.
    value : ndarray
        Shape (3,) for points, (4,) in clip space, (width,) in a network's layer; float64.
    matrix : ndarray or None
        The matrix of that map (4x4 homogeneous, ``[W | b]`` for a layer), None where the step is not a
        matrix product (the divide by ``w``, an activation).
    """

    name: str
    space: str
    how: str
    value: np.ndarray
    matrix: np.ndarray | None = None


def find_object(scene, which) -> int:
    """The index of an object by 0-based number (``2``, ``"2"``) or by name (``"cube"``); UsageError otherwise."""
    names = [obj.name for obj in scene.objects]
    if isinstance(which, str) and not which.lstrip("-").isdigit():
        if which in names:
            return names.index(which)
        raise UsageError(_("--object: no object called {which} in scene {scene}; its objects: {objects}").format(
            which=repr(which), scene=repr(scene.name), objects=", ".join(f"{k} {name!r}" for k, name in enumerate(names))))
    k = int(which)
    if not 0 <= k < len(names):
        raise UsageError(_("--object: expected 0..{value} (scene {name} has {count} objects), got {k}").format(
            value=len(names) - 1, name=repr(scene.name), count=len(names), k=k))
    return k


def _homogeneous(p) -> np.ndarray:
    return np.append(np.asarray(p, dtype=np.float64), 1.0)


def trace_vertex(scene, obj, vertex: int, size=(800, 600), world: Affine | None = None, *, ortho: bool | None = None,
                 morph=None, stage=None, t: float = 1.0, projection=None) -> list[TraceRow]:
    """One vertex through every map: the rows of the table ``affine3d trace`` prints.

    Parameters
    ----------
    scene : Scene
    obj : int or str
        Which object: 0-based index or name (:func:`find_object`).
    vertex : int
        0-based index into the object's mesh's vertices.
    size : (width, height)
        The image, in pixels (the viewport).
    world : Affine, optional
        world space -> camera space; default ``scene.world()``.
    ortho : bool, optional
        Orthographic (True) or perspective (False); None: the scene's camera decides.
    morph : Morph, optional
        A network warping the scene (:class:`affine3d.nn.morph.Morph`), applied in world space.
    stage : Stage or int, optional
        With ``morph``: follow the forward pass only up to time ``t`` of this stage (the viewer's
        paused frame); default the whole pass (the last stage at ``t = 1``).
    t : float
    projection : ndarray, shape (4, 4), optional
        camera space -> clip space; default the scene's camera at the size's aspect (``ortho`` as said).
        The viewer passes its own (the scene framed clear of its panels).

    Returns
    -------
    list of TraceRow
        ``p_model``, ``p_world``, the network's rows (if any), ``p_camera``, ``p_clip``, ``p_ndc``, ``p_window``.
    """
    k = find_object(scene, obj)
    target = scene.objects[k]
    vertices = target.mesh.vertices
    if not 0 <= int(vertex) < len(vertices):
        raise UsageError(_("--vertex: expected 0..{value} (object {k} {name} has {count} vertices), got {vertex}").format(
            value=len(vertices) - 1, k=k, name=repr(target.name), count=len(vertices), vertex=vertex))
    world = scene.world() if world is None else world
    if projection is None:
        projection = scene.projection(size[0] / size[1], ortho)
    projection = np.asarray(projection, dtype=np.float64)

    p_model = np.array(vertices[int(vertex)], dtype=np.float64)
    rows = [TraceRow("p_model", _("model space"), _("vertex {vertex} of object {k} ({name})").format(
        vertex=int(vertex), k=k, name=target.name), p_model)]
    model = target.model.matrix
    p_world = (model @ _homogeneous(p_model))[:3]
    rows.append(TraceRow("p_world", _("world space"), "model @ [p_model, 1]", p_world, model))
    if morph is not None:
        network_rows, p_world = _network_rows(morph, p_world, stage, t)
        rows += network_rows
    W = world.matrix
    p_camera = (W @ _homogeneous(p_world))[:3]
    rows.append(TraceRow("p_camera", _("camera space"), "world @ [p_world, 1]", p_camera, W))
    p_clip = projection @ _homogeneous(p_camera)
    rows.append(TraceRow("p_clip", _("clip space"), "projection @ [p_camera, 1]", p_clip, projection))
    p_ndc = p_clip[:3] / p_clip[3]  # the perspective divide
    rows.append(TraceRow("p_ndc", "NDC", "p_clip.xyz / w  " + _("(the divide by w)"), p_ndc))
    V = viewport_matrix(size)
    p_window = (V @ _homogeneous(p_ndc))[:3]
    rows.append(TraceRow("p_window", _("window pixels"), "viewport @ [p_ndc, 1]  " + _("(x, y from the top-left; depth)"),
                         p_window, V))
    return rows


def _network_rows(morph, p_world: np.ndarray, stage, t: float) -> tuple[list[TraceRow], np.ndarray]:
    """The forward pass of one point, stage by stage, up to ``t`` of ``stage``: rows and the point drawn."""
    stages = morph.stages
    stage = stages[-1] if stage is None else morph.stage(stage)
    t = float(t)
    keys = morph.keyframes(p_world[None])
    rows = [TraceRow("x = p_world", _("network input"), _("the network acts in world space"), p_world.copy())]
    names, inputs = _blackboard_names(morph)
    for s in stages[: stage.index + 1]:
        last = s.index == stage.index
        partial = last and t < 1.0
        if partial:
            value = morph.values(s, t, keys[s.index])[0]
        else:
            value = keys[s.index + 1][0]
        if s.kind == "affine":
            F = s.map_at(t) if partial else s.affine
            matrix = np.hstack([F.A, F.b[:, None]])
            how = (_("A(t) x + b(t) at t = {t} ({path} path)").format(t=f"{t:.2f}", path=s.path) if partial
                   else f"[W{s.layer} | b{s.layer}] @ [{inputs[s.index]}, 1]")
        else:
            matrix = None
            how = (_("(1-t) z + t {function}(z) at t = {t}").format(function=s.activation, t=f"{t:.2f}") if partial
                   else _("{function}, element by element").format(function=s.activation))
        name = names[s.index] + (f"  (t = {t:.2f})" if partial else "")
        rows.append(TraceRow(name, _("layer {layer}").format(layer=s.layer), how, np.array(value, dtype=np.float64), matrix))
    if stage.index == len(stages) - 1 and t >= 1.0:
        drawn = keys[-1][0]
    else:
        drawn = morph.positions(stage, t, keys[stage.index])[0]
    if drawn.shape != (3,) or not np.array_equal(drawn, rows[-1].value):
        rows.append(TraceRow("p_world", _("world space"), _("the layer's values as drawn (display map)"), drawn))
    else:
        rows.append(TraceRow("p_world", _("world space"), _("the network's output: a point of world space"), drawn))
    return rows, drawn


def _blackboard_names(morph) -> tuple[list[str], list[str]]:
    """Per stage, the value it ends with (``z1 = W1 x + b1``, ``a1 = tanh(z1)``, ..., ``y = ...``) and the one it starts from."""
    names, inputs, previous = [], [], "x"
    n_stages = len(morph.stages)
    for s in morph.stages:
        i = s.layer
        inputs.append(previous)
        is_last = s.index == n_stages - 1
        if s.kind == "affine":
            result = "y" if is_last else (f"a{i}" if s.activation.is_identity else f"z{i}")
            names.append(f"{result} = W{i} {previous} + b{i}")
        else:
            result = "y" if is_last else f"a{i}"
            names.append(f"{result} = {s.activation}(z{i})")
        previous = result
    return names, inputs


def format_vector(v, digits: int = 4) -> str:
    """``(x, y, z)`` with ``digits`` decimals and no ``-0.0``.

    Examples
    --------
    >>> format_vector([1.0, -0.00001, 2.5], 2)
    '(1.00, 0.00, 2.50)'
    """
    cells = [f"{round(float(x), digits) + 0.0:.{digits}f}" for x in v]
    return "(" + ", ".join(cells) + ")"


def format_trace(rows: list[TraceRow], *, matrices: bool = False, digits: int = 4, how: bool = True) -> list[str]:
    """The rows as text lines: ``space  name = (values)  <- how``; with ``matrices``, each map's matrix before its step.

    ``how=False`` leaves out the map that made each value (the viewer's narrower panel).

    Examples
    --------
    >>> from affine3d.geometry.scene import load_scene
    >>> print(format_trace(trace_vertex(load_scene("platonic"), 0, 0))[0])   # a corner (1, 1, 1) / sqrt(3)
    model space    p_model  = (0.5774, 0.5774, 0.5774)   <- vertex 0 of object 0 (tetrahedron)
    """
    name_width = max(len(row.name) for row in rows)
    space_width = max(len(row.space) for row in rows)
    values = [format_vector(row.value, digits) for row in rows]
    value_width = max(len(v) for v in values)
    lines = []
    for row, value in zip(rows, values):
        if matrices and row.matrix is not None:
            for matrix_row in np.asarray(row.matrix):
                lines.append(" " * (space_width + 2) + "  [" + " ".join(f"{v:9.4f}" for v in matrix_row) + " ]")
        line = f"{row.space:<{space_width}}  {row.name:<{name_width}} = {value:<{value_width}}"
        lines.append(f"{line}   <- {row.how}" if how else line.rstrip())
    return lines
