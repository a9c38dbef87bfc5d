"""Leave sources out: how the reader does on real-train's writers when the network never
saw their photos.

    python -m benchmarks.real_train [--folds 5] [--epochs 3] [--init WEIGHTS]
        [--real-train DIR] [--mnist-path MNIST.npz]

real-train's sources (one writer and pen each, mostly) are dealt into `--folds` groups.
For each group the network is fine-tuned from `--init` (by default
`checkpoints/digitnet-mnist`, which has never seen a real photo) on MNIST, the non-digit
pictures and the pictures cut from every *other* source's photos
(`model.training.real_photos`), as `model.training.train --real-train` trains the shipped
network (a fifth of those sources kept back to fit the temperature); then the reader
with that network reads the group's photos. A writer's own photos never teach the
network that reads them, so the figures say how the reader does on new writers. It
prints, per set, the share read right (no digit: answered with a digit) and the answers
given at >= 90% that are wrong, against the same photos read by `--init` alone.
"""

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

from model.reading import checkpoint
from model.reading.mnist import load_mnist
from model.reading.reader import Reader
from model.training.photo_scores import SETS, KerasClassifier, read_all, scores
from model.training.real_photos import cut, read_manifest, source_of
from model.training.train import train

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_REAL_TRAIN = PROJECT.parent / "shared" / "data" / "real-train"
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"
# The network that has never seen a real photo: each fold starts from it.
MNIST_ONLY = checkpoint.DEFAULT_CHECKPOINT.with_name("digitnet-mnist.weights.h5")


def folds(sources: list[str], count: int, sizes: dict[str, int]) -> list[set[str]]:
    """Sources dealt into `count` groups of about equal photos, largest first."""
    groups: list[set[str]] = [set() for _ in range(count)]
    totals = [0] * count
    for source in sorted(sources, key=lambda s: (-sizes[s], s)):
        k = int(np.argmin(totals))
        groups[k].add(source)
        totals[k] += sizes[source]
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--init", type=Path, default=MNIST_ONLY)
    parser.add_argument("--real-train", type=Path, default=DEFAULT_REAL_TRAIN)
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or DEFAULT_MNIST))
    args = parser.parse_args(argv)

    started = time.monotonic()
    mnist = load_mnist(args.mnist_path)
    rows = read_manifest(args.real_train)
    crops, _ = cut(args.real_train)
    sizes: dict[str, int] = {}
    for row in rows:
        sizes[source_of(row["file"])] = sizes.get(source_of(row["file"]), 0) + 1
    groups = folds(list(sizes), args.folds, sizes)
    base = Reader.load(args.init)
    before = read_all(base, args.real_train, rows)
    after: list[tuple[str, str, str, float]] = [("", "", "", 0.0)] * len(rows)
    for k, group in enumerate(groups):
        model, metadata = train(mnist, epochs=args.epochs, learning_rate=args.learning_rate,
                                real=crops.without(group), init=args.init, verbose=0)
        reader = Reader(KerasClassifier(model, metadata))
        held = [i for i, row in enumerate(rows) if source_of(row["file"]) in group]
        for i, result in zip(held, read_all(reader, args.real_train, [rows[i] for i in held]),
                             strict=True):
            after[i] = result
        print(f"[{time.monotonic() - started:6.0f} s] fold {k + 1}/{len(groups)}:"
              f" {len(group)} sources, {len(held)} photos", file=sys.stderr, flush=True)

    print(f"real-train, {len(groups)} folds by source: each read by a network fine-tuned"
          f" ({args.epochs} epochs from {args.init.name}) without that fold's sources\n")
    print(f"{'what':<44}{'photos':>7}{args.init.name:>14}{'sources out':>14}")
    first, second = scores(before), scores(after)
    for which, what in SETS.items():
        count = sum(row["set"] == which for row in rows)
        print(f"{what:<44}{count:>7}{first[which]:>14.1%}{second[which]:>14.1%}")
    print(f"{'answers at >= 90% that are wrong':<44}{'':>7}{first['sure and wrong']:>14.1%}"
          f"{second['sure and wrong']:>14.1%}")
    for (_, label, answer, confidence), row in zip(after, rows, strict=True):
        if answer != label:
            print(f"  miss: {row['file']}: {label or 'no digit'} -> {answer or 'no digit'}"
                  f" ({confidence:.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
