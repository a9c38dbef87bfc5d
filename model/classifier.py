"""The trained network, restored from `checkpoints/`, reading batches of 28x28 digits.

It is safe to call from several threads at once.
"""

from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from model import checkpoint


class Classifier:
    """Class probabilities for MNIST-style digits: 0-9, and (digitnet) "not a digit"."""

    def __init__(self, model: keras.Model, metadata: dict[str, Any] | None = None) -> None:
        self.model = model
        self.metadata = metadata or {}
        self.classes = int(model.output_shape[-1])
        # A compiled function on whole batches: Keras' model.predict pays a large
        # fixed cost on every call, far more than the network itself takes.
        self._forward = tf.function(
            lambda images: model(images, training=False),
            input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32)],
        )

    @classmethod
    def load(cls, weights: Path = checkpoint.DEFAULT_CHECKPOINT) -> "Classifier":
        """Restore the network from a checkpoint and compile its forward pass once."""
        model, metadata = checkpoint.load(Path(weights))
        classifier = cls(model, metadata)
        classifier.predict(np.zeros((1, 28, 28), np.float32))  # trace now, not on first use
        return classifier

    def predict(self, images: np.ndarray, batch_size: int = 1000) -> np.ndarray:
        """Class probabilities, (n, classes), for (n, 28, 28) or (n, 28, 28, 1) digits."""
        images = np.asarray(images, np.float32).reshape(-1, 28, 28, 1)
        if len(images) == 0:
            return np.zeros((0, self.classes), np.float32)
        return np.concatenate([
            self._forward(tf.constant(images[i : i + batch_size])).numpy()
            for i in range(0, len(images), batch_size)
        ])
