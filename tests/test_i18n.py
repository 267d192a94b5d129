"""The catalogue: every message of the code translated, placeholders kept, the .mo and the JSON the .po compiled."""

import ast
import gettext
import json

import pytest

from affine3d import i18n, translations


@pytest.fixture(scope="module")
def template():
    return translations.extract()


@pytest.mark.parametrize("language", translations.translated_languages())
def test_catalogue_is_complete_translated_and_compiled(language, template):
    """No message of the code is missing, untranslated or fuzzy; placeholders kept; .mo and JSON equal the .po."""
    assert translations.problems(language, template=template) == []


def test_the_check_catches_a_planted_mistake(template):
    """A translation that drops a placeholder, one left fuzzy and one left empty are each reported."""
    def planted(change):
        catalog = translations.read("pl")
        message = next(m for m in catalog if m.id and isinstance(m.id, str) and "{" in m.id and translations.placeholders(m.id))
        change(message)
        return message.id, "\n".join(translations.problems("pl", catalog=catalog, template=template))

    key, found = planted(lambda message: setattr(message, "string", "brak"))
    assert f"placeholders differ in {key!r}" in found
    assert ".mo is older than the .po" in found and "not the .po compiled" in found
    key, found = planted(lambda message: setattr(message, "string", message.string.replace("}", "")))
    assert f"unreadable braces in {key!r}" in found or f"placeholders differ in {key!r}" in found
    key, found = planted(lambda message: message.flags.add("fuzzy"))
    assert f"fuzzy (check it, then remove the flag): {key!r}" in found
    key, found = planted(lambda message: setattr(message, "string", ""))
    assert f"not translated: {key!r}" in found
    template.add("a message only the code has", None, [("x.py", 1)])
    assert "not in the catalogue (run update): 'a message only the code has'" in "\n".join(
        translations.problems("pl", template=template))
    template.delete("a message only the code has")


def test_placeholders_are_read_strictly():
    """Named, positional and %-style fields are listed; an unpaired brace is an error, not a silent pass."""
    assert translations.placeholders("{a} and {b:.3f} of {0}, %d%%") == sorted(["{a}", "{b:.3f}", "{0}", "%d", "%%"])
    with pytest.raises(ValueError):
        translations.placeholders("{a")


def test_mo_file_is_what_gettext_reads():
    """The shipped .mo, read by the standard library, gives the .po's translation of every message."""
    catalog = translations.read("pl")
    with open(translations.mo_path("pl"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in catalog:
        if message.id and isinstance(message.id, str):
            assert compiled.gettext(message.id) == message.string


def test_json_for_the_browser_equals_the_po():
    """The page's <lang>.json holds exactly the .po's messages (plural forms as lists)."""
    body = json.loads(translations.json_path("pl").read_text(encoding="utf-8"))
    catalog = translations.read("pl")
    expected = {}
    for message in catalog:
        if message.id:
            key = message.id if isinstance(message.id, str) else message.id[0]
            expected[key] = message.string if isinstance(message.string, str) else list(message.string)
    assert body["messages"] == expected
    assert body["language"] == "pl" and body["plural_forms"].startswith("nplurals=3")


def test_no_message_is_made_at_run_time():
    """``_()`` only of a literal: ``_(f"...")`` would be a new message every time, never in the catalogue."""
    assert translations.formatted_fstrings() == []
    planted = ast.parse('_(f"{x} files")')
    call = planted.body[0].value
    assert not isinstance(call.args[0], ast.Constant)  # the shape the check refuses


def test_no_module_that_translates_reuses_the_name_underscore():
    """A module that imports ``_`` never assigns ``_`` (``for _, x in ...`` would hide the translator in that scope)."""
    offenders = []
    for path in sorted(translations.PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_it = any(isinstance(node, ast.ImportFrom) and any(alias.name == "_" for alias in node.names)
                         for node in ast.walk(tree))
        if not imports_it:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "pl_PL.UTF-8"}, "pl"),
    ({"LC_MESSAGES": "pl_PL.UTF-8", "LANG": "en_US.UTF-8"}, "pl"),
    ({"LC_ALL": "en_US.UTF-8", "LC_MESSAGES": "pl_PL.UTF-8"}, "en"),
    ({"LANGUAGE": "pl:en", "LC_ALL": "en_US.UTF-8"}, "pl"),
    ({"LANGUAGE": "de", "LANG": "pl_PL.UTF-8"}, "pl"),  # LANGUAGE names nothing we have: the locale decides
    ({"LANG": "de_DE.UTF-8"}, "en"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({}, "en"),
])
def test_language_comes_from_the_environment_in_gettexts_order(environ, expected):
    """LANGUAGE, LC_ALL, LC_MESSAGES, LANG: the first that is set decides; unknown languages mean English."""
    assert i18n.language_from_environment(environ) == expected


def test_use_language_overrides_the_environment(monkeypatch):
    """``use_language('pl')`` speaks Polish under an English locale, ``None`` returns to the environment's choice."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    message = "unknown language {name}: affine3d speaks {choices}"
    try:
        assert i18n.use_language("pl_PL.UTF-8") == "pl"
        assert i18n._(message) == translations.read("pl")[message].string != message
        assert i18n.use_language(None) == "en"
        assert i18n._(message) == message
        with pytest.raises(ValueError, match="'xx'"):
            i18n.use_language("xx")
    finally:
        i18n.use_language(None)


@pytest.mark.parametrize("value, digits, pl, en", [
    (1024, None, "1\u00a0024", "1,024"),
    (1234567, None, "1\u00a0234\u00a0567", "1,234,567"),
    (0.25, 2, "0,25", "0.25"),
    (-1234.5, 1, "-1\u00a0234,5", "-1,234.5"),
    (3.0, 0, "3", "3"),
])
def test_prose_numbers_in_polish_and_english(value, digits, pl, en):
    """Sentences get "1 024" and "0,25" in Polish; English keeps "1,024" and "0.25"."""
    assert i18n.prose_number(value, digits, language="pl") == pl
    assert i18n.prose_number(value, digits, language="en") == en
    # read back: the Polish form is the same number
    assert float(pl.replace("\u00a0", "").replace(",", ".")) == pytest.approx(round(value, digits or 0))


def test_glossary_terms_are_the_catalogues():
    """Each glossary term the catalogue's Polish side uses for its English term is the glossary's (spot check)."""
    glossary = (translations.PACKAGE.parent / "docs" / "glossary-pl.md").read_text(encoding="utf-8")
    for english, polish in [("affine map", "przekształcenie afiniczne"), ("activation function", "funkcja aktywacji"),
                            ("homogeneous coordinates", "współrzędne jednorodne"), ("normal matrix", "macierz normalnych"),
                            ("perspective projection", "rzutowanie perspektywiczne"), ("determinant", "wyznacznik")]:
        assert f"| {english} | {polish}" in glossary
    catalog = translations.read("pl")
    for message in catalog:
        if isinstance(message.id, str) and "affine map" in message.id.lower() and message.string:
            assert "afiniczn" in message.string.lower(), message.id
        if isinstance(message.id, str) and "activation" in message.id.lower() and message.string:
            assert "aktywacj" in message.string.lower(), message.id
