"""The per-user message limit kept in memory: a moving window, and users forgotten once
quiet (tests/test_hosting.py drives the limit through the fake Bot API server)."""

import asyncio
import functools

import pytest

from bot import access


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A clock the test moves, for the limits kept in memory (and nothing else)."""
    clock = Clock()
    monkeypatch.setattr(access, "MemoryWindow", functools.partial(access.MemoryWindow, clock))
    return clock


def test_the_window_moves_with_each_message(clock: Clock) -> None:
    limit = access.MessageLimit(per_minute=3)
    verdicts = []
    for at in (0, 10, 20, 30, 59.9, 60.5, 61):
        clock.now = 1000.0 + at
        verdicts.append(asyncio.run(limit.check(7)))
    assert [v.allowed for v in verdicts] == [True, True, True, False, False, True, False]
    # The first refusal is told when the oldest message (at 0 s) leaves the window: at 60 s.
    assert verdicts[3].note_seconds == 30
    assert verdicts[4].note_seconds is None  # one note a minute, not one per message
    assert asyncio.run(limit.check(8)).allowed  # another user counts apart


def test_quiet_users_are_forgotten(clock: Clock) -> None:
    window = access.MemoryWindow()
    item = access.RateLimitItemPerMinute(2)
    for user in range(1000):
        assert window.hit(item, "message", str(user))
    clock.now += 61
    assert window.hit(item, "message", "1")
    assert len(window._times) == 1  # the 999 quiet for a minute are gone
    assert window.get_window_stats(item, "message", "1")[1] == 1
