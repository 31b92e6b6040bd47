"""FER+ crowd votes (Barsoum et al., ICMI 2016) as training targets and as evaluation labels.

``ferplus.csv`` gives ten taggers' votes per FER2013 image, keyed by the image's path inside the
data (``train/angry/Training_10118481.png``), in the columns ``neutral, happiness, surprise,
sadness, anger, disgust, fear, contempt, unknown, NF``. The paper's rules for noise are applied
(``clean_votes``): a class with a single vote gets none; an image whose largest count is unknown
or NF (not a face) is dropped, and so is an image without a row.

Contempt is not one of our seven labels, and its votes are dropped (then the rest renormalised;
an image whose largest count is contempt is dropped, 186 of 32,139). Folding contempt into
disgust instead was rejected on the numbers: there are more contempt votes (5,522) than disgust
votes (4,863), and the 186 contempt-majority images sit in the folders angry 68, disgust 35,
fear 27, sad 25, neutral 21, so the fold would more than double disgust with faces that are
mostly not disgusted to anyone.

Two uses: ``vote_targets`` (the vote distribution over the seven labels, the paper's
"probability" mode) and ``majority_labels`` (the label more than half of the remaining votes
agree on, the paper's "majority" mode; images without one are left out of that figure).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from training.data import DataError, Dataset

FERPLUS_COLUMNS: tuple[str, ...] = (
    "neutral",
    "happiness",
    "surprise",
    "sadness",
    "anger",
    "disgust",
    "fear",
    "contempt",
    "unknown",
    "NF",
)
# FER+ column -> our label; columns missing here (contempt, unknown, NF) are not emotions we use.
TO_EMOTION = {
    "neutral": "neutral",
    "happiness": "happy",
    "surprise": "surprise",
    "sadness": "sad",
    "anger": "angry",
    "disgust": "disgust",
    "fear": "fear",
}
# Our seven labels as FER+ column indices, in EMOTIONS order.
EMOTION_COLUMNS = np.array([FERPLUS_COLUMNS.index(c) for e in EMOTIONS for c, t in TO_EMOTION.items() if t == e])
CSV_NAME = "ferplus.csv"


@dataclass(frozen=True)
class Votes:
    """Vote counts per image path: ``counts[i]`` are ``names[i]``'s votes in FERPLUS_COLUMNS order."""

    names: dict[str, int]  # image path -> row
    counts: NDArray[np.int64]  # (rows, 10)


@dataclass(frozen=True)
class Dropped:
    """How many images of a split had no usable votes, and why."""

    no_row: int = 0
    not_an_emotion: int = 0  # largest count unknown, NF or contempt

    def __str__(self) -> str:
        return f"{self.no_row} without votes, {self.not_an_emotion} mostly unknown, not a face or contempt"


def default_csv(data: str | os.PathLike[str]) -> Path:
    """Where the votes are looked for by default: ``ferplus.csv`` beside the data."""
    return Path(data).parent / CSV_NAME


def load_votes(path: str | os.PathLike[str]) -> Votes:
    """Read ``ferplus.csv``; DataError with one line naming the file if it is not one."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot be opened ({exc.strerror})") from exc
    names: dict[str, int] = {}
    rows: list[list[int]] = []
    with handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in ("file", *FERPLUS_COLUMNS) if c not in header]
        if missing:
            raise DataError(f"{path}: not a FER+ votes file (missing columns: {', '.join(missing)})")
        file_col = header.index("file")
        cols = [header.index(c) for c in FERPLUS_COLUMNS]
        for line_no, row in enumerate(reader, start=2):
            try:
                counts = [int(row[c]) for c in cols]
                if min(counts) < 0:
                    raise ValueError("negative count")
            except (IndexError, ValueError) as exc:
                raise DataError(f"{path} line {line_no}: malformed row ({exc})") from exc
            names[row[file_col].strip()] = len(rows)
            rows.append(counts)
    if not rows:
        raise DataError(f"{path}: no rows")
    return Votes(names, np.array(rows, dtype=np.int64).reshape(-1, len(FERPLUS_COLUMNS)))


def clean_votes(counts: NDArray[np.int64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """The paper's noise rules on (N, 10) counts: (the seven emotions' counts in EMOTIONS order,
    with single votes zeroed; whether the image is kept). An image is dropped when, after the
    single votes are gone, its largest count is unknown, NF or contempt (ties go to an emotion,
    as the paper's argmax in column order gives) or no emotion vote is left."""
    cleaned: NDArray[np.float64] = np.where(counts <= 1, 0, counts).astype(np.float64)
    emotions: NDArray[np.float64] = cleaned[:, EMOTION_COLUMNS]
    best_emotion = emotions.max(axis=1)
    others = np.delete(cleaned, EMOTION_COLUMNS, axis=1).max(axis=1)
    keep: NDArray[np.bool_] = (best_emotion > 0) & (best_emotion >= others)
    return emotions, keep


def vote_targets(counts: NDArray[np.int64]) -> tuple[NDArray[np.float32], NDArray[np.bool_]]:
    """(N, 7) vote distributions in EMOTIONS order (rows of dropped images are zero), and keep."""
    emotions, keep = clean_votes(counts)
    totals = emotions.sum(axis=1, keepdims=True)
    targets = np.divide(emotions, totals, out=np.zeros_like(emotions), where=totals > 0)
    targets[~keep] = 0.0
    return targets.astype(np.float32), keep


def majority_labels(counts: NDArray[np.int64]) -> NDArray[np.int64]:
    """(N,) the label that more than half of the cleaned votes agree on; -1 where none does
    (including images the noise rules drop)."""
    emotions, keep = clean_votes(counts)
    cleaned = np.where(counts <= 1, 0, counts).sum(axis=1)  # unknown/NF/contempt votes count too
    best = emotions.argmax(axis=1)
    clear = keep & (emotions.max(axis=1) > 0.5 * cleaned)
    return np.where(clear, best, -1).astype(np.int64)


def rows_for(dataset: Dataset, votes: Votes) -> NDArray[np.int64]:
    """Each image's row in ``votes`` (-1 without one); DataError if no image has votes at all,
    which means the votes belong to other data."""
    if dataset.names is None:
        raise DataError("the data has no image names to join FER+ votes on")
    rows = np.array([votes.names.get(str(name), -1) for name in dataset.names], dtype=np.int64)
    if len(rows) and not (rows >= 0).any():
        raise DataError(f"no image of this data has FER+ votes (first name: {dataset.names[0]})")
    return rows


def with_vote_targets(dataset: Dataset, votes: Votes) -> tuple[Dataset, Dropped]:
    """The images with usable votes, their vote distributions as ``targets``, and what was dropped."""
    rows = rows_for(dataset, votes)
    has_row = rows >= 0
    targets = np.zeros((len(dataset), len(EMOTIONS)), dtype=np.float32)
    keep = np.zeros(len(dataset), dtype=bool)
    targets[has_row], keep[has_row] = vote_targets(votes.counts[rows[has_row]])
    kept = np.flatnonzero(keep)
    out = dataset.take(kept)
    dropped = Dropped(no_row=int((~has_row).sum()), not_an_emotion=int((has_row & ~keep).sum()))
    return Dataset(out.images, out.labels, out.names, targets[kept]), dropped


def mixed_targets(
    dataset: Dataset, vote_weight: float, folders: tuple[str, ...] | list[str] = ()
) -> NDArray[np.float32]:
    """``vote_weight`` x the votes + (1 - ``vote_weight``) x the folder label, for the images in
    ``folders`` (all images when empty); the other images keep their votes alone. The folder
    labels teach back the posed angry, disgust and fear faces that the votes rarely show."""
    if dataset.targets is None:
        raise ValueError("mixed targets need the votes first (with_vote_targets)")
    folder = np.eye(len(EMOTIONS), dtype=np.float32)[dataset.labels]
    mixed = vote_weight * dataset.targets + (1 - vote_weight) * folder
    if folders:
        votes_only = ~np.isin(dataset.labels, [EMOTIONS.index(name) for name in folders])
        mixed[votes_only] = dataset.targets[votes_only]
    return mixed.astype(np.float32)


def majority_of(dataset: Dataset, votes: Votes) -> NDArray[np.int64]:
    """(N,) each image's FER+ majority label, -1 where it has none (or no votes)."""
    rows = rows_for(dataset, votes)
    labels = np.full(len(dataset), -1, dtype=np.int64)
    labels[rows >= 0] = majority_labels(votes.counts[rows[rows >= 0]])
    return labels
