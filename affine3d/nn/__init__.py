"""Neural networks as affine maps with activations between: the MLP, its trainer, its files, its stages.

Numpy only (ONNX files need the optional ``onnx`` package). Inside this package imports point one
way: ``activations`` <- ``files`` <- ``mlp`` <- ``train``, ``morph``, ``inspect``.
"""

from .activations import Activation
from .mlp import MLP, Layer, TraceStep
from .train import TrainResult, accuracy, fit

__all__ = ["MLP", "Layer", "TraceStep", "Activation", "fit", "accuracy", "TrainResult"]
