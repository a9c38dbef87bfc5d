"""How a network (still in Keras, not yet exported) reads a folder of real photos, such as
`../shared/data/real-dev`: the reader's whole path, with the network swapped in.

Used to compare a new network with the shipped one before it is written
(`model.training.train --extra`) and by `benchmarks/real_train.py`.
"""

from pathlib import Path
from typing import Any

import keras
import numpy as np

from model.reading.digits import SIDE
from model.reading.errors import PreprocessingError
from model.reading.reader import Reader
from model.training.real_photos import read_manifest

SETS = {"single": "single digits read right", "numbers": "numbers read exactly",
        "negatives": "no-digit photos answered with a digit"}
SURE = 0.90
Result = tuple[str, str, str, float]  # (set, label, answer, confidence); '' for no digit


class KerasClassifier:
    """A Keras model where the reader expects its LiteRT classifier (no export needed)."""

    def __init__(self, model: keras.Model, metadata: dict[str, Any]) -> None:
        self.model = model
        self.metadata = metadata
        self.temperature = metadata.get("calibration", {}).get("temperature", 1.0)

    def predict(self, images: np.ndarray) -> np.ndarray:
        images = np.asarray(images, np.float32).reshape(-1, SIDE, SIDE, 1)
        if not len(images):
            return np.zeros((0, self.model.output_shape[-1]), np.float32)
        return self.model.predict(images, verbose=0)


def read_all(reader: Reader, folder: Path, rows: list[dict[str, str]] | None = None
             ) -> list[Result]:
    """What the reader answers for each photo of `folder` (its manifest's rows)."""
    out = []
    for row in read_manifest(folder) if rows is None else rows:
        try:
            reading = reader.read((folder / row["file"]).read_bytes())
            answer, confidence = reading.number, reading.confidence
        except PreprocessingError:
            answer, confidence = "", 0.0
        label = "" if row["set"] == "negatives" else row["label"]
        out.append((row["set"], label, answer, confidence))
    return out


def scores(results: list[Result]) -> dict[str, float]:
    """Per set: the share read right (no-digit photos: the share answered with a digit);
    `sure and wrong`: of the answers given at >= 90%, the share wrong; `right`: of all the
    photos, the share answered exactly as labelled (a refusal is right for no digit)."""
    figures = {}
    for which in SETS:
        picked = [r for r in results if r[0] == which]
        right = [bool(r[2]) if which == "negatives" else r[2] == r[1] for r in picked]
        figures[which] = sum(right) / max(len(picked), 1)
    answered = [r for r in results if r[2]]
    figures["sure and wrong"] = sum(r[3] >= SURE and r[2] != r[1] for r in answered) / max(
        sum(r[3] >= SURE for r in answered), 1)
    figures["right"] = sum(r[2] == r[1] for r in results) / max(len(results), 1)
    return figures
