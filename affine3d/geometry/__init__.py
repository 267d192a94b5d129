"""Geometry: triangle meshes, the built-in solids, OBJ/OFF files and scene files. Numpy only.

Inside this package imports point one way: ``normals`` <- ``mesh`` <- ``solids``, ``mesh_files`` <- ``scene``,
``fit`` <- ``scene`` (a mesh file is fitted to the view: :mod:`affine3d.geometry.fit`), and ``shading`` <- ``scene``
(the renderers' look, :mod:`affine3d.geometry.shading`: a scene file names a light and a shading, no more).
"""

from .mesh import Mesh
from .mesh_files import load_mesh, save_obj, save_off
from .scene import Camera, Scene, SceneObject, list_scenes, load_scene
from .solids import builtin, builtin_names

__all__ = ["Mesh", "load_mesh", "save_obj", "save_off", "Scene", "SceneObject", "Camera", "load_scene", "list_scenes",
           "builtin", "builtin_names"]
