"""The camera: light and shadows on the page, the lens, the sensor, the file it writes."""

import io
import math

import cv2
import numpy as np
from PIL import Image

from model.rendering.noise import uniform, white
from model.rendering.scenes import Scene

LIGHT_FACTOR = 4  # light and shadows are worked out at 1/4 of the size: they vary smoothly


def light(
    albedo: np.ndarray,
    scene: Scene,
    ink_box: tuple[float, float, float, float] | None,
    rng: np.random.Generator,
) -> np.ndarray:
    """Grey levels (0..255, float) of the page lit unevenly, with shadows, white-balanced."""
    h, w = albedo.shape[:2]
    factor = LIGHT_FACTOR  # light varies smoothly: work it out at a quarter of the size
    sh, sw = h // factor + 1, w // factor + 1
    longest = max(w, h)
    ys = (np.arange(sh, dtype=np.float32)[:, None] * factor - h / 2) / longest
    xs = (np.arange(sw, dtype=np.float32)[None, :] * factor - w / 2) / longest
    angle = rng.uniform(0, 2 * np.pi)
    ramp = xs * math.cos(angle) + ys * math.sin(angle)
    ramp = (ramp - ramp.min()) / max(float(ramp.max() - ramp.min()), 1e-6)
    field = (1 - uniform(rng, scene.gradient) * ramp) * (
        1 - uniform(rng, scene.vignette) * 4 * (xs * xs + ys * ys)
    )
    shadow = scene.shadow
    if shadow == "any":
        shadow = str(rng.choice(["none", "soft", "cast"]))
    if shadow == "soft":
        field *= 1 - rng.uniform(0.05, 0.2) * _blob(sw, sh, rng)
    warmth, green = rng.uniform(-0.06, 0.06), rng.uniform(-0.015, 0.015)  # white balance
    balance = np.array([1 + warmth, 1 + green, 1 - warmth], np.float32)
    exposure = rng.uniform(235, 275) / float(field.max())
    field = field[..., None] * (balance * exposure)
    if shadow == "cast":
        cast = _cast_shadow(sw, sh, ink_box, factor, rng)
        strength = rng.uniform(0.35, 0.6) * np.array([1.0, 0.96, 0.85], np.float32)
        field *= 1 - cast[..., None] * strength
    field = cv2.resize(field.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.multiply(albedo, field)


def _blob(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A large soft dark patch, 0..1, (h, w)."""
    sw, sh = 64, max(2, round(64 * h / w))  # it is soft: drawn tiny, then scaled
    blob = np.zeros((sh, sw), np.float32)
    centre = (int(rng.uniform(0, sw)), int(rng.uniform(0, sh)))
    axes = (int(rng.uniform(0.2, 0.6) * sw), int(rng.uniform(0.2, 0.6) * sh))
    cv2.ellipse(blob, centre, axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
    blob = cv2.GaussianBlur(blob, (0, 0), 0.12 * max(sw, sh))
    return cv2.resize(blob, (w, h), interpolation=cv2.INTER_LINEAR)


def _cast_shadow(
    sw: int,
    sh: int,
    ink_box: tuple[float, float, float, float] | None,
    factor: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """The shadow of a phone or a hand reaching in from outside, ending on the digit.

    Drawn at 1/`factor` of the frame's size, (sh, sw); `ink_box` is in frame pixels.
    """
    if ink_box is None:
        w, h = sw * factor, sh * factor
        x0, y0, x1, y1 = rng.uniform(0.3, 0.5) * w, rng.uniform(0.3, 0.5) * h, 0.6 * w, 0.6 * h
    else:
        x0, y0, x1, y1 = ink_box
    target = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) / factor
    size = max(x1 - x0, y1 - y0) / factor
    angle = rng.uniform(0, 2 * np.pi)
    forward = np.array([math.cos(angle), math.sin(angle)])  # from the source into the frame
    across = np.array([-forward[1], forward[0]])
    tip = target + forward * rng.uniform(-0.3, 0.3) * size + across * rng.uniform(-0.2, 0.2) * size
    half = rng.uniform(0.25, 0.45) * max(sw, sh)
    back = 3 * max(sw, sh)
    small = np.zeros((sh, sw), np.float32)
    band = np.array([tip + across * half, tip - across * half,
                     tip - across * half - forward * back, tip + across * half - forward * back])
    cv2.fillPoly(small, [np.int32(band)], 1.0, cv2.LINE_AA)
    if rng.random() < 0.5:  # a hand: a rounded end and fingers
        palm = tuple(int(v) for v in tip)
        degrees = math.degrees(angle)
        cv2.ellipse(small, palm, (int(half * 0.5), int(half)), degrees, 0, 360, 1.0, -1)
        for k in range(4):
            offset = (k - 1.5) / 1.5 * half * 0.75
            start = tip + across * offset
            end = start + forward * half * rng.uniform(0.5, 0.9)
            cv2.line(small, tuple(int(v) for v in start), tuple(int(v) for v in end), 1.0,
                     max(1, int(half * 0.22)), cv2.LINE_AA)
    return cv2.GaussianBlur(small, (0, 0), max(0.8, rng.uniform(0.004, 0.02) * max(sw, sh)))


def glow(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A screen's light spilling around bright areas."""
    h, w = image.shape[:2]
    small = cv2.resize(image, (w // 8 + 1, h // 8 + 1), interpolation=cv2.INTER_AREA)
    halo = cv2.GaussianBlur(small, (0, 0), 3)
    return image + rng.uniform(0.05, 0.15) * cv2.resize(halo, (w, h))


def optics(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """Lens blur, defocus or shake, and the phone's sharpening."""
    image = cv2.GaussianBlur(image, (0, 0), uniform(rng, scene.lens_blur))
    if scene.defocus:
        side = min(image.shape[:2])
        if rng.random() < 0.6:  # out of focus: a disk
            radius = max(2, round(rng.uniform(0.004, 0.009) * side))
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1,) * 2)
        else:  # a shaking hand: a short line
            length = max(3, round(rng.uniform(0.01, 0.022) * side))
            kernel = np.zeros((length, length), np.uint8)
            cv2.line(kernel, (0, length // 2), (length - 1, length // 2), 1, 1)
            middle = ((length - 1) / 2, (length - 1) / 2)
            turn = cv2.getRotationMatrix2D(middle, rng.uniform(0, 180), 1)
            kernel = cv2.warpAffine(kernel.astype(np.float32), turn, (length, length))
        kernel = kernel.astype(np.float32) / float(kernel.sum())
        image = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)
    amount = uniform(rng, scene.sharpen)
    if amount > 0:
        soft = cv2.GaussianBlur(image, (0, 0), 1.6)
        image = cv2.addWeighted(image, 1 + amount, soft, -amount, 0)
    return image


def sensor(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """Noise on the 8-bit image: mostly in brightness, some blotchy colour."""
    h, w = image.shape[:2]
    sigma = uniform(rng, scene.noise)
    chroma = rng.standard_normal((h // 3 + 1, w // 3 + 1, 3), dtype=np.float32) * (0.6 * sigma)
    speckle = cv2.resize(chroma, (w, h), interpolation=cv2.INTER_LINEAR)
    speckle += (sigma * white(h, w, rng))[..., None]
    return cv2.add(image, speckle, dtype=cv2.CV_8U)  # saturates to 0..255


def encode(image: np.ndarray, scene: Scene, rng: np.random.Generator) -> bytes:
    quality = int(rng.integers(scene.quality[0], scene.quality[1] + 1))
    if scene.file == "original":
        return _camera_original(image, quality)
    ok, data = cv2.imencode(
        ".jpg", cv2.cvtColor(image, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return data.tobytes()


def _camera_original(image: np.ndarray, quality: int) -> bytes:
    """The camera's own JPEG: a portrait photo is stored landscape, upright per EXIF."""
    exif = Image.Exif()
    if image.shape[0] > image.shape[1]:
        image = np.ascontiguousarray(np.rot90(image, 1))  # the sensor's landscape rows
        exif[0x0112] = 6  # Orientation: rotate 90 degrees clockwise to show
    else:
        exif[0x0112] = 1
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=quality, exif=exif.tobytes())
    return buffer.getvalue()
