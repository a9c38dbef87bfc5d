"""Memory given back: freed heap memory returned to the system every few seconds.

A photo's decoded pixels and the arrays made from them are a megabyte or more each. Under
load, glibc's allocator serves them from heaps it shares between threads and keeps what
they free: the bot's resident memory grew from 137 MB to 182 MB over 400 photos
(benchmarks/load.py) and stayed there. `malloc_trim` hands the free pages back; run every
TRIM_SECONDS off the event loop, it costs a few milliseconds a time. (Mapping each large
block on its own instead, with a fixed mmap threshold, kept memory flat too but cost a
third more CPU per photo in page faults.)
"""

import asyncio
import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

TRIM_SECONDS = 5.0


def _libc_trim() -> "ctypes._FuncPointer | None":
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None


async def keep_returning_memory() -> None:
    """Until cancelled: give freed memory back every TRIM_SECONDS."""
    trim = _libc_trim()
    if trim is None:
        logger.debug("No malloc_trim in this C library")
        return
    while True:
        await asyncio.sleep(TRIM_SECONDS)
        await asyncio.to_thread(trim, 0)
