"""Soft targets from trained models (knowledge distillation): ``--teacher`` in training.train.

A teacher is an exported ``emotion.onnx`` with its card beside it. Its probabilities on each
training face, flip-averaged as the app reads faces, are taken without the prior correction the
card says was baked in: the student is corrected at its own export, and a corrected teacher would
be corrected twice. Several teachers are averaged (an ensemble). Teachers read the clean faces once;
the augmented copies a batch shows keep the clean face's soft target.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from emotune.vision.emotions import EmotionClassifier
from training.cli import fail
from training.correction import without_offset

BATCH = 512


def teacher_probabilities(onnx_path: Path, images: NDArray[np.uint8]) -> NDArray[np.float32]:
    """One teacher's flip-averaged, uncorrected probabilities (N, 7) on ``images`` (N, 48, 48)."""
    card_path = onnx_path.with_name("emotion.json")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        fail(f"{card_path}: the teacher's model card cannot be read ({exc})")
    classifier = EmotionClassifier(onnx_path, flip_average=True)
    parts = [classifier.classify(list(images[i : i + BATCH])) for i in range(0, len(images), BATCH)]
    return without_offset(np.concatenate(parts), card)


def distilled_targets(
    targets: NDArray[np.float32], images: NDArray[np.uint8], teachers: list[Path], weight: float
) -> NDArray[np.float32]:
    """``(1 - weight) x targets + weight x`` the teachers' mean probabilities."""
    if not 0.0 < weight <= 1.0:
        fail(f"--teacher-weight must be in (0, 1], not {weight}")
    for path in teachers:
        if not path.is_file():
            fail(f"{path}: no such teacher model (--teacher)")
    ensemble = np.mean([teacher_probabilities(path, images) for path in teachers], axis=0)
    return ((1.0 - weight) * targets + weight * ensemble).astype(np.float32)
