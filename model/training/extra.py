"""Extra training pictures: what users corrected (`python -m model.feedback export`), and
the comparison a fine-tune on them must pass before its checkpoint is written.

A fifth of the corrections (every fifth, in the order of their salted hashes, each with
all its pictures) is held back: the new network is measured on them, which it never
trained on. The rest are repeated so that they make at least `EXTRA_SHARE` of an epoch:
a few dozen corrections against 72,000 MNIST pictures would otherwise barely move the
network (each copy is distorted anew by the augmentation). The new checkpoint is written
only if it keeps MNIST's test accuracy at `MIN_MNIST_ACCURACY` and reads real-dev's
photos at least as well as the network it replaces.
"""

from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from model.reading.digits import SIDE
from model.reading.mnist import Split
from model.reading.reader import Reader
from model.training.photo_scores import KerasClassifier, read_all, scores
from model.training.real_photos import Crops

MIN_MNIST_ACCURACY = 0.995
HELD_BACK_EVERY = 5
EXTRA_SHARE = 0.02
MAX_REPEATS = 200


def load(path: Path) -> Crops:
    """The pictures, labels and users of an exported `.npz`."""
    with np.load(path) as data:
        images = data["images"].astype(np.float32).reshape(-1, SIDE, SIDE, 1) / 255.0
        return Crops(images, data["labels"].astype(np.uint8), data["sources"].astype(str))


def split(extra: Crops) -> tuple[Crops, Crops]:
    """(to train on, held back): whole corrections."""
    held = set(sorted(set(extra.sources.tolist()))[::HELD_BACK_EVERY])
    return extra.without(held), extra.only(held)


def repeats(extra: int, others: int, least: int) -> int:
    """How often each of `extra` pictures is seen an epoch, beside `others` pictures."""
    if not extra:
        return least
    return int(np.clip(np.ceil(EXTRA_SHARE * others / extra), least, MAX_REPEATS))


@dataclass(frozen=True)
class Figures:
    mnist: float
    real_dev: float  # share of real-dev photos answered exactly as labelled
    held_back: float  # share of held-back corrected pictures classified as corrected


def measure(model: keras.Model, metadata: dict, mnist_test: Split, real_dev: Path,
            held_back: Crops) -> Figures:
    predicted = model.predict(mnist_test.images, batch_size=1000, verbose=0).argmax(axis=1)
    reader = Reader(KerasClassifier(model, metadata))
    corrected = (model.predict(held_back.images, batch_size=1000, verbose=0).argmax(axis=1)
                 if len(held_back.labels) else np.zeros(0))
    return Figures(
        mnist=float(np.mean(predicted == mnist_test.labels)),
        real_dev=scores(read_all(reader, real_dev))["right"],
        held_back=float(np.mean(corrected == held_back.labels)) if len(corrected) else 0.0,
    )


def verdict(new: Figures, old: Figures) -> str | None:
    """Why the new network must not be written, or None."""
    problems = []
    if new.mnist < MIN_MNIST_ACCURACY:
        problems.append(f"MNIST test accuracy {new.mnist:.2%} is under {MIN_MNIST_ACCURACY:.1%}"
                        f" (by {(MIN_MNIST_ACCURACY - new.mnist) * 100:.2f} points)")
    if new.real_dev < old.real_dev:
        problems.append(f"real-dev {new.real_dev:.1%} is worse than the current"
                        f" {old.real_dev:.1%} (by {(old.real_dev - new.real_dev) * 100:.1f}"
                        " points)")
    return "; ".join(problems) or None


def table(new: Figures, old: Figures, held_back: int, old_name: str) -> str:
    rows = [("MNIST test accuracy (10,000)", old.mnist, new.mnist, ".2%"),
            ("real-dev photos read exactly", old.real_dev, new.real_dev, ".1%"),
            (f"held-back corrections ({held_back} pictures)", old.held_back, new.held_back,
             ".1%")]
    lines = [f"{'':<40}{old_name:>22}{'new':>10}"]
    lines += [f"{what:<40}{format(a, f):>22}{format(b, f):>10}" for what, a, b, f in rows]
    return "\n".join(lines)
