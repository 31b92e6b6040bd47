"""Batch-norm statistics for weights that did not come from the training loop.

A model rebuilt from an exported file (``training.from_onnx``) and a weight average
(``training.train --ema``) both hold batch norms whose stored mean and variance do not belong to
their weights; these measure them on real faces instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray


def batchnorm_input_statistics(model: Any, images: NDArray[np.float32]) -> list[tuple[Any, Any]]:
    """Mean and variance, per channel, of each batch norm's input on ``images`` (inference mode)."""
    import keras

    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    probe = keras.Model(model.input, [bn.input for bn in bns])
    outputs = probe.predict(images, batch_size=256, verbose=0)
    return [(np.mean(z, axis=(0, 1, 2)), np.var(z, axis=(0, 1, 2))) for z in outputs]


def restandardise(model: Any, images: NDArray[np.float32]) -> None:
    """Give every batch norm the statistics its input has on ``images``, keeping the function
    the model computes in inference mode unchanged."""
    import keras

    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for bn, (mean, var) in zip(bns, batchnorm_input_statistics(model, images), strict=True):
        gamma, beta, old_mean, old_var = bn.get_weights()
        old_scale = np.sqrt(old_var + bn.epsilon)
        new_scale = np.sqrt(var + bn.epsilon)
        bn.set_weights([gamma * new_scale / old_scale, beta + gamma * (mean - old_mean) / old_scale, mean, var])


def recalibrate_batchnorm(model: Any, images: NDArray[np.float32]) -> None:
    """Set each batch norm's moving mean and variance to its input's statistics on ``images``,
    layer by layer (weight averaging changes the features, and the stored statistics belong to
    the weights before averaging)."""
    import keras

    bns = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    for bn in bns:
        probe = keras.Model(model.input, bn.input)
        # called eagerly: predict() would trace a new function for each probe
        z = np.concatenate([keras.ops.convert_to_numpy(probe(images[i : i + 256])) for i in range(0, len(images), 256)])
        gamma, beta, _, _ = bn.get_weights()
        bn.set_weights([gamma, beta, np.mean(z, axis=(0, 1, 2)), np.var(z, axis=(0, 1, 2))])
