#!/usr/bin/env bash
# Create .venv (if missing) and install the pinned requirements into it.
# Usage: scripts/setup.sh [requirements file]   (default requirements.txt)
set -euo pipefail
cd "$(dirname "$0")/.."

requirements=${1:-requirements.txt}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $(python3 --version)…"
  python3 -m venv .venv
fi
# Installs only what is missing or changed, so a second run takes seconds.
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
