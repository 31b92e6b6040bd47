"""Training-time augmentation on uint8 arrays, and the batch feeder Keras trains from.

Augmentation lives here, not in the model: random layers inside the graph break ONNX export,
and numpy/OpenCV work the same under every Keras backend (no tf.data needed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import keras
import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS
from emotune.vision.preprocess import INPUT_SIZE


@dataclass(frozen=True)
class AugmentConfig:
    flip: bool = True
    max_rotation_deg: float = 10.0
    max_shift: float = 0.1  # fraction of the image side
    max_zoom: float = 0.1  # scale in [1 - z, 1 + z]
    erase_prob: float = 0.5  # random erasing (Zhong et al. 2020)
    erase_area: tuple[float, float] = (0.02, 0.15)


def augment_batch(images: NDArray[np.uint8], config: AugmentConfig, rng: np.random.Generator) -> NDArray[np.uint8]:
    """Randomly flipped, rotated, shifted, zoomed and partly erased copies of ``images``."""
    out = np.empty_like(images)
    size = INPUT_SIZE
    centre = (size / 2 - 0.5, size / 2 - 0.5)
    for i, image in enumerate(images):
        angle = rng.uniform(-config.max_rotation_deg, config.max_rotation_deg)
        scale = rng.uniform(1 - config.max_zoom, 1 + config.max_zoom)
        matrix = np.asarray(cv2.getRotationMatrix2D(centre, angle, scale), dtype=np.float64)
        matrix[:, 2] += rng.uniform(-config.max_shift, config.max_shift, size=2) * size
        if config.flip and rng.random() < 0.5:
            # Mirror about the vertical centre line: x' = size - 1 - x.
            matrix[0] = -matrix[0]
            matrix[0, 2] += size - 1
        warped = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        if rng.random() < config.erase_prob:
            area = rng.uniform(*config.erase_area) * size * size
            aspect = math.exp(rng.uniform(math.log(0.3), math.log(3.3)))
            h = min(size, round(math.sqrt(area * aspect)))
            w = min(size, round(math.sqrt(area / aspect)))
            y = int(rng.integers(0, size - h + 1))
            x = int(rng.integers(0, size - w + 1))
            warped[y : y + h, x : x + w] = rng.integers(0, 256, size=(h, w), dtype=np.uint8)
        out[i] = warped
    return out


def class_weights(labels: NDArray[np.int64], mode: str) -> NDArray[np.float32]:
    """Per-class loss weights against FER2013's imbalance (disgust is 1.5% of train).

    "balanced": n / (k * count); "sqrt": its square root, milder, which costs less overall
    accuracy; "none": all ones. Weights are scaled to average 1 over the samples."""
    counts = np.bincount(labels, minlength=len(EMOTIONS)).astype(np.float64)
    if mode == "none":
        weights = np.ones(len(EMOTIONS))
    elif mode in ("balanced", "sqrt"):
        present = counts > 0
        weights = np.zeros(len(EMOTIONS))
        weights[present] = counts.sum() / (present.sum() * counts[present])
        if mode == "sqrt":
            weights = np.sqrt(weights)
    else:
        raise ValueError(f"unknown class-weight mode {mode!r} (use none, sqrt or balanced)")
    mean = (weights[labels]).mean() if len(labels) else 1.0
    return (weights / mean).astype(np.float32)


class FaceBatches(keras.utils.PyDataset):  # type: ignore[misc]
    """Shuffled, augmented, weighted batches of (images float32 (B,48,48,1), one-hot, weight)."""

    def __init__(
        self,
        images: NDArray[np.uint8],
        labels: NDArray[np.int64],
        batch_size: int,
        augment: AugmentConfig | None,
        weights: NDArray[np.float32] | None,
        seed: int,
    ) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        self.images = images
        self.labels = labels
        self.batch_size = batch_size
        self.augment = augment
        self.weights = weights
        self.seed = seed
        self.epoch = 0
        self.order = np.arange(len(labels))
        self.on_epoch_end()

    def __len__(self) -> int:
        return math.ceil(len(self.labels) / self.batch_size)

    def on_epoch_end(self) -> None:
        # Seeded per epoch so a resumed run sees the same order it would have seen.
        if self.augment is not None:
            self.order = np.random.default_rng((self.seed, self.epoch)).permutation(len(self.labels))
        self.epoch += 1

    def __getitem__(self, index: int) -> tuple[NDArray[np.float32], ...]:
        rows = self.order[index * self.batch_size : (index + 1) * self.batch_size]
        images = self.images[rows]
        if self.augment is not None:
            rng = np.random.default_rng((self.seed, self.epoch, index))
            images = augment_batch(images, self.augment, rng)
        x = images.astype(np.float32)[..., None]
        y = np.eye(len(EMOTIONS), dtype=np.float32)[self.labels[rows]]
        if self.weights is None:
            return x, y
        return x, y, self.weights[self.labels[rows]]
