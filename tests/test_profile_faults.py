"""Profiles with impossible numbers or wrong types: every reader goes through one
validator (``Profile.load``), so ``classify``/``analyze --profile``, ``profile show`` and the app
refuse them with one line, and no NaN ever reaches ``--json``. Also ``profile build`` on an
unreadable folder, and control characters in a profile's fields."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from testbed.paths import JAFFE
from tests.support.files import one_error_line, run_emotune

pytestmark = pytest.mark.data

PHOTO = JAFFE / "KA" / "happy" / "KA.HA1.29.png"  # named, not listed: collection never reads ../shared


@pytest.fixture(scope="module")
def valid_profile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real profile of one JAFFE person (neutral and happy), built by the command line."""
    folder = tmp_path_factory.mktemp("person")
    for emotion in ("neutral", "happy"):
        (folder / emotion).mkdir()
        shutil.copy(sorted((JAFFE / "KA" / emotion).glob("*.png"))[0], folder / emotion)
    target = folder / "ka.json"
    built = run_emotune("profile", "build", str(target), str(folder))
    assert built.returncode == 0, built.stderr
    data: dict[str, Any] = json.loads(target.read_text())
    return data


def variant(valid: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    data = json.loads(json.dumps(valid))
    change(data)
    return json.dumps(data)  # NaN and Infinity as Python writes them: what a damaged file holds


def set_in(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        data[last] = value

    return change


BAD = {
    "nan-weight": (set_in("blend.match_weight", float("nan")), "blend.match_weight: not all numbers are finite"),
    "nan-threshold": (set_in("blend.match_threshold", float("nan")), "blend.match_threshold"),
    "nan-temperature": (set_in("blend.match_temperature", float("nan")), "blend.match_temperature"),
    "tiny-temperature": (set_in("blend.match_temperature", 1e-300), "blend.match_temperature: 1e-300 is outside"),
    "huge-weight": (set_in("blend.shape_weight", 1e300), "blend.shape_weight: 1e+300 is outside"),
    "huge-bias": (set_in("bias", [1e308] * 7), "bias: 1e+308 is outside"),
    "infinite-bias": (set_in("bias", [float("inf")] * 7), "bias: not all numbers are finite"),
    "blend-text": (set_in("blend", "fast"), "blend: str is not an object"),
    "blend-list": (set_in("blend", [1, 2]), "blend: list is not an object"),
    "blend-null": (set_in("blend", None), "blend: NoneType is not an object"),
    "400-digits": (set_in("blend.margin", 10**400), "blend.margin: a number too large"),
    "tiny-scale": (set_in("scale", 1e-300), "scale: 1e-300 is outside"),
    "scale-text": (set_in("scale", "1"), "scale: str is not a number"),
    "created-list": (set_in("created", ["2026"]), "created is not a short text"),
    "spread-nan": (set_in("expressions.happy.spread", float("nan")), "expressions.happy.spread"),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BAD))
def test_an_impossible_profile_is_one_line_and_exit_2_for_every_reader(
    valid_profile: dict[str, Any], tmp_path: Path, case: str
) -> None:
    change, words = BAD[case]
    profile = tmp_path / "bad.json"
    profile.write_text(variant(valid_profile, change), encoding="utf-8")
    for command in (
        ["classify", str(PHOTO), "--json", "--profile", str(profile)],
        ["profile", "show", str(profile)],
    ):
        result = run_emotune(*command)
        line = one_error_line(result, f"emotune: {profile}: damaged profile (")
        assert words in line, line
        assert result.stdout == "" and "NaN" not in result.stdout


def test_analyze_with_a_nan_profile_prints_nothing_and_one_line(valid_profile: dict[str, Any], tmp_path: Path) -> None:
    profile = tmp_path / "nan.json"
    profile.write_text(variant(valid_profile, set_in("blend.match_temperature", float("nan"))), encoding="utf-8")
    result = run_emotune("analyze", str(PHOTO), "--json", "--profile", str(profile))
    assert "blend.match_temperature" in one_error_line(result, "emotune: ") and result.stdout == ""


def test_a_sound_profile_gives_finite_json(valid_profile: dict[str, Any], tmp_path: Path) -> None:
    profile = tmp_path / "good.json"
    profile.write_text(json.dumps(valid_profile), encoding="utf-8")
    result = run_emotune("classify", str(PHOTO), "--json", "--profile", str(profile))
    assert result.returncode == 0, result.stderr
    face = json.loads(result.stdout)["faces"][0]  # strict JSON: NaN would not parse here
    assert 0.0 <= face["confidence"] <= 1.0 and "NaN" not in result.stdout


def test_profile_show_prints_control_characters_as_replacement_marks(
    valid_profile: dict[str, Any], tmp_path: Path
) -> None:
    profile = tmp_path / "odd.json"
    profile.write_text(variant(valid_profile, set_in("created", "2026\x1b]0;owned\x07\r")), encoding="utf-8")
    shown = run_emotune("profile", "show", str(profile))
    assert shown.returncode == 0, shown.stderr
    assert "created 2026\ufffd]0;owned\ufffd \n" in shown.stdout
    assert not any(ch in shown.stdout for ch in "\x1b\x07\r")


def test_profile_build_on_an_unreadable_expression_folder_is_one_line(tmp_path: Path) -> None:
    """Root reads any folder whatever its mode: as root the command runs without the two
    capabilities that let it (``setpriv --bounding-set=-dac_override,-dac_read_search``), so the
    mode 000 of the folder counts as it does for everyone else."""
    folder = tmp_path / "person"
    (folder / "happy").mkdir(parents=True)
    shutil.copy(PHOTO, folder / "happy")
    (folder / "happy").chmod(0o000)
    prefix = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"] if os.geteuid() == 0 else []
    try:
        result = subprocess.run(
            [*prefix, sys.executable, "-m", "emotune", "profile", "build", str(tmp_path / "p.json"), str(folder)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
            timeout=300,
        )
    finally:
        (folder / "happy").chmod(0o755)
    line = one_error_line(result, "emotune: ")
    assert line == f"emotune: {folder / 'happy'}: cannot read the folder (Permission denied)"
    assert not (tmp_path / "p.json").exists()
