"""Replies that get through: every Bot API call the bot makes is paced and retried.

python-telegram-bot's `AIORateLimiter` paces the calls and waits out 429 (Too Many
Requests) as Telegram asks, pausing all calls meanwhile. On top of it, server errors
(5xx), timeouts and dropped connections are retried with backoff, all until a deadline
(REPLY_DEADLINE_SECONDS, 3 minutes), so that a reading already computed is not thrown away
because Telegram failed or was busy; past it, `TelegramBusy` tells the handler to keep the
update for later. Errors that a retry cannot fix (400 Bad Request, 403 Forbidden, ...) are
raised at once.
File downloads, which PTB does not send through the rate limiter, are retried the same
way (`retrying_download`).
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import timedelta
from http import HTTPStatus
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_before_delay,
)

from bot import metrics
from bot.config import DEFAULT_REPLY_DEADLINE
from bot.journal import Journal, current_update

logger = logging.getLogger(__name__)

FIRST_WAIT_SECONDS = 1.0  # then doubled each time, up to MAX_WAIT_SECONDS
MAX_WAIT_SECONDS = 15.0
# 429s python-telegram-bot waits out per attempt, each as long as Telegram asks and holding
# every other call meanwhile, as flood control wants: as many as the deadline allows.
RATE_LIMIT_RETRIES = 1000
# "typing…" is a courtesy that would only mislead late; the command menu is set at every
# start, and waiting for it would hold up polling; getMe at start-up has its own schedule
# (bot/app.py).
NOT_RETRIED = ("sendChatAction", "setMyCommands", "getMe")
ANSWERS = ("sendMessage", "sendPhoto")  # calls that answer an update (see bot/journal.py)
# "typing…" spends the same budget of ~30 calls a second as the answers do: it is sent only
# while this many calls of the budget's current second are still free, and skipped else
# (under load, when answers would queue behind it).
ROOM_FOR_COURTESIES = 10
SMALL_BODY_BYTES = 16 * 1024  # a request body the kernel takes in one write


DOWNLOAD_ATTEMPTS = 3


class TelegramBusy(NetworkError):
    """Telegram kept refusing a call (429, 5xx, no connection) until the deadline: the
    update it answered is tried again later (`bot/handlers.py`, `report_error`)."""


def worth_retrying(error: BaseException) -> bool:
    """429, 5xx, timeouts and dropped connections; not 400 Bad Request (a NetworkError in
    PTB's hierarchy, but the same request would fail the same way)."""
    return isinstance(error, RetryAfter) or (
        isinstance(error, NetworkError) and not isinstance(error, BadRequest))


def _wait(state: RetryCallState) -> float:
    """As long as Telegram asks after a 429; else 1, 2, 4 ... up to MAX_WAIT_SECONDS."""
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, RetryAfter):
        asked = error.retry_after  # seconds, or a timedelta with PTB_TIMEDELTA set
        return float(asked.total_seconds() if isinstance(asked, timedelta) else asked)
    return min(FIRST_WAIT_SECONDS * 2 ** (state.attempt_number - 1), MAX_WAIT_SECONDS)


def retrying_download(what: str) -> AsyncRetrying:
    """Retries for a file download: a few attempts, then the error is the caller's."""
    def log_retry(state: RetryCallState) -> None:
        logger.warning("Downloading %s failed (%s); trying again in %.0f s", what,
                       state.outcome.exception(), state.upcoming_sleep)

    return AsyncRetrying(retry=retry_if_exception(worth_retrying), wait=_wait,
                         stop=stop_after_attempt(DOWNLOAD_ATTEMPTS), before_sleep=log_retry,
                         reraise=True)


class PatientRateLimiter(AIORateLimiter):
    def __init__(self, deadline: float = DEFAULT_REPLY_DEADLINE) -> None:
        super().__init__(max_retries=RATE_LIMIT_RETRIES)
        self.deadline = deadline

    def _budget_has_room(self) -> bool:
        """Whether the overall send budget (PTB's leaky bucket, 30 a second) has room for
        a courtesy beside the answers."""
        budget = self._base_limiter
        return budget is None or budget.has_capacity(1 + ROOM_FOR_COURTESIES)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "sendChatAction" and not self._budget_has_room():
            metrics.TYPING_SKIPPED.inc()
            return True  # what Telegram answers to it; the user sees the answer soon enough
        if endpoint in NOT_RETRIED:
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )

        def log_retry(state: RetryCallState) -> None:
            logger.warning("%s failed (%s); trying again in %.0f s", endpoint,
                           state.outcome.exception(), state.upcoming_sleep)
            metrics.TELEGRAM_RETRIES.labels(endpoint).inc()

        retrying = AsyncRetrying(
            retry=retry_if_exception(worth_retrying),
            wait=_wait,
            stop=stop_before_delay(self.deadline),
            before_sleep=log_retry,
            reraise=True,
        )
        async def counting_errors(*args: Any) -> Any:
            try:
                return await super(PatientRateLimiter, self).process_request(*args)
            except TelegramError as error:
                metrics.TELEGRAM_ERRORS.labels(endpoint, type(error).__name__).inc()
                raise

        try:
            async with asyncio.timeout(self.deadline):
                return await retrying(
                    counting_errors, callback, args, kwargs, endpoint, data, rate_limit_args
                )
        except TimeoutError as error:
            raise TelegramBusy(f"{endpoint} was not taken within {self.deadline:.0f} s") from error
        except (RetryAfter, NetworkError) as error:
            if not worth_retrying(error):
                raise
            raise TelegramBusy(f"{endpoint} was refused for {self.deadline:.0f} s,"
                               f" last with: {error}") from error


class JournalingTransport(httpx.AsyncHTTPTransport):
    """httpx's transport for the bot's requests, telling the journal how each answer
    fares: "sending" when its request is handed whole to the operating system, which
    delivers it even if this process dies; "sent" when Telegram took it; back to
    unanswered when Telegram refused it or it failed (it may be tried again). Before it
    went out (waiting for a connection, connecting), a crash leaves the update
    unanswered, and the next start answers it.

    When exactly, from httpcore's trace: a small body (a text answer) goes to the kernel
    in the very step that starts writing it, so it is noted at that start; noted once
    written, it would wait for a turn of the event loop (anyio yields after each write),
    and a crash in that turn would send the answer twice. A large body (a picture) may
    take several writes, so it is noted when written."""

    def __init__(self, journal: Journal, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.journal = journal

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        update_id = current_update.get()
        if update_id is None or request.url.path.rsplit("/", 1)[-1] not in ANSWERS:
            return await super().handle_async_request(request)
        size = int(request.headers.get("content-length") or SMALL_BODY_BYTES + 1)
        gone = "send_request_body." + ("started" if size <= SMALL_BODY_BYTES else "complete")

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event.endswith(gone):  # http11. or http2.
                self.journal.sending(update_id)

        request.extensions["trace"] = trace
        try:
            response = await super().handle_async_request(request)
        except asyncio.CancelledError:  # the bot is stopping: if the request went out
            raise  # ("sending"), it stays answered; if not, the next start answers it
        except BaseException:
            self.journal.not_sent(update_id)
            raise
        if response.status_code == HTTPStatus.OK:
            self.journal.sent(update_id)
        else:  # refused (a 5xx, a 429): not answered yet
            self.journal.not_sent(update_id)
        return response
