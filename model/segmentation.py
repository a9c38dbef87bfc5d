"""Finding the digit in a photo: which pixels are the strokes that make it.

A phone photo holds far more than a digit: paper grain, uneven light and shadows,
ruled or squared lines, the page's edge, show-through from the back, specks. This
module evens out the light, decides whether the writing is dark on light (pen on
paper) or light on dark (chalk on a board), binarises against the local background,
removes ruled lines, and picks the connected strokes that form the digit. It says
so (`NoDigitFound`) when nothing there looks like a digit, or the digit is cut off.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from model.errors import DigitCutOff, NoDigitFound

# Ink is measured as how much darker a pixel is than the paper around it (0..1).
WEAK_INK = 0.10  # weakest stroke pixels kept (pencil); paper grain stays below
STRONG_INK = 0.28  # a stroke must reach this somewhere; show-through and stains do not
MIN_DIGIT_SIDE = 0.06  # of the image's short side: smaller is a speck, not a digit
MAX_FILL = 0.62  # ink fills at most this share of a digit's box (strokes, not blobs)
MAX_STROKE = 0.30  # stroke width relative to the digit's height; a blob is thicker
DARKEST_PAPER = 64.0  # grey level below which darkness is not measured relative to the page


@dataclass(frozen=True)
class Strokes:
    """The digit's strokes, cropped to their bounding box."""

    mask: np.ndarray  # bool, True on the strokes
    stroke_width: float  # typical stroke width, in pixels


def _odd(value: float) -> int:
    return max(3, int(value) // 2 * 2 + 1)


def writing_is_dark(gray: np.ndarray) -> bool:
    """Whether the page is lighter than the writing (pen on paper), not chalk on a board."""
    smooth = cv2.GaussianBlur(gray, (5, 5), 0)
    darkest, brightest = float(smooth.min()), float(smooth.max())
    return float(np.median(smooth)) >= (darkest + brightest) / 2


def ink_map(gray: np.ndarray) -> np.ndarray:
    """How much darker each pixel is than its local background, 0..1 (dark writing)."""
    # The background is the picture with the strokes closed over: computed on a quarter-size
    # copy, with a kernel wider than any pen stroke, it follows shadows and light falloff.
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(min(small.shape) / 8),) * 2)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = cv2.GaussianBlur(background, (0, 0), kernel.shape[0] / 4)
    background = cv2.resize(background, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    background = np.maximum(background.astype(np.float32), gray.astype(np.float32))
    # Relative darkness copes with shadows; the floor keeps the noise of a near-black
    # picture from passing for ink.
    return (background - gray) / np.maximum(background, DARKEST_PAPER)


def _thin_long_runs(binary: np.ndarray, length: int, max_thickness: int) -> np.ndarray:
    """Horizontal runs of at least `length` pixels that stay thinner than `max_thickness`."""
    runs = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((1, length), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(runs, 8)
    thin = stats[:, cv2.CC_STAT_HEIGHT] <= max_thickness
    thin[0] = False
    return thin[labels].astype(np.uint8)


def remove_ruled_lines(mask: np.ndarray) -> np.ndarray:
    """Drop ruled and squared paper's lines: thin straight runs across much of the page.

    A digit's own bars (the top of a 7 or a 5) are shorter or far thicker than these.
    """
    binary = mask.astype(np.uint8)
    height, width = binary.shape
    max_thickness = max(3, round(0.012 * min(height, width)))
    lines = _thin_long_runs(binary, width // 3, max_thickness)
    lines |= _thin_long_runs(binary.T.copy(), height // 3, max_thickness).T
    if not lines.any():
        return mask
    # Remove the lines with a pixel of margin, then close the small gaps they leave in strokes.
    lines = cv2.dilate(lines, np.ones((3, 3), np.uint8))
    kept = binary & (1 - lines)
    bridged = cv2.morphologyEx(kept, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    return (bridged & binary).astype(bool) | kept.astype(bool)


@dataclass(frozen=True)
class _Components:
    labels: np.ndarray  # int32 label image, 0 = background
    boxes: np.ndarray  # (n, 4): x, y, width, height
    areas: np.ndarray  # (n,)
    strength: np.ndarray  # (n,): strongest ink in each component
    mass: np.ndarray  # (n,): total ink in each component


def _components(mask: np.ndarray, ink: np.ndarray) -> _Components:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    flat_labels, flat_ink = labels.ravel(), ink.ravel()
    strength = np.zeros(count, np.float32)
    np.maximum.at(strength, flat_labels, flat_ink)
    mass = np.bincount(flat_labels, weights=flat_ink, minlength=count)
    return _Components(labels, stats[:, :4], stats[:, cv2.CC_STAT_AREA], strength, mass)


def _grow_group(parts: _Components, main: int, candidates: np.ndarray) -> np.ndarray:
    """The main component plus the strokes close to it (a 5's flag, a broken pencil line)."""
    group = np.zeros(len(parts.areas), bool)
    group[main] = True
    x0, y0, x1, y1 = _box(parts.boxes[main])
    while True:
        reach = 0.25 * max(y1 - y0, x1 - x0)
        near = (
            candidates
            & ~group
            & (parts.boxes[:, 0] <= x1 + reach)
            & (parts.boxes[:, 0] + parts.boxes[:, 2] >= x0 - reach)
            & (parts.boxes[:, 1] <= y1 + reach)
            & (parts.boxes[:, 1] + parts.boxes[:, 3] >= y0 - reach)
            & (parts.mass >= 0.04 * parts.mass[main])
        )
        if not near.any():
            return group
        group |= near
        boxes = parts.boxes[group]
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()


def _box(box: np.ndarray) -> tuple[int, int, int, int]:
    x, y, width, height = (int(v) for v in box)
    return x, y, x + width, y + height


def stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width: twice the area over the length of all outlines."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(contour, True) for contour in contours)
    return 2.0 * float(mask.sum()) / max(perimeter, 1.0)


def find_strokes(gray: np.ndarray) -> Strokes:
    """The strokes of the one digit in a grayscale photo; raises `NoDigitFound`."""
    if not writing_is_dark(gray):
        gray = 255 - gray
    ink = ink_map(gray)
    mask = remove_ruled_lines(ink > WEAK_INK)
    parts = _components(mask, ink)
    height, width = gray.shape
    min_area = max(4, int(height * width * 2e-5))
    candidates = (parts.strength >= STRONG_INK) & (parts.areas >= min_area)
    candidates[0] = False  # label 0 is the background
    if not candidates.any():
        raise NoDigitFound("no strokes dark enough to be writing")

    main = int(np.argmax(np.where(candidates, parts.mass, -1)))
    group = _grow_group(parts, main, candidates)
    boxes = parts.boxes[group]
    x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
    x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()
    if x0 <= 0 or y0 <= 0 or x1 >= width or y1 >= height:
        raise DigitCutOff("the writing runs off the edge of the picture")
    box_height, box_width = y1 - y0, x1 - x0
    if max(box_height, box_width) < MIN_DIGIT_SIDE * min(height, width):
        raise NoDigitFound("only specks, too small to be a digit")

    crop = np.isin(parts.labels[y0:y1, x0:x1], np.flatnonzero(group))
    width_of_strokes = stroke_width(crop)
    fill = crop.sum() / crop.size
    bar_like = box_height > 2.5 * box_width  # a 1 fills its narrow box
    if box_width > 2.2 * box_height:
        raise NoDigitFound("wider than any single digit")
    if not bar_like and (fill > MAX_FILL or width_of_strokes > MAX_STROKE * box_height):
        raise NoDigitFound("a solid shape, not pen strokes")
    return Strokes(mask=crop, stroke_width=width_of_strokes)
