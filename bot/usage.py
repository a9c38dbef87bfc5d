"""How the bot does in use, for /stats: one row per photo answered, with no user in it.

`DATA_DIR/usage.sqlite3` keeps, for `KEEP_DAYS`, when each photo was answered, whether
a number was given or why not, and how long the answer took (written on the event loop:
microseconds); with REDIS_URL, Redis keeps the same per minute for all replicas
(`SharedUsageLog`, written from a worker thread).
/stats adds the corrections users made (`model/feedback/corrections.py`).
"""

import math
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from model import shared_redis
from model.shared_redis import guarded
from model.sqlite_files import open_database

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
    answers_at_once = True  # SQLite on the same disk: microseconds, fine on an event loop

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, used_from_threads=True)
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
    """The counts of every replica, in Redis: per minute, photos answered, refusals by
    reason, and answer times in buckets a quarter of an octave wide (the median /stats
    gives is the middle of its bucket, within 10%). A few hundred bytes a minute, whatever
    the traffic; kept KEEP_DAYS."""

    PREFIX = "digitbot:usage:"
    answers_at_once = False  # a network round trip, or a timeout: ask from a thread

    def __init__(self, url: str) -> None:
        self._redis = shared_redis.client(url)

    @guarded
    def answered(self, refusal: str, seconds: float) -> None:
        minute = self.PREFIX + str(int(time.time() // 60))
        with self._redis.pipeline() as pipe:
            pipe.hincrby(minute, "photos", 1)
            if refusal:
                pipe.hincrby(minute, "refused:" + refusal, 1)
            pipe.hincrby(minute, f"took:{_bucket(seconds)}", 1)
            pipe.expire(minute, KEEP_DAYS * DAY)
            pipe.execute()

    def prune(self) -> None:
        """Nothing to do: each minute's counts expire by themselves."""

    @guarded
    def period(self, seconds: float) -> Period:
        now = int(time.time() // 60)
        minutes = [self.PREFIX + str(m) for m in range(now - int(seconds // 60), now + 1)]
        with self._redis.pipeline() as pipe:
            for minute in minutes:
                pipe.hgetall(minute)
            counts: Counter[str] = Counter()
            for fields in pipe.execute():
                counts.update({name.decode(): int(value) for name, value in fields.items()})
        refusals = Counter({name.removeprefix("refused:"): n for name, n in counts.items()
                            if name.startswith("refused:")})
        took = sorted((int(name.removeprefix("took:")), n) for name, n in counts.items()
                      if name.startswith("took:"))
        return Period(photos=counts["photos"], refusals=refusals,
                      median_seconds=_median_of_buckets(took))


def _bucket(seconds: float) -> int:
    return round(4 * math.log2(max(seconds, 1e-4)))


def _median_of_buckets(took: list[tuple[int, int]]) -> float | None:
    """The middle of the bucket holding the median, from (bucket, count) pairs in order."""
    total, seen = sum(n for _, n in took), 0
    for bucket, n in took:
        seen += n
        if 2 * seen >= total:
            return 2 ** (bucket / 4)
    return None
