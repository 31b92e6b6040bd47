"""``python -m emotune spotify login|logout|status`` and ``python -m emotune play EMOTION``.

- ``spotify login`` opens the browser (Python's ``webbrowser``, so ``BROWSER`` is honoured) at the
  accounts service's ``/authorize``, catches the redirect on the loopback address and port of
  ``SPOTIPY_REDIRECT_URI`` (default ``http://127.0.0.1:8765/callback``), stores the token in the
  config dir (mode 600) and prints one line naming the user.
- ``spotify logout`` deletes the stored sign-in; ``spotify status`` says who is signed in and
  until about when (exit 0), or that nobody is (exit 1).
- ``play EMOTION [--limit N] [--device NAME] [--json]`` starts that mood's songs on the active
  Spotify device and prints them as ``recommend`` does (one JSON object per line with ``--json``).

Bad input and refused actions (no active device, no Premium, not signed in) raise an
``EmotuneError``: the entry point prints its one line and exits 2. Spotipy and requests are
imported only when a handler runs, so registering the parsers costs ``--help`` nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
import time
import webbrowser
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from emotune.environment import Environment
from emotune.errors import EmotuneError, ExitStatus
from emotune.labels import EMOTIONS
from emotune.text import printable

if TYPE_CHECKING:
    from emotune.music.spotify import Credentials

MAX_LIMIT = 50
# What part of ``play``'s network budget finding the songs may use; the play request has the rest.
SEARCH_SHARE = 0.6
DEFAULT_LOGIN_TIMEOUT_S = 300.0


class SpotifyCommandError(EmotuneError):
    """A bad argument to ``spotify`` or ``play``, or an action Spotify cannot do now."""


def add_spotify_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``spotify login|logout|status`` and ``play`` on ``parser.add_subparsers()``'s result.

    Each parser sets ``handler`` (a function of the parsed arguments and the ``Environment``
    returning the exit status).
    """
    spotify = commands.add_parser("spotify", help="sign in to Spotify, sign out, or show who is signed in")
    actions = spotify.add_subparsers(dest="spotify_action", metavar="ACTION", required=True)
    login = actions.add_parser("login", help="sign in through the browser (PKCE, no secret)")
    login.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_LOGIN_TIMEOUT_S,
        metavar="S",
        help=f"seconds to wait for the browser sign-in (default {DEFAULT_LOGIN_TIMEOUT_S:g})",
    )
    login.set_defaults(handler=login_command)
    actions.add_parser("logout", help="forget the stored Spotify sign-in").set_defaults(handler=logout_command)
    actions.add_parser("status", help="who is signed in (exit 1: nobody)").set_defaults(handler=status_command)

    play = commands.add_parser("play", help="play songs for an emotion on your active Spotify device (Premium)")
    play.add_argument("emotion", metavar="EMOTION", help=", ".join(EMOTIONS))
    play.add_argument("--limit", type=int, default=10, metavar="N", help=f"how many songs, 1 to {MAX_LIMIT}")
    play.add_argument("--device", metavar="NAME", help="play on this device (name or ID) instead of the active one")
    play.add_argument("--json", action="store_true", help="one JSON object per track, as recommend prints")
    play.set_defaults(handler=play_command)


def run(args: argparse.Namespace, env: Environment) -> int:
    """Run the handler ``add_spotify_parsers`` attached, with warnings as ``emotune: ...`` lines."""
    with _warnings_on_stderr():
        return int(args.handler(args, env))


def main(argv: Sequence[str] | None = None) -> int:
    """These commands on their own (``python -m emotune.music.spotify_cli spotify status``)."""
    parser = argparse.ArgumentParser(prog="emotune")
    add_spotify_parsers(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    try:
        return run(args, Environment.from_os())  # an entry point: the environment is read here
    except EmotuneError as exc:
        print(f"emotune: {printable(str(exc))}", file=sys.stderr)
        return int(ExitStatus.BAD_INPUT)
    except KeyboardInterrupt:
        return int(ExitStatus.INTERRUPTED)


@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    # A set-aside token cache or an unwritable config dir warns through logging. The command line
    # configures no logging, so Python would print the bare message (or, under another handler,
    # nothing on stderr): for the run, Emotune's warnings get the CLI's "emotune: " prefix.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("emotune: %(message)s"))
    handler.setLevel(logging.WARNING)
    logger = logging.getLogger("emotune")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


def _settings_and_dir(env: Environment) -> tuple[Credentials, Any, Any]:
    from emotune import config
    from emotune.music.spotify import Credentials

    settings = config.effective_settings(config.SettingsStore(env.config_dir).load(), env)
    return Credentials.from_settings(settings, env), settings, env.config_dir


# --- spotify login | logout | status ------------------------------------------------------------


def login_command(args: argparse.Namespace, env: Environment) -> int:
    from emotune.music.spotify import sign_in, sign_in_is_saved

    timeout_s = float(args.timeout)
    if not 0 < timeout_s <= 3600:
        raise SpotifyCommandError(f"--timeout {args.timeout}: must be between 0 and 3600 seconds")
    credentials, _, token_dir = _settings_and_dir(env)
    profile = sign_in(credentials, token_dir, open_url=_open_in_browser, timeout_s=timeout_s)
    print(f"Signed in to Spotify as {_who(profile)}")
    if not sign_in_is_saved(token_dir):
        # The warning above said why; the sign-in ends with this process.
        print("emotune: the sign-in was not saved: sign in again next time", file=sys.stderr)
        return int(ExitStatus.FAILED)
    return int(ExitStatus.OK)


def _open_in_browser(url: str) -> bool:
    opened = webbrowser.open(url)
    if not opened:
        print(f"emotune: open this address in a browser to sign in to Spotify: {url}", file=sys.stderr)
    return opened


def _who(profile: dict[str, str]) -> str:
    name, user_id = printable(str(profile.get("display_name") or "")), printable(str(profile.get("id") or ""))
    return f"{name} ({user_id})" if name and name != user_id else user_id


def logout_command(args: argparse.Namespace, env: Environment) -> int:
    from emotune.music.spotify import is_signed_in, sign_out, user_token_path

    token_dir = env.config_dir
    had_sign_in = is_signed_in(token_dir) or user_token_path(token_dir).exists()
    sign_out(token_dir)
    print("Signed out of Spotify" if had_sign_in else "Not signed in to Spotify")
    return int(ExitStatus.OK)


def status_command(args: argparse.Namespace, env: Environment) -> int:
    from emotune.music.spotify import (
        SpotifyClient,
        SpotifyError,
        SpotifySignInExpiredError,
        command_deadline,
        is_signed_in,
        sign_in_expires_at,
    )

    credentials, _, token_dir = _settings_and_dir(env)
    if not is_signed_in(token_dir):
        print("Not signed in to Spotify (sign in with: emotune spotify login)")
        return int(ExitStatus.FAILED)
    expires_at = sign_in_expires_at(token_dir)
    until = f"; the sign-in lasts until about {time.strftime('%Y-%m-%d', time.localtime(expires_at))}"
    until = until if expires_at is not None else ""
    try:
        with command_deadline(credentials.timeout_s):
            profile = SpotifyClient.as_user(credentials, token_dir).current_user()
    except SpotifySignInExpiredError as exc:
        print(str(exc))
        return int(ExitStatus.FAILED)
    except SpotifyError as exc:
        print(f"Signed in to Spotify{until} (cannot check now: {exc})")
        return int(ExitStatus.OK)
    print(f"Signed in to Spotify as {_who(profile)}{until}")
    return int(ExitStatus.OK)


# --- play EMOTION ---------------------------------------------------------------------------------


def play_command(args: argparse.Namespace, env: Environment) -> int:
    from emotune.music.playback import track_uris
    from emotune.music.spotify import command_deadline, is_signed_in

    emotion = str(args.emotion).strip().lower()
    if emotion not in EMOTIONS:
        raise SpotifyCommandError(f"unknown emotion {args.emotion!r}; valid emotions: {', '.join(EMOTIONS)}")
    limit = int(args.limit)
    if not 1 <= limit <= MAX_LIMIT:
        raise SpotifyCommandError(f"--limit {limit}: must be between 1 and {MAX_LIMIT}")
    credentials, settings, token_dir = _settings_and_dir(env)
    if not is_signed_in(token_dir):
        raise SpotifyCommandError("not signed in to Spotify: sign in first with: emotune spotify login")
    # One budget for the whole command (the network timeout, 5 s at most), not one per exchange;
    # finding the songs may spend only SEARCH_SHARE of it, so that a slow search falls back to
    # the catalog in time for the play request to have the rest, which it then always gets.
    total_s = credentials.timeout_s
    ends_at = time.monotonic() + total_s
    with command_deadline(total_s * SEARCH_SHARE):
        player, device_id, result, notes = _choose(args, env, emotion, limit, credentials, settings, token_dir)
    with command_deadline(max(0.0, ends_at - time.monotonic())):
        woken = player.play(track_uris(result.tracks), device_id=device_id)
    # Said only now: had playing failed, its one line would have been the one that mattered (a
    # fault seen by the search and then by the play request is one fault, told once).
    for note in notes:
        print(f"emotune: {note}", file=sys.stderr)
    if woken is not None:
        print(f"emotune: started on {woken.name}", file=sys.stderr)
    for track in result.tracks:
        print(track.json_line() if args.json else track.text_line())
    return int(ExitStatus.OK)


def _choose(
    args: argparse.Namespace,
    env: Environment,
    emotion: str,
    limit: int,
    credentials: Any,
    settings: Any,
    token_dir: Any,
) -> tuple[Any, str | None, Any, list[str]]:
    """(player, device ID or None, the songs, notes on a fallback to the catalog) for ``play``."""
    from emotune import moods
    from emotune.music.feedback_cli import stored_preferences
    from emotune.music.playback import SpotifyPlayer
    from emotune.music.service import build_music

    player = SpotifyPlayer.as_user(credentials, token_dir)
    device_id = _device_id(player, args.device) if args.device else None

    # The music side `recommend` uses, so `play` plays what `recommend` would list.
    music = build_music(settings, env, offline=False, feedback=stored_preferences(env))
    notes: list[str] = []
    if music.account.kind == "catalog" and music.account.reason:
        notes.append(f"{music.account.reason}; using the bundled catalog")
    strategy = moods.check_strategy(settings.music_strategy)
    result = music.recommender.recommend(emotion, limit, strategy, genres=tuple(getattr(args, "genres", ())))
    if music.spotify is not None and result.source == "catalog":
        notes.append(str(result.status))
    return player, device_id, result, notes


def _device_id(player: Any, wanted: str) -> str:
    devices = player.devices()
    for device in devices:
        if device.id is not None and wanted.strip().casefold() in (device.name.casefold(), device.id.casefold()):
            return str(device.id)
    known = ", ".join(d.name for d in devices if d.id is not None) or "none: open Spotify on a phone or computer"
    raise SpotifyCommandError(f"no Spotify device called {wanted!r}; devices: {known}")


if __name__ == "__main__":
    sys.exit(main())
