"""The convolutional networks that read a 28x28 white-on-black digit.

`seed` is the tutorial's CNN this project grew from, kept as the baseline.
`digitnet` is the shipped model: two convolution blocks with batch normalisation
and dropout, small enough for a CPU and trained with augmentation (see `model.training.train`).
It has an 11th class, "not a digit" (`model.negatives`), so that a letter or a blot
is not named as the digit it looks most like.
"""

from collections.abc import Callable

import keras
from keras import layers

from model.reading.digits import DIGITS, NOT_A_DIGIT, SIDE

INPUT_SHAPE = (SIDE, SIDE, 1)


def build_seed() -> keras.Model:
    """The tutorial's CNN: 93,322 parameters, 0.990 on MNIST after 5 epochs."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(DIGITS, activation="softmax"),
        ],
        name="seed",
    )


def _conv_bn(filters: int) -> list[layers.Layer]:
    # The convolution needs no bias: batch normalisation right after it has one.
    return [
        layers.Conv2D(filters, 3, use_bias=False),
        layers.BatchNormalization(),
        layers.Activation("relu"),
    ]


def build_digitnet() -> keras.Model:
    """The shipped CNN: 11 classes (0-9, not a digit), about 132,000 parameters."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE),
            *_conv_bn(32),
            *_conv_bn(32),
            layers.MaxPooling2D(2),
            layers.Dropout(0.1),
            *_conv_bn(64),
            *_conv_bn(64),
            layers.MaxPooling2D(2),
            layers.Dropout(0.2),
            layers.Flatten(),
            layers.Dense(64, use_bias=False),
            layers.BatchNormalization(),
            layers.Activation("relu"),
            layers.Dropout(0.3),
            layers.Dense(NOT_A_DIGIT + 1, activation="softmax"),
        ],
        name="digitnet",
    )


ARCHITECTURES: dict[str, Callable[[], keras.Model]] = {
    "seed": build_seed,
    "digitnet": build_digitnet,
}


def flatten_index(model: keras.Model) -> int:
    """Where the convolutional features end and the dense head begins."""
    return next(k for k, layer in enumerate(model.layers) if isinstance(layer, layers.Flatten))


def build(arch: str) -> keras.Model:
    """Build an untrained network by its name in `ARCHITECTURES`."""
    try:
        return ARCHITECTURES[arch]()
    except KeyError:
        known = ", ".join(ARCHITECTURES)
        raise ValueError(f"unknown architecture {arch!r}: choose one of {known}") from None
