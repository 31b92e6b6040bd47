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
