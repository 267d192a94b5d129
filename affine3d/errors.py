"""The project's errors: each names the argument, file or field at fault, and what was expected.

Everything a user can get wrong (a shape, a scene file, a model file, a flag) raises a subclass of
:class:`InputError`, itself a ``ValueError``; the ``affine3d`` command turns it into one line on
stderr and exit code 2. A machine without a usable OpenGL is not a mistake of the user's:
:class:`GLUnavailableError` is a ``RuntimeError`` that says what to install.
"""


class InputError(ValueError):
    """Something the user gave is wrong; the message names it and says what was expected."""


class AffineError(InputError):
    """A bad argument to the core maths (an affine map, a projection): wrong shape, non-finite entry, singular inverse, zero axis."""


class SceneError(InputError):
    """A bad scene or mesh file: names the file, and the field or line number."""


class ModelError(InputError):
    """A bad model or model file: names the layer index, the tensor or the file, and the shapes."""


class UsageError(InputError):
    """A bad flag, image size, backend name or output path: names the option and what it takes."""


class GLUnavailableError(RuntimeError):
    """No OpenGL context could be made; the message says what was tried and what to install."""
