"""affine3d: 3D graphics and neural networks are the same linear algebra.

One class, :class:`Affine` (``F(x) = A x + b`` as a homogeneous matrix), moves the polyhedra of a 3D
scene and computes the layers of a multilayer perceptron. The package is built in floors, each
importing only the ones below it::

    affine.py projection.py errors.py   the core: numpy only
    geometry/  nn/  images.py           meshes and scenes; networks and their files; picture files
    gl/  cpu/                           OpenGL (moderngl) and the CPU rasterizer, side by side
    render.py                           the one module that knows both
    app/                                the viewer
    cli.py commands/ bench/             the ``affine3d`` command

Importing ``affine3d`` imports no OpenGL code: the maths works on a machine without a GPU or a
display: :mod:`affine3d.gl` (``render``, ``run_mlp_gpu``) imports moderngl when first used.
"""

from . import projection
from .affine import Affine, compose
from .errors import AffineError, GLUnavailableError, InputError, ModelError, SceneError, UsageError
from .geometry import Mesh, Scene, load_scene
from .geometry.scene import set_png_maker, set_widget_maker
from .images import save_png
from .nn import MLP, Layer
from .nn.mlp import set_widget_maker as set_mlp_widget_maker
from .version import __version__

__all__ = ["Affine", "compose", "MLP", "Layer", "Mesh", "Scene", "load_scene", "save_png",
           "projection", "InputError", "AffineError", "SceneError", "ModelError", "UsageError", "GLUnavailableError",
           "__version__"]


def _scene_png(scene):
    """What a notebook shows for a Scene: OpenGL's picture, or the CPU rasterizer's; None if neither can draw."""
    try:
        from .render import scene_png
    except ImportError:
        return None
    try:
        return scene_png(scene)
    except GLUnavailableError:
        return None


set_png_maker(_scene_png)


def _widget(scene, **options):
    """Scene.widget / MLP.widget: affine3d.notebook.show (anywidget is imported only now)."""
    from .notebook import show

    return show(scene, **options)


set_widget_maker(_widget)
set_mlp_widget_maker(_widget)
