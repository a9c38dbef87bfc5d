"""Evaluation: the report /accuracy and `python -m model.reading.evaluate` give."""

import numpy as np
import pytest

from model.reading.evaluate import confusion_matrix_png, evaluate, main
from model.reading.mnist import MnistError, Split, load_mnist


def test_classifier_reads_mnist_test_digits(reader, mnist):
    report = evaluate(reader.classifier, Split(mnist.test.images[:1000], mnist.test.labels[:1000]))
    assert report.images == 1000
    assert report.accuracy >= 0.98
    assert report.confusion.sum() == 1000
    assert np.trace(report.confusion) == round(report.accuracy * 1000)
    assert len(report.per_digit) == 10 and min(report.per_digit) > 0.9
    summary = report.summary()
    assert f"{report.accuracy:.2%}" in summary and "1,000 images" in summary


def test_confusion_matrix_is_a_png(reader, mnist):
    report = evaluate(reader.classifier, Split(mnist.test.images[:200], mnist.test.labels[:200]))
    png = confusion_matrix_png(report)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5_000


def test_command_line_report(mnist_path, tmp_path, capsys):
    plot = tmp_path / "confusion.png"
    main(["--mnist-path", str(mnist_path), "--plot", str(plot)])
    out = capsys.readouterr().out
    assert "10,000 images" in out and "Per digit" in out
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_missing_or_malformed_mnist_is_explained(tmp_path):
    with pytest.raises(MnistError, match="not found"):
        load_mnist(tmp_path / "nope.npz")
    wrong = tmp_path / "wrong.npz"
    np.savez(wrong, x_train=np.zeros((2, 28, 28)))
    with pytest.raises(MnistError, match="y_train"):
        load_mnist(wrong)
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(b"not a zip")
    with pytest.raises(MnistError, match="not a readable"):
        load_mnist(garbage)
