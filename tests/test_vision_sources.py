"""Frame sources and the reader thread, on real files and on an in-memory camera stand-in."""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotune.vision.reader import FrameReader
from emotune.vision.sources import (
    CameraSource,
    FolderSource,
    Frame,
    FrameSourceError,
    ImageSource,
    VideoFileSource,
    make_source,
    open_source,
)
from testbed.media import background, write_video
from tests.support.files import write_png
from tests.support.vision_media import truncate


class StandInCamera:
    """A live source whose frames the test releases one by one (``release(n)``), or that delivers
    one every few milliseconds once ``free_running`` (a real camera's pace); after ``fail_after``
    frames it raises as an unplugged camera does."""

    live = True

    def __init__(self, fail_after: int | None = None) -> None:
        self.name = "stand-in camera"
        self.fps = 30.0
        self.fail_after = fail_after
        self.count = 0
        self.opened = False
        self.closed = False
        self.free_running = False
        self._available = threading.Semaphore(0)

    def release(self, n: int) -> None:
        for _ in range(n):
            self._available.release()

    def open(self) -> None:
        self.opened = True

    def read(self) -> Frame | None:
        while not self.free_running and not self._available.acquire(timeout=0.01):
            pass
        if self.free_running:
            threading.Event().wait(0.005)  # a frame period of a fast camera
        if self.fail_after is not None and self.count >= self.fail_after:
            raise FrameSourceError(f"{self.name}: stopped delivering frames (unplugged?)")
        image = np.full((48, 64, 3), self.count % 256, np.uint8)
        frame = Frame(self.count, self.count / self.fps, image)
        self.count += 1
        return frame

    def close(self) -> None:
        self.closed = True


def wait_until(condition: object, reader: FrameReader) -> None:
    """Wait (on the reader's own condition variable, not on the wall clock) until ``condition()``."""
    assert callable(condition)
    with reader._cond:
        assert reader._cond.wait_for(condition, timeout=10), "reader thread made no progress"


@pytest.fixture()
def numbered_video(tmp_path: Path) -> Path:
    """30 frames at 15 fps; frame i has grey level 8*i, so frames can be told apart after decoding."""
    frames = [np.full((120, 160, 3), 8 * i, np.uint8) for i in range(30)]
    return write_video(tmp_path / "numbered.avi", frames, fps=15.0)


def test_video_file_source_reads_every_frame_with_its_time(numbered_video: Path) -> None:
    source = open_source(str(numbered_video))
    assert isinstance(source, VideoFileSource)
    assert source.fps == pytest.approx(15.0) and source.frame_count == 30
    frames = []
    while (frame := source.read()) is not None:
        frames.append(frame)
    source.close()
    assert [f.index for f in frames] == list(range(30))
    assert frames[15].t == pytest.approx(1.0)
    assert [round(float(f.image.mean()) / 8) for f in frames] == list(range(30))


def test_lossless_reader_hands_over_every_frame_in_order(numbered_video: Path) -> None:
    reader = FrameReader(make_source(str(numbered_video)), realtime=False).start()
    indices = []
    while not reader.finished:
        frame = reader.get(timeout=1.0)
        if frame is not None:
            indices.append(frame.index)
    assert indices == list(range(30))
    assert reader.ended and reader.error is None and reader.dropped == 0
    assert reader.stop() and not reader.alive


def test_live_reader_keeps_only_the_newest_frame() -> None:
    camera = StandInCamera()
    reader = FrameReader(camera).start()
    camera.release(5)
    wait_until(lambda: reader.frames_read == 5, reader)
    newest = reader.get(timeout=1.0)
    assert newest is not None and newest.index == 4
    assert reader.dropped == 4  # frames 0-3 were overwritten, never queued
    assert reader.get(timeout=0.05) is None  # nothing stale is left behind
    camera.release(1)
    following = reader.get(timeout=5.0)
    assert following is not None and following.index == 5
    camera.free_running = True
    assert reader.stop() and not reader.alive and camera.closed


def test_unplugged_camera_is_reported_after_the_frames_before_it() -> None:
    camera = StandInCamera(fail_after=3)
    reader = FrameReader(camera, realtime=False).start()
    camera.release(4)
    wait_until(lambda: reader.error is not None, reader)
    last = reader.get(timeout=1.0)
    assert last is not None and last.index == 2
    assert reader.get(timeout=0.05) is None and reader.finished
    assert reader.error is not None and "unplugged" in str(reader.error)
    reader.stop()
    assert not reader.alive and camera.closed


def test_stop_ends_a_reader_waiting_on_its_consumer_or_its_camera(numbered_video: Path) -> None:
    waiting_on_consumer = FrameReader(make_source(str(numbered_video)), realtime=False).start()
    wait_until(lambda: waiting_on_consumer._slot is not None, waiting_on_consumer)
    camera = StandInCamera()
    camera.free_running = True
    idle_camera = FrameReader(camera).start()
    idle_camera.wait_open(5.0)
    assert waiting_on_consumer.stop() and idle_camera.stop()
    assert not waiting_on_consumer.alive and not idle_camera.alive


def test_realtime_files_are_paced_at_their_own_fps(numbered_video: Path) -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    reader = FrameReader(make_source(str(numbered_video)), realtime=True, clock=lambda: now[0], sleep=sleep)
    reader.start()
    while not reader.finished:
        reader.get(timeout=1.0)
    reader.stop()
    assert reader.ended
    # 30 frames at 15 fps: the last one is due 29/15 s after the first.
    assert sum(sleeps) == pytest.approx(29 / 15, abs=1e-6)
    assert len(sleeps) == 29


def test_pause_holds_a_file_reader(numbered_video: Path) -> None:
    reader = FrameReader(make_source(str(numbered_video)), realtime=False)
    reader.pause()
    reader.start()
    reader.wait_open(5.0)
    assert reader.get(timeout=0.2) is None and reader.frames_read == 0
    reader.resume()
    first = reader.get(timeout=5.0)
    assert first is not None and first.index == 0
    reader.stop()


def test_single_image_is_one_frame(tmp_path: Path) -> None:
    path = write_png(tmp_path / "still.png", background(2))
    source = open_source(str(path))
    assert isinstance(source, ImageSource)
    first = source.read()
    assert first is not None and first.image.shape == (480, 640, 3) and first.t == 0.0
    assert source.read() is None


def test_folder_plays_its_images_in_name_order_and_ignores_other_files(tmp_path: Path) -> None:
    for i in (2, 0, 1):
        write_png(tmp_path / "shots" / f"shot{i}.png", np.full((30, 40), 50 * i, np.uint8))
    (tmp_path / "shots" / "notes.txt").write_text("not a picture")
    source = open_source(str(tmp_path / "shots"))
    assert isinstance(source, FolderSource)
    levels = []
    while (frame := source.read()) is not None:
        levels.append(int(frame.image.mean()))
    assert levels == [0, 50, 100]


def test_camera_that_does_not_exist() -> None:
    source = make_source("99")
    assert isinstance(source, CameraSource)
    with pytest.raises(FrameSourceError, match="camera 99: no such camera"):
        source.open()


def test_camera_missing_is_reported_by_the_reader_thread() -> None:
    reader = FrameReader(make_source("99")).start()
    reader.wait_open(10.0)
    assert reader.get(timeout=5.0) is None and reader.finished
    assert reader.error is not None and "camera 99" in str(reader.error)
    reader.stop()
    assert not reader.alive


def test_bad_files(tmp_path: Path, numbered_video: Path) -> None:
    fake_png = tmp_path / "photo.png"
    fake_png.write_text("this is text, not a picture\n")
    with pytest.raises(FrameSourceError, match=r"photo\.png: not a readable image"):
        open_source(str(fake_png))

    with pytest.raises(FrameSourceError, match="no such file, folder or camera"):
        open_source(str(tmp_path / "missing.avi"))

    garbage = tmp_path / "garbage.avi"
    garbage.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(FrameSourceError, match=r"garbage\.avi: not a readable video"):
        open_source(str(garbage))

    stub = truncate(numbered_video, tmp_path / "stub.avi", 0.002)
    with pytest.raises(FrameSourceError, match=r"stub\.avi: not a readable video"):
        open_source(str(stub))

    (tmp_path / "empty").mkdir()
    with pytest.raises(FrameSourceError, match="folder holds no images"):
        open_source(str(tmp_path / "empty"))


def test_truncated_video_reads_what_is_there_then_fails(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    # Noise compresses badly, so each frame is large and a cut at half loses about half the frames.
    frames = [rng.integers(0, 256, (240, 320, 3), dtype=np.uint8) for _ in range(40)]
    whole = write_video(tmp_path / "whole.avi", frames)
    cut = truncate(whole, tmp_path / "cut.avi", 0.5)
    source = open_source(str(cut))
    good = 0
    with pytest.raises(FrameSourceError, match=r"cut\.avi: video breaks off after frame \d+ of 40"):
        while source.read() is not None:
            good += 1
    assert 10 <= good <= 30
    source.close()


def test_decoded_frames_match_what_was_written(tmp_path: Path) -> None:
    frame = background(5)
    path = write_video(tmp_path / "one.avi", [frame] * 3)
    decoded = open_source(str(path)).read()
    assert decoded is not None
    # MJPG is lossy: close, not equal.
    assert float(cv2.absdiff(decoded.image, frame).mean()) < 6.0
