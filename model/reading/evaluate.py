"""How well the classifier does on MNIST's 10,000 test images.

    python -m model.reading.evaluate [--mnist-path PATH] [--checkpoint WEIGHTS] [--plot FILE.png]

The bot's /accuracy answers with the same report and confusion-matrix picture.
"""

import argparse
import io
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model.reading import checkpoint
from model.reading.classifier import Classifier
from model.reading.mnist import Split, load_mnist_test


@dataclass(frozen=True)
class Report:
    accuracy: float
    per_digit: list[float]  # accuracy on the images of each digit 0..9
    confusion: np.ndarray  # (10, 11): row = true digit, column = predicted (10: not a digit)
    images: int
    seconds: float

    @property
    def right(self) -> int:
        return int(np.trace(self.confusion))

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
    """Evaluate on MNIST's test set, from `mnist_path` or Keras' download, on every core."""
    return evaluate(classifier.with_threads(os.cpu_count() or 1), load_mnist_test(mnist_path))


CELL = 44  # pixels per cell of the confusion-matrix picture
PALE, DEEP = np.array([247, 251, 255]), np.array([8, 48, 107])  # white to dark blue


def confusion_matrix_png(report: Report) -> bytes:
    """The confusion matrix as a PNG picture, counts in each cell (drawn with Pillow)."""
    rows, columns = report.confusion.shape
    left, top = 90, 60  # room for the labels
    image = Image.new("RGB", (left + columns * CELL + 20, top + rows * CELL + 60), "white")
    draw = ImageDraw.Draw(image)
    small, large = ImageFont.load_default(13), ImageFont.load_default(16)
    shade = np.log1p(report.confusion) / np.log1p(max(report.confusion.max(), 1))
    for (true, predicted), count in np.ndenumerate(report.confusion):
        x, y = left + predicted * CELL, top + true * CELL
        colour = PALE + (DEEP - PALE) * shade[true, predicted]
        draw.rectangle([x, y, x + CELL - 1, y + CELL - 1], fill=tuple(int(c) for c in colour))
        if count:
            ink = "white" if shade[true, predicted] > 0.6 else "black"
            draw.text((x + CELL / 2, y + CELL / 2), str(count), fill=ink, font=small, anchor="mm")
    for k in range(columns):
        label = str(k) if k < 10 else "none"
        draw.text((left + (k + 0.5) * CELL, top - 8), label, fill="black", font=small, anchor="ms")
    for k in range(rows):
        draw.text((left - 10, top + (k + 0.5) * CELL), str(k), fill="black", font=small,
                  anchor="rm")
    draw.text((left - 60, top + rows * CELL / 2), "true", fill="black", font=small, anchor="mm")
    draw.text((left + columns * CELL / 2, top + rows * CELL + 25),
              "predicted digit (none: not a digit)", fill="black", font=small, anchor="mm")
    draw.text((left + columns * CELL / 2, 20),
              f"MNIST test set: {report.accuracy:.2%} of {report.images:,} right",
              fill="black", font=large, anchor="mm")
    png = io.BytesIO()
    image.save(png, format="PNG")
    return png.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", default=os.environ.get("MNIST_PATH") or None)
    parser.add_argument(
        "--checkpoint", type=Path,
        default=os.environ.get("CHECKPOINT") or checkpoint.DEFAULT_SERVED_MODEL,
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
