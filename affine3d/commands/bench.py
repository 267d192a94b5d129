"""Benchmarks, each figure next to a reference measured in the same run.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

import importlib
import json

from ..i18n import N_, _
from .paths import check_output_folder

HELP = N_("measure speed: transform, mlp, render, gpu, raster, viewer, web, meshes, train, grade (ratios against references in the same run)")

DESCRIPTION = N_("""Benchmarks, each figure next to a reference measured in the same run.

Suites: transform (F(points) against a memory copy, pytransform3d and, without --quick, a loop
over pyrr), mlp (numpy against PyTorch and onnxruntime, beside numpy's matrix products alone),
render (the renderer against a raw moderngl loop, then the CPU rasterizer against the GPU
renderer), gpu (the MLP on a compute shader against numpy), raster (only the CPU-against-GPU
table), viewer (the window's frames per second against headless rendering; needs a display, e.g.
xvfb-run), web (the browser page's frame time in headless Chromium against the desktop renderer's;
needs chromium), meshes (reading OBJ and OFF files of 10^4 to 10^6 faces against trimesh, when it
is installed: time and peak memory), train (optimizer steps per second of affine3d's trainer
against PyTorch's on the same network, batch, loss and optimizer), grade (checks per second of
`affine3d exercise grade`, one job against one per core). Without a suite name, all of them run.
The first lines name the machine: CPU, cores, BLAS threads and the OpenGL renderer (on Mesa's
llvmpipe the "GPU" is software on these same CPU cores).

Examples:
  affine3d bench transform --quick
  affine3d bench mlp gpu --json results.json
  affine3d bench meshes --quick                 # pip install trimesh for the reference column
  affine3d bench train
  affine3d bench grade --quick
  xvfb-run -a affine3d bench viewer
  affine3d bench web

--json PATH is checked before the first suite runs, and written through a temporary file renamed
over PATH (a file there is replaced, and the last line says so).
""")


def add_arguments(parser) -> None:
    from ..bench import SUITES

    parser.add_argument("suites", nargs="*", metavar="SUITE", help=_("which suites to run: {suites} (default: all)").format(suites=", ".join(SUITES)))
    parser.add_argument("--quick", action="store_true", help=_("a subset: fewer sizes, shorter rounds (seconds per suite instead of minutes)"))
    parser.add_argument("--json", metavar="PATH", help=_("also write the results as JSON to PATH ('-': print only the JSON, no tables)"))


def run(args) -> int:
    from ..bench import PART_OF, SUITES
    from ..bench.core import machine_info
    from ..errors import UsageError

    names = args.suites or [name for name in SUITES if name not in PART_OF]
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        raise UsageError(_("suite: unknown {name}; expected one of {suites}").format(name=repr(unknown[0]),
                                                                                      suites=", ".join(SUITES)))
    replacing = False
    if args.json and args.json != "-":
        from ..fileio import check_output

        check_output_folder(args.json, "--json")  # before the suites run, not after
        replacing = check_output(args.json, "--json")  # a link or a device in its place: refused now too
    info = machine_info(gl=True)
    results = {"machine": info, "tables": []}
    as_json_only = args.json == "-"
    if not as_json_only:
        print(_("machine: {facts}").format(facts=", ".join(f"{k} {v}" for k, v in info.items() if k != "gl_renderer")))
        print(_("OpenGL renderer: {renderer}").format(renderer=info["gl_renderer"]), flush=True)
    for name in names:
        try:
            module = importlib.import_module(SUITES[name])
        except ModuleNotFoundError:
            if not as_json_only:
                print("\n" + _("(suite {name} is not available in this build)").format(name=repr(name)))
            continue
        for table in module.run(quick=args.quick):
            results["tables"].append(table.to_dict())
            if not as_json_only:
                print()
                print(shown(table).format(), flush=True)
    if args.json:
        text = json.dumps(results, indent=2, default=str)
        if as_json_only:
            print(text)
        else:
            from ..fileio import write_bytes

            write_bytes(args.json, (text + "\n").encode("utf-8"), "--json")
            print()
            if replacing:
                print(_("wrote {path}, replacing the file that was there").format(path=args.json))
            else:
                print(_("wrote {path}").format(path=args.json))
    return 0


def shown(table):
    """``table`` with its column headings in the reader's language (each bench module marks them with N_);
    --json keeps them as they are, in English, like every key."""
    import copy

    from .. import i18n

    out = copy.copy(table)
    out.columns = [i18n._(column) for column in table.columns]
    return out
