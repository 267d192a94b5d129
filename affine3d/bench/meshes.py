"""``affine3d bench meshes``: reading OBJ and OFF files, next to trimesh reading the same files in the same run.

The classic test models cannot be downloaded here, so the files are generated first
(:mod:`affine3d.bench.mesh_samples`), in a temporary folder, at 10^4, 10^5 and 10^6 faces
(``--quick``: 10^4 and 10^5):

- **scan** (``bunny_like``): ``v x y z`` and ``f a b c`` lines only, as a scanner's mesh;
- **export** (``teapot_like``): a modelling program's file: comments, ``mtllib``, groups,
  materials, ``vt`` and ``vn``, quads and triangle fans, every corner ``v/vt/vn``, some faces with
  negative indices;
- **OFF**: the scan model as an OFF file.

Each file is read by :func:`affine3d.geometry.mesh_files.load_mesh` (the Mesh with its edges, and
its normals where the file has them) and, when trimesh is installed (``pip install trimesh``; it is
a reference here, not a dependency), by ``trimesh.load(path, force="mesh")``; the best of a few
rounds, the two alternating. *x trimesh* is our time over trimesh's: the goal is at most 1.5.

Memory: each reader loads the file once more in a fresh Python process, which reports its peak
resident memory (Linux's ``VmHWM``, reset after the imports) above what it held then; *x arrays* is that
peak over the bytes of the arrays the Mesh keeps (vertices, triangles, edges, normals). The readers
take the file in pieces of ``CHUNK_BYTES`` of text, so the peak stays a few times the result
however large the file is (``MAX_MESH_BYTES`` is the largest file they accept).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import byte_size
from ..i18n import N_
from .core import Table, format_si, pause

TITLE = "meshes: reading OBJ and OFF files, against trimesh"

_CHILD = r"""
import json, re, resource, sys, time
which, path = sys.argv[1], sys.argv[2]
if which == "affine3d":
    from affine3d.geometry.mesh_files import load_mesh
    load = load_mesh
else:
    import trimesh
    load = lambda p: trimesh.load(p, force="mesh")

def status(key):  # kB, from Linux's /proc; None elsewhere
    try:
        with open("/proc/self/status") as f:
            return int(re.search(key + r":\s+(\d+)", f.read()).group(1))
    except (OSError, AttributeError):
        return None

try:  # start the high-water mark afresh at what the imports left resident (Linux: clear_refs 5)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before, peak_now = status("VmRSS"), lambda: status("VmHWM")
except OSError:  # elsewhere: getrusage's high-water mark, which may still hold the imports' peak
    before, peak_now = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
mesh = load(path)
seconds = time.perf_counter() - start
peak = peak_now()
if which == "affine3d":
    arrays = [mesh.vertices, mesh.triangles, mesh.edges, mesh.normals, mesh.normal_indices]
else:
    arrays = [mesh.vertices, mesh.faces]
print(json.dumps({"peak": (peak - before) * 1024, "arrays": sum(a.nbytes for a in arrays if a is not None),
                  "seconds": seconds}))
"""


def _trimesh():
    try:
        import trimesh  # noqa: F401
    except ImportError:
        return None
    return trimesh


def _write_files(folder: Path, sizes) -> list[tuple[str, str, int, Path]]:
    """``(model, form, faces, path)`` for every generated file."""
    from .mesh_samples import bunny_like, teapot_like

    files = []
    for n in sizes:
        scan, export = bunny_like(n), teapot_like(n)
        for model, form, text, faces, suffix in (
            ("bunny_like", "scan: v, f a b c", scan.obj_text(), scan.n_faces, ".obj"),
            ("teapot_like", "export: v/vt/vn, quads", export.obj_text(), export.n_faces, ".obj"),
            ("bunny_like", "OFF", scan.off_text(), scan.n_faces, ".off"),
        ):
            path = folder / f"{model}-{n}{suffix}"
            path.write_text(text, encoding="utf-8")
            files.append((model, form, faces, path))
    return files


def _best(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _child(which: str, path: Path) -> dict | None:
    """Load ``path`` in a fresh process; its peak memory above its imports, and its arrays' bytes."""
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, which, str(path)], capture_output=True, text=True,
                              timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
        return json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else None
    except (subprocess.SubprocessError, ValueError, IndexError, OSError):
        return None


def run(quick: bool = False) -> list[Table]:
    from ..geometry.mesh_files import CHUNK_BYTES, MAX_MESH_BYTES, load_mesh

    trimesh = _trimesh()
    sizes = (10_000, 100_000) if quick else (10_000, 100_000, 1_000_000)
    repeat = 2 if quick else 3
    speed = Table(f"{TITLE}: time (best of {repeat}, the two readers alternating)",
                  [N_("model"), N_("file"), N_("faces"), "MB", "affine3d", "MB/s", "trimesh", N_("x trimesh")])
    memory = Table(f"{TITLE}: peak memory of a fresh process reading the file once",
                   [N_("model"), N_("file"), N_("faces"), "MB", N_("affine3d peak"), N_("x arrays"), N_("trimesh peak"), N_("x arrays (trimesh)")])
    folder = Path(tempfile.mkdtemp(prefix="affine3d-bench-meshes-"))
    try:
        for model, form, faces, path in _write_files(folder, sizes):
            megabytes = path.stat().st_size / 1e6
            ours, theirs = float("inf"), None
            for _ in range(repeat):  # alternate, so machine noise hits both alike
                ours = min(ours, _best(lambda: load_mesh(path), 1))
                pause(0.05)
                if trimesh is not None:
                    t = _best(lambda: trimesh.load(str(path), force="mesh"), 1)
                    theirs = t if theirs is None else min(theirs, t)
                    pause(0.05)
            ratio = ours / theirs if theirs else None
            speed.add(model, form, faces, f"{megabytes:.3g}", format_si(ours, "s"), megabytes / ours,
                      format_si(theirs, "s") if theirs else None, ratio)
            mine = _child("affine3d", path)
            other = _child("trimesh", path) if trimesh is not None else None
            memory.add(model, form, faces, f"{megabytes:.3g}",
                       f"{mine['peak'] / 1e6:.0f} MB" if mine else None,
                       mine["peak"] / mine["arrays"] if mine else None,
                       f"{other['peak'] / 1e6:.0f} MB" if other else None,
                       other["peak"] / other["arrays"] if other else None)
            pause()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    version = getattr(trimesh, "__version__", None)
    speed.notes = [
        "affine3d: load_mesh(path) -> Mesh (vertices, triangles, unique edges; the file's normals when every corner "
        "names one), numpy in bulk, a piece of the file at a time.",
        (f"trimesh {version}: trimesh.load(path, force='mesh'), its defaults (merges duplicate vertices, no edges); "
         "a reference in the same run." if trimesh else
         "trimesh is not installed (pip install trimesh): no reference column."),
        "x trimesh = affine3d time / trimesh time: the goal is at most 1.5. This machine may be shared: compare "
        "ratios, not seconds.",
    ]
    memory.notes = [
        "peak: the process's maximum resident memory while reading (Linux: VmHWM, reset after the imports), "
        "above what it held after its imports; x arrays: that peak over the bytes of the arrays the mesh keeps (affine3d: vertices, "
        "triangles, edges, normals; trimesh: vertices, faces).",
        f"affine3d reads {byte_size(CHUNK_BYTES)} of text at a time and refuses files over "
        f"{byte_size(MAX_MESH_BYTES)}.",
    ]
    return [speed, memory]
