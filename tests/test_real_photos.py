"""Training pictures cut from real photos: labelled by the manifest, kept apart by source."""

import csv

import cv2
import numpy as np
import pytest
from PIL import Image

from model.reading.digits import NOT_A_DIGIT
from model.training.real_photos import cut
from model.training.train import train
from tests.images import encode


def photo(text: str, size: tuple[int, int] = (480, 320)) -> bytes:
    canvas = np.full(size[::-1], 235, np.uint8)
    cv2.putText(canvas, text, (40, 220), cv2.FONT_HERSHEY_SIMPLEX, 5, 20, 7, cv2.LINE_AA)
    return encode(Image.fromarray(canvas))


@pytest.fixture
def real_set(tmp_path):
    """A folder laid out as ../shared/data/real-train: files, and a manifest saying what
    each shows."""
    rows = [("single", "single/7_anna_1.png", "7", "7"),
            ("numbers", "numbers/47_anna_2.png", "47", "4 7"),
            ("numbers", "numbers/301_bob_1.png", "301", "3 1"),  # a digit the photo lacks
            ("negatives", "negatives/none_bob_2.png", "", "xk")]
    with (tmp_path / "manifest.csv").open("w", newline="") as manifest:
        writer = csv.writer(manifest)
        writer.writerow(["set", "file", "label"])
        for kind, file, label, drawn in rows:
            (tmp_path / file).parent.mkdir(exist_ok=True)
            (tmp_path / file).write_bytes(photo(drawn))
            writer.writerow([kind, file, label])
    return tmp_path


def test_each_character_gets_its_digit_and_its_source(real_set):
    crops, skipped = cut(real_set)
    assert skipped == 1  # 301 drawn as "31": two characters for three digits, left out
    assert crops.labels.tolist() == [7, 4, 7, NOT_A_DIGIT, NOT_A_DIGIT]
    assert crops.sources.tolist() == ["anna"] * 3 + ["bob"] * 2
    assert crops.images.shape == (5, 28, 28, 1) and crops.images.max() > 0.5
    assert crops.without({"anna"}).sources.tolist() == ["bob", "bob"]
    assert crops.only({"anna"}).labels.tolist() == [7, 4, 7]


def test_training_with_real_pictures_fits_a_temperature_on_sources_it_kept_back(
        real_set, mnist):
    crops, _ = cut(real_set)
    _, metadata = train(mnist, epochs=1, batch_size=64, limit=256, real=crops, verbose=0)
    calibration = metadata["calibration"]
    assert calibration["temperature"] > 0
    kept_back = set(calibration["fitted_on"].rsplit(": ", 1)[1].split(", "))
    trained_on = set(metadata["training"]["real_sources"])
    # One writer taught the network, the other (never trained on) set its temperature.
    assert len(kept_back) == len(trained_on) == 1 and kept_back | trained_on == {"anna", "bob"}
    assert 0 < metadata["training"]["real_pictures"] < len(crops.labels)
