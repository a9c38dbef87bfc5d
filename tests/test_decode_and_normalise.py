"""From image bytes to the 28x28 pictures the network reads: decoding and normalisation."""

import numpy as np
import pytest
from PIL import Image

from model.reading.decode import decode_grayscale
from model.reading.errors import ImageTooLarge, UnreadableImage
from model.reading.preprocess import characters_in
from model.reading.result import Refusal
from tests.images import drawn_digit, encode, jpeg, phone_photo


def preprocess(data: bytes) -> np.ndarray:
    """The one character in an image file, as the network reads it."""
    _, images = characters_in(decode_grayscale(data))
    assert len(images) == 1, f"expected one character, found {len(images)}"
    return images[0]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Correlation of two digits: 1 for the same picture."""
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return preprocess(encode(drawn_digit("7")))


def test_output_is_normalised_like_mnist(reference):
    assert reference.shape == (28, 28) and reference.dtype == np.float32
    assert reference.min() >= 0 and reference.max() == pytest.approx(1.0, abs=0.05)
    rows = np.flatnonzero(reference.max(axis=1) > 0.05)
    cols = np.flatnonzero(reference.max(axis=0) > 0.05)
    # The long side fills the 20-pixel box (±1 for anti-aliased edges), the short side less.
    assert 19 <= rows[-1] - rows[0] + 1 <= 22
    assert cols[-1] - cols[0] + 1 < rows[-1] - rows[0] + 1
    ys, xs = np.mgrid[:28, :28]
    mass = reference.sum()
    assert (ys * reference).sum() / mass == pytest.approx(14, abs=0.5)
    assert (xs * reference).sum() / mass == pytest.approx(14, abs=0.5)
    assert reference[0].max() == 0 and reference[:, 0].max() == 0  # black margins


def test_light_on_dark_reads_like_dark_on_light(reference):
    chalk = preprocess(encode(drawn_digit("7", ink=235, paper=40)))
    assert similarity(chalk, reference) > 0.95


@pytest.mark.parametrize("mode", ["1", "L", "RGB", "CMYK", "P", "I", "F", "LA", "RGBA"])
def test_every_image_mode_gives_the_same_digit(mode, reference):
    image = drawn_digit("7", mode=mode)
    fmt = {"CMYK": "JPEG", "F": "TIFF", "I": "TIFF"}.get(mode, "PNG")
    if mode == "I":  # 16-bit grayscale: ink 0, paper 65535
        image = Image.fromarray(np.asarray(drawn_digit("7"), np.int32) * 257)
    if mode == "F":
        image = Image.fromarray(np.asarray(drawn_digit("7"), np.float32) / 255.0)
    assert similarity(preprocess(encode(image, fmt)), reference) > 0.9


def test_16_bit_png_is_scaled_not_clipped(reference):
    pixels = (np.asarray(drawn_digit("7"), np.uint16) * 257).astype(np.uint16)
    image = Image.fromarray(pixels)
    assert image.mode == "I;16"
    gray = decode_grayscale(encode(image))
    assert gray.max() == 255 and gray.min() == 0
    assert similarity(preprocess(encode(image)), reference) > 0.95


def test_transparent_background_is_laid_over_white(reference):
    ink_only = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    ink_only.putalpha(Image.eval(drawn_digit("7"), lambda v: 255 - v))  # black ink, clear page
    assert similarity(preprocess(encode(ink_only)), reference) > 0.95


def test_palette_image_with_transparency(reference):
    image = drawn_digit("7", mode="RGBA").convert("P")
    image.info["transparency"] = image.getpixel((0, 0))  # the paper's colour becomes clear
    assert similarity(preprocess(encode(image)), reference) > 0.95


@pytest.mark.parametrize("orientation, turn", [(6, Image.Transpose.ROTATE_90),
                                               (8, Image.Transpose.ROTATE_270),
                                               (3, Image.Transpose.ROTATE_180)])
def test_exif_orientation_is_honoured(orientation, turn, reference):
    # A camera stores the pixels sideways and says in EXIF how to turn them upright.
    sideways = drawn_digit("7").transpose(turn)
    exif = Image.Exif()
    exif[0x0112] = orientation
    upright = preprocess(encode(sideways, "JPEG", exif=exif.tobytes(), quality=95))
    assert similarity(upright, reference) > 0.9


def test_phone_photo_of_an_mnist_digit_comes_back_close_to_it(mnist, rng):
    original = mnist.test.images[0, ..., 0]
    photo = jpeg(phone_photo(original, rng))
    assert similarity(preprocess(photo), original) > 0.85


@pytest.mark.parametrize("data", [b"", b"not an image at all", b"\x89PNG\r\n\x1a\n" + b"\0" * 50])
def test_garbage_is_unreadable(data):
    with pytest.raises(UnreadableImage):
        decode_grayscale(data)


def test_truncated_jpeg_is_unreadable(rng, mnist):
    photo = jpeg(phone_photo(mnist.test.images[0, ..., 0], rng))
    with pytest.raises(UnreadableImage):
        decode_grayscale(photo[: len(photo) // 3])


@pytest.mark.parametrize("size", [(9_000, 8_000), (20_000, 20_000)])
def test_huge_image_is_refused_before_decoding(size):
    # A tiny PNG whose header claims tens of millions of pixels: a decompression bomb.
    bomb = encode(Image.new("1", size), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(ImageTooLarge):
        decode_grayscale(bomb)


def test_formats_decoded_in_full_get_a_smaller_pixel_limit():
    # 59 MP: under the limit for a JPEG (decoded at 1/8 scale), over it for a PNG, which
    # would cost hundreds of megabytes to decode.
    size = (8_880, 6_660)
    with pytest.raises(ImageTooLarge, match="PNG"):
        decode_grayscale(encode(Image.new("1", size, 1), "PNG"))
    photo = decode_grayscale(encode(Image.new("L", size, 255), "JPEG", quality=50))
    assert max(photo.shape) <= 640


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (5000, 3), (3, 5000)])
def test_tiny_or_thread_thin_images_are_refused_as_holding_no_writing(reader, size):
    reading = reader.read(encode(Image.new("L", size, 128)))
    assert reading.refusal is Refusal.NO_WRITING and reading.characters == ()


@pytest.mark.parametrize("paper", [0, 128, 255])
def test_blank_page_has_no_characters(paper):
    shapes, images = characters_in(decode_grayscale(encode(Image.new("L", (640, 480), paper))))
    assert shapes == [] and images.shape == (0, 28, 28)


def test_large_photo_is_reduced_before_analysis(rng, mnist):
    photo = jpeg(phone_photo(mnist.test.images[1, ..., 0], rng, size=(4000, 3000)))
    gray = decode_grayscale(photo)
    assert max(gray.shape) == 640 and gray.shape[0] == 480
