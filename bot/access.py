"""Who may use the bot, and how often: an allow-list and a per-user message limit.

The counting is done by the `limits` library (a moving window, in memory): within any
60 seconds a user may send `per_minute` messages; the first one over gets a note saying
when to try again, the rest are dropped in silence, so a flood costs one reply.
"""

import math
import time
from dataclasses import dataclass

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    note_seconds: int | None = None  # refused, and worth a note: "try again in N s"


class MessageLimit:
    def __init__(self, per_minute: int) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._messages = RateLimitItemPerMinute(per_minute)
        self._notes = RateLimitItemPerMinute(1)

    def check(self, user_id: int) -> Verdict:
        """Count one message from `user_id`: allowed, refused with a note, or refused."""
        if self._limiter.hit(self._messages, "message", str(user_id)):
            return Verdict(allowed=True)
        if not self._limiter.hit(self._notes, "note", str(user_id)):
            return Verdict(allowed=False)
        reset_at, _ = self._limiter.get_window_stats(self._messages, "message", str(user_id))
        return Verdict(allowed=False, note_seconds=max(1, math.ceil(reset_at - time.time())))

    def first_refusal(self, user_id: int) -> bool:
        """Whether to tell a user who is not allowed so: once a minute, not per message."""
        return self._limiter.hit(self._notes, "not allowed", str(user_id))
