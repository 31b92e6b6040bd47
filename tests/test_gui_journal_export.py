"""The Journal window's "Export CSV…"/"Export PNG…" on Xvfb go through the one safe writer:
aimed at the journal itself or at a device, the window says why in one line, writes
nothing, and the journal reads the same afterwards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from emotune.controller.options import AppOptions
from emotune.gui.journal_view import JournalWindow
from emotune.journal.store import DB_FILE, Journal
from tests.support.gui import Running
from tests.support.paths import UserFolders

pytestmark = pytest.mark.gui


def test_the_window_refuses_to_export_over_the_journal_or_a_device(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    path = user_dirs.data / DB_FILE
    now = datetime.now().timestamp()
    with Journal.open(path) as journal:
        journal.update_segment(journal.begin_segment("happy", "face", now - 120), now - 60, {"happy": 0.8})
    before = path.read_bytes()
    run = start(AppOptions(source="99", offline=True))
    run.press(run.app.video.screen, "<Control-j>")
    window = run.app._journal_window
    assert isinstance(window, JournalWindow)
    run.until(lambda: window.report is not None, "the journal to be read")
    for kind, target, words in (
        ("csv", path, "is in Emotune's own folder"),
        ("png", Path("/dev/full"), "is not a regular file"),
    ):
        window.export(kind, target)  # type: ignore[arg-type]
        run.until(lambda: window.status.cget("text").startswith("Not exported: "), f"the refusal of {target}")
        assert words in window.status.cget("text") and str(target) in window.status.cget("text")
        window.status.configure(text="")
    assert path.read_bytes() == before
    with Journal.open(path) as journal:
        assert [(s.mood, s.start) for s in journal.segments()] == [("happy", now - 120)]
    window.destroy()
    assert run.app.close()
