""".onnx: a protobuf graph. Export writes one ``Gemm(x, W, b, transB=1)`` per layer and the activation's node.

So the file holds exactly ``A`` and ``b`` of ``F(x) = A x + b``. Import reads graphs of Gemm
(``alpha``, ``beta``, ``transA``, ``transB`` honoured) or MatMul + Add, with Relu, Sigmoid, Tanh,
LeakyRelu, Softmax and Identity; any other operator is refused by name, and external data is never
followed. Needs the optional ``onnx`` package (``pip install 'affine3d[onnx]'``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...affine import Affine
from ...errors import AffineError, ModelError, one_line
from ... import i18n
from ...i18n import N_, _, prose_number
from ...fileio import read_regular, write_bytes
from ...version import __version__
from .. import activations as act
from ...errors import shown as _short
from .common import (MAX_HEADER_BYTES, MAX_LAYERS, MAX_TENSOR_BYTES, METADATA_KEY, Model, architecture_json,
                     parse_architecture, tensors_for_saving)

__all__ = ["save_onnx", "load_onnx", "read_onnx_model", "read_onnx_bytes", "default_opset", "import_onnx", "ONNX_IR_VERSION",
           "ONNX_OPSET", "MAX_ONNX_IR_VERSION", "MAX_ONNX_OPSET", "MIN_ONNX_OPSET", "MAX_ONNX_BYTES"]

# ONNX export: IR version 9 and opset 17 are read by onnx >= 1.13 and onnxruntime >= 1.15 (and the
# onnxruntime 1.32 this was tested with). Import accepts up to IR 10 and opset 21 (onnx 1.16, the
# oldest onnx the 'onnx' extra allows): the operators we read have not changed meaning since opset 13.
ONNX_IR_VERSION = 9
ONNX_OPSET = 17
MAX_ONNX_IR_VERSION = 10
MAX_ONNX_OPSET = 21
MIN_ONNX_OPSET = 7              # Gemm with numpy broadcasting
MAX_ONNX_BYTES = MAX_TENSOR_BYTES + MAX_HEADER_BYTES
"""The largest .onnx file read: the tensor budget plus room for the graph. protobuf parses a file whole,
so the file's size is what bounds the memory it takes."""
MAX_NODES = 8 * MAX_LAYERS      # a layer is a Gemm (or MatMul + Add) and an activation, maybe Identity and Constants

ONNX_HINT = "pip install 'affine3d[onnx]'"

def import_onnx():
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError:
        raise ModelError(_("ONNX files need the onnx package: {limit}").format(limit=ONNX_HINT)) from None
    return onnx, numpy_helper


_ONNX_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyRelu", "softmax": "Softmax"}


def save_onnx(mlp, path) -> None:
    """Write an ONNX model: per layer ``Gemm(x, W, b, transB=1)`` then the activation's node; float32.

    Input ``input`` of shape (batch, in), output ``output`` of shape (batch, out); IR version
    :data:`ONNX_IR_VERSION`, opset :data:`ONNX_OPSET`. Our metadata goes into ``metadata_props``
    under ``"affine3d"``.
    """
    onnx, numpy_helper = import_onnx()
    from onnx import TensorProto, helper


    tensors = tensors_for_saving(mlp, "float32")  # float32, and refused in one line where a weight would become inf
    nodes, initializers = [], []
    current = "input"
    n = len(mlp.layers)
    for i, layer in enumerate(mlp.layers, start=1):
        W, b = f"layer{i}.weight", f"layer{i}.bias"
        initializers.append(numpy_helper.from_array(tensors[W], W))
        initializers.append(numpy_helper.from_array(tensors[b], b))
        a = layer.activation
        z = "output" if (i == n and a.is_identity) else f"layer{i}.z"
        nodes.append(helper.make_node("Gemm", [current, W, b], [z], name=f"layer{i}.gemm", transB=1))
        current = z
        if not a.is_identity:
            y = "output" if i == n else f"layer{i}.a"
            attrs = {"alpha": a.alpha} if a.name == "leaky_relu" else {"axis": -1} if a.name == "softmax" else {}
            nodes.append(helper.make_node(_ONNX_ACTIVATIONS[a.name], [z], [y], name=f"layer{i}.{a.name}", **attrs))
            current = y
    graph = helper.make_graph(
        nodes,
        "affine3d_mlp",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", mlp.dim_in])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", mlp.dim_out])],
        initializers,
        doc_string="An MLP: each layer is Gemm(x, W, b, transB=1) = x W^T + b, the affine map F(x) = W x + b, then its activation.",
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", ONNX_OPSET)],
        producer_name="affine3d",
        producer_version=__version__,
    )
    model.ir_version = ONNX_IR_VERSION
    helper.set_model_props(model, {METADATA_KEY: architecture_json(mlp)})
    onnx.checker.check_model(model)
    write_bytes(path, model.SerializeToString())  # a temporary file renamed over the old one


def read_onnx_model(path: Path):
    """``onnx.ModelProto`` from ``path`` with versions checked; external data is never followed."""
    onnx, _unused = import_onnx()
    name = path.name
    data = read_onnx_bytes(path)
    try:
        model = onnx.load_model_from_string(data)
    except Exception as exc:  # protobuf's DecodeError and friends
        raise ModelError(_("{name}: not a valid ONNX protobuf, truncated or corrupted ({type}: {exc})").format(
            name=name, type=type(exc).__name__, exc=exc)) from None
    if model.ir_version <= 0 or not model.HasField("graph"):
        raise ModelError(_("{name}: not an ONNX model (no IR version or no graph; truncated or corrupted?)").format(
            name=name))
    opset = default_opset(model)
    if opset is None:
        raise ModelError(_("{name}: the model imports no opset of the default ONNX domain (truncated or corrupted?)").format(
            name=name))
    if model.ir_version > MAX_ONNX_IR_VERSION or opset > MAX_ONNX_OPSET:
        raise ModelError(
            _("{name}: the file has IR version {ir_version} and opset {opset}, newer than this affine3d reads (IR "
               "version <= {limit}, opset <= {limit2}); re-export with opset {limit3}").format(
                name=name, ir_version=model.ir_version, opset=opset, limit=MAX_ONNX_IR_VERSION, limit2=MAX_ONNX_OPSET, limit3=ONNX_OPSET)
        )
    if opset < MIN_ONNX_OPSET:
        raise ModelError(_("{name}: opset {opset} is older than this affine3d reads (opset >= {limit})").format(
            name=name, opset=opset, limit=MIN_ONNX_OPSET))
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # onnx.checker.ValidationError, mostly
        raise ModelError(_("{name}: not a valid ONNX model: {reason}").format(name=name, reason=one_line(exc))) from None
    return model


def read_onnx_bytes(path: Path) -> bytes:
    """The bytes of an .onnx file: a regular file of at most :data:`MAX_ONNX_BYTES` (ModelError otherwise)."""
    return read_regular(path, limit=MAX_ONNX_BYTES, what="model file", shown=path.name, error=ModelError)


def default_opset(model) -> int | None:
    for entry in model.opset_import:
        if entry.domain in ("", "ai.onnx"):
            return int(entry.version)
    return None


def _attributes(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _number(name, where, attrs, key, default, kind):
    """Attribute ``key`` as an int or float, or a ModelError naming the node."""
    value = attrs.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
        raise ModelError(_("{name}: {where}: attribute {key} must be {value}, got {value2}").format(
            name=name, where=where, key=key, value='an int' if kind is int else 'a float', value2=repr(value)))
    return kind(value)


def load_onnx(path) -> Model:
    """An MLP from an ONNX graph that is a chain of affine operators and activations.

    Affine operators are ``Gemm`` (``Y = alpha op(A) op(B) + beta C``, either input may be the
    weight), ``MatMul`` with a constant matrix and ``Add`` of a constant; consecutive ones are
    composed into one :class:`Affine`. ``Relu``, ``Sigmoid``, ``Tanh``, ``LeakyRelu`` and
    ``Softmax`` close a layer; ``Identity`` passes through. The batch may run along rows or, between
    transposing Gemms, along columns; the network's input and output must be (batch, width).

    Raises
    ------
    ModelError
        Missing onnx package, a corrupted or too new file, an operator outside the list above
        (the message names the operator and the node), a graph that is not a chain, or shapes
        that do not fit.
    """
    onnx, numpy_helper = import_onnx()
    path = Path(path)
    name = path.name
    model = read_onnx_model(path)
    graph = model.graph
    opset = default_opset(model)

    if len(graph.node) > MAX_NODES:
        raise ModelError(_("{name}: the graph has {count} nodes, more than the {limit} an MLP of {limit2} layers needs; refused").format(
            name=name, count=prose_number(len(graph.node)), limit=prose_number(MAX_NODES), limit2=prose_number(MAX_LAYERS)))
    constants: dict[str, np.ndarray] = {}
    for tensor in graph.initializer:
        constants[tensor.name] = _onnx_array(onnx, numpy_helper, name, tensor)
    inputs = [v for v in graph.input if v.name not in constants]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ModelError(
            _("{name}: an MLP has one input and one output; the graph has inputs {value} and outputs {value2}").format(
                name=name, value=_short([v.name for v in inputs], 120), value2=_short([v.name for v in graph.output], 120))
        )
    for role, value in (("input", inputs[0]), ("output", graph.output[0])):
        _check_declared(name, role, value)
    current = inputs[0].name
    width = _declared_width(inputs[0])
    layout = "rows"              # the running tensor is (batch, width) or, after some Gemms, (width, batch)
    pending: Affine | None = None
    layers: list[tuple[Affine, object]] = []

    def describe_node(node) -> str:
        return f"node {_short(node.name) if node.name else '(unnamed)'} ({node.op_type[:40]})"

    for node in graph.node:
        op = node.op_type
        where = describe_node(node)
        if node.domain not in ("", "ai.onnx"):
            raise ModelError(_("{name}: {where}: operator {domain}.{op} is not supported; an MLP here uses Gemm, MatMul, Add, Relu, "
                                "Sigmoid, Tanh, LeakyRelu, Softmax, Identity").format(
                name=name, where=where, domain=node.domain, op=op))
        attrs = _attributes(onnx, node)
        if op == "Constant":
            if len(node.output) != 1 or "value" not in attrs:
                raise ModelError(_("{name}: {where}: only Constant nodes with a 'value' tensor are supported").format(
                    name=name, where=where))
            constants[node.output[0]] = _onnx_array(onnx, numpy_helper, name, attrs["value"])
            continue
        if op not in _ONNX_SUPPORTED:
            raise ModelError(
                _("{name}: {where}: operator {op} is not supported; an MLP here uses Gemm, MatMul, Add, Relu, Sigmoid, "
                   "Tanh, LeakyRelu, Softmax, Identity").format(name=name, where=where, op=op)
            )
        used = [x for x in node.input if x]
        dynamic = [x for x in used if x not in constants]
        if dynamic != [current] or len(node.output) != 1:
            raise ModelError(
                _("{name}: {where}: reads {value} and writes {value2}, but an MLP is a chain: each node must read the "
                   "previous result {value3} (plus constants) and write one tensor").format(
                    name=name, where=where, value=_short(used, 120), value2=_short(list(node.output), 120), value3=_short(current))
            )
        if op == "Identity":
            pass
        elif op in ("Gemm", "MatMul", "Add"):
            try:  # Affine's own errors (an empty 0x3 weight, a product that overflows) name the file and the node here
                F, layout = _onnx_affine(name, where, op, node, attrs, constants, current, layout, width)
                if width is not None and F.dim_in != width:
                    raise ModelError(_("{name}: {where}: its weights take width {dim_in} (map {shape}) but the tensor {value} has width "
                                        "{width}").format(
                        name=name, where=where, dim_in=F.dim_in, shape=F.A.shape, value=_short(current), width=width))
                width = F.dim_out
                pending = F if pending is None else F @ pending
            except AffineError as exc:
                raise ModelError(_("{name}: {where}: {exc}").format(name=name, where=where, exc=exc)) from None
        else:
            activation = _onnx_activation(name, where, op, attrs, layout, opset)
            if width is None:
                raise ModelError(_("{name}: {where}: the input's width is not declared and no weight comes before this activation").format(
                    name=name, where=where))
            try:
                layers.append((pending if pending is not None else Affine.identity(width), activation))
            except AffineError as exc:
                raise ModelError(_("{name}: {where}: {exc}").format(name=name, where=where, exc=exc)) from None
            pending = None
        current = node.output[0]

    if current != graph.output[0].name:
        raise ModelError(_("{name}: the graph's output {name2} is not the end of the chain {current}").format(
            name=name, name2=repr(graph.output[0].name), current=repr(current)))
    if layout != "rows":
        raise ModelError(_("{name}: the graph returns its batch along columns (width, batch); affine3d's MLP returns rows "
                            "(batch, width)").format(name=name))
    if pending is not None:
        layers.append((pending, act.get("identity")))
    if not layers:
        raise ModelError(_("{name}: the graph has no layers (no Gemm, MatMul, Add or activation)").format(name=name))
    metadata = {}
    for prop in model.metadata_props:
        if prop.key == METADATA_KEY:
            try:
                metadata = parse_architecture(name, prop.value).get("metadata", {})
            except ModelError:
                metadata = {}
    return Model([(F.A, F.b, activation) for F, activation in layers], metadata)


_ONNX_SUPPORTED = ("Gemm", "MatMul", "Add", "Identity", "Relu", "Sigmoid", "Tanh", "LeakyRelu", "Softmax")


def _onnx_array(onnx, numpy_helper, name: str, tensor) -> np.ndarray:
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        raise ModelError(_("{name}: tensor {name2} is stored in an external file; affine3d reads self-contained models only").format(
            name=name, name2=repr(tensor.name)))
    try:
        array = numpy_helper.to_array(tensor)
    except Exception as exc:
        raise ModelError(_("{name}: tensor {name2} cannot be read ({type}: {exc})").format(
            name=name, name2=repr(tensor.name), type=type(exc).__name__, exc=exc)) from None
    if array.dtype.kind not in "fiu":
        raise ModelError(_("{name}: tensor {name2} has dtype {dtype}; expected numbers").format(
            name=name, name2=repr(tensor.name), dtype=array.dtype))
    if not np.all(np.isfinite(array)):
        raise ModelError(_("{name}: tensor {name2} (shape {shape}) has non-finite entries").format(
            name=name, name2=repr(tensor.name), shape=array.shape))
    return array.astype(np.float64)


_FLOAT_TYPES = {1: "float", 10: "float16", 11: "double", 16: "bfloat16"}


class _Words(dict):
    """The few words the ONNX reader's messages fill in, looked up when a message is made."""

    def __getitem__(self, key):
        return i18n._(dict.__getitem__(self, key))


_WORDS = _Words({"rows": N_("along rows"), "cols": N_("along columns"), "transposed": N_("transposed"),
                 "as is": N_("as is"), "input": N_("input"), "output": N_("output")})


def _check_declared(name: str, role: str, value_info) -> None:
    """Refuse an input or output whose declared rank or element type an MLP cannot honour.

    An MLP maps one point (rank 1) or a batch of rows (rank 2) of real numbers; a rank-3 tensor
    would be computed along its last axis only (softmax over axis 1 of (3, 4, 5) gives other
    numbers), and integer tensors wrap around where floats do not.
    """
    if not value_info.type.HasField("tensor_type"):
        kind = value_info.type.WhichOneof("value") or "unknown"
        raise ModelError(_("{name}: the graph's {role} {value} is a {value2}, not a tensor; an MLP maps a tensor of points").format(
            name=name, role=_WORDS[role], value=_short(value_info.name), value2=kind.replace('_type', '')))
    tensor_type = value_info.type.tensor_type
    if tensor_type.elem_type and tensor_type.elem_type not in _FLOAT_TYPES:
        from onnx import TensorProto

        kind = TensorProto.DataType.Name(tensor_type.elem_type).lower() if tensor_type.elem_type in \
            TensorProto.DataType.values() else str(tensor_type.elem_type)
        raise ModelError(_("{name}: the graph's {role} {value} holds {kind}; an MLP computes with floating-point numbers "
                            "(float, double)").format(
            name=name, role=_WORDS[role], value=_short(value_info.name), kind=kind))
    if tensor_type.HasField("shape") and len(tensor_type.shape.dim) not in (1, 2):
        rank = len(tensor_type.shape.dim)
        raise ModelError(_("{name}: the graph's {role} {value} has rank {rank}; an MLP maps a point (rank 1) or a batch of rows "
                            "(rank 2)").format(
            name=name, role=_WORDS[role], value=_short(value_info.name), rank=rank))


def _declared_width(value_info) -> int | None:
    tensor_type = value_info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    dims = tensor_type.shape.dim
    if len(dims) >= 1 and dims[-1].HasField("dim_value"):
        return int(dims[-1].dim_value)
    return None


def _onnx_affine(name, where, op, node, attrs, constants, current, layout, width):
    """The Affine a Gemm / MatMul / Add node applies to each point, and the layout of its result."""
    if op == "Add":
        a, b = node.input[0], node.input[1]
        c = constants[b] if a == current else constants[a]
        if width is None:
            raise ModelError(_("{name}: {where}: adds a constant before the width of {current} is known (declare the input's shape)").format(
                name=name, where=where, current=repr(current)))
        return Affine.translation(_broadcast_bias(name, where, c, 1.0, width, layout)), layout
    if op == "MatMul":
        alpha, beta, trans_a, trans_b, C = 1.0, 0.0, 0, 0, None
    else:
        alpha = _number(name, where, attrs, "alpha", 1.0, float)
        beta = _number(name, where, attrs, "beta", 1.0, float)
        trans_a = _number(name, where, attrs, "transA", 0, int)
        trans_b = _number(name, where, attrs, "transB", 0, int)
        C = constants[node.input[2]] if len(node.input) > 2 and node.input[2] else None
    A_name, B_name = node.input[0], node.input[1]
    if current not in (A_name, B_name):
        raise ModelError(_("{name}: {where}: the running tensor {current} is the bias C, not one of the factors A, B").format(
            name=name, where=where, current=repr(current)))
    if A_name == current:
        # Y = alpha X op(B) + beta C: the batch is op(A)'s rows, so A must be X itself or X^T transposed back
        needed = "cols" if trans_a else "rows"
        if layout != needed:
            raise ModelError(_("{name}: {where}: reads the batch {value} but it runs {layout}").format(
                name=name, where=where, value=_WORDS["transposed" if trans_a else "as is"], layout=_WORDS[layout]))
        B = constants[B_name]
        if B.ndim != 2:
            raise ModelError(_("{name}: {where}: the weight {B_name} must be a matrix, got shape {shape}").format(
                name=name, where=where, B_name=repr(B_name), shape=B.shape))
        op_B = B.T if trans_b else B                      # (in, out)
        W = alpha * op_B.T                                 # (out, in)
        bias = _broadcast_bias(name, where, C, beta, W.shape[0], "rows")
        return Affine(W, bias), "rows"
    # the weight comes first: Y = alpha op(A) X^T + beta C, the batch runs along Y's columns
    needed = "rows" if trans_b else "cols"
    if layout != needed:
        raise ModelError(_("{name}: {where}: reads the batch {value} but it runs {layout}").format(
            name=name, where=where, value=_WORDS["transposed" if trans_b else "as is"], layout=_WORDS[layout]))
    A = constants[A_name]
    if A.ndim != 2:
        raise ModelError(_("{name}: {where}: the weight {A_name} must be a matrix, got shape {shape}").format(
            name=name, where=where, A_name=repr(A_name), shape=A.shape))
    W = alpha * (A.T if trans_a else A)                    # (out, in)
    bias = _broadcast_bias(name, where, C, beta, W.shape[0], "cols")
    return Affine(W, bias), "cols"


def _broadcast_bias(name, where, C, beta, n_out, layout) -> np.ndarray:
    """``beta * C`` as a bias of shape (out,), if C adds the same vector to every point of the batch.

    With the batch along rows the result is (batch, out), so C must broadcast to one row
    (1, out); along columns it is (out, batch), so C must broadcast to one column (out, 1).
    """
    if C is None or beta == 0.0:
        return np.zeros(n_out)
    C = np.asarray(C, dtype=np.float64)
    one_point = (1, n_out) if layout == "rows" else (n_out, 1)
    try:
        flat = np.broadcast_to(C, one_point).reshape(n_out)
    except ValueError:
        raise ModelError(
            _("{name}: {where}: a bias of shape {shape} does not add one value per output to every point "
               "(out={n_out}, batch {layout}; expected a shape that broadcasts to {one_point})").format(
                name=name, where=where, shape=C.shape, n_out=n_out, layout=_WORDS[layout], one_point=one_point)
        ) from None
    return beta * flat


def _onnx_activation(name, where, op, attrs, layout, opset):
    if op == "Relu":
        return act.get("relu")
    if op == "Sigmoid":
        return act.get("sigmoid")
    if op == "Tanh":
        return act.get("tanh")
    if op == "LeakyRelu":
        # ONNX stores the float attribute as float32: take the shortest decimal that rounds to it (0.2, not 0.2000000029)
        return act.get("leaky_relu", alpha=float(str(np.float32(_number(name, where, attrs, "alpha", 0.01, float)))))
    # Softmax: the axis must be the feature axis (1 / -1 with rows, 0 / -2 with columns; rank 2).
    # Before opset 13 the input was flattened to 2D at `axis` (default 1), which for rank 2 and
    # axis 1 is the same row-wise softmax; axis 0 then meant "over everything".
    axis = _number(name, where, attrs, "axis", -1 if opset >= 13 else 1, int)
    feature_axes = (1, -1) if layout == "rows" else ((0, -2) if opset >= 13 else ())
    if axis not in feature_axes:
        raise ModelError(_("{name}: {where}: softmax over axis {axis} mixes points of the batch; expected the feature axis").format(
            name=name, where=where, axis=axis))
    return act.get("softmax")
