"""Words in the reader's language: one gettext catalogue for the command line, the viewer, the page and the deck.

Every sentence a student or a teacher reads is written in English in the code, wrapped in :func:`_`
(``_("no such file: {path}").format(path=path)``), and looked up at run time in the catalogue of the
chosen language, ``affine3d/locale/<lang>/LC_MESSAGES/affine3d.mo`` (compiled from the ``.po`` next to it
by ``python -m affine3d.translations compile``; the browser reads the same words from
``affine3d/web/static/locale/<lang>.json``). A message with no translation stays English.

Which language: :func:`use_language` when something chose one (``affine3d --lang pl``, the page's
``?lang=``), otherwise the environment in gettext's own order: ``LANGUAGE`` (a list such as ``pl:en``),
``LC_ALL``, ``LC_MESSAGES``, ``LANG``; the first that is set decides, and a language the package has no
catalogue for means English.

Rules the tests keep (``tests/test_i18n.py``):

* Only literal strings go through :func:`_`: never ``_(f"...")`` (an f-string is a new message every
  time, so no catalogue could hold it); the values go in afterwards with ``str.format``.
* A text made when a module is imported (a table, a ``HELP`` line) is marked with :func:`N_` and looked
  up with :func:`_` where it is shown, so it follows the language chosen later.
* File formats, JSON keys, field paths (``object[2].transform[1].rotate.deg``), code and numbers a student
  pastes into Python are never translated; :func:`prose_number` writes a number the reader's way only
  inside sentences.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

DOMAIN = "affine3d"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE = "en"
# The languages with a catalogue (English is the code's own), each by its own name, as a chooser lists it.
LANGUAGES = {"en": "English", "pl": "polski"}
ENVIRONMENT_ORDER = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None  # set by use_language; None: ask the environment at the first lookup
_translation: gettext.NullTranslations | None = None


def language_code(locale_name: str) -> str:
    """``"pl_PL.UTF-8"`` -> ``"pl"``; ``"C"``, ``"POSIX"`` and ``""`` -> ``""`` (no language named).

    Examples
    --------
    >>> [language_code(name) for name in ("pl_PL.UTF-8", "en_GB", "pl", "C.UTF-8", "sr@latin", "")]
    ['pl', 'en', 'pl', '', 'sr', '']
    """
    code = locale_name.split(".")[0].split("@")[0].split("_")[0].split("-")[0].strip().lower()
    return "" if code in ("c", "posix") else code


def language_from_environment(environ=None) -> str:
    """The language gettext would pick from ``environ`` (``os.environ`` by default), among :data:`LANGUAGES`.

    The first of ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG`` that is set decides; ``LANGUAGE`` may
    list several (``de:pl:en``), the first one with a catalogue wins. Anything else means English.

    Examples
    --------
    >>> language_from_environment({"LANG": "pl_PL.UTF-8"})
    'pl'
    >>> language_from_environment({"LC_ALL": "en_US.UTF-8", "LANG": "pl_PL.UTF-8"})
    'en'
    >>> language_from_environment({"LANGUAGE": "de:pl", "LANG": "en_US.UTF-8"})
    'pl'
    >>> language_from_environment({})
    'en'
    """
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT_ORDER:
        value = environ.get(variable, "")
        if not value:
            continue
        for name in value.split(":"):
            code = language_code(name)
            if code in LANGUAGES:
                return code
        if variable != "LANGUAGE":  # LANGUAGE with nothing we know falls through to the locale, as in gettext
            return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def checked_language(name: str) -> str:
    """``name`` as one of :data:`LANGUAGES` (``"pl_PL"`` -> ``"pl"``), or a one-line ValueError listing them.

    (A plain ValueError: this module is the floor under ``errors``, whose messages it translates.)
    """
    code = language_code(str(name))
    if code not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise ValueError(_("unknown language {name}: affine3d speaks {choices}").format(name=repr(str(name)), choices=choices))
    return code


def use_language(name: str | None) -> str:
    """Speak ``name`` (``"pl"``, ``"en"``, ``"pl_PL.UTF-8"``) from now on; None goes back to the environment's."""
    global _chosen, _translation
    _chosen = None if name is None else checked_language(name)
    _translation = None
    return current_language()


def current_language() -> str:
    """The language messages are looked up in now."""
    return _chosen if _chosen is not None else language_from_environment()


def translation(language: str | None = None) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (the current one by default); English is the code itself."""
    language = current_language() if language is None else language
    if language == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _current() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        _translation = translation()
    return _translation


def _(message: str) -> str:
    """``message`` in the current language (itself where the catalogue has no translation)."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for ``n`` things: Polish has three (1 plik, 2 pliki, 5 plików)."""
    return _current().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without looking it up yet (for texts made at import time)."""
    return message


# Prose numbers: (decimal mark, thousands separator). Polish groups with a no-break space: "1 024", "0,5".
_NUMBER_MARKS = {"en": (".", ","), "pl": (",", "\u00a0")}


def prose_number(value, digits: int | None = None, language: str | None = None) -> str:
    """``value`` written for a sentence in ``language``: ``1 024`` and ``0,25`` in Polish, ``1,024`` and ``0.25`` in English.

    ``digits`` fixes the digits after the decimal mark (integers have none). Never for a matrix printout,
    a file, or anything a student pastes into Python: those keep Python's own ``0.25``.

    Examples
    --------
    >>> prose_number(1024, language="pl"), prose_number(0.25, 2, language="pl"), prose_number(-1234.5, 1, language="en")
    ('1\\xa0024', '0,25', '-1,234.5')
    """
    language = current_language() if language is None else language
    decimal, thousands = _NUMBER_MARKS.get(language, _NUMBER_MARKS[SOURCE_LANGUAGE])
    if digits is None:
        text = f"{value:,}" if isinstance(value, int) else f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.6g}"
        if "e" in text or "E" in text:
            text = f"{value:.6g}"
    else:
        text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
