"""A heartbeat for health checks: a file touched after every successful poll.

A polling bot has no port to probe. Instead, the request object that carries
`getUpdates` touches a file whenever Telegram answers; `python -m bot.healthcheck`
then reports the bot healthy while that file is fresh.
"""

import logging
import time
from pathlib import Path
from typing import Any

from telegram.request import HTTPXRequest

logger = logging.getLogger(__name__)

MAX_AGE_SECONDS = 120.0  # long polls last 10 s, so two minutes without one means trouble


class HeartbeatRequest(HTTPXRequest):
    """An `HTTPXRequest` that touches `heartbeat_file` after each successful answer."""

    def __init__(self, heartbeat_file: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.heartbeat_file = heartbeat_file
        self._warned = False

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        status, payload = await super().do_request(*args, **kwargs)
        if status == 200:
            self._beat()
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
