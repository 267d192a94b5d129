"""Model files: what an inference engine loads. A trained MLP is architecture + weights + metadata.

Three formats, chosen by the file's suffix (one module each):

``.safetensors`` (:mod:`.safetensors`, Hugging Face)
    An 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
    byte range, then the raw little-endian tensor bytes. No code runs on load.
``.npz`` (:mod:`.npz`, numpy)
    A zip of ``.npy`` arrays, uncompressed; read with pickle disabled.
``.onnx`` (:mod:`.onnx`)
    A protobuf graph of ``Gemm(x, W, b, transB=1)`` per layer and activation nodes; needs the
    optional ``onnx`` package.
a folder (:mod:`.pretrained`, Hugging Face's layout)
    ``config.json`` (the architecture), ``model.safetensors`` (tensors named as PyTorch's
    ``nn.Sequential`` names them) and ``README.md`` (the model card).

A ``.safetensors`` file without affine3d's architecture record is read as a PyTorch state dict of
``nn.Linear`` layers, with the activations the caller gives (:func:`.pretrained.load_state_dict`).

These modules read and write arrays, not networks: :func:`load` returns a
:class:`~affine3d.nn.files.common.Model` (per layer W, b and the activation, and the metadata), and
:meth:`affine3d.nn.MLP.load` makes the network of it. Every problem with a file (truncated,
corrupted, a header whose shapes do not match its bytes, a pickle, an unsupported operator or
version) raises :class:`~affine3d.errors.ModelError` naming the file.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import ModelError
from ...i18n import _
from .common import METADATA_KEY, SUFFIXES, Model, check_activations, suffix_of
from .npz import load_npz, save_npz
from .onnx import (MAX_ONNX_IR_VERSION, MAX_ONNX_OPSET, MIN_ONNX_OPSET, ONNX_IR_VERSION, ONNX_OPSET, load_onnx,
                   save_onnx)
from .pretrained import has_architecture, load_pretrained, load_state_dict, save_pretrained
from .safetensors import load_safetensors, read_safetensors_header, save_safetensors

__all__ = [
    "save", "load", "Model", "save_safetensors", "load_safetensors", "save_npz", "load_npz", "save_onnx", "load_onnx",
    "read_safetensors_header", "SUFFIXES", "METADATA_KEY", "save_pretrained", "load_pretrained", "load_state_dict",
    "ONNX_IR_VERSION", "ONNX_OPSET", "MAX_ONNX_IR_VERSION", "MAX_ONNX_OPSET", "MIN_ONNX_OPSET",
]


def save(mlp, path, *, dtype="float32") -> None:
    """Write ``mlp`` to ``path`` in the format its suffix names (``.safetensors``, ``.npz``, ``.onnx``).

    ``dtype`` is the weights' dtype in the file (``"float32"``, what inference engines run, or
    ``"float64"`` for an exact copy of the Affine maps; ONNX files are always float32).
    """
    path = as_path(path)
    if path.is_dir():
        raise ModelError(_("{name}: is a folder; save a model file into it ({name}/model.safetensors) or the whole Hugging Face "
                            "folder with net.save_pretrained({path})").format(
            name=path.name, path=repr(str(path))))
    if not path.suffix:
        raise ModelError(_("{name}: no suffix, so no model file type (.safetensors, .npz, .onnx); for a Hugging Face folder of "
                            "that name use net.save_pretrained({path})").format(
            name=path.name, path=repr(str(path))))
    suffix = suffix_of(path)
    if suffix == ".safetensors":
        save_safetensors(mlp, path, dtype=dtype)
    elif suffix == ".npz":
        save_npz(mlp, path, dtype=dtype)
    else:
        save_onnx(mlp, path)


def load(path, activations=None) -> Model:
    """Read the layers and metadata of the model file or folder ``path``; ModelError for anything wrong.

    ``activations`` (one per layer) is what a PyTorch state dict lacks; a file that names its own
    activations must agree with them.
    """
    path = as_path(path)
    if path.is_dir():
        if not (path / "config.json").exists():
            raise ModelError(_("{name}: expected a model file ({names}) or a model folder (config.json + model.safetensors), got a "
                                "directory without config.json").format(
                name=path.name, names=', '.join(SUFFIXES)))
        return load_pretrained(path, activations)
    if not path.suffix and not path.exists():
        raise ModelError(_("{name}: model file or folder not found: {path}").format(name=path.name, path=path))
    suffix = suffix_of(path)
    if suffix == ".safetensors":
        if not has_architecture(path):
            return load_state_dict(path, activations)
        model = load_safetensors(path)
    elif suffix == ".npz":
        model = load_npz(path)
    else:
        model = load_onnx(path)
    if activations is not None:
        check_activations(path.name, model, activations)
    return model


def as_path(path) -> Path:
    """``path`` as a Path, or a ModelError for something that is not one (``MLP.load(123)``)."""
    try:
        return Path(os.fsdecode(os.fspath(path)))
    except TypeError:
        raise ModelError(_("path: expected a model file path (str or os.PathLike), got {type}").format(
            type=type(path).__name__)) from None
