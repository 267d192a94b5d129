"""One home per job: each job below is done by one function, and these tests fail when it is written again elsewhere.

Like the byte door's test in ``test_layout.py``, each rule reads the source (so a new module is checked the
day it is added) and comes with a test that its pattern catches the old ways the package used to write.
"""

import re

import pytest

from test_layout import MODULES, PACKAGE


def code_lines(module):
    """``(number, code)`` for each line of a module, comments cut off."""
    for number, line in enumerate(MODULES[module].read_text(encoding="utf-8").splitlines(), start=1):
        yield number, line.split("#")[0]


def where(module, number, line):
    return f"{MODULES[module].relative_to(PACKAGE.parent)}:{number}: {line.strip()}"


# -- an exception's text as one line: affine3d.errors.one_line ---------------------------------------------------

FLATTENED = re.compile(r"""["'] ["']\.join\(.{0,60}?\.split\(\)\s*\)""")
# The sandboxed child imports only the standard library and numpy (see its docstring), so it keeps its own.
FLATTENS_ITS_OWN = {"affine3d.errors", "affine3d.exercises._child"}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_one_line_messages_have_one_home(module):
    """Only affine3d.errors.one_line flattens text to one line (and cuts it at one length)."""
    if module in FLATTENS_ITS_OWN:
        return
    for number, code in code_lines(module):
        assert not FLATTENED.search(code), where(module, number, code)


def test_the_one_line_pattern_catches_the_old_ways():
    """The pattern matches the inline flattenings the package used to write in 21 places."""
    assert FLATTENED.search("""detail = " ".join(str(exc).split())[:120]""")
    assert FLATTENED.search("""f"no OpenGL: {' '.join(str(exc).split())}\"""")
    assert FLATTENED.search("""tail = " ".join((done.stderr or "").split())[-300:]""")
    assert FLATTENED.search("""f"{self.prog}: error: {' '.join(message.split())}\"""")
    assert not FLATTENED.search("""out += ["f " + " ".join(str(i + 1) for i in polygon)]""")
    assert not FLATTENED.search("detail = one_line(exc)")
