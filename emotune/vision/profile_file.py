"""The profile file: its format, the limits on every number in it, and the checks that read it.

A profile file is JSON (``FORMAT``, ``VERSION``), a few KB. Reading goes through
``read_profile_json`` (the file) and ``profile_fields`` (its content): anything wrong is one
``ProfileError`` naming the file, never a number the blend could overflow on. The blend itself
(``emotune.vision.profile``) is built from what ``profile_fields`` returns.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.errors import EmotuneError, reason
from emotune.files import DamagedFileError, read_json_file
from emotune.labels import EMOTIONS

FORMAT = "emotune-profile"
VERSION = 1
SUFFIX = ".json"
# A profile is a few KB; anything far larger is not one of ours, and is not read into memory.
MAX_FILE_BYTES = 1_000_000
MAX_NAME_LENGTH = 64
BIAS_DECIMALS, SCALE_DECIMALS = 5, 6  # what the file keeps


class ProfileError(EmotuneError):
    """A profile is missing, damaged, not a profile, or made for another model."""


class OtherModelProfileError(ProfileError):
    """A sound profile made for another emotion model (one shipped earlier): the person must teach
    their face again. ``person`` is whom the window names, where the message names the file."""

    def __init__(self, message: str, person: str) -> None:
        super().__init__(message)
        self.person = person


# What a profile file may hold, per number: (lowest, highest). Profiles are built with values far
# inside these; outside them the blend overflows or divides by nothing (a temperature of 1e-300,
# a weight of 1e300), so such a file is damaged, never used. One table, read by ``profile_fields``, which
# every reader goes through (``Profile.load``: the window, ``profile show``, ``--profile``).
BLEND_RANGES: dict[str, tuple[float, float]] = {
    "margin": (0.0, 10.0),
    "margin_weight": (0.0, 1000.0),
    "match_weight": (0.0, 100.0),
    "match_temperature": (1e-4, 10.0),
    "match_threshold": (-1.0, 1.0),
    "shape_weight": (0.0, 100.0),
    "displacement": (0.0, 10.0),
}
SCALE_RANGE = (1e-4, 1e4)
BIAS_LIMIT = 1e3  # |bias| at most
SPREAD_LIMIT = 1e6
MAX_SAMPLES = 10**9
MAX_CREATED_LENGTH = 64


@dataclass(frozen=True)
class BlendParameters:
    """The constants of the blend rule (module docstring), stored in each profile."""

    margin: float = 0.5  # log-probability lead the bias gives each shown expression on its own faces
    margin_weight: float = 10.0  # how hard the bias enforces that margin (soft: it cannot always hold)
    match_weight: float = 1.0
    match_temperature: float = 0.01  # cosine units: the person's faces are within ~0.05 of each other
    match_threshold: float = 0.95  # cosine nearer than this to a shown expression's mean counts as it
    shape_weight: float = 0.7
    displacement: float = 0.75  # share of the reference neutral -> expression step used for stand-ins


DEFAULT_BLEND = BlendParameters()


@dataclass(frozen=True)
class ExpressionSummary:
    """Summary of the samples of one shown expression (the mean lives in ``Profile.means``)."""

    samples: int
    spread: float  # RMS distance of the samples' sqrt-embeddings to their mean, in units of ``scale``


def read_profile_json(path: Path) -> Any:
    """The decoded JSON of a profile file; ProfileError naming the file when it cannot be read."""
    try:
        return read_json_file(path, MAX_FILE_BYTES)
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}: no such profile") from exc
    except IsADirectoryError as exc:
        raise ProfileError(f"{path}: is a folder, not a profile file") from exc
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read the profile ({reason(exc)})") from exc
    except DamagedFileError as exc:  # too large, not UTF-8, not JSON, nested too deeply
        raise ProfileError(f"{path}: damaged profile ({exc})") from exc


def profile_fields(data: object, source: Path | None = None) -> dict[str, Any]:
    """The checked fields of a ``Profile`` (all but ``source``) from a decoded file, or
    ProfileError naming ``source`` and what is wrong."""
    where = str(source) if source is not None else "profile"
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ProfileError(f'{where}: not an Emotune profile (no "format": {FORMAT!r})')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ProfileError(f"{where}: damaged profile (version {version!r} is not a number)")
    if version > VERSION:
        raise ProfileError(f"{where}: profile version {version} is newer than this Emotune reads ({VERSION})")
    try:
        return _fields(data)
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError, binascii.Error) as exc:
        detail = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise ProfileError(f"{where}: damaged profile ({detail})") from exc


def _number(value: object, what: str, low: float, high: float) -> float:
    """A real number from a profile within [low, high]; ValueError naming it otherwise (text,
    lists, null, booleans, NaN, infinity and 400-digit integers included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what}: {type(value).__name__} is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"{what}: a number too large") from None
    if not math.isfinite(number):
        raise ValueError(f"{what}: not all numbers are finite")
    if not low <= number <= high:
        raise ValueError(f"{what}: {number:g} is outside {low:g} to {high:g}")
    return number


def _finite_array(values: object, shape: tuple[int, ...], what: str, limit: float = math.inf) -> NDArray[np.float32]:
    if isinstance(values, list):
        values = [_number(v, what, -limit, limit) for v in values]
    elif not isinstance(values, np.ndarray):
        raise ValueError(f"{what}: expected a list of numbers")
    array = np.asarray(values, dtype=np.float64)
    if array.shape != shape:
        raise ValueError(f"{what}: expected shape {shape}, got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{what}: not all numbers are finite")
    return array.astype(np.float32)


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    if list(data["labels"]) != list(EMOTIONS):
        raise ValueError(f"labels {data['labels']} differ from {list(EMOTIONS)}")
    model = data["model"]
    sha = model["sha256"]
    if not isinstance(sha, str) or not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError("model.sha256 is not a SHA-256 hex digest")
    size = model["embedding_size"]
    if not isinstance(size, int) or not 1 <= size <= 4096:
        raise ValueError(f"model.embedding_size {size!r} is not a plausible size")
    raw = base64.b64decode(data["means"]["data"], validate=True)
    if len(raw) != len(EMOTIONS) * size * 2:
        raise ValueError(f"means: {len(raw)} bytes, expected {len(EMOTIONS) * size * 2}")
    means = _finite_array(np.frombuffer(raw, dtype="<f2").reshape(len(EMOTIONS), size), (len(EMOTIONS), size), "means")
    expressions: dict[str, ExpressionSummary] = {}
    given = data["expressions"]
    if not isinstance(given, dict) or not given:
        raise ValueError("expressions: no expression in the profile")
    for label in EMOTIONS:  # EMOTIONS order, whatever order the file has
        if label not in given:
            continue
        entry = given[label]
        if not isinstance(entry, dict):
            raise ValueError(f"expressions.{label}: not an object")
        samples = entry["samples"]
        if isinstance(samples, bool) or not isinstance(samples, int) or not 1 <= samples <= MAX_SAMPLES:
            raise ValueError(f"expressions.{label}: bad samples or spread")
        spread = _number(entry["spread"], f"expressions.{label}.spread", 0.0, SPREAD_LIMIT)
        expressions[label] = ExpressionSummary(samples, spread)
    unknown = set(given) - set(EMOTIONS)
    if unknown:
        raise ValueError(f"expressions: unknown labels {sorted(unknown)}")
    given_blend = data["blend"]
    if not isinstance(given_blend, dict):
        raise ValueError(f"blend: {type(given_blend).__name__} is not an object")
    blend = BlendParameters(
        **{
            key: _number(given_blend[key], f"blend.{key}", *BLEND_RANGES[key])
            for key in BLEND_RANGES
            if key in given_blend
        }
    )
    scale_value = data["scale"]
    if isinstance(scale_value, int | float) and not isinstance(scale_value, bool) and scale_value <= 0:
        raise ValueError(f"scale {float(scale_value)} must be a positive number")
    scale = _number(scale_value, "scale", *SCALE_RANGE)
    name = data["name"]
    if not isinstance(name, str):
        raise ValueError("name is not text")
    created = data.get("created", "")
    if not isinstance(created, str) or len(created) > MAX_CREATED_LENGTH:
        raise ValueError("created is not a short text")
    if not isinstance(model["flip_average"], bool):
        raise ValueError("model.flip_average is not true or false")
    return {
        "name": name,
        "model_sha256": sha,
        "flip_average": bool(model["flip_average"]),
        "expressions": expressions,
        "means": means,
        "bias": _finite_array(data["bias"], (len(EMOTIONS),), "bias", BIAS_LIMIT),
        "scale": scale,
        "blend": blend,
        "created": created,
    }
