#!/usr/bin/env bash
# Set everything up and start the bot: ./scripts/start.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f .env ]; then
  cp .env.example .env
  echo "Created .env from .env.example."
  echo "Put your bot token from @BotFather after TELEGRAM_BOT_TOKEN= in .env, then run ./scripts/start.sh again."
  exit 1
fi
scripts/setup.sh requirements.txt
exec .venv/bin/python -m bot
