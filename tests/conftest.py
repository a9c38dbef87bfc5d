"""Shared fixtures: MNIST from ../shared (never a copy in the project) and the shipped model."""

import os
from pathlib import Path

import numpy as np
import pytest

from model.data import Mnist, load_mnist
from model.recogniser import Recogniser

PROJECT = Path(__file__).resolve().parent.parent
MNIST_PATH = Path(os.environ.get("MNIST_PATH") or PROJECT.parent / "shared/data/mnist.npz")


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    assert MNIST_PATH.is_file(), f"MNIST not found at {MNIST_PATH}: set MNIST_PATH"
    return MNIST_PATH


@pytest.fixture(scope="session")
def mnist(mnist_path: Path) -> Mnist:
    return load_mnist(mnist_path)


@pytest.fixture(scope="session")
def recogniser() -> Recogniser:
    return Recogniser.load()


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)
