"""House rules that keep the app light: the app imports no TensorFlow/Keras, tkinter stays in
emotune/gui/, and importing the package loads no model."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from testbed.paths import REPO


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_app_code_never_imports_training_libraries_or_tk_outside_gui() -> None:
    files = sorted((REPO / "emotune").rglob("*.py"))
    assert files
    for path in files:
        modules = imported_modules(path)
        assert not modules & {"tensorflow", "keras", "tf2onnx", "matplotlib", "training"}, path
        if "gui" not in path.relative_to(REPO / "emotune").parts:
            assert "tkinter" not in modules, path


@pytest.mark.slow
def test_every_module_outside_gui_imports_with_tkinter_unavailable() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "sys.modules['tkinter'] = None  # any import of tkinter now raises ImportError\n"
        "import emotune\n"
        "for m in pkgutil.walk_packages(emotune.__path__, 'emotune.'):\n"
        "    if '.gui' not in m.name and not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
        "heavy = [m for m in ('tensorflow', 'keras', 'tkinter') if sys.modules.get(m) is not None]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)
