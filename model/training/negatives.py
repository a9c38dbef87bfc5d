"""Marks that are not digits, drawn as MNIST draws its digits: the classifier's 11th class.

A reader that only knows ten classes names a digit for anything it is shown: a Greek
letter, a dash, a blot. Training also shows it letters and symbols from the fonts that
ship with matplotlib (Latin, Greek and Cyrillic, upright and slanted, serif and sans),
redrawn with an even round pen as a ballpoint writes them, and simple marks (dashes,
blots, frames, tangles, crescents). All are normalised exactly as MNIST's digits were
(ink cropped, fitted in 20x20, centred by mass in 28x28), so the network sees them as it
sees digits.

Glyphs that a hand could write as a digit are left out: O o D I l i f Z z S s B b G g q,
A and a (a 4 closed at the top, a 9), their Greek and Cyrillic look-alikes (Δ for 4,
λ Λ л for a 1 with a long flag, as much of Europe writes it), and strokes like brackets,
! ? & and √ that read as 1, 7 or 8. δ is kept in: no one writes a 6 or an 8 with its
hook over the loop, and real photos of δ were read as 8 while it was left out.
"""

from pathlib import Path

import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model.reading.normalise import fit_like_mnist
from model.training.redraw import redraw_with_even_pen

LATIN = "CEFHKLMNPRUVWXYckmnprtuvwxyhe"
GREEK = "αβγδεηθκμνξπρστυφχψωΓΘΞΠΣΦΨΩ"
CYRILLIC = "джипфцшщыюяЖИПФЦШЩЮЯ"
SYMBOLS = "+\u00d7=#@%*<>~÷∞∑€£¥"  # \u00d7: the multiplication sign
CHARACTERS = LATIN + GREEK + CYRILLIC + SYMBOLS

FONT_FILES = (
    "DejaVuSans.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
    "DejaVuSerif-Italic.ttf", "DejaVuSansMono.ttf", "STIXGeneral.ttf", "STIXGeneralItalic.ttf",
    "cmmi10.ttf", "cmr10.ttf",
)
RENDER_SIZE = 96  # pixels per em when drawing a glyph, before it is fitted in 20x20


def _fonts() -> list[ImageFont.FreeTypeFont]:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return [ImageFont.truetype(str(folder / name), RENDER_SIZE) for name in FONT_FILES]


def _has_glyph(font: ImageFont.FreeTypeFont, character: str) -> bool:
    """Whether the font draws the character itself (not an empty box or nothing)."""
    box = font.getbbox(character)
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return False
    missing = font.getmask("\U0010fffd")  # a code point no font has: its "missing" box
    return bytes(font.getmask(character)) != bytes(missing)


def _glyph(font: ImageFont.FreeTypeFont, character: str) -> np.ndarray:
    canvas = Image.new("L", (RENDER_SIZE * 2, RENDER_SIZE * 2), 0)
    ImageDraw.Draw(canvas).text((RENDER_SIZE, RENDER_SIZE), character, 255, font, anchor="mm")
    return np.asarray(canvas, np.float32) / 255.0


def glyphs() -> np.ndarray:
    """Every listed character in every font that has it, fitted like MNIST: (n, 28, 28)."""
    images = []
    for font in _fonts():
        for character in CHARACTERS:
            if _has_glyph(font, character):
                images.append(fit_like_mnist(_glyph(font, character)))
    return np.stack(images)


def _tangle(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """Several straight strokes turning sharply: a scribble."""
    points = rng.uniform(10, 90, size=(int(rng.integers(5, 9)), 2)).astype(np.int32)
    cv2.polylines(canvas, [points], False, 1.0, thickness=int(rng.integers(4, 9)))


def _dash(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """A dash or underline: much wider than tall, lying near the horizontal."""
    angle = np.deg2rad(rng.uniform(-20, 20))
    half = rng.uniform(30, 45)
    dx, dy = half * np.cos(angle), half * np.sin(angle)
    cv2.line(canvas, (int(50 - dx), int(50 - dy)), (int(50 + dx), int(50 + dy)), 1.0,
             thickness=int(rng.integers(4, 9)))


def _blot(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """A filled blob: a dot, a smudge, a coffee stain."""
    axes = (int(rng.integers(15, 40)), int(rng.integers(15, 40)))
    cv2.ellipse(canvas, (50, 50), axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)


def _frame(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """A box drawn round nothing, or a cross: the lines of a form."""
    if rng.random() < 0.5:
        cv2.rectangle(canvas, (int(rng.integers(8, 25)), int(rng.integers(8, 25))),
                      (int(rng.integers(75, 92)), int(rng.integers(75, 92))), 1.0,
                      thickness=int(rng.integers(4, 8)))
    else:
        cv2.line(canvas, (50, 10), (50, 90), 1.0, thickness=int(rng.integers(4, 8)))
        cv2.line(canvas, (10, 50), (90, 50), 1.0, thickness=int(rng.integers(4, 8)))


def _crescent(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """A disc with an offset disc cut out: the rim of hair round a face, a moon. It tapers
    to points at both ends, as no pen's stroke does."""
    radius = int(rng.integers(30, 45))
    cv2.circle(canvas, (50, 50), radius, 1.0, -1)
    angle = rng.uniform(0, 2 * np.pi)
    shift = rng.uniform(0.15, 0.45) * radius
    centre = (int(50 + shift * np.cos(angle)), int(50 + shift * np.sin(angle)))
    cv2.circle(canvas, centre, int(radius * rng.uniform(0.9, 1.0)), 0.0, -1)


MARKS = (_tangle, _dash, _blot, _frame, _crescent)


def marks(count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` random simple marks (tangles, dashes, blots, frames, crescents), fitted
    like MNIST."""
    images = []
    for index in range(count):
        canvas = np.zeros((100, 100), np.float32)
        MARKS[index % len(MARKS)](rng, canvas)
        images.append(fit_like_mnist(cv2.GaussianBlur(canvas, (3, 3), 0)))
    return np.stack(images)


def not_digits(count: int, seed: int = 0) -> np.ndarray:
    """`count` non-digit images, float32 (n, 28, 28, 1): glyphs (about 3 in 4) and marks.

    Glyphs repeat (there are about a thousand); most copies are redrawn with an even pen,
    and training distorts every copy anew. Marks keep their shape: a crescent redrawn
    with an even pen would be an arc, which a hand may well write.
    """
    rng = np.random.default_rng(seed)
    letters = glyphs()
    picked = letters[rng.integers(0, len(letters), size=count - count // 4)]
    picked = picked[..., np.newaxis].astype(np.float32)
    redrawn = redraw_with_even_pen(picked, seed)
    keep_font_strokes = rng.random(len(picked)) < 0.3
    picked[~keep_font_strokes] = redrawn[~keep_font_strokes]
    drawn = marks(count // 4, rng)[..., np.newaxis] if count >= 4 else picked[:0]
    images = np.concatenate([picked, drawn])
    return images.astype(np.float32)[rng.permutation(len(images))]
