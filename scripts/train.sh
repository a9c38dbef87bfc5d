#!/usr/bin/env bash
# Train the shipped network from scratch, in one command (about 25 minutes on 2 cores):
#   1. digitnet-mnist: MNIST and non-digit pictures, augmented (15 epochs);
#   2. digitnet: that network fine-tuned on the same data plus real-train's pictures, its
#      temperature fitted on the real-train sources kept back (3 epochs).
# Each step records its exact command, accuracy and date in its .json beside the weights.
#
#   scripts/train.sh [OUT_DIR]        # default: checkpoints/ (the shipped files)
#
# MNIST comes from $MNIST_PATH (else Keras downloads it); real-train from $REAL_TRAIN
# (default: ../shared/data/real-train).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-checkpoints}"
real_train="${REAL_TRAIN:-../shared/data/real-train}"
mnist=()
if [ -n "${MNIST_PATH:-}" ]; then mnist=(--mnist-path "$MNIST_PATH"); fi
mkdir -p "$out"
python=.venv/bin/python
[ -x "$python" ] || python=python3

"$python" -m model.training.train "${mnist[@]}" --output "$out/digitnet-mnist.weights.h5"
"$python" -m model.training.train "${mnist[@]}" --init "$out/digitnet-mnist.weights.h5" \
    --real-train "$real_train" --epochs 3 --learning-rate 5e-4 \
    --output "$out/digitnet.weights.h5"
