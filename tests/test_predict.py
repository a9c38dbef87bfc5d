"""`python -m model.reading.predict`: the seed's predict script, grown up."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from model import rendering
from tests.images import encode, jpeg, phone_photo

PROJECT = Path(__file__).resolve().parent.parent


def predict(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "model.reading.predict", *args], cwd=PROJECT,
                          capture_output=True, text=True, timeout=300)


def test_reads_each_file_and_reports_the_bad_ones(tmp_path, mnist, rng):
    digit = tmp_path / "digit.jpg"
    digit.write_bytes(jpeg(phone_photo(mnist.test.images[0, ..., 0], rng)))
    picked = [1, 2, 3]
    number = tmp_path / "number.jpg"
    number.write_bytes(rendering.render(
        rendering.compose_number(mnist.test.images[picked, ..., 0], rng), "clean-white-paper", rng))
    blank = tmp_path / "blank.png"
    blank.write_bytes(encode(Image.new("L", (300, 200), 255)))
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    missing = tmp_path / "missing.jpg"

    result = predict(str(digit), str(broken), str(number), str(missing), str(blank))
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    label = str(mnist.test.labels[0])
    assert lines[0].startswith(f"{digit}: {label} — ") and lines[0].endswith("% sure")
    assert lines[1].startswith(f"  {label} ")  # the digit's top readings, most likely first
    assert lines[2].startswith(f"{broken}: error: ")
    expected = "".join(str(d) for d in mnist.test.labels[picked])
    assert lines[3].startswith(f"{number}: {expected} — ")
    assert sum(line.startswith("  ") for line in lines) == 1 + len(picked)
    assert any(line.startswith(f"{missing}: error: ") for line in lines)
    assert lines[-1] == f"{blank}: no number (nothing written)"


def test_json_gives_one_object_per_file(tmp_path, mnist, rng):
    digit = tmp_path / "digit.png"
    digit.write_bytes(encode(phone_photo(mnist.test.images[4, ..., 0], rng)))
    garbage = tmp_path / "garbage.jpg"
    garbage.write_bytes(b"nothing")
    result = predict("--json", str(digit), str(garbage))
    assert result.returncode == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["file"] == str(digit) and first["number"] == str(mnist.test.labels[4])
    [only] = first["digits"]
    assert len(only["top"]) == 3 and only["top"][0][0] == mnist.test.labels[4]
    assert np.isclose(first["confidence"], only["top"][0][1], atol=1e-3)
    assert second["file"] == str(garbage) and "error" in second


def test_reads_real_photos_from_real_dev(real_dev):
    """Real photos (never trained on): a digit, a number and Greek letters."""
    files = [real_dev / "single/7_kshah1_1.png", real_dev / "numbers/9680_filippo_1.png",
             real_dev / "negatives/none_huihwoo_2.jpg"]
    result = predict("--json", *map(str, files))
    assert result.returncode == 0, result.stderr
    digit, number, letter = (json.loads(line) for line in result.stdout.splitlines())
    assert digit["number"] == "7" and number["number"] == "9680"
    assert letter["number"] is None and letter["refusal"]
