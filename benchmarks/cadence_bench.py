"""How often to detect and classify: work per frame against what the user sees, per cadence.

    python -m benchmarks.cadence_bench [--seconds 20]

On a 30 fps talking head (the astronaut photo, moving as a person at a webcam does) and on clips
of the five JAFFE people talking with shifting expressions (../shared, never copied here), each
cadence is compared with detecting and classifying every frame, on the same frames in the same
run: mean detect + classify ms per frame (one thread, frames at the source's own timing), the
frames with a face, the box overlap with the every-frame boxes, how often the face reading
agrees, and whether the music mood sequence is the same. Prints the CPU it ran on.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import cv2
import numpy as np

from benchmarks.machine import describe_cpu
from emotune.vision.messages import FaceResult
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings
from tests.support.paths import JAFFE
from tests.support.vision_media import person_talking_frames, talking_head_frames

CADENCES = [(0.0, 0.0), (0.1, 0.1), (0.2, 0.1), (0.3, 0.1), (0.5, 0.1), (0.2, 0.2)]


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    w = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    h = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = w * h
    return inter / float(aw * ah + bw * bh - inter) if inter else 0.0


def run(frames: list[np.ndarray], fps: float, detect_s: float, classify_s: float) -> dict[str, object]:
    pipeline = FacePipeline(PipelineSettings(detect_every_s=detect_s, classify_every_s=classify_s))
    pipeline.load()
    pipeline.start_stream()
    tracker = MoodTracker()
    work: list[float] = []
    faces: list[tuple[FaceResult, ...]] = []
    moods: list[str | None] = []
    pipeline.step(frames[0], -1.0)  # warm-up: lazy initialisation inside the runtimes
    pipeline.start_stream()
    for i, frame in enumerate(frames):
        found, timings, fresh = pipeline.step(frame, i / fps)
        work.append(timings.detect_ms + timings.classify_ms)
        if fresh:
            state = tracker.update([f.scores for f in found], i / fps, [f.area for f in found])
            moods.append(state.mood)
        faces.append(found)
    return {"ms": statistics.fmean(work), "faces": faces, "moods": [m for m in moods if m]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the talking-head clip")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    clips = {"talking head 30 fps": (talking_head_frames(int(args.seconds * 30)), 30.0)}
    for person in sorted(p for p in Path(JAFFE).iterdir() if p.is_dir()):
        clips[f"JAFFE {person.name} 15 fps"] = (person_talking_frames(person), 15.0)
    print(f"CPU: {describe_cpu()}")
    print(
        f"{'clip':<22} {'detect/classify s':>17} {'ms/frame':>9} {'x full':>7} {'face %':>7} {'IoU med':>8} "
        f"{'reading=':>9} {'moods same':>10}"
    )
    for name, (frames, fps) in clips.items():
        full = run(frames, fps, 0.0, 0.0)
        for detect_s, classify_s in CADENCES:
            result = full if (detect_s, classify_s) == (0.0, 0.0) else run(frames, fps, detect_s, classify_s)
            pairs = list(zip(full["faces"], result["faces"], strict=True))  # type: ignore[arg-type]
            with_face = sum(1 for _, f in pairs if f) / len(pairs) * 100
            ious = [iou(a[0].box, b[0].box) for a, b in pairs if a and b]
            agree = [a[0].emotion == b[0].emotion for a, b in pairs if a and b]
            same = _changes(full["moods"]) == _changes(result["moods"])  # type: ignore[arg-type]
            print(
                f"{name:<22} {detect_s:>8.1f}/{classify_s:<8.1f} {result['ms']:>9.2f} "
                f"{result['ms'] / full['ms']:>7.2f} {with_face:>7.1f} {statistics.median(ious):>8.3f} "
                f"{statistics.fmean(agree) * 100:>8.1f}% {'yes' if same else 'no':>10}"
            )


def _changes(moods: list[str]) -> list[str]:
    return [m for i, m in enumerate(moods) if i == 0 or moods[i - 1] != m]


if __name__ == "__main__":
    main()
