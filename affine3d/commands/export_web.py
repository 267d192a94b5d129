"""Write the browser page as a folder of static files, for any web server or a course site.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

from ..i18n import N_, _, prose_number

HELP = N_("write the browser page (HTML, ES modules, shaders, scenes as JSON, models) as static files")

DESCRIPTION = N_("""Write the browser page as a folder of static files, for any web server or a course site.

DIR gets index.html, style.css, the page's ES modules (js/), the shaders (shaders/mesh.vert & co.,
through the same include step as the desktop programs, #version adapted for WebGL2), the scenes as
JSON (scenes/) and their networks' model files (models/). Nothing is fetched from the internet when
the page runs, and no Python is needed behind it: copy DIR anywhere that serves files over HTTP
(browsers do not load ES modules from file:// pages). To try it locally:
python3 -m http.server -d DIR.

SCENE... are shipped scene names or .toml files (default: every shipped scene); the first one is
the page's default. DIR must be new or empty: nothing of yours is overwritten, and a failed export
leaves no half-written folder.

Examples:
  affine3d export-web site/
  affine3d export-web site/ cube-to-sphere platonic
""")


def add_arguments(parser) -> None:
    parser.add_argument("directory", metavar="DIR", help=_("where to write the site (new or empty)"))
    parser.add_argument("scenes", nargs="*", metavar="SCENE",
                        help=_("scenes to include: shipped names or .toml files (default: all shipped scenes)"))
    parser.add_argument("--lang", choices=("pl", "en"), default=None,
                        help=_("the page's language, whatever the reader's browser prefers (default: the browser's; "
                               "?lang= in the URL picks too)"))


def run(args) -> int:
    from ..web.site import build_site

    folder = build_site(args.directory, args.scenes or None, lang=args.lang)
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    print(_("wrote {folder}/ ({files} files, {megabytes} MB); serve it with any web server, e.g. {command}").format(
        folder=folder, files=files, megabytes=prose_number(size / 1e6, 1), command=f"python3 -m http.server -d {folder}"))
    return 0
