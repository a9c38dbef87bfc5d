"""`python -m bot`: check the settings, then run the bot until stopped.

Every failure before polling starts ends in one line that names the setting to fix and a
non-zero exit code, never a traceback: one would show the token.
"""

import logging
import os
import sys

from bot.config import ConfigError, load_settings
from bot.logs import configure_logging


def main() -> None:
    try:
        settings = load_settings()
    except ConfigError as problem:
        print(f"{problem}", file=sys.stderr)
        sys.exit(2)
    configure_logging(settings.log_level, settings.token)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter

    from telegram.error import InvalidToken

    from bot.app import run  # only once the settings are known good
    from bot.metrics import MetricsUnavailable
    from bot.shared_state import RedisUnavailable
    from model.reading.checkpoint import CheckpointError

    logger = logging.getLogger("bot")
    try:
        sys.exit(run(settings))
    except InvalidToken as problem:
        logger.error(
            "Telegram rejected TELEGRAM_BOT_TOKEN (%s): copy the token again from @BotFather"
            " into .env%s", problem,
            f", and check TELEGRAM_BASE_URL ({settings.base_url})" if settings.base_url else "",
        )
        sys.exit(1)
    except CheckpointError as problem:
        logger.error("Cannot start: %s (check CHECKPOINT)", problem)
        sys.exit(1)
    except RedisUnavailable as problem:
        logger.error("Cannot start: %s: start Redis, or check REDIS_URL", problem)
        sys.exit(1)
    except MetricsUnavailable as problem:
        logger.error("Cannot start: %s (choose another port or address)", problem)
        sys.exit(1)
    except KeyboardInterrupt:  # Ctrl-C before polling began (PTB handles it after)
        logger.info("Stopped (Ctrl-C) before the bot started")
        sys.exit(130)


if __name__ == "__main__":
    main()
