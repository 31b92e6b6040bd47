"""Whether the fonts can draw a character, and what to show instead when they cannot.

On Linux, Tk draws text through Xft, which takes a character the font lacks from any installed
font that has it (fontconfig's choice): when none has it, the person sees an empty box (DejaVu
has no 🤢, the disgust emoji, and a plain Linux install has no emoji font). So a character is
drawable there when ``fc-list`` names a font covering it. Windows and macOS ship colour emoji
fonts that Tk falls back to, so there every character counts as drawable.

``mood_emoji`` is the emoji the mood panel shows: the first of the mood's choices the fonts
have, else none (the mood's name beside it says it in words).
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from emotune.platforms import Platform

# The emoji for each mood, best first: the later ones are faces that DejaVu, the fallback of
# most Linux installs, has.
MOOD_EMOJI_CHOICES: dict[str, tuple[str, ...]] = {
    "angry": ("\N{POUTING FACE}", "\N{ANGRY FACE}"),
    "disgust": ("\N{NAUSEATED FACE}", "\N{CONFOUNDED FACE}"),
    "fear": ("\N{FEARFUL FACE}",),
    "happy": ("\N{SMILING FACE WITH SMILING EYES}", "\N{WHITE SMILING FACE}"),
    "neutral": ("\N{NEUTRAL FACE}",),
    "sad": ("\N{PENSIVE FACE}", "\N{WHITE FROWNING FACE}"),
    "surprise": ("\N{FACE WITH OPEN MOUTH}",),
}


@functools.cache
def fontconfig_covers(character: str) -> bool:
    """Whether any font fontconfig knows has ``character`` (True when fontconfig cannot be asked:
    then nothing better is known than to try)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    try:
        found = subprocess.run(
            [fc_list, f":charset={ord(character):x}", "family"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return True
    return found.returncode != 0 or bool(found.stdout.strip())


def missing(text: str, platform: Platform) -> list[str]:
    """The characters of ``text`` that no font can draw (ASCII always can)."""
    if platform != "linux":
        return []
    return [c for c in dict.fromkeys(text) if ord(c) > 0x7F and not c.isspace() and not fontconfig_covers(c)]


def drawable(text: str, platform: Platform) -> bool:
    return not missing(text, platform)


def mood_emoji(mood: str | None, platform: Platform) -> str:
    """The first of ``mood``'s emoji that the fonts have; "" when none (or no mood)."""
    return next((e for e in MOOD_EMOJI_CHOICES.get(mood or "", ()) if drawable(e, platform)), "")
