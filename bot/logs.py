"""Logging set-up that never lets the bot token reach a log line, or any traceback."""

import logging
import sys
import threading
import traceback
from types import TracebackType


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then replaces the token anywhere in the line or its traceback."""

    def __init__(self, token: str, fmt: str) -> None:
        super().__init__(fmt)
        self.token = token

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(self.token, "<token>")


def configure_logging(level: str, token: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs hold the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    _redact_uncaught_exceptions(token)


def _redact_uncaught_exceptions(token: str) -> None:
    """Print uncaught tracebacks (main thread and others) with the token replaced.

    Python prints them itself, past the logging formatter; a Telegram error's message or a
    local variable's URL would otherwise show the token in clear.
    """

    def print_redacted(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, trace))
        sys.stderr.write(text.replace(token, "<token>"))

    sys.excepthook = print_redacted
    threading.excepthook = lambda args: print_redacted(
        args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback
    )
