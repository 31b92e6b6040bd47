"""``python -m emotune --self-test`` from source: the one-line summary and exit 0 with the shipped
models, and one line naming the step, the file and the problem (exit 1) when a model is missing
or corrupt. The same check of the PyInstaller bundle is in test_packaging.py."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from emotune import __version__, selftest
from emotune.environment import Environment
from emotune.errors import ExitStatus
from emotune.labels import EMOTIONS
from testbed.paths import REPO
from tests.support.files import SELF_TEST_SUMMARY

YUNET = "face_detection_yunet_2023mar.onnx"


def self_test(environment: dict[str, str], *code: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "\n".join(code)] if code else [sys.executable, "-m", "emotune", "--self-test"]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, env=environment, timeout=120)


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """The current environment with empty config and cache folders of the test's own."""
    env = {k: v for k, v in os.environ.items() if k != "EMOTUNE_SELF_TEST_MODELS_DIR"}
    env["EMOTUNE_CONFIG_DIR"] = str(tmp_path / "config")
    env["EMOTUNE_CACHE_DIR"] = str(tmp_path / "cache")
    return env


def models_copy(folder: Path) -> Path:
    folder.mkdir()
    for name in ("emotion.onnx", "emotion.json", YUNET):
        shutil.copy2(REPO / "models" / name, folder / name)
    return folder


def test_self_test_prints_one_summary_line(environment: dict[str, str], tmp_path: Path) -> None:
    result = self_test(environment)
    assert result.returncode == 0, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and SELF_TEST_SUMMARY.match(lines[0]), result.stdout
    assert result.stderr == ""
    # Offline and stateless: no settings, no recommendation cache, no result file.
    assert not (tmp_path / "config").exists() and not (tmp_path / "cache").exists()


def test_self_test_stays_headless(environment: dict[str, str]) -> None:
    environment.pop("DISPLAY", None)
    result = self_test(
        environment,
        "import sys",
        "from emotune.environment import Environment",
        "from emotune.selftest import run_self_test",
        "code = run_self_test(Environment.from_os())",
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tkinter', '_tkinter', 'tensorflow', 'keras')))",
        "sys.exit(code)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


@pytest.mark.slow
def test_a_copy_of_the_shipped_models_passes(environment: dict[str, str], tmp_path: Path) -> None:
    environment["EMOTUNE_SELF_TEST_MODELS_DIR"] = str(models_copy(tmp_path / "models"))
    result = self_test(environment)
    assert result.returncode == 0, result.stderr
    assert SELF_TEST_SUMMARY.match(result.stdout.strip()), result.stdout


@pytest.mark.parametrize(
    ("broken", "content", "problem"),
    [
        ("emotion.onnx", b"not a model", "emotion.onnx: not a readable ONNX model"),
        ("emotion.onnx", None, "emotion.onnx: emotion model not found"),
        (YUNET, b"\x08\x07garbage", f"{YUNET}: not a readable YuNet model"),
        (YUNET, None, f"{YUNET}: face detection model not found"),
        ("emotion.json", b'{"labels": ["happy", "sad"]}', "emotion.json: labels ['happy', 'sad'] differ from"),
    ],
)
def test_a_broken_model_fails_with_one_clear_line(
    environment: dict[str, str], tmp_path: Path, broken: str, content: bytes | None, problem: str
) -> None:
    models = models_copy(tmp_path / "models")
    if content is None:
        (models / broken).unlink()
    else:
        (models / broken).write_bytes(content)
    environment["EMOTUNE_SELF_TEST_MODELS_DIR"] = str(models)
    result = self_test(environment)
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("emotune ") and " self-test FAILED (" in lines[0]
    assert f"{models}{os.sep}{problem}" in lines[0]
    assert "Traceback" not in result.stderr


def test_another_onnx_model_in_yunets_place_fails_at_the_models_step(
    environment: dict[str, str], tmp_path: Path
) -> None:
    # Valid ONNX, so FaceDetectorYN took it; only the first frame failed, with OpenCV's own error.
    models = models_copy(tmp_path / "models")
    shutil.copy2(models / "emotion.onnx", models / YUNET)
    environment["EMOTUNE_SELF_TEST_MODELS_DIR"] = str(models)
    result = self_test(environment)
    assert result.returncode == 1 and result.stdout == "", (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [
        f"emotune {__version__} self-test FAILED (models): {models / YUNET}: not a YuNet face detection model "
        "(no output bbox_16, bbox_32, bbox_8, ...)"
    ]


def test_without_a_console_the_line_goes_to_the_cache_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A windowed app on Windows has sys.stdout and sys.stderr set to None.
    monkeypatch.setenv("EMOTUNE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    env = Environment.from_os()
    assert selftest.run_self_test(env, models_dir=tmp_path / "missing") == ExitStatus.FAILED
    failure = (tmp_path / "cache" / selftest.RESULT_FILE).read_text(encoding="utf-8")
    assert failure.count("\n") == 1 and "self-test FAILED (models)" in failure and "not found" in failure

    assert selftest.run_self_test(env) == ExitStatus.OK
    summary = (tmp_path / "cache" / selftest.RESULT_FILE).read_text(encoding="utf-8")
    assert summary.endswith("\n") and SELF_TEST_SUMMARY.match(summary.strip()), summary  # replaced, not appended


def test_check_reports_its_result_and_the_failing_step(tmp_path: Path) -> None:
    clock = iter([0.0, 1.0]).__next__
    result = selftest.check(clock=clock)
    assert result.faces == 1 and result.tracks == selftest.PLAYLIST_LENGTH and result.seconds == 1.0
    assert result.emotion in EMOTIONS and 0.0 < result.confidence <= 1.0

    with pytest.raises(selftest.SelfTestError) as failure:
        selftest.check(models_dir=tmp_path)
    assert failure.value.step == "models"
    assert str(failure.value) == f"{tmp_path / YUNET}: face detection model not found"


def test_a_missing_gui_toolkit_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    # A build environment without Tk gives a bundle that passes everything else but cannot open its window.
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "_tkinter" else find_spec(name))
    with pytest.raises(selftest.SelfTestError) as failure:
        selftest.check()
    assert failure.value.step == "gui modules"
    assert str(failure.value) == "_tkinter: not found (the window cannot open)"
