"""Command line: ``python -m emotune [command]`` (the ``emotune`` executable runs the same).

Without a command it starts the desktop app. The commands and their output formats are public
contracts (docs/cli.md); scripts rely on them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable, Sequence

from emotune import __version__
from emotune.choices import DETECTORS, STRATEGIES
from emotune.environment import Environment
from emotune.errors import EmotuneError, ExitStatus
from emotune.labels import EMOTIONS
from emotune.moods import GENRES, check_genres
from emotune.opencv_env import set_opencv_variables
from emotune.text import guard_stdout, printable

# A command: the parsed arguments and the environment the entry point read once -> exit status.
# Each parser names its own (``set_defaults(func=...)``); the handlers import the command's
# module only when it runs, so that `--help` and each command load only what they use.
Handler = Callable[[argparse.Namespace, Environment], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="emotune",
        description="Music for your face: reads your expression from the webcam and plays music that fits.",
        epilog="Without a command, the desktop app starts.",
    )
    parser.add_argument("--version", action="version", version=f"emotune {__version__}")
    parser.add_argument("--source", help="camera index (0, 1, ...) or a video, image or folder of images")
    parser.add_argument("--camera", type=int, metavar="N", help="camera index (same as --source N)")
    parser.add_argument("--offline", action="store_true", help="music from the bundled catalog only")
    parser.add_argument("--mood", choices=EMOTIONS, help="start with this mood locked")
    parser.add_argument("--self-test", action="store_true", help="headless check of models, pipeline and catalog")
    parser.set_defaults(func=run_window)  # no command: the desktop app
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = commands.add_parser("analyze", help="faces, emotions and mood for every frame of SOURCE")
    analyze.add_argument("source", metavar="SOURCE", help="camera index or a video, image or folder of images")
    analyze.add_argument("--json", action="store_true", help="one JSON object per processed frame")
    analyze.set_defaults(func=run_analyze)

    classify = commands.add_parser("classify", help="faces and emotions in still images")
    classify.add_argument("images", nargs="+", metavar="IMAGE")
    classify.add_argument("--json", action="store_true", help="one JSON object per image")
    classify.set_defaults(func=run_classify)

    from emotune.vision.profile_cli import add_profile_flag, add_profile_parser

    for vision_parser in (analyze, classify):
        add_vision_flags(vision_parser)
        add_profile_flag(vision_parser)

    bench = commands.add_parser("bench", help="median milliseconds per frame for read, detect, classify (one thread)")
    bench.add_argument("source", metavar="SOURCE")
    bench.add_argument("--frames", type=int, default=300, metavar="N")
    bench.add_argument("--json", action="store_true")
    bench.set_defaults(func=run_bench)
    add_vision_flags(bench)

    recommend = commands.add_parser("recommend", help="tracks that fit an emotion")
    recommend.add_argument("emotion", metavar="EMOTION", help=", ".join(EMOTIONS))
    recommend.add_argument("--limit", type=int, default=10, metavar="N")
    recommend.add_argument("--offline", action="store_true", help="bundled catalog only")
    recommend.add_argument("--strategy", choices=STRATEGIES, help="mirror the mood or lift it (default: settings)")
    recommend.add_argument("--like", metavar="TRACK", help="songs near this catalog track (ID, URI or link)")
    recommend.add_argument("--json", action="store_true", help="one JSON object per track")
    recommend.set_defaults(func=run_recommend)

    from emotune.journal.cli import add_journal_parsers
    from emotune.music.feedback_cli import add_feedback_parser
    from emotune.music.spotify_cli import add_spotify_parsers

    add_spotify_parsers(commands)
    commands.choices["spotify"].set_defaults(func=run_spotify)
    commands.choices["play"].set_defaults(func=run_play)
    for name in ("recommend", "play"):
        add_genre_flag(commands.choices[name])
    add_journal_parsers(commands)
    commands.choices["journal"].set_defaults(func=run_journal)
    add_feedback_parser(commands)
    commands.choices["feedback"].set_defaults(func=run_feedback)
    add_profile_parser(commands).set_defaults(func=run_profile)
    return parser


def add_genre_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--genre",
        action="append",
        default=[],
        metavar="G",
        help=f"only songs of this genre; repeat for several ({', '.join(GENRES)}; default: any genre)",
    )


def add_vision_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--detector", choices=DETECTORS, default="yunet", help="face detector")
    parser.add_argument(
        "--max-side", type=int, default=None, metavar="PX", help="longest side of the detection copy (default 256)"
    )
    parser.add_argument("--align", action="store_true", help="rotate face crops so the eyes are level")


def main(
    argv: Sequence[str] | None = None,
    report: Callable[[str], None] | None = None,
    env: Environment | None = None,
) -> int:
    """The ``emotune`` command (a console program on Windows); ``report`` takes the one line for
    bad input (default: ``emotune: LINE`` on stderr). The exit status.

    ``env``: the environment, read from the process here (once, for every command) unless given;
    tests give one, e.g. with another ``platform``."""
    env = Environment.from_os() if env is None else env
    # First of all: OpenCV reads these when it loads, and the parser below already imports modules.
    set_opencv_variables(env.platform)
    args = build_parser().parse_args(argv)
    guard_stdout(json_output=bool(getattr(args, "json", False)))
    handler: Handler = run_self_test_command if args.self_test else args.func
    try:
        status = handler(args, env)
        if sys.stdout is not None:  # None in a windowed app without a console
            # Here, not in the interpreter's last flush, a reader that went away is seen.
            sys.stdout.flush()
        return status
    except EmotuneError as exc:
        # Messages quote paths and names from outside; an ESC in a file name must not reach the terminal.
        (report or print_error)(printable(str(exc)))
        return ExitStatus.BAD_INPUT
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        return reader_went_away()


def print_error(line: str) -> None:
    print(f"emotune: {line}", file=sys.stderr)


def gui_main(argv: Sequence[str] | None = None) -> int:
    """The ``emotune-gui`` program: the window (or any command, as ``emotune``), with warnings and
    errors also written to ``emotune.log`` in the cache folder, since a windowed app on Windows
    has no stderr to show them on. ``--self-test`` keeps its own result file (``emotune.selftest``)."""
    import logging

    from emotune.logfile import start_logging

    env = Environment.from_os()
    start_logging(env)
    log = logging.getLogger("emotune")
    try:
        return main(argv, report=log.error, env=env)
    except Exception:
        log.exception("emotune stopped on an unexpected error")
        raise


def reader_went_away() -> int:
    """``emotune analyze X --json | head -1``: the reader closed the pipe. End quietly, as Unix
    tools do, with the status a shell reports for them (141); no traceback, nothing on stderr."""
    # The Python documentation's recipe (library/signal, "Note on SIGPIPE"): point stdout at
    # devnull so that the interpreter's final flush of what is still buffered cannot fail again
    # and print "Exception ignored ... BrokenPipeError" on the way out.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass  # no stdout file to redirect: nothing is left to flush into it either
    return ExitStatus.BROKEN_PIPE


# -- the commands: each imports its module only when it runs ----------------------------------------


def run_window(args: argparse.Namespace, env: Environment) -> int:
    from emotune.gui.start import run_app

    return run_app(args, env)


def run_self_test_command(args: argparse.Namespace, env: Environment) -> int:
    from emotune.selftest import run_self_test

    return run_self_test(env)


def run_analyze(args: argparse.Namespace, env: Environment) -> int:
    from emotune.vision.cli import analyze

    return analyze(args)


def run_classify(args: argparse.Namespace, env: Environment) -> int:
    from emotune.vision.cli import classify

    return classify(args)


def run_bench(args: argparse.Namespace, env: Environment) -> int:
    from emotune.vision.cli import bench

    return bench(args)


def run_recommend(args: argparse.Namespace, env: Environment) -> int:
    args.genres = check_genres(args.genre)  # an unknown genre: GenreError, exit 2 with the valid ones
    from emotune.music.cli import recommend

    return recommend(args, env)


def run_spotify(args: argparse.Namespace, env: Environment) -> int:
    from emotune.music.spotify_cli import run

    return run(args, env)


def run_play(args: argparse.Namespace, env: Environment) -> int:
    args.genres = check_genres(args.genre)
    return run_spotify(args, env)


def run_profile(args: argparse.Namespace, env: Environment) -> int:
    from emotune.vision.profile_cli import run_profile_command

    return run_profile_command(args, env)


def run_journal(args: argparse.Namespace, env: Environment) -> int:
    from emotune.journal.cli import journal
    from emotune.music.catalog import genre_tally, tally_words

    # The genres per mood are music's; the journal does not import music, so they come in here.
    return journal(args, env, lambda counts: tally_words(genre_tally(counts)))


def run_feedback(args: argparse.Namespace, env: Environment) -> int:
    from emotune.journal.store import journal_path, known_song
    from emotune.music.feedback_cli import feedback

    # A track the catalog lacks is named from the journal's songs; music does not import the journal.
    return feedback(args, env, time.time, lambda track_id: known_song(journal_path(env), track_id))


if __name__ == "__main__":
    sys.exit(main())
