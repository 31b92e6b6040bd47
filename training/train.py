"""Train the emotion CNN: ``python -m training.train --data fer2013.zip [flags]``.

Every hyperparameter is a flag. Each run gets a folder under ``--runs-dir`` with
``hyperparameters.json``, ``log.csv`` (one row per epoch), ``curves.png``, ``best.keras`` (best
val accuracy), ``last.keras`` + ``state.json`` (for ``--resume RUN_DIR``) and ``summary.json``.
With ``--export`` the best model becomes ``models/emotion.onnx`` + ``models/emotion.json``.
Runs on any Keras backend (``KERAS_BACKEND=tensorflow|jax|torch``); export needs TensorFlow.
Keras is imported inside the functions that use it: loading TensorFlow takes seconds and fills
the terminal, and bad flags and bad data are reported before that.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter hides our output

import numpy as np

from emotune.labels import EMOTIONS
from training.cli import add_common_flags, fail, run_cli
from training.data import DEFAULT_CACHE, Dataset, describe, load_split, resolve_split
from training.export import export_run
from training.ferplus import default_csv, load_votes, mixed_targets, with_vote_targets

log = logging.getLogger("training.train")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.train", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    data = p.add_argument_group("data")
    data.add_argument(
        "--data", type=Path, help="class-folder directory or .zip, or fer2013.csv (required unless --resume)"
    )
    data.add_argument("--train-split", default="train")
    data.add_argument(
        "--val-split", default="val", help="'val' also finds a split named validation, PublicTest or test"
    )
    data.add_argument(
        "--labels",
        choices=["fer2013", "ferplus", "mixed"],
        default="fer2013",
        help="targets: the folder labels, the FER+ vote distributions (soft targets), or a mix of both "
        "(--vote-weight); val is scored on the votes for ferplus and mixed",
    )
    data.add_argument("--vote-weight", type=float, default=0.5, help="share of the votes in --labels mixed")
    data.add_argument(
        "--mix-classes",
        nargs="+",
        choices=list(EMOTIONS),
        default=[],
        metavar="EMOTION",
        help="--labels mixed: mix the folder label in only for images in these folders (default: all)",
    )
    data.add_argument("--ferplus", type=Path, help="FER+ votes CSV (default: ferplus.csv beside --data)")
    data.add_argument(
        "--teacher",
        type=Path,
        nargs="+",
        default=[],
        metavar="ONNX",
        help="distil: blend the targets with these exported models' mean probabilities (training.teachers)",
    )
    data.add_argument("--teacher-weight", type=float, default=0.5, help="share of the teachers in the targets")
    data.add_argument("--limit", type=int, default=0, help="use at most this many images per split (smoke runs)")
    data.add_argument(
        "--cache-dir", type=Path, default=DEFAULT_CACHE, help="decoded-array cache (default: %(default)s)"
    )
    model = p.add_argument_group("model")
    model.add_argument("--init", type=Path, metavar="KERAS", help="start from this model's weights (same widths)")
    model.add_argument("--widths", type=int, nargs="+", default=[24, 48, 128, 256], help="channels per stage")
    model.add_argument("--convs-per-stage", type=int, default=2)
    model.add_argument("--dropout", type=float, default=0.4)
    opt = p.add_argument_group("optimisation")
    opt.add_argument("--epochs", type=int, default=80)
    opt.add_argument("--batch-size", type=int, default=128)
    opt.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    opt.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (cosine decay after warm-up)")
    opt.add_argument("--warmup-epochs", type=float, default=2.0)
    opt.add_argument("--weight-decay", type=float, default=0.05, help="decoupled (AdamW) or L2 (SGD)")
    opt.add_argument("--momentum", type=float, default=0.9, help="SGD Nesterov momentum")
    opt.add_argument("--label-smoothing", type=float, default=0.1)
    opt.add_argument(
        "--ema",
        type=float,
        default=0.0,
        metavar="MOMENTUM",
        help="keep an exponential moving average of the weights (e.g. 0.999) and save it as ema.keras",
    )
    opt.add_argument("--class-weight", choices=["none", "sqrt", "balanced"], default="sqrt")
    aug = p.add_argument_group("augmentation")
    aug.add_argument("--no-augment", action="store_true")
    aug.add_argument("--no-flip", action="store_true")
    aug.add_argument("--rotation", type=float, default=10.0, help="max degrees")
    aug.add_argument("--shift", type=float, default=0.1, help="max fraction of the side")
    aug.add_argument("--zoom", type=float, default=0.1)
    aug.add_argument("--erase-prob", type=float, default=0.25)
    aug.add_argument("--blur-prob", type=float, default=0.0, help="webcam-like Gaussian blur")
    aug.add_argument("--light-prob", type=float, default=0.0, help="webcam-like low light (gamma, contrast)")
    aug.add_argument("--noise-prob", type=float, default=0.0, help="webcam-like sensor noise")
    aug.add_argument("--jpeg-prob", type=float, default=0.0, help="webcam-like JPEG compression")
    run = p.add_argument_group("run")
    run.add_argument("--seed", type=int, default=1234)
    run.add_argument("--runs-dir", type=Path, default=Path("runs"))
    run.add_argument("--name", default="", help="run folder suffix")
    run.add_argument(
        "--resume",
        type=Path,
        metavar="RUN_DIR",
        help="continue a run from its last.keras (with --epochs: over a new total, the decay re-planned)",
    )
    run.add_argument("--export", action="store_true", help="export the best model to --models-dir when done")
    run.add_argument("--models-dir", type=Path, default=Path("models"))
    add_common_flags(p)
    return p


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), _train, argv)


def _train(args: argparse.Namespace, argv: list[str]) -> int:
    if args.resume is not None:
        run_dir = args.resume
        hp_file = run_dir / "hyperparameters.json"
        if not hp_file.exists():
            fail(f"{run_dir}: not a run folder (no hyperparameters.json)")
        hp = json.loads(hp_file.read_text())
        hp["export"] = args.export or hp.get("export", False)
    else:
        if args.data is None:
            fail("--data is required (a class-folder directory, a .zip or fer2013.csv)")
        hp = {k: _jsonable(v) for k, v in vars(args).items() if k not in ("resume", "verbose")}
        hp["command"] = "python -m training.train " + shlex.join(argv)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        run_dir = args.runs_dir / (f"{stamp}-{args.name}" if args.name else stamp)

    cache = Path(hp["cache_dir"]) if hp["cache_dir"] else None
    data_path = Path(hp["data"])
    train = load_split(data_path, resolve_split(data_path, hp["train_split"]), cache)
    val = load_split(data_path, resolve_split(data_path, hp["val_split"]), cache)
    if hp["limit"]:
        train = train.subset(hp["limit"], hp["seed"])
        val = val.subset(hp["limit"], hp["seed"])
    if hp.get("labels", "fer2013") in ("ferplus", "mixed"):
        votes_csv = Path(hp["ferplus"]) if hp.get("ferplus") else default_csv(data_path)
        hp["ferplus"] = str(votes_csv)
        votes = load_votes(votes_csv)
        train, dropped = with_vote_targets(train, votes)
        print(f"FER+ votes {votes_csv}: train drops {dropped}")
        val, dropped = with_vote_targets(val, votes)
        print(f"FER+ votes {votes_csv}: val drops {dropped}")
        if hp["labels"] == "mixed":
            mixed = mixed_targets(train, hp["vote_weight"], hp.get("mix_classes") or ())
            train = Dataset(train.images, train.labels, train.names, mixed)
    if hp.get("teacher"):
        from training.teachers import distilled_targets

        soft = distilled_targets(
            train.target_matrix(), train.images, [Path(t) for t in hp["teacher"]], hp["teacher_weight"]
        )
        train = Dataset(train.images, train.labels, train.names, soft)
        share = hp["teacher_weight"]
        print(f"targets: {1 - share:g} x labels + {share:g} x {len(hp['teacher'])} teacher(s)")
    print(f"train: {len(train)} images ({describe(train)})")
    print(f"val:   {len(val)} images ({describe(val)})")

    # Keras is imported only now, so that bad flags and bad data are reported at once and
    # without TensorFlow's start-up chatter in front of the error.
    import keras

    from training.augment import AugmentConfig, class_weights
    from training.batches import FaceBatches
    from training.callbacks import RunState
    from training.model import build_model, count_macs

    keras.utils.set_random_seed(hp["seed"])

    augment = (
        None
        if hp["no_augment"]
        else AugmentConfig(
            flip=not hp["no_flip"],
            max_rotation_deg=hp["rotation"],
            max_shift=hp["shift"],
            max_zoom=hp["zoom"],
            erase_prob=hp["erase_prob"],
            blur_prob=hp.get("blur_prob", 0.0),
            light_prob=hp.get("light_prob", 0.0),
            noise_prob=hp.get("noise_prob", 0.0),
            jpeg_prob=hp.get("jpeg_prob", 0.0),
        )
    )
    targets = train.target_matrix()
    weights = class_weights(targets, hp["class_weight"])
    batches = FaceBatches(train.images, targets, hp["batch_size"], augment, weights, hp["seed"])
    x_val = val.images.astype(np.float32)[..., None]
    y_val = val.target_matrix()

    run_dir.mkdir(parents=True, exist_ok=True)
    state_file = run_dir / "state.json"
    initial_epoch = 0
    if args.resume is not None and (run_dir / "last.keras").exists():
        model = keras.saving.load_model(run_dir / "last.keras")
        initial_epoch = json.loads(state_file.read_text())["epoch"]
        batches.epoch = initial_epoch
        if _flag_given(argv, "--epochs") and args.epochs != hp["epochs"]:
            # A run that will not finish in time can be shortened (or lengthened): the cosine
            # decay is re-planned over the new total, from the step the run has reached.
            print(f"learning-rate decay re-planned for {args.epochs} epochs (was {hp['epochs']})")
            hp["epochs"] = args.epochs
            model.optimizer.learning_rate = _schedule(hp, len(batches))
            hp.setdefault("resumed_with", []).append("python -m training.train " + shlex.join(argv))
            (run_dir / "hyperparameters.json").write_text(json.dumps(hp, indent=2) + "\n")
        print(f"resuming {run_dir} at epoch {initial_epoch + 1}/{hp['epochs']}")
    else:
        model = build_model(tuple(hp["widths"]), hp["convs_per_stage"], hp["dropout"])
        if hp.get("init"):
            _start_from(model, Path(hp["init"]))
        model.compile(
            optimizer=_optimizer(hp, len(batches)),
            loss=keras.losses.CategoricalCrossentropy(label_smoothing=hp["label_smoothing"]),
            metrics=["accuracy"],
        )
        hp["parameters"] = int(model.count_params())
        hp["macs"] = count_macs(model)
        hp["keras_backend"] = keras.backend.backend()
        # The class prior the network learns; export can divide it out (--prior-correction).
        hp["train_prior"] = [round(float(p), 6) for p in targets.mean(axis=0)]
        (run_dir / "hyperparameters.json").write_text(json.dumps(hp, indent=2) + "\n")
    print(
        f"run folder: {run_dir}  ({hp['parameters']:,} parameters, {hp['macs'] / 1e6:.1f} MMAC, "
        f"backend {keras.backend.backend()})"
    )

    callbacks = [
        keras.callbacks.ModelCheckpoint(
            run_dir / "best.keras", monitor="val_accuracy", mode="max", save_best_only=True
        ),
        keras.callbacks.CSVLogger(run_dir / "log.csv", append=initial_epoch > 0),
        RunState(run_dir),
    ]
    if initial_epoch < hp["epochs"]:
        model.fit(
            batches,
            validation_data=(x_val, y_val),
            validation_batch_size=256,
            epochs=hp["epochs"],
            initial_epoch=initial_epoch,
            callbacks=callbacks,
            verbose=1 if sys.stdout.isatty() else 2,
        )

    if hp.get("ema"):
        _save_average(model, train.images, run_dir / "ema.keras")
    best = keras.saving.load_model(run_dir / "best.keras")
    summary = _summarise(best, x_val, y_val.argmax(axis=1))
    summary["epochs"] = hp["epochs"]
    (run_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"best val accuracy {summary['val_accuracy']:.4f} (with flip averaging "
        f"{summary['val_accuracy_flip']:.4f}) -> {run_dir / 'best.keras'}"
    )
    if hp.get("export"):
        export_run(run_dir, Path(hp.get("models_dir", "models")))
    return 0


def _start_from(model: Any, init: Path) -> None:
    """Copy the weights of the model saved at ``init`` (fine-tuning); CliError if they do not fit."""
    import keras

    if not init.is_file():
        fail(f"{init}: no such model file (--init)")
    try:
        model.set_weights(keras.saving.load_model(init).get_weights())
    except ValueError as exc:
        fail(f"{init}: its weights do not fit this architecture (--widths, --convs-per-stage): {exc}")


def _save_average(model: Any, images: Any, path: Path) -> None:
    """Save the weight average that fit() swapped in at its end, with batch-norm statistics
    measured for it (the stored ones belong to the last step's weights)."""
    from training.batchnorm import recalibrate_batchnorm

    rows = np.random.default_rng(0).permutation(len(images))[:4096]
    recalibrate_batchnorm(model, images[rows].astype(np.float32)[..., None])
    model.save(path)
    print(f"weight average (EMA) -> {path}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _flag_given(argv: list[str], flag: str) -> bool:
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def _schedule(hp: dict[str, Any], steps_per_epoch: int) -> Any:
    """Linear warm-up to ``lr``, then cosine decay to 0 at the last step of ``epochs``."""
    import keras

    total = max(1, hp["epochs"] * steps_per_epoch)
    warmup = min(total - 1, int(hp["warmup_epochs"] * steps_per_epoch))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=hp["lr"] * 0.01,
        decay_steps=total - warmup,
        alpha=0.0,
        warmup_target=hp["lr"] if warmup > 0 else None,
        warmup_steps=warmup,
    )


def _optimizer(hp: dict[str, Any], steps_per_epoch: int) -> Any:
    import keras

    schedule = _schedule(hp, steps_per_epoch)
    ema = {"use_ema": True, "ema_momentum": hp["ema"]} if hp.get("ema") else {}
    if hp["optimizer"] == "sgd":
        return keras.optimizers.SGD(
            schedule, momentum=hp["momentum"], nesterov=True, weight_decay=hp["weight_decay"] or None, **ema
        )
    return keras.optimizers.AdamW(schedule, weight_decay=hp["weight_decay"], **ema)


def _summarise(model: Any, x_val: Any, labels: Any) -> dict[str, Any]:
    probs = model.predict(x_val, batch_size=256, verbose=0)
    flipped = model.predict(x_val[:, :, ::-1, :], batch_size=256, verbose=0)
    return {
        "val_accuracy": float(np.mean(probs.argmax(1) == labels)),
        "val_accuracy_flip": float(np.mean((probs + flipped).argmax(1) == labels)),
        "val_images": len(labels),
    }


if __name__ == "__main__":
    sys.exit(main())
