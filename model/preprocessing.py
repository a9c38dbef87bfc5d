"""From the bytes of an image file to the 28x28 digit the network reads.

MNIST's digits were made by cropping each digit to its ink, scaling it to fit a
20x20 box with its aspect ratio kept (anti-aliased, so edges are grey) and placing
it in a 28x28 field so that its centre of mass sits at the centre. This module
does the same to a user's picture: decode it safely, turn it into grayscale,
find the ink, then normalise it exactly as MNIST was normalised.
"""

import io
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from model.errors import ImageTooLarge, NoDigitFound, PreprocessingError, UnreadableImage
from model.segmentation import Strokes, find_strokes

# Bumped whenever the output for the same input changes; recorded beside trained weights.
PREPROCESSING_VERSION = 2

MAX_PIXELS = 60_000_000  # a 12 MP phone photo has 12 million; more is not a photo
WORKING_SIDE = 1024  # long side the image is reduced to before any analysis
MIN_SIDE = 16  # pixels: a narrower picture cannot show a digit
MNIST_STROKE = 0.11  # MNIST's median pen width, relative to the digit's long side
MNIST_SIDE = 28
MNIST_BOX = 20
MNIST_CENTRE = 14.0  # where MNIST's centres of mass sit, in pixel coordinates


def decode_grayscale(data: bytes) -> np.ndarray:
    """Decode image bytes to uint8 grayscale (0 black, 255 white), upright, long side ≤ 1024."""
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageTooLarge(f"{width}x{height} pixels is more than {MAX_PIXELS:,}")
        # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale for free: ask for that first.
        image.draft("RGB", (WORKING_SIDE, WORKING_SIDE))
        image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
        image = ImageOps.exif_transpose(image)
        gray = _to_gray_array(image)
    except PreprocessingError:
        raise
    except UnidentifiedImageError as error:
        raise UnreadableImage(str(error)) from None
    except Image.DecompressionBombError as error:
        raise ImageTooLarge(str(error)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        # Pillow reports truncated or corrupt data with any of these.
        raise UnreadableImage(f"corrupt image: {error}") from None
    if min(gray.shape) < MIN_SIDE:
        raise NoDigitFound(f"{gray.shape[1]}x{gray.shape[0]} pixels are too few for a digit")
    return gray


def _to_gray_array(image: Image.Image) -> np.ndarray:
    """Any Pillow mode to uint8 luminance; transparency is laid over white paper."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        # 16-bit grayscale: Pillow's own convert("L") clips instead of scaling.
        pixels = np.asarray(image, dtype=np.float64)
        return np.clip(pixels / 257.0, 0, 255).astype(np.uint8)
    if image.mode == "F":
        pixels = np.asarray(image, dtype=np.float64)
        scale = 255.0 if pixels.max(initial=0) <= 1.0 else 1.0
        return np.clip(pixels * scale, 0, 255).astype(np.uint8)
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        white = Image.new("RGBA", image.size, "white")
        image = Image.alpha_composite(white, image.convert("RGBA"))
    return np.asarray(image.convert("RGB").convert("L"), dtype=np.uint8)


def normalise_strokes(strokes: Strokes) -> np.ndarray:
    """The strokes as a float image, thickened or thinned towards MNIST's pen width."""
    side = max(strokes.mask.shape)
    mask = strokes.mask.astype(np.uint8)
    change = MNIST_STROKE * side - strokes.stroke_width
    too_thin = strokes.stroke_width < 0.85 * MNIST_STROKE * side
    too_thick = strokes.stroke_width > 1.3 * MNIST_STROKE * side
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
        raise NoDigitFound("no ink at all")
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = MNIST_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    box = cv2.resize(crop, size, interpolation=interpolation)

    mass = box.sum()
    if mass <= 0:
        raise NoDigitFound("the ink vanished when scaled down")
    rows, cols = np.indices(box.shape)
    centre_x, centre_y = (cols * box).sum() / mass, (rows * box).sum() / mass
    shift = np.float32([[1, 0, MNIST_CENTRE - centre_x], [0, 1, MNIST_CENTRE - centre_y]])
    digit = cv2.warpAffine(box, shift, (MNIST_SIDE, MNIST_SIDE), flags=cv2.INTER_LINEAR)
    return np.clip(digit, 0.0, 1.0).astype(np.float32)


@dataclass(frozen=True)
class Digit:
    """The digit found in a picture, as the network reads it, and how its strokes look."""

    image: np.ndarray  # (28, 28) float32, white (1) on black (0), like MNIST
    tapering: float  # share of its centre lines far thinner than its pen (see segmentation)


def find_digit(data: bytes) -> Digit:
    """Image file bytes to the digit in them; raises `PreprocessingError` when there is none."""
    strokes = find_strokes(decode_grayscale(data))
    return Digit(fit_like_mnist(normalise_strokes(strokes)), strokes.tapering)


def preprocess(data: bytes) -> np.ndarray:
    """Image file bytes to a (28, 28) float32 digit: white (1) on black (0), like MNIST."""
    return find_digit(data).image
