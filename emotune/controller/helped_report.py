"""What the "Did the music help?" view shows, read off the UI thread and laid out without a toolkit.

``read_helped(link, on_ok, on_error)`` flushes the journal's writer (so the last face window and
list are in), reads the answer (``emotune.journal.helped``) on a thread and hands a
``HelpedReport`` back through the task runner: the groups as table rows and the plain words.
No tkinter here; nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emotune.controller.journal_link import JournalLink
from emotune.journal.helped import NAMES, Answer, Group, answer_words, read_answer, signed
from emotune.tasks import OnError

COLUMNS = ("Occasions", "Brighter after", "Mean change", "95% interval")


@dataclass(frozen=True)
class HelpedReport:
    answer: Answer
    rows: tuple[tuple[str, tuple[str, str, str, str]], ...]  # (group, its cells under COLUMNS)
    words: tuple[str, ...]


def group_label(group: Group) -> str:
    """ "Lift, picked at random", "Match, your choice, sad", "Lift, picked at random, pop"."""
    parts = [NAMES[group.strategy], "picked at random" if group.randomised else "your choice"]
    if group.from_mood != "low":
        parts.append(f"from {group.from_mood}")
    if group.genre is not None:
        parts.append(group.genre)
    return ", ".join(parts)


def group_cells(group: Group) -> tuple[str, str, str, str]:
    change = "" if group.change is None else signed(group.change)
    if group.low is None or group.high is None:
        span = f"{group.needed} more needed"
    else:
        span = f"{signed(group.low)} to {signed(group.high)}"
    return str(group.n), f"{group.brighter} of {group.n}", change, span


def helped_report(answer: Answer) -> HelpedReport:
    rows = tuple((group_label(g), group_cells(g)) for g in answer.groups)
    return HelpedReport(answer, rows, tuple(answer_words(answer, finer=False)))


def read_helped(link: JournalLink, on_ok: Callable[[HelpedReport], None], on_error: OnError) -> None:
    """Read the answer from the app's journal (off the UI thread); ``on_ok`` gets the report."""
    writer, path = link.writer, link.path

    def run() -> HelpedReport:
        writer.flush(1.0)
        return helped_report(read_answer(path))

    link.tasks.run_in_thread(run, on_ok, on_error, name="emotune-helped-read")
