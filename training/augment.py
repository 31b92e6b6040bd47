"""Training-time augmentation on uint8 arrays (the batch feeder Keras trains from is
``training.batches``).

Augmentation lives here, not in the model: random layers inside the graph break ONNX export,
and numpy/OpenCV work the same under every Keras backend (no tf.data needed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
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
    # What webcams do to a face that FER2013's photos rarely show; 0 turns each off.
    blur_prob: float = 0.0  # defocus / motion: Gaussian blur, sigma in blur_sigma
    blur_sigma: tuple[float, float] = (0.4, 1.2)
    light_prob: float = 0.0  # low light and auto-exposure: gamma, then contrast and brightness
    gamma: tuple[float, float] = (0.6, 1.8)
    contrast: tuple[float, float] = (0.5, 1.1)
    noise_prob: float = 0.0  # sensor noise: Gaussian, std in grey levels
    noise_std: tuple[float, float] = (2.0, 10.0)
    jpeg_prob: float = 0.0  # compression of the video stream
    jpeg_quality: tuple[int, int] = (25, 90)


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
        out[i] = webcam_effects(warped, config, rng)
    return out


def webcam_effects(image: NDArray[np.uint8], config: AugmentConfig, rng: np.random.Generator) -> NDArray[np.uint8]:
    """Blur, low light, sensor noise and JPEG, each with its probability, in the order a camera
    applies them (optics, exposure, sensor, encoder)."""
    if rng.random() < config.blur_prob:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(*config.blur_sigma))
    if rng.random() < config.light_prob:
        x = (image.astype(np.float32) / 255.0) ** rng.uniform(*config.gamma)
        mean = float(x.mean())
        x = (x - mean) * rng.uniform(*config.contrast) + mean * rng.uniform(0.5, 1.1)
        image = np.clip(x * 255.0, 0, 255).astype(np.uint8)
    if rng.random() < config.noise_prob:
        noisy = image + rng.normal(0.0, rng.uniform(*config.noise_std), image.shape)
        image = np.clip(noisy, 0, 255).astype(np.uint8)
    if rng.random() < config.jpeg_prob:
        quality = int(rng.integers(config.jpeg_quality[0], config.jpeg_quality[1] + 1))
        ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            image = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
    return image


def class_weights(targets: NDArray[np.float32], mode: str) -> NDArray[np.float32]:
    """Per-class loss weights against the imbalance (disgust is 1.5% of FER2013 train), from
    (N, 7) targets: one-hot labels or soft vote distributions, where a class's count is the
    mass the targets give it.

    "balanced": n / (k * count); "sqrt": its square root, milder, which costs less overall
    accuracy; "none": all ones. Weights are scaled to average 1 over the samples (a sample's
    weight is its targets' mix of class weights, ``sample_weights``)."""
    counts = targets.sum(axis=0).astype(np.float64)
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
    mean = (targets @ weights).mean() if len(targets) else 1.0
    return (weights / mean).astype(np.float32)


def sample_weights(targets: NDArray[np.float32], weights: NDArray[np.float32]) -> NDArray[np.float32]:
    """Each sample's loss weight: the class weights mixed as its targets mix the classes."""
    return (targets @ weights).astype(np.float32)
