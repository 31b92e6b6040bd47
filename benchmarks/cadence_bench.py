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
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from benchmarks.machine import describe_cpu
from emotune.vision.faces import box_overlap
from emotune.vision.messages import FaceResult
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings
from testbed.media import TALK_SCRIPT, person_talking_frames, talking_head_frames
from testbed.paths import JAFFE

# (detect, classify, whole-frame search) intervals in seconds; a search interval of 0 never tracks.
CADENCES = [(0.0, 0.0, 0.0), (0.2, 0.1, 0.0), (0.3, 0.1, 0.0), (0.2, 0.2, 0.0), (0.2, 0.1, 0.5), (0.2, 0.1, 1.0)]


@dataclass
class Run:
    ms: float  # mean detect + classify per frame
    faces: list[tuple[FaceResult, ...]]
    moods: list[str]


def run(frames: list[np.ndarray], fps: float, cadence: tuple[float, float, float]) -> Run:
    detect_s, classify_s, search_s = cadence
    settings = PipelineSettings(detect_every_s=detect_s, classify_every_s=classify_s, search_every_s=search_s)
    pipeline = FacePipeline(settings)
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
    return Run(statistics.fmean(work), faces, [m for m in moods if m])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the talking-head clip")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    clips = {"talking head 30 fps": (talking_head_frames(int(args.seconds * 30)), 30.0)}
    for person in sorted(p for p in Path(JAFFE).iterdir() if p.is_dir()):
        clips[f"JAFFE {person.name} 15 fps"] = (person_talking_frames(person), 15.0)
    # What each JAFFE frame shows (the clips follow TALK_SCRIPT at 15 fps): readings against it.
    script = [emotion for emotion, seconds in TALK_SCRIPT for _ in range(round(seconds * 15.0))]
    print(f"CPU: {describe_cpu()}")
    print(
        f"{'clip':<22} {'detect/classify/search s':>24} {'ms/frame':>9} {'x full':>7} {'face %':>7} {'IoU med':>8} "
        f"{'reading=':>9} {'=script':>8} {'moods same':>10}"
    )
    for name, (frames, fps) in clips.items():
        full = run(frames, fps, CADENCES[0])
        for cadence in CADENCES:
            result = full if cadence == CADENCES[0] else run(frames, fps, cadence)
            pairs = list(zip(full.faces, result.faces, strict=True))
            with_face = sum(1 for _, f in pairs if f) / len(pairs) * 100
            ious = [box_overlap(a[0].box, b[0].box) for a, b in pairs if a and b]
            agree = [a[0].emotion == b[0].emotion for a, b in pairs if a and b]
            same = _changes(full.moods) == _changes(result.moods)
            right = [bool(f) and f[0].emotion == e for (_, f), e in zip(pairs, script, strict=False)]
            scripted = f"{statistics.fmean(right) * 100:.1f}%" if name.startswith("JAFFE") else "-"
            print(
                f"{name:<22} {'/'.join(f'{v:.1f}' for v in cadence):>24} {result.ms:>9.2f} "
                f"{result.ms / full.ms:>7.2f} {with_face:>7.1f} {statistics.median(ious):>8.3f} "
                f"{statistics.fmean(agree) * 100:>8.1f}% {scripted:>8} {'yes' if same else 'no':>10}"
            )


def _changes(moods: list[str]) -> list[str]:
    return [m for i, m in enumerate(moods) if i == 0 or moods[i - 1] != m]


if __name__ == "__main__":
    main()
