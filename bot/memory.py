"""Memory given back: freed heap memory returned to the system.

A photo's decoded pixels and the arrays made from them are a megabyte or more each. Under
load, glibc's allocator serves them from heaps it shares between threads and keeps what
they free: the bot's resident memory grew from 137 MB to 182 MB over 400 photos
(benchmarks/load.py) and stayed there. `malloc_trim` hands the free pages back; run every
TRIM_SECONDS off the event loop, it costs a few milliseconds a time.

/accuracy's evaluation allocates far larger blocks (MNIST's test set: 8 MB of pixels, 31 MB
as the network's input), in a thread whose heap `malloc_trim` does not shrink: 40 MB more
stayed resident after each first /accuracy. Blocks of LARGE_BLOCK and more are therefore
mapped on their own, and go back to the system as soon as they are freed. A photo's
arrays (at most 640x480 pixels, 2.5 MB as float64) stay below it: mapping those apart
too, with a threshold of 128 KB, kept memory flat but cost a third more CPU per photo
in page faults.
"""

import asyncio
import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

TRIM_SECONDS = 5.0
LARGE_BLOCK = 4 * 2**20  # bytes
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h


def _libc(function: str) -> "ctypes._FuncPointer | None":
    try:
        return getattr(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6"), function)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to do
        return None


def map_large_blocks_apart() -> None:
    """From now on, blocks of LARGE_BLOCK bytes and more are returned when freed.

    Fixing the threshold stops glibc from moving it (and the trim threshold with it) after
    each large block; the trim threshold is set where glibc would have moved it, twice the
    mmap threshold, so that a heap is not shrunk (and grown again) after every photo:
    `keep_returning_memory` trims them.
    """
    mallopt = _libc("mallopt")
    if mallopt is None or not (mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK)
                               and mallopt(M_TRIM_THRESHOLD, 2 * LARGE_BLOCK)):
        logger.debug("Could not set the C library's mmap and trim thresholds")


async def keep_returning_memory() -> None:
    """Until cancelled: give freed memory back every TRIM_SECONDS."""
    trim = _libc("malloc_trim")
    if trim is None:
        logger.debug("No malloc_trim in this C library")
        return
    while True:
        await asyncio.sleep(TRIM_SECONDS)
        await asyncio.to_thread(trim, 0)
