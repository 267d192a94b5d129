"""Your own target in the lab: a network learns to twist the cube about its vertical axis.

Run it from the repository root:

    python scenes/lab_twist.py                      # the viewer: the network learns live (L pauses, Backspace restarts);
                                                    # with no display, one frame drawn offscreen into lab-twist.png
    python scenes/lab_twist.py --gif twist/         # no window: twist/learning.gif, learning.png, trained.safetensors

The target is a plain Python function of the points (an (N, 3) array in, an (N, 3) array out): where
each vertex of the scene's cube should go. Here every point turns about the y axis by an angle that
grows with its height, 1.5 y radians: the top of the cube turns one way, the bottom the other. A
network 8 wide learns it; change the function, the sizes or the seed and run again. This file runs
because you run it: affine3d itself never executes code from the files it loads.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from affine3d.errors import GLUnavailableError, InputError, one_line
from affine3d.lab import Target, render, view


def twist(points: np.ndarray) -> np.ndarray:
    """Turn each point about the y axis by 1.5 * y radians: (N, 3) -> (N, 3)."""
    x, y, z = points.T
    angle = 1.5 * y
    return np.column_stack([x * np.cos(angle) - z * np.sin(angle), y, x * np.sin(angle) + z * np.cos(angle)])


TARGET = Target("twist", twist, formula="turn about y by 1.5 y (the top one way, the bottom the other)",
                sizes=(3, 8, 8, 3), activation="tanh", lr=0.01, seed=1, epochs=3000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gif", metavar="DIR", help="write the learning as a GIF into DIR instead of opening the viewer")
    parser.add_argument("--frames", type=int, default=40, help="pictures in the GIF (default 40)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs of training (default: the target's, 3000)")
    parser.add_argument("--size", default="800x600", help="picture size, WxH (default 800x600)")
    parser.add_argument("--backend", default="auto", choices=("auto", "gpu", "cpu"), help="who draws the GIF")
    args = parser.parse_args(argv)
    if args.gif:
        width, height = (int(v) for v in args.size.lower().split("x"))
        result = render(TARGET, "cube-to-sphere", args.gif, size=(width, height), frames=args.frames, epochs=args.epochs,
                        backend=args.backend)
        print(f"wrote {result['gif']} ({result['frames']} frames), {result['sheet']} and {result['model']}; "
              f"final mse {result['losses'][-1]:.3g}")
        return 0
    try:
        view(TARGET, "cube-to-sphere")  # no display: one line, and the viewer drawn offscreen into lab-twist.png
    except (InputError, GLUnavailableError) as exc:
        print(f"lab_twist.py: error: {one_line(exc)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
