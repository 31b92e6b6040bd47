"""``emotune-gui`` as a script: the bundle's windowed executable runs this file
(``python -m emotune.window`` does the same as ``python -m emotune``, logging to the log file)."""

from __future__ import annotations

import sys

from emotune.__main__ import gui_main

if __name__ == "__main__":
    sys.exit(gui_main())
