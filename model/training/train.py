"""Train a digit network on MNIST (and real photos) and save it as a checkpoint.

    python -m model.training.train              # digitnet, augmented, 15 epochs
    python -m model.training.train --arch seed --epochs 5 --no-augment   # the baseline
    python -m model.training.train --init checkpoints/digitnet-mnist.weights.h5 \
        --real-train ../shared/data/real-train --epochs 3 --learning-rate 5e-4
                                                # fine-tuned on real photos too
    python -m model.training.train --init checkpoints/digitnet.weights.h5 \
        --extra corrections.npz --real-dev ../shared/data/real-dev --epochs 1 \
        --learning-rate 2e-4 --head-only        # and on what users corrected

The weights go to `--output` with a JSON sidecar recording the test accuracy, how it was
trained and, with real photos, the temperature fitted on the sources kept back. With
`--extra` (users' corrections), the new network is first compared with `--init` on
MNIST, real-dev and the corrections of users held back, and written only if it is no
worse (`model/training/extra.py`).
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
from model.reading.calibration import fit_temperature
from model.reading.digits import DIGITS, NOT_A_DIGIT
from model.reading.mnist import Mnist, load_mnist
from model.training import extra as extra_pictures
from model.training import network
from model.training.augment import augment_dataset, pick_even_pen_copies
from model.training.export import export
from model.training.negatives import not_digits
from model.training.real_photos import Crops, cut
from model.training.redraw import redraw_with_even_pen
from model.training.weights import load_weights, save_weights

NOT_DIGIT_SHARE = 0.2  # not-a-digit images added to training, relative to the digits
HELD_OUT_NOT_DIGITS = 2000  # drawn with another seed, to measure the 11th class
# Each picture cut from a real photo is seen this many times an epoch (each time distorted
# anew): about 550 of them against 72,000 others would otherwise barely count.
REAL_REPEATS = 8
# Real-train sources (in a fixed shuffled order) are kept out of training until they hold
# this share of its pictures, to fit the temperature that makes the network's confidence
# honest on new writers.
CALIBRATION_SHARE = 0.15


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
    real: Crops | None = None,
    init: Path | None = None,
    extra: Crops | None = None,
    head_only: bool = False,
) -> tuple[keras.Model, dict[str, Any]]:
    """Train `arch` on MNIST's training set, and on pictures cut from `real` photos and
    `extra` pictures (users' corrections) when given; from the weights `init` when given
    (a fine-tune), else from scratch. Returns the model and its metadata."""
    keras.utils.set_random_seed(seed)
    started = time.monotonic()
    images, labels = mnist.train.images[:limit], mnist.train.labels[:limit]
    model, init_metadata = load_weights(init) if init else (network.build(arch), {})
    if head_only:  # the convolutions keep what they learnt; only the dense layers move
        for layer in model.layers[:network.flatten_index(model)]:
            layer.trainable = False
    knows_not_digits = model.output_shape[-1] > DIGITS
    if knows_not_digits:
        images, labels = with_not_digits(
            images, labels, round(NOT_DIGIT_SHARE * len(images)), seed
        )
    held_back = None
    if real is not None and len(real.labels):
        real, held_back = _split_for_calibration(real, seed)
        images = np.concatenate([images, np.repeat(real.images, REAL_REPEATS, axis=0)])
        labels = np.concatenate([labels, np.repeat(real.labels, REAL_REPEATS)])
    if extra is not None and not knows_not_digits:  # "no digit" means nothing to it
        extra = extra.picked(extra.labels < DIGITS)
    if extra is not None and len(extra.labels):
        times = extra_pictures.repeats(len(extra.labels), len(labels), REAL_REPEATS)
        images = np.concatenate([images, np.repeat(extra.images, times, axis=0)])
        labels = np.concatenate([labels, np.repeat(extra.labels, times)])
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
        "arch": model.name,
        "classes": int(model.output_shape[-1]),
        "parameters": model.count_params(),
        "test_accuracy": round(float(test_accuracy), 4),
        "test_loss": round(float(test_loss), 4),
        "test_images": len(mnist.test.labels),
        **(_not_digit_recall(model, seed) if knows_not_digits else {}),
        **(_calibration(model, held_back) if held_back is not None
           else _carried_over(init_metadata)),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "preprocessing": fingerprint.current(),
        "training": {
            "images": len(labels),
            "real_pictures": 0 if real is None else len(real.labels),
            "real_sources": [] if real is None else sorted(set(real.sources.tolist())),
            "corrected_pictures": 0 if extra is None else len(extra.labels),
            "fine_tuned_from": init.name if init else None,
            "epochs": epochs,
            "batch_size": batch_size,
            "augment": augment,
            "head_only": head_only,
            "optimizer": f"Adam, cosine decay from {learning_rate}",
            "seed": seed,
            "seconds": round(train_seconds),
            "cpu_cores": os.cpu_count(),
        },
    }
    return model, metadata


def _split_for_calibration(real: Crops, seed: int) -> tuple[Crops, Crops]:
    """The pictures to train on, and those of the sources kept back (CALIBRATION_SHARE)."""
    sources = sorted(set(real.sources.tolist()))
    kept_back: set[str] = set()
    for k in np.random.default_rng(seed).permutation(len(sources)):
        if len(real.only(kept_back).labels) >= CALIBRATION_SHARE * len(real.labels):
            break
        kept_back.add(sources[k])
    return real.without(kept_back), real.only(kept_back)


def _calibration(model: keras.Model, held_back: Crops) -> dict[str, Any]:
    """The temperature fitted on real pictures the model never trained on."""
    probabilities = model.predict(held_back.images, batch_size=1000, verbose=0)
    temperature = fit_temperature(probabilities, held_back.labels)
    return {"calibration": {
        "temperature": round(temperature, 4),
        "fitted_on": f"{len(held_back.labels)} pictures from real-train sources it did not"
                     f" train on: {', '.join(sorted(set(held_back.sources.tolist())))}",
    }}


def _carried_over(init_metadata: dict[str, Any]) -> dict[str, Any]:
    """The temperature of the network fine-tuned from, when none is fitted anew."""
    calibration = init_metadata.get("calibration")
    if not calibration:
        return {}
    return {"calibration": {**calibration, "fitted_on": "carried over from the network"
                            " this was fine-tuned from: " + calibration["fitted_on"]}}


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
    parser.add_argument("--real-train", type=Path,
                        help="also train on pictures cut from these real photos (a folder with"
                             " manifest.csv, such as ../shared/data/real-train)")
    parser.add_argument("--init", type=Path, help="start from these weights (fine-tune)")
    parser.add_argument("--extra", type=Path,
                        help="also train on users' corrections (python -m model.feedback"
                             " export); needs --init and --real-dev")
    parser.add_argument("--head-only", action="store_true",
                        help="train only the layers after the convolutions (a light fine-tune)")
    parser.add_argument("--real-dev", type=Path,
                        help="real photos to compare the new network with --init on"
                             " (../shared/data/real-dev)")
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
    if args.extra and not (args.init and args.real_dev):
        parser.error("--extra needs --init (the network to improve) and --real-dev")

    mnist = load_mnist(args.mnist_path)
    real = None
    if args.real_train:
        real, skipped = cut(args.real_train)
        print(f"{len(real.labels)} pictures cut from {args.real_train} ({skipped} photos whose"
              " characters the reader does not find one by one left out)")
    extra = held_back = None
    if args.extra:
        extra, held_back = extra_pictures.split(extra_pictures.load(args.extra))
        print(f"{len(extra.labels)} corrected pictures to train on, {len(held_back.labels)}"
              " held back")
    model, metadata = train(
        mnist, arch=args.arch, epochs=args.epochs, batch_size=args.batch_size,
        augment=args.augment, learning_rate=args.learning_rate, seed=args.seed,
        limit=args.limit, verbose=1 if sys.stdout.isatty() else 2, real=real, init=args.init,
        extra=extra, head_only=args.head_only,
    )
    if held_back is not None and not _better(model, metadata, args.init, mnist, args.real_dev,
                                             held_back):
        sys.exit(1)
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


def _better(model: keras.Model, metadata: dict[str, Any], init: Path, mnist: Mnist,
            real_dev: Path, held_back: Crops) -> bool:
    """Print the new network beside `init`; whether it may be written."""
    old_model, old_metadata = load_weights(init)
    old = extra_pictures.measure(old_model, old_metadata, mnist.test, real_dev, held_back)
    new = extra_pictures.measure(model, metadata, mnist.test, real_dev, held_back)
    print(extra_pictures.table(new, old, len(held_back.labels), init.name))
    problem = extra_pictures.verdict(new, old)
    if problem:
        print(f"Not written: {problem}.", file=sys.stderr)
    return problem is None


if __name__ == "__main__":
    main()
