"""Show what a trained model file is made of: architecture + weights + metadata, stored as a binary blob.

For .safetensors, .npz and .onnx files: the architecture (layer by layer: W shape, b shape,
activation), every tensor's name, shape, dtype and byte range in the file, the metadata, and the
parameter count. The offsets come from each format's own layout: for .safetensors the header is
parsed byte by byte (an 8-byte little-endian length, then that many bytes of JSON); for .npz the
zip entry and .npy header in front of each array; for .onnx the protobuf fields down to each
initializer's raw_data.

Files that are not affine3d MLPs (any safetensors checkpoint, for instance) are still listed;
the architecture line then says why it could not be read.

Examples:
  affine3d inspect affine3d-demo/rings.safetensors
  affine3d inspect model.onnx --json
"""

from __future__ import annotations

import json

HELP = "show a model file's architecture, tensors (with byte offsets), metadata and parameter count"


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .safetensors, .npz or .onnx model file")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of text")


def run(args) -> int:
    from ..nn.inspect import describe

    report = describe(args.file)
    if args.json:
        print(json.dumps(_jsonable(report), indent=2))
    else:
        print(format_report(report))
    return 0


def format_report(report: dict) -> str:
    """The text ``affine3d inspect`` prints for a :func:`affine3d.nn.inspect.describe` report."""
    lines = [f"file:       {report['file']} ({report['size']:,} bytes, {report['format']})"]
    lines += [f"layout:     {fact}" if i == 0 else f"            {fact}" for i, fact in enumerate(report["facts"])]
    mlp = report["mlp"]
    if mlp is not None:
        lines.append(f"model:      MLP {' -> '.join(str(s) for s in mlp.sizes)}  (each layer: x -> σ(W x + b), W of shape (out, in))")
        for i, layer in enumerate(mlp.layers, start=1):
            W = layer.affine.A
            lines.append(f"            layer {i}: W{i} {W.shape[0]}x{W.shape[1]}, b{i} ({W.shape[0]},), activation {layer.activation}")
    else:
        lines.append(f"model:      not an affine3d MLP: {report['mlp_error']}")
    lines.append("tensors:")
    rows = [("name", "shape", "dtype", "bytes", "offsets in file")]
    for t in report["tensors"]:
        shape = "(" + ", ".join(str(s) for s in t["shape"]) + ("," if len(t["shape"]) == 1 else "") + ")"
        offsets = f"[{t['begin']:,}, {t['end']:,})" if t["begin"] is not None else "-"
        rows.append((t["name"], shape, t["dtype"], f"{t['nbytes']:,}" if t["nbytes"] is not None else "?", offsets))
    widths = [max(len(r[k]) for r in rows) for k in range(5)]
    for r in rows:
        lines.append("  " + "  ".join(c.rjust(w) if k in (3,) else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths))).rstrip())
    metadata = report["metadata"]
    if metadata:
        lines.append("metadata:")
        for key, value in metadata.items():
            text = json.dumps(value) if isinstance(value, (dict, list)) else str(value)
            lines.append(f"  {key}: {text}")
    else:
        lines.append("metadata:   (none)")
    lines.append(f"parameters: {report['parameters']:,}")
    return "\n".join(lines)


def _jsonable(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k != "mlp"}
    mlp = report["mlp"]
    out["architecture"] = mlp.architecture() if mlp is not None else None
    out["tensors"] = [{**t, "shape": list(t["shape"])} for t in report["tensors"]]
    return out
