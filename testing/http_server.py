"""The HTTP plumbing under the fake Bot API server: a threaded HTTP/1.1 server on
127.0.0.1, and the request bodies python-telegram-bot sends, taken apart.

It knows nothing of Telegram: `HttpServer` hands each request to a function and writes
back what it returns. It keeps connections alive as httpx expects, answers in one write
(no Nagle delay), and on `stop` wakes whatever is waiting and closes kept-alive
connections.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message as MimeHeaders
from email.parser import HeaderParser
from email.utils import collapse_rfc2231_value
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    verb: str  # GET or POST
    path: str  # unquoted, without the query
    query: str
    headers: MimeHeaders
    body: bytes


@dataclass
class Form:
    """A request's parameters: `text` as sent in a query, a urlencoded or a multipart
    body (strings, for the caller to decode), `json` from a JSON body, and the files."""

    text: list[tuple[str, str]] = field(default_factory=list)
    json: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    file_names: dict[str, str] = field(default_factory=dict)
    file_types: dict[str, str] = field(default_factory=dict)


Answer = tuple[int, str, bytes]  # HTTP status, content type, body


class BadForm(ValueError):
    """A body that cannot be taken apart."""


def json_answer(status: int, body: Any) -> Answer:
    return status, "application/json", json.dumps(body, ensure_ascii=False).encode("utf-8")


def form_of(request: Request) -> Form:
    """The parameters of a request, whichever of the encodings PTB uses it came in."""
    form = Form(text=urllib.parse.parse_qsl(request.query, keep_blank_values=True))
    content_type = request.headers.get("Content-Type", "")
    mime = content_type.split(";")[0].strip().lower()
    if mime == "multipart/form-data":
        _add_multipart(form, request.body, content_type)
    elif mime == "application/json" and request.body.strip():
        form.json = json.loads(request.body)
    elif request.body:
        form.text += urllib.parse.parse_qsl(request.body.decode("utf-8"), keep_blank_values=True)
    return form


def _add_multipart(form: Form, body: bytes, content_type: str) -> None:
    """Split a multipart/form-data body into `form`'s text fields and files.

    The parts are split on the boundary by hand so that binary payloads come back byte for
    byte; each part's headers are parsed with the email package.
    """
    content_headers = MimeHeaders()
    content_headers["Content-Type"] = content_type
    boundary = content_headers.get_boundary()
    if not boundary:
        raise BadForm("multipart body without boundary")
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
            form.files[name] = content
            form.file_names[name] = file_name
            form.file_types[name] = headers.get_content_type()
        else:
            form.text.append((name, content.decode("utf-8", "replace")))


class HttpServer:
    """Serves `handle(request) -> (status, content type, body)` on a free local port."""

    def __init__(self, handle: Callable[[Request], Answer], name: str = "HttpServer") -> None:
        self.handle = handle
        self.name = name
        self.stopping = threading.Event()  # set by stop(): anything waiting should give up
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError(f"{self.name} is not running; call start() first")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Start serving in a daemon thread (no-op when already running)."""
        if self._server is not None:
            return
        self.stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.owner = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1},
            name=f"{self.name}:{server.server_address[1]}", daemon=True,
        )
        self._thread.start()

    def stop(self, wake: Callable[[], None] = lambda: None) -> None:
        """Stop serving; `wake` is called first, to wake what waits (long polls)."""
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        wake()
        with self._lock:
            connections = list(self._connections)
        server.shutdown()
        for connection in connections:
            with contextlib.suppress(OSError):  # already closed by the client
                connection.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _track(self, connection: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: HttpServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or self.owner.stopping.is_set():
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
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            with contextlib.suppress(OSError):  # flushing to a client that already left
                super().finish()
        finally:
            self.server.owner._track(self.connection, add=False)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        owner = self.server.owner
        split = urllib.parse.urlsplit(self.path)
        request = Request(verb, urllib.parse.unquote(split.path), split.query, self.headers,
                          self._read_body())
        status, content_type, payload = owner.handle(request)
        if owner.stopping.is_set():
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
        if not self.server.owner.stopping.is_set():
            sys.stderr.write(f"{self.server.owner.name}: {format % args}\n")
