"""The recogniser: shipped weights, batch prediction, reading image files."""

import json

import numpy as np
import pytest

from model import checkpoint
from model.errors import NoDigitFound
from model.recogniser import Recogniser
from tests.images import encode, jpeg, phone_photo, portrait


def test_shipped_checkpoint_has_its_metadata():
    metadata = json.loads(checkpoint.metadata_path(checkpoint.DEFAULT_CHECKPOINT).read_text())
    assert metadata["test_accuracy"] >= 0.99
    assert {"date", "keras_version", "preprocessing_version", "training"} <= metadata.keys()


def test_accuracy_on_a_thousand_mnist_test_digits(recogniser, mnist):
    probabilities = recogniser.predict(mnist.test.images[:1000])
    assert probabilities.shape == (1000, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    assert (probabilities.argmax(axis=1) == mnist.test.labels[:1000]).mean() >= 0.98


def test_batches_give_the_same_answers_as_single_images(recogniser, mnist):
    digits = mnist.test.images[:5]
    together = recogniser.predict(digits)
    one_by_one = np.concatenate([recogniser.predict(digit[None]) for digit in digits])
    np.testing.assert_allclose(together, one_by_one, atol=1e-5)


def test_reading_phone_photos_of_mnist_test_digits(recogniser, mnist, rng):
    readings = [recogniser.read(jpeg(phone_photo(mnist.test.images[i, ..., 0], rng)))
                for i in range(20)]
    right = sum(r.digit == label for r, label in zip(readings, mnist.test.labels, strict=False))
    assert right >= 19
    first = readings[0]
    assert 0 <= first.runner_up_confidence <= first.confidence <= 1
    assert first.runner_up != first.digit and first.image.shape == (28, 28)


def test_reading_a_blank_page_raises(recogniser):
    from PIL import Image

    with pytest.raises(NoDigitFound):
        recogniser.read(encode(Image.new("RGB", (300, 300), "white")))


@pytest.mark.parametrize("hair_below", [30, 40, 60, 80])
def test_a_head_of_hair_is_not_read_as_a_digit(recogniser, hair_below):
    """Hair round a face is a crescent: it tapers to points, as no pen stroke does."""
    with pytest.raises(NoDigitFound, match="taper"):
        recogniser.read(encode(portrait(hair_below)))


def test_missing_checkpoint_is_explained(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="not found"):
        Recogniser.load(tmp_path / "none.weights.h5")
