"""Export a trained checkpoint to LiteRT (`NAME.tflite`), the network the bot serves.

    python -m model.training.export [WEIGHTS] [--mnist-path PATH]

Training calls `export` after saving the weights. The export is checked against Keras
on MNIST's 10,000 test images, and the metadata records the file's hash, the runtime
and how closely the two agree; `model.reading.classifier` refuses a `.tflite` that does not
match its metadata.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import keras
import numpy as np

from model.reading import checkpoint
from model.reading.classifier import Classifier
from model.reading.mnist import Split, load_mnist_test
from model.training.weights import load_weights

MIN_SAME_ANSWERS = 0.9999  # an export that disagrees with Keras more often is refused


def export(model: keras.Model, weights: Path, test: Split, command: str) -> dict[str, Any]:
    """Write `model` as LiteRT beside `weights`, check it against Keras on `test`, and
    record both in the metadata; returns what was recorded."""
    served = checkpoint.served_model_path(weights)
    with tempfile.TemporaryDirectory() as scratch:  # Keras writes, then we move it whole
        exported = Path(scratch) / served.name
        model.export(str(exported), format="litert", verbose=False)
        data = exported.read_bytes()

    keras_probabilities = model.predict(test.images, batch_size=1000, verbose=0)
    litert_probabilities = Classifier(data).predict(test.images)
    same = keras_probabilities.argmax(axis=1) == litert_probabilities.argmax(axis=1)
    if same.mean() < MIN_SAME_ANSWERS:  # checked before anything is written
        raise checkpoint.CheckpointError(
            f"the LiteRT export gives Keras' answer on only {same.mean():.2%} of"
            f" {len(same)} MNIST test images: not written"
        )
    served.write_bytes(data)
    record = {
        "file": served.name,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "sha256": hashlib.sha256(data).hexdigest(),
        "runtime": f"ai-edge-litert {version('ai-edge-litert')}",
        "checked_on": f"{len(test.labels)} MNIST test images",
        "same_answers": round(float(same.mean()), 6),
        "largest_probability_difference": float(
            np.abs(keras_probabilities - litert_probabilities).max()
        ),
        "test_accuracy": round(
            float((litert_probabilities.argmax(axis=1) == test.labels).mean()), 4
        ),
    }
    metadata = checkpoint.read_metadata(weights)
    metadata["served_model"] = record
    checkpoint.metadata_path(weights).write_text(json.dumps(metadata, indent=2) + "\n")
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path, nargs="?", default=checkpoint.DEFAULT_CHECKPOINT)
    parser.add_argument("--mnist-path", default=os.environ.get("MNIST_PATH") or None)
    args = parser.parse_args(argv)
    model, _ = load_weights(args.weights)
    command = "python -m model.training.export " + " ".join(sys.argv[1:] if argv is None else argv)
    record = export(model, args.weights, load_mnist_test(args.mnist_path), command)
    print(f"{record['file']}: same answers as Keras on {record['same_answers']:.2%} of"
          f" {record['checked_on']} (largest probability difference"
          f" {record['largest_probability_difference']:.1e}); test accuracy"
          f" {record['test_accuracy']:.4f}")
    return 0 if record["same_answers"] == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
