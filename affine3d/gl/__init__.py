"""OpenGL through moderngl: contexts, shader programs, the renderer, the MLP on a compute shader, the morph.

moderngl is imported only when a context is made, so importing this package works without OpenGL.
:mod:`.context` is the only place contexts are made and made current.
"""

from .compute import GPUMLP, run_mlp_gpu
from .context import create_context, default_context, make_current
from .renderer import Renderer, render

__all__ = ["create_context", "default_context", "make_current", "Renderer", "render", "GPUMLP", "run_mlp_gpu"]
