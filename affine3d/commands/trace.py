"""Follow one point: print one vertex of a scene through every map, each value named with its space.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import N_, _, prose_number

HELP = N_("follow one vertex through every map: model, world, (network), camera, clip, NDC, window pixels")

DESCRIPTION = N_("""Follow one point: print one vertex of a scene through every map, each value named with its space.

    p_model --model--> p_world [--network--> p_world] --world--> p_camera --projection--> p_clip
            --divide by w--> p_ndc --viewport--> p_window

Each step is a matrix product on homogeneous coordinates ([p, 1] for a point; clip space keeps the
w the projection made, and the divide by w gives NDC); the last row is the pixel the vertex lands
on (x, y from the image's top-left corner) and its depth in [0, 1]. These are the numbers the CPU
rasterizer computes for that vertex (affine3d/cpu/raster.py), and the GPU's vertex shader too.

A scene with a network (its mlp key, or --mlp MODEL) warps its objects in world space: the table
then follows the vertex through each layer's affine step z_i = W_i a_(i-1) + b_i and activation
a_i = sigma(z_i) between p_world and p_camera, as the renderer does.

SCENE is a shipped scene's name or a .toml file; --object is an object's 0-based number in the
scene file (or its name), --vertex a 0-based index into its mesh's vertices. --size, --yaw, --pitch
and --ortho are those of affine3d render, so the pixel is the one in the picture render writes.
In the viewer, click a vertex to see the same table live while the world turns.

Examples:
  affine3d trace platonic --object 0 --vertex 0
  affine3d trace cube-to-sphere --object cube --vertex 100 --matrices
  affine3d trace shear --object 2 --vertex 5 --size 1280x720 --yaw 30
""")


def add_arguments(parser) -> None:
    parser.add_argument("scene", nargs="?", default=None, metavar="SCENE",
                        help=_("a shipped scene's name or a .toml file (default: platonic)"))
    parser.add_argument("--object", default="0", metavar="K", help=_("the object: 0-based number, or its name (default 0)"))
    parser.add_argument("--vertex", type=int, default=0, metavar="I", help=_("0-based index of the vertex in the object's mesh"))
    parser.add_argument("--size", default="800x600", metavar="WxH", help=_("image size in pixels (default: 800x600)"))
    parser.add_argument("--yaw", type=float, default=0.0, metavar="DEG", help=_("as in affine3d render: added to the scene's yaw"))
    parser.add_argument("--pitch", type=float, default=0.0, metavar="DEG", help=_("as in affine3d render: added to the scene's pitch"))
    parser.add_argument("--ortho", action="store_const", const=True, default=None, help=_("orthographic projection"))
    from .render import add_model_arguments

    add_model_arguments(parser, _("a 3 -> ... -> 3 network (a model file or folder) that warps the scene (default: the "
                                "scene file's mlp key, if any)"))
    parser.add_argument("--matrices", action="store_true", help=_("print each map's matrix above the value it makes"))


def run(args) -> int:
    import math

    from ..cpu.trace import format_trace, trace_vertex
    from ..errors import UsageError
    from ..geometry.scene import DEFAULT_SCENE, load_scene
    from ..images import parse_size
    from ..nn.morph import Morph
    from .render import check_angles, network_of, world_rotation

    size = parse_size(args.size)
    check_angles(args)
    scene = load_scene(args.scene or DEFAULT_SCENE)
    model_path = args.mlp or scene.mlp
    morph = None
    mlp = network_of(args, scene)
    if mlp is not None:
        points = [obj.world_vertices() for obj in scene.objects]
        import numpy as np

        morph = Morph(mlp, np.vstack(points))  # the display of wide layers, as the renderer chooses it
    world = scene.world(world_rotation(scene, args.yaw, args.pitch))
    rows = trace_vertex(scene, args.object, args.vertex, size, world, ortho=args.ortho, morph=morph)
    if args.ortho or (args.ortho is None and scene.camera.projection == "orthographic"):
        projection = _("orthographic projection")
    else:
        projection = _("perspective projection, fov {degrees} deg").format(
            degrees=prose_number(math.degrees(scene.camera.fov), 1))
    network = _(", network {name} {sizes}").format(name=Path(model_path).name, sizes="-".join(map(str, morph.mlp.sizes))) \
        if morph else ""
    print(_("scene {name}, {width}x{height} pixels, {projection}").format(
        name=repr(scene.name), width=size[0], height=size[1], projection=projection) + network)
    for line in format_trace(rows, matrices=args.matrices):
        print(line)
    x, y, depth = rows[-1].value
    inside = 0 <= x < size[0] and 0 <= y < size[1] and 0 <= depth <= 1
    print(_("pixel column {column}, row {row}").format(column=math.floor(x), row=math.floor(y))
          + ("" if inside else "  " + _("(outside the picture: clipped)")))
    return 0
