"""Text that is safe to print on a terminal: the one helper every human-readable CLI line uses.

Names and fields that come from outside (song names from Spotify, a profile's ``created``, an
``error=`` text on the sign-in redirect) may hold characters a terminal acts on rather than
shows. ``printable`` makes them harmless; JSON output keeps text exact and never goes through it.
Core module: imports nothing from the layers above.
"""

from __future__ import annotations

import unicodedata

# Characters a terminal acts on rather than shows. Cc: C0/C1 controls (ESC starts colour and
# cursor sequences, CR overwrites the line, BEL rings); bidi embeddings and isolates reorder
# what follows (U+202A-U+202E, U+2066-U+2069). Other format characters (the zero-width joiner
# in emoji) are left alone.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_LINE_BREAKS = frozenset("\t\n\r\v\f\x85\u2028\u2029")


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: line breaks and tabs become spaces, other control
    characters U+FFFD (shown as ``�``). For human-readable output only; JSON output stays exact."""
    if text.isprintable():
        return text
    return "".join(
        " " if ch in _LINE_BREAKS else "\ufffd" if ch in _BIDI_CONTROLS or unicodedata.category(ch) == "Cc" else ch
        for ch in text
    )
