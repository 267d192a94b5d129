"""The one home of "load a model and check its widths": every command, the viewer and the page call :func:`load_model`.

A model is a file (``.safetensors``, ``.npz``, ``.onnx``), a Hugging Face folder, or a PyTorch
state dict with its activations given; what warps a solid must map R^3 to R^3.
"""

from __future__ import annotations

from ..errors import ModelError
from ..i18n import _
from .mlp import MLP

__all__ = ["load_model", "check_dims"]


def check_dims(mlp: MLP, dims=(3, 3), what: str = "model") -> MLP:
    """``mlp`` if it maps R^dims[0] to R^dims[1] (None: any width), else a ModelError naming the width and the weight.

    Examples
    --------
    >>> check_dims(MLP.random([2, 4, 3]))
    Traceback (most recent call last):
    ...
    affine3d.errors.ModelError: model: expected 3 inputs (a point of 3D space), got 2: W1 has shape (4, 2); only a 3 -> ... -> 3 network can move a solid's vertices
    """
    n_in, n_out = dims
    sizes = mlp.sizes
    solid = n_in == n_out == 3
    what = _("model") if what == "model" else what
    if n_in is not None and sizes[0] != n_in:
        message = (_("{what}: expected {n} inputs (a point of 3D space), got {got}: W1 has shape {shape}; only a "
                     "3 -> ... -> 3 network can move a solid's vertices") if solid else
                   _("{what}: expected {n} inputs, got {got}: W1 has shape {shape}"))
        raise ModelError(message.format(what=what, n=n_in, got=sizes[0], shape=mlp.layers[0].W.shape))
    if n_out is not None and sizes[-1] != n_out:
        message = (_("{what}: expected {n} outputs (a point of 3D space), got {got}: W{k} has shape {shape}; only a "
                     "3 -> ... -> 3 network can move a solid's vertices") if solid else
                   _("{what}: expected {n} outputs, got {got}: W{k} has shape {shape}"))
        raise ModelError(message.format(what=what, n=n_out, got=sizes[-1], k=len(mlp.layers), shape=mlp.layers[-1].W.shape))
    return mlp


def load_model(path, *, activations=None, dims=(3, 3), what: str = "model") -> MLP:
    """The network in ``path`` (a model file or folder; see :meth:`MLP.load`), checked to map R^dims[0] to R^dims[1].

    Parameters
    ----------
    path : str or os.PathLike
        A ``.safetensors``, ``.npz`` or ``.onnx`` file, or a folder written by ``save_pretrained``.
    activations : list or str, optional
        One per layer, for a PyTorch state dict (which stores none); ``"tanh,tanh,identity"`` as
        ``--activations`` takes it.
    dims : (int or None, int or None)
        The widths the caller needs: ``(3, 3)`` to warp solids.
    what : str
        Names the model in the messages (``"--mlp"``, a scene's ``mlp`` key).

    Raises
    ------
    ModelError
        One line for a broken file, a missing activation list or a width that does not fit.
    """
    return check_dims(MLP.load(path, activations=activations), dims, what)
