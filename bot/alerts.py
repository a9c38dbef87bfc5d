"""Errors reach the admins: a short note in their chats, at most one per kind an hour.

As in python-telegram-bot's error-handler example, but throttled (by the `limits`
library), so that a failure repeating on every update does not flood the admins.
"""

import logging

from limits import RateLimitItemPerHour
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter
from telegram import Bot
from telegram.error import TelegramError

from bot import messages
from bot.journal import current_update

logger = logging.getLogger(__name__)


class ErrorAlerts:
    def __init__(self, admin_ids: frozenset[int], token: str) -> None:
        self.admin_ids = admin_ids
        self._token = token
        self._limiter = FixedWindowRateLimiter(MemoryStorage())
        self._once_an_hour = RateLimitItemPerHour(1)

    async def report(self, bot: Bot, error: BaseException) -> None:
        """Tell the admins about `error`, unless they heard of its kind this hour."""
        kind = type(error).__name__
        if not self.admin_ids or not self._limiter.hit(self._once_an_hour, kind):
            return
        text = messages.error_report(kind, str(error).replace(self._token, "<token>"))
        current_update.set(None)  # a note to the admins is no answer to the user's update
        for admin_id in self.admin_ids:
            try:
                await bot.send_message(admin_id, text)
            except TelegramError as problem:  # the admin never opened a chat with the bot
                logger.warning("Could not tell admin %s about an error: %s", admin_id, problem)
