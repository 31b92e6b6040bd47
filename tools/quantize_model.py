"""Static int8 quantization of the emotion model with onnxruntime's quantization tools.

    python -m tools.quantize_model [--model models/emotion.onnx] [--output runs/quant/emotion-int8.onnx]
        [--data ../shared/data/fer2013.zip] [--calibration 500] [--format qdq|qoperator]
        [--per-channel] [--method minmax|entropy|percentile] [--activations uint8|int8]
        [--weights int8|uint8] [--reduce-range] [--exclude NODE ...] [--no-preprocess] [--quantize-softmax]

    python -m tools.quantize_model --per-channel --reduce-range     # the variant docs/performance.md recommends

Calibration faces are a seeded random choice of FER2013 TRAIN images (never val, which scores
the result), turned into the model's input by ``emotune.vision.preprocess.faces_to_batch``,
exactly as the app does. Every graph input and output is kept as it is (float in, float out),
so the quantized file is a drop-in replacement, whatever outputs the model has (it works
unchanged after the model gains a second output). The Softmax stays in float, so the
probabilities still sum to 1. ``--reduce-range`` (7-bit weights) matters on CPUs without VNNI
(AVX2, and AVX-512 before Cascade Lake): their int8 kernels add pairs of 8-bit products in
16 bits, which saturates with full-range weights (docs/performance.md). The model is first run through
``quant_pre_process`` (shape inference and onnxruntime's graph optimisations), as onnxruntime
recommends, unless ``--no-preprocess``. Writes only ``--output``; scoring is
``training.evaluate --model OUTPUT``'s business (docs/performance.md, section 1), except
with ``--card``: then the int8 file is scored on FER2013 val (folder labels and FER+ majority,
with and without flip averaging) and the model card's ``int8`` section is written from that.

    python -m tools.quantize_model --per-channel --reduce-range --output models/emotion-int8.onnx \
        --card models/emotion.json                                   # how the shipped int8 file is made
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shlex
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from emotune.vision.preprocess import faces_to_batch
from training.card import card_json
from training.data import DEFAULT_CACHE, load_split

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO.parent / "shared" / "data" / "fer2013.zip"
FORMATS = {"qdq": QuantFormat.QDQ, "qoperator": QuantFormat.QOperator}
METHODS = {
    "minmax": CalibrationMethod.MinMax,
    "entropy": CalibrationMethod.Entropy,
    "percentile": CalibrationMethod.Percentile,
}
TYPES = {"int8": QuantType.QInt8, "uint8": QuantType.QUInt8}


class FaceBatches(CalibrationDataReader):  # type: ignore[misc]  # onnxruntime has no type hints
    """Calibration batches of preprocessed faces for the model's single input."""

    def __init__(self, input_name: str, batch: NDArray[np.float32], batch_size: int = 32) -> None:
        self.input_name = input_name
        self.batch = batch
        self.batch_size = batch_size
        self._iter: Iterator[dict[str, NDArray[np.float32]]] | None = None

    def _batches(self) -> Iterator[dict[str, NDArray[np.float32]]]:
        for start in range(0, len(self.batch), self.batch_size):
            yield {self.input_name: self.batch[start : start + self.batch_size]}

    def get_next(self) -> dict[str, NDArray[np.float32]] | None:
        if self._iter is None:
            self._iter = self._batches()
        return next(self._iter, None)

    def rewind(self) -> None:
        self._iter = None


def calibration_faces(data: Path, count: int, seed: int, cache_dir: Path | None) -> NDArray[np.float32]:
    """``count`` FER2013 train faces (seeded random choice) as the model's float input batch."""
    train = load_split(data, "train", cache_dir=cache_dir).subset(count, seed=seed)
    return faces_to_batch(list(train.images))


def softmax_nodes(model_path: Path) -> list[str]:
    """Names of the model's Softmax nodes."""
    model = onnx.load(str(model_path), load_external_data=False)
    return [node.name for node in model.graph.node if node.op_type == "Softmax"]


def single_input_name(model_path: Path) -> str:
    model = onnx.load(str(model_path), load_external_data=False)
    initializers = {init.name for init in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise SystemExit(f"{model_path}: expected one input (a face batch), found {inputs}")
    return str(inputs[0])


def quantize(
    model: Path,
    output: Path,
    faces: NDArray[np.float32],
    quant_format: str = "qdq",
    per_channel: bool = False,
    method: str = "minmax",
    activations: str = "uint8",
    weights: str = "int8",
    reduce_range: bool = False,
    exclude: list[str] | None = None,
    preprocess: bool = True,
    float_softmax: bool = True,
) -> dict[str, object]:
    """Quantize ``model`` into ``output``, calibrated on ``faces``; returns what was done."""
    output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        source = model
        if preprocess:
            source = Path(tmp) / "preprocessed.onnx"
            # Symbolic shape inference needs sympy and adds nothing here: only the batch size is dynamic.
            quant_pre_process(str(model), str(source), skip_symbolic_shape=True)
        input_name = single_input_name(source)
        excluded = list(exclude or [])
        if float_softmax:
            # A quantized Softmax gives probabilities in steps of 1/255 that need not sum to 1
            # (the app's classifier rejects such a model) and rounds small ones to 0; in float it
            # costs next to nothing (7 values per face).
            excluded += [name for name in softmax_nodes(source) if name not in excluded]
        quantize_static(
            str(source),
            str(output),
            # The histogram calibrators stack their batches, so they need equal batch sizes.
            FaceBatches(input_name, faces, batch_size=32 if method == "minmax" else 1),
            quant_format=FORMATS[quant_format],
            per_channel=per_channel,
            reduce_range=reduce_range,
            activation_type=TYPES[activations],
            weight_type=TYPES[weights],
            nodes_to_exclude=excluded,
            calibrate_method=METHODS[method],
            # Activations here are all non-negative after ReLU; symmetric int8 activations would
            # waste half the range, so asymmetric (the default) is kept.
            extra_options={"CalibMovingAverage": False},
        )
    return {
        "model": str(model),
        "output": str(output),
        "bytes": output.stat().st_size,
        "calibration_faces": len(faces),
        "format": quant_format,
        "per_channel": per_channel,
        "method": method,
        "activations": activations,
        "weights": weights,
        "reduce_range": reduce_range,
        "exclude": excluded,
        "preprocess": preprocess,
        "float_softmax": float_softmax,
        "seconds": round(time.perf_counter() - start, 1),
    }


def int8_card_section(output: Path, data: Path, command: str) -> dict[str, object]:
    """The model card's ``int8`` section for the quantized file ``output``, scored on val."""
    from emotune.vision.emotions import EmotionClassifier
    from training.evaluate import evaluate, find_votes

    val = load_split(data, "val")
    votes = find_votes(data, None)
    scores = {flip: evaluate(EmotionClassifier(output, flip_average=flip), val, votes) for flip in (True, False)}
    section: dict[str, object] = {
        "file": output.name,
        "onnx_sha256": hashlib.sha256(output.read_bytes()).hexdigest(),
        "onnx_bytes": output.stat().st_size,
        "used": "by default whenever flip averaging is on (test_time_flip); the float file otherwise",
        "quantization": "onnxruntime static QDQ, per-channel, 7-bit weights (reduce_range), MinMax, "
        "500 FER2013 train faces (seed 1), Softmax kept in float; every output kept",
        "command": command,
        "val_accuracy_flip": round(scores[True]["accuracy"], 4),
        "val_accuracy_no_flip": round(scores[False]["accuracy"], 4),
    }
    if "ferplus_majority" in scores[True]:
        section["val_ferplus_majority_accuracy_flip"] = round(scores[True]["ferplus_majority"]["accuracy"], 4)
        section["val_ferplus_majority_accuracy_no_flip"] = round(scores[False]["ferplus_majority"]["accuracy"], 4)
    return section


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.quantize_model", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", type=Path, default=REPO / "models" / "emotion.onnx", help="float ONNX model")
    p.add_argument("--output", type=Path, default=REPO / "runs" / "quant" / "emotion-int8.onnx")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA, help="FER2013 zip or class-folder directory")
    p.add_argument("--calibration", type=int, default=500, help="number of train faces to calibrate on")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="decoded-dataset cache ('' for none)")
    p.add_argument("--format", choices=sorted(FORMATS), default="qdq")
    p.add_argument("--per-channel", action="store_true", help="one weight scale per output channel")
    p.add_argument("--method", choices=sorted(METHODS), default="minmax", help="activation range calibration")
    p.add_argument("--activations", choices=sorted(TYPES), default="uint8")
    p.add_argument("--weights", choices=sorted(TYPES), default="int8")
    p.add_argument(
        "--reduce-range", action="store_true", help="7-bit weights: avoids overflow on AVX2 CPUs without VNNI"
    )
    p.add_argument("--exclude", nargs="*", default=[], metavar="NODE", help="node names left in float")
    p.add_argument("--no-preprocess", action="store_true", help="skip quant_pre_process")
    p.add_argument("--quantize-softmax", action="store_true", help="quantize the Softmax too (default: float)")
    p.add_argument("--card", type=Path, help="model card whose int8 section is rewritten for --output")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if not args.model.is_file():
        print(f"{args.model}: model not found", file=sys.stderr)
        return 2
    if not args.data.exists():
        print(f"{args.data}: calibration data not found", file=sys.stderr)
        return 2
    if args.calibration < 1:
        print(f"--calibration {args.calibration}: must be at least 1", file=sys.stderr)
        return 2
    cache = args.cache_dir if str(args.cache_dir) else None
    faces = calibration_faces(args.data, args.calibration, args.seed, cache)
    done = quantize(
        args.model,
        args.output,
        faces,
        quant_format=args.format,
        per_channel=args.per_channel,
        method=args.method,
        activations=args.activations,
        weights=args.weights,
        reduce_range=args.reduce_range,
        exclude=args.exclude,
        preprocess=not args.no_preprocess,
        float_softmax=not args.quantize_softmax,
    )
    if args.card is not None:
        card = json.loads(args.card.read_text())
        command = "python -m tools.quantize_model " + shlex.join(sys.argv[1:] if argv is None else argv)
        card["int8"] = int8_card_section(args.output, args.data, command)
        args.card.write_text(card_json(card) + "\n")
        done["card"] = str(args.card)
    print(json.dumps(done))
    return 0


if __name__ == "__main__":
    sys.exit(main())
