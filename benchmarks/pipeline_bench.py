"""The vision pipeline's targets, measured: speed, detection rate, memory, threads.

    python -m benchmarks.pipeline_bench [--frames 200] [--rate-frames 464] [--memory-frames 10000] [--json]

1. Speed: detect + classify, median ms per 640x480 frame, one thread, for Emotune's pipeline
   (YuNet on a 320-px copy, one onnxruntime batch per frame) and for the ORIGINAL pipeline on the
   same frames in the same run: Haar cascade on a 0.6x grey frame, then a Keras ``model.predict``
   per face on the original's 4-conv-layer CNN (built here with random weights: only its cost
   matters). Target: <= 8 ms and >= 7x faster.
   With the app's cadence (detect every 0.2 s, classify every 0.1 s, by frame time at 30 fps):
   the MEAN detect + classify per frame, against the app's Haar detector alone on every one of
   the same frames (what ``bench --detector haar`` times). Target: <= 0.15x.
2. Detection rate on a frontal talking-head video (the astronaut photo moving, nodding, turning
   slightly under changing light): YuNet and, for reference, the original's Haar settings.
   Target: >= 99% of frames.
3. Memory: resident set size of the whole worker (reader thread, pipeline, mood tracker, bounded
   queue, frames included in the messages) after a warm-up and after ``--memory-frames`` frames.
   Target: within 20 MB. Also checks that no thread outlives ``stop()``.

TensorFlow/Keras are used here only, for the original pipeline; the app never imports them.
Figures print; nothing is asserted (tests assert behaviour, benchmarks report).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from benchmarks.machine import describe_cpu
from emotune.vision.faces import create_detector
from emotune.vision.messages import FrameResult, MessageQueue, SourceEnded, SourceError
from emotune.vision.pipeline import FacePipeline, PipelineSettings, VisionWorker
from emotune.vision.sources import Frame
from testbed.media import talking_head_frames

Image = NDArray[np.uint8]
HAAR = Path(str(getattr(getattr(cv2, "data", None), "haarcascades", ""))) / "haarcascade_frontalface_default.xml"


def build_original_cnn() -> Any:
    """The original project's emotion CNN (48x48 grey in, 7 softmax out; ~2.3 M parameters):
    Conv32-Conv64-Pool-Drop-Conv128-Pool-Conv128-Pool-Drop-Dense1024-Drop-Dense7, random weights."""
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((48, 48, 1)),
            layers.Conv2D(32, 3, activation="relu"),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Conv2D(128, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(1024, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(7, activation="softmax"),
        ]
    )
    return model


class OriginalPipeline:
    """Haar on a 0.6x grey frame, then ``model.predict`` on each 48x48 face, one call per face."""

    def __init__(self) -> None:
        self.cascade = cv2.CascadeClassifier(str(HAAR))
        self.model = build_original_cnn()

    def detect(self, frame: Image) -> list[tuple[int, int, int, int]]:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        small = cv2.resize(gray, None, fx=0.6, fy=0.6)
        rects = self.cascade.detectMultiScale(small, scaleFactor=1.3, minNeighbors=5)
        return [tuple(int(v / 0.6) for v in rect) for rect in np.asarray(rects).reshape(-1, 4)]  # type: ignore[misc]

    def process(self, frame: Image) -> int:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        boxes = self.detect(frame)
        for x, y, w, h in boxes:
            face = cv2.resize(gray[y : y + h, x : x + w], (48, 48))
            self.model.predict(face[None, :, :, None].astype(np.float32) / 255.0, verbose=0)
        return len(boxes)


def median_ms(fn: Any, frames: list[Image], warmup: int = 5) -> float:
    for frame in frames[:warmup]:
        fn(frame)
    times = []
    for frame in frames:
        start = time.perf_counter()
        fn(frame)
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


class LoopingFrames:
    """An in-memory frame source playing ``frames`` round and round until ``total`` frames."""

    live = False

    def __init__(self, frames: list[Image], total: int, fps: float = 30.0) -> None:
        self.name = f"talking head x{total}"
        self.fps = fps
        self.frames = frames
        self.total = total
        self.count = 0

    def open(self) -> None:
        self.count = 0

    def read(self) -> Frame | None:
        if self.count >= self.total:
            return None
        # A copy per frame, as a camera hands out a new buffer for every frame.
        frame = Frame(self.count, self.count / self.fps, self.frames[self.count % len(self.frames)].copy())
        self.count += 1
        return frame

    def close(self) -> None:
        pass


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def memory_run(pipeline: FacePipeline, frames: list[Image], total: int, warm: int = 500) -> dict[str, float]:
    threads_before = {t.ident for t in threading.enumerate()}
    messages = MessageQueue(8)
    worker = VisionWorker(pipeline, messages, realtime=False, include_images=True)
    worker.start(LoopingFrames(frames, total))
    seen = 0
    start_mb = end_mb = peak_mb = 0.0
    try:
        while True:
            message = messages.get(timeout=120)
            if isinstance(message, FrameResult):
                seen = message.index + 1
                if seen == warm:
                    start_mb = rss_mb()
                if seen % 250 == 0:
                    peak_mb = max(peak_mb, rss_mb())
            if isinstance(message, SourceEnded | SourceError):
                break
        end_mb = rss_mb()
    finally:
        stopped = worker.stop()
    leftover = [t.name for t in threading.enumerate() if t.ident not in threads_before]
    return {
        "frames": float(total),
        "rss_after_warmup_mb": round(start_mb, 1),
        "rss_end_mb": round(end_mb, 1),
        "rss_peak_mb": round(max(peak_mb, end_mb), 1),
        "growth_mb": round(end_mb - start_mb, 1),
        "stopped_cleanly": float(stopped and not leftover),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--frames", type=int, default=200, help="frames for the speed comparison")
    p.add_argument("--rate-frames", type=int, default=464, help="frames of the talking-head video for detection rates")
    p.add_argument("--memory-frames", type=int, default=10_000)
    p.add_argument("--skip-original", action="store_true", help="do not build the Keras model (no TensorFlow)")
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    cv2.setNumThreads(1)
    pipeline = FacePipeline(PipelineSettings(threads=1))
    pipeline.load()
    results: dict[str, Any] = {"cpu": describe_cpu(), "threads": 1, "frame_size": [640, 480]}
    # Memory first, before the test frames (0.9 MB each) and TensorFlow (for the original
    # pipeline) are loaded: either would dwarf the figures.
    results["memory"] = memory_run(pipeline, talking_head_frames(100), args.memory_frames)

    frames = talking_head_frames(max(args.frames, args.rate_frames))
    speed_frames = frames[: args.frames]
    ours = median_ms(lambda f: pipeline.process(f), speed_frames)
    results["emotune_ms"] = round(ours, 2)
    # The app's cadence over frames at the source's own timing: means, not medians (the work
    # done every few frames hides from a median).
    pipeline.start_stream()
    work = []
    for i, frame in enumerate(speed_frames):
        _faces, timings, _fresh = pipeline.step(frame, i / 30.0)
        work.append(timings.detect_ms + timings.classify_ms)
    haar = create_detector("haar")
    haar.detect(speed_frames[0])
    haar_ms = []
    for frame in speed_frames:
        started = time.perf_counter()
        haar.detect(frame)
        haar_ms.append((time.perf_counter() - started) * 1e3)
    results["cadence_mean_ms"] = round(statistics.fmean(work[1:]), 2)
    results["haar_detect_mean_ms"] = round(statistics.fmean(haar_ms), 2)
    results["cadence_vs_haar"] = round(results["cadence_mean_ms"] / results["haar_detect_mean_ms"], 3)
    if not args.skip_original:
        original = OriginalPipeline()
        theirs = median_ms(original.process, speed_frames)
        results["original_ms"] = round(theirs, 2)
        results["speedup"] = round(theirs / ours, 1)

    rate_frames = frames[: args.rate_frames]
    found = sum(len(pipeline.detector.detect(f)) >= 1 for f in rate_frames)
    cascade = cv2.CascadeClassifier(str(HAAR))
    haar_found = sum(
        len(cascade.detectMultiScale(cv2.resize(cv2.cvtColor(f, cv2.COLOR_BGR2GRAY), None, fx=0.6, fy=0.6), 1.3, 5))
        >= 1
        for f in rate_frames
    )
    results["detection"] = {
        "frames": len(rate_frames),
        "yunet_found": found,
        "yunet_rate": round(found / len(rate_frames), 4),
        "original_haar_found": haar_found,
        "original_haar_rate": round(haar_found / len(rate_frames), 4),
    }

    if args.json:
        print(json.dumps(results))
        return
    print(f"CPU: {results['cpu']}")
    print(f"one thread, 640x480 talking-head frames ({args.frames} for speed)")
    print(f"  Emotune detect+classify   median {results['emotune_ms']:7.2f} ms/frame   (target <= 8 ms)")
    print(
        f"  with the app's cadence    mean   {results['cadence_mean_ms']:7.2f} ms/frame; the app's Haar detection "
        f"alone {results['haar_detect_mean_ms']:.2f}: {results['cadence_vs_haar']:.3f}x   (target <= 0.15x)"
    )
    if "original_ms" in results:
        print(f"  original Haar 0.6x+Keras  median {results['original_ms']:7.2f} ms/frame")
        print(f"  speed-up                  {results['speedup']:.1f}x   (target >= 7x)")
    d = results["detection"]
    print(f"faces found in {d['frames']} frames: YuNet {d['yunet_found']} ({d['yunet_rate']:.1%}), ", end="")
    print(f"original Haar {d['original_haar_found']} ({d['original_haar_rate']:.1%})   (target >= 99%)")
    m = results["memory"]
    print(
        f"memory over {int(m['frames'])} frames through the worker: {m['rss_after_warmup_mb']} MB after warm-up, "
        f"{m['rss_end_mb']} MB at the end (growth {m['growth_mb']} MB, peak {m['rss_peak_mb']} MB; target <= 20 MB); "
        f"threads stopped cleanly: {bool(m['stopped_cleanly'])}"
    )


if __name__ == "__main__":
    main()
