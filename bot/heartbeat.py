"""A heartbeat for health checks: a file touched after every successful poll.

A polling bot has no port to probe. Instead, the request object that carries
`getUpdates` touches a file whenever Telegram answers; `python -m bot.healthcheck`
then reports the bot healthy while that file is fresh. With a webhook, nothing is polled:
`check_webhook` asks Telegram every few seconds whether the webhook is still this bot's,
and touches the file when it is.

The same object notices when Telegram rejects the token mid-run (401 or 404). Left to
itself, python-telegram-bot would end polling with `InvalidToken` and keep the process
alive, deaf, and its shutdown would then fail on that error. Instead `on_token_rejected`
stops the bot, and PTB is handed an empty batch of updates so that it shuts down cleanly.
"""

import asyncio
import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken, TelegramError
from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 30.0  # long polls last 10 s: three missed in a row means polling stopped
TOKEN_REJECTED = (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND)  # as PTB's InvalidToken
WEBHOOK_CHECK_SECONDS = 10.0
NO_UPDATES = b'{"ok": true, "result": []}'


class PollingRequest(HTTPXRequest):
    """The `HTTPXRequest` that carries `getUpdates`: it touches `heartbeat_file` after each
    successful answer and calls `on_token_rejected`."""

    def __init__(self, heartbeat_file: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat_file = heartbeat_file
        self.on_token_rejected: Callable[[], None] | None = None
        self._warned = False

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, *args, **kwargs)
        if status == HTTPStatus.OK:
            self._beat()
        elif status in TOKEN_REJECTED and url.endswith("/getUpdates") and self.on_token_rejected:
            self.on_token_rejected()
            return HTTPStatus.OK, NO_UPDATES
        return status, payload

    def _beat(self) -> None:
        self._warned = beat(self.heartbeat_file, self._warned)


def beat(heartbeat_file: Path, warned: bool = False) -> bool:
    """Touch the file; whether a failure to do so has been logged (once is enough)."""
    try:
        heartbeat_file.touch()  # a few microseconds: fine on the event loop
    except OSError as error:  # a health check must never stop the work it reports on
        if not warned:
            logger.warning("Cannot write the heartbeat file: %s", error)
        return True
    return warned


async def check_webhook(bot: Bot, url: str, heartbeat_file: Path,
                        on_token_rejected: Callable[[], None]) -> None:
    """Forever: beat while Telegram says the webhook is `url`; warn when it is not.
    (The first check waits, so that PTB has set the webhook by then.)"""
    warned = False
    while True:
        await asyncio.sleep(WEBHOOK_CHECK_SECONDS)
        try:
            info = await bot.get_webhook_info()
        except InvalidToken:
            on_token_rejected()
            return
        except TelegramError as error:
            logger.warning("Could not ask Telegram about the webhook: %s", error)
        else:
            if info.url == url:
                warned = beat(heartbeat_file, warned)
            else:
                logger.warning("Telegram sends updates to %r, not to WEBHOOK_URL", info.url)


def is_fresh(heartbeat_file: Path, max_age: float = MAX_AGE_SECONDS) -> bool:
    """Whether the bot heard from Telegram within the last `max_age` seconds."""
    try:
        return time.time() - heartbeat_file.stat().st_mtime < max_age
    except FileNotFoundError:
        return False
