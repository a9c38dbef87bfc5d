"""Centre lines of binary shapes, one pixel wide (Zhang and Suen's parallel thinning).

OpenCV's own thinning lives in its contrib build, which the headless wheel lacks, so
this is whole-array numpy: each pass looks up every pixel's 8 neighbours in a table.
It takes one image or a stack of them. `centre_lines_and_half_widths` also says how
wide the shape is along its centre lines.
"""

import cv2
import numpy as np


def _deletion_tables() -> np.ndarray:
    """For each 8-neighbourhood code, whether sub-iterations 1 and 2 delete the pixel.

    Bit k of a code is the k-th neighbour clockwise from north: N, NE, E, SE, S, SW, W, NW.
    """
    tables = np.zeros((2, 256), bool)
    for code in range(256):
        ring = [(code >> k) & 1 for k in range(8)]
        n, e, s, w = ring[0], ring[2], ring[4], ring[6]
        rises = sum(ring[k] == 0 and ring[(k + 1) % 8] == 1 for k in range(8))
        if 2 <= sum(ring) <= 6 and rises == 1:
            tables[0, code] = n * e * s == 0 and e * s * w == 0
            tables[1, code] = n * e * w == 0 and n * s * w == 0
    return tables


_DELETE = _deletion_tables()


def thin(masks: np.ndarray) -> np.ndarray:
    """One-pixel-wide centre lines of binary images shaped (..., height, width)."""
    masks = np.asarray(masks, bool)
    if masks.ndim < 2:
        raise ValueError(f"expected images shaped (..., height, width), got {masks.shape}")
    leading = tuple(range(masks.ndim - 2))
    rows = np.flatnonzero(masks.any(axis=(*leading, masks.ndim - 1)))
    cols = np.flatnonzero(masks.any(axis=(*leading, masks.ndim - 2)))
    lines = np.zeros(masks.shape, bool)
    if rows.size == 0:
        return lines
    # Work on the box that holds all the ink, with a blank border for the neighbours.
    box = (..., slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    padding = [(0, 0)] * (masks.ndim - 2) + [(1, 1), (1, 1)]
    image = np.pad(masks[box], padding).astype(np.uint8)
    changed = True
    while changed:
        changed = False
        for table in _DELETE:
            code = (
                image[..., :-2, 1:-1] | image[..., :-2, 2:] << 1 | image[..., 1:-1, 2:] << 2
                | image[..., 2:, 2:] << 3 | image[..., 2:, 1:-1] << 4
                | image[..., 2:, :-2] << 5 | image[..., 1:-1, :-2] << 6
                | image[..., :-2, :-2] << 7
            )
            centre = image[..., 1:-1, 1:-1]
            remove = table[code] & (centre == 1)
            if remove.any():
                centre[remove] = 0
                changed = True
    lines[box] = image[..., 1:-1, 1:-1] == 1
    return lines


def centre_lines_and_half_widths(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D mask's centre lines, and each centre-line pixel's distance to the background.

    That distance is half the stroke's width there.
    """
    padded = np.pad(np.asarray(mask, bool), 1)  # the picture's edge counts as background
    centre = thin(padded)
    inside = cv2.distanceTransform(padded.astype(np.uint8), cv2.DIST_L2, 5)
    return centre[1:-1, 1:-1], inside[centre]
