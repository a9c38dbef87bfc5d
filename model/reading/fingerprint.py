"""A fingerprint of the preprocessing, derived rather than kept by hand.

A network is trained for the 28x28 pictures the reader makes, so it must be served with
the same decoding, ink finding, layout and normalising. Rather than a version number
someone must remember to bump, a checkpoint records what the reader made of a few fixed
drawings (`PROBES`: thick and thin pens, ruled paper, chalk on a board, a frame, a
detached stroke, faint ink, a digit at the edge): each character's picture pooled to 7x7
and written as 49 grey levels in hex. The reader compares that with what it makes now.
Floating-point noise between machines is at most one level, far below `TOLERANCE`;
moving a stroke by one pixel changes cells by ten levels and more.
"""

import functools
import io
from collections.abc import Callable

import cv2
import numpy as np
from PIL import Image

from model.reading.decode import decode_grayscale
from model.reading.digits import SIDE
from model.reading.preprocess import characters_in

POOL = 4  # 28x28 pictures are recorded as 7x7 means of 4x4 blocks, in grey levels 0-255
TOLERANCE = 3  # grey levels: the largest difference in a cell still taken as the same

Canvas = np.ndarray  # uint8 grey, drawn on in place


def _text(canvas: Canvas, text: str, origin: tuple[int, int], scale: float, ink: int,
          thickness: int) -> None:
    cv2.putText(canvas, text, origin, cv2.FONT_HERSHEY_SIMPLEX, scale, ink, thickness,
                cv2.LINE_AA)


def _marker_seven(canvas: Canvas) -> None:
    _text(canvas, "7", (150, 300), 9, 20, 24)


def _ruled_number(canvas: Canvas) -> None:
    for y in range(40, canvas.shape[0], 48):
        canvas[y : y + 2] = 170
    canvas[:, 120:122] = 150  # the margin line
    _text(canvas, "2026", (220, 420), 3.2, 40, 5)


def _chalk_four(canvas: Canvas) -> None:
    canvas[:] = 45
    _text(canvas, "4", (120, 230), 6, 225, 14)


def _five_with_a_flag(canvas: Canvas) -> None:
    cv2.line(canvas, (110, 80), (110, 160), 30, 10, cv2.LINE_AA)
    cv2.ellipse(canvas, (150, 200), (50, 50), 0, 200, 520, 30, 10, cv2.LINE_AA)
    cv2.line(canvas, (118, 70), (200, 66), 30, 10, cv2.LINE_AA)  # the flag, apart
    cv2.circle(canvas, (260, 280), 3, 60, -1)  # a speck


def _framed_number(canvas: Canvas) -> None:
    cv2.rectangle(canvas, (110, 50), (390, 250), 60, 6)
    _text(canvas, "38", (150, 210), 5, 25, 12)


def _zero_at_the_edge(canvas: Canvas) -> None:
    cv2.ellipse(canvas, (150, 60), (70, 110), 0, 0, 360, 35, 12, cv2.LINE_AA)


def _uneven_light(canvas: Canvas) -> None:
    canvas[:] = np.linspace(250, 140, canvas.shape[1]).astype(np.uint8)[None, :]
    _text(canvas, "1 9", (60, 240), 5, 20, 10)


def _faint_six(canvas: Canvas) -> None:
    _text(canvas, "6", (90, 250), 7, 185, 9)


# name: (width, height, paper's grey, drawing)
PROBES: dict[str, tuple[int, int, int, Callable[[Canvas], None]]] = {
    "marker-7": (480, 360, 235, _marker_seven),
    "ruled-2026": (900, 600, 228, _ruled_number),  # larger than the reader works at
    "chalk-4": (400, 300, 45, _chalk_four),
    "five-with-a-flag": (320, 320, 240, _five_with_a_flag),
    "framed-38": (500, 300, 230, _framed_number),
    "zero-at-the-edge": (300, 300, 232, _zero_at_the_edge),
    "uneven-light-1-9": (420, 320, 250, _uneven_light),
    "faint-6": (320, 320, 225, _faint_six),
}


def probe_png(name: str) -> bytes:
    """The probe drawing `name` as the PNG file the reader is given."""
    width, height, paper, draw = PROBES[name]
    canvas = np.full((height, width), paper, np.uint8)
    draw(canvas)
    png = io.BytesIO()
    Image.fromarray(canvas).save(png, format="PNG")
    return png.getvalue()


def _pooled(image: np.ndarray) -> str:
    cells = image.reshape(SIDE // POOL, POOL, SIDE // POOL, POOL).mean(axis=(1, 3))
    return np.round(np.clip(cells, 0, 1) * 255).astype(np.uint8).tobytes().hex()


def _levels(pictures: list[str]) -> np.ndarray:
    return np.array([np.frombuffer(bytes.fromhex(p), np.uint8) for p in pictures], np.int16)


@functools.cache
def current() -> dict[str, list[str]]:
    """What this reader makes of each probe: per character, its picture pooled to 7x7."""
    return {
        name: [_pooled(image) for image in characters_in(decode_grayscale(probe_png(name)))[1]]
        for name in PROBES
    }


def mismatch(recorded: object) -> str | None:
    """Why pictures made by this reader differ from those `recorded` with a network, or
    None when they are the same."""
    if not isinstance(recorded, dict):
        return "it records no preprocessing fingerprint"
    now = current()
    if set(recorded) != set(now):
        return "it was fingerprinted on other probe drawings"
    for name, pictures in now.items():
        then = recorded[name]
        if len(then) != len(pictures):
            return f"in probe {name!r} {len(then)} characters were found then, {len(pictures)} now"
        if pictures:
            difference = int(np.abs(_levels(then) - _levels(pictures)).max())
            if difference > TOLERANCE:
                return (f"in probe {name!r} a character's picture differs by {difference}"
                        " grey levels")
    return None
