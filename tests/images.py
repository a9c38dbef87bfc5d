"""Pictures for tests: MNIST test digits rendered as phone photos, digits drawn with Pillow."""

import io

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont


def encode(image: Image.Image, format: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def phone_photo(
    digit: np.ndarray,
    rng: np.random.Generator,
    size: tuple[int, int] = (1280, 960),
    digit_height: float = 0.45,
    ink: tuple[int, int, int] = (25, 35, 110),
    paper: tuple[int, int, int] = (232, 228, 215),
) -> Image.Image:
    """A 28x28 MNIST digit (0..1, white on black) written in ink on lit paper, photographed."""
    width, height = size
    side = int(height * digit_height * 28 / 20)  # MNIST's ink fills 20 of its 28 pixels
    alpha = cv2.resize(digit.astype(np.float32), (side, side), interpolation=cv2.INTER_CUBIC)
    alpha = np.clip(alpha, 0, 1)[..., None]

    # Paper lit unevenly from one side, with grain.
    light = np.linspace(0.8, 1.05, width, dtype=np.float32)[None, :, None]
    page = np.asarray(paper, np.float32) * light * np.ones((height, 1, 1), np.float32)
    page += rng.normal(0, 4, page.shape).astype(np.float32)

    top = int(rng.integers(0, height - side))
    left = int(rng.integers(0, width - side))
    region = page[top : top + side, left : left + side]
    page[top : top + side, left : left + side] = region * (1 - alpha) + np.asarray(ink) * alpha
    photo = cv2.GaussianBlur(np.clip(page, 0, 255).astype(np.uint8), (3, 3), 0)
    return Image.fromarray(photo)


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    return encode(image.convert("RGB"), "JPEG", quality=quality)


def drawn_digit(
    text: str = "7",
    size: tuple[int, int] = (400, 300),
    ink: int = 0,
    paper: int = 255,
    mode: str = "L",
    stroke: int = 3,
) -> Image.Image:
    """A digit drawn with Pillow's font, large, in the middle of a plain page."""
    image = Image.new("L", size, paper)
    font = ImageFont.load_default(size=int(size[1] * 0.6))
    ImageDraw.Draw(image).text(
        (size[0] / 2, size[1] / 2), text, fill=ink, font=font, anchor="mm", stroke_width=stroke,
        stroke_fill=ink,
    )
    return image.convert(mode) if mode != "L" else image


def portrait(hair_below: int = 40, size: tuple[int, int] = (960, 720)) -> Image.Image:
    """A drawn head against a wall of the face's own tone: dark hair shows as a crescent."""
    photo = np.full(size[::-1], 200, np.uint8)
    cv2.ellipse(photo, (480, 300), (150, 190), 0, 0, 360, 60, -1)  # the hair...
    cv2.ellipse(photo, (480, 300 + hair_below), (135, 175), 0, 0, 360, 196, -1)  # ...the face
    cv2.ellipse(photo, (480, 760), (330, 160), 0, 0, 360, 110, -1)  # shoulders, cut off below
    return Image.fromarray(photo)


def letters(text: str = "kwx", size: tuple[int, int] = (900, 480)) -> Image.Image:
    """Handwriting-like letters (OpenCV's script font) on a plain page: writing, no digit."""
    page = np.full(size[::-1], 235, np.uint8)
    cv2.putText(page, text, (size[0] // 8, int(size[1] * 0.7)), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX,
                size[1] / 60, 25, max(2, size[1] // 40))
    return Image.fromarray(page)
