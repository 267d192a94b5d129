"""Keeping the catalogue: find every message in the code, merge it into each language's ``.po``, compile, check.

For translators and for the tests, not for users (it needs Babel, in the ``test`` extra). Babel rather than
GNU gettext's ``xgettext``/``msgfmt``: it is pure Python (pip installs it everywhere the tests run, no Debian
package), it reads both our Python and our JavaScript into one catalogue, and it writes the ``.mo`` the
standard library's :mod:`gettext` reads. The placeholder check is our own and stricter than
``msgfmt --check-format`` for our style: ``str.format`` fields (``{path}``) must match exactly.

Usage, from the repository::

    python -m affine3d.translations update    # new messages into every .po (untranslated), gone ones dropped
    python -m affine3d.translations compile   # each .po -> its .mo (Python) and <lang>.json (the browser)
    python -m affine3d.translations check     # untranslated, fuzzy, placeholders, stale .mo/.json: one line each
    python -m affine3d.translations union A.po B.po   # a merge conflict in the .po: both sides' translations

To add a language: ``python -m affine3d.translations new xx``, translate ``affine3d/locale/xx/LC_MESSAGES/affine3d.po``
with ``docs/glossary-pl.md``'s terms in mind (write ``docs/glossary-xx.md``), add it to
:data:`affine3d.i18n.LANGUAGES`, then ``compile`` and ``check``.
"""

from __future__ import annotations

import ast
import datetime
import io
import json
import re
import string
import sys
from pathlib import Path

from .i18n import DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE

PACKAGE = Path(__file__).resolve().parent
WEB_LOCALE_DIR = PACKAGE / "web" / "static" / "locale"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
# Where messages are: the Python package, and the browser's JavaScript modules (the same _() by name).
SOURCES = (("**.py", "python"), ("web/static/js/**.js", "javascript"))
# Babel reads the _() inside a JavaScript template literal's ${...} only when asked (tests/test_i18n_web.py checks it does).
OPTIONS = {"web/static/js/**.js": {"parse_template_string": True}}
FIXED_DATE = datetime.datetime(2026, 12, 7, tzinfo=datetime.timezone.utc)  # the header's dates stay put, so a rerun rewrites nothing


def po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def mo_path(language: str) -> Path:
    return po_path(language).with_suffix(".mo")


def json_path(language: str) -> Path:
    return WEB_LOCALE_DIR / f"{language}.json"


def translated_languages() -> list[str]:
    return [language for language in LANGUAGES if language != SOURCE_LANGUAGE]


def extract():
    """A Babel catalogue of every message the code marks (``_``, ``N_``, ``ngettext``), with where each is."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    template = Catalog(domain=DOMAIN, project="affine3d", fuzzy=False)
    found = extract_from_dir(PACKAGE, SOURCES, options_map=OPTIONS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",),
                             strip_comment_tags=True,
                             directory_filter=lambda path: "__pycache__" not in path and "/locale" not in path)
    for filename, line, message, comments, context in found:
        template.add(message, None, [(filename, line)], auto_comments=comments, context=context)
    return template


def read(language: str):
    from babel.messages.pofile import read_po

    with open(po_path(language), "rb") as handle:
        return read_po(handle, locale=language, domain=DOMAIN)


def po_bytes(catalog) -> bytes:
    from babel.messages.pofile import write_po

    catalog.revision_date = catalog.creation_date = FIXED_DATE
    out = io.BytesIO()
    # sorted, with no file:line comments: a line moved in the code changes nothing here (and merges stay quiet)
    write_po(out, catalog, width=0, no_location=True, sort_output=True, ignore_obsolete=True)
    return out.getvalue()


def new(language: str) -> Path:
    """An empty ``.po`` for ``language`` with every message of the code, untranslated."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale=language, domain=DOMAIN, project="affine3d", version="", fuzzy=False,
                      header_comment=f"# affine3d's messages in {LANGUAGES.get(language, language)}.\n"
                                     f"# The terms follow docs/glossary-{language}.md.\n#",
                      copyright_holder="the affine3d authors", msgid_bugs_address="the affine3d issue tracker",
                      last_translator="the affine3d team", language_team=LANGUAGES.get(language, language))
    catalog.update(extract(), no_fuzzy_matching=True, update_creation_date=False)
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(catalog))
    return path


def update() -> list[Path]:
    """Merge the code's messages into every ``.po``: new ones untranslated (never a fuzzy guess), gone ones dropped."""
    template, written = extract(), []
    for language in translated_languages():
        catalog = read(language)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        po_path(language).write_bytes(po_bytes(catalog))
        written.append(po_path(language))
    return written


def union(first: Path, second: Path, language: str = "pl") -> Path:
    """One ``.po`` from two (two branches that each translated new messages): every translation of either, the
    first's where both have one; then only the code's messages are kept. Resolves a merge conflict in the catalogue."""
    from babel.messages.pofile import read_po

    with open(first, "rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    with open(second, "rb") as handle:
        other = read_po(handle, locale=language, domain=DOMAIN)
    for message in other:
        if not message.id:
            continue
        mine = catalog.get(message.id)
        if mine is None or not (all(mine.string) if isinstance(mine.string, (list, tuple)) else mine.string):
            catalog[message.id] = message
    catalog.update(extract(), no_fuzzy_matching=True, update_creation_date=False)
    catalog.obsolete.clear()
    po_path(language).write_bytes(po_bytes(catalog))
    return po_path(language)


def mo_bytes(catalog) -> bytes:
    from babel.messages.mofile import write_mo

    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def json_text(catalog) -> str:
    """The catalogue for the browser: ``{"language", "plural_forms", "messages": {msgid: msgstr or [forms]}}``."""
    messages = {}
    for message in catalog:
        if not message.id or message.fuzzy or not message.string:
            continue
        if isinstance(message.id, (list, tuple)):
            messages[message.id[0]] = list(message.string)
        else:
            messages[message.id] = message.string
    body = {"language": catalog.locale_identifier or str(catalog.locale), "plural_forms": catalog.plural_forms,
            "messages": dict(sorted(messages.items()))}
    return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def compile_all() -> list[Path]:
    """Each ``.po`` -> its ``.mo`` (read by :mod:`gettext`) and its JSON (read by the page, the widget, the deck)."""
    written = []
    for language in translated_languages():
        catalog = read(language)
        mo_path(language).write_bytes(mo_bytes(catalog))
        json_path(language).parent.mkdir(parents=True, exist_ok=True)
        json_path(language).write_text(json_text(catalog), encoding="utf-8")
        written += [mo_path(language), json_path(language)]
    return written


_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def placeholders(text: str) -> list[str]:
    """The fields of ``text`` a translation must keep: ``{name}``/``{0}``/``{}`` (with format spec) and ``%s``-style.

    Raises ValueError for a text ``str.format`` cannot read (an unpaired brace).

    Examples
    --------
    >>> placeholders("{count:,} faces in {path}, 50%% done, %(n)d left")
    ['%%', '%(n)d', '{count:,}', '{path}']
    """
    fields = []
    for _literal, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            fields.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
    fields += _PERCENT.findall(text)
    return sorted(fields)


def problems(language: str, catalog=None, template=None) -> list[str]:
    """Everything wrong with one language's catalogue, one line each (empty: all is well)."""
    catalog = read(language) if catalog is None else catalog
    template = extract() if template is None else template
    found = []
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in catalog if message.id}
    for message in template:
        if message.id and (message.id if isinstance(message.id, str) else message.id[0]) not in ids:
            found.append(f"{language}: not in the catalogue (run update): {message.id!r}")
    code_ids = {message.id if isinstance(message.id, str) else message.id[0] for message in template if message.id}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key not in code_ids:
            found.append(f"{language}: no longer in the code (run update): {key!r}")
        strings = list(message.string) if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy:
            found.append(f"{language}: fuzzy (check it, then remove the flag): {key!r}")
        if not all(strings):
            found.append(f"{language}: not translated: {key!r}")
            continue
        sources = list(message.id) if isinstance(message.id, (list, tuple)) else [message.id]
        try:
            wanted = set(placeholders(sources[-1])) | set(placeholders(sources[0]))
            for form in strings:
                kept = placeholders(form)
                # every form keeps the singular's fields; a plural's count may be spelt out in the singular form
                if set(kept) - wanted or set(placeholders(sources[0])) - set(kept) - {"{n}", "{count}", "%d"}:
                    found.append(f"{language}: placeholders differ in {key!r}: {placeholders(sources[0])} -> {kept}")
                    break
        except ValueError as exc:
            found.append(f"{language}: unreadable braces in {key!r}: {exc}")
    if mo_path(language).exists() and mo_path(language).read_bytes() != mo_bytes(catalog):
        found.append(f"{language}: {mo_path(language).name} is older than the .po (run compile)")
    if not json_path(language).exists() or json_path(language).read_text(encoding="utf-8") != json_text(catalog):
        found.append(f"{language}: {json_path(language).name} is not the .po compiled (run compile)")
    if not mo_path(language).exists():
        found.append(f"{language}: no {mo_path(language).name} (run compile)")
    return found


def formatted_fstrings(root: Path = PACKAGE) -> list[str]:
    """Calls ``_(f"...")`` (or ``_`` of anything but a literal) in the code: no catalogue can hold them."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_")
                    and node.args and not (isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str))):
                found.append(f"{path.relative_to(root.parent)}:{node.lineno}: {node.func.id}() of a non-literal")
    return found


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command = argv[0] if argv else "check"
    if command == "update":
        for path in update():
            print(f"updated {path}")
    elif command == "compile":
        for path in compile_all():
            print(f"wrote {path}")
    elif command == "union" and len(argv) == 3:
        print(f"wrote {union(Path(argv[1]), Path(argv[2]))}")
    elif command == "new" and len(argv) == 2:
        print(f"wrote {new(argv[1])}")
    elif command == "check":
        template = extract()
        found = formatted_fstrings() + [line for language in translated_languages() for line in problems(language, template=template)]
        for line in found:
            print(line)
        print(f"{len(found)} problem(s)" if found else "catalogue complete")
        return 1 if found else 0
    else:
        print("usage: python -m affine3d.translations update | compile | check | new LANG | union A.po B.po",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
