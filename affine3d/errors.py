"""The project's errors: each a ``ValueError`` whose message names the argument, file or field at fault.

A user who passes a wrong shape, a broken scene file or a corrupt model gets one of these, and the
``affine3d`` command turns it into one line on stderr and exit code 2.
"""


class AffineError(ValueError):
    """A bad argument to an affine map: wrong shape, non-finite entry, singular inverse, zero axis."""


class SceneError(ValueError):
    """A bad scene or mesh file: names the file, and the field or line number."""


class ModelError(ValueError):
    """A bad model or model file: names the layer index, the tensor or the file, and the shapes."""


class GLUnavailableError(RuntimeError):
    """No OpenGL context could be made; the message says what was tried and what to install."""
