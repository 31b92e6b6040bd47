"""Batch-norm statistics for weights that did not come from the training loop.

A model rebuilt from an exported file (``training.from_onnx``) and a weight average
(``training.train --ema``) both hold batch norms whose stored mean and variance do not belong to
their weights; these measure them on real faces instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

STATISTICS_FACES = 4096
BATCH = 256


def statistics_faces(images: NDArray[np.uint8]) -> NDArray[np.float32]:
    """A fixed random sample of ``images`` (N, 48, 48) as the model's input (n, 48, 48, 1)."""
    rows = np.random.default_rng(0).permutation(len(images))[:STATISTICS_FACES]
    return images[rows].astype(np.float32)[..., None]


def restandardise(model: Any, faces: NDArray[np.float32]) -> None:
    """Give every batch norm the statistics its input has on ``faces``, keeping the function
    the model computes in inference mode unchanged."""
    for bn in _batch_norms(model):
        mean, var = _input_statistics(model, bn, faces)
        gamma, beta, old_mean, old_var = bn.get_weights()
        old_scale = np.sqrt(old_var + bn.epsilon)
        new_scale = np.sqrt(var + bn.epsilon)
        bn.set_weights([gamma * new_scale / old_scale, beta + gamma * (mean - old_mean) / old_scale, mean, var])


def recalibrate_batchnorm(model: Any, faces: NDArray[np.float32]) -> None:
    """Set each batch norm's moving mean and variance to its input's statistics on ``faces``,
    layer by layer (weight averaging changes the features, and the stored statistics belong to
    the weights before averaging)."""
    for bn in _batch_norms(model):
        mean, var = _input_statistics(model, bn, faces)
        gamma, beta, _, _ = bn.get_weights()
        bn.set_weights([gamma, beta, mean, var])


def _batch_norms(model: Any) -> list[Any]:
    import keras

    return [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]


def _input_statistics(model: Any, bn: Any, faces: NDArray[np.float32]) -> tuple[Any, Any]:
    """Mean and variance, per channel, of ``bn``'s input on ``faces``, in inference mode, with the
    batch norms before it as they are now."""
    import keras

    probe = keras.Model(model.input, bn.input)
    # called eagerly: predict() would trace a new function for each probe
    z = np.concatenate([keras.ops.convert_to_numpy(probe(faces[i : i + BATCH])) for i in range(0, len(faces), BATCH)])
    return np.mean(z, axis=(0, 1, 2)), np.var(z, axis=(0, 1, 2))
