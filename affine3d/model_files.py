"""Model files: what an inference engine loads. A trained MLP is architecture + weights + metadata.

Three formats, chosen by the file's suffix:

``.safetensors`` (Hugging Face)
    An 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
    byte range, then the raw little-endian tensor bytes. No code runs on load. The format allows
    only string metadata, so the architecture and our metadata are one JSON string under the key
    ``"affine3d"`` in the header's ``__metadata__``.
``.npz`` (numpy)
    A zip of ``.npy`` arrays, written uncompressed; the same JSON string is a 0-d text array named
    ``affine3d``. Read with ``allow_pickle=False``: an array of Python objects (which only a pickle
    could restore) is refused before anything is unpickled.
``.onnx``
    A protobuf graph. Export writes one ``Gemm(x, W, b, transB=1)`` per layer (so the file holds
    exactly ``A`` and ``b`` of ``F(x) = A x + b``) and the activation's node. Import reads graphs of
    Gemm (``alpha``, ``beta``, ``transA``, ``transB`` honoured) or MatMul + Add, with Relu, Sigmoid,
    Tanh, LeakyRelu, Softmax and Identity; any other operator is refused by name. Needs the
    optional ``onnx`` package (``pip install 'affine3d[onnx]'``).

Tensors are named ``layer{i}.weight`` (shape (out, in)) and ``layer{i}.bias`` (shape (out,)), with
``i`` counted from 1 as the lecture's ``F_1, F_2, ...``.

Every problem with a file (truncated, corrupted, a header whose shapes do not match its bytes, a
pickle, an unsupported operator or version) raises :class:`~affine3d.ModelError` naming the file.
"""

from __future__ import annotations

import json
import lzma
import math
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from . import activations as act
from .affine import Affine
from .errors import ModelError
from .mlp import MLP, Layer

__all__ = [
    "save", "load", "save_safetensors", "load_safetensors", "save_npz", "load_npz", "save_onnx", "load_onnx",
    "read_safetensors_header", "describe", "SUFFIXES", "METADATA_KEY",
    "ONNX_IR_VERSION", "ONNX_OPSET", "MAX_ONNX_IR_VERSION", "MAX_ONNX_OPSET", "MIN_ONNX_OPSET",
]

SUFFIXES = (".safetensors", ".npz", ".onnx")
METADATA_KEY = "affine3d"       # the one safetensors metadata key / npz entry holding our JSON
FORMAT_NAME = "affine3d.mlp"
FORMAT_VERSION = 1

# ONNX export: IR version 9 and opset 17 are read by onnx >= 1.13 and onnxruntime >= 1.15 (and the
# onnxruntime 1.32 this was tested with). Import accepts up to IR 10 and opset 21 (onnx 1.16, the
# oldest onnx the 'onnx' extra allows): the operators we read have not changed meaning since opset 13.
ONNX_IR_VERSION = 9
ONNX_OPSET = 17
MAX_ONNX_IR_VERSION = 10
MAX_ONNX_OPSET = 21
MIN_ONNX_OPSET = 7              # Gemm with numpy broadcasting

ONNX_HINT = "pip install 'affine3d[onnx]'"

# safetensors dtypes -> (numpy dtype or None when numpy has none, bytes per element)
_ST_DTYPES = {
    "BOOL": ("bool", 1), "U8": ("uint8", 1), "I8": ("int8", 1), "F8_E5M2": (None, 1), "F8_E4M3": (None, 1),
    "I16": ("int16", 2), "U16": ("uint16", 2), "F16": ("float16", 2), "BF16": (None, 2),
    "I32": ("int32", 4), "U32": ("uint32", 4), "F32": ("float32", 4),
    "I64": ("int64", 8), "U64": ("uint64", 8), "F64": ("float64", 8),
}
_SAVE_DTYPES = ("float16", "float32", "float64")
_MAX_HEADER_BYTES = 100_000_000  # the safetensors library's own limit
# What reading a damaged zip can raise: bad structure, unsupported methods or versions, encryption,
# broken compressed streams, short reads.
_ZIP_ERRORS = (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError, RuntimeError, zlib.error, lzma.LZMAError)


# ====================================================================== dispatch
def save(mlp: MLP, path, *, dtype="float32") -> None:
    """Write ``mlp`` to ``path`` in the format its suffix names (``.safetensors``, ``.npz``, ``.onnx``).

    ``dtype`` is the weights' dtype in the file (``"float32"``, what inference engines run, or
    ``"float64"`` for an exact copy of the Affine maps; ONNX files are always float32).
    """
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".safetensors":
        save_safetensors(mlp, path, dtype=dtype)
    elif suffix == ".npz":
        save_npz(mlp, path, dtype=dtype)
    else:
        save_onnx(mlp, path)


def load(path) -> MLP:
    """Read an MLP from ``path`` (format by suffix); ModelError for anything wrong with the file."""
    path = Path(path)
    suffix = _suffix(path)
    if suffix == ".safetensors":
        return load_safetensors(path)
    if suffix == ".npz":
        return load_npz(path)
    return load_onnx(path)


def _suffix(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ModelError(f"{path.name}: unknown model file type {suffix or '(no suffix)'!r}; expected one of {', '.join(SUFFIXES)}")
    return suffix


# ====================================================================== the architecture as JSON
def _architecture_json(mlp: MLP) -> str:
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


def _parse_architecture(name: str, text) -> dict:
    """The JSON record written by :func:`_architecture_json`, checked field by field."""
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


def _build(name: str, record: dict, tensors: dict) -> MLP:
    """An MLP from the architecture record and a name -> array mapping; errors name the file and the layer."""
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
        try:
            built = MLP.from_arrays([W], [b], [spec.get("activation", "identity")])
        except ModelError as exc:
            raise ModelError(f"{name}: {str(exc).replace('layer 1', f'layer {i}', 1)}") from None
        layers.append(built.layers[0])
    try:
        return MLP(layers, metadata=record.get("metadata", {}))
    except ModelError as exc:
        raise ModelError(f"{name}: {exc}") from None


def _tensors_for_saving(mlp: MLP, dtype) -> dict[str, np.ndarray]:
    dtype = np.dtype(dtype)
    if dtype.name not in _SAVE_DTYPES:
        raise ModelError(f"dtype: expected one of {', '.join(_SAVE_DTYPES)}, got {dtype.name}")
    tensors = {}
    for i, layer in enumerate(mlp.layers, start=1):
        tensors[f"layer{i}.weight"] = np.ascontiguousarray(layer.W, dtype=dtype)
        tensors[f"layer{i}.bias"] = np.ascontiguousarray(layer.b, dtype=dtype)
    return tensors


# ====================================================================== safetensors
def save_safetensors(mlp: MLP, path, *, dtype="float32") -> None:
    """Write ``layer{i}.weight`` / ``layer{i}.bias`` and the architecture JSON under ``__metadata__["affine3d"]``."""
    from safetensors.numpy import save

    # save() + an ordinary write, not save_file(): that one creates the file with mode 0600, so a
    # teacher's model could not be read by the students it is shared with.
    data = save(_tensors_for_saving(mlp, dtype), metadata={METADATA_KEY: _architecture_json(mlp)})
    with open(path, "wb") as f:
        f.write(data)


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
    with open(path, "rb") as f:
        file_size = f.seek(0, 2)
        f.seek(0)
        prefix = f.read(8)
        if len(prefix) < 8:
            raise ModelError(f"{name}: truncated: {file_size} bytes, but a .safetensors file starts with an 8-byte header length")
        (length,) = struct.unpack("<Q", prefix)
        if length > file_size - 8 or length > _MAX_HEADER_BYTES:
            raise ModelError(
                f"{name}: the header length says {length:,} bytes but only {file_size - 8:,} follow (truncated, or not a .safetensors file)"
            )
        raw = f.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelError(f"{name}: the header is not valid JSON ({exc}); the file is corrupted or not a .safetensors file") from None
    if not isinstance(header, dict):
        raise ModelError(f"{name}: the header must be a JSON object, got {type(header).__name__}")
    data_start = 8 + length
    data_size = file_size - data_start
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        raise ModelError(f"{name}: __metadata__ must map strings to strings")
    tensors = {}
    for key, entry in header.items():
        if not isinstance(entry, dict):
            raise ModelError(f"{name}: tensor {key!r}: expected an object with dtype, shape and data_offsets")
        dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
        if dtype not in _ST_DTYPES:
            raise ModelError(f"{name}: tensor {key!r}: unknown dtype {dtype!r}")
        if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
            raise ModelError(f"{name}: tensor {key!r}: shape must be a list of non-negative integers, got {shape!r}")
        if (
            not isinstance(offsets, list) or len(offsets) != 2
            or not all(isinstance(o, int) and not isinstance(o, bool) for o in offsets)
            or not 0 <= offsets[0] <= offsets[1]
        ):
            raise ModelError(f"{name}: tensor {key!r}: data_offsets must be [begin, end] with 0 <= begin <= end, got {offsets!r}")
        needed = math.prod(shape) * _ST_DTYPES[dtype][1]
        begin, end = offsets
        if end - begin != needed:
            raise ModelError(
                f"{name}: tensor {key!r}: the header says shape {tuple(shape)} {dtype} ({needed:,} bytes) "
                f"but gives it bytes [{begin}, {end}) ({end - begin:,} bytes)"
            )
        if end > data_size:
            raise ModelError(
                f"{name}: tensor {key!r}: bytes [{begin}, {end}) of the data lie past the end of the file "
                f"(only {data_size:,} data bytes; truncated?)"
            )
        tensors[key] = {"dtype": dtype, "shape": tuple(shape), "begin": data_start + begin, "end": data_start + end}
    ordered = sorted(tensors.items(), key=lambda kv: (kv[1]["begin"], kv[1]["end"]))
    for (k1, t1), (k2, t2) in zip(ordered, ordered[1:]):
        if t2["begin"] < t1["end"]:
            raise ModelError(f"{name}: tensors {k1!r} and {k2!r} overlap in the file")
    return {
        "header_length": length,
        "data_start": data_start,
        "file_size": file_size,
        "metadata": metadata,
        "tensors": dict(ordered),
    }


def load_safetensors(path) -> MLP:
    """Read a file written by :func:`save_safetensors` (the header is checked first, then read with safetensors)."""
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    name = path.name
    info = read_safetensors_header(path)
    if METADATA_KEY not in info["metadata"]:
        raise ModelError(
            f"{name}: no {METADATA_KEY!r} entry in the header's __metadata__, so the architecture (activations) is unknown; "
            f"tensors: {', '.join(info['tensors']) or 'none'} (see 'affine3d inspect')"
        )
    record = _parse_architecture(name, info["metadata"][METADATA_KEY])
    wanted = {spec[role] for spec in record["layers"] for role in ("weight", "bias")}
    tensors = {}
    try:
        with safe_open(str(path), framework="np") as f:
            for key in wanted & set(info["tensors"]):
                dtype = info["tensors"][key]["dtype"]
                if dtype not in ("F16", "F32", "F64"):
                    raise ModelError(f"{name}: tensor {key!r} has dtype {dtype}; expected F16, F32 or F64")
                tensors[key] = f.get_tensor(key)
    except SafetensorError as exc:
        raise ModelError(f"{name}: the safetensors library refused the file: {exc}") from None
    return _build(name, record, tensors)


# ====================================================================== npz
def save_npz(mlp: MLP, path, *, dtype="float32") -> None:
    """Write an uncompressed .npz: the tensors and a 0-d text array ``affine3d`` with the architecture JSON."""
    path = Path(path)
    arrays = _tensors_for_saving(mlp, dtype)
    arrays[METADATA_KEY] = np.array(_architecture_json(mlp))
    with open(path, "wb") as f:  # a file object: np.savez would append ".npz" to a name without it
        np.savez(f, **arrays)


def _npz_members(path: Path) -> dict:
    """Check an .npz without unpickling anything: name -> header facts and absolute data offsets.

    Each member's .npy header (magic, dtype, shape) is parsed with numpy's own readers, and the
    bytes it claims are compared with the member's size in the zip. Object arrays (pickles) are
    reported, not loaded.
    """
    name = path.name
    with open(path, "rb") as f:
        head = f.read(4)
    if head[:1] == b"\x80":
        raise ModelError(f"{name}: this is a Python pickle, not an .npz archive; refused (loading a pickle can run code)")
    if head != b"PK\x03\x04" and head != b"PK\x05\x06":
        raise ModelError(f"{name}: not an .npz (zip) archive (it starts with {head!r})")
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as exc:
        raise ModelError(f"{name}: the zip archive is corrupted or truncated ({exc})") from None
    members = {}
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            entry = {"member": info.filename, "compressed": info.compress_type != zipfile.ZIP_STORED,
                     "zip_size": info.file_size}
            if info.compress_type != zipfile.ZIP_STORED and info.file_size > 200 * max(info.compress_size, 1) + (1 << 20):
                raise ModelError(f"{name}: member {info.filename!r} expands {info.file_size:,} bytes from {info.compress_size:,}; refused")
            try:
                with archive.open(info) as member:
                    version = np.lib.format.read_magic(member)
                    if version == (1, 0):
                        shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
                    elif version in ((2, 0), (3, 0)):
                        shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
                    else:  # pragma: no cover - read_magic raises for unknown versions
                        raise ValueError(f"unknown .npy version {version}")
                    header_end = member.tell() if hasattr(member, "tell") else None
            except _ZIP_ERRORS + (SyntaxError,) as exc:
                raise ModelError(f"{name}: member {info.filename!r} is not a valid .npy array ({exc})") from None
            entry.update(shape=tuple(shape), dtype=dtype, fortran=fortran)
            if dtype.hasobject:
                entry["pickle"] = True
            else:
                needed = math.prod(shape) * dtype.itemsize
                if header_end is None or header_end + needed != info.file_size:
                    raise ModelError(
                        f"{name}: member {info.filename!r}: its header says shape {tuple(shape)} {dtype} ({needed:,} bytes) "
                        f"but the member holds {info.file_size - (header_end or 0):,} data bytes (truncated or corrupted)"
                    )
                if not entry["compressed"]:
                    # local file header: 30 bytes + file name + extra field, then the member's bytes
                    with open(path, "rb") as f:
                        f.seek(info.header_offset)
                        local = f.read(30)
                    if len(local) == 30 and local[:4] == b"PK\x03\x04":
                        name_len, extra_len = struct.unpack("<HH", local[26:30])
                        start = info.header_offset + 30 + name_len + extra_len + header_end
                        entry["begin"], entry["end"] = start, start + needed
            members[key] = entry
    return members


def load_npz(path) -> MLP:
    """Read a file written by :func:`save_npz` with ``allow_pickle=False``; a pickle inside is a ModelError."""
    path = Path(path)
    name = path.name
    members = _npz_members(path)
    pickled = [k for k, m in members.items() if m.get("pickle")]
    if pickled:
        raise ModelError(
            f"{name}: array {pickled[0]!r} holds Python objects, which only a pickle can restore; refused "
            "(loading a pickle can run code; model files should hold numbers only)"
        )
    if METADATA_KEY not in members:
        raise ModelError(
            f"{name}: no {METADATA_KEY!r} array, so the architecture (activations) is unknown; "
            f"arrays: {', '.join(members) or 'none'} (see 'affine3d inspect')"
        )
    try:
        with np.load(path, allow_pickle=False) as data:
            text = data[METADATA_KEY]
            if text.dtype.kind != "U" or text.ndim != 0:
                raise ModelError(f"{name}: {METADATA_KEY!r} must be a 0-d text array, got dtype {text.dtype} shape {text.shape}")
            record = _parse_architecture(name, str(text[()]))
            wanted = {spec[role] for spec in record["layers"] for role in ("weight", "bias")}
            tensors = {key: data[key] for key in wanted if key in members}
    except ModelError:
        raise
    except _ZIP_ERRORS + (KeyError,) as exc:
        raise ModelError(f"{name}: cannot read the archive ({exc})") from None
    return _build(name, record, tensors)


# ====================================================================== ONNX
def _import_onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ModelError(f"ONNX files need the onnx package: {ONNX_HINT}") from None
    return onnx, numpy_helper


_ONNX_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyRelu", "softmax": "Softmax"}


def save_onnx(mlp: MLP, path) -> None:
    """Write an ONNX model: per layer ``Gemm(x, W, b, transB=1)`` then the activation's node; float32.

    Input ``input`` of shape (batch, in), output ``output`` of shape (batch, out); IR version
    :data:`ONNX_IR_VERSION`, opset :data:`ONNX_OPSET`. Our metadata goes into ``metadata_props``
    under ``"affine3d"``.
    """
    onnx, numpy_helper = _import_onnx()
    from onnx import TensorProto, helper

    from . import __version__

    nodes, initializers = [], []
    current = "input"
    n = len(mlp.layers)
    for i, layer in enumerate(mlp.layers, start=1):
        W, b = f"layer{i}.weight", f"layer{i}.bias"
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(layer.W, dtype=np.float32), W))
        initializers.append(numpy_helper.from_array(np.ascontiguousarray(layer.b, dtype=np.float32), b))
        a = layer.activation
        z = "output" if (i == n and a.is_identity) else f"layer{i}.z"
        nodes.append(helper.make_node("Gemm", [current, W, b], [z], name=f"layer{i}.gemm", transB=1))
        current = z
        if not a.is_identity:
            y = "output" if i == n else f"layer{i}.a"
            attrs = {"alpha": a.alpha} if a.name == "leaky_relu" else {"axis": -1} if a.name == "softmax" else {}
            nodes.append(helper.make_node(_ONNX_ACTIVATIONS[a.name], [z], [y], name=f"layer{i}.{a.name}", **attrs))
            current = y
    graph = helper.make_graph(
        nodes,
        "affine3d_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", mlp.dim_in])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", mlp.dim_out])],
        initializers,
        doc_string="An MLP: each layer is Gemm(x, W, b, transB=1) = x W^T + b, the affine map F(x) = W x + b, then its activation.",
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        producer_name="affine3d",
        producer_version=__version__,
    )
    model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(model, {METADATA_KEY: _architecture_json(mlp)})
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def _read_onnx_model(path: Path):
    """``onnx.ModelProto`` from ``path`` with versions checked; external data is never followed."""
    onnx, _ = _import_onnx()
    name = path.name
    data = path.read_bytes()
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ModelError(f"{name}: not a valid ONNX protobuf, truncated or corrupted ({type(exc).__name__}: {exc})") from None
    if model.ir_version <= 0 or not model.HasField("graph"):
        raise ModelError(f"{name}: not an ONNX model (no IR version or no graph; truncated or corrupted?)")
    opset = _default_opset(model)
    if opset is None:
        raise ModelError(f"{name}: the model imports no opset of the default ONNX domain (truncated or corrupted?)")
    if model.ir_version > MAX_ONNX_IR_VERSION or opset > MAX_ONNX_OPSET:
        raise ModelError(
            f"{name}: the file has IR version {model.ir_version} and opset {opset}, newer than this affine3d reads "
            f"(IR version <= {MAX_ONNX_IR_VERSION}, opset <= {MAX_ONNX_OPSET}); re-export with opset {ONNX_OPSET}"
        )
    if opset < MIN_ONNX_OPSET:
        raise ModelError(f"{name}: opset {opset} is older than this affine3d reads (opset >= {MIN_ONNX_OPSET})")
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError, mostly
        raise ModelError(f"{name}: not a valid ONNX model: {' '.join(str(exc).split())[:300]}") from None
    return model


def _default_opset(model) -> int | None:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return None


def _attributes(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _number(name, where, attrs, key, default, kind):
    """Attribute ``key`` as an int or float, or a ModelError naming the node."""
    value = attrs.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ModelError(f"{name}: {where}: attribute {key} must be {'an int' if kind is int else 'a float'}, got {value!r}")
    return kind(value)


def load_onnx(path) -> MLP:
    """An MLP from an ONNX graph that is a chain of affine operators and activations.

    Affine operators are ``Gemm`` (``Y = alpha op(A) op(B) + beta C``, either input may be the
    weight), ``MatMul`` with a constant matrix and ``Add`` of a constant; consecutive ones are
    composed into one :class:`Affine`. ``Relu``, ``Sigmoid``, ``Tanh``, ``LeakyRelu`` and
    ``Softmax`` close a layer; ``Identity`` passes through. The batch may run along rows or, between
    transposing Gemms, along columns; the network's input and output must be (batch, width).

    Raises
    ------
    ModelError
        Missing onnx package, a corrupted or too new file, an operator outside the list above
        (the message names the operator and the node), a graph that is not a chain, or shapes
        that do not fit.
    """
    onnx, numpy_helper = _import_onnx()
    path = Path(path)
    name = path.name
    model = _read_onnx_model(path)
    graph = model.graph
    opset = _default_opset(model)

    constants: dict[str, np.ndarray] = {}
    for tensor in graph.initializer:
        constants[tensor.name] = _onnx_array(onnx, numpy_helper, name, tensor)
    inputs = [v for v in graph.input if v.name not in constants]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ModelError(
            f"{name}: an MLP has one input and one output; the graph has inputs {[v.name for v in inputs]} "
            f"and outputs {[v.name for v in graph.output]}"
        )
    current = inputs[0].name
    width = _declared_width(inputs[0])
    layout = "rows"              # the running tensor is (batch, width) or, after some Gemms, (width, batch)
    pending: Affine | None = None
    layers: list[Layer] = []

    def describe_node(node) -> str:
        return f"node {node.name or '(unnamed)'!r} ({node.op_type})"

    for node in graph.node:
        op = node.op_type
        where = describe_node(node)
        if node.domain not in ("", "ai.onnx"):
            raise ModelError(f"{name}: {where}: operator {node.domain}.{op} is not supported; an MLP here uses Gemm, MatMul, Add, "
                             "Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity")
        attrs = _attributes(onnx, node)
        if op == "Constant":
            if len(node.output) != 1 or "value" not in attrs:
                raise ModelError(f"{name}: {where}: only Constant nodes with a 'value' tensor are supported")
            constants[node.output[0]] = _onnx_array(onnx, numpy_helper, name, attrs["value"])
            continue
        if op not in _ONNX_SUPPORTED:
            raise ModelError(
                f"{name}: {where}: operator {op} is not supported; an MLP here uses Gemm, MatMul, Add, "
                "Relu, Sigmoid, Tanh, LeakyRelu, Softmax, Identity"
            )
        used = [x for x in node.input if x]
        dynamic = [x for x in used if x not in constants]
        if dynamic != [current] or len(node.output) != 1:
            raise ModelError(
                f"{name}: {where}: reads {used} and writes {list(node.output)}, but an MLP is a chain: each node must read "
                f"the previous result {current!r} (plus constants) and write one tensor"
            )
        if op == "Identity":
            pass
        elif op in ("Gemm", "MatMul", "Add"):
            F, layout = _onnx_affine(name, where, op, node, attrs, constants, current, layout, width)
            if width is not None and F.dim_in != width:
                raise ModelError(f"{name}: {where}: its weights take width {F.dim_in} (map {F.A.shape}) but the tensor {current!r} has width {width}")
            width = F.dim_out
            pending = F if pending is None else F @ pending
        else:
            activation = _onnx_activation(name, where, op, attrs, layout, opset)
            if width is None:
                raise ModelError(f"{name}: {where}: the input's width is not declared and no weight comes before this activation")
            layers.append(Layer(pending if pending is not None else Affine.identity(width), activation))
            pending = None
        current = node.output[0]

    if current != graph.output[0].name:
        raise ModelError(f"{name}: the graph's output {graph.output[0].name!r} is not the end of the chain {current!r}")
    if layout != "rows":
        raise ModelError(f"{name}: the graph returns its batch along columns (width, batch); affine3d's MLP returns rows (batch, width)")
    if pending is not None:
        layers.append(Layer(pending, act.get("identity")))
    if not layers:
        raise ModelError(f"{name}: the graph has no layers (no Gemm, MatMul, Add or activation)")
    metadata = {}
    for prop in model.metadata_props:
        if prop.key == METADATA_KEY:
            try:
                metadata = _parse_architecture(name, prop.value).get("metadata", {})
            except ModelError:
                metadata = {}
    try:
        return MLP(layers, metadata=metadata)
    except ModelError as exc:
        raise ModelError(f"{name}: {exc}") from None


_ONNX_SUPPORTED = ("Gemm", "MatMul", "Add", "Identity", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax")


def _onnx_array(onnx, numpy_helper, name: str, tensor) -> np.ndarray:
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise ModelError(f"{name}: tensor {tensor.name!r} is stored in an external file; affine3d reads self-contained models only")
    try:
        array = numpy_helper.to_array(tensor)
    except Exception as exc:
        raise ModelError(f"{name}: tensor {tensor.name!r} cannot be read ({type(exc).__name__}: {exc})") from None
    if array.dtype.kind not in "fiu":
        raise ModelError(f"{name}: tensor {tensor.name!r} has dtype {array.dtype}; expected numbers")
    if not np.all(np.isfinite(array)):
        raise ModelError(f"{name}: tensor {tensor.name!r} (shape {array.shape}) has non-finite entries")
    return array.astype(np.float64)


def _declared_width(value_info) -> int | None:
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tensor_type.shape.dim
    if len(dims) >= 1 and dims[-1].HasField("dim_value"):
        return int(dims[-1].dim_value)
    return None


def _onnx_affine(name, where, op, node, attrs, constants, current, layout, width):
    """The Affine a Gemm / MatMul / Add node applies to each point, and the layout of its result."""
    if op == "Add":
        a, b = node.input[0], node.input[1]
        c = constants[b] if a == current else constants[a]
        if width is None:
            raise ModelError(f"{name}: {where}: adds a constant before the width of {current!r} is known (declare the input's shape)")
        return Affine.translation(_broadcast_bias(name, where, c, 1.0, width, layout)), layout
    if op == "MatMul":
        alpha, beta, trans_a, trans_b, C = 1.0, 0.0, 0, 0, None
    else:
        alpha = _number(name, where, attrs, "alpha", 1.0, float)
        beta = _number(name, where, attrs, "beta", 1.0, float)
        trans_a = _number(name, where, attrs, "transA", 0, int)
        trans_b = _number(name, where, attrs, "transB", 0, int)
        C = constants[node.input[2]] if len(node.input) > 2 and node.input[2] else None
    A_name, B_name = node.input[0], node.input[1]
    if current not in (A_name, B_name):
        raise ModelError(f"{name}: {where}: the running tensor {current!r} is the bias C, not one of the factors A, B")
    if A_name == current:
        # Y = alpha X op(B) + beta C: the batch is op(A)'s rows, so A must be X itself or X^T transposed back
        needed = "cols" if trans_a else "rows"
        if layout != needed:
            raise ModelError(f"{name}: {where}: reads the batch {'transposed' if trans_a else 'as is'} but it runs along {layout}")
        B = constants[B_name]
        if B.ndim != 2:
            raise ModelError(f"{name}: {where}: the weight {B_name!r} must be a matrix, got shape {B.shape}")
        op_B = B.T if trans_b else B                      # (in, out)
        W = alpha * op_B.T                                 # (out, in)
        bias = _broadcast_bias(name, where, C, beta, W.shape[0], "rows")
        return Affine(W, bias), "rows"
    # the weight comes first: Y = alpha op(A) X^T + beta C, the batch runs along Y's columns
    needed = "rows" if trans_b else "cols"
    if layout != needed:
        raise ModelError(f"{name}: {where}: reads the batch {'transposed' if trans_b else 'as is'} but it runs along {layout}")
    A = constants[A_name]
    if A.ndim != 2:
        raise ModelError(f"{name}: {where}: the weight {A_name!r} must be a matrix, got shape {A.shape}")
    W = alpha * (A.T if trans_a else A)                    # (out, in)
    bias = _broadcast_bias(name, where, C, beta, W.shape[0], "cols")
    return Affine(W, bias), "cols"


def _broadcast_bias(name, where, C, beta, n_out, layout) -> np.ndarray:
    """``beta * C`` as a bias of shape (out,), if C adds the same vector to every point of the batch.

    With the batch along rows the result is (batch, out), so C must broadcast to one row
    (1, out); along columns it is (out, batch), so C must broadcast to one column (out, 1).
    """
    if C is None or beta == 0.0:
        return np.zeros(n_out)
    C = np.asarray(C, dtype=np.float64)
    one_point = (1, n_out) if layout == "rows" else (n_out, 1)
    try:
        flat = np.broadcast_to(C, one_point).reshape(n_out)
    except ValueError:
        raise ModelError(
            f"{name}: {where}: a bias of shape {C.shape} does not add one value per output to every point "
            f"(out={n_out}, batch along {layout}; expected a shape that broadcasts to {one_point})"
        ) from None
    return beta * flat


def _onnx_activation(name, where, op, attrs, layout, opset):
    if op == "Relu":
        return act.get("relu")
    if op == "Sigmoid":
        return act.get("sigmoid")
    if op == "Tanh":
        return act.get("tanh")
    if op == "LeakyRelu":
        # ONNX stores the float attribute as float32: take the shortest decimal that rounds to it (0.2, not 0.2000000029)
        return act.get("leaky_relu", alpha=float(str(np.float32(_number(name, where, attrs, "alpha", 0.01, float)))))
    # Softmax: the axis must be the feature axis (1 / -1 with rows, 0 / -2 with columns; rank 2).
    # Before opset 13 the input was flattened to 2D at `axis` (default 1), which for rank 2 and
    # axis 1 is the same row-wise softmax; axis 0 then meant "over everything".
    axis = _number(name, where, attrs, "axis", -1 if opset >= 13 else 1, int)
    feature_axes = (1, -1) if layout == "rows" else ((0, -2) if opset >= 13 else ())
    if axis not in feature_axes:
        raise ModelError(f"{name}: {where}: softmax over axis {axis} mixes points of the batch; expected the feature axis")
    return act.get("softmax")


# ====================================================================== inspect
def describe(path) -> dict:
    """What a model file holds, for ``affine3d inspect``: format facts, tensors, metadata, architecture.

    Returns
    -------
    dict
        ``file``, ``size`` (bytes), ``format``, ``facts`` (format-specific lines, e.g. the
        safetensors header length), ``tensors`` (list of dicts: ``name``, ``shape``, ``dtype``,
        ``nbytes``, ``begin``/``end`` absolute byte offsets or None), ``metadata`` (dict),
        ``mlp`` (the loaded :class:`MLP`, or None) with ``mlp_error`` (why not), and
        ``parameters`` (the MLP's count, else the sum of the tensors' sizes).
    """
    path = Path(path)
    suffix = _suffix(path)
    if not path.is_file():
        raise FileNotFoundError(2, "No such file", str(path))
    report = {"file": str(path), "size": path.stat().st_size, "format": suffix[1:], "facts": [], "tensors": [], "metadata": {}}
    if suffix == ".safetensors":
        info = read_safetensors_header(path)
        report["facts"] = [
            f"bytes 0..8: header length (little-endian u64) = {info['header_length']:,}",
            f"bytes 8..{info['data_start']}: JSON header (dtype, shape, data_offsets per tensor; __metadata__)",
            f"bytes {info['data_start']}..{info['file_size']}: tensor data",
        ]
        for key, t in info["tensors"].items():
            report["tensors"].append({"name": key, "shape": t["shape"], "dtype": t["dtype"], "nbytes": t["end"] - t["begin"],
                                      "begin": t["begin"], "end": t["end"]})
        report["metadata"] = _expand_metadata(info["metadata"])
        loader = load_safetensors
    elif suffix == ".npz":
        members = _npz_members(path)
        report["facts"] = ["a zip archive of .npy arrays (offsets: the raw array bytes, for uncompressed members)"]
        for key, m in members.items():
            dtype = m["dtype"]
            if key == METADATA_KEY and dtype.kind == "U" and not m.get("pickle"):
                continue
            report["tensors"].append({
                "name": key, "shape": m["shape"], "dtype": ("object (pickle!)" if m.get("pickle") else dtype.name),
                "nbytes": None if m.get("pickle") else math.prod(m["shape"]) * dtype.itemsize,
                "begin": m.get("begin"), "end": m.get("end"),
            })
        if METADATA_KEY in members and not members[METADATA_KEY].get("pickle"):
            try:
                with np.load(path, allow_pickle=False) as data:
                    report["metadata"] = _expand_metadata({METADATA_KEY: str(data[METADATA_KEY][()])})
            except _ZIP_ERRORS:
                pass
        loader = load_npz
    else:
        onnx, numpy_helper = _import_onnx()
        model = _read_onnx_model(path)
        graph = model.graph
        report["facts"] = [
            f"IR version {model.ir_version}, opset {_default_opset(model)}, producer {model.producer_name or '-'} {model.producer_version}".rstrip(),
            f"graph {graph.name!r}: " + ", ".join(f"{n.op_type}" for n in graph.node),
            "tensors: protobuf TensorProto messages; offsets are those of their raw_data bytes",
        ]
        offsets = _onnx_raw_data_offsets(path.read_bytes())
        for tensor in graph.initializer:
            shape = tuple(int(d) for d in tensor.dims)
            try:
                dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type))
                dtype_name, nbytes = dtype.name, math.prod(shape) * dtype.itemsize
            except (KeyError, TypeError, ValueError):
                dtype_name, nbytes = f"unknown (ONNX type {tensor.data_type})", None
            begin, end = offsets.get(tensor.name, (None, None))
            if nbytes is None or (begin is not None and end - begin != nbytes):
                begin = end = None
            report["tensors"].append({"name": tensor.name, "shape": shape, "dtype": dtype_name,
                                      "nbytes": nbytes, "begin": begin, "end": end})
        report["metadata"] = _expand_metadata({p.key: p.value for p in model.metadata_props})
        loader = load_onnx
    try:
        report["mlp"], report["mlp_error"] = loader(path), None
    except ModelError as exc:
        report["mlp"], report["mlp_error"] = None, str(exc)
    report["parameters"] = report["mlp"].n_parameters if report["mlp"] else sum(math.prod(t["shape"]) for t in report["tensors"])
    return report


def _varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= end or shift > 63:
            raise ValueError("bad varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _protobuf_fields(data: bytes, pos: int, end: int):
    """``(field number, wire type, start, stop)`` for each field of a protobuf message in ``data[pos:end]``.

    For length-delimited fields (wire type 2) ``[start, stop)`` is the payload; for others, the encoded value.
    """
    while pos < end:
        key, pos = _varint(data, pos, end)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, stop = _varint(data, pos, end)
        elif wire == 1:
            stop = pos + 8
        elif wire == 2:
            length, pos = _varint(data, pos, end)
            stop = pos + length
        elif wire == 5:
            stop = pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        if stop > end:
            raise ValueError("field past the end")
        yield number, wire, pos, stop
        pos = stop


def _onnx_raw_data_offsets(data: bytes) -> dict[str, tuple[int, int]]:
    """Absolute byte ranges of each initializer's ``raw_data`` in an ONNX file (empty if it cannot tell).

    ModelProto field 7 is the graph; GraphProto field 5 an initializer (TensorProto), whose field 8
    is its name and field 9 its raw little-endian bytes.
    """
    offsets = {}
    try:
        for number, wire, start, stop in _protobuf_fields(data, 0, len(data)):
            if number != 7 or wire != 2:
                continue
            for g_number, g_wire, g_start, g_stop in _protobuf_fields(data, start, stop):
                if g_number != 5 or g_wire != 2:
                    continue
                name, raw = None, None
                for t_number, t_wire, t_start, t_stop in _protobuf_fields(data, g_start, g_stop):
                    if t_number == 8 and t_wire == 2:
                        name = data[t_start:t_stop].decode("utf-8", "replace")
                    elif t_number == 9 and t_wire == 2:
                        raw = (t_start, t_stop)
                if name is not None and raw is not None:
                    offsets[name] = raw
    except ValueError:
        return {}
    return offsets


def _expand_metadata(metadata: dict) -> dict:
    """String metadata with our JSON entry decoded (so inspect shows its structure, not one long string)."""
    out = {}
    for key, value in metadata.items():  # a corrupted protobuf string may come back as bytes
        key = key.decode("utf-8", "replace") if isinstance(key, bytes) else str(key)
        out[key] = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    if isinstance(out.get(METADATA_KEY), str):
        try:
            out[METADATA_KEY] = json.loads(out[METADATA_KEY])
        except json.JSONDecodeError:
            pass
    return out
