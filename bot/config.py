"""The bot's settings, read once from the environment and `.env`, checked before start-up.

Every problem stops start-up with one line naming the variable and what to do.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv

from model.reading.checkpoint import DEFAULT_SERVED_MODEL

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_HEARTBEAT_FILE = Path("/tmp/digit-bot.heartbeat")
DEFAULT_DATA_DIR = Path("data")
DEFAULT_PHOTOS_PER_MINUTE = 20
DEFAULT_WEBHOOK_LISTEN = "0.0.0.0:8080"
DEFAULT_REPLY_DEADLINE = 180.0  # seconds: long enough for any 429 Telegram asks to wait out
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{16,256}$")  # Telegram allows 1-256 of these


class ConfigError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


@dataclass(frozen=True)
class Webhook:
    url: str  # the public HTTPS address Telegram posts updates to
    host: str  # where this process listens, behind the reverse proxy
    port: int
    secret: str  # Telegram sends it with every update; requests without it are refused

    def __repr__(self) -> str:
        return f"Webhook(url={self.url!r}, host={self.host!r}, port={self.port})"


@dataclass(frozen=True)
class Settings:
    token: str
    admin_ids: frozenset[int]
    base_url: str | None  # root of the Bot API server, e.g. http://localhost:8081
    mnist_path: Path | None
    checkpoint: Path
    log_level: str
    heartbeat_file: Path
    data_dir: Path  # what must survive a restart: the journal of updates
    allowed_user_ids: frozenset[int]  # empty: everyone may use the bot
    photos_per_minute: int  # per user; photos and every other message count
    feedback: bool = True  # the "Wrong?" button under each answer (FEEDBACK=off hides it)
    reply_deadline: float = DEFAULT_REPLY_DEADLINE  # seconds an answer is retried; then later
    webhook: Webhook | None = None  # None: long polling
    metrics: tuple[str, int] | None = None  # (host, port) serving /metrics; None: none
    redis_url: str | None = None  # state replicas share (bot/shared_state.py); None: DATA_DIR

    @property
    def bot_id(self) -> int:
        """The bot's own id: the number the token starts with (not a secret)."""
        return int(self.token.split(":")[0])

    def __repr__(self) -> str:  # keep the token out of any log of the settings
        return f"Settings(admin_ids={sorted(self.admin_ids)}, base_url={self.base_url!r}, ...)"


def _get(env: Mapping[str, str], name: str) -> str:
    # `docker run --env-file` keeps quotes literally, Compose strips them: accept both.
    return env.get(name, "").strip().strip("'\"").strip()


def _token(env: Mapping[str, str]) -> str:
    token = _get(env, "TELEGRAM_BOT_TOKEN")
    if not token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN is not set: put the token @BotFather gave you after"
            " TELEGRAM_BOT_TOKEN= in .env (copy .env.example to .env if there is none)"
        )
    if not TOKEN_PATTERN.match(token):
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then"
            " letters, e.g. 123456789:AAH...): copy it again from @BotFather"
        )
    return token


def _user_ids(env: Mapping[str, str], name: str) -> frozenset[int]:
    raw = _get(env, name)
    ids = [part.strip() for part in raw.split(",") if part.strip()]
    bad = [part for part in ids if not part.isdigit()]
    if bad:
        raise ConfigError(
            f"{name} must be numeric Telegram user ids separated by commas, not {bad[0]!r}"
            " (ask @userinfobot for yours)"
        )
    return frozenset(int(part) for part in ids)


def _data_dir(env: Mapping[str, str]) -> Path:
    path = Path(_get(env, "DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(f"DATA_DIR {path} cannot be created ({error.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"DATA_DIR {path} is not writable by this user: the bot keeps its"
                          " journal of updates there")
    return path


def _photos_per_minute(env: Mapping[str, str]) -> int:
    raw = _get(env, "PHOTOS_PER_MINUTE") or str(DEFAULT_PHOTOS_PER_MINUTE)
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"PHOTOS_PER_MINUTE must be a whole number of at least 1, not {raw!r}")
    return int(raw)


def _reply_deadline(env: Mapping[str, str]) -> float:
    raw = _get(env, "REPLY_DEADLINE_SECONDS") or str(DEFAULT_REPLY_DEADLINE)
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 1 <= seconds <= 3600:
        raise ConfigError(f"REPLY_DEADLINE_SECONDS must be a number of seconds from 1 to 3600,"
                          f" not {raw!r}")
    return seconds


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = _get(env, name).lower()
    if not raw:
        return default
    if raw in ("on", "true", "yes", "1"):
        return True
    if raw in ("off", "false", "no", "0"):
        return False
    raise ConfigError(f"{name} must be on or off, not {raw!r}")


def _base_url(env: Mapping[str, str]) -> str | None:
    # python-telegram-bot's own `base_url` ends in /bot: take that form as the same root.
    url = _get(env, "TELEGRAM_BASE_URL").rstrip("/").removesuffix("/bot")
    if not url:
        return None
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(
            f"TELEGRAM_BASE_URL must be the root URL of a Bot API server such as"
            f" http://localhost:8081, not {url!r}"
        )
    return url


def _listen(env: Mapping[str, str], name: str, default: str | None,
            example: str | None = None) -> tuple[str, int] | None:
    """A host:port setting, such as WEBHOOK_LISTEN; None if unset and without a default."""
    listen = _get(env, name) or default
    if listen is None:
        return None
    host, _, port = listen.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"{name} must be host:port, such as {example or default},"
                          f" not {listen!r}")
    return host, int(port)


def _redis_url(env: Mapping[str, str]) -> str | None:
    url = _get(env, "REDIS_URL")
    if not url:
        return None
    if not re.match(r"^(redis|rediss)://[^\s]*$", url):
        raise ConfigError("REDIS_URL must be a Redis URL such as redis://redis:6379/0"
                          " (rediss:// for TLS)")
    return url


def _webhook(env: Mapping[str, str]) -> Webhook | None:
    url = _get(env, "WEBHOOK_URL")
    if not url:
        return None
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigError(f"WEBHOOK_URL must be the public URL Telegram posts updates to,"
                          f" such as https://bot.example.com/telegram, not {url!r}")
    secret = _get(env, "WEBHOOK_SECRET")
    if not SECRET_PATTERN.match(secret):
        raise ConfigError(
            "WEBHOOK_SECRET must be set with WEBHOOK_URL: 16 to 256 letters, digits, _ or -"
            " (for example: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    host, port = _listen(env, "WEBHOOK_LISTEN", DEFAULT_WEBHOOK_LISTEN)
    return Webhook(url=url, host=host, port=port, secret=secret)


def _existing_file(env: Mapping[str, str], name: str, default: Path | None) -> Path | None:
    raw = _get(env, name)
    path = Path(raw).expanduser() if raw else default
    if path is not None and not path.is_file():
        raise ConfigError(f"{name} points to {path}, which is not a file")
    return path


def _log_level(env: Mapping[str, str]) -> str:
    level = _get(env, "LOG_LEVEL").upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {level!r}")
    return level


def heartbeat_file_setting(env: Mapping[str, str] | None = None) -> Path:
    """HEARTBEAT_FILE, read the same way by the bot and by its health check."""
    if env is None:
        load_dotenv(Path.cwd() / ".env")
        env = os.environ
    return Path(_get(env, "HEARTBEAT_FILE") or DEFAULT_HEARTBEAT_FILE)


def load_settings(env: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Settings from `env` (default: `.env` loaded into the process environment)."""
    if env is None:
        load_dotenv(dotenv or Path.cwd() / ".env")  # real environment variables win
        env = os.environ
    return Settings(
        token=_token(env),
        admin_ids=_user_ids(env, "ADMIN_IDS"),
        base_url=_base_url(env),
        mnist_path=_existing_file(env, "MNIST_PATH", None),
        checkpoint=_existing_file(env, "CHECKPOINT", DEFAULT_SERVED_MODEL),
        log_level=_log_level(env),
        heartbeat_file=heartbeat_file_setting(env),
        data_dir=_data_dir(env),
        allowed_user_ids=_user_ids(env, "ALLOWED_USER_IDS"),
        photos_per_minute=_photos_per_minute(env),
        feedback=_switch(env, "FEEDBACK", default=True),
        reply_deadline=_reply_deadline(env),
        webhook=_webhook(env),
        metrics=_listen(env, "METRICS_LISTEN", None, "0.0.0.0:9100"),
        redis_url=_redis_url(env),
    )
