"""Random distortions of MNIST digits for training, so the model reads more than tidy crops.

Handwriting in phone photos comes out of preprocessing a little rotated, slanted,
thicker or thinner, wobblier and softer than MNIST's digits. The augmenter makes
training digits vary the same ways. It runs inside `tf.data`, on whole batches.

Half the digits are first swapped for copies redrawn with an even pen
(`model.redraw`); `pick_even_pen_copies` does the swap.
"""

import keras
import tensorflow as tf
from keras import layers


def _thicken_or_thin(images: tf.Tensor) -> tf.Tensor:
    """Per image: keep the strokes, thicken them by a pixel, or thin them by one."""
    thicker = tf.nn.max_pool2d(images, ksize=2, strides=1, padding="SAME")
    thinner = -tf.nn.max_pool2d(-images, ksize=2, strides=1, padding="SAME")
    choice = tf.random.uniform([tf.shape(images)[0], 1, 1, 1], maxval=6, dtype=tf.int32)
    return tf.where(choice == 0, thicker, tf.where(choice == 1, thinner, images))


def _elastic_distort(images: tf.Tensor, max_shift: float = 1.2, grid: int = 4) -> tf.Tensor:
    """Wobble strokes: move pixels along a smooth random field of up to `max_shift` pixels.

    Written here because Keras' RandomElasticTransform swaps images between batch
    elements when it runs inside tf.data (seen with Keras 3.15).
    """
    batch, height, width = tf.shape(images)[0], images.shape[1], images.shape[2]
    coarse = tf.random.uniform([batch, grid, grid, 2], -max_shift, max_shift)
    flow = tf.image.resize(coarse, [height, width], method="bicubic")
    rows, cols = tf.meshgrid(tf.range(height, dtype=tf.float32),
                             tf.range(width, dtype=tf.float32), indexing="ij")
    source_rows, source_cols = rows + flow[..., 0], cols + flow[..., 1]
    flat = tf.reshape(images, [batch, height * width])

    def pixels_at(r: tf.Tensor, c: tf.Tensor) -> tf.Tensor:
        inside = (r >= 0) & (r < height) & (c >= 0) & (c < width)
        index = tf.clip_by_value(r, 0, height - 1) * width + tf.clip_by_value(c, 0, width - 1)
        values = tf.gather(flat, tf.reshape(index, [batch, -1]), batch_dims=1)
        return tf.reshape(values, tf.shape(r)) * tf.cast(inside, images.dtype)

    top, left = tf.floor(source_rows), tf.floor(source_cols)
    down, right = source_rows - top, source_cols - left
    top, left = tf.cast(top, tf.int32), tf.cast(left, tf.int32)
    warped = (
        (1 - down) * (1 - right) * pixels_at(top, left)
        + (1 - down) * right * pixels_at(top, left + 1)
        + down * (1 - right) * pixels_at(top + 1, left)
        + down * right * pixels_at(top + 1, left + 1)
    )
    return warped[..., tf.newaxis]


def _add_noise(images: tf.Tensor, stddev: float = 0.04) -> tf.Tensor:
    """Faint speckle on a third of the images."""
    batch = tf.shape(images)[0]
    noisy = tf.random.uniform([batch, 1, 1, 1]) < 1 / 3
    noise = tf.random.normal(tf.shape(images), stddev=stddev) * tf.cast(noisy, images.dtype)
    return tf.clip_by_value(images + noise, 0.0, 1.0)


def build_augmenter(seed: int | None = None) -> keras.Sequential:
    """Geometric and blur distortions; every layer leaves the black background black."""
    fill = {"fill_mode": "constant", "fill_value": 0.0}
    return keras.Sequential(
        [
            layers.RandomRotation(0.03, seed=seed, **fill),  # up to ±11°
            layers.RandomShear(x_factor=0.12, seed=seed, **fill),
            layers.RandomZoom((-0.12, 0.12), seed=seed, **fill),
            layers.RandomTranslation(0.08, 0.08, seed=seed, **fill),
            layers.RandomGaussianBlur(
                factor=0.2, kernel_size=3, sigma=(0.1, 0.6), value_range=(0, 1), seed=seed
            ),
        ],
        name="augmenter",
    )


def pick_even_pen_copies(dataset: tf.data.Dataset, share: float = 0.5) -> tf.data.Dataset:
    """Batches of (images, redrawn, labels) to (images, labels), `share` of them redrawn.

    Under a global seed the same places in each batch are picked every epoch; the
    shuffle before this step deals each digit to new places, so it is seen both ways.
    """

    def pick(
        images: tf.Tensor, redrawn: tf.Tensor, labels: tf.Tensor
    ) -> tuple[tf.Tensor, tf.Tensor]:
        chosen = tf.random.uniform([tf.shape(images)[0], 1, 1, 1]) < share
        return tf.where(chosen, redrawn, images), labels

    return dataset.map(pick, num_parallel_calls=tf.data.AUTOTUNE)


def augment_dataset(
    dataset: tf.data.Dataset, seed: int | None = None, share: float = 0.6
) -> tf.data.Dataset:
    """Distort `share` of the images in each batch of (images, labels) from `dataset`.

    The rest stay as they are: the network must still read tidy MNIST digits best.
    """
    augmenter = build_augmenter(seed)

    def distort(images: tf.Tensor, labels: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        distorted = _elastic_distort(augmenter(images, training=True))
        distorted = _add_noise(_thicken_or_thin(distorted))
        chosen = tf.random.uniform([tf.shape(images)[0], 1, 1, 1]) < share
        return tf.where(chosen, distorted, images), labels

    return dataset.map(distort, num_parallel_calls=tf.data.AUTOTUNE)
