"""Who may use the bot, and how often: an allow-list and a per-user message limit.

The counting is a moving window: within any 60 seconds a user may send `per_minute`
messages; the first one over gets a note saying when to try again, the rest are dropped
in silence, so a flood costs one reply. The counts are kept in memory, or with REDIS_URL
in Redis by the `limits` library, so that replicas count a user's messages together.
If Redis fails mid-run, messages are let through (and logged) rather than lost.
"""

import inspect
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import redis
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter as AsyncMovingWindowRateLimiter

from model.shared_redis import TIMEOUT_SECONDS, guarded

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    note_seconds: int | None = None  # refused, and worth a note: "try again in N s"


class MemoryWindow:
    """A moving window per user, in memory: the times of each user's messages in the last
    window. It answers as `limits`' moving-window limiter does (`hit`, `get_window_stats`);
    `limits`' own memory storage starts a thread after each message that walks every
    user's counts (2-3 ms of CPU a message with a thousand recent users, measured with
    py-spy under benchmarks/load.py)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._times: dict[str, deque[float]] = {}
        self._swept = clock()
        self._longest = 0.0  # the longest window asked about, in seconds

    def _recent(self, item: RateLimitItem, identifiers: tuple[str, ...], now: float
                ) -> deque[float]:
        times = self._times.setdefault(item.key_for(*identifiers), deque())
        while times and times[0] <= now - item.get_expiry():
            times.popleft()
        return times

    def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        now = self._clock()
        self._longest = max(self._longest, item.get_expiry())
        if now - self._swept > self._longest:  # forget users quiet for a whole window
            self._times = {key: times for key, times in self._times.items()
                           if times and times[-1] > now - self._longest}
            self._swept = now
        times = self._recent(item, identifiers, now)
        if len(times) >= item.amount:
            return False
        times.append(now)
        return True

    def get_window_stats(self, item: RateLimitItem, *identifiers: str
                         ) -> tuple[float, int]:
        """When (in `time.time()`) the oldest message leaves the window, and how many more
        fit in it now."""
        now = self._clock()
        times = self._recent(item, identifiers, now)
        oldest = times[0] if times else now
        return time.time() + oldest + item.get_expiry() - now, item.amount - len(times)


def limiter(redis_url: str | None) -> MemoryWindow | AsyncMovingWindowRateLimiter:
    """Where the counts are kept: in memory, or in the replicas' Redis."""
    if not redis_url:
        return MemoryWindow()
    return AsyncMovingWindowRateLimiter(RedisStorage(
        "async+" + redis_url, implementation="redispy",
        key_prefix="digitbot:limits", socket_timeout=TIMEOUT_SECONDS,
        socket_connect_timeout=TIMEOUT_SECONDS))


async def _result(value: T | Awaitable[T]) -> T:
    """What the limiter returned, awaited if it is the asynchronous (Redis) one."""
    return await value if inspect.isawaitable(value) else value  # type: ignore[return-value]


class MessageLimit:
    def __init__(self, per_minute: int, redis_url: str | None = None) -> None:
        self._limiter = limiter(redis_url)
        self._messages = RateLimitItemPerMinute(per_minute)
        self._notes = RateLimitItemPerMinute(1)

    async def check(self, user_id: int) -> Verdict:
        """Count one message from `user_id`: allowed, refused with a note, or refused."""
        try:
            return await self._count(user_id)
        except redis.RedisError as error:
            logger.warning("Could not count a message against the limit (%s): let through",
                           error)
            return Verdict(allowed=True)

    async def first_refusal(self, user_id: int) -> bool:
        """Whether to tell a user who is not allowed so: once a minute, not per message."""
        try:
            return await self._note(user_id, "not allowed")
        except redis.RedisError as error:
            logger.warning("Could not count a refusal note (%s): sent", error)
            return True

    @guarded
    async def _count(self, user_id: int) -> Verdict:
        if await _result(self._limiter.hit(self._messages, "message", str(user_id))):
            return Verdict(allowed=True)
        if not await self._note(user_id, "note"):
            return Verdict(allowed=False)
        reset_at, _ = await _result(self._limiter.get_window_stats(
            self._messages, "message", str(user_id)))
        return Verdict(allowed=False, note_seconds=max(1, math.ceil(reset_at - time.time())))

    @guarded
    async def _note(self, user_id: int, kind: str) -> bool:
        """Whether a note of `kind` is due: one a minute."""
        return await _result(self._limiter.hit(self._notes, kind, str(user_id)))
