"""Train the network of scenes/cube-to-sphere.toml: a 3-3-3-3-3-3 tanh MLP that bends a cube onto the unit sphere.

Run it from the repository root (a few seconds; it writes the shipped file again, byte for byte):

    python scenes/train_cube_to_sphere.py
    python scenes/train_cube_to_sphere.py -o elsewhere.safetensors

The task: a point ``x`` on the surface of the cube of ``affine3d.geometry.solids.cube()`` (corners
``(±1, ±1, ±1) / sqrt(3)``, so the corners already lie on the unit sphere and the face centres are
``1 / sqrt(3)`` from the origin) should go to ``x / |x|``, the point of the unit sphere in the same
direction. Every layer is 3 wide, so in the viewer each stage of the forward pass is a real solid
in 3D space, shown exactly as the network computes it: five affine maps with four tanh in between
(the last layer is linear, so the output can reach any point of the sphere).

The trainer is the project's own (``affine3d.nn.train.fit``: backpropagation, Adam, full batch), run in
phases with a falling step size, on the vertices of ``subdivided_cube(12)`` (866 points; the scene's cube
is ``subdivided_cube(16)``, so every figure below is measured on points the network never saw). Nothing in
it depends on the clock or on a random state outside SEED, so the same code writes the same bytes:
tests/test_morph.py runs this script and compares its file with the shipped one, byte for byte. (On
every x86-64 CPU with AVX2: numpy's matrix products are OpenBLAS's, whose kernels differ by CPU in the
order they add, so the script pins the AVX2 kernels before numpy loads; see ``_pin_blas_kernels``.) The
script writes ``scenes/cube-to-sphere.safetensors`` (float32 weights, as shipped) and prints how far the
vertices of the scene's cube land from the sphere, measured on the file it wrote. With SEED = 1 it prints
(and tests/test_morph.py checks, with a tolerance of 0.025): every vertex of the scene's cube ends within
0.020 of the unit sphere, and within 0.021 of x / |x|; the same holds on a 64 x 64 grid per face.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _pin_blas_kernels() -> None:
    """Make numpy's matrix products sum in the same order on every x86-64 CPU with AVX2.

    OpenBLAS picks its kernels by CPU (``SkylakeX`` on an AVX-512 machine, ``Haswell`` on an AVX2 one), and
    kernels add the terms of a product in different orders: the last bits differ, and 10 000 training
    steps make that a different file. The Haswell kernels run on every CPU with AVX2 (Intel since 2013,
    AMD since 2015); the shipped file was written with them. Set before numpy loads OpenBLAS; a value
    the user set is kept.
    """
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as cpuinfo:
            has_avx2 = " avx2" in cpuinfo.read()
    except OSError:  # not Linux: OpenBLAS's own choice, and the bytes may differ in the last bits
        return
    if has_avx2:
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


_pin_blas_kernels()

import numpy as np  # noqa: E402  (after the pin: OpenBLAS reads it when it loads)

from affine3d.nn.mlp import MLP  # noqa: E402
from affine3d.geometry.solids import subdivided_cube  # noqa: E402
from affine3d.nn.train import fit  # noqa: E402

SEED = 1
SIZES = [3, 3, 3, 3, 3, 3]
GRID = 12                # the training points: subdivided_cube(12)'s vertices
SCENE_GRID = 16          # the scene's cube: subdivided_cube(16) (see cube-to-sphere.toml)
PHASES = [(1e-2, 2000), (3e-3, 3000), (1e-3, 3000), (3e-4, 2000)]  # (Adam step size, epochs)
OUTPUT = Path(__file__).resolve().parent / "cube-to-sphere.safetensors"


def sphere_errors(mlp: MLP, points: np.ndarray) -> tuple[float, float]:
    """``(max | |f(x)| - 1 |, max |f(x) - x/|x||)``: off the sphere, and off the right point of it."""
    y = mlp(points)
    radial = np.abs(np.linalg.norm(y, axis=1) - 1.0).max()
    target = points / np.linalg.norm(points, axis=1, keepdims=True)
    return float(radial), float(np.linalg.norm(y - target, axis=1).max())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--out", default=str(OUTPUT), help=f"the model file to write (default {OUTPUT.name} beside this script)")
    args = parser.parse_args(argv)
    output = Path(args.out)
    X = subdivided_cube(GRID).vertices
    Y = X / np.linalg.norm(X, axis=1, keepdims=True)
    mlp = MLP.random(SIZES, activation="tanh", output="identity", seed=SEED)
    for k, (lr, epochs) in enumerate(PHASES, start=1):
        result = fit(mlp, X, Y, loss="mse", optimizer="adam", lr=lr, epochs=epochs, seed=SEED + k,
                     label=f"phase {k}/{len(PHASES)} (lr {lr:g})")
        mlp = result.mlp
        print(f"phase {k}: lr {lr:g}, {epochs} epochs, mse {result.losses[-1]:.2e}, {result.seconds:.1f} s", flush=True)

    scene_points = subdivided_cube(SCENE_GRID).vertices
    radial, direction = sphere_errors(mlp, scene_points)
    mlp.metadata = {
        "description": "bends the surface of a cube onto the unit sphere: x -> x / |x| (see scenes/cube-to-sphere.toml)",
        "trained_by": "scenes/train_cube_to_sphere.py (affine3d.train.fit, Adam, mse)",
        "seed": SEED,
        "sizes": SIZES,
        "max_radial_error": radial,
        "max_direction_error": direction,
    }
    mlp.save(output)
    shipped = MLP.load(output)  # float32 weights: measure what is shipped
    radial, direction = sphere_errors(shipped, scene_points)
    dense_radial, dense_direction = sphere_errors(shipped, subdivided_cube(64).vertices)
    print(f"wrote {output}: {shipped.sizes}, {shipped.n_parameters} parameters")
    print(f"subdivided_cube({SCENE_GRID}) vertices: | |f(x)| - 1 | <= {radial:.4f}, |f(x) - x/|x|| <= {direction:.4f}")
    print(f"subdivided_cube(64) vertices: | |f(x)| - 1 | <= {dense_radial:.4f}, |f(x) - x/|x|| <= {dense_direction:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
