"""Loaded by a child Python through PYTHONPATH: OpenCV's loaders refuse file paths, as they fail
for paths with non-ASCII letters on Windows (they take narrow strings there), and so does
onnxruntime's session. A test that runs Emotune under it shows that no model reaches either as
a path; video files (opened by name) are refused only when their path is not ASCII."""

from __future__ import annotations

import os
from typing import Any

import cv2
import numpy as np

# As emotune.vision.runtime does before its own import: no telemetry files from the tests.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
import onnxruntime

REFUSAL = "a model loader was given a file path"


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def _refuse(what: str, value: object) -> None:
    raise RuntimeError(f"{REFUSAL}: {what}({value!r})")


_create = cv2.FaceDetectorYN.create
_read_onnx = cv2.dnn.readNetFromONNX
_read_net = cv2.dnn.readNet
_imread = cv2.imread
_video = cv2.VideoCapture
_cascade = cv2.CascadeClassifier


def create(*args: Any, **kwargs: Any) -> Any:
    if len(args) < 2 or not isinstance(args[1], (bytes, np.ndarray)):
        _refuse("FaceDetectorYN.create", args[:2])
    return _create(*args, **kwargs)


def read_onnx(*args: Any) -> Any:
    if args and _is_path(args[0]):
        _refuse("readNetFromONNX", args[0])
    return _read_onnx(*args)


def read_net(*args: Any, **kwargs: Any) -> Any:
    if args and _is_path(args[0]) and not args[1:]:
        _refuse("readNet", args[0])
    return _read_net(*args, **kwargs)


def imread(path: Any, *args: Any) -> Any:
    _refuse("imread", path)


def video_capture(*args: Any) -> Any:
    if args and _is_path(args[0]) and not os.fspath(args[0]).isascii():
        _refuse("VideoCapture", args[0])
    return _video(*args)


class CascadeClassifier:
    """Stands for OpenCV's class (which cannot be subclassed safely): refuses a path, passes
    everything else to the real classifier."""

    def __init__(self, *args: Any) -> None:
        if args:
            _refuse("CascadeClassifier", args[0])
        self._real = _cascade()

    def load(self, path: Any) -> bool:
        _refuse("CascadeClassifier.load", path)
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


_session = onnxruntime.InferenceSession


def inference_session(model: Any, *args: Any, **kwargs: Any) -> Any:
    if _is_path(model):
        _refuse("onnxruntime.InferenceSession", model)
    return _session(model, *args, **kwargs)


onnxruntime.InferenceSession = inference_session
cv2.FaceDetectorYN.create = create
cv2.dnn.readNetFromONNX = read_onnx
cv2.dnn.readNet = read_net
cv2.imread = imread
cv2.VideoCapture = video_capture
cv2.CascadeClassifier = CascadeClassifier
