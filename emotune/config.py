"""User settings: one frozen dataclass, stored as JSON in the per-user config folder.

Where: the folder the caller passes, the ``Environment``'s ``config_dir`` in the app
(``platformdirs.user_config_dir("emotune")``, or ``EMOTUNE_CONFIG_DIR`` for tests and portable
installs). This module reads no environment variable itself: the ``Environment`` is passed in.

Loading never fails: a missing file gives the defaults; a corrupt or unreadable file, or a bad
value, gives a warning (logged, and kept in ``SettingsStore.warnings`` for the GUI to show) and
the default for what could not be read. Corrupt means anything that stops the file decoding to
a JSON object: not UTF-8 (a UTF-8 byte order mark is fine), not JSON, nested too deeply, larger
than ``emotune.files.MAX_JSON_FILE_BYTES``. A corrupt file is never overwritten silently: the next save first
sets it aside as ``settings.json.damaged-<time>`` (``emotune.files.set_aside``) and says so.
Every field is checked at load, so no value of the wrong type reaches the window: its type (the
items of a list too), its range, a list's length, a window geometry Tk can take. A warning quotes
at most ``QUOTE_LIMIT`` characters of a bad value. A
value that cannot be used (the wrong type, out of range) is kept verbatim under its key when
settings are saved, until the user sets that setting again (``Settings.unusable``), so a hand
edit with a typo is never lost. Writes are atomic (temporary file + ``os.replace``) with mode
600, because the file may hold a Spotify client secret the user put there. Keys this version
does not know are kept on save, so an older version does not erase a newer one's settings. New
fields are added to ``Settings`` with a default; nothing else needs to change.

Environment overrides (read by ``emotune.environment``, applied by ``effective_settings(stored,
env)``, never written back to the file): ``SPOTIPY_CLIENT_ID``, ``SPOTIPY_CLIENT_SECRET``,
``SPOTIPY_REDIRECT_URI``, ``EMOTUNE_OPEN_WITH`` (app | browser), ``EMOTUNE_MUSIC_STRATEGY``
(match | lift).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import reprlib
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emotune import moods
from emotune.choices import Detector, OpenWith, Pace, Strategy, Theme
from emotune.environment import Environment
from emotune.errors import EmotuneError, one_line
from emotune.files import DamagedFileError, atomic_write_text, read_json_file, set_aside

log = logging.getLogger(__name__)

SETTINGS_FILE = "settings.json"


class SettingsError(EmotuneError):
    """A settings value is invalid (the message names the key and the problem)."""


@dataclass(frozen=True)
class Settings:
    """Everything the user can set. A ``Literal`` type lists the allowed strings; field metadata
    ``range`` bounds a number."""

    music_strategy: Strategy = "match"
    open_with: OpenWith = "app"
    # Overrides of the emotion -> target table in emotune.moods (format documented there).
    mood_targets: dict[str, Any] = field(default_factory=dict)
    spotify_client_id: str = ""
    # repr=False: a secret never shows up in logs or tracebacks that print settings.
    spotify_client_secret: str = field(default="", repr=False)
    spotify_redirect_uri: str = "http://127.0.0.1:8765/callback"
    spotify_market: str = ""
    network_timeout_s: float = field(default=5.0, metadata={"range": (0.1, 5.0)})
    # The desktop app (emotune.gui). Window geometry is Tk's "WxH+X+Y"; empty means "let Tk decide".
    window_geometry: str = ""
    # Maximised when it closed; window_geometry then holds the size it un-maximises to.
    window_zoomed: bool = False
    theme: Theme = "light"
    mirror: bool = True  # show the camera as a mirror, as people expect of a selfie view
    detector: Detector = "yunet"
    # The face reading's smoothing (time constant of the score average, for the bars), and how
    # quickly the music mood follows the face (emotune.vision.music_mood).
    mood_smoothing_s: float = field(default=0.5, metadata={"range": (0.0, 5.0)})
    music_pace: Pace = "normally"
    last_source: str = ""  # the SOURCE the app last showed; empty means camera 0
    # The last files shown, newest first (the app keeps five; a menu of thousands is damage).
    recent_sources: list[str] = field(default_factory=list, metadata={"max_items": 20})
    playlist_length: int = field(default=10, metadata={"range": (1, 50)})
    # The genres the song lists keep to (names from moods.GENRES); empty: any genre.
    genres: list[str] = field(default_factory=list, metadata={"max_items": 100})
    # Record music moods and songs in the local journal (emotune.journal); off keeps what is there.
    journal_enabled: bool = True
    # "Find out what helps me": Match or Lift drawn at random for low moods (controller.fair_trial).
    find_what_helps: bool = False
    # Whose face profile reads faces (a file in <config dir>/profiles, emotune.vision.profile);
    # empty: the plain model. Set from the window's "Your face" menu.
    profile_name: str = ""
    # Keys from the file this version does not know, kept so that saving does not drop them.
    extra: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    # Values from the file that could not be used (their field holds the default meanwhile),
    # written back verbatim by to_json until the setting is changed with replace().
    unusable: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied and checked (SettingsError on a bad value)."""
        changes = {name: _check_value(_field(name), value) for name, value in changes.items()}
        unusable = {name: value for name, value in self.unusable.items() if name not in changes}
        return dataclasses.replace(self, **changes, unusable=unusable)

    def to_json(self) -> dict[str, Any]:
        data = dict(self.extra)
        for f in dataclasses.fields(self):
            if f.name not in _NOT_SETTINGS:
                data[f.name] = self.unusable[f.name] if f.name in self.unusable else getattr(self, f.name)
        return data


_NOT_SETTINGS = frozenset({"extra", "unusable"})  # Settings fields that hold file bookkeeping


_HINTS: dict[str, Any] = typing.get_type_hints(Settings)


def _field(name: str) -> dataclasses.Field[Any]:
    for f in dataclasses.fields(Settings):
        if f.name == name and name not in _NOT_SETTINGS:
            return f
    raise SettingsError(f"unknown setting {name!r}")


def _check_value(f: dataclasses.Field[Any], value: Any) -> Any:
    """The value converted to the field's type, or SettingsError saying what is wrong."""
    hint = _HINTS[f.name]
    choices: tuple[str, ...] = typing.get_args(hint) if typing.get_origin(hint) is typing.Literal else ()
    expected = str if choices else typing.get_origin(hint) or hint
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    shown = "a hidden value" if not f.repr else quoted(value)  # never echo a secret
    if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
        raise SettingsError(f"setting {f.name!r}: expected {expected.__name__}, got {shown}")
    if choices and value not in choices:
        raise SettingsError(f"setting {f.name!r}: {shown} is not one of {', '.join(choices)}")
    bounds = f.metadata.get("range")
    if bounds and not bounds[0] <= value <= bounds[1]:
        raise SettingsError(f"setting {f.name!r}: {shown} is outside {bounds[0]}..{bounds[1]}")
    if expected is list:
        most = f.metadata.get("max_items")
        if most is not None and len(value) > most:
            raise SettingsError(f"setting {f.name!r}: {len(value)} items, more than {most}")
        if typing.get_args(hint) == (str,) and not all(isinstance(item, str) for item in value):
            raise SettingsError(f"setting {f.name!r}: expected a list of text, got {shown}")
    if f.name == "window_geometry" and value and not _tk_geometry(value):
        raise SettingsError(
            f"setting 'window_geometry': {shown} is not a window size and place like 800x600+40+30 "
            "(sizes 1 to 32767, places under 32768)"
        )
    if f.name == "genres":
        for item in value:  # one by one, so that the warning quotes the bad one cut short
            try:
                moods.check_genres([item])
            except EmotuneError:
                valid = ", ".join(moods.GENRES)
                raise SettingsError(f"setting 'genres': unknown genre {quoted(item)}; valid genres: {valid}") from None
        value = list(moods.check_genres(value))
    if f.name == "mood_targets":
        try:
            moods.parse_overrides(value)
        except EmotuneError as exc:
            raise SettingsError(f"setting 'mood_targets': {one_line(exc, MESSAGE_LIMIT)}") from None
    return value


# Tk's "WxH+X+Y" (X or Y may be written +-5, or -5 from the right or bottom edge). Tk keeps sizes
# and places in 16 bits: larger numbers stop the window or wrap around.
_GEOMETRY = re.compile(r"(\d{1,5})x(\d{1,5})[+-]-?(\d{1,5})[+-]-?(\d{1,5})")
_TK_LARGEST = 32767


def _tk_geometry(text: str) -> bool:
    match = _GEOMETRY.fullmatch(text)
    if match is None:
        return False
    width, height, x, y = (int(part) for part in match.groups())
    return 1 <= width <= _TK_LARGEST and 1 <= height <= _TK_LARGEST and x <= _TK_LARGEST and y <= _TK_LARGEST


# A warning quotes at most this much of a bad value: a damaged file can hold megabytes in one.
QUOTE_LIMIT = 80
MESSAGE_LIMIT = 160
_short = reprlib.Repr()
_short.maxstring = _short.maxother = QUOTE_LIMIT
_short.maxlist = _short.maxdict = 8


def quoted(value: object) -> str:
    """``repr(value)`` cut to ``QUOTE_LIMIT`` characters (ending in "…") for a warning."""
    text = _short.repr(value)
    return text if len(text) <= QUOTE_LIMIT else text[: QUOTE_LIMIT - 1] + "…"


def settings_from_json(data: Mapping[str, Any]) -> tuple[Settings, list[str]]:
    """Settings from a decoded file, and a warning per value that was bad (its default is used,
    and the value itself is kept in ``Settings.unusable`` to be saved back unchanged)."""
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    unusable: dict[str, Any] = {}
    problems: list[str] = []
    names = {f.name: f for f in dataclasses.fields(Settings) if f.name not in _NOT_SETTINGS}
    for key, value in data.items():
        if key not in names:
            extra[key] = value
            continue
        try:
            values[key] = _check_value(names[key], value)
        except SettingsError as exc:
            unusable[key] = value
            problems.append(f"{exc}; using the default until it is changed (the value is kept in the file)")
    return Settings(**values, extra=extra, unusable=unusable), problems


def effective_settings(stored: Settings, env: Environment) -> Settings:
    """``stored`` with ``env``'s overrides applied (for use, not for saving)."""
    settings = stored
    for variable, name, value in env.setting_overrides:
        try:
            settings = settings.replace(**{name: value})
        except SettingsError as exc:
            log.warning("%s (from %s); ignoring it", exc, variable)
    return settings


class SettingsStore:
    """Loads and saves ``settings.json`` in one folder (the app's: ``Environment.config_dir``)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / SETTINGS_FILE
        self.warnings: list[str] = []
        self._corrupt = False

    def _warn(self, message: str) -> None:
        self.warnings.append(message)
        log.warning("%s", message)

    def load(self) -> Settings:
        """The stored settings; defaults (with a warning) for whatever cannot be read."""
        self.warnings = []
        self._corrupt = False
        try:
            data = read_json_file(self.path)
            if not isinstance(data, dict):
                raise DamagedFileError("the top level is not an object")
        except FileNotFoundError:
            return Settings()
        except OSError as exc:
            self._corrupt = True
            self._warn(f"settings file {self.path} cannot be read ({exc}); using defaults")
            return Settings()
        except DamagedFileError as exc:
            self._corrupt = True
            self._warn(
                f"settings file {self.path} is not valid settings JSON ({exc}); using defaults. "
                "It will be kept as a backup beside it when settings are next saved"
            )
            return Settings()
        settings, problems = settings_from_json(data)
        for problem in problems:
            self._warn(f"settings file {self.path}: {problem}")
        return settings

    def save(self, settings: Settings) -> None:
        """Write ``settings`` atomically; a corrupt file there is set aside first, with a warning."""
        if self._corrupt or self._is_corrupt_on_disk():
            backup = set_aside(self.path)
            self._warn(f"settings file {self.path} was unreadable; it was moved to {backup}")
            self._corrupt = False
        atomic_write_text(self.path, json.dumps(settings.to_json(), indent=2, sort_keys=True) + "\n")

    def _is_corrupt_on_disk(self) -> bool:
        try:
            data = read_json_file(self.path)
        except FileNotFoundError:
            return False
        except (OSError, DamagedFileError):
            return True
        return not isinstance(data, dict)
