"""Whatever bytes arrive, the reader returns a reading or raises its own error.

Hypothesis generates random bytes, and valid image files of several formats mutated
byte by byte (truncated, overwritten, extended), the way broken uploads look.
"""

import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from model.reading.errors import PreprocessingError
from model.reading.reader import Reader
from model.reading.result import Reading

FORMATS = ("PNG", "JPEG", "GIF", "BMP", "WEBP", "TIFF")


def image_file(fmt: str, seed: int, size: tuple[int, int]) -> bytes:
    pixels = np.random.default_rng(seed).integers(0, 256, (size[1], size[0], 3), np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, fmt)
    return out.getvalue()


@st.composite
def mutated_images(draw: st.DrawFn) -> bytes:
    data = bytearray(image_file(
        draw(st.sampled_from(FORMATS)), draw(st.integers(0, 1000)),
        (draw(st.integers(1, 96)), draw(st.integers(1, 96))),
    ))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert"]))
        at = draw(st.integers(0, len(data) - 1))
        if kind == "flip":
            data[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del data[at:]
            if not data:
                break
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


def read_or_refuse(reader: Reader, data: bytes) -> None:
    try:
        reading = reader.read(data)
    except PreprocessingError:
        return
    assert isinstance(reading, Reading)
    assert reading.refusal is not None or reading.number.isdigit()


@pytest.fixture(scope="module")
def shared_reader() -> Reader:
    return Reader.load()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=4096))
def test_random_bytes(shared_reader, data):
    read_or_refuse(shared_reader, data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=mutated_images())
def test_mutated_image_files(shared_reader, data):
    read_or_refuse(shared_reader, data)
