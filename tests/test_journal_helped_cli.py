"""``python -m emotune journal --helped [--json]`` run as a real child process on real journal files:
the JSON contract, the plain words, an empty journal, bad flag mixes, and ``--clear`` erasing the
face series and the lists."""

from __future__ import annotations

import json
import sqlite3

from emotune.journal import helped, series
from emotune.journal.store import DB_FILE, Journal
from testbed.helped_sim import START, Truth, write_journal
from tests.support.files import one_error_line, run_emotune
from tests.support.paths import UserFolders

KEYS = {"strategy", "from_mood", "genre", "randomised", "n", "brighter", "change", "low", "high", "needed"}


def test_json_gives_one_line_per_group_that_finds_the_set_effect(user_dirs: UserFolders) -> None:
    write_journal(user_dirs.data / DB_FILE, Truth(0.3, 0.0, 60, 0.15, 0.1), seed=2)
    result = run_emotune("journal", "--helped", "--json")
    assert result.returncode == 0 and result.stderr == ""
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(set(row) == KEYS for row in rows)
    lift = next(r for r in rows if r["strategy"] == "lift" and r["from_mood"] == "low" and r["genre"] is None)
    match = next(r for r in rows if r["strategy"] == "match" and r["from_mood"] == "low" and r["genre"] is None)
    assert lift["randomised"] is True and lift["n"] + match["n"] == 60 and lift["needed"] == 0
    assert lift["low"] <= 0.3 <= lift["high"] and match["low"] <= 0.0 <= match["high"]


def test_text_says_it_in_plain_words_with_what_it_cannot_know(user_dirs: UserFolders) -> None:
    write_journal(user_dirs.data / DB_FILE, Truth(0.3, 0.0, 7, 0.15, 0.1), seed=3)
    result = run_emotune("journal", "--helped")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("After Lift lists (picked at random), your face read brighter 10-15 minutes later in")
    assert any(line.endswith("needed before Emotune gives a figure.") for line in lines)
    assert any(line.startswith("Too few to be sure: 7 fair occasions so far") for line in lines)
    assert lines[-2:] == list(helped.CAVEATS)


def test_an_empty_journal_prints_nothing_and_none_is_created(user_dirs: UserFolders) -> None:
    path = user_dirs.data / DB_FILE
    result = run_emotune("journal", "--helped", "--json")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "") and not path.exists()
    with Journal.open(path):
        pass
    result = run_emotune("journal", "--helped", "--json")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    text = run_emotune("journal", "--helped")
    assert text.returncode == 0 and text.stdout.startswith("No song list has begun from a low mood yet")


def test_the_range_keeps_the_lists_begun_in_it(user_dirs: UserFolders) -> None:
    write_journal(user_dirs.data / DB_FILE, Truth(0.3, 0.0, 60, 0.15, 0.1), seed=2)
    result = run_emotune("journal", "--helped", "--json", "--until", "2000-01-01")
    assert (result.returncode, result.stdout) == (0, "")
    inside = run_emotune("journal", "--helped", "--json", "--since", "2026-05-01", "--until", "2026-07-01")
    rows = [json.loads(line) for line in inside.stdout.splitlines()]
    assert sum(r["n"] for r in rows if r["from_mood"] == "low" and r["genre"] is None) == 60
    assert 1_777_593_600 < START < 1_782_864_000  # the occasions begin in May and June 2026


def test_helped_with_clear_or_an_export_is_one_line_and_exit_2(user_dirs: UserFolders) -> None:
    write_journal(user_dirs.data / DB_FILE, Truth(0.3, 0.0, 6, 0.15, 0.1), seed=3)
    line = one_error_line(run_emotune("journal", "--helped", "--clear"))
    assert "--helped only reads the journal; it cannot be combined with --clear" in line
    with Journal.open(user_dirs.data / DB_FILE) as journal:  # nothing was forgotten
        assert len(helped.answer_from(*_data(journal)).occasions) == 6


def _data(journal: Journal) -> tuple[list[series.ListBegun], list[tuple[float, float]]]:
    return series.lists(journal), series.brightness_series(journal)


def test_clear_erases_the_face_series_and_the_lists(user_dirs: UserFolders) -> None:
    path = user_dirs.data / DB_FILE
    write_journal(path, Truth(0.3, 0.0, 6, 0.15, 0.1), seed=3)
    result = run_emotune("journal", "--clear")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(path) as raw:
        counts = [raw.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] for table in ("face_series", "lists")]
    raw.close()
    assert counts == [0, 0]
    assert run_emotune("journal", "--helped", "--json").stdout == ""


def test_a_damaged_journal_is_one_line_and_exit_2(user_dirs: UserFolders) -> None:
    path = user_dirs.data / DB_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    line = one_error_line(run_emotune("journal", "--helped", "--json"))
    assert str(path) in line and "damaged" in line
