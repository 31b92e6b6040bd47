"""The emotion classifier: face crops in, probabilities over the seven emotions out.

Runs the exported ONNX CNN through onnxruntime, so the app needs neither TensorFlow nor Keras.
onnxruntime over OpenCV's DNN module because it measured 1.6-2.4x faster per face here (one
thread; README, "Figures"). The network is loaded on first use, not at import. Crops may be any size and grey
or BGR; resizing is done here (``emotune.vision.preprocess``), normalisation inside the model.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from emotune.errors import ModelError
from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.preprocess import INPUT_SIZE, faces_to_batch

MODEL_FILE = "emotion.onnx"
CARD_FILE = "emotion.json"


class EmotionClassifier:
    """``classify(faces)`` -> (N, 7) probabilities in ``EMOTIONS`` order.

    ``flip_average`` also runs each face mirrored and averages the two answers (test-time
    augmentation); by default it follows the model card's ``test_time_flip``."""

    def __init__(self, model_path: Path | None = None, flip_average: bool | None = None, threads: int = 1) -> None:
        self.model_path = model_path if model_path is not None else resource_path("models", MODEL_FILE)
        self._flip_average = flip_average
        # One thread by default: the app's worker shares the machine with the camera and the GUI.
        self.threads = threads
        self._session: ort.InferenceSession | None = None
        self._input_name = ""
        self._lock = threading.Lock()  # guards the lazy load; InferenceSession.run is thread-safe

    @property
    def flip_average(self) -> bool:
        if self._flip_average is None:
            self._flip_average = bool(self._card().get("test_time_flip", False))
        return self._flip_average

    def load(self) -> None:
        """Load and check the network now (otherwise the first ``classify`` does it)."""
        self._ensure_session()

    def classify(self, faces: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
        """Probabilities (N, 7) for N face crops (grey or BGR, any size) in one forward pass."""
        if not faces:
            return np.zeros((0, len(EMOTIONS)), dtype=np.float32)
        batch = faces_to_batch(faces)
        flip = self.flip_average
        if flip:
            batch = np.concatenate([batch, batch[:, :, ::-1, :]])
        session = self._ensure_session()
        outputs = session.run(None, {self._input_name: batch})
        probs: NDArray[np.float32] = np.asarray(outputs[0], dtype=np.float32)
        if flip:
            n = len(faces)
            probs = (probs[:n] + probs[n:]) * np.float32(0.5)
        return probs

    def _ensure_session(self) -> ort.InferenceSession:
        with self._lock:
            if self._session is None:
                self._session = self._open_session()
            return self._session

    def _open_session(self) -> ort.InferenceSession:
        path = self.model_path
        if not path.is_file():
            raise ModelError(f"{path}: emotion model not found")
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its warnings are not for our users
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unrelated types for bad files
            raise ModelError(f"{path}: not a readable ONNX model ({_first_line(exc)})") from exc
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise ModelError(f"{path}: model has {len(inputs)} inputs, expected one 48x48 grey face batch")
        self._input_name = inputs[0].name
        probe = np.full((1, INPUT_SIZE, INPUT_SIZE, 1), 128.0, dtype=np.float32)
        try:
            out = np.asarray(session.run(None, {self._input_name: probe})[0])
        except Exception as exc:
            raise ModelError(f"{path}: model does not accept 48x48 grey faces ({_first_line(exc)})") from exc
        if out.shape != (1, len(EMOTIONS)):
            raise ModelError(
                f"{path}: model gives outputs of shape {out.shape}, expected (1, {len(EMOTIONS)}) "
                f"({', '.join(EMOTIONS)})"
            )
        return session

    def _card(self) -> dict[str, object]:
        card_path = self.model_path.with_name(CARD_FILE)
        if not card_path.is_file():
            return {}
        try:
            card = json.loads(card_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(f"{card_path}: unreadable model card ({exc})") from exc
        if not isinstance(card, dict):
            raise ModelError(f"{card_path}: model card is not a JSON object")
        labels = card.get("labels")
        if labels is not None and list(labels) != list(EMOTIONS):
            raise ModelError(f"{card_path}: labels {labels} differ from {list(EMOTIONS)}")
        return card


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[-1].strip() if text else type(exc).__name__
