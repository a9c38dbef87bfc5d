"""Reading the digits in a photo: decode, find the ink, find the characters, normalise,
classify, decide.

    reader = Reader.load()
    reading = reader.read(open("photo.jpg", "rb").read())
    reading.number, reading.confidence, reading.refusal

`Reader.read` is safe to call from several threads at once.
"""

from pathlib import Path

import numpy as np

from model import checkpoint, policy
from model.classifier import Classifier
from model.decode import decode_grayscale
from model.ink import find_ink
from model.layout import Shape, find_shapes
from model.normalise import PREPROCESSING_VERSION, even_out_pen, fit_like_mnist
from model.reading import Reading


def characters_in(photo: np.ndarray) -> tuple[list[Shape], np.ndarray]:
    """The characters written in a grayscale photo, in reading order, and the (n, 28, 28)
    pictures of them the network reads."""
    ink = find_ink(photo)
    shapes = [shape for line in find_shapes(ink) for shape in line]
    images = np.zeros((len(shapes), 28, 28), np.float32)
    for image, shape in zip(images, shapes, strict=True):
        image[:] = fit_like_mnist(even_out_pen(shape.mask))
    return shapes, images


class Reader:
    def __init__(self, classifier: Classifier) -> None:
        self.classifier = classifier

    @classmethod
    def load(cls, path: Path = checkpoint.DEFAULT_SERVED_MODEL) -> "Reader":
        """The reader with the network `path` (a `.tflite`, or the `.weights.h5` it was
        exported from), which must be trained for this reader."""
        checkpoint.require_preprocessing(Path(path), PREPROCESSING_VERSION)
        return cls(Classifier.load(path))

    @property
    def metadata(self) -> dict:
        return self.classifier.metadata

    def read(self, data: bytes) -> Reading:
        """Read the image file `data`; raises `PreprocessingError` if it is no usable image."""
        photo = decode_grayscale(data)
        shapes, images = characters_in(photo)
        return policy.decide(photo, shapes, images, self.classifier.predict(images))
