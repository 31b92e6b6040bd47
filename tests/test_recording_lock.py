"""The lock that lets one window record into a journal, in one process (the two-process case is
in ``test_journal_link.py``)."""

from __future__ import annotations

import warnings
from pathlib import Path

from emotune.journal.recording_lock import RecordingLock


def test_a_second_lock_on_the_same_journal_is_refused_until_the_first_is_released(tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite3"
    first, second = RecordingLock(journal, "linux"), RecordingLock(journal, "linux")
    assert first.acquire() and first.held
    assert not second.acquire() and not second.held
    first.release()
    assert second.acquire()
    second.release()


def test_a_lock_made_for_windows_still_locks_on_this_machine_windows(tmp_path: Path) -> None:
    # Tests drive the Windows branches of the window on Linux: its journal lock must not die in
    # the writer thread for want of msvcrt, and must still keep a second window out.
    journal = tmp_path / "journal.sqlite3"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        windows, other = RecordingLock(journal, "windows"), RecordingLock(journal, "linux")
        assert windows.acquire()
        assert not other.acquire()
        windows.release()
    assert other.acquire()
    other.release()
