"""affine3d: 3D graphics and neural networks are the same linear algebra.

One class, :class:`Affine` (``F(x) = A x + b`` as a homogeneous matrix), moves the polyhedra of a 3D
scene and computes the layers of a multilayer perceptron. This module imports no OpenGL code: the
maths works on a machine without a GPU or a display.
"""

from .affine import Affine, compose
from .errors import AffineError, GLUnavailableError, ModelError, SceneError
from .mlp import MLP, Layer
from . import projection

__version__ = "0.1.0"

__all__ = ["Affine", "compose", "MLP", "Layer", "projection", "AffineError", "SceneError", "ModelError", "GLUnavailableError", "__version__"]
