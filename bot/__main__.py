"""`python -m bot`: check the settings, then run the bot until stopped."""

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

    from bot.app import run  # imports TensorFlow: only once the settings are known good
    from model.checkpoint import CheckpointError

    try:
        run(settings)
    except CheckpointError as problem:
        logging.getLogger("bot").error("Cannot start: %s (check CHECKPOINT)", problem)
        sys.exit(1)


if __name__ == "__main__":
    main()
