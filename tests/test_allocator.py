"""Freed memory is kept for reuse on Linux with glibc (emotune.allocator): a buffer of a video
frame's size freed and allocated again 200 times faults no page in again. (glibc's own dynamic
thresholds fault such a buffer in at least twice, and in the app's pattern 30 times a second.)"""

from __future__ import annotations

import numpy as np

from emotune import allocator


def test_a_frame_sized_buffer_reuses_its_pages_where_glibc_is_the_allocator() -> None:
    if not allocator.is_glibc():
        assert allocator.keep_freed_memory() is False  # other C libraries are left alone
        return
    import resource  # Unix only

    assert allocator.keep_freed_memory() is True
    frame = 1280 * 720 * 3  # 2.7 MB: over glibc's default mmap threshold (128 KiB)
    np.ones(frame, np.uint8)  # the first one faults its pages in
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        buffer = np.ones(frame, np.uint8)  # every page written
        del buffer
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 50, f"{faults} page faults; one buffer has {frame // 4096} pages"
