#!/usr/bin/env bash
# Set everything up and start the bot: ./scripts/start.sh
# The first time, it creates .env and asks for the bot's token (run in a terminal), or says
# what to put in .env (run by a script).
set -euo pipefail
cd "$(dirname "$0")/.."

has_setting() {  # a value after NAME= (or export NAME=) in .env
  grep -Eq "^[[:space:]]*(export[[:space:]]+)?$1=[[:space:]]*[\"']?[^[:space:]\"']" .env
}

save_setting() {  # NAME VALUE: set NAME=VALUE in .env, keeping every other line
  SETTING="$1" VALUE="$2" python3 - <<'PY'
import os, pathlib, re
env, name, value = pathlib.Path(".env"), os.environ["SETTING"], os.environ["VALUE"]
lines = env.read_text().splitlines()
setting = re.compile(rf"\s*(export\s+)?{name}=")
rest = [line for line in lines if not setting.match(line)]
at = next((k for k, line in enumerate(lines) if setting.match(line)), len(rest))
env.write_text("\n".join(rest[:at] + [f"{name}={value}"] + rest[at:]) + "\n")
PY
}

if [ ! -f .env ]; then
  (umask 077 && cp .env.example .env)  # it will hold the token: for its owner's eyes only
  echo "Created .env from .env.example."
fi
if [ -z "${TELEGRAM_BOT_TOKEN:-}" ] && ! has_setting TELEGRAM_BOT_TOKEN; then
  if [ ! -t 0 ]; then
    echo "Put your bot token from @BotFather (/newbot) after TELEGRAM_BOT_TOKEN= in .env," \
         "then run ./scripts/start.sh again." >&2
    exit 1
  fi
  # Echo off before the prompt, so that not even a token pasted early shows.
  stty -echo 2>/dev/null || true
  trap 'stty echo 2>/dev/null || true' EXIT
  trap 'stty echo 2>/dev/null; echo; exit 130' INT TERM
  echo "Paste the token @BotFather gave you when you created the bot (/newbot) and press"
  echo "Enter. It is saved in .env and not shown."
  read -r token || true  # (Ctrl-D: nothing typed)
  stty echo 2>/dev/null || true
  echo
  if ! [[ $token =~ ^[0-9]+:[A-Za-z0-9_-]+$ ]]; then
    echo "That does not look like a bot token (digits, a colon, then letters, e.g." \
         "123456789:AAH...). Copy it again from @BotFather and run ./scripts/start.sh again." >&2
    exit 1
  fi
  save_setting TELEGRAM_BOT_TOKEN "$token"
  if [ -z "${ADMIN_IDS:-}" ] && ! has_setting ADMIN_IDS; then
    echo "Your Telegram user id, to use /accuracy and /stats (@userinfobot tells you yours;"
    echo "Enter to skip):"
    read -r admin || true
    if [[ $admin =~ ^[0-9]+$ ]]; then
      save_setting ADMIN_IDS "$admin"
    elif [ -n "$admin" ]; then
      echo "That is not a user id (digits only); skipped. You can add it to ADMIN_IDS in .env."
    fi
  fi
  echo "Saved in .env. Setting up and starting the bot…"
fi
scripts/setup.sh requirements.txt
exec .venv/bin/python -m bot
