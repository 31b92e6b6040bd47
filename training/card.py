"""Writing the model card (``models/emotion.json``) so that its diffs stay readable."""

from __future__ import annotations

import json
import re
from typing import Any

LONG_LIST = 16  # numeric lists at least this long are written on one line


def card_json(card: dict[str, Any]) -> str:
    """The card as indented JSON, with long lists of numbers (the reference means) on one line
    each instead of one number per line."""
    text = json.dumps(card, indent=2)

    def one_line(match: re.Match[str]) -> str:
        numbers = match.group(1).split(",")
        if len(numbers) < LONG_LIST:
            return match.group(0)
        return "[" + ", ".join(n.strip() for n in numbers) + "]"

    return re.sub(r"\[\s*(-?[0-9][-+0-9.eE,\s]*?)\s*\]", one_line, text)
