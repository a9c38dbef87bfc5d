"""Random numbers and smooth random fields, shared by everything the renderer draws."""

import functools

import cv2
import numpy as np


def uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))



BANK_SIDE = 2048


@functools.cache
def _noise_bank() -> np.ndarray:
    """Gaussian white noise to cut windows from: drawing fresh noise for every photo is slow."""
    return np.random.default_rng(0).standard_normal((BANK_SIDE, BANK_SIDE), dtype=np.float32)


def white(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """Unit Gaussian white noise, (h, w), read-only: a random window of the bank."""
    if h > BANK_SIDE or w > BANK_SIDE:
        return rng.standard_normal((h, w), dtype=np.float32)
    y, x = int(rng.integers(BANK_SIDE - h + 1)), int(rng.integers(BANK_SIDE - w + 1))
    return _noise_bank()[y : y + h, x : x + w]


def noise(h: int, w: int, feature: float, rng: np.random.Generator) -> np.ndarray:
    """Smooth random field, about unit variance, with blobs `feature` pixels across."""
    if feature <= 1:  # pixel-sized: the lens blurs it later
        return white(h, w, rng)
    if feature <= 2:
        field = cv2.GaussianBlur(white(h, w, rng), (0, 0), feature * 0.5)
    else:
        small = rng.standard_normal(
            (max(2, int(h / feature) + 2), max(2, int(w / feature) + 2)), dtype=np.float32
        )
        field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    field *= 1 / max(float(field[::5, ::5].std()), 1e-6)
    return field
