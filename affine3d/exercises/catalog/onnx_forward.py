"""Exercise 11: a forward pass in numpy that matches a shipped ONNX model (checked against onnxruntime)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from ...nn.mlp import MLP
from ...i18n import N_, _
from ..base import Exercise
from ..feedback import check, compare, mistake
from ..runner import Call, DataFile

MODEL_FILE = "exercise_11.onnx"
HIDDEN = ("relu", "sigmoid", "tanh")
NUMPY_SIGMA = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
               "identity": lambda z: z}
ATOL = 1e-5  # the model computes in float32


def _network(n) -> MLP:
    return MLP.from_arrays(n["weights"], n["biases"], activations=[*n["activations"], "identity"])


def model_bytes(n) -> bytes:
    """The exercise's ONNX file (one Gemm(x, W, b, transB=1) per layer, then the activation's node)."""
    handle, path = tempfile.mkstemp(suffix=".onnx")
    os.close(handle)
    try:
        _network(n).to_onnx(path)
        return Path(path).read_bytes()
    finally:
        os.unlink(path)


def onnxruntime_outputs(n, X: np.ndarray) -> np.ndarray:
    """What onnxruntime computes for the batch X: the target."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.log_severity_level = 3
    session = ort.InferenceSession(model_bytes(n), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"input": np.asarray(X, dtype=np.float32)})[0].astype(np.float64)


def numpy_forward(n, X, *, transposed=False, activations=None, output=None) -> np.ndarray:
    """The forward pass in float64 on the float32 weights; the flags give the common mistakes."""
    names = list(n["activations"] if activations is None else activations) + [output or "identity"]
    a = np.asarray(X, dtype=np.float64)
    for W, b, name in zip(n["weights"], n["biases"], names):
        W = np.asarray(W, dtype=np.float32).astype(np.float64)
        a = NUMPY_SIGMA[name](a @ (W if transposed else W.T) + np.float32(b).astype(np.float64))
    return a


class ONNXForward(Exercise):
    number = 11
    slug = "onnx-forward"
    title = N_("a forward pass that matches a shipped ONNX model")
    lecture = N_("4. a trained model is architecture + weights in a file; an inference engine runs it")
    goal = N_("read the weights of exercise_11.onnx and compute its output in numpy, as onnxruntime does")
    functions = ("forward",)
    own = ("activations", "weights", "biases", "example")
    blocked = ("affine3d", "onnxruntime", "onnx.reference")
    allowed = ("numpy", "onnx")  # the starter reads the file with onnx
    blocked_reason = N_("they would run the model for you, and the forward pass is yours to write")
    requires = ("onnx", "onnxruntime")

    def numbers(self, rng):
        activations = [str(a) for a in rng.choice(HIDDEN, size=2, replace=False)]
        weights = [np.round(rng.normal(0, 0.9, size=(3, 3)), 2) for _unused in range(3)]
        biases = [np.round(rng.normal(0, 0.5, size=3), 2) for _unused in range(3)]
        example = np.round(rng.uniform(-2, 2, size=(5, 3)), 1)  # float64 in the file; float32 when called
        batch = rng.uniform(-2, 2, size=(32, 3)).astype(np.float32)
        return {"activations": activations, "weights": weights, "biases": biases, "example": example, "batch": batch}

    def data_files(self, n):
        return {MODEL_FILE: model_bytes(n)}

    def task(self, n):
        return _("""
        {model}, next to this file, is a small network in ONNX, the format inference engines
        (onnxruntime, TensorRT, browsers) load. It maps 3 numbers to 3 numbers. An ONNX file is a graph
        of operator nodes plus the weights ("initializers"); read_model (below) lists both. Print them,
        or run `affine3d inspect {model}`.

        A Gemm node with transB=1 computes, for a batch X of inputs (one per row), X @ W.T + b: the
        layer W x + b for every row. Relu, Sigmoid and Tanh nodes apply their function to every entry.

        Write forward(model_path, X): the model's output for the batch X (shape (N, 3), float32),
        computed in numpy from the file's weights, the same numbers onnxruntime gives. Read the weights
        from the file given; do not type them in.
        """).format(model=MODEL_FILE)

    def preamble(self):
        # one catalogue entry: its docstring translated, its code as it is
        return _('''from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

MODEL = Path(__file__).with_name("exercise_11.onnx")


def read_model(model_path):
    """The model's nodes, as (op_type, inputs, outputs, attributes), and its weights: name -> numpy array."""
    model = onnx.load(str(model_path))
    nodes = [(node.op_type, list(node.input), list(node.output),
              {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}) for node in model.graph.node]
    weights = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    return nodes, weights
''')

    def constants(self, n):
        return [("X_EXAMPLE", n["example"])]

    def skeleton(self):
        return _('''
        def forward(model_path, X):
            """The output of the ONNX model at model_path for the batch X (N, 3): an array of shape (N, 3)."""
            raise NotImplementedError("exercise 11: forward(model_path, X) is not written yet")


        if __name__ == "__main__":
            nodes, weights = read_model(MODEL)
            for node in nodes:
                print(node)
            print(forward(MODEL, X_EXAMPLE.astype(np.float32)))
        ''')

    def calls(self, n):
        model = DataFile(MODEL_FILE)
        return {"example": Call("forward", (model, n["example"].astype(np.float32))),
                "batch": Call("forward", (model, n["batch"])),
                "one": Call("forward", (model, n["batch"][:1]))}

    def _compare(self, n, answers, key, X):
        Y = answers.array(key, (len(X), 3), "the outputs")
        a1, a2 = n["activations"]
        mistakes = [
            mistake("transpose", numpy_forward(n, X, transposed=True), _("you used W where Gemm has transB=1: each layer "
                    "is X @ W.T + b (W is stored (out, in), as in PyTorch)")),
            mistake("no activation", numpy_forward(n, X, activations=["identity", "identity"]), _("no activation between "
                    "the layers: the graph has a Relu/Sigmoid/Tanh node after each hidden Gemm")),
            mistake("activations swapped", numpy_forward(n, X, activations=[a2, a1]), _("the activations are swapped: "
                    "the first hidden layer uses {first}, the second {second} (follow the nodes in order)").format(
                first=a1, second=a2)),
        ] + [mistake("activation on the output", numpy_forward(n, X, output=a), _("the last Gemm's output is the "
                     "model's output: no {activation} after it").format(activation=a)) for a in (a1, a2)]
        compare(Y, onnxruntime_outputs(n, X), name="Y", mistakes=mistakes, atol=ATOL)

    def grade(self, n, answers):
        return [
            check(_("your 5 example inputs (X_EXAMPLE)"), 1,
                  lambda: self._compare(n, answers, "example", n["example"].astype(np.float32))),
            check(_("a batch of 32 inputs, against onnxruntime"), 2, lambda: self._compare(n, answers, "batch", n["batch"])),
            check(_("a batch of one input, shape (1, 3)"), 1, lambda: self._compare(n, answers, "one", n["batch"][:1])),
        ]
