"""Draw the Emotune app icon with Pillow: ``assets/icon.png`` (256 px, the window icon),
``assets/icon.ico`` (Windows, 16-256 px) and ``assets/icon.icns`` (macOS).

A smiling face on a warm-to-cool gradient tile with a music note: mood and music. Drawn at 4x and
scaled down for smooth edges. Run ``python tools/make_icon.py`` after changing it; the outputs
are committed, so building the app does not need this script.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
TOP = (255, 153, 51)  # warm orange
BOTTOM = (124, 77, 255)  # violet


def draw(size: int = 1024) -> Image.Image:
    scale = size / 256
    tile = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    gradient = Image.new("RGBA", (size, size))
    pixels = gradient.load()
    assert pixels is not None
    for y in range(size):
        for x in range(size):
            t = (0.65 * y + 0.35 * x) / size
            pixels[x, y] = (*(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM, strict=True)), 255)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, size - 1, size - 1), radius=round(56 * scale), fill=255)
    tile.paste(gradient, (0, 0), mask)

    pen = ImageDraw.Draw(tile)

    def s(*values: float) -> tuple[float, ...]:
        return tuple(v * scale for v in values)

    white = (255, 255, 255, 255)
    ink = (60, 40, 110, 255)
    pen.ellipse(s(34, 50, 170, 186), fill=white)  # the face
    pen.ellipse(s(70, 92, 86, 112), fill=ink)  # eyes
    pen.ellipse(s(118, 92, 134, 112), fill=ink)
    pen.arc(s(64, 96, 140, 160), start=20, end=160, fill=ink, width=round(10 * scale))  # the smile
    # A music note at the top right: two heads joined by a beam.
    pen.ellipse(s(168, 150, 198, 174), fill=white)
    pen.ellipse(s(206, 136, 236, 160), fill=white)
    pen.rectangle(s(188, 70, 198, 162), fill=white)
    pen.rectangle(s(226, 56, 236, 148), fill=white)
    pen.polygon(s(188, 70, 236, 56, 236, 76, 188, 90), fill=white)
    return tile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets", help="folder for icon.png/.ico/.icns")
    args = parser.parse_args()
    big = draw(1024)
    args.out.mkdir(parents=True, exist_ok=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(args.out / "icon.png", optimize=True)
    big.resize((256, 256), Image.Resampling.LANCZOS).save(
        args.out / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
    )
    big.save(args.out / "icon.icns")
    print(f"wrote icon.png, icon.ico, icon.icns in {args.out}")


if __name__ == "__main__":
    main()
