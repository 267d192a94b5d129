"""What a model file holds, for ``affine3d inspect``: the bytes of the format laid open, then the network.

:func:`describe` reads the header (safetensors), the members (npz) or the protobuf (ONNX) without
trusting any of it, lists every tensor with its name, shape, dtype and byte range in the file, and
then tries to load the network (:meth:`MLP.load`), keeping the reason when that fails.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .. import i18n
from ..errors import ModelError
from ..i18n import _, prose_number
from .files.common import MAX_HEADER_BYTES, METADATA_KEY, check_model_file, load_json, suffix_of
from .files.npz import ZIP_ERRORS, npz_members
from .files.pretrained import WEIGHTS_NAME, read_card, read_config
from .files.onnx import default_opset, import_onnx, read_onnx_bytes, read_onnx_model
from .files.safetensors import read_safetensors_header
from .mlp import MLP

__all__ = ["describe", "format_report"]


def describe(path, activations=None) -> dict:
    """What a model file or folder holds, for ``affine3d inspect``: format facts, tensors, metadata, architecture.

    A folder (``save_pretrained``'s) adds ``files`` (name, size), ``config`` (config.json), ``card``
    (the model card's front matter) and ``card_title``; its tensors' offsets are in ``model.safetensors``.

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
    if path.is_dir():
        return _describe_folder(path, activations)
    suffix = suffix_of(path)
    check_model_file(path)  # a FIFO, /dev/zero or a directory: one line saying which, before anything is read
    report = {"file": str(path), "size": path.stat().st_size, "format": suffix[1:], "facts": [], "tensors": [], "metadata": {}}
    if suffix == ".safetensors":
        info = read_safetensors_header(path)
        report["facts"] = [
            _("bytes 0:8 header length (little-endian u64) = {length}").format(length=prose_number(info["header_length"])),
            _("bytes 8:{start} JSON header (dtype, shape, data_offsets per tensor; __metadata__)").format(
                start=info["data_start"]),
            _("bytes {start}:{end} tensor data").format(start=info["data_start"], end=info["file_size"]),
        ]
        for key, t in info["tensors"].items():
            report["tensors"].append({"name": key, "shape": t["shape"], "dtype": t["dtype"], "nbytes": t["end"] - t["begin"],
                                      "begin": t["begin"], "end": t["end"]})
        report["metadata"] = _expand_metadata(info["metadata"])
    elif suffix == ".npz":
        members = npz_members(path)
        report["facts"] = [_("a zip archive of .npy arrays (offsets: the raw array bytes, for uncompressed members)")]
        for key, m in members.items():
            dtype = m["dtype"]
            if key == METADATA_KEY and dtype.kind == "U" and not m.get("pickle"):
                continue
            report["tensors"].append({
                "name": key, "shape": m["shape"], "dtype": ("object (pickle!)" if m.get("pickle") else dtype.name),
                "nbytes": None if m.get("pickle") else math.prod(m["shape"]) * dtype.itemsize,
                "begin": m.get("begin"), "end": m.get("end"),
            })
        meta = members.get(METADATA_KEY)
        if meta and not meta.get("pickle") and meta["dtype"].kind == "U" and meta["shape"] == () \
                and meta["nbytes"] <= 4 * MAX_HEADER_BYTES:
            try:
                with np.load(path, allow_pickle=False) as data:
                    report["metadata"] = _expand_metadata({METADATA_KEY: str(data[METADATA_KEY][()])})
            except ZIP_ERRORS:
                pass
    else:
        onnx, numpy_helper = import_onnx()
        model = read_onnx_model(path)
        graph = model.graph
        report["facts"] = [
            f"IR version {model.ir_version}, opset {default_opset(model)}, producer {model.producer_name or '-'} {model.producer_version}".rstrip(),
            _("graph {name}: {operators}").format(name=repr(graph.name), operators=", ".join(n.op_type for n in graph.node)),
            _("tensors: protobuf TensorProto messages; offsets are those of their raw_data bytes"),
        ]
        offsets = _onnx_raw_data_offsets(read_onnx_bytes(path))
        for tensor in graph.initializer:
            shape = tuple(int(d) for d in tensor.dims)
            try:
                dtype = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type))
                dtype_name, nbytes = dtype.name, math.prod(shape) * dtype.itemsize
            except (KeyError, TypeError, ValueError):
                dtype_name, nbytes = _("unknown (ONNX type {number})").format(number=tensor.data_type), None
            begin, end = offsets.get(tensor.name, (None, None))
            if nbytes is None or (begin is not None and end - begin != nbytes):
                begin = end = None
            report["tensors"].append({"name": tensor.name, "shape": shape, "dtype": dtype_name,
                                      "nbytes": nbytes, "begin": begin, "end": end})
        report["metadata"] = _expand_metadata({p.key: p.value for p in model.metadata_props})
    try:
        report["mlp"], report["mlp_error"] = MLP.load(path, activations=activations), None
    except ModelError as exc:
        report["mlp"], report["mlp_error"] = None, str(exc)
    report["parameters"] = report["mlp"].n_parameters if report["mlp"] else sum(math.prod(t["shape"]) for t in report["tensors"])
    return report


def _describe_folder(folder: Path, activations=None) -> dict:
    """A Hugging Face folder: its files, config.json, the model card's front matter, and model.safetensors laid open."""
    config = read_config(folder)
    weights = folder / WEIGHTS_NAME
    report = describe(weights) if weights.exists() else {
        "facts": [], "tensors": [], "metadata": {}, "mlp": None, "mlp_error": _("{name} is missing").format(name=WEIGHTS_NAME), "parameters": 0}
    card = read_card(folder)
    files = [(p.name, p.stat().st_size) for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")]
    report.update({
        "file": str(folder), "size": sum(size for _name, size in files), "format": "folder",
        "files": [{"name": n, "size": size} for n, size in files],
        "config": config, "card": None if card is None else card[0],
        "card_title": None if card is None else next((l[2:] for l in card[1].splitlines() if l.startswith("# ")), None),
    })
    report["facts"] = [f"{WEIGHTS_NAME}: {fact}" for fact in report["facts"]]
    try:
        report["mlp"], report["mlp_error"] = MLP.load(folder, activations=activations), None
    except ModelError as exc:
        report["mlp"], report["mlp_error"] = None, str(exc)
    if report["mlp"] is not None:
        report["parameters"] = report["mlp"].n_parameters
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
            _value, stop = _varint(data, pos, end)
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
            out[METADATA_KEY] = load_json("", out[METADATA_KEY], "metadata")
        except ModelError:  # not JSON, too deep or too long: shown as the string it is
            pass
    return out


def format_report(report: dict) -> str:
    """The text ``affine3d inspect`` prints for a :func:`affine3d.nn.inspect.describe` report.

    The words are the reader's language; file, tensor and key names, dtypes and the byte ranges (``begin:end``,
    as Python slices: pasteable) stay as they are in the file.
    """
    labels = {key: i18n._(text) for key, text in _LABELS.items()}
    width = max(12, max(len(text) for text in labels.values()) + 1)
    indent = " " * width

    def line(key: str, text: str) -> str:
        return f"{labels[key]:<{width}}{text}".rstrip()

    if report["format"] == "folder":
        files = ", ".join(_("{name} {size} bytes").format(name=f["name"], size=prose_number(f["size"]))
                          for f in report["files"])
        lines = [line("folder", f"{report['file']} ({files})")]
        config = report["config"]
        lines.append(line("config", f"model_type {config.get('model_type')}, sizes {config.get('sizes')}, torch_dtype "
                                    f"{config.get('torch_dtype')}, affine3d {config.get('affine3d_version')}"))  # keys
        if config.get("torch_module"):
            lines.append(f"{indent}PyTorch: {config['torch_module']}")
        card = report["card"]
        if card is None:
            lines.append(line("card", _("(no README.md)")))
        else:
            lines.append(line("card", f"README.md{': ' + report['card_title'] if report['card_title'] else ''}"))
            for key, value in card.items():
                lines.append(f"{indent}{key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    else:
        lines = [line("file", _("{path} ({size} bytes, {format})").format(
            path=report["file"], size=prose_number(report["size"]), format=report["format"]))]
    lines += [line("layout", fact) if i == 0 else f"{indent}{fact}" for i, fact in enumerate(report["facts"])]
    mlp = report["mlp"]
    if mlp is not None:
        lines.append(line("model", "MLP " + " -> ".join(str(s) for s in mlp.sizes) + "  "
                          + _("(each layer: x -> σ(W x + b), W of shape (out, in))")))
        for i, layer in enumerate(mlp.layers, start=1):
            W = layer.affine.A
            lines.append(indent + _("layer {i}: W{i} {rows}x{columns}, b{i} ({rows},), activation {activation}").format(
                i=i, rows=W.shape[0], columns=W.shape[1], activation=layer.activation))
    else:
        lines.append(line("model", _("not an affine3d MLP: {reason}").format(reason=report["mlp_error"])))
    lines.append(labels["tensors"].rstrip())
    where = "model.safetensors" if report["format"] == "folder" else _("the file")
    rows = [(_("name"), _("shape"), "dtype", _("bytes"), _("bytes in {where} [begin:end]").format(where=where))]
    for t in report["tensors"]:
        shape = "(" + ", ".join(str(s) for s in t["shape"]) + ("," if len(t["shape"]) == 1 else "") + ")"
        offsets = f"{t['begin']}:{t['end']}" if t["begin"] is not None else "-"  # pasteable: data[begin:end]
        rows.append((t["name"], shape, t["dtype"], prose_number(t["nbytes"]) if t["nbytes"] is not None else "?", offsets))
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for r in rows:
        lines.append("  " + "  ".join(c.rjust(w) if k in (3,) else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths))).rstrip())
    metadata = report["metadata"]
    if metadata:
        lines.append(labels["metadata"].rstrip())
        for key, value in metadata.items():
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            lines.append(f"  {key}: {text}")
    else:
        lines.append(line("metadata", _("(none)")))
    lines.append(line("parameters", prose_number(report["parameters"])))
    return "\n".join(lines)


# The report's left column (a colon ends each), translated where it is shown.
_LABELS = {
    "folder": i18n.N_("folder:"), "config": i18n.N_("config:"), "card": i18n.N_("card:"), "file": i18n.N_("file:"),
    "layout": i18n.N_("layout:"), "model": i18n.N_("model:"), "tensors": i18n.N_("tensors:"),
    "metadata": i18n.N_("metadata:"), "parameters": i18n.N_("parameters:"),
}
