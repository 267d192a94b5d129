"""Show what a trained model file is made of: architecture + weights + metadata, stored as a binary blob.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import json

from ..i18n import N_, _

HELP = N_("show a model file's architecture, tensors (with byte offsets), metadata and parameter count")

DESCRIPTION = N_("""Show what a trained model file is made of: architecture + weights + metadata, stored as a binary blob.

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
""")


def add_arguments(parser) -> None:
    parser.add_argument("file", metavar="FILE", help=_("a .safetensors, .npz or .onnx model file, or a model folder "
                                                     "(config.json, model.safetensors, README.md)"))
    parser.add_argument("--activations", metavar="A,B,...", default=None,
                        help=_("for a PyTorch state dict (which stores none): one activation per layer, e.g. "
                             "tanh,tanh,identity, so the network can be shown"))
    parser.add_argument("--json", action="store_true", help=_("print the report as JSON instead of text"))


def run(args) -> int:
    from ..nn.inspect import describe, format_report

    report = describe(args.file, activations=args.activations)
    if args.json:
        print(json.dumps(_jsonable(report), indent=2))
    else:
        print(format_report(report))
    return 0


def _jsonable(report: dict) -> dict:
    out = {k: v for k, v in report.items() if k != "mlp"}
    mlp = report["mlp"]
    out["architecture"] = mlp.architecture() if mlp is not None else None
    out["tensors"] = [{**t, "shape": list(t["shape"])} for t in report["tensors"]]
    return out
