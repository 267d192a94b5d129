"""Output paths a command will write, checked before the work starts (so a long run does not fail at its end)."""

from __future__ import annotations

from pathlib import Path


def check_output_folder(path, option: str) -> Path:
    """``path`` as a Path, after checking that the folder it goes into exists; else a UsageError naming that folder.

    Examples
    --------
    >>> print(check_output_folder("x.png", "--output"))
    x.png
    >>> check_output_folder("no-such-folder/x.png", "--output")
    Traceback (most recent call last):
        ...
    affine3d.errors.UsageError: --output: the folder 'no-such-folder' does not exist (make it first, or write somewhere else): no-such-folder/x.png
    """
    import os

    from ..errors import UsageError
    from ..fileio import output_error
    from ..i18n import _

    path = Path(path)
    folder = path.parent
    try:
        os.stat(folder)
    except FileNotFoundError:
        raise UsageError(_("{option}: the folder '{folder}' does not exist (make it first, or write somewhere else): "
                           "{path}").format(option=option, folder=folder, path=path)) from None
    except OSError as exc:  # a loop of links, a name too long, no permission to look: say that, not "does not exist"
        raise output_error(exc, path, option) from None
    if not folder.is_dir():
        raise UsageError(_("{option}: '{folder}' is a file, not a folder: {path}").format(option=option, folder=folder,
                                                                                          path=path))
    return path
