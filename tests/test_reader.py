"""The reader end to end on image files: shipped weights, digits, numbers, refusals."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from model import rendering
from model.reading import checkpoint, fingerprint, ink, normalise
from model.reading.classifier import Classifier
from model.reading.reader import Reader
from model.reading.result import Refusal, Role
from model.training.weights import load_weights
from tests.images import encode, jpeg, letters, phone_photo


def test_shipped_checkpoint_describes_itself():
    metadata = checkpoint.read_metadata(checkpoint.DEFAULT_CHECKPOINT)
    assert metadata["test_accuracy"] >= 0.995
    assert metadata["classes"] == 11 and metadata["not_digit_recall"] >= 0.9
    assert fingerprint.mismatch(metadata["preprocessing"]) is None
    assert {"date", "keras_version", "training"} <= metadata.keys()
    assert metadata["training"]["command"].startswith("python -m model.train")


def test_classifier_reads_mnist_test_digits_in_batches(reader, mnist):
    probabilities = reader.classifier.predict(mnist.test.images[:1000])
    assert probabilities.shape == (1000, 11)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-4)
    assert (probabilities.argmax(axis=1) == mnist.test.labels[:1000]).mean() >= 0.98
    one_by_one = np.concatenate([reader.classifier.predict(d[None]) for d in mnist.test.images[:5]])
    np.testing.assert_allclose(probabilities[:5], one_by_one, atol=1e-5)


def test_phone_photos_of_mnist_test_digits(reader, mnist, rng):
    readings = [reader.read(jpeg(phone_photo(mnist.test.images[i, ..., 0], rng)))
                for i in range(20)]
    right = sum(r.number == str(label) for r, label in zip(readings, mnist.test.labels,
                                                            strict=False))
    assert right >= 19
    first = readings[0].digits[0]
    assert 0 <= first.runner_up_confidence <= first.confidence <= 1
    assert first.image.shape == (28, 28) and readings[0].photo.dtype == np.uint8


def test_photos_of_numbers_are_read_left_to_right(reader, mnist):
    rng = np.random.default_rng(77)
    right = 0
    for k in range(6):
        picked = rng.integers(0, 10000, size=2 + k % 4)
        number = rendering.compose_number(mnist.test.images[picked, ..., 0], rng)
        reading = reader.read(rendering.render(number, "clean-white-paper", rng))
        right += reading.number == "".join(str(d) for d in mnist.test.labels[picked])
        assert len(reading.digits) >= 2
    assert right >= 5


def test_a_blank_page_has_nothing_written(reader):
    reading = reader.read(encode(Image.new("RGB", (640, 480), "white")))
    assert reading.refusal is Refusal.NO_WRITING and reading.number == ""


def test_handwritten_letters_are_not_digits(reader):
    reading = reader.read(encode(letters()))
    assert reading.refusal is Refusal.NOT_DIGITS
    assert {c.role for c in reading.characters} >= {Role.NOT_A_DIGIT}


def copy_of_the_served_model(tmp_path: Path, metadata: dict | str) -> Path:
    served = tmp_path / "copy.tflite"
    shutil.copy(checkpoint.DEFAULT_SERVED_MODEL, served)
    text = metadata if isinstance(metadata, str) else json.dumps(metadata)
    checkpoint.metadata_path(served).write_text(text)
    return served


def test_a_network_for_another_preprocessing_is_refused(tmp_path):
    metadata = checkpoint.read_metadata(checkpoint.DEFAULT_SERVED_MODEL)
    pictures = metadata["preprocessing"]["marker-7"]
    pictures[0] = "ff" + pictures[0][2:]  # a corner of the 7's picture now inked
    with pytest.raises(checkpoint.CheckpointError, match=r"'marker-7'.*differs by 255 grey"):
        Reader.load(copy_of_the_served_model(tmp_path, metadata))
    del metadata["preprocessing"]
    with pytest.raises(checkpoint.CheckpointError, match="no preprocessing fingerprint"):
        Reader.load(copy_of_the_served_model(tmp_path, metadata))


@pytest.mark.parametrize("module, constant, value", [
    (normalise, "MNIST_STROKE", 0.13),  # a pen width brought to another width
    (ink, "WEAK_SHARE", 0.5),  # stroke edges cut tighter
])
def test_any_change_to_the_pictures_changes_the_fingerprint(monkeypatch, module, constant,
                                                             value):
    monkeypatch.setattr(module, constant, value)
    fingerprint.current.cache_clear()
    try:
        with pytest.raises(checkpoint.CheckpointError, match="other preprocessing"):
            Reader.load(checkpoint.DEFAULT_SERVED_MODEL)
    finally:
        fingerprint.current.cache_clear()


def test_broken_metadata_is_explained_in_one_line(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="JSON object"):
        Classifier.load(copy_of_the_served_model(tmp_path, '["not", "an", "object"]'))


def test_an_export_its_metadata_does_not_record_is_refused(tmp_path):
    metadata = checkpoint.read_metadata(checkpoint.DEFAULT_SERVED_MODEL)
    metadata["served_model"]["sha256"] = "0" * 64  # as if the .tflite were exported again
    with pytest.raises(checkpoint.CheckpointError, match=r"python -m model\.training\.export"):
        Classifier.load(copy_of_the_served_model(tmp_path, metadata))


def test_weights_of_an_unknown_architecture_are_explained_in_one_line(tmp_path):
    weights = tmp_path / "broken.weights.h5"
    shutil.copy(checkpoint.DEFAULT_CHECKPOINT, weights)
    checkpoint.metadata_path(weights).write_text(json.dumps({"arch": "resnet"}))
    with pytest.raises(checkpoint.CheckpointError, match="unknown architecture"):
        load_weights(weights)


def test_missing_checkpoint_is_explained(tmp_path):
    with pytest.raises(checkpoint.CheckpointError, match="not found"):
        Classifier.load(tmp_path / "none.tflite")

