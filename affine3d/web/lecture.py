"""The lecture as one self-contained HTML file: a deck of live slides on the page's engine (``affine3d lecture``).

The deck is the page's engine (``static/js/gl.js``, ``affine.js``, ``safetensors.js``, the desktop shader
files) with a new interface (``deck/lecture.html``, ``deck/lecture.css``, ``static/js/deck.js``) and the
lecture's texts (``static/js/slides.js``, Polish and English). :func:`deck_html` joins them into **one**
HTML file with everything inside it:

- the ES modules, joined by :func:`bundle_modules` in the order their imports ask for (``deck.js`` and
  what it imports), into one inline ``<script type="module">``;
- the data as one inline JSON block: the shaders (through the same include step as the desktop programs),
  the slides' scenes as the page's JSON (:func:`~affine3d.web.site.scene_record`), the network's model file
  (base64), ``affine3d inspect``'s report of it, and figures from ``affine3d bench --json`` when given.

One file that fetches nothing works where a folder of ES modules does not: opened straight from a USB
stick (``file://``, where browsers refuse to load modules and JSON from disk), from any web server, or
served by ``affine3d lecture`` itself. :func:`write_handout` photographs every slide through headless
Chromium (Playwright) for a PNG folder or a PDF handout.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from ..errors import UsageError
from ..fileio import check_new_folder, new_folder, read_regular
from ..i18n import N_, _
from .site import STATIC_DIR, catalogs, scene_record

__all__ = ["DECK_DIR", "LANGUAGES", "ENTRY", "BENCH_LIMIT", "deck_scenes", "bundle_modules", "load_bench",
           "deck_data", "deck_html", "build_lecture", "write_handout"]

DECK_DIR = Path(__file__).resolve().parent / "deck"
"""The deck's own HTML and CSS templates (``lecture.html``, ``lecture.css``)."""

ENTRY = STATIC_DIR / "js" / "deck.js"
"""The deck's module: its imports are the engine's entry points (followed by :func:`bundle_modules`)."""

SLIDES_JS = STATIC_DIR / "js" / "slides.js"

LANGUAGES = ("pl", "en")
"""The deck's languages, the lecture's own first (it falls back to Polish where the browser names neither)."""

BENCH_LIMIT = 4_000_000
"""The most bytes a ``--bench`` JSON file may have (``affine3d bench --json`` writes a few kB)."""

SHADERS = ("mesh.vert", "mesh.frag", "lines.vert", "lines.frag")
MORPH_BLOCKS = (1, 2, 3, 4)

_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"(\./[^"]+)";?[ \t]*$', re.M)
_REEXPORT = re.compile(r'^export\s*(?:\{([^}]*)\}|\*)\s*(?:from\s*"(\./[^"]+)")?;?[ \t]*$', re.M)
_EXPORTED = re.compile(r"^export\s+(?=(?:async\s+)?function|class\s|const\s|let\s)", re.M)
_DECLARED = re.compile(r"^(?:async\s+)?(?:function\*?\s+(\w+)|class\s+(\w+)|(?:const|let|var)\s+(\w+))", re.M)


def deck_scenes() -> list[str]:
    """The shipped scenes the slides show, in order of first use (read from ``slides.js``: one source)."""
    keys = re.findall(r'\bscene:\s*"([\w.-]+)"', SLIDES_JS.read_text(encoding="utf-8"))
    return list(dict.fromkeys(keys))


def _module_order(entry: Path) -> list[Path]:
    """``entry`` and every module it imports (relative ``./x.js`` imports), dependencies first."""
    order: list[Path] = []
    visiting: set[Path] = set()

    def visit(path: Path) -> None:
        if path in order:
            return
        if path in visiting:
            raise UsageError(f"{path.name}: the deck's modules import each other in a circle")
        visiting.add(path)
        source = path.read_text(encoding="utf-8")
        for match in list(_IMPORT.finditer(source)) + list(_REEXPORT.finditer(source)):
            if match.group(2):
                visit((path.parent / match.group(2)).resolve())
        visiting.discard(path)
        order.append(path)

    visit(entry.resolve())
    return order


def bundle_modules(entry: Path = ENTRY) -> tuple[str, list[Path]]:
    """The ES module ``entry`` and its relative imports as one module's text; and the files used.

    Each module's ``import {a, b as c} from "./x.js"`` lines go (``c`` becomes ``const c = b``), ``export``
    in front of a declaration goes, and ``export {…}`` lines go: in one scope the names are simply there.
    A name declared at the top of two modules would then collide, so that is refused, as are the forms this
    small joiner does not read (``import *``, default exports, bare or dynamic imports).

    Examples
    --------
    >>> text, files = bundle_modules()
    >>> [f.name for f in files][-2:], "import {" in text, "window.affine3d" in text
    (['slides.js', 'deck.js'], False, True)
    """
    files = _module_order(entry)
    declared: dict[str, str] = {}
    parts = []
    for path in files:
        source = path.read_text(encoding="utf-8")
        for bad, what in ((r"^import\s*\*", "import * as"), (r"^export\s+default", "export default"),
                          (r"^import\s*\"", "a bare import"), (r"\bimport\s*\(", "a dynamic import()"),
                          (r"^import\s+\w", "a default import")):
            if re.search(bad, source, re.M):
                raise UsageError(f"{path.name}: {what} is not supported by the deck's module joiner")
        aliases = []
        for match in _IMPORT.finditer(source):
            for item in match.group(1).split(","):
                names = item.split(" as ")
                if len(names) == 2 and names[0].strip() != names[1].strip():
                    aliases.append(f"const {names[1].strip()} = {names[0].strip()};")
        body = _IMPORT.sub("", source)
        body = _REEXPORT.sub("", body)
        body = _EXPORTED.sub("", body)
        for match in _DECLARED.finditer(body):
            name = next(g for g in match.groups() if g)
            if name in declared:
                raise UsageError(f"{path.name}: '{name}' is also declared in {declared[name]}; "
                                 "the deck joins its modules into one scope, so top-level names must differ")
            declared[name] = path.name
        if "</script" in body.lower():
            raise UsageError(f"{path.name}: contains '</script', which would end the deck's inline script")
        parts.append(f"// ---- {path.name}\n{body.strip()}\n{chr(10).join(aliases)}")
    return "\n\n".join(parts) + "\n", files


def load_bench(path) -> dict:
    """Figures written by ``affine3d bench ... --json PATH``, as the deck shows them.

    Returns
    -------
    dict
        ``machine``: one line (CPU, cores, BLAS threads, OpenGL renderer); ``tables``: each with ``title``,
        ``columns`` and ``rows`` (cells as text).

    Raises
    ------
    UsageError
        Not such a file: the message names the file and the field.
    """
    shown = str(path)
    raw = read_regular(path, limit=BENCH_LIMIT, what="bench JSON file")
    try:
        results = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(_("{path}: not JSON ({reason}); write one with 'affine3d bench gpu --json {path}'").format(path=shown, reason=exc)) from None
    if not isinstance(results, dict) or not isinstance(results.get("machine"), dict) or not isinstance(results.get("tables"), list):
        raise UsageError(_("{path}: expected the JSON of 'affine3d bench --json' (an object with 'machine' and 'tables')").format(path=shown))
    tables = []
    for k, table in enumerate(results["tables"]):
        if (not isinstance(table, dict) or not isinstance(table.get("title"), str) or not isinstance(table.get("columns"), list)
                or not isinstance(table.get("rows"), list) or not all(isinstance(r, list) for r in table["rows"])):
            raise UsageError(_("{field}: expected 'title' (text), 'columns' and 'rows' (lists)").format(field=f"{shown}: tables[{k}]"))
        cell = lambda v: "-" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v))  # noqa: E731  (bench's _cell)
        tables.append({"title": table["title"], "columns": [str(c) for c in table["columns"]],
                       "rows": [[cell(v) for v in row] for row in table["rows"]]})
    machine = results["machine"]
    line = ", ".join(f"{k} {v}" for k, v in machine.items() if k != "gl_renderer")
    if "gl_renderer" in machine:
        line += f"; OpenGL renderer: {machine['gl_renderer']}"
    return {"machine": line, "tables": tables}


def _shaders() -> dict[str, str]:
    from ..gl.glsl import webgl_source

    shaders = {name: webgl_source(name) for name in SHADERS}
    for blocks in MORPH_BLOCKS:
        shaders[f"morph-{blocks}.vert"] = webgl_source("morph.vert", {"N_BLOCKS": blocks})
    return shaders


def _inspect_reports(source: Path) -> dict[str, str]:
    """``affine3d inspect``'s report of ``source`` in each of the deck's languages (the slide shows the reader's)."""
    from .. import i18n
    from ..nn.inspect import describe, format_report

    report = describe(source)
    report["file"] = source.name  # the file's name, not this machine's path
    before, texts = i18n._chosen, {}
    try:
        for code in LANGUAGES:
            i18n.use_language(code)
            texts[code] = format_report(report)
    finally:
        i18n.use_language(before)
    return texts


def deck_data(lang: str | None = None, bench=None) -> tuple[dict, list[Path]]:
    """Everything the deck reads, as one JSON-ready dict; and the module files it runs.

    Parameters
    ----------
    lang : {"pl", "en"}, optional
        The language the deck opens in (``?lang=`` in the URL overrides it); default the browser's, else Polish.
    bench : dict, optional
        :func:`load_bench`'s figures for the CPU-and-GPU slide.
    """
    from ..geometry.scene import load_scene

    if lang is not None and lang not in LANGUAGES:
        raise UsageError(_("--lang: expected one of {choices}, got {value}").format(choices=", ".join(LANGUAGES), value=repr(lang)))
    script, files = bundle_modules()
    scenes, models, inspect = {}, {}, {}
    for key in deck_scenes():
        scene = load_scene(key)
        url = None
        if scene.mlp is not None:
            source = Path(scene.mlp)
            url = f"models/{source.stem}.safetensors"
            models[url] = base64.b64encode(read_regular(source, limit=64_000_000, what="model file")).decode("ascii")
            inspect = _inspect_reports(source)
        scenes[key] = scene_record(scene, url)
    shaders = _shaders()
    size = lambda text: len(text.encode("utf-8"))  # noqa: E731
    engine = [f for f in files if f.name not in ("deck.js", "slides.js")]
    interface = [f for f in files if f.name in ("deck.js", "slides.js")]
    parts = [
        {"name": N_("engine (WebGL2 + shaders)"),
         "files": [[f"js/{f.name}", f.stat().st_size] for f in engine]
         + [[f"shaders/{name}", size(text)] for name, text in shaders.items() if not name.startswith("morph-")]
         + [["shaders/morph.vert", size(shaders["morph-1.vert"])]]},
        {"name": N_("interface"),
         "files": [["lecture.html", (DECK_DIR / "lecture.html").stat().st_size], ["lecture.css", (DECK_DIR / "lecture.css").stat().st_size]]
         + [[f"js/{f.name}", f.stat().st_size] for f in interface]},
        {"name": N_("glue (data and model)"),
         "files": [[f"scenes/{k}.json", size(json.dumps(r, separators=(",", ":")))] for k, r in scenes.items()]
         + [[url, len(base64.b64decode(b))] for url, b in models.items()]},
    ]
    data = {"lang": lang, "catalogs": catalogs(), "shaders": shaders, "scenes": scenes, "models": models, "inspect": inspect,
            "bench": bench, "parts": parts}
    return {"data": data, "script": script}, files


def deck_html(lang: str | None = None, bench=None) -> str:
    """The deck as one HTML file: the page, its style, its script and its data, nothing to fetch."""
    built = deck_data(lang, bench)[0]
    template = (DECK_DIR / "lecture.html").read_text(encoding="utf-8")
    style = (DECK_DIR / "lecture.css").read_text(encoding="utf-8")
    # "</" inside the JSON is written "<\/" (the same string to JSON), so no text in it can end the script element.
    data = json.dumps(built["data"], separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    html = template.replace("/*STYLE*/", style, 1).replace("/*DATA*/", data, 1)
    return html.replace("/*SCRIPT*/", built["script"], 1)


README_TEXT = """affine3d: the lecture (Sieci neuronowe i grafika 3D: ta sama algebra liniowa)

Open index.html in a browser (double-click it): Firefox, Chrome, Edge or Safari, with WebGL2.
Everything is inside that one file; nothing is fetched from the internet, and no server is needed.

Keys: Right / PageDown / space next, Left / PageUp back, Home / End, a number + Enter jumps,
F full screen, Shift+P the presenter view (a second window: this slide, the next, notes, a clock),
L switches Polish / English. Inside a slide: drag turns the world, the wheel zooms, W edges, p perspective,
R reset, M plays / pauses a network. index.html?lang=en opens in English; #slide=K opens slide K.

Otwórz index.html w przeglądarce (dwuklik). Wszystko jest w tym jednym pliku; nic nie jest pobierane.
Klawisze: strzałka w prawo / PageDown / spacja dalej, w lewo / PageUp wstecz, numer + Enter skok,
F pełny ekran, Shift+P widok prowadzącego, L polski / angielski.
"""


def build_lecture(folder, *, lang: str | None = None, bench=None) -> Path:
    """Write the deck into ``folder`` (new or empty): ``index.html`` (the whole deck) and ``README.txt``.

    Written through a temporary folder beside it and renamed at the end (:func:`affine3d.fileio.new_folder`): a
    failed export leaves nothing half-written, and nothing of the user's is overwritten.
    """
    folder = check_new_folder(folder, "--export")
    html = deck_html(lang, bench)
    with new_folder(folder, "--export") as work:
        (work / "index.html").write_text(html, encoding="utf-8")
        (work / "README.txt").write_text(README_TEXT, encoding="utf-8")
    return folder


def write_handout(folder, *, png_dir=None, pdf=None, lang: str = "pl", size=(1920, 1080)) -> list[Path]:
    """One picture per slide of the deck in ``folder`` (from :func:`build_lecture`), through headless Chromium.

    Each slide is shown still (no spin, the network paused where the slide starts) and the whole window is
    photographed at ``size`` CSS pixels. ``png_dir`` gets ``slide-01.png`` ...; ``pdf`` gets one page per slide.

    Raises
    ------
    UsageError
        Playwright or Chromium is missing (the message says what to install), or the deck reported an error.
    """
    from PIL import Image

    from ..fileio import atomic_write, make_folder
    from .browser import launch
    from .server import serve_folder

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise UsageError(_("--png/--pdf: the handout is photographed by headless Chromium through Playwright: "
                           "pip install playwright, and apt-get install chromium")) from None
    server, url = serve_folder(folder)
    written: list[Path] = []
    pictures = []
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": int(size[0]), "height": int(size[1])})
                errors = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                page.goto(f"{url}index.html?lang={lang}")
                page.evaluate("window.affine3d.ready")
                count = page.evaluate("window.affine3d.deck.count")
                for k in range(count):
                    page.evaluate("k => { window.affine3d.deck.go(k); window.affine3d.deck.still(); }", k)
                    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
                    page.evaluate("window.affine3d.deck.still()")
                    pictures.append(page.screenshot())
                problems = errors + [m["text"] for m in page.evaluate("window.affine3d.messages") if m["error"]]
                if problems:
                    raise UsageError(_("the deck reported an error while photographing it: {problem}").format(problem=problems[0]))
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    import io

    images = [Image.open(io.BytesIO(p)).convert("RGB") for p in pictures]
    if png_dir is not None:
        out = make_folder(png_dir, "--png")
        for k, data in enumerate(pictures, start=1):
            target = out / f"slide-{k:02d}.png"
            with atomic_write(target, "--png") as f:
                f.write(data)
            written.append(target)
    if pdf is not None:
        with atomic_write(pdf, "--pdf") as f:
            images[0].save(f, format="PDF", save_all=True, append_images=images[1:], resolution=96.0)
        written.append(Path(pdf))
    return written
