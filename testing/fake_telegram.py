"""A fake Telegram Bot API server for end-to-end tests of the bot.

The fake speaks real HTTP on ``127.0.0.1`` (a free port) the way python-telegram-bot 22
(PTB) talks to ``api.telegram.org``, so the real ``telegram.Bot`` / ``telegram.ext.Application``
can be pointed at it::

    with FakeTelegram() as tg:
        app = (
            ApplicationBuilder()
            .token(tg.token)
            .base_url(tg.base_url)            # == f"{tg.root}/bot"
            .base_file_url(tg.base_file_url)  # == f"{tg.root}/file/bot"
            .build()
        )
        ...  # start polling in-process or in a subprocess
        msg = tg.send_text("/start")
        reply = tg.replies_to(msg)
        assert "digit" in reply.params["text"]

It only uses the standard library (plus Pillow, when installed, to read image sizes) and runs
in a daemon thread with its own ``ThreadingHTTPServer``, independent of any asyncio loop. The
blocking helpers (``wait_for``, ``replies_to``) must therefore not be called directly from a
coroutine running on the bot's event loop; use ``await asyncio.to_thread(tg.replies_to, msg)``.

Public interface
----------------
``FakeTelegram(token=..., bot_id=123456789, username="digits_test_bot", *,
first_name="Digits Test Bot")``

Lifecycle:
    ``start() -> FakeTelegram`` starts the server thread (idempotent); ``stop() -> None`` stops
    it, wakes pending long polls and closes open keep-alive connections. Also a context manager.
    ``root`` (e.g. ``"http://127.0.0.1:40123"``), ``base_url`` (``root + "/bot"``),
    ``base_file_url`` (``root + "/file/bot"``), ``token``, ``bot_user`` (the getMe dict).

Incoming updates (queued for getUpdates; update ids start at 1). Each returns the queued message
dict, which carries ``message_id`` and ``chat``:
    ``send_text(text, user_id=1001, chat_id=None, language_code="en")`` - a leading ``/command``
    (or ``/command@botname``) gets a ``bot_command`` entity, as Telegram does.
    ``send_photo(sizes, user_id=1001, caption=None, chat_id=None, language_code="en",
    dimensions=None)`` - one PhotoSize per image (pass them smallest first, as Telegram orders
    them); width/height are read with Pillow (``dimensions`` overrides them, undecodable bytes
    give 0x0), file paths look like ``photos/file_N.jpg``, ``file_size == len(bytes)``.
    ``send_document(data, file_name, mime_type, user_id=1001, file_size=None, caption=None,
    chat_id=None, language_code="en")`` - ``file_size`` overrides the reported size (to simulate
    huge files; getFile then answers "file is too big" above 20 MB as Telegram does).
    ``send_sticker(user_id=1001, chat_id=None, emoji="👍", language_code="en")``,
    ``send_voice(user_id=1001, data=b"OggS...", duration=1, chat_id=None, language_code="en")``,
    ``send_message(message_fields, user_id=1001, chat_id=None, language_code="en")`` - generic:
    merges arbitrary fields (e.g. ``{"video": {...}}``) into a fresh message.
    ``send_callback_query(data, message, user_id=1001, language_code="en")`` - queues an update
    with a ``callback_query`` and returns the callback_query dict (``id``, ``from``,
    ``message``, ``chat_instance``, ``data``); ``message`` is a message the bot sent, e.g.
    ``call.result`` of a sendMessage call (its latest edited version is used when known).
    ``send_update(fields)`` - queues a raw update (``update_id`` is added) and returns it.
    ``pending_updates() -> list[dict]`` - updates not yet confirmed by an ``offset``.

What the bot did:
    ``requests: list[Call]`` - every API call, in the order the fake answered it (after any
    injected delay). ``Call`` is a dataclass with ``method`` (canonical camelCase name),
    ``params`` (form fields decoded: numbers -> int/float, true/false -> bool, JSON objects and
    arrays such as reply_markup / commands / reply_parameters -> Python objects; free-text
    fields such as ``text`` and ``caption`` always stay str), ``files`` (multipart uploads by
    field name -> bytes), ``time`` (arrival, ``time.time()``), ``file_names`` / ``file_types``
    (upload field -> file name / content type), ``status`` (HTTP status answered), ``response``
    (the JSON body answered) and the ``result`` property (``response["result"]`` or None).
    ``calls(method) -> list[Call]``, ``mark() -> int`` (index for ``since``),
    ``wait_for(method, predicate=lambda c: True, timeout=30.0, since=0) -> Call`` - returns the
    first matching call at index >= ``since`` (already received or arriving later), raising
    AssertionError listing the methods seen on timeout.
    ``replies_to(message, timeout=30.0, since=None, require_quote=True) -> Call`` - a
    sendMessage / sendPhoto / sendDocument / sendMediaGroup / sendSticker / sendVoice in the
    message's chat whose ``reply_parameters.message_id`` (or ``reply_to_message_id``) is the
    message's id, answered after the message was queued (``since=None``). Beware: PTB's
    ``message.reply_text(...)`` does NOT quote in private chats unless ``do_quote=True`` (or
    ``Defaults(do_quote=True)``); pass ``require_quote=False`` to accept any send to the chat.
    ``errors: list[str]`` - tracebacks of exceptions raised inside the fake (answered as 500).

Fault injection:
    ``fail_next(method, error_code=500, description="Internal Server Error", retry_after=None,
    times=1)`` - the next ``times`` calls of ``method`` get a Bot API error (HTTP status =
    error_code; ``parameters.retry_after`` when given, which PTB raises as RetryAfter).
    ``delay_next(method, seconds, times=1)`` - sleep before answering (simulates timeouts);
    ``"downloadFile"`` delays the next file downloads (GET ``/file/bot...``).
    ``cancel_delays(method)`` - forget the delays not yet used.
    ``fail_randomly(methods, rate, faults=((500, None),), seed=0)`` - from now on each call of
    those methods fails with probability ``rate`` with one of the (error_code, retry_after)
    ``faults``, drawn from a seeded generator (for soak tests).

Implemented methods: getMe, logOut, close, getUpdates (offset / limit / long poll capped at 1 s),
deleteWebhook (honours drop_pending_updates), setWebhook, getWebhookInfo, getFile,
setMyCommands, getMyCommands, deleteMyCommands, set/getMyDescription,
set/getMyShortDescription, set/getMyName, getChat, sendMessage, sendPhoto, sendDocument,
sendMediaGroup, sendChatAction, editMessageText, editMessageCaption, editMessageReplyMarkup,
deleteMessage, answerCallbackQuery. Method names are matched case-insensitively as Telegram does.
While a webhook is set (setWebhook), pending updates are POSTed to its URL one at a time
with the ``X-Telegram-Bot-Api-Secret-Token`` header, each until the server answers 200, as
Telegram does; ``webhook_deliveries`` lists (update_id, HTTP status or error) per attempt.
Files are served by GET ``/file/bot<token>/<file_path>``. A wrong token answers 401
"Unauthorized" and an unknown method 404 "Not Found: method not found" (PTB raises
InvalidToken for both). Like the real API, the fake rejects empty or over-long texts (4096) and
captions (1024), replies to unknown messages and edits of unknown messages with 400.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import random
import re
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.message import Message as _MimeHeaders
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

try:  # Pillow is a dependency of the bot; the fake still works without it (sizes become 0).
    from PIL import Image
except ImportError:  # pragma: no cover
    Image = None  # type: ignore[assignment]

DEFAULT_TOKEN = "123456789:fake-token-for-tests"

#: getUpdates never blocks longer than this, whatever ``timeout`` the bot asks for.
LONG_POLL_CAP = 1.0
#: Bot API limits reproduced by the fake.
MAX_DOWNLOAD_SIZE = 20 * 1024 * 1024
MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Form fields that are free text or file references: never decoded, even if they look like
# numbers or JSON (a user may well send the text "42" or "[1]").
_RAW_STRING_PARAMS = frozenset(
    {
        "action", "address", "animation", "audio", "business_connection_id",
        "callback_query_id", "caption", "custom_emoji_id", "data", "description", "document",
        "emoji", "file_id", "first_name", "inline_message_id", "language_code", "last_name",
        "message_effect_id", "name", "next_offset", "parse_mode", "phone_number", "photo",
        "query", "question", "secret_token", "short_description", "sticker", "text",
        "thumbnail", "title", "url", "video", "video_note", "voice",
    }
)  # fmt: skip
_INT_RE = re.compile(r"-?\d+")
_FLOAT_RE = re.compile(r"-?\d+\.\d*(?:[eE][-+]?\d+)?")
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![A-Za-z0-9_@])")
_REPLY_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "sendSticker", "sendVoice"}
)


@dataclass
class Call:
    """One Bot API call received by the fake."""

    method: str
    params: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)
    time: float = 0.0
    file_names: dict[str, str] = field(default_factory=dict)
    file_types: dict[str, str] = field(default_factory=dict)
    status: int = 0
    response: Any = None

    @property
    def result(self) -> Any:
        """The ``result`` the fake answered with (None for errors)."""
        if isinstance(self.response, dict):
            return self.response.get("result")
        return None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes
    file_size: int

    def as_file(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


_FaultSpec = tuple[int, "int | None"]  # (error_code, retry_after)


@dataclass
class _Fault:
    error_code: int
    description: str
    retry_after: int | None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


class _ApiError(Exception):
    """Raised by method implementations to answer with a Bot API error."""

    def __init__(self, description: str, error_code: int = 400) -> None:
        super().__init__(description)
        self.error_code = error_code
        self.description = description


def _error_body(error_code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": error_code, "description": description}


def _decode_value(name: str, raw: str) -> Any:
    """Undo PTB's form encoding: every non-str parameter is sent as its JSON dump."""
    if name in _RAW_STRING_PARAMS:
        return raw
    if raw in ("true", "false"):
        return raw == "true"
    if _INT_RE.fullmatch(raw):
        return int(raw)
    if _FLOAT_RE.fullmatch(raw):
        return float(raw)
    if raw.startswith(("{", "[")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _decode_form(pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    return {name: _decode_value(name, value) for name, value in pairs}


def _parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, Any], dict[str, bytes], dict[str, str], dict[str, str]]:
    """Split a multipart/form-data body into (decoded params, files, file names, file types).

    The parts are split on the boundary by hand so that binary payloads come back byte for
    byte; each part's headers are parsed with the email package.
    """
    content_headers = _MimeHeaders()
    content_headers["Content-Type"] = content_type
    boundary = content_headers.get_boundary()
    if not boundary:
        raise _ApiError("Bad Request: multipart body without boundary")
    params: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    file_names: dict[str, str] = {}
    file_types: dict[str, str] = {}
    delimiter = b"\r\n--" + boundary.encode("latin-1")
    for section in (b"\r\n" + body).split(delimiter)[1:]:
        if section.startswith(b"--"):  # the closing delimiter
            break
        # The section starts with the rest of the boundary line (transport padding + CRLF).
        _, _, section = section.partition(b"\r\n")
        if section.startswith(b"\r\n"):
            header_block, content = b"", section[2:]
        else:
            header_block, _, content = section.partition(b"\r\n\r\n")
        headers = HeaderParser().parsestr(header_block.decode("utf-8", "replace"))
        name = headers.get_param("name", header="content-disposition")
        if name is None:
            continue
        name = collapse_rfc2231_value(name)
        file_name = headers.get_filename()
        if file_name is not None:
            files[name] = content
            file_names[name] = file_name
            file_types[name] = headers.get_content_type()
        else:
            params[name] = _decode_value(name, content.decode("utf-8", "replace"))
    return params, files, file_names, file_types


def _image_size(data: bytes) -> tuple[int, int]:
    if Image is None:
        return 0, 0
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except Exception:
        return 0, 0


def _summarize(methods: list[str]) -> str:
    """'getMe, getUpdates x12, sendMessage' - consecutive repeats collapsed."""
    parts = []
    for method, group in itertools.groupby(methods):
        count = len(list(group))
        parts.append(method if count == 1 else f"{method} x{count}")
    return ", ".join(parts) or "(none)"


def _chat_key(value: Any) -> int | str:
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if _INT_RE.fullmatch(text) else text


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    fake: FakeTelegram

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or self.fake.stopping:
            return  # a client hung up or we are shutting down: nothing worth reporting
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: with Nagle's algorithm the body would wait
        # for the client's delayed ACK, 40 ms on Linux, on every answer. Real servers send
        # at once, and so must the fake, or it would time itself instead of the bot.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._track_connection(self.connection, add=True)

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):  # flushing to a client that already left
                super().finish()
        finally:
            self.server.fake._track_connection(self.connection, add=False)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        fake = self.server.fake
        try:
            body = self._read_body()
            status, content_type, payload = fake._handle_http(verb, self.path, self.headers, body)
        except Exception as exc:
            fake._record_error()
            status, content_type = 500, "application/json"
            payload = json.dumps(_error_body(500, f"Internal Server Error: {exc!r}")).encode()
        if fake.stopping:
            self.close_connection = True
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:  # the client went away (e.g. a cancelled long poll)
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request access log."""

    def log_error(self, format: str, *args: Any) -> None:
        if not self.server.fake.stopping:
            sys.stderr.write(f"FakeTelegram: {format % args}\n")


class FakeTelegram:
    """A fake Telegram Bot API server; see the module docstring for the interface."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int = 123456789,
        username: str = "digits_test_bot",
        *,
        first_name: str = "Digits Test Bot",
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name
        self.requests: list[Call] = []
        self.errors: list[str] = []

        self._cond = threading.Condition()  # guards all state below
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._message_ids = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._media_group_ids = itertools.count(1)
        self._files: dict[str, _StoredFile] = {}
        self._files_by_path: dict[str, _StoredFile] = {}
        self._photo_sizes: dict[str, list[dict[str, Any]]] = {}  # file_id -> all sizes
        self._documents: dict[str, dict[str, Any]] = {}  # file_id -> Document
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._chats: dict[int | str, dict[str, Any]] = {}
        self._queued_at: dict[tuple[int | str, int], int] = {}  # message -> len(requests)
        self._commands: dict[tuple[str, str], list[Any]] = {}
        self._texts: dict[tuple[str, str], str] = {}  # (kind, language) -> description/name
        self._webhook_url = ""
        self._webhook_secret = ""
        self._webhook_thread: threading.Thread | None = None
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._delays: dict[str, deque[float]] = {}
        self._random_faults: dict[str, tuple[float, list[_Fault]]] = {}
        self._random = random.Random(0)

        self._methods: dict[str, tuple[str, Callable[[Call], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": lambda _call: self.bot_user,
                "logOut": lambda _call: True,
                "close": lambda _call: True,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getFile": self._get_file,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "setMyDescription": lambda call: self._set_text(call, "description"),
                "getMyDescription": lambda call: self._get_text(call, "description"),
                "setMyShortDescription": lambda call: self._set_text(call, "short_description"),
                "getMyShortDescription": lambda call: self._get_text(call, "short_description"),
                "setMyName": lambda call: self._set_text(call, "name"),
                "getMyName": lambda call: self._get_text(call, "name"),
                "getChat": self._get_chat,
                "sendMessage": self._send_message,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "sendMediaGroup": self._send_media_group,
                "sendChatAction": self._send_chat_action,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": lambda _call: True,
            }.items()
        }

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        """Start serving in a daemon thread (no-op when already running)."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"FakeTelegram:{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server, wake long polls and close kept-alive connections."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        with self._cond:
            self._cond.notify_all()
            connections = list(self._connections)
        server.shutdown()
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._webhook_thread is not None:
            self._webhook_thread.join(timeout=15)
            self._webhook_thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_url(self) -> str:
        return f"{self.root}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _track_connection(self, connection: socket.socket, *, add: bool) -> None:
        with self._cond:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def _record_error(self) -> None:
        text = traceback.format_exc()
        with self._cond:
            self.errors.append(text)
        sys.stderr.write(f"FakeTelegram: exception while answering a request\n{text}")

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
        command = _COMMAND_RE.match(text)
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
            photo = self._store_photo(sizes, dimensions)
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
            document = self._store_document(data, file_name, mime_type, file_size)
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
            stored = self._store_file("stickers", b"RIFF\x00\x00\x00\x00WEBP", ".webp")
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
            stored = self._store_file("voice", data, ".oga")
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
        with self._cond:
            key = (_chat_key(message["chat"]["id"]), message["message_id"])
            current = self._messages.get(key, message)
            query = {
                "id": f"cbq-{next(self._callback_ids)}",
                "from": self._user(user_id, language_code),
                "message": json.loads(json.dumps(current)),
                "chat_instance": f"instance-{key[0]}",
                "data": data,
            }
            self._queue_update({"callback_query": query})
        return query

    def send_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (e.g. ``{"edited_message": {...}}``); returns it with update_id."""
        with self._cond:
            return self._queue_update(dict(fields))

    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates the bot has not confirmed yet (via getUpdates ``offset``)."""
        with self._cond:
            return list(self._updates)

    def _user(self, user_id: int, language_code: str | None) -> dict[str, Any]:
        user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
        if language_code is not None:
            user["language_code"] = language_code
        return user

    def _chat(self, chat_id: int | str) -> dict[str, Any]:
        if chat_id in self._chats:
            return dict(self._chats[chat_id])
        if isinstance(chat_id, str):  # "@channelusername"
            return {"id": -1000000000001, "type": "channel", "username": chat_id.lstrip("@")}
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Group{-chat_id}"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _queue_message(
        self,
        fields: dict[str, Any],
        user_id: int,
        chat_id: int | None,
        language_code: str | None,
    ) -> dict[str, Any]:
        with self._cond:
            chat_key = user_id if chat_id is None else chat_id
            chat = self._chat(chat_key)
            self._chats.setdefault(chat_key, chat)
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": chat,
                "from": self._user(user_id, language_code),
            }
            message.update(fields)
            self._messages[(chat_key, message["message_id"])] = message
            self._queued_at[(chat_key, message["message_id"])] = len(self.requests)
            self._queue_update({"message": message})
            return message

    def _queue_update(self, fields: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": self._next_update_id, **fields}
        self._next_update_id += 1
        self._updates.append(update)
        self._cond.notify_all()
        return update

    # ------------------------------------------------------------------ files

    def _store_file(
        self, folder: str, data: bytes, extension: str, file_size: int | None = None
    ) -> _StoredFile:
        number = next(self._file_numbers)
        stored = _StoredFile(
            file_id=f"fake-{folder}-{number}",
            file_unique_id=f"uniq{number}",
            file_path=f"{folder}/file_{number}{extension}",
            data=data,
            file_size=len(data) if file_size is None else file_size,
        )
        self._files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _store_photo(
        self, sizes: list[bytes], dimensions: list[tuple[int, int]] | None = None
    ) -> list[dict[str, Any]]:
        photo = []
        for index, data in enumerate(sizes):
            stored = self._store_file("photos", data, ".jpg")
            width, height = dimensions[index] if dimensions else _image_size(data)
            photo.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": stored.file_size,
                }
            )
        for size in photo:
            self._photo_sizes[size["file_id"]] = photo
        return photo

    def _store_document(
        self, data: bytes, file_name: str, mime_type: str, file_size: int | None = None
    ) -> dict[str, Any]:
        extension = os.path.splitext(os.path.basename(file_name))[1]
        stored = self._store_file("documents", data, extension, file_size)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": stored.file_size,
        }
        self._documents[stored.file_id] = document
        return dict(document)

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
        chat_id = _chat_key(message["chat"]["id"])
        message_id = message["message_id"]
        if since is None:
            with self._cond:
                since = self._queued_at.get((chat_id, message_id), 0)

        def is_reply(call: Call) -> bool:
            if call.method not in _REPLY_METHODS or call.params.get("chat_id") is None:
                return False
            if _chat_key(call.params["chat_id"]) != chat_id:
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
        fault = _Fault(error_code, description, retry_after)
        with self._cond:
            self._faults.setdefault(method, deque()).extend([fault] * times)

    def delay_next(self, method: str, seconds: float, times: int = 1) -> None:
        """Wait ``seconds`` before answering the next ``times`` calls of ``method``."""
        with self._cond:
            self._delays.setdefault(method, deque()).extend([seconds] * times)

    def fail_randomly(
        self, methods: Iterable[str], rate: float, faults: Iterable[_FaultSpec] = ((500, None),),
        seed: int = 0,
    ) -> None:
        """From now on, each call of ``methods`` fails with probability ``rate``, with one of
        ``faults`` ((error_code, retry_after) pairs); ``rate=0`` stops it."""
        chosen = [_Fault(code, "Injected fault" if code != 429 else "Too Many Requests: retry"
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

    # ------------------------------------------------------------------ HTTP plumbing

    def _handle_http(
        self, verb: str, raw_path: str, headers: _MimeHeaders, body: bytes
    ) -> tuple[int, str, bytes]:
        """Route one HTTP request; returns (status, content type, body)."""
        split = urllib.parse.urlsplit(raw_path)
        path = urllib.parse.unquote(split.path)
        if verb == "GET" and path.startswith("/file/bot"):
            with self._cond:
                delay = self._take(self._delays, "downloadFile")
            if delay:
                self._stopping.wait(delay)
            token, _, file_path = path[len("/file/bot") :].partition("/")
            with self._cond:
                stored = self._files_by_path.get(file_path) if token == self.token else None
            if stored is None:
                return self._json(404, _error_body(404, "Not Found"))
            return 200, "application/octet-stream", stored.data
        if not path.startswith("/bot"):
            return self._json(404, _error_body(404, "Not Found"))

        token, _, method = path[len("/bot") :].partition("/")
        params = _decode_form(urllib.parse.parse_qsl(split.query, keep_blank_values=True))
        files: dict[str, bytes] = {}
        file_names: dict[str, str] = {}
        file_types: dict[str, str] = {}
        content_type = headers.get("Content-Type", "")
        mime = content_type.split(";")[0].strip().lower()
        if mime == "multipart/form-data":
            form, files, file_names, file_types = _parse_multipart(body, content_type)
            params.update(form)
        elif mime == "application/json" and body.strip():
            params.update(json.loads(body))
        elif body:
            pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            params.update(_decode_form(pairs))
        call = Call(method, params, files, time.time(), file_names, file_types)
        status, response = self._api_call(token, call)
        return self._json(status, response)

    @staticmethod
    def _json(status: int, body: Any) -> tuple[int, str, bytes]:
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return status, "application/json", payload

    def _api_call(self, token: str, call: Call) -> tuple[int, Any]:
        canonical, handler = self._methods.get(call.method.lower(), (call.method, None))
        call.method = canonical
        delay = fault = None
        if token == self.token and handler is not None:
            with self._cond:
                delay = self._take(self._delays, canonical)
                fault = self._take(self._faults, canonical)
                rate, faults = self._random_faults.get(canonical, (0.0, []))
                if fault is None and rate and self._random.random() < rate:
                    fault = self._random.choice(faults)
        if delay:
            self._stopping.wait(delay)

        if token != self.token:
            call.status, call.response = 401, _error_body(401, "Unauthorized")
        elif handler is None:
            call.status, call.response = 404, _error_body(404, "Not Found: method not found")
        elif fault is not None:
            call.status, call.response = fault.error_code, fault.body()
        else:
            try:
                with self._cond:  # one call at a time mutates the state (getUpdates waits)
                    result = handler(call)
                call.status, call.response = 200, {"ok": True, "result": result}
            except _ApiError as error:
                call.status = error.error_code
                call.response = _error_body(error.error_code, error.description)
            except Exception as exc:
                self._record_error()
                call.status = 500
                call.response = _error_body(500, f"Internal Server Error: {exc!r}")
        with self._cond:
            self.requests.append(call)
            self._cond.notify_all()
        return call.status, call.response

    # ------------------------------------------------------------------ Bot API methods
    # Each runs with self._cond held and returns the ``result`` (or raises _ApiError).

    def _get_updates(self, call: Call) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        limit = min(max(int(call.params.get("limit") or 100), 1), 100)
        timeout = float(call.params.get("timeout") or 0)
        self._confirm(offset)
        deadline = time.monotonic() + min(max(timeout, 0.0), LONG_POLL_CAP)
        while not self._updates and not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            self._cond.wait(remaining)
        return json.loads(json.dumps(self._updates[:limit]))  # a snapshot, not live dicts

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _delete_webhook(self, call: Call) -> bool:
        self._webhook_url = ""
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, call: Call) -> bool:
        self._webhook_url = str(call.params.get("url", ""))
        self._webhook_secret = str(call.params.get("secret_token", ""))
        if call.params.get("drop_pending_updates"):
            self._updates.clear()
        if self._webhook_url and self._webhook_thread is None:
            self._webhook_thread = threading.Thread(
                target=self._deliver_to_webhook, name="FakeTelegram:webhook", daemon=True
            )
            self._webhook_thread.start()
        self._cond.notify_all()
        return True

    def _deliver_to_webhook(self) -> None:
        """POST each pending update to the webhook until it is taken (HTTP 200)."""
        while not self._stopping.is_set():
            with self._cond:
                while not (self._webhook_url and self._updates) and not self._stopping.is_set():
                    self._cond.wait(0.5)
                if self._stopping.is_set():
                    return
                update, url, secret = self._updates[0], self._webhook_url, self._webhook_secret
            request = urllib.request.Request(
                url, data=json.dumps(update).encode(), method="POST",
                headers={"Content-Type": "application/json",
                         "X-Telegram-Bot-Api-Secret-Token": secret},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    outcome: int | str = response.status
            except urllib.error.HTTPError as error:
                outcome = error.code
            except OSError as error:  # refused, reset, timed out: the bot is not up (yet)
                outcome = type(error).__name__
            with self._cond:
                self.webhook_deliveries.append((update["update_id"], outcome))
                if outcome == 200:
                    self._updates = [u for u in self._updates if u is not update]
            if outcome != 200:
                self._stopping.wait(0.2)  # Telegram waits longer; tests should not

    def _get_webhook_info(self, _call: Call) -> dict[str, Any]:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    def _get_file(self, call: Call) -> dict[str, Any]:
        stored = self._files.get(str(call.params.get("file_id", "")))
        if stored is None:
            raise _ApiError("Bad Request: invalid file_id")
        if stored.file_size > MAX_DOWNLOAD_SIZE:
            raise _ApiError("Bad Request: file is too big")
        return stored.as_file()

    @staticmethod
    def _commands_key(call: Call) -> tuple[str, str]:
        scope = call.params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(call.params.get("language_code", ""))

    def _set_my_commands(self, call: Call) -> bool:
        commands = call.params.get("commands")
        if not isinstance(commands, list):
            raise _ApiError('Bad Request: parameter "commands" is required')
        self._commands[self._commands_key(call)] = commands
        return True

    def _get_my_commands(self, call: Call) -> list[Any]:
        return list(self._commands.get(self._commands_key(call), []))

    def _delete_my_commands(self, call: Call) -> bool:
        self._commands.pop(self._commands_key(call), None)
        return True

    def _set_text(self, call: Call, kind: str) -> bool:
        self._texts[(kind, str(call.params.get("language_code", "")))] = str(
            call.params.get(kind, "")
        )
        return True

    def _get_text(self, call: Call, kind: str) -> dict[str, str]:
        language = str(call.params.get("language_code", ""))
        default = self.first_name if kind == "name" else ""
        text = self._texts.get((kind, language), self._texts.get((kind, ""), default))
        return {kind: text}

    def _get_chat(self, call: Call) -> dict[str, Any]:
        chat = self._chat(self._require_chat(call))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        return chat

    def _require_chat(self, call: Call) -> int | str:
        chat_id = call.params.get("chat_id")
        if chat_id in (None, ""):
            raise _ApiError("Bad Request: chat_id is empty")
        return _chat_key(chat_id)

    def _send_chat_action(self, call: Call) -> bool:
        self._require_chat(call)
        if not call.params.get("action"):
            raise _ApiError("Bad Request: wrong parameter action in request")
        return True

    def _bot_message(self, call: Call, fields: dict[str, Any]) -> dict[str, Any]:
        """Build and remember a message sent by the bot for ``call``."""
        chat_id = self._require_chat(call)
        reply_to = self._reply_target(call, chat_id)  # may refuse the call: check it first
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self.bot_user,
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        message.update(fields)
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards show up in messages
        self._messages[(chat_id, message["message_id"])] = message
        return json.loads(json.dumps(message))

    def _reply_target(self, call: Call, chat_id: int | str) -> dict[str, Any] | None:
        reply = call.params.get("reply_parameters")
        if reply is None and call.params.get("reply_to_message_id") is not None:
            reply = {"message_id": call.params["reply_to_message_id"]}
        if reply is None:
            return None
        target_chat = _chat_key(reply.get("chat_id", chat_id))
        target = self._messages.get((target_chat, reply.get("message_id")))
        if target is None:
            if reply.get("allow_sending_without_reply") or call.params.get(
                "allow_sending_without_reply"
            ):
                return None
            raise _ApiError("Bad Request: message to be replied not found")
        return {key: value for key, value in target.items() if key != "reply_to_message"}

    @staticmethod
    def _check_caption(call: Call) -> dict[str, Any]:
        caption = call.params.get("caption")
        if caption is None:
            return {}
        if len(caption) > MAX_CAPTION_LENGTH:
            raise _ApiError("Bad Request: message caption is too long")
        return {"caption": caption}

    def _send_message(self, call: Call) -> dict[str, Any]:
        text = call.params.get("text")
        if text is None or not str(text).strip():
            raise _ApiError("Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise _ApiError("Bad Request: message is too long")
        return self._bot_message(call, {"text": str(text)})

    def _photo_from(self, upload: bytes | None, reference: Any) -> list[dict[str, Any]]:
        if upload is not None:
            return self._store_photo([upload])
        reference = str(reference or "")
        if reference in self._photo_sizes:
            return self._photo_sizes[reference]
        if reference.startswith(("http://", "https://")):
            number = next(self._file_numbers)
            size = {"file_id": f"fake-url-{number}", "file_unique_id": f"uniq{number}"}
            return [{**size, "width": 0, "height": 0}]
        raise _ApiError("Bad Request: wrong file identifier/HTTP URL specified")

    def _document_from(self, call: Call, field_name: str | None, reference: Any) -> dict[str, Any]:
        if field_name is not None and field_name in call.files:
            name = call.file_names.get(field_name) or "file"
            mime = call.file_types.get(field_name) or "application/octet-stream"
            return self._store_document(call.files[field_name], name, mime)
        stored = self._files.get(str(reference or ""))
        if stored is None:
            raise _ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        known = self._documents.get(stored.file_id)
        if known is not None:
            return dict(known)
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.file_size,
        }

    def _send_photo(self, call: Call) -> dict[str, Any]:
        self._require_chat(call)
        photo = self._photo_from(call.files.get("photo"), call.params.get("photo"))
        return self._bot_message(call, {"photo": photo, **self._check_caption(call)})

    def _send_document(self, call: Call) -> dict[str, Any]:
        self._require_chat(call)
        document = self._document_from(call, "document", call.params.get("document"))
        return self._bot_message(call, {"document": document, **self._check_caption(call)})

    def _send_media_group(self, call: Call) -> list[dict[str, Any]]:
        self._require_chat(call)
        media = call.params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise _ApiError("Bad Request: wrong number of media specified")
        group_id = f"group{next(self._media_group_ids)}"
        messages = []
        for item in media:
            reference = str(item.get("media", ""))
            upload = name = None
            if reference.startswith("attach://"):
                name = reference[len("attach://") :]
                if name not in call.files:
                    raise _ApiError("Bad Request: wrong file identifier/HTTP URL specified")
                upload = call.files[name]
            fields: dict[str, Any] = {"media_group_id": group_id}
            if item.get("type") == "photo":
                fields["photo"] = self._photo_from(upload, reference)
            elif item.get("type") == "document":
                fields["document"] = self._document_from(call, name, reference)
            else:
                raise _ApiError(f"Bad Request: media type {item.get('type')!r} not supported")
            if item.get("caption") is not None:
                fields["caption"] = str(item["caption"])
            messages.append(self._bot_message(call, fields))
        return messages

    def _stored_message(self, call: Call) -> dict[str, Any] | None:
        """The message an edit* call targets, or None for inline messages."""
        if call.params.get("inline_message_id"):
            return None
        chat_id = self._require_chat(call)
        message = self._messages.get((chat_id, call.params.get("message_id")))
        if message is None:
            raise _ApiError("Bad Request: message to edit not found")
        return message

    def _apply_edit(self, call: Call, message: dict[str, Any] | None, **fields: Any) -> Any:
        if message is None:
            return True
        message.update(fields)
        message["edit_date"] = int(time.time())
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return json.loads(json.dumps(message))

    def _edit_message_text(self, call: Call) -> Any:
        text = call.params.get("text")
        if text is None or not str(text).strip():
            raise _ApiError("Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            raise _ApiError("Bad Request: message is too long")
        return self._apply_edit(call, self._stored_message(call), text=str(text))

    def _edit_message_caption(self, call: Call) -> Any:
        return self._apply_edit(call, self._stored_message(call), **self._check_caption(call))

    def _edit_message_reply_markup(self, call: Call) -> Any:
        return self._apply_edit(call, self._stored_message(call))

    def _delete_message(self, call: Call) -> bool:
        chat_id = self._require_chat(call)
        if self._messages.pop((chat_id, call.params.get("message_id")), None) is None:
            raise _ApiError("Bad Request: message to delete not found")
        return True
