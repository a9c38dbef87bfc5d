#!/usr/bin/env bash
# Set everything up and run the linter and the tests: ./scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh requirements-dev.txt
# The replica tests run a real Redis (Debian's redis-server package).
if ! command -v redis-server >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing redis-server for the replica tests…"
    (apt-get install -y -qq redis-server >/dev/null 2>&1 ||
      (apt-get update -qq && apt-get install -y -qq redis-server >/dev/null))
  else
    echo "The tests need redis-server: install it (Debian/Ubuntu: sudo apt install redis-server)." >&2
    exit 1
  fi
fi
# The tests read MNIST from ../shared/data/mnist.npz unless MNIST_PATH says otherwise.
export MNIST_PATH=${MNIST_PATH:-$(realpath -m ../shared/data/mnist.npz)}
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
