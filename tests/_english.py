"""One shared check for "no English left": words that are English and never Polish, and a splitter that keeps prose.

Used by the language tests (tests/test_i18n_cli.py and the others): run a thing with ``LANG=pl_PL.UTF-8``, then
``assert english_words(output) == []``. What is code is dropped first (a backticked or quoted span, a field
path ``object[2].transform[1].rotate.deg``, a file name ``rings.safetensors``, a flag ``--size``, a number, an
ALL-CAPS placeholder such as ``FILE``), so a word is only found where a sentence is still English.

The list holds common English words that are not Polish words too: never "to", "a", "i", "no", "on", "do",
"we", "by", "was", "but", "most", "same", "one", "start", "folder", "bias", "model", "argument", "tensor"
(each of those is also a Polish word), nor Python's None/True/False. Others may ADD words at the end
of the list; keep it to words no Polish sentence of ours can contain.
"""

from __future__ import annotations

import re

ENGLISH_WORDS = frozenset("""
the and of is are not with from file files must should cannot usage options arguments help show error
this that these those then than there here where when which what while who whom whose why how
be been being were will would can could may might shall has have had does did done
it they them their you your yours our he she his her him
an or nor if else for into onto over under after before between about above below without within
each every any some all only also just more less least very much many such other another
missing expected got invalid unknown required allowed given found default instead however because
write wrote written read reads open opens opened print prints printed run runs running draw draws drawn
need needs needed use uses used make makes made take takes keep keeps stops
see shows shown give gives try tries tried work works
picture pictures window scene scenes network networks layer layers matrix matrices
vertex vertices mesh training trained weights weight image images page pages screen
number numbers size sizes name names value values point points line lines time times step steps
two three four first last new old whole own yes
""".split())


_QUOTED = re.compile(r"`[^`\n]*`|(?<!\w)'[^'\n]*'(?!\w)|(?<!\w)\"[^\"\n]*\"(?!\w)")
_EDGE = ".,;:!?()[]{}<>\"'«»„”“…"
_CODE_CHARS = set("./\\_[]=<>{}()@#*:+|$%&~^")


def prose_words(text: str) -> list[str]:
    """The words of ``text`` that are prose: quoted or backticked spans, flags, paths, file names, numbers and
    ALL-CAPS placeholders dropped; lower case.

    Examples
    --------
    >>> prose_words("the file `a.b` 'x y' object[2].rotate.deg --size FILE 1,024 is gone.")
    ['the', 'file', 'is', 'gone']
    >>> prose_words("a shipped scene's name, e.g. rings.safetensors, xvfb-run")
    ['a', 'shipped', 'scene', 's', 'name', 'xvfb-run']
    """
    words = []
    for token in _QUOTED.sub(" ", text).split():
        token = token.strip(_EDGE)
        if not token or token.startswith("-") or any(c.isdigit() for c in token) or _CODE_CHARS & set(token):
            continue
        for word in re.split(r"['’]", token):  # scene's -> scene, s; a hyphenated name (xvfb-run) stays whole
            if len(word) > 1 and word.isupper():
                continue  # FILE, SCENE, MLP: placeholders and abbreviations
            if word:
                words.append(word.lower())
    return words


def english_words(text: str) -> list[str]:
    """The words of ``text``'s prose that are on :data:`ENGLISH_WORDS`, in order (an empty list: no English left).

    Examples
    --------
    >>> english_words("nie ma pliku `the file` 'no such file': scenes/the.toml --show")
    []
    >>> english_words("błąd: the file is missing")
    ['the', 'file', 'is', 'missing']
    """
    return [word for word in prose_words(text) if word in ENGLISH_WORDS]
