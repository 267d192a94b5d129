"""Fitting a model into the view: one more affine map, ``fit(x) = s x + b``.

A mesh file comes in its author's units: millimetres or kilometres, centred anywhere. To show it,
``affine3d view bunny.obj`` puts a *fit* map in front of everything else::

    model = fit: object space -> world space,   fit = translation(b) @ scaling(s)

with ``s`` chosen so that the mesh's bounding sphere (centre: the middle of its bounding box; radius:
its farthest vertex from there) gets the radius :func:`fit_radius`, and ``b = -s c`` so that the
sphere's centre lands on the world's origin, the point the camera looks at and the world turns
about. However the world is turned, the model then stays inside the view: its sphere's outline
covers :data:`FIT_FILL` of the view's height.

The numbers are rounded (``s`` to 4 significant digits, ``b`` to 4 digits after the sphere's size)
before the map is made, so the text :func:`fit_text` prints (the overlay, ``render --verbose``) is
exactly the map that is applied: a student can paste it into Python and get the same ``Affine``.

Examples
--------
>>> from affine3d.geometry.scene import Camera
>>> points = np.array([[100.0, 20, 0], [300, 20, 0], [200, 120, 50]])   # millimetres, off-centre
>>> fit = fit_map(points, Camera())
>>> fit_text(fit)
'Affine.translation([-2.928, -1.0248, -0.366]) @ Affine.scaling(0.01464)'
>>> np.array_equal(eval(fit_text(fit)).matrix, fit.matrix)   # the text is the map, exactly
True
>>> centre, radius = bounding_sphere(fit(points))  # now at the origin, the size that fills the view
>>> bool(np.abs(centre).max() < 1e-4), round(radius / fit_radius(Camera()), 3)
(True, 1.0)
"""

from __future__ import annotations

import math

import numpy as np

from ..affine import Affine
from ..errors import SceneError
from ..i18n import _

__all__ = ["FIT_FILL", "bounding_sphere", "fit_radius", "fit_map", "fit_text", "fit_lines"]

FIT_FILL = 0.8
"""The share of the view's height (its vertical field of view) that a fitted model's bounding sphere fills.

0.8 leaves a tenth of the height free above and below the sphere (and more at the sides of a window
wider than tall), whichever way the model is turned."""


def bounding_sphere(vertices) -> tuple[np.ndarray, float]:
    """``(centre, radius)``: the middle of the bounding box, and the largest distance of a vertex from it.

    Parameters
    ----------
    vertices : array-like, shape (V, 3), V >= 1

    Returns
    -------
    centre : ndarray, shape (3,)
    radius : float
        Every vertex lies within ``radius`` of ``centre`` (not always the smallest such sphere, but
        one that is simple to state and to check).
    """
    vertices = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    if len(vertices) == 0:
        raise SceneError(_("fit: expected a mesh with vertices, got none"))
    centre = (vertices.min(axis=0) + vertices.max(axis=0)) / 2
    radius = float(np.sqrt(np.max(np.einsum("ij,ij->i", vertices - centre, vertices - centre))))
    return centre, radius


def fit_radius(camera, fill: float = FIT_FILL) -> float:
    """The radius of a sphere at the world's origin whose outline fills ``fill`` of the view's height.

    Perspective: a sphere of radius ``r`` at distance ``d`` is seen under the half-angle
    ``asin(r / d)``; its outline on the image reaches ``tan(asin(r / d)) = r / sqrt(d^2 - r^2)``, and the
    view's edge is at ``tan(fov / 2)``. Setting the ratio to ``fill`` gives ``r = d t / sqrt(1 + t^2)``
    with ``t = fill tan(fov / 2)``. Orthographic: the view's half-height at the origin is
    ``d tan(fov / 2)`` (:meth:`Scene.projection`), so ``r = fill d tan(fov / 2)``.

    Parameters
    ----------
    camera : Camera
        Its ``fov`` (radians), ``distance`` and ``projection``.
    fill : float, in (0, 1]

    Examples
    --------
    >>> from affine3d.geometry.scene import Camera
    >>> round(fit_radius(Camera(fov=math.radians(90), distance=2.0), fill=1.0), 12)   # tan 45 = 1: r = d / sqrt 2
    1.414213562373
    """
    t = fill * math.tan(camera.fov / 2)
    if camera.projection == "orthographic":
        return camera.distance * t
    return camera.distance * t / math.sqrt(1 + t * t)


def _round_significant(x: float, digits: int) -> float:
    return float(f"{x:.{digits}g}")


def fit_map(mesh_or_vertices, camera, fill: float = FIT_FILL) -> Affine:
    """The map that centres a mesh on the world's origin and scales it to fill ``fill`` of the view.

    Parameters
    ----------
    mesh_or_vertices : Mesh or array-like, shape (V, 3)
        Object space, any units.
    camera : Camera
        The scene's camera (:func:`fit_radius`).
    fill : float

    Returns
    -------
    Affine
        fit: object space -> world space, ``translation(b) @ scaling(s)`` with ``s`` rounded to 4
        significant digits and ``b`` rounded to 4 digits after the fitted sphere's leading one (so
        :func:`fit_text` prints it exactly).

    Raises
    ------
    SceneError
        A mesh whose vertices all lie at one point: there is no size to scale.
    """
    vertices = getattr(mesh_or_vertices, "vertices", mesh_or_vertices)
    centre, radius = bounding_sphere(vertices)
    name = getattr(mesh_or_vertices, "name", "") or _("mesh")
    if not radius > 0:
        raise SceneError(_("{name}: cannot fit a mesh whose vertices all lie at one point; expected some extent").format(
            name=name))
    target = fit_radius(camera, fill)
    s = _round_significant(target / radius, 4)
    if not (math.isfinite(s) and s > 0):
        raise SceneError(_("{name}: cannot fit a mesh of radius {radius:g}; expected a size that a float can scale").format(
            name=name, radius=radius))
    decimals = 4 - math.floor(math.log10(target))
    b = [round(float(-s * c), decimals) + 0.0 for c in centre]  # + 0.0: no "-0.0" in the text
    return Affine.translation(b) @ Affine.scaling(s)


def fit_text(fit: Affine) -> str:
    """The fit map as the Python that makes it: ``Affine.translation([...]) @ Affine.scaling(s)``.

    Floats are written with ``repr`` (the shortest text that reads back exactly), so evaluating the
    text gives back ``fit`` exactly.
    """
    s = float(fit.A[0, 0])
    b = ", ".join(repr(float(v)) for v in fit.b)
    return f"Affine.translation([{b}]) @ Affine.scaling({s!r})"


def fit_lines(objects) -> list[str]:
    """What to print about the fitted objects among ``objects`` (those with a ``fit``): three lines each.

    The first names the object and the spaces; the next two are the map as Python (:func:`fit_text`,
    broken before the ``@``). An object whose model has more after its fit (a scene file's
    transform steps) says ``model = transform @ fit``.

    Examples
    --------
    >>> from affine3d.geometry.scene import SceneObject
    >>> from affine3d.geometry.solids import cube
    >>> fit = Affine.translation([0.5, 0.0, -2.0]) @ Affine.scaling(0.25)
    >>> for line in fit_lines([SceneObject("part", cube(), model=fit, fit=fit)]): print(line)
    fit 'part': object space -> world space
      Affine.translation([0.5, 0.0, -2.0])
      @ Affine.scaling(0.25)
    """
    lines = []
    for obj in objects:
        fit = getattr(obj, "fit", None)
        if fit is None:
            continue
        more = "" if np.array_equal(obj.model.matrix, fit.matrix) else " (model = transform @ fit)"
        translation, scaling = fit_text(fit).split(" @ ")
        lines += [f"fit {obj.name!r}: object space -> world space{more}", f"  {translation}", f"  @ {scaling}"]
    return lines
