"""Models as the Hugging Face ecosystem keeps them: folders, PyTorch state dicts, model cards; PyTorch is the peer."""

import json
import subprocess
import sys

import numpy as np
import pytest
import torch
from huggingface_hub import ModelCard
from safetensors.numpy import load_file as load_numpy
from safetensors.numpy import save_file as save_numpy
from safetensors.torch import load_file, save_file
from torch import nn

from affine3d import ModelError
from affine3d.cli import main
from affine3d.nn.mlp import MLP
from affine3d.nn.model import load_model

TORCH_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "identity": nn.Identity}


def _net(sizes=(3, 8, 6, 3), activations=("tanh", {"name": "leaky_relu", "alpha": 0.2}, "identity"), seed=0):
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) for o in sizes[1:]]
    return MLP.from_arrays(weights, biases, list(activations), metadata={"description": "warps a cube into a ball",
                                                                        "epochs": 300, "final_mse": 0.01})


def _points(n=50, width=3, seed=1):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, width)).astype(np.float32)


# ---------------------------------------------------------------------- affine3d -> folder -> affine3d
def test_folder_round_trip(tmp_path):
    """save_pretrained writes config.json, model.safetensors and README.md; from_pretrained gives the network back."""
    net = _net()
    net.save_pretrained(tmp_path / "net", dtype="float64")
    assert sorted(p.name for p in (tmp_path / "net").iterdir()) == ["README.md", "config.json", "model.safetensors"]
    back = MLP.from_pretrained(tmp_path / "net")
    assert back.allclose(net, atol=0, rtol=0) and back.metadata == net.metadata
    assert MLP.load(tmp_path / "net").allclose(net, atol=0, rtol=0)


def test_config_is_in_the_style_of_transformers(tmp_path):
    """config.json carries transformers' keys (architectures, model_type, torch_dtype) and the sizes and activations."""
    net = _net()
    net.save_pretrained(tmp_path / "net")
    config = json.loads((tmp_path / "net" / "config.json").read_text())
    assert config["architectures"] == ["MLP"] and config["model_type"] == "affine3d-mlp"
    assert config["torch_dtype"] == "float32" and config["sizes"] == [3, 8, 6, 3]
    assert config["activations"] == [{"name": "tanh"}, {"name": "leaky_relu", "alpha": 0.2}, {"name": "identity"}]
    assert config["num_parameters"] == 8 * 4 + 6 * 9 + 3 * 7


def test_the_folders_tensors_have_pytorchs_sequential_names(tmp_path):
    """model.safetensors names its tensors 0.weight, 0.bias, 2.weight, ...: nn.Sequential's, Linear then activation."""
    _net().save_pretrained(tmp_path / "net")
    tensors = load_numpy(tmp_path / "net" / "model.safetensors")
    assert set(tensors) == {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"}
    assert tensors["2.weight"].shape == (6, 8) and tensors["4.bias"].shape == (3,)


# ---------------------------------------------------------------------- PyTorch -> state dict -> affine3d
class _Fc(nn.Module):
    """fc1 .. fc3 as attributes, declared out of order (the names, not the declaration, give the order)."""

    def __init__(self):
        super().__init__()
        self.fc3 = nn.Linear(5, 3)
        self.fc1 = nn.Linear(3, 4)
        self.fc2 = nn.Linear(4, 5)

    def forward(self, x):
        return self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


class _Layers(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(3, 7), nn.Linear(7, 7), nn.Linear(7, 3)])

    def forward(self, x):
        for layer in self.layers[:-1]:
            x = torch.relu(layer(x))
        return self.layers[-1](x)


@pytest.mark.parametrize("module, activations", [
    (lambda: nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 3)),
     ["tanh", "tanh", "identity"]),
    (_Layers, "relu,relu,identity"),
    (_Fc, ["tanh", "tanh", "identity"]),
], ids=["sequential", "layers.N", "fcN"])
def test_a_pytorch_state_dict_gives_pytorchs_outputs(tmp_path, module, activations):
    """nn.Module -> save_file(state_dict) -> MLP.load(path, activations=...): the same outputs as PyTorch's (1e-6)."""
    torch.manual_seed(0)
    model = module()
    path = tmp_path / "state_dict.safetensors"
    save_file(model.state_dict(), str(path))
    X = _points()
    with torch.no_grad():
        expected = model(torch.from_numpy(X)).numpy()
    net = MLP.load(path, activations=activations)
    np.testing.assert_allclose(net(X), expected, atol=1e-6, rtol=1e-6)


def test_linear_layers_without_bias_get_zero_biases(tmp_path):
    """nn.Linear(bias=False) stores no bias: the layer's b is zero, the outputs still PyTorch's."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(3, 5, bias=False), nn.Sigmoid(), nn.Linear(5, 3))
    save_file(model.state_dict(), str(tmp_path / "m.safetensors"))
    net = MLP.load(tmp_path / "m.safetensors", activations=["sigmoid", "identity"])
    X = _points()
    with torch.no_grad():
        np.testing.assert_allclose(net(X), model(torch.from_numpy(X)).numpy(), atol=1e-6)
    assert not net.layers[0].b.any()


def test_fc10_comes_after_fc9(tmp_path):
    """Layers are ordered by the numbers in their names, so fc10 follows fc9 (not fc1, as text would sort it)."""
    sizes = [3] + [4] * 9 + [3]
    rng = np.random.default_rng(0)
    tensors = {}
    for k, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        tensors[f"fc{k}.weight"] = rng.normal(size=(n_out, n_in)).astype(np.float32)
        tensors[f"fc{k}.bias"] = rng.normal(size=n_out).astype(np.float32)
    save_numpy(tensors, str(tmp_path / "m.safetensors"))
    net = MLP.load(tmp_path / "m.safetensors", activations=["relu"] * 9 + ["identity"])
    assert net.sizes == sizes
    np.testing.assert_array_equal(net.layers[9].W, tensors["fc10.weight"])


def test_missing_activations_are_asked_for_in_one_line(tmp_path):
    """Without activations, one line says how many layers there are and how to give them."""
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 3))
    save_file(model.state_dict(), str(tmp_path / "m.safetensors"))
    with pytest.raises(ModelError) as info:
        MLP.load(tmp_path / "m.safetensors")
    message = str(info.value)
    assert "\n" not in message and "2 nn.Linear layers (3 -> 8 -> 3)" in message
    assert "activations=[...]" in message and "--activations tanh,identity" in message
    with pytest.raises(ModelError, match=r"2 layers, so give 2 activations, got 3"):
        MLP.load(tmp_path / "m.safetensors", activations="tanh,tanh,identity")
    with pytest.raises(ModelError, match=r"layer 2: .*unknown 'gelu'"):
        MLP.load(tmp_path / "m.safetensors", activations="tanh,gelu")


@pytest.mark.parametrize("tensors, message", [
    ({"0.weight": np.zeros((4, 3)), "0.bias": np.zeros(4), "2.weight": np.zeros((3, 5)), "2.bias": np.zeros(3)},
     r"do not chain: 0.weight \(4, 3\) returns R\^4 but 2.weight \(3, 5\) takes R\^5"),
    ({"0.weight": np.zeros((4, 3)), "0.bias": np.zeros(3)}, r"0.bias has shape \(3,\), expected \(4,\)"),
    ({"0.bias": np.zeros(3)}, r"0.bias has no 0.weight"),
    ({"0.weight": np.zeros((4, 3)), "bn.running_mean": np.zeros(4)}, r"'bn.running_mean' is not an nn.Linear weight"),
    ({"0.weight": np.zeros((4, 3, 2))}, r"0.weight has shape \(4, 3, 2\)"),
])
def test_state_dicts_that_are_no_mlp_are_refused_in_one_line(tmp_path, tensors, message):
    """A broken chain, a bias of the wrong size, a lone bias, a tensor of another module, a 3-D weight: one line each."""
    save_numpy({k: v.astype(np.float32) for k, v in tensors.items()}, str(tmp_path / "m.safetensors"))
    with pytest.raises(ModelError, match=message) as info:
        MLP.load(tmp_path / "m.safetensors", activations=["relu", "identity"])
    assert "\n" not in str(info.value)


def test_activations_given_for_a_file_that_names_its_own_must_agree(tmp_path):
    """An affine3d file knows its activations: the same list is accepted, another is refused naming both."""
    net = _net()
    net.save(tmp_path / "m.npz")
    assert MLP.load(tmp_path / "m.npz", activations="tanh,leaky_relu:0.2,identity").allclose(net)
    with pytest.raises(ModelError, match=r"names its activations \(tanh, leaky_relu\(alpha=0.2\), identity\)"):
        MLP.load(tmp_path / "m.npz", activations="relu,relu,identity")


# ---------------------------------------------------------------------- affine3d -> folder -> PyTorch
def test_a_folder_loads_into_pytorch(tmp_path):
    """save_pretrained -> nn.Sequential.load_state_dict(strict) -> PyTorch computes affine3d's outputs (1e-6)."""
    net = _net()
    net.save_pretrained(tmp_path / "net")
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 6), nn.LeakyReLU(0.2), nn.Linear(6, 3), nn.Identity())
    model.load_state_dict(load_file(str(tmp_path / "net" / "model.safetensors")))
    config = json.loads((tmp_path / "net" / "config.json").read_text())
    assert config["torch_module"] == ("nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 6), nn.LeakyReLU(0.2), "
                                      "nn.Linear(6, 3), nn.Identity())")
    X = _points().astype(np.float64)  # both in float64 on the file's float32 weights: rounding cannot hide a mistake
    with torch.no_grad():
        expected = model.double()(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(MLP.from_pretrained(tmp_path / "net")(X), expected, atol=1e-6, rtol=1e-6)


# ---------------------------------------------------------------------- the model card
def test_the_model_card_parses_with_huggingface_hubs_modelcard(tmp_path):
    """README.md's front matter is what the Hub reads: library_name affine3d, tags, the metadata; the text says what it maps."""
    _net().save_pretrained(tmp_path / "net")
    card = ModelCard.load(tmp_path / "net" / "README.md")
    assert card.data.library_name == "affine3d"
    assert {"affine3d", "mlp", "pytorch", "safetensors"} <= set(card.data.tags)
    assert card.data.to_dict()["metadata"]["description"] == "warps a cube into a ball"
    assert card.data.to_dict()["affine3d"]["sizes"] == [3, 8, 6, 3]
    assert "mapping R^3 to R^3" in card.text and "Warps a cube into a ball." in card.text
    assert "epochs: 300" in card.text and "final mse: 0.01" in card.text
    assert "nn.Linear(3, 8), nn.Tanh()" in card.text and "`2.weight`, `2.bias`" in card.text


# ---------------------------------------------------------------------- the Hub
def test_a_hub_id_is_refused_in_one_line_offline(tmp_path):
    """from_pretrained("user/name") and push_to_hub with the Hub offline (nothing cached): one ModelError line each."""
    code = ("from affine3d import ModelError\nfrom affine3d.nn import MLP\n"
            "try:\n    MLP.from_pretrained('affine3d-test/no-such-model')\nexcept ModelError as exc:\n    print(exc)\n"
            "try:\n    MLP.random([3, 3]).push_to_hub('affine3d-test/new-model')\nexcept ModelError as exc:\n    print(exc)\n")
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf"), "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=tmp_path)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and result.stderr == "" and len(lines) == 2, result
    assert lines[0].startswith("affine3d-test/no-such-model: no such folder here, and the Hugging Face Hub could not give it")
    assert lines[1].startswith("push_to_hub affine3d-test/new-model: ")


def test_a_hub_id_without_huggingface_hub_names_the_extra(monkeypatch):
    """Without huggingface_hub a repository id is refused with the pip line of the 'hub' extra; local folders need none."""
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)
    with pytest.raises(ModelError, match=r"needs the huggingface_hub package: pip install 'affine3d\[hub\]'"):
        MLP.from_pretrained("user/model")


# ---------------------------------------------------------------------- folders where a file was taken
def test_saving_to_a_folder_names_the_folder(tmp_path):
    """net.save(folder) says it is a folder and names save_pretrained, not "unknown model file type"."""
    with pytest.raises(ModelError, match=r"is a folder; .*save_pretrained"):
        _net().save(tmp_path)
    with pytest.raises(ModelError, match=r"got a directory without config.json"):
        MLP.load(tmp_path)
    with pytest.raises(ModelError, match=r"new-net: no suffix, .*net.save_pretrained\("):
        _net().save(tmp_path / "new-net")
    with pytest.raises(ModelError, match=r"new-net: model file or folder not found"):
        MLP.load(tmp_path / "new-net")


def test_load_model_checks_the_widths_of_a_folder(tmp_path):
    """load_model reads a folder like a file and says, in one line, when it does not map R^3 to R^3."""
    _net(sizes=(2, 4, 3), activations=("relu", "identity")).save_pretrained(tmp_path / "flat")
    with pytest.raises(ModelError, match=r"--mlp flat: expected 3 inputs \(a point of 3D space\), got 2"):
        load_model(tmp_path / "flat", what="--mlp flat")
    assert load_model(tmp_path / "flat", dims=(2, None)).sizes == [2, 4, 3]


def test_inspect_a_folder(tmp_path, capsys):
    """inspect DIR: its files, config, the card's front matter, and tensors whose printed byte ranges hold them."""
    net = _net()
    net.save_pretrained(tmp_path / "net")
    assert main(["inspect", str(tmp_path / "net")]) == 0
    out = capsys.readouterr().out
    assert "config.json" in out and "README.md" in out and "model_type affine3d-mlp, sizes [3, 8, 6, 3]" in out
    assert "library_name: affine3d" in out and "MLP 3 -> 8 -> 6 -> 3" in out
    data = (tmp_path / "net" / "model.safetensors").read_bytes()
    rows = [line.split() for line in out.splitlines() if line.strip().startswith(("0.", "2.", "4."))]
    assert len(rows) == 6
    for name, *_, span in rows:
        begin, end = (int(v) for v in span.split(":"))
        i = int(name.split(".")[0]) // 2
        expected = net.layers[i].W if name.endswith("weight") else net.layers[i].b
        np.testing.assert_array_equal(np.frombuffer(data[begin:end], "<f4"), expected.astype(np.float32).ravel())


def test_inspect_a_state_dict_with_activations(tmp_path, capsys):
    """inspect FILE --activations shows a PyTorch state dict as the network; without, it says what is missing."""
    save_file(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 3)).state_dict(), str(tmp_path / "m.safetensors"))
    assert main(["inspect", str(tmp_path / "m.safetensors")]) == 0
    assert "stores no activations" in capsys.readouterr().out
    assert main(["inspect", str(tmp_path / "m.safetensors"), "--activations", "relu,identity"]) == 0
    assert "layer 1: W1 4x3, b1 (4,), activation relu" in capsys.readouterr().out


def test_render_and_trace_take_a_folder_and_a_state_dict(tmp_path, capsys):
    """render --mlp DIR and trace --mlp STATE_DICT --activations ...; a state dict without them: exit 2, one line."""
    net = _net()
    net.save_pretrained(tmp_path / "net")
    out = tmp_path / "warped.png"
    assert main(["render", "--mlp", str(tmp_path / "net"), "--backend", "cpu", "--size", "80x60", "-o", str(out)]) == 0
    assert out.stat().st_size > 0
    state = tmp_path / "state.safetensors"
    save_numpy(load_numpy(tmp_path / "net" / "model.safetensors"), str(state))
    capsys.readouterr()
    assert main(["trace", "--mlp", str(state), "--activations", "tanh,leaky_relu:0.2,identity"]) == 0
    assert "network state.safetensors 3-8-6-3" in capsys.readouterr().out
    assert main(["trace", "--mlp", str(state)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--activations tanh,tanh,identity" in err
    assert main(["trace", "--activations", "tanh"]) == 2
    assert "--activations: give it with --mlp MODEL" in capsys.readouterr().err


def test_a_scene_names_a_folder(tmp_path):
    """A scene file's mlp key may name a save_pretrained folder; the page's site build copies it as a file."""
    from affine3d.geometry.scene import load_scene
    from affine3d.web.site import _write_model

    _net().save_pretrained(tmp_path / "net")
    scene = tmp_path / "s.toml"
    scene.write_text('mlp = "net"\n[[object]]\nshape = "cube"\n')
    assert load_scene(scene).mlp == tmp_path / "net"
    (tmp_path / "models").mkdir()
    url = _write_model(tmp_path / "net", tmp_path / "models")
    assert url == "models/net.safetensors" and MLP.load(tmp_path / url).allclose(_net())
