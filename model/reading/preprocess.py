"""A photo's characters and the 28x28 pictures the network reads of them: the ink found
(`ink`), grouped into characters in reading order (`layout`), each made as MNIST's digits
were made (`normalise`)."""

import itertools

import numpy as np

from model.reading.digits import SIDE
from model.reading.ink import find_ink
from model.reading.layout import find_shapes
from model.reading.normalise import even_out_pen, fit_like_mnist
from model.reading.result import Box, Shape


def picture_of(shape: Shape) -> np.ndarray:
    """The 28x28 picture the network reads of a character."""
    return fit_like_mnist(even_out_pen(shape.mask))


def cuts_for(shape: Shape, count: int) -> list[int]:
    """Where to cut a wide character into `count` digits side by side: each cut where the
    fewest ink pixels are (not counting the top and bottom fifth, where an underline or a
    ruled line would run), near where equal widths would put it. One way only: searching
    many cuts for the one the network likes best made letters into pairs of digits (six
    more of real-dev's and real-train's 95 photos with no digit answered)."""
    height, width = shape.mask.shape
    ink = shape.mask[height // 5 : height - height // 5].sum(axis=0)
    cuts = []
    for k in range(1, count):
        centre, reach = width * k // count, max(1, width // (4 * count))
        cuts.append(centre - reach + int(np.argmin(ink[centre - reach : centre + reach + 1])))
    return cuts


def pieces_of(shape: Shape, cuts: list[int]) -> list[Shape]:
    """A character cut at these columns into pieces side by side, each cropped to its ink;
    nothing if a piece would hold no ink."""
    pieces = []
    for left, right in itertools.pairwise([0, *cuts, shape.mask.shape[1]]):
        part = shape.mask[:, left:right]
        rows = np.flatnonzero(part.any(axis=1))
        columns = np.flatnonzero(part.any(axis=0))
        if rows.size == 0:
            return []
        part = part[rows[0] : rows[-1] + 1, columns[0] : columns[-1] + 1]
        box = Box(shape.box.x + left + int(columns[0]), shape.box.y + int(rows[0]),
                  part.shape[1], part.shape[0])
        pieces.append(Shape(box, part, shape.edge_strokes))
    return pieces


def characters_in(photo: np.ndarray) -> tuple[list[Shape], np.ndarray]:
    """The characters written in a grayscale photo, in reading order, and the
    (n, 28, 28) pictures of them the network reads."""
    shapes = [shape for line in find_shapes(find_ink(photo)) for shape in line]
    images = np.zeros((len(shapes), SIDE, SIDE), np.float32)
    for image, shape in zip(images, shapes, strict=True):
        image[:] = picture_of(shape)
    return shapes, images
