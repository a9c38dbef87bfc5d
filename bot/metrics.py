"""Prometheus metrics: how the bot does, for a self-hoster's dashboards and alerts.

With METRICS_LISTEN set (e.g. 0.0.0.0:9100), `serve` exposes them at /metrics on that
address (prometheus_client's own HTTP server, in a thread). Each replica serves its own;
Prometheus adds them up. Nothing here names a user.
"""

from prometheus_client import Counter, Gauge, Histogram, start_http_server

PHOTOS = Counter(
    "digitbot_photos_total",
    "Photos and image files answered, by outcome: read, or why no number was given",
    ["outcome"],
)
READ = "read"  # the outcome of a photo whose number was given
ANSWER_SECONDS = Histogram(
    "digitbot_answer_seconds",
    "From a photo's download starting to its answer being sent",
    buckets=(0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 180),
)
TELEGRAM_ERRORS = Counter(
    "digitbot_telegram_errors_total",
    "Bot API calls that failed, by method and error (each try counts)",
    ["method", "error"],
)
TELEGRAM_RETRIES = Counter(
    "digitbot_telegram_retries_total", "Bot API calls tried again, by method", ["method"]
)
TYPING_SKIPPED = Counter(
    "digitbot_typing_skipped_total",
    '"typing…" not sent, to leave Telegram\'s send budget to answers',
)
REFUSED = Counter(
    "digitbot_messages_refused_total",
    "Messages not handled: from users not on ALLOWED_USER_IDS, or over PHOTOS_PER_MINUTE",
    ["reason"],
)
IN_FLIGHT = Gauge("digitbot_updates_in_flight", "Updates being handled")
ACCURACY_RUNS = Counter("digitbot_accuracy_runs_total", "MNIST test-set evaluations run")
CORRECTIONS = Counter(
    "digitbot_corrections_total", "Answers users corrected, by what they said it shows",
    ["kind"],
)


class MetricsUnavailable(OSError):
    """METRICS_LISTEN cannot be listened on (in use, not an address of this host)."""


def serve(host: str, port: int) -> None:
    """Serve /metrics on host:port, in a daemon thread."""
    try:
        start_http_server(port, addr=host)
    except OSError as error:
        raise MetricsUnavailable(f"METRICS_LISTEN {host}:{port}: {error.strerror}") from None
