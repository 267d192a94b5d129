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

from ... import i18n
from ...errors import ModelError, byte_size, one_line
from ...i18n import N_, _, prose_number
from .. import activations as act
from ...errors import shown as _short
from ...fileio import open_regular

__all__ = ["Model", "SUFFIXES", "METADATA_KEY", "suffix_of", "architecture_json", "parse_architecture", "build",
           "tensors_for_saving", "activation_specs", "check_activations", "check_model_file", "check_tensor_bytes", "json_depth",
           "MAX_TENSOR_BYTES", "MAX_HEADER_BYTES", "MAX_LAYERS", "MAX_JSON_DEPTH"]

SUFFIXES = (".safetensors", ".npz", ".onnx")
METADATA_KEY = "affine3d"       # the one safetensors metadata key / npz entry holding our JSON
FORMAT_NAME = "affine3d.mlp"
FORMAT_VERSION = 1
SAVE_DTYPES = ("float16", "float32", "float64")

# Budgets, checked against what a file *declares* before any of it is read: a small file must not
# be able to ask for gigabytes (a zip64 entry claiming 80 GB, a member compressed 190:1).
MAX_TENSOR_BYTES = 256 * 2**20
"""The tensor bytes a model file may hold, 256 MiB: 64 M float32 weights, 500 times the largest network
the lecture trains. In memory they become float64 (twice that); ``MLP.load`` of a model at this budget
peaks near 1.3 GB (measured; see the README's "Files" section)."""
MAX_HEADER_BYTES = 8 * 2**20
"""The JSON a model file may carry (a safetensors header, the architecture string), 8 MiB: a 1000-layer
MLP needs about 100 KB, a large language model's safetensors header a few MB."""
MAX_LAYERS = 1024
"""The most layers an MLP file may have: each is an Affine object and, in ``render --stages``, two stages."""
MAX_JSON_DEPTH = 64
"""How deeply the metadata JSON may nest: deeper cannot be read back or printed without Python's recursion limit."""


class Model(NamedTuple):
    """What a model file holds: per layer ``(W (out, in), b (out,), activation)``, and the metadata."""

    layers: list            # [(W ndarray, b ndarray, activation name, dict or Activation), ...]
    metadata: dict


def suffix_of(path: Path) -> str:
    """The lower-case suffix of ``path`` if it is a model format's, else a ModelError listing them."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES and path.is_dir():
        raise ModelError(_("{name}: is a folder, not a model file ({names}); a model folder (config.json + model.safetensors) "
                            "is what save_pretrained writes").format(
            name=path.name, names=', '.join(SUFFIXES)))
    if suffix not in SUFFIXES:
        raise ModelError(_("{name}: unknown model file type {value}; expected one of {names}").format(
            name=path.name, value=repr(suffix) if suffix else _("(no suffix)"), names=', '.join(SUFFIXES)))
    return suffix


def architecture_json(mlp, names=None) -> str:
    """The JSON string a file stores beside the tensors: activations per layer, tensor names, metadata.

    ``names`` is one tensor prefix per layer (default ``layer1``, ``layer2``, ...; a Hugging Face
    folder uses PyTorch's ``0``, ``2``, ...), each followed by ``.weight`` and ``.bias``.
    """
    names = names or [f"layer{i}" for i in range(1, len(mlp.layers) + 1)]
    record = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "layers": [
            {"weight": f"{prefix}.weight", "bias": f"{prefix}.bias", "activation": layer.activation.to_dict()}
            for prefix, layer in zip(names, mlp.layers)
        ],
        "metadata": mlp.metadata,
    }
    try:
        return json.dumps(record, sort_keys=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ModelError(_("metadata: expected JSON-serialisable values (strings, numbers, lists, dicts), {exc}").format(
            exc=exc)) from None


def check_model_file(path: Path, limit: int | None = None) -> None:
    """Refuse, in one line, a model path that is not a regular file (a FIFO, ``/dev/zero``, a folder) or is too big."""
    with open_regular(path, limit=limit, what="model file", shown=path.name, error=ModelError):
        pass


def check_tensor_bytes(name: str, sizes: dict) -> None:
    """Refuse a file whose tensors (``{tensor name: declared bytes}``) add up to more than :data:`MAX_TENSOR_BYTES`."""
    total = sum(sizes.values())
    if total > MAX_TENSOR_BYTES:
        biggest = max(sizes, key=sizes.get)
        raise ModelError(
            _("{name}: the tensors need {size} (the largest, {value}, {size2}), more than the {size3} a model file "
               "may hold; refused before reading").format(
                name=name, size=byte_size(total), value=_short(biggest), size2=byte_size(sizes[biggest]), size3=byte_size(MAX_TENSOR_BYTES))
        )


def json_depth(value) -> int:
    """How deeply ``value`` (parsed JSON) nests: 0 for a number or string, 1 for a flat list or object."""
    depth, level = 0, [value]
    while level:
        containers = [v for v in level if isinstance(v, (list, dict))]
        if not containers:
            break
        depth += 1
        level = [item for c in containers for item in (c.values() if isinstance(c, dict) else c)]
    return depth


# The json module's messages (English whatever the language), as the catalogue says them.
_JSON_REASONS = {
    "Expecting value": N_("expected a value"),
    "Expecting property name enclosed in double quotes": N_("expected a key in double quotes"),
    "Expecting ',' delimiter": N_("expected ','"),
    "Expecting ':' delimiter": N_("expected ':'"),
    "Unterminated string starting at": N_("a string that never ends, starting"),
    "Invalid control character at": N_("a control character inside a string"),
    "Invalid \\escape": N_("an invalid escape (\\)"),
    "Invalid \\uXXXX escape": N_("an invalid \\uXXXX escape"),
    "Extra data": N_("more text after the JSON value"),
    "Illegal trailing comma before end of object": N_("a comma before the end of an object"),
    "Illegal trailing comma before end of array": N_("a comma before the end of an array"),
}


def json_reason(exc: json.JSONDecodeError) -> str:
    """``exc`` as one line in the current language: what is wrong, then where (line and column).

    English keeps the json module's own words (``Expecting value: line 1 column 1 (char 0)``).
    """
    reason = _JSON_REASONS.get(exc.msg)
    if i18n.current_language() == i18n.SOURCE_LANGUAGE or reason is None:
        return one_line(exc)
    return _("{reason}: line {line}, column {column}").format(reason=i18n._(reason), line=exc.lineno, column=exc.colno)


def load_json(name: str, text, what: str):
    """``json.loads(text)`` with every failure a ModelError naming the file and ``what`` (never a RecursionError)."""
    if len(text) > MAX_HEADER_BYTES:
        raise ModelError(_("{name}: {what} is {count} characters, more than the {limit} affine3d reads").format(
            name=name, what=what, count=prose_number(len(text)), limit=prose_number(MAX_HEADER_BYTES)))
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelError(_("{name}: {what} is not valid JSON ({exc})").format(name=name, what=what,
                                                                              exc=json_reason(exc))) from None
    except RecursionError:
        raise ModelError(_("{name}: {what} nests too deeply (more than {limit} levels); refused").format(
            name=name, what=what, limit=MAX_JSON_DEPTH)) from None
    except ValueError as exc:  # a number of more than 4300 digits
        raise ModelError(_("{name}: {what} is not usable JSON ({value})").format(
            name=name, what=what, value=_short(str(exc), 100))) from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ModelError(_("{name}: {what} nests too deeply (more than {limit} levels); refused").format(
            name=name, what=what, limit=MAX_JSON_DEPTH))
    return value


def parse_architecture(name: str, text) -> dict:
    """The JSON record written by :func:`architecture_json`, checked field by field."""
    if not isinstance(text, str):
        raise ModelError(_("{name}: the {limit} entry is not a string").format(name=name, limit=repr(METADATA_KEY)))
    record = load_json(name, text, _("the {key} entry").format(key=repr(METADATA_KEY)))
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise ModelError(_('{name}: the {limit} entry does not describe an affine3d MLP (no "format": {limit2})').format(
            name=name, limit=repr(METADATA_KEY), limit2=repr(FORMAT_NAME)))
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ModelError(_("{name}: architecture version {value}: expected a whole number >= 1").format(
            name=name, value=_short(version)))
    if version > FORMAT_VERSION:
        raise ModelError(_("{name}: architecture version {value} is newer than this affine3d reads ({limit})").format(
            name=name, value=_short(version), limit=FORMAT_VERSION))
    layers = record.get("layers")
    if not isinstance(layers, list) or not layers:
        raise ModelError(_("{name}: the architecture lists no layers").format(name=name))
    if len(layers) > MAX_LAYERS:
        raise ModelError(_("{name}: the architecture lists {count} layers, more than the {limit} affine3d reads").format(
            name=name, count=prose_number(len(layers)), limit=prose_number(MAX_LAYERS)))
    for i, layer in enumerate(layers, start=1):
        if not isinstance(layer, dict) or not isinstance(layer.get("weight"), str) or not isinstance(layer.get("bias"), str):
            raise ModelError(_("{name}: layer {i} of the architecture must name its 'weight' and 'bias' tensors").format(
                name=name, i=i))
    metadata = record.get("metadata", {})
    if not isinstance(metadata, dict):
        raise ModelError(_("{name}: the architecture's 'metadata' must be a JSON object").format(name=name))
    return record


def build(name: str, record: dict, tensors: dict) -> Model:
    """The layers from the architecture record and a name -> array mapping; errors name the file and the layer."""
    layers = []
    for i, spec in enumerate(record["layers"], start=1):
        arrays = []
        for role in ("weight", "bias"):
            key = spec[role]
            if key not in tensors:
                raise ModelError(_("{name}: layer {i}: tensor {value} is missing from the file").format(
                    name=name, i=i, value=_short(key)))
            arrays.append(tensors[key])
        W, b = arrays
        if W.ndim != 2 or b.shape != (W.shape[0],):
            raise ModelError(
                _("{name}: layer {i}: expected weight (out, in) and bias (out,), got {value} {shape} and {value2} "
                   "{shape2}").format(
                    name=name, i=i, value=_short(spec['weight']), shape=W.shape, value2=_short(spec['bias']), shape2=b.shape)
            )
        if not np.issubdtype(W.dtype, np.floating) or not np.issubdtype(b.dtype, np.floating):
            raise ModelError(_("{name}: layer {i}: expected floating-point tensors, got {dtype} and {dtype2}").format(
                name=name, i=i, dtype=W.dtype, dtype2=b.dtype))
        layers.append((W, b, spec.get("activation", "identity")))
    return Model(layers, record.get("metadata", {}))


def tensors_for_saving(mlp, dtype, names=None) -> dict[str, np.ndarray]:
    """``layer{i}.weight`` and ``layer{i}.bias`` of every layer (or ``{names[i]}.weight``...), contiguous, in ``dtype``."""
    try:
        dtype = np.dtype(dtype)
    except (TypeError, ValueError):
        raise ModelError(_("dtype: expected one of {names}, got {value}").format(
            names=', '.join(SAVE_DTYPES), value=_short(dtype))) from None
    if dtype.name not in SAVE_DTYPES:
        raise ModelError(_("dtype: expected one of {names}, got {name}").format(
            names=', '.join(SAVE_DTYPES), name=dtype.name))
    names = names or [f"layer{i}" for i in range(1, len(mlp.layers) + 1)]
    tensors = {}
    largest = np.finfo(dtype).max
    for i, (prefix, layer) in enumerate(zip(names, mlp.layers), start=1):
        for role, array in (("weight", layer.W), ("bias", layer.b)):
            if array.size and np.abs(array).max() > largest:  # the cast would write inf: a file nobody could load
                raise ModelError(_("layer {i}: {value}{i} has entries up to {value2:.3g}, beyond {name}'s range ({largest:.3g}); save "
                                    "with dtype='float64', or train with a smaller step").format(
                    i=i, value='W' if role == 'weight' else 'b', value2=np.abs(array).max(), name=dtype.name, largest=largest))
            tensors[f"{prefix}.{role}"] = np.ascontiguousarray(array, dtype=dtype)
    return tensors


def activation_specs(activations, n_layers: int, name: str) -> list:
    """One :class:`~affine3d.nn.Activation` per layer from a list (or a comma-separated string, as ``--activations`` takes).

    A name (``"tanh"``), ``"leaky_relu:0.2"`` (the command line's way to give alpha), a dict
    (``{"name": "leaky_relu", "alpha": 0.2}``) or an Activation; ModelError naming the file ``name``
    for a wrong count or an unknown name.
    """
    if isinstance(activations, str):
        activations = [a.strip() for a in activations.split(",")]
    elif isinstance(activations, (dict, act.Activation)):
        activations = [activations]
    try:
        activations = list(activations)
    except TypeError:
        raise ModelError(_("activations: expected a list of names, got {type}").format(
            type=type(activations).__name__)) from None
    if len(activations) != n_layers:
        raise ModelError(_("{name}: activations: the model has {n_layers} layers, so give {n_layers} activations, got {count} "
                            "({value})").format(
            name=name, n_layers=n_layers, count=len(activations), value=_short([str(a) for a in activations], 80)))
    specs = []
    for i, spec in enumerate(activations, start=1):
        try:
            specs.append(_parse_activation(spec))
        except ModelError as exc:
            raise ModelError(_("{name}: activations: layer {i}: {exc}").format(name=name, i=i, exc=exc)) from None
    return specs


def _parse_activation(spec):
    if isinstance(spec, str) and ":" in spec:
        base, _unused, alpha = spec.partition(":")
        try:
            return act.get(base.strip(), alpha=float(alpha))
        except ValueError:
            raise ModelError(_("expected name:alpha such as leaky_relu:0.2, got {value}").format(value=_short(spec))) from None
    return act.get(spec)


def check_activations(name: str, model: Model, activations) -> None:
    """Refuse activations given for a file that names its own, when they differ (one line naming both)."""
    given = activation_specs(activations, len(model.layers), name)
    own = [act.get(a) for _unused, _unused2, a in model.layers]
    if given != own:
        raise ModelError(_("{name}: the file names its activations ({names}), which differ from the ones given ({names2}); give "
                            "none to use the file's").format(
            name=name, names=', '.join(map(str, own)), names2=', '.join(map(str, given))))
