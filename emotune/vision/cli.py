"""The headless vision commands: ``analyze``, ``classify`` and ``bench`` (``python -m emotune ...``).

Output formats are public contracts (docs/cli.md): JSON lines with
exactly the documented keys under ``--json``, a readable table otherwise. Bad input raises an
``EmotuneError`` subclass whose one-line message ``emotune.__main__`` prints before exiting with 2.
This module must not import tkinter; argument parsing belongs to ``emotune.__main__``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import cv2

from emotune.choices import Detector
from emotune.errors import UsageError
from emotune.text import printable
from emotune.vision.faces import DEFAULT_MAX_SIDE
from emotune.vision.messages import FaceResult, FrameResult, MoodState
from emotune.vision.mood import MoodTracker
from emotune.vision.pipeline import FacePipeline, PipelineSettings, track_frames
from emotune.vision.profile_cli import load_profile_arg
from emotune.vision.reader import FrameReader
from emotune.vision.sources import (
    FrameSource,
    FrameSourceError,
    check_image_path,
    make_source,
    quiet_opencv,
    read_image,
)

NO_FACE = "no face"


# A median needs a few hundred frames; 100,000 is minutes, while 10,000,000 ran for six hours.
MAX_BENCH_FRAMES = 100_000
MIN_MAX_SIDE, MAX_MAX_SIDE = 64, 4096  # below: faces too small to find; above: no detector gains


def settings_from(args: argparse.Namespace) -> PipelineSettings:
    """The pipeline settings the flags ask for (argparse has checked the detector's name)."""
    detector: Detector = "haar" if getattr(args, "detector", None) == "haar" else "yunet"
    max_side = getattr(args, "max_side", None)
    max_side = DEFAULT_MAX_SIDE if max_side is None else int(max_side)
    if not MIN_MAX_SIDE <= max_side <= MAX_MAX_SIDE:
        raise UsageError(f"--max-side {max_side}: must be between {MIN_MAX_SIDE} and {MAX_MAX_SIDE} pixels")
    return PipelineSettings(detector=detector, max_side=max_side, align=bool(getattr(args, "align", False)))


def pipeline_from(args: argparse.Namespace) -> FacePipeline:
    """The pipeline the flags ask for, personalised when ``--profile PROFILE`` is given (a
    damaged or mismatched profile is one clear ``ProfileError``)."""
    pipeline = FacePipeline(settings_from(args))
    if getattr(args, "profile", None):
        load_profile_arg(args.profile, pipeline.classifier)
    return pipeline


# -- analyze -----------------------------------------------------------------------------------


def analyze_source(
    source: FrameSource, pipeline: FacePipeline, tracker: MoodTracker, realtime: bool = False
) -> Iterator[FrameResult]:
    """Every frame of ``source`` (files: all of them, as fast as possible) through the frame loop.

    Raises ``FrameSourceError`` after the last good frame if the source fails."""
    reader = FrameReader(source, realtime=realtime).start()
    try:
        yield from track_frames(reader, pipeline, tracker)
    finally:
        reader.stop()
    if reader.error is not None:
        raise reader.error


def frame_json(frame: FrameResult) -> str:
    return json.dumps(
        {
            "frame": frame.index,
            "t": round(frame.t, 4),
            "faces": [face.to_json() for face in frame.faces],
            "mood": frame.mood.mood,
            "reading": frame.mood.reading,
        }
    )


def describe_faces(faces: tuple[FaceResult, ...]) -> str:
    if not faces:
        return "-"
    return ", ".join(f"{face.emotion} {face.confidence:.2f}" for face in faces)


@dataclass
class Segment:
    start: float
    end: float
    label: str
    frames: int = 1


class Timeline:
    """Segments of constant state: the mood while a face is seen, "no face" otherwise."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []

    def add(self, t: float, state: MoodState) -> None:
        label = (state.mood or "-") if state.face_present else NO_FACE
        if self.segments and self.segments[-1].label == label:
            self.segments[-1].end = t
            self.segments[-1].frames += 1
        else:
            self.segments.append(Segment(t, t, label))

    def lines(self) -> list[str]:
        return [f"  {s.start:8.2f} - {s.end:8.2f} s  {s.label}  ({s.frames} frames)" for s in self.segments]


def analyze(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    quiet_opencv()
    source = make_source(str(args.source))
    pipeline = pipeline_from(args)
    pipeline.load()
    tracker = MoodTracker()
    timeline = Timeline()
    as_json = bool(getattr(args, "json", False))
    count = 0
    mood_changes = 0
    try:
        for frame in analyze_source(source, pipeline, tracker):
            if as_json:
                print(frame_json(frame), file=out, flush=True)
            else:
                if count == 0:
                    print(f"{'frame':>6} {'t (s)':>8} {'faces':>5}  {'emotions':<32} mood", file=out)
                mood = frame.mood.mood or "-"
                if not frame.mood.face_present and frame.mood.mood is not None:
                    mood += f" ({NO_FACE})"
                line = (
                    f"{frame.index:>6} {frame.t:>8.2f} {len(frame.faces):>5}  {describe_faces(frame.faces):<32} {mood}"
                )
                print(line, file=out, flush=True)
            timeline.add(frame.t, frame.mood)
            count += 1
            mood_changes += int(frame.mood.changed)
    finally:
        if not as_json and count:
            print(f"\nmood timeline ({count} frames, {max(0, mood_changes - 1)} mood changes):", file=out)
            print("\n".join(timeline.lines()), file=out, flush=True)
    return 0


# -- classify ----------------------------------------------------------------------------------


def classify(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    """Each image in turn: decode, classify, print, release, so memory does not grow with the count.

    Missing files and folders are refused before anything is printed; an image that cannot be
    decoded (or is over the size limit) stops the command after the lines of the images before it,
    with its one line on stderr and exit code 2."""
    quiet_opencv()
    for name in args.images:
        check_image_path(Path(name))
    pipeline = pipeline_from(args)
    pipeline.load()
    as_json = bool(getattr(args, "json", False))
    for path in args.images:
        faces, _ = pipeline.process(read_image(Path(path)))
        if as_json:
            print(json.dumps({"path": path, "faces": [face.to_json() for face in faces]}), file=out, flush=True)
            continue
        shown = printable(path)  # the JSON line keeps the name exact (json.dumps escapes controls)
        if not faces:
            print(f"{shown}: no face found", file=out)
        for i, face in enumerate(faces, 1):
            x, y, w, h = face.box
            ranked = sorted(face.scores_by_label().items(), key=lambda item: item[1], reverse=True)
            others = ", ".join(f"{label} {score:.2f}" for label, score in ranked[1:3])
            reading = f"{face.emotion} {face.confidence:.2f} ({others})"
            print(f"{shown}: face {i} at x={x} y={y} {w}x{h}: {reading}", file=out)
    return 0


# -- bench -------------------------------------------------------------------------------------


def bench(args: argparse.Namespace, out: TextIO = sys.stdout, clock: Callable[[], float] = time.perf_counter) -> int:
    """Read, detect, classify and their total per frame, all on this one thread, with the app's
    cadence (detect and classify at most every so often by frame time): medians, and means,
    which count the work done every few frames that a median hides."""
    quiet_opencv()
    frames_wanted = int(args.frames)
    if not 1 <= frames_wanted <= MAX_BENCH_FRAMES:
        raise UsageError(f"--frames {frames_wanted}: must be between 1 and {MAX_BENCH_FRAMES}")
    cv2.setNumThreads(1)
    source = make_source(str(args.source))
    settings = settings_from(args)
    pipeline = FacePipeline(PipelineSettings(**{**settings.__dict__, "threads": 1}), clock=clock)
    pipeline.load()
    source.open()
    steps: dict[str, list[float]] = {"read": [], "detect": [], "classify": [], "total": []}
    seen_any = False
    replay_offset = 0.0  # frame times keep increasing when a short source is played again
    last_t = 0.0
    try:
        while len(steps["total"]) < frames_wanted:
            started = clock()
            frame = source.read()
            read_ms = (clock() - started) * 1e3
            if frame is None:
                if not seen_any:
                    raise FrameSourceError(f"{source.name}: no frames")
                # Short sources are played again from the start, so any --frames can be measured.
                replay_offset = last_t + 1.0 / max(source.fps, 1.0)
                source.close()
                source.open()
                continue
            last_t = replay_offset + frame.t
            _, timings, _fresh = pipeline.step(frame.image, last_t)
            if not seen_any:
                seen_any = True  # the first frame pays for lazy initialisation inside the runtimes
                continue
            total = read_ms + timings.detect_ms + timings.classify_ms
            for name, value in zip(steps, (read_ms, timings.detect_ms, timings.classify_ms, total), strict=True):
                steps[name].append(value)
    finally:
        source.close()
    medians = {name: round(statistics.median(values), 3) for name, values in steps.items()}
    means = {name: round(statistics.fmean(values), 3) for name, values in steps.items()}
    count = len(steps["total"])
    if getattr(args, "json", False):
        print(json.dumps({"frames": count, "ms_per_frame": medians, "mean_ms_per_frame": means}), file=out)
    else:
        print(f"{count} frames of {printable(source.name)}, one thread, ms per frame (median / mean):", file=out)
        for name in steps:
            print(f"  {name:<9} {medians[name]:8.2f} {means[name]:8.2f}", file=out)
        detect_classify = [d + c for d, c in zip(steps["detect"], steps["classify"], strict=True)]
        print(
            f"  detect+classify {statistics.median(detect_classify):.2f} {statistics.fmean(detect_classify):.2f}",
            file=out,
        )
    return 0
