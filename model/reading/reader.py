"""Reading the digits in a photo: decode, find the characters and their 28x28 pictures,
classify, decide.

    reader = Reader.load()
    reading = reader.read(open("photo.jpg", "rb").read())
    reading.number, reading.confidence, reading.refusal

`Reader.read` is safe to call from several threads at once.
"""

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from model.reading import checkpoint, fingerprint, policy
from model.reading.classifier import Classifier
from model.reading.decode import decode_grayscale
from model.reading.digits import SIDE
from model.reading.preprocess import characters_in
from model.reading.result import Reading


def one_core_per_read() -> None:
    """For a server that runs as many reads at once as it has cores: OpenCV's own threads,
    which speed up one read alone, then only add CPU (a third more per photo:
    benchmarks/load.py). Process-wide."""
    cv2.setNumThreads(1)


class Reader:
    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier

    @classmethod
    def load(cls, path: Path = checkpoint.DEFAULT_SERVED_MODEL) -> "Reader":
        """The reader with the network `path` (a `.tflite`, or the `.weights.h5` it was
        exported from), which must have been trained for this reader's pictures."""
        problem = fingerprint.mismatch(checkpoint.read_metadata(Path(path)).get("preprocessing"))
        if problem:
            raise checkpoint.CheckpointError(
                f"{checkpoint.metadata_path(Path(path)).name} was made for other preprocessing"
                f" than this reader's ({problem}): retrain it (python -m model.training.train)"
                " or use the checkpoint that came with this version"
            )
        return cls(Classifier.load(path))

    @property
    def metadata(self) -> dict[str, Any]:
        return self.classifier.metadata

    @functools.cached_property
    def version(self) -> str:
        """Which network and preprocessing answered: the checkpoint's file and training
        date, and a digest of the preprocessing it was made for."""
        metadata = self.metadata
        digest = hashlib.sha256(json.dumps(metadata.get("preprocessing"), sort_keys=True)
                                .encode()).hexdigest()[:12]
        served = metadata.get("served_model", {}).get("file", "?")
        return f"{served} {metadata.get('date', '?')} reader {digest}"

    def read(self, data: bytes) -> Reading:
        """Read the image file `data`; raises `PreprocessingError` if it is no usable image."""
        photo = decode_grayscale(data)
        if policy.big_enough(photo):
            shapes, images = characters_in(photo)
        else:
            shapes, images = [], np.zeros((0, SIDE, SIDE), np.float32)
        probabilities = self.classifier.predict(images)
        return policy.decide(photo, shapes, images, probabilities, self.classifier.temperature)
