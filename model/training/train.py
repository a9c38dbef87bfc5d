"""Train a digit network on MNIST and save it as a checkpoint.

    python -m model.training.train              # digitnet, augmented, 15 epochs
    python -m model.training.train --arch seed --epochs 5 --no-augment   # the baseline

The weights go to `--output` with a JSON sidecar recording the test accuracy.
"""

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from model.reading import checkpoint, fingerprint
from model.reading.digits import DIGITS, NOT_A_DIGIT
from model.reading.mnist import Mnist, load_mnist
from model.training import network
from model.training.augment import augment_dataset, pick_even_pen_copies
from model.training.export import export
from model.training.negatives import not_digits
from model.training.redraw import redraw_with_even_pen
from model.training.weights import save_weights

NOT_DIGIT_SHARE = 0.2  # not-a-digit images added to training, relative to the digits
HELD_OUT_NOT_DIGITS = 2000  # drawn with another seed, to measure the 11th class


def with_not_digits(
    images: np.ndarray, labels: np.ndarray, count: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The digits plus `count` non-digit images labelled `NOT_A_DIGIT`."""
    extra = not_digits(count, seed)
    extra_labels = np.full(count, NOT_A_DIGIT, labels.dtype)
    return np.concatenate([images, extra]), np.concatenate([labels, extra_labels])


def make_dataset(
    images: np.ndarray, labels: np.ndarray, batch_size: int, augment: bool, seed: int
) -> tf.data.Dataset:
    """Shuffled batches of training digits; when `augment` is set, redrawn and distorted."""
    columns = (images, redraw_with_even_pen(images, seed), labels) if augment else (images, labels)
    dataset = (
        tf.data.Dataset.from_tensor_slices(columns)
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
    )
    if augment:
        dataset = augment_dataset(pick_even_pen_copies(dataset), seed=seed)
    return dataset.prefetch(tf.data.AUTOTUNE)


def train(
    mnist: Mnist,
    arch: str = "digitnet",
    epochs: int = 15,
    batch_size: int = 128,
    augment: bool = True,
    learning_rate: float = 2e-3,
    seed: int = 42,
    limit: int | None = None,
    verbose: int = 2,
) -> tuple[keras.Model, dict[str, Any]]:
    """Train `arch` on MNIST's training set; return the model and its metadata."""
    keras.utils.set_random_seed(seed)
    started = time.monotonic()
    images, labels = mnist.train.images[:limit], mnist.train.labels[:limit]
    model = network.build(arch)
    knows_not_digits = model.output_shape[-1] > DIGITS
    if knows_not_digits:
        images, labels = with_not_digits(
            images, labels, round(NOT_DIGIT_SHARE * len(images)), seed
        )
    dataset = make_dataset(images, labels, batch_size, augment, seed)

    schedule = keras.optimizers.schedules.CosineDecay(
        learning_rate, decay_steps=epochs * len(dataset)
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(dataset, epochs=epochs, verbose=verbose)
    train_seconds = time.monotonic() - started
    test_loss, test_accuracy = model.evaluate(
        mnist.test.images, mnist.test.labels, batch_size=1000, verbose=0
    )
    metadata = {
        "arch": arch,
        "classes": int(model.output_shape[-1]),
        "parameters": model.count_params(),
        "test_accuracy": round(float(test_accuracy), 4),
        "test_loss": round(float(test_loss), 4),
        "test_images": len(mnist.test.labels),
        **(_not_digit_recall(model, seed) if knows_not_digits else {}),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "preprocessing": fingerprint.current(),
        "training": {
            "images": len(labels),
            "epochs": epochs,
            "batch_size": batch_size,
            "augment": augment,
            "optimizer": f"Adam, cosine decay from {learning_rate}",
            "seed": seed,
            "seconds": round(train_seconds),
            "cpu_cores": os.cpu_count(),
        },
    }
    return model, metadata


def _not_digit_recall(model: keras.Model, seed: int) -> dict[str, Any]:
    """Share of non-digit images drawn with an unseen seed that the model calls so."""
    held_out = not_digits(HELD_OUT_NOT_DIGITS, seed + 1)
    predicted = model.predict(held_out, batch_size=1000, verbose=0).argmax(axis=1)
    return {"not_digit_recall": round(float(np.mean(predicted == NOT_A_DIGIT)), 4)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", choices=list(network.ARCHITECTURES), default="digitnet")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument(
        "--augment", action=argparse.BooleanOptionalAction, default=True,
        help="distort training digits (default: on)",
    )
    parser.add_argument("--limit", type=int, help="train on the first N training images only")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--mnist-path", default=os.environ.get("MNIST_PATH") or None,
        help="Keras' mnist.npz (default: $MNIST_PATH, else Keras downloads it)",
    )
    parser.add_argument(
        "--output", type=Path, default=checkpoint.DEFAULT_CHECKPOINT,
        help=f"weights file, ending in {checkpoint.WEIGHTS_SUFFIX}",
    )
    args = parser.parse_args(argv)

    mnist = load_mnist(args.mnist_path)
    model, metadata = train(
        mnist, arch=args.arch, epochs=args.epochs, batch_size=args.batch_size,
        augment=args.augment, learning_rate=args.learning_rate, seed=args.seed,
        limit=args.limit, verbose=1 if sys.stdout.isatty() else 2,
    )
    metadata["training"]["command"] = "python -m model.training.train " + " ".join(
        sys.argv[1:] if argv is None else argv
    )
    save_weights(model, args.output, metadata)
    served = export(model, args.output, mnist.test, metadata["training"]["command"])
    print(
        f"test accuracy {metadata['test_accuracy']:.4f} on {metadata['test_images']} images;"
        f" saved {args.output}, {served['file']} (same answers on {served['same_answers']:.2%})"
        f" and {checkpoint.metadata_path(args.output).name}"
    )


if __name__ == "__main__":
    main()
