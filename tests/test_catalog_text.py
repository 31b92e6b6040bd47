"""The bundled catalog's names read as written: no UTF-8 that was once decoded as cp1252."""

from __future__ import annotations

import csv
import re

import pytest

from testbed.paths import REPO

# cp1252 leaves five bytes undefined; text decoded "sloppily" keeps them as latin-1 code points.
_UNDEFINED_IN_CP1252 = frozenset("\x81\x8d\x8f\x90\x9d")
# A UTF-8 lead byte (0xC2-0xF4) then a continuation byte (0x80-0xBF), both read as cp1252:
# "Ã©" for "é", "â€™" for "’", "ê°" for the start of a Korean syllable.
_CONTINUATION = "".join(bytes([b]).decode("cp1252", errors="replace") for b in range(0x80, 0xC0)).replace("\ufffd", "")
_LEADS = bytes(range(0xC2, 0xF5)).decode("latin-1")
_MOJIBAKE_PAIR = re.compile(f"[{re.escape(_LEADS)}][{re.escape(_CONTINUATION)}\x81\x8d\x8f\x90\x9d]")


def _as_cp1252_bytes(text: str) -> bytes | None:
    try:
        return b"".join(ch.encode("latin-1" if ch in _UNDEFINED_IN_CP1252 else "cp1252") for ch in text)
    except UnicodeEncodeError:
        return None


def looks_like_mojibake(text: str) -> bool:
    """True for text whose cp1252 bytes are UTF-8 for something else, or that holds a lead and
    continuation pair as cp1252 shows them (mojibake that lost a byte no longer round-trips)."""
    raw = _as_cp1252_bytes(text)
    if raw is not None and not text.isascii():
        try:
            if raw.decode("utf-8") != text:
                return True
        except UnicodeDecodeError:
            pass
    return _MOJIBAKE_PAIR.search(text) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gangnam Style (ê°•ë‚¨ìŠ¤íƒ€ì\x9d¼)", True),
        ("Camâ€™ron", True),
        ("BeyoncÃ©", True),
        ("Beyoncé", False),
        ("Tiësto", False),
        ("¿Clásicos?", False),
        ("Don’t Delete The Kisses", False),
        ("Салам пацанам", False),
        ("Gangnam Style (강남스타일)", False),
    ],
)
def test_the_detector(text: str, expected: bool) -> None:
    assert looks_like_mojibake(text) is expected


def test_no_catalog_name_or_artist_looks_like_mojibake() -> None:
    # The file in this checkout (an editable install's resources may point at another one).
    with (REPO / "assets" / "catalog.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 3000
    fields = [(row["id"], field, row[field]) for row in rows for field in ("name", "artists")]
    bad = [entry for entry in fields if looks_like_mojibake(entry[2])]
    assert bad == []
    names = {row["id"]: row["name"] for row in rows}
    assert names["03UrZgTINDqvnUMbbIMhql"] == "Gangnam Style (강남스타일)"
