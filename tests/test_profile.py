"""Personal calibration: the model's embedding output, profiles, their files, the
blend rule, accuracy on held-out photos of the development people, and the CLI functions.

JAFFE photos are read in place from ../shared (research use only: never copied into the repo)."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from numpy.typing import NDArray

from benchmarks.calibration_bench import PROTOCOLS, Person, load_people, run_protocol, summarise
from emotune.environment import Environment
from emotune.errors import EmotuneError, ModelError
from emotune.labels import EMOTIONS
from emotune.resources import resource_path
from emotune.vision.emotions import EMBEDDING_OUTPUT, EmotionClassifier
from emotune.vision.pipeline import FacePipeline
from emotune.vision.profile import (
    DEFAULT_BLEND,
    Profile,
    ProfileBuilder,
    ProfileError,
    ProfileStore,
    build_profile,
    fit_bias,
)
from emotune.vision.profile_cli import (
    add_profile_parser,
    build_from_folder,
    load_profile_arg,
    run_profile_command,
)
from training.onnx_embedding import add_embedding_output

pytestmark = pytest.mark.data

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
JAFFE = SHARED / "data" / "people" / "jaffe"
Faces = dict[str, list[NDArray[np.uint8]]]
NEUTRAL = EMOTIONS.index("neutral")


@pytest.fixture(scope="module")
def classifier() -> EmotionClassifier:
    c = EmotionClassifier()
    c.load()
    return c


@pytest.fixture(scope="module")
def people() -> list[Person]:
    assert JAFFE.is_dir(), f"{JAFFE} is missing: the tests need ../shared beside the checkout"
    pipeline = FacePipeline()
    pipeline.load()
    return load_people(JAFFE, pipeline)


def model_without_embedding() -> onnx.ModelProto:
    """The shipped graph with the embedding output taken off again: the model as exported."""
    model = onnx.load(str(resource_path("models", "emotion.onnx")))
    graph = model.graph
    outputs = [o for o in graph.output if o.name != EMBEDDING_OUTPUT]
    nodes = [n for n in graph.node if EMBEDDING_OUTPUT not in n.output]
    assert len(outputs) == 1 and len(nodes) == len(graph.node) - 1
    del graph.output[:]
    graph.output.extend(outputs)
    del graph.node[:]
    graph.node.extend(nodes)
    return model


def person_profile(person: Person, labels: tuple[str, ...], classifier: EmotionClassifier) -> Profile:
    samples = {
        label: (person.probs[person.labels == i], person.embeddings[person.labels == i])
        for i, label in enumerate(EMOTIONS)
        if label in labels
    }
    return build_profile(samples, classifier.embedding_reference(), classifier.fingerprint(), name=person.name)


# -- the model's second output -------------------------------------------------------------------


def test_embedding_output_exists_and_probabilities_are_bit_identical(val_faces: Faces) -> None:
    shipped = ort.InferenceSession(str(resource_path("models", "emotion.onnx")), providers=["CPUExecutionProvider"])
    outputs = {o.name: o.shape for o in shipped.get_outputs()}
    assert outputs[EMBEDDING_OUTPUT][1] == 256
    original = ort.InferenceSession(model_without_embedding().SerializeToString(), providers=["CPUExecutionProvider"])
    faces = np.stack([f for label in EMOTIONS for f in val_faces[label]]).astype(np.float32)[..., None]
    batch = np.concatenate([faces, faces[:, :, ::-1]])
    before = original.run(None, {"face": batch})[0]
    after, embedding = shipped.run(None, {"face": batch})
    assert np.max(np.abs(before - after)) == 0.0
    assert embedding.shape == (len(batch), 256) and (embedding >= 0).all()  # pooled ReLU features


def test_adding_the_output_is_reproducible_and_idempotent() -> None:
    model = model_without_embedding()
    assert add_embedding_output(model) is True
    assert add_embedding_output(model) is False  # already there: nothing changes
    assert model.SerializeToString() == resource_path("models", "emotion.onnx").read_bytes()


def test_model_card_documents_both_outputs() -> None:
    onnx_path = resource_path("models", "emotion.onnx")
    card = json.loads(resource_path("models", "emotion.json").read_text())
    assert card["onnx_sha256"] == hashlib.sha256(onnx_path.read_bytes()).hexdigest()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    described = [(o["name"], o["shape"][1]) for o in card["outputs"]]
    assert (
        described
        == [(o.name, o.shape[1]) for o in session.get_outputs()]
        == [
            (session.get_outputs()[0].name, 7),
            (EMBEDDING_OUTPUT, 256),
        ]
    )
    means = card["embedding_reference"]["means"]
    assert list(means) == list(EMOTIONS) and all(len(v) == 256 for v in means.values())


def test_classifier_gives_embeddings_flip_averaged_and_unpersonalised_probabilities(val_faces: Faces) -> None:
    faces = val_faces["happy"][:3]
    both = EmotionClassifier(flip_average=True)
    probs, embeddings = both.model_outputs(faces)
    assert embeddings.shape == (3, 256) and embeddings.dtype == np.float32
    np.testing.assert_array_equal(probs, both.classify(faces))
    single = EmotionClassifier(both.model_path, flip_average=False)  # the same model file, one view
    _, plain = single.model_outputs(faces)
    _, mirrored = single.model_outputs([f[:, ::-1].copy() for f in faces])
    np.testing.assert_allclose(embeddings, (plain + mirrored) / 2, atol=1e-5)
    empty_probs, empty_embeddings = both.model_outputs([])
    assert empty_probs.shape == (0, 7) and empty_embeddings.shape == (0, 256)


def test_a_model_without_the_output_still_classifies_but_takes_no_profile(
    tmp_path: Path, val_faces: Faces, people: list[Person], classifier: EmotionClassifier
) -> None:
    old_path = tmp_path / "emotion.onnx"
    onnx.save(model_without_embedding(), str(old_path))
    shutil.copy(resource_path("models", "emotion.json"), tmp_path / "emotion.json")
    old = EmotionClassifier(old_path)
    faces = val_faces["sad"]
    float_model = EmotionClassifier(resource_path("models", "emotion.onnx"))  # the graph it was cut from
    np.testing.assert_array_equal(old.classify(faces), float_model.classify(faces))
    assert not old.has_embedding and classifier.has_embedding
    with pytest.raises(ModelError, match=r"emotion\.onnx: model has no 'embedding' output"):
        old.model_outputs(faces)
    profile = person_profile(people[0], ("neutral",), classifier)
    with pytest.raises(ProfileError, match="made for another emotion model"):
        old.profile = profile
    assert old.profile is None
    # A profile claiming this very file (say, edited by hand) still cannot run without the output.
    forged = replace(profile, model_sha256=old.fingerprint())
    old.profile = forged
    with pytest.raises(ModelError, match="no 'embedding' output"):
        old.classify(faces)


# -- building, saving, loading -------------------------------------------------------------------


def test_profile_round_trip_is_exact_small_and_private(
    tmp_path: Path, people: list[Person], classifier: EmotionClassifier
) -> None:
    person = people[1]
    profile = person_profile(person, EMOTIONS, classifier)
    saved = profile.save(tmp_path / "sub" / "me.json")
    path = tmp_path / "sub" / "me.json"
    assert saved.source == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.stat().st_size < 8_000  # a few KB
    start = time.perf_counter()
    loaded = Profile.load(path)
    assert time.perf_counter() - start < 0.1
    assert loaded.to_json() == profile.to_json()  # every stored field, numbers included
    np.testing.assert_array_equal(loaded.means, profile.means)
    assert loaded.expressions["happy"].samples == int((person.labels == EMOTIONS.index("happy")).sum())
    np.testing.assert_array_equal(
        loaded.apply(person.probs, person.embeddings), profile.apply(person.probs, person.embeddings)
    )
    text = path.read_text()
    assert "png" not in text and person.name in text  # numbers and a name, never images or paths


def test_builder_collects_redoes_and_builds(people: list[Person], classifier: EmotionClassifier) -> None:
    person = people[2]
    builder = ProfileBuilder()
    neutral = person.labels == NEUTRAL
    builder.add("neutral", person.probs[neutral], person.embeddings[neutral])
    builder.add("happy", person.probs[0], person.embeddings[0])  # one face at a time works too
    builder.clear("happy")  # the step is redone: its samples are gone
    assert builder.counts() == {"neutral": int(neutral.sum())}
    profile = builder.build(classifier.embedding_reference(), classifier.fingerprint(), name="me")
    assert list(profile.expressions) == ["neutral"]
    with pytest.raises(ProfileError, match="'smile' is not one of angry"):
        builder.add("smile", person.probs[:1], person.embeddings[:1])
    builder.clear()
    with pytest.raises(ProfileError, match="at least one"):
        builder.build(classifier.embedding_reference(), classifier.fingerprint())


def test_store_keeps_several_profiles_and_forgets_one(
    tmp_path: Path, people: list[Person], classifier: EmotionClassifier
) -> None:
    store = ProfileStore(tmp_path / "profiles")
    assert store.names() == []
    for person in people[:2]:
        store.save(replace(person_profile(person, ("neutral",), classifier), name=f"{person.name} / home"))
    assert store.names() == [f"{people[0].name}_home", f"{people[1].name}_home"]
    assert store.load(f"{people[0].name} / home").name == f"{people[0].name} / home"
    assert store.delete(f"{people[0].name} / home") is True
    assert store.delete(f"{people[0].name} / home") is False
    assert store.names() == [f"{people[1].name}_home"]


def damaged_files(valid: dict[str, object]) -> list[tuple[str, bytes, str]]:
    def variant(**changes: object) -> bytes:
        data = json.loads(json.dumps(valid))
        for key, value in changes.items():
            section, _, field = key.partition("__")
            if field:
                data[section][field] = value
            elif value is None:
                del data[section]
            else:
                data[section] = value
        return json.dumps(data).encode()

    return [
        ("empty", b"", "damaged profile \\(not valid JSON"),
        ("binary", b"\x89PNG\r\n\x1a\n\x00\x00", "damaged profile \\(not UTF-8 text\\)"),
        ("truncated", json.dumps(valid).encode()[:200], "damaged profile \\(not valid JSON"),
        ("nested", b"[" * 5000 + b"]" * 5000, "damaged profile \\(nested too deeply"),
        ("list", b"[1, 2, 3]", "not an Emotune profile"),
        ("settings", b'{"theme": "dark"}', "not an Emotune profile"),
        ("newer", variant(version=2), "profile version 2 is newer than this Emotune reads \\(1\\)"),
        ("no bias", variant(bias=None), "damaged profile \\(missing 'bias'\\)"),
        ("short bias", variant(bias=[0.0] * 6), "damaged profile \\(bias: expected shape \\(7,\\)"),
        ("nan bias", variant(bias=[float("nan")] * 7), "damaged profile \\(bias: not all numbers are finite\\)"),
        ("cut means", variant(means__data="AAAA"), "damaged profile \\(means: 3 bytes"),
        ("bad base64", variant(means__data="!!!"), "damaged profile"),
        ("bad sha", variant(model__sha256="abc"), "damaged profile \\(model.sha256 is not a SHA-256"),
        ("unknown label", variant(expressions={"smile": {"samples": 1, "spread": 0}}), "damaged profile"),
        ("no expressions", variant(expressions={}), "damaged profile \\(expressions: no expression"),
        ("bad scale", variant(scale=-1), "damaged profile \\(scale -1.0 must be a positive number\\)"),
    ]


def test_damaged_or_foreign_profile_files_give_one_clear_error(
    tmp_path: Path, people: list[Person], classifier: EmotionClassifier
) -> None:
    valid = person_profile(people[0], ("neutral", "happy"), classifier).to_json()
    for name, content, message in damaged_files(valid):
        path = tmp_path / f"{name.replace(' ', '_')}.json"
        path.write_bytes(content)
        with pytest.raises(ProfileError, match=message) as caught:
            Profile.load(path)
        text = str(caught.value)
        assert text.startswith(f"{path}: ") and "\n" not in text, (name, text)
        assert isinstance(caught.value, EmotuneError)
    with pytest.raises(ProfileError, match=r"absent\.json: no such profile"):
        Profile.load(tmp_path / "absent.json")
    with pytest.raises(ProfileError, match="is a folder, not a profile file"):
        Profile.load(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 1_000_001)
    with pytest.raises(ProfileError, match="damaged profile \\(larger than"):
        Profile.load(big)


def test_a_profile_for_another_model_is_refused_by_the_classifier(
    tmp_path: Path, people: list[Person], classifier: EmotionClassifier
) -> None:
    data = person_profile(people[0], EMOTIONS, classifier).to_json()
    data["model"]["sha256"] = "0" * 64
    path = tmp_path / "other-model.json"
    path.write_text(json.dumps(data))
    profile = Profile.load(path)  # a well-formed file: it loads, and says which model it is for
    plain = EmotionClassifier()
    with pytest.raises(ProfileError, match=r"other-model\.json: made for another emotion model \(sha256 000000000000"):
        plain.profile = profile
    assert plain.profile is None  # the plain model stays in use
    with pytest.raises(ProfileError, match="made for another emotion model"):
        load_profile_arg(path, plain)


# -- the blend rule ------------------------------------------------------------------------------


def test_bias_is_zero_without_evidence_of_misreading() -> None:
    # The model already reads the shown expression by more than the margin: no bias at all.
    confident = np.log(np.array([[0.02, 0.02, 0.02, 0.02, 0.84, 0.04, 0.04]]))
    np.testing.assert_array_equal(fit_bias(confident, [NEUTRAL], 0.5, 10.0), np.zeros(7))
    # Read as sad instead: the bias lifts neutral and lowers sad, and touches nothing else.
    misread = np.log(np.array([[0.02, 0.02, 0.02, 0.02, 0.30, 0.58, 0.04]]))
    bias = fit_bias(misread, [NEUTRAL], 0.5, 10.0)
    assert bias[NEUTRAL] > 0 > bias[EMOTIONS.index("sad")]
    assert np.count_nonzero(np.abs(bias) > 1e-9) == 2
    assert (misread[0, NEUTRAL] + bias[NEUTRAL]) - (misread[0, 5] + bias[5]) > 0.4  # close to the margin


def test_blend_falls_back_to_the_model_where_the_profile_has_no_evidence(
    people: list[Person], classifier: EmotionClassifier
) -> None:
    person = people[2]  # the model reads this person's neutral face as neutral by a wide margin
    profile = replace(person_profile(person, ("neutral",), classifier), blend=replace(DEFAULT_BLEND, shape_weight=0.0))
    np.testing.assert_array_equal(profile.bias, np.zeros(7))
    others = person.labels != NEUTRAL
    probs, personal = person.probs[others], profile.apply(person.probs[others], person.embeddings[others])
    unshown = [c for c in range(7) if c != NEUTRAL]
    # Among the expressions the profile knows nothing about, the odds are exactly the model's.
    np.testing.assert_allclose(
        personal[:, unshown] / personal[:, unshown].sum(axis=1, keepdims=True),
        probs[:, unshown] / probs[:, unshown].sum(axis=1, keepdims=True),
        rtol=1e-4,
        atol=1e-6,
    )
    # ... and faces unlike the person's neutral face are read as less neutral, not more.
    roots = np.sqrt(person.embeddings[others])
    cosine = roots @ profile.means[NEUTRAL] / np.linalg.norm(roots, axis=1) / np.linalg.norm(profile.means[NEUTRAL])
    unlike = cosine < profile.blend.match_threshold
    assert unlike.sum() >= 10
    assert (personal[unlike, NEUTRAL] < probs[unlike, NEUTRAL]).all()
    assert profile.apply(probs[:0], person.embeddings[:0]).shape == (0, 7)
    with pytest.raises(ProfileError, match="do not fit this profile"):
        profile.apply(probs, person.embeddings[others][:, :128])


def test_classifier_with_a_profile_personalises_and_can_drop_it(
    people: list[Person], classifier: EmotionClassifier
) -> None:
    person = people[1]
    crops = list(person.crops)
    plain = classifier.classify(crops)
    personal_classifier = EmotionClassifier(profile=person_profile(person, ("neutral",), classifier))
    assert personal_classifier._session is None  # a profile does not load the network early
    personal = personal_classifier.classify(crops)
    assert personal.shape == plain.shape and personal.dtype == np.float32
    np.testing.assert_allclose(personal.sum(axis=1), 1.0, atol=1e-5)
    assert np.abs(personal - plain).max() > 0.1
    personal_classifier.profile = None
    np.testing.assert_array_equal(personal_classifier.classify(crops), plain)


def test_applying_a_profile_costs_well_under_a_millisecond(people: list[Person], classifier: EmotionClassifier) -> None:
    person = people[0]
    profile = person_profile(person, EMOTIONS, classifier)
    probs, embeddings = person.probs[:1], person.embeddings[:1]
    times = []
    for _ in range(200):
        start = time.perf_counter()
        profile.apply(probs, embeddings)
        times.append(time.perf_counter() - start)
    assert sorted(times)[100] < 1e-3  # the benchmark measures ~0.03 ms; 1 ms allows a busy machine


def test_profile_module_needs_neither_opencv_nor_onnxruntime() -> None:
    code = (
        "import sys, emotune.vision.profile; "
        "bad = [m for m in ('cv2', 'onnxruntime', 'tkinter') if m in sys.modules]; assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- accuracy on held-out photos of the development people ----------------------------------------


def test_calibration_improves_accuracy_on_other_photos_of_the_same_person(
    people: list[Person], classifier: EmotionClassifier
) -> None:
    reference, sha256 = classifier.embedding_reference(), classifier.fingerprint()
    one = summarise(run_protocol(PROTOCOLS[0], people, reference, sha256, draws=10))
    # The measured gain (benchmarks.calibration_bench) is in docs/training.md, "Personal calibration".
    assert one["overall"]["with"] >= one["overall"]["without"] + 0.12, one["overall"]
    assert one["worst_change"] > 0, one["per_person"]
    neutral = summarise(run_protocol(PROTOCOLS[1], people, reference, sha256))
    # A neutral photo alone helps less, and nobody loses (same table).
    assert neutral["overall"]["with"] >= neutral["overall"]["without"] + 0.02, neutral["overall"]
    assert neutral["worst_change"] >= -0.02, neutral["per_person"]


# -- the command-line functions --------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="emotune")
    add_profile_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


def copy_person(person: str, target: Path, labels: tuple[str, ...]) -> Path:
    """A DIR of ``<emotion>/`` folders from one development person (in a temporary folder)."""
    for label in labels:
        shutil.copytree(JAFFE / person / label, target / label)
    return target


def test_profile_build_and_show_commands(tmp_path: Path, env: Environment) -> None:
    folder = copy_person("KM", tmp_path / "KM", ("neutral", "happy", "sad"))
    (folder / "notes.txt").write_text("stray files are ignored")
    target = tmp_path / "profiles" / "km.json"
    out = io.StringIO()
    assert run_profile_command(parse(["profile", "build", str(target), str(folder), "--name", "Kim"]), env, out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == f"wrote {target}: profile 'Kim', 3 expressions from 11 faces in 11 images"
    assert "  happy        4 of 4 images" in lines
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    out = io.StringIO()
    assert run_profile_command(parse(["profile", "show", str(target)]), env, out) == 0
    shown = out.getvalue()
    assert "profile 'Kim'" in shown and "expressions: 3 of 7, 11 samples" in shown
    assert "  neutral      3 samples" in shown and "  angry     -  (not shown" in shown
    assert shown.rstrip().endswith("made for the installed model")
    classifier = EmotionClassifier()
    profile = load_profile_arg(str(target), classifier)
    assert classifier.profile is profile and profile.name == "Kim"


def test_profile_build_refuses_bad_input_with_one_line(tmp_path: Path, env: Environment) -> None:
    blank = tmp_path / "blank"
    (blank / "neutral").mkdir(parents=True)
    assert cv2.imwrite(str(blank / "neutral" / "grey.png"), np.full((120, 120), 128, np.uint8))
    typo = copy_person("KA", tmp_path / "typo", ("neutral",))
    (typo / "happpy").mkdir()
    empty = tmp_path / "empty"
    (empty / "sad").mkdir(parents=True)
    cases = [
        (tmp_path / "missing", r"missing: no such folder"),
        (tmp_path / "none", r"none: holds no expression folders \(angry, disgust"),
        (typo, r"typo/happpy: not an expression folder \(expected angry, disgust"),
        (empty, r"empty: the expression folders hold no images"),
        (blank, r"blank: no face found in any of its 1 images"),
    ]
    (tmp_path / "none").mkdir()
    for folder, message in cases:
        with pytest.raises(ProfileError, match=message) as caught:
            run_profile_command(parse(["profile", "build", str(tmp_path / "p.json"), str(folder)]), env, io.StringIO())
        assert "\n" not in str(caught.value)
    with pytest.raises(ProfileError, match="is a folder; give the profile file to write"):
        run_profile_command(parse(["profile", "build", str(tmp_path), str(typo)]), env, io.StringIO())
    assert not (tmp_path / "p.json").exists()


def test_build_from_folder_matches_the_benchmarks_path(people: list[Person], tmp_path: Path) -> None:
    folder = copy_person("KR", tmp_path / "KR", EMOTIONS)
    profile, scan = build_from_folder(folder)
    person = next(p for p in people if p.name == "KR")
    assert scan.faces == len(person.labels) and not scan.no_face
    assert {label: s.samples for label, s in profile.expressions.items()} == {
        label: int((person.labels == i).sum()) for i, label in enumerate(EMOTIONS)
    }
