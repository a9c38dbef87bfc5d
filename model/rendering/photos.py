"""Whole photos: a digit (or a number, or nothing) written on a surface and photographed.

`render` and `render_negative` make one photo file of a condition; `photo_set` makes a
reproducible set of every condition; `compose_number` joins MNIST digits into a number.
"""

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from model.reading.digits import DIGITS, SIDE
from model.rendering.camera import encode, glow, light, optics, sensor
from model.rendering.framing import View, place
from model.rendering.noise import uniform
from model.rendering.scenes import (
    CONDITIONS,
    INKS,
    NEGATIVE_CONDITIONS,
    NEGATIVE_SCENES,
    PENS,
    SCENES,
    Scene,
    scene_of,
)
from model.rendering.strokes import Shape, paste, strokes, write
from model.rendering.surfaces import on_table, screen, show_through, surface_of

# --------------------------------------------------------------------------------------
# What is generated


@dataclass(frozen=True)
class Sample:
    condition: str  # e.g. "ruled-paper"
    data: bytes  # the encoded image file (JPEG mostly; PNG for paint-app)
    label: int | None  # the digit, or None for blank / non-digit photos



RENDER_LIMIT = 1600  # larger photos are rendered at this long side, then scaled up


def frame_sizes(condition: str) -> set[tuple[int, int]]:
    """Every (width, height) a photo of `condition` can have, as stored in its file."""
    scene = scene_of(condition)
    sizes = {(w, h) for w, h, _ in scene.sizes}
    if scene.file == "original":  # portrait originals are stored landscape plus EXIF
        sizes |= {(h, w) for w, h in sizes}
    if scene.long_side:
        sizes = {_scaled((w, h), scene.long_side) for w, h in sizes}
    return sizes


def compose_number(digits: Sequence[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """MNIST digits side by side as one handwritten number: (28, width), white on black.

    Each digit is cropped to its ink and followed by a gap of 2 to 7 MNIST pixels (a
    quarter to a whole digit's width), and moved up or down by up to 1.5 pixels, as a
    hand does along a line.
    """
    pieces = []
    for digit in digits:
        digit = _digit_array(digit)
        columns = np.flatnonzero(digit.max(axis=0) > 0.1)
        crop = digit[:, columns[0] : columns[-1] + 1] if columns.size else digit[:, 10:18]
        shift = np.float32([[1, 0, 0], [0, 1, rng.uniform(-1.5, 1.5)]])
        crop = cv2.warpAffine(crop, shift, (crop.shape[1], SIDE))
        gap = np.zeros((SIDE, int(rng.integers(2, 8))), np.float32)
        pieces += [crop, gap]
    margin = np.zeros((SIDE, 4), np.float32)
    return np.hstack([margin, *pieces[:-1], margin])


def render(digit: np.ndarray, condition: str, rng: np.random.Generator) -> bytes:
    """A photo file of `digit` ((28, 28), 0..1, white on black) taken under `condition`.

    `digit` may also be a number from `compose_number`, (28, width).
    """
    if condition not in SCENES:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    return _photograph(SCENES[condition], _digit_array(digit), rng)


def render_negative(
    condition: str, rng: np.random.Generator, digit: np.ndarray | None = None
) -> bytes:
    """A photo file with no readable digit; "cut-off-digit" needs the `digit` to cut off."""
    if condition not in NEGATIVE_SCENES:
        raise ValueError(f"unknown condition {condition!r}; expected one of {NEGATIVE_CONDITIONS}")
    scene = NEGATIVE_SCENES[condition]
    if scene.place == "cut":
        if digit is None:
            raise ValueError("cut-off-digit photos need a digit to cut off")
        return _photograph(scene, _digit_array(digit), rng)
    return _photograph(scene, None, rng)


def photo_set(
    images: np.ndarray,
    labels: np.ndarray,
    per_condition: int = 50,
    negatives_per_condition: int = 50,
    seed: int = 2026,
    conditions: Sequence[str] | None = None,
) -> list[Sample]:
    """Photos of every condition (or of `conditions`), the same for the same arguments.

    Digits are taken from `images` in their order: the k-th photo of a condition shows a
    `k % 10` (0, 1, 2, ... 9, 0, ...), each condition has its own run of the images, and
    none is used twice while enough are left. A condition's photos do not depend on which
    other conditions are asked for.
    """
    wanted = set(CONDITIONS + NEGATIVE_CONDITIONS if conditions is None else conditions)
    unknown = wanted - set(CONDITIONS + NEGATIVE_CONDITIONS)
    if unknown:
        raise ValueError(f"unknown conditions: {sorted(unknown)}")
    images = np.asarray(images, np.float32).reshape(-1, SIDE, SIDE)
    labels = np.asarray(labels).reshape(-1)
    order = _DigitOrder(labels, max(per_condition, negatives_per_condition))
    samples = []
    for run, condition in enumerate(CONDITIONS + NEGATIVE_CONDITIONS):
        if condition not in wanted:
            continue
        negative = condition in NEGATIVE_SCENES
        for k in range(negatives_per_condition if negative else per_condition):
            index = order.index(run, k)
            rng = _rng(seed, condition, k)
            if negative:
                digit = images[index] if NEGATIVE_SCENES[condition].place == "cut" else None
                samples.append(Sample(condition, render_negative(condition, rng, digit), None))
            else:
                data = render(images[index], condition, rng)
                samples.append(Sample(condition, data, int(labels[index])))
    return samples


class _DigitOrder:
    """Which image the k-th photo of the `run`-th condition shows: one of label k % 10."""

    def __init__(self, labels: np.ndarray, per_run: int) -> None:
        self._indices = [np.flatnonzero(labels == digit) for digit in range(DIGITS)]
        self._labels = [digit for digit in range(DIGITS) if len(self._indices[digit])]
        if not self._labels:
            raise ValueError("no images of any digit 0..9")
        self._per_label = -(-per_run // len(self._labels))  # images of a label per run

    def index(self, run: int, k: int) -> int:
        digit = self._labels[k % len(self._labels)]
        indices = self._indices[digit]
        position = run * self._per_label + k // len(self._labels)
        return int(indices[position % len(indices)])


def _rng(seed: int, condition: str, k: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(condition.encode()), k])



def _digit_array(digit: np.ndarray) -> np.ndarray:
    """A 28x28 digit, or a 28-pixel-high number, as a float (28, width) array."""
    digit = np.asarray(digit, np.float32)
    if digit.size == SIDE * SIDE:
        return digit.reshape(SIDE, SIDE)
    if digit.ndim != 2 or digit.shape[0] != SIDE:
        raise ValueError(f"expected a 28x28 digit or a (28, width) number, got {digit.shape}")
    return digit


def _scaled(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    scale = long_side / max(size)
    return round(size[0] * scale), round(size[1] * scale)


# --------------------------------------------------------------------------------------
# The whole photo


def _photograph(scene: Scene, digit: np.ndarray | None, rng: np.random.Generator) -> bytes:
    sizes = scene.sizes
    weights = np.array([weight for *_, weight in sizes])
    width, height, _ = sizes[rng.choice(len(sizes), p=weights / weights.sum())]
    if scene.surface == "canvas":
        return _paint_app(digit, scene, width, height, rng)

    scale = min(1.0, RENDER_LIMIT / max(width, height))
    w, h = round(width * scale), round(height * scale)
    view = View.random(w, h, scene, rng)
    shape = Shape.of(digit) if digit is not None else None

    ink_box = None  # the digit's extent in the frame: (x0, y0, x1, y1)
    if shape is not None:
        centre, ink_height = place(shape, view, scene, rng)
        ink_box = view.frame_box(shape, centre, ink_height)
        unit = ink_height * view.scale_at(centre)  # the digit's height on the page
    else:  # no digit: `unit` still sets the size of ruled lines and squares
        centre, unit = (w / 2, h / 2), h * uniform(rng, (0.3, 0.5))

    surface = scene.surface
    if surface == "any-paper":
        surface = str(rng.choice(["plain", "plain", "ruled", "squared"]))
    page = surface_of(surface, w, h, unit, rng)
    if rng.random() < scene.show_through:
        show_through(page, unit, rng)

    page_centre = view.to_page(centre)
    if shape is not None:
        pen = PENS[str(rng.choice(scene.pens))]
        ink = INKS[str(rng.choice(scene.inks))]
        if surface == "screen":
            page = screen(page, shape, digit, page_centre, unit, view, rng)
        else:
            write(page, shape, page_centre, unit, pen, ink, rng)

    if rng.random() < scene.table:
        page = on_table(page, view, page_centre, unit, shape, rng)

    frame = cv2.warpPerspective(
        page, view.frame_to_page, (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
    )
    frame = light(frame, scene, ink_box, rng)
    if scene.surface == "screen":
        frame = glow(frame, rng)
    frame = cv2.convertScaleAbs(frame)  # 8 bits from here on: blurs are far faster
    frame = optics(frame, scene, rng)
    frame = sensor(frame, scene, rng)
    if (w, h) != (width, height):
        frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_CUBIC)
    if scene.long_side and max(width, height) > scene.long_side:
        frame = cv2.resize(
            frame, _scaled((width, height), scene.long_side), interpolation=cv2.INTER_AREA
        )
    return encode(frame, scene, rng)



def _paint_app(
    digit: np.ndarray | None, scene: Scene, w: int, h: int, rng: np.random.Generator
) -> bytes:
    """Black brush strokes on a white canvas, saved as PNG: no camera at all."""
    if digit is None:
        raise ValueError("paint-app photos need a digit")
    shape = Shape.of(digit)
    ink_height = uniform(rng, scene.height) * h
    ink_height = min(ink_height, 0.85 * w / max(shape.aspect, 0.3))
    width = uniform(rng, PENS["brush"].width) * ink_height
    coverage, middle = strokes(shape, ink_height, width, PENS["brush"], rng)
    alpha = np.zeros((h, w, 1), np.float32)
    centre = (w / 2 + rng.uniform(-0.1, 0.1) * w, h / 2 + rng.uniform(-0.1, 0.1) * h)
    paste(alpha, coverage, (centre[0] - middle[0], centre[1] - middle[1]), np.ones(1), True)
    ink = np.round(alpha[..., 0] * 255).astype(np.uint8)
    if rng.random() < 0.25:  # exported with a transparent background: black ink, alpha
        pixels = np.dstack([np.zeros((h, w, 3), np.uint8), ink])
    else:
        pixels = np.repeat((255 - ink)[..., None], 3, axis=2)
    ok, data = cv2.imencode(".png", pixels)  # black and white: channel order does not matter
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()
