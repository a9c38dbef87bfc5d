"""A photo's characters and the 28x28 pictures the network reads of them: the ink found
(`ink`), grouped into characters in reading order (`layout`), each made as MNIST's digits
were made (`normalise`)."""

import numpy as np

from model.reading.digits import SIDE
from model.reading.ink import find_ink
from model.reading.layout import find_shapes
from model.reading.normalise import even_out_pen, fit_like_mnist
from model.reading.result import Shape


def characters_in(photo: np.ndarray) -> tuple[list[Shape], np.ndarray]:
    """The characters written in a grayscale photo, in reading order, and the
    (n, 28, 28) pictures of them the network reads."""
    shapes = [shape for line in find_shapes(find_ink(photo)) for shape in line]
    images = np.zeros((len(shapes), SIDE, SIDE), np.float32)
    for image, shape in zip(images, shapes, strict=True):
        image[:] = fit_like_mnist(even_out_pen(shape.mask))
    return shapes, images
