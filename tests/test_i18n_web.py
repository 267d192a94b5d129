"""The browser side in the reader's language: the page, the lecture deck and the notebook widget from the one catalogue.

The cheap checks need no browser: every ``_("...")``/``N_("...")`` in ``web/static/js`` is a message of the catalogue
(so Babel's extraction reaches it, template literals included), index.html's data-i18n texts and the shipped
scenes' words are listed for the catalogue, and ``--lang`` is written into the page and the deck. Then one
headless-Chromium load per host, in Polish three ways (the browser's language pl-PL for the page, ``?lang=pl`` for
the deck, the ``lang`` trait for the widget): the visible text has no English word (tests/_english.py), and the
page and the deck are photographed (``AFFINE3D_WRITE_DOCS=1`` writes docs/page-pl.png and docs/deck-pl.png).
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from affine3d import translations
from affine3d.errors import UsageError
from affine3d.geometry import list_scenes, load_scene
from affine3d.web import build_site
from affine3d.web.lecture import build_lecture, deck_data
from affine3d.geometry.scene_texts import SCENE_TEXTS
from affine3d.web.site import STATIC_DIR, force_language
from _english import english_words

JS_DIR = STATIC_DIR / "js"
DOCS = Path(__file__).resolve().parent.parent / "docs"
# _("..."), N_("..."), and N_("..." + "...") as slides.js writes a long text, in any module of the page.
_CALL = re.compile(r'\b(?:_|N_)\(\s*((?:"(?:[^"\\]|\\.)*"\s*\+?\s*)+)\)')
_PLURAL = re.compile(r'\bngettext\(\s*("(?:[^"\\]|\\.)*")\s*,\s*"(?:[^"\\]|\\.)*"\s*,')
_PIECE = re.compile(r'"(?:[^"\\]|\\.)*"')


def polish_messages() -> dict:
    return json.loads((STATIC_DIR / "locale" / "pl.json").read_text(encoding="utf-8"))["messages"]


def js_messages() -> dict[str, str]:
    """Every literal message the page's modules pass to _() or N_(), with the file that has it."""
    found = {}
    for path in sorted(JS_DIR.glob("*.js")):
        code = "\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("//"))
        for match in _CALL.finditer(code):
            found["".join(json.loads(piece) for piece in _PIECE.findall(match.group(1)))] = path.name
        for match in _PLURAL.finditer(code):  # a plural message goes by its singular, with Polish's three forms
            found[json.loads(match.group(1))] = path.name
    return found


def test_every_message_of_the_pages_modules_is_in_the_catalogue_and_translated():
    """A message Babel did not extract (inside a template literal's ${...}, say) would stay English: none is."""
    found, polish = js_messages(), polish_messages()
    assert len(found) > 150  # the page, the deck's interface and its 14 slides
    translated = lambda text: all(text) if isinstance(text, list) else bool(text)  # noqa: E731
    missing = [f"{name}: {message!r}" for message, name in found.items() if not translated(polish.get(message))]
    assert sum(isinstance(polish.get(message), list) for message in found) >= 10  # ngettext: 1 punkt, 2 punkty, 5 punktów
    assert not missing, missing[:5]
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in translations.extract() if m.id}
    assert set(found) <= extracted


def test_index_html_texts_and_shipped_scene_words_are_in_the_catalogue():
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    marked = re.findall(r'data-i18n-(?:title|aria-label)="([^"]+)"', html)
    marked += [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<[a-z0-9]+[^>]*\sdata-i18n(?:\s[^>]*)?>([^<]*)<", html)]
    assert len(marked) >= 15
    polish, app = polish_messages(), (JS_DIR / "app.js").read_text(encoding="utf-8")
    for text in marked:
        assert f'N_({json.dumps(text, ensure_ascii=False)})' in app, f"index.html's {text!r}: list it in app.js's PAGE_TEXTS"
        assert polish.get(text), text
    for key in list_scenes():  # a new shipped scene must list its words in geometry/scene_texts.py
        scene = load_scene(key)
        for text in [scene.name, scene.description, *(obj.name for obj in scene.objects)]:
            assert not text or text in SCENE_TEXTS, f"scenes/{key}.toml: {text!r} is not in affine3d/geometry/scene_texts.py"
            assert not text or polish.get(text), text


def test_lang_is_written_into_the_page_and_the_deck(tmp_path):
    site = build_site(tmp_path / "pl", ["platonic"], lang="pl")
    assert '<meta name="affine3d-lang" content="pl">' in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "locale" / "pl.json").read_text(encoding="utf-8") == (STATIC_DIR / "locale" / "pl.json").read_text(encoding="utf-8")
    plain = build_site(tmp_path / "browser", ["platonic"])
    assert '<meta name="affine3d-lang" content="">' in (plain / "index.html").read_text(encoding="utf-8")
    with pytest.raises(UsageError, match="--lang"):
        force_language("<meta name=\"affine3d-lang\" content=\"\">", "de")
    data = deck_data(None)[0]["data"]
    assert data["lang"] is None and data["catalogs"]["pl"]["messages"] == polish_messages()
    assert set(data["inspect"]) == {"pl", "en"}
    assert deck_data("en")[0]["data"]["lang"] == "en"


# ---------------------------------------------------------------------------------------------- in a browser
def visible_english(page) -> list[str]:
    """English words of the page's visible text, but not in the deck's `$ affine3d inspect` printout (its words are
    inspect's, translated with the command line, not here)."""
    text, panel = page.evaluate("[document.body.innerText, document.getElementById('panel')?.innerText ?? '']")
    if "$ affine3d" in panel:
        text = text.replace(panel[panel.index("$ affine3d"):].strip(), "")
    return english_words(text)


def keep_picture(picture: bytes, name: str, tmp_path) -> Path:
    (tmp_path / name).write_bytes(picture)
    if os.environ.get("AFFINE3D_WRITE_DOCS") == "1":
        shutil.copyfile(tmp_path / name, DOCS / name)
    return tmp_path / name


def watched(page):
    page.problems = []
    page.on("console", lambda m: page.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"page error: {e}"))
    return page


def test_the_page_in_the_browsers_polish_has_no_english_word(browser, tmp_path):
    from affine3d.web import serve_folder

    site = build_site(tmp_path / "site")
    server, url = serve_folder(site)
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="pl-PL")
    try:
        page = watched(context.new_page())
        page.goto(url + "#scene=cube-to-sphere&stage=2&t=0.5")  # no ?lang=: navigator.languages says pl
        page.evaluate("window.affine3d.ready")
        page.evaluate("window.affine3d.settle()")
        assert page.evaluate("window.affine3d.language()") == "pl"
        assert page.evaluate("document.documentElement.lang") == "pl"
        text = page.evaluate("document.body.innerText")
        assert "Sześcian w sferę" in text and "rzutowanie" in text and "etap 2/" in text, text
        assert visible_english(page) == [], text
        assert page.title().startswith("affine3d: grafika 3D")
        # the Plural-Forms rule the page parsed (no eval) is gettext's own, number for number
        forms = page.evaluate("""async () => { const m = await import('/js/engine.js');
            const rule = m.pluralRule(JSON.parse(await (await fetch('locale/pl.json')).text()).plural_forms);
            return Array.from({ length: 300 }, (_, n) => rule(n)); }""")
        import gettext

        polish = gettext.GNUTranslations(open(translations.mo_path("pl"), "rb"))
        assert forms == [polish.plural(n) for n in range(300)]
        # ?lang= first, then the teacher's (serve/export-web --lang), then the browser's languages, else English
        choices = page.evaluate("""async () => { const m = await import('/js/engine.js');
            return [[null, null, ["pl-PL", "en"]], ["en", "pl", ["pl"]], [null, "en", ["pl-PL"]], ["xx", null, ["de", "pl"]],
                    [null, null, ["de-DE"]], ["PL", null, []]].map(([asked, forced, preferred]) => m.chooseLanguage({ asked, forced, preferred })); }""")
        assert choices == ["pl", "en", "en", "pl", "en", "pl"]
        page.evaluate("window.affine3d.seek(1, 0.5)")
        keep_picture(page.screenshot(), "page-pl.png", tmp_path)
        # a broken model file is refused in Polish too (safetensors.js's messages are the catalogue's)
        assert page.evaluate("window.affine3d.loadModel([1, 2, 3], 'bad.safetensors')") is False
        message = page.evaluate("window.affine3d.messages.at(-1)")
        assert message["error"] and message["text"].startswith("bad.safetensors: plik ucięty: 3 B"), message
        assert english_words(message["text"]) == []
        assert page.problems == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_the_deck_with_lang_pl_has_no_english_word_on_any_slide(browser, tmp_path):
    deck = build_lecture(tmp_path / "deck")  # no --lang: the URL's ?lang=pl decides
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    try:
        page = watched(context.new_page())
        page.goto((deck / "index.html").as_uri() + "?lang=pl")
        page.evaluate("window.affine3d.ready")
        assert page.evaluate("window.affine3d.deck.lang") == "pl"
        found = {}
        for k in range(page.evaluate("window.affine3d.deck.count")):
            page.evaluate("k => { window.affine3d.deck.go(k); window.affine3d.deck.still(); }", k)
            text = page.evaluate("document.body.innerText")
            assert f"slajd {k + 1} z" in text
            if visible_english(page):
                found[k + 1] = (visible_english(page), text)
        assert found == {}
        page.evaluate("k => { window.affine3d.deck.go(k); window.affine3d.deck.still(); }", 3)
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        keep_picture(page.screenshot(), "deck-pl.png", tmp_path)
        # L switches to English and back, the texts with it
        page.keyboard.press("l")
        assert page.evaluate("window.affine3d.deck.lang") == "en"
        assert "An affine map" in page.evaluate("document.getElementById('title').textContent")
        assert page.problems == []
    finally:
        context.close()


def test_the_widget_with_lang_pl_speaks_polish(browser):
    from affine3d.notebook import show
    from test_notebook import HARNESS, state_for_js

    widget = show("cube-to-sphere", lang="pl", size=(320, 240))
    assert widget.lang == "pl" and widget._catalogs["pl"]["messages"] == polish_messages()
    context = browser.new_context(viewport={"width": 700, "height": 500}, locale="en-US")
    try:
        page = watched(context.new_page())
        page.set_content("<!doctype html><html><body style='margin:0'></body></html>")
        page.evaluate(HARNESS, [widget._esm, state_for_js(widget)])
        text = page.evaluate("document.body.innerText")
        assert "świat" in text and "etap 1/" in text and "sieć 3-3-3-3-3-3" in text, text
        assert english_words(text) == [], text
        page.evaluate("async () => { window.harness.model.fromPython({ lang: 'en' }); await window.harness.frame(); }")
        assert "world" in page.evaluate("document.body.innerText")
        assert page.problems == []
    finally:
        context.close()
    with pytest.raises(Exception, match="lang"):
        widget.lang = "de"
