"""Export a trained model for the app: ``python -m training.export RUN_DIR [--models-dir models]``.

Writes ``emotion.onnx`` and ``emotion.json`` (the model card) after checking that the ONNX file,
run through the app's own classifier, agrees with Keras, and scoring it on the run's val split.
Needs the TensorFlow backend (Keras' ONNX export goes through tf2onnx): a model trained under
JAX or PyTorch loads under TensorFlow unchanged.

``--prior-correction TAU`` bakes logit adjustment (Menon et al., ICLR 2021) into the exported
graph: the last layer's bias loses ``TAU * log(prior)``, the class prior of the run's training
targets, so the network stops favouring a class just because its training data had more of it
(FER+ votes give neutral about twice the weight of the folder labels). 0 leaves the model as
trained; the card records what was applied.

Keras is imported inside the functions that use it: TensorFlow takes seconds to load, and a
bad run folder is reported before that.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

from emotune.labels import EMOTIONS
from emotune.vision.emotions import CARD_FILE, MODEL_FILE, REFERENCE_KEY, EmotionClassifier
from emotune.vision.preprocess import INPUT_SIZE, PIXEL_MEAN, PIXEL_STD
from training.card import card_json, ferplus_figures, rounded_per_class
from training.cli import add_common_flags, fail, run_cli
from training.correction import logit_offset
from training.data import load_split, resolve_split
from training.evaluate import evaluate, find_votes
from training.onnx_embedding import add_embedding_output_to_file, describe_outputs, embedding_reference

MAX_ONNX_DIFF = 1e-4
WEIGHT_FILES = {
    "best": "the best val epoch",
    "last": "the last epoch",
    "ema": "the exponential moving average of the weights",
}


def export_onnx(model: Any, onnx_path: Path) -> None:
    """Write the Keras ``model`` as ONNX (opset chosen by tf2onnx)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        fail(
            f"ONNX export needs KERAS_BACKEND=tensorflow (this is {keras.backend.backend()}); "
            "the .keras file loads there unchanged"
        )
    model(np.zeros((1, INPUT_SIZE, INPUT_SIZE, 1), dtype=np.float32))  # export wants a built graph
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    model.export(str(onnx_path), format="onnx", verbose=False)


def onnx_keras_difference(model: Any, onnx_path: Path, images: np.ndarray) -> float:
    """Largest absolute difference between Keras and the app's classifier on ``images``."""
    keras_probs = model.predict(images.astype(np.float32)[..., None], batch_size=256, verbose=0)
    onnx_probs = EmotionClassifier(onnx_path, flip_average=False).classify(list(images))
    return float(np.max(np.abs(keras_probs - onnx_probs)))


def validation_embeddings(onnx_path: Path, images: np.ndarray, flip: bool, batch_size: int = 256) -> np.ndarray:
    """The embeddings the app's classifier gives for ``images`` (flip-averaged with ``flip``)."""
    classifier = EmotionClassifier(onnx_path, flip_average=flip)
    parts = [classifier.model_outputs(list(images[i : i + batch_size]))[1] for i in range(0, len(images), batch_size)]
    return np.concatenate(parts) if parts else np.zeros((0, 0), dtype=np.float32)


def apply_prior_correction(
    model: Any, prior: list[float] | None, tau: float, class_bias: list[float] | None = None
) -> None:
    """Add ``-tau * log(prior) + class_bias`` to the bias of the model's last Dense layer ("logits")."""
    layer = model.get_layer("logits")
    kernel, bias = layer.get_weights()
    layer.set_weights([kernel, (bias + logit_offset(prior, tau, class_bias)).astype(bias.dtype)])


def export_run(
    run_dir: Path,
    models_dir: Path,
    flip: bool = False,
    command: str | None = None,
    prior_correction: float = 0.0,
    weights: str = "best",
    class_bias: list[float] | None = None,
) -> dict[str, Any]:
    """Export ``run_dir/<weights>.keras`` (``best``: the best val epoch; ``last``: the last epoch)
    into ``models_dir`` with its model card; returns the card."""
    import keras

    hp = json.loads((run_dir / "hyperparameters.json").read_text())
    chosen_file = run_dir / f"{weights}.keras"
    if not chosen_file.is_file():
        fail(f"{chosen_file}: no trained model in this run folder")
    model = keras.saving.load_model(chosen_file)
    if prior_correction and "train_prior" not in hp:
        fail(f"{run_dir}: the run records no train_prior, so --prior-correction cannot be applied")
    if prior_correction or class_bias:
        apply_prior_correction(model, hp.get("train_prior"), prior_correction, class_bias)
    cache = Path(hp["cache_dir"]) if hp.get("cache_dir") else None
    data = Path(hp["data"])
    val = load_split(data, resolve_split(data, hp["val_split"]), cache)
    if hp.get("limit"):
        val = val.subset(hp["limit"], hp["seed"])
    votes = find_votes(data, Path(hp["ferplus"]) if hp.get("ferplus") else None)

    with tempfile.TemporaryDirectory() as tmp:
        tmp_onnx = Path(tmp) / MODEL_FILE
        export_onnx(model, tmp_onnx)
        # Personal profiles need each face's features before the last layer: a second output.
        outputs = describe_outputs(add_embedding_output_to_file(tmp_onnx))
        reference = embedding_reference(
            validation_embeddings(tmp_onnx, val.images, flip),
            val.labels,
            f"{hp['val_split']} split ({len(val)} faces){', flip-averaged' if flip else ''}",
        )
        diff = onnx_keras_difference(model, tmp_onnx, val.images[:512])
        if diff > MAX_ONNX_DIFF:
            fail(f"{tmp_onnx}: ONNX output differs from Keras by {diff:.2e} (> {MAX_ONNX_DIFF:g}); not exported")
        plain = evaluate(EmotionClassifier(tmp_onnx, flip_average=False), val, votes)
        flipped = evaluate(EmotionClassifier(tmp_onnx, flip_average=True), val, votes)
        onnx_bytes = tmp_onnx.read_bytes()
        models_dir.mkdir(parents=True, exist_ok=True)
        (models_dir / MODEL_FILE).write_bytes(onnx_bytes)

    chosen = flipped if flip else plain
    card = {
        "name": "emotune-emotion-cnn",
        "labels": list(EMOTIONS),
        "input": {
            "shape": [None, INPUT_SIZE, INPUT_SIZE, 1],
            "layout": "NHWC",
            "dtype": "float32",
            "values": "grey levels 0..255 of a face crop resized to 48x48 (cv2.INTER_AREA)",
        },
        "normalisation": f"inside the model: (x - {PIXEL_MEAN}) / {PIXEL_STD}",
        "output": "probabilities (softmax) in label order",
        "outputs": outputs,
        "test_time_flip": flip,
        "data": {
            "source": str(data),
            "train_split": hp["train_split"],
            "val_split": hp["val_split"],
            "val_images": chosen["n"],
            "dataset": "FER2013 (Goodfellow et al. 2013)",
            "targets": describe_targets(hp),
        },
        "val_accuracy": round(chosen["accuracy"], 4),
        "val_accuracy_no_flip": round(plain["accuracy"], 4),
        "val_accuracy_flip": round(flipped["accuracy"], 4),
        "val_macro_f1": round(chosen["macro_f1"], 4),
        "val_per_class": rounded_per_class(chosen),
        **ferplus_figures(plain, flipped, chosen),
        "prior_correction": {
            "tau": prior_correction,
            "train_prior": hp.get("train_prior"),
            **({"class_bias": class_bias} if class_bias else {}),
            "applied": "last layer's bias minus tau * log(train_prior)"
            + (" plus class_bias" if class_bias else "")
            + ", baked into the graph (training.export)",
        },
        "parameters": hp.get("parameters"),
        "macs": hp.get("macs"),
        "architecture": {"widths": hp["widths"], "convs_per_stage": hp["convs_per_stage"], "dropout": hp["dropout"]},
        "onnx_keras_max_abs_diff": diff,
        "onnx_bytes": len(onnx_bytes),
        "onnx_sha256": hashlib.sha256(onnx_bytes).hexdigest(),
        "training": {
            "epochs": hp["epochs"],
            "command": hp.get("command"),
            "weights": f"{weights}.keras ({WEIGHT_FILES[weights]})",
            "started_from": started_from(hp),
            "keras_backend": hp.get("keras_backend"),
            "hyperparameters": {k: v for k, v in hp.items() if k not in ("command",)},
        },
        "export_command": command or f"python -m training.export {shlex.quote(str(run_dir))}",
        "date": dt.date.today().isoformat(),
        REFERENCE_KEY: reference,
    }
    (models_dir / CARD_FILE).write_text(card_json(card) + "\n")
    majority = card.get("val_ferplus_majority_accuracy")
    print(
        f"exported {models_dir / MODEL_FILE} ({len(onnx_bytes) / 1e6:.2f} MB): val accuracy "
        f"{plain['accuracy']:.4f}, with flip averaging {flipped['accuracy']:.4f}"
        + (f"; FER+ majority {majority:.4f}" if majority is not None else "")
        + f"; max |ONNX - Keras| {diff:.1e}"
    )
    return card


def describe_targets(hp: dict[str, Any]) -> str:
    """What the run learned from, in words, for the card."""
    votes = "FER+ vote distributions (Barsoum et al. 2016; training.ferplus)"
    if hp.get("labels") == "ferplus":
        return votes
    if hp.get("labels") == "mixed":
        share = hp.get("vote_weight", 0.5)
        mixed = f"{share:g} x {votes} + {1 - share:g} x FER2013 folder labels"
        if hp.get("mix_classes"):
            return f"{mixed}, in the {', '.join(hp['mix_classes'])} folders; the votes alone elsewhere"
        return mixed
    return "FER2013 folder labels"


def started_from(hp: dict[str, Any]) -> dict[str, Any] | None:
    """The run an ``--init`` run was fine-tuned from, with that run's own training command, so
    that the card holds every command that made the model; None for a run from scratch."""
    if not hp.get("init"):
        return None
    init = Path(hp["init"])
    earlier = init.parent / "hyperparameters.json"
    command = json.loads(earlier.read_text()).get("command") if earlier.is_file() else None
    return {"weights": str(init), "command": command}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.export", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("run_dir", type=Path, help="a run folder from training.train")
    p.add_argument("--models-dir", type=Path, default=Path("models"))
    p.add_argument("--flip", action="store_true", help="ship with test-time flip averaging on")
    p.add_argument(
        "--prior-correction",
        type=float,
        default=0.0,
        metavar="TAU",
        help="bake logit adjustment by TAU * log(train prior) into the graph (default: none)",
    )
    p.add_argument(
        "--class-bias",
        type=float,
        nargs=len(EMOTIONS),
        metavar="B",
        help=f"also add one bias per class ({', '.join(EMOTIONS)}), e.g. from benchmarks.class_bias_bench",
    )
    p.add_argument(
        "--weights",
        choices=list(WEIGHT_FILES),
        default="best",
        help="best.keras (the best val epoch, the default), last.keras (the last epoch) or ema.keras "
        "(the weight average of a run with --ema)",
    )
    add_common_flags(p)
    return p


def _export(args: argparse.Namespace, argv: list[str]) -> int:
    if not (args.run_dir / "hyperparameters.json").is_file():
        fail(f"{args.run_dir}: not a run folder (no hyperparameters.json)")
    export_run(
        args.run_dir,
        args.models_dir,
        args.flip,
        "python -m training.export " + shlex.join(argv),
        args.prior_correction,
        args.weights,
        args.class_bias,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), _export, argv)


if __name__ == "__main__":
    sys.exit(main())
