"""The exercises, one module each: 1-12 follow the lecture's points in order, 13-16 go further where it invites."""

from .axis_rotation import AxisRotation
from .camera import Camera
from .collapse import Collapse
from .flatten import Flatten
from .gimbal_lock import GimbalLock
from .homogeneous import Homogeneous
from .house_on_roof import HouseOnRoof
from .inside_out import InsideOut
from .layer import Layer
from .model_card import ModelCard
from .neuron import Neuron
from .normal_matrix import NormalMatrix
from .onnx_forward import ONNXForward
from .perspective_divide import PerspectiveDivide
from .safetensors_header import SafetensorsHeader
from .to_gl_bug import ToGLBug

EXERCISES = (
    Neuron(),
    Layer(),
    Homogeneous(),
    HouseOnRoof(),
    Camera(),
    NormalMatrix(),
    PerspectiveDivide(),
    Collapse(),
    Flatten(),
    ToGLBug(),
    ONNXForward(),
    SafetensorsHeader(),
    AxisRotation(),
    InsideOut(),
    GimbalLock(),
    ModelCard(),
)

assert [e.number for e in EXERCISES] == list(range(1, len(EXERCISES) + 1))

__all__ = ["EXERCISES"]
