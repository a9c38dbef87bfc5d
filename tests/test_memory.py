"""Memory given back: large blocks freed in a worker thread (as /accuracy's evaluation
frees MNIST's test set) leave the process's resident memory as it was."""

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

# Three threads in turn each fill and free a 30 MB block three times; prints how many MB
# more are resident after them.
ALLOCATE_IN_THREADS = """
import os, sys, threading
import numpy as np
from bot import memory

def resident_mb():
    pages = int(open("/proc/self/statm").read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20

if sys.argv[1] == "apart":
    memory.map_large_blocks_apart()

def work():
    for _ in range(3):
        block = np.ones(30 * 2**20, np.uint8)
        del block

before = resident_mb()
for _ in range(3):
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
print(round(resident_mb() - before))
"""


def grown_mb(mode: str) -> int:
    # glibc's own behaviour: no allocator preloaded, none of its MALLOC_* settings.
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith("MALLOC_") and name != "LD_PRELOAD"}
    done = subprocess.run([sys.executable, "-c", ALLOCATE_IN_THREADS, mode],
                          capture_output=True, text=True, check=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent, env=environment)
    return int(done.stdout)


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's allocator only")
def test_large_blocks_freed_in_threads_go_back_to_the_system():
    assert grown_mb("apart") < 5
    # Without it, glibc raises its mmap threshold after the first such block, serves the
    # next ones from the thread's heap, and keeps them when freed.
    assert grown_mb("default") >= 25
