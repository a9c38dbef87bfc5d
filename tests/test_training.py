"""Training code, run for a few steps on a slice: never a full training."""

import json

import cv2
import numpy as np
import pytest
import tensorflow as tf

from model.reading import checkpoint
from model.reading.classifier import Classifier
from model.reading.reader import Reader
from model.training import network
from model.training.augment import augment_dataset, pick_even_pen_copies
from model.training.redraw import redraw_with_even_pen
from model.training.train import main, train, with_not_digits
from model.training.weights import load_weights


def test_architectures_keep_their_sizes():
    assert network.build("seed").count_params() == 93_322
    assert network.build("digitnet").count_params() <= 150_000


def test_augmentation_keeps_each_image_with_its_label(mnist):
    """Distorted digits still read as their labels (Keras' elastic layer swapped images)."""
    images, labels = mnist.test.images[:512], mnist.test.labels[:512]
    batches = augment_dataset(tf.data.Dataset.from_tensor_slices((images, labels)).batch(64), 7)
    distorted, kept = (np.concatenate(part) for part in zip(*batches, strict=True))
    assert distorted.shape == images.shape and distorted.min() >= 0 and distorted.max() <= 1
    assert not np.allclose(distorted, images)
    np.testing.assert_array_equal(kept, labels)
    # The baseline was trained without augmentation: it reads most distorted digits still.
    baseline = Classifier.load(checkpoint.DEFAULT_CHECKPOINT.with_name("seed.weights.h5"))
    assert (baseline.predict(distorted).argmax(axis=1) == labels).mean() > 0.75


def test_a_redrawn_stroke_is_as_wide_at_both_ends():
    wedge = np.zeros((1, 28, 28, 1), np.float32)
    cv2.fillPoly(wedge[0, ..., 0], [np.array([[4, 13], [4, 14], [23, 16], [23, 11]])], 1.0)
    redrawn = redraw_with_even_pen(wedge)[0, ..., 0]
    thin_end, thick_end = wedge[0, :, 6, 0].sum(), wedge[0, :, 21, 0].sum()
    assert thick_end > 2.5 * thin_end
    assert abs(redrawn[:, 6].sum() - redrawn[:, 21].sum()) < 0.2 * redrawn[:, 21].sum()


def test_a_blot_that_thinning_would_lose_is_kept_as_it_is():
    blot = cv2.circle(np.zeros((28, 28), np.float32), (14, 14), 8, 1.0, -1)[None, ..., None]
    np.testing.assert_array_equal(redraw_with_even_pen(blot), blot)


def test_redrawing_wants_the_digits_the_networks_read():
    with pytest.raises(ValueError, match="float32"):
        redraw_with_even_pen(np.zeros((2, 28, 28, 1), np.uint8))


def test_redrawn_digits_still_show_their_labels(mnist):
    images, labels = mnist.test.images[:500], mnist.test.labels[:500]
    redrawn = redraw_with_even_pen(images, seed=1)
    changed = ~np.all(redrawn == images, axis=(1, 2, 3))
    assert changed.mean() > 0.9
    baseline = Classifier.load(checkpoint.DEFAULT_CHECKPOINT.with_name("seed.weights.h5"))
    assert (baseline.predict(redrawn).argmax(axis=1) == labels).mean() > 0.9


def test_a_share_of_each_batch_is_swapped_for_redrawn_copies():
    images = np.zeros((400, 28, 28, 1), np.float32)
    redrawn = np.ones_like(images)
    labels = np.arange(400) % 10
    batches = pick_even_pen_copies(
        tf.data.Dataset.from_tensor_slices((images, redrawn, labels)).batch(100)
    )
    picked, kept = (np.concatenate(part) for part in zip(*batches, strict=True))
    share = picked.mean(axis=(1, 2, 3))
    assert set(np.unique(share)) == {0.0, 1.0}  # whole images, either one or the other
    assert 0.35 < share.mean() < 0.65
    np.testing.assert_array_equal(kept, labels)


def test_a_few_steps_learn_something(mnist):
    _, metadata = train(mnist, arch="seed", epochs=2, batch_size=64, limit=1024,
                            augment=False, verbose=0)
    assert metadata["arch"] == "seed" and metadata["training"]["images"] == 1024
    assert metadata["test_accuracy"] > 0.5  # chance is 0.1
    assert metadata["test_images"] == 10_000


def test_a_head_only_fine_tune_keeps_the_convolutions(mnist):
    init = checkpoint.DEFAULT_CHECKPOINT.with_name("seed.weights.h5")
    before, _ = load_weights(init)
    after, metadata = train(mnist, epochs=1, batch_size=64, limit=256, augment=False,
                            verbose=0, init=init, head_only=True, learning_rate=1e-2)
    head = network.flatten_index(after)
    for old, new in zip(before.layers, after.layers, strict=True):
        changed = any(not np.array_equal(a, b) for a, b in
                      zip(old.get_weights(), new.get_weights(), strict=True))
        assert changed == (after.layers.index(new) > head and bool(old.get_weights()))
    assert metadata["training"]["head_only"] is True


def test_not_digits_are_added_with_the_eleventh_label(mnist):
    images, labels = with_not_digits(mnist.test.images[:50], mnist.test.labels[:50], 20, seed=1)
    assert images.shape == (70, 28, 28, 1) and images.dtype == np.float32
    np.testing.assert_array_equal(labels[:50], mnist.test.labels[:50])
    assert set(labels[50:]) == {network.NOT_A_DIGIT}


def test_command_line_writes_weights_and_metadata(mnist, mnist_path, tmp_path, capsys):
    output = tmp_path / "tiny.weights.h5"
    main(["--arch", "digitnet", "--epochs", "1", "--limit", "256", "--batch-size", "64",
          "--mnist-path", str(mnist_path), "--output", str(output)])
    metadata = json.loads((tmp_path / "tiny.json").read_text())
    assert metadata["arch"] == "digitnet" and metadata["training"]["augment"] is True
    assert 0 <= metadata["test_accuracy"] <= 1
    # digitnet learns an 11th class from non-digit pictures added to the digits.
    assert metadata["classes"] == 11 and metadata["training"]["images"] == 256 + round(0.2 * 256)
    assert 0 <= metadata["not_digit_recall"] <= 1
    assert "--limit 256" in metadata["training"]["command"]
    assert "test accuracy" in capsys.readouterr().out

    # ...and exports it for LiteRT, recording the export and how well it agrees.
    assert (tmp_path / "tiny.tflite").is_file()
    assert metadata["served_model"]["same_answers"] == 1.0
    assert metadata["served_model"]["command"] == metadata["training"]["command"]
    assert Reader.load(output).metadata == metadata  # trained for this reader's pictures
    restored = Classifier.load(output)
    model, _ = load_weights(output)
    digits = mnist.test.images[:8]
    np.testing.assert_allclose(restored.predict(digits), model(digits, training=False), atol=1e-5)


@pytest.mark.parametrize("name", ["digitnet", "seed"])
def test_each_shipped_export_gives_keras_answers(mnist, name):
    weights = checkpoint.DEFAULT_CHECKPOINT.with_name(f"{name}.weights.h5")
    served = checkpoint.read_metadata(weights)["served_model"]
    assert served["file"] == f"{name}.tflite" and served["same_answers"] == 1.0
    assert served["command"].startswith("python -m model.")
    model, metadata = load_weights(weights)
    digits = mnist.test.images[:2000]
    served = Classifier.load(weights)
    assert served.temperature == metadata.get("calibration", {}).get("temperature", 1.0)
    np.testing.assert_allclose(served.predict(digits), model.predict(digits, verbose=0),
                               atol=1e-5)
