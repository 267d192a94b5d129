"""Exercise 16 (a model folder's config and card): its common mistakes are named, and its folder is save_pretrained's."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from affine3d.exercises import check_functions, get, start
from affine3d.exercises.catalog.model_card import FOLDER, _network
from affine3d.nn.mlp import MLP

SOLUTION = Path(__file__).resolve().parent / "exercise_solutions" / "exercise_16.py"
_spec = importlib.util.spec_from_file_location("exercise_16_solution", SOLUTION)
solution = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(solution)


def _widths_product(folder):
    return int(np.prod(solution.sizes(folder)))


def _no_biases(folder):
    w = solution.sizes(folder)
    return sum(o * i for i, o in zip(w[:-1], w[1:]))


def _without_the_last_layer(folder):
    w = solution.sizes(folder)
    return sum(o * (i + 1) for i, o in zip(w[:-2], w[1:-1]))


def _tags_as_text(folder):
    for line in (Path(folder) / "README.md").read_text().splitlines():
        if line.startswith("tags:"):
            return [line[len("tags:"):].strip()]
    return []


@pytest.mark.parametrize("key, functions, hint", [
    ("no biases", {"parameters": _no_biases}, "each layer also has a bias"),
    ("weights only of the hidden layers", {"parameters": _without_the_last_layer}, "the last one too"),
    ("widths multiplied", {"parameters": _widths_product}, "the widths were multiplied"),
])
def test_a_common_mistake_is_named(key, functions, hint):
    """Counting only the weights, leaving out the last layer, or multiplying the widths: each named with its own hint."""
    base = {"sizes": solution.sizes, "parameters": solution.parameters, "tags": solution.tags}
    for report in check_functions(16, {**base, **functions}, ["ana", "ben"]):
        named = [c for c in report.checks if c.mistake == key]
        assert named and all(not c.passed and hint in c.message for c in named), report.checks


def test_the_tags_line_as_text_is_explained():
    """Returning the YAML line's JSON text instead of the list says to parse it with json.loads."""
    base = {"sizes": solution.sizes, "parameters": solution.parameters, "tags": _tags_as_text}
    report = check_functions(16, base, ["ana"])[0]
    assert "json.loads" in report.checks[-1].message and not report.checks[-1].passed


def test_the_handed_out_folder_is_save_pretrained_s_without_the_count(tmp_path):
    """exercise start writes the folder: config.json and a card as save_pretrained writes them, the count left out."""
    start(16, tmp_path, "ana")
    folder = tmp_path / FOLDER
    config = json.loads((folder / "config.json").read_text())
    assert config["model_type"] == "affine3d-mlp" and "num_parameters" not in config
    card = (folder / "README.md").read_text()
    assert card.startswith("---\nlibrary_name: \"affine3d\"") and "parameters" not in card.split("## Use")[0]
    spec = get(16).numbers_for("ana")["mine"]
    net = _network(spec)
    net.save_pretrained(tmp_path / "full")
    full = json.loads((tmp_path / "full" / "config.json").read_text())
    assert {k: v for k, v in full.items() if k != "num_parameters"} == config
    assert MLP.from_pretrained(tmp_path / "full").n_parameters == solution.parameters(folder)
