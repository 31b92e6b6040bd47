"""Personal calibration: accuracy without and with a profile, per person and protocol.

    python -m benchmarks.calibration_bench [--model M] [--jaffe DIR] [--fer ZIP] [--draws N] [--json]

Development people: ``../shared/data/people/jaffe/<person>/<emotion>/*.png`` (JAFFE, research use
only: read in place, never copied into the repository). Every photo goes through the app's own
path: YuNet, the crop, the classifier with the model card's flip averaging. Per person, a
profile is built from some photos and tested on that person's *other* photos, never the same:

- one photo per expression: one random photo of each expression calibrates (``--draws`` draws
  per person, fixed seed), the rest are tested;
- neutral photo only: each neutral photo in turn calibrates, all the others are tested;
- neutral plus one other: each neutral photo with each photo of each other expression.

Accuracy "without" is the plain model on exactly the same test photos. Also printed: profile size,
load time, the time a profile adds per face, and FER2013 val accuracy with no profile through
``training.evaluate`` (the figure the model card states). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from emotune.vision.profile import DEFAULT_BLEND, BlendParameters, Profile, build_profile
from emotune.vision.profile_cli import largest_face_crop
from emotune.vision.sources import read_image

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
JAFFE = SHARED / "data" / "people" / "jaffe"
FER_ZIP = SHARED / "data" / "fer2013.zip"
NEUTRAL = EMOTIONS.index("neutral")
PROTOCOLS = ("one photo per expression", "neutral photo only", "neutral plus one other")


@dataclass(frozen=True)
class Person:
    """One person's photos as the app sees them: labels, model outputs and the crops."""

    name: str
    labels: NDArray[np.int64]
    probs: NDArray[np.float32]
    embeddings: NDArray[np.float32]
    crops: tuple[NDArray[np.uint8], ...]
    photos: int  # photos in the folder, including any without a detected face


def load_people(root: Path, pipeline: FacePipeline) -> list[Person]:
    """Each ``root/<person>/<emotion>/`` photo's largest face through ``pipeline``."""
    people = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        labels, crops, photos = [], [], 0
        for index, label in enumerate(EMOTIONS):
            for path in sorted((folder / label).glob("*.png")):
                photos += 1
                crop, _ = largest_face_crop(read_image(path), pipeline)
                if crop is not None:
                    labels.append(index)
                    crops.append(crop)
        probs, embeddings = pipeline.classifier.model_outputs(crops)
        people.append(Person(folder.name, np.asarray(labels), probs, embeddings, tuple(crops), photos))
    return people


def splits(
    protocol: str, labels: NDArray[np.int64], rng: np.random.Generator, draws: int
) -> Iterator[NDArray[np.intp]]:
    """Index arrays of the calibration photos; the test photos are all the others."""
    by_label = [np.flatnonzero(labels == c) for c in range(len(EMOTIONS))]
    if protocol == PROTOCOLS[0]:
        for _ in range(draws):
            yield np.array([rng.choice(idx) for idx in by_label if len(idx)])
    elif protocol == PROTOCOLS[1]:
        for n in by_label[NEUTRAL]:
            yield np.array([n])
    elif protocol == PROTOCOLS[2]:
        for c, idx in enumerate(by_label):
            if c != NEUTRAL:
                for n in by_label[NEUTRAL]:
                    for other in idx:
                        yield np.array([n, other])
    else:
        raise ValueError(f"unknown protocol {protocol!r}")


def calibrate(
    person: Person, calibration: NDArray[np.intp], reference: NDArray[np.float32], sha256: str, blend: BlendParameters
) -> Profile:
    samples = {
        EMOTIONS[c]: (person.probs[calibration][mask], person.embeddings[calibration][mask])
        for c in sorted(set(person.labels[calibration].tolist()))
        for mask in [person.labels[calibration] == c]
    }
    return build_profile(samples, reference, sha256, name=person.name, blend=blend)


def run_protocol(
    protocol: str,
    people: list[Person],
    reference: NDArray[np.float32],
    sha256: str,
    blend: BlendParameters = DEFAULT_BLEND,
    draws: int = 40,
    seed: int = 0,
) -> dict[str, tuple[int, int, int]]:
    """Per person: (correct without, correct with calibration, photos tested), over all splits."""
    rng = np.random.default_rng(seed)
    results = {}
    for person in people:
        plain = with_profile = tested = 0
        for calibration in splits(protocol, person.labels, rng, draws):
            test = np.setdiff1d(np.arange(len(person.labels)), calibration)
            profile = calibrate(person, calibration, reference, sha256, blend)
            personalised = profile.apply(person.probs[test], person.embeddings[test])
            truth = person.labels[test]
            plain += int((person.probs[test].argmax(axis=1) == truth).sum())
            with_profile += int((personalised.argmax(axis=1) == truth).sum())
            tested += len(test)
        results[person.name] = (plain, with_profile, tested)
    return results


def summarise(results: dict[str, tuple[int, int, int]]) -> dict[str, Any]:
    per_person = {name: {"without": a / n, "with": b / n} for name, (a, b, n) in results.items()}
    totals = np.array(list(results.values())).sum(axis=0)
    return {
        "per_person": per_person,
        "overall": {"without": totals[0] / totals[2], "with": totals[1] / totals[2]},
        "worst_change": min(v["with"] - v["without"] for v in per_person.values()),
        "tested": int(totals[2]),
    }


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return statistics.median(times)


def costs(people: list[Person], classifier: EmotionClassifier, profile: Profile, rounds: int = 10) -> dict[str, float]:
    """Profile size and load time, and what it adds per face: ``apply`` alone, and ``classify``
    of one face with and without it, timed in pairs so that other load on the machine falls on
    both alike."""
    with tempfile.TemporaryDirectory() as tmp:
        path = profile.save(Path(tmp) / "profile.json").source
        assert path is not None
        size = path.stat().st_size
        load_ms = median_ms(lambda: Profile.load(path), 200)
    probs, embeddings = people[0].probs[:1], people[0].embeddings[:1]
    apply_ms = median_ms(lambda: profile.apply(probs, embeddings), 2000)
    # One classifier, its profile switched on and off: the app's case, and two sessions of the
    # same model can differ by more than what is measured here.
    timed = EmotionClassifier(classifier.model_path, classifier.flip_average)
    crops = [[crop] for person in people for crop in person.crops]
    timed.classify(crops[0])

    def once(crop: list[NDArray[np.uint8]], with_profile: Profile | None) -> float:
        timed.profile = with_profile
        return median_ms(partial(timed.classify, crop), 1)

    without, with_profile = [], []
    for turn in range(rounds):
        for crop in crops:
            # Which of the pair runs first alternates: the second call of a pair runs warmer.
            if turn % 2:
                with_profile.append(once(crop, profile))
                without.append(once(crop, None))
            else:
                without.append(once(crop, None))
                with_profile.append(once(crop, profile))
    return {
        "profile_bytes": size,
        "load_ms": load_ms,
        "apply_ms_per_face": apply_ms,
        "classify_ms_per_face_without": statistics.median(without),
        "classify_ms_per_face_with": statistics.median(with_profile),
        # Each face timed both ways back to back: the median of those differences.
        "classify_ms_added_per_face": statistics.median(b - a for a, b in zip(without, with_profile, strict=True)),
    }


def fer_val_accuracy(fer_zip: Path, model: Path | None = None) -> float:
    from training.data import load_split
    from training.evaluate import evaluate

    return float(evaluate(EmotionClassifier(model), load_split(fer_zip, "val"))["accuracy"])


def card_val_accuracy(classifier: EmotionClassifier) -> float:
    """The model card's FER2013 val accuracy for the file ``classifier`` runs, as it runs it (the
    card gives the int8 file its own figures)."""
    card = json.loads(classifier.model_path.with_name("emotion.json").read_text())
    section = card["int8"] if classifier.model_path.name == card.get("int8", {}).get("file") else card
    return float(section["val_accuracy_flip" if classifier.flip_average else "val_accuracy_no_flip"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="ONNX model (default: the shipped one, as the app runs it)")
    p.add_argument("--jaffe", type=Path, default=JAFFE, help="folder of <person>/<emotion>/ photos")
    p.add_argument("--fer", type=Path, default=FER_ZIP, help="FER2013 zip (val accuracy without a profile)")
    p.add_argument("--draws", type=int, default=40, help="random draws per person, one-photo protocol")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    # Here, not at the top: the tests import this module's protocol functions without it.
    from benchmarks.machine import cpu_line

    pipeline = FacePipeline(classifier=None if args.model is None else EmotionClassifier(args.model))
    pipeline.load()
    classifier = pipeline.classifier
    reference, sha256 = classifier.embedding_reference(), classifier.fingerprint()
    people = load_people(args.jaffe, pipeline)
    found = sum(len(person.labels) for person in people)
    photos = sum(person.photos for person in people)
    table = {
        protocol: summarise(run_protocol(protocol, people, reference, sha256, draws=args.draws))
        for protocol in PROTOCOLS
    }
    everything = people[0]
    figures = costs(
        people, classifier, calibrate(everything, np.arange(len(everything.labels)), reference, sha256, DEFAULT_BLEND)
    )
    fer = fer_val_accuracy(args.fer, args.model)
    card_accuracy = card_val_accuracy(classifier)
    if args.json:
        print(
            json.dumps(
                {
                    "cpu": cpu_line(),
                    "photos": photos,
                    "faces": found,
                    "protocols": table,
                    "costs": figures,
                    "fer_val_accuracy_no_profile": fer,
                    "model_card_val_accuracy": card_accuracy,
                }
            )
        )
        return 0
    names = [person.name for person in people]
    print(cpu_line())
    print(
        f"JAFFE: {len(people)} people, {photos} photos, a face found in {found}; app path (YuNet, crop, "
        f"classifier, flip averaging {'on' if classifier.flip_average else 'off'}); accuracy % without -> with profile"
    )
    header = f"{'protocol':<26}" + "".join(f"{name:>13}" for name in names) + f"{'overall':>14}{'worst':>8}"
    print(header)
    for protocol, summary in table.items():
        cells = "".join(
            f"{summary['per_person'][n]['without'] * 100:>6.1f}->{summary['per_person'][n]['with'] * 100:>5.1f}"
            for n in names
        )
        overall = summary["overall"]
        print(
            f"{protocol:<26}{cells}{overall['without'] * 100:>7.1f}->{overall['with'] * 100:>5.1f}"
            f"{summary['worst_change'] * 100:>+8.1f}"
        )
    print("(worst: the smallest change for any one person, points)")
    print(
        f"profile of 7 expressions: {figures['profile_bytes']} bytes, loads in {figures['load_ms']:.2f} ms; "
        f"applying it: {figures['apply_ms_per_face']:.3f} ms per face"
    )
    print(
        f"classify() of one face (one thread, median): {figures['classify_ms_per_face_without']:.2f} ms without, "
        f"{figures['classify_ms_per_face_with']:.2f} ms with a profile; added per face, paired: "
        f"{figures['classify_ms_added_per_face']:+.3f} ms"
    )
    print(
        f"FER2013 val, no profile (training.evaluate): {fer * 100:.2f}% "
        f"({'unchanged' if round(fer, 4) == card_accuracy else 'CHANGED'} "
        f"from the model card's {card_accuracy * 100:.2f}%)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
