"""The offset an export bakes into the last layer's bias, and how to read it back from a card.

``training.export`` adds ``-TAU * log(train prior)`` (logit adjustment) plus an optional
per-class vector to the bias of the "logits" layer. Whoever starts again from an exported file
(``training.from_onnx``, teachers in ``training.teachers``) must take exactly that offset away,
so the three share this one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.labels import EMOTIONS


def logit_offset(
    prior: Sequence[float] | None, tau: float, class_bias: Sequence[float] | None = None
) -> NDArray[np.float64]:
    """What is added to the last bias: ``-tau * log(prior) + class_bias``."""
    offset = np.zeros(len(EMOTIONS))
    if tau:
        if prior is None:
            raise ValueError("a prior correction needs the train prior")
        offset -= tau * np.log(np.clip(np.asarray(prior, dtype=np.float64), 1e-6, None))
    if class_bias is not None:
        offset += np.asarray(class_bias, dtype=np.float64)
    return offset


def card_offset(card: dict[str, Any]) -> NDArray[np.float64]:
    """The offset a model card says was baked in (zeros when none)."""
    correction = card.get("prior_correction")
    if not isinstance(correction, dict):
        return np.zeros(len(EMOTIONS))
    return logit_offset(
        correction.get("train_prior"), float(correction.get("tau") or 0.0), correction.get("class_bias")
    )


def without_offset(probs: NDArray[np.float32], card: dict[str, Any]) -> NDArray[np.float32]:
    """``probs`` as the network gave them before the card's offset."""
    raw = probs.astype(np.float64) * np.exp(-card_offset(card))
    return (raw / raw.sum(axis=1, keepdims=True)).astype(np.float32)
