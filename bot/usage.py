"""How the bot does in use, for /stats: one row per photo answered, with no user in it.

`DATA_DIR/usage.sqlite3` keeps, for `KEEP_DAYS`, when each photo was answered, whether
a number was given or why not, and how long the answer took; with REDIS_URL, Redis keeps
the same rows for all replicas (`SharedUsageLog`). Both are written off the event loop.
/stats adds the corrections users made (`model/feedback/corrections.py`).
"""

import json
import secrets
import sqlite3
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import redis

KEEP_DAYS = 30
DAY = 24 * 3600
DOWNLOAD_STALLED = "DownloadStalled"  # beside the refusals' names and the decoding errors'
# (`UnreadableImage`, `ImageTooLarge`): why a photo got no number


@dataclass(frozen=True)
class Period:
    photos: int
    refusals: Counter[str]  # by reason (`Refusal.name`)
    median_seconds: float | None

    @property
    def refused(self) -> int:
        return sum(self.refusals.values())


@dataclass(frozen=True)
class Usage:
    day: Period
    week: Period
    corrections_day: int = 0
    corrections_week: int = 0
    confusions: list[tuple[str, str, int]] = field(default_factory=list)  # (what the
    # photo shows, what the bot said, how often), the most frequent first
    feedback: bool = True  # whether users can correct answers (FEEDBACK)

    @property
    def error_rate(self) -> float | None:
        """Answers corrected in the last week, of the photos answered."""
        return self.corrections_week / self.week.photos if self.week.photos else None


def confusions(corrected: list[tuple[str, str, str]], top: int = 5) -> list[tuple[str, str, int]]:
    """The most frequent (shown, said, count) among (answered, refusal, corrected) rows;
    `said` is the number read, or the refusal's name."""
    counted = Counter((shows, answered or refusal) for answered, refusal, shows in corrected)
    return [(shows, said, count) for (shows, said), count in counted.most_common(top)]


class UsageLog:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS answers (at REAL NOT NULL,"
                         " refusal TEXT NOT NULL, seconds REAL NOT NULL)")
        self._db.execute("CREATE INDEX IF NOT EXISTS answers_by_time ON answers (at)")

    def answered(self, refusal: str, seconds: float) -> None:
        """A photo was answered: with a number (`refusal` empty) or a refusal's name."""
        self._db.execute("INSERT INTO answers VALUES (?, ?, ?)", (time.time(), refusal, seconds))

    def prune(self) -> None:
        """Forget answers older than KEEP_DAYS (the bot runs this every minute)."""
        self._db.execute("DELETE FROM answers WHERE at < ?", (time.time() - KEEP_DAYS * DAY,))

    def period(self, seconds: float) -> Period:
        rows = self._db.execute("SELECT refusal, seconds FROM answers WHERE at >= ?",
                                (time.time() - seconds,)).fetchall()
        times = [took for _, took in rows]
        return Period(photos=len(rows), refusals=Counter(r for r, _ in rows if r),
                      median_seconds=statistics.median(times) if times else None)


class SharedUsageLog:
    """The rows of every replica, in Redis: a sorted set by time."""

    KEY = "digitbot:usage"

    def __init__(self, url: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)

    def answered(self, refusal: str, seconds: float) -> None:
        row = json.dumps([refusal, seconds, secrets.token_hex(4)])  # (the tag keeps equal
        self._redis.zadd(self.KEY, {row: time.time()})  # rows apart in the set)

    def prune(self) -> None:
        self._redis.zremrangebyscore(self.KEY, "-inf", time.time() - KEEP_DAYS * DAY)

    def period(self, seconds: float) -> Period:
        rows = [json.loads(row)[:2] for row in
                self._redis.zrangebyscore(self.KEY, time.time() - seconds, "+inf")]
        times = [took for _, took in rows]
        return Period(photos=len(rows), refusals=Counter(r for r, _ in rows if r),
                      median_seconds=statistics.median(times) if times else None)
