"""Writing the model card (``models/emotion.json``): its figures, and JSON whose diffs stay
readable. Shared by ``training.export`` (which writes the card) and ``training.evaluate``
(which adds FER+ figures to it)."""

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


def rounded_per_class(result: dict[str, Any]) -> dict[str, Any]:
    """A report's per-class figures at four decimals, as the card keeps them."""
    return {
        name: {k: (round(v, 4) if isinstance(v, float) else v) for k, v in m.items()}
        for name, m in result["per_class"].items()
    }


def ferplus_figures(plain: dict[str, Any], flipped: dict[str, Any], chosen: dict[str, Any]) -> dict[str, Any]:
    """The card's FER+ majority figures (none without votes)."""
    if "ferplus_majority" not in chosen:
        return {}
    majority = chosen["ferplus_majority"]
    return {
        "val_ferplus_majority_accuracy": round(majority["accuracy"], 4),
        "val_ferplus_majority_accuracy_no_flip": round(plain["ferplus_majority"]["accuracy"], 4),
        "val_ferplus_majority_accuracy_flip": round(flipped["ferplus_majority"]["accuracy"], 4),
        "val_ferplus_majority_images": majority["n"],
        "val_ferplus_majority_macro_f1": round(majority["macro_f1"], 4),
        "val_ferplus_majority_per_class": rounded_per_class(majority),
    }
