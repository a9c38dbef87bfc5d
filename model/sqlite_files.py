"""The SQLite files kept in DATA_DIR (journal, state, corrections, usage), opened alike."""

import sqlite3
from pathlib import Path


def open_database(path: Path, used_from_threads: bool = False) -> sqlite3.Connection:
    """`path` in autocommit (each write lands at once), write-ahead logged and synced only
    at checkpoints (it survives a crash of the process, not of the machine: far fewer
    disk syncs), with deleted rows overwritten (what /forget or a prune drops is gone from
    the disk too). `used_from_threads`: by worker threads as well as the event loop
    (Python's sqlite3 serialises the calls)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=not used_from_threads)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA secure_delete=ON")
    return db
