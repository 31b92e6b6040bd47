"""The Help window's guides for a newcomer: connecting Spotify step by step, and what music each
mood gets with "Match" and with "Lift" (in words, from the table in ``emotune.moods``).

Every control named in quotes is a label a person sees in the window or in Settings.
"""

from __future__ import annotations

from emotune.config import Settings

REDIRECT_URI = Settings().spotify_redirect_uri

SPOTIFY_STEPS = f"""\
Without an account, songs come from the catalog that comes with Emotune. To use your own
Spotify account (Premium, for the app's owner):

1. Open developer.spotify.com/dashboard in a browser and log in with your Spotify account.
2. Create an app. Any name and description will do; tick "Web API".
3. Add this redirect URI to the app, exactly: {REDIRECT_URI}
   (Spotify accepts http://127.0.0.1:PORT/… or http://[::1]:PORT/…, never "localhost".)
4. Save, and copy the app's Client ID: 32 letters and digits.
5. In Emotune, open “Settings”, paste it into “Client ID”, check that “Redirect URI” is the
   same as in step 3, and press “Sign in”. Your browser asks Spotify for your permission.
6. Back in Emotune, the status bar says "signed in": songs come from Spotify, and
   “Play on Spotify” and “Save as playlist” work. No client secret is needed."""

# In words, per mood: what "Match" plays, and what "Lift" plays (from where, to where).
MOOD_MUSIC: tuple[tuple[str, str, str], ...] = (
    ("angry", "loud, fast, tense songs", "from energetic, then calmer and warmer"),
    ("disgust", "dark songs with a groove", "from moderate, then lighter and brighter"),
    ("fear", "quiet, dark, acoustic songs", "from calm and acoustic, then gently brighter"),
    ("happy", "bright, energetic, danceable songs", "as Match"),
    ("neutral", "middle-of-the-road songs", "from middling, then a little brighter"),
    ("sad", "slow, sad, acoustic songs", "from slow and tender, then warmer and brighter"),
    ("surprise", "bright, lively songs", "as Match"),
)


def mood_music_text() -> str:
    rows = "\n".join(f"{mood:<10}{match:<38}{lift}" for mood, match, lift in MOOD_MUSIC)
    return (
        "“Match” plays songs that mirror the mood; “Lift” starts near the mood and moves the\n"
        "list gently towards brighter, calmer music (the iso principle of music therapy).\n\n"
        f"{'mood':<10}{'Match':<38}Lift\n{rows}\n\n"
        "“Genres” in the status bar narrows both to the genres you tick."
    )
