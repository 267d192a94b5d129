"""Private fast path of the trainer: one optimizer step on flat parameter arrays, no temporaries.

:func:`affine3d.nn.train.loss_and_gradients` and the optimizers in :mod:`affine3d.nn.train` read as the
maths (a list of layers, a list of gradients, a loop over parameters). :class:`Training` hands its steps
to :class:`Step`, which computes the same numbers faster. Nothing here is part of the API; its tests are
the trainer's own (the step equals ``loss_and_gradients`` followed by the readable optimizer) and
``affine3d bench train`` measures it against PyTorch.

The tricks, each measured by that benchmark:

- One flat parameter vector: every ``W_i`` and ``b_i`` is a view into one contiguous float64 array, and
  every gradient a view into another of the same layout. The optimizer's update (Adam: about ten array
  operations) then runs once on a few hundred numbers instead of once per parameter array.
- Kept buffers: the pre-activations ``z_i``, activations ``a_i`` and the backward pass's ``dL/dz_i`` live
  in arrays made once per batch size; every product writes into them (``np.matmul(..., out=...)``) and the
  bias, activation and derivative are applied in place.
- Column sums as products: ``dL/db_i = Σ_rows dL/dz_i`` is ``1ᵀ (dL/dz_i)``, one BLAS call, instead of a
  reduction over a narrow axis.
- One thread per BLAS call: rows go in blocks small enough that OpenBLAS never splits a product, a bias
  sum or the loss's dot product over threads (:func:`block_rows`, :func:`dot`): for a small network the
  threads cost more than they save, and on a busy machine 20 times more.

:class:`affine3d.nn.train.Training` uses this module only for steps of at least
:data:`affine3d._fast.MIN_ROWS` rows; smaller ones run the readable maths.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FlatParameters", "Step", "Adam", "SGD", "block_rows", "dot"]


class FlatParameters:
    """Every layer's ``W_i`` (out, in) and ``b_i`` (out,) as views into one flat float64 vector.

    Parameters
    ----------
    shapes : list of (out, in)
        The weight shapes, layer by layer.
    """

    def __init__(self, shapes):
        self.shapes = [tuple(s) for s in shapes]
        sizes = [o * i + o for o, i in self.shapes]
        self.size = int(sum(sizes))
        self.flat = np.zeros(self.size)
        self.weights, self.biases = self.views(self.flat)

    def views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(weights, biases)``: views of ``flat`` in this layout (the same for parameters and gradients)."""
        weights, biases, at = [], [], 0
        for out, n_in in self.shapes:
            weights.append(flat[at: at + out * n_in].reshape(out, n_in))
            at += out * n_in
            biases.append(flat[at: at + out])
            at += out
        return weights, biases


class Adam:
    """Adam on one flat vector: ``m``, ``v`` and the step as whole-vector operations, in place.

    The same formula as ``affine3d.nn.train._Adam``: ``p -= lr (m / c1) / (sqrt(v / c2) + eps)``.
    """

    def __init__(self, size: int, lr: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m, self.v = np.zeros(size), np.zeros(size)
        self._a, self._b = np.empty(size), np.empty(size)
        self.t = 0

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        self.t += 1
        c1, c2 = 1 - self.beta1**self.t, 1 - self.beta2**self.t
        m, v, a, b = self.m, self.v, self._a, self._b
        m *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=a)
        m += a
        v *= self.beta2
        np.multiply(grad, 1 - self.beta2, out=a)
        a *= grad
        v += a
        np.divide(v, c2, out=b)                 # sqrt(v / c2) + eps
        np.sqrt(b, out=b)
        b += self.eps
        np.divide(m, c1, out=a)                 # lr * (m / c1) / (...)
        a *= self.lr
        a /= b
        params -= a


class SGD:
    """Heavy-ball momentum on one flat vector: ``v = μ v - lr g;  p = p + v``."""

    def __init__(self, size: int, lr: float, momentum: float):
        self.lr, self.momentum = lr, momentum
        self.velocity = np.zeros(size)
        self._a = np.empty(size)

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        v = self.velocity
        v *= self.momentum
        np.multiply(grad, self.lr, out=self._a)
        v -= self._a
        params += v


# OpenBLAS splits a call over threads once it is big enough: a matrix product (gemm) above 2^18
# multiply-adds, a matrix-vector product (gemv) from 9216 entries of the matrix on, a dot product above
# 10 000 numbers. For the thin matrices of a small network the threads cost more than they save, and on a
# busy machine far more (a threaded ddot of 12 000 numbers: 8 ms on two busy cores instead of 0.01 ms).
# Batches are therefore taken in blocks of rows small enough for every BLAS call to stay on one thread:
# the products (rows x in x out), the bias gradients and softmax sums (rows x out), the loss (rows x out).
SINGLE_THREAD_PRODUCT = 1 << 18
"""Most multiply-adds of a matrix product (gemm) that OpenBLAS runs on one thread."""
SINGLE_THREAD_VECTOR_PRODUCT = 9216 - 1
"""Most entries of the matrix of a matrix-vector product (gemv) that OpenBLAS runs on one thread
(a dot product stays on one thread up to 10 000 numbers, more than this)."""
MIN_BLOCK_ROWS = 256
"""Fewest rows per block: below this the Python work per block (some 50 numpy calls) would dominate."""


DOT_CHUNK = 8192
"""Numbers per BLAS dot product in :func:`dot`: fewer than the 10 000 above which OpenBLAS threads it."""


def dot(u: np.ndarray, v: np.ndarray) -> float:
    """``Σ u_k v_k`` over two contiguous arrays of the same size, as dot products of at most :data:`DOT_CHUNK` numbers.

    The loss is one number from all of a block's outputs; OpenBLAS would split a long dot product over
    threads, which costs far more than it saves here (see :data:`SINGLE_THREAD_PRODUCT`).
    """
    u, v = u.reshape(-1), v.reshape(-1)
    if u.size <= DOT_CHUNK:
        return float(np.dot(u, v))
    return float(sum(np.dot(u[k: k + DOT_CHUNK], v[k: k + DOT_CHUNK]) for k in range(0, u.size, DOT_CHUNK)))


def block_rows(shapes) -> int:
    """Rows per block for layers of weight shapes ``(out, in)``: a power of two, at least :data:`MIN_BLOCK_ROWS`.

    Small enough, for a small network, that every BLAS call stays on one thread: products of
    rows x in x out multiply-adds (:data:`SINGLE_THREAD_PRODUCT`), matrix-vector and dot products over
    rows x out numbers (:data:`SINGLE_THREAD_VECTOR_PRODUCT`). A wide network's blocks are
    :data:`MIN_BLOCK_ROWS` rows: its products are then big enough for threads to pay.
    """
    by_product = SINGLE_THREAD_PRODUCT // max(out * n_in for out, n_in in shapes)
    by_vector = SINGLE_THREAD_VECTOR_PRODUCT // max(out for out, _ in shapes)
    return max(MIN_BLOCK_ROWS, 1 << (max(1, min(by_product, by_vector)).bit_length() - 1))


class Step:
    """Forward pass, loss, backward pass and gradient for one batch, into kept buffers.

    Parameters
    ----------
    params : FlatParameters
        The network's weights (read, never written here).
    activations : list of Activation
        One per layer (``name``, ``alpha``, ``__call__``, ``backward``).
    loss : {"mse", "cross_entropy"}
    """

    def __init__(self, params: FlatParameters, activations, loss: str):
        self.params = params
        self.activations = list(activations)
        self.loss = loss
        self.grad = np.zeros(params.size)
        self.grad_weights, self.grad_biases = params.views(self.grad)
        self._partial = np.zeros(params.size)  # a later block's gradient, added to grad
        self._partial_weights, self._partial_biases = params.views(self._partial)
        self.block_rows = block_rows(params.shapes)
        self._rows = -1

    def _buffers(self, rows: int) -> None:
        """Per layer ``z_i``, ``a_i`` (the same array when σ is the identity), ``dL/dz_i`` and a scratch."""
        if rows <= self._rows:
            return
        self._rows = rows
        self._z, self._a, self._g, self._scratch = [], [], [], []
        for (out, n_in), act in zip(self.params.shapes, self.activations):
            z = np.empty((rows, out))
            self._z.append(z)
            self._a.append(z if act.name == "identity" else np.empty((rows, out)))
            self._g.append(np.empty((rows, out)))
            self._scratch.append(np.empty((rows, out)))
        self._ones = np.ones(rows)
        self._ones_out = np.ones(self.params.shapes[-1][0])
        self._row_vectors = [np.empty(rows) for _ in range(3)]

    def __call__(self, X: np.ndarray, T: np.ndarray) -> float:
        """The loss on rows ``X`` (n, in) with targets ``T`` (n, out), float64; fills :attr:`grad`."""
        n = X.shape[0]
        block = min(n, self.block_rows)
        self._buffers(block)
        # mse: mean over all n * out entries; cross-entropy: mean over the n rows
        scale = 1.0 / T.size if self.loss == "mse" else 1.0 / n
        value = 0.0
        for lo in range(0, n, block):
            value += self._block(X[lo: lo + block], T[lo: lo + block], scale, first=lo == 0)
        return value

    def _block(self, X: np.ndarray, T: np.ndarray, scale: float, first: bool) -> float:
        """One block of rows: its share of the loss; its gradient written to (first) or added to :attr:`grad`."""
        rows = X.shape[0]
        weights, biases = self.params.weights, self.params.biases
        n_layers = len(weights)
        last = n_layers - 1
        zs, acts, gs = ([b[:rows] for b in buffers] for buffers in (self._z, self._a, self._g))
        scratch = [b[:rows] for b in self._scratch]
        # forward: z_i = a_{i-1} W_i^T + b_i, a_i = σ_i(z_i)
        a = X
        for i in range(n_layers):
            z = zs[i]
            np.matmul(a, weights[i].T, out=z)
            z += biases[i]
            act = self.activations[i]
            if i == last and self.loss == "cross_entropy":
                break                                    # the loss takes the logits z: softmax is fused in below
            if act.name != "identity":
                act(z, out=acts[i])
            a = acts[i]
        # the loss and dL/dz of the last layer
        gz = gs[last]
        if self.loss == "mse":
            np.subtract(a, T, out=gz)                    # y - t
            value = dot(gz, gz) * scale
            gz *= 2.0 * scale                            # dL/dy
            if self.activations[last].name != "identity":
                self._activation_backward(gz, self.activations[last], zs[last], acts[last], scratch[last])
        else:
            z, shifted = zs[last], scratch[last]
            ones, row_max, sums, weight = self._ones_out, *(v[:rows] for v in self._row_vectors)
            np.copyto(row_max, z[:, 0])                  # max over a few columns: a loop beats a reduction
            for k in range(1, z.shape[1]):
                np.maximum(row_max, z[:, k], out=row_max)
            np.subtract(z, row_max[:, None], out=shifted)
            np.exp(shifted, out=gz)
            np.matmul(gz, ones, out=sums)                # Σ_j e^{s_j}, row by row
            np.matmul(T, ones, out=weight)               # Σ_k t_k (1 for labels)
            np.log(sums, out=row_max)
            # -Σ_k t_k log p_k = (Σ_k t_k) log Σ_j e^{s_j} - Σ_k t_k s_k, with s = z - max z
            value = (dot(row_max, weight) - dot(T, shifted)) * scale
            gz /= sums[:, None]                          # softmax(z)
            gz -= T
            gz *= scale                                  # (p - t) / N
        # backward: dW_i = dz_i^T a_{i-1}, db_i = 1^T dz_i, dL/da_{i-1} = dz_i W_i
        grad_weights = self.grad_weights if first else self._partial_weights
        grad_biases = self.grad_biases if first else self._partial_biases
        for i in range(last, -1, -1):
            gz = gs[i]
            a_prev = X if i == 0 else acts[i - 1]
            np.matmul(gz.T, a_prev, out=grad_weights[i])
            np.matmul(self._ones[:rows], gz, out=grad_biases[i])
            if i == 0:
                break
            np.matmul(gz, weights[i], out=gs[i - 1])
            if self.activations[i - 1].name != "identity":
                self._activation_backward(gs[i - 1], self.activations[i - 1], zs[i - 1], acts[i - 1], scratch[i - 1])
        if not first:
            self.grad += self._partial
        return value

    @staticmethod
    def _activation_backward(g: np.ndarray, act, z: np.ndarray, a: np.ndarray, s: np.ndarray) -> None:
        """``g`` (dL/da) becomes dL/dz in place: times σ'(z), or softmax's row Jacobian (``s``: scratch)."""
        name = act.name
        if name == "tanh":                               # σ' = 1 - a²
            np.multiply(a, a, out=s)
            np.subtract(1.0, s, out=s)
            g *= s
        elif name == "sigmoid":                          # σ' = a (1 - a)
            np.subtract(1.0, a, out=s)
            s *= a
            g *= s
        elif name == "relu":
            np.greater(z, 0, out=s)
            g *= s
        else:                                            # leaky_relu, softmax: the readable version
            np.copyto(g, act.backward(z, a, g))
