"""The ``affine3d`` command.

Each subcommand lives in its own module under ``affine3d/commands/`` with three names:
``HELP`` (one line for ``--help``), ``add_arguments(parser)`` and ``run(args) -> int``. Those
modules import OpenGL, pyglet and the optional extras (onnx) inside ``run``, so ``affine3d --help``
is quick and works on a machine without OpenGL.

Bad input (a scene, mesh or model file, a shape, a size) raises one of the project's errors; here
it becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import re
import sys

from .errors import GLUnavailableError, InputError, one_line
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


class Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line and exit code 2 like every other mistake (not five lines of usage)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {one_line(message)} (see '{self.prog} --help')\n")


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
    parser = Parser(
        prog="affine3d",
        description="3D graphics and neural networks are the same linear algebra: F(x) = A x + b.",
        epilog="Run 'affine3d COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"affine3d {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    parser.commands = {}  # name -> its parser
    for name, module_name in COMMANDS:
        try:
            module = importlib.import_module(f"affine3d.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"affine3d.commands.{module_name}":
                raise
            continue
        sub = commands.add_parser(name, help=module.HELP, description=module.__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(run=module.run)
        parser.commands[name] = sub
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(join_negative_values(sys.argv[1:] if argv is None else list(argv)))
    if unknown:  # said by the subcommand's parser, so the line names the command: "affine3d render: error: ..."
        parser.commands.get(getattr(args, "command", None), parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    if not getattr(args, "run", None):
        parser.print_help()
        return 0
    try:
        return int(args.run(args) or 0)
    except USER_ERRORS as exc:
        print(f"affine3d {args.command}: error: {one_line(exc, limit=None)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `affine3d inspect m.onnx | head`: the reader left; nothing to report
        sys.stderr.close()
        return 0
    except OSError as exc:  # any other file-system failure (a full disk, a read-only one): one line naming the path
        print(f"affine3d {args.command}: error: {one_line(exc)}", file=sys.stderr)
        return 2
    except MemoryError as exc:  # a size no budget caught: still one line, never a traceback
        print(f"affine3d {args.command}: error: not enough memory ({one_line(exc)})", file=sys.stderr)
        return 2


if __name__ == "__main__":  # python -m affine3d.cli
    sys.exit(main())
