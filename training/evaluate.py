"""Score an exported model: ``python -m training.evaluate DATA [--model M] [--json] [--plots DIR]``.

DATA is a class-folder directory or .zip (``<class>/<image>``, optionally under a split folder;
classes may be missing). The model runs through the app's own classifier
(``emotune.vision.emotions``), not through Keras, so this measures what users get.

Two label sets are scored: the folder labels, and where FER+ votes are found (``--ferplus``,
by default ``ferplus.csv`` beside DATA) the FER+ majority: the images on which more than half of
the ten taggers' votes agree under the paper's rules (``training.ferplus``)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.resources import resource_path
from emotune.vision.emotions import MODEL_FILE, EmotionClassifier
from training.card import card_json, ferplus_figures
from training.cli import add_common_flags, fail, run_cli
from training.data import Dataset, available_splits, load_split, resolve_split
from training.ferplus import Votes, default_csv, load_votes, majority_of
from training.metrics import format_report, plot_confusion, report


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.evaluate", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("data", type=Path, help="class-folder directory or .zip (or fer2013.csv)")
    p.add_argument("--model", type=Path, default=None, help="ONNX model (default: the shipped models/emotion.onnx)")
    p.add_argument("--split", default=None, help="split folder to score when DATA holds several (default: val)")
    p.add_argument(
        "--flip",
        choices=["auto", "on", "off"],
        default="auto",
        help="test-time flip averaging (auto: as the model card says)",
    )
    p.add_argument(
        "--ferplus",
        type=Path,
        default=None,
        help="FER+ votes CSV for the majority figure (default: ferplus.csv beside DATA, if there)",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument(
        "--card",
        type=Path,
        metavar="CARD",
        help="also write the FER+ majority figures (flip on and off) into this model card, whose "
        "onnx_sha256 must be --model's (for a model exported before model v2, whose card lacks these figures)",
    )
    p.add_argument("--plots", type=Path, metavar="DIR", help="write confusion.png here")
    add_common_flags(p)
    return p


def predict(classifier: EmotionClassifier, dataset: Dataset, batch_size: int = 256) -> NDArray[np.int64]:
    """The label ``classifier`` gives each image."""
    predicted = np.empty(len(dataset), dtype=np.int64)
    for start in range(0, len(dataset), batch_size):
        faces = list(dataset.images[start : start + batch_size])
        predicted[start : start + len(faces)] = classifier.classify(faces).argmax(axis=1)
    return predicted


def evaluate(
    classifier: EmotionClassifier, dataset: Dataset, votes: Votes | None = None, batch_size: int = 256
) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix of ``classifier`` on the
    folder labels; with ``votes`` also the same figures on the FER+ majority as ``ferplus_majority``."""
    predicted = predict(classifier, dataset, batch_size)
    result = report(dataset.labels, predicted)
    if votes is not None:
        result["ferplus_majority"] = majority_report(dataset, votes, predicted)
    return result


def majority_report(dataset: Dataset, votes: Votes, predicted: NDArray[np.int64]) -> dict[str, Any]:
    """The report against the FER+ majority, on the images that have one."""
    majority = majority_of(dataset, votes)
    clear = majority >= 0
    return report(majority[clear], predicted[clear])


def find_votes(data: Path, wanted: Path | None) -> Votes | None:
    """The votes named, else ``ferplus.csv`` beside the data if there, else None."""
    if wanted is not None:
        return load_votes(wanted)
    beside = default_csv(data)
    return load_votes(beside) if beside.is_file() else None


def write_majority_figures(card_path: Path, model: Path, dataset: Dataset, votes: Votes | None) -> None:
    """Add the FER+ majority figures of ``model`` (flip averaging on and off) to its card."""
    if votes is None:
        fail("--card needs FER+ votes (--ferplus, or ferplus.csv beside the data)")
    card = json.loads(card_path.read_text())
    if card.get("onnx_sha256") != hashlib.sha256(model.read_bytes()).hexdigest():
        fail(f"{card_path}: describes another model than {model} (onnx_sha256 differs)")
    plain, flipped = (evaluate(EmotionClassifier(model, flip_average=flip), dataset, votes) for flip in (False, True))
    card.update(ferplus_figures(plain, flipped, flipped if card.get("test_time_flip") else plain))
    card_path.write_text(card_json(card) + "\n")


def pick_split(data: Path, split: str | None) -> str:
    if split is not None:
        return resolve_split(data, split)
    splits = available_splits(data)
    return splits[0] if len(splits) == 1 else resolve_split(data, "val")


def _evaluate(args: argparse.Namespace, argv: list[str]) -> int:
    dataset = load_split(args.data, pick_split(args.data, args.split))
    model = args.model if args.model is not None else resource_path("models", MODEL_FILE)
    flip = {"auto": None, "on": True, "off": False}[args.flip]
    classifier = EmotionClassifier(model, flip_average=flip)
    classifier.load()
    result = evaluate(classifier, dataset, find_votes(args.data, args.ferplus))
    result["model"] = str(model)
    result["flip_average"] = classifier.flip_average
    if args.card is not None:
        write_majority_figures(args.card, Path(model), dataset, find_votes(args.data, args.ferplus))
    if args.plots is not None:
        args.plots.mkdir(parents=True, exist_ok=True)
        plot_confusion(result, str(args.plots / "confusion.png"))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"model {model} (flip averaging {'on' if classifier.flip_average else 'off'})")
        print("folder labels:")
        print(format_report(result))
        if "ferplus_majority" in result:
            print("\nFER+ majority (images where more than half of the votes agree):")
            print(format_report(result["ferplus_majority"]))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), _evaluate, argv)


if __name__ == "__main__":
    sys.exit(main())
