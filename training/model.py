"""Keras 3 model definitions for the emotion CNN.

Backend-neutral: only `keras` layers, so the same code trains under TensorFlow (the default),
JAX or PyTorch (`KERAS_BACKEND`). The model takes raw grey levels (0..255, float32, 48x48x1)
and normalises them itself, so training and the exported ONNX file share the one place where
preprocessing lives. Random augmentation stays out of the graph (it would break ONNX export);
it lives in `training.augment`.
"""

from __future__ import annotations

import keras
from keras import layers

from emotune.labels import EMOTIONS
from emotune.vision.preprocess import INPUT_SIZE, PIXEL_MEAN, PIXEL_STD


def build_model(
    widths: tuple[int, ...] = (32, 64, 128, 256),
    convs_per_stage: int = 2,
    dropout: float = 0.3,
    weight_decay: float = 0.0,
    name: str = "emotune_vgg",
) -> keras.Model:
    """A VGG-style CNN: stages of (conv3x3-BN-ReLU) x n, 2x2 max-pool between stages,
    global average pooling, dropout and a softmax over the seven emotions."""
    regularizer = keras.regularizers.L2(weight_decay) if weight_decay > 0 else None
    inputs = keras.Input(shape=(INPUT_SIZE, INPUT_SIZE, 1), name="face")
    x = layers.Rescaling(1.0 / PIXEL_STD, offset=-PIXEL_MEAN / PIXEL_STD, name="normalise")(inputs)
    for stage, width in enumerate(widths):
        if stage > 0:
            x = layers.MaxPooling2D(2, name=f"pool{stage}")(x)
        for i in range(convs_per_stage):
            x = layers.Conv2D(
                width,
                3,
                padding="same",
                use_bias=False,
                kernel_regularizer=regularizer,
                name=f"conv{stage + 1}_{i + 1}",
            )(x)
            x = layers.BatchNormalization(name=f"bn{stage + 1}_{i + 1}")(x)
            x = layers.ReLU(name=f"relu{stage + 1}_{i + 1}")(x)
    x = layers.GlobalAveragePooling2D(name="gap")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(len(EMOTIONS), kernel_regularizer=regularizer, name="logits")(x)
    outputs = layers.Softmax(name="probabilities")(x)
    return keras.Model(inputs, outputs, name=name)


def count_macs(model: keras.Model) -> int:
    """Multiply-accumulates of one forward pass (convolutions and dense layers only)."""
    macs = 0
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            _, h, w, c_out = layer.output.shape
            k_h, k_w = layer.kernel_size
            c_in = layer.input.shape[-1]
            macs += int(h * w * c_out * k_h * k_w * c_in)
        elif isinstance(layer, layers.Dense):
            macs += int(layer.input.shape[-1] * layer.units)
    return macs
