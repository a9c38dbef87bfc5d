"""The trained network, loaded once, reading digits from images.

`Recogniser.read` takes the bytes of an image file and says which digit it holds
and how sure the network is. It is safe to call from several threads at once.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from model import checkpoint
from model.errors import NoDigitFound
from model.preprocessing import find_digit

SURE = 0.80  # at least this probability on one digit: an answer without hedging
TWO_WAY = 0.80  # below SURE, the top two together reach this: "either X or Y"
# Strokes that taper along more than this share of their length were not drawn with a
# pen (a head's hair, a crescent); unless the network is this sure, no digit is there.
MAX_TAPERING = 0.10
SURE_DESPITE_TAPERING = 0.90


@dataclass(frozen=True)
class Reading:
    """What the network read in one image."""

    digit: int
    confidence: float  # probability of `digit`, 0..1
    runner_up: int
    runner_up_confidence: float
    probabilities: np.ndarray  # (10,), sums to 1
    image: np.ndarray  # the (28, 28) float digit the network saw

    @property
    def is_sure(self) -> bool:
        return self.confidence >= SURE

    @property
    def answered(self) -> bool:
        """False when no digit, nor a pair of digits, is likely enough to name."""
        return self.is_sure or self.confidence + self.runner_up_confidence >= TWO_WAY


class Recogniser:
    def __init__(self, model: keras.Model, metadata: dict[str, Any] | None = None) -> None:
        self.model = model
        self.metadata = metadata or {}
        # A compiled function on whole batches: Keras' model.predict pays a large
        # fixed cost on every call, far more than the network itself takes.
        self._forward = tf.function(
            lambda images: model(images, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
        )

    @classmethod
    def load(cls, weights: Path = checkpoint.DEFAULT_CHECKPOINT) -> "Recogniser":
        """Restore the network from a checkpoint and compile its forward pass once."""
        model, metadata = checkpoint.load(Path(weights))
        recogniser = cls(model, metadata)
        recogniser.predict(np.zeros((1, 28, 28, 1), np.float32))  # trace now, not on first use
        return recogniser

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities, (n, 10), for (n, 28, 28) or (n, 28, 28, 1) digits."""
        images = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
        return self._forward(tf.constant(images)).numpy()

    def predict_batched(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Like `predict`, in batches, for thousands of images."""
        return np.concatenate(
            [self.predict(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
        )

    def read_digit(self, image: np.ndarray) -> Reading:
        """Read one preprocessed (28, 28) digit."""
        probabilities = self.predict(image[np.newaxis])[0]
        second, first = np.argsort(probabilities)[-2:]
        return Reading(
            digit=int(first),
            confidence=float(probabilities[first]),
            runner_up=int(second),
            runner_up_confidence=float(probabilities[second]),
            probabilities=probabilities,
            image=image,
        )

    def read(self, data: bytes) -> Reading:
        """Read the digit in an image file; raises `PreprocessingError` when there is none."""
        digit = find_digit(data)
        reading = self.read_digit(digit.image)
        if digit.tapering > MAX_TAPERING and reading.confidence < SURE_DESPITE_TAPERING:
            raise NoDigitFound(
                f"strokes taper along {digit.tapering:.0%} of their length, as no pen draws,"
                f" and the network is only {reading.confidence:.0%} sure"
            )
        return reading
