"""Did the music help? The face series and lists in the journal, and the answer read from them,
checked on journals with a known answer (``testbed.helped_sim``): a set effect of Lift is found
within its interval, no effect is not invented, and too few occasions say how many more are needed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from emotune.journal import helped, series
from emotune.journal.store import MIGRATIONS, Journal
from emotune.journal.writer import JournalWriter
from testbed.helped_sim import START, Truth, means_for, write_journal

LIFT_HELPS = Truth(lift_effect=0.3, match_effect=0.0, occasions=60, noise=0.15, baseline_spread=0.1)
NOTHING_HELPS = Truth(lift_effect=0.0, match_effect=0.0, occasions=60, noise=0.15, baseline_spread=0.1)


def fair(answer: helped.Answer, strategy: str) -> helped.Group:
    return next(
        g for g in answer.groups if g.strategy == strategy and g.randomised and g.from_mood == "low" and not g.genre
    )


def test_a_set_effect_of_lift_is_found_within_its_interval(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    drawn = write_journal(path, LIFT_HELPS, seed=2)
    answer = helped.read_answer(path)
    assert len(answer.occasions) == LIFT_HELPS.occasions
    lift, match = fair(answer, "lift"), fair(answer, "match")
    assert (lift.n, match.n) == (drawn.count("lift"), drawn.count("match"))
    assert lift.low is not None and lift.high is not None and match.low is not None and match.high is not None
    assert lift.low <= 0.3 <= lift.high and lift.low > 0.15
    assert match.low <= 0.0 <= match.high
    assert lift.brighter > 0.9 * lift.n
    assert "Lift lists helped you more than Match lists" in helped.verdict(answer)
    words = helped.answer_words(answer)
    assert words[0].startswith("After Lift lists (picked at random), your face read brighter 10-15 minutes later in")
    assert f"{lift.brighter} of {lift.n} times" in words[0] and "95% interval" in words[0]
    assert words[-2:] == list(helped.CAVEATS)


def test_no_effect_is_not_invented(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    write_journal(path, NOTHING_HELPS, seed=11)
    answer = helped.read_answer(path)
    for strategy in ("lift", "match"):
        group = fair(answer, strategy)
        assert group.low is not None and group.high is not None
        assert group.low <= 0.0 <= group.high, group
    assert "No clear difference between Lift and Match yet" in helped.verdict(answer)


def test_the_intervals_cover_the_truth_about_as_often_as_they_claim(tmp_path: Path) -> None:
    # 20 people: a 95% interval should miss the true effect about once; a calibrated method
    # seldom misses more than three times, and the null difference is seldom called real.
    truth = Truth(lift_effect=0.2, match_effect=0.0, occasions=30, noise=0.2, baseline_spread=0.15)
    covered = 0
    for seed in range(20):
        path = tmp_path / f"lift-{seed}.sqlite3"
        write_journal(path, truth, seed=seed)
        lift = fair(helped.read_answer(path), "lift")
        assert lift.low is not None and lift.high is not None
        covered += lift.low <= 0.2 <= lift.high
    assert covered >= 17
    false_alarms = 0
    for seed in range(20):
        path = tmp_path / f"null-{seed}.sqlite3"
        write_journal(path, Truth(0.0, 0.0, 30, 0.2, 0.15), seed=100 + seed)
        difference = helped.difference(helped.read_answer(path))
        assert difference is not None
        false_alarms += difference[1] > 0 or difference[2] < 0
    assert false_alarms <= 3


def test_below_the_minimum_it_says_how_many_more_occasions_it_needs(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    drawn = write_journal(path, Truth(0.3, 0.0, 6, 0.15, 0.1), seed=3)
    answer = helped.read_answer(path)
    small = [g for g in answer.groups if g.n < helped.MIN_OCCASIONS]
    assert small and len(answer.occasions) == 6 and sorted(drawn) == sorted(g for g in drawn)
    for group in small:
        assert group.low is None and group.high is None and group.needed == helped.MIN_OCCASIONS - group.n
        line = helped.group_words(group)
        more = group.needed
        assert line.endswith(f"{more} more occasion{'s' if more != 1 else ''} needed before Emotune gives a figure.")
        assert group.to_json()["low"] is None and group.to_json()["needed"] == more
    assert helped.verdict(answer).startswith("Too few to be sure: 6 fair occasions so far")


def test_the_choices_of_the_person_are_kept_apart_from_the_fair_ones(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    write_journal(path, LIFT_HELPS, seed=5, randomised=False)
    answer = helped.read_answer(path)
    assert answer.groups and all(not g.randomised for g in answer.groups)
    assert "your own choice" in helped.group_words(answer.groups[0])
    assert helped.verdict(answer).startswith("Too few to be sure: 0 fair occasions")


def test_groups_by_mood_and_genre_appear_only_with_enough_occasions(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    write_journal(path, LIFT_HELPS, seed=7, genres=("pop", "rock"))
    answer = helped.read_answer(path)
    genres = {(g.strategy, g.genre) for g in answer.groups if g.genre}
    assert genres == {("lift", "pop"), ("lift", "rock"), ("match", "pop"), ("match", "rock")}
    moods = [g for g in answer.groups if g.from_mood != "low"]
    assert moods and all(g.n >= helped.MIN_OCCASIONS for g in moods)
    assert all(g.from_mood in series.LOW_MOODS for g in moods)


def one_list(journal: Journal, t: float, mood: str = "sad", strategy: series.Strategy = "lift") -> None:
    series.begin_list(journal, series.ListBegun(t, mood, strategy, (), True))


def windows(journal: Journal, first: float, last: float, value: float) -> None:
    steps = int((last - first) // 30) + 1
    series.add_samples(journal, [series.FaceSample(first + 30 * i, 29, 100, means_for(value)) for i in range(steps)])


def test_an_occasion_needs_face_both_before_and_after_and_a_low_mood(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        one_list(journal, START)  # face before and after: counted
        windows(journal, START - 290, START + 890, -0.2)
        one_list(journal, START + 10_000)  # nothing before (camera off): not counted
        windows(journal, START + 10_000, START + 10_890, 0.1)
        one_list(journal, START + 20_000, mood="neutral")  # not a low mood
        windows(journal, START + 19_710, START + 20_890, 0.0)
        one_list(journal, START + 30_000)
        one_list(journal, START + 30_120)  # "More songs": the same list going on
        one_list(journal, START + 30_200, mood="neutral")
        one_list(journal, START + 30_260)  # the face flickered back to sad: still the same occasion
        windows(journal, START + 29_710, START + 30_890, -0.3)
        one_list(journal, START + 40_000)
        windows(journal, START + 39_710, START + 39_740, -0.3)  # two windows before: too few
        windows(journal, START + 40_600, START + 40_890, 0.3)
    answer = helped.read_answer(path)
    assert [o.time for o in answer.occasions] == [START, START + 30_000]
    assert answer.occasions[0].change == pytest.approx(0.0, abs=1e-3)
    assert answer.lists == 6


def test_an_empty_or_missing_journal_has_no_answer(tmp_path: Path) -> None:
    assert helped.read_answer(tmp_path / "none.sqlite3").empty
    assert not (tmp_path / "none.sqlite3").exists()
    with Journal.open(tmp_path / "j.sqlite3"):
        pass
    answer = helped.read_answer(tmp_path / "j.sqlite3")
    assert answer.empty and helped.answer_words(answer) == []


def test_a_window_keeps_means_never_frames_and_starts_afresh(tmp_path: Path) -> None:
    window = series.SeriesWindow(30.0)
    happy = (("happy", 0.8), ("sad", 0.1), ("neutral", 0.1))
    assert all(window.add(100.0 + i * 0.1, happy) is None for i in range(300))  # 29.9 s of frames
    sample = window.add(130.0, (("sad", 1.0),))
    assert sample is not None and sample.readings == 300 and sample.time == pytest.approx(114.95)
    assert sample.means["happy"] == pytest.approx(0.8) and sample.brightness == pytest.approx(0.7)
    rest = window.take()
    assert rest is not None and rest.readings == 1 and rest.brightness == -1.0 and window.take() is None
    with Journal.open(tmp_path / "j.sqlite3") as journal:
        series.add_samples(journal, [sample, rest])
        stored = series.samples(journal)
    assert [s.readings for s in stored] == [300, 1]
    assert set(stored[0].means) == set(series.EMOTIONS) and stored[0].means["happy"] == 0.8


def test_a_version_3_journal_gains_the_series_and_keeps_its_history(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with sqlite3.connect(path) as raw:
        for step in MIGRATIONS[:3]:
            for statement in step:
                raw.execute(statement)
        raw.execute("PRAGMA user_version = 3")
        raw.execute("INSERT INTO segments (start_t, end_t, mood, source) VALUES (5, 65, 'sad', 'face')")
    raw.close()
    with Journal.open(path) as journal:
        assert journal.schema_version() == len(MIGRATIONS) == 4
        assert [s.mood for s in journal.segments()] == ["sad"]
        one_list(journal, 70.0)
        assert [b.mood for b in series.lists(journal)] == ["sad"]


def test_forgetting_a_range_erases_the_series_and_the_lists_in_it(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        one_list(journal, 1000.0)
        one_list(journal, 5000.0)
        windows(journal, 900.0, 1200.0, 0.1)
        windows(journal, 4900.0, 5200.0, 0.1)
        journal.forget(0.0, 2000.0)
        assert [b.time for b in series.lists(journal)] == [5000.0]
        assert min(t for t, _ in series.brightness_series(journal)) >= 4900.0
        journal.forget()
        assert series.lists(journal) == [] and series.samples(journal) == []
    with sqlite3.connect(path) as raw:  # gone from the file, not only from the answers
        assert raw.execute("SELECT COUNT(*) FROM face_series").fetchone()[0] == 0
    raw.close()


def test_the_writer_keeps_windows_ends_one_when_the_face_goes_and_forgets_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = [START]
    writer = JournalWriter(path, clock=lambda: now[0]).start()
    writer.list_begun("sad", "lift", ("rock",), True)
    happy = tuple(0.6 if label == "happy" else 0.4 / 6 for label in series.EMOTIONS)
    for _ in range(50):  # 50 s of face at 2 readings a second: one full window, then 20 s more
        for _ in range(2):
            writer.observe("sad", happy)
            now[0] += 0.5
    writer.observe(None)  # the face went: the 20 s so far become a row of their own
    assert writer.flush()
    with Journal.open(path) as journal:
        before = series.samples(journal)
        assert [s.readings for s in before] == [60, 40] and {s.list_id for s in before} == {1}
        assert before[0].brightness == pytest.approx(0.6 - 4 * 0.4 / 6, abs=3e-3)  # means kept to 3 decimals
    writer.observe("sad", happy)  # a reading the forget must not carry over
    writer.forget()
    writer.observe("sad", happy)
    now[0] += 40
    writer.observe("sad", happy)
    assert writer.stop()
    assert writer.problem is None
    with Journal.open(path) as journal:
        stored, begun = series.samples(journal), series.lists(journal)
    assert begun == []  # forgotten with the rest
    # After the forget: one reading, then one 40 s later closing its window (the last row at stop).
    assert [s.readings for s in stored] == [1, 1]
    assert all(s.list_id is None for s in stored)


def test_lists_without_enough_face_say_so_rather_than_give_a_figure(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    with Journal.open(path) as journal:
        one_list(journal, START)
        windows(journal, START - 290, START - 200, -0.4)  # the camera went off after the list began
    answer = helped.read_answer(path)
    assert answer.groups == () and not answer.empty
    words = helped.answer_words(answer)
    assert words[0] == (
        "1 list began from a low mood, but none had enough face read before and 10-15 minutes after to count."
    )
    assert words[1].startswith("Too few to be sure: 0 fair occasions so far; Emotune needs 5 after Lift and 5")
