""".safetensors (Hugging Face): an 8-byte little-endian header length, a JSON header, the raw tensor bytes.

The JSON header names each tensor's dtype, shape and byte range; no code runs on load. The format
allows only string metadata, so the architecture and our metadata are one JSON string under the key
``"affine3d"`` in the header's ``__metadata__``. The header is checked here, entry by entry, before
the safetensors library reads a byte of the tensors.
"""

from __future__ import annotations

import math
import struct
from pathlib import Path

from ...errors import ModelError, byte_size
from ...i18n import _, prose_number
from ...fileio import write_bytes
from ...errors import shown as _short
from ...fileio import open_regular
from .common import (MAX_HEADER_BYTES, METADATA_KEY, Model, architecture_json, build, check_tensor_bytes, load_json,
                     parse_architecture, tensors_for_saving)

__all__ = ["save_safetensors", "load_safetensors", "read_safetensors_header"]

# safetensors dtypes -> (numpy dtype or None when numpy has none, bytes per element)
ST_DTYPES = {
    "BOOL": ("bool", 1), "U8": ("uint8", 1), "I8": ("int8", 1), "F8_E5M2": (None, 1), "F8_E4M3": (None, 1),
    "I16": ("int16", 2), "U16": ("uint16", 2), "F16": ("float16", 2), "BF16": (None, 2),
    "I32": ("int32", 4), "U32": ("uint32", 4), "F32": ("float32", 4),
    "I64": ("int64", 8), "U64": ("uint64", 8), "F64": ("float64", 8),
}


def save_safetensors(mlp, path, *, dtype="float32") -> None:
    """Write ``layer{i}.weight`` / ``layer{i}.bias`` and the architecture JSON under ``__metadata__["affine3d"]``."""
    from safetensors.numpy import save

    # save() + an ordinary write, not save_file(): that one creates the file with mode 0600, so a
    # teacher's model could not be read by the students it is shared with.
    data = save(tensors_for_saving(mlp, dtype), metadata={METADATA_KEY: architecture_json(mlp)})
    write_bytes(path, data)  # a temporary file renamed over the old one: never half a model


def read_safetensors_header(path) -> dict:
    """Parse and check a .safetensors header without reading the tensors.

    Returns
    -------
    dict
        ``header_length`` (the 8-byte prefix's value), ``data_start`` (absolute offset of the
        first tensor byte = 8 + header_length), ``file_size``, ``metadata`` (the ``__metadata__``
        strings), and ``tensors``: name -> ``{"dtype", "shape", "begin", "end"}`` with ``begin``
        and ``end`` absolute byte offsets in the file, in file order.

    Raises
    ------
    ModelError
        For a truncated file, a header that is not JSON, or one whose shapes, dtypes and byte
        ranges do not agree with each other or with the file's size.
    """
    path = Path(path)
    name = path.name
    with open_regular(path, limit=None, what="model file", shown=name, error=ModelError) as f:
        file_size = f.seek(0, 2)
        f.seek(0)
        prefix = f.read(8)
        if len(prefix) < 8:
            raise ModelError(_("{name}: truncated: {size}, but a .safetensors file starts with an 8-byte header "
                               "length").format(name=name, size=byte_size(file_size)))
        (length,) = struct.unpack("<Q", prefix)
        if length > file_size - 8:
            raise ModelError(
                _("{name}: the header length says {length} bytes but only {value} follow (truncated, or not a "
                   ".safetensors file)").format(
                    name=name, length=prose_number(length), value=prose_number(file_size - 8))
            )
        if length > MAX_HEADER_BYTES:
            raise ModelError(_("{name}: the JSON header is {length} bytes, more than the {limit} affine3d reads").format(
                name=name, length=prose_number(length), limit=prose_number(MAX_HEADER_BYTES)))
        raw = f.read(length)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(_("{name}: the header is not valid JSON (not UTF-8 text); the file is corrupted or not a .safetensors "
                            "file").format(name=name)) from None
    header = load_json(name, text, _("the JSON header"))
    if not isinstance(header, dict):
        raise ModelError(_("{name}: the header must be a JSON object, got {type}").format(
            name=name, type=type(header).__name__))
    data_start = 8 + length
    data_size = file_size - data_start
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ModelError(_("{name}: __metadata__ must map strings to strings").format(name=name))
    tensors = {}
    for key, entry in header.items():
        where = f"{name}: tensor {_short(key)}"
        if not isinstance(entry, dict):
            raise ModelError(_("{where}: expected an object with dtype, shape and data_offsets").format(where=where))
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if not isinstance(dtype, str) or dtype not in ST_DTYPES:
            raise ModelError(_("{where}: unknown dtype {value}").format(where=where, value=_short(dtype)))
        if (not isinstance(shape, list) or len(shape) > 32
                or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2**63 for s in shape)):
            raise ModelError(_("{where}: shape must be a list of at most 32 non-negative integers (each below 2^63), got {value}").format(
                where=where, value=_short(shape)))
        if (
            not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1]
        ):
            raise ModelError(_("{where}: data_offsets must be [begin, end] with 0 <= begin <= end, got {value}").format(
                where=where, value=_short(offsets)))
        needed = math.prod(shape) * ST_DTYPES[dtype][1]
        begin, end = offsets
        if end > data_size:
            raise ModelError(
                _("{where}: its bytes [{begin}, {end}) lie past the end of the file (only {data_size} data bytes; "
                   "truncated?)").format(
                    where=where, begin=begin, end=end, data_size=prose_number(data_size))
            )
        if end - begin != needed:
            raise ModelError(
                _("{where}: the header says shape {value} {dtype} ({needed} bytes) but gives it bytes [{begin}, {end}) "
                   "({value2} bytes)").format(
                    where=where, value=tuple(shape), dtype=dtype, needed=prose_number(needed), begin=begin, end=end, value2=prose_number(end - begin))
            )
        tensors[key] = {"dtype": dtype, "shape": tuple(shape), "begin": data_start + begin, "end": data_start + end}
    ordered = sorted(tensors.items(), key=lambda kv: (kv[1]["begin"], kv[1]["end"]))
    for (k1, t1), (k2, t2) in zip(ordered, ordered[1:]):
        if t2["begin"] < t1["end"]:
            raise ModelError(_("{name}: tensors {k1} and {k2} overlap in the file").format(
                name=name, k1=repr(k1), k2=repr(k2)))
    return {
        "header_length": length,
        "data_start": data_start,
        "file_size": file_size,
        "metadata": metadata,
        "tensors": dict(ordered),
    }


def load_safetensors(path) -> Model:
    """Read a file written by :func:`save_safetensors` (the header is checked first, then read with safetensors).

    A file without affine3d's record in ``__metadata__`` (a PyTorch state dict) is refused here; :func:`affine3d.nn.files.load`
    reads those with :func:`~affine3d.nn.files.pretrained.load_state_dict`, given the activations.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    name = path.name
    info = read_safetensors_header(path)
    if METADATA_KEY not in info["metadata"]:
        raise ModelError(
            _("{name}: no {limit} entry in the header's __metadata__, so the architecture (activations) is "
               "unknown; tensors: {value} (see 'affine3d inspect')").format(
                name=name, limit=repr(METADATA_KEY), value=', '.join(info['tensors']) or 'none')
        )
    record = parse_architecture(name, info["metadata"][METADATA_KEY])
    wanted = {spec[role] for spec in record["layers"] for role in ("weight", "bias")}
    present = wanted & set(info["tensors"])
    check_tensor_bytes(name, {key: info["tensors"][key]["end"] - info["tensors"][key]["begin"] for key in present} or {"": 0})
    tensors = {}
    try:
        with safe_open(str(path), framework="np") as f:
            for key in present:
                dtype = info["tensors"][key]["dtype"]
                if dtype not in ("F16", "F32", "F64"):
                    raise ModelError(_("{name}: tensor {value} has dtype {dtype}; expected F16, F32 or F64").format(
                        name=name, value=_short(key), dtype=dtype))
                tensors[key] = f.get_tensor(key)
    except SafetensorError as exc:
        raise ModelError(_("{name}: the safetensors library refused the file: {exc}").format(name=name, exc=exc)) from None
    return build(name, record, tensors)
