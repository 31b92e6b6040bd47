"""The vision pipeline: frame -> faces -> emotion scores, and the worker thread that runs it.

``FacePipeline.process(image)`` detects faces, crops them and classifies all crops of a frame in
one batch, returning ``FaceResult`` records (largest face first) and the time each step took.
``track_frames(reader, pipeline, tracker)`` is THE frame loop, read -> detect -> classify ->
track, yielding a ``FrameResult`` per frame; ``analyze`` prints what it yields, and
``VisionWorker`` runs it on one thread and posts the frozen messages of
``emotune.vision.messages`` to a bounded ``MessageQueue``. The worker starts, pauses, resumes,
switches source and stops on request, and ``stop()`` leaves no thread behind.
This module must never import tkinter or call into a GUI: its consumers drain the queue.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.choices import Detector
from emotune.errors import EmotuneError
from emotune.vision.cadence import Cadence
from emotune.vision.crops import DEFAULT_CROP_SIZE, DEFAULT_MARGIN, crop_faces
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.faces import DEFAULT_MAX_SIDE, DEFAULT_MIN_FACE, Face, FaceDetector, create_detector
from emotune.vision.messages import (
    CalibrationSample,
    FaceResult,
    FrameResult,
    MessageQueue,
    MoodChanged,
    MoodState,
    SourceEnded,
    SourceError,
)
from emotune.vision.mood import MoodTracker
from emotune.vision.profile import Profile
from emotune.vision.reader import STOP_TIMEOUT_S, FrameReader, PauseGate
from emotune.vision.sources import FrameSource, make_source

DEFAULT_DETECT_EVERY_S = 0.2
DEFAULT_CLASSIFY_EVERY_S = 0.1  # 10 readings a second per face: plenty for the bars and the music mood
DEFAULT_SEARCH_EVERY_S = 1.0  # a face that joins is boxed within a second; one alone at once


@dataclass(frozen=True)
class PipelineSettings:
    detector: Detector = "yunet"
    max_side: int = DEFAULT_MAX_SIDE  # longest side of the copy the detector sees
    min_face: int = DEFAULT_MIN_FACE  # smallest face width, full-resolution pixels
    margin: float = DEFAULT_MARGIN
    align: bool = False
    crop_size: int = DEFAULT_CROP_SIZE
    threads: int = 1  # classifier threads
    # Work per second (emotune.vision.cadence): detect and classify at most this often, by frame
    # time; the frames between reuse the last boxes and scores. 0 means every frame.
    detect_every_s: float = DEFAULT_DETECT_EVERY_S
    classify_every_s: float = DEFAULT_CLASSIFY_EVERY_S
    search_every_s: float = DEFAULT_SEARCH_EVERY_S  # whole-frame detection; tracking in between


@dataclass(frozen=True)
class Timings:
    detect_ms: float
    classify_ms: float  # crops + classification


class FacePipeline:
    """Detector + cropper + classifier (models load lazily). ``process`` handles one image on its
    own; ``step`` handles the frames of one stream under the cadence, so one thread at a time."""

    def __init__(
        self,
        settings: PipelineSettings | None = None,
        detector: FaceDetector | None = None,
        classifier: EmotionClassifier | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.settings = settings or PipelineSettings()
        s = self.settings
        self.detector = detector if detector is not None else create_detector(s.detector, s.max_side, s.min_face)
        self.classifier = classifier if classifier is not None else EmotionClassifier(threads=s.threads)
        self._clock = clock
        self.cadence = Cadence(s.detect_every_s, s.classify_every_s, s.search_every_s)
        self._faces: list[Face] = []
        self._last: tuple[FaceResult, ...] = ()

    def load(self) -> None:
        """Load both models now, so that a broken model fails before any frame is read."""
        load = getattr(self.detector, "load", None)
        if callable(load):
            load()
        self.classifier.load()

    def process(self, image: NDArray[np.uint8]) -> tuple[tuple[FaceResult, ...], Timings]:
        """Detect and classify every face of ``image`` now (no cadence: stills, one-off calls)."""
        start = self._clock()
        faces = self.detector.detect(image)
        detected = self._clock()
        results = self._classify(image, faces)
        return results, Timings((detected - start) * 1e3, (self._clock() - detected) * 1e3)

    def start_stream(self) -> None:
        """Forget the last boxes and scores: a new source starts (``step`` carries them over)."""
        s = self.settings
        self.cadence = Cadence(s.detect_every_s, s.classify_every_s, s.search_every_s)
        self._faces, self._last = [], ()

    def step(self, image: NDArray[np.uint8], t: float) -> tuple[tuple[FaceResult, ...], Timings, bool]:
        """One frame of a stream at time ``t`` (seconds), under the cadence: the faces (fresh, or
        the last ones carried over), the time each step took (0 when skipped), and whether the
        scores are a new reading."""
        cadence = self.cadence
        start = self._clock()
        boxes = [face.box for face in self._faces]
        detect = cadence.should_detect(t) or cadence.moved(image, boxes)
        carried: tuple[FaceResult, ...] | None = None
        if detect:
            tracked = None if cadence.should_search(t) else self.detector.track(image, self._faces)
            if tracked is None:
                self._faces = self.detector.detect(image)
                cadence.searched(t)
            else:
                self._faces, carried = _moved(tracked, self._last)
            cadence.detected(t, image, [face.box for face in self._faces])
        detected = self._clock()
        # Faces found by a search may be new ones: read them now. Tracked faces are the same
        # people, so their last reading moves with them until the next one is due.
        fresh = (detect and carried is None) or cadence.should_classify(t)
        if fresh:
            self._last = self._classify(image, self._faces)
            cadence.classified(t)
        elif carried is not None:
            self._last = carried
        done = self._clock()
        return self._last, Timings((detected - start) * 1e3, (done - detected) * 1e3), fresh

    def primary_outputs(self, image: NDArray[np.uint8]) -> tuple[int, NDArray[np.float32], NDArray[np.float32]] | None:
        """For calibration: the model's own probabilities and embedding of the largest face that
        ``step`` last found in ``image``, with the number of faces; None when there was none."""
        if not self._faces:
            return None
        s = self.settings
        crop = crop_faces(image, self._faces[:1], s.margin, s.align, s.crop_size)
        probabilities, embeddings = self.classifier.model_outputs(crop)
        return len(self._faces), probabilities[0], embeddings[0]

    def _classify(self, image: NDArray[np.uint8], faces: list[Face]) -> tuple[FaceResult, ...]:
        s = self.settings
        crops = crop_faces(image, faces, s.margin, s.align, s.crop_size)
        scores = self.classifier.classify(crops)
        return tuple(
            FaceResult(
                box=face.box,
                scores=tuple(float(v) for v in row),
                detection_score=face.score,
                landmarks=face.landmarks,
            )
            for face, row in zip(faces, scores, strict=True)
        )


def _moved(faces: list[Face], last: tuple[FaceResult, ...]) -> tuple[list[Face], tuple[FaceResult, ...]]:
    """Tracked ``faces`` (in the order of ``last``) with their last readings at the new boxes,
    both largest first again."""
    pairs = sorted(zip(faces, last, strict=True), key=lambda pair: pair[0].area, reverse=True)
    moved = tuple(
        replace(result, box=face.box, detection_score=face.score, landmarks=face.landmarks) for face, result in pairs
    )
    return [face for face, _ in pairs], moved


def track_frames(
    reader: FrameReader,
    pipeline: FacePipeline,
    tracker: MoodTracker,
    *,
    include_images: bool = False,
    t_offset: float = 0.0,
    interrupted: Callable[[], bool] = lambda: False,
) -> Iterator[FrameResult]:
    """Each frame of ``reader`` through the pipeline and the tracker, until the source is finished
    or ``interrupted()``. ``t_offset`` is added to frame times for the tracker, whose clock must
    not run backwards when a worker switches sources. A broken model raises its ``EmotuneError``."""
    name = reader.source.name
    pipeline.start_stream()
    state: MoodState | None = None
    for frame in reader.frames(interrupted):
        faces, timings, fresh = pipeline.step(frame.image, frame.t)
        if fresh or state is None:
            # Only new readings feed the tracker: a carried-over one would count twice.
            scores = np.asarray([f.scores for f in faces], dtype=np.float64)
            state = tracker.update(scores, t_offset + frame.t, [f.area for f in faces])
        elif state.changed:
            state = replace(state, changed=False)
        yield FrameResult(
            index=frame.index,
            t=frame.t,
            faces=faces,
            mood=state,
            image=frame.image if include_images else None,
            source=name,
            timings_ms={"detect": timings.detect_ms, "classify": timings.classify_ms},
            fresh=fresh,
        )


class VisionWorker:
    """One thread: read -> detect -> classify -> track -> post. Never touches a GUI.

    ``realtime`` plays files at their own fps and drops stale frames (the app); without it every
    frame of a file is processed as fast as possible (analysis). Cameras are always live.
    ``include_images`` attaches the frame to each ``FrameResult`` (for display)."""

    def __init__(
        self,
        pipeline: FacePipeline,
        messages: MessageQueue,
        tracker: MoodTracker | None = None,
        realtime: bool = True,
        include_images: bool = True,
        source_factory: Callable[[str], FrameSource] = make_source,
    ) -> None:
        self.pipeline = pipeline
        self.messages = messages
        self.tracker = tracker if tracker is not None else MoodTracker()
        self.realtime = realtime
        self.include_images = include_images
        self._source_factory = source_factory
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._pending: FrameSource | None = None  # a source to switch to, picked up by the thread
        self._gate = PauseGate()  # shared by every reader of this worker: pause survives a switch
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._reader: FrameReader | None = None
        self._time_offset = 0.0  # keeps tracker time increasing across source switches
        self._last_t = 0.0
        self._posted_mood: str | None = None
        self._capture: str | None = None  # the expression being taught (calibration), if any

    # -- requests (any thread) ------------------------------------------------------------------

    def start(self, source: str | FrameSource) -> None:
        """Start the thread on ``source`` (a SOURCE string or a ``FrameSource``)."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("VisionWorker already started; use switch_source()")
            self._pending = self._as_source(source)
            self._stopping = False
            self._thread = threading.Thread(target=self._run, name="emotune-vision", daemon=True)
            self._thread.start()

    def switch_source(self, source: str | FrameSource) -> None:
        with self._wake:
            self._pending = self._as_source(source)
            self._wake.notify_all()

    def pause(self) -> None:
        """Stop reading and processing frames until ``resume()`` (the source stays open)."""
        self._gate.pause()

    def resume(self) -> None:
        self._gate.resume()

    @property
    def paused(self) -> bool:
        return self._gate.paused

    def capture(self, label: str | None) -> None:
        """Post a ``CalibrationSample`` for every new reading while ``label`` is being shown
        (None: stop). The music mood takes no evidence from these faces meanwhile. Attribute
        swaps: safe from any thread."""
        self._capture = label
        self.tracker.music_on_hold = label is not None

    def set_profile(self, profile: Profile | None) -> None:
        """Read faces with this person's ``profile`` from the next face on (None: the plain model).
        ProfileError when it was made for another model; the previous one then stays."""
        self.pipeline.classifier.profile = profile

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop the worker and its reader; True when no thread of theirs is left."""
        with self._wake:
            self._stopping = True
            reader = self._reader
            self._wake.notify_all()
        if reader is not None:
            reader.stop(timeout)
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        alive = (thread is not None and thread.is_alive()) or (reader is not None and reader.alive)
        if not alive:
            with self._lock:
                self._thread = None
        return not alive

    # -- the thread -----------------------------------------------------------------------------

    def _as_source(self, source: str | FrameSource) -> FrameSource:
        return self._source_factory(source) if isinstance(source, str) else source

    def _run(self) -> None:
        # OpenCV's own thread pool costs more CPU per detection for no gain when the app's other
        # threads are busy (docs/performance.md, section 5): one thread, as `bench` measures.
        cv2.setNumThreads(1)
        reader: FrameReader | None = None
        try:
            while True:
                old: FrameReader | None = None
                with self._wake:
                    # Between sources (after an end or an error) the thread idles until a switch or stop.
                    while not self._stopping and self._pending is None and reader is None:
                        self._wake.wait(0.1)
                    if self._stopping:
                        return
                    if self._pending is not None:
                        source, self._pending = self._pending, None
                        old, reader = reader, FrameReader(source, realtime=self.realtime, gate=self._gate)
                        self._reader = reader
                        self._time_offset = self._last_t
                if old is not None:
                    old.stop()  # outside the lock: pause/resume/stop callers must not wait on it
                assert reader is not None
                if not reader.alive:
                    reader.start()
                if self._pump(reader):
                    reader.stop()
                    reader = None
        finally:
            if reader is not None:
                reader.stop()

    def _interrupted(self) -> bool:
        with self._lock:
            return self._stopping or self._pending is not None

    def _pump(self, reader: FrameReader) -> bool:
        """Process frames of ``reader`` until a switch or stop is requested (False) or the source
        is done: ended, failed, or the pipeline failed (True, after posting the message)."""
        frames = track_frames(
            reader,
            self.pipeline,
            self.tracker,
            include_images=self.include_images,
            t_offset=self._time_offset,
            interrupted=self._interrupted,
        )
        try:
            for result in frames:
                self._last_t = self._time_offset + result.t
                self.messages.post(result)
                label = self._capture
                if label is not None and result.fresh and result.image is not None:
                    self._post_sample(label, result.image)
                state = result.mood
                if state.changed and state.mood is not None:
                    self.messages.post(MoodChanged(state.mood, self._posted_mood, result.t, result.index))
                    self._posted_mood = state.mood
        except EmotuneError as exc:  # a broken model: say so once and stop this source
            self.messages.post(SourceError(reader.source.name, str(exc)))
            return True
        if reader.finished:
            self._report_end(reader)
            return True
        return False

    def _post_sample(self, label: str, image: NDArray[np.uint8]) -> None:
        outputs = self.pipeline.primary_outputs(image)
        if outputs is None:
            self.messages.post(CalibrationSample(label, 0))
        else:
            faces, probabilities, embedding = outputs
            self.messages.post(CalibrationSample(label, faces, probabilities, embedding))

    def _report_end(self, reader: FrameReader) -> None:
        if reader.error is not None:
            self.messages.post(SourceError(reader.source.name, str(reader.error)))
        elif reader.ended:
            self.messages.post(SourceEnded(reader.source.name, reader.frames_read))
