"""The key-value store of bot/shared_state.py, in SQLite and in a real Redis alike: the
lock /accuracy's evaluation takes, renews and releases."""

import asyncio

import pytest
import redis

from bot.shared_state import LocalState, RedisState


@pytest.fixture(params=["sqlite", "redis"])
def state_of(request, tmp_path):
    """Runs a coroutine taking the store, on a fresh store of each kind."""
    def run(test):
        async def opened():
            if request.param == "redis":
                server = request.getfixturevalue("redis_server")
                redis.Redis.from_url(server.url).flushall()
                state = RedisState(server.url)
            else:
                state = LocalState(tmp_path / "state.sqlite3")
            try:
                await test(state)
            finally:
                await state.close()
        asyncio.run(opened())
    return run


def test_a_lock_is_renewed_only_by_whoever_holds_it(state_of):
    async def test(state):
        assert await state.put_new("lock", b"mine", 0.3)
        assert not await state.put_new("lock", b"theirs", 30)  # held
        assert await state.renew("lock", b"mine", 0.3)
        assert not await state.renew("lock", b"theirs", 30)
        await asyncio.sleep(0.5)  # it lapsed, and another took it
        assert not await state.renew("lock", b"mine", 30)
        assert await state.put_new("lock", b"theirs", 30)
        assert not await state.renew("lock", b"mine", 30)  # theirs now: left alone
        await state.delete("lock", b"mine")
        assert await state.get("lock") == b"theirs"
    state_of(test)
