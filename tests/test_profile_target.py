"""``python -m emotune profile build PROFILE DIR`` aimed at what must not be overwritten: the
app's own files, a link, a FIFO, a device, a folder. Each is refused in one line (exit 2)
before a photo is read, and is left exactly as it was. Runs in child processes with the
temporary user folders of the autouse fixture."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from testbed.paths import REPO
from tests.support.files import one_error_line, run_emotune
from tests.support.paths import UserFolders

pytestmark = pytest.mark.slow


def photos_folder(tmp_path: Path) -> Path:
    """A folder that builds a real profile: without the refusals the target would be overwritten."""
    folder = tmp_path / "photos"
    (folder / "happy").mkdir(parents=True)
    shutil.copy(REPO / "assets" / "astronaut.png", folder / "happy")
    return folder


def journal_like(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE segments (mood TEXT)")
        db.execute("INSERT INTO segments VALUES ('happy')")
    db.close()
    return path.read_bytes()


@pytest.mark.parametrize(
    "name",
    ["journal.sqlite3", "feedback.sqlite3", "settings.json", "spotify-user-token.json", "spotify-app-token.json"],
)
def test_profile_build_refuses_the_apps_own_files_and_leaves_them_as_they_were(
    user_dirs: UserFolders, tmp_path: Path, name: str
) -> None:
    folder = user_dirs.data if name.endswith(".sqlite3") else user_dirs.config
    target = folder / name
    before = journal_like(target) if name.endswith(".sqlite3") else b'{"kept": true}'
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(before)
    line = one_error_line(run_emotune("profile", "build", str(target), str(photos_folder(tmp_path))), "emotune: ")
    assert str(target) in line and "Emotune's own folder" in line
    assert target.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == [name]  # nothing set aside, nothing left beside it


def test_profile_build_refuses_a_hard_link_to_the_journal(user_dirs: UserFolders, tmp_path: Path) -> None:
    journal = user_dirs.data / "journal.sqlite3"
    before = journal_like(journal)
    other_name = tmp_path / "me.profile"
    os.link(journal, other_name)
    line = one_error_line(run_emotune("profile", "build", str(other_name), str(photos_folder(tmp_path))))
    assert str(other_name) in line and "the mood journal itself" in line
    assert journal.read_bytes() == before and other_name.stat().st_nlink == 2


def test_profile_build_refuses_a_symbolic_link_and_keeps_it_and_its_target(tmp_path: Path) -> None:
    real = tmp_path / "notes.txt"
    real.write_text("my own notes")
    link = tmp_path / "me.profile"
    link.symlink_to(real)
    line = one_error_line(run_emotune("profile", "build", str(link), str(photos_folder(tmp_path))))
    assert str(link) in line and "symbolic link" in line
    assert link.is_symlink() and os.readlink(link) == str(real) and real.read_text() == "my own notes"


def test_profile_build_refuses_a_fifo_a_device_and_a_folder(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    folder = tmp_path / "profiles"
    folder.mkdir()
    photos = str(photos_folder(tmp_path))
    for target, kind in ((fifo, "not a regular file"), (Path("/dev/null"), "not a regular file"), (folder, "a folder")):
        line = one_error_line(run_emotune("profile", "build", str(target), photos))
        assert str(target) in line and kind in line
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert list(folder.iterdir()) == [] and list(tmp_path.glob(".emotune-*")) == []


def test_profile_build_writes_a_new_file_and_replaces_an_earlier_profile_privately(tmp_path: Path) -> None:
    target = tmp_path / "me.profile"
    photos = str(photos_folder(tmp_path))
    for _ in range(2):  # the second run replaces the first run's profile
        built = run_emotune("profile", "build", str(target), photos)
        assert built.returncode == 0, built.stderr
        assert built.stdout.startswith(f"wrote {target}: profile 'photos', 1 expressions")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["me.profile", "photos"]
