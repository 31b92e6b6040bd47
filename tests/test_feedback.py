"""Song feedback rules (emotune.music.feedback) and how the catalog and the recommender apply them.

Every random draw comes from a fixed seed, so each number asserted here is reproducible.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emotune.labels import EMOTIONS
from emotune.music.catalog import Catalog, CatalogSession, load_catalog
from emotune.music.feedback import (
    ARTIST_BOOST,
    LIKED_EVERY,
    REGION_WEIGHT,
    Feedback,
    FeedbackRules,
    Preferences,
    Verdict,
    check_verdict,
    max_pinned,
    region_of,
)
from emotune.music.recommender import Recommender
from emotune.music.spotify import SpotifyClient
from emotune.music.tracks import Features, Track
from tests.support.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, fake_id

SEED = 7


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def verdict_on(track: Track, verdict: Verdict, mood: str | None = None, at: float = 1000.0) -> Feedback:
    return Feedback.for_track(track, verdict, mood, at)


def track(number: int, artist: str = "Artist", valence: float = 0.5, energy: float = 0.5) -> Track:
    return Track(fake_id("t", number), f"Song {number}", (artist,), "catalog", Features(valence, energy, 0.5, 0.5, 120))


def lists(session: CatalogSession, emotion: str, count: int, limit: int = 10) -> list[tuple[Track, ...]]:
    return [session.recommend(emotion, limit) for _ in range(count)]


# --- the rules on their own ---------------------------------------------------------------------


def test_the_newest_verdict_per_track_wins_and_blocks_what_it_should() -> None:
    a, b, c = track(1, "Alpha"), track(2, "Beta"), track(3, "Gamma")
    by_beta = track(4, "beta ")  # same artist, other spelling: artist keys are case-folded and stripped
    rules = FeedbackRules.from_records(
        [
            verdict_on(a, "dislike", at=2.0),
            verdict_on(a, "like", at=1.0),  # older: the dislike stands
            verdict_on(b, "never_artist", at=1.0),
            verdict_on(c, "like", "happy", at=1.0),
        ]
    )
    assert rules.verdict(a.id) == "dislike" and rules.verdict(c.id) == "like" and rules.verdict(fake_id("t", 9)) is None
    assert not rules.allows(a) and not rules.allows(b) and not rules.allows(by_beta)
    assert rules.allows(c) and rules.filter([a, b, c, by_beta]) == (c,)
    assert dict(rules.liked) == {c.id: 1.0}
    never = FeedbackRules.from_records([verdict_on(a, "never_track")])
    assert not never.allows(a) and never.allows(track(5, "Alpha"))  # the track, not its artist


def test_verdicts_are_checked_and_pins_never_fill_a_list() -> None:
    assert check_verdict("never_artist") == "never_artist"
    with pytest.raises(ValueError, match="maybe"):
        check_verdict("maybe")
    assert [max_pinned(n) for n in (1, 2, 3, 6, 10, 20)] == [0, 1, 1, 2, 3, 5]
    assert all(max_pinned(n) < n for n in range(1, 51))


def test_preferences_are_live_and_snapshots_immutable() -> None:
    prefs = Preferences([verdict_on(track(1), "like")])
    before = prefs.snapshot()
    prefs.record(verdict_on(track(1), "dislike", at=2000.0))
    assert before.verdict(track(1).id) == "like"
    assert prefs.verdict(track(1).id) == "dislike" and not prefs.snapshot().allows(track(1))
    prefs.clear(track(1).id)
    assert prefs.verdict(track(1).id) is None and prefs.snapshot().allows(track(1)) and not prefs.records()


def test_regions_learn_per_mood_by_thompson_sampling_with_exploration_kept() -> None:
    liked = [track(n, f"L{n}", valence=0.9, energy=0.9) for n in range(3)]
    disliked = track(10, "D", valence=0.1, energy=0.1)
    rules = FeedbackRules.from_records(
        [*(verdict_on(t, "like", "happy") for t in liked), verdict_on(disliked, "dislike", "happy")]
    )
    assert rules.evidence["happy"] == {(4, 4): (3, 0), (0, 0): (0, 1)}
    assert "sad" not in rules.evidence  # per mood: happy likes teach nothing about sad lists
    rng = np.random.default_rng(SEED)
    draws = [rules.sample_region_boosts("happy", rng) for _ in range(1000)]
    good = np.array([d[(4, 4)] for d in draws])
    bad = np.array([d[(0, 0)] for d in draws])
    assert np.all(np.abs(good) <= REGION_WEIGHT) and np.all(np.abs(bad) <= REGION_WEIGHT)
    # Beta(4, 1) for three likes: mean theta 0.8, so the boost is mostly positive...
    assert 0.9 < float(np.mean(good > 0)) < 1.0
    # ...and Beta(1, 2) for one dislike mostly negative, yet a quarter of draws still favour it.
    assert 0.15 < float(np.mean(bad > 0)) < 0.35
    assert float(np.mean(good)) == pytest.approx(REGION_WEIGHT * 0.6, abs=0.003)
    assert rules.sample_region_boosts("sad", rng) == {}


def test_feedback_without_mood_or_features_teaches_no_region_and_costs_no_draws() -> None:
    spotify_only = Track(fake_id("s", 1), "Live", ("Band",), "spotify")
    rules = FeedbackRules.from_records(
        [verdict_on(spotify_only, "like", "happy"), verdict_on(track(1, "Solo"), "like", None)]
    )
    assert rules.evidence == {}
    rng = np.random.default_rng(SEED)
    state = rng.bit_generator.state
    tracks = [track(1, "Solo"), track(2, "solo"), track(3, "Band"), track(4, "Other")]
    offsets = rules.score_offsets(tracks, "sad", rng)
    assert rng.bit_generator.state == state  # nothing drawn: a seeded session's lists stay as they were
    # Liked artists: "Solo" liked without a mood counts in every mood; "Band" was liked in happy only.
    assert offsets.tolist() == [-ARTIST_BOOST, -ARTIST_BOOST, 0.0, 0.0]
    assert rules.score_offsets(tracks, "happy", rng).tolist() == [-ARTIST_BOOST, -ARTIST_BOOST, -ARTIST_BOOST, 0.0]


def test_region_of_clamps_and_cuts_five_ways() -> None:
    assert region_of(0.0, 0.0) == (0, 0) and region_of(1.0, 1.0) == (4, 4)
    assert region_of(0.39, 0.41) == (1, 2) and region_of(-0.2, 1.3) == (0, 4)


# --- the catalog session applies them -----------------------------------------------------------


def test_without_feedback_or_with_empty_feedback_lists_are_unchanged(catalog: Catalog) -> None:
    plain = CatalogSession(catalog, seed=SEED)
    empty = CatalogSession(catalog, seed=SEED, feedback=Preferences())
    for emotion in ("happy", "sad", "angry"):
        assert lists(plain, emotion, 3) == lists(empty, emotion, 3)


def test_a_disliked_track_never_returns_in_any_mood(catalog: Catalog) -> None:
    first = CatalogSession(catalog, seed=SEED).recommend("happy", 10)
    disliked = first[0]
    prefs = Preferences([verdict_on(disliked, "dislike", "happy")])
    # A new session (the next start) and 25 lists: more than the 200-track pool holds, so it cycles.
    session = CatalogSession(catalog, seed=SEED, feedback=prefs)
    for emotion in EMOTIONS:
        for shown in lists(session, emotion, 25 if emotion == "happy" else 3):
            assert disliked.id not in {t.id for t in shown}
    # In a running session: disliked while on screen, absent from every list after.
    live_prefs = Preferences()
    live = CatalogSession(catalog, seed=SEED, feedback=live_prefs)
    on_screen = live.recommend("happy", 10)
    assert on_screen == first
    live_prefs.record(verdict_on(on_screen[3], "dislike", "happy"))
    assert all(on_screen[3].id not in {t.id for t in shown} for shown in lists(live, "happy", 25))


def test_never_again_for_an_artist_removes_all_their_tracks(catalog: Catalog) -> None:
    counts: dict[str, int] = {}
    for t in catalog.tracks:
        for key in t.artist_keys():
            counts[key] = counts.get(key, 0) + 1
    pool = CatalogSession(catalog, seed=SEED).pool("sad")
    prolific = max((t for t in pool), key=lambda t: max(counts[k] for k in t.artist_keys()))
    banned = prolific.artist_keys()
    assert max(counts[k] for k in banned) >= 3  # an artist with several catalog tracks
    session = CatalogSession(catalog, seed=SEED, feedback=Preferences([verdict_on(prolific, "never_artist")]))
    for emotion in EMOTIONS:
        for shown in lists(session, emotion, 5):
            assert not any(t.artist_keys() & banned for t in shown)


def test_a_liked_track_that_fits_the_mood_is_in_its_next_list_of_ten(catalog: Catalog) -> None:
    pool = CatalogSession(catalog, seed=SEED).pool("happy")
    favourite = pool[-1]  # fits happy, but the farthest of its pool: rarely shown on its own
    never_pinned = CatalogSession(catalog, seed=SEED)
    assert all(favourite not in shown for shown in lists(never_pinned, "happy", 5))

    # Next start (a fresh session): the first list has it, at the top.
    session = CatalogSession(catalog, seed=SEED, feedback=Preferences([verdict_on(favourite, "like", "happy")]))
    first = session.recommend("happy", 10)
    assert len(first) == 10 and first[0] == favourite
    # It then comes back every LIKED_EVERY lists, long before the 200-track pool cycles.
    following = lists(session, "happy", 2 * LIKED_EVERY)
    seen_in = [i + 2 for i, shown in enumerate(following) if favourite in shown]
    assert seen_in == [1 + LIKED_EVERY, 1 + 2 * LIKED_EVERY]

    # In a running session: liked while on screen, it is in the very next list too.
    prefs = Preferences()
    live = CatalogSession(catalog, seed=SEED, feedback=prefs)
    on_screen = live.recommend("happy", 10)
    prefs.record(verdict_on(on_screen[-1], "like", "happy", at=2000.0))
    assert on_screen[-1] in live.recommend("happy", 10)


def test_a_liked_track_only_returns_in_moods_it_fits(catalog: Catalog) -> None:
    sad_song = CatalogSession(catalog, seed=SEED).pool("sad")[0]
    session = CatalogSession(catalog, seed=SEED, feedback=Preferences([verdict_on(sad_song, "like", "sad")]))
    assert all(sad_song not in shown for shown in lists(session, "happy", 5))
    assert sad_song in session.recommend("sad", 10)


def test_many_likes_pin_at_most_a_quarter_of_a_list_and_take_turns(catalog: Catalog) -> None:
    pool = CatalogSession(catalog, seed=SEED).pool("neutral")
    liked: list[Track] = []
    for candidate in pool[::-1]:  # distinct artists, so every one could be pinned
        if not any(candidate.artist_keys() & t.artist_keys() for t in liked):
            liked.append(candidate)
        if len(liked) == 8:
            break
    prefs = Preferences([verdict_on(t, "like", "neutral", at=1000.0 + i) for i, t in enumerate(liked)])
    session = CatalogSession(catalog, seed=SEED, feedback=prefs)
    shown = lists(session, "neutral", 3)
    # The pinned head of each list: never more than max_pinned(10) = 3, newest likes first.
    assert shown[0][:3] == (liked[7], liked[6], liked[5]) and shown[0][3] not in liked
    assert shown[1][:3] == (liked[4], liked[3], liked[2]) and shown[1][3] not in liked
    assert shown[2][:2] == (liked[1], liked[0])
    assert all(len(one) == 10 for one in shown)
    for one in shown:
        artists = [k for t in one for k in t.artist_keys()]
        assert len(artists) == len(set(artists))  # still one track per artist


def test_liked_regions_get_a_gentle_boost_within_the_mood(catalog: Catalog) -> None:
    pool = CatalogSession(catalog, seed=SEED).pool("happy")

    def region(t: Track) -> tuple[int, int]:
        assert t.features is not None
        return region_of(t.features.valence, t.features.energy)

    target = (3, 3)  # the less bright corner of the happy pool
    in_target = [t for t in pool if region(t) == target]
    prefs = Preferences([verdict_on(t, "like", "happy", at=float(i)) for i, t in enumerate(in_target[:4])])
    prefs.record(verdict_on(next(t for t in pool if region(t) == (4, 4)), "dislike", "happy", at=10.0))

    def share(session: CatalogSession) -> float:
        shown = [t for one in lists(session, "happy", 8) for t in one]
        return sum(region(t) == target for t in shown) / len(shown)

    liked_ids = {t.id for t in in_target[:4]}
    # Count only tracks that were not pinned, so the boost itself is measured.
    boosted = CatalogSession(catalog, seed=SEED, feedback=prefs)
    boosted_lists = [[t for t in one if t.id not in liked_ids] for one in lists(boosted, "happy", 8)]
    boosted_share = sum(region(t) == target for one in boosted_lists for t in one) / sum(map(len, boosted_lists))
    plain_share = share(CatalogSession(catalog, seed=SEED))
    # Seeded: 6.3% of plain lists and 10.4% of boosted ones (pins left out) lie in the liked corner.
    assert plain_share > 0.0 and boosted_share > 1.5 * plain_share
    # Gentle: every track still comes from the happy pool (feedback reorders, never brings in misfits).
    pool_ids = {t.id for t in pool}
    assert all(t.id in pool_ids for one in boosted_lists for t in one)


# --- the recommender: Spotify results and cached lists -------------------------------------------


def spotify_client(server: FakeSpotify, token_dir: Path) -> SpotifyClient:
    return SpotifyClient.as_app(server.credentials(CLIENT_ID, CLIENT_SECRET, timeout_s=5.0), token_dir)


def test_spotify_results_drop_disliked_tracks_and_artists(fake: FakeSpotify, tmp_path: Path) -> None:
    first = Recommender(CatalogSession(load_catalog(), seed=1), spotify=spotify_client(fake, tmp_path)).recommend(
        "happy", 10
    )
    assert first.source == "spotify" and all(t.source == "spotify" for t in first.tracks)
    disliked, banned = first.tracks[0], first.tracks[1]
    prefs = Preferences([verdict_on(disliked, "dislike", "happy"), verdict_on(banned, "never_artist", "happy")])
    rec = Recommender(CatalogSession(load_catalog(), seed=1), spotify=spotify_client(fake, tmp_path), feedback=prefs)
    again = rec.recommend("happy", 10)
    ids = {t.id for t in again.tracks}
    assert disliked.id not in ids and not any(t.artist_keys() & banned.artist_keys() for t in again.tracks)
    assert len(again.tracks) == 10 and first.tracks[2].id in ids  # the others are still found


def test_spotify_lists_start_with_a_due_liked_catalog_track(fake: FakeSpotify, tmp_path: Path) -> None:
    favourite = CatalogSession(load_catalog(), seed=1).pool("happy")[-1]
    prefs = Preferences([verdict_on(favourite, "like", "happy")])
    rec = Recommender(CatalogSession(load_catalog(), seed=1, feedback=prefs), spotify=spotify_client(fake, tmp_path))
    result = rec.recommend("happy", 10)
    assert result.tracks[0] == favourite and len(result.tracks) == 10
    assert [t.source for t in result.tracks].count("spotify") == 9
    assert favourite not in rec.recommend("happy", 10).tracks  # not again in the very next list


def test_the_offline_catalog_honours_dislikes(fake: FakeSpotify, tmp_path: Path) -> None:
    prefs = Preferences()
    session = CatalogSession(load_catalog(), seed=1, feedback=prefs)
    rec = Recommender(session, spotify=spotify_client(fake, tmp_path))  # feedback taken from the session
    offline_first = CatalogSession(load_catalog(), seed=1).recommend("sad", 10)[0]
    prefs.record(verdict_on(offline_first, "dislike", "sad", at=2000.0))
    assert offline_first not in rec.recommend("sad", 10, offline=True).tracks
