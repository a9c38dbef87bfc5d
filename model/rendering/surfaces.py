"""What the digit is written on: paper (plain, ruled, squared), a chalkboard, a table,
a monitor. Each is float RGB albedo (0..1) in page pixels."""

import cv2
import numpy as np

from model.rendering.framing import View, transform
from model.rendering.noise import noise
from model.rendering.scenes import INKS, PENS
from model.rendering.strokes import Shape, write
from model.rendering.things import an_object, wood


def surface_of(kind: str, w: int, h: int, unit: float, rng: np.random.Generator) -> np.ndarray:
    if kind == "board":
        return _board(w, h, unit, rng)
    if kind == "screen":  # the desk and wall around the monitor; the screen is drawn later
        return wood(w, h, rng)
    if kind == "object":
        return an_object(w, h, rng)
    page = _paper(w, h, rng)
    if kind == "ruled":
        _rule(page, unit, rng)
    elif kind == "squared":
        _square(page, unit, rng)
    return page


def _paper(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    tone = rng.uniform(0.86, 0.95) * (1 + rng.uniform(-0.012, 0.012, 3)).astype(np.float32)
    tone[2] -= rng.uniform(0, 0.03)  # most paper is a little warm
    grain = 0.022 * noise(h, w, 1.0, rng)
    grain += 0.015 * noise(h, w, 5, rng)
    grain += 0.02 * noise(h, w, 0.3 * max(w, h), rng) + 1
    return cv2.merge([grain * float(t) for t in tone])


def _lines(length: int, spacing: float, width: float, rng: np.random.Generator) -> np.ndarray:
    """Anti-aliased coverage of evenly spaced lines across a 1-D axis."""
    position = (np.arange(length, dtype=np.float32) - rng.uniform(0, spacing)) % spacing
    distance = np.minimum(position, spacing - position)
    return np.clip(width / 2 - distance + 0.5, 0, 1)


def _tint(page: np.ndarray, coverage: np.ndarray, colour: tuple[float, float, float]) -> None:
    """Darken `page` by `coverage` (anything that broadcasts to its (h, w)) of a colour."""
    page *= 1 - coverage[..., None] * (1 - np.asarray(colour, np.float32))


def _rule(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """Blue lines the digit is written across, and a red margin line."""
    h, w = page.shape[:2]
    spacing = unit / rng.uniform(1.3, 2.2)
    width = max(1.2, spacing * rng.uniform(0.03, 0.05))
    rows = _lines(h, spacing, width, rng) * rng.uniform(0.5, 0.8)
    _tint(page, rows[:, None], (0.55, 0.7, 0.95))
    if rng.random() < 0.7:
        x = rng.uniform(0.05, 0.35) * w
        cols = np.clip(width * 0.8 - np.abs(np.arange(w, dtype=np.float32) - x) + 0.5, 0, 1)
        _tint(page, cols[None, :] * 0.7, (0.95, 0.42, 0.48))


def _square(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """A light grid, squares a third to a half of the digit's height."""
    h, w = page.shape[:2]
    spacing = unit / rng.uniform(2.0, 3.5)
    width = max(1.0, spacing * rng.uniform(0.03, 0.05))
    strength = rng.uniform(0.35, 0.6)
    rows, cols = _lines(h, spacing, width, rng), _lines(w, spacing, width, rng)
    grid = np.maximum(rows[:, None], cols[None, :]) * strength
    colour = (0.68, 0.8, 0.94) if rng.random() < 0.6 else (0.7, 0.7, 0.72)
    _tint(page, grid, colour)


def _faint_writing(
    w: int, h: int, unit: float, blur: float, rng: np.random.Generator, letters: str
) -> np.ndarray:
    """Lines of words blurred by `blur` pixels (sigma), coverage 0..1, lines about `unit` apart.

    Drawn and blurred at a quarter of the size: it is blurred anyway.
    """
    small = _writing(w // 4 + 1, h // 4 + 1, unit / 4, rng, letters)
    small = cv2.GaussianBlur(small, (0, 0), max(blur / 4, 0.5))
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def _writing(w: int, h: int, unit: float, rng: np.random.Generator, letters: str) -> np.ndarray:
    """Lines of scribbled words, coverage 0..1, lines about `unit` apart."""
    canvas = np.zeros((h, w), np.uint8)
    spacing = unit / rng.uniform(1.2, 2.0)
    text_height = spacing * rng.uniform(0.35, 0.5)
    font = int(rng.choice([cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, cv2.FONT_HERSHEY_SIMPLEX]))
    scale = text_height / 22
    thickness = max(1, round(text_height * 0.1))
    y = rng.uniform(0.3, 1.0) * spacing
    while y < h:
        words = " ".join(
            "".join(rng.choice(list(letters), int(rng.integers(2, 9)))) for _ in range(40)
        )
        x = int(rng.uniform(0.02, 0.12) * w)
        cv2.putText(canvas, words, (x, int(y)), font, scale, 255, thickness, cv2.LINE_AA)
        y += spacing * rng.uniform(0.95, 1.05)
    return canvas.astype(np.float32) / 255


def show_through(page: np.ndarray, unit: float, rng: np.random.Generator) -> None:
    """Writing on the back of the page: mirrored, blurred by the paper, faint."""
    h, w = page.shape[:2]
    blur = max(2.0, unit * rng.uniform(0.02, 0.035))
    back = _faint_writing(w, h, unit, blur, rng, "abcdefghijklmnopqrstuvwxyz")[:, ::-1]
    colour = INKS[str(rng.choice(["blue", "black"]))]
    _tint(page, back * rng.uniform(0.1, 0.18), colour)


def _board(w: int, h: int, unit: float, rng: np.random.Generator) -> np.ndarray:
    """A used chalkboard: dark paint, chalk dust, wiped streaks, ghosts of old writing."""
    colour = [(0.16, 0.26, 0.2), (0.12, 0.13, 0.14), (0.15, 0.18, 0.2)][int(rng.integers(3))]
    base = np.array(colour, np.float32) * rng.uniform(0.85, 1.15)
    texture = 1 + 0.05 * noise(h, w, 1.0, rng) + 0.06 * noise(h, w, 8, rng)
    dust = np.clip(noise(h, w, 0.25 * max(w, h), rng), 0, None) * rng.uniform(0.02, 0.06)
    small = rng.standard_normal((h // 6 + 1, w // 6 + 1), dtype=np.float32)
    streaks = cv2.blur(small, (int(rng.integers(12, 40)), 1))
    streaks = cv2.resize(streaks, (w, h), interpolation=cv2.INTER_LINEAR)
    wiped = np.clip(streaks, 0, None) * rng.uniform(0.04, 0.1)
    light = dust + wiped
    if rng.random() < 0.6:
        blur = max(3.0, unit * rng.uniform(0.02, 0.05))
        ghosts = _faint_writing(w, h, unit, blur, rng, "abcdefghkmnprstwxyz+=-")
        light += ghosts * rng.uniform(0.03, 0.08)
    light = light[..., None] * np.float32(0.9)
    return texture[..., None] * base + light




def on_table(
    page: np.ndarray,
    view: View,
    centre: tuple[float, float],
    unit: float,
    shape: Shape | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Cut the page to a sheet around the digit and lay it on a table, edges in the frame."""
    h, w = page.shape[:2]
    scale = view.scale_at((view.width / 2, view.height / 2))
    half_w = (shape.aspect if shape else 0.6) * unit / 2
    half_h = unit / 2
    left = centre[0] - half_w - rng.uniform(0.04, 0.3) * w * scale
    right = centre[0] + half_w + rng.uniform(0.04, 0.3) * w * scale
    top = centre[1] - half_h - rng.uniform(0.04, 0.3) * h * scale
    bottom = centre[1] + half_h + rng.uniform(0.04, 0.3) * h * scale
    sheet = np.zeros((h, w), np.float32)
    corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
    corners += rng.uniform(-0.01, 0.01, (4, 2)) * min(w, h)  # not a perfect rectangle
    cv2.fillPoly(sheet, [np.round(corners * 16).astype(np.int32)], 1.0, cv2.LINE_AA, shift=4)
    sheet = cv2.GaussianBlur(sheet, (0, 0), 0.7)
    small = cv2.resize(sheet, (w // 4 + 1, h // 4 + 1), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), 0.015 * min(w, h) / 4)
    offset = np.float32([[1, 0, rng.uniform(-1, 1) * 0.01 * w / 4], [0, 1, 0.012 * h / 4]])
    small = cv2.warpAffine(small, offset, small.shape[::-1])
    shade = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    table = wood(w, h, rng) * (1 - 0.45 * shade)[..., None]
    sheet = sheet[..., None]
    return page * sheet + table * (1 - sheet)


def screen(
    surroundings: np.ndarray,
    shape: Shape,
    digit: np.ndarray,
    centre: tuple[float, float],
    unit: float,
    view: View,
    rng: np.random.Generator,
) -> np.ndarray:
    """A monitor showing the digit, in a dim room: drawn in an app, or an image viewer."""
    h, w = surroundings.shape[:2]
    room = surroundings * rng.uniform(0.3, 0.8)
    corners = transform(
        view.frame_to_page, np.array([[0, 0], [view.width, 0], [view.width, view.height]])
    )
    # The screen fills most of the frame; its bezel shows on some sides.
    span = np.linalg.norm(corners[1:] - corners[:-1], axis=1)  # the frame's width, height
    middle = np.array(view.to_page((view.width / 2, view.height / 2)))
    half = span / 2 * rng.uniform(0.85, 1.1, 2)
    x0, y0 = (middle - half).astype(int)
    x1, y1 = (middle + half).astype(int)
    bezel = int(0.03 * min(w, h))
    frame = room.copy()
    cv2.rectangle(frame, (x0 - bezel, y0 - bezel), (x1 + bezel, y1 + bezel), (0.05,) * 3, -1)

    mode = str(rng.choice(["drawing", "drawing", "grey-image", "viridis-image"]))
    content = np.ones((h, w, 3), np.float32)
    if mode == "drawing":
        content *= rng.uniform(0.9, 0.98)
        write(content, shape, centre, unit, PENS["brush"], INKS["paint"], rng)
    else:  # the 28x28 image itself, enlarged with square pixels, in an image viewer
        content *= rng.uniform(0.12, 0.25)
        side = round(unit * 28 / 20)
        pixels = cv2.resize(digit, (side, side), interpolation=cv2.INTER_NEAREST)
        shown = _viridis(pixels) if mode == "viridis-image" else np.dstack([pixels] * 3)
        rows, cols = np.nonzero(pixels > 0.3)
        offset = ((cols.min() + cols.max()) / 2, (rows.min() + rows.max()) / 2)
        x, y = round(centre[0] - offset[0]), round(centre[1] - offset[1])
        ys, xs = slice(max(y, 0), min(y + side, h)), slice(max(x, 0), min(x + side, w))
        content[ys, xs] = shown[ys.start - y : ys.stop - y, xs.start - x : xs.stop - x]
    # Pixel grid and RGB subpixels: the camera samples them into moire.
    pitch = rng.uniform(1.7, 2.8)
    yy = np.arange(h, dtype=np.float32)[:, None, None]
    xx = np.arange(w, dtype=np.float32)[None, :, None]
    phases = np.array([0, 1 / 3, 2 / 3], np.float32)
    depth = rng.uniform(0.15, 0.3)
    rows = 1 - depth * (0.5 + 0.5 * np.cos(2 * np.pi * yy / pitch))
    stripes = 1 - depth * (0.5 + 0.5 * np.cos(2 * np.pi * (xx / pitch - phases)))
    content = content * rows * stripes / (1 - depth / 2) ** 2
    content *= np.array([0.86, 0.95, 1.08], np.float32)  # cold white
    inside = np.zeros((h, w), np.float32)
    cv2.rectangle(inside, (x0, y0), (x1, y1), 1.0, -1)
    reflection = np.clip(noise(h, w, 0.5 * max(w, h), rng), 0, None) * rng.uniform(0.02, 0.07)
    inside = inside[..., None]
    return (content + reflection[..., None]) * inside + frame * (1 - inside)


def _viridis(values: np.ndarray) -> np.ndarray:
    """Matplotlib's default colour map, roughly: dark purple to yellow."""
    anchors = np.array([
        [0.267, 0.005, 0.329], [0.229, 0.322, 0.546], [0.128, 0.567, 0.551],
        [0.369, 0.789, 0.383], [0.993, 0.906, 0.144],
    ], np.float32)
    stops = np.linspace(0, 1, len(anchors))
    return np.stack([np.interp(values, stops, anchors[:, c]) for c in range(3)], axis=-1).astype(
        np.float32
    )
