"""Score an exported model: ``python -m training.evaluate DATA [--model M] [--json] [--plots DIR]``.

DATA is a class-folder directory or .zip (``<class>/<image>``, optionally under a split folder;
classes may be missing). The model runs through the app's own classifier
(``emotune.vision.emotions``), not through Keras, so this measures what users get."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from emotune.resources import resource_path
from emotune.vision.emotions import MODEL_FILE, EmotionClassifier
from training.cli import add_common_flags, run_cli
from training.data import Dataset, available_splits, load_split, resolve_split
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
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plots", type=Path, metavar="DIR", help="write confusion.png here")
    add_common_flags(p)
    return p


def evaluate(classifier: EmotionClassifier, dataset: Dataset, batch_size: int = 256) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1 and the confusion matrix of ``classifier``."""
    predicted = np.empty(len(dataset), dtype=np.int64)
    for start in range(0, len(dataset), batch_size):
        faces = list(dataset.images[start : start + batch_size])
        predicted[start : start + len(faces)] = classifier.classify(faces).argmax(axis=1)
    return report(dataset.labels, predicted)


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
    result = evaluate(classifier, dataset)
    result["model"] = str(model)
    result["flip_average"] = classifier.flip_average
    if args.plots is not None:
        args.plots.mkdir(parents=True, exist_ok=True)
        plot_confusion(result, str(args.plots / "confusion.png"))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"model {model} (flip averaging {'on' if classifier.flip_average else 'off'})")
        print(format_report(result))
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), _evaluate, argv)


if __name__ == "__main__":
    sys.exit(main())
