"""Milliseconds per face of the app's emotion classifier, one CPU thread.

    python -m benchmarks.classifier_latency [--data ../shared/data/fer2013.zip] [--faces 600] [--json]

Real FER2013 val faces, upscaled to 160x160 as a detector crop would be (so the resize the
classifier does is counted), classified one face per call, as the app does for a single user.
Prints the median and 90th percentile, for the app's classifier (onnxruntime) and, for
reference, the same ONNX file through OpenCV's DNN module."""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from benchmarks.machine import describe_cpu
from emotune.resources import resource_path
from emotune.vision.emotions import MODEL_FILE, EmotionClassifier
from emotune.vision.preprocess import faces_to_batch
from training.data import load_split

REPO = Path(__file__).resolve().parent.parent


def time_per_call(fn: Callable[[np.ndarray], object], faces: list[np.ndarray], warmup: int = 20) -> list[float]:
    for face in faces[:warmup]:
        fn(face)
    times = []
    for face in faces:
        start = time.perf_counter()
        fn(face)
        times.append((time.perf_counter() - start) * 1e3)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "fer2013.zip")
    p.add_argument("--model", type=Path, default=resource_path("models", MODEL_FILE))
    p.add_argument("--faces", type=int, default=600)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()

    cv2.setNumThreads(1)
    images = load_split(args.data, "val").subset(args.faces, seed=1).images
    faces = [cv2.resize(image, (160, 160), interpolation=cv2.INTER_LINEAR) for image in images]

    results: dict[str, dict[str, float]] = {}
    for flip in (False, True):
        classifier = EmotionClassifier(args.model, flip_average=flip, threads=1)
        classifier.load()

        def classify_one(face: NDArray[np.uint8], c: EmotionClassifier = classifier) -> object:
            return c.classify([face])

        times = time_per_call(classify_one, faces)
        results[f"onnxruntime{'+flip' if flip else ''}"] = summarise(times)

    try:
        net = cv2.dnn.readNetFromONNX(str(args.model))
    except cv2.error:
        net = None  # OpenCV's importer cannot read the int8 (QDQ) file; onnxruntime figures still stand

    def opencv_dnn(face: np.ndarray) -> object:
        assert net is not None
        net.setInput(faces_to_batch([face]))
        return net.forward()

    if net is not None:
        results["opencv-dnn"] = summarise(time_per_call(opencv_dnn, faces))

    if args.json:
        print(json.dumps({"cpu": describe_cpu(), "faces": len(faces), "threads": 1, "ms_per_face": results}))
        return
    print(f"CPU: {describe_cpu()}")
    print(f"{len(faces)} faces (160x160 crops of FER2013 val), one thread, one face per call")
    for name, figures in results.items():
        print(f"  {name:<18} median {figures['median']:.2f} ms   p90 {figures['p90']:.2f} ms")


def summarise(times: list[float]) -> dict[str, float]:
    return {"median": round(float(np.median(times)), 3), "p90": round(float(np.percentile(times, 90)), 3)}


if __name__ == "__main__":
    main()
