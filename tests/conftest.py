"""Shared fixtures: MNIST from ../shared (never a copy in the project) and the shipped model."""

import os
from pathlib import Path

import numpy as np
import pytest

from model.reading.mnist import Mnist, load_mnist
from model.reading.reader import Reader
from testing.redis_server import RedisServer

PROJECT = Path(__file__).resolve().parent.parent
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_PATH = Path(os.environ.get("MNIST_PATH") or PROJECT.parent / "shared/data/mnist.npz")
REAL_DEV = PROJECT.parent / "shared/data/real-dev"  # real photos, read only, never trained on


@pytest.fixture(scope="session")
def mnist_path(tmp_path_factory) -> Path:
    """MNIST_PATH, else ../shared/data/mnist.npz, else Keras' own download of it."""
    if MNIST_PATH.is_file():
        return MNIST_PATH
    import keras

    return Path(keras.utils.get_file("mnist.npz", MNIST_URL))


@pytest.fixture(scope="session")
def real_dev() -> Path:
    """../shared/data/real-dev, which every developer and CI have beside the project."""
    assert (REAL_DEV / "manifest.csv").is_file(), f"{REAL_DEV} is missing"
    return REAL_DEV


@pytest.fixture(scope="session")
def mnist(mnist_path: Path) -> Mnist:
    return load_mnist(mnist_path)


@pytest.fixture(scope="session")
def reader() -> Reader:
    return Reader.load()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    """A real redis-server (Debian's package) for a module's tests."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()
