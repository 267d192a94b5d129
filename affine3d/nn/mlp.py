"""A multilayer perceptron built from :class:`~affine3d.Affine` maps: ``F = σ_k ∘ F_k ∘ … ∘ σ_1 ∘ F_1``.

One neuron computes ``y_i = σ(Σ_j w_ij x_j + b_i)``; a layer of them is ``y = σ(W x + b)``, and
``x -> W x + b`` is exactly the affine map that moves a polyhedron in the renderer. So a
:class:`Layer` here *is* an :class:`~affine3d.Affine` (the same object, not a copy) plus an
activation, and a network is a list of layers.

Weights use PyTorch's and ONNX Gemm's layout: ``W`` has shape ``(out, in)``, so a layer is
``Affine(W, b)`` and a batch of rows goes through as ``X @ W.T + b``.

Examples
--------
>>> from affine3d import Affine
>>> F1 = Affine([[1.0, -1.0], [0.5, 0.5]], [0.0, -1.0])
>>> net = MLP([(F1, "relu"), (Affine([[1.0, 1.0]]), "identity")])
>>> net(np.array([2.0, 1.0]))
array([1.5])
>>> net.layers[0].affine is F1          # the layer is the Affine object itself
True
>>> [step.name for step in net.trace(np.array([2.0, 1.0]))]
['x', 'z1 = W1 x + b1', 'a1 = relu(z1)', 'z2 = W2 a1 + b2', 'y = identity(z2)']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, NamedTuple

import numpy as np

from .. import _fast
from . import activations as act
from . import files
from .activations import Activation
from ..affine import FLOAT32_RTOL, MAX_BUILT_ENTRIES, Affine, compose
from ..errors import AffineError, ModelError, one_line, shown
from ..i18n import _, prose_number

__all__ = ["MLP", "Layer", "TraceStep"]

@dataclass(frozen=True)
class Layer:
    """One layer ``x -> σ(W x + b)``: an :class:`Affine` (``A = W``, shape (out, in); ``b``) and an activation."""

    affine: Affine
    activation: Activation

    @property
    def W(self) -> np.ndarray:
        """The weights, shape (out, in), float64, read-only: the Affine's ``A``."""
        return self.affine.A

    @property
    def b(self) -> np.ndarray:
        """The biases, shape (out,), float64, read-only: the Affine's ``b``."""
        return self.affine.b

    def __call__(self, x) -> np.ndarray:
        """``σ(W x + b)`` for one point (in,) or rows (N, in)."""
        z = self.affine(x)
        return self.activation(z, out=z)


class TraceStep(NamedTuple):
    """One intermediate value of a forward pass (see :meth:`MLP.trace`)."""

    name: str          # e.g. "z2 = W2 a1 + b2" or "a2 = relu(z2)"
    layer: int         # 1-based layer number; 0 for the input
    kind: str          # "input", "affine" or "activation"
    value: np.ndarray  # shape (width,) or (N, width), the input's float dtype


class MLP:
    """A multilayer perceptron: layers applied in order, each ``σ_i(F_i(x))`` with ``F_i`` an Affine.

    Parameters
    ----------
    layers : iterable
        Each a :class:`Layer`, a pair ``(Affine, activation)`` (activation: a name such as ``"relu"``,
        a dict such as ``{"name": "leaky_relu", "alpha": 0.1}``, or an :class:`Activation`), or an
        ``Affine`` alone (identity activation). Layer ``i`` must take the width layer ``i - 1`` returns.
    metadata : dict, optional
        Free-form, JSON-serialisable facts about the model (what it was trained on, a description);
        kept by the model files.

    Raises
    ------
    ModelError
        Layers whose shapes do not chain, or an unknown activation; the message names the layer
        (1-based, as ``F_1`` in the lecture) and the shapes.
    """

    def __init__(self, layers: Iterable, metadata: dict | None = None):
        built: list[Layer] = []
        for i, spec in enumerate(layers, start=1):
            built.append(_as_layer(i, spec))
        if not built:
            raise ModelError(_("layers: expected at least one layer, got none"))
        for i in range(1, len(built)):
            prev, cur = built[i - 1].affine, built[i].affine
            if cur.dim_in != prev.dim_out:
                raise ModelError(
                    _("layer {value}: W has shape {shape} so it takes R^{dim_in}, but layer {i} returns R^{dim_out} (its W "
                       "has shape {shape2}); shapes must chain as (h{i}, in) -> (h{value}, h{i})").format(
                        value=i + 1, shape=cur.A.shape, dim_in=cur.dim_in, i=i, dim_out=prev.dim_out, shape2=prev.A.shape)
                )
        self._layers = tuple(built)
        self._dim_in, self._dim_out = built[0].affine.dim_in, built[-1].affine.dim_out
        self._shape_in, self._shape_out = (self._dim_in,), (self._dim_out,)
        self.metadata = dict(metadata or {})
        self._fast = _fast.ForwardPass([(l.affine.A, l.affine.b, l.activation) for l in built])
        self._typed: dict = {}  # dtype -> the layers' (W.T, b, σ) for the readable forward pass (see _weights)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_arrays(cls, weights, biases=None, activations="identity", metadata: dict | None = None) -> "MLP":
        """A network from weight matrices ``W_i`` (shape (out, in)), biases ``b_i`` and activation names.

        ``biases`` None means zeros; ``activations`` is one name for every layer or a list with one
        entry per layer. Non-finite weights raise ModelError naming the layer and the entry.

        Examples
        --------
        >>> MLP.from_arrays([np.eye(2), [[1.0, 1.0]]], activations=["relu", "identity"]).sizes
        [2, 2, 1]
        """
        weights = list(weights)
        biases = [None] * len(weights) if biases is None else list(biases)
        if len(biases) != len(weights):
            raise ModelError(_("biases: expected one per layer ({count}), got {count2}").format(
                count=len(weights), count2=len(biases)))
        if isinstance(activations, (str, dict, Activation)) or activations is None:
            activations = [activations] * len(weights)
        activations = list(activations)
        if len(activations) != len(weights):
            raise ModelError(_("activations: expected one per layer ({count}), got {count2}").format(
                count=len(weights), count2=len(activations)))
        layers = []
        for i, (W, b, a) in enumerate(zip(weights, biases, activations), start=1):
            layers.append(Layer(_affine_for_layer(i, W, b), _activation_for_layer(i, a)))
        return cls(layers, metadata)

    @classmethod
    def random(cls, sizes, activation="relu", output="identity", seed: int = 0, metadata: dict | None = None) -> "MLP":
        """A freshly initialised network with widths ``sizes`` (``[in, h1, ..., out]``), ready to train.

        Hidden layers use ``activation``, the last one ``output``. Weights are Gaussian with
        variance 2/in (He, for the ReLU family) or 1/in (LeCun, otherwise), biases zero; the same
        ``seed`` gives the same network.

        Examples
        --------
        >>> MLP.random([3, 64, 64, 3]).sizes
        [3, 64, 64, 3]
        """
        original = sizes = list(sizes) if isinstance(sizes, Iterable) else [sizes]
        try:
            sizes = [int(s) for s in sizes if s == int(s)] if all(not isinstance(s, bool) for s in sizes) else []
        except (TypeError, ValueError, OverflowError):
            sizes = []
        if len(sizes) != len(original):
            raise ModelError(_("sizes: expected whole numbers [in, ..., out], got {original}").format(
                original=shown(original)))
        if len(sizes) < 2 or min(sizes) < 1:
            raise ModelError(_("sizes: expected [in, ..., out] with at least two positive widths, got {sizes}").format(
                sizes=shown(sizes)))
        n_parameters = sum(n_out * (n_in + 1) for n_in, n_out in zip(sizes[:-1], sizes[1:]))
        if n_parameters > MAX_BUILT_ENTRIES:
            count = prose_number(n_parameters) if n_parameters < 10**30 else _("more than 10^30")
            raise ModelError(_("sizes: {sizes} would have {count} parameters; MLP.random makes at most {limit} (512 MiB of float64)").format(
                sizes=shown(sizes), count=count, limit=prose_number(MAX_BUILT_ENTRIES)))
        rng = np.random.default_rng(seed)
        hidden, last = act.get(activation), act.get(output)
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            a = last if i == len(sizes) - 1 else hidden
            gain = 2.0 if a.name in ("relu", "leaky_relu") else 1.0
            W = rng.standard_normal((n_out, n_in)) * np.sqrt(gain / n_in)
            layers.append(Layer(Affine(W, np.zeros(n_out)), a))
        return cls(layers, metadata)

    def with_weights(self, weights, biases) -> "MLP":
        """The same architecture and metadata with new ``W_i`` and ``b_i`` (what a training step makes)."""
        return MLP.from_arrays(weights, biases, [l.activation for l in self._layers], self.metadata)

    # ------------------------------------------------------------------ shape
    @property
    def layers(self) -> tuple[Layer, ...]:
        return self._layers

    @property
    def affines(self) -> list[Affine]:
        """The layers' affine maps ``F_1, ..., F_k`` (the very objects, in the order they are applied)."""
        return [l.affine for l in self._layers]

    @property
    def sizes(self) -> list[int]:
        """Widths ``[in, h1, ..., out]``."""
        return [self._layers[0].affine.dim_in] + [l.affine.dim_out for l in self._layers]

    @property
    def dim_in(self) -> int:
        return self._dim_in

    @property
    def dim_out(self) -> int:
        return self._dim_out

    @property
    def n_parameters(self) -> int:
        """Number of weights and biases: ``Σ out_i * (in_i + 1)``."""
        return sum(l.affine.dim_out * (l.affine.dim_in + 1) for l in self._layers)

    def architecture(self) -> dict:
        """JSON-serialisable description: widths and activations per layer (what model files store beside the tensors)."""
        return {
            "sizes": self.sizes,
            "layers": [
                {"in": l.affine.dim_in, "out": l.affine.dim_out, "activation": l.activation.to_dict()} for l in self._layers
            ],
        }

    # ------------------------------------------------------------------ forward pass
    def __call__(self, X, out: np.ndarray | None = None) -> np.ndarray:
        """The network's output for one point ``X`` of shape (in,) or a batch (N, in) -> (out,) or (N, out).

        Layer after layer, ``a = σ(W a + b)``. Float32 stays float32 and float64 stays float64
        (integers become float64). ``out``, if given, receives the result (shape and dtype as the
        result's). A batch of at least :data:`affine3d._fast.MIN_ROWS` rows (N, in) in float32 or
        float64 goes through ``affine3d/_fast.py``, which computes the same sums without temporaries;
        anything smaller (one point, a scene's mesh, a demo's data) runs the loop below.
        """
        if type(X) is not np.ndarray or X.dtype.char not in "fd" or X.shape[-1:] != self._shape_in or X.ndim > 2:
            X = self._check_input(X)  # anything but a float32/float64 array (in,) or (N, in): converted or refused
        if out is not None and (not isinstance(out, np.ndarray) or out.dtype != X.dtype
                                or out.shape != X.shape[:-1] + self._shape_out):
            self._refuse_out(X, out)
        if len(X) >= _fast.MIN_ROWS and X.ndim == 2 and X.dtype.char in _fast.FAST_DTYPES:
            # many rows: the same sums, without temporaries
            packed = out is not None and out.flags.c_contiguous
            result = out if packed else np.empty((X.shape[0], self._dim_out), X.dtype)
            self._fast(X, result)
            if out is None or packed:
                return result
            np.copyto(out, result)  # a strided view gets the packed result copied in
            return out
        hidden, last = self._weights(X.dtype)
        one_row = X.ndim == 2 and len(X) == 1  # a (1, in) batch runs as the vector (in,): numpy's 1-D steps are quicker
        y = out if out is not None and out.flags.c_contiguous else np.empty(X.shape[:-1] + self._shape_out, X.dtype)
        a = X[0] if one_row else X
        for W_T, b, activation in hidden:      # W_T: W.T, made once (see _weights)
            z = a @ W_T                        # W a for every row a (the layer's Affine: F(a) = W a + b)
            z += b
            a = activation(z, out=z)           # σ(z), in place
        W_T, b, activation = last              # the last layer: the same lines, its product written into y
        z = np.matmul(a, W_T, out=y[0] if one_row else y)
        z += b
        activation(z, out=z)
        if out is None or y is out:
            return y
        np.copyto(out, y)                      # a strided out gets the result copied in
        return out

    def trace(self, X) -> list[TraceStep]:
        """Every intermediate value of the forward pass, named as on the blackboard.

        ``x``, then for each layer ``i`` the affine step ``z_i = W_i a_{i-1} + b_i`` and the
        activation ``a_i = σ_i(z_i)`` (the last one is called ``y``). Each value is a new array.
        """
        X = self._check_input(X)
        steps = [TraceStep("x", 0, "input", X.copy())]
        a, a_name = X, "x"
        n = len(self._layers)
        for i, layer in enumerate(self._layers, start=1):
            z = layer.affine(a)
            steps.append(TraceStep(f"z{i} = W{i} {a_name} + b{i}", i, "affine", z))
            y = layer.activation(z)
            a_name = "y" if i == n else f"a{i}"
            steps.append(TraceStep(f"{a_name} = {layer.activation}(z{i})", i, "activation", y))
            a = y
        return steps

    def collapse(self) -> Affine:
        """The whole network as one :class:`Affine` ``F_k ∘ … ∘ F_1``: possible only when every activation is the identity.

        This is the lecture's warning made concrete: without a non-linearity, depth buys nothing
        — any stack of affine maps is a single affine map (one homogeneous matrix).

        Raises
        ------
        ModelError
            If some layer has a non-linear activation (the message names the first one).
        """
        for i, layer in enumerate(self._layers, start=1):
            if not layer.activation.is_identity:
                raise ModelError(
                    _("layer {i}: activation {activation} is not linear, so the network is not one affine map (only "
                       "networks whose activations are all 'identity' collapse)").format(
                        i=i, activation=layer.activation)
                )
        return compose(self.affines)

    def allclose(self, other: "MLP", atol: float = 1e-9, rtol: float = FLOAT32_RTOL) -> bool:
        """Same architecture and activations, and weights equal up to rounding (:meth:`Affine.allclose`).

        The default ``rtol`` is one float32 step, so a network saved to a file (float32) and loaded
        back is ``allclose`` to the one in memory; ``==`` compares exactly.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> net = MLP.random([3, 8, 2], seed=0)
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "net.safetensors"
        >>> net.save(path)
        >>> loaded = MLP.load(path)
        >>> net.allclose(loaded), net == loaded            # float32 in the file: close, not identical
        (True, False)
        """
        if not isinstance(other, MLP):
            raise ModelError(_("other: expected an MLP, got {type}").format(type=type(other).__name__))
        return len(self._layers) == len(other._layers) and all(
            a.activation == b.activation and a.affine.allclose(b.affine, atol, rtol)
            for a, b in zip(self._layers, other._layers)
        )

    def __eq__(self, other) -> bool:
        """The same layers: shapes, activations and exactly the same weights (metadata aside)."""
        if not isinstance(other, MLP):
            return NotImplemented
        return self._layers == other._layers

    def __hash__(self) -> int:
        return hash(self._layers)

    # ------------------------------------------------------------------ files (see affine3d.nn.files)
    def save(self, path, *, dtype="float32") -> None:
        """Write the model to ``path``: ``.safetensors``, ``.npz`` or ``.onnx`` (by suffix); a folder: :meth:`save_pretrained`."""
        files.save(self, path, dtype=dtype)

    @classmethod
    def load(cls, path, *, activations=None) -> "MLP":
        """Read a model file or folder: what :meth:`save` or :meth:`save_pretrained` wrote, an ONNX MLP, or a PyTorch state dict.

        Parameters
        ----------
        path : str or os.PathLike
            ``.safetensors``, ``.npz``, ``.onnx``, or a folder with ``config.json`` and ``model.safetensors``.
            A ``.safetensors`` file without affine3d's architecture is read as a PyTorch state dict of
            ``nn.Linear`` layers (``0.weight``, ``layers.0.weight`` or ``fc1.weight`` names).
        activations : list or str, optional
            One per layer (``["tanh", "tanh", "identity"]`` or ``"tanh,tanh,identity"``): what a state
            dict does not store. For a file that names its own, they must agree.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> from safetensors.numpy import save_file
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "state_dict.safetensors"
        >>> save_file({"0.weight": np.eye(3, dtype=np.float32), "0.bias": np.ones(3, np.float32)}, str(path))
        >>> MLP.load(path, activations=["relu"])(np.array([-2.0, 0.0, 2.0]))
        array([0., 1., 3.])
        """
        return cls._from_file(files.as_path(path), files.load(path, activations))

    def save_pretrained(self, folder, *, dtype="float32", push_to_hub: str | None = None) -> None:
        """Write the Hugging Face folder: ``config.json``, ``model.safetensors`` (PyTorch's names) and ``README.md`` (the card).

        The tensors are named as ``nn.Sequential(nn.Linear, activation, nn.Linear, ...)`` names them
        (``0.weight``, ``0.bias``, ``2.weight``, ...), so PyTorch's ``load_state_dict`` takes the file
        as it is; the card's code shows the module. ``push_to_hub`` (a repository id) then uploads
        the folder (needs ``pip install 'affine3d[hub]'`` and a login).
        """
        files.save_pretrained(self, folder, dtype=dtype)
        if push_to_hub is not None:
            from .files.hub import push_folder

            push_folder(folder, push_to_hub)

    @classmethod
    def from_pretrained(cls, folder_or_repo, *, revision: str | None = None) -> "MLP":
        """Read a folder written by :meth:`save_pretrained`, or a Hub repository id (``user/name``) with huggingface_hub.

        A local folder needs nothing beyond affine3d; a repository id needs ``pip install 'affine3d[hub]'``
        and the network (or the Hub's local cache), and is refused in one line when neither has it.
        """
        from .files.hub import resolve

        return cls.load(resolve(folder_or_repo, revision=revision))

    def push_to_hub(self, repo_id: str, *, private: bool = False, commit_message: str = "affine3d model") -> str:
        """Upload this model as a Hugging Face folder to ``repo_id`` (huggingface_hub and a login needed); the commit's URL."""
        import tempfile

        from .files.hub import push_folder

        with tempfile.TemporaryDirectory() as folder:
            files.save_pretrained(self, folder)
            return push_folder(folder, repo_id, private=private, commit_message=commit_message)

    def widget(self, scene="platonic", **options):
        """A live notebook widget: this network warping ``scene`` (:func:`affine3d.notebook.show`, ``affine3d[notebook]``)."""
        return _WIDGET_MAKER["widget"](scene, mlp=self, **options)

    def to_onnx(self, path) -> None:
        """Write an ONNX graph, one ``Gemm(x, W, b, transB=1)`` (+ activation) per layer; needs the ``onnx`` package."""
        files.save_onnx(self, path)

    @classmethod
    def from_onnx(cls, path) -> "MLP":
        """Read an ONNX graph of Gemm / MatMul + Add and activations; needs the ``onnx`` package."""
        return cls._from_file(files.as_path(path), files.load_onnx(files.as_path(path)))

    @classmethod
    def _from_file(cls, path: Path, model: "files.Model") -> "MLP":
        """The network of a file's layers; a layer that is wrong, or layers that do not chain, name the file."""
        weights, biases, activations = zip(*model.layers)
        try:
            return cls.from_arrays(weights, biases, activations, model.metadata)
        except ModelError as exc:
            raise ModelError(f"{path.name}: {exc}") from None

    # ------------------------------------------------------------------ printing
    def __repr__(self) -> str:
        lines = [f"MLP {' -> '.join(str(s) for s in self.sizes)}  ({self.n_parameters:,} parameters)"]
        for i, layer in enumerate(self._layers, start=1):
            W = layer.affine.A
            lines.append(f"  layer {i}: W{i} {W.shape[0]}x{W.shape[1]}, b{i} ({W.shape[0]},), {layer.activation}")
        return "\n".join(lines)

    # ------------------------------------------------------------------ internals
    def _refuse_out(self, X: np.ndarray, out) -> None:
        shape = X.shape[:-1] + (self._dim_out,)
        got = (out.shape, out.dtype) if isinstance(out, np.ndarray) else type(out).__name__
        raise ModelError(_("out: expected shape {shape} and dtype {dtype}, got {got}").format(
            shape=shape, dtype=X.dtype, got=got))

    def _check_input(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind != "f":
            if not (np.issubdtype(X.dtype, np.integer) or X.dtype == np.bool_):
                raise ModelError(_("input: expected an array of numbers, got dtype {dtype}").format(dtype=X.dtype))
            X = X.astype(np.float64)
        if X.ndim == 0 or X.ndim > 2 or X.shape[-1] != self._dim_in:
            raise ModelError(
                _("input: expected shape ({dim_in},) or (N, {dim_in}) (layer 1 has W of shape {shape}), got {shape2}").format(
                    dim_in=self.dim_in, shape=self._layers[0].affine.A.shape, shape2=X.shape)
            )
        return X

    def _weights(self, dtype) -> tuple[list, tuple]:
        """Each layer's ``(W.T, b, σ)`` in the input's float type (float32 copies are made once, by the layer's Affine),
        as the hidden layers' list and the last layer's triple.

        ``W.T`` is made here once, not at every call. A layer 32 or more wide keeps it as a contiguous copy:
        BLAS reads ``a @ W.T`` row by row then, up to a third faster than through a transposed view (same
        numbers). ``σ`` is the activation's plain function (:attr:`Activation.function`), looked up once.
        """
        weights = self._typed.get(dtype)
        if weights is None:
            weights = []
            for layer in self._layers:
                W, b = layer.affine._in_dtype(dtype)
                weights.append((np.ascontiguousarray(W.T) if W.shape[0] >= 32 else W.T, b, layer.activation.function))
            weights = self._typed[dtype] = (weights[:-1], weights[-1])
        return weights

    def __getstate__(self):
        return {"layers": self._layers, "metadata": self.metadata}

    def __setstate__(self, state):
        self._layers = state["layers"]
        self._dim_in, self._dim_out = self._layers[0].affine.dim_in, self._layers[-1].affine.dim_out
        self._shape_in, self._shape_out = (self._dim_in,), (self._dim_out,)
        self.metadata = state["metadata"]
        self._fast = _fast.ForwardPass([(l.affine.A, l.affine.b, l.activation) for l in self._layers])
        self._typed = {}


def _as_layer(i: int, spec) -> Layer:
    if isinstance(spec, Layer):
        return spec
    if isinstance(spec, Affine):
        return Layer(spec, act.get("identity"))
    if isinstance(spec, (tuple, list)) and len(spec) == 2 and isinstance(spec[0], Affine):
        return Layer(spec[0], _activation_for_layer(i, spec[1]))
    raise ModelError(_("layer {i}: expected a Layer, an Affine or a pair (Affine, activation), got {type}").format(
        i=i, type=type(spec).__name__))


def _activation_for_layer(i: int, spec) -> Activation:
    try:
        return act.get(spec)
    except ModelError as exc:
        raise ModelError(_("layer {i}: {exc}").format(i=i, exc=exc)) from None


def _affine_for_layer(i: int, W, b) -> Affine:
    """``Affine(W, b)`` with errors that name the layer: shapes and non-finite entries."""
    for name, array in (("W", W), ("b", b)):
        if array is not None and np.asarray(array).dtype.kind == "c":  # casting would drop the imaginary part
            raise ModelError(_("layer {i}: {name}{i} holds complex numbers; a layer's weights are real").format(
                i=i, name=name))
    try:
        W = np.array(W, dtype=np.float64)
        b = None if b is None else np.array(b, dtype=np.float64)
    except OverflowError:  # a Python int beyond float64's range
        raise ModelError(_("layer {i}: weights must be within float64's range (about 1.8e308); got a larger integer").format(
            i=i)) from None
    except (TypeError, ValueError) as exc:
        detail = one_line(exc)
        raise ModelError(_("layer {i}: weights are not arrays of numbers ({detail})").format(i=i, detail=detail)) from None
    if W.ndim != 2 or 0 in W.shape:
        raise ModelError(_("layer {i}: W must be a matrix of shape (out, in), got shape {shape}").format(
            i=i, shape=W.shape))
    if b is not None and b.shape != (W.shape[0],):
        raise ModelError(_("layer {i}: b must have shape ({shape},) to match W of shape {shape2}, got {shape3}").format(
            i=i, shape=W.shape[0], shape2=W.shape, shape3=b.shape))
    for name, array in (("W", W), ("b", b)):
        if array is not None and not np.all(np.isfinite(array)):
            where = tuple(int(k) for k in np.argwhere(~np.isfinite(array))[0])
            raise ModelError(
                _("layer {i}: {name}{i} (shape {shape}) has a non-finite entry {array} at index {where}").format(
                    i=i, name=name, shape=array.shape, array=array[where], where=where)
            )
    try:
        return Affine(W, b)
    except AffineError as exc:  # pragma: no cover - the checks above cover Affine's
        raise ModelError(_("layer {i}: {exc}").format(i=i, exc=exc)) from None


_WIDGET_MAKER: dict = {}


def set_widget_maker(make_widget) -> None:
    """Say how ``MLP.widget(...)`` makes a notebook widget, ``make_widget(scene, mlp=..., **options)``: the ``affine3d``
    package hands it :func:`affine3d.notebook.show` (nn knows no browser code; imports point down)."""
    _WIDGET_MAKER["widget"] = make_widget
