"""MNIST, from Keras' download or from an explicit `.npz` file.

The download is Keras' own (`keras.datasets.mnist.load_data`): the same file from the
same address, checked against the same hash and kept in the same cache, so either finds
the other's copy. It is done here without Keras, which the bot does not install.

Images come out as float32 arrays of shape (n, 28, 28, 1) in [0, 1], white digit on
black, which is what the networks in `model.network` read.
"""

import hashlib
import http.client
import os
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.reading.digits import SIDE

# As in keras/src/datasets/mnist.py:
KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
KERAS_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
TEST_IMAGES = 10_000  # in the file KERAS_SHA256 names


class MnistError(ValueError):
    """The MNIST file is missing or is not in Keras' format."""


@dataclass(frozen=True)
class Split:
    images: np.ndarray  # float32, (n, 28, 28, 1), 0 = background, 1 = ink
    labels: np.ndarray  # uint8, (n,)


@dataclass(frozen=True)
class Mnist:
    train: Split
    test: Split


def to_model_input(images: np.ndarray) -> np.ndarray:
    """uint8 (n, 28, 28) images to the float (n, 28, 28, 1) the networks read."""
    scaled = images.astype(np.float32)
    scaled /= 255.0  # in place: one 31 MB array for the test set, not two
    return scaled[..., np.newaxis]


def _read_npz(path: Path, splits: tuple[str, ...] = ("train", "test")) -> dict[str, np.ndarray]:
    """The arrays of `splits` from Keras' mnist.npz (reading only the test split is
    seven times less to decompress)."""
    if not path.is_file():
        raise MnistError(f"MNIST file not found: {path} (set MNIST_PATH to Keras' mnist.npz)")
    keys = [f"{kind}_{split}" for split in splits for kind in ("x", "y")]
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in keys}
    except KeyError as missing:
        raise MnistError(f"{path} is not Keras' mnist.npz: it has no array {missing}") from None
    except (OSError, ValueError) as error:
        raise MnistError(f"{path} is not a readable .npz file: {error}") from None
    for split in splits:
        images, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE) or len(images) != len(labels):
            raise MnistError(
                f"{path}: x_{split} has shape {images.shape} for {len(labels)} labels;"
                " expected (n, 28, 28) images and n labels"
            )
    return arrays


def keras_cache() -> Path:
    """Where Keras keeps mnist.npz: $KERAS_HOME or ~/.keras (used if the file is there),
    else /tmp/.keras when that is not writable (a read-only container)."""
    home = Path(os.environ.get("KERAS_HOME") or Path("~/.keras").expanduser())
    cached = home / "datasets" / "mnist.npz"
    if not cached.is_file() and not os.access(home if home.exists() else home.parent, os.W_OK):
        home = Path(tempfile.gettempdir()) / ".keras"
    return home / "datasets" / "mnist.npz"


def _download() -> Path:
    """Keras' mnist.npz, downloaded into Keras' cache unless it is there already."""
    path = keras_cache()
    if not path.is_file():
        try:
            with urllib.request.urlopen(KERAS_ORIGIN, timeout=60) as response:
                data = response.read()
        except (OSError, http.client.HTTPException) as error:  # (a cut-short body is the latter)
            raise MnistError(f"could not download MNIST ({error}); set MNIST_PATH") from None
        if hashlib.sha256(data).hexdigest() != KERAS_SHA256:
            raise MnistError(f"the MNIST download from {KERAS_ORIGIN} is corrupt; set MNIST_PATH")
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(path)  # whole or not at all
    return path


def _split(arrays: dict[str, np.ndarray], name: str) -> Split:
    return Split(to_model_input(arrays[f"x_{name}"]), arrays[f"y_{name}"].astype(np.uint8))


def load_mnist(path: str | Path | None = None) -> Mnist:
    """MNIST from `path`, or from Keras (which downloads it once) when no path is given."""
    arrays = _read_npz(Path(path) if path else _download())
    return Mnist(train=_split(arrays, "train"), test=_split(arrays, "test"))


def load_mnist_test(path: str | Path | None = None) -> Split:
    """Only MNIST's 10,000 test digits, as `load_mnist` finds them."""
    return _split(_read_npz(Path(path) if path else _download(), ("test",)), "test")
