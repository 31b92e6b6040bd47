"""Keep freed memory for reuse (Linux with glibc), so drawing video does not cost page faults.

Every frame the video path frees and allocates again a few buffers of about a megabyte (the
scaled frame, Pillow's copy of it, Tk's image rows). glibc serves blocks over M_MMAP_THRESHOLD
with fresh mappings and gives the top of its heap back to the kernel once more than
M_TRIM_THRESHOLD of it is free; both thresholds move with the program's history, so depending on
the order of the first allocations the heap can shrink and grow again 30 times a second, every
page faulted in and zeroed each time. ``python -m benchmarks.gui_bench`` showed the Tk thread's
system time jump between two levels by chance from run to run; with both thresholds fixed
(which also stops glibc moving them) it stays at the low one (docs/figures.md).

Other C libraries (macOS, Windows, musl) are left alone. This module must not import anything
beyond the standard library.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1  # from <malloc.h>
M_MMAP_THRESHOLD = -3
# Free heap kept before any is given back: a few video frames' worth many times over, while
# still returning memory after something large (a journal export, a model load) is freed.
TRIM_THRESHOLD = 64 << 20
# Blocks up to this size come from the heap (a 1920x1080 frame is 6 MB); larger ones are mapped.
MMAP_THRESHOLD = 16 << 20


def is_glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION") is not None  # e.g. "glibc 2.36"
    except (AttributeError, ValueError, OSError):
        return False  # no confstr (Windows) or no such name (macOS, musl)


def keep_freed_memory() -> bool:
    """Fix glibc's trim and mmap thresholds for this process; False where that does not apply
    or did not work (nothing else changes then)."""
    if not is_glibc():
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter already runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    done = bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1 and mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1)
    if not done:
        log.info("glibc's mallopt refused the trim and mmap thresholds; memory is managed as usual")
    return done
