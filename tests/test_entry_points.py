"""Two programs: ``emotune`` (the command line, a console program) and ``emotune-gui`` (the window,
a windowed program that also writes its warnings and errors to ``emotune.log``), in the wheel's
metadata and in the bundle that ``emotune.spec`` describes.

The spec is run here as PyInstaller runs it (``exec`` with ``SPECPATH`` and the build classes
provided), with stand-ins for those classes that record what they are given, for each system:
PyInstaller builds only for the one it runs on, and the real Linux build is checked by
``tests/test_packaging.py``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from setuptools.config.setupcfg import read_configuration

from emotune.bundle_plan import CONSOLE_NAME, GUI_NAME, check_onefile, installed_tags, macos_minimum
from emotune.environment import Environment
from emotune.logfile import LOG_FILE, MAX_BYTES, start_logging
from emotune.platforms import Platform
from testbed.paths import REPO

SPEC = REPO / "emotune.spec"


def test_wheel_has_a_console_and_a_gui_program() -> None:
    entry_points = read_configuration(str(REPO / "setup.cfg"))["options"]["entry_points"]
    assert entry_points["console_scripts"] == ["emotune = emotune.__main__:main"]
    assert entry_points["gui_scripts"] == ["emotune-gui = emotune.__main__:gui_main"]


@dataclass
class Built:
    """What the spec asked the stand-ins to build."""

    analysed_scripts: list[str] = field(default_factory=list)
    executables: list[dict[str, Any]] = field(default_factory=list)
    folders: list[tuple[Any, ...]] = field(default_factory=list)
    apps: list[dict[str, Any]] = field(default_factory=list)


def run_spec(platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *spec_args: str) -> Built:
    built = Built()

    class Analysis:
        def __init__(self, scripts: list[str], **options: Any) -> None:
            built.analysed_scripts = scripts
            boot = [("pyiboot01_bootstrap", "bootstrap.py", "PYSOURCE"), ("pyi_rth_inspect", "rth.py", "PYSOURCE")]
            self.scripts = boot + [(Path(s).stem, s, "PYSOURCE") for s in scripts]
            self.binaries: list[tuple[str, str, str]] = []
            self.datas = options["datas"]
            self.pure: list[tuple[str, str, str]] = []

    class EXE:
        def __init__(self, pyz: object, scripts: list[tuple[str, str, str]], *rest: object, **options: Any) -> None:
            self.options = options
            built.executables.append({**options, "scripts": [name for name, _, _ in scripts]})

    def collect(*parts: Any, **options: Any) -> tuple[Any, ...]:
        built.folders.append(parts)
        return parts

    def bundle(*parts: Any, **options: Any) -> None:
        # PyInstaller's BUNDLE runs the first executable among its parts; a folder's are sorted by name.
        first = parts[0] if isinstance(parts[0], EXE) else sorted(parts[0][:2], key=lambda e: e.options["name"])[0]
        built.apps.append({**options, "first": first.options["name"]})

    monkeypatch.setattr(sys, "argv", ["emotune.spec", *spec_args])
    monkeypatch.setattr(sys, "path", list(sys.path))  # the spec puts the repository first
    monkeypatch.delenv("EMOTUNE_ONEFILE", raising=False)
    namespace: dict[str, Any] = {
        "__name__": "__main__",
        "__file__": str(SPEC),
        "SPECPATH": str(REPO),
        "workpath": str(tmp_path),
        "EMOTUNE_SPEC_PLATFORM": platform,
        "Analysis": Analysis,
        "PYZ": lambda pure: object(),
        "EXE": EXE,
        "COLLECT": collect,
        "BUNDLE": bundle,
    }
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"), namespace)
    return built


class Recorded:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.args!r}, {self.kwargs!r})"


def windows_version_classes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand-ins for PyInstaller's version-resource classes: its module imports pefile and
    win32api, which PyInstaller installs on Windows only."""
    module = types.ModuleType("PyInstaller.utils.win32.versioninfo")
    for name in ("FixedFileInfo", "StringFileInfo", "StringStruct", "StringTable", "VarFileInfo", "VarStruct"):
        setattr(module, name, type(name, (Recorded,), {}))
    module.VSVersionInfo = type("VSVersionInfo", (Recorded,), {})  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)


def consoles(built: Built) -> dict[str, bool]:
    return {options["name"]: options["console"] for options in built.executables}


def test_spec_builds_a_console_and_a_windowed_program_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    windows_version_classes(monkeypatch)
    built = run_spec("windows", tmp_path, monkeypatch)
    assert consoles(built) == {GUI_NAME: False, CONSOLE_NAME: True}
    assert [Path(s).name for s in built.analysed_scripts] == ["window.py", "__main__.py"]
    gui, console = built.executables
    # Each runs the boot scripts and its own entry script, not the other one's.
    assert gui["scripts"] == ["pyiboot01_bootstrap", "pyi_rth_inspect", "window"]
    assert console["scripts"] == ["pyiboot01_bootstrap", "pyi_rth_inspect", "__main__"]
    assert gui["icon"].endswith(("icon.ico", "icon.png")) and gui["exclude_binaries"] is True
    names = {str(options["version"]).count(f"{options['name']}.exe") for options in built.executables}
    assert names == {1}, "each executable's version resource names its own file"
    assert len(built.folders) == 1 and built.apps == []  # one folder shared by both; no .app


def test_spec_app_runs_the_window_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec("macos", tmp_path, monkeypatch)
    assert consoles(built) == {GUI_NAME: False, CONSOLE_NAME: True}
    [app] = built.apps
    assert app["name"] == "Emotune.app" and app["first"] == GUI_NAME
    plist = app["info_plist"]
    assert plist["LSBackgroundOnly"] is False  # a Dock icon and a menu bar
    assert plist["LSMinimumSystemVersion"] == macos_minimum(installed_tags())
    assert plist["NSCameraUsageDescription"].startswith("Emotune reads your facial expression")


def test_spec_refuses_one_file_macos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit, match="no one-file build on macOS"):
        run_spec("macos", tmp_path, monkeypatch, "--onefile")


def test_one_file_allowed_elsewhere_windows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    check_onefile("windows", onefile=True)
    check_onefile("linux", onefile=True)
    windows_version_classes(monkeypatch)
    built = run_spec("windows", tmp_path, monkeypatch, "--onefile")
    assert consoles(built) == {GUI_NAME: False, CONSOLE_NAME: True}
    assert built.folders == []  # each executable carries everything


def test_spec_on_linux_makes_both_programs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = run_spec("linux", tmp_path, monkeypatch)
    assert set(consoles(built)) == {GUI_NAME, CONSOLE_NAME}
    assert built.apps == [] and len(built.folders) == 1


def test_macos_minimum_is_the_newest_any_wheel_needs_macos() -> None:
    tags = [
        "macosx-11.0-arm64",  # the interpreter (sysconfig)
        "cp311-cp311-macosx_14_0_arm64",  # onnxruntime
        "cp311-cp311-macosx_10_13_universal2",
        "py3-none-any",
        "cp311-cp311-manylinux_2_17_x86_64",
    ]
    assert macos_minimum(tags) == "14.0"
    assert macos_minimum(["cp311-cp311-macosx_13_0_x86_64", "macosx-10.9-universal2"]) == "13.0"
    assert macos_minimum(["py3-none-any"]) == "10.9"


def without_display() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}


@pytest.mark.slow  # a subprocess that imports the window's modules
def test_gui_program_logs_why_the_window_did_not_open(tmp_path: Path) -> None:
    env = without_display()
    result = subprocess.run(
        [sys.executable, "-m", "emotune.window", "--offline"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert result.stderr.startswith("emotune: cannot open the window (") and result.stderr.count("\n") == 1
    log = (Path(env["EMOTUNE_CACHE_DIR"]) / LOG_FILE).read_text(encoding="utf-8").splitlines()
    assert len(log) == 1, log
    assert " ERROR emotune: cannot open the window (" in log[0] and "is a display available?" in log[0]


@pytest.mark.slow
def test_console_program_keeps_no_log(tmp_path: Path) -> None:
    env = without_display()
    result = subprocess.run(
        [sys.executable, "-m", "emotune", "recommend", "nosuchmood"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2 and result.stderr.startswith("emotune: "), result.stderr
    assert not (Path(env["EMOTUNE_CACHE_DIR"]) / LOG_FILE).exists()


@pytest.fixture
def root_logger() -> Any:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:], root.level = handlers, level


def test_log_file_rotates_and_keeps_secrets_out(tmp_path: Path, root_logger: logging.Logger) -> None:
    secret = "s3cr3t-client-value"
    env = Environment.from_os({"EMOTUNE_CACHE_DIR": str(tmp_path / "cache"), "SPOTIPY_CLIENT_SECRET": secret})
    handler = start_logging(env)
    assert handler is not None
    log = logging.getLogger("emotune.test")
    log.info("not kept: below WARNING")
    log.warning("sign-in failed with client secret %s and header Bearer abc.def", secret)
    try:
        raise RuntimeError(f"token refused: access_token='tok-123' for {secret}")
    except RuntimeError:
        log.exception("callback failed")
    handler.flush()
    text = (tmp_path / "cache" / LOG_FILE).read_text(encoding="utf-8")
    assert "sign-in failed" in text and "RuntimeError: token refused" in text
    assert secret not in text and "abc.def" not in text and "tok-123" not in text
    assert "not kept" not in text
    for _ in range(2 * MAX_BYTES // 2000):
        log.warning("x" * 2000)
    files = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert files == [LOG_FILE, f"{LOG_FILE}.1"]
    assert all(p.stat().st_size <= MAX_BYTES for p in (tmp_path / "cache").iterdir())
