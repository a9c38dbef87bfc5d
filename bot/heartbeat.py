"""A heartbeat for health checks: a file touched after every successful poll.

A polling bot has no port to probe. Instead, the request object that carries
`getUpdates` touches a file whenever Telegram answers; `python -m bot.healthcheck`
then reports the bot healthy while that file is fresh.

The same object notices when Telegram rejects the token mid-run (401 or 404). Left to
itself, python-telegram-bot would end polling with `InvalidToken` and keep the process
alive, deaf, and its shutdown would then fail on that error. Instead `on_token_rejected`
stops the bot, and PTB is handed an empty batch of updates so that it shuts down cleanly.
And it hands each batch of updates to `on_updates` (the journal) before PTB sees it.
"""

import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 30.0  # long polls last 10 s: three missed in a row means polling stopped
TOKEN_REJECTED = (HTTPStatus.UNAUTHORIZED, HTTPStatus.NOT_FOUND)  # as PTB's InvalidToken
NO_UPDATES = b'{"ok": true, "result": []}'


class PollingRequest(HTTPXRequest):
    """The `HTTPXRequest` that carries `getUpdates`: it touches `heartbeat_file` after each
    successful answer, hands each batch to `on_updates` and calls `on_token_rejected`."""

    def __init__(self, heartbeat_file: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat_file = heartbeat_file
        self.on_token_rejected: Callable[[], None] | None = None
        self.on_updates: Callable[[bytes], None] | None = None  # each getUpdates answer
        self._warned = False

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(url, *args, **kwargs)
        if status == HTTPStatus.OK:
            if self.on_updates and url.endswith("/getUpdates"):
                self.on_updates(payload)  # if the journal fails, the bot must not look healthy
            self._beat()
        elif status in TOKEN_REJECTED and url.endswith("/getUpdates") and self.on_token_rejected:
            self.on_token_rejected()
            return HTTPStatus.OK, NO_UPDATES
        return status, payload

    def _beat(self) -> None:
        try:
            self.heartbeat_file.touch()  # a few microseconds: fine on the event loop
        except OSError as error:  # a health check must never stop the polling it reports on
            if not self._warned:
                logger.warning("Cannot write the heartbeat file: %s", error)
                self._warned = True


def is_fresh(heartbeat_file: Path, max_age: float = MAX_AGE_SECONDS) -> bool:
    """Whether the bot heard from Telegram within the last `max_age` seconds."""
    try:
        return time.time() - heartbeat_file.stat().st_mtime < max_age
    except FileNotFoundError:
        return False
