"""The ``affine3d`` command.

Each subcommand lives in its own module under ``affine3d/commands/`` with three names:
``HELP`` (one line for ``--help``), ``add_arguments(parser)`` and ``run(args) -> int``. Those
modules import OpenGL, pyglet and the optional extras (onnx) inside ``run``, so ``affine3d --help``
is quick and works on a machine without OpenGL.

Bad input (a scene, mesh or model file, a shape, a size) raises one of the project's errors; here
it becomes one line on stderr and exit code 2, never a traceback.

The language (``affine3d --lang pl``, else the environment's, see :mod:`affine3d.i18n`) is chosen
before the parser is built, so every text the parser holds, argparse's own included, is made in it:
``HELP`` and ``DESCRIPTION`` are marked with ``N_`` in each command's module and looked up here.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from . import i18n
from .errors import GLUnavailableError, InputError, one_line
from .i18n import N_, _
from .version import __version__

# (name on the command line, module in affine3d.commands), in the order --help lists them.
COMMANDS = [
    ("view", "view"),
    ("render", "render"),
    ("trace", "trace"),
    ("mlp-demo", "mlp_demo"),
    ("inspect", "inspect"),
    ("serve", "serve"),
    ("export-web", "export_web"),
    ("lecture", "lecture"),
    ("exercise", "exercise"),
    ("bench", "bench"),
    ("doctor", "doctor"),
]

USER_ERRORS = (InputError, GLUnavailableError, FileNotFoundError, IsADirectoryError, PermissionError)

# argparse's own words, for the catalogue: argparse looks each up at run time through its module-level `_` and
# `ngettext` (Python 3.11-3.13 do `from gettext import gettext as _, ngettext` when argparse is imported), and
# use_argparse_words() points those two names at affine3d.i18n's, so "usage:", "options" and argparse's error
# lines come from our catalogue, in the language --lang or the environment chose. The msgids are argparse's,
# letter for letter; tests/test_i18n_cli.py checks them against the argparse that runs.
ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("not allowed with argument %s"),
    N_("ignored explicit argument %r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("argument \"-\" with mode %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    # Python 3.12 and 3.13
    N_("show program's version number and exit"),
    N_(" (default: %(default)s)"),
    N_("%(heading)s:"),
    N_("subcommands"),
    N_("%(prog)s: warning: %(message)s\n"),
)


def argparse_plurals(n: int) -> tuple[str, str]:
    """argparse's two messages with plural forms, for ``n`` things (here so that the catalogue has them)."""
    return (i18n.ngettext("expected %s argument", "expected %s arguments", n),
            i18n.ngettext("conflicting option string: %s", "conflicting option strings: %s", n))


def use_argparse_words() -> None:
    """Make argparse speak through :mod:`affine3d.i18n` (see ARGPARSE_MESSAGES); harmless to call again."""
    argparse._ = i18n._
    argparse.ngettext = i18n.ngettext


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line and exit code 2 like every other mistake (not five lines of usage)."""

    def error(self, message: str):
        self.exit(2, _("{prog}: error: {message} (see '{prog} --help')").format(prog=self.prog, message=one_line(message))
                  + "\n")


# -5, -.5, -1e3, and -inf / -nan (float() reads them; the option's own check then refuses them by name)
_VALUE_LIKE_A_NUMBER = re.compile(r"-(\.?\d|(inf|infinity|nan)$)", re.IGNORECASE)


def join_negative_values(argv: list[str]) -> list[str]:
    """``--size -5x10`` -> ``--size=-5x10``: a value that starts with a minus and a digit belongs to its option.

    argparse takes ``-5x10`` (or ``-1e3``, ``-inf``) for an option of its own and answers "expected one
    argument"; joined, the value reaches the option, whose check then says what is wrong with it.

    Examples
    --------
    >>> join_negative_values(["render", "--size", "-5x10", "--yaw", "-30", "-o", "-1.png"])
    ['render', '--size=-5x10', '--yaw=-30', '-o-1.png']
    """
    out: list[str] = []
    for token in argv:
        previous = out[-1] if out else ""
        if (_VALUE_LIKE_A_NUMBER.match(token) and previous.startswith("-") and len(previous) > 1
                and "=" not in previous and not _VALUE_LIKE_A_NUMBER.match(previous) and previous != "--"):
            out[-1] = f"{previous}={token}" if previous.startswith("--") else previous + token
        else:
            out.append(token)
    return out


def build_parser() -> argparse.ArgumentParser:
    """The whole command line, its texts in the current language (build it after choosing the language)."""
    use_argparse_words()
    parser = Parser(
        prog="affine3d",
        description=_("3D graphics and neural networks are the same linear algebra: F(x) = A x + b."),
        epilog=_("Run 'affine3d COMMAND --help' for a command's options."),
    )
    parser.add_argument("--version", action="version", version=f"affine3d {__version__}",
                        help=_("show the version and exit"))
    parser.add_argument("--lang", metavar="LANG",
                        help=_("the language of every message: {choices} (default: from LANGUAGE, LC_ALL, LC_MESSAGES "
                               "or LANG)").format(choices=", ".join(i18n.LANGUAGES)))
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = {}  # name -> its parser
    parser.own_lang = set()  # commands with a --lang of their own (the lecture's slides, an exercise's handout)
    for name, module_name in COMMANDS:
        try:
            module = importlib.import_module(f"affine3d.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"affine3d.commands.{module_name}":
                raise
            continue
        # HELP and DESCRIPTION are marked N_(...) in the command's module; looked up here, in the chosen language
        # (i18n._ by its full name: the bare _() is for literals only, as the catalogue check insists).
        description = getattr(module, "DESCRIPTION", None) or module.__doc__
        sub = commands.add_parser(name, help=i18n._(module.HELP), description=i18n._(description),
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        if _option_anywhere(sub, "--lang"):
            parser.own_lang.add(name)
        else:  # also after the command: affine3d render --lang pl ...
            sub.add_argument("--lang", metavar="LANG", default=argparse.SUPPRESS,
                             help=_("the language of every message: {choices} (as before the command)").format(
                                 choices=", ".join(i18n.LANGUAGES)))
        sub.set_defaults(run=module.run)
        parser.commands[name] = sub
    return parser


def _option_anywhere(parser: argparse.ArgumentParser, option: str) -> bool:
    """Whether ``parser`` or one of its subcommands' parsers (``exercise start``) has ``option``."""
    if option in parser._option_string_actions:
        return True
    return any(_option_anywhere(sub, option) for action in parser._actions
               if isinstance(action, argparse._SubParsersAction) for sub in action.choices.values())


def language_option(argv: list[str], own_lang: frozenset = frozenset()) -> str | None:
    """The value of ``--lang`` (``--lang pl`` or ``--lang=pl``) before the command, or after it for a command
    without a ``--lang`` of its own (``lecture`` and ``exercise start`` have theirs: the slides', the handout's).

    Examples
    --------
    >>> language_option(["--lang", "pl", "render"]), language_option(["render", "--lang=en", "-o", "x.png"])
    ('pl', 'en')
    >>> language_option(["lecture", "--lang", "en"], own_lang=frozenset({"lecture"})) is None
    True
    """
    found, command = None, None
    for k, token in enumerate(argv):
        if token == "--":
            break
        if command is None and not token.startswith("-") and (k == 0 or argv[k - 1] != "--lang"):
            command = token
            if command in own_lang:
                break
        if token == "--lang" and k + 1 < len(argv):
            found = argv[k + 1]
        elif token.startswith("--lang="):
            found = token.partition("=")[2]
    return found


def main(argv: list[str] | None = None) -> int:
    argv = join_negative_values(sys.argv[1:] if argv is None else list(argv))
    parser = build_parser()
    language = language_option(argv, parser.own_lang)
    if language is not None:
        try:
            i18n.use_language(language)
        except ValueError as exc:  # before anything is said: one line, exit 2
            print(_("affine3d: error: --lang: {message}").format(message=one_line(exc)), file=sys.stderr)
            return 2
        parser = build_parser()  # every text again, in that language
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # said by the subcommand's parser, so the line names the command: "affine3d render: error: ..."
        parser.commands.get(getattr(args, "command", None), parser).error(
            _("unrecognized arguments: %s") % " ".join(unknown))
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except USER_ERRORS as exc:
        print(_("affine3d {command}: error: {message}").format(command=args.command, message=one_line(exc, limit=None)),
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `affine3d inspect m.onnx | head`: the reader left; nothing to report
        sys.stderr.close()
        return 0
    except OSError as exc:  # any other file-system failure (a full disk, a read-only one): one line naming the path
        print(_("affine3d {command}: error: {message}").format(command=args.command, message=one_line(exc)),
              file=sys.stderr)
        return 2
    except MemoryError as exc:  # a size no budget caught: still one line, never a traceback
        print(_("affine3d {command}: error: not enough memory ({message})").format(
            command=args.command, message=one_line(exc)), file=sys.stderr)
        return 2


if __name__ == "__main__":  # python -m affine3d.cli
    sys.exit(main())
