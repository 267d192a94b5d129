"""The lecture itself, live: a deck of slides in the browser, each a short text beside a live scene.

The command's --help text is DESCRIPTION below (marked for the catalogue, shown in the reader's language).
"""

from __future__ import annotations

from ..i18n import N_, _, prose_number

HELP = N_("the lecture as a deck of live slides in the browser (Polish or English); --export for a USB stick")

DESCRIPTION = N_("""The lecture itself, live: a deck of slides in the browser, each a short text beside a live scene.

One slide per point of the lecture (a neuron with its numbers; W x + b as one 4x4; the cube warped by a
network layer by layer; the world turning in front of a fixed camera; 1980 vs 2015 faces; CPU and GPU;
a model file's bytes; engine + interface + glue; Hugging Face), in Polish (the lecture's language) or
English. The scenes are drawn by the browser page's engine (WebGL2 and the desktop's shader files) on
one canvas, framed to whatever screen the deck gets.

Keys: Right / PageDown / space next, Left / PageUp back, Home / End, a number + Enter jumps, F full
screen, Shift+P the presenter view (a second window: this slide, the next, notes, a clock; kept in
step by BroadcastChannel), L Polish / English. Inside a slide the viewer's keys work: drag, wheel, W
edges, p perspective, R reset, T turntable, S spin, M play / pause the network, . and , scrub. The
URL: ?lang=en, and #slide=K (with the view: rot, proj, stage, t) reproduces a slide exactly.

The deck is ONE HTML file with everything inside (scripts, shaders, scenes, the model file): served
here on 127.0.0.1, or written by --export DIR for a USB stick, where it opens by a double-click in
any current browser, no server and no internet needed. --png DIR / --pdf FILE photograph every slide
(a handout) through headless Chromium (Playwright and the chromium package). --bench FILE puts this
machine's figures from 'affine3d bench gpu --json FILE' on the CPU-and-GPU slide.

Examples:
  affine3d lecture --open                       # http://127.0.0.1:8000/, in Polish
  affine3d lecture --lang en --port 0
  affine3d lecture --export /media/usb/lecture  # then open lecture/index.html on any machine
  affine3d bench gpu --json bench.json && affine3d lecture --bench bench.json --export deck/
  affine3d lecture --pdf handout.pdf --lang en
""")


def add_arguments(parser) -> None:
    from ..web.lecture import LANGUAGES
    from ..web.server import DEFAULT_HOST, DEFAULT_PORT

    parser.add_argument("--lang", choices=LANGUAGES, default=None,
                        help=_("the slides' language (default: the browser's, else pl, the lecture's; ?lang= in the URL "
                               "picks too; --png/--pdf: pl)"))
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, metavar="N",
                        help=_("port to listen on (default: {port}; 0: any free port)").format(port=DEFAULT_PORT))
    parser.add_argument("--host", default=DEFAULT_HOST, help=_("address to listen on (default: {host}, this machine only)").format(host=DEFAULT_HOST))
    parser.add_argument("--open", action="store_true", help=_("open the deck in the default web browser"))
    parser.add_argument("--export", metavar="DIR", help=_("write the deck to DIR (new or empty) instead of serving it: "
                        "index.html holds everything and opens from a USB stick by a double-click"))
    parser.add_argument("--png", metavar="DIR", help=_("write one picture per slide into DIR (headless Chromium)"))
    parser.add_argument("--pdf", metavar="FILE", help=_("write a handout, one page per slide (headless Chromium)"))
    parser.add_argument("--size", default="1920x1080", metavar="WxH", help=_("the window the --png/--pdf pictures are taken in (default: 1920x1080)"))
    parser.add_argument("--bench", metavar="FILE", help=_("figures from 'affine3d bench ... --json FILE' for the CPU-and-GPU slide"))


def _size(text: str) -> tuple[int, int]:
    from ..errors import UsageError

    try:
        width, height = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise UsageError(_("--size: expected WIDTHxHEIGHT (1920x1080), got {text}").format(text=repr(text))) from None
    if not (320 <= width <= 7680 and 240 <= height <= 4320):
        raise UsageError(_("--size: expected 320..7680 x 240..4320 pixels, got {text}").format(text=repr(text)))
    return width, height


def run(args) -> int:
    import sys
    import tempfile
    import webbrowser
    from pathlib import Path

    from ..web.lecture import LANGUAGES, build_lecture, load_bench, write_handout
    from ..web.server import _url_host, make_server

    bench = load_bench(args.bench) if args.bench else None
    size = _size(args.size)
    if args.export:
        folder = build_lecture(args.export, lang=args.lang, bench=bench)
        total = sum(p.stat().st_size for p in folder.iterdir())
        print(_("wrote {path} ({megabytes} MB, everything inside it): open it in any current browser, from a USB stick "
                "too (no server, no internet)").format(path=f"{folder}/index.html", megabytes=prose_number(total / 1e6, 1)))
    if args.png or args.pdf:
        with tempfile.TemporaryDirectory(prefix="affine3d-lecture-") as tmp:
            folder = build_lecture(Path(tmp) / "deck", lang=args.lang, bench=bench)
            written = write_handout(folder, png_dir=args.png, pdf=args.pdf, lang=args.lang or LANGUAGES[0], size=size)
        for path in written:
            if path.suffix == ".pdf":
                print(_("wrote {path}").format(path=path))
        pngs = [p for p in written if p.suffix == ".png"]
        if pngs:
            print(_("wrote {count} pictures into {folder}/").format(count=len(pngs), folder=pngs[0].parent))
    if args.export or args.png or args.pdf:
        return 0
    with tempfile.TemporaryDirectory(prefix="affine3d-lecture-") as tmp:
        folder = build_lecture(Path(tmp) / "deck", lang=args.lang, bench=bench)
        server = make_server(folder, args.host, args.port)
        host, port = server.server_address[:2]
        url = f"http://{_url_host(host)}:{port}/"
        print(_("serving the lecture at {url}  (Shift+P: presenter view; Ctrl+C stops)").format(url=url), flush=True)
        if args.open:
            webbrowser.open(url)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            print(_("stopped"), file=sys.stderr)
        finally:
            server.server_close()
    return 0
