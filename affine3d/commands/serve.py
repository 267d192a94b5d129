"""Open the scenes and their networks in a browser: a local web server for the page.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

from ..i18n import N_, _

HELP = N_("the scenes and networks in a browser (WebGL2, the same shaders): a local web server")

DESCRIPTION = N_("""Open the scenes and their networks in a browser: a local web server for the page.

The page draws with WebGL2 and the desktop renderer's own shader files (shaders/mesh.vert, mesh.frag,
lines.*, morph.vert; only their #version and precision lines are adapted, by the same include step
that builds the desktop programs). Drag to turn the world (T: turntable), the wheel moves it, and the
4x4 world matrix with det A and max|A^T A - I| stands beside the picture. A scene's network plays
layer by layer (stage, t slider, play/pause, W | b, det W, det A(t), singular values), its vertices
moved by morph.vert through transform feedback (layers past 15 wide on the CPU), along the straight
path or the polar one (key A); drop your own .safetensors 3 -> ... -> 3 model onto the picture to watch
it warp the solid (checked as MLP.load checks it, before anything is read). Meshes are shaded flat or
smooth as in 'affine3d view' (F toggles). The URL's hash holds the view, so a link reproduces it; a
button saves the picture as a PNG. The keys panel (F1) is the desktop's help table.

SCENE (a shipped scene's name or a .toml file) is the one the page opens with; every shipped scene is
in its picker too. The site is written to a temporary folder and served from there by Python's
standard http.server, which answers only inside that folder. It listens on 127.0.0.1 (this machine
only) unless --host says otherwise (then it says who can connect). Ctrl+C, SIGTERM or SIGHUP stop it and
remove the temporary folder. To put the page on a course site instead, see
'affine3d export-web'.

Examples:
  affine3d serve                      # http://127.0.0.1:8000/, the Platonic solids
  affine3d serve cube-to-sphere --open
  affine3d serve my-scene.toml --port 0
""")


def add_arguments(parser) -> None:
    from ..web.server import DEFAULT_HOST, DEFAULT_PORT

    parser.add_argument("scene", nargs="?", default=None, metavar="SCENE",
                        help=_("the scene the page opens with: a shipped scene's name or a .toml file (default: platonic)"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                        help=_("port to listen on (default: {port}; 0: any free port)").format(port=DEFAULT_PORT))
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=_("address to listen on (default: {host}, this machine only; 0.0.0.0: every network)").format(host=DEFAULT_HOST))
    parser.add_argument("--open", action="store_true", help=_("open the page in the default web browser"))
    parser.add_argument("--lang", choices=("pl", "en"), default=None,
                        help=_("the page's language, whatever the reader's browser prefers (default: the browser's; "
                               "?lang= in the URL picks too)"))


def scenes_for(scene) -> tuple[list, str | None]:
    """Every shipped scene, plus ``scene`` (a name or a .toml path) when it is not one of them; the default key."""
    from ..geometry.scene import DEFAULT_SCENE, list_scenes, load_scene
    from ..web.site import scene_key

    shipped = list_scenes()
    if scene is None:
        return shipped, DEFAULT_SCENE if DEFAULT_SCENE in shipped else None
    if scene in shipped:
        return shipped, scene
    own = load_scene(scene)
    key = scene_key(own)
    return [own, *[name for name in shipped if name != key]], key


class _Stop(Exception):
    """Raised in the main thread by SIGTERM / SIGHUP, so the temporary site is removed as after Ctrl+C."""


def who_can_connect(host: str) -> str | None:
    """A warning for an address other machines can reach (``0.0.0.0``, ``::``, a LAN address); None for loopback."""
    from ..web.server import is_loopback

    if is_loopback(host):
        return None
    everyone = host in ("0.0.0.0", "::", "")
    where = _("every network this machine is on") if everyone else _("the network of {host}").format(host=host)
    return _("warning: listening on {host}: anyone who can reach {where} can open the page and its scenes and models "
             "(no password); use the default --host 127.0.0.1 for this machine only").format(host=host, where=where)


def run(args) -> int:
    import signal
    import sys
    import tempfile
    import webbrowser
    from pathlib import Path

    from ..web.server import _url_host, make_server
    from ..web.site import build_site

    def stop(signum, frame):
        raise _Stop(signal.Signals(signum).name)

    scenes, default = scenes_for(args.scene)
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with tempfile.TemporaryDirectory(prefix="affine3d-web-") as tmp:
            site = build_site(Path(tmp) / "site", scenes, default=default, lang=args.lang)
            server = make_server(site, args.host, args.port)
            host, port = server.server_address[:2]
            url = f"http://{_url_host(host)}:{port}/"
            warning = who_can_connect(str(host))
            if warning:
                print(warning, file=sys.stderr, flush=True)
            print(_("serving {url}  (the page: {site}; Ctrl+C stops)").format(url=url, site=site), flush=True)
            if args.open:
                webbrowser.open(url)
            try:
                server.serve_forever()
            finally:
                server.server_close()
    except KeyboardInterrupt:
        print(_("stopped"), file=sys.stderr)
    except _Stop as exc:  # the with block above has removed the temporary site on the way out
        print(_("stopped ({signal})").format(signal=exc), file=sys.stderr)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
