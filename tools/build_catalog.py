"""Build the bundled music catalog (``assets/catalog.csv``) and its notice (``assets/NOTICE.md``).

Run from the repository root, with ``../shared`` beside the checkout::

    python tools/build_catalog.py                 # defaults below; prints the figures
    python tools/build_catalog.py --size 3000 --seed 7 --source ../shared/data/catalog/tracks.csv

The source (``tracks.csv``, 30,361 tracks) is dense where music is loud and bright and sparse
where it is calm: low-energy tracks are about a sixth of it. Sampling it at random would give
sad, fearful and neutral moods few good candidates, so the script splits the valence/energy
plane into a GRID x GRID grid and fills the cells by "water-filling": every cell gets the same
quota, a cell with fewer tracks than the quota gives all it has (that is how the scarce calm
tracks all get in), and the quota rises until the requested size is reached. Within a cell the
curated sources (the mood-labelled set, then the Top Hits playlist) go first because users are
likelier to know those tracks, then the rest in a seeded random order. No artist gets more than
ARTIST_CAP tracks, so a mood's neighbourhood is not one artist's discography.

The output is deterministic for a given source and seed. The notice file copies the source
table (sources and licences) from the catalog README and adds how many rows of each are shipped.
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "catalog" / "tracks.csv"
DEFAULT_OUT = REPO / "assets"
GRID = 10
ARTIST_CAP = 3
TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
FEATURES = ("valence", "energy", "danceability", "acousticness")
COLUMNS = ("id", "name", "artists", "valence", "energy", "danceability", "acousticness", "tempo")
# Curated sources first within a cell (lower rank = earlier).
SOURCE_RANK = {"data_moods.csv": 0, "playlist_2010to2022.csv": 1}


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 ("Camâ€™ron" -> "Cam’ron"), which some source rows carry."""
    if not any(marker in text for marker in ("â€", "Ã", "Â")):
        return text
    try:
        # cp1252 leaves five bytes undefined; those came through as the same latin-1 code points.
        raw = b"".join(ch.encode("cp1252") if ch not in "\x81\x8d\x8f\x90\x9d" else ch.encode("latin-1") for ch in text)
        return raw.decode("utf-8")
    except UnicodeError:
        return text


def read_source(path: Path) -> list[dict[str, str]]:
    """Valid rows of tracks.csv: a well-formed ID, a name, an artist, features in range, a tempo."""
    kept: list[dict[str, str]] = []
    seen_songs: set[tuple[str, str]] = set()
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name, artists = fix_mojibake(row["name"].strip()), fix_mojibake(row["artists"].strip())
            row["name"], row["artists"] = name, artists
            if not TRACK_ID.fullmatch(row["spotify_id"]) or not name or not artists:
                continue
            try:
                values = [float(row[f]) for f in FEATURES]
                tempo = float(row["tempo"])
            except ValueError:
                continue
            if not all(0.0 <= v <= 1.0 for v in values) or not 30.0 <= tempo <= 250.0:
                continue
            # The same song often appears under several IDs (single, album, compilation).
            song = (name.casefold(), artists.split(";")[0].strip().casefold())
            if song in seen_songs:
                continue
            seen_songs.add(song)
            kept.append(row)
    return kept


def cell_of(row: dict[str, str]) -> tuple[int, int]:
    """(energy bin, valence bin) on the GRID x GRID plane."""
    return (min(int(float(row["energy"]) * GRID), GRID - 1), min(int(float(row["valence"]) * GRID), GRID - 1))


def source_rank(row: dict[str, str]) -> int:
    return SOURCE_RANK.get(row["source"].rsplit(":", 1)[-1], 2)


def select(rows: list[dict[str, str]], size: int, seed: int) -> list[dict[str, str]]:
    """Water-fill the grid cells up to ``size`` tracks, at most ARTIST_CAP per artist."""
    rng = random.Random(seed)
    cells: dict[tuple[int, int], list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        cells[cell_of(row)].append(row)
    for members in cells.values():
        rng.shuffle(members)
        members.sort(key=source_rank)  # stable: shuffled order kept within a rank

    chosen: list[dict[str, str]] = []
    per_artist: Counter[str] = Counter()
    taken: dict[tuple[int, int], int] = dict.fromkeys(cells, 0)
    cursor: dict[tuple[int, int], int] = dict.fromkeys(cells, 0)
    # Raise every cell's quota one track at a time (round robin) so that the cells stay level.
    while len(chosen) < size:
        progressed = False
        for key in sorted(cells):
            members = cells[key]
            while cursor[key] < len(members):
                row = members[cursor[key]]
                cursor[key] += 1
                artist = row["artists"].split(";")[0].strip().casefold()
                if per_artist[artist] >= ARTIST_CAP:
                    continue
                per_artist[artist] += 1
                taken[key] += 1
                chosen.append(row)
                progressed = True
                break
            if len(chosen) >= size:
                break
        if not progressed:
            break
    return chosen


def write_catalog(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in sorted(rows, key=lambda r: r["spotify_id"]):
            writer.writerow(
                [
                    row["spotify_id"],
                    row["name"].strip(),
                    row["artists"].strip(),
                    *(f"{float(row[f]):.3f}" for f in FEATURES),
                    f"{float(row['tempo']):.1f}",
                ]
            )


def attribution_table(readme: Path) -> list[str]:
    """The markdown table under "Sources" in the catalog README, verbatim."""
    lines = readme.read_text(encoding="utf-8").splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("Sources")), None)
    if start is None:
        raise SystemExit(f"build_catalog: {readme} has no 'Sources' table to copy into the notice")
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("|"):
            block.append(line)
        elif block:
            break
    return block


def write_notice(rows: list[dict[str, str]], readme: Path, path: Path) -> None:
    shipped = Counter(row["source"] for row in rows)
    text = [
        "# Third-party data in this folder",
        "",
        "## catalog.csv",
        "",
        f"{len(rows)} tracks: Spotify track IDs, titles, artists and Spotify audio features (valence,",
        "energy, danceability, acousticness, tempo), a balanced subset built by `tools/build_catalog.py`",
        "from the project's merged track table. The rows come from these public datasets (table copied",
        "from the source README; where one ID had several values, the first source listed won):",
        "",
        *attribution_table(readme),
        "",
        "Rows shipped here, per source:",
        "",
        "| source | rows shipped |",
        "| --- | --- |",
        *(f"| {source} | {count} |" for source, count in sorted(shipped.items())),
        "",
        "The audio features were produced by Spotify's audio-features endpoint; track titles and",
        "artist names belong to their rights holders. IDs were checked for format, not against the",
        "live service: tracks collected in 2019-2022 may since have been removed or relinked.",
        "",
    ]
    path.write_text("\n".join(text), encoding="utf-8")


def quadrant_counts(rows: list[dict[str, str]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for row in rows:
        valence = "high valence" if float(row["valence"]) >= 0.5 else "low valence"
        energy = "high energy" if float(row["energy"]) >= 0.5 else "low energy"
        counts[f"{valence} & {energy}"] += 1
    return dict(sorted(counts.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="tracks.csv (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for catalog.csv and NOTICE.md")
    parser.add_argument("--size", type=int, default=3000, help="tracks to ship (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"build_catalog: {args.source}: no such file", file=sys.stderr)
        return 2
    rows = select(read_source(args.source), args.size, args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    catalog = args.out / "catalog.csv"
    write_catalog(rows, catalog)
    write_notice(rows, args.source.parent / "README.md", args.out / "NOTICE.md")
    print(f"{catalog}: {len(rows)} tracks, {catalog.stat().st_size} bytes")
    for quadrant, count in quadrant_counts(rows).items():
        print(f"  {quadrant}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
