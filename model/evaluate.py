"""How well the classifier does on MNIST's 10,000 test images.

    python -m model.evaluate [--mnist-path PATH] [--checkpoint WEIGHTS] [--plot FILE.png]

The bot's /accuracy answers with the same report and confusion-matrix picture.
"""

import argparse
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from model import checkpoint
from model.classifier import Classifier
from model.data import Split, load_mnist_test


@dataclass(frozen=True)
class Report:
    accuracy: float
    per_digit: list[float]  # accuracy on the images of each digit 0..9
    confusion: np.ndarray  # (10, 11): row = true digit, column = predicted (10: not a digit)
    images: int
    seconds: float

    def summary(self) -> str:
        """A few lines of plain text: overall, per digit, how many images and how long."""
        per_digit = "\n".join(
            f"  {digit}: {accuracy:.2%}" for digit, accuracy in enumerate(self.per_digit)
        )
        return (
            f"Accuracy on the MNIST test set: {self.accuracy:.2%}"
            f" ({int(np.trace(self.confusion)):,} of {self.images:,} images)\n"
            f"Per digit:\n{per_digit}\n"
            f"Took {self.seconds:.1f} s"
        )


def evaluate(classifier: Classifier, split: Split) -> Report:
    """Read every image of `split` and compare with its label.

    An image the network calls "not a digit" counts as wrong: the confusion matrix's
    11th column counts them.
    """
    started = time.perf_counter()
    predicted = classifier.predict(split.images).argmax(axis=1)
    seconds = time.perf_counter() - started
    confusion = np.zeros((10, 11), dtype=np.int64)
    np.add.at(confusion, (split.labels, predicted), 1)
    per_digit = (np.diag(confusion) / np.maximum(confusion.sum(axis=1), 1)).tolist()
    return Report(
        accuracy=float(np.trace(confusion) / len(split.labels)),
        per_digit=per_digit,
        confusion=confusion,
        images=len(split.labels),
        seconds=seconds,
    )


def evaluate_on_mnist(classifier: Classifier, mnist_path: str | Path | None = None) -> Report:
    """Evaluate on MNIST's test set, from `mnist_path` or Keras' download."""
    return evaluate(classifier, load_mnist_test(mnist_path))


def confusion_matrix_png(report: Report) -> bytes:
    """The confusion matrix as a PNG picture, counts in each cell."""
    figure = Figure(figsize=(6.4, 5.6), dpi=100)  # no pyplot: safe outside the main thread
    axes = figure.subplots()
    shown = axes.imshow(np.log1p(report.confusion), cmap="Blues")
    for (true, predicted), count in np.ndenumerate(report.confusion):
        if count:
            dark = shown.norm(np.log1p(count)) > 0.6
            axes.text(predicted, true, str(count), ha="center", va="center", fontsize=7,
                      color="white" if dark else "black")
    axes.set(
        xticks=range(11), xticklabels=[*map(str, range(10)), "none"], yticks=range(10),
        xlabel="predicted digit (none: not a digit)", ylabel="true digit",
        title=f"MNIST test set: {report.accuracy:.2%} of {report.images:,} right",
    )
    figure.tight_layout()
    png = io.BytesIO()
    figure.savefig(png, format="png")
    return png.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", default=os.environ.get("MNIST_PATH") or None)
    parser.add_argument(
        "--checkpoint", type=Path,
        default=os.environ.get("CHECKPOINT") or checkpoint.DEFAULT_CHECKPOINT,
    )
    parser.add_argument("--plot", type=Path, help="write the confusion matrix to this PNG")
    args = parser.parse_args(argv)

    report = evaluate_on_mnist(Classifier.load(args.checkpoint), args.mnist_path)
    print(report.summary())
    if args.plot:
        args.plot.write_bytes(confusion_matrix_png(report))
        print(f"Confusion matrix: {args.plot}")


if __name__ == "__main__":
    main()
