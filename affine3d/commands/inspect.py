"""Show what a trained model file is made of: architecture + weights + metadata, stored as a binary blob.

For .safetensors, .npz and .onnx files: the architecture (layer by layer: W shape, b shape,
activation), every tensor's name, shape, dtype and byte range in the file, the metadata, and the
parameter count. The offsets come from each format's own layout: for .safetensors the header is
parsed byte by byte (an 8-byte little-endian length, then that many bytes of JSON); for .npz the
zip entry and .npy header in front of each array; for .onnx the protobuf fields down to each
initializer's raw_data.

Files that are not affine3d MLPs (any safetensors checkpoint, for instance) are still listed;
the architecture line then says why it could not be read.

A folder written by save_pretrained (Hugging Face's layout) shows its files, config.json, the model
card's front matter and model.safetensors laid open. A PyTorch state dict (nn.Linear weights in a
.safetensors file) is listed as is; --activations tanh,tanh,identity shows it as a network.

Byte ranges are written begin:end (the end excluded), as Python slices them: data[begin:end].

Examples:
  affine3d inspect affine3d-demo/rings.safetensors
  affine3d inspect my-net/                        # a save_pretrained folder
  affine3d inspect model.onnx --json
"""

from __future__ import annotations

import json

HELP = "show a model file's architecture, tensors (with byte offsets), metadata and parameter count"


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help="a .safetensors, .npz or .onnx model file, or a model folder "
                                                     "(config.json, model.safetensors, README.md)")
    parser.add_argument("--activations", metavar="A,B,...", default=None,
                        help="for a PyTorch state dict (which stores none): one activation per layer, e.g. "
                             "tanh,tanh,identity, so the network can be shown")
    parser.add_argument("--json", action="store_true", help="print the report as JSON instead of text")


def run(args) -> int:
    from ..nn.inspect import describe

    report = describe(args.file, activations=args.activations)
    if args.json:
        print(json.dumps(_jsonable(report), indent=2))
    else:
        print(format_report(report))
    return 0


def format_report(report: dict) -> str:
    """The text ``affine3d inspect`` prints for a :func:`affine3d.nn.inspect.describe` report."""
    if report["format"] == "folder":
        lines = [f"folder:     {report['file']} (" + ", ".join(f"{f['name']} {f['size']:,} bytes" for f in report["files"]) + ")"]
        config = report["config"]
        lines.append(f"config:     model_type {config.get('model_type')}, sizes {config.get('sizes')}, torch_dtype "
                     f"{config.get('torch_dtype')}, affine3d {config.get('affine3d_version')}")
        if config.get("torch_module"):
            lines.append(f"            PyTorch: {config['torch_module']}")
        card = report["card"]
        if card is None:
            lines.append("card:       (no README.md)")
        else:
            lines.append(f"card:       README.md{': ' + report['card_title'] if report['card_title'] else ''}")
            for key, value in card.items():
                lines.append(f"            {key}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
    else:
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
    where = "model.safetensors" if report["format"] == "folder" else "file"
    rows = [("name", "shape", "dtype", "bytes", f"bytes in {where} [begin:end]")]
    for t in report["tensors"]:
        shape = "(" + ", ".join(str(s) for s in t["shape"]) + ("," if len(t["shape"]) == 1 else "") + ")"
        offsets = f"{t['begin']}:{t['end']}" if t["begin"] is not None else "-"  # pasteable: data[begin:end]
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
