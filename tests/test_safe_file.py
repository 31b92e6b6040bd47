"""The one safe writer (``emotune.safe_file`` over ``emotune.files.atomic_write``) when the
write fails: the earlier file stays, no ``.emotune-*.tmp`` is left beside it, and the one line
names the file and, when another program holds it on Windows, says what to do."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pytest

from emotune.environment import Environment
from emotune.files import atomic_write_text
from emotune.safe_file import ExportError, write_export


class SharingViolationError(PermissionError):
    """What ``os.replace`` raises on Windows over a CSV that Excel has open."""

    winerror = 32


class AccessDeniedError(PermissionError):
    """What ``os.replace`` raises on Windows over a read-only file."""

    winerror = 5


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("error", [SharingViolationError, AccessDeniedError])
def test_an_export_over_a_file_another_program_holds_says_close_it_and_leaves_no_temporary_file_windows(
    tmp_path: Path, error: type[PermissionError], env: Environment
) -> None:
    target = tmp_path / "moods.csv"
    target.write_text("the earlier export")
    target.chmod(0o444)  # the temporary file takes this mode: Windows would not delete it as it is

    def held_by_excel(temporary: str, real: Path) -> None:
        raise error(13, "Access is denied", str(real))

    with pytest.raises(ExportError) as raised:
        write_export(target, lambda stream: stream.write(b"new rows"), "CSV", env, replace=held_by_excel)
    message = str(raised.value)
    assert message.startswith(f"{target}: ") and "\n" not in message
    assert "close it in the other program" in message
    assert target.read_text() == "the earlier export"
    assert temporary_files(tmp_path) == []


def test_a_rename_that_fails_for_real_leaves_the_target_and_no_temporary_file(tmp_path: Path, env: Environment) -> None:
    target = tmp_path / "moods.png"

    def write_while_a_folder_takes_the_name(stream: BinaryIO) -> None:
        # Another program puts a folder (with a file in it) where the export goes, mid-write:
        # the rename then fails for real (a file cannot replace a folder that is not empty).
        stream.write(b"png bytes")
        target.mkdir()
        (target / "kept.txt").write_text("theirs")

    with pytest.raises(ExportError) as raised:
        write_export(target, write_while_a_folder_takes_the_name, "PNG", env)
    assert str(raised.value).startswith(f"{target}: cannot write the PNG file (")
    assert "close it" not in str(raised.value)
    assert (target / "kept.txt").read_text() == "theirs"
    assert temporary_files(tmp_path) == []


def test_a_writer_that_fails_midway_leaves_the_earlier_file_and_no_temporary_file(
    tmp_path: Path, env: Environment
) -> None:
    target = tmp_path / "moods.csv"
    target.write_text("the earlier export")

    def fails_midway(stream: BinaryIO) -> None:
        stream.write(b"half a row")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match="No space left on device"):
        write_export(target, fails_midway, "CSV", env)
    assert target.read_text() == "the earlier export"
    assert temporary_files(tmp_path) == []


def test_the_apps_own_atomic_write_leaves_no_temporary_file_when_the_rename_fails(tmp_path: Path) -> None:
    path = tmp_path / "spotify-user-token.json"
    path.mkdir()  # a folder with something in it where the file goes: the rename fails for real
    (path / "x").write_text("x")
    with pytest.raises(OSError):
        atomic_write_text(path, "{}")
    assert temporary_files(tmp_path) == [] and os.listdir(path) == ["x"]
