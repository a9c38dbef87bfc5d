#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned requirements into it.
# Usage: scripts/setup.sh [requirements file]   (default requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "This needs Python 3.11 or newer as python3 (found: $(python3 --version 2>&1))." >&2
  exit 1
fi
if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  echo "Creating .venv with $(python3 --version)…"
  rm -rf .venv
  python3 -m venv .venv || {
    echo "Could not create a virtual environment: install python3-venv (Debian/Ubuntu: apt install python3-venv)." >&2
    exit 1
  }
fi
# Installs only what is missing or changed, so a second run takes seconds.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
# The translations' compiled catalogues (bot/locales/*/LC_MESSAGES/bot.mo) from their .po sources.
.venv/bin/pybabel -q compile -d bot/locales -D bot
