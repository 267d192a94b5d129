"""The files a user names: read only regular files, up to a size; write so that nothing they had is lost.

Reading (scenes, meshes, models): :func:`open_regular` opens a path only if it is a regular file no
bigger than a limit. A FIFO would block the reader forever and ``/dev/zero`` never ends, so the file
is opened without waiting (``O_NONBLOCK``) and checked with ``fstat`` on the open descriptor (no gap
between the check and the read); a symbolic link is followed, but what it points at must be a
regular file too.

Writing (pictures, GIFs, model files, benchmark JSON): :func:`atomic_write` writes into a hidden
temporary file in the target's folder, flushes it to the disk, then renames it over the target. A
rename is atomic, so a command that is killed or fails half-way leaves either the old file or the
complete new one, never a truncated mix. The target itself must be a regular file or absent: a
symbolic link is refused (writing would either go through it onto another file or silently break
the link), and so is a device such as ``/dev/full`` (a rename would replace the device node).
Every ``OSError`` on the way becomes one :class:`~affine3d.errors.UsageError` line naming the path.

Commands say which files they replaced (:func:`replaces` tells beforehand); the viewer's S key
never replaces anything (``replace=False``).

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_write(folder / "note.txt") as f:
...     _ = f.write(b"hello")
>>> (folder / "note.txt").read_bytes(), replaces(folder / "note.txt")
(b'hello', True)
>>> with open_regular(folder / "note.txt", limit=100) as f:
...     f.read()
b'hello'
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO, Iterator

from . import i18n
from .errors import InputError, UsageError, os_reason
from .i18n import N_, _, prose_number

__all__ = ["open_regular", "read_regular", "atomic_write", "write_bytes", "make_folder", "check_new_folder", "new_folder",
           "check_output", "replaces", "file_kind", "output_error", "shown_path"]

# How much of a very long name a message shows (a 5000-character name is still one readable line).
_SHOWN_CHARACTERS = 120


def shown_path(path) -> str:
    """``path`` as text for a message, shortened in the middle when it is very long."""
    text = os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else repr(path)
    if len(text) <= _SHOWN_CHARACTERS:
        return text
    half = _SHOWN_CHARACTERS // 2 - 2
    return i18n.ngettext("{start}...{end} ({count} character)", "{start}...{end} ({count} characters)", len(text)).format(
        start=text[:half], end=text[-half:], count=prose_number(len(text)))


def file_kind(mode: int) -> str:
    """What ``stat``'s ``st_mode`` describes, in words: "a directory", "a pipe (FIFO)", ..."""
    for test, kind in ((stat.S_ISDIR, N_("a directory")), (stat.S_ISFIFO, N_("a pipe (FIFO)")),
                       (stat.S_ISCHR, N_("a character device")), (stat.S_ISBLK, N_("a block device")),
                       (stat.S_ISSOCK, N_("a socket")), (stat.S_ISLNK, N_("a symbolic link"))):
        if test(mode):
            return i18n._(kind)
    return _("not a regular file")


# What the files read and written are, as callers name them (``what=``): marked here so that the
# catalogue translates them where a message shows them; an option (``--output``) stays as it is.
FILE_KINDS = (N_("file"), N_("scene file"), N_("mesh file"), N_("model file"), N_("config file"), N_("model card"),
              N_("folder"), N_("output"), N_("kept result"), N_("student file"), N_("bench JSON file"), N_("feedback"))


def _what(what: str) -> str:
    """``what`` (a kind of file, or an option) in the current language."""
    return i18n._(what) if what else what


def _reason(exc: OSError) -> str:
    """An OSError's cause in a few words (no file content, no traceback), in the current language."""
    return os_reason(exc)


# ---------------------------------------------------------------------------------------- reading
@contextlib.contextmanager
def open_regular(path, *, limit: int | None, what: str = "file", shown: str | None = None,
                 error: type[InputError] = UsageError) -> Iterator[BinaryIO]:
    """Open ``path`` for reading in binary mode if it is a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : str or os.PathLike
    limit : int or None
        The largest size accepted, bytes (None: any size).
    what : str
        What the file is, for messages ("scene file", "model file").
    shown : str, optional
        How messages name the file (default: the path, shortened if very long).
    error : type
        The :class:`~affine3d.errors.InputError` subclass raised (SceneError, ModelError, ...).

    Raises
    ------
    error
        Missing, unreadable, not a regular file (a folder, a FIFO, a device), or bigger than ``limit``;
        one line naming the file, never its contents.
    """
    try:
        name = os.fspath(path)
    except TypeError:
        raise error(_("{what}: expected a file path, got {type}").format(what=_what(what), type=type(path).__name__)) from None
    shown = shown or shown_path(name)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(name, flags)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise error(_("{shown}: {what} not found").format(shown=shown, what=_what(what))) from None
        raise error(_("{shown}: cannot open the {what}: {reason}").format(shown=shown, what=_what(what),
                                                                           reason=_reason(exc))) from None
    except ValueError:  # an embedded NUL character
        raise error(_("{shown}: not a valid file name").format(shown=shown)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise error(_("{shown}: expected a regular file, got {kind}; affine3d reads a {what} only from a regular "
                          "file").format(shown=shown, kind=file_kind(info.st_mode), what=_what(what)))
        if limit is not None and info.st_size > limit:
            raise error(_("{shown}: {size} bytes, more than the {limit} a {what} may have; refused").format(
                shown=shown, size=prose_number(info.st_size), limit=prose_number(limit), what=_what(what)))
        if flags & getattr(os, "O_NONBLOCK", 0):
            os.set_blocking(fd, True)
        file = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with file:
        try:
            yield file
        except OSError as exc:
            raise error(_("{shown}: cannot read the {what}: {reason}").format(shown=shown, what=_what(what),
                                                                               reason=_reason(exc))) from None


def read_regular(path, *, limit: int, what: str = "file", shown: str | None = None,
                 error: type[InputError] = UsageError) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them (see :func:`open_regular`).

    A file that grows past ``limit`` while it is read (``/proc`` files say size 0) is refused too.
    """
    with open_regular(path, limit=limit, what=what, shown=shown, error=error) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise error(_("{shown}: more than the {limit} bytes a {what} may have; refused").format(
            shown=shown or shown_path(path), limit=prose_number(limit), what=_what(what)))
    return data


# ---------------------------------------------------------------------------------------- writing
def output_error(exc: OSError, path, what: str = "output") -> UsageError:
    """One line for an ``OSError`` met while writing ``path``: the option, the path and the cause."""
    target = Path(path)
    reason = _reason(exc)
    try:
        if exc.errno == errno.ENOENT and not os.path.lexists(target.parent):
            reason = _("the folder {path} does not exist").format(path=shown_path(target.parent))
        elif exc.errno == errno.ENOTDIR:
            for folder in target.parents:
                if os.path.exists(folder) and not os.path.isdir(folder):
                    reason = _("{path} is a file, not a folder").format(path=shown_path(folder))
                    break
    except (OSError, ValueError):  # the name itself is the problem: keep the plain reason
        pass
    return UsageError(_("{what}: cannot write {path}: {reason}").format(what=_what(what), path=shown_path(path),
                                                                         reason=reason))


def _as_path(path, what: str) -> Path:
    try:
        text = os.fspath(path)
    except TypeError:
        raise UsageError(_("{what}: expected a path, got {type}").format(what=_what(what), type=type(path).__name__)) from None
    if (b"\0" if isinstance(text, bytes) else "\0") in text or not text:
        raise UsageError(_("{what}: not a valid file name: {name}").format(what=_what(what), name=repr(shown_path(text))))
    return Path(os.fsdecode(text))


def _not_a_link(path: Path, what: str) -> os.stat_result | None:
    """``lstat`` of what is at ``path``, None if nothing; a UsageError line for a symbolic link or an unreadable place."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise output_error(exc, path, what) from None
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(_("{what}: {path} is a symbolic link; affine3d does not write through links (remove it, or "
                           "give another name)").format(what=_what(what), path=shown_path(path)))
    return info


def _check_target(path: Path, what: str) -> os.stat_result | None:
    """The target's ``lstat`` if it is a regular file, None if absent; UsageError for anything else."""
    info = _not_a_link(path, what)
    if info is None:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(_("{what}: {path} is {kind}; expected a file name to write").format(
            what=_what(what), path=shown_path(path), kind=file_kind(info.st_mode)))
    return info


def check_output(path, what: str = "output") -> bool:
    """Check before the work starts that ``path`` can be written: True if it replaces a file there now.

    Refuses (one UsageError line) a symbolic link, a folder or device in its place, and a folder that
    does not exist or is a file; the write itself (:func:`atomic_write`) checks again.
    """
    target = _as_path(path, what)
    old = _check_target(target, what)
    folder = target.parent
    try:
        if not os.path.isdir(folder):
            missing = FileNotFoundError if not os.path.lexists(folder) else NotADirectoryError
            code = errno.ENOENT if missing is FileNotFoundError else errno.ENOTDIR
            raise missing(code, os.strerror(code), str(folder))
    except OSError as exc:
        raise output_error(exc, target, what) from None
    return old is not None


def replaces(path) -> bool:
    """True if writing ``path`` replaces a regular file that is there now."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def _fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (best effort: not every platform opens folders)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path, what: str = "output", *, replace: bool = True) -> Iterator[BinaryIO]:
    """Write ``path`` through a temporary file in its folder, renamed over it when the block ends.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. Its folder must exist; the file may exist (a regular file, replaced as a
        whole) but must not be a symbolic link or a device.
    what : str
        The option or argument that named the path (``"--output"``), for messages.
    replace : bool
        False: never replace an existing file (UsageError "it exists already" instead); the name is
        claimed with an exclusive create, so two writers cannot both take it.

    Yields
    ------
    file
        Opened for binary writing. If the block raises, the temporary file is removed and the
        target is untouched.

    Raises
    ------
    UsageError
        One line naming ``what`` and the path, for a refused target or any ``OSError`` (no space
        left, read-only file system, a name too long, a parent that is a file, ...).
    """
    target = _as_path(path, what)
    old = _check_target(target, what)
    if old is not None and not replace:
        raise UsageError(_("{what}: cannot write {path}: it exists already").format(what=_what(what),
                                                                                     path=shown_path(target)))
    folder = target.parent
    # The temporary name: hidden, beside the target (a rename cannot cross file systems), short
    # enough that any name the file system allows for the target also works for it.
    stem = target.name[:64]
    temporary = None
    try:
        for _attempt in range(100):
            candidate = folder / f".{stem}.{secrets.token_hex(4)}.tmp"
            try:  # mode 0o666 minus the umask, as open() would give; an existing target keeps its mode
                fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
                             | getattr(os, "O_BINARY", 0), 0o666)
            except FileExistsError:
                continue
            temporary = candidate
            break
        else:  # pragma: no cover - 100 collisions of 32 random bits
            raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))
        with os.fdopen(fd, "wb") as file:
            if old is not None and hasattr(os, "fchmod"):
                os.fchmod(file.fileno(), stat.S_IMODE(old.st_mode))
            yield file
            file.flush()
            os.fsync(file.fileno())
        if replace:
            os.replace(temporary, target)
        else:
            # Claim the name exclusively, then move the content onto it (a crash in between leaves
            # an empty new file, never a lost old one).
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            os.replace(temporary, target)
        temporary = None
        _fsync_folder(folder)
    except OSError as exc:
        raise output_error(exc, target, what) from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def write_bytes(path, data: bytes, what: str = "output", *, replace: bool = True) -> Path:
    """Write ``data`` to ``path`` with :func:`atomic_write`; returns the path."""
    with atomic_write(path, what, replace=replace) as f:
        f.write(data)
    return Path(path)


def make_folder(path, what: str = "output") -> Path:
    """Create the folder ``path`` (and its parents) if missing; one UsageError line for anything wrong.

    An existing folder is used as it is (a symbolic link to a folder counts as one); a file, a device
    or a broken link in its place is refused.
    """
    folder = _as_path(path, what)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        try:
            info = os.stat(folder)
            kind = file_kind(info.st_mode) if not stat.S_ISREG(info.st_mode) else _("a file")
        except OSError:
            kind = _("a broken symbolic link")
        raise UsageError(_("{what}: {path} is {kind}, not a folder").format(what=_what(what), path=shown_path(folder),
                                                                              kind=kind)) from None
    except OSError as exc:
        raise output_error(exc, folder, what) from None
    return folder


def check_new_folder(path, what: str = "output") -> Path:
    """``path`` as a Path if a new folder may be made there: nothing there, or an empty folder (not a link to one).

    Anything else is one UsageError line (nothing in a folder of the user's is ever overwritten).
    """
    folder = _as_path(path, what)
    info = _not_a_link(folder, what)
    if info is None:
        return folder
    try:
        empty = stat.S_ISDIR(info.st_mode) and not any(os.scandir(folder))
    except OSError as exc:
        raise output_error(exc, folder, what) from None
    if not empty:
        raise UsageError(_("{folder}: expected a new or empty folder (nothing in it is overwritten)").format(
            folder=shown_path(folder)))
    return folder


@contextlib.contextmanager
def new_folder(path, what: str = "output") -> Iterator[Path]:
    """Build a whole folder at ``path`` (new, or empty now): the block fills a temporary folder beside it.

    When the block ends the temporary folder (mode 0755, for a web server's user) is renamed to ``path``.
    If the block fails or is interrupted, ``path`` is as it was and the temporary folder is removed; a process
    killed outright leaves ``path`` as it was too, and the hidden ``.name-…`` folder beside it.
    ``path`` is checked with :func:`check_new_folder` (call that first too, to refuse before long work);
    its parent folders are made with :func:`make_folder`.

    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "site"
    >>> with new_folder(target) as work:
    ...     _ = (work / "index.html").write_text("<p>hello</p>")
    >>> sorted(p.name for p in target.iterdir())
    ['index.html']
    """
    folder = check_new_folder(path, what)
    make_folder(folder.parent, what)
    try:
        work = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    except OSError as exc:
        raise output_error(exc, folder, what) from None
    try:
        yield work
        os.chmod(work, 0o755)  # mkdtemp made it 0700
        check_new_folder(folder, what)  # again: the block may have run a while
        if os.path.lexists(folder):
            os.rmdir(folder)  # empty, checked
        os.rename(work, folder)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    _fsync_folder(folder.parent)
