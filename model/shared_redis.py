"""Redis for replicas (REDIS_URL): how every client talks to it, and a breaker.

Calls made while answering a photo must never hold it up for long: they time out after
half a second and are tried once more; and after a failure, Redis is left alone for
`PAUSE_SECONDS` (the breaker), so that the photos meanwhile are answered without it at
once (in the user's app language, without the limit, their usage uncounted) rather than
each waiting for its own timeouts.
"""

import functools
import inspect
import time
from collections.abc import Callable
from typing import Any, TypeVar

import redis
import redis.asyncio
import redis.asyncio.retry
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

TIMEOUT_SECONDS = 0.5
PAUSE_SECONDS = 30.0

F = TypeVar("F", bound=Callable[..., Any])


class RedisPaused(redis.ConnectionError):
    """Redis failed a moment ago: not asked again until the pause is over."""


class Breaker:
    def __init__(self) -> None:
        self._until = 0.0

    def check(self) -> None:
        if time.monotonic() < self._until:
            raise RedisPaused(f"Redis failed less than {PAUSE_SECONDS:.0f} s ago")

    def failed(self) -> None:
        self._until = time.monotonic() + PAUSE_SECONDS


BREAKER = Breaker()  # one per process: Redis is up or down for every caller alike


def guarded(call: F) -> F:
    """`call` (a method that asks Redis, sync or async) through the breaker."""
    if inspect.iscoroutinefunction(call):
        @functools.wraps(call)
        async def guarded_async(*args: Any, **kwargs: Any) -> Any:
            BREAKER.check()
            try:
                return await call(*args, **kwargs)
            except redis.RedisError:
                BREAKER.failed()
                raise
        return guarded_async  # type: ignore[return-value]

    @functools.wraps(call)
    def guarded_sync(*args: Any, **kwargs: Any) -> Any:
        BREAKER.check()
        try:
            return call(*args, **kwargs)
        except redis.RedisError:
            BREAKER.failed()
            raise
    return guarded_sync  # type: ignore[return-value]


def options() -> dict[str, Any]:
    """Timeouts and one retry, for a client of either kind."""
    return {"socket_timeout": TIMEOUT_SECONDS, "socket_connect_timeout": TIMEOUT_SECONDS,
            "retry_on_error": [redis.ConnectionError, redis.TimeoutError]}


def client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, retry=Retry(ExponentialBackoff(cap=0.2), 1), **options())


def async_client(url: str) -> redis.asyncio.Redis:
    return redis.asyncio.Redis.from_url(
        url, retry=redis.asyncio.retry.Retry(ExponentialBackoff(cap=0.2), 1), **options())
