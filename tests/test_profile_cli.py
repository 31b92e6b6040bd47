"""``python -m emotune profile build|show`` and ``classify|analyze --profile`` as users run them,
on one JAFFE person's photos (read from ../shared, copied only into pytest's temp folders)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testbed.paths import JAFFE, REPO
from tests.support.files import one_error_line

pytestmark = pytest.mark.data


def emotune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args], capture_output=True, text=True, timeout=300, cwd=REPO
    )


@pytest.mark.slow
def test_build_show_and_classify_with_a_profile(tmp_path: Path) -> None:
    person = JAFFE / "KL"
    calibration = tmp_path / "KL"
    held_out: dict[str, Path] = {}
    for emotion in ("neutral", "happy", "sad", "angry", "surprise"):
        photos = sorted((person / emotion).glob("*.png"))
        (calibration / emotion).mkdir(parents=True)
        shutil.copy(photos[0], calibration / emotion)  # one photo per expression teaches ...
        held_out[emotion] = photos[-1]  # ... and another photo of it is read
    profile = tmp_path / "kl.profile"
    built = emotune("profile", "build", str(profile), str(calibration))
    assert built.returncode == 0, built.stderr
    assert profile.is_file() and (profile.stat().st_mode & 0o777) == 0o600 and profile.stat().st_size < 20_000
    shown = emotune("profile", "show", str(profile))
    assert shown.returncode == 0 and "expressions: 5 of 7" in shown.stdout

    images = [str(path) for path in held_out.values()]
    plain = [json.loads(line) for line in emotune("classify", *images, "--json").stdout.splitlines()]
    personal = [
        json.loads(line)
        for line in emotune("classify", *images, "--json", "--profile", str(profile)).stdout.splitlines()
    ]
    assert [list(p) for p in personal] == [list(p) for p in plain]  # the same contract, personalised
    right = [p["faces"][0]["emotion"] == e for p, e in zip(personal, held_out, strict=True)]
    before = [p["faces"][0]["emotion"] == e for p, e in zip(plain, held_out, strict=True)]
    assert sum(right) >= sum(before) and sum(right) >= 3, (before, right)

    analyzed = emotune("analyze", str(calibration / "happy"), "--json", "--profile", str(profile))
    assert analyzed.returncode == 0 and json.loads(analyzed.stdout.splitlines()[0])["faces"]


@pytest.mark.slow
def test_a_damaged_or_foreign_profile_is_one_line_and_exit_2(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.profile"
    damaged.write_text("[[[[" * 500, encoding="utf-8")
    foreign = tmp_path / "foreign.profile"
    foreign.write_text(json.dumps({"format": "something else"}), encoding="utf-8")
    photo = str(JAFFE / "KA" / "happy" / sorted(p.name for p in (JAFFE / "KA" / "happy").iterdir())[0])
    for profile in (damaged, foreign, tmp_path / "missing.profile"):
        line = one_error_line(emotune("classify", photo, "--profile", str(profile)), "emotune: ")
        assert str(profile) in line
    assert "no such" in one_error_line(emotune("profile", "show", str(tmp_path / "nothing")), "emotune: ")
