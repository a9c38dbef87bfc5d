"""Image file bytes to an upright grayscale picture, safely.

Anything may arrive: a 12-megapixel photo, a PNG bomb, a truncated JPEG, a 16-bit
TIFF, a GIF with transparency. Size is checked before decoding, JPEGs are decoded
at reduced size when they are large (nearly free), and the result is at most
`WORKING_SIDE` pixels along its long side, whatever came in.

Memory: a JPEG of `MAX_PIXELS` is decoded at 1/8 scale, about 1 MB. Other formats are
decoded in full (Pillow cannot do less), at up to 4 bytes a pixel and a converted copy or
two, so they get the smaller `MAX_FULL_DECODE_PIXELS`: at most about 100 MB each.
"""

import io
import math

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from model.reading.errors import ImageTooLarge, PreprocessingError, UnreadableImage

MAX_PIXELS = 60_000_000  # JPEG: a 12 MP phone photo has 12 million; more is not a photo
MAX_FULL_DECODE_PIXELS = 16_000_000  # PNG, WebP, ...: twice a 4K screenshot
REDUCIBLE_FORMATS = ("JPEG", "MPO")  # the formats Pillow's draft() decodes at 1/2 to 1/8
WORKING_SIDE = 640  # long side the image is reduced to before any analysis


def decode_grayscale(data: bytes) -> np.ndarray:
    """Image bytes to uint8 grayscale (0 black, 255 white), upright, long side ≤ 640."""
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        limit = MAX_PIXELS if image.format in REDUCIBLE_FORMATS else MAX_FULL_DECODE_PIXELS
        if width * height > limit:
            raise ImageTooLarge(
                f"{width}x{height} pixels of {image.format} is more than {limit:,}"
            )
        # A JPEG can be decoded at 1/2, 1/4 or 1/8 scale, and as luminance only, for
        # free: ask for the smallest that keeps WORKING_SIDE on the long side. (Asking
        # for a square would keep the short side at WORKING_SIDE too: a 1280x960 photo
        # would be decoded in full, then resized at a cost of 5 ms.)
        fit = min(1.0, WORKING_SIDE / max(width, height))
        image.draft("L", (math.ceil(width * fit), math.ceil(height * fit)))
        if max(image.size) > WORKING_SIDE:  # (thumbnail() costs time even when it has none)
            image.thumbnail((WORKING_SIDE, WORKING_SIDE), Image.Resampling.LANCZOS)
        image = ImageOps.exif_transpose(image)
        gray = _to_gray_array(image)
    except PreprocessingError:
        raise
    except UnidentifiedImageError:
        raise UnreadableImage("not an image file (or not one Pillow can read)") from None
    except Image.DecompressionBombError as error:
        raise ImageTooLarge(str(error)) from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:
        # Pillow reports truncated or corrupt data with any of these.
        raise UnreadableImage(f"corrupt image: {error}") from None
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
    if image.mode != "L":
        image = image.convert("RGB").convert("L")
    return np.asarray(image, dtype=np.uint8)
