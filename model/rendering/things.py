"""Photos of things that are not digits: a cup, a face, a landscape, a desk, cloth."""

import math

import cv2
import numpy as np

from model.rendering.noise import noise


def an_object(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    painter = [_cup, _face, _landscape, _desk, _fabric][int(rng.integers(5))]
    texture = 1 + 0.03 * noise(h, w, 3, rng) + 0.03 * noise(h, w, 0.2 * max(w, h), rng)
    return painter(w, h, rng) * texture[..., None]


def _colour(rng: np.random.Generator, low: float = 0.1, high: float = 0.9) -> tuple[float, ...]:
    return tuple(float(c) for c in rng.uniform(low, high, 3))


def _cup(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A mug on a table, seen from above at an angle."""
    image = wood(w, h, rng)
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
    image *= (1 + 0.03 * noise(h, w, 30, rng))[..., None]
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
    return image * (1 + 0.04 * noise(h, w, 3, rng))[..., None]


def _desk(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A desk with books, a phone, a plate: shapes with shadows."""
    image = wood(w, h, rng)
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
    folds = 1 + 0.25 * noise(h, w, 0.3 * max(w, h), rng)
    return (weave * folds)[..., None] * colour


def wood(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A table: wood grain or a plain dark desk."""
    if rng.random() < 0.6:
        colour = np.array([0.45, 0.3, 0.18], np.float32) * rng.uniform(0.5, 1.1)
        small = rng.standard_normal((h // 3 + 1, w // 60 + 2), dtype=np.float32)
        grain = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
        texture = 1 + 0.12 * grain + 0.04 * noise(h, w, 1.0, rng)
    else:
        colour = np.array([0.14, 0.14, 0.15], np.float32) * rng.uniform(0.7, 1.5)
        texture = 1 + 0.05 * noise(h, w, 1.0, rng) + 0.05 * noise(h, w, 40, rng)
    return texture[..., None] * colour
