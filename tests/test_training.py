"""Training code, run for a few steps on a slice: never a full training."""

import json

import numpy as np
import tensorflow as tf

from model import checkpoint, network
from model.augment import augment_dataset
from model.recogniser import Recogniser
from model.train import main, train


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
    baseline = Recogniser.load(checkpoint.DEFAULT_CHECKPOINT.with_name("seed.weights.h5"))
    assert (baseline.predict(distorted).argmax(axis=1) == labels).mean() > 0.75


def test_a_few_steps_learn_something(mnist):
    _, metadata = train(mnist, arch="seed", epochs=2, batch_size=64, limit=1024,
                            augment=False, verbose=0)
    assert metadata["arch"] == "seed" and metadata["training"]["images"] == 1024
    assert metadata["test_accuracy"] > 0.5  # chance is 0.1
    assert metadata["test_images"] == 10_000


def test_command_line_writes_weights_and_metadata(mnist, mnist_path, tmp_path, capsys):
    output = tmp_path / "tiny.weights.h5"
    main(["--arch", "digitnet", "--epochs", "1", "--limit", "256", "--batch-size", "64",
          "--mnist-path", str(mnist_path), "--output", str(output)])
    metadata = json.loads((tmp_path / "tiny.json").read_text())
    assert metadata["arch"] == "digitnet" and metadata["training"]["augment"] is True
    assert 0 <= metadata["test_accuracy"] <= 1
    assert "--limit 256" in metadata["training"]["command"]
    assert "test accuracy" in capsys.readouterr().out

    restored = Recogniser.load(output)
    model, _ = checkpoint.load(output)
    digits = mnist.test.images[:8]
    np.testing.assert_allclose(restored.predict(digits), model(digits, training=False), atol=1e-5)
