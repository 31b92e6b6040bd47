"""Command line: ``python -m emotune [command]`` (the ``emotune`` executable runs the same).

Without a command it starts the desktop app. The commands and their output formats are public
contracts (docs: README, "Command line"); scripts rely on them.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from emotune import __version__
from emotune.labels import EMOTIONS

EXIT_BAD_INPUT = 2

# Commands whose implementation has not landed yet, with what they will do. They are listed in
# --help so the whole interface is visible, and refuse to run with a clear message until then.
PLANNED = {
    "gui": "the desktop window",
    "analyze": "analyze SOURCE",
    "classify": "classify IMAGE...",
    "bench": "bench SOURCE",
    "recommend": "recommend EMOTION",
    "self-test": "--self-test",
}


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
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    analyze = commands.add_parser("analyze", help="faces, emotions and mood for every frame of SOURCE")
    analyze.add_argument("source", metavar="SOURCE", help="camera index or a video, image or folder of images")
    analyze.add_argument("--json", action="store_true", help="one JSON object per processed frame")

    classify = commands.add_parser("classify", help="faces and emotions in still images")
    classify.add_argument("images", nargs="+", metavar="IMAGE")
    classify.add_argument("--json", action="store_true", help="one JSON object per image")

    bench = commands.add_parser("bench", help="median milliseconds per frame for read, detect, classify (one thread)")
    bench.add_argument("source", metavar="SOURCE")
    bench.add_argument("--frames", type=int, default=300, metavar="N")
    bench.add_argument("--json", action="store_true")

    recommend = commands.add_parser("recommend", help="tracks that fit an emotion")
    recommend.add_argument("emotion", metavar="EMOTION", help=", ".join(EMOTIONS))
    recommend.add_argument("--limit", type=int, default=10, metavar="N")
    recommend.add_argument("--offline", action="store_true", help="bundled catalog only")
    recommend.add_argument("--json", action="store_true", help="one JSON object per track")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = "self-test" if args.self_test else (args.command or "gui")
    print(f"emotune: {PLANNED[command]} is not available in emotune {__version__} yet", file=sys.stderr)
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
