"""Song feedback on disk: one verdict per track in ``feedback.sqlite3``, beside the journal.

Where: ``env.data_dir / "feedback.sqlite3"`` (mode 600 in the private data folder, as the
journal). Why a file of its own and not a table in the journal: each file has one schema
version (``PRAGMA user_version``) and one owner, so the journal (``emotune.journal``) and music
never import each other; a damaged journal set aside no longer takes the likes with it; and
"Forget…", turning the journal off or deleting the journal touch the mood history only.

Up to now verdicts lived in the journal's ``feedback`` table: when this file is created, the
rows there are moved into it (copied, then deleted from the journal, in the step that creates
it; if the journal is locked the step waits for another open, if it is damaged or has no such
table nothing is moved).

The file handling (WAL, set aside when damaged, read-only, the integrity check) is
``emotune.sqlite_file``'s; every failure is one ``StoreError`` line naming the file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import ClassVar

from emotune.environment import Environment
from emotune.music.feedback import Feedback, Preferences, check_verdict
from emotune.sqlite_file import SqliteFile, StoreError, guarded

FEEDBACK_FILE = "feedback.sqlite3"
OLD_JOURNAL_FILE = "journal.sqlite3"  # where verdicts were kept before this file (moved from there once)

_COLUMNS = "track_id, verdict, artist_keys, mood, valence, energy, time"
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
        finally:
            if moving:
                self._live().execute("DETACH DATABASE old")

    def _attach_old_journal(self) -> bool:
        """Attach the journal that held the verdicts before, if it has them to give (not in a transaction)."""
        old = self.path.with_name(OLD_JOURNAL_FILE)
        if not old.is_file():
            return False
        connection = self._live()
        try:
            # As bytes: a str binds as UTF-8, which a path with undecodable bytes (\xff) cannot be.
            connection.execute("ATTACH DATABASE ? AS old", (os.fsencode(old),))
        except sqlite3.Error:
            return False
        try:
            found = connection.execute("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = 'feedback'")
            if found.fetchone() is not None:
                return True
        except sqlite3.Error:
            pass  # a damaged journal: its own open will set it aside; nothing to move from it
        connection.execute("DETACH DATABASE old")
        return False

    def migrated(self, connection: sqlite3.Connection, step: int) -> None:
        # Only the names: the "file" column of a folder whose path is not UTF-8 cannot be read as text.
        attached = {str(row[0]) for row in connection.execute("SELECT name FROM pragma_database_list")}
        if step == 0 and "old" in attached:
            connection.execute(f"INSERT OR REPLACE INTO main.feedback ({_COLUMNS}) SELECT {_COLUMNS} FROM old.feedback")
            connection.execute("DELETE FROM old.feedback")

    @guarded("record feedback")
    def set(self, feedback: Feedback) -> None:
        """Store the verdict on a track (replacing the one before)."""
        with self.transaction() as connection:
            connection.execute(
                f"INSERT OR REPLACE INTO feedback ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    feedback.track_id,
                    feedback.verdict,
                    json.dumps(sorted(feedback.artist_keys), ensure_ascii=False),
                    feedback.mood,
                    feedback.valence,
                    feedback.energy,
                    feedback.time,
                ),
            )

    @guarded("clear feedback")
    def clear(self, track_id: str) -> bool:
        """Remove the verdict on a track; False if there was none."""
        with self.transaction() as connection:
            return connection.execute("DELETE FROM feedback WHERE track_id = ?", (track_id,)).rowcount > 0

    @guarded("read feedback")
    def all(self) -> list[Feedback]:
        """Every stored verdict, oldest first."""
        rows = self._live().execute(f"SELECT {_COLUMNS} FROM feedback ORDER BY time").fetchall()
        return [
            Feedback(
                str(track),
                check_verdict(str(verdict)),
                frozenset(_keys(keys)),
                mood,
                None if valence is None else float(valence),
                None if energy is None else float(energy),
                float(t),
            )
            for track, verdict, keys, mood, valence, energy, t in rows
        ]

    def for_track(self, track_id: str) -> Feedback | None:
        return next((f for f in self.all() if f.track_id == track_id), None)


def load_preferences(path: Path) -> tuple[Preferences, str | None]:
    """The stored verdicts as live ``Preferences``, and a problem line if they could not be read.

    With neither this file nor a journal to move verdicts from, this creates nothing and returns
    empty preferences; with a damaged or locked file, empty preferences and the message.
    """
    if not path.exists() and not path.with_name(OLD_JOURNAL_FILE).exists():
        return Preferences(), None
    try:
        with FeedbackStore.open(path) as store:
            return Preferences(store.all()), None
    except StoreError as exc:
        return Preferences(), str(exc)


def _keys(text: object) -> tuple[str, ...]:
    try:
        data = json.loads(str(text))
    except (ValueError, RecursionError):  # a damaged row reads as empty, never as a crash
        return ()
    return tuple(str(a) for a in data) if isinstance(data, list) else ()
