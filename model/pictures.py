"""Pictures for people: the 28x28 digit the network read, enlarged."""

import io

import numpy as np
from PIL import Image

ENLARGED_SIDE = 336  # 12 screen pixels per model pixel


def enlarged_digit_png(image: np.ndarray) -> bytes:
    """The (28, 28) float digit as a PNG, blown up with hard pixel edges, white on black."""
    pixels = (np.clip(image, 0, 1) * 255).astype(np.uint8)
    enlarged = Image.fromarray(pixels).resize(
        (ENLARGED_SIDE, ENLARGED_SIDE), Image.Resampling.NEAREST
    )
    png = io.BytesIO()
    enlarged.save(png, format="PNG")
    return png.getvalue()
