"""Train the network of scenes/cube-to-sphere.toml: a 3-3-3-3-3-3 tanh MLP that bends a cube onto the unit sphere.

Run it from the repository root (about two minutes on one core; the same seed gives the same file):

    python scenes/train_cube_to_sphere.py

The task: a point ``x`` on the surface of the cube of ``affine3d.geometry.solids.cube()`` (corners
``(±1, ±1, ±1) / sqrt(3)``, so the corners already lie on the unit sphere and the face centres are
``1 / sqrt(3)`` from the origin) should go to ``x / |x|``, the point of the unit sphere in the same
direction. Every layer is 3 wide, so in the viewer each stage of the forward pass is a real solid
in 3D space, shown exactly as the network computes it: five affine maps with four tanh in between
(the last layer is linear, so the output can reach any point of the sphere).

The trainer is the project's own (``affine3d.nn.train.fit``: backpropagation, Adam), run in phases
with a falling step size. The script writes ``scenes/cube-to-sphere.safetensors`` (float32
weights, as shipped) and prints how far the vertices of the scene's cube land from the sphere,
measured on the file it wrote. With SEED = 1 it prints (and tests/test_morph.py checks, with a
tolerance of 0.025): every vertex of the scene's cube ends within 0.020 of the unit sphere, and
within 0.021 of x / |x|; the same holds on a 64 x 64 grid per face.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from affine3d.nn.mlp import MLP
from affine3d.geometry.solids import subdivided_cube
from affine3d.nn.train import fit

SEED = 1
SIZES = [3, 3, 3, 3, 3, 3]
N_RANDOM = 2000          # random points on the cube's surface, besides the grid vertices
GRID = 24                # the training grid: subdivided_cube(24)'s vertices
SCENE_GRID = 16          # the scene's cube: subdivided_cube(16) (see cube-to-sphere.toml)
PHASES = [(1e-2, 2000), (3e-3, 3000), (1e-3, 3000), (3e-4, 2000)]  # (Adam step size, epochs)
OUTPUT = Path(__file__).resolve().parent / "cube-to-sphere.safetensors"


def cube_surface(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` points uniformly on the surface of the cube with corners (±1, ±1, ±1)/sqrt(3); (n, 3)."""
    points = rng.uniform(-1.0, 1.0, (n, 3))
    axis = rng.integers(0, 3, n)
    points[np.arange(n), axis] = rng.choice([-1.0, 1.0], n)  # pin one coordinate: a face
    return points / np.sqrt(3)


def sphere_errors(mlp: MLP, points: np.ndarray) -> tuple[float, float]:
    """``(max | |f(x)| - 1 |, max |f(x) - x/|x||)``: off the sphere, and off the right point of it."""
    y = mlp(points)
    radial = np.abs(np.linalg.norm(y, axis=1) - 1.0).max()
    target = points / np.linalg.norm(points, axis=1, keepdims=True)
    return float(radial), float(np.linalg.norm(y - target, axis=1).max())


def main() -> int:
    rng = np.random.default_rng(SEED)
    X = np.vstack([subdivided_cube(GRID).vertices, cube_surface(rng, N_RANDOM)])
    Y = X / np.linalg.norm(X, axis=1, keepdims=True)
    mlp = MLP.random(SIZES, activation="tanh", output="identity", seed=SEED)
    for k, (lr, epochs) in enumerate(PHASES, start=1):
        result = fit(mlp, X, Y, loss="mse", optimizer="adam", lr=lr, epochs=epochs, seed=SEED + k,
                     label=f"phase {k}/{len(PHASES)} (lr {lr:g})")
        mlp = result.mlp
        print(f"phase {k}: lr {lr:g}, {epochs} epochs, mse {result.losses[-1]:.2e}, {result.seconds:.0f} s", flush=True)

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
    mlp.save(OUTPUT)
    shipped = MLP.load(OUTPUT)  # float32 weights: measure what is shipped
    radial, direction = sphere_errors(shipped, scene_points)
    dense_radial, dense_direction = sphere_errors(shipped, subdivided_cube(64).vertices)
    print(f"wrote {OUTPUT.name}: {shipped.sizes}, {shipped.n_parameters} parameters")
    print(f"subdivided_cube({SCENE_GRID}) vertices: | |f(x)| - 1 | <= {radial:.4f}, |f(x) - x/|x|| <= {direction:.4f}")
    print(f"subdivided_cube(64) vertices: | |f(x)| - 1 | <= {dense_radial:.4f}, |f(x) - x/|x|| <= {dense_direction:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
