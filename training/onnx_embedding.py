"""Give an exported emotion model a second output: the per-face embedding.

The embedding is the input of the last Dense layer (for the shipped VGG-style CNN, the 256
global-average-pooled features before the logits). It is exposed by adding an ``Identity`` node
that copies that tensor to a new graph output named ``embedding``; no existing node, weight or
output changes, so the probabilities stay bit-identical (``tools/add_embedding_output.py``
checks that on real faces). Used by ``training.export`` for new exports and by the tool for the
shipped file. Needs only the ``onnx`` package, never TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper

from emotune.labels import EMOTIONS
from emotune.vision.emotions import EMBEDDING_OUTPUT

# The ops tf2onnx emits for a Keras Dense layer (MatMul + Add, or a fused Gemm) and the ops that
# may sit between it and the probability output (softmax, and the renaming Identity).
_DENSE_OPS = ("MatMul", "Gemm")
_PASS_THROUGH_OPS = ("Softmax", "Identity", "Add")


def add_embedding_output_to_file(path: Path) -> onnx.ModelProto:
    """Add the output to the ONNX file at ``path`` (rewritten in place); returns the model."""
    model = onnx.load(str(path))
    if add_embedding_output(model):
        onnx.save(model, str(path))
    return model


def has_embedding_output(model: onnx.ModelProto) -> bool:
    return any(output.name == EMBEDDING_OUTPUT for output in model.graph.output)


def find_embedding_tensor(model: onnx.ModelProto) -> str:
    """Name of the tensor feeding the last Dense layer before the first (probability) output."""
    graph = model.graph
    producers = {out: node for node in graph.node for out in node.output}
    constants = {init.name for init in graph.initializer} | {
        out for node in graph.node if node.op_type == "Constant" for out in node.output
    }
    tensor = graph.output[0].name
    # Walk back from the probabilities through softmax/bias to the matrix product; a short walk:
    # anything longer is not the Dense-softmax head this edit understands.
    for _ in range(8):
        node = producers.get(tensor)
        if node is None:
            break
        if node.op_type in _DENSE_OPS:
            data_inputs = [name for name in node.input if name and name not in constants]
            if len(data_inputs) != 1:
                break
            return str(data_inputs[0])
        if node.op_type not in _PASS_THROUGH_OPS:
            break
        data_inputs = [name for name in node.input if name and name not in constants]
        if len(data_inputs) != 1:
            break
        tensor = data_inputs[0]
    raise ValueError(f"no Dense (MatMul/Gemm) layer found before the output {graph.output[0].name!r}")


def add_embedding_output(model: onnx.ModelProto, width: int | None = None) -> bool:
    """Add the ``embedding`` output to ``model`` in place; False when it is already there.

    ``width`` is the embedding size when known (it goes into the declared output shape); the
    batch dimension reuses the probability output's symbolic name, so both say "one row per face"."""
    if has_embedding_output(model):
        return False
    graph = model.graph
    source = find_embedding_tensor(model)
    if width is None:
        width = _dense_input_width(model, source)
    batch_dim = graph.output[0].type.tensor_type.shape.dim[0]
    batch: str | int | None = batch_dim.dim_param or (batch_dim.dim_value if batch_dim.dim_value else None)
    graph.node.append(helper.make_node("Identity", [source], [EMBEDDING_OUTPUT], name="embedding_output"))
    graph.output.append(helper.make_tensor_value_info(EMBEDDING_OUTPUT, TensorProto.FLOAT, [batch, width]))
    onnx.checker.check_model(model)
    return True


def _dense_input_width(model: onnx.ModelProto, source: str) -> int | None:
    """Rows of the Dense weight matrix that multiplies ``source`` (its feature count)."""
    initializers = {init.name: init for init in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type in _DENSE_OPS and source in node.input:
            trans_b = any(a.name == "transB" and a.i for a in node.attribute)
            for name in node.input:
                if name in initializers and len(initializers[name].dims) == 2:
                    # Gemm with transB stores the weights as (outputs, features).
                    return int(initializers[name].dims[1 if trans_b else 0])
    return None


def embedding_reference(embeddings: NDArray[np.float32], labels: NDArray[np.int64], source: str) -> dict[str, Any]:
    """The model card's ``embedding_reference``: per label, the mean square-rooted embedding of
    reference faces (personal profiles place the expressions a person did not show around it)."""
    roots = np.sqrt(np.maximum(np.asarray(embeddings, dtype=np.float64), 0.0))
    means: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for index, label in enumerate(EMOTIONS):
        rows = roots[np.asarray(labels) == index]
        # A label without faces (a small or partial val split) gets the mean of all faces: a
        # neutral guess rather than no reference at all, and "faces" says it had none.
        means[label] = [round(float(v), 5) for v in (rows if len(rows) else roots).mean(axis=0)]
        counts[label] = len(rows)
    return {
        "source": source,
        "transform": "sqrt of the embedding, averaged per label",
        "faces": counts,
        "means": means,
    }


def describe_outputs(model: onnx.ModelProto) -> list[dict[str, Any]]:
    """The model card's ``outputs``: name, shape, dtype and meaning of both outputs."""

    def shape(value: onnx.ValueInfoProto) -> list[int | None]:
        return [d.dim_value if d.dim_value else None for d in value.type.tensor_type.shape.dim]

    probs, embedding = model.graph.output[0], model.graph.output[1]
    return [
        {
            "name": probs.name,
            "shape": shape(probs),
            "dtype": "float32",
            "values": "probabilities (softmax) in label order",
        },
        {
            "name": embedding.name,
            "shape": shape(embedding),
            "dtype": "float32",
            "values": (
                "per-face embedding: the input of the last Dense layer (global-average-pooled ReLU "
                "features, >= 0); probabilities = softmax(embedding @ W + b). With test_time_flip, "
                "average the embeddings of both views too. Used by personal calibration profiles."
            ),
        },
    ]
