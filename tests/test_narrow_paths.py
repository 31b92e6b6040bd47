"""The app under a folder named with non-ASCII letters, as on Windows (``C:\\Users\\Zoë``,
"OneDrive - Société"), where OpenCV's file functions take narrow paths and fail. The detector
and ``--self-test`` run in a child Python whose OpenCV loaders refuse any file path
(tests/support/narrow_paths/sitecustomize.py), and so does onnxruntime's session, so every
model must reach them as bytes.
A video file's path is the Windows branch of ``VideoFileSource``, driven with the platform."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emotune.vision.faces import HAAR_FILE, YUNET_FILE, haar_cascade_dir
from emotune.vision.sources import FrameSourceError, VideoFileSource
from testbed.media import astronaut, background, place_face, write_video
from testbed.paths import ASTRONAUT, REPO
from tests.support.files import SELF_TEST_SUMMARY

NARROW_PATHS = REPO / "tests" / "support" / "narrow_paths"
REFUSAL = "a model loader was given a file path"


def non_ascii_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "Zoë" / "OneDrive - Société"
    folder.mkdir(parents=True)
    return folder


def under_narrow_paths(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``python ARGS`` with OpenCV's loaders refusing file paths."""
    merged = dict(os.environ, PYTHONPATH=os.pathsep.join([str(NARROW_PATHS), str(REPO)]))
    merged.update(env or {})
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=REPO, env=merged, timeout=180)


@pytest.mark.slow
def test_the_detectors_load_their_models_as_bytes_from_a_non_ascii_folder_windows(tmp_path: Path) -> None:
    folder = non_ascii_folder(tmp_path)
    shutil.copy(REPO / "models" / YUNET_FILE, folder / YUNET_FILE)
    shutil.copy(haar_cascade_dir() / HAAR_FILE, folder / HAAR_FILE)
    code = f"""
import cv2
from pathlib import Path
from emotune.vision.faces import HaarDetector, YuNetDetector
from emotune.vision.sources import read_image
import onnxruntime
for load in (cv2.dnn.readNetFromONNX, onnxruntime.InferenceSession):
    try:
        load({str(folder / YUNET_FILE)!r})
    except RuntimeError as exc:
        print(exc)  # the guards are in place
image = read_image(Path({str(ASTRONAUT)!r}))
folder = Path({str(folder)!r})
print("yunet", len(YuNetDetector(model_path=folder / {YUNET_FILE!r}).detect(image)))
print("haar", len(HaarDetector(cascade_path=folder / {HAAR_FILE!r}).detect(image)))
"""
    result = under_narrow_paths("-c", code)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{REFUSAL}: readNetFromONNX(")
    assert lines[1].startswith(f"{REFUSAL}: onnxruntime.InferenceSession(")
    assert lines[2:] == ["yunet 1", "haar 1"]


@pytest.mark.slow
def test_self_test_passes_with_its_models_in_a_non_ascii_folder_windows(tmp_path: Path) -> None:
    models = non_ascii_folder(tmp_path) / "models"
    models.mkdir()
    for name in ("emotion.onnx", "emotion.json", YUNET_FILE):
        shutil.copy2(REPO / "models" / name, models / name)
    env = {
        "EMOTUNE_SELF_TEST_MODELS_DIR": str(models),
        "EMOTUNE_CONFIG_DIR": str(tmp_path / "config"),
        "EMOTUNE_CACHE_DIR": str(tmp_path / "cache"),
    }
    result = under_narrow_paths("-m", "emotune", "--self-test", env=env)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert SELF_TEST_SUMMARY.match(result.stdout.strip()), result.stdout
    assert REFUSAL not in result.stdout + result.stderr


def talking_clip(path: Path) -> Path:
    face = astronaut()
    return write_video(path, [place_face(background(i), face, (320, 240), 200) for i in range(3)])


def test_a_video_in_a_non_ascii_folder_opens_by_its_ascii_short_path_windows(tmp_path: Path) -> None:
    clip = talking_clip(non_ascii_folder(tmp_path) / "clip.avi")
    short = tmp_path / "ZOE~1" / "CLIP~1.AVI"  # the same file under the name Windows gives it
    short.parent.mkdir()
    os.link(clip, short)
    asked: list[str] = []

    def short_path(path: str) -> str:
        asked.append(path)
        return str(short)

    source = VideoFileSource(clip, platform="windows", short_path=short_path)
    source.open()
    try:
        frame = source.read()
    finally:
        source.close()
    assert asked == [str(clip.resolve())] and frame is not None and frame.image.shape == (480, 640, 3)
    assert source.name == str(clip)  # the user still reads the name they gave


@pytest.mark.parametrize("short", [None, "C:\\Users\\Zoë\\CLIP~1.AVI"])
def test_a_video_that_does_not_open_under_a_non_ascii_path_says_why_and_what_to_do_windows(
    tmp_path: Path, short: str | None
) -> None:
    # Not a video at all, so OpenCV fails to open it here as it would there for its path.
    clip = non_ascii_folder(tmp_path) / "clip.mp4"
    clip.write_bytes(b"no video in here")
    source = VideoFileSource(clip, platform="windows", short_path=lambda path: short)
    with pytest.raises(FrameSourceError) as raised:
        source.open()
    message = str(raised.value)
    assert message.startswith(f"{clip}: cannot be opened: OpenCV on Windows cannot open paths with non-ASCII")
    assert "move or rename the file" in message and "\n" not in message


def test_the_same_file_on_linux_is_just_not_a_readable_video(tmp_path: Path) -> None:
    clip = non_ascii_folder(tmp_path) / "clip.mp4"
    clip.write_bytes(b"no video in here")
    with pytest.raises(FrameSourceError, match=r"clip\.mp4: not a readable video$"):
        VideoFileSource(clip, platform="linux").open()
