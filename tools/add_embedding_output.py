"""Add the ``embedding`` output to the shipped emotion model and update its model card.

    python tools/add_embedding_output.py [--model models/emotion.onnx] [--data ../shared/data/fer2013.zip]

Personal calibration (``emotune.vision.profile``) needs each face's features before the last
Dense layer. This edits the existing graph (``training.onnx_embedding``) instead of retraining or
re-exporting, and refuses to write unless the probabilities of the edited graph are bit-identical
to those of the graph without the output, on every FER2013 val face and its mirror image, through
onnxruntime. It also checks that softmax(embedding @ W + b) gives the probabilities back, i.e.
that the new output really is the last layer's input. Rerunning it is safe: a model that already
has the output is checked the same way and left byte-for-byte as it is; the card's ``outputs``,
``onnx_bytes``, ``onnx_sha256`` and ``embedding_reference`` (per-label mean sqrt-embeddings of
the FER2013 val faces, flip-averaged as the card says; profiles need them) are (re)written.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import numpy_helper

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a plain script from anywhere: the repo's packages first
    sys.path.insert(0, str(ROOT))

from emotune.files import atomic_write  # noqa: E402
from emotune.vision.emotions import EMBEDDING_OUTPUT, REFERENCE_KEY  # noqa: E402
from training.card import card_json  # noqa: E402
from training.onnx_embedding import (  # noqa: E402
    add_embedding_output,
    describe_outputs,
    embedding_reference,
    find_embedding_tensor,
)

SOFTMAX_CHECK_TOLERANCE = 1e-5


def without_embedding_output(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of ``model`` with the embedding output and its Identity node removed (the original)."""
    base = onnx.ModelProto()
    base.CopyFrom(model)
    graph = base.graph
    keep_outputs = [o for o in graph.output if o.name != EMBEDDING_OUTPUT]
    keep_nodes = [n for n in graph.node if EMBEDDING_OUTPUT not in n.output]
    del graph.output[:]
    graph.output.extend(keep_outputs)
    del graph.node[:]
    graph.node.extend(keep_nodes)
    return base


def run_model(model: onnx.ModelProto, batch: NDArray[np.float32]) -> list[NDArray[np.float32]]:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    outputs: list[NDArray[np.float32]] = []
    for start in range(0, len(batch), 256):
        parts = session.run(None, {name: batch[start : start + 256]})
        if not outputs:
            outputs = [np.asarray(p) for p in parts]
        else:
            outputs = [np.concatenate([o, np.asarray(p)]) for o, p in zip(outputs, parts, strict=True)]
    return outputs


def dense_weights(model: onnx.ModelProto) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """(W, b) of the last Dense layer (MatMul + Add as tf2onnx writes it)."""
    source = find_embedding_tensor(model)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    matmul = next(n for n in model.graph.node if n.op_type == "MatMul" and source in n.input)
    weights = next(inits[name] for name in matmul.input if name in inits)
    add = next(n for n in model.graph.node if n.op_type == "Add" and matmul.output[0] in n.input)
    bias = next(inits[name] for name in add.input if name in inits)
    return weights.astype(np.float32), bias.astype(np.float32)


def check(
    base: onnx.ModelProto, edited: onnx.ModelProto, faces: NDArray[np.uint8]
) -> tuple[dict[str, float], NDArray[np.float32]]:
    """Figures of the checks, and the embeddings of ``faces`` then of their mirror images."""
    batch = faces.astype(np.float32)[..., None]
    batch = np.concatenate([batch, batch[:, :, ::-1, :]])  # both views the app feeds with flip averaging
    (probs_before,) = run_model(base, batch)
    probs_after, embedding = run_model(edited, batch)
    diff = float(np.max(np.abs(probs_before - probs_after)))
    if diff != 0.0:
        raise SystemExit(f"probabilities changed by up to {diff:.3g} after adding the output; nothing written")
    weights, bias = dense_weights(edited)
    logits = embedding.astype(np.float64) @ weights + bias
    logits -= logits.max(axis=1, keepdims=True)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    head_diff = float(np.max(np.abs(softmax - probs_after)))
    if head_diff > SOFTMAX_CHECK_TOLERANCE:
        raise SystemExit(f"softmax(embedding @ W + b) differs from the probabilities by {head_diff:.3g}")
    figures = {"faces": float(len(batch)), "probability_max_abs_diff": diff, "head_max_abs_diff": head_diff}
    return figures, embedding


def write_atomically(path: Path, data: bytes) -> None:
    # 644: a shipped file, read by everyone who installs it.
    atomic_write(path, lambda stream: stream.write(data), 0o644)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=ROOT / "models" / "emotion.onnx")
    p.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "fer2013.zip")
    args = p.parse_args(argv)

    from training.data import load_split

    model_path: Path = args.model
    original_bytes = model_path.read_bytes()
    current = onnx.load_from_string(original_bytes)
    base = without_embedding_output(current)
    edited = onnx.ModelProto()
    edited.CopyFrom(base)
    add_embedding_output(edited)
    val = load_split(args.data, "val")
    figures, embeddings = check(base, edited, val.images)

    if current.SerializeToString() == edited.SerializeToString():
        data = original_bytes  # already edited: leave the file exactly as it is
        action = "already had"
    else:
        data = edited.SerializeToString()
        write_atomically(model_path, data)
        action = "added"
    card_path = model_path.with_name("emotion.json")
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["outputs"] = describe_outputs(edited)
    card["outputs"][1]["added_by"] = "python tools/add_embedding_output.py"
    n = len(val.images)
    flip = bool(card.get("test_time_flip", False))
    # The reference is what the app's classifier gives: both views averaged when the card says so.
    reference_embeddings = (embeddings[:n] + embeddings[n:]) * np.float32(0.5) if flip else embeddings[:n]
    source = f"FER2013 val ({n} faces){', flip-averaged' if flip else ''}"
    card[REFERENCE_KEY] = embedding_reference(reference_embeddings, val.labels, source)
    card["onnx_bytes"] = len(data)
    card["onnx_sha256"] = hashlib.sha256(data).hexdigest()
    write_atomically(card_path, (card_json(card) + "\n").encode("utf-8"))
    print(
        f"{model_path}: {action} output {EMBEDDING_OUTPUT!r} {card['outputs'][1]['shape']}; "
        f"{int(figures['faces'])} faces: probabilities max |diff| {figures['probability_max_abs_diff']:g}, "
        f"softmax(embedding @ W + b) max |diff| {figures['head_max_abs_diff']:.1e}; "
        f"sha256 {card['onnx_sha256'][:12]}, {len(data)} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
