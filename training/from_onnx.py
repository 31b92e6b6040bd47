"""Turn a shipped ``emotion.onnx`` back into a trainable Keras model:
``python -m training.from_onnx models/emotion.onnx --out runs/v2.keras``.

A fine-tune must be able to start from the model the app ships even when the run folder that
made it is gone (runs stay on the machine that trained them). The exported graph has each
batch norm folded into its convolution (``W*x + b``) and the prior correction of the card baked
into the last bias. The importer undoes the prior correction and gives each batch norm the mean
and variance its input has on real faces, with scale and shift chosen so that the Keras model
computes exactly what the ONNX file does: a fine-tune in training mode then sees batch
statistics close to the stored ones instead of a jump at its first step.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from numpy.typing import NDArray

from training.batchnorm import restandardise
from training.cli import add_common_flags, fail, run_cli
from training.correction import card_offset, without_offset
from training.data import DEFAULT_CACHE, load_split, resolve_split

STATISTICS_IMAGES = 4096


def onnx_weights(onnx_path: Path) -> tuple[list[tuple[NDArray[np.float32], NDArray[np.float32]]], Any]:
    """The folded convolutions (kernel in Keras layout, bias) in graph order, and the last
    layer's (kernel, bias)."""
    import onnx
    from onnx import numpy_helper

    try:
        graph = onnx.load(str(onnx_path)).graph
    except Exception as exc:  # onnx raises DecodeError, OSError, ... for a damaged file
        fail(f"{onnx_path}: not a readable ONNX model ({exc})")
    init = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    convs = []
    dense_kernel = dense_bias = None
    for node in graph.node:
        if node.op_type == "Conv":
            if len(node.input) < 3:
                fail(f"{onnx_path}: a convolution without a folded bias; not an exported emotion model")
            kernel = init[node.input[1]].transpose(2, 3, 1, 0)  # OIHW -> HWIO
            convs.append((kernel.astype(np.float32), init[node.input[2]].astype(np.float32)))
        elif node.op_type == "MatMul":
            dense_kernel = init[node.input[1]]
        elif node.op_type == "Add" and dense_kernel is not None and dense_bias is None:
            dense_bias = init[node.input[1]]
    if dense_kernel is None or dense_bias is None:
        fail(f"{onnx_path}: no last dense layer found; not an exported emotion model")
    return convs, (dense_kernel.astype(np.float32), dense_bias.astype(np.float32))


def import_onnx(onnx_path: Path, card: dict[str, Any], images: NDArray[np.float32]) -> Any:
    """The Keras model equal to ``onnx_path`` without its prior correction."""
    from training.model import build_model

    arch = card.get("architecture", {})
    model = build_model(
        tuple(arch.get("widths", (24, 48, 128, 256))), arch.get("convs_per_stage", 2), arch.get("dropout", 0.4)
    )
    convs, (dense_kernel, dense_bias) = onnx_weights(onnx_path)
    conv_layers = [layer for layer in model.layers if layer.__class__.__name__ == "Conv2D"]
    bn_layers = [layer for layer in model.layers if layer.__class__.__name__ == "BatchNormalization"]
    if len(convs) != len(conv_layers):
        fail(f"{onnx_path}: {len(convs)} convolutions, but the card's architecture has {len(conv_layers)}")
    for layer, bn, (kernel, bias) in zip(conv_layers, bn_layers, convs, strict=True):
        if layer.kernel.shape != kernel.shape:
            fail(f"{onnx_path}: {layer.name} is {kernel.shape}, the card's architecture says {layer.kernel.shape}")
        layer.set_weights([kernel])
        # identity batch norm plus the folded bias: exactly the ONNX function
        channels = bias.shape[0]
        bn.set_weights(
            [
                np.ones(channels, np.float32),
                bias,
                np.zeros(channels, np.float32),
                np.full(channels, 1 - bn.epsilon, np.float32),
            ]
        )
    model.get_layer("logits").set_weights([dense_kernel, (dense_bias - card_offset(card)).astype(np.float32)])
    restandardise(model, images)
    return model


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training.from_onnx", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("onnx", type=Path, help="an exported emotion.onnx (its card beside it)")
    p.add_argument("--card", type=Path, help="the model card (default: emotion.json beside the ONNX file)")
    p.add_argument(
        "--data", type=Path, default=Path("../shared/data/fer2013.zip"), help="faces for the batch-norm statistics"
    )
    p.add_argument("--split", default="train")
    p.add_argument("--out", type=Path, required=True, help="the .keras file to write")
    add_common_flags(p)
    return p


def _import(args: argparse.Namespace, argv: list[str]) -> int:
    card_path = args.card or args.onnx.with_name("emotion.json")
    if not args.onnx.is_file():
        fail(f"{args.onnx}: no such ONNX file")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{card_path}: cannot read the model card ({exc})")
    onnx_weights(args.onnx)  # a damaged or foreign file is said before the faces are loaded
    data = load_split(args.data, resolve_split(args.data, args.split), DEFAULT_CACHE)
    rows = np.random.default_rng(0).permutation(len(data))[:STATISTICS_IMAGES]
    images = data.images[rows].astype(np.float32)[..., None]
    model = import_onnx(args.onnx, card, images)
    from emotune.vision.emotions import EmotionClassifier

    keras_probs = model.predict(images[:256], verbose=0)
    onnx_probs = EmotionClassifier(args.onnx, flip_average=False).classify(list(images[:256, :, :, 0].astype(np.uint8)))
    diff = float(np.abs(keras_probs - without_offset(onnx_probs, card)).max())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    model.save(args.out)
    print(f"{args.onnx} -> {args.out} (the card's prior correction removed; largest probability difference {diff:.2e})")
    return 0


def main(argv: list[str] | None = None) -> int:
    return run_cli(build_parser(), _import, argv)


if __name__ == "__main__":
    sys.exit(main())
