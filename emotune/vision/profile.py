"""A personal profile: what Emotune learned about one person's face, and how it uses it.

Built from a few photos or a few seconds of frames per expression the person shows (any subset
of the seven labels; neutral alone already helps), it holds numbers only, never images:

- per expression shown: the number of samples, the mean of their square-rooted embeddings (the
  model's 256 features before its last layer, ``emotune.vision.emotions``) and their spread;
- for each expression *not* shown, a stand-in mean: the model's reference mean for it (FER2013,
  from the model card) moved by the person's offset from the reference means of the expressions
  they did show, with three quarters of the reference's step from neutral to that expression (a
  guess, and weighted as one);
- a bias over the seven labels: the smallest one (least squares) that makes the model read each
  shown expression's faces as that expression by a margin of ``margin`` in log-probability.

Blend rule (``Profile.apply``), per face with model probabilities p and embedding e,
z = sqrt(e), u = z / |z|, means m_c (shown or stand-in), shown set S (k classes)::

    log p'(c) = log p(c)                                      the model
              + bias_c                                        0 where the model already reads S right
              + match_weight * log q(c)                       nearness to the person's own faces
              - shape_weight * |z - m_c|^2 / scale^2          nearness to every class mean
    q = softmax over S + {other} of (u . m_c/|m_c|, threshold) / match_temperature,
        and every class outside S shares q(other)

then renormalised. Where the profile has no evidence, the model decides: the bias is zero unless
the model misreads the person's own faces; the match term gives every class outside S the same
q(other), so it never tells two unshown expressions apart, and a face far from all the person's
shown expressions gets q(other) near 1; what still tells unshown expressions apart is the model
itself and the shape term, whose stand-in means are the model's own reference faces moved to this
person. With ``shape_weight`` 0 and no bias, unshown classes keep exactly the model's odds.

Why this rule: chosen by measurement on five people (JAFFE; ``python -m benchmarks.calibration_bench``,
a person's profile always tested on their other photos; the figures are the README's table,
"Personal calibration"): with one photo per expression every person gains, with a neutral photo
alone nobody loses, and each term (bias, match, shape) earns its place in those protocols. Rejected: the model's head
fine-tuned on the photos with an L2 pull to the original weights (one photo per expression 75%,
but with a neutral photo alone some people lost 16 to 32 points, depending on the pull), and a
per-person shift of the features by the neutral face before the model's head (neutral photo
alone: +1.6 points overall, 8 lost for some people).

Files are JSON (``FORMAT``, ``VERSION``; read and checked by ``emotune.vision.profile_file``),
written atomically with mode 600; the model's SHA-256 is stored so that a profile made for
another model is refused. Any problem with a file raises ``ProfileError`` naming the file. This
module needs only numpy and json: no OpenCV, no onnxruntime, no tkinter.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from emotune.environment import Environment
from emotune.errors import reason
from emotune.files import atomic_write
from emotune.labels import EMOTIONS
from emotune.safe_file import ExportError, write_export
from emotune.text import printable
from emotune.vision.profile_file import (
    BIAS_DECIMALS,
    DEFAULT_BLEND,
    FORMAT,
    MAX_NAME_LENGTH,
    SCALE_DECIMALS,
    SUFFIX,
    VERSION,
    BlendParameters,
    ExpressionSummary,
    OtherModelProfileError,
    ProfileError,
    profile_fields,
    read_profile_json,
)

__all__ = [
    "DEFAULT_BLEND",
    "FORMAT",
    "MAX_NAME_LENGTH",
    "NEUTRAL",
    "SUFFIX",
    "VERSION",
    "BlendParameters",
    "ExpressionSummary",
    "OtherModelProfileError",
    "Profile",
    "ProfileBuilder",
    "ProfileError",
    "ProfileStore",
    "build_profile",
    "fit_bias",
    "profile_file_name",
]

NEUTRAL = EMOTIONS.index("neutral")
_PROBABILITY_FLOOR = 1e-7  # log(0) guard; far below any probability the softmax model gives


@dataclass(frozen=True, eq=False)  # arrays inside: compare ``to_json()`` when that is meant
class Profile:
    """One person's calibration. Build with ``build_profile``, read with ``Profile.load``."""

    name: str
    model_sha256: str
    flip_average: bool
    expressions: Mapping[str, ExpressionSummary]  # shown expressions only, in EMOTIONS order
    means: NDArray[np.float32]  # (7, D): sqrt-embedding means, shown or stand-in
    bias: NDArray[np.float32]  # (7,)
    scale: float  # typical distance between the reference neutral and other expressions
    blend: BlendParameters = DEFAULT_BLEND
    created: str = ""
    source: Path | None = None  # the file it came from, for messages; not stored in it
    _projection: NDArray[np.float32] = field(init=False, repr=False)
    _offset: NDArray[np.float32] = field(init=False, repr=False)
    _spread_other: NDArray[np.float32] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The rule folded into one matrix product per batch: |z - m_c|^2 = |z|^2 - 2 z.m_c + |m_c|^2,
        # and |z|^2 is the same for every class, so it drops out of the softmax. Columns 0..6 give
        # the shape term, the next k the shown means' cosines (before dividing by |z|) over the
        # temperature. This keeps ``apply`` at a few hundredths of a millisecond per face.
        b = self.blend
        shown = [EMOTIONS.index(label) for label in self.expressions]
        means = np.asarray(self.means, dtype=np.float64)
        shape_factor = b.shape_weight / (self.scale * self.scale)
        unit_shown = means[shown] / np.maximum(np.linalg.norm(means[shown], axis=1, keepdims=True), 1e-12)
        projection = np.concatenate([2.0 * shape_factor * means.T, unit_shown.T / b.match_temperature], axis=1)
        offset = np.asarray(self.bias, dtype=np.float64) - shape_factor * (means**2).sum(axis=1)
        # log q over (shown..., other) -> per class: a shown class gets its own, the others q(other).
        spread = np.zeros((len(shown) + 1, len(EMOTIONS)))
        spread[-1, :] = 1.0
        for row, c in enumerate(shown):
            spread[row, c], spread[-1, c] = 1.0, 0.0
        object.__setattr__(self, "_projection", projection.astype(np.float32))
        object.__setattr__(self, "_offset", offset.astype(np.float32))
        object.__setattr__(self, "_spread_other", (b.match_weight * spread).astype(np.float32))

    @property
    def embedding_size(self) -> int:
        return int(self.means.shape[1])

    @property
    def origin(self) -> str:
        """How messages name this profile: its file, else its name."""
        return str(self.source) if self.source is not None else f"profile {self.name!r}"

    def check_model(self, model_sha256: str) -> None:
        """ProfileError unless this profile was made for the model with this SHA-256."""
        if model_sha256 != self.model_sha256:
            raise OtherModelProfileError(
                f"{self.origin}: made for another emotion model (sha256 {self.model_sha256[:12]}, this one is "
                f"{model_sha256[:12]}); build the profile again",
                self.name or (self.source.stem if self.source is not None else ""),
            )

    def apply(self, probabilities: NDArray[np.float32], embeddings: NDArray[np.float32]) -> NDArray[np.float32]:
        """Personalised probabilities (N, 7) from the model's probabilities and embeddings."""
        probs = np.asarray(probabilities, dtype=np.float32)
        if len(probs) == 0:
            return probs
        emb = np.asarray(embeddings, dtype=np.float32)
        if emb.ndim != 2 or emb.shape[1] != self.embedding_size or len(emb) != len(probs):
            raise ProfileError(
                f"{self.origin}: embeddings of shape {emb.shape} do not fit this profile "
                f"({len(probs)} x {self.embedding_size} expected)"
            )
        z = np.sqrt(np.maximum(emb, 0.0))
        projected = z @ self._projection
        norms = np.maximum(np.sqrt(np.einsum("ij,ij->i", z, z)), 1e-12)
        k = self._projection.shape[1] - len(EMOTIONS)
        match = np.empty((len(z), k + 1), dtype=np.float32)
        match[:, :k] = projected[:, len(EMOTIONS) :] / norms[:, None]
        match[:, k] = self.blend.match_threshold / self.blend.match_temperature
        match -= match.max(axis=1, keepdims=True)
        log_q = match - np.log(np.exp(match).sum(axis=1, keepdims=True))
        scores = np.log(np.maximum(probs, _PROBABILITY_FLOOR))
        scores += projected[:, : len(EMOTIONS)] + self._offset + log_q @ self._spread_other
        scores -= scores.max(axis=1, keepdims=True)
        out = np.exp(scores)
        out /= out.sum(axis=1, keepdims=True)
        return out.astype(np.float32, copy=False)

    # -- files ----------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "name": self.name,
            "created": self.created,
            "model": {
                "sha256": self.model_sha256,
                "embedding_size": self.embedding_size,
                "flip_average": self.flip_average,
            },
            "labels": list(EMOTIONS),
            "expressions": {label: asdict(summary) for label, summary in self.expressions.items()},
            "blend": asdict(self.blend),
            "scale": round(self.scale, SCALE_DECIMALS),
            "bias": [round(float(v), BIAS_DECIMALS) for v in self.bias],
            # float16: 4.7 KB of base64 for all seven means; its 3 significant digits move a
            # cosine of ~0.95 by about 1e-4, far below the blend's temperature of 0.01.
            "means": {
                "encoding": "base64 float16 little-endian, 7 rows in label order",
                "data": base64.b64encode(self.means.astype("<f2").tobytes()).decode("ascii"),
            },
        }

    def save(self, path: Path, own_folders: Environment | None = None) -> Profile:
        """Write the profile to ``path`` (atomically, mode 600); returns it with ``source`` set.
        Given ``own_folders`` (``profile build``), ``path`` came from the user: ``emotune.safe_file``
        refuses a file in those folders (the app's own), links, devices and folders."""
        text = json.dumps(self.to_json(), indent=1).encode() + b"\n"
        try:
            if own_folders is not None:
                write_export(path, lambda out: out.write(text), "profile", own_folders, "refuse", make_folders=True)
            else:
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the config folder: private
                atomic_write(path, lambda out: out.write(text), 0o600)
        except OSError as exc:
            raise ProfileError(f"{path}: cannot write the profile ({reason(exc)})") from exc
        except ExportError as exc:
            raise ProfileError(str(exc)) from None
        return _with_source(self, path)

    @classmethod
    def load(cls, path: Path) -> Profile:
        """Read a profile file; ProfileError naming the file for anything wrong with it."""
        return cls.from_json(read_profile_json(path), path)

    @classmethod
    def from_json(cls, data: object, source: Path | None = None) -> Profile:
        """The profile in a decoded file; ProfileError naming ``source`` for anything wrong in it."""
        return cls(**profile_fields(data, source), source=source)

    def describe(self) -> list[str]:
        """Lines for ``profile show``: who, which model, which expressions from how many samples."""
        lines = [
            f"profile {self.name!r}" + (f" ({printable(str(self.source))})" if self.source is not None else ""),
            f"model sha256 {self.model_sha256[:12]}, embedding {self.embedding_size}, "
            f"flip averaging {'on' if self.flip_average else 'off'}",
        ]
        if self.created:
            lines.append(f"created {printable(self.created)}")
        total = sum(s.samples for s in self.expressions.values())
        lines.append(f"expressions: {len(self.expressions)} of {len(EMOTIONS)}, {total} samples")
        for label in EMOTIONS:
            summary = self.expressions.get(label)
            if summary is None:
                lines.append(f"  {label:<9} -  (not shown: the model's own reading)")
            else:
                lines.append(f"  {label:<9} {summary.samples:>4} sample{'s' if summary.samples != 1 else ' '}")
        return lines


def _with_source(profile: Profile, source: Path) -> Profile:
    kwargs = {f.name: getattr(profile, f.name) for f in fields(profile) if f.init}
    kwargs["source"] = source
    return Profile(**kwargs)


# -- building -----------------------------------------------------------------------------------


def build_profile(
    samples: Mapping[str, tuple[NDArray[np.float32], NDArray[np.float32]]],
    reference_means: NDArray[np.float32],
    model_sha256: str,
    name: str = "",
    flip_average: bool = True,
    blend: BlendParameters = DEFAULT_BLEND,
) -> Profile:
    """A profile from the model's (probabilities, embeddings) of each shown expression's faces.

    ``samples`` maps labels to arrays of shape (n, 7) and (n, D); ``reference_means`` is the
    model's (7, D) mean sqrt-embedding per label over its reference faces (model card,
    ``EmotionClassifier.embedding_reference``)."""
    reference = np.asarray(reference_means, dtype=np.float64)
    if reference.ndim != 2 or reference.shape[0] != len(EMOTIONS):
        raise ProfileError(f"reference means of shape {reference.shape}: expected ({len(EMOTIONS)}, D)")
    size = reference.shape[1]
    shown: list[int] = []
    mean_log_probs: list[NDArray[np.float64]] = []
    means = np.zeros((len(EMOTIONS), size))
    spreads: dict[str, ExpressionSummary] = {}
    for label in EMOTIONS:
        if label not in samples:
            continue
        probs, emb = (np.asarray(a, dtype=np.float64) for a in samples[label])
        if len(emb) == 0:
            continue
        if emb.ndim != 2 or emb.shape[1] != size or probs.shape != (len(emb), len(EMOTIONS)):
            raise ProfileError(f"{label}: samples of shapes {probs.shape} and {emb.shape} do not fit the model")
        c = EMOTIONS.index(label)
        z = np.sqrt(np.maximum(emb, 0.0))
        means[c] = z.mean(axis=0)
        shown.append(c)
        mean_log_probs.append(np.log(np.maximum(probs, _PROBABILITY_FLOOR)).mean(axis=0))
        spreads[label] = ExpressionSummary(len(emb), float(np.sqrt(((z - means[c]) ** 2).sum(axis=1).mean())))
    unknown = set(samples) - set(EMOTIONS)
    if unknown:
        raise ProfileError(f"unknown expressions {sorted(unknown)}: the labels are {', '.join(EMOTIONS)}")
    if not shown:
        raise ProfileError("no face samples for any expression: a profile needs at least one")
    steps = reference - reference[NEUTRAL]
    scale = float(np.linalg.norm(np.delete(steps, NEUTRAL, axis=0), axis=1).mean())
    # The person's offset from the reference, from the expressions they showed; stand-ins for the
    # others sit at the person's (estimated) neutral plus part of the reference's step to each.
    offset = np.mean([means[c] - reference[c] for c in shown], axis=0)
    for c in range(len(EMOTIONS)):
        if c not in shown:
            means[c] = reference[NEUTRAL] + offset + blend.displacement * steps[c]
    means = np.maximum(means, 0.0)  # sqrt-features are never negative; keeps stand-ins plausible
    bias = fit_bias(np.stack(mean_log_probs), shown, blend.margin, blend.margin_weight)
    spreads = {label: ExpressionSummary(s.samples, round(s.spread / scale, 4)) for label, s in spreads.items()}
    # Rounded here to the precision the file keeps, so a saved and reloaded profile gives exactly
    # the same answers as the one just built.
    return Profile(
        name=name,
        model_sha256=model_sha256,
        flip_average=flip_average,
        expressions=spreads,
        means=means.astype("<f2").astype(np.float32),
        bias=np.round(bias, BIAS_DECIMALS).astype(np.float32),
        scale=round(scale, SCALE_DECIMALS),
        blend=blend,
        created=dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
    )


def fit_bias(
    mean_log_probs: NDArray[np.float64], shown: list[int], margin: float, weight: float
) -> NDArray[np.float64]:
    """The bias b minimising |b|^2/2 + weight/2 * sum of squared shortfalls, where a shortfall is
    how far shown class c's mean log-probability, plus b, stays below margin over another class j.

    Soft, because a model that reads two expressions of a person alike cannot be biased into
    telling them apart. Solved exactly by an active-set Newton iteration (a 7 x 7 system)."""
    n = len(EMOTIONS)
    rows: list[NDArray[np.float64]] = []
    targets: list[float] = []
    for row, c in zip(mean_log_probs, shown, strict=True):
        for j in range(n):
            if j != c:
                a = np.zeros(n)
                a[c], a[j] = 1.0, -1.0
                rows.append(a)
                targets.append(margin - float(row[c] - row[j]))  # a . b must reach this
    if not rows:
        return np.zeros(n)
    matrix, target = np.stack(rows), np.asarray(targets)
    bias = np.zeros(n)
    active = np.zeros(len(target), dtype=bool)
    for iteration in range(50):  # converges in a handful; the cap only guards against cycling
        new_active = matrix @ bias < target
        if iteration > 0 and np.array_equal(new_active, active):
            break
        active = new_active
        a = matrix[active]
        bias = np.linalg.solve(np.eye(n) + weight * a.T @ a, weight * a.T @ target[active])
    return bias


class ProfileBuilder:
    """Collects the model's outputs per expression, e.g. frame by frame during the window's
    "Teach Emotune your face" steps, then builds the profile. Not thread-safe: one owner."""

    def __init__(self) -> None:
        self._probs: dict[str, list[NDArray[np.float32]]] = {}
        self._embeddings: dict[str, list[NDArray[np.float32]]] = {}

    def add(self, label: str, probabilities: NDArray[np.float32], embeddings: NDArray[np.float32]) -> None:
        """Add the outputs (n, 7) and (n, D) of n faces showing ``label``."""
        if label not in EMOTIONS:
            raise ProfileError(f"{label!r} is not one of {', '.join(EMOTIONS)}")
        self._probs.setdefault(label, []).append(np.atleast_2d(np.asarray(probabilities, dtype=np.float32)))
        self._embeddings.setdefault(label, []).append(np.atleast_2d(np.asarray(embeddings, dtype=np.float32)))

    def clear(self, label: str | None = None) -> None:
        """Forget one expression's samples (to redo a step), or all of them."""
        for store in (self._probs, self._embeddings):
            if label is None:
                store.clear()
            else:
                store.pop(label, None)

    def counts(self) -> dict[str, int]:
        return {label: sum(len(a) for a in self._embeddings[label]) for label in EMOTIONS if label in self._embeddings}

    def samples(self) -> dict[str, tuple[NDArray[np.float32], NDArray[np.float32]]]:
        return {
            label: (np.concatenate(self._probs[label]), np.concatenate(self._embeddings[label]))
            for label in EMOTIONS
            if label in self._embeddings
        }

    def build(
        self, reference_means: NDArray[np.float32], model_sha256: str, name: str = "", flip_average: bool = True
    ) -> Profile:
        return build_profile(self.samples(), reference_means, model_sha256, name, flip_average)


# -- several profiles in one folder (the window keeps one per person in the user config dir) ----


def profile_file_name(name: str) -> str:
    """A safe file name for a person's profile: letters, digits, '-', '_' kept, the rest '_'."""
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name.strip())[:MAX_NAME_LENGTH].strip("_")
    return (cleaned or "profile") + SUFFIX


class ProfileStore:
    """Profiles kept as ``<folder>/<name>.json`` (the window passes ``<config dir>/profiles``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, name: str) -> Path:
        return self.folder / profile_file_name(name)

    def names(self) -> list[str]:
        """The stored profiles' file stems, sorted (files are not opened)."""
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*" + SUFFIX) if p.is_file() and not p.name.startswith("."))

    def save(self, profile: Profile) -> Profile:
        return profile.save(self.path_for(profile.name))

    def load(self, name: str) -> Profile:
        return Profile.load(self.path_for(name))

    def delete(self, name: str) -> bool:
        """Forget a person's face: remove the file; False when there was none."""
        path = self.path_for(name)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise ProfileError(f"{path}: cannot delete the profile ({reason(exc)})") from exc
        return True
