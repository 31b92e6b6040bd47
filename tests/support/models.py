"""Model files made at test time: valid ONNX that is not the model the app expects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper


def write_wrong_output_model(path: Path, outputs: int) -> Path:
    """A valid ONNX model taking a face batch and giving ``outputs`` numbers per face."""
    flatten = helper.make_node("Flatten", ["face"], ["flat"])
    weights = helper.make_tensor("w", TensorProto.FLOAT, [48 * 48, outputs], np.zeros(48 * 48 * outputs).tolist())
    matmul = helper.make_node("MatMul", ["flat", "w"], ["scores"])
    graph = helper.make_graph(
        [flatten, matmul],
        "wrong",
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, ["n", 48, 48, 1])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["n", outputs])],
        initializer=[weights],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def write_uniform_model(path: Path, *, batch: int | str = "n", nan_below: float | None = None) -> Path:
    """A valid emotion model that gives 1/7 to every label, for a face batch of ``batch`` (a
    number fixes it). With ``nan_below``, any pixel darker than that makes every score NaN
    (the square root of a negative number), while a mid-grey face, the load check's probe, is fine."""
    nodes = []
    pixels = "face"
    initializers = [helper.make_tensor("w", TensorProto.FLOAT, [48 * 48, 7], np.zeros(48 * 48 * 7).tolist())]
    if nan_below is not None:
        initializers.append(helper.make_tensor("dark", TensorProto.FLOAT, [], [nan_below]))
        nodes += [
            helper.make_node("Sub", ["face", "dark"], ["shifted"]),
            helper.make_node("Sqrt", ["shifted"], ["root"]),
        ]
        pixels = "root"
    nodes += [
        helper.make_node("Flatten", [pixels], ["flat"]),
        helper.make_node("MatMul", ["flat", "w"], ["logits"]),
        helper.make_node("Softmax", ["logits"], ["scores"], axis=-1),
    ]
    graph = helper.make_graph(
        nodes,
        "uniform",
        [helper.make_tensor_value_info("face", TensorProto.FLOAT, [batch, 48, 48, 1])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, [batch, 7])],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path
