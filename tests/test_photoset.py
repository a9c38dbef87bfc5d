"""The photo benchmark: its generator of phone photos, its scores and its report."""

import io
from collections import Counter
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from benchmarks import photos
from benchmarks.photoset import (
    CONDITIONS,
    NEGATIVE_CONDITIONS,
    Sample,
    frame_sizes,
    photo_set,
    render,
    render_negative,
)
from model.recogniser import Recogniser

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


def outcome(answer: int | None) -> photos.Outcome:
    return photos.Outcome(answer, 0.01)


def test_scores_count_no_digit_as_wrong_and_any_digit_on_a_negative_as_answered():
    samples = [Sample("pencil", b"", 3), Sample("pencil", b"", 4),
               Sample("blank-page", b"", None), Sample("blank-page", b"", None)]
    ours = [outcome(3), outcome(None), outcome(None), outcome(5)]
    baseline = [outcome(3), outcome(4), outcome(1), outcome(2)]
    rows = photos.table_rows(samples, ours, baseline)
    assert [(r.condition, r.negative, r.photos) for r in rows] == [
        ("pencil", False, 2), ("blank-page", True, 2)]
    assert (rows[0].ours, rows[0].baseline, rows[0].ours_declined) == (0.5, 1.0, 0.5)
    assert (rows[1].ours, rows[1].baseline) == (0.5, 1.0)
    summary = photos.summarise(samples, ours, baseline, (0.995, 0.99))
    assert summary.digit_accuracy == (0.5, 1.0)
    assert summary.negatives_answered == (0.5, 1.0)
    assert [goal.passed for goal in photos.goals(summary)] == [False, False, True]


def test_goals_pass_at_their_thresholds():
    summary = photos.Summary(
        digit_photos=100, negative_photos=100, digit_accuracy=(0.97, 0.5),
        negatives_answered=(0.05, 1.0), declined=0.01, median_ms=(1, 1), p95_ms=(2, 2),
        mnist_accuracy=(0.99, 0.995),
    )
    assert [goal.passed for goal in photos.goals(summary)] == [True, True, False]


def test_our_reader_declines_on_preprocessing_errors_and_unanswered_readings():
    class Refuses:
        def read(self, data):
            return SimpleNamespace(digit=7, confidence=0.3, answered=False)

    class Answers:
        def read(self, data):
            return SimpleNamespace(digit=7, confidence=0.9)  # no `answered`: an answer

    assert photos.our_reader(Refuses())(b"") is None
    assert photos.our_reader(Answers())(b"") == 7


def test_our_reader_says_no_digit_to_a_file_that_is_no_image(recogniser):
    assert photos.our_reader(recogniser)(b"this is not an image") is None


@pytest.fixture(scope="module")
def seed_recogniser() -> Recogniser:
    return Recogniser.load(photos.SEED_CHECKPOINT)


def test_the_report_has_a_row_for_every_condition(samples, recogniser, seed_recogniser):
    ours = photos.run(samples, photos.our_reader(recogniser))
    baseline = photos.run(samples, photos.baseline_reader(seed_recogniser))
    assert all(isinstance(o.answer, int) and 0 <= o.answer <= 9 for o in baseline)
    assert all(o.answer is None or 0 <= o.answer <= 9 for o in ours)
    assert all(o.seconds > 0 for o in ours + baseline)

    rows = photos.table_rows(samples, ours, baseline)
    assert [row.condition for row in rows] == list(ALL_CONDITIONS)
    assert all(row.photos == 2 and 0 <= row.ours <= 1 for row in rows)
    assert all(row.baseline == 1.0 for row in rows if row.negative)  # it always answers

    summary = photos.summarise(samples, ours, baseline, (0.99, 0.99))
    assert summary.digit_photos == 2 * len(CONDITIONS)
    assert summary.negative_photos == 2 * len(NEGATIVE_CONDITIONS)
    table = photos.format_table(rows, summary)
    lines = table.splitlines()
    for condition in ALL_CONDITIONS:
        assert sum(line.split()[:1] == [condition] for line in lines) == 1, condition
    assert table.count("PASS") + table.count("FAIL") == 3
    assert "MNIST test set" in table and "95th" in table


def test_examples_are_saved_as_image_files(samples, tmp_path):
    saved = photos.save_examples(samples, tmp_path, per_condition=1)
    files = sorted(tmp_path.iterdir())
    assert saved == len(files) == len(ALL_CONDITIONS)
    assert {f.suffix for f in files} == {".jpg", ".png"}
    assert all(Image.open(f).size for f in files)


def test_mnist_comes_from_the_environment_or_beside_the_project(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_PATH", raising=False)
    assert photos._parse([]).mnist_path == photos.PROJECT.parent / "shared/data/mnist.npz"
    monkeypatch.setenv("MNIST_PATH", str(tmp_path / "m.npz"))
    args = photos._parse(["--per-condition", "3"])
    assert args.mnist_path == tmp_path / "m.npz" and args.per_condition == 3
    assert args.negatives == 40 and args.seed == 2026 and not args.check


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
