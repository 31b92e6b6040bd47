"""Where the shipped model files and assets are: the one function the app uses to find them.

``models/`` and ``assets/`` sit at the top of the repository and are installed as the data
packages ``emotune.models`` and ``emotune.assets`` (see ``package_dir`` in setup.cfg), so
importlib.resources finds them the same way in a source checkout installed with
``pip install -e .``, in a wheel, and in a PyInstaller bundle (the spec collects them there)."""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path
from typing import Literal

Kind = Literal["models", "assets"]


def resource_path(kind: Kind, name: str) -> Path:
    """The file ``name`` in the shipped ``models/`` or ``assets/`` folder (it may not exist)."""
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root is not None:
        return Path(bundle_root) / "emotune" / kind / name
    try:
        root = resources.files(f"emotune.{kind}")
    except ModuleNotFoundError:
        # Running from a checkout that was never installed (PYTHONPATH=.): use the tree itself.
        return Path(__file__).resolve().parent.parent / kind / name
    return Path(str(root.joinpath(name)))
