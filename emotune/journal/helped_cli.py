"""``python -m emotune journal --helped [--json] [--since DATE] [--until DATE]``: did the music help?

Text: the answer in plain words (``emotune.journal.helped.answer_words``), one sentence a line.
``--json``: one object per group, one a line: ``strategy`` (lift | match), ``from_mood`` ("low"
for every low mood, or one of them), ``genre`` (null, or the genre the lists were kept to),
``randomised`` (the group holds the occasions drawn at random: the fair ones), ``n``,
``brighter``, ``change`` (mean brightness change, -1 to +1), ``low`` and ``high`` (its 95%
interval; null below ``MIN_OCCASIONS``) and ``needed`` (occasions still needed for an interval).
An empty journal, or none, prints nothing with ``--json`` and exits 0. The range keeps the lists
begun within it. ``--helped`` only reads: it does not mix with ``--clear``, ``--csv`` or ``--png``.
Reading never creates a journal. Nothing here touches the network.
"""

from __future__ import annotations

import json
from pathlib import Path

from emotune.errors import ExitStatus, UsageError
from emotune.journal import helped
from emotune.journal.series import brightness_series, lists
from emotune.journal.store import Journal
from emotune.text import printable


def print_helped(path: Path, as_json: bool, since: float | None, until: float | None, mixed: list[str]) -> int:
    """Print the answer for the journal at ``path``; ``mixed``: the flags given that do not go with it."""
    if mixed:
        raise UsageError(f"--helped only reads the journal; it cannot be combined with {', '.join(mixed)}")
    answer = helped.Answer((), (), 0)
    if path.exists():
        with Journal.open(path) as journal:
            low, high = -float("inf") if since is None else since, float("inf") if until is None else until
            begun = [b for b in lists(journal) if low <= b.time < high]
            answer = helped.answer_from(begun, brightness_series(journal))
    if as_json:
        for group in answer.groups:
            print(json.dumps(group.to_json()))
    elif answer.empty:
        print(f"No song list has begun from a low mood yet (journal: {printable(str(path))})")
    else:
        for line in helped.answer_words(answer):
            print(line)
    return ExitStatus.OK
