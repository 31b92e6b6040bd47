""" "Did the music help?" in the real window (Tk on Xvfb), seen as a person sees it: screenshots read
with OCR in both themes, nothing covering a control. The journal is a simulated one with a known
answer (Lift brightens the face by 0.3), written through the store; the setting "Find out what
helps me" is turned on in the Settings dialog and the main window says so.
"""

from __future__ import annotations

import json
import tkinter as tk
from collections.abc import Callable

import pytest

from emotune.controller.fair_trial import DRAWN_NOTE, TRIAL_NOTE
from emotune.controller.helped_report import group_label
from emotune.controller.options import AppOptions
from emotune.gui.helped_view import HelpedWindow
from emotune.gui.journal_view import JournalWindow
from emotune.gui.settings_dialog import FIND_WHAT_HELPS, SettingsDialog
from emotune.journal.store import DB_FILE
from testbed.helped_sim import Truth, write_journal
from tests.support.gui import Running, pump_for
from tests.support.paths import UserFolders
from tests.support.screen import check_window, control_text, read_text, readable, screenshot

pytestmark = pytest.mark.gui


def dialog_of(run: Running, kind: type, master: tk.Misc) -> tk.Toplevel:
    run.until(lambda: any(isinstance(w, kind) for w in master.winfo_children()), f"the {kind.__name__}")
    pump_for(run.root, 0.4)
    return next(w for w in master.winfo_children() if isinstance(w, kind))


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_journal_window_shows_the_answer(
    happy_list: Callable[[str], Running], user_dirs: UserFolders, theme: str
) -> None:
    write_journal(user_dirs.data / DB_FILE, Truth(0.3, 0.0, 40, 0.15, 0.1), seed=2)
    run = happy_list(theme)
    app = run.app
    app.open_journal()
    journal = dialog_of(run, JournalWindow, run.root)
    assert isinstance(journal, JournalWindow)
    check_window(journal, f"journal-helped-button-{theme}", ("Did the music help",))
    journal.helped_button.invoke()
    window = dialog_of(run, HelpedWindow, journal)
    assert isinstance(window, HelpedWindow)
    run.until(lambda: window.report is not None, "the answer")
    pump_for(run.root, 0.4)
    report = window.report
    assert report is not None
    lift = next(g for g in report.answer.groups if g.strategy == "lift" and g.randomised and g.from_mood == "low")
    assert lift.low is not None and lift.high is not None and lift.low <= 0.3 <= lift.high
    rows = [window.table.item(item, "text") for item in window.table.get_children()]
    assert rows == [group_label(g) for g in report.answer.groups]
    seen = check_window(
        window,
        f"helped-{theme}",
        (
            "After lists begun from a low mood",
            "Lift, picked at random",
            "Match, picked at random",
            "Mean change",
            "95% interval",
            "Lift lists helped you more than Match lists",
            "compare Lift with Match",
        ),
    )
    assert readable(f"{lift.brighter} of {lift.n}", seen), seen
    window.destroy()
    journal.destroy()
    assert app.close()


def test_the_setting_draws_match_or_lift_and_the_window_says_it_is_on(
    start: Callable[..., Running], user_dirs: UserFolders
) -> None:
    run = start(AppOptions(source="99", offline=True, mood="sad"))
    app = run.app
    run.until(lambda: len(run.playlist_rows()) == 10, "a playlist")
    app.open_settings()
    dialog = dialog_of(run, SettingsDialog, run.root)
    assert isinstance(dialog, SettingsDialog) and dialog.find_what_helps.get() is False
    check_window(dialog, "settings-find-what-helps", ("Find out what helps me",))
    assert FIND_WHAT_HELPS.startswith("Find out what helps me")
    dialog.find_what_helps.set(True)
    dialog.save()
    assert json.loads((user_dirs.config / "settings.json").read_text())["find_what_helps"] is True
    app.controller.choose_mood("angry")  # the music mood turns low: the coin picks Match or Lift
    run.until(lambda: DRAWN_NOTE in str(app.status.music.cget("text")), "the list for angry")
    assert "angry" in app.playlist.heading.full_text
    status = str(app.status.music.cget("text"))
    assert status.endswith(TRIAL_NOTE)
    image = screenshot(run.root, "main-find-what-helps")
    assert readable(DRAWN_NOTE, control_text(image, app.status.music))
    assert readable(TRIAL_NOTE, read_text(image)), read_text(image)
    assert app.close()
