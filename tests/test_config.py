"""Settings: read from the environment and .env, every mistake named in one line."""

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, heartbeat_file_setting, load_settings
from bot.logs import RedactingFormatter
from model.reading.checkpoint import DEFAULT_SERVED_MODEL

TOKEN = "123456789:fake-token-for-tests"
PROJECT = Path(__file__).resolve().parent.parent


def settings_from(**env: str):
    return load_settings(env={"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_defaults():
    settings = settings_from()
    assert settings.token == TOKEN
    assert settings.admin_ids == frozenset()
    assert settings.base_url is None
    assert settings.mnist_path is None
    assert settings.checkpoint == DEFAULT_SERVED_MODEL
    assert settings.log_level == "INFO"


def test_missing_token_says_what_to_do():
    with pytest.raises(ConfigError) as error:
        load_settings(env={})
    message = str(error.value)
    assert message.startswith("TELEGRAM_BOT_TOKEN")
    assert ".env" in message and "@BotFather" in message
    assert "\n" not in message


def test_malformed_token_is_named_without_echoing_it():
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BOT_TOKEN") as error:
        load_settings(env={"TELEGRAM_BOT_TOKEN": "secret-but-wrong"})
    assert "secret-but-wrong" not in str(error.value)


@pytest.mark.parametrize("quoted", [f'"{TOKEN}"', f"'{TOKEN}'", f"  {TOKEN} "])
def test_quotes_from_docker_env_files_are_stripped(quoted):
    assert load_settings(env={"TELEGRAM_BOT_TOKEN": quoted}).token == TOKEN


def test_admin_ids_are_parsed():
    assert settings_from(ADMIN_IDS="42, 1001,7").admin_ids == {42, 1001, 7}


@pytest.mark.parametrize("bad", ["@alice", "42;43", "12a"])
def test_bad_admin_ids_are_named(bad):
    with pytest.raises(ConfigError, match=r"^ADMIN_IDS"):
        settings_from(ADMIN_IDS=bad)


def test_base_url_is_a_root_without_trailing_slash():
    assert settings_from(TELEGRAM_BASE_URL="http://localhost:8081/").base_url == (
        "http://localhost:8081"
    )
    with pytest.raises(ConfigError, match=r"^TELEGRAM_BASE_URL"):
        settings_from(TELEGRAM_BASE_URL="localhost:8081")


def test_base_url_in_python_telegram_bots_form_is_the_same_root():
    for form in ("http://localhost:8081/bot", "http://localhost:8081/bot/"):
        assert settings_from(TELEGRAM_BASE_URL=form).base_url == "http://localhost:8081"


def test_allowed_users_and_the_per_user_limit():
    assert settings_from().allowed_user_ids == frozenset()  # everyone
    assert settings_from().photos_per_minute == 20
    settings = settings_from(ALLOWED_USER_IDS="7, 8", PHOTOS_PER_MINUTE="5")
    assert (settings.allowed_user_ids, settings.photos_per_minute) == ({7, 8}, 5)
    with pytest.raises(ConfigError, match=r"^ALLOWED_USER_IDS"):
        settings_from(ALLOWED_USER_IDS="7,@bob")
    for bad in ("0", "-3", "many"):
        with pytest.raises(ConfigError, match=r"^PHOTOS_PER_MINUTE"):
            settings_from(PHOTOS_PER_MINUTE=bad)


def test_the_reply_deadline_is_three_minutes_unless_set_to_a_sane_number_of_seconds():
    assert settings_from().reply_deadline == 180
    assert settings_from(REPLY_DEADLINE_SECONDS="2.5").reply_deadline == 2.5
    for bad in ("0", "-1", "nan", "7200", "soon"):
        with pytest.raises(ConfigError, match=r"^REPLY_DEADLINE_SECONDS"):
            settings_from(REPLY_DEADLINE_SECONDS=bad)


def test_metrics_are_served_only_when_metrics_listen_is_a_host_and_port():
    assert settings_from().metrics is None
    assert settings_from(METRICS_LISTEN="0.0.0.0:9100").metrics == ("0.0.0.0", 9100)
    for bad in ("9100", "host:", "host:99999", "localhost:port"):
        with pytest.raises(ConfigError, match=r"^METRICS_LISTEN"):
            settings_from(METRICS_LISTEN=bad)


def test_redis_is_optional_and_must_be_a_redis_url():
    assert settings_from().redis_url is None
    assert settings_from(REDIS_URL="redis://redis:6379/0").redis_url == "redis://redis:6379/0"
    for bad in ("localhost:6379", "http://redis:6379"):
        with pytest.raises(ConfigError, match=r"^REDIS_URL"):
            settings_from(REDIS_URL=bad)


def test_webhook_mode_needs_a_url_a_secret_and_a_listen_address():
    assert settings_from().webhook is None  # polling
    secret = "s3cret-with-enough-characters_00"
    webhook = settings_from(WEBHOOK_URL="https://bot.example.com/telegram",
                            WEBHOOK_SECRET=secret).webhook
    assert (webhook.url, webhook.host, webhook.port, webhook.secret) == (
        "https://bot.example.com/telegram", "0.0.0.0", 8080, secret)
    assert secret not in repr(webhook)
    assert settings_from(WEBHOOK_URL="https://b.example", WEBHOOK_SECRET=secret,
                         WEBHOOK_LISTEN="127.0.0.1:9000").webhook.port == 9000
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET"):
        settings_from(WEBHOOK_URL="https://bot.example.com/telegram")
    with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET"):
        settings_from(WEBHOOK_URL="https://bot.example.com/telegram", WEBHOOK_SECRET="short!")
    with pytest.raises(ConfigError, match=r"^WEBHOOK_URL"):
        settings_from(WEBHOOK_URL="bot.example.com", WEBHOOK_SECRET=secret)
    with pytest.raises(ConfigError, match=r"^WEBHOOK_LISTEN"):
        settings_from(WEBHOOK_URL="https://b.example", WEBHOOK_SECRET=secret,
                      WEBHOOK_LISTEN="8080")


def test_paths_must_exist(tmp_path: Path):
    with pytest.raises(ConfigError, match=r"^MNIST_PATH"):
        settings_from(MNIST_PATH=str(tmp_path / "missing.npz"))
    with pytest.raises(ConfigError, match=r"^CHECKPOINT"):
        settings_from(CHECKPOINT=str(tmp_path / "missing.weights.h5"))
    existing = tmp_path / "mnist.npz"
    existing.write_bytes(b"x")
    assert settings_from(MNIST_PATH=str(existing)).mnist_path == existing


def test_log_level():
    assert settings_from(LOG_LEVEL="debug").log_level == "DEBUG"
    with pytest.raises(ConfigError, match=r"^LOG_LEVEL"):
        settings_from(LOG_LEVEL="loud")


def test_dotenv_file_is_read_and_environment_wins(tmp_path: Path, monkeypatch):
    for name in ("TELEGRAM_BOT_TOKEN", "ADMIN_IDS", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nADMIN_IDS=5\nLOG_LEVEL=WARNING\n")
    monkeypatch.setenv("LOG_LEVEL", "ERROR")
    settings = load_settings(dotenv=dotenv)
    assert (settings.token, settings.admin_ids, settings.log_level) == (TOKEN, {5}, "ERROR")


def test_health_check_reads_the_heartbeat_file_like_the_bot():
    assert heartbeat_file_setting({"HEARTBEAT_FILE": '"/tmp/beat"'}) == Path("/tmp/beat")
    assert settings_from(HEARTBEAT_FILE="'/tmp/beat'").heartbeat_file == Path("/tmp/beat")


def test_token_is_redacted_from_log_lines_and_tracebacks():
    formatter = RedactingFormatter(TOKEN, "%(levelname)s %(message)s")
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        record = logging.LogRecord("bot", logging.ERROR, __file__, 1, "calling %s", (TOKEN,),
                                   sys.exc_info())
    line = formatter.format(record)
    assert "RuntimeError" in line and "<token>" in line
    assert TOKEN not in line


@pytest.mark.parametrize("where", ["main thread", "another thread"])
def test_token_is_redacted_from_uncaught_tracebacks(where):
    crash = f"raise RuntimeError('POST https://api.telegram.org/bot{TOKEN}/getMe failed')"
    if where == "another thread":
        crash = f"import threading; t = threading.Thread(target=lambda: exec({crash!r}));" \
                " t.start(); t.join()"
    script = f"from bot.logs import configure_logging; configure_logging('INFO', {TOKEN!r}); "
    result = subprocess.run([sys.executable, "-c", script + crash], capture_output=True,
                            text=True, cwd=PROJECT, timeout=60)
    assert "RuntimeError" in result.stderr and "<token>" in result.stderr
    assert TOKEN not in result.stderr + result.stdout


def test_repr_hides_the_token():
    assert TOKEN not in repr(settings_from())
    assert TOKEN.split(":")[1] not in repr(settings_from())


def test_the_environment_s_proxy_is_used_for_the_bot_api_unless_no_proxy_exempts_it(
    monkeypatch,
):
    from bot.app import environment_proxy  # (the bot's own transport: httpx skips the env)

    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                 "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert environment_proxy("https://api.telegram.org") is None
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert environment_proxy("https://api.telegram.org") == "http://proxy.example:3128"
    assert environment_proxy("http://localhost:8081") is None  # no HTTP_PROXY
    monkeypatch.setenv("ALL_PROXY", "socks5://proxy.example:1080")
    assert environment_proxy("http://bot-api.internal:8081") == "socks5://proxy.example:1080"
    monkeypatch.setenv("NO_PROXY", "bot-api.internal")
    assert environment_proxy("http://bot-api.internal:8081") is None


@pytest.mark.parametrize("raw, on", [("", True), ("on", True), ("OFF", False), ("false", False),
                                     ("1", True), ("no", False)])
def test_feedback_is_on_unless_turned_off(raw, on):
    assert settings_from(FEEDBACK=raw).feedback is on


def test_a_feedback_setting_that_is_neither_on_nor_off_is_named():
    with pytest.raises(ConfigError, match=r"^FEEDBACK must be on or off, not 'maybe'"):
        settings_from(FEEDBACK="maybe")
