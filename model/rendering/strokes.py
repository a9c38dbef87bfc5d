"""A digit as a pen writes it: MNIST's centre lines drawn again with any pen's stroke."""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from model.rendering.noise import noise, uniform
from model.rendering.scenes import Pen
from model.rendering.thinning import centre_lines_and_half_widths

WORK = 8  # the digit's centre lines are found at 8x MNIST's resolution
LOST_INK = 0.05  # share of the ink that may lie beyond the centre lines drawn at MNIST's width


@dataclass(frozen=True)
class Shape:
    """An MNIST digit as a pen's path: centre lines, and blobs too thick to be one stroke."""

    distance: np.ndarray  # float32, 8x the digit plus padding: to the nearest path pixel
    box: tuple[int, int, int, int]  # the ink's (x0, y0, x1, y1) in `distance`, inclusive
    points: np.ndarray  # (n, 2) ink pixels relative to the box's centre, in ink heights
    bold: bool  # drawn as MNIST's own shape, at its own width, not along centre lines

    PAD = 40

    @classmethod
    def of(cls, digit: np.ndarray) -> "Shape":
        size = (digit.shape[1] * WORK, digit.shape[0] * WORK)
        big = cv2.resize(digit, size, interpolation=cv2.INTER_CUBIC)
        big = cv2.GaussianBlur(big, (0, 0), WORK * 0.45)
        ink = big > 0.4 * max(float(big.max()), 1e-3)
        ink = np.pad(ink, cls.PAD)
        path, half_widths = centre_lines_and_half_widths(ink)
        # Blobs: the parts a disk twice as wide as the digit's typical stroke fits in, which
        # no stroke or crossing does: mostly a small loop MNIST's thick pen closed up.
        stroke = float(np.median(half_widths)) if path.any() else WORK
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(4 * stroke) | 1,) * 2)
        blobs = cv2.morphologyEx(ink.astype(np.uint8), cv2.MORPH_OPEN, disk).astype(bool)
        # Thinning a digit whose strokes are as wide as they are long (a bold 3's arms) can
        # lose whole strokes, and a 3 would come out as a ")". Such a digit is drawn as MNIST
        # has it, whatever the pen, rather than labelled with a digit the photo does not show.
        reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (int(1.5 * stroke) * 2 + 1,) * 2)
        drawn = cv2.dilate((path | blobs).astype(np.uint8), reach).astype(bool)
        bold = bool((ink & ~drawn).sum() > LOST_INK * ink.sum())
        if bold:
            blobs = ink
        else:  # a pen leaves such a loop as a loop: its outline, not a filled blot
            inside = cv2.erode(blobs.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
            blobs &= ~inside
            path &= ~inside
        background = np.where(path | blobs, 0, 1).astype(np.uint8)
        distance = cv2.distanceTransform(background, cv2.DIST_L2, 5)
        ys, xs = np.nonzero(ink)
        box = (int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max()))
        height = box[3] - box[1] + 1
        middle = np.array([(box[0] + box[2]) / 2, (box[1] + box[3]) / 2])
        points = (np.stack([xs, ys], axis=1)[::7] - middle) / height
        return cls(distance, box, points, bold)

    @property
    def aspect(self) -> float:
        x0, y0, x1, y1 = self.box
        return (x1 - x0 + 1) / (y1 - y0 + 1)


def strokes(
    shape: Shape, ink_height: float, width: float, pen: Pen, rng: np.random.Generator
) -> tuple[np.ndarray, tuple[float, float]]:
    """Anti-aliased pen coverage (0..1) of the digit `ink_height` pixels tall.

    Returns the coverage and where the ink box's centre lies in it.
    """
    x0, y0, x1, y1 = shape.box
    scale = ink_height / (y1 - y0 + 1)  # output pixels per work pixel
    radius = 0.5 if shape.bold else max(width, 1.6) / 2  # output pixels
    margin = math.ceil((radius * (1 + 2 * pen.ragged) + 2) / scale) + 1
    top, left = max(y0 - margin, 0), max(x0 - margin, 0)
    distance = shape.distance[top : y1 + margin + 1, left : x1 + margin + 1]
    size = (max(1, round(distance.shape[1] * scale)), max(1, round(distance.shape[0] * scale)))
    if scale >= 1:
        distance = cv2.resize(distance, size, interpolation=cv2.INTER_LINEAR) * scale
        if pen.ragged:
            distance = distance + pen.ragged * radius * noise(*distance.shape, radius, rng)
        coverage = np.clip(radius - distance + 0.5, 0, 1)
    else:  # draw at work resolution, then average down: thin strokes stay anti-aliased
        if pen.ragged:
            distance = distance + pen.ragged * radius / scale * noise(
                *distance.shape, radius / scale, rng
            )
        coverage = np.clip((radius / scale - distance) * scale + 0.5, 0, 1)
        coverage = cv2.resize(coverage, size, interpolation=cv2.INTER_AREA)
    coverage = coverage.astype(np.float32) * uniform(rng, pen.opacity)
    if pen.grain:  # graphite and chalk catch only on the surface's bumps
        speckle = 1 - pen.grain * 0.35 + pen.grain * 0.45 * noise(*coverage.shape, 1.0, rng)
        coverage *= np.clip(speckle, 0, 1)
    else:  # ink flows a little unevenly
        coverage *= 1 - 0.08 * np.abs(noise(*coverage.shape, 6 * radius, rng))
    middle = (((x0 + x1) / 2 - left + 0.5) * scale - 0.5, ((y0 + y1) / 2 - top + 0.5) * scale - 0.5)
    return coverage, middle


def write(
    page: np.ndarray,
    shape: Shape,
    centre: tuple[float, float],
    ink_height: float,
    pen: Pen,
    ink: tuple[float, float, float],
    rng: np.random.Generator,
) -> None:
    """Write the digit on `page` (float RGB albedo) with its ink box centred at `centre`."""
    width = uniform(rng, pen.width) * ink_height
    coverage, middle = strokes(shape, ink_height, width, pen, rng)
    colour = np.clip(np.array(ink, np.float32) + rng.uniform(-0.03, 0.03, 3), 0, 1)
    paste(page, coverage, (centre[0] - middle[0], centre[1] - middle[1]), colour, pen.opaque)


def paste(
    page: np.ndarray,
    coverage: np.ndarray,
    origin: tuple[float, float],
    colour: np.ndarray,
    opaque: bool,
) -> None:
    """Lay `coverage` at `origin` (its top-left corner on the page), clipped to the page."""
    x, y = round(origin[0]), round(origin[1])
    ph, pw = page.shape[:2]
    ch, cw = coverage.shape
    x0, y0, x1, y1 = max(x, 0), max(y, 0), min(x + cw, pw), min(y + ch, ph)
    if x0 >= x1 or y0 >= y1:
        return
    alpha = coverage[y0 - y : y1 - y, x0 - x : x1 - x, None]
    region = page[y0:y1, x0:x1]
    if opaque:
        region[:] = region * (1 - alpha) + colour * alpha
    else:  # ink filters the light the paper reflects
        region *= 1 - alpha * (1 - colour)
