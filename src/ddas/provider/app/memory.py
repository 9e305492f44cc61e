"""Giving freed memory back to the operating system after a large page.

A page of 25,000 trajecten is some 60 MB of record bytes, allocated in pieces of a few kilobytes by whichever
thread built it. glibc keeps freed pieces in that thread's arena for reuse, so after pages built by several
threads the process holds several pages' worth of memory it no longer uses. `malloc_trim(0)` returns the free
pages of every arena; on other C libraries this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
from collections.abc import Callable

__all__ = ["release_free_memory"]

log = logging.getLogger(__name__)


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def release_free_memory() -> None:
    """Return freed heap memory to the operating system (glibc); a no-op elsewhere."""
    if _TRIM is not None:
        _TRIM(0)
