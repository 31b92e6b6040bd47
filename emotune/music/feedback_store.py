"""Song feedback on disk: one verdict per track in ``feedback.sqlite3``, beside the journal.

Where: ``env.data_dir / "feedback.sqlite3"`` (mode 600 in the private data folder, as the
journal). Why a file of its own and not a table in the journal: each file has one schema
version (``PRAGMA user_version``) and one owner, so the journal (``emotune.journal``) and music
never import each other; a damaged journal set aside no longer takes the likes with it; and
"Forget…", turning the journal off or deleting the journal touch the mood history only.

Up to now verdicts lived in the journal's ``feedback`` table: when this file is created, the
rows there are moved into it (copied, then deleted from the journal, in the step that creates
it). If the journal is locked, nothing is moved or marked (``MovePendingError``) and the next
open tries again; meanwhile ``load_preferences`` reads the verdicts from the journal without
moving them, where it can. A row that cannot be right stays in the journal and is counted;
a damaged journal, one without the table, or one a newer Emotune wrote (a schema above
``OLD_JOURNAL_SCHEMA``) gives nothing and is left as it is.

Every row read is checked first (``emotune.stored_rows``): an odd one (an infinite valence, a
time that is text, an unknown verdict) is skipped and counted, and ``load_preferences`` returns
one line saying so with the others.

The file handling (WAL, set aside when damaged, read-only, the integrity check) is
``emotune.sqlite_file``'s; every failure is one ``StoreError`` line naming the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from emotune.environment import Environment
from emotune.music.feedback import VERDICTS, Feedback, Preferences, check_verdict
from emotune.sqlite_file import SqliteFile, StoreError, StoreLockedError, error_kind, guarded
from emotune.stored_rows import (
    BadRowError,
    SkippedRows,
    stored_choice,
    stored_names,
    stored_number,
    stored_text,
    stored_time,
)

FEEDBACK_FILE = "feedback.sqlite3"
OLD_JOURNAL_FILE = "journal.sqlite3"  # where verdicts were kept before this file (moved from there once)

_COLUMNS = "track_id, verdict, artist_keys, mood, valence, energy, time"
_MARKS = "?, ?, ?, ?, ?, ?, ?"
# The journal schemas that may hold verdicts to move: its feedback table came with step 2 and is in
# every step up to the last this version knows (``emotune.journal.store.SCHEMA_VERSION``, which a
# test keeps equal to it). A later schema was written by a newer Emotune, which is left untouched.
OLD_JOURNAL_SCHEMA = 4
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE feedback (
            track_id TEXT PRIMARY KEY,
            verdict TEXT NOT NULL CHECK (verdict IN ('like', 'dislike', 'never_track', 'never_artist')),
            artist_keys TEXT NOT NULL DEFAULT '[]',
            mood TEXT,
            valence REAL,
            energy REAL,
            time REAL NOT NULL
        )""",
    ),
)


class MovePendingError(StoreLockedError):
    """The journal holding verdicts to move is locked by another program. Nothing was moved and the
    feedback file is not marked as moved, so the next open tries again."""


def feedback_path(env: Environment) -> Path:
    """Where the verdicts live: the per-user data folder (``env.data_dir``) / "feedback.sqlite3"."""
    return env.data_dir / FEEDBACK_FILE


class FeedbackStore(SqliteFile):
    """The open feedback file. Use from one thread at a time; open with ``FeedbackStore.open(path)``."""

    NOUN: ClassVar[str] = "feedback file"
    MIGRATIONS: ClassVar[tuple[tuple[str, ...], ...]] = MIGRATIONS

    def _migrate(self, version: int) -> None:
        moving = version == 0 and self._attach_old_journal()
        try:
            super()._migrate(version)
        except sqlite3.Error as exc:
            if moving:
                self._unless_locked(exc)
            raise
        finally:
            if moving:
                self._detach_old_journal()

    @property
    def old_journal(self) -> Path:
        return self.path.with_name(OLD_JOURNAL_FILE)

    def _attach_old_journal(self) -> bool:
        """Attach the journal that held the verdicts before, if it has them to give (not in a
        transaction). ``MovePendingError`` if it is locked: the move is tried again next time."""
        old = self.old_journal
        if not old.is_file():
            return False
        connection = self._live()
        try:
            # As bytes: a str binds as UTF-8, which a path with undecodable bytes (\xff) cannot be.
            connection.execute("ATTACH DATABASE ? AS old", (os.fsencode(old),))
        except sqlite3.Error as exc:
            self._unless_locked(exc)
            return False
        try:
            version = int(connection.execute("PRAGMA old.user_version").fetchone()[0])
            found = connection.execute("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = 'feedback'")
            if found.fetchone() is not None and version <= OLD_JOURNAL_SCHEMA:
                return True
        except sqlite3.Error as exc:
            self._detach_old_journal()
            self._unless_locked(exc)
            return False  # a damaged journal: its own open will set it aside; nothing to move from it
        self._detach_old_journal()
        return False

    def _detach_old_journal(self) -> None:
        with contextlib.suppress(sqlite3.Error):  # after a failed open the connection is closed anyway
            self._live().execute("DETACH DATABASE old")

    def _unless_locked(self, error: sqlite3.Error) -> None:
        if error_kind(error) == "locked":
            raise MovePendingError(
                f"journal {self.old_journal} is locked by another program; the song feedback in it moves to "
                f"{self.path} on a later run"
            ) from None

    def migrated(self, connection: sqlite3.Connection, step: int) -> None:
        # Only the names: the "file" column of a folder whose path is not UTF-8 cannot be read as text.
        attached = {str(row[0]) for row in connection.execute("SELECT name FROM pragma_database_list")}
        if step == 0 and "old" in attached:
            # Row by row through the checks: one row an older version or another program left odd
            # is skipped (and stays in the journal), never the reason nothing moves.
            rows = connection.execute(f"SELECT {_COLUMNS} FROM old.feedback").fetchall()
            moved = list(valid_verdicts(rows, self.skipped, "old.feedback"))
            connection.executemany(
                f"INSERT OR REPLACE INTO main.feedback ({_COLUMNS}) VALUES ({_MARKS})", map(_row, moved)
            )
            connection.executemany("DELETE FROM old.feedback WHERE track_id = ?", ((f.track_id,) for f in moved))

    @guarded("record feedback")
    def set(self, feedback: Feedback) -> None:
        """Store the verdict on a track (replacing the one before)."""
        with self.transaction() as connection:
            connection.execute(f"INSERT OR REPLACE INTO feedback ({_COLUMNS}) VALUES ({_MARKS})", _row(feedback))

    @guarded("clear feedback")
    def clear(self, track_id: str) -> bool:
        """Remove the verdict on a track; False if there was none."""
        with self.transaction() as connection:
            return connection.execute("DELETE FROM feedback WHERE track_id = ?", (track_id,)).rowcount > 0

    @guarded("read feedback")
    def all(self) -> list[Feedback]:
        """Every stored verdict, oldest first. A row that cannot be right (an infinite valence, a
        time that is text, an unknown verdict) is left out and counted in ``skipped``."""
        rows = self._live().execute(f"SELECT {_COLUMNS} FROM feedback").fetchall()
        return sorted(valid_verdicts(rows, self.skipped, "feedback"), key=lambda f: f.time)

    def for_track(self, track_id: str) -> Feedback | None:
        return next((f for f in self.all() if f.track_id == track_id), None)


def load_preferences(path: Path) -> tuple[Preferences, str | None]:
    """The stored verdicts as live ``Preferences``, and a problem line if they could not all be read.

    With neither this file nor a journal to move verdicts from, this creates nothing and returns
    empty preferences; with a damaged or locked file, empty preferences and the message; with
    damaged rows, the others and a line counting them. While the journal whose verdicts are still
    to move is locked, its verdicts are read from it for this run without moving them.
    """
    if not path.exists() and not path.with_name(OLD_JOURNAL_FILE).exists():
        return Preferences(), None
    try:
        with FeedbackStore.open(path) as store:
            return Preferences(store.all()), store.skipped_warning()
    except MovePendingError as exc:
        return Preferences(_unmoved(path.with_name(OLD_JOURNAL_FILE))), str(exc)
    except StoreError as exc:
        return Preferences(), str(exc)


def _row(feedback: Feedback) -> tuple[object, ...]:
    keys = json.dumps(sorted(feedback.artist_keys), ensure_ascii=False)
    return (feedback.track_id, feedback.verdict, keys, feedback.mood, feedback.valence, feedback.energy, feedback.time)


def _unmoved(old: Path) -> list[Feedback]:
    """The verdicts still in the old journal, read only (another program may be writing it)."""
    try:
        connection = sqlite3.connect(f"{old.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            if int(connection.execute("PRAGMA user_version").fetchone()[0]) > OLD_JOURNAL_SCHEMA:
                return []
            rows = connection.execute(f"SELECT {_COLUMNS} FROM feedback").fetchall()
        finally:
            connection.close()
    except sqlite3.Error:
        return []  # locked for reading too: this run goes without them
    return list(valid_verdicts(rows, SkippedRows(), "old.feedback"))


def valid_verdicts(rows: Iterable[Sequence[object]], skipped: SkippedRows, table: str) -> Iterator[Feedback]:
    """The ``_COLUMNS`` rows of ``table`` that hold a verdict that can be used; the others counted in
    ``skipped`` (once each, however often they are read)."""
    for row in rows:
        try:
            yield _verdict(row)
        except BadRowError as error:
            skipped.add(error, (table, row[0]))


def _verdict(row: Sequence[object]) -> Feedback:
    track, verdict, keys, mood, valence, energy, t = row
    return Feedback(
        stored_text("track ID", track),
        check_verdict(stored_choice("verdict", verdict, VERDICTS)),
        frozenset(stored_names(keys)),
        None if mood is None else stored_text("mood", mood),
        None if valence is None else stored_number("valence", valence, 0.0, 1.0),
        None if energy is None else stored_number("energy", energy, 0.0, 1.0),
        stored_time("time", t),
    )
