"""Take a screenshot of the real app for the README: the window on a video, after a few seconds.

    DISPLAY=:1 python tools/screenshot.py VIDEO docs/screenshot.png [--size 1180x720] [--theme light]

Runs the app offline (the bundled catalog) with its folders in a temporary folder, so the
developer's settings and journal are neither read nor written. Needs an X display (Xvfb works).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path

from PIL import ImageGrab


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("video", help="a video with a face, shown as the camera")
    parser.add_argument("out", type=Path, help="the PNG to write")
    parser.add_argument("--size", default="1180x720", help="window size, WIDTHxHEIGHT")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--seconds", type=float, default=8.0, help="how long the app runs first")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("screenshot: set DISPLAY (an X display, e.g. Xvfb :1)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as home:
        for name in ("CONFIG", "CACHE", "DATA"):
            os.environ[f"EMOTUNE_{name}_DIR"] = str(Path(home) / name.lower())
        config = Path(home) / "config"
        config.mkdir()
        (config / "settings.json").write_text(json.dumps({"theme": args.theme}), encoding="utf-8")
        from emotune.controller.options import AppOptions
        from emotune.environment import Environment
        from emotune.gui.start import build_app

        root = tk.Tk(className="Emotune")
        app = build_app(root, AppOptions(source=args.video, offline=True), Environment.from_os())
        root.geometry(f"{args.size}+0+0")
        end = time.monotonic() + args.seconds
        while time.monotonic() < end:
            root.update()
            time.sleep(0.01)
        x, y = root.winfo_rootx(), root.winfo_rooty()
        box = (x, y, x + root.winfo_width(), y + root.winfo_height())
        ImageGrab.grab(bbox=box, xdisplay=os.environ["DISPLAY"]).save(args.out)
        app.close()
    print(f"wrote {args.out} ({args.size}, {args.theme})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
