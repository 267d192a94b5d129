"""Exercise 16: a Hugging Face model folder read by hand: config.json gives the architecture, README.md the card."""

from __future__ import annotations

import json

import numpy as np

from ...nn.files.pretrained import config_of, model_card
from ...nn.mlp import MLP
from ...i18n import N_, _
from ..base import Exercise
from ..feedback import Wrong, check, compare, mistake
from ..runner import Call, DataFile

FOLDER = "exercise_16-model"
OTHER = "other-model"
HIDDEN = ("relu", "tanh", "sigmoid")
TOPICS = (("cube-to-sphere", "Warps the cube onto the sphere."), ("sphere-to-cube", "Pushes the sphere out onto the cube."),
          ("twist", "Twists space about the z axis."), ("rings", "Pulls two linked rings apart."))


def _network(spec) -> MLP:
    rng = np.random.default_rng(spec["seed"])
    sizes = spec["sizes"]
    weights = [np.round(rng.normal(size=(o, i)), 3) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [np.round(rng.normal(size=o), 3) for o in sizes[1:]]
    return MLP.from_arrays(weights, biases, spec["activations"], metadata=spec["metadata"])


def folder_files(spec, folder: str) -> dict[str, bytes]:
    """config.json and README.md of the folder save_pretrained writes, without the parameter count (that is the task)."""
    net = _network(spec)
    config = config_of(net, "float32")
    del config["num_parameters"]
    card = model_card(net, config, counts=False)
    return {f"{folder}/config.json": (json.dumps(config, indent=2) + "\n").encode("utf-8"),
            f"{folder}/README.md": card.encode("utf-8")}


def _spec(rng, depth: int, seed: int):
    sizes = [3] + [int(w) for w in rng.integers(4, 33, size=depth - 1)] + [3]
    hidden = str(rng.choice(HIDDEN))
    topic, description = TOPICS[int(rng.integers(len(TOPICS)))]
    extra = [str(t) for t in rng.choice(["geometry", "lecture", "warp", "demo", "3d"], size=2, replace=False)]
    metadata = {"description": description, "target": topic, "epochs": int(rng.integers(5, 60)) * 100,
                "tags": extra}
    return {"sizes": sizes, "activations": [hidden] * (depth - 1) + ["identity"], "seed": seed, "metadata": metadata}


def parameters_of(sizes) -> int:
    return sum(o * (i + 1) for i, o in zip(sizes[:-1], sizes[1:]))


def tags_of(spec) -> list[str]:
    """The card's tags: affine3d's four, then the model's own (what model_card writes)."""
    return ["affine3d", "mlp", "pytorch", "safetensors"] + list(spec["metadata"]["tags"])


class ModelCard(Exercise):
    number = 16
    slug = "model-card"
    title = N_("read a model's config and card, as the Hub keeps them")
    lecture = N_("4. a trained model is a folder: architecture (config.json), weights, metadata (the model card)")
    goal = N_("read config.json and README.md of a Hugging Face model folder: the widths, the parameter count, the tags")
    functions = ("sizes", "parameters", "tags")
    blocked = ("affine3d", "huggingface_hub", "transformers")
    blocked_reason = N_("they would read the folder for you, and reading it is the exercise")

    def numbers(self, rng):
        return {"mine": _spec(rng, int(rng.integers(3, 5)), int(rng.integers(2**31))),
                "other": _spec(rng, int(rng.integers(2, 6)), int(rng.integers(2**31)))}

    def data_files(self, n):
        return folder_files(n["mine"], FOLDER)

    def check_files(self, n):
        return folder_files(n["other"], OTHER)

    def task(self, n):
        return _("""
        {folder}/ (next to this file) is a trained network kept the way Hugging Face keeps models: a
        folder. Its config.json says what the network is (its widths, its activations), its README.md
        is the model card: a YAML block between two lines of ---, then text for people. (The weights,
        model.safetensors, are left out here: exercise 12 read one of those.)

        Each layer maps R^in to R^out with W of shape (out, in) and b of shape (out,), so it holds
        out * in + out numbers, and the network's parameters are the sum over its layers.

        Write
            sizes(folder)       the widths [in, h1, ..., out], a list of whole numbers (config.json)
            parameters(folder)  how many weights and biases the network has, a whole number
            tags(folder)        the card's tags, a list of strings, in the card's order (README.md:
                                the line "tags: [...]" of the YAML block; its value is JSON)

        with the standard library (json, pathlib). The checker asks your folder, and another one.
        """).format(folder=FOLDER)

    def preamble(self):
        return "import json\nfrom pathlib import Path\n\n" f"FOLDER = Path(__file__).with_name({FOLDER!r})\n"

    def skeleton(self):
        return _('''
        def sizes(folder):
            """The widths [in, h1, ..., out] of the network in folder (its config.json)."""
            raise NotImplementedError("exercise 16: sizes(folder) is not written yet")


        def parameters(folder):
            """How many weights and biases the network in folder has."""
            raise NotImplementedError("exercise 16: parameters(folder) is not written yet")


        def tags(folder):
            """The tags of the model card (README.md's YAML block), in order."""
            raise NotImplementedError("exercise 16: tags(folder) is not written yet")


        if __name__ == "__main__":
            print((FOLDER / "config.json").read_text())
            print(sizes(FOLDER), parameters(FOLDER), tags(FOLDER))
        ''')

    def calls(self, n):
        mine, other = DataFile(FOLDER), DataFile(OTHER)
        return {"sizes": Call("sizes", (mine,)), "parameters": Call("parameters", (mine,)),
                "other": Call("parameters", (other,)), "tags": Call("tags", (mine,))}

    def _sizes(self, n, answers):
        expected = n["mine"]["sizes"]
        yours = answers.array("sizes", (None,), "the widths")
        if len(yours) == len(expected) - 1:
            raise Wrong(_("sizes returned {count} widths, expected {expected}: [in, h1, ..., out] has one "
                          "more entry than there are layers (the input's width first)").format(
                count=len(yours), expected=len(expected)))
        if len(yours) != len(expected):
            raise Wrong(_("sizes returned {count} widths, expected {expected} ([in, h1, ..., out])").format(
                count=len(yours), expected=len(expected)))
        compare(yours, np.array(expected, dtype=np.float64), name="sizes", rtol=0.0, atol=0.0)

    def _parameters(self, n, answers, key, which):
        sizes = n[which]["sizes"]
        yours = answers.number(key, _("the parameter count"))
        pairs = list(zip(sizes[:-1], sizes[1:]))
        compare(np.array([yours]), np.array([float(parameters_of(sizes))]), name="parameters", rtol=0.0, atol=0.0,
                mistakes=[mistake("no biases", np.array([float(sum(o * i for i, o in pairs))]),
                                  _("only the weights were counted: each layer also has a bias b of shape (out,)")),
                          mistake("weights only of the hidden layers", np.array([float(sum(o * (i + 1) for i, o in pairs[:-1]))]),
                                  _("the last layer (the output's) was left out: every layer counts, the last one too")),
                          mistake("widths multiplied", np.array([float(np.prod(sizes))]),
                                  _("the widths were multiplied together; a layer holds out * in + out numbers, "
                                  "and the network the sum over its layers"))])

    def _tags(self, n, answers):
        yours = answers.value("tags")
        expected = tags_of(n["mine"])
        if not isinstance(yours, list) or not all(isinstance(t, str) for t in yours):
            raise Wrong(_("tags returned {kind}, expected a list of strings such as {example}").format(
                kind=type(yours).__name__, example=expected[:2]))
        if yours == [json.dumps(expected)] or (len(yours) == 1 and yours[0].startswith("[")):
            raise Wrong(_("tags returned the YAML line's text as one string: its value is JSON, so json.loads gives the list"))
        if yours != expected:
            raise Wrong(_("tags returned {tags}, which is not the card's list of {count} tags "
                          "(read the line that starts with 'tags:' in the block between the --- lines)").format(
                tags=yours[:8], count=len(expected)))

    def grade(self, n, answers):
        other = n["other"]["sizes"]
        return [
            check(_("the widths of your network"), 1, lambda: self._sizes(n, answers)),
            check(_("its parameter count"), 2, lambda: self._parameters(n, answers, "parameters", "mine")),
            check(_("the parameter count of another folder ({sizes})").format(sizes="-".join(map(str, other))), 1,
                  lambda: self._parameters(n, answers, "other", "other")),
            check(_("the model card's tags"), 1, lambda: self._tags(n, answers)),
        ]
