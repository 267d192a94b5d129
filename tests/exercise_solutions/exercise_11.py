"""Exercise 11, reference solution: run the ONNX graph node by node in numpy."""

import numpy as np
import onnx
from onnx import numpy_helper

EXERCISE = 11


def forward(model_path, X):
    model = onnx.load(str(model_path))
    values = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in model.graph.initializer}
    values[model.graph.input[0].name] = np.asarray(X, dtype=np.float64)
    for node in model.graph.node:
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        inputs = [values[name] for name in node.input]
        if node.op_type == "Gemm":
            A, B, C = inputs
            A = A.T if attributes.get("transA", 0) else A
            B = B.T if attributes.get("transB", 0) else B
            out = attributes.get("alpha", 1.0) * A @ B + attributes.get("beta", 1.0) * C
        elif node.op_type == "Relu":
            out = np.maximum(inputs[0], 0)
        elif node.op_type == "Sigmoid":
            out = 1 / (1 + np.exp(-inputs[0]))
        elif node.op_type == "Tanh":
            out = np.tanh(inputs[0])
        else:
            raise ValueError(f"operator {node.op_type} not handled")
        values[node.output[0]] = out
    return values[model.graph.output[0].name]
