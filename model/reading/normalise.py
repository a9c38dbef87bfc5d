"""A digit's strokes to the 28x28 picture the network reads, made the way MNIST's were.

MNIST's digits were made by cropping each digit to its ink, scaling it to fit a
20x20 box with its aspect ratio kept (anti-aliased, so edges are grey) and placing
it in a 28x28 field so that its centre of mass sits at the centre. Strokes are first
brought to MNIST's pen width, so a fine pen and a fat marker look alike.
"""

import cv2
import numpy as np

from model.reading.digits import SIDE

MNIST_STROKE = 0.11  # MNIST's median pen width, relative to the digit's long side
MNIST_BOX = 20
MNIST_CENTRE = SIDE / 2  # where MNIST's centres of mass sit, in pixel coordinates


def stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width of a binary shape: twice its area over its outline's length."""
    mask = mask.astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    outline = sum(cv2.arcLength(contour, True) for contour in contours)
    return 2.0 * float(mask.sum()) / max(outline, 1.0)


def even_out_pen(mask: np.ndarray) -> np.ndarray:
    """A binary shape as a float image, thickened or thinned towards MNIST's pen width."""
    side = max(mask.shape)
    mask = mask.astype(np.uint8)
    width = stroke_width(mask)
    change = MNIST_STROKE * side - width
    too_thin = width < 0.85 * MNIST_STROKE * side
    too_thick = width > 1.3 * MNIST_STROKE * side
    if too_thin or too_thick:
        size = max(1, round(abs(change) / (1 if too_thin else 2)))
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
        adjusted = cv2.dilate(mask, kernel) if too_thin else cv2.erode(mask, kernel)
        if adjusted.any():
            mask = adjusted
    return mask.astype(np.float32)


def fit_like_mnist(ink: np.ndarray) -> np.ndarray:
    """Crop to the ink, fit it in 20x20 keeping its shape, centre its mass in 28x28."""
    rows = np.flatnonzero(ink.max(axis=1) > 0)
    cols = np.flatnonzero(ink.max(axis=0) > 0)
    if rows.size == 0:
        raise ValueError("no ink to fit: the layout never makes an empty character")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].astype(np.float32)
    height, width = crop.shape
    scale = MNIST_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    box = cv2.resize(crop, size, interpolation=interpolation)

    mass = box.sum()  # positive: scaling ink down averages it, never drops it
    rows, cols = np.indices(box.shape)
    centre_x, centre_y = (cols * box).sum() / mass, (rows * box).sum() / mass
    shift = np.float32([[1, 0, MNIST_CENTRE - centre_x], [0, 1, MNIST_CENTRE - centre_y]])
    digit = cv2.warpAffine(box, shift, (SIDE, SIDE), flags=cv2.INTER_LINEAR)
    return np.clip(digit, 0.0, 1.0).astype(np.float32)
