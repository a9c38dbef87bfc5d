"""The photo renderer: phone photos of MNIST digits and numbers under many conditions."""

import io
from collections import Counter

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from model.rendering import (
    CONDITIONS,
    NEGATIVE_CONDITIONS,
    Sample,
    compose_number,
    frame_sizes,
    photo_set,
    render,
    render_negative,
)

SEED = 7
ALL_CONDITIONS = CONDITIONS + NEGATIVE_CONDITIONS


@pytest.fixture(scope="module")
def digits(mnist) -> tuple[np.ndarray, np.ndarray]:
    return mnist.test.images[:300], mnist.test.labels[:300]


@pytest.fixture(scope="module")
def samples(digits) -> list[Sample]:
    return photo_set(*digits, per_condition=2, negatives_per_condition=2, seed=SEED)


def decode(sample: Sample) -> Image.Image:
    image = Image.open(io.BytesIO(sample.data))
    image.load()
    return image


def test_conditions_are_many_distinct_and_include_the_negatives():
    assert 16 <= len(CONDITIONS) <= 24
    assert len(set(ALL_CONDITIONS)) == len(ALL_CONDITIONS)
    assert {"blank-page", "blank-board", "non-digit-object", "cut-off-digit"} <= set(
        NEGATIVE_CONDITIONS
    )


def test_every_condition_is_covered_with_balanced_labels(samples):
    assert Counter(sample.condition for sample in samples) == dict.fromkeys(ALL_CONDITIONS, 2)
    for condition in CONDITIONS:  # the k-th photo of a condition shows a k % 10
        assert [s.label for s in samples if s.condition == condition] == [0, 1]
    assert all(s.label is None for s in samples if s.condition in NEGATIVE_CONDITIONS)


def test_the_label_is_the_one_given_with_the_digit(digits):
    images, labels = digits
    relabelled = np.full_like(labels, 6)  # the generator must not know MNIST's labels
    shown = photo_set(images, relabelled, 3, 0, SEED, conditions=["clean-white-paper"])
    assert [sample.label for sample in shown] == [6, 6, 6]


def test_photos_decode_at_the_sizes_phones_send(samples):
    for sample in samples:
        image = decode(sample)
        assert image.size in frame_sizes(sample.condition), sample.condition
        if sample.condition == "paint-app":
            assert image.format == "PNG"
            continue
        assert image.format == "JPEG", sample.condition
        upright = ImageOps.exif_transpose(image).size
        long_side = max(upright)
        if sample.condition == "low-jpeg":
            assert long_side == 640
        elif sample.condition == "document-12mp":
            assert upright[0] * upright[1] >= 12_000_000
        else:
            assert long_side in (1280, 2560), sample.condition


def test_a_portrait_original_is_stored_sideways_with_its_exif_orientation(digits):
    images, labels = digits
    shots = photo_set(images, labels, 4, 0, SEED, conditions=["document-12mp"])
    orientations = {decode(s).getexif().get(0x0112) for s in shots}
    assert orientations == {1, 6}  # landscape as is, portrait turned by the viewer
    for shot in shots:
        image = decode(shot)
        width, height = ImageOps.exif_transpose(image).size
        assert (height > width) == (image.getexif().get(0x0112) == 6)


def test_same_seed_same_photos_and_another_seed_other_photos(samples, digits):
    some = ["pencil", "screen", "paint-app", "cut-off-digit"]
    again = photo_set(*digits, per_condition=2, negatives_per_condition=2, seed=SEED,
                      conditions=some)
    assert again == [sample for sample in samples if sample.condition in some]
    other = photo_set(*digits, per_condition=2, negatives_per_condition=2, seed=SEED + 1,
                      conditions=["pencil"])
    assert [s.data for s in other] != [s.data for s in again if s.condition == "pencil"]


def test_render_is_a_function_of_its_random_generator(digits):
    digit = digits[0][0, ..., 0]
    first = render(digit, "ruled-paper", np.random.default_rng(3))
    assert render(digit, "ruled-paper", np.random.default_rng(3)) == first
    assert render(digit, "ruled-paper", np.random.default_rng(4)) != first
    blank = render_negative("blank-page", np.random.default_rng(3))
    assert blank == render_negative("blank-page", np.random.default_rng(3))


def grey(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("L"), np.float32)


def test_the_digit_shows_and_blank_pages_stay_blank(digits):
    """The written digit makes dark strokes; a blank page has none."""
    digit = digits[0][0, ..., 0]
    written = grey(render(digit, "clean-white-paper", np.random.default_rng(5)))
    blank = grey(render_negative("blank-page", np.random.default_rng(5)))
    strokes = (written < np.median(written) - 80).mean()  # far darker than the paper
    assert strokes > 0.002
    assert (blank < np.median(blank) - 80).mean() < strokes / 10


def test_unknown_conditions_and_cut_offs_without_a_digit_are_refused(digits):
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown condition"):
        render(digits[0][0], "underwater", rng)
    with pytest.raises(ValueError, match="need a digit"):
        render_negative("cut-off-digit", rng)
    with pytest.raises(ValueError, match="unknown conditions"):
        photo_set(*digits, 1, 1, conditions=["underwater"])


# --------------------------------------------------------------------------------------
# The benchmark's scores and report


def coarse_ink(ink: np.ndarray, cells: int = 8) -> np.ndarray:
    """Which cells of a grid over the ink's bounding box hold ink."""
    rows, columns = np.nonzero(ink)
    box = ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1].astype(np.float32)
    return cv2.resize(box, (cells, cells), interpolation=cv2.INTER_AREA) > 0.05


def test_a_bold_digit_is_drawn_with_all_its_strokes(mnist):
    bold_three = mnist.test.images[93, ..., 0]  # its arms are as wide as they are long
    assert mnist.test.labels[93] == 3
    photo = grey(render(bold_three, "clean-white-paper", np.random.default_rng(1)))
    drawn = coarse_ink(photo < np.median(photo) - 80)
    near_drawn = cv2.dilate(drawn.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    written = coarse_ink(bold_three > 0.5)
    assert (written & near_drawn).sum() >= 0.95 * written.sum()


def test_a_number_is_its_digits_side_by_side(mnist):
    rng = np.random.default_rng(4)
    digits = mnist.test.images[:4, ..., 0]
    number = compose_number(digits, rng)
    assert number.shape[0] == 28
    widths = [(d.max(axis=0) > 0.1).sum() for d in digits]
    assert sum(widths) + 4 * 2 + 3 * 2 <= number.shape[1] <= sum(widths) + 8 + 3 * 7 + 4
    ink_columns = number.max(axis=0) > 0.1
    runs = np.flatnonzero(np.diff(ink_columns.astype(int)) == 1).size
    assert runs >= 4  # four separate digits, gaps between them
    photo = grey(render(number, "clean-white-paper", rng))
    ink_rows = np.flatnonzero((photo < np.median(photo) - 60).any(axis=1))
    ink_columns = np.flatnonzero((photo < np.median(photo) - 60).any(axis=0))
    assert np.ptp(ink_columns) > 2.5 * np.ptp(ink_rows)  # written as a wide row
