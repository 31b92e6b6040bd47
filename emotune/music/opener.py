"""Open a track in Spotify: the desktop app through the OS handler, else the web player.

``spotify:track:ID`` goes to the OS URL handler (``os.startfile`` on Windows, ``open`` on macOS,
``xdg-open`` elsewhere; the platform is an argument, this system's by default). On
Windows only when a ``spotify:`` handler is registered: without one, ``os.startfile`` raises
Windows' own "get an app to open this link" dialog instead of failing. If the handler fails,
or the user chose the browser (the effective setting ``open_with``, in which
``EMOTUNE_OPEN_WITH`` already won: see ``emotune.environment``),
``https://open.spotify.com/track/ID`` goes through ``webbrowser``. Both openers are
injectable, so tests record what was opened.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass

from emotune.choices import OpenWith
from emotune.errors import EmotuneError
from emotune.music.tracks import Track, is_track_id
from emotune.platforms import Platform, is_macos, is_windows, platform_of

Opener = Callable[[str], bool]
HandlerLookup = Callable[[str], bool]  # a URL scheme -> whether the OS has a handler for it
Starter = Callable[[str], None]
# xdg-open / open normally hand the URI over and exit at once; one that is still running after
# this long is taken as having launched something.
HANDLER_WAIT_S = 3.0
# AssocQueryStringW's flags and what to ask (shlwapi.h).
ASSOCF_INIT_IGNOREUNKNOWN = 0x400
ASSOCF_IS_PROTOCOL = 0x1000
ASSOCSTR_FRIENDLYAPPNAME = 4
SHELL_NAME_CHARS = 512


class OpenerError(EmotuneError):
    """Neither the Spotify app nor a browser could be started."""


@dataclass(frozen=True)
class Opened:
    """What was opened, and how."""

    how: OpenWith
    target: str


def os_handler(
    uri: str,
    platform: Platform | None = None,
    *,
    has_handler: HandlerLookup | None = None,
    starter: Starter | None = None,
) -> bool:
    """Hand ``uri`` to the OS URL handler; False when there is none or it reports failure.
    ``has_handler`` (does a handler for a URL scheme exist?) and ``starter`` (``os.startfile``)
    are Windows' and default to the real ones; tests pass their own to drive that branch."""
    platform = platform if platform is not None else platform_of()
    if is_windows(platform):
        scheme = uri.partition(":")[0]
        if not (has_handler or windows_has_url_handler)(scheme):
            return False
        try:
            (starter or _startfile)(uri)
        except OSError:
            return False
        return True
    command = "open" if is_macos(platform) else "xdg-open"
    if shutil.which(command) is None:
        return False
    try:
        process = subprocess.Popen(
            [command, uri], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
    except OSError:
        return False
    try:
        return process.wait(timeout=HANDLER_WAIT_S) == 0
    except subprocess.TimeoutExpired:
        return True


def windows_has_url_handler(scheme: str) -> bool:
    """Whether Windows has a handler for ``scheme:`` URLs: a key ``HKEY_CLASSES_ROOT\\<scheme>``
    (which the Spotify installer writes), or else an app the shell names for the scheme (the
    Microsoft Store's Spotify registers through its package, not that key)."""
    try:
        import winreg  # Windows only; this is only called there

        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, scheme):  # type: ignore[attr-defined,unused-ignore]
            return True
    except (ImportError, OSError):
        pass
    return bool(_shell_app_for_scheme(scheme))


def _shell_app_for_scheme(scheme: str) -> str:
    """The name of the app the Windows shell would start for ``scheme:`` URLs, "" for none (and
    off Windows). IGNOREUNKNOWN: without it the shell names its "pick an app" dialog."""
    try:
        import ctypes

        query = ctypes.windll.shlwapi.AssocQueryStringW  # type: ignore[attr-defined,unused-ignore]
    except (ImportError, AttributeError, OSError):
        return ""
    size = ctypes.c_uint32(SHELL_NAME_CHARS)
    name = ctypes.create_unicode_buffer(SHELL_NAME_CHARS)
    flags = ASSOCF_IS_PROTOCOL | ASSOCF_INIT_IGNOREUNKNOWN
    result = int(query(flags, ASSOCSTR_FRIENDLYAPPNAME, scheme, None, name, ctypes.byref(size)))
    return name.value.strip() if result == 0 else ""


def _startfile(uri: str) -> None:
    os.startfile(uri)  # type: ignore[attr-defined,unused-ignore]


def browser(url: str) -> bool:
    """Open ``url`` in the browser ``webbrowser`` picks (the user's ``BROWSER`` first). When that
    is xdg-open, its exit status is waited for, as ``os_handler`` does: ``webbrowser`` counts
    xdg-open as a success once it has started, so a handler that then fails (gio: "Operation not
    supported") would be reported as opened."""
    try:
        chosen = webbrowser.get()
    except webbrowser.Error:
        return False
    if isinstance(chosen, webbrowser.BackgroundBrowser) and os.path.basename(chosen.name) == "xdg-open":
        return os_handler(url, "linux")
    try:
        return bool(chosen.open(url))
    except webbrowser.Error:
        return False


def open_track(
    track: Track | str,
    open_with: OpenWith = "app",
    *,
    app_opener: Opener = os_handler,
    browser_opener: Opener = browser,
) -> Opened:
    """Open a track (or a track ID); returns what was opened, OpenerError if nothing could be."""
    track_id = track.id if isinstance(track, Track) else track
    if not is_track_id(track_id):
        raise OpenerError(f"cannot open {track_id!r}: not a Spotify track ID")
    uri, url = f"spotify:track:{track_id}", f"https://open.spotify.com/track/{track_id}"
    if open_with == "app" and app_opener(uri):
        return Opened("app", uri)
    if browser_opener(url):
        return Opened("browser", url)
    raise OpenerError(f"cannot open {url}: no Spotify app or web browser answered")
