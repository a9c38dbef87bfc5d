"""Phone photos of handwritten digits and numbers, made from MNIST digits.

The benchmark renders MNIST's *test* digits; anything trained on rendered photos uses
the *training* digits, so the two never share a digit.

A digit becomes pen strokes along its centre line (a ballpoint draws thin lines and a marker
thick ones, whatever MNIST's own pen was), written on a surface (plain, ruled or squared
paper, a chalkboard, a monitor, a drawing app's canvas) that a phone then photographs:
perspective and rotation, uneven light and shadows, lens blur and sharpening, sensor noise,
JPEG at the sizes Telegram sends. Each condition changes one thing of a mild default scene.
Negative conditions are photos the bot must not answer with a digit: blank pages and
boards, photos of other things, and digits mostly outside the frame.

    from model.photoset import photo_set
    samples = photo_set(mnist.test.images, mnist.test.labels, per_condition=20)

Everything is whole-array numpy and OpenCV: a 1280x960 photo takes 50-100 ms on one core.
"""

import functools
import io
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import cv2
import numpy as np
from PIL import Image

from model.thinning import centre_lines_and_half_widths

# --------------------------------------------------------------------------------------
# What is generated


@dataclass(frozen=True)
class Sample:
    condition: str  # e.g. "ruled-paper"
    data: bytes  # the encoded image file (JPEG mostly; PNG for paint-app)
    label: int | None  # the digit, or None for blank / non-digit photos


@dataclass(frozen=True)
class Pen:
    width: tuple[float, float]  # stroke width / the digit's height
    opacity: tuple[float, float]
    grain: float = 0.0  # 0: even ink; 1: broken up by the surface's texture (pencil, chalk)
    ragged: float = 0.0  # unevenness of the stroke's edges, in stroke radii
    opaque: bool = False  # covers the surface (chalk, paint) instead of tinting it like ink


PENS = {
    "ballpoint": Pen(width=(0.022, 0.036), opacity=(0.82, 0.95)),
    "pencil": Pen(width=(0.02, 0.032), opacity=(0.55, 0.75), grain=0.8, ragged=0.15),
    "felt": Pen(width=(0.055, 0.08), opacity=(0.9, 0.97)),
    "marker": Pen(width=(0.11, 0.15), opacity=(0.95, 1.0)),
    "chalk": Pen(width=(0.05, 0.08), opacity=(0.75, 0.92), grain=0.7, ragged=0.3, opaque=True),
    "brush": Pen(width=(0.04, 0.09), opacity=(1.0, 1.0), opaque=True),
}

# Albedo (share of light reflected) per RGB channel.
INKS = {
    "black": (0.11, 0.11, 0.14),
    "blue": (0.14, 0.22, 0.58),
    "red": (0.78, 0.16, 0.17),
    "green": (0.12, 0.38, 0.22),
    "graphite": (0.36, 0.36, 0.39),
    "chalk": (0.9, 0.9, 0.86),
    "yellow-chalk": (0.93, 0.87, 0.52),
    "paint": (0.0, 0.0, 0.0),
}

# (width, height, weight): Telegram's photo mode sends 1280 or 2560 px on the long side.
PHONE_SIZES = (
    (960, 1280, 0.38), (1280, 960, 0.26), (720, 1280, 0.08), (1280, 720, 0.08),
    (1920, 2560, 0.12), (2560, 1920, 0.08),
)
DOCUMENT_SIZES = ((4000, 3000, 0.3), (3000, 4000, 0.3), (4032, 3024, 0.2), (3024, 4032, 0.2))
CANVAS_SIZES = ((1080, 1080, 0.3), (800, 600, 0.25), (1024, 768, 0.25), (1080, 1920, 0.2))
RENDER_LIMIT = 1600  # larger photos are rendered at this long side, then scaled up
LIGHT_FACTOR = 4  # light and shadows are worked out at 1/4 of the size: they vary smoothly


@dataclass(frozen=True)
class Scene:
    """Ranges the photo's properties are drawn from; a condition changes a few of them."""

    surface: str = "plain"  # plain | ruled | squared | any-paper | board | screen | canvas | object
    pens: tuple[str, ...] = ("ballpoint",)
    inks: tuple[str, ...] = ("black", "blue")
    height: tuple[float, float] = (0.3, 0.5)  # the digit's ink height / the frame's height
    place: str = "centre"  # centre | edge | cut
    tilt: tuple[float, float] = (0.0, 5.0)  # |rotation of the page in the photo|, degrees
    keystone: float = 0.03  # perspective: corner displacement / frame side
    gradient: tuple[float, float] = (0.05, 0.25)  # light falloff across the frame
    vignette: tuple[float, float] = (0.0, 0.15)
    shadow: str = "soft"  # none | soft | cast | any
    lens_blur: tuple[float, float] = (0.4, 0.9)  # Gaussian sigma, pixels
    defocus: bool = False
    sharpen: tuple[float, float] = (0.2, 0.6)
    noise: tuple[float, float] = (1.5, 3.5)  # sensor noise sigma, grey levels
    quality: tuple[int, int] = (70, 92)  # JPEG quality
    sizes: tuple[tuple[int, int, float], ...] = PHONE_SIZES
    long_side: int | None = None  # scaled down to this long side before encoding
    show_through: float = 0.0  # chance of writing showing through from the back of the page
    table: float = 0.0  # chance that the page's edge and the table around it are in the frame
    file: str = "jpeg"  # jpeg | png | original (a camera's own file, with EXIF orientation)


_MILD = Scene()
_SCENES = {
    "clean-white-paper": replace(
        _MILD, inks=("black",), height=(0.35, 0.45), tilt=(0, 2), gradient=(0, 0.08),
        vignette=(0, 0.05), shadow="none",
    ),
    "blue-ballpoint": replace(_MILD, inks=("blue",)),
    "red-ballpoint": replace(_MILD, inks=("red",)),
    "pencil": replace(_MILD, pens=("pencil",), inks=("graphite",)),
    "felt-pen": replace(_MILD, pens=("felt",), inks=("black", "blue", "green")),
    "marker": replace(_MILD, pens=("marker",), inks=("black", "blue")),
    "ruled-paper": replace(_MILD, surface="ruled"),
    "squared-paper": replace(_MILD, surface="squared"),
    "uneven-light": replace(_MILD, gradient=(0.4, 0.6), vignette=(0.25, 0.45), noise=(3, 6)),
    "shadow": replace(_MILD, shadow="cast"),
    "small-digit": replace(_MILD, height=(0.1, 0.15)),
    "large-digit": replace(_MILD, height=(0.7, 0.9)),
    "off-centre": replace(_MILD, place="edge"),
    "rotated": replace(_MILD, tilt=(10, 20)),
    "blurred": replace(_MILD, defocus=True, sharpen=(0, 0.1)),
    "low-jpeg": replace(_MILD, quality=(20, 40), long_side=640),
    "show-through": replace(_MILD, show_through=1.0),
    "paper-edge": replace(_MILD, table=1.0, tilt=(2, 12), surface="any-paper"),
    "chalkboard": replace(
        _MILD, surface="board", pens=("chalk",), inks=("chalk", "chalk", "yellow-chalk"),
        noise=(2.5, 5),
    ),
    "paint-app": replace(
        _MILD, surface="canvas", pens=("brush",), inks=("paint",), height=(0.3, 0.7),
        sizes=CANVAS_SIZES, file="png",
    ),
    "screen": replace(
        _MILD, surface="screen", pens=("brush",), inks=("paint",), gradient=(0, 0.1),
        vignette=(0.1, 0.3), shadow="none", keystone=0.05,
    ),
    "document-12mp": replace(_MILD, sizes=DOCUMENT_SIZES, quality=(90, 96), file="original"),
}
_NEGATIVE_SCENES = {
    "blank-page": replace(_MILD, surface="any-paper", shadow="any", show_through=0.25, table=0.3),
    "blank-board": replace(_SCENES["chalkboard"], shadow="any"),
    "non-digit-object": replace(_MILD, surface="object", tilt=(0, 2), keystone=0.01),
    "cut-off-digit": replace(
        _MILD, surface="any-paper", place="cut", pens=("ballpoint", "felt", "marker"),
        height=(0.35, 0.6), tilt=(0, 4),
    ),
}

CONDITIONS: tuple[str, ...] = tuple(_SCENES)
NEGATIVE_CONDITIONS: tuple[str, ...] = tuple(_NEGATIVE_SCENES)


def frame_sizes(condition: str) -> set[tuple[int, int]]:
    """Every (width, height) a photo of `condition` can have, as stored in its file."""
    scene = _scene(condition)
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
        crop = cv2.warpAffine(crop, shift, (crop.shape[1], 28))
        gap = np.zeros((28, int(rng.integers(2, 8))), np.float32)
        pieces += [crop, gap]
    margin = np.zeros((28, 4), np.float32)
    return np.hstack([margin, *pieces[:-1], margin])


def render(digit: np.ndarray, condition: str, rng: np.random.Generator) -> bytes:
    """A photo file of `digit` ((28, 28), 0..1, white on black) taken under `condition`.

    `digit` may also be a number from `compose_number`, (28, width).
    """
    if condition not in _SCENES:
        raise ValueError(f"unknown condition {condition!r}; expected one of {CONDITIONS}")
    return _photograph(_SCENES[condition], _digit_array(digit), rng)


def render_negative(
    condition: str, rng: np.random.Generator, digit: np.ndarray | None = None
) -> bytes:
    """A photo file with no readable digit; "cut-off-digit" needs the `digit` to cut off."""
    if condition not in _NEGATIVE_SCENES:
        raise ValueError(f"unknown condition {condition!r}; expected one of {NEGATIVE_CONDITIONS}")
    scene = _NEGATIVE_SCENES[condition]
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
    images = np.asarray(images, np.float32).reshape(-1, 28, 28)
    labels = np.asarray(labels).reshape(-1)
    order = _DigitOrder(labels, max(per_condition, negatives_per_condition))
    samples = []
    for run, condition in enumerate(CONDITIONS + NEGATIVE_CONDITIONS):
        if condition not in wanted:
            continue
        negative = condition in _NEGATIVE_SCENES
        for k in range(negatives_per_condition if negative else per_condition):
            index = order.index(run, k)
            rng = _rng(seed, condition, k)
            if negative:
                digit = images[index] if _NEGATIVE_SCENES[condition].place == "cut" else None
                samples.append(Sample(condition, render_negative(condition, rng, digit), None))
            else:
                data = render(images[index], condition, rng)
                samples.append(Sample(condition, data, int(labels[index])))
    return samples


class _DigitOrder:
    """Which image the k-th photo of the `run`-th condition shows: one of label k % 10."""

    def __init__(self, labels: np.ndarray, per_run: int) -> None:
        self._indices = [np.flatnonzero(labels == digit) for digit in range(10)]
        self._labels = [digit for digit in range(10) if len(self._indices[digit])]
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


def _scene(condition: str) -> Scene:
    scene = _SCENES.get(condition) or _NEGATIVE_SCENES.get(condition)
    if scene is None:
        raise ValueError(f"unknown condition {condition!r}")
    return scene


def _digit_array(digit: np.ndarray) -> np.ndarray:
    """A 28x28 digit, or a 28-pixel-high number, as a float (28, width) array."""
    digit = np.asarray(digit, np.float32)
    if digit.size == 28 * 28:
        return digit.reshape(28, 28)
    if digit.ndim != 2 or digit.shape[0] != 28:
        raise ValueError(f"expected a 28x28 digit or a (28, width) number, got {digit.shape}")
    return digit


def _scaled(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    scale = long_side / max(size)
    return round(size[0] * scale), round(size[1] * scale)


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


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
    view = _View.random(w, h, scene, rng)
    shape = _Shape.of(digit) if digit is not None else None

    ink_box = None  # the digit's extent in the frame: (x0, y0, x1, y1)
    if shape is not None:
        centre, ink_height = _place(shape, view, scene, rng)
        ink_box = view.frame_box(shape, centre, ink_height)
        unit = ink_height * view.scale_at(centre)  # the digit's height on the page
    else:  # no digit: `unit` still sets the size of ruled lines and squares
        centre, unit = (w / 2, h / 2), h * _uniform(rng, (0.3, 0.5))

    surface = scene.surface
    if surface == "any-paper":
        surface = str(rng.choice(["plain", "plain", "ruled", "squared"]))
    page = _surface(surface, w, h, unit, rng)
    if rng.random() < scene.show_through:
        _show_through(page, unit, rng)

    page_centre = view.to_page(centre)
    if shape is not None:
        pen = PENS[str(rng.choice(scene.pens))]
        ink = INKS[str(rng.choice(scene.inks))]
        if surface == "screen":
            page = _screen(page, shape, digit, page_centre, unit, view, rng)
        else:
            _write(page, shape, page_centre, unit, pen, ink, rng)

    if rng.random() < scene.table:
        page = _on_table(page, view, page_centre, unit, shape, rng)

    frame = cv2.warpPerspective(
        page, view.frame_to_page, (w, h),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REPLICATE,
    )
    frame = _light(frame, scene, ink_box, rng)
    if scene.surface == "screen":
        frame = _glow(frame, rng)
    frame = cv2.convertScaleAbs(frame)  # 8 bits from here on: blurs are far faster
    frame = _optics(frame, scene, rng)
    frame = _sensor(frame, scene, rng)
    if (w, h) != (width, height):
        frame = cv2.resize(frame, (width, height), interpolation=cv2.INTER_CUBIC)
    if scene.long_side and max(width, height) > scene.long_side:
        frame = cv2.resize(
            frame, _scaled((width, height), scene.long_side), interpolation=cv2.INTER_AREA
        )
    return _encode(frame, scene, rng)


@dataclass(frozen=True)
class _View:
    """Where the phone looks: a homography from frame pixels to page pixels."""

    width: int
    height: int
    tilt: float  # degrees
    frame_to_page: np.ndarray
    page_to_frame: np.ndarray

    @classmethod
    def random(cls, w: int, h: int, scene: Scene, rng: np.random.Generator) -> "_View":
        tilt = _uniform(rng, scene.tilt) * rng.choice([-1.0, 1.0])
        angle = math.radians(tilt)
        rotation = np.array([[math.cos(angle), math.sin(angle)],
                             [-math.sin(angle), math.cos(angle)]])
        corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
        middle = np.array([w / 2, h / 2])
        quad = (corners - middle) @ rotation.T
        quad += rng.uniform(-1, 1, (4, 2)) * scene.keystone * min(w, h)
        # Shrink the quad about the middle until it lies on the page: no border in sight.
        room = np.array([w / 2 - 1, h / 2 - 1])
        shrink = min(1.0, float(np.min(room / np.maximum(np.abs(quad), 1e-6))))
        quad = quad * shrink + middle
        frame_to_page = cv2.getPerspectiveTransform(
            corners.astype(np.float32), quad.astype(np.float32)
        )
        return cls(w, h, tilt, frame_to_page, np.linalg.inv(frame_to_page))

    def to_page(self, point: tuple[float, float]) -> tuple[float, float]:
        return tuple(_transform(self.frame_to_page, np.array([point]))[0])

    def scale_at(self, point: tuple[float, float]) -> float:
        """Page pixels per frame pixel around `point`."""
        step = np.array([point, (point[0], point[1] + 10.0)])
        mapped = _transform(self.frame_to_page, step)
        return float(np.linalg.norm(mapped[1] - mapped[0]) / 10.0)

    def ink_in_frame(
        self, shape: "_Shape", centre: tuple[float, float], ink_height: float
    ) -> np.ndarray:
        """Where the digit's ink pixels land in the frame, (n, 2)."""
        page_centre = np.array(self.to_page(centre))
        page_points = page_centre + shape.points * ink_height * self.scale_at(centre)
        return _transform(self.page_to_frame, page_points)

    def frame_box(
        self, shape: "_Shape", centre: tuple[float, float], ink_height: float
    ) -> tuple[float, float, float, float]:
        points = self.ink_in_frame(shape, centre, ink_height)
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        return float(x0), float(y0), float(x1), float(y1)

    def outside_share(
        self, shape: "_Shape", centre: tuple[float, float], ink_height: float
    ) -> float:
        """The share of the digit's ink that falls outside the frame."""
        x, y = self.ink_in_frame(shape, centre, ink_height).T
        inside = (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height)
        return 1.0 - float(inside.mean())


def _transform(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64), matrix)[:, 0]


# --------------------------------------------------------------------------------------
# The digit: its centre lines, then strokes of any pen along them


WORK = 8  # the digit's centre lines are found at 8x MNIST's resolution
LOST_INK = 0.05  # share of the ink that may lie beyond the centre lines drawn at MNIST's width


@dataclass(frozen=True)
class _Shape:
    """An MNIST digit as a pen's path: centre lines, and blobs too thick to be one stroke."""

    distance: np.ndarray  # float32, 8x the digit plus padding: to the nearest path pixel
    box: tuple[int, int, int, int]  # the ink's (x0, y0, x1, y1) in `distance`, inclusive
    points: np.ndarray  # (n, 2) ink pixels relative to the box's centre, in ink heights
    bold: bool  # drawn as MNIST's own shape, at its own width, not along centre lines

    PAD = 40

    @classmethod
    def of(cls, digit: np.ndarray) -> "_Shape":
        size = (digit.shape[1] * WORK, digit.shape[0] * WORK)
        big = cv2.resize(digit, size, interpolation=cv2.INTER_CUBIC)
        big = cv2.GaussianBlur(big, (0, 0), WORK * 0.45)
        ink = big > 0.4 * max(float(big.max()), 1e-3)
        ink = np.pad(ink, cls.PAD)
        path, half_widths = centre_lines_and_half_widths(ink)
        # A loop the writer filled in stays filled: opening keeps the parts a disk twice
        # as wide as the digit's typical stroke fits in, which no stroke or crossing does.
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


def _strokes(
    shape: _Shape, ink_height: float, width: float, pen: Pen, rng: np.random.Generator
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
            distance = distance + pen.ragged * radius * _noise(*distance.shape, radius, rng)
        coverage = np.clip(radius - distance + 0.5, 0, 1)
    else:  # draw at work resolution, then average down: thin strokes stay anti-aliased
        if pen.ragged:
            distance = distance + pen.ragged * radius / scale * _noise(
                *distance.shape, radius / scale, rng
            )
        coverage = np.clip((radius / scale - distance) * scale + 0.5, 0, 1)
        coverage = cv2.resize(coverage, size, interpolation=cv2.INTER_AREA)
    coverage = coverage.astype(np.float32) * _uniform(rng, pen.opacity)
    if pen.grain:  # graphite and chalk catch only on the surface's bumps
        speckle = 1 - pen.grain * 0.35 + pen.grain * 0.45 * _noise(*coverage.shape, 1.0, rng)
        coverage *= np.clip(speckle, 0, 1)
    else:  # ink flows a little unevenly
        coverage *= 1 - 0.08 * np.abs(_noise(*coverage.shape, 6 * radius, rng))
    middle = (((x0 + x1) / 2 - left + 0.5) * scale - 0.5, ((y0 + y1) / 2 - top + 0.5) * scale - 0.5)
    return coverage, middle


def _write(
    page: np.ndarray,
    shape: _Shape,
    centre: tuple[float, float],
    ink_height: float,
    pen: Pen,
    ink: tuple[float, float, float],
    rng: np.random.Generator,
) -> None:
    """Write the digit on `page` (float RGB albedo) with its ink box centred at `centre`."""
    width = _uniform(rng, pen.width) * ink_height
    coverage, middle = _strokes(shape, ink_height, width, pen, rng)
    colour = np.clip(np.array(ink, np.float32) + rng.uniform(-0.03, 0.03, 3), 0, 1)
    _paste(page, coverage, (centre[0] - middle[0], centre[1] - middle[1]), colour, pen.opaque)


def _paste(
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


def _place(
    shape: _Shape, view: _View, scene: Scene, rng: np.random.Generator
) -> tuple[tuple[float, float], float]:
    """The digit's centre in the frame and its ink height in frame pixels."""
    w, h = view.width, view.height
    ink_height = _uniform(rng, scene.height) * h
    if scene.place == "cut":
        return _place_cut(shape, view, ink_height, rng), ink_height
    margin = 0.025 * min(w, h)
    for _ in range(40):
        angle = math.radians(abs(view.tilt))
        half_w = (shape.aspect * math.cos(angle) + math.sin(angle)) * ink_height / 2
        half_h = (shape.aspect * math.sin(angle) + math.cos(angle)) * ink_height / 2
        room_x, room_y = w / 2 - half_w - margin, h / 2 - half_h - margin
        if room_x > 0 and room_y > 0:
            break
        ink_height *= 0.95  # too big to fit at this tilt: write it a little smaller
    if scene.place == "edge":  # near one edge or a corner, still whole
        x = rng.choice([-1.0, 1.0]) * room_x * rng.uniform(0.85, 1.0)
        y = rng.choice([-1.0, 1.0]) * room_y * rng.uniform(0.85, 1.0)
        if rng.random() < 0.5:  # an edge, not a corner
            if rng.random() < 0.5:
                x = rng.uniform(-0.5, 0.5) * room_x
            else:
                y = rng.uniform(-0.5, 0.5) * room_y
    else:
        x = rng.uniform(-1, 1) * min(room_x, 0.15 * w)
        y = rng.uniform(-1, 1) * min(room_y, 0.15 * h)
    centre = (w / 2 + x, h / 2 + y)
    # Perspective can push a corner of the digit out: pull it back in.
    for _ in range(5):
        x0, y0, x1, y1 = view.frame_box(shape, centre, ink_height)
        dx = max(margin - x0, 0) - max(x1 - (w - margin), 0)
        dy = max(margin - y0, 0) - max(y1 - (h - margin), 0)
        if dx == 0 and dy == 0:
            break
        centre = (centre[0] + dx, centre[1] + dy)
    return centre, ink_height


def _place_cut(
    shape: _Shape, view: _View, ink_height: float, rng: np.random.Generator
) -> tuple[float, float]:
    """A centre that leaves 50-75% of the digit's ink outside the frame, past one edge."""
    w, h = view.width, view.height
    target = rng.uniform(0.5, 0.75)
    # Left, right, top, bottom; a narrow digit (a 1) is cut across, not along its stroke.
    side = int(rng.integers(2, 4) if shape.aspect < 0.6 else rng.integers(4))
    along = rng.uniform(0.3, 0.7) * (h if side < 2 else w)
    outward = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]][side], np.float64)
    middle = np.array([w / 2, h / 2])
    middle[1 if side < 2 else 0] = along  # the position along the chosen edge
    reach = (w if side < 2 else h) / 2 + ink_height  # far enough to be wholly outside
    low, high = 0.0, reach
    for _ in range(24):  # bisect on how far out the centre is
        mid = (low + high) / 2
        centre = tuple(middle + outward * mid)
        if view.outside_share(shape, centre, ink_height) < target:
            low = mid
        else:
            high = mid
    return tuple(middle + outward * high)


# --------------------------------------------------------------------------------------
# Surfaces: float RGB albedo (0..1) in page pixels


BANK_SIDE = 2048


@functools.cache
def _noise_bank() -> np.ndarray:
    """Gaussian white noise to cut windows from: drawing fresh noise for every photo is slow."""
    return np.random.default_rng(0).standard_normal((BANK_SIDE, BANK_SIDE), dtype=np.float32)


def _white(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Unit Gaussian white noise, (h, w), read-only: a random window of the bank."""
    if h > BANK_SIDE or w > BANK_SIDE:
        return rng.standard_normal((h, w), dtype=np.float32)
    y, x = int(rng.integers(BANK_SIDE - h + 1)), int(rng.integers(BANK_SIDE - w + 1))
    return _noise_bank()[y : y + h, x : x + w]


def _noise(h: int, w: int, feature: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth random field, about unit variance, with blobs `feature` pixels across."""
    if feature <= 1:  # pixel-sized: the lens blurs it later
        return _white(h, w, rng)
    if feature <= 2:
        field = cv2.GaussianBlur(_white(h, w, rng), (0, 0), feature * 0.5)
    else:
        small = rng.standard_normal(
            (max(2, int(h / feature) + 2), max(2, int(w / feature) + 2)), dtype=np.float32
        )
        field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    field *= 1 / max(float(field[::5, ::5].std()), 1e-6)
    return field


def _surface(kind: str, w: int, h: int, unit: float, rng: np.random.Generator) -> np.ndarray:
    if kind == "board":
        return _board(w, h, unit, rng)
    if kind == "screen":  # the desk and wall around the monitor; the screen is drawn later
        return _wood(w, h, rng)
    if kind == "object":
        return _object(w, h, rng)
    page = _paper(w, h, rng)
    if kind == "ruled":
        _rule(page, unit, rng)
    elif kind == "squared":
        _square(page, unit, rng)
    return page


def _paper(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    tone = rng.uniform(0.86, 0.95) * (1 + rng.uniform(-0.012, 0.012, 3)).astype(np.float32)
    tone[2] -= rng.uniform(0, 0.03)  # most paper is a little warm
    grain = 0.022 * _noise(h, w, 1.0, rng)
    grain += 0.015 * _noise(h, w, 5, rng)
    grain += 0.02 * _noise(h, w, 0.3 * max(w, h), rng) + 1
    return cv2.merge([grain * float(t) for t in tone])


def _lines(length: int, spacing: float, width: float, rng: np.random.Generator) -> np.ndarray:
    """Anti-aliased coverage of evenly spaced lines across a 1-D axis."""
    position = (np.arange(length, dtype=np.float32) - rng.uniform(0, spacing)) % spacing
    distance = np.minimum(position, spacing - position)
    return np.clip(width / 2 - distance + 0.5, 0, 1)


def _tint(page: np.ndarray, coverage: np.ndarray, colour: tuple[float, float, float]) -> None:
    """Darken `page` by `coverage` (anything that broadcasts to its (h, w)) of a colour."""
    page *= 1 - coverage[..., None] * (1 - np.asarray(colour, np.float32))


def _rule(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """Blue lines the digit is written across, and a red margin line."""
    h, w = page.shape[:2]
    spacing = unit / rng.uniform(1.3, 2.2)
    width = max(1.2, spacing * rng.uniform(0.03, 0.05))
    rows = _lines(h, spacing, width, rng) * rng.uniform(0.5, 0.8)
    _tint(page, rows[:, None], (0.55, 0.7, 0.95))
    if rng.random() < 0.7:
        x = rng.uniform(0.05, 0.35) * w
        cols = np.clip(width * 0.8 - np.abs(np.arange(w, dtype=np.float32) - x) + 0.5, 0, 1)
        _tint(page, cols[None, :] * 0.7, (0.95, 0.42, 0.48))


def _square(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """A light grid, squares a third to a half of the digit's height."""
    h, w = page.shape[:2]
    spacing = unit / rng.uniform(2.0, 3.5)
    width = max(1.0, spacing * rng.uniform(0.03, 0.05))
    strength = rng.uniform(0.35, 0.6)
    rows, cols = _lines(h, spacing, width, rng), _lines(w, spacing, width, rng)
    grid = np.maximum(rows[:, None], cols[None, :]) * strength
    colour = (0.68, 0.8, 0.94) if rng.random() < 0.6 else (0.7, 0.7, 0.72)
    _tint(page, grid, colour)


def _faint_writing(
    w: int, h: int, unit: float, blur: float, rng: np.random.Generator, letters: str
) -> np.ndarray:
    """Lines of words blurred by `blur` pixels (sigma), coverage 0..1, lines about `unit` apart.

    Drawn and blurred at a quarter of the size: it is blurred anyway.
    """
    small = _writing(w // 4 + 1, h // 4 + 1, unit / 4, rng, letters)
    small = cv2.GaussianBlur(small, (0, 0), max(blur / 4, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _writing(w: int, h: int, unit: float, rng: np.random.Generator, letters: str) -> np.ndarray:
    """Lines of scribbled words, coverage 0..1, lines about `unit` apart."""
    canvas = np.zeros((h, w), np.uint8)
    spacing = unit / rng.uniform(1.2, 2.0)
    text_height = spacing * rng.uniform(0.35, 0.5)
    font = int(rng.choice([cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SIMPLEX]))
    scale = text_height / 22
    thickness = max(1, round(text_height * 0.1))
    y = rng.uniform(0.3, 1.0) * spacing
    while y < h:
        words = " ".join(
            "".join(rng.choice(list(letters), int(rng.integers(2, 9)))) for _ in range(40)
        )
        x = int(rng.uniform(0.02, 0.12) * w)
        cv2.putText(canvas, words, (x, int(y)), font, scale, 255, thickness, cv2.LINE_AA)
        y += spacing * rng.uniform(0.95, 1.05)
    return canvas.astype(np.float32) / 255


def _show_through(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """Writing on the back of the page: mirrored, blurred by the paper, faint."""
    h, w = page.shape[:2]
    blur = max(2.0, unit * rng.uniform(0.02, 0.035))
    back = _faint_writing(w, h, unit, blur, rng, "abcdefghijklmnopqrstuvwxyz")[:, ::-1]
    colour = INKS[str(rng.choice(["blue", "black"]))]
    _tint(page, back * rng.uniform(0.1, 0.18), colour)


def _board(w: int, h: int, unit: float, rng: np.random.Generator) -> np.ndarray:
    """A used chalkboard: dark paint, chalk dust, wiped streaks, ghosts of old writing."""
    colour = [(0.16, 0.26, 0.2), (0.12, 0.13, 0.14), (0.15, 0.18, 0.2)][int(rng.integers(3))]
    base = np.array(colour, np.float32) * rng.uniform(0.85, 1.15)
    texture = 1 + 0.05 * _noise(h, w, 1.0, rng) + 0.06 * _noise(h, w, 8, rng)
    dust = np.clip(_noise(h, w, 0.25 * max(w, h), rng), 0, None) * rng.uniform(0.02, 0.06)
    small = rng.standard_normal((h // 6 + 1, w // 6 + 1), dtype=np.float32)
    streaks = cv2.blur(small, (int(rng.integers(12, 40)), 1))
    streaks = cv2.resize(streaks, (w, h), interpolation=cv2.INTER_LINEAR)
    wiped = np.clip(streaks, 0, None) * rng.uniform(0.04, 0.1)
    light = dust + wiped
    if rng.random() < 0.6:
        blur = max(3.0, unit * rng.uniform(0.02, 0.05))
        ghosts = _faint_writing(w, h, unit, blur, rng, "abcdefghkmnprstwxyz+=-")
        light += ghosts * rng.uniform(0.03, 0.08)
    light = light[..., None] * np.float32(0.9)
    return texture[..., None] * base + light


def _wood(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A table: wood grain or a plain dark desk."""
    if rng.random() < 0.6:
        colour = np.array([0.45, 0.3, 0.18], np.float32) * rng.uniform(0.5, 1.1)
        small = rng.standard_normal((h // 3 + 1, w // 60 + 2), dtype=np.float32)
        grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        texture = 1 + 0.12 * grain + 0.04 * _noise(h, w, 1.0, rng)
    else:
        colour = np.array([0.14, 0.14, 0.15], np.float32) * rng.uniform(0.7, 1.5)
        texture = 1 + 0.05 * _noise(h, w, 1.0, rng) + 0.05 * _noise(h, w, 40, rng)
    return texture[..., None] * colour


def _on_table(
    page: np.ndarray,
    view: _View,
    centre: tuple[float, float],
    unit: float,
    shape: _Shape | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Cut the page to a sheet around the digit and lay it on a table, edges in the frame."""
    h, w = page.shape[:2]
    scale = view.scale_at((view.width / 2, view.height / 2))
    half_w = (shape.aspect if shape else 0.6) * unit / 2
    half_h = unit / 2
    left = centre[0] - half_w - rng.uniform(0.04, 0.3) * w * scale
    right = centre[0] + half_w + rng.uniform(0.04, 0.3) * w * scale
    top = centre[1] - half_h - rng.uniform(0.04, 0.3) * h * scale
    bottom = centre[1] + half_h + rng.uniform(0.04, 0.3) * h * scale
    sheet = np.zeros((h, w), np.float32)
    corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
    corners += rng.uniform(-0.01, 0.01, (4, 2)) * min(w, h)  # not a perfect rectangle
    cv2.fillPoly(sheet, [np.round(corners * 16).astype(np.int32)], 1.0, cv2.LINE_AA, shift=4)
    sheet = cv2.GaussianBlur(sheet, (0, 0), 0.7)
    small = cv2.resize(sheet, (w // 4 + 1, h // 4 + 1), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.015 * min(w, h) / 4)
    offset = np.float32([[1, 0, rng.uniform(-1, 1) * 0.01 * w / 4], [0, 1, 0.012 * h / 4]])
    small = cv2.warpAffine(small, offset, small.shape[::-1])
    shade = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    table = _wood(w, h, rng) * (1 - 0.45 * shade)[..., None]
    sheet = sheet[..., None]
    return page * sheet + table * (1 - sheet)


def _screen(
    surroundings: np.ndarray,
    shape: _Shape,
    digit: np.ndarray,
    centre: tuple[float, float],
    unit: float,
    view: _View,
    rng: np.random.Generator,
) -> np.ndarray:
    """A monitor showing the digit, in a dim room: drawn in an app, or an image viewer."""
    h, w = surroundings.shape[:2]
    room = surroundings * rng.uniform(0.3, 0.8)
    corners = _transform(
        view.frame_to_page, np.array([[0, 0], [view.width, 0], [view.width, view.height]])
    )
    # The screen fills most of the frame; its bezel shows on some sides.
    span = np.linalg.norm(corners[1:] - corners[:-1], axis=1)  # the frame's width, height
    middle = np.array(view.to_page((view.width / 2, view.height / 2)))
    half = span / 2 * rng.uniform(0.85, 1.1, 2)
    x0, y0 = (middle - half).astype(int)
    x1, y1 = (middle + half).astype(int)
    bezel = int(0.03 * min(w, h))
    frame = room.copy()
    cv2.rectangle(frame, (x0 - bezel, y0 - bezel), (x1 + bezel, y1 + bezel), (0.05,) * 3, -1)

    mode = str(rng.choice(["drawing", "drawing", "grey-image", "viridis-image"]))
    content = np.ones((h, w, 3), np.float32)
    if mode == "drawing":
        content *= rng.uniform(0.9, 0.98)
        _write(content, shape, centre, unit, PENS["brush"], INKS["paint"], rng)
    else:  # the 28x28 image itself, enlarged with square pixels, in an image viewer
        content *= rng.uniform(0.12, 0.25)
        side = round(unit * 28 / 20)
        pixels = cv2.resize(digit, (side, side), interpolation=cv2.INTER_NEAREST)
        shown = _viridis(pixels) if mode == "viridis-image" else np.dstack([pixels] * 3)
        rows, cols = np.nonzero(pixels > 0.3)
        offset = ((cols.min() + cols.max()) / 2, (rows.min() + rows.max()) / 2)
        x, y = round(centre[0] - offset[0]), round(centre[1] - offset[1])
        ys, xs = slice(max(y, 0), min(y + side, h)), slice(max(x, 0), min(x + side, w))
        content[ys, xs] = shown[ys.start - y : ys.stop - y, xs.start - x : xs.stop - x]
    # Pixel grid and RGB subpixels: the camera samples them into moire.
    pitch = rng.uniform(1.7, 2.8)
    yy = np.arange(h, dtype=np.float32)[:, None, None]
    xx = np.arange(w, dtype=np.float32)[None, :, None]
    phases = np.array([0, 1 / 3, 2 / 3], np.float32)
    depth = rng.uniform(0.15, 0.3)
    rows = 1 - depth * (0.5 + 0.5 * np.cos(2 * np.pi * yy / pitch))
    stripes = 1 - depth * (0.5 + 0.5 * np.cos(2 * np.pi * (xx / pitch - phases)))
    content = content * rows * stripes / (1 - depth / 2) ** 2
    content *= np.array([0.86, 0.95, 1.08], np.float32)  # cold white
    inside = np.zeros((h, w), np.float32)
    cv2.rectangle(inside, (x0, y0), (x1, y1), 1.0, -1)
    reflection = np.clip(_noise(h, w, 0.5 * max(w, h), rng), 0, None) * rng.uniform(0.02, 0.07)
    inside = inside[..., None]
    return (content + reflection[..., None]) * inside + frame * (1 - inside)


def _viridis(values: np.ndarray) -> np.ndarray:
    """Matplotlib's default colour map, roughly: dark purple to yellow."""
    anchors = np.array([
        [0.267, 0.005, 0.329], [0.229, 0.322, 0.546], [0.128, 0.567, 0.551],
        [0.369, 0.789, 0.383], [0.993, 0.906, 0.144],
    ], np.float32)
    stops = np.linspace(0, 1, len(anchors))
    return np.stack([np.interp(values, stops, anchors[:, c]) for c in range(3)], axis=-1).astype(
        np.float32
    )


# --------------------------------------------------------------------------------------
# Things that are not digits


def _object(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    painter = [_cup, _face, _landscape, _desk, _fabric][int(rng.integers(5))]
    texture = 1 + 0.03 * _noise(h, w, 3, rng) + 0.03 * _noise(h, w, 0.2 * max(w, h), rng)
    return painter(w, h, rng) * texture[..., None]


def _colour(rng: np.random.Generator, low: float = 0.1, high: float = 0.9) -> tuple[float, ...]:
    return tuple(float(c) for c in rng.uniform(low, high, 3))


def _cup(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A mug on a table, seen from above at an angle."""
    image = _wood(w, h, rng)
    r = rng.uniform(0.16, 0.28) * min(w, h)
    squash = rng.uniform(0.45, 0.7)
    cx, cy = rng.uniform(0.35, 0.65) * w, rng.uniform(0.3, 0.45) * h
    depth = r * rng.uniform(0.9, 1.4)
    body = _colour(rng, 0.3, 0.95)
    axes = (int(r), int(r * squash))
    shadow = np.zeros((h // 8 + 1, w // 8 + 1), np.float32)  # soft: drawn small
    centre = (int((cx + r * 0.3) / 8), int((cy + depth + r * 0.2) / 8))
    cv2.ellipse(shadow, centre, (int(r * 1.3 / 8), int(r * 0.6 / 8)), 0, 0, 360, 1.0, -1)
    shadow = cv2.resize(cv2.GaussianBlur(shadow, (0, 0), r * 0.25 / 8), (w, h))
    image *= (1 - 0.5 * shadow)[..., None]
    handle = (int(cx + r * 1.05), int(cy + depth * 0.45))
    cv2.ellipse(image, handle, (int(r * 0.35), int(depth * 0.35)), 0, 0, 360, body,
                max(2, int(r * 0.12)), cv2.LINE_AA)
    outline = np.zeros((h, w), np.float32)  # the cup's side: a box with a round bottom
    cv2.ellipse(outline, (int(cx), int(cy + depth)), axes, 0, 0, 180, 1.0, -1, cv2.LINE_AA)
    cv2.rectangle(outline, (int(cx - r), int(cy)), (int(cx + r), int(cy + depth)), 1.0, -1)
    xs = (np.arange(w, dtype=np.float32) - cx) / r
    shading = np.clip(1 - 0.35 * np.clip(xs, -1, 1) ** 2 - 0.15 * xs, 0.4, 1.2)
    side = outline[..., None] * (shading[None, :, None] * np.array(body, np.float32))
    image = image * (1 - outline[..., None]) + side
    rim = tuple(min(1.0, c * 1.1) for c in body)
    cv2.ellipse(image, (int(cx), int(cy)), axes, 0, 0, 360, rim, -1, cv2.LINE_AA)
    drink = (0.16, 0.09, 0.05) if rng.random() < 0.6 else tuple(c * 0.7 for c in body)
    inner = (int(r * 0.88), int(r * squash * 0.85))
    cv2.ellipse(image, (int(cx), int(cy + r * 0.04)), inner, 0, 0, 360, drink, -1, cv2.LINE_AA)
    return image


def _face(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A portrait: head, hair, eyes, mouth, shoulders on a plain wall."""
    image = np.ones((h, w, 3), np.float32) * np.array(_colour(rng, 0.4, 0.9), np.float32)
    image *= (1 + 0.03 * _noise(h, w, 30, rng))[..., None]
    s = rng.uniform(0.18, 0.28) * min(w, h)
    cx, cy = rng.uniform(0.4, 0.6) * w, rng.uniform(0.38, 0.5) * h
    skin = tuple(float(c) for c in np.array([0.85, 0.64, 0.52]) * rng.uniform(0.45, 1.05))
    shirt = _colour(rng)
    cv2.ellipse(image, (int(cx), int(cy + 2.6 * s)), (int(2.2 * s), int(1.2 * s)), 0, 180, 360,
                shirt, -1, cv2.LINE_AA)
    cv2.rectangle(image, (int(cx - 2.2 * s), int(cy + 2.6 * s)), (int(cx + 2.2 * s), h), shirt, -1)
    hair = tuple(float(c) for c in np.array([0.2, 0.13, 0.08]) * rng.uniform(0.5, 3.0))
    cv2.ellipse(image, (int(cx), int(cy - 0.2 * s)), (int(1.08 * s), int(1.3 * s)), 0, 0, 360, hair,
                -1, cv2.LINE_AA)
    cv2.ellipse(image, (int(cx), int(cy + 0.15 * s)), (int(0.9 * s), int(1.2 * s)), 0, 0, 360, skin,
                -1, cv2.LINE_AA)
    for side in (-1, 1):
        eye = (int(cx + side * 0.38 * s), int(cy))
        cv2.ellipse(image, eye, (int(0.17 * s), int(0.08 * s)), 0, 0, 360, (0.92, 0.92, 0.9), -1,
                    cv2.LINE_AA)
        cv2.circle(image, eye, int(0.07 * s), (0.15, 0.1, 0.08), -1, cv2.LINE_AA)
        cv2.ellipse(image, (eye[0], int(cy - 0.22 * s)), (int(0.2 * s), int(0.06 * s)), 0, 180, 360,
                    hair, max(1, int(0.05 * s)), cv2.LINE_AA)
    cv2.ellipse(image, (int(cx), int(cy + 0.62 * s)), (int(0.3 * s), int(0.12 * s)), 0, 10, 170,
                (0.6, 0.25, 0.25), max(1, int(0.05 * s)), cv2.LINE_AA)
    return cv2.GaussianBlur(image, (0, 0), 0.01 * s + 0.5)


def _landscape(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Sky, sun, hills one behind another, a few trees."""
    ys = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    top, low = np.array([0.35, 0.55, 0.9], np.float32), np.array([0.85, 0.9, 0.95], np.float32)
    image = np.broadcast_to(top * (1 - ys) + low * ys, (h, w, 3)).copy()
    if rng.random() < 0.5:
        sun = (int(rng.uniform(0.1, 0.9) * w), int(rng.uniform(0.05, 0.3) * h))
        cv2.circle(image, sun, int(0.05 * min(w, h)), (1.0, 0.97, 0.85), -1, cv2.LINE_AA)
    xs = np.arange(w, dtype=np.float32)
    for layer in range(3):
        base = h * (0.45 + 0.15 * layer + rng.uniform(-0.05, 0.05))
        ridge = base + sum(
            rng.uniform(0.02, 0.06) * h * np.sin(xs / w * rng.uniform(2, 9) + rng.uniform(0, 6))
            for _ in range(3)
        )
        points = np.concatenate([np.stack([xs, ridge], 1), [[w, h], [0, h]]]).astype(np.int32)
        far = np.array([0.45, 0.55, 0.6]) if layer == 0 else np.array([0.25, 0.45, 0.2])
        colour = tuple(float(c) for c in far * rng.uniform(0.6, 1.2) * (1 - 0.2 * layer))
        cv2.fillPoly(image, [points], colour, cv2.LINE_AA)
    for _ in range(int(rng.integers(0, 6))):
        x, y = int(rng.uniform(0, w)), int(rng.uniform(0.65, 0.95) * h)
        size = int(rng.uniform(0.02, 0.06) * h)
        cv2.rectangle(image, (x - size // 6, y), (x + size // 6, y + 2 * size), (0.3, 0.2, 0.1), -1)
        cv2.ellipse(image, (x, y), (size, int(size * 1.5)), 0, 0, 360, (0.1, 0.3, 0.12), -1,
                    cv2.LINE_AA)
    return image * (1 + 0.04 * _noise(h, w, 3, rng))[..., None]


def _desk(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A desk with books, a phone, a plate: shapes with shadows."""
    image = _wood(w, h, rng)
    for _ in range(int(rng.integers(3, 7))):
        cx, cy = rng.uniform(0.1, 0.9) * w, rng.uniform(0.1, 0.9) * h
        size = rng.uniform(0.2, 0.5) * min(w, h)
        kind = int(rng.integers(3))
        shade = np.zeros((h, w), np.float32)
        if kind == 2:  # plate or coaster
            axes = (int(size * 0.6), int(size * 0.6 * rng.uniform(0.6, 1)))
            below = (int(cx + size * 0.08), int(cy + size * 0.1))
            cv2.ellipse(shade, below, axes, 0, 0, 360, 1, -1)
        else:
            box = ((cx, cy), (size * rng.uniform(0.5, 1.4), size), rng.uniform(0, 180))
            corners = cv2.boxPoints(box)
            cv2.fillPoly(shade, [np.int32(corners + size * 0.08)], 1.0)
        image *= (1 - 0.45 * cv2.GaussianBlur(shade, (0, 0), size * 0.08))[..., None]
        colour = _colour(rng, 0.05, 0.95)
        if kind == 2:
            cv2.ellipse(image, (int(cx), int(cy)), axes, 0, 0, 360, colour, -1, cv2.LINE_AA)
        else:
            cv2.fillPoly(image, [np.int32(corners)], colour, cv2.LINE_AA)
            if kind == 1:  # a phone: its dark screen
                inner = cv2.boxPoints((box[0], (box[1][0] * 0.85, box[1][1] * 0.85), box[2]))
                cv2.fillPoly(image, [np.int32(inner)], (0.05, 0.06, 0.08), cv2.LINE_AA)
    return image


def _fabric(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A close-up of woven cloth or a knitted jumper, with folds."""
    colour = np.array(_colour(rng, 0.15, 0.85), np.float32)
    pitch = rng.uniform(4, 12)
    angle = rng.uniform(0, np.pi)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    u = xs * math.cos(angle) + ys * math.sin(angle)
    v = -xs * math.sin(angle) + ys * math.cos(angle)
    weave = 0.85 + 0.15 * np.sin(2 * np.pi * u / pitch) * np.sin(2 * np.pi * v / pitch)
    folds = 1 + 0.25 * _noise(h, w, 0.3 * max(w, h), rng)
    return (weave * folds)[..., None] * colour


# --------------------------------------------------------------------------------------
# Light, lens, sensor, file


def _light(
    albedo: np.ndarray,
    scene: Scene,
    ink_box: tuple[float, float, float, float] | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Grey levels (0..255, float) of the page lit unevenly, with shadows, white-balanced."""
    h, w = albedo.shape[:2]
    factor = LIGHT_FACTOR  # light varies smoothly: work it out at a quarter of the size
    sh, sw = h // factor + 1, w // factor + 1
    longest = max(w, h)
    ys = (np.arange(sh, dtype=np.float32)[:, None] * factor - h / 2) / longest
    xs = (np.arange(sw, dtype=np.float32)[None, :] * factor - w / 2) / longest
    angle = rng.uniform(0, 2 * np.pi)
    ramp = xs * math.cos(angle) + ys * math.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    field = (1 - _uniform(rng, scene.gradient) * ramp) * (
        1 - _uniform(rng, scene.vignette) * 4 * (xs * xs + ys * ys)
    )
    shadow = scene.shadow
    if shadow == "any":
        shadow = str(rng.choice(["none", "soft", "cast"]))
    if shadow == "soft":
        field *= 1 - rng.uniform(0.05, 0.2) * _blob(sw, sh, rng)
    warmth, green = rng.uniform(-0.06, 0.06), rng.uniform(-0.015, 0.015)  # white balance
    white = np.array([1 + warmth, 1 + green, 1 - warmth], np.float32)
    exposure = rng.uniform(235, 275) / float(field.max())
    field = field[..., None] * (white * exposure)
    if shadow == "cast":
        cast = _cast_shadow(sw, sh, ink_box, factor, rng)
        strength = rng.uniform(0.35, 0.6) * np.array([1.0, 0.96, 0.85], np.float32)
        field *= 1 - cast[..., None] * strength
    field = cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(albedo, field)


def _blob(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A large soft dark patch, 0..1, (h, w)."""
    sw, sh = 64, max(2, round(64 * h / w))  # it is soft: drawn tiny, then scaled
    blob = np.zeros((sh, sw), np.float32)
    centre = (int(rng.uniform(0, sw)), int(rng.uniform(0, sh)))
    axes = (int(rng.uniform(0.2, 0.6) * sw), int(rng.uniform(0.2, 0.6) * sh))
    cv2.ellipse(blob, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    blob = cv2.GaussianBlur(blob, (0, 0), 0.12 * max(sw, sh))
    return cv2.resize(blob, (w, h), interpolation=cv2.INTER_LINEAR)


def _cast_shadow(
    sw: int,
    sh: int,
    ink_box: tuple[float, float, float, float] | None,
    factor: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The shadow of a phone or a hand reaching in from outside, ending on the digit.

    Drawn at 1/`factor` of the frame's size, (sh, sw); `ink_box` is in frame pixels.
    """
    if ink_box is None:
        w, h = sw * factor, sh * factor
        x0, y0, x1, y1 = rng.uniform(0.3, 0.5) * w, rng.uniform(0.3, 0.5) * h, 0.6 * w, 0.6 * h
    else:
        x0, y0, x1, y1 = ink_box
    target = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) / factor
    size = max(x1 - x0, y1 - y0) / factor
    angle = rng.uniform(0, 2 * np.pi)
    forward = np.array([math.cos(angle), math.sin(angle)])  # from the source into the frame
    across = np.array([-forward[1], forward[0]])
    tip = target + forward * rng.uniform(-0.3, 0.3) * size + across * rng.uniform(-0.2, 0.2) * size
    half = rng.uniform(0.25, 0.45) * max(sw, sh)
    back = 3 * max(sw, sh)
    small = np.zeros((sh, sw), np.float32)
    band = np.array([tip + across * half, tip - across * half,
                     tip - across * half - forward * back, tip + across * half - forward * back])
    cv2.fillPoly(small, [np.int32(band)], 1.0, cv2.LINE_AA)
    if rng.random() < 0.5:  # a hand: a rounded end and fingers
        palm = tuple(int(v) for v in tip)
        degrees = math.degrees(angle)
        cv2.ellipse(small, palm, (int(half * 0.5), int(half)), degrees, 0, 360, 1.0, -1)
        for k in range(4):
            offset = (k - 1.5) / 1.5 * half * 0.75
            start = tip + across * offset
            end = start + forward * half * rng.uniform(0.5, 0.9)
            cv2.line(small, tuple(int(v) for v in start), tuple(int(v) for v in end), 1.0,
                     max(1, int(half * 0.22)), cv2.LINE_AA)
    return cv2.GaussianBlur(small, (0, 0), max(0.8, rng.uniform(0.004, 0.02) * max(sw, sh)))


def _glow(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A screen's light spilling around bright areas."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (w // 8 + 1, h // 8 + 1), interpolation=cv2.INTER_AREA)
    halo = cv2.GaussianBlur(small, (0, 0), 3)
    return image + rng.uniform(0.05, 0.15) * cv2.resize(halo, (w, h))


def _optics(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """Lens blur, defocus or shake, and the phone's sharpening."""
    image = cv2.GaussianBlur(image, (0, 0), _uniform(rng, scene.lens_blur))
    if scene.defocus:
        side = min(image.shape[:2])
        if rng.random() < 0.6:  # out of focus: a disk
            radius = max(2, round(rng.uniform(0.004, 0.009) * side))
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
        else:  # a shaking hand: a short line
            length = max(3, round(rng.uniform(0.01, 0.022) * side))
            kernel = np.zeros((length, length), np.uint8)
            cv2.line(kernel, (0, length // 2), (length - 1, length // 2), 1, 1)
            middle = ((length - 1) / 2, (length - 1) / 2)
            turn = cv2.getRotationMatrix2D(middle, rng.uniform(0, 180), 1)
            kernel = cv2.warpAffine(kernel.astype(np.float32), turn, (length, length))
        kernel = kernel.astype(np.float32) / float(kernel.sum())
        image = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)
    amount = _uniform(rng, scene.sharpen)
    if amount > 0:
        soft = cv2.GaussianBlur(image, (0, 0), 1.6)
        image = cv2.addWeighted(image, 1 + amount, soft, -amount, 0)
    return image


def _sensor(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """Noise on the 8-bit image: mostly in brightness, some blotchy colour."""
    h, w = image.shape[:2]
    sigma = _uniform(rng, scene.noise)
    chroma = rng.standard_normal((h // 3 + 1, w // 3 + 1, 3), dtype=np.float32) * (0.6 * sigma)
    noise = cv2.resize(chroma, (w, h), interpolation=cv2.INTER_LINEAR)
    noise += (sigma * _white(h, w, rng))[..., None]
    return cv2.add(image, noise, dtype=cv2.CV_8U)  # saturates to 0..255


def _encode(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> bytes:
    quality = int(rng.integers(scene.quality[0], scene.quality[1] + 1))
    if scene.file == "original":
        return _camera_original(image, quality)
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def _camera_original(image: np.ndarray, quality: int) -> bytes:
    """The camera's own JPEG: a portrait photo is stored landscape, upright per EXIF."""
    exif = Image.Exif()
    if image.shape[0] > image.shape[1]:
        image = np.ascontiguousarray(np.rot90(image, 1))  # the sensor's landscape rows
        exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    else:
        exif[0x0112] = 1
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()


def _paint_app(
    digit: np.ndarray | None, scene: Scene, w: int, h: int, rng: np.random.Generator
) -> bytes:
    """Black brush strokes on a white canvas, saved as PNG: no camera at all."""
    if digit is None:
        raise ValueError("paint-app photos need a digit")
    shape = _Shape.of(digit)
    ink_height = _uniform(rng, scene.height) * h
    ink_height = min(ink_height, 0.85 * w / max(shape.aspect, 0.3))
    width = _uniform(rng, PENS["brush"].width) * ink_height
    coverage, middle = _strokes(shape, ink_height, width, PENS["brush"], rng)
    alpha = np.zeros((h, w, 1), np.float32)
    centre = (w / 2 + rng.uniform(-0.1, 0.1) * w, h / 2 + rng.uniform(-0.1, 0.1) * h)
    _paste(alpha, coverage, (centre[0] - middle[0], centre[1] - middle[1]), np.ones(1), True)
    ink = np.round(alpha[..., 0] * 255).astype(np.uint8)
    if rng.random() < 0.25:  # exported with a transparent background: black ink, alpha
        pixels = np.dstack([np.zeros((h, w, 3), np.uint8), ink])
    else:
        pixels = np.repeat((255 - ink)[..., None], 3, axis=2)
    ok, data = cv2.imencode(".png", pixels)  # black and white: channel order does not matter
    if not ok:
        raise RuntimeError("PNG encoding failed")
    return data.tobytes()
