"""The lecture deck (`affine3d lecture`): one HTML file, every slide framed on every screen, keys, URL, presenter view.

One browser for the module; the walk reuses one page per device scale and resizes its viewport rather
than opening new ones. The deck is opened as file:// (the USB stick: nothing fetched) and over HTTP
(the presenter view, `affine3d lecture`'s server). References: the slide texts' own count and the
scenes in `scenes/`; the framing rules are stated below (FILL, the canvas's share of the window).
"""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from affine3d.bench.core import Table
from affine3d.errors import UsageError
from affine3d.geometry.scene import list_scenes
from affine3d.web import serve_folder
from affine3d.web.lecture import build_lecture, bundle_modules, deck_scenes, load_bench
from test_fileio import one_line, run_cli

SCREENS = [(1024, 640), (1280, 800), (1920, 1080), (3840, 2160)]
CANVAS_SHARE = 0.55
"""The scene's canvas covers at least this share of the window (the issue: at least half on a projector)."""
SILHOUETTE_SHARE = 0.3
"""Every slide's silhouette spans at least this share of the canvas's smaller side (its box's larger extent)."""


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    return build_lecture(tmp_path_factory.mktemp("lecture") / "deck", lang="pl")


def watched(page):
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    return page


def open_deck(page, url):
    page.goto(url)
    page.evaluate("window.affine3d.ready")
    return page


def settle(page):
    """Two animation frames: the resize observer and the first draw have run."""
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


WALK = """([k, draw, langs]) => {
  const d = window.affine3d.deck;
  d.go(k);
  d.still();
  const frame = d.frame(draw);
  frame.clipped = {};
  for (const lang of langs) { d.setLanguage(lang); frame.clipped[lang] = d.fitText(); }
  return frame;
}"""


# Pixels are read back (the border rows and columns) where a screen is drawn; elsewhere the silhouette's box is
# the CPU's projection of the vertices the GPU draws. Text is laid out in CSS pixels, the same at both scales.
@pytest.mark.parametrize("scale, drawn, langs", [(1, [(1024, 640)], ["pl", "en"]), (2, [(1280, 800)], [])])
def test_every_slide_fits_every_screen_in_both_languages(browser, deck, scale, drawn, langs):
    """At 1024x640 ... 3840x2160: no silhouette touches the border, the scene fills its share, no text is clipped."""
    context = browser.new_context(viewport={"width": 1024, "height": 640}, device_scale_factor=scale)
    page = watched(context.new_page())
    open_deck(page, (deck / "index.html").as_uri())
    count = page.evaluate("window.affine3d.deck.count")
    assert count >= 12
    ids = [s["id"] for s in page.evaluate("window.affine3d.deck.slides()")]
    for topic in ("neuron", "affine", "network", "camera", "faces", "gpu", "model", "application", "huggingface"):
        assert topic in ids
    page.evaluate("window.affine3d.deck.hold(true)")
    try:
        for width, height in SCREENS:
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            for k in range(count):
                frame = page.evaluate(WALK, [k, (width, height) in drawn, langs])
                W, H = frame["pixels"]
                w, h = frame["css"]
                where = f"{width}x{height}@{scale}, slide {k + 1}"
                assert w * h >= CANVAS_SHARE * width * height, where
                ratio = min(scale, (3840 * 2160 / (w * h)) ** 0.5)  # the deck draws at most 4K's pixels
                assert (W, H) == (round(w * ratio), round(h * ratio)), where
                assert frame["border"] in (0, None), f"{where}: {frame['border']} border pixels are not background"
                x0, y0, x1, y1 = frame["box"]
                assert 0 < x0 < x1 < W and 0 < y0 < y1 < H, f"{where}: silhouette box {frame['box']} leaves {W}x{H}"
                assert max(x1 - x0, y1 - y0) >= SILHOUETTE_SHARE * min(W, H), f"{where}: silhouette box {frame['box']}"
                assert frame["clipped"] == {lang: [] for lang in langs}, where
        assert page.evaluate("document.querySelectorAll('canvas').length") == 1  # one WebGL context for the deck
        assert page.problems == []
        assert [m for m in page.evaluate("window.affine3d.messages") if m["error"]] == []
    finally:
        context.close()


def test_keys_move_through_the_deck_and_the_url_reproduces_a_slide(browser, deck):
    """→ PageDown space, ← PageUp, Home End, number + Enter; #slide=K with the view gives the same world map and panel."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = watched(context.new_page())
    try:
        open_deck(page, (deck / "index.html").as_uri())
        index = lambda: page.evaluate("window.affine3d.deck.index")  # noqa: E731
        count = page.evaluate("window.affine3d.deck.count")
        steps = [("ArrowRight", 1), ("PageDown", 2), (" ", 3), ("ArrowLeft", 2), ("PageUp", 1), ("End", count - 1), ("Home", 0)]
        for key, expected in steps:
            page.keyboard.press(key)
            assert index() == expected, key
        page.keyboard.type("12")
        page.keyboard.press("Enter")
        assert index() == 11
        page.keyboard.press("ArrowLeft")  # the typed number was used up: a plain step again
        assert index() == 10
        # The network slide, stopped part-way (stage 3, t = 0.4), turned by a drag, then opened from its URL.
        network = [s["id"] for s in page.evaluate("window.affine3d.deck.slides()")].index("network")
        page.evaluate("k => window.affine3d.deck.go(k)", network)
        page.keyboard.press("m")  # pause
        page.mouse.move(1000, 400)
        page.mouse.down()
        page.mouse.move(1060, 350, steps=4)
        page.mouse.up()
        page.keyboard.press(".")
        page.evaluate("window.affine3d.deck.still()")
        view = page.evaluate("window.affine3d.deck.hash()")
        assert view.startswith(f"slide={network + 1}&rot=")
        world, panel = page.evaluate("[window.affine3d.deck.world(), window.affine3d.deck.panel()]")
        other = watched(context.new_page())
        open_deck(other, (deck / "index.html").as_uri() + "#" + view)
        other.evaluate("window.affine3d.deck.still()")
        assert other.evaluate("window.affine3d.deck.index") == network
        np.testing.assert_allclose(other.evaluate("window.affine3d.deck.world()"), world, atol=1e-7)
        assert other.evaluate("window.affine3d.deck.panel()") == panel
        assert other.evaluate("window.affine3d.deck.hash()") == view
        # ?lang= picks the language; the viewer's keys work inside a slide (W: edges, in the hash).
        other.goto((deck / "index.html").as_uri() + "?lang=en#slide=1")
        other.evaluate("window.affine3d.ready")
        assert other.evaluate("window.affine3d.deck.lang") == "en"
        assert other.locator("#title").text_content().startswith("Neural networks")
        other.keyboard.press("w")
        other.evaluate("window.affine3d.deck.still()")
        assert "edges=1" in other.evaluate("window.affine3d.deck.hash()")
        assert page.problems == [] and other.problems == []
    finally:
        context.close()


def test_the_presenter_view_keeps_step_with_the_deck(browser, deck):
    """Over HTTP: the presenter window shows this slide, the next and the notes, and its keys move the deck."""
    server, url = serve_folder(deck)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = watched(context.new_page())
        open_deck(page, url)
        presenter = watched(context.new_page())
        open_deck(presenter, url + "?presenter=1&lang=en")
        page.evaluate("window.affine3d.deck.setLanguage('en')")
        titles = [s["title"] for s in page.evaluate("window.affine3d.deck.slides()")]
        page.evaluate("window.affine3d.deck.go(4)")
        presenter.wait_for_function(f"document.getElementById('p-now-title').textContent === {json.dumps(titles[4])}")
        assert presenter.locator("#p-next-title").text_content() == titles[5]
        assert presenter.locator("#p-notes").text_content() != ""
        assert re.fullmatch(r"\d{1,2}:\d{2}", presenter.locator("#p-clock").text_content())
        presenter.wait_for_function("document.getElementById('p-thumb').src.startsWith('data:image/jpeg')")
        presenter.keyboard.press("ArrowRight")
        page.wait_for_function("window.affine3d.deck.index === 5")
        assert presenter.evaluate("document.querySelectorAll('canvas').length") == 1
        assert presenter.evaluate("document.getElementById('view').getContext('2d') !== null")  # never a WebGL context
        assert page.problems == [] and presenter.problems == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_the_handout_is_one_picture_per_slide(tmp_path):
    """--png DIR and --pdf FILE: as many pictures (and PDF pages) as slides, each of the asked size, none blank."""
    # Its own process: Playwright's sync API runs one session per thread, and this module's browser holds one.
    done = subprocess.run([sys.executable, "-m", "affine3d", "lecture", "--png", str(tmp_path / "png"), "--pdf",
                           str(tmp_path / "handout.pdf"), "--size", "640x400", "--lang", "en"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    pngs = sorted((tmp_path / "png").glob("slide-*.png"))
    assert len(pngs) >= 12
    from PIL import Image

    for path in (pngs[0], pngs[len(pngs) // 2]):
        image = np.asarray(Image.open(path).convert("RGB"))
        assert image.shape == (400, 640, 3)
        assert len(np.unique(image.reshape(-1, 3), axis=0)) > 50  # text and a shaded scene, not one colour
    pdf = (tmp_path / "handout.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(pngs)
    assert f"wrote {tmp_path / 'handout.pdf'}" in out


def test_the_export_is_one_file_that_fetches_nothing(deck):
    """index.html holds the scripts, shaders, scenes and model; no URL outside it, no module import left."""
    html = (deck / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in deck.iterdir()) == ["README.txt", "index.html"]
    assert not re.search(r"""(src|href)\s*=\s*["'](?!data:|#)""", html)
    # no address outside the file (MathML's namespace and the loopback address in a quoted --help are names, not fetches)
    assert re.findall(r"https?://(?!www\.w3\.org|127\.0\.0\.1[:/])[^\s\"'<>]*", html) == []
    assert 'from "./' not in html
    data = json.loads(re.search(r'<script type="application/json" id="deck-data">(.*?)</script>', html, re.S).group(1))
    assert set(data["scenes"]) == set(deck_scenes())
    assert {"mesh.vert", "mesh.frag", "morph-1.vert"} <= set(data["shaders"])
    assert all("layer1.weight" in data["inspect"][lang] for lang in ("pl", "en"))  # `affine3d inspect`'s report, each language


def test_the_slides_show_shipped_scenes():
    """Every scene a slide names is a shipped scene (the deck's data come from scenes/)."""
    assert set(deck_scenes()) <= set(list_scenes())
    assert "cube-to-sphere" in deck_scenes() and "1980-vs-2015" in deck_scenes()


def test_the_module_joiner_refuses_two_modules_declaring_one_name(tmp_path):
    """Joined into one scope, two top-level `function f` would collide: refused by name."""
    (tmp_path / "a.js").write_text('export function shared() { return 1; }\n')
    (tmp_path / "b.js").write_text('import { shared as one } from "./a.js";\nexport function shared() { return one(); }\n')
    with pytest.raises(UsageError, match="'shared' is also declared in a.js"):
        bundle_modules(tmp_path / "b.js")
    (tmp_path / "c.js").write_text('import { shared as one } from "./a.js";\nconst two = one() + 1;\n')
    text, files = bundle_modules(tmp_path / "c.js")
    assert [f.name for f in files] == ["a.js", "c.js"] and "const one = shared;" in text and "export" not in text


def test_bench_figures_reach_the_gpu_slide(tmp_path, capsys):
    """A bench --json file: its machine line and tables go into the deck; a broken one is one line, exit 2."""
    table = Table("MLP forward pass on a compute shader", ["batch", "implementation", "ms"])
    table.add(1000, "numpy X @ W.T + b (reference)", 0.25)
    good = tmp_path / "bench.json"
    good.write_text(json.dumps({"machine": {"cpu": "Test CPU", "cores": 2, "gl_renderer": "llvmpipe"}, "tables": [table.to_dict()]}))
    figures = load_bench(good)
    assert figures["machine"] == "cpu Test CPU, cores 2; OpenGL renderer: llvmpipe"
    assert figures["tables"][0]["rows"] == [["1000", "numpy X @ W.T + b (reference)", "0.25"]]
    code, out, err = run_cli(capsys, "lecture", "--bench", good, "--export", tmp_path / "deck")
    assert code == 0, err
    assert "Test CPU" in (tmp_path / "deck" / "index.html").read_text(encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"machine": {}, "tables": [{"title": 3}]}')
    code, _, err = run_cli(capsys, "lecture", "--bench", bad, "--export", tmp_path / "deck2")
    assert code == 2 and "tables[0]" in one_line(err) and str(bad) in err
    assert not (tmp_path / "deck2").exists()


def test_the_command_refuses_what_it_cannot_do(tmp_path, capsys):
    """A folder with files in it, an unknown language, a bad --size: one line each, exit 2, nothing written."""
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("keep")
    code, _, err = run_cli(capsys, "lecture", "--export", full)
    assert code == 2 and "new or empty folder" in one_line(err)
    assert [p.name for p in full.iterdir()] == ["mine.txt"]
    with pytest.raises(SystemExit) as stop:
        run_cli(capsys, "lecture", "--lang", "de", "--export", tmp_path / "de")
    assert stop.value.code == 2 and "--lang" in one_line(capsys.readouterr().err)
    assert not (tmp_path / "de").exists()
    code, _, err = run_cli(capsys, "lecture", "--size", "big", "--png", tmp_path / "png")
    assert code == 2 and "--size" in one_line(err)
