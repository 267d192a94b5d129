"""A model as the Hugging Face ecosystem keeps it: a folder, and PyTorch state dicts in safetensors.

A folder written by :func:`save_pretrained` holds three files::

    config.json         the architecture, in the style of transformers' configs (sizes, activations, versions)
    model.safetensors   the tensors, named as PyTorch's nn.Sequential of nn.Linear names them:
                        0.weight, 0.bias, 2.weight, 2.bias, ... (module 2i is layer i+1's Linear,
                        module 2i+1 its activation), so PyTorch's ``load_state_dict`` takes the file as it is
    README.md           the model card: YAML front matter (library_name: affine3d, tags, the metadata) and
                        a text saying what the network maps and how it was trained

A PyTorch state dict saved with safetensors (``save_file(model.state_dict(), path)``) holds the
weights and biases but not the activations: :func:`load_state_dict` reads its ``nn.Linear`` tensors
(``0.weight``, ``layers.0.weight`` or ``fc1.weight`` naming, layers in the order of the numbers in
their names), checks that their shapes chain, and takes the activations from the caller.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from ...errors import ModelError
from ...i18n import _, ngettext, prose_number
from ...errors import shown as _short
from ...fileio import make_folder, read_regular, write_bytes
from ...version import __version__
from .. import activations as act
from .common import (MAX_HEADER_BYTES, MAX_LAYERS, METADATA_KEY, Model, activation_specs, architecture_json,
                     check_tensor_bytes, load_json, tensors_for_saving)
from .safetensors import read_safetensors_header

__all__ = ["save_pretrained", "load_pretrained", "load_state_dict", "torch_names", "model_card",
           "read_card", "is_pretrained_folder", "CONFIG_NAME", "WEIGHTS_NAME", "CARD_NAME", "MODEL_TYPE"]

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"
CARD_NAME = "README.md"
MODEL_TYPE = "affine3d-mlp"
MAX_CARD_BYTES = 1 * 2**20
"""A model card read for ``inspect`` and the exercises: 1 MiB of Markdown is far more than any card needs."""

# Metadata keys that say how a model was trained (render --train, the viewer's training, fit): the card's "Training".
TRAINING_KEYS = ("trained_by", "target", "loss", "optimizer", "lr", "learning_rate", "epochs", "batch_size", "seed",
                 "final_mse", "final_loss")

# PyTorch's module for each activation, as a model card's code shows it.
TORCH_MODULES = {"identity": "nn.Identity()", "relu": "nn.ReLU()", "sigmoid": "nn.Sigmoid()", "tanh": "nn.Tanh()",
                 "softmax": "nn.Softmax(dim=-1)"}


def torch_names(n_layers: int) -> list[str]:
    """The tensor prefix of each layer in an ``nn.Sequential(Linear, act, Linear, act, ...)``: ``0``, ``2``, ``4``, ..."""
    return [str(2 * i) for i in range(n_layers)]


def torch_module(activation) -> str:
    """``nn.Tanh()``, ``nn.LeakyReLU(0.2)``, ...: the PyTorch module computing ``activation``."""
    if activation.name == "leaky_relu":
        return f"nn.LeakyReLU({activation.alpha!r})"
    return TORCH_MODULES[activation.name]


# ---------------------------------------------------------------------- writing a folder
def config_of(mlp, dtype: str) -> dict:
    """The ``config.json`` record: transformers' keys where they exist (architectures, model_type, torch_dtype)."""
    return {
        "architectures": ["MLP"],
        "model_type": MODEL_TYPE,
        "affine3d_version": __version__,
        "torch_dtype": str(np.dtype(dtype)),
        "in_features": mlp.dim_in,
        "out_features": mlp.dim_out,
        "sizes": mlp.sizes,
        "activations": [layer.activation.to_dict() for layer in mlp.layers],
        "num_parameters": mlp.n_parameters,
        "torch_module": "nn.Sequential(" + ", ".join(
            f"nn.Linear({layer.W.shape[1]}, {layer.W.shape[0]}), {torch_module(layer.activation)}" for layer in mlp.layers) + ")",
        "metadata": mlp.metadata,
    }


def save_pretrained(mlp, folder, *, dtype: str = "float32") -> Path:
    """Write ``config.json``, ``model.safetensors`` and ``README.md`` into ``folder`` (created if missing).

    Each file is written atomically; files of other names in the folder are left as they are.
    """
    from safetensors.numpy import save

    folder = make_folder(folder, "folder")
    names = torch_names(len(mlp.layers))
    tensors = tensors_for_saving(mlp, dtype, names)
    config = config_of(mlp, dtype)
    try:
        config_text = json.dumps(config, indent=2, allow_nan=False) + "\n"
    except (TypeError, ValueError) as exc:
        raise ModelError(_("metadata: expected JSON-serialisable values (strings, numbers, lists, dicts), {exc}").format(
            exc=exc)) from None
    # "format": "pt" is what transformers writes, so its loaders treat the file as PyTorch's; our own
    # architecture record (with the Sequential's names) lets MLP.load read model.safetensors alone too.
    weights = save(tensors, metadata={"format": "pt", METADATA_KEY: architecture_json(mlp, names)})
    write_bytes(folder / WEIGHTS_NAME, weights, "folder")
    write_bytes(folder / CONFIG_NAME, config_text.encode("utf-8"), "folder")
    write_bytes(folder / CARD_NAME, model_card(mlp, config).encode("utf-8"), "folder")
    return folder


def _yaml_value(value) -> str:
    """A YAML flow value: JSON is YAML 1.2, so JSON text is the safe way to write any string, list or mapping."""
    return json.dumps(value, ensure_ascii=False)


def model_card(mlp, config: dict, *, counts: bool = True) -> str:
    """The ``README.md`` of a folder: YAML front matter for the Hub, then what the network maps and how it was trained.

    ``counts=False`` leaves the parameter count out (exercise 16 asks for it).
    """
    metadata = mlp.metadata
    tags = ["affine3d", "mlp", "pytorch", "safetensors"]
    extra = metadata.get("tags")
    if isinstance(extra, list):
        tags += [str(t) for t in extra if str(t) not in tags]
    front = {"library_name": "affine3d", "tags": tags, "pipeline_tag": None, "license": metadata.get("license")}
    lines = ["---"]
    for key, value in front.items():
        if value is not None:
            lines.append(f"{key}: {_yaml_value(value)}")
    facts = {"sizes": mlp.sizes, "activations": [str(layer.activation) for layer in mlp.layers],
             "num_parameters": mlp.n_parameters, "version": __version__}
    if not counts:
        del facts["num_parameters"]
    lines.append(f"affine3d: {_yaml_value(facts)}")
    if metadata:
        lines.append(f"metadata: {_yaml_value(metadata)}")
    lines.append("---")
    sizes = " -> ".join(str(s) for s in mlp.sizes)
    title = metadata.get("name") or metadata.get("title") or f"MLP {sizes}"
    lines += ["", f"# {title}", ""]
    what = metadata.get("description") or metadata.get("task")
    maps = f"R^{mlp.dim_in} to R^{mlp.dim_out}"
    if mlp.dim_in == mlp.dim_out == 3:
        maps += " (a point of 3D space to a point of 3D space: it warps solids, see `affine3d view --mlp`)"
    if isinstance(what, str) and what:
        what = " " + what[0].upper() + what[1:] + ("" if what.endswith(".") else ".")
    count = f"; {mlp.n_parameters:,} parameters" if counts else ""
    lines.append(f"A multilayer perceptron of {len(mlp.layers)} layers mapping {maps}{count}."
                 + (what if isinstance(what, str) else ""))
    lines += ["", "## Architecture", "", "Each layer is an affine map followed by an activation, `x -> σ(W x + b)`, "
              "with `W` of shape (out, in) as in PyTorch's `nn.Linear`:", "",
              "| layer | W | b | activation | tensors |", "|---|---|---|---|---|"]
    for i, (name, layer) in enumerate(zip(torch_names(len(mlp.layers)), mlp.layers), start=1):
        out_, in_ = layer.W.shape
        lines.append(f"| {i} | {out_}x{in_} | ({out_},) | {layer.activation} | `{name}.weight`, `{name}.bias` |")
    training = {k: metadata[k] for k in TRAINING_KEYS if k in metadata}
    if isinstance(metadata.get("training"), dict):
        training.update(metadata["training"])
    lines += ["", "## Training", ""]
    if training:
        lines.append("; ".join(f"{k.replace('_', ' ')}: {_short(v, 80) if not isinstance(v, str) else v}"
                               for k, v in training.items()) + ".")
    else:
        lines.append("The model's metadata says nothing about how it was trained.")
    others = {k: v for k, v in metadata.items() if k not in TRAINING_KEYS and k not in ("training", "description", "name",
                                                                                      "title", "tags", "license")}
    if others:
        lines += ["", "## Metadata", "", "| key | value |", "|---|---|"]
        lines += [f"| {k} | {_short(v, 100) if not isinstance(v, str) else v[:100]} |" for k, v in others.items()]
    lines += ["", "## Use", "", "With affine3d:", "", "```python", "from affine3d.nn import MLP", "",
              'net = MLP.from_pretrained("path/to/this/folder")', "y = net(x)  # x of shape (N, "
              f"{mlp.dim_in}) -> (N, {mlp.dim_out})", "```", "", "With PyTorch (the tensors are the module's state dict):", "",
              "```python", "import torch.nn as nn", "from safetensors.torch import load_file", "",
              f"net = {config['torch_module']}", 'net.load_state_dict(load_file("model.safetensors"))', "```", "",
              f"Written by affine3d {__version__}.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------------- reading a folder
def is_pretrained_folder(path: Path) -> bool:
    return path.is_dir()


def _read_text(path: Path, limit: int, what: str) -> str:
    data = read_regular(path, limit=limit, what=what, shown=f"{path.parent.name}/{path.name}", error=ModelError)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(_("{name}/{name2}: not UTF-8 text").format(name=path.parent.name, name2=path.name)) from None


def read_config(folder: Path) -> dict:
    """``config.json`` of ``folder``, checked: ``sizes`` and ``activations`` present and consistent."""
    path = folder / CONFIG_NAME
    name = f"{folder.name}/{CONFIG_NAME}"
    if not path.exists():
        present = sorted(p.name for p in folder.iterdir())[:8] if folder.is_dir() else []
        raise ModelError(_("{name}: a model folder needs {limit}, {limit2} (and a {limit3} card); found {value}").format(
            name=folder.name, limit=CONFIG_NAME, limit2=WEIGHTS_NAME, limit3=CARD_NAME, value=', '.join(present) or 'nothing'))
    config = load_json(name, _read_text(path, MAX_HEADER_BYTES, "config file"), "config.json")
    if not isinstance(config, dict):
        raise ModelError(_("{name}: expected a JSON object, got {type}").format(
            name=name, type=type(config).__name__))
    if config.get("model_type") != MODEL_TYPE:
        raise ModelError(_("{name}: model_type {value} is not an affine3d MLP (expected {limit})").format(
            name=name, value=_short(config.get('model_type')), limit=repr(MODEL_TYPE)))
    sizes, activations = config.get("sizes"), config.get("activations")
    if (not isinstance(sizes, list) or len(sizes) < 2 or len(sizes) > MAX_LAYERS + 1
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        raise ModelError(_("{name}: sizes: expected a list [in, ..., out] of positive whole numbers, got {value}").format(
            name=name, value=_short(sizes)))
    if not isinstance(activations, list) or len(activations) != len(sizes) - 1:
        raise ModelError(_("{name}: activations: expected one per layer ({value}), got {value2}").format(
            name=name, value=len(sizes) - 1, value2=_short(activations)))
    if not isinstance(config.get("metadata", {}), dict):
        raise ModelError(_("{name}: metadata: expected a JSON object").format(name=name))
    return config


def load_pretrained(folder, activations=None) -> Model:
    """The layers of a folder written by :func:`save_pretrained` (config.json + model.safetensors)."""
    folder = Path(folder)
    config = read_config(folder)
    name = f"{folder.name}/{CONFIG_NAME}"
    specs = []
    for i, spec in enumerate(config["activations"], start=1):
        try:
            specs.append(act.get(spec))
        except ModelError as exc:
            raise ModelError(_("{name}: layer {i}: {exc}").format(name=name, i=i, exc=exc)) from None
    if activations is not None:
        given = activation_specs(activations, len(specs), f"{folder.name}")
        if given != specs:
            raise ModelError(_("{name}: its activations {names} differ from the ones given ({names2}); give none to use the folder's").format(
                name=name, names=', '.join(map(str, specs)), names2=', '.join(map(str, given))))
    weights = folder / WEIGHTS_NAME
    if not weights.exists():
        raise ModelError(_("{name}: {limit} is there but {limit2} is missing").format(
            name=folder.name, limit=CONFIG_NAME, limit2=WEIGHTS_NAME))
    model = load_state_dict(weights, specs, shown=f"{folder.name}/{WEIGHTS_NAME}")
    found = [model.layers[0][0].shape[1]] + [W.shape[0] for W, _unused, _unused2 in model.layers]
    if found != config["sizes"]:
        raise ModelError(_("{name}: {limit} says sizes {config} but {limit2} holds {names}").format(
            name=folder.name, limit=CONFIG_NAME, config=config['sizes'], limit2=WEIGHTS_NAME, names=' -> '.join(map(str, found))))
    return Model(model.layers, dict(config.get("metadata", {})))


def read_card(folder: Path) -> tuple[dict, str] | None:
    """``(front matter, text)`` of the folder's model card, or None when it has none.

    The front matter is read with huggingface_hub's ``ModelCard`` when it is installed (PyYAML under
    it); without it, the lines ``key: value`` whose value is JSON (what :func:`model_card` writes) are read.
    """
    path = Path(folder) / CARD_NAME
    if not path.is_file():
        return None
    text = _read_text(path, MAX_CARD_BYTES, "model card")
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n?(.*)", text, re.S)
    if not match:
        return {}, text
    front, body = match.groups()
    try:
        from huggingface_hub import ModelCard
    except ImportError:
        data = {}
        for line in front.splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip() and not key.startswith((" ", "-")):
                try:
                    data[key.strip()] = json.loads(value)
                except ValueError:
                    data[key.strip()] = value.strip()
        return data, body
    try:
        return ModelCard(text).data.to_dict(), body
    except Exception as exc:  # a card whose YAML does not parse: one line
        raise ModelError(_("{name}/{limit}: the YAML front matter does not parse ({value})").format(
            name=folder.name, limit=CARD_NAME, value=_short(str(exc), 100))) from None


# ---------------------------------------------------------------------- PyTorch state dicts
_LINEAR = re.compile(r"^(?P<prefix>.*?)(?P<number>\d+)\.(?P<role>weight|bias)$")


def _order_key(prefix: str):
    """Sort ``fc2`` before ``fc10`` and ``layers.1`` before ``layers.10``: numbers compare as numbers."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", prefix)]


def load_state_dict(path, activations=None, *, shown: str | None = None) -> Model:
    """The layers of a safetensors file of ``nn.Linear`` tensors (a PyTorch state dict), with the given activations.

    Parameters
    ----------
    path : path
        ``save_file(model.state_dict(), path)`` of a stack of ``nn.Linear`` layers: tensors
        ``<prefix><n>.weight`` (shape (out, in)) and ``<prefix><n>.bias`` (shape (out,); a layer
        without one gets zeros), as ``0.weight``, ``layers.0.weight`` or ``fc1.weight``. Layers
        are taken in the order of the numbers in their names.
    activations : list or str
        One per layer (names such as ``"tanh"``, dicts, Activations, or ``"tanh,tanh,identity"``).
        The file does not store them; without them a ModelError says how many are needed.
    """
    from safetensors import SafetensorError, safe_open

    path = Path(path)
    name = shown or path.name
    info = read_safetensors_header(path)
    groups: dict[str, dict[str, str]] = {}
    for key in info["tensors"]:
        match = _LINEAR.match(key)
        if not match:
            raise ModelError(_("{name}: no {limit} entry in the header's __metadata__ names an affine3d architecture, and tensor "
                                "{value} is not an nn.Linear weight or bias (0.weight, layers.0.weight, fc1.weight), so it is no "
                                "PyTorch MLP either (see 'affine3d inspect')").format(
                name=name, limit=repr(METADATA_KEY), value=_short(key)))
        groups.setdefault(match["prefix"] + match["number"], {})[match["role"]] = key
    if not groups:
        raise ModelError(_("{name}: the file holds no tensors and no {limit} architecture").format(
            name=name, limit=repr(METADATA_KEY)))
    if len(groups) > MAX_LAYERS:
        raise ModelError(_("{name}: {count} layers, more than the {limit} affine3d reads").format(
            name=name, count=prose_number(len(groups)), limit=prose_number(MAX_LAYERS)))
    order = sorted(groups, key=_order_key)
    for prefix in order:
        if "weight" not in groups[prefix]:
            raise ModelError(_("{name}: {prefix}.bias has no {prefix}.weight beside it").format(
                name=name, prefix=prefix))
    shapes = [info["tensors"][groups[p]["weight"]]["shape"] for p in order]
    for prefix, shape in zip(order, shapes):
        if len(shape) != 2:
            raise ModelError(_("{name}: {prefix}.weight has shape {shape}; an nn.Linear weight is (out, in)").format(
                name=name, prefix=prefix, shape=shape))
        bias = groups[prefix].get("bias")
        if bias is not None and info["tensors"][bias]["shape"] != (shape[0],):
            raise ModelError(_("{name}: {bias} has shape {info}, expected ({shape},) to match {prefix}.weight {shape2}").format(
                name=name, bias=bias, info=info['tensors'][bias]['shape'], shape=shape[0], prefix=prefix, shape2=shape))
    for (p1, s1), (p2, s2) in zip(zip(order, shapes), zip(order[1:], shapes[1:])):
        if s2[1] != s1[0]:
            raise ModelError(_("{name}: the layers do not chain: {p1}.weight {s1} returns R^{s12} but {p2}.weight {s2} takes "
                                "R^{s22} (layers in name order: {names})").format(
                name=name, p1=p1, s1=s1, s12=s1[0], p2=p2, s2=s2, s22=s2[1], names=', '.join(order)))
    chain = " -> ".join(str(s) for s in [shapes[0][1]] + [s[0] for s in shapes])
    if activations is None:
        raise ModelError(
            ngettext("{name}: no {key} entry names the architecture: a PyTorch state dict of {count} nn.Linear layer "
                     "({chain}) stores no activations; give one per layer: MLP.load(path, activations=[...]) or "
                     "--activations {names}",
                     "{name}: no {key} entry names the architecture: a PyTorch state dict of {count} nn.Linear layers "
                     "({chain}) stores no activations; give one per layer: MLP.load(path, activations=[...]) or "
                     "--activations {names}", len(order)).format(
                name=name, key=repr(METADATA_KEY), count=len(order), chain=chain,
                names=",".join(["tanh"] * (len(order) - 1) + ["identity"])))
    specs = activation_specs(activations, len(order), name)
    check_tensor_bytes(name, {k: t["end"] - t["begin"] for k, t in info["tensors"].items()} or {"": 0})
    tensors = {}
    try:
        with safe_open(str(path), framework="np") as f:
            for key, t in info["tensors"].items():
                if t["dtype"] not in ("F16", "F32", "F64"):
                    raise ModelError(_("{name}: tensor {value} has dtype {t}; expected F16, F32 or F64 (bfloat16: convert with .float() "
                                        "before saving)").format(
                        name=name, value=_short(key), t=t['dtype']))
                tensors[key] = f.get_tensor(key)
    except SafetensorError as exc:
        raise ModelError(_("{name}: the safetensors library refused the file: {exc}").format(name=name, exc=exc)) from None
    layers = []
    for prefix, spec in zip(order, specs):
        W = tensors[groups[prefix]["weight"]]
        bias = groups[prefix].get("bias")
        b = tensors[bias] if bias is not None else np.zeros(W.shape[0], W.dtype)
        layers.append((W, b, spec))
    return Model(layers, {})


def has_architecture(path) -> bool:
    """Whether a .safetensors file carries affine3d's architecture record (else it is a bare state dict)."""
    return METADATA_KEY in read_safetensors_header(path)["metadata"]
