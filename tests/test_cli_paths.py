"""File names are printed so that a terminal shows them and never acts on them: an ESC in a
name (``classify $'x\\e[2Jy.png'``) must not clear the screen, in results or in error lines.
JSON output keeps the name exact (json.dumps escapes control characters itself)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from testbed.paths import ASTRONAUT, REPO
from tests.support.files import one_error_line, write_png

CLEAR = "\x1b[2J"
SHOWN = "\ufffd[2J"  # what printable() makes of it


def emotune(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emotune", *args], capture_output=True, text=True, timeout=300, cwd=REPO
    )


def test_classify_text_shows_a_control_character_in_a_name_harmlessly_and_json_keeps_it(tmp_path: Path) -> None:
    photo = tmp_path / f"x{CLEAR}y.png"
    shutil.copy(ASTRONAUT, photo)
    blank = write_png(tmp_path / f"blank{CLEAR}.png", np.zeros((64, 64), np.uint8))
    text = emotune("classify", str(photo), str(blank))
    assert text.returncode == 0, text.stderr
    assert "\x1b" not in text.stdout
    lines = text.stdout.splitlines()
    assert lines[0].startswith(f"{tmp_path}/x{SHOWN}y.png: face 1 at ")
    assert lines[-1] == f"{tmp_path}/blank{SHOWN}.png: no face found"
    as_json = emotune("classify", str(photo), "--json")
    assert json.loads(as_json.stdout)["path"] == str(photo)
    assert "\x1b" not in as_json.stdout


def test_error_lines_show_a_control_character_in_a_name_harmlessly(tmp_path: Path) -> None:
    missing = str(tmp_path / f"nope{CLEAR}.png")
    for args in (("classify", missing), ("analyze", missing), ("classify", str(ASTRONAUT), "--profile", missing)):
        line = one_error_line(emotune(*args), "emotune: ")
        assert "\x1b" not in line and f"nope{SHOWN}.png" in line, line


def test_bench_names_its_source_harmlessly(tmp_path: Path) -> None:
    photo = tmp_path / f"x{CLEAR}y.png"
    shutil.copy(ASTRONAUT, photo)
    result = emotune("bench", str(photo), "--frames", "2")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout.startswith(f"2 frames of {tmp_path}/x{SHOWN}y.png, one thread")


def test_profile_build_and_show_name_their_files_harmlessly(tmp_path: Path) -> None:
    folder = tmp_path / "calibration" / "happy"
    folder.mkdir(parents=True)
    shutil.copy(ASTRONAUT, folder / "face.png")
    write_png(folder / f"blank{CLEAR}.png", np.zeros((64, 64), np.uint8))
    profile = tmp_path / f"me{CLEAR}.profile"
    built = emotune("profile", "build", str(profile), str(folder.parent), "--name", "me")
    assert built.returncode == 0, built.stderr
    assert "\x1b" not in built.stdout
    assert built.stdout.startswith(f"wrote {tmp_path}/me{SHOWN}.profile: profile 'me'")
    assert f"no face found in 1 images: {folder}/blank{SHOWN}.png" in built.stdout
    shown = emotune("profile", "show", str(profile))
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"profile 'me' ({tmp_path}/me{SHOWN}.profile)\n")


def test_journal_names_its_file_harmlessly(tmp_path: Path) -> None:
    data = tmp_path / f"data{CLEAR}"
    env = {**os.environ, "EMOTUNE_DATA_DIR": str(data)}
    result = subprocess.run(
        [sys.executable, "-m", "emotune", "journal"], capture_output=True, text=True, timeout=120, cwd=REPO, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout
    assert result.stdout.startswith(f"No moods recorded in this range (journal: {tmp_path}/data{SHOWN}/")
