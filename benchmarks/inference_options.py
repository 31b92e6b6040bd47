"""Cheaper inference, by measurement (issue 12): int8 model, onnxruntime session options, YuNet size.

    python -m benchmarks.inference_options [--rounds 7] [--only SECTION ...] [--quant-dir runs/quant] [--json]
    qemu-x86_64 -cpu EPYC-Milan .venv/bin/python -m benchmarks.inference_options --only accuracy \
        --val-limit 400 --quant-dir runs/quant --reuse-int8

1. int8: the emotion model quantized statically (``tools.quantize_model``: QDQ and QOperator,
   per-tensor and per-channel weights, 7-bit weights ("rr") or uint8 weights ("u8u8"), MinMax
   ranges from ``--calibration`` FER2013 TRAIN faces) and scored on FER2013 val through the
   app's own path (``training.evaluate.evaluate`` on an ``EmotionClassifier`` pointed at each
   file), flip averaging off and on, with the share of val faces on which it picks the same
   emotion as the float model. Bar: at most 0.3 points below the float model. onnxruntime's
   int8 kernels differ by CPU (VNNI or not), and so may the accuracy: on a machine with
   AVX-512, the second command line above scores the AVX2 kernels under emulation (slow).
2. Milliseconds per face, one thread, through the app's preprocessing (160x160 crops, resize,
   the flip's second view and the average), batches of 1 and 2 faces, single view and flip:
   wall time and CPU time (``time.process_time``, all of the process's threads).
3. onnxruntime session options, one factor at a time from what the app uses today (one intra-op
   and one inter-op thread, all graph optimisations, memory arena on, sequential execution):
   optimisation level, arena, ``session.intra_op.allow_spinning``; two threads for reference.
   Besides the time per call, the CPU time the process burns in the 100 ms after a call (the
   gap between two classifications at 10 Hz), which is where spinning threads show.
4. YuNet (``create_detector("yunet", max_side=S)``) on the talking-head frames of the tests, on
   the same frames shrunk to 0.75x (a user further from the camera), and on FER2013 val faces
   of all seven emotions pasted 200 px wide into a frame, as the tests do: ms per frame, how
   many frames still have a face, the box's IoU with a full-resolution detection, and whether
   the app's crop of that box gets the same emotion as the crop of today's 320-px detection.
5. ``cv2.setNumThreads(1)`` against OpenCV's default thread count, on detection.

The machine is shared and loaded, so each comparison is interleaved: every round runs each
variant in turn for a block of calls, and the tables give the median over rounds of each
block's median (wall) or mean (CPU), and the median of the per-round ratios to the baseline.
Figures print, with the CPU they came from; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from benchmarks.machine import describe_cpu
from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.crops import crop_faces
from emotune.vision.emotions import MODEL_FILE, EmotionClassifier
from emotune.vision.faces import DEFAULT_MAX_SIDE, box_overlap, create_detector
from emotune.vision.pipeline import PipelineSettings
from emotune.vision.preprocess import faces_to_batch
from tests.support.vision_media import background, expression_frames, load_val_faces, talking_head_frames
from tools.quantize_model import DEFAULT_CACHE, DEFAULT_DATA, calibration_faces, quantize
from training.data import Dataset, load_split
from training.evaluate import evaluate

Image = NDArray[np.uint8]
LEVELS = {
    "disabled": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
    "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
    "extended": ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED,
    "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL,
}
# Name -> tools.quantize_model.quantize options. Weights int8 and activations uint8 unless said.
# onnxruntime's int8 kernels for AVX2 and AVX-512 without VNNI add pairs of u8 x s8 products in
# 16 bits (VPMADDUBSW), which saturates with full-range weights; "rr" (reduce_range, 7-bit
# weights) cannot saturate and gave bit-identical outputs there and with VNNI; "u8u8" (uint8
# weights) did not help (docs/performance.md, section 1).
INT8_VARIANTS: dict[str, dict[str, Any]] = {
    "qdq-per-tensor": {"quant_format": "qdq"},
    "qdq-per-channel": {"quant_format": "qdq", "per_channel": True},
    "qop-per-channel": {"quant_format": "qoperator", "per_channel": True},
    "qdq-per-channel-rr": {"quant_format": "qdq", "per_channel": True, "reduce_range": True},
    "qop-per-channel-u8u8": {"quant_format": "qoperator", "per_channel": True, "weights": "uint8"},
}
# Models section 3 tries the session options on: QDQ is the format whose speed hangs on the level.
OPTIONS_MODELS = ("float", "qdq-per-channel-rr", "qop-per-channel-u8u8")
SECTIONS = ("accuracy", "speed", "options", "detection", "threads")
DETECT_SIZES = (160, 192, 224, 256, 320, 640)  # 640: the full 640x480 frame, for reference
SETTLE_S = 0.06  # longer than onnxruntime's spin after a call (about 30 ms here)
IDLE_GAP_S = 0.1  # between two classifications at 10 Hz


# ---------------------------------------------------------------------------------------------
# Sessions and the app's classify path


@dataclass(frozen=True)
class SessionConfig:
    """One way to open an onnxruntime session; the defaults are what the app uses today."""

    label: str
    level: str = "all"
    arena: bool = True
    spinning: bool | None = None  # None: onnxruntime's default (spinning on)
    threads: int = 1

    def options(self) -> ort.SessionOptions:
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = LEVELS[self.level]
        options.enable_cpu_mem_arena = self.arena
        options.log_severity_level = 3
        if self.spinning is not None:
            options.add_session_config_entry("session.intra_op.allow_spinning", "1" if self.spinning else "0")
            options.add_session_config_entry("session.inter_op.allow_spinning", "1" if self.spinning else "0")
        return options


class AppPath:
    """The app's ``EmotionClassifier.classify`` on a session of our own choosing: the same
    preprocessing, the flip's mirrored second view in the same batch, and the average."""

    def __init__(self, model: Path, config: SessionConfig) -> None:
        self.session = ort.InferenceSession(str(model), config.options(), providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        # The probabilities: models since issue 11 also have an "embedding" output, unused here.
        names = [o.name for o in self.session.get_outputs()]
        self.output_name = next((n for n in names if n != "embedding"), names[0])

    def classify(self, faces: list[Image], flip: bool) -> NDArray[np.float32]:
        batch = faces_to_batch(faces)
        if flip:
            batch = np.concatenate([batch, batch[:, :, ::-1, :]])
        probs = np.asarray(self.session.run([self.output_name], {self.input_name: batch})[0], dtype=np.float32)
        if flip:
            n = len(faces)
            probs = (probs[:n] + probs[n:]) * np.float32(0.5)
        return probs


# ---------------------------------------------------------------------------------------------
# Interleaved timing


@dataclass
class Timing:
    wall_ms: float  # median over rounds of the block's median per call
    cpu_ms: float  # median over rounds of the block's mean CPU time per call
    wall_ratio: float  # median over rounds of wall_ms / the baseline's, same round
    cpu_ratio: float


Case = Callable[[int], object]  # called with a running index, e.g. to pick the next face


def interleaved(cases: dict[str, Case], rounds: int, calls: int, baseline: str, per: float = 1.0) -> dict[str, Timing]:
    """Time each case in turn, ``calls`` calls per block, for ``rounds`` rounds (order rotated
    each round). Figures are per call divided by ``per`` (e.g. faces per call). Each block starts
    after a pause longer than onnxruntime's spin, so no thread of the previous case still spins."""
    names = list(cases)
    for fn in cases.values():  # warm-up: first runs allocate and tune
        for i in range(max(5, calls // 5)):
            fn(i)
    walls: dict[str, list[float]] = {name: [] for name in names}
    cpus: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            fn = cases[name]
            times = []
            time.sleep(SETTLE_S)
            cpu_start = time.process_time()
            for i in range(calls):
                start = time.perf_counter()
                fn(r * calls + i)
                times.append(time.perf_counter() - start)
            cpu = time.process_time() - cpu_start
            walls[name].append(statistics.median(times) * 1e3 / per)
            cpus[name].append(cpu / calls * 1e3 / per)
    out = {}
    for name in names:
        out[name] = Timing(
            wall_ms=statistics.median(walls[name]),
            cpu_ms=statistics.median(cpus[name]),
            wall_ratio=statistics.median(w / b for w, b in zip(walls[name], walls[baseline], strict=True)),
            cpu_ratio=statistics.median(c / b for c, b in zip(cpus[name], cpus[baseline], strict=True)),
        )
    return out


def classify_case(app: AppPath, faces: Sequence[Image], per_call: int, flip: bool) -> Case:
    """A case classifying the next ``per_call`` faces of ``faces`` in one call."""

    def run(i: int) -> object:
        return app.classify([faces[(i * per_call + j) % len(faces)] for j in range(per_call)], flip)

    return run


def detect_case(detector: Any, frames: Sequence[Image]) -> Case:
    """A case detecting faces in the next frame of ``frames``."""

    def run(i: int) -> object:
        return detector.detect(frames[i % len(frames)])

    return run


def idle_cpu_after(fn: Case, gap_s: float = IDLE_GAP_S, repeats: int = 10) -> float:
    """CPU milliseconds the process burns in the ``gap_s`` seconds after a call returns (median
    of ``repeats``): threads left spinning. At 10 classifications a second the gap is 100 ms."""
    burnt = []
    for i in range(repeats):
        time.sleep(SETTLE_S)
        fn(i)
        start = time.process_time()
        time.sleep(gap_s)
        burnt.append((time.process_time() - start) * 1e3)
    return statistics.median(burnt)


def detector_crops(images: Sequence[Image], side: int = 160) -> list[Image]:
    """FER2013 faces upscaled as a detector's crop of a webcam frame would be, so the
    classifier's resize is part of the cost, as in ``benchmarks.classifier_latency``."""
    return [np.asarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_LINEAR)) for image in images]


# ---------------------------------------------------------------------------------------------
# 1. int8 accuracy


class RecordingClassifier(EmotionClassifier):
    """The app's classifier, keeping its top-1 answers, to compare two models face by face."""

    def __init__(self, model_path: Path, flip_average: bool) -> None:
        super().__init__(model_path=model_path, flip_average=flip_average, threads=1)
        self.top1: list[NDArray[np.int64]] = []

    def classify(self, faces: list[Image]) -> NDArray[np.float32]:
        probs = super().classify(faces)
        self.top1.append(np.asarray(probs.argmax(axis=1), dtype=np.int64))
        return probs


def make_int8(model: Path, out_dir: Path, data: Path, count: int, seed: int, reuse: bool = False) -> dict[str, Path]:
    """The int8 variants of ``model`` in ``out_dir`` (with ``reuse``, files already there are kept)."""
    paths = {stem: out_dir / f"emotion-{stem}.onnx" for stem in INT8_VARIANTS}
    if reuse and all(path.is_file() for path in paths.values()):
        return paths
    faces = calibration_faces(data, count, seed, DEFAULT_CACHE)
    for stem, options in INT8_VARIANTS.items():
        quantize(model, paths[stem], faces, **options)
    return paths


def accuracy_table(models: dict[str, Path], val: Dataset) -> dict[str, dict[str, float]]:
    """Val accuracy (%) of each model with flip off and on, through ``training.evaluate``, and
    agreement (%) of its top-1 answers with the first model's."""
    table: dict[str, dict[str, float]] = {}
    reference: dict[bool, NDArray[np.int64]] = {}
    for name, path in models.items():
        row: dict[str, float] = {}
        for flip in (False, True):
            classifier = RecordingClassifier(path, flip)
            result = evaluate(classifier, val)
            top1 = np.concatenate(classifier.top1)
            reference.setdefault(flip, top1)
            key = "flip" if flip else "single"
            row[f"acc_{key}"] = round(100 * float(result["accuracy"]), 2)
            row[f"agree_{key}"] = round(100 * float(np.mean(top1 == reference[flip])), 2)
        table[name] = row
    return table


# ---------------------------------------------------------------------------------------------
# 4-5. YuNet


def farther(frames: Sequence[Image], factor: float = 0.75) -> list[Image]:
    """The frames shrunk by ``factor`` and centred on a textured background: the user sits back."""
    out = []
    room = background(seed=7)
    height, width = room.shape[:2]
    size = (round(width * factor), round(height * factor))
    x0, y0 = (width - size[0]) // 2, (height - size[1]) // 2
    for frame in frames:
        canvas = room.copy()
        canvas[y0 : y0 + size[1], x0 : x0 + size[0]] = cv2.resize(frame, size, interpolation=cv2.INTER_AREA)
        out.append(canvas)
    return out


def detection_quality(
    frames: Sequence[Image], sizes: Sequence[int], model: Path, labels: Sequence[str] | None = None
) -> dict[int, dict[str, float]]:
    """Per detection size: frames with a face; the largest face's IoU with a full-resolution
    detection's; and what the classifier makes of the app's crop of it (``crop_faces`` with the
    pipeline's default settings, flip as the model card says) against the crop from today's
    320-px detection: the same top emotion in how many frames, and the mean largest change of
    any emotion's probability (points). With ``labels`` (the true emotion of each frame), also
    how many frames get the true emotion (a frame without a face counts as wrong)."""
    settings = PipelineSettings()
    classifier = EmotionClassifier(model_path=model, threads=1)
    full = create_detector("yunet", max_side=max(max(f.shape[:2]) for f in frames))
    reference = [full.detect(f) for f in frames]
    found_full = sum(bool(faces) for faces in reference)

    def scores(faces: list[Any], frame: Image) -> NDArray[np.float32] | None:
        if not faces:
            return None
        crops = crop_faces(frame, faces[:1], settings.margin, settings.align, settings.crop_size)
        return np.asarray(classifier.classify(list(crops))[0], dtype=np.float32)

    today = create_detector("yunet", max_side=DEFAULT_MAX_SIDE)
    today_scores = [scores(today.detect(f), f) for f in frames]
    out = {}
    for size in sizes:
        detector = create_detector("yunet", max_side=size)
        found, ious, same, both, shifts, correct = 0, [], 0, 0, [], 0
        for k, (frame, ref, base) in enumerate(zip(frames, reference, today_scores, strict=True)):
            faces = detector.detect(frame)
            found += bool(faces)
            if faces and ref:
                ious.append(box_overlap(faces[0].box, ref[0].box))
            probs = scores(faces, frame)
            if probs is not None and labels is not None:
                correct += int(EMOTIONS[int(probs.argmax())] == labels[k])
            if probs is not None and base is not None:
                both += 1
                same += int(probs.argmax() == base.argmax())
                shifts.append(float(np.abs(probs - base).max()))
        out[size] = {
            "found": found,
            "found_full_resolution": found_full,
            "frames": len(frames),
            "iou_median": round(statistics.median(ious), 3) if ious else 0.0,
            "iou_min": round(min(ious), 3) if ious else 0.0,
            "same_emotion_as_320": same,
            "found_here_and_at_320": both,
            "mean_max_prob_change_pts": round(100 * statistics.fmean(shifts), 2) if shifts else 0.0,
        }
        if labels is not None:
            out[size]["correct_emotion"] = correct
    return out


def detection_timing(frames: Sequence[Image], sizes: Sequence[int], rounds: int) -> dict[str, Timing]:
    cases: dict[str, Case] = {str(size): detect_case(create_detector("yunet", max_side=size), frames) for size in sizes}
    return interleaved(cases, rounds, calls=min(60, len(frames)), baseline=str(DEFAULT_MAX_SIDE))


def cv2_threads_timing(
    frames: Sequence[Image], rounds: int, default_threads: int
) -> tuple[dict[str, Timing], dict[str, float]]:
    """YuNet at 320 and 224 with OpenCV's default thread count and with one thread."""
    cases: dict[str, Case] = {}
    for size in (320, 224):
        detector = create_detector("yunet", max_side=size)
        for threads in (default_threads, 1):

            def case(i: int, d: Any = detector, n: int = threads) -> object:
                if cv2.getNumThreads() != n:
                    cv2.setNumThreads(n)
                return d.detect(frames[i % len(frames)])

            cases[f"{size} px, cv2 threads {threads}"] = case
    timings = interleaved(cases, rounds, calls=min(60, len(frames)), baseline=f"320 px, cv2 threads {default_threads}")
    idle = {name: idle_cpu_after(case) for name, case in cases.items()}
    cv2.setNumThreads(1)
    return timings, idle


# ---------------------------------------------------------------------------------------------
# Report


def print_timings(title: str, timings: dict[str, Timing], unit: str) -> None:
    print(f"\n{title}")
    print(f"  {'variant':<40} {'wall ' + unit:>14} {'CPU ' + unit:>14} {'wall ratio':>11} {'CPU ratio':>10}")
    for name, t in timings.items():
        print(f"  {name:<40} {t.wall_ms:14.3f} {t.cpu_ms:14.3f} {t.wall_ratio:11.2f} {t.cpu_ratio:10.2f}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", type=Path, default=resource_path("models", MODEL_FILE), help="float emotion model")
    p.add_argument("--data", type=Path, default=DEFAULT_DATA)
    p.add_argument("--calibration", type=int, default=500, help="FER2013 train faces for int8 calibration")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--quant-dir", type=Path, default=None, help="keep the int8 models here (default: a temp dir)")
    p.add_argument(
        "--reuse-int8", action="store_true", help="use the int8 files already in --quant-dir (e.g. under an emulator)"
    )
    p.add_argument("--rounds", type=int, default=7, help="interleaved rounds per comparison")
    p.add_argument("--calls", type=int, default=60, help="calls per variant per round")
    p.add_argument("--faces", type=int, default=300, help="val faces cycled through in timings")
    p.add_argument("--frames", type=int, default=240, help="talking-head frames for detection")
    p.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="sections to run")
    p.add_argument(
        "--val-limit",
        type=int,
        default=0,
        help="score a seeded subset of val this big (0: all); for slow runs, e.g. under an emulator",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    args = p.parse_args()
    show = not args.json

    ort.disable_telemetry_events()
    cv2_default_threads = cv2.getNumThreads()
    cv2.setNumThreads(1)  # the app's worker should run one thread; section 5 measures the alternative
    cpu = describe_cpu()
    results: dict[str, Any] = {"cpu": cpu, "onnxruntime": ort.__version__, "opencv": cv2.__version__}
    if show:
        print(f"CPU: {cpu}")
        print(f"onnxruntime {ort.__version__}, OpenCV {cv2.__version__}; one thread unless stated; medians of")
        print(f"{args.rounds} interleaved rounds; shared machine, so compare ratios, not absolute figures")

    with tempfile.TemporaryDirectory() as tmp:
        quant_dir = args.quant_dir if args.quant_dir is not None else Path(tmp)
        models = {"float": args.model}
        if {"accuracy", "speed", "options"} & set(args.only):
            models.update(make_int8(args.model, quant_dir, args.data, args.calibration, args.seed, args.reuse_int8))
            val = load_split(args.data, "val", cache_dir=DEFAULT_CACHE)
            faces = detector_crops(list(val.subset(args.faces, seed=1).images))
        if "accuracy" in args.only:
            scored = val.subset(args.val_limit, seed=0) if args.val_limit > 0 else val
            results["accuracy"] = accuracy_section(models, scored, args, show)
        if "speed" in args.only:
            results["ms_per_face"] = speed_section(models, faces, args, show)
        if "options" in args.only:
            results["session_options"] = options_section(models, faces, args, show)
    if "detection" in args.only:
        results["detection"] = detection_section(args.model, args.frames, args.rounds, show)
    if "threads" in args.only:
        threads, idle_cv2 = cv2_threads_timing(talking_head_frames(args.frames), args.rounds, cv2_default_threads)
        results["cv2_threads"] = {"timing": {k: vars(t) for k, t in threads.items()}, "idle_cpu_ms": idle_cv2}
        if show:
            print_timings(f"5. YuNet with cv2.setNumThreads (default here: {cv2_default_threads})", threads, "ms")
            print(f"   CPU ms burnt in the {IDLE_GAP_S * 1e3:.0f} ms after a detection (threads left spinning):")
            print("   " + ", ".join(f"{label}: {ms:.1f}" for label, ms in idle_cv2.items()))
    if not show:
        print(json.dumps(results))


def accuracy_section(
    models: dict[str, Path], val: Dataset, args: argparse.Namespace, show: bool
) -> dict[str, dict[str, float]]:
    acc = accuracy_table(models, val)
    if show:
        print(f"\n1. FER2013 val accuracy (n={len(val)}) through training.evaluate + EmotionClassifier;")
        print(f"   int8 calibrated on {args.calibration} train faces (MinMax, seed {args.seed}); agree: same top")
        print("   emotion as the float model, single view / flip")
        head = f"  {'model':<22} {'single %':>9} {'flip %':>8} {'d single':>9} {'d flip':>8}"
        print(f"{head} {'agree s/f %':>13}")
        base = acc["float"]
        for name, row in acc.items():
            d_single = row["acc_single"] - base["acc_single"]
            d_flip = row["acc_flip"] - base["acc_flip"]
            agree = f"{row['agree_single']:.1f}/{row['agree_flip']:.1f}"
            print(
                f"  {name:<22} {row['acc_single']:9.2f} {row['acc_flip']:8.2f} "
                f"{d_single:+9.2f} {d_flip:+8.2f} {agree:>13}"
            )
    return acc


def speed_section(
    models: dict[str, Path], faces: list[Image], args: argparse.Namespace, show: bool
) -> dict[str, dict[str, Any]]:
    """ms per face, float against int8, with the app's session options."""
    paths = {name: AppPath(path, SessionConfig(name)) for name, path in models.items()}
    per_face: dict[str, dict[str, Timing]] = {}
    for n_faces in (1, 2):
        for flip in (False, True):
            cases = {name: classify_case(app, faces, n_faces, flip) for name, app in paths.items()}
            label = f"{n_faces} face{'s' if n_faces > 1 else ''} per call, {'flip' if flip else 'single view'}"
            per_face[label] = interleaved(cases, args.rounds, args.calls, baseline="float", per=n_faces)
            if show:
                title = f"2. ms per face, {label} (app preprocessing, 160x160 crops)"
                print_timings(title, per_face[label], "ms/face")
    return {k: {n: vars(t) for n, t in v.items()} for k, v in per_face.items()}


def options_section(
    models: dict[str, Path], faces: list[Image], args: argparse.Namespace, show: bool
) -> dict[str, Any]:
    """Session options one factor at a time, one face with flip (the app's call today)."""
    configs = [
        SessionConfig("app today (all, arena, spin default)"),
        SessionConfig("level disabled", level="disabled"),
        SessionConfig("level basic", level="basic"),
        SessionConfig("level extended", level="extended"),
        SessionConfig("arena off", arena=False),
        SessionConfig("spinning 0", spinning=False),
        SessionConfig("spinning 1", spinning=True),
        SessionConfig("all, arena off, spinning 0", arena=False, spinning=False),
        SessionConfig("2 threads, spinning 1", threads=2, spinning=True),
        SessionConfig("2 threads, spinning 0", threads=2, spinning=False),
    ]
    out: dict[str, Any] = {}
    for model_name in OPTIONS_MODELS:
        apps = {c.label: AppPath(models[model_name], c) for c in configs}
        cases = {label: classify_case(app, faces, 1, True) for label, app in apps.items()}
        busy = interleaved(cases, args.rounds, args.calls, baseline=configs[0].label)
        idle = {label: round(idle_cpu_after(case), 2) for label, case in cases.items()}
        out[model_name] = {"timing": {k: vars(t) for k, t in busy.items()}, "idle_cpu_ms": idle}
        if show:
            print_timings(f"3. session options, {model_name} model, one face with flip", busy, "ms")
            print(f"   CPU ms burnt in the {IDLE_GAP_S * 1e3:.0f} ms after a call (threads left spinning):")
            print("   " + ", ".join(f"{label}: {ms:.1f}" for label, ms in idle.items()))
    return out


def detection_section(model: Path, count: int, rounds: int, show: bool) -> dict[str, Any]:
    near = talking_head_frames(count)
    # Expressions: 10 FER2013 val faces per emotion, 200 px on a textured room, two frames each.
    by_label = load_val_faces(per_class=10)
    expressions = expression_frames([(face, 2) for group in by_label.values() for face in group])
    truth = [label for label, group in by_label.items() for _ in group for _ in range(2)]
    scenes: list[tuple[str, list[Image], list[str] | None]] = [
        ("talking head", near, None),
        ("talking head at 0.75x", farther(near), None),
        ("FER2013 faces", expressions, truth),
    ]
    detection: dict[str, Any] = {}
    for scene, frames, labels in scenes:
        quality = detection_quality(frames, DETECT_SIZES, model, labels)
        timing = detection_timing(frames, DETECT_SIZES, rounds)
        detection[scene] = {"quality": quality, "timing": {k: vars(t) for k, t in timing.items()}}
        if show:
            print(f"\n4. YuNet on {len(frames)} 640x480 frames, {scene}, one thread: detection copy's longest side;")
            full = quality[DETECT_SIZES[0]]["found_full_resolution"]
            print(f"   faces found at full resolution: {full}/{len(frames)}; IoU with that detection; emotion")
            print("   of the app's crop against today's 320-px one, in frames where both found a face")
            head = f"  {'max_side':>8} {'wall ms':>9} {'CPU ms':>8} {'ratio':>6} {'found':>9} {'IoU med':>8}"
            print(f"{head} {'IoU min':>8} {'same emotion':>13} {'max dp pts':>11}" + (" correct" if labels else ""))
            for size in DETECT_SIZES:
                t, q = timing[str(size)], quality[size]
                print(
                    f"  {size:>8} {t.wall_ms:9.2f} {t.cpu_ms:8.2f} {t.wall_ratio:6.2f} "
                    f"{q['found']:>4}/{q['frames']:<4} {q['iou_median']:8.3f} {q['iou_min']:8.3f} "
                    f"{q['same_emotion_as_320']:>8}/{q['found_here_and_at_320']:<4} "
                    f"{q['mean_max_prob_change_pts']:11.2f}"
                    + (f" {q['correct_emotion']:>4}/{q['frames']}" if labels else "")
                )
    return detection


if __name__ == "__main__":
    main()
