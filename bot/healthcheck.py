"""`python -m bot.healthcheck`: exit 0 if the bot polled Telegram recently, 1 if not.

Docker's HEALTHCHECK runs this inside the container.
"""

import sys

from bot.config import heartbeat_file_setting
from bot.heartbeat import is_fresh

if __name__ == "__main__":
    heartbeat_file = heartbeat_file_setting()
    healthy = is_fresh(heartbeat_file)
    print("healthy" if healthy else f"unhealthy: no recent poll recorded in {heartbeat_file}")
    sys.exit(0 if healthy else 1)
