"""What the three model formats share: the architecture as JSON, tensor names, the suffix, the result type.

Tensors are named ``layer{i}.weight`` (shape (out, in)) and ``layer{i}.bias`` (shape (out,)), with
``i`` counted from 1 as the lecture's ``F_1, F_2, ...``. A file is read into a :class:`Model`: per
layer the weights, the bias and the activation, and the metadata; :meth:`affine3d.nn.MLP.load`
makes an MLP of it (and checks that the layers chain). Saving takes anything shaped like an MLP
(``layers`` with ``W``, ``b`` and ``activation``; ``metadata``; ``dim_in``, ``dim_out``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ...errors import ModelError

__all__ = ["Model", "SUFFIXES", "METADATA_KEY", "suffix_of", "architecture_json", "parse_architecture", "build",
           "tensors_for_saving"]

SUFFIXES = (".safetensors", ".npz", ".onnx")
METADATA_KEY = "affine3d"       # the one safetensors metadata key / npz entry holding our JSON
FORMAT_NAME = "affine3d.mlp"
FORMAT_VERSION = 1
SAVE_DTYPES = ("float16", "float32", "float64")


class Model(NamedTuple):
    """What a model file holds: per layer ``(W (out, in), b (out,), activation)``, and the metadata."""

    layers: list            # [(W ndarray, b ndarray, activation name, dict or Activation), ...]
    metadata: dict


def suffix_of(path: Path) -> str:
    """The lower-case suffix of ``path`` if it is a model format's, else a ModelError listing them."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ModelError(f"{path.name}: unknown model file type {suffix or '(no suffix)'!r}; expected one of {', '.join(SUFFIXES)}")
    return suffix


def architecture_json(mlp) -> str:
    """The JSON string a file stores beside the tensors: activations per layer, tensor names, metadata."""
    record = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "layers": [
            {"weight": f"layer{i}.weight", "bias": f"layer{i}.bias", "activation": layer.activation.to_dict()}
            for i, layer in enumerate(mlp.layers, start=1)
        ],
        "metadata": mlp.metadata,
    }
    try:
        return json.dumps(record, sort_keys=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"metadata: expected JSON-serialisable values (strings, numbers, lists, dicts), {exc}") from None


def parse_architecture(name: str, text) -> dict:
    """The JSON record written by :func:`architecture_json`, checked field by field."""
    if not isinstance(text, str):
        raise ModelError(f"{name}: the {METADATA_KEY!r} entry is not a string")
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(f"{name}: the {METADATA_KEY!r} entry is not valid JSON ({exc})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise ModelError(f"{name}: the {METADATA_KEY!r} entry does not describe an affine3d MLP (no \"format\": {FORMAT_NAME!r})")
    version = record.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelError(f"{name}: architecture version {version!r} is newer than this affine3d reads ({FORMAT_VERSION})")
    layers = record.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ModelError(f"{name}: the architecture lists no layers")
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict) or not isinstance(layer.get("weight"), str) or not isinstance(layer.get("bias"), str):
            raise ModelError(f"{name}: layer {i} of the architecture must name its 'weight' and 'bias' tensors")
    metadata = record.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ModelError(f"{name}: the architecture's 'metadata' must be a JSON object")
    return record


def build(name: str, record: dict, tensors: dict) -> Model:
    """The layers from the architecture record and a name -> array mapping; errors name the file and the layer."""
    layers = []
    for i, spec in enumerate(record["layers"], start=1):
        arrays = []
        for role in ("weight", "bias"):
            key = spec[role]
            if key not in tensors:
                raise ModelError(f"{name}: layer {i}: tensor {key!r} is missing from the file")
            arrays.append(tensors[key])
        W, b = arrays
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ModelError(
                f"{name}: layer {i}: expected weight (out, in) and bias (out,), got {spec['weight']!r} {W.shape} and {spec['bias']!r} {b.shape}"
            )
        if not np.issubdtype(W.dtype, np.floating) or not np.issubdtype(b.dtype, np.floating):
            raise ModelError(f"{name}: layer {i}: expected floating-point tensors, got {W.dtype} and {b.dtype}")
        layers.append((W, b, spec.get("activation", "identity")))
    return Model(layers, record.get("metadata", {}))


def tensors_for_saving(mlp, dtype) -> dict[str, np.ndarray]:
    """``layer{i}.weight`` and ``layer{i}.bias`` of every layer, contiguous, in ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype.name not in SAVE_DTYPES:
        raise ModelError(f"dtype: expected one of {', '.join(SAVE_DTYPES)}, got {dtype.name}")
    tensors = {}
    for i, layer in enumerate(mlp.layers, start=1):
        tensors[f"layer{i}.weight"] = np.ascontiguousarray(layer.W, dtype=dtype)
        tensors[f"layer{i}.bias"] = np.ascontiguousarray(layer.b, dtype=dtype)
    return tensors
