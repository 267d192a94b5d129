"""Activation functions ``σ``: the non-linear part of a network layer ``y = σ(W x + b)``.

Each one acts element by element (softmax along the last axis), so it does not care whether a
batch has one point or a million. The lecture's point is what happens *without* them: a stack of
affine maps is one affine map (see :meth:`affine3d.nn.MLP.collapse`).

Every function takes ``z`` (any shape, float32 or float64) and ``out=`` (an array of the same
shape and dtype, which may be ``z`` itself: then no memory is allocated). The derivatives used
by backpropagation (:mod:`affine3d.nn.train`) sit next to them in :class:`Activation`.

Examples
--------
>>> relu(np.array([-1.0, 0.5]))
array([0. , 0.5])
>>> get("leaky_relu", alpha=0.1)(np.array([-1.0, 2.0]))
array([-0.1,  2. ])
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from .. import _fast
from ..errors import ModelError
from ..i18n import _
from ..errors import shown as _short

__all__ = ["Activation", "NAMES", "get", "identity", "relu", "sigmoid", "tanh", "leaky_relu", "softmax"]


def _out(z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    if out is None:
        return np.empty_like(z)
    if out is z:  # in place
        return out
    if out.shape != z.shape or out.dtype != z.dtype:
        raise ModelError(_("out: expected shape {shape} and dtype {dtype}, got {shape2} and {dtype2}").format(
            shape=z.shape, dtype=z.dtype, shape2=out.shape, dtype2=out.dtype))
    return out


def identity(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = z``: a layer with this activation is a plain affine map."""
    out = _out(z, out)
    if out is not z:
        np.copyto(out, z)
    return out


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = max(z, 0)``: the rectified linear unit."""
    return _fast.relu_into(z, _out(z, out))  # np.maximum(z, 0, out=out), in numpy's quickest loop (see there)


def leaky_relu(z: np.ndarray, alpha: float = 0.01, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = z`` for ``z >= 0``, ``alpha * z`` otherwise (ONNX ``LeakyRelu``; usually ``0 < alpha < 1``)."""
    out = _out(z, out)
    scaled = np.multiply(z, z.dtype.type(alpha))
    if 0 <= alpha <= 1:  # then max(z, alpha z) is the definition, without a mask
        return np.maximum(z, scaled, out=out)
    if alpha > 1:
        return np.minimum(z, scaled, out=out)
    return np.copyto(out, np.where(z >= 0, z, scaled)) or out


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = 1 / (1 + e^-z)``, in (0, 1); accurate for large ``|z|`` too (exp overflow gives exactly 0)."""
    out = _out(z, out)
    with np.errstate(over="ignore"):  # e^-z = inf for z << 0, and 1 / (1 + inf) = 0 is the right limit
        np.negative(z, out=out)
        np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z) = tanh z``, in (-1, 1)."""
    return np.tanh(z, out=_out(z, out))


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``σ(z)_i = e^{z_i} / Σ_j e^{z_j}`` along the last axis: each row becomes probabilities summing to 1.

    The row maximum is subtracted first (it cancels in the ratio), so ``e^z`` never overflows.

    Examples
    --------
    >>> softmax(np.array([1.0, 1.0, 1000.0])).round(6)
    array([0., 0., 1.])
    """
    out = _out(z, out)
    np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


_FUNCTIONS = {
    "identity": identity,
    "relu": relu,
    "leaky_relu": leaky_relu,
    "sigmoid": sigmoid,
    "tanh": tanh,
    "softmax": softmax,
}
NAMES = tuple(_FUNCTIONS)


@dataclass(frozen=True)
class Activation:
    """One activation function, by name, with its parameter (only ``leaky_relu`` has one: ``alpha``).

    Calling it applies ``σ``; :meth:`backward` gives ``dL/dz`` from ``dL/dy`` for backpropagation.
    """

    name: str
    alpha: float = 0.01

    def __post_init__(self):
        if self.name not in _FUNCTIONS:
            raise ModelError(_("activation: unknown {value}; expected one of {names}").format(
                value=_short(self.name), names=', '.join(NAMES)))
        if self.name == "leaky_relu":
            alpha = self.alpha
            try:  # an int too large for a float (a 400-digit alpha in a file) is an OverflowError
                finite = not isinstance(alpha, bool) and isinstance(alpha, (int, float)) and math.isfinite(float(alpha))
            except OverflowError:
                finite = False
            if not finite:
                raise ModelError(_("leaky_relu alpha: expected a finite number, got {value}").format(
                    value=_short(alpha)))
            object.__setattr__(self, "alpha", float(alpha))

    @property
    def is_identity(self) -> bool:
        return self.name == "identity"

    @property
    def function(self):
        """The plain function ``f(z, out=None)`` (``alpha`` bound for leaky_relu)."""
        if self.name == "leaky_relu":
            return functools.partial(leaky_relu, alpha=self.alpha)
        return _FUNCTIONS[self.name]

    def __call__(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``σ(z)``; ``out`` may be ``z`` (in place)."""
        if self.name == "leaky_relu":
            return leaky_relu(z, self.alpha, out=out)
        return _FUNCTIONS[self.name](z, out=out)

    def backward(self, z: np.ndarray, y: np.ndarray, grad_y: np.ndarray) -> np.ndarray:
        """``dL/dz`` given the input ``z``, the output ``y = σ(z)`` and ``dL/dy`` (all the same shape).

        Element-wise activations multiply by ``σ'(z)``; softmax, which mixes a row, applies its
        Jacobian ``diag(y) - y yᵀ`` row by row: ``y * (g - <g, y>)``.
        """
        name = self.name
        if name == "identity":
            return grad_y.copy()
        if name == "relu":
            return grad_y * (z > 0)
        if name == "leaky_relu":
            return np.where(z > 0, grad_y, self.alpha * grad_y)
        if name == "sigmoid":
            return grad_y * y * (1 - y)
        if name == "tanh":
            return grad_y * (1 - y * y)
        return y * (grad_y - np.sum(grad_y * y, axis=-1, keepdims=True))  # softmax

    def to_dict(self) -> dict:
        """``{"name": ...}`` plus ``alpha`` for leaky_relu: what model files store."""
        return {"name": self.name, "alpha": self.alpha} if self.name == "leaky_relu" else {"name": self.name}

    def __str__(self) -> str:
        return f"leaky_relu(alpha={self.alpha:g})" if self.name == "leaky_relu" else self.name


def get(spec="identity", **params) -> Activation:
    """An :class:`Activation` from a name (``"relu"``), a dict (``{"name": "leaky_relu", "alpha": 0.1}``),
    an Activation, or None (identity). Unknown names raise ModelError listing the valid ones."""
    if spec is None:
        return Activation("identity")
    if isinstance(spec, Activation):
        return spec
    if isinstance(spec, dict):
        params = {**{k: v for k, v in spec.items() if k != "name"}, **params}
        spec = spec.get("name")
    if not isinstance(spec, str):
        raise ModelError(_("activation: expected a name such as 'relu', got {value}").format(value=_short(spec)))
    if spec not in _FUNCTIONS:
        raise ModelError(_("activation: unknown {value}; expected one of {names}").format(
            value=_short(spec), names=', '.join(NAMES)))
    unknown = set(params) - ({"alpha"} if spec == "leaky_relu" else set())
    if unknown:
        raise ModelError(_("activation {spec}: unexpected parameter(s) {value}").format(
            spec=repr(spec), value=_short(', '.join(sorted(map(str, unknown))))))
    return Activation(spec, **params)

