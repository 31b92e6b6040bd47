"""What every training command shares: --verbose, logging, and turning known failures into
one clear line on stderr with exit code 2 (a traceback only with --verbose)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from emotune.errors import EmotuneError, ExitStatus
from training.data import DataError


class CliError(Exception):
    """A problem the user can fix; the message is the whole story."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def add_common_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and full tracebacks")


def run_cli(
    parser: argparse.ArgumentParser,
    command: Callable[[argparse.Namespace, list[str]], int],
    argv: Sequence[str] | None = None,
) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s: %(message)s")
    try:
        return command(args, argv)
    except (CliError, DataError, EmotuneError) as exc:
        if args.verbose:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return ExitStatus.BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
