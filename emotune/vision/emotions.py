"""The emotion classifier: face crops in, probabilities over the seven emotions out.

Runs the exported ONNX CNN through onnxruntime, so the app needs neither TensorFlow nor Keras.
onnxruntime over OpenCV's DNN module because it measured faster per face (docs/figures.md:
the classifier per face). The network is loaded on first use, not at import. Crops may be any size and grey
or BGR; resizing is done here (``emotune.vision.preprocess``), normalisation inside the model.

Models exported since personal calibration came have a second output, ``embedding`` (the features before the last
Dense layer); ``model_outputs`` returns it with the probabilities, for building a personal
profile (``emotune.vision.profile``). With a profile set (``EmotionClassifier(profile=...)`` or
``classifier.profile = ...``), ``classify`` returns that person's calibrated probabilities, so
the pipeline, the CLI and the GUI use a profile without changing. Older models without the
output still classify; only a profile needs it.
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from emotune.errors import ModelError, last_line, reason
from emotune.files import DamagedFileError, read_json_file
from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.preprocess import INPUT_SIZE, faces_to_batch
from emotune.vision.runtime import ort

if TYPE_CHECKING:
    from emotune.vision.profile import Profile

MODEL_FILE = "emotion.onnx"
# The same network in int8 (static, per-channel, 7-bit weights: ``tools/quantize_model.py
# --per-channel --reduce-range``): several times faster per face, and with flip averaging as
# accurate as float on FER2013 val (docs/figures.md). Used only with flip averaging: single view
# it loses more than the bar allows (docs/performance.md, section 1). Full 8-bit weights are
# refused because CPUs without VNNI (AVX2 laptops) sum int8 products in 16 bits and give other
# answers (same section).
INT8_MODEL_FILE = "emotion-int8.onnx"
CARD_FILE = "emotion.json"
# Name of the model's optional second output: per-face features before the last Dense layer.
EMBEDDING_OUTPUT = "embedding"
# Model card key of the per-label mean sqrt-embeddings of reference faces (personal profiles).
REFERENCE_KEY = "embedding_reference"
# How far a probe's probabilities may sum from 1: float32 softmax is off by about 1e-7.
PROBABILITY_TOLERANCE = 1e-3


class EmotionClassifier:
    """``classify(faces)`` -> (N, 7) probabilities in ``EMOTIONS`` order.

    ``flip_average`` also runs each face mirrored and averages the two answers (test-time
    augmentation; embeddings are averaged the same way); by default it follows the model card's
    ``test_time_flip``. ``profile`` personalises ``classify`` (see the module docstring)."""

    def __init__(
        self,
        model_path: Path | None = None,
        flip_average: bool | None = None,
        threads: int = 1,
        profile: Profile | None = None,
    ) -> None:
        self._flip_average = flip_average
        # One thread by default: the app's worker shares the machine with the camera and the GUI.
        self.threads = threads
        self._session: ort.InferenceSession | None = None
        self._input_name = ""
        self._probabilities_name = ""
        self._has_embedding = False
        # Views per session.run: 0 means any number; 1 for models fixed to batches of one.
        self._max_batch = 0
        self._card_data: dict[str, object] | None = None
        self._fingerprint: str | None = None
        self._lock = threading.Lock()  # guards the lazy load; InferenceSession.run is thread-safe
        self._profile: Profile | None = None
        self.model_path = model_path if model_path is not None else self._default_model()
        if profile is not None:
            self.profile = profile

    def _default_model(self) -> Path:
        """The shipped int8 model when flip averaging is on (as the card says by default), else float."""
        float_model = resource_path("models", MODEL_FILE)
        int8_model = float_model.with_name(INT8_MODEL_FILE)
        if not int8_model.is_file():
            return float_model
        self.model_path = float_model  # the card is read beside it
        return int8_model if self.flip_average else float_model

    @property
    def flip_average(self) -> bool:
        if self._flip_average is None:
            self._flip_average = bool(self._card().get("test_time_flip", False))
        return self._flip_average

    @property
    def profile(self) -> Profile | None:
        """The personal profile ``classify`` applies, or None for the plain model."""
        return self._profile

    @profile.setter
    def profile(self, profile: Profile | None) -> None:
        # Checked when set, so a profile made for another model is refused at once (ProfileError
        # naming the file) and the previous profile stays; the model file is only hashed here, the
        # network itself still loads on first use. A matching fingerprint also means the model has
        # the embedding output, since the profile was built from it. One attribute assignment, so
        # a GUI thread may swap profiles while the worker classifies.
        if profile is not None:
            profile.check_model(self.fingerprint())
        self._profile = profile

    def fingerprint(self) -> str:
        """SHA-256 of the model file (what the model card's ``onnx_sha256`` says), read once."""
        if self._fingerprint is None:
            try:
                data = self.model_path.read_bytes()
            except OSError as exc:
                raise ModelError(f"{self.model_path}: emotion model not found ({exc.strerror})") from exc
            self._fingerprint = hashlib.sha256(data).hexdigest()
        return self._fingerprint

    @property
    def has_embedding(self) -> bool:
        """Whether the model gives the ``embedding`` output (loads the model)."""
        self._ensure_session()
        return self._has_embedding

    def embedding_reference(self) -> NDArray[np.float32]:
        """(7, D) per-label mean sqrt-embeddings of the model's reference faces, from its card."""
        card_path = self.model_path.with_name(CARD_FILE)
        reference = self._card().get(REFERENCE_KEY)
        means = reference.get("means") if isinstance(reference, dict) else None
        if not isinstance(means, dict) or set(means) != set(EMOTIONS):
            raise ModelError(
                f"{card_path}: no {REFERENCE_KEY!r} for personal profiles (run tools/add_embedding_output.py)"
            )
        try:
            array = np.asarray([means[label] for label in EMOTIONS], dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"{card_path}: {REFERENCE_KEY!r} is damaged ({exc})") from exc
        if array.ndim != 2 or not np.isfinite(array).all():
            raise ModelError(f"{card_path}: {REFERENCE_KEY!r} is damaged (shape {array.shape} or non-finite values)")
        return array

    def load(self) -> None:
        """Load and check the network now (otherwise the first ``classify`` does it)."""
        self._ensure_session()

    def classify(self, faces: list[NDArray[np.uint8]]) -> NDArray[np.float32]:
        """Probabilities (N, 7) for N face crops (grey or BGR, any size) in one forward pass;
        personalised by ``profile`` when one is set."""
        profile = self._profile  # read once: another thread may swap it meanwhile
        if profile is None:
            return self._run(faces, embedding=False)[0]
        probs, embeddings = self.model_outputs(faces)
        return profile.apply(probs, embeddings)

    def model_outputs(self, faces: list[NDArray[np.uint8]]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """The model's own probabilities (N, 7), never personalised, and embeddings (N, D)."""
        probs, embeddings = self._run(faces, embedding=True)
        assert embeddings is not None
        return probs, embeddings

    def _run(
        self, faces: list[NDArray[np.uint8]], embedding: bool
    ) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        if not faces and not embedding:
            return np.zeros((0, len(EMOTIONS)), dtype=np.float32), None  # as before: no model load
        session = self._ensure_session()
        if embedding and not self._has_embedding:
            raise ModelError(
                f"{self.model_path}: model has no {EMBEDDING_OUTPUT!r} output, which personal profiles need "
                "(add it with tools/add_embedding_output.py or re-export the model)"
            )
        names = [self._probabilities_name, EMBEDDING_OUTPUT] if embedding else [self._probabilities_name]
        if not faces:
            width = session_output_width(session, EMBEDDING_OUTPUT) if embedding else 0
            empty = np.zeros((0, width), dtype=np.float32) if embedding else None
            return np.zeros((0, len(EMOTIONS)), dtype=np.float32), empty
        batch = faces_to_batch(faces)
        flip = self.flip_average
        if flip:
            batch = np.concatenate([batch, batch[:, :, ::-1, :]])
        step = self._max_batch or len(batch)
        runs = [session.run(names, {self._input_name: batch[i : i + step]}) for i in range(0, len(batch), step)]
        outputs = [np.concatenate([np.asarray(run[k], dtype=np.float32) for run in runs]) for k in range(len(names))]
        if flip:
            n = len(faces)
            outputs = [(out[:n] + out[n:]) * np.float32(0.5) for out in outputs]
        if not all(np.isfinite(out).all() for out in outputs):
            # Never pass NaN on: it would sort as any emotion and print as NaN in the JSON lines.
            raise ModelError(
                f"{self.model_path}: model gives non-numbers (NaN or infinity) for a face; "
                "the model file is damaged or not an emotion model"
            )
        return outputs[0], (outputs[1] if embedding else None)

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
        # Chosen by measurement (docs/performance.md, section 3): all graph optimisations (faster
        # than basic), and no spinning, which with more than one thread burns CPU for tens of
        # milliseconds after every call; one thread runs the same either way.
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.log_severity_level = 3  # errors only: its warnings are not for our users
        try:
            model = path.read_bytes()
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the emotion model ({reason(exc)})") from None
        try:
            # Bytes, like every model the app loads: no library gets to misread a path that has
            # letters outside ASCII (Windows, ``C:\\Users\\Zoë``).
            session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own unrelated types for bad files
            raise ModelError(f"{path}: not a readable ONNX model ({last_line(exc, type(exc).__name__)})") from exc
        inputs = session.get_inputs()
        if len(inputs) != 1:
            raise ModelError(f"{path}: model has {len(inputs)} inputs, expected one 48x48 grey face batch")
        self._input_name = inputs[0].name
        self._max_batch = _batch_limit(path, inputs[0].shape)
        # The probabilities are the first output; the embedding, where present, is found by name.
        self._probabilities_name = session.get_outputs()[0].name
        self._has_embedding = any(out.name == EMBEDDING_OUTPUT for out in session.get_outputs())
        # What classify will send, checked now: a batch of one, and of two (flip averaging sends
        # each face twice) unless the model is fixed to one at a time.
        probe = np.full((1, INPUT_SIZE, INPUT_SIZE, 1), 128.0, dtype=np.float32)
        try:
            out = np.asarray(session.run([self._probabilities_name], {self._input_name: probe})[0])
        except Exception as exc:
            raise ModelError(
                f"{path}: model does not accept 48x48 grey faces ({last_line(exc, type(exc).__name__)})"
            ) from exc
        if out.shape != (1, len(EMOTIONS)):
            raise ModelError(
                f"{path}: model gives outputs of shape {out.shape}, expected (1, {len(EMOTIONS)}) "
                f"({', '.join(EMOTIONS)})"
            )
        if not (np.isfinite(out).all() and (out >= 0).all() and abs(float(out.sum()) - 1.0) <= PROBABILITY_TOLERANCE):
            raise ModelError(f"{path}: model gives {np.round(out[0], 3).tolist()} for a face, not probabilities")
        if self._max_batch != 1:
            try:
                pair = np.asarray(
                    session.run([self._probabilities_name], {self._input_name: np.concatenate([probe, probe])})[0]
                )
                if pair.shape != (2, len(EMOTIONS)):
                    raise ValueError(f"outputs of shape {pair.shape} for two faces")
            except Exception:  # onnxruntime's own types: a graph that only works one face at a time
                self._max_batch = 1
        return session

    def _card(self) -> dict[str, object]:
        """The model card beside the model ({} without one), read once and checked where used:
        ``labels`` must be the seven labels in order and ``test_time_flip`` true or false."""
        if self._card_data is not None:
            return self._card_data
        card_path = self.model_path.with_name(CARD_FILE)
        try:
            card = read_json_file(card_path)
        except FileNotFoundError:
            card = {}
        except (OSError, DamagedFileError) as exc:
            raise ModelError(f"{card_path}: unreadable model card ({exc})") from exc
        if not isinstance(card, dict):
            raise ModelError(f"{card_path}: model card is not a JSON object")
        labels = card.get("labels")
        if labels is not None and labels != list(EMOTIONS):
            shown = labels if isinstance(labels, list) else repr(labels)
            raise ModelError(f"{card_path}: labels {shown} differ from {list(EMOTIONS)}")
        flip = card.get("test_time_flip")
        if flip is not None and not isinstance(flip, bool):
            raise ModelError(f"{card_path}: test_time_flip {flip!r} is not true or false")
        self._card_data = card
        return card


def _batch_limit(path: Path, shape: object) -> int:
    """Faces per run the declared input shape allows (0: any number, 1: one at a time), or
    ModelError when the shape is not a batch of 48x48 single-channel images."""
    dims = list(shape) if isinstance(shape, list | tuple) else []
    expected = [None, INPUT_SIZE, INPUT_SIZE, 1]
    # Symbolic dimensions are names (str) or None: only numbers can be checked.
    if len(dims) != len(expected) or any(
        isinstance(dim, int) and want is not None and dim != want for dim, want in zip(dims, expected, strict=True)
    ):
        raise ModelError(f"{path}: model input has shape {dims}, expected [batch, {INPUT_SIZE}, {INPUT_SIZE}, 1]")
    batch = dims[0]
    if isinstance(batch, int) and batch > 1:
        raise ModelError(
            f"{path}: model takes exactly {batch} faces at a time; it must take any number, or one at a time"
        )
    return 1 if batch == 1 else 0


def session_output_width(session: ort.InferenceSession, name: str) -> int:
    """The declared last dimension of output ``name`` (0 when it is symbolic)."""
    for out in session.get_outputs():
        if out.name == name and out.shape and isinstance(out.shape[-1], int):
            return int(out.shape[-1])
    return 0
