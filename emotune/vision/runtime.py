"""onnxruntime, imported with its telemetry off: the app's code imports ``ort`` from here, never
``onnxruntime`` itself (``lint-imports`` checks it).

Privacy: onnxruntime's telemetry writes a device ID and an event database (OS, CPU, memory) under
``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` unless it is off, and the import itself
creates them, so the switch (``ORT_DISABLE_TELEMETRY``) is set before the import. Emotune sets it
for itself whatever the environment says; ``disable_telemetry_events`` then covers what the
variable does not on other systems (Windows event tracing). Nothing else happens here.
"""

from __future__ import annotations

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

import onnxruntime as ort  # after the variable: the import reads it

ort.disable_telemetry_events()

__all__ = ["ort"]
