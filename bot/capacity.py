"""Bounds on the work in flight, so that memory stays bounded whatever arrives.

A file costs up to three times its size while it arrives (httpx's chunks, their join,
PTB's bytearray); a read costs at most about 100 MB (model/decode.py). Photos Telegram
has compressed weigh well under a megabyte; only files sent as documents are larger.
Work over a bound waits its turn.
"""

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

SMALL_FILE_BYTES = 2 * 1024 * 1024
SMALL_FILES_AT_ONCE = 16  # 16 x 6 MB at most
LARGE_FILES_AT_ONCE = 2  # up to 20 MB each: 2 x 60 MB at most
READS_AT_ONCE = os.cpu_count() or 1  # a read keeps a core busy: more at once only queue


class Capacity:
    def __init__(self) -> None:
        self._small_files = asyncio.Semaphore(SMALL_FILES_AT_ONCE)
        self._large_files = asyncio.Semaphore(LARGE_FILES_AT_ONCE)
        self._reads = asyncio.Semaphore(READS_AT_ONCE)

    @asynccontextmanager
    async def file(self, size: int | None) -> AsyncIterator[None]:
        """Room to hold a file of `size` bytes (unknown counts as large)."""
        small = size is not None and size <= SMALL_FILE_BYTES
        async with self._small_files if small else self._large_files:
            yield

    @asynccontextmanager
    async def read(self) -> AsyncIterator[None]:
        """A core to read an image on."""
        async with self._reads:
            yield
