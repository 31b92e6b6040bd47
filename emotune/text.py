"""Text that is safe to print on a terminal: the one helper every human-readable CLI line uses,
and the guard that lets every command print on a stdout whose encoding lacks a character.

Names and fields that come from outside (song names from Spotify, a profile's ``created``, an
``error=`` text on the sign-in redirect) may hold characters a terminal acts on rather than
shows. ``printable`` makes them harmless; JSON output keeps text exact and never goes through it.
Core module: imports nothing from the layers above.
"""

from __future__ import annotations

import codecs
import io
import sys
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


# What ``guard_stdout`` names as stdout's error handler for JSON output (registered on first use).
_JSON_ESCAPE = "emotune-json-escape"


def _json_escape(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: what the stream cannot encode becomes JSON's own ``\\uXXXX`` escape
    (astral characters as a surrogate pair), so JSON lines stay valid and exact on any stream;
    every non-ASCII character json.dumps writes stands inside a string, where escapes are allowed."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    escaped = []
    for ch in error.object[error.start : error.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            escaped.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            escaped.append(f"\\u{code:04x}")
    return "".join(escaped), error.end


def guard_stdout(json_output: bool) -> None:
    """Make stdout write what its encoding lacks as escapes instead of raising.

    Output redirected on Windows is cp1252, and an ASCII locale has not even "—": a Cyrillic song
    name or a file name with undecodable bytes must not end a command with UnicodeEncodeError.
    Text output gets Python's ``\\u`` escapes (backslashreplace); ``json_output`` gets JSON's, so
    each line still parses to the exact text. (stderr escapes already: Python opens it with
    backslashreplace.) A handler the user chose (``PYTHONIOENCODING=cp1252:replace``) stays.
    """
    try:
        codecs.lookup_error(_JSON_ESCAPE)
    except LookupError:
        codecs.register_error(_JSON_ESCAPE, _json_escape)
    stream = sys.stdout
    # None in a windowed app without a console; something else when a caller swapped it.
    if isinstance(stream, io.TextIOWrapper) and stream.errors in ("strict", "backslashreplace", _JSON_ESCAPE):
        stream.reconfigure(errors=_JSON_ESCAPE if json_output else "backslashreplace")
