#!/usr/bin/env bash
# Set everything up and run the linter and the tests: ./scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh requirements-dev.txt
# The tests read MNIST from ../shared/data/mnist.npz unless MNIST_PATH says otherwise.
export MNIST_PATH=${MNIST_PATH:-$(realpath -m ../shared/data/mnist.npz)}
.venv/bin/ruff check .
.venv/bin/python -m pytest "$@"
