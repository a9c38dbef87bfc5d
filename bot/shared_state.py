"""What every replica of the bot must see alike: in Redis with REDIS_URL, else in DATA_DIR.

A small key-value store with expiry: the languages users chose (`language:<user id>`),
/accuracy's report and the lock that lets one replica evaluate at a time. The per-user
message limits live beside it, in the same Redis, through the `limits` library
(`bot/access.py`). One box needs nothing new: without REDIS_URL the store is a SQLite
file, `DATA_DIR/state.sqlite3`.

Redis is checked at start-up (unreachable: one line, exit 1); a call that fails while
running is retried once, then the caller carries on without it (a user answered in their
app's language rather than not at all), and Redis is left alone for a while
(`model/shared_redis.py`).
"""

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TypeVar

import redis

from model import shared_redis
from model.shared_redis import guarded
from model.sqlite_files import open_database

KEY_PREFIX = "digitbot:"  # every key the bot writes to Redis starts so
START_TIMEOUT_SECONDS = 5.0

STATE_ERRORS = (redis.RedisError, sqlite3.Error)  # what a failing store raises
T = TypeVar("T")


async def ask(call: Callable[..., T], *args: object) -> T:
    """A call on a store (the corrections, the usage counts): on the event loop if the
    store `answers_at_once` (SQLite), else from a worker thread (Redis)."""
    if getattr(getattr(call, "__self__", None), "answers_at_once", False):
        return call(*args)
    return await asyncio.to_thread(call, *args)


class RedisUnavailable(ConnectionError):
    """REDIS_URL does not answer at start-up."""


class SharedState(Protocol):
    """Bytes by key, each with an optional lifetime."""

    async def get(self, key: str) -> bytes | None: ...

    async def put(self, key: str, value: bytes, seconds: float | None = None) -> None: ...

    async def put_new(self, key: str, value: bytes, seconds: float) -> bool:
        """Put `value` only if `key` holds nothing: whether it was put (a lock)."""
        ...

    async def renew(self, key: str, value: bytes, seconds: float) -> bool:
        """Give `key` `seconds` more to live if it still holds `value` (a lock one took,
        not taken since by another): whether it did."""
        ...

    async def delete(self, key: str, value: bytes | None = None) -> None:
        """Delete `key`; with `value`, only if it still holds that (a lock one took)."""
        ...

    async def close(self) -> None: ...


class LocalState:
    """The store of a bot without replicas: SQLite, a few microseconds a call."""

    def __init__(self, path: Path) -> None:
        self._db = open_database(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY,"
                         " value BLOB NOT NULL, until REAL)")

    async def get(self, key: str) -> bytes | None:
        row = self._db.execute("SELECT value FROM state WHERE key = ? AND"
                               " (until IS NULL OR until > ?)", (key, time.time())).fetchone()
        return row[0] if row else None

    async def put(self, key: str, value: bytes, seconds: float | None = None) -> None:
        until = time.time() + seconds if seconds is not None else None
        self._db.execute("INSERT OR REPLACE INTO state VALUES (?, ?, ?)", (key, value, until))

    async def put_new(self, key: str, value: bytes, seconds: float) -> bool:
        self._db.execute("DELETE FROM state WHERE key = ? AND until <= ?", (key, time.time()))
        return self._db.execute("INSERT OR IGNORE INTO state VALUES (?, ?, ?)",
                                (key, value, time.time() + seconds)).rowcount == 1

    async def renew(self, key: str, value: bytes, seconds: float) -> bool:
        return self._db.execute("UPDATE state SET until = ? WHERE key = ? AND value = ? AND"
                                " until > ?", (time.time() + seconds, key, value,
                                               time.time())).rowcount == 1

    async def delete(self, key: str, value: bytes | None = None) -> None:
        if value is None:
            self._db.execute("DELETE FROM state WHERE key = ?", (key,))
        else:
            self._db.execute("DELETE FROM state WHERE key = ? AND value = ?", (key, value))

    async def close(self) -> None:
        self._db.close()


class RedisState:
    """The store replicas share."""

    def __init__(self, url: str) -> None:
        self._redis = shared_redis.async_client(url)

    @guarded
    async def get(self, key: str) -> bytes | None:
        return await self._redis.get(KEY_PREFIX + key)

    @guarded
    async def put(self, key: str, value: bytes, seconds: float | None = None) -> None:
        await self._redis.set(KEY_PREFIX + key, value,
                              px=round(seconds * 1000) if seconds is not None else None)

    @guarded
    async def put_new(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(await self._redis.set(KEY_PREFIX + key, value, px=round(seconds * 1000),
                                          nx=True))

    @guarded
    async def renew(self, key: str, value: bytes, seconds: float) -> bool:
        return bool(await self._redis.eval(RENEW_IF_HELD, 1, KEY_PREFIX + key, value,
                                           round(seconds * 1000)))

    @guarded
    async def delete(self, key: str, value: bytes | None = None) -> None:
        if value is None:
            await self._redis.delete(KEY_PREFIX + key)
        else:  # only if it still holds `value` (a lock this process took), atomically
            await self._redis.eval(DELETE_IF_HELD, 1, KEY_PREFIX + key, value)

    async def close(self) -> None:
        await self._redis.aclose()


DELETE_IF_HELD = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
    " return 0")
RENEW_IF_HELD = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then"
    " return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0")


def check_redis(url: str) -> None:
    """Raise RedisUnavailable, naming the problem, if Redis does not answer."""
    client = redis.Redis.from_url(url, socket_timeout=START_TIMEOUT_SECONDS,
                                  socket_connect_timeout=START_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        raise RedisUnavailable(f"REDIS_URL does not answer ({error})") from None
    finally:
        client.close()


def open_state(redis_url: str | None, data_dir: Path) -> SharedState:
    return RedisState(redis_url) if redis_url else LocalState(data_dir / "state.sqlite3")
