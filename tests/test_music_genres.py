"""Genres: the catalog's genre column, ``--genre`` on the command line, the ``genres`` setting,
Spotify's ``genre:`` filter (against the stand-in server), "more like this" and feedback rule 5.

Every random draw comes from a fixed seed, so each number asserted here is reproducible.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pytest

from emotune import moods
from emotune.__main__ import main
from emotune.config import Settings, SettingsError, settings_from_json
from emotune.controller.journal_report import read_report
from emotune.environment import Environment
from emotune.journal.store import Journal, SongEvent, journal_path
from emotune.labels import EMOTIONS
from emotune.music.catalog import Catalog, CatalogSession, load_catalog, path_distances
from emotune.music.feedback import GENRE_PULL, Feedback, FeedbackRules, Preferences
from emotune.music.recommender import Recommender
from emotune.music.spotify import SpotifyClient
from emotune.music.tracks import Track, is_track_id
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, FakeTrack, default_tracks
from tests.support.files import one_error_line
from tests.test_music_cli import json_lines, run_recommend

REPO = Path(__file__).resolve().parent.parent
SEED = 11


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def fits(catalog: Catalog, emotion: str, strategy: moods.Strategy = "match") -> dict[str, float]:
    """Track ID -> distance to the mood's path, for the tracks that fit it."""
    distances = path_distances(catalog.matrix, moods.target_path(emotion, strategy))
    return {t.id: float(d) for t, d in zip(catalog.tracks, distances, strict=True) if d <= moods.FIT_DISTANCE}


# --- the catalog ------------------------------------------------------------------------------


def test_every_track_has_a_known_genre_or_none_and_every_genre_is_there(catalog: Catalog) -> None:
    assert catalog.known_genres() == moods.GENRES
    assert {t.genre for t in catalog.tracks} <= {"", *moods.GENRES}
    with_genre = [t for t in catalog.tracks if t.genre]
    assert len(with_genre) >= 0.85 * len(catalog)
    assert sum(1 for t in with_genre if t.subgenre) >= 0.95 * len(with_genre)


def test_the_build_script_maps_spotify_genre_names_to_the_six() -> None:
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import build_catalog
    finally:
        sys.path.remove(str(REPO / "tools"))
    assert build_catalog.top_genre("rock/hard rock") == ("rock", "hard rock")
    assert build_catalog.top_genre("mood:Sad|alternative metal | rock/hard rock") == ("rock", "hard rock")
    assert build_catalog.top_genre("dance pop; pop; pop rap") == ("pop", "dance pop")
    rap = "canadian hip hop; canadian pop; hip hop; pop rap; rap"
    assert build_catalog.top_genre(rap) == ("rap", "canadian hip hop")
    assert build_catalog.top_genre("trap latino; reggaeton; urbano latino") == ("latin", "trap latino")
    assert build_catalog.top_genre("tropical house; edm") == ("edm", "tropical house")
    assert build_catalog.top_genre("mood:Calm|background music") == ("", "")
    assert build_catalog.top_genre("") == ("", "")


# --- the command line ---------------------------------------------------------------------------


@pytest.mark.slow
def test_done_when_happy_rock_gives_25_rock_tracks(tmp_path: Path, catalog: Catalog) -> None:
    result = run_recommend(tmp_path, "happy", "--offline", "--genre", "rock", "--limit", "25", "--json")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert len(records) == 25
    tracks = [catalog.get(str(r["id"])) for r in records]
    assert all(t is not None and t.genre == "rock" for t in tracks)
    assert set(fits(catalog, "happy")) >= {str(r["id"]) for r in records}


@pytest.mark.slow
def test_several_genres_and_aliases_mix_only_those(tmp_path: Path, catalog: Catalog) -> None:
    result = run_recommend(tmp_path, "neutral", "--offline", "--genre", "RnB", "--genre", "latin", "--limit", "20")
    assert result.returncode == 0, result.stderr
    urls = [line.rsplit("  ", 1)[1] for line in result.stdout.splitlines()]
    genres = [catalog.get(url.rsplit("/", 1)[1]).genre for url in urls]  # type: ignore[union-attr]
    assert len(genres) == 20 and set(genres) == {"r&b", "latin"}


@pytest.mark.parametrize("command", ["recommend", "play"])
def test_an_unknown_genre_lists_the_valid_ones_and_exits_2(tmp_path: Path, command: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTIPY_", "EMOTUNE_"))}
    env.update(EMOTUNE_CONFIG_DIR=str(tmp_path / "config"), EMOTUNE_CACHE_DIR=str(tmp_path / "cache"))
    result = subprocess.run(
        [sys.executable, "-m", "emotune", command, "happy", "--genre", "rock", "--genre", "polka"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = one_error_line(result)
    assert "'polka'" in line and "edm, latin, pop, r&b, rap, rock" in line
    assert result.stdout == ""


def cli_ids(emotion: str, genre: str, limit: int = 25) -> list[str]:
    out = io.StringIO()
    with redirect_stdout(out):
        status = main(["recommend", emotion, "--offline", "--genre", genre, "--limit", str(limit), "--json"])
    assert status == 0
    return [str(record["id"]) for record in json_lines(out.getvalue())]


@pytest.mark.parametrize("emotion", EMOTIONS)
def test_every_genre_gives_25_fitting_tracks_of_it_that_follow_the_mood(emotion: str, catalog: Catalog) -> None:
    fitting = fits(catalog, emotion)
    target = moods.target_path(emotion, "match")[0]
    for genre in moods.GENRES:
        ids = cli_ids(emotion, genre)
        assert len(ids) == 25 and len(set(ids)) == 25
        tracks = [catalog.get(i) for i in ids]
        assert all(is_track_id(i) for i in ids)
        assert all(t is not None and t.genre == genre for t in tracks), (emotion, genre)
        assert set(ids) <= set(fitting), (emotion, genre)
        # The list follows valence/energy: nearer the mood's target than the genre is on average.
        in_genre = catalog.genre_mask((genre,))
        distances = catalog.distances({k: v for k, v in target.items() if k in ("valence", "energy")})
        listed = np.mean([distances[catalog.tracks.index(t)] for t in tracks if t is not None])
        assert listed < 0.6 * float(np.mean(distances[in_genre])), (emotion, genre)


def test_lists_of_one_genre_differ_between_moods(catalog: Catalog) -> None:
    for genre in moods.GENRES:
        lists = {emotion: set(cli_ids(emotion, genre, 10)) for emotion in EMOTIONS}
        for a, b in itertools.combinations(EMOTIONS, 2):
            assert lists[a] != lists[b], (genre, a, b)
        # Far moods share nothing at all.
        assert not lists["happy"] & lists["sad"], genre


@pytest.mark.slow
def test_recommend_like_lists_songs_near_a_catalog_track(tmp_path: Path, catalog: Catalog) -> None:
    happy = fits(catalog, "happy")
    seed = next(t for t in catalog.tracks if t.genre == "latin" and t.id in happy)
    result = run_recommend(tmp_path, "happy", "--offline", "--like", seed.url, "--limit", "5", "--json")
    assert result.returncode == 0, result.stderr
    ids = [str(r["id"]) for r in json_lines(result.stdout)]
    assert len(ids) == 5 and seed.id not in ids and set(ids) <= set(happy)
    for bad, why in (("nonsense", "not a Spotify track ID"), ("0" * 22, "does not know this track")):
        refused = run_recommend(tmp_path, "happy", "--offline", "--like", bad)
        assert why in one_error_line(refused)


# --- the genres setting -------------------------------------------------------------------------


def test_the_genres_setting_is_checked_and_stored_in_its_own_names() -> None:
    assert Settings().genres == []  # any genre by default
    assert Settings().replace(genres=["Rock", "rnb", "rock"]).genres == ["rock", "r&b"]
    with pytest.raises(SettingsError, match=r"'genres'.*'jazz'.*edm, latin"):
        Settings().replace(genres=["jazz"])
    settings, problems = settings_from_json({"genres": ["pop", 3]})
    assert settings.genres == [] and settings.unusable == {"genres": ["pop", 3]}
    assert problems and "genres" in problems[0]
    settings, problems = settings_from_json({"genres": "rock"})
    assert settings.genres == [] and problems


# --- Spotify: the genre: filter and the catalog's knowledge -------------------------------------


def spotify_recommender(server: FakeSpotify, token_dir: Path, seed: int = SEED) -> Recommender:
    client = SpotifyClient.as_app(server.credentials(CLIENT_ID, CLIENT_SECRET, timeout_s=5.0), token_dir)
    return Recommender(CatalogSession(load_catalog(), seed=seed), spotify=client)


def library(catalog: Catalog) -> list[FakeTrack]:
    """Ten happy catalog tracks (five rock, five pop) plus fake tracks Spotify files as rock or pop."""
    happy = fits(catalog, "happy")
    rock = [t for t in catalog.tracks if t.genre == "rock" and t.id in happy][:5]
    pop = [t for t in catalog.tracks if t.genre == "pop" and t.id in happy][:5]
    known = [FakeTrack(t.id, t.name, t.artists, (t.genre,)) for t in rock + pop]
    unknown = [
        FakeTrack(f.id, f.name, f.artists, ("rock",) if i % 2 else ("dance pop", "pop"))
        for i, f in enumerate(default_tracks(12))
    ]
    return known + unknown


def test_spotify_searches_carry_the_genre_filter_and_keep_to_the_genre(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalog: Catalog
) -> None:
    with FakeSpotify(library(catalog)) as server:
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        result = spotify_recommender(server, tmp_path).recommend("happy", 10, genres=("rock",))
        queries = [r.query["q"] for r in server.requests_to("/v1/search")]
    assert queries and all(q.endswith(' genre:"rock"') for q in queries)
    assert result.source == "spotify" and result.genres == ("rock",)
    rock_fakes = {f.id for f in library(catalog) if "rock" in f.genres}
    for track in result.tracks:
        known = catalog.get(track.id)
        assert (known is not None and known.genre == "rock") or track.id in rock_fakes
    assert sum(t.source == "spotify" for t in result.tracks) >= 5


def test_a_refused_filter_falls_back_to_the_catalogs_genres(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalog: Catalog
) -> None:
    with FakeSpotify(library(catalog)) as server:
        server.genre_filter = "refused"
        for name, value in server.env().items():
            monkeypatch.setenv(name, value)
        recommender = spotify_recommender(server, tmp_path)
        result = recommender.recommend("happy", 10, genres=("pop",))
        again = recommender.recommend("happy", 10, genres=("pop",))
        queries = [r.query["q"] for r in server.requests_to("/v1/search")]
    # One refused request, then unfiltered searches only (the refusal is remembered).
    assert sum("genre:" in q for q in queries) == 1 and len(queries) > 1
    assert all(t.genre == "pop" for t in result.tracks + again.tracks)
    spotify_ids = {t.id for t in result.tracks if t.source == "spotify"}
    assert spotify_ids and all(catalog.get(i) is not None for i in spotify_ids)  # unknown genre: left out
    assert len(result.tracks) == 10 and result.source == "spotify"


# --- more like this -----------------------------------------------------------------------------


def test_more_like_this_stays_in_the_mood_and_near_the_song(catalog: Catalog) -> None:
    session = CatalogSession(catalog, seed=SEED)
    happy = fits(catalog, "happy")
    # A rock song at the edge of the happy region: the mood's own list lies elsewhere.
    seed_track = max((t for t in catalog.tracks if t.genre == "rock" and t.id in happy), key=lambda t: happy[t.id])
    assert seed_track.features is not None
    like = session.more_like(seed_track, "happy", 10)
    assert len(like) == 10 and seed_track.id not in {t.id for t in like}
    assert {t.id for t in like} <= set(happy)
    artists = [a for t in like for a in t.artist_keys()]
    assert len(artists) == len(set(artists))
    # Same genre first: a different genre costs more than the whole spread of the nearest fits.
    assert all(t.genre == "rock" for t in like)

    def gap(t: Track) -> float:
        a, b = t.features, seed_track.features
        assert a is not None and b is not None
        return abs(a.valence - b.valence) + abs(a.energy - b.energy)

    plain = session.recommend("happy", 10, genres=("rock",))
    # Seeded: 0.09 from the song (valence + energy gap) against 0.38 for the plain happy rock list.
    assert np.mean([gap(t) for t in like]) < 0.5 * np.mean([gap(t) for t in plain])
    tempo = seed_track.features.tempo
    assert np.median([abs(t.features.tempo - tempo) for t in like if t.features]) < 15.0


def test_more_like_this_keeps_to_chosen_genres_and_skips_the_list_shown(catalog: Catalog) -> None:
    session = CatalogSession(catalog, seed=SEED)
    shown = session.recommend("sad", 10, genres=("r&b",))
    like = session.more_like(shown[0], "sad", 10, exclude=[t.id for t in shown], genres=("pop",))
    assert len(like) == 10 and all(t.genre == "pop" for t in like)
    assert not {t.id for t in like} & {t.id for t in shown}
    recommender = Recommender(CatalogSession(catalog, seed=SEED))
    answer = recommender.more_like(shown[0], "sad", 5)
    assert answer.like == shown[0] and len(answer.tracks) == 5 and "like" in answer.status


def test_more_like_a_song_without_features_gives_the_moods_list(catalog: Catalog) -> None:
    stranger = Track("0" * 22, "Unknown", ("Nobody",), "spotify")
    like = CatalogSession(catalog, seed=SEED).more_like(stranger, "fear", 10, genres=("rock",))
    assert len(like) == 10 and all(t.genre == "rock" for t in like)


# --- feedback rule 5: liked genres pull ---------------------------------------------------------


def test_liked_genres_pull_their_tracks_forward_within_the_mood(catalog: Catalog) -> None:
    pool = CatalogSession(catalog, seed=SEED).pool("happy")
    liked = [t for t in pool if t.genre == "rock"][:3] + [t for t in pool if t.genre == "pop"][:1]
    prefs = Preferences([Feedback.for_track(t, "like", "happy", float(i)) for i, t in enumerate(liked)])
    rules = prefs.snapshot()
    expected = {"pop": GENRE_PULL / 4, "rock": GENRE_PULL * 3 / 4}
    assert rules.genre_pull(catalog.tracks, "happy") == pytest.approx(expected)
    assert rules.genre_pull(catalog.tracks, "sad") == {}  # liked in happy only
    liked_ids = {t.id for t in liked}

    def rock_share(session: CatalogSession) -> float:
        # Pinned liked tracks left out, so the pull itself is measured.
        shown = [t for _ in range(10) for t in session.recommend("happy", 10) if t.id not in liked_ids]
        return sum(t.genre == "rock" for t in shown) / len(shown)

    plain = rock_share(CatalogSession(catalog, seed=SEED))
    pulled = rock_share(CatalogSession(catalog, seed=SEED, feedback=prefs))
    # Seeded: rock is 10.4% of ten plain happy lists and 20.2% once three rock songs are liked.
    assert plain > 0.05 and pulled > 1.6 * plain
    # Still the mood: every track shown is in the happy pool.
    session = CatalogSession(catalog, seed=SEED, feedback=prefs)
    pool_ids = {t.id for t in pool}
    assert all(t.id in pool_ids for _ in range(4) for t in session.recommend("happy", 10))


def test_a_like_without_a_mood_pulls_in_every_mood_and_draws_nothing(catalog: Catalog) -> None:
    track = next(t for t in catalog.tracks if t.genre == "latin")
    rules = FeedbackRules.from_records([Feedback.for_track(track, "like", None, 1.0)])
    for emotion in EMOTIONS:
        assert rules.genre_pull(catalog.tracks, emotion) == {"latin": GENRE_PULL}
    rng = np.random.default_rng(0)
    state = rng.bit_generator.state
    offsets = rules.score_offsets(catalog.tracks, "happy", rng)
    assert rng.bit_generator.state == state  # no region evidence: no draw
    latin = catalog.genre_mask(("latin",))
    assert np.all(offsets[latin] <= -GENRE_PULL + 1e-12)


# --- the journal: genres of the songs opened per mood ------------------------------------------


def test_the_journal_tells_the_genres_of_songs_opened_per_mood(catalog: Catalog) -> None:
    rock = [t for t in catalog.tracks if t.genre == "rock"][:2]
    pop = next(t for t in catalog.tracks if t.genre == "pop")
    stranger = "4uLU6hMCjMI75M1A2tKUQC"  # not in the catalog: "other"
    now = time.time()
    where = journal_path(Environment.from_os())
    with Journal.open(where) as book:
        segment = book.begin_segment("happy", "user", now - 60)
        book.update_segment(segment, now - 1, None)
        events = [(t.id, t.name, t.artists) for t in (*rock, rock[0], pop)] + [(stranger, "Never Gonna", ("Rick",))]
        book.add_songs(SongEvent(now - 30, i, n, a, "happy", "opened") for i, n, a in events)
    result = subprocess.run([sys.executable, "-m", "emotune", "journal"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Opened while happy (rock 3, other 1, pop 1): " in result.stdout
    report = read_report(where, None, None)
    assert report.opened_genres == {"happy": {"rock": 3, "other": 1, "pop": 1}}
