"""Loading FER2013-style data into uint8 arrays, with an on-disk cache.

Two layouts are read:
- class folders, as the Kaggle download has them: ``<split>/<class>/<image>``, from a
  directory or straight from a ``.zip``; any split names (train, val, test, ...);
- the original ``fer2013.csv`` (columns emotion,pixels,Usage; its label order differs from ours).

Everything comes back as ``Dataset(images (N, 48, 48) uint8, labels (N,) int64, names)`` with
labels indexing ``emotune.labels.EMOTIONS`` and names the images' paths inside the source (the
key FER+ votes are joined on, ``training.ferplus``). Problems with the data raise ``DataError`` with one line
that names the file; harmless oddities (a stray text file, an empty class folder) are warnings.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import cv2
import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.vision.preprocess import INPUT_SIZE, face_to_input

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".tif", ".tiff", ".webp"})
# fer2013.csv: 0=angry 1=disgust 2=fear 3=happy 4=sad 5=surprise 6=neutral
CSV_LABELS: tuple[str, ...] = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
CSV_USAGE_TO_SPLIT = {"Training": "train", "PublicTest": "val", "PrivateTest": "test"}
# Split names tried, in order, when the caller asks for "val" and the data calls it otherwise.
VAL_SPLIT_ALIASES: tuple[str, ...] = ("val", "validation", "publictest", "test")
CACHE_VERSION = 2  # 2: names kept beside the arrays
DEFAULT_CACHE = Path(os.environ.get("EMOTUNE_DATA_CACHE", Path.home() / ".cache" / "emotune" / "datasets"))


class DataError(Exception):
    """The data cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Dataset:
    images: NDArray[np.uint8]  # (N, 48, 48) grey levels
    labels: NDArray[np.int64]  # (N,) indices into EMOTIONS (the folder or CSV label)
    names: NDArray[np.str_] | None = None  # (N,) path inside the source ("val/happy/x.png")
    # (N, 7) training targets in EMOTIONS order (soft, e.g. FER+ votes); None: one-hot labels.
    targets: NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def subset(self, limit: int, seed: int) -> Dataset:
        """At most ``limit`` images, a seeded random choice (the same for the same seed)."""
        if len(self) <= limit:
            return self
        return self.take(np.sort(np.random.default_rng(seed).permutation(len(self))[:limit]))

    def take(self, rows: NDArray[np.int64]) -> Dataset:
        """The images at ``rows``, with everything that belongs to them."""
        return Dataset(
            self.images[rows],
            self.labels[rows],
            None if self.names is None else self.names[rows],
            None if self.targets is None else self.targets[rows],
        )

    def target_matrix(self) -> NDArray[np.float32]:
        """(N, 7) training targets: the soft targets, or the labels one-hot."""
        if self.targets is not None:
            return self.targets
        return np.eye(len(EMOTIONS), dtype=np.float32)[self.labels]

    def class_counts(self) -> NDArray[np.int64]:
        return np.bincount(self.labels, minlength=len(EMOTIONS)).astype(np.int64)


@dataclass(frozen=True)
class _Entry:
    """One image in a class-folder layout: which split and class it belongs to."""

    split: str
    label: int
    name: str  # path inside the source, for messages and for reading


def load_split(source: str | os.PathLike[str], split: str, cache_dir: Path | None = None) -> Dataset:
    """The images of one split ("train", "val", ...) of a dataset directory, zip or CSV.

    With ``cache_dir`` the decoded arrays are kept there, keyed by the source's path, size and
    modification time, so a second run starts in seconds."""
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: no such file or directory")
    cache_file = _cache_file(path, split, cache_dir) if cache_dir is not None else None
    if cache_file is not None and cache_file.exists():
        try:
            with np.load(cache_file) as cached:
                return Dataset(cached["images"], cached["labels"], cached["names"])
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable cache %s (%s)", cache_file, exc)
    if path.is_file() and path.suffix.lower() == ".csv":
        dataset = _load_csv(path, split)
    else:
        dataset = _load_class_folders(path, split)
    if cache_file is not None:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(".tmp.npz")
        if dataset.names is None:
            np.savez(tmp, images=dataset.images, labels=dataset.labels)
        else:
            np.savez(tmp, images=dataset.images, labels=dataset.labels, names=dataset.names)
        tmp.replace(cache_file)
    return dataset


def available_splits(source: str | os.PathLike[str]) -> list[str]:
    """Split names found in a dataset (for messages and for picking a validation split)."""
    path = Path(source)
    if not path.exists():
        raise DataError(f"{path}: no such file or directory")
    if path.is_file() and path.suffix.lower() == ".csv":
        return sorted(set(CSV_USAGE_TO_SPLIT.values()))
    return sorted({entry.split for entry in _class_folder_entries(path)})


def resolve_split(source: str | os.PathLike[str], wanted: str) -> str:
    """``wanted`` if the data has it; for "val", the first alias the data has (Kaggle calls
    the same split "test")."""
    splits = available_splits(source)
    lowered = {s.lower(): s for s in splits}
    candidates = VAL_SPLIT_ALIASES if wanted.lower() in VAL_SPLIT_ALIASES[:2] else (wanted.lower(),)
    for name in candidates:
        if name in lowered:
            return lowered[name]
    shown = ", ".join(repr(s) if s else "(top level)" for s in splits) or "none"
    raise DataError(f"{source}: no split named {wanted!r} (splits found: {shown})")


def _cache_file(path: Path, split: str, cache_dir: Path) -> Path:
    stat = path.stat()
    key = f"{CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{split}"
    if path.is_dir():  # a directory's own mtime misses edits inside class folders
        key += "|" + "|".join(f"{p}:{p.stat().st_mtime_ns}" for p in sorted(path.rglob("*")) if p.is_dir())
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir / f"{path.stem}-{split or 'root'}-{digest}.npz"


# ---- class folders -------------------------------------------------------------------------


def _class_folder_entries(path: Path) -> list[_Entry]:
    """Every image under ``[split/]class/`` in a directory or zip, with warnings for the rest."""
    if path.is_dir():
        files = [p.relative_to(path).as_posix() for p in sorted(path.rglob("*")) if p.is_file()]
        dirs = [p.relative_to(path).as_posix() for p in sorted(path.rglob("*")) if p.is_dir()]
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
        files = [n for n in names if not n.endswith("/")]
        dirs = sorted({n.rstrip("/") for n in names if n.endswith("/")})
    elif path.is_file():
        raise DataError(f"{path}: not a zip archive, a CSV file or a directory")
    else:
        raise DataError(f"{path}: not a file or directory")

    entries: list[_Entry] = []
    seen_class_dirs: set[str] = set()
    other_folders: set[PurePosixPath] = set()
    for name in files:
        posix = PurePosixPath(name)
        if posix.name.startswith(".") or "__MACOSX" in posix.parts:
            continue
        class_name = posix.parent.name.lower()
        if class_name not in EMOTIONS:
            other_folders.add(posix.parent)
            continue
        seen_class_dirs.add(posix.parent.as_posix())
        if posix.suffix.lower() not in IMAGE_SUFFIXES:
            log.warning("%s: %s is not an image file, skipped", path, name)
            continue
        split = posix.parent.parent.as_posix()
        entries.append(_Entry(split="" if split == "." else split, label=EMOTIONS.index(class_name), name=name))
    split_dirs = {PurePosixPath(d).parent for d in seen_class_dirs}
    for folder in sorted(other_folders):
        # Only a folder standing beside real class folders is a likely mistake worth a word.
        if folder.name and folder.parent in split_dirs:
            log.warning(
                "%s: folder %s is not one of the emotions (%s), skipped", path, folder.as_posix(), ", ".join(EMOTIONS)
            )
    for d in dirs:
        if PurePosixPath(d).name.lower() in EMOTIONS and d not in seen_class_dirs:
            log.warning("%s: class folder %s is empty", path, d)
    if not entries:
        raise DataError(
            f"{path}: no images found in class folders (expected [split/]<emotion>/<image> "
            f"with emotion one of {', '.join(EMOTIONS)})"
        )
    return entries


def _load_class_folders(path: Path, split: str) -> Dataset:
    entries = [e for e in _class_folder_entries(path) if e.split.lower() == split.lower()]
    if not entries:
        splits = sorted({e.split for e in _class_folder_entries(path)})
        shown = ", ".join(repr(s) if s else "(top level)" for s in splits)
        raise DataError(f"{path}: no split named {split!r} (splits found: {shown})")
    images = np.empty((len(entries), INPUT_SIZE, INPUT_SIZE), dtype=np.uint8)
    labels = np.fromiter((e.label for e in entries), dtype=np.int64, count=len(entries))
    for i, (entry, data) in enumerate(zip(entries, _read_files(path, entries), strict=True)):
        images[i] = decode_image(data, f"{path}:{entry.name}" if path.is_file() else str(path / entry.name))
    return Dataset(images, labels, np.array([e.name for e in entries]))


def _read_files(path: Path, entries: list[_Entry]) -> Iterator[bytes]:
    if path.is_dir():
        for entry in entries:
            yield (path / entry.name).read_bytes()
    else:
        with zipfile.ZipFile(path) as archive:
            for entry in entries:
                try:
                    yield archive.read(entry.name)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise DataError(f"{path}:{entry.name}: cannot be read from the zip ({exc})") from exc


def decode_image(data: bytes, where: str) -> NDArray[np.uint8]:
    """Encoded image bytes as a 48x48 grey image; DataError naming ``where`` if undecodable."""
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE) if data else None
    if image is None:
        raise DataError(f"{where}: not a readable image (corrupt or unsupported format)")
    return face_to_input(np.asarray(image, dtype=np.uint8))


# ---- fer2013.csv ---------------------------------------------------------------------------


def _load_csv(path: Path, split: str) -> Dataset:
    wanted = split.lower()
    images: list[NDArray[np.uint8]] = []
    labels: list[int] = []
    names: list[str] = []
    bad_rows = 0
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{path}: cannot be opened ({exc.strerror})") from exc
    with handle:
        reader = csv.reader(handle)
        header = [h.strip().lower() for h in next(reader, [])]
        missing = {"emotion", "pixels", "usage"} - set(header)
        if missing:
            raise DataError(f"{path}: not a fer2013.csv file (missing columns: {', '.join(sorted(missing))})")
        col_emotion, col_pixels, col_usage = (header.index(c) for c in ("emotion", "pixels", "usage"))
        for line_no, row in enumerate(reader, start=2):
            try:
                usage = row[col_usage].strip()
                row_split = CSV_USAGE_TO_SPLIT.get(usage, usage.lower())
                if row_split != wanted:
                    continue
                label = int(row[col_emotion])
                if not 0 <= label < len(CSV_LABELS):
                    raise ValueError(f"emotion {label} outside 0..6")
                pixels = np.array(row[col_pixels].split(), dtype=np.int64)
                if pixels.size != INPUT_SIZE * INPUT_SIZE or pixels.min() < 0 or pixels.max() > 255:
                    raise ValueError(f"{pixels.size} pixel values, expected {INPUT_SIZE * INPUT_SIZE} in 0..255")
            except (IndexError, ValueError) as exc:
                bad_rows += 1
                if bad_rows <= 5:
                    log.warning("%s line %d: malformed row skipped (%s)", path, line_no, exc)
                continue
            images.append(pixels.astype(np.uint8).reshape(INPUT_SIZE, INPUT_SIZE))
            labels.append(EMOTIONS.index(CSV_LABELS[label]))
            names.append(f"{path.name}:{line_no}")
    if bad_rows > 5:
        log.warning("%s: %d malformed rows skipped in all", path, bad_rows)
    if not images:
        raise DataError(f"{path}: no usable rows for split {split!r}")
    return Dataset(np.stack(images), np.array(labels, dtype=np.int64), np.array(names))


def describe(dataset: Dataset) -> str:
    counts = dataset.class_counts()
    return ", ".join(f"{name} {int(n)}" for name, n in zip(EMOTIONS, counts, strict=True))
