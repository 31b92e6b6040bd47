"""What shrinking a picture costs: OpenCV's INTER_AREA, bilinear alone, and ``emotune.vision.scaling``
(halve by area averaging, then bilinear), for the sizes the app meets (a camera frame into the
video panel, and into the 256-pixel detection copy):

    python -m benchmarks.scaling_bench [--repeats 200] [--json]

Prints milliseconds per call (median, one OpenCV thread) and the mean absolute difference from
INTER_AREA in grey levels, on a frame of a real photo of a face at each camera size. Figures
print; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable

import cv2
import numpy as np
from numpy.typing import NDArray

from benchmarks.machine import describe_cpu
from emotune.vision import scaling

# (camera frame, shown or detection size): the panel of the default window is about 628 wide.
CASES = [
    ((640, 480), (628, 471)),
    ((1280, 720), (628, 353)),
    ((1920, 1080), (628, 353)),
    ((640, 480), (256, 192)),
    ((1280, 720), (256, 144)),
]


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def camera_frame(size: tuple[int, int]) -> NDArray[np.uint8]:
    from testbed.media import talking_head_frames

    return talking_head_frames(1, size)[0]


def measure(source: tuple[int, int], target: tuple[int, int], repeats: int) -> dict[str, object]:
    """One row: each way's median time for ``source`` -> ``target`` and ours against INTER_AREA."""
    image = camera_frame(source)
    area = cv2.resize(image, target, interpolation=cv2.INTER_AREA)
    ours = scaling.resize(image, target)
    return {
        "from": f"{source[0]}x{source[1]}",
        "to": f"{target[0]}x{target[1]}",
        "area_ms": round(median_ms(lambda: cv2.resize(image, target, interpolation=cv2.INTER_AREA), repeats), 3),
        "linear_ms": round(median_ms(lambda: cv2.resize(image, target, interpolation=cv2.INTER_LINEAR), repeats), 3),
        "emotune_ms": round(median_ms(lambda: scaling.resize(image, target), repeats), 3),
        "emotune_vs_area_grey_levels": round(float(np.abs(ours.astype(np.int16) - area).mean()), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    cv2.setNumThreads(1)  # as in the app's worker and Tk threads
    rows = [measure(source, target, args.repeats) for source, target in CASES]
    if args.json:
        print(json.dumps({"cpu": describe_cpu(), "rows": rows}))
        return
    print(f"CPU: {describe_cpu()}; one OpenCV thread; median of {args.repeats}")
    print(f"{'from':>10} {'to':>8} {'INTER_AREA':>11} {'bilinear':>9} {'emotune':>8} {'diff vs area':>13}")
    for row in rows:
        print(
            f"{row['from']:>10} {row['to']:>8} {row['area_ms']:>8.3f} ms {row['linear_ms']:>6.3f} ms"
            f" {row['emotune_ms']:>5.3f} ms {row['emotune_vs_area_grey_levels']:>8.2f} grey"
        )


if __name__ == "__main__":
    main()
