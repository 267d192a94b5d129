"""The package's version (one place: the ``affine3d`` package, ONNX files' producer_version and ``--version`` read it)."""

__version__ = "0.1.0"
