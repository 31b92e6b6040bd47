"""The double-clickable app: build it from emotune.spec with PyInstaller and check the result.

One build per test run (about 15 s of PyInstaller on 2 cores, module-scoped fixture), into
pytest's tmp dir, from the test environment itself. CI's environment has TensorFlow, Keras,
tf2onnx and matplotlib installed for training, so the "nothing of TensorFlow inside" test checks
that the spec's excludes really keep them out. Then the bundle's own ``emotune --self-test`` must
pass, and fail with one clear line when its emotion model is broken. Size and timing targets are
measured by ``benchmarks/bundle_size.py``, not asserted here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from testbed.paths import REPO
from tests.support.files import SELF_TEST_SUMMARY

pytestmark = pytest.mark.slow

SPEC = REPO / "emotune.spec"
# Top-level names that must not appear anywhere in the bundle: as a folder, a library or a module.
TRAINING_STACK = ("tensorflow", "tensorflow_cpu", "keras", "tf_keras", "tf2onnx", "matplotlib", "onnx")
PROJECT_ONLY = ("training", "tests", "benchmarks")
MODEL_FILES = ("emotion.onnx", "emotion.json", "face_detection_yunet_2023mar.onnx")
ASSET_FILES = ("catalog.csv", "astronaut.png", "NOTICE.md")


@dataclass(frozen=True)
class Bundle:
    root: Path  # dist/emotune
    internal: Path  # what sys._MEIPASS points to in the running app
    executable: Path
    modules: frozenset[str]  # every Python module frozen into the executable's PYZ archive


def run_pyinstaller(dist: Path, work: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "EMOTUNE_ONEFILE"}
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    result = subprocess.run(command, cwd=REPO, env=environment, capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"PyInstaller failed (is the build extra installed?):\n{result.stderr[-6000:]}"


def frozen_modules(executable: Path) -> frozenset[str]:
    from PyInstaller.archive.readers import CArchiveReader  # type: ignore[import-untyped]

    package = CArchiveReader(str(executable))
    archives = [name for name in package.toc if name.endswith(".pyz")]
    assert archives, f"{executable}: no PYZ archive inside"
    modules: set[str] = set(package.toc)  # entry-point scripts and run-time hooks
    for name in archives:
        modules |= set(package.open_embedded_archive(name).toc)
    return frozenset(modules)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    base = tmp_path_factory.mktemp("pyinstaller")
    run_pyinstaller(base / "dist", base / "build")
    root = base / "dist" / "emotune"
    executable = root / ("emotune.exe" if sys.platform == "win32" else "emotune")
    assert executable.is_file(), (
        f"{executable} was not built; dist holds {sorted(p.name for p in root.parent.iterdir())}"
    )
    return Bundle(root, root / "_internal", executable, frozen_modules(executable))


@pytest.fixture
def user_dirs(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment with empty config and cache folders, so the app cannot touch the real ones."""
    folders = {"EMOTUNE_CONFIG_DIR": tmp_path / "config", "EMOTUNE_CACHE_DIR": tmp_path / "cache"}
    environment = {k: v for k, v in os.environ.items() if k != "EMOTUNE_SELF_TEST_MODELS_DIR"}
    environment.update({name: str(path) for name, path in folders.items()})
    yield environment
    # The self-test is offline and stateless: it must have created nothing.
    leftovers = [str(p) for folder in folders.values() if folder.exists() for p in folder.rglob("*")]
    assert leftovers == [], leftovers


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bundle_self_test_passes(bundle: Bundle, user_dirs: dict[str, str], tmp_path: Path) -> None:
    result = subprocess.run(
        [str(bundle.executable), "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=user_dirs,
        timeout=120,
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and SELF_TEST_SUMMARY.match(lines[0]), result.stdout
    assert result.stderr == ""


def test_bundle_window_program_self_tests_and_logs(bundle: Bundle, user_dirs: dict[str, str], tmp_path: Path) -> None:
    window = bundle.root / ("emotune-gui.exe" if sys.platform == "win32" else "emotune-gui")
    result = subprocess.run(
        [str(window), "--self-test"], capture_output=True, text=True, cwd=tmp_path, env=user_dirs, timeout=120
    )
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert SELF_TEST_SUMMARY.match(result.stdout.strip()), result.stdout
    # Without a display the window cannot open: the reason goes to the log file as well.
    cache = tmp_path / "window-cache"
    no_display = {k: v for k, v in user_dirs.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run(
        [str(window)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**no_display, "EMOTUNE_CACHE_DIR": str(cache)},
        timeout=120,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    [line] = (cache / "emotune.log").read_text(encoding="utf-8").splitlines()
    assert "ERROR emotune: cannot open the window (" in line


def test_bundle_holds_the_models_assets_and_tk(bundle: Bundle) -> None:
    for folder, names in (("models", MODEL_FILES), ("assets", ASSET_FILES)):
        assert {*names} <= {p.name for p in (REPO / folder).iterdir()}, f"{folder}/ lacks a file the app needs"
        for source in (REPO / folder).iterdir():
            shipped = bundle.internal / "emotune" / folder / source.name
            if source.suffix in (".py", ".ico", ".icns") or not source.is_file():
                # The data package's __init__.py stays out; .ico/.icns go into the executable instead.
                assert not shipped.exists(), f"{shipped} should not be in the bundle"
                continue
            assert shipped.is_file(), f"{shipped} missing"
            assert sha256(shipped) == sha256(source), f"{shipped} differs from {folder}/{source.name}"
    assert (bundle.internal / "cv2" / "data" / "haarcascade_frontalface_default.xml").is_file()
    # Tk and Tcl: the extension, the libraries' script folders, and the Python side.
    assert list(bundle.internal.rglob("_tkinter*")), "no _tkinter extension in the bundle"
    assert (bundle.internal / "_tcl_data" / "init.tcl").is_file()
    assert (bundle.internal / "_tk_data" / "tk.tcl").is_file()
    assert {"tkinter", "tkinter.ttk", "PIL.ImageTk"} <= bundle.modules
    # Every module of the package, including the lazily imported commands and the GUI.
    source_modules = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "emotune").rglob("*.py")
    }
    assert {"emotune.selftest", "emotune.vision.emotions", "emotune.music.catalog"} <= source_modules
    assert source_modules <= bundle.modules, sorted(source_modules - bundle.modules)


def test_bundle_has_nothing_of_the_training_stack(bundle: Bundle) -> None:
    excluded = (*TRAINING_STACK, *PROJECT_ONLY)
    frozen = sorted(m for m in bundle.modules if m.split(".")[0] in excluded)
    assert frozen == [], frozen[:20]
    files = [p.relative_to(bundle.root) for p in bundle.root.rglob("*")]
    inside = [str(p) for p in files if any(part in TRAINING_STACK for part in p.parts)]
    inside += [str(p) for p in files if p.name.startswith(("libtensorflow", "_pywrap_tensorflow"))]
    assert inside == [], inside[:20]
    # onnxruntime's offline tools, and (Linux) its C API library, which the Python module never loads.
    assert not any(m.startswith(("onnxruntime.transformers", "onnxruntime.tools")) for m in bundle.modules)
    if sys.platform.startswith("linux"):
        assert not [p for p in files if p.name.startswith("libonnxruntime.so")]


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def test_bundle_self_test_names_a_corrupt_model(bundle: Bundle, user_dirs: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "emotune"
    shutil.copytree(bundle.root, broken, copy_function=link_or_copy, symlinks=True)
    model = broken / "_internal" / "emotune" / "models" / "emotion.onnx"
    model.unlink()  # breaks the hard link only, not the shared bundle
    model.write_bytes(b"this is not an ONNX model")
    result = subprocess.run(
        [str(broken / bundle.executable.name), "--self-test"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=user_dirs,
        timeout=120,
    )
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("emotune ") and "self-test FAILED (models)" in lines[0]
    assert f"{model}: not a readable ONNX model" in lines[0]
