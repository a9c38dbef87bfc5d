"""The send budget: answers first, "typing…" only while Telegram's budget has room."""

import asyncio

from prometheus_client import REGISTRY

from bot.delivery import ROOM_FOR_COURTESIES, PatientRateLimiter


def skipped_so_far() -> float:
    return REGISTRY.get_sample_value("digitbot_typing_skipped_total") or 0.0


def test_typing_is_skipped_while_answers_use_the_budget_and_sent_when_it_has_room():
    async def scenario() -> list[str]:
        limiter = PatientRateLimiter()
        skipped = skipped_so_far()
        sent: list[str] = []

        async def call(name: str) -> bool:
            sent.append(name)
            return True

        async def send(endpoint: str) -> None:
            await limiter.process_request(call, (endpoint,), {}, endpoint, {"chat_id": 1}, None)

        await send("sendChatAction")  # an idle budget: shown
        for _ in range(30 - ROOM_FOR_COURTESIES):  # a burst of answers fills the second
            await send("sendMessage")
        await send("sendChatAction")  # skipped: it would hold up the answers behind it
        await send("sendMessage")  # answers still go out
        await asyncio.sleep(1.1)  # the budget has drained
        await send("sendChatAction")
        assert skipped_so_far() == skipped + 1
        return sent

    sent = asyncio.run(scenario())
    assert sent == ["sendChatAction", *["sendMessage"] * (30 - ROOM_FOR_COURTESIES),
                    "sendMessage", "sendChatAction"]
