"""How a prior correction would change a model's answers: ``python -m benchmarks.prior_bench``.

    python -m benchmarks.prior_bench [--model M] [--taus 0 0.5 1] [--jaffe DIR] [--fer ZIP] [--json]

For each TAU the model's probabilities are adjusted as ``training.export --prior-correction TAU``
would bake it in (log p - TAU * log prior, prior from the model card's ``train_prior``; TAU is on
top of any correction the model already has) and scored on FER2013 val, folder labels and FER+
majority (and how many calm faces, FER+ neutral, are read as fear), and on the JAFFE development
people, every photo through the app's own path (YuNet, the crop, the classifier with the card's
flip averaging), without calibration. Prints figures;
asserts nothing. Choose TAU on these, then export with it and measure the exported model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from benchmarks.calibration_bench import FER_ZIP, JAFFE, load_people
from emotune.labels import EMOTIONS
from emotune.vision.emotions import CARD_FILE, EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from training.data import load_split
from training.ferplus import default_csv, load_votes, majority_of

NEUTRAL, FEAR, SAD = EMOTIONS.index("neutral"), EMOTIONS.index("fear"), EMOTIONS.index("sad")


def train_prior(card: dict[str, Any]) -> NDArray[np.float64]:
    """The class prior of the model's training targets, from its card; uniform (so that TAU
    changes nothing) for models trained before model v2, whose cards do not record it."""
    prior = card.get("prior_correction", {}).get("train_prior")
    if prior is None:
        prior = card.get("training", {}).get("hyperparameters", {}).get("train_prior")
    return np.asarray(prior if prior is not None else [1.0] * len(EMOTIONS), dtype=np.float64)


def probabilities(classifier: EmotionClassifier, images: NDArray[np.uint8], batch: int = 256) -> NDArray[np.float32]:
    parts = [classifier.classify(list(images[i : i + batch])) for i in range(0, len(images), batch)]
    return np.concatenate(parts)


def adjusted(probs: NDArray[np.float32], prior: NDArray[np.float64], tau: float) -> NDArray[np.int64]:
    """The labels chosen after logit adjustment by ``tau``."""
    return np.asarray((np.log(np.clip(probs, 1e-9, None)) - tau * np.log(prior)).argmax(axis=1), dtype=np.int64)


def mean_recall(predicted: NDArray[np.int64], truth: NDArray[np.int64]) -> float:
    return float(np.mean([np.mean(predicted[truth == c] == c) for c in np.unique(truth)]))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=None, help="ONNX model (default: the shipped one)")
    p.add_argument("--taus", type=float, nargs="+", default=[0.0, 0.25, 0.5, 0.75, 1.0])
    p.add_argument("--jaffe", type=Path, default=JAFFE, help="folder of <person>/<emotion>/ photos")
    p.add_argument("--fer", type=Path, default=FER_ZIP, help="FER2013 zip, with ferplus.csv beside it")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)

    classifier = EmotionClassifier(args.model)
    card_path = (args.model if args.model is not None else classifier.model_path).with_name(CARD_FILE)
    prior = train_prior(json.loads(card_path.read_text()))
    val = load_split(args.fer, "val")
    majority = majority_of(val, load_votes(default_csv(args.fer)))
    clear = majority >= 0
    val_probs = probabilities(classifier, val.images)
    people = load_people(args.jaffe, FacePipeline(classifier=classifier))
    rows = []
    for tau in args.taus:
        val_pred = adjusted(val_probs, prior, tau)
        per_person = {
            person.name: float(np.mean(adjusted(person.probs, prior, tau) == person.labels)) for person in people
        }
        jaffe_pred = np.concatenate([adjusted(person.probs, prior, tau) for person in people])
        jaffe_true = np.concatenate([person.labels for person in people])
        recall = {EMOTIONS[c]: float(np.mean(jaffe_pred[jaffe_true == c] == c)) for c in range(len(EMOTIONS))}
        rows.append(
            {
                "tau": tau,
                "val_folder": float(np.mean(val_pred == val.labels)),
                "val_ferplus_majority": float(np.mean(val_pred[clear] == majority[clear])),
                # The mean of the per-class recalls: what a prior correction should raise.
                "val_ferplus_majority_mean_recall": mean_recall(val_pred[clear], majority[clear]),
                # Calm faces read as fear, the error model v2 was made to fix.
                "val_neutral_as_fear": float(np.mean(val_pred[majority == NEUTRAL] == FEAR)),
                # ... and as sad, the error a prior correction makes (model v3's bar).
                "val_neutral_as_sad": float(np.mean(val_pred[majority == NEUTRAL] == SAD)),
                "jaffe": float(np.mean(jaffe_pred == jaffe_true)),
                "jaffe_per_person": per_person,
                "jaffe_recall": recall,
            }
        )
    if args.json:
        print(json.dumps({"model": str(classifier.model_path), "prior": prior.tolist(), "rows": rows}))
        return 0
    print(f"model {classifier.model_path} (flip averaging {'on' if classifier.flip_average else 'off'})")
    print("prior " + ", ".join(f"{e} {p:.3f}" for e, p in zip(EMOTIONS, prior, strict=True)))
    short = ", ".join(e[:3] for e in EMOTIONS)
    print(
        f"{'tau':>5}{'val FER+':>10}{'(mean recall)':>15}{'val folder':>12}{'neutral as fear':>17}{'as sad':>8}"
        f"{'JAFFE':>8}   JAFFE recall ({short})"
    )
    for row in rows:
        recalls = " ".join(f"{row['jaffe_recall'][e]:.2f}" for e in EMOTIONS)
        print(
            f"{row['tau']:>5.2f}{row['val_ferplus_majority'] * 100:>9.2f}%"
            f"{row['val_ferplus_majority_mean_recall'] * 100:>14.2f}%{row['val_folder'] * 100:>11.2f}%"
            f"{row['val_neutral_as_fear'] * 100:>16.1f}%{row['val_neutral_as_sad'] * 100:>7.1f}%"
            f"{row['jaffe'] * 100:>7.1f}%   {recalls}"
        )
    print("neutral as fear, as sad: the val faces whose FER+ majority is neutral, read as fear or as sad")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
