"""ONNX's own backend node tests, every case made only of the operators affine3d reads: right numbers, or one line.

``onnx.backend.test.loader.load_model_tests(kind="node")`` builds the cases in memory (onnx >= 1.23 ships no
files). A node test passes its weights as graph inputs; here inputs 1.. become initializers (constants), so a
case is a model with one input, as an MLP is. Each case must load and compute the case's expected output within
the case's own tolerance, or be refused with a ModelError of one line: never silently wrong.
"""

import warnings

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

from affine3d import ModelError
from affine3d.nn.mlp import MLP

READ = {"Gemm", "MatMul", "Add", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax", "Identity"}


def _cases():
    from onnx.backend.test.loader import load_model_tests

    with warnings.catch_warnings():  # the cast cases' generators warn about the overflows they test
        warnings.simplefilter("ignore")
        cases = load_model_tests(kind="node")
    return {c.name: c for c in cases
            if c.model is not None and c.model.graph.node and all(n.op_type in READ for n in c.model.graph.node)}


CASES = _cases()


def _with_constants(case):
    """The case's model with inputs 1.. turned into initializers, its first input, and its expected output."""
    model = onnx.ModelProto()
    model.CopyFrom(case.model)
    inputs, outputs = case.data_sets[0]
    graph = model.graph
    names = [v.name for v in graph.input]
    for name, value in zip(names[1:], inputs[1:]):
        if isinstance(value, np.ndarray):
            graph.initializer.append(numpy_helper.from_array(value, name))
    keep = [v for v in graph.input if v.name not in {t.name for t in graph.initializer}]
    del graph.input[:]
    graph.input.extend(keep)
    return model, inputs[0], outputs[0]


def test_the_selection_holds_the_cases_the_issue_names():
    """The operators affine3d reads select dozens of cases, softmax over axis 1 of a rank-3 input among them."""
    assert len(CASES) >= 40
    assert {"test_softmax_axis_1", "test_gemm_all_attributes", "test_matmul_2d", "test_leakyrelu"} <= set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_node_case_is_right_or_refused_in_one_line(tmp_path, name):
    """Load the case as an MLP: it computes ONNX's expected output within the case's tolerance, or is refused in one line."""
    case = CASES[name]
    model, x, expected = _with_constants(case)
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(model.SerializeToString())
    try:
        net = MLP.load(path)
        got = net(x)
    except ModelError as exc:
        message = str(exc)
        assert "\n" not in message and message, message
        return
    assert isinstance(expected, np.ndarray) and got.shape == expected.shape, (got.shape, np.shape(expected))
    np.testing.assert_allclose(got, expected.astype(got.dtype), rtol=case.rtol, atol=case.atol)


def test_softmax_over_the_batch_of_a_rank_3_input_is_refused(tmp_path):
    """test_softmax_axis_1 (input (3, 4, 5), softmax over axis 1) used to load and give numbers off by 0.36: now refused."""
    model, x, _ = _with_constants(CASES["test_softmax_axis_1"])
    path = tmp_path / "softmax_axis_1.onnx"
    path.write_bytes(model.SerializeToString())
    with pytest.raises(ModelError, match=r"rank 3"):
        MLP.load(path)


def test_an_mlp_refuses_a_rank_3_input():
    """MLP(x) takes (in,) or (N, in), as its docstring says; a (2, 3, 4) array is refused, not computed along the last axis."""
    net = MLP.random([4, 3], output="softmax")
    with pytest.raises(ModelError, match=r"expected shape \(4,\) or \(N, 4\).*got \(2, 3, 4\)"):
        net(np.zeros((2, 3, 4)))
