"""``python -m emotune analyze|classify|bench`` as users run them: output contracts
(docs/cli.md) and bad input (one line on stderr naming the thing and the problem, exit code 2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from emotune.labels import EMOTIONS
from emotune.vision.sources import MAX_IMAGE_PIXELS
from testbed.media import background, person_talking_frames, talking_head_frames, write_video
from testbed.memory import run_measuring_memory
from testbed.paths import ASTRONAUT, JAFFE, REPO, jaffe_people
from tests.support.files import one_error_line, write_blank_png, write_png
from tests.support.vision_media import truncate

FACE_KEYS = ["box", "emotion", "confidence", "scores"]


def emotune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args], capture_output=True, text=True, cwd=REPO, timeout=300
    )


def check_face(face: dict[str, object]) -> None:
    assert list(face) == FACE_KEYS
    box = face["box"]
    assert isinstance(box, list) and len(box) == 4 and all(isinstance(v, int) for v in box)
    scores = face["scores"]
    assert isinstance(scores, dict) and list(scores) == list(EMOTIONS)
    assert face["emotion"] == max(scores, key=scores.__getitem__)
    assert face["confidence"] == scores[face["emotion"]]
    assert sum(scores.values()) == pytest.approx(1.0, abs=1e-3)


@pytest.fixture(scope="module")
def talking_head(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 2.5 s at 20 fps: long enough for the music mood to start (about 1.5 s after the first face).
    return write_video(tmp_path_factory.mktemp("cli") / "talking.avi", talking_head_frames(50), fps=20.0)


def test_classify_json(tmp_path: Path) -> None:
    empty = write_png(tmp_path / "wall.png", background(3))
    result = emotune("classify", str(ASTRONAUT), str(empty), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(line) for line in lines] == [["path", "faces"], ["path", "faces"]]
    assert [line["path"] for line in lines] == [str(ASTRONAUT), str(empty)]
    astronaut_faces, wall_faces = lines[0]["faces"], lines[1]["faces"]
    assert len(astronaut_faces) == 1 and wall_faces == []
    check_face(astronaut_faces[0])
    x, y, w, h = astronaut_faces[0]["box"]
    assert 160 <= x <= 200 and 50 <= y <= 80 and 70 <= w <= 120 and 90 <= h <= 140  # x=178..268, y=63..176


def test_classify_table() -> None:
    result = emotune("classify", str(ASTRONAUT))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{ASTRONAUT}: face 1 at x=")
    assert any(label in result.stdout for label in EMOTIONS)


@pytest.mark.slow
def test_classify_bad_images(tmp_path: Path) -> None:
    text = tmp_path / "holiday.png"
    text.write_text("a text file wearing a .png name\n")
    result = emotune("classify", str(ASTRONAUT), str(text), str(ASTRONAUT), "--json")
    assert one_error_line(result, "emotune: ") == f"emotune: {text}: not a readable image"
    # Images stream: the one before the bad one was printed, none after it.
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == [str(ASTRONAUT)]
    # Missing files and folders are found before any image is decoded: nothing is printed.
    result = emotune("classify", str(ASTRONAUT), str(tmp_path / "missing.jpg"))
    assert "missing.jpg: no such file" in one_error_line(result, "emotune: ") and result.stdout == ""
    result = emotune("classify", str(ASTRONAUT), str(tmp_path))
    assert one_error_line(result, "emotune: ") == f"emotune: {tmp_path}: is a folder, not an image"
    assert result.stdout == ""


@pytest.mark.slow
def test_a_truncated_png_is_one_line_without_the_decoders_own(tmp_path: Path) -> None:
    data = ASTRONAUT.read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(data[: len(data) // 2])  # libpng would add "libpng error: ..." on stderr
    assert one_error_line(emotune("classify", str(cut)), "emotune: ") == f"emotune: {cut}: not a readable image"
    assert one_error_line(emotune("analyze", str(cut)), "emotune: ") == f"emotune: {cut}: not a readable image"
    bad_tiff = tmp_path / "cut.tiff"
    ok, encoded = cv2.imencode(".tiff", cv2.imread(str(ASTRONAUT)))
    assert ok
    bad_tiff.write_bytes(encoded.tobytes()[: encoded.size // 2])  # libtiff and Pillow warn on stderr
    assert (
        one_error_line(emotune("classify", str(bad_tiff)), "emotune: ") == f"emotune: {bad_tiff}: not a readable image"
    )


@pytest.fixture(scope="module")
def huge_png(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 0.9 MB on disk, 900 megapixels: decoded it took 5.3 GB before the pixel limit.
    return write_blank_png(tmp_path_factory.mktemp("huge") / "huge.png", 30000, 30000)


@pytest.mark.slow
@pytest.mark.parametrize("command", ["classify", "analyze"])
def test_an_image_over_the_pixel_limit_is_refused_from_its_header(huge_png: Path, command: str) -> None:
    result, peak_mb = run_measuring_memory([sys.executable, "-m", "emotune", command, str(huge_png)], cwd=REPO)
    line = one_error_line(result, "emotune: ")
    # Pillow refuses it before telling the size: the line gives the bound it applied.
    assert line == (
        f"emotune: {huge_png}: more than 178 megapixels is over the limit of 80 megapixels (scale it down first)"
    )
    assert peak_mb < 600, peak_mb  # the interpreter, OpenCV and onnxruntime take about 110 MB


def test_classify_over_the_limit_by_a_little_names_the_size(tmp_path: Path) -> None:
    width, height = 10000, MAX_IMAGE_PIXELS // 10000 + 1  # just over: Pillow's own limit does not apply
    image = write_blank_png(tmp_path / "wide.png", width, height)
    assert one_error_line(emotune("classify", str(image)), "emotune: ") == (
        f"emotune: {image}: {width}x{height} pixels is over the limit of 80 megapixels (scale it down first)"
    )


@pytest.mark.slow
def test_a_video_with_frames_over_the_pixel_limit_is_refused(tmp_path: Path) -> None:
    video = write_video(tmp_path / "wall.avi", [np.zeros((9000, 10000, 3), np.uint8)], fps=1.0)
    assert one_error_line(emotune("analyze", str(video)), "emotune: ") == (
        f"emotune: {video}: frames of 10000x9000 pixels are over the limit of 80 megapixels (scale it down first)"
    )


@pytest.mark.slow
def test_classify_streams_so_memory_does_not_grow_with_the_count(tmp_path: Path) -> None:
    # A 12-megapixel photo decodes to 36 MB; twenty of them held at once took over 800 MB.
    photo = write_png(tmp_path / "photo.png", cv2.resize(cv2.imread(str(ASTRONAUT)), (4000, 3000)))
    command = [sys.executable, "-m", "emotune", "classify", *[str(photo)] * 20, "--json"]
    result, peak_mb = run_measuring_memory(command, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 20 and all(len(line["faces"]) == 1 for line in lines)
    assert peak_mb < 400, peak_mb


@pytest.mark.slow
@pytest.mark.parametrize("command", ["analyze", "bench"])
def test_a_source_that_is_no_camera_number_is_one_line(command: str) -> None:
    # "²" passes str.isdigit() but not int(); it is a (missing) file name, not a camera.
    assert one_error_line(emotune(command, "²"), "emotune: ") == "emotune: ²: no such file, folder or camera"
    for number in ("100", "99999999999"):  # OpenCV reads 100+ as a backend; past a C int it prints its errors
        assert one_error_line(emotune(command, number), "emotune: ") == (
            f"emotune: camera {number}: no such camera (camera numbers go from 0 to 99)"
        )


def test_onnxruntime_writes_nothing_in_the_home_folder(tmp_path: Path) -> None:
    # Its telemetry made ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}.
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "ORT_"))}
    env["HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "emotune", "classify", str(ASTRONAUT)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "face 1" in result.stdout
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []


def test_analyze_json(talking_head: Path) -> None:
    result = emotune("analyze", str(talking_head), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 50
    assert all(list(line) == ["frame", "t", "faces", "mood", "reading"] for line in lines)
    assert [line["frame"] for line in lines] == list(range(50))
    assert [line["t"] for line in lines] == pytest.approx([i / 20 for i in range(50)])
    assert all(len(line["faces"]) == 1 for line in lines)
    for line in lines:
        check_face(line["faces"][0])
        assert line["reading"] in EMOTIONS
    assert lines[0]["reading"] == lines[0]["faces"][0]["emotion"]  # the reading starts with the first face
    first_mood = next(i for i, line in enumerate(lines) if line["mood"] is not None)
    assert lines[0]["mood"] is None and first_mood / 20 <= 2.0  # the music mood follows within 2 s
    assert all(line["mood"] in EMOTIONS for line in lines[first_mood:])


@pytest.mark.slow
def test_analyze_table_and_timeline(tmp_path: Path, talking_head: Path) -> None:
    result = emotune("analyze", str(talking_head))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["frame", "t", "(s)"]
    assert len([line for line in lines[1:] if line.strip() and line.split()[0].isdigit()]) == 50
    assert "mood timeline (50 frames" in result.stdout


@pytest.mark.slow
def test_analyze_video_without_a_face_and_a_folder(tmp_path: Path) -> None:
    video = write_video(tmp_path / "room.avi", [background(6)] * 5, fps=10.0)
    result = emotune("analyze", str(video), "--json")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"frame": i, "t": i / 10, "faces": [], "mood": None, "reading": None} for i in range(5)
    ]
    folder = tmp_path / "photos"
    write_png(folder / "a.png", np.asarray(background(1)))
    (folder / "b.png").write_bytes(ASTRONAUT.read_bytes())
    result = emotune("analyze", str(folder))
    assert result.returncode == 0, result.stderr
    assert "no face" in result.stdout and "mood timeline (2 frames" in result.stdout


@pytest.mark.slow
def test_analyze_bad_sources(tmp_path: Path, talking_head: Path) -> None:
    assert (
        one_error_line(emotune("analyze", "99"), "emotune: ")
        == "emotune: camera 99: no such camera, or it cannot be opened"
    )

    cut = truncate(talking_head, tmp_path / "cut.avi", 0.5)
    result = emotune("analyze", str(cut), "--json")
    assert "cut.avi: video breaks off after frame" in one_error_line(result, "emotune: ")
    assert 3 <= len(result.stdout.splitlines()) <= 45  # the frames before the break (of 50) were analysed

    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 64)
    assert one_error_line(emotune("analyze", str(garbage)), "emotune: ") == f"emotune: {garbage}: not a readable video"

    text = tmp_path / "face.jpg"
    text.write_text("not a picture")
    assert one_error_line(emotune("analyze", str(text)), "emotune: ") == f"emotune: {text}: not a readable image"
    missing = tmp_path / "nowhere"
    assert "nowhere: no such file, folder or camera" in one_error_line(emotune("analyze", str(missing)), "emotune: ")


@pytest.mark.slow
def test_bench_json_and_table() -> None:
    result = emotune("bench", str(ASTRONAUT), "--frames", "5", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report) == ["frames", "ms_per_frame", "mean_ms_per_frame"] and report["frames"] == 5
    medians, means = report["ms_per_frame"], report["mean_ms_per_frame"]
    assert list(medians) == list(means) == ["read", "detect", "classify", "total"]
    assert all(isinstance(v, float) and v >= 0 for v in [*medians.values(), *means.values()])
    # A still image plays at 1 fps: every frame is detected and classified anew.
    assert medians["detect"] > 0 and medians["classify"] > 0 and means["detect"] > 0
    table = emotune("bench", str(ASTRONAUT), "--frames", "3")
    assert table.returncode == 0 and "3 frames of" in table.stdout and "total" in table.stdout
    assert "--frames 0: must be between 1 and 100000" in one_error_line(
        emotune("bench", str(ASTRONAUT), "--frames", "0"), "emotune: "
    )
    assert "camera 99" in one_error_line(emotune("bench", "99", "--frames", "3"), "emotune: ")


def test_bench_refuses_more_frames_than_minutes_can_measure() -> None:
    # Refused before a frame is read, not after six hours.
    line = one_error_line(emotune("bench", str(ASTRONAUT), "--frames", "10000000"), "emotune: ")
    assert line == "emotune: --frames 10000000: must be between 1 and 100000"


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize("person", jaffe_people())
def test_analyze_talking_person_music_mood_starts_within_3_s_and_changes_at_most_once(
    tmp_path: Path, person: str
) -> None:
    # A 13 s clip of a real person talking, expressions shifting as people's do (TALK_SCRIPT).
    frames = person_talking_frames(JAFFE / person)
    video = write_video(tmp_path / f"{person}.avi", frames, fps=15.0)
    result = emotune("analyze", str(video), "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(frames) and sum(bool(line["faces"]) for line in lines) >= len(frames) - 5
    moods = [line["mood"] for line in lines]
    first = next(i for i, mood in enumerate(moods) if mood is not None)
    assert lines[first]["t"] <= 3.0
    changes = sum(1 for a, b in zip(moods[first:], moods[first + 1 :], strict=False) if a != b)
    assert changes <= 1, [(line["t"], line["mood"]) for line in lines if line["mood"]]
    readings = {line["reading"] for line in lines if line["reading"]}
    assert len(readings) >= 2  # the face reading moves with the expressions while the music mood holds
