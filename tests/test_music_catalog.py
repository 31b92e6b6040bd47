"""The bundled catalog and mood selection: no network, no credentials."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest

from emotune import moods
from emotune.choices import Strategy
from emotune.labels import EMOTIONS
from emotune.music.catalog import CatalogError, CatalogSession, load_catalog, parse_catalog
from emotune.music.tracks import JSON_KEYS, Track, is_track_id
from emotune.resources import resource_path
from testbed.paths import REPO, SHARED

SOURCE = SHARED / "data" / "catalog" / "tracks.csv"


def valence(tracks: tuple[Track, ...]) -> list[float]:
    return [t.features.valence for t in tracks if t.features is not None]


def energy(tracks: tuple[Track, ...]) -> list[float]:
    return [t.features.energy for t in tracks if t.features is not None]


def test_shipped_catalog_is_a_few_thousand_valid_tracks_balanced_over_the_plane() -> None:
    catalog = load_catalog()
    assert 2000 <= len(catalog) <= 5000
    assert all(is_track_id(t.id) and t.name and t.artists for t in catalog.tracks)
    assert len({t.id for t in catalog.tracks}) == len(catalog)
    quadrants = {(v >= 0.5, e >= 0.5): 0 for v in (0.0, 1.0) for e in (0.0, 1.0)}
    for track in catalog.tracks:
        assert track.features is not None
        quadrants[(track.features.valence >= 0.5, track.features.energy >= 0.5)] += 1
    # The source has 1,558 bright-calm and 3,277 dark-calm tracks out of 30,361: the catalog must
    # take calm tracks deliberately, so every quadrant holds at least 15% of it.
    assert min(quadrants.values()) >= 0.15 * len(catalog), quadrants
    very_calm = sum(1 for t in catalog.tracks if t.features is not None and t.features.energy < 0.2)
    assert very_calm >= 200


@pytest.mark.slow
@pytest.mark.data
def test_catalog_and_notice_are_what_the_build_script_makes(tmp_path: Path) -> None:
    assert SOURCE.is_file(), f"{SOURCE} is missing: the tests need ../shared beside the checkout"
    result = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_catalog.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "(3000 water-filled + " in result.stdout
    assert "cells under 25: 0" in result.stdout  # every mood x genre cell, both strategies
    assert (tmp_path / "catalog.csv").read_bytes() == resource_path("assets", "catalog.csv").read_bytes()
    notice = (tmp_path / "NOTICE.md").read_text(encoding="utf-8")
    assert notice == resource_path("assets", "NOTICE.md").read_text(encoding="utf-8")
    for licence_row in ("DerrickLJH/EmotionBasedMusicRecommender", "rfordatascience/tidytuesday", "MIT (repository)"):
        assert licence_row in notice


@pytest.mark.parametrize("strategy", moods.STRATEGIES)
@pytest.mark.parametrize("emotion", EMOTIONS)
def test_every_emotion_gives_n_valid_tracks_without_an_artist_twice(emotion: str, strategy: Strategy) -> None:
    session = CatalogSession(load_catalog(), seed=3)
    for _ in range(3):  # first list and two "more"
        tracks = session.recommend(emotion, 10, strategy)
        assert len(tracks) == 10
        assert all(len(t.id) == 22 and is_track_id(t.id) and t.source == "catalog" for t in tracks)
        artists = [a for t in tracks for a in t.artist_keys()]
        assert len(artists) == len(set(artists))
        assert list(tracks[0].to_json()) == list(JSON_KEYS)


def test_more_gives_new_tracks_until_the_pool_is_used_up_then_starts_over() -> None:
    session = CatalogSession(load_catalog(), seed=5, pool_size=60)
    pool_ids = {t.id for t in session.pool("sad")}
    seen: list[str] = []
    # 60 tracks in the pool: five lists of ten can be new (artists permitting) before any repeat.
    for _ in range(5):
        ids = [t.id for t in session.recommend("sad", 10)]
        assert not set(ids) & set(seen)
        assert set(ids) <= pool_ids
        assert not session.pool_restarted
        seen.extend(ids)
    previous = seen[-10:]
    later: list[str] = []
    restarts = []
    for _ in range(4):
        ids = [t.id for t in session.recommend("sad", 10)]
        restarts.append(session.pool_restarted)
        assert len(ids) == 10
        later.extend(ids)
    assert sum(restarts) == 1  # the start-over is reported once, when it happens
    # The pool was used up, so tracks come back, but never the list shown just before.
    assert set(later) & set(seen)
    assert not set(later[:10]) & set(previous)


def test_a_fixed_seed_gives_the_same_lists_and_another_seed_differs() -> None:
    catalog = load_catalog()
    runs = []
    for seed in (11, 11, 12):
        session = CatalogSession(catalog, seed=seed)
        runs.append([[t.id for t in session.recommend(e, 8)] for e in ("happy", "sad", "happy")])
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_match_tracks_lie_near_the_documented_target() -> None:
    session = CatalogSession(load_catalog(), seed=1)
    for emotion in EMOTIONS:
        (target,) = moods.MOOD_TARGETS["match"][emotion]
        tracks = session.recommend(emotion, 10)
        assert abs(statistics.mean(valence(tracks)) - target["valence"]) < 0.1, emotion
        assert abs(statistics.mean(energy(tracks)) - target["energy"]) < 0.1, emotion


def test_lift_moves_sad_and_angry_towards_calm_then_brighter_and_match_does_not() -> None:
    session = CatalogSession(load_catalog(), seed=2)
    for emotion in ("sad", "angry", "fear"):
        match = session.recommend(emotion, 10, "match")
        lift = session.recommend(emotion, 10, "lift")
        # Lift is brighter than match overall, and the list rises: its second half is brighter.
        assert statistics.mean(valence(lift)) > statistics.mean(valence(match)) + 0.15, emotion
        assert statistics.mean(valence(lift)[5:]) > statistics.mean(valence(lift)[:5]) + 0.1, emotion
        # Match is one point: no such rise.
        assert abs(statistics.mean(valence(match)[5:]) - statistics.mean(valence(match)[:5])) < 0.05, emotion
    angry_match = session.recommend("angry", 10, "match")
    angry_lift = session.recommend("angry", 10, "lift")
    assert statistics.mean(energy(angry_lift)) < statistics.mean(energy(angry_match)) - 0.25
    # Happy already is where lift goes: same target.
    assert moods.target_path("happy", "lift") == moods.target_path("happy", "match")


def test_user_overrides_move_the_target() -> None:
    overrides = moods.parse_overrides({"match": {"happy": [{"valence": 0.1, "energy": 0.1}]}})
    session = CatalogSession(load_catalog(), seed=1, overrides=overrides)
    tracks = session.recommend("happy", 10)
    assert statistics.mean(valence(tracks)) < 0.25
    assert statistics.mean(energy(tracks)) < 0.25


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"calm": {}}, "music strategy 'calm'"),
        ({"match": {"bored": [{"valence": 0.5}]}}, "unknown emotion"),
        ({"match": {"sad": [{"loudness": 0.5}]}}, "unknown feature 'loudness'"),
        ({"lift": {"sad": [{"valence": 1.5}]}}, "outside 0..1"),
        ({"lift": {"sad": []}}, "1 to 4 waypoints"),
        ([], "must be an object"),
    ],
)
def test_bad_overrides_are_named(raw: object, message: str) -> None:
    with pytest.raises(moods.MoodTableError, match=message):
        moods.parse_overrides(raw)


def test_points_along_interpolates_and_fills_missing_features() -> None:
    path = ({"valence": 0.2, "energy": 0.4}, {"valence": 0.6, "energy": 0.4, "acousticness": 0.9})
    points = moods.points_along(path, 3)
    assert [p["valence"] for p in points] == pytest.approx([0.2, 0.4, 0.6])
    assert [p["acousticness"] for p in points] == pytest.approx([0.9, 0.9, 0.9])


def test_a_broken_catalog_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "catalog.csv"
    bad.write_text(
        "id,name,artists,valence,energy,danceability,acousticness,tempo\nnot-an-id,x,y,1,1,1,1,120\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"catalog.csv, line 2"):
        parse_catalog(bad)
    with pytest.raises(CatalogError, match="cannot read"):
        parse_catalog(tmp_path / "missing.csv")
