"""The one English word list for the "no English left" checks (owned by issue 24a; others only add words at the end).

Common English function words that no Polish sentence contains: a Polish text with one of them has an English
phrase left in it. Words that are Polish too ("a", "i", "to", "on", "no", "do", "na", "by") are not in the list.
"""

import re

ENGLISH_WORDS = frozenset("""
the and of is are not with without file files must should cannot can't could would will was were been being
this that these those there their its it's from into onto for be an or but than then when where which who
what while has have had does doesn't don't isn't aren't your you we they here only also each every any some
expected got missing unknown found use used using see open opens opened click drag drop turn turns show shows
""".split())

_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def english_words(text: str) -> list[str]:
    """The words of ``text`` (letters only, any case) that are in :data:`ENGLISH_WORDS`, in order."""
    return [word for word in _WORD.findall(text) if word.lower() in ENGLISH_WORDS]
