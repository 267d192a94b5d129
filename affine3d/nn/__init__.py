"""Neural networks as affine maps with activations between: the MLP, its trainer, its files, its stages.

Numpy only (ONNX files need the optional ``onnx`` package). Inside this package imports point one
way: ``activations`` <- ``files`` <- ``mlp`` <- ``model`` (:func:`load_model`, the one place a model is loaded
and its widths checked), ``train``, ``paths`` <- ``morph`` (the paths from I to W, then the stages), ``inspect``.
"""

from .activations import Activation
from .mlp import MLP, Layer, TraceStep
from .model import load_model
from .train import TrainResult, accuracy, fit

__all__ = ["MLP", "Layer", "TraceStep", "Activation", "fit", "accuracy", "TrainResult", "load_model"]
