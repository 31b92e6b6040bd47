"""Command-line pieces for personal profiles, for ``emotune.__main__`` to wire in.

- ``python -m emotune profile build PROFILE DIR [--name NAME]``: DIR holds ``<emotion>/`` folders
  (any subset of the seven labels) of one person's photos or video frames; every image goes
  through the app's own path (detector, crop, classifier) and the largest face of each counts.
  Writes PROFILE (JSON, mode 600) and prints what it holds; refuses (before reading a photo)
  what must not be overwritten: the app's own files, links, devices, FIFOs, folders
  (``emotune.safe_file``).
- ``python -m emotune profile show PROFILE``: the person, the model, the expressions and their
  sample counts.
- ``--profile PROFILE`` on ``classify`` and ``analyze``: ``load_profile_arg`` reads it and, given
  the classifier, attaches it (refused when made for another model), so the output is the same
  as without, personalised.

``add_profile_parser(subparsers)`` registers the ``profile`` command; ``run_profile_command(args,
env)`` runs it. Bad input raises ``ProfileError`` (an ``EmotuneError``) with one line naming the thing
and the problem; the main entry prints it and exits 2. No tkinter here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import numpy as np
from numpy.typing import NDArray

from emotune.environment import Environment
from emotune.errors import EmotuneError, reason
from emotune.labels import EMOTIONS
from emotune.safe_file import ExportError, export_target
from emotune.text import printable
from emotune.vision.crops import crop_faces
from emotune.vision.emotions import EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from emotune.vision.profile import Profile, ProfileBuilder, ProfileError
from emotune.vision.sources import read_image

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".pgm", ".ppm"})
BATCH = 32  # crops per classifier call: one forward pass per batch, bounded memory for long videos
SHOWN_PATHS = 3  # at most this many file names in a warning line


@dataclass
class FolderScan:
    """What ``samples_from_folder`` found: model outputs per expression, and what it skipped."""

    builder: ProfileBuilder = field(default_factory=ProfileBuilder)
    images: dict[str, int] = field(default_factory=dict)
    no_face: list[Path] = field(default_factory=list)
    several_faces: list[Path] = field(default_factory=list)

    @property
    def faces(self) -> int:
        return sum(self.builder.counts().values())


def expression_folders(folder: Path) -> dict[str, list[Path]]:
    """The images of each ``<emotion>/`` folder in ``folder`` (label order, sorted names)."""
    if not folder.is_dir():
        raise ProfileError(f"{folder}: no such folder" if not folder.exists() else f"{folder}: not a folder")
    found: dict[str, list[Path]] = {}
    for entry in _listing(folder):
        if entry.name.startswith(".") or not entry.is_dir():
            continue  # stray files and hidden folders (.DS_Store, thumbnails) are not expressions
        label = entry.name.lower()
        if label not in EMOTIONS:
            # A typo would otherwise silently drop an expression the person took the time to show.
            raise ProfileError(f"{entry}: not an expression folder (expected {', '.join(EMOTIONS)})")
        found[label] = [p for p in _listing(entry) if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES]
    if not found:
        raise ProfileError(f"{folder}: holds no expression folders ({', '.join(EMOTIONS)})")
    if not any(found.values()):
        raise ProfileError(f"{folder}: the expression folders hold no images")
    return {label: found[label] for label in EMOTIONS if label in found}


def _listing(folder: Path) -> list[Path]:
    """A folder's entries, sorted; ProfileError naming it when it cannot be read."""
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise ProfileError(f"{folder}: cannot read the folder ({reason(exc)})") from None


def largest_face_crop(image: NDArray[np.uint8], pipeline: FacePipeline) -> tuple[NDArray[np.uint8] | None, int]:
    """The crop of the largest face in ``image`` as the pipeline makes it (None without a face),
    and how many faces were found. The largest, because that is the person at the camera."""
    s = pipeline.settings
    faces = pipeline.detector.detect(image)
    if not faces:
        return None, 0
    return crop_faces(image, faces[:1], s.margin, s.align, s.crop_size)[0], len(faces)


def samples_from_folder(folder: Path, pipeline: FacePipeline) -> FolderScan:
    """Every image's largest face through the pipeline's detector, crop and classifier."""
    scan = FolderScan()
    for label, paths in expression_folders(folder).items():
        scan.images[label] = len(paths)
        crops: list[NDArray[np.uint8]] = []
        for path in paths:
            crop, found = largest_face_crop(read_image(path), pipeline)
            if crop is None:
                scan.no_face.append(path)
                continue
            if found > 1:
                scan.several_faces.append(path)
            crops.append(crop)
            if len(crops) >= BATCH:
                scan.builder.add(label, *pipeline.classifier.model_outputs(crops))
                crops = []
        if crops:
            scan.builder.add(label, *pipeline.classifier.model_outputs(crops))
    return scan


def build_from_folder(folder: Path, pipeline: FacePipeline | None = None, name: str = "") -> tuple[Profile, FolderScan]:
    """A profile of the person in ``folder`` (see the module docstring), and what was scanned."""
    pipeline = pipeline if pipeline is not None else FacePipeline()
    pipeline.load()
    classifier = pipeline.classifier
    scan = samples_from_folder(folder, pipeline)
    if scan.faces == 0:
        total = sum(scan.images.values())
        raise ProfileError(f"{folder}: no face found in any of its {total} images")
    profile = scan.builder.build(
        classifier.embedding_reference(),
        classifier.fingerprint(),
        name=name or folder.resolve().name,
        flip_average=classifier.flip_average,
    )
    return profile, scan


def load_profile_arg(path: str | Path, classifier: EmotionClassifier | None = None) -> Profile:
    """The profile a ``--profile PROFILE`` flag names; with ``classifier``, also attached to it
    (ProfileError when it was made for another model, so nothing runs with a wrong profile)."""
    profile = Profile.load(Path(path))
    if classifier is not None:
        classifier.profile = profile
    return profile


# -- the commands --------------------------------------------------------------------------------


def profile_build(args: argparse.Namespace, env: Environment, out: TextIO = sys.stdout) -> int:
    target = Path(args.profile)
    # Refused before the photos are read, so a slip costs no wait; checked again when written.
    try:
        export_target(target, "profile", env, links="refuse", make_folders=True)
    except ExportError as exc:
        raise ProfileError(str(exc)) from None
    profile, scan = build_from_folder(Path(args.dir), name=getattr(args, "name", None) or "")
    saved = profile.save(target, own_folders=env)
    total = sum(scan.images.values())
    print(
        f"wrote {printable(str(saved.source))}: profile {saved.name!r}, {len(saved.expressions)} expressions "
        f"from {scan.faces} faces in {total} images",
        file=out,
    )
    for label in EMOTIONS:
        if label in scan.images:
            shown = saved.expressions.get(label)
            print(f"  {label:<9} {shown.samples if shown else 0:>4} of {scan.images[label]} images", file=out)
    for what, paths in (("no face found", scan.no_face), ("several faces, the largest used", scan.several_faces)):
        if paths:
            names = ", ".join(printable(str(p)) for p in paths[:SHOWN_PATHS])
            names += " ..." if len(paths) > SHOWN_PATHS else ""
            print(f"{what} in {len(paths)} images: {names}", file=out)
    return 0


def profile_show(args: argparse.Namespace, env: Environment, out: TextIO = sys.stdout) -> int:
    profile = Profile.load(Path(args.profile))
    print("\n".join(profile.describe()), file=out)
    try:
        EmotionClassifier().profile = profile  # hashes the model file; the network is not loaded
    except EmotuneError as exc:
        print(f"not usable with the installed model: {exc}", file=out)
    else:
        print("made for the installed model", file=out)
    return 0


def add_profile_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Register ``profile build`` and ``profile show`` on the main parser's subcommands."""
    parser = subparsers.add_parser("profile", help="personal calibration: build or show a profile of one face")
    actions = parser.add_subparsers(dest="profile_command", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build PROFILE from DIR/<emotion>/ photos or frames of one person")
    build.add_argument("profile", metavar="PROFILE", help="profile file to write (JSON)")
    build.add_argument("dir", metavar="DIR", help=f"folder of <emotion>/ folders ({', '.join(EMOTIONS)})")
    build.add_argument("--name", help="the person's name (default: DIR's name)")
    show = actions.add_parser("show", help="what PROFILE holds: person, model, expressions and sample counts")
    show.add_argument("profile", metavar="PROFILE")
    return parser


def add_profile_flag(parser: argparse.ArgumentParser) -> None:
    """``--profile PROFILE`` for ``classify`` and ``analyze``."""
    parser.add_argument("--profile", metavar="PROFILE", help="personalise with this profile (profile build)")


def run_profile_command(args: argparse.Namespace, env: Environment, out: TextIO = sys.stdout) -> int:
    handlers: dict[str, Callable[[argparse.Namespace, Environment, TextIO], int]] = {
        "build": profile_build,
        "show": profile_show,
    }
    return handlers[args.profile_command](args, env, out)
