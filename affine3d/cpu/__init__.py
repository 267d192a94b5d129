"""The CPU rasterizer: the pictures the GPU draws, computed by numpy (no OpenGL at all)."""

from .raster import render_cpu

__all__ = ["render_cpu"]
