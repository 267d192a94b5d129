"""The project's errors: each names the argument, file or field at fault, and what was expected.

Everything a user can get wrong (a shape, a scene file, a model file, a flag) raises a subclass of
:class:`InputError`, itself a ``ValueError``; the ``affine3d`` command turns it into one line on
stderr and exit code 2. A machine without a usable OpenGL is not a mistake of the user's:
:class:`GLUnavailableError` is a ``RuntimeError`` that says what to install.

Messages show the value at fault with :func:`shown`, so that a 5000-character name or a 400-digit
number still makes one readable line; another library's exception becomes part of a message through
:func:`one_line` (its text flattened to one line and cut at :data:`LINE_LIMIT` characters), the one place
that does so.

Every message is made when it is raised, from the catalogue (``_("...").format(...)``, see
:mod:`affine3d.i18n`), so it is in the reader's language; field paths, file names and the values shown
stay as they are. :func:`os_reason` says an ``OSError``'s cause in that language too (the C library's
own text is English).
"""

import errno
import math

from . import i18n
from .i18n import _, ngettext, prose_number


class InputError(ValueError):
    """Something the user gave is wrong; the message names it and says what was expected."""


class AffineError(InputError):
    """A bad argument to the core maths (an affine map, a projection): wrong shape, non-finite entry, singular inverse, zero axis."""


class SceneError(InputError):
    """A bad scene or mesh file: names the file, and the field or line number."""


class ModelError(InputError):
    """A bad model or model file: names the layer index, the tensor or the file, and the shapes."""


class UsageError(InputError):
    """A bad flag, image size, backend name or output path: names the option and what it takes."""


class GLUnavailableError(RuntimeError):
    """No OpenGL context could be made; the message says what was tried and what to install."""


def shown(value, limit: int = 60) -> str:
    """``repr(value)`` for a message, at most about ``limit`` characters; huge integers by their length.

    Examples
    --------
    >>> shown("x" * 100, limit=20)
    "'xxxxxxxxxxxxx... (102 characters)"
    >>> shown(10**400)
    'an integer of 401 digits'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        digits = int(abs(value).bit_length() * math.log10(2)) + 1  # str() refuses ints past 4300 digits
        if digits > 4000:
            return _("an integer of about {count} digits").format(count=prose_number(digits))
        return _("an integer of {count} digits").format(count=prose_number(len(str(abs(value)))))
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a value whose repr fails is still named by its type
        return _("a value of type {type}").format(type=type(value).__name__)
    if len(text) <= limit:
        return text
    return ngettext("{start}... ({count} character)", "{start}... ({count} characters)", len(text)).format(
        start=text[:limit - 6], count=prose_number(len(text)))


LINE_LIMIT = 300
"""The most characters :func:`one_line` keeps: enough for a path and a reason, short enough for one terminal line or two."""


def one_line(what, limit: int | None = LINE_LIMIT, keep: str = "start", typed: bool = False) -> str:
    """An exception's text (or any text) as one line: whitespace runs become one space, cut at ``limit`` characters.

    Parameters
    ----------
    what : BaseException or str
        An exception gives its message; one with no message gives its type's name, and an ``OSError``
        that names a file gives ``"reason: file"``.
    limit : int or None
        The most characters kept (the cut ends in ``...``); None keeps everything.
    keep : {"start", "end"}
        Which end a cut keeps: the start of a message, or the end of a log's tail (``"...`` then the end).
    typed : bool
        Start with the exception's type, ``"OSError: ..."`` (for a report where the type is news).

    Examples
    --------
    >>> one_line(ValueError("bad\\n   shape"))
    'bad shape'
    >>> one_line(KeyError())
    'KeyError'
    >>> one_line(OverflowError("too\\nbig"), typed=True)
    'OverflowError: too big'
    >>> one_line(FileNotFoundError(2, "No such file or directory", "a.obj"))
    'No such file or directory: a.obj'
    >>> one_line("x" * 50, limit=10)
    'xxxxxxx...'
    >>> one_line("Traceback ... ValueError: bad", limit=18, keep="end")
    '...ValueError: bad'
    """
    if isinstance(what, BaseException):
        if isinstance(what, OSError) and what.filename and what.strerror:
            # English keeps the C library's words ("No such file or directory"); another language, the catalogue's
            english = i18n.current_language() == i18n.SOURCE_LANGUAGE
            text = f"{what.strerror if english else os_reason(what, capital=True)}: {what.filename}"
        else:
            try:
                text = str(what)
            except Exception:  # noqa: BLE001 - an exception whose str() fails is still named by its type
                text = ""
        text = " ".join(text.split())
        if typed and text:
            text = f"{type(what).__name__}: {text}"
        text = text or type(what).__name__
    else:
        text = " ".join(str(what).split())
    if limit is not None and len(text) > limit:
        kept = max(limit - 3, 0)
        text = text[:kept] + "..." if keep == "start" else "..." + text[len(text) - kept:]
    return text


def byte_size(n: int) -> str:
    """A number of bytes for a message, in the largest binary unit it reaches: the one way sizes are written.

    Examples
    --------
    >>> byte_size(812), byte_size(300 * 2**20), byte_size(2**30), byte_size(8 * 10**12)
    ('812 bytes', '300.0 MiB', '1.0 GiB', '7.3 TiB')
    """
    for unit, size in (("EiB", 2**60), ("PiB", 2**50), ("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n >= size:
            if n < 2**70:
                return f"{prose_number(n / size, 1)} {unit}"
            return _("more than {count} {unit}").format(count=prose_number(1000), unit=unit)
    return ngettext("{count} byte", "{count} bytes", n).format(count=prose_number(n))


# The causes of the OSErrors a user meets, in words the catalogue translates (the C library's own text,
# ``strerror``, is English whatever the language); others keep that text.
_OS_REASONS = {
    errno.ENOENT: i18n.N_("no such file or folder"),
    errno.EACCES: i18n.N_("permission denied"),
    errno.EPERM: i18n.N_("permission denied"),
    errno.ENOSPC: i18n.N_("no space left on the device"),
    errno.EROFS: i18n.N_("the file system is read-only"),
    errno.ENAMETOOLONG: i18n.N_("the name is too long for the file system"),
    errno.ELOOP: i18n.N_("too many levels of symbolic links"),
    errno.ENOTDIR: i18n.N_("a part of the path is a file, not a folder"),
    errno.EISDIR: i18n.N_("it is a folder"),
    errno.EEXIST: i18n.N_("it exists already"),
    errno.EDQUOT: i18n.N_("the disk quota is exceeded"),
    errno.EFBIG: i18n.N_("the file would be larger than allowed"),
    errno.EIO: i18n.N_("input/output error"),
}


def os_reason(exc: OSError, capital: bool = False) -> str:
    """An OSError's cause in a few words, in the current language (no file content, no traceback).

    ``capital`` starts it with a capital letter, as the C library's own text does.

    Examples
    --------
    >>> os_reason(FileNotFoundError(2, "No such file or directory")), os_reason(OSError(999, "Odd thing"))
    ('no such file or folder', 'odd thing')
    """
    reason = _OS_REASONS.get(getattr(exc, "errno", None))
    text = i18n._(reason) if reason else (exc.strerror or type(exc).__name__).lower()
    return text[:1].upper() + text[1:] if capital else text
