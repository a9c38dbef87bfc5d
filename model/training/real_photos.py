"""Training pictures cut from real photos (`../shared/data/real-train`), labelled by their
manifest.

Each photo is run through the reader's own preprocessing, so the 28x28 pictures are
exactly what the network meets in use. A photo of a digit or a number gives its
characters when the reader finds as many as the label has digits (then the k-th
character is the k-th digit); otherwise it gives nothing, rather than a guess. Every
character of a photo with no digit is "not a digit". Each picture keeps its photo's
source, so that data can be held out by writer, never by file.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.reading.decode import decode_grayscale
from model.reading.digits import NOT_A_DIGIT, SIDE
from model.reading.errors import PreprocessingError
from model.reading.policy import big_enough
from model.reading.preprocess import characters_in


@dataclass(frozen=True)
class Crops:
    images: np.ndarray  # float32 (n, 28, 28, 1), as the network reads them
    labels: np.ndarray  # uint8 (n,): the digit, or NOT_A_DIGIT
    sources: np.ndarray  # str (n,): the source (writer) each came from

    def without(self, sources: set[str]) -> "Crops":
        """The pictures of every other source."""
        return self.picked(~np.isin(self.sources, list(sources)))

    def only(self, sources: set[str]) -> "Crops":
        """The pictures of these sources."""
        return self.picked(np.isin(self.sources, list(sources)))

    def picked(self, keep: np.ndarray) -> "Crops":
        """The pictures where `keep` (a boolean mask) is set."""
        return Crops(self.images[keep], self.labels[keep], self.sources[keep])


def source_of(file: str) -> str:
    """`single/7_ujwal_3.jpg` -> `ujwal` (the manifest's file names say it)."""
    return Path(file).stem.split("_")[1]


def read_manifest(folder: Path) -> list[dict[str, str]]:
    with (folder / "manifest.csv").open() as manifest:
        return list(csv.DictReader(manifest))


def cut(folder: Path) -> tuple[Crops, int]:
    """The labelled pictures of every usable photo in `folder`, and how many photos were
    left out because the reader did not find one character per digit."""
    images, labels, sources = [], [], []
    skipped = 0
    for row in read_manifest(folder):
        try:
            photo = decode_grayscale((folder / row["file"]).read_bytes())
        except PreprocessingError:
            skipped += 1
            continue
        pictures = characters_in(photo)[1] if big_enough(photo) else np.zeros((0, SIDE, SIDE))
        if row["set"] == "negatives":
            wanted = [NOT_A_DIGIT] * len(pictures)
        else:
            wanted = [int(d) for d in row["label"]]
            if len(wanted) != len(pictures):
                skipped += 1
                continue
        images += list(pictures)
        labels += wanted
        sources += [source_of(row["file"])] * len(pictures)
    return (
        Crops(np.asarray(images, np.float32).reshape(-1, SIDE, SIDE, 1),
              np.asarray(labels, np.uint8), np.asarray(sources)),
        skipped,
    )
