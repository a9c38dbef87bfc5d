"""Pictures for people: what the reader saw in a photo, drawn on it.

The photo with a box round each character found (green: a digit of the number, with
the digit read; red, orange or grey: skipped, with why), and under it the 28x28
pictures the network read, enlarged, each with its reading. One PNG, so one message shows it all.
"""

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from model.reading.result import Reading, Role

PHOTO_SIDE = 720  # long side of the photo in the picture
CROP_SIDE = 112  # each 28x28 picture, enlarged 4 times
MAX_CROPS = 16  # crops shown; a sheet of writing has more characters than fit
LABEL_HEIGHT = 22
COLOURS = {
    Role.DIGIT: (0, 170, 60),
    Role.NOT_A_DIGIT: (220, 40, 40),
    Role.CUT_OFF: (240, 140, 0),
    Role.STRAY: (150, 150, 150),
    Role.TOO_SMALL: (150, 150, 150),
}


def _label(character_role: Role, digit: int, confidence: float) -> str:
    if character_role is Role.DIGIT:
        return f"{digit} {confidence:.0%}"
    return character_role.value


def annotated_png(reading: Reading) -> bytes:
    """The photo with what was found drawn on it, and the network's 28x28 pictures below."""
    photo = Image.fromarray(reading.photo).convert("RGB")
    scale = min(1.0, PHOTO_SIDE / max(photo.size))
    photo = photo.resize((max(1, round(photo.width * scale)), max(1, round(photo.height * scale))))
    font = ImageFont.load_default(size=18)
    draw = ImageDraw.Draw(photo)
    for character in reading.characters:
        box = character.box.scaled(scale)
        colour = COLOURS[character.role]
        draw.rectangle([box.x, box.y, box.right, box.bottom], outline=colour, width=3)
        text = _label(character.role, character.digit, character.confidence)
        draw.text((box.x, max(0, box.y - LABEL_HEIGHT)), text, fill=colour, font=font,
                  stroke_width=2, stroke_fill="white")

    crops = reading.characters[:MAX_CROPS]
    per_row = max(1, photo.width // CROP_SIDE)
    rows = -(-len(crops) // per_row)
    sheet = Image.new("RGB", (photo.width, photo.height + rows * (CROP_SIDE + LABEL_HEIGHT)),
                      "white")
    sheet.paste(photo, (0, 0))
    draw = ImageDraw.Draw(sheet)
    for index, character in enumerate(crops):
        x = (index % per_row) * CROP_SIDE
        y = photo.height + (index // per_row) * (CROP_SIDE + LABEL_HEIGHT)
        pixels = (np.clip(character.image, 0, 1) * 255).astype(np.uint8)
        crop = Image.fromarray(pixels).resize((CROP_SIDE, CROP_SIDE), Image.Resampling.NEAREST)
        sheet.paste(crop.convert("RGB"), (x, y))
        text = _label(character.role, character.digit, character.confidence)
        draw.text((x + 4, y + CROP_SIDE + 2), text, fill=COLOURS[character.role], font=font)
    png = io.BytesIO()
    sheet.save(png, format="PNG")
    return png.getvalue()
