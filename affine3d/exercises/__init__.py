"""Exercises with graded feedback: ``affine3d exercise list | start N | check FILE``.

Short exercises that follow the lecture (a neuron, a layer, homogeneous coordinates, composition
order, the camera, the normal matrix, the perspective divide, collapsing a linear network, a
flattening layer, a transposed upload, an ONNX forward pass, a .safetensors header, ...), each with
the student's own numbers (seeded from the student's id, so the teacher can make them again), and
a checker that says *what* is wrong: entries that are off, common mistakes by name, and for
geometric exercises a picture of the student's result over the target.

Layout: :mod:`.base` (what an exercise is), :mod:`.catalog` (the exercises, one module each),
:mod:`.runner` and :mod:`._child` (the student's file in its own process, answers as JSON over a pipe),
:mod:`.sandbox` (where that process runs: bubblewrap, a fresh uid, or the same user),
:mod:`.feedback` (checks, comparisons, mistakes), :mod:`.pictures` (CPU-rasterized figures),
:mod:`.report` (text, JSON, Gradescope), :mod:`.workflow` (start and check).

The names below are loaded on first use, so ``affine3d --help`` (which reads the runner's limits)
does not load the exercises and the rasterizer.
"""

import importlib

__all__ = ["EXERCISES", "get", "start", "check", "check_functions", "Report"]

_WHERE = {"EXERCISES": ".catalog", "get": ".workflow", "start": ".workflow", "check": ".workflow",
          "check_functions": ".workflow", "Report": ".workflow"}


def __getattr__(name):
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_WHERE))
