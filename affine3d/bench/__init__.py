"""``affine3d bench``: each figure next to a reference measured in the same run.

These machines are shared and noisy, so an absolute time means little; every suite reports a
ratio against something measured seconds before, on the same data (a memory copy, a raw loop,
another library). Suites are modules in this package with ``TITLE`` and ``run(quick) -> list[Table]``.
"""

SUITES = {
    "transform": "affine3d.bench.transform",
    "mlp": "affine3d.bench.mlp",
    "render": "affine3d.bench.render",
    "gpu": "affine3d.bench.gpu",
    "raster": "affine3d.bench.raster",
    "viewer": "affine3d.bench.viewer",
    "web": "affine3d.bench.web",
    "meshes": "affine3d.bench.meshes",
    "train": "affine3d.bench.train",
    "grade": "affine3d.bench.grade",
}

# Suites whose tables another suite already prints: run alone when named, left out of "all".
PART_OF = {"raster": "render"}
