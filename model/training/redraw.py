"""MNIST's training digits redrawn as a ballpoint or a marker would write them.

A pen draws every stroke equally wide, where MNIST's scanned strokes swell and taper;
preprocessing then brings that even stroke to MNIST's mean width. Before training,
`redraw_with_even_pen` makes such a copy of each digit: its centre lines drawn again
with one round pen. Training mixes the copies in (see `model.augment`).
"""

import cv2
import numpy as np

from model.reading.digits import SIDE
from model.rendering.thinning import centre_lines_and_half_widths

SCALE = 2  # centre lines are found at twice MNIST's resolution
PEN_RADIUS = (0.9, 1.5)  # MNIST pixels: preprocessing's 0.11-of-the-side pen, give or take
# Share of the ink that may lie more than 1.5 of the digit's own stroke radii from its
# centre lines. A digit with more (a filled loop, a bold stroke as wide as it is long)
# would lose strokes if redrawn.
LOST_INK = 0.05


def redraw_with_even_pen(images: np.ndarray, seed: int = 0) -> np.ndarray:
    """Each digit of a float (n, 28, 28, 1) stack in [0, 1] redrawn with a round pen.

    The pen's radius is random per digit. A digit that thinning would mangle is kept
    as it was.
    """
    if images.dtype != np.float32 or images.shape[1:] != (SIDE, SIDE, 1):
        raise ValueError(
            f"expected float32 digits shaped (n, 28, 28, 1), not {images.dtype} {images.shape}"
        )
    rng = np.random.default_rng(seed)
    side = SIDE * SCALE
    redrawn = images.copy()
    for i, image in enumerate(images[..., 0]):
        ink = cv2.resize(image, (side, side), interpolation=cv2.INTER_CUBIC) > 0.4
        path, half_widths = centre_lines_and_half_widths(ink)
        if not path.any():
            continue
        to_path = cv2.distanceTransform((~path).astype(np.uint8), cv2.DIST_L2, 5)
        own_radius = np.median(half_widths)
        if (ink & (to_path > 1.5 * own_radius)).sum() > LOST_INK * ink.sum():
            continue
        radius = rng.uniform(*PEN_RADIUS) * SCALE
        coverage = np.clip(radius - to_path + 0.5, 0, 1)
        redrawn[i, ..., 0] = cv2.resize(coverage, (SIDE, SIDE), interpolation=cv2.INTER_AREA)
    return redrawn
