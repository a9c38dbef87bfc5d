"""A fake Telegram Bot API server for end-to-end tests and benchmarks of the bot.

It speaks real HTTP on 127.0.0.1 (a free port) the way python-telegram-bot 22 talks to
api.telegram.org, so the real `telegram.Bot` and `Application` can be pointed at it::

    with FakeTelegram() as tg:
        bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.base_file_url)
        message = tg.send_text("/start")          # a user writes to the bot
        reply = tg.replies_to(message)            # what the bot answered (a `Call`)
        assert "digit" in reply.params["text"]

Three parts: `testing/http_server.py` (the HTTP plumbing), `testing/bot_api.py` (the
Bot API methods and what Telegram knows), and this class: what users do (`send_*`),
what the bot did (`requests`, `calls`, `wait_for`, `replies_to`) and faults to inject
(`fail_next`, `delay_next`, `fail_randomly`). It runs in daemon threads, independent of
any asyncio loop: call its blocking helpers from a coroutine with `asyncio.to_thread`.

Files are served at GET /file/bot<token>/<file_path>. A wrong token answers 401 and an
unknown method 404 (PTB raises InvalidToken for both). getUpdates long polls at most
`LONG_POLL_CAP` seconds. While a webhook is set, pending updates are POSTed to it one
at a time with the secret header until it answers 200 (`webhook_deliveries`).
"""

from __future__ import annotations

import itertools
import random
import re
import sys
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any, Self

from testing.bot_api import (
    LONG_POLL_CAP,
    MAX_DOWNLOAD_SIZE,
    BotApi,
    Call,
    Fault,
    chat_key,
    decode_value,
    error_body,
    taken_key,
)
from testing.http_server import Answer, BadForm, HttpServer, Request, form_of, json_answer

__all__ = ["LONG_POLL_CAP", "MAX_DOWNLOAD_SIZE", "Call", "FakeTelegram"]

DEFAULT_TOKEN = "123456789:fake-token-for-tests"
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![A-Za-z0-9_@])")
REPLY_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendSticker", "sendVoice"}
)
FaultSpec = tuple[int, "int | None"]  # (error_code, retry_after)


def _summarize(methods: list[str]) -> str:
    """'getMe, getUpdates x12, sendMessage' - consecutive repeats collapsed."""
    parts = []
    for method, group in itertools.groupby(methods):
        count = len(list(group))
        parts.append(method if count == 1 else f"{method} x{count}")
    return ", ".join(parts) or "(none)"


class FakeTelegram:
    """A fake Telegram Bot API server; see the module docstring."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int = 123456789,
        username: str = "digits_test_bot",
        *,
        first_name: str = "Digits Test Bot",
    ) -> None:
        self.token = token
        self.requests: list[Call] = []  # every API call, in the order it was answered
        self.errors: list[str] = []  # tracebacks of exceptions inside the fake (answered 500)
        self._http = HttpServer(self._handle, name="FakeTelegram")
        self.api = BotApi(token, bot_id, username, first_name, self._http.stopping)
        self._cond = self.api.cond  # one lock for the Bot API's state and the record
        self._queued_at: dict[tuple[int | str, int], int] = {}  # message -> len(requests)
        self._faults: dict[str, deque[Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._random_faults: dict[str, tuple[float, list[Fault]]] = {}
        self._random = random.Random(0)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Start serving in a daemon thread (no-op when already running)."""
        self._http.start()
        return self

    def stop(self) -> None:
        """Stop the server, wake long polls and close kept-alive connections."""
        if not self._http.running:
            return
        self._http.stop(wake=self.api.stop)
        self.api.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._http.stopping.is_set()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        return self._http.root

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    @property
    def bot_id(self) -> int:
        return self.api.bot_id

    @property
    def bot_user(self) -> dict[str, Any]:
        return self.api.bot_user

    def feed_in_turn(self, urls: list[str]) -> None:
        """Once a webhook is set, deliver updates to `urls` in turn instead of to it, as a
        load balancer in front of replicas would (an update one refuses goes to the next)."""
        with self._cond:
            self.api.replicas = list(urls)

    def taken_by(self, sent: dict[str, Any]) -> str | None:
        """The webhook URL that took the update bringing `sent`, a message or a callback
        query (None: not yet)."""
        with self._cond:
            return self.api.taken_by.get(taken_key(sent))

    @property
    def webhook_deliveries(self) -> list[tuple[int, int | str]]:
        """(update_id, HTTP status or error) for each attempt to deliver to the webhook."""
        return self.api.webhook_deliveries

    # ------------------------------------------------------------------ incoming updates

    def send_text(
        self,
        text: str,
        user_id: int = 1001,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a text message from a user; a leading /command gets a bot_command entity."""
        fields: dict[str, Any] = {"text": text}
        command = COMMAND.match(text)
        if command:
            length = len(command.group().encode("utf-16-le")) // 2
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._queue_message(fields, user_id, chat_id, language_code)

    def send_photo(
        self,
        sizes: list[bytes],
        user_id: int = 1001,
        caption: str | None = None,
        chat_id: int | None = None,
        language_code: str | None = "en",
        dimensions: list[tuple[int, int]] | None = None,
    ) -> dict[str, Any]:
        """Queue a photo: one PhotoSize per image in ``sizes`` (smallest first)."""
        if not sizes:
            raise ValueError("a photo needs at least one size")
        with self._cond:
            photo = self.api.store_photo(sizes, dimensions)
        fields: dict[str, Any] = {"photo": photo}
        if caption is not None:
            fields["caption"] = caption
        return self._queue_message(fields, user_id, chat_id, language_code)

    def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        user_id: int = 1001,
        file_size: int | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a document; ``file_size`` overrides the size Telegram reports."""
        with self._cond:
            document = self.api.store_document(data, file_name, mime_type, file_size)
        fields: dict[str, Any] = {"document": document}
        if caption is not None:
            fields["caption"] = caption
        return self._queue_message(fields, user_id, chat_id, language_code)

    def send_sticker(
        self,
        user_id: int = 1001,
        chat_id: int | None = None,
        emoji: str = "👍",
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a (static, regular) sticker."""
        with self._cond:
            stored = self.api.store_file("stickers", b"RIFF\x00\x00\x00\x00WEBP", ".webp")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": stored.file_size,
        }
        return self._queue_message({"sticker": sticker}, user_id, chat_id, language_code)

    def send_voice(
        self,
        user_id: int = 1001,
        data: bytes = b"OggS\x00fake-voice",
        duration: int = 1,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a voice note."""
        with self._cond:
            stored = self.api.store_file("voice", data, ".oga")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": stored.file_size,
        }
        return self._queue_message({"voice": voice}, user_id, chat_id, language_code)

    def send_message(
        self,
        message_fields: dict[str, Any],
        user_id: int = 1001,
        chat_id: int | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a message with arbitrary extra fields, e.g. ``{"video": {...}}``."""
        return self._queue_message(dict(message_fields), user_id, chat_id, language_code)

    def send_callback_query(
        self,
        data: str,
        message: dict[str, Any],
        user_id: int = 1001,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Queue a button press on ``message`` (a message the bot sent); returns the query."""
        return self.api.callback_query(data, message, user_id, language_code)

    def send_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (e.g. ``{"edited_message": {...}}``); returns it with update_id."""
        return self.api.queue_update(dict(fields))

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (via getUpdates ``offset``)."""
        return self.api.pending_updates()

    def _queue_message(self, fields: dict[str, Any], user_id: int, chat_id: int | None,
                       language_code: str | None) -> dict[str, Any]:
        with self._cond:
            message = self.api.queue_message(fields, user_id, chat_id, language_code)
            key = (chat_key(message["chat"]["id"]), message["message_id"])
            self._queued_at[key] = len(self.requests)
        return message

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str) -> list[Call]:
        with self._cond:
            return [call for call in self.requests if call.method == method]

    def mark(self) -> int:
        """The number of calls so far: pass it as ``since`` to only wait for newer calls."""
        with self._cond:
            return len(self.requests)

    def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda _call: True,
        timeout: float = 30.0,
        since: int = 0,
    ) -> Call:
        """Block until a ``method`` call at index >= ``since`` satisfies ``predicate``."""
        return self._wait(
            lambda call: call.method == method and predicate(call),
            f"{method} call matching the predicate",
            timeout,
            since,
        )

    def replies_to(
        self,
        message: dict[str, Any],
        timeout: float = 30.0,
        since: int | None = None,
        require_quote: bool = True,
    ) -> Call:
        """Block until the bot sends something in reply to ``message``.

        Only calls answered after ``message`` was queued count (unless ``since`` is given).
        With ``require_quote=False`` any send in the message's chat counts: PTB's
        ``Message.reply_text`` only quotes in private chats when asked (``do_quote=True`` or
        ``Defaults(do_quote=True)``).
        """
        chat_id = chat_key(message["chat"]["id"])
        message_id = message["message_id"]
        if since is None:
            with self._cond:
                since = self._queued_at.get((chat_id, message_id), 0)

        def is_reply(call: Call) -> bool:
            if call.method not in REPLY_METHODS or call.params.get("chat_id") is None:
                return False
            if chat_key(call.params["chat_id"]) != chat_id:
                return False
            if not require_quote:
                return True
            reply = call.params.get("reply_parameters")
            if isinstance(reply, dict) and reply.get("message_id") == message_id:
                return True
            return call.params.get("reply_to_message_id") == message_id

        what = f"reply to message {message_id} in chat {chat_id}"
        return self._wait(is_reply, what, timeout, since)

    def _wait(self, matches: Callable[[Call], bool], what: str, timeout: float, since: int) -> Call:
        deadline = time.monotonic() + timeout
        index = since
        with self._cond:
            while True:
                while index < len(self.requests):
                    call = self.requests[index]
                    index += 1
                    if matches(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = _summarize([call.method for call in self.requests[since:]])
                    raise AssertionError(
                        f"no {what} within {timeout:g}s; methods seen since #{since}: {seen}"
                    )
                self._cond.wait(remaining)

    # ------------------------------------------------------------------ fault injection

    def fail_next(
        self,
        method: str,
        error_code: int = 500,
        description: str = "Internal Server Error",
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with a Bot API error."""
        fault = Fault(error_code, description, retry_after)
        with self._cond:
            self._faults.setdefault(method, deque()).extend([fault] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering the next ``times`` calls of ``method``."""
        with self._cond:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def fail_randomly(
        self, methods: Iterable[str], rate: float, faults: Iterable[FaultSpec] = ((500, None),),
        seed: int = 0,
    ) -> None:
        """From now on, each call of ``methods`` fails with probability ``rate``, with one of
        ``faults`` ((error_code, retry_after) pairs); ``rate=0`` stops it."""
        chosen = [Fault(code, "Injected fault" if code != 429 else "Too Many Requests: retry"
                         f" after {after}", after) for code, after in faults]
        with self._cond:
            self._random = random.Random(seed)
            for method in methods:
                self._random_faults[method] = (rate, chosen)

    def cancel_delays(self, method: str) -> None:
        """Forget the delays `delay_next` queued for ``method`` and not yet used."""
        with self._cond:
            self._delays.pop(method, None)

    @staticmethod
    def _take(queues: dict[str, deque[Any]], method: str) -> Any:
        queue = queues.get(method)
        return queue.popleft() if queue else None

    # ------------------------------------------------------------------ answering

    def _handle(self, request: Request) -> Answer:
        """One HTTP request: a file download, or a Bot API call."""
        try:
            if request.verb == "GET" and request.path.startswith("/file/bot"):
                return self._download(request.path[len("/file/bot") :])
            if not request.path.startswith("/bot"):
                return json_answer(404, error_body(404, "Not Found"))
            token, _, method = request.path[len("/bot") :].partition("/")
            call = self._call(method, request)
            self._answer(token, call)
            return json_answer(call.status, call.response)
        except BadForm as problem:
            return json_answer(400, error_body(400, f"Bad Request: {problem}"))
        except Exception as exc:
            self._record_error()
            return json_answer(500, error_body(500, f"Internal Server Error: {exc!r}"))

    def _download(self, token_and_path: str) -> Answer:
        """A file, as Telegram serves it; ``fail_next("downloadFile", ...)`` and
        ``delay_next("downloadFile", ...)`` make the next downloads fail or hang."""
        with self._cond:
            delay = self._take(self._delays, "downloadFile")
            fault = self._take(self._faults, "downloadFile")
        if delay:
            self._http.stopping.wait(delay)
        if fault is not None:
            return json_answer(fault.error_code, fault.body())
        token, _, file_path = token_and_path.partition("/")
        stored = self.api.file_at(file_path) if token == self.token else None
        if stored is None:
            return json_answer(404, error_body(404, "Not Found"))
        return 200, "application/octet-stream", stored.data

    @staticmethod
    def _call(method: str, request: Request) -> Call:
        form = form_of(request)
        params = {name: decode_value(name, value) for name, value in form.text}
        params.update(form.json)
        return Call(method, params, form.files, time.time(), form.file_names, form.file_types)

    def _answer(self, token: str, call: Call) -> None:
        """Answer `call` as Telegram would, or with an injected fault or delay."""
        canonical = self.api.methods.get(call.method.lower(), (call.method, None))[0]
        known = canonical.lower() in self.api.methods
        delay = fault = None
        if token == self.token and known:
            with self._cond:
                delay = self._take(self._delays, canonical)
                fault = self._take(self._faults, canonical)
                rate, faults = self._random_faults.get(canonical, (0.0, []))
                if fault is None and rate and self._random.random() < rate:
                    fault = self._random.choice(faults)
        if delay:
            self._http.stopping.wait(delay)
        call.method = canonical
        if token != self.token:
            call.status, call.response = 401, error_body(401, "Unauthorized")
        elif fault is not None:
            call.status, call.response = fault.error_code, fault.body()
        else:
            try:
                self.api.answer(call)
            except Exception as exc:
                self._record_error()
                call.status = 500
                call.response = error_body(500, f"Internal Server Error: {exc!r}")
        with self._cond:
            self.requests.append(call)
            self._cond.notify_all()

    def _record_error(self) -> None:
        text = traceback.format_exc()
        with self._cond:
            self.errors.append(text)
        sys.stderr.write(f"FakeTelegram: exception while answering a request\n{text}")
