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

Genres: every shipped track keeps a top-level genre (one of ``emotune.moods.GENRES``: edm, latin,
pop, r&b, rap, rock) and a sub-genre where the source has one. The TidyTuesday rows carry
"top/sub" (``rock/hard rock``); the other sources carry Spotify artist genres ("dance pop; pop;
pop rap"), which ``top_genre`` maps by keyword and a vote (``GENRE_WORDS``); rows with no genre,
or only genres outside the six (ambient, classical, country), keep an empty genre and appear
only when the user chose no genre.

A genre choice narrows a mood to that genre's tracks, so after the water-fill the script tops
up every mood x genre cell (both strategies, the built-in mood table) until it holds at least
``CELL_TARGET`` tracks by distinct artists that *fit* the mood, by the rule the app uses
(``emotune.music.catalog.path_distances`` <= ``emotune.moods.FIT_DISTANCE``): nearest fits of
that genre first. It prints the count of every cell.

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

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from a checkout: the app's own fit rule and tables

from emotune import moods  # noqa: E402
from emotune.choices import STRATEGIES  # noqa: E402
from emotune.labels import EMOTIONS  # noqa: E402
from emotune.music.catalog import path_distances  # noqa: E402

DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "catalog" / "tracks.csv"
DEFAULT_OUT = REPO / "assets"
GRID = 10
ARTIST_CAP = 3
TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
FEATURES = ("valence", "energy", "danceability", "acousticness")
COLUMNS = ("id", "name", "artists", "valence", "energy", "danceability", "acousticness", "tempo", "genre", "subgenre")
# Fits by distinct artists every mood x genre cell gets (the app promises 25; a margin for
# dislikes and artist rules).
CELL_TARGET = 30
CELL_PROMISE = 25
# Spotify artist genres -> top-level genre, by whole words, first rule that matches a token wins
# (so "trap latino" is latin, "pop rap" rap, "pop rock" rock, "tropical house" edm).
GENRE_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("latin", ("latin", "latino", "latina", "reggaeton", "urbano", "bachata", "salsa", "cumbia", "banda", "espanol")),
    ("rap", ("rap", "hip hop", "trap", "drill", "grime", "crunk", "phonk", "plugg", "bop")),
    ("rock", ("rock", "metal", "punk", "grunge", "emo", "permanent wave", "britpop", "garage rock", "madchester")),
    ("r&b", ("r&b", "soul", "funk", "new jack swing", "urban contemporary", "hip pop", "motown")),
    (
        "edm",
        (
            "edm",
            "house",
            "electro",
            "techno",
            "trance",
            "dubstep",
            "brostep",
            "big room",
            "eurodance",
            "complextro",
            "dnb",
            "drum and bass",
            "uk dance",
            "pop dance",
            "australian dance",
            "rave",
            "big beat",
        ),
    ),
    ("pop", ("pop", "boy band", "girl group", "talent show", "idol", "metropopolis")),
)
# Curated sources first within a cell (lower rank = earlier).
SOURCE_RANK = {"data_moods.csv": 0, "playlist_2010to2022.csv": 1}


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 read as cp1252 ("Camâ€™ron" -> "Cam’ron", "ê°•ë‚¨" -> "강남"), which some source
    rows carry; genuine accents ("Beyoncé") stay, since their cp1252 bytes are not valid UTF-8."""
    if text.isascii():
        return text
    try:
        # cp1252 leaves five bytes undefined; those came through as the same latin-1 code points.
        raw = b"".join(ch.encode("cp1252") if ch not in "\x81\x8d\x8f\x90\x9d" else ch.encode("latin-1") for ch in text)
        return raw.decode("utf-8")
    except UnicodeError:
        return text


def token_genre(token: str) -> str:
    """The top-level genre of one Spotify genre name ("pop rap" -> "rap"), or "" for none of them."""
    padded = f" {re.sub(r'[^a-z&]+', ' ', token.casefold())} "
    for genre, words in GENRE_WORDS:
        if any(f" {word} " in padded for word in words):
            return genre
    return ""


def top_genre(raw: str) -> tuple[str, str]:
    """(genre, sub-genre) of a source row's ``genre`` field; ("", "") when it names none of GENRES.

    A TidyTuesday "top/sub" part decides; otherwise the Spotify genre names vote (ties: the
    genre named first) and the first name of the winning genre is the sub-genre.
    """
    parts = [p.strip() for p in raw.split("|") if p.strip() and not p.strip().startswith("mood:")]
    for part in parts:
        top, _, sub = part.partition("/")
        if sub and top in moods.GENRES:
            return top, sub.strip()
    tokens = [t.strip() for part in parts for t in part.split(";") if t.strip()]
    votes = Counter(genre for genre in map(token_genre, tokens) if genre)
    if not votes:
        return "", ""
    best = max(votes.values())
    winner = next(token_genre(t) for t in tokens if votes.get(token_genre(t)) == best)
    return winner, next(t for t in tokens if token_genre(t) == winner)


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
            row["top_genre"], row["subgenre"] = top_genre(row["genre"])
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


def artist_of(row: dict[str, str]) -> str:
    return row["artists"].split(";")[0].strip().casefold()


def fit_distances(rows: list[dict[str, str]]) -> dict[tuple[str, str], np.ndarray]:
    """(strategy, emotion) -> every row's distance to that mood's path (the app's fit rule)."""
    matrix = np.asarray(
        [[moods.normalise(name, float(row[name])) for name in moods.FEATURE_NAMES] for row in rows], dtype=np.float64
    )
    return {
        (strategy, emotion): path_distances(matrix, moods.target_path(emotion, strategy))
        for strategy in STRATEGIES
        for emotion in EMOTIONS
    }


def cell_counts(
    rows: list[dict[str, str]], distances: dict[tuple[str, str], np.ndarray]
) -> dict[tuple[str, str, str], int]:
    """(strategy, emotion, genre) -> distinct artists among ``rows`` that fit the mood."""
    counts: dict[tuple[str, str, str], int] = {}
    for (strategy, emotion), to_path in distances.items():
        for genre in moods.GENRES:
            fitting = (row for row, d in zip(rows, to_path, strict=True) if d <= moods.FIT_DISTANCE)
            artists = {artist_of(row) for row in fitting if row["top_genre"] == genre}
            counts[(strategy, emotion, genre)] = len(artists)
    return counts


def fill_genre_cells(rows: list[dict[str, str]], chosen: list[dict[str, str]]) -> list[dict[str, str]]:
    """``chosen`` plus the nearest fitting tracks of every mood x genre cell short of CELL_TARGET."""
    position = {id(row): i for i, row in enumerate(rows)}
    taken = {position[id(row)] for row in chosen}
    distances = fit_distances(rows)
    added: list[dict[str, str]] = []
    for _mood, to_path in sorted(distances.items()):
        for genre in moods.GENRES:
            in_cell = [i for i in taken if rows[i]["top_genre"] == genre and to_path[i] <= moods.FIT_DISTANCE]
            artists = {artist_of(rows[i]) for i in in_cell}
            for i in np.argsort(to_path, kind="stable"):
                if len(artists) >= CELL_TARGET or to_path[i] > moods.FIT_DISTANCE:
                    break
                row = rows[int(i)]
                if int(i) in taken or row["top_genre"] != genre or artist_of(row) in artists:
                    continue
                taken.add(int(i))
                artists.add(artist_of(row))
                added.append(row)
    return chosen + added


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
                    row["top_genre"],
                    row["subgenre"],
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
        f"{len(rows)} tracks: Spotify track IDs, titles, artists, Spotify audio features (valence,",
        "energy, danceability, acousticness, tempo) and genres (a top-level genre mapped from the",
        "source's genre field, and its sub-genre), a balanced subset built by `tools/build_catalog.py`",
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
        "The audio features were produced by Spotify's audio-features endpoint; the genres come from",
        "the source datasets (TidyTuesday's playlist genres, Spotify's artist genres); track titles and",
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
    source = read_source(args.source)
    base = select(source, args.size, args.seed)
    rows = fill_genre_cells(source, base)
    args.out.mkdir(parents=True, exist_ok=True)
    catalog = args.out / "catalog.csv"
    write_catalog(rows, catalog)
    write_notice(rows, args.source.parent / "README.md", args.out / "NOTICE.md")
    print(
        f"{catalog}: {len(rows)} tracks ({len(base)} water-filled + {len(rows) - len(base)} for genres), "
        f"{catalog.stat().st_size} bytes"
    )
    for quadrant, count in quadrant_counts(rows).items():
        print(f"  {quadrant}: {count}")
    genres = Counter(row["top_genre"] or "(none)" for row in rows)
    print("  genres: " + ", ".join(f"{genre} {count}" for genre, count in sorted(genres.items())))
    print_cells(rows)
    return 0


def print_cells(rows: list[dict[str, str]]) -> None:
    """The fit count (distinct artists) of every mood x genre cell, per strategy; flags any short cell."""
    counts = cell_counts(rows, fit_distances(rows))
    for strategy in STRATEGIES:
        print(f"  fits by distinct artists ({strategy}; at most {moods.FIT_DISTANCE} from the mood's path):")
        print("    " + f"{'':9}" + "".join(f"{genre:>7}" for genre in moods.GENRES))
        for emotion in EMOTIONS:
            cells = [counts[(strategy, emotion, genre)] for genre in moods.GENRES]
            print("    " + f"{emotion:9}" + "".join(f"{n:>7}" for n in cells))
    short = [cell for cell, n in counts.items() if n < CELL_PROMISE]
    print(f"  cells under {CELL_PROMISE}: {len(short)} {short if short else ''}".rstrip())


if __name__ == "__main__":
    sys.exit(main())
