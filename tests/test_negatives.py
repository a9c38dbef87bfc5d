"""The 11th class's training pictures: letters and marks, drawn as MNIST draws digits."""

import numpy as np

from model.training import negatives


def test_no_glyph_that_a_hand_writes_as_a_digit_is_a_negative():
    for look_alike in "AaOoDIl|iZzSsBbGgqοΟιΔλΛлЛЗзбЧч&√":  # noqa: RUF001 (look-alikes)
        assert look_alike not in negatives.CHARACTERS
    assert "δ" in negatives.CHARACTERS  # real photos of it were read as 8 while it was out


def test_every_font_draws_most_characters():
    pictures = negatives.glyphs()
    fonts = len(negatives.FONT_FILES)
    assert len(pictures) > 0.7 * fonts * len(negatives.CHARACTERS)
    assert pictures.shape[1:] == (28, 28)


def test_not_digits_look_like_mnist_pictures():
    pictures = negatives.not_digits(200, seed=3)
    assert pictures.shape == (200, 28, 28, 1) and pictures.dtype == np.float32
    assert pictures.min() >= 0 and pictures.max() <= 1
    rows = (pictures[..., 0].max(axis=2) > 0.3).sum(axis=1)
    columns = (pictures[..., 0].max(axis=1) > 0.3).sum(axis=1)
    long_side = np.maximum(rows, columns)
    assert np.median(long_side) in range(18, 23)  # fitted in 20x20, as MNIST's digits
    ys = np.arange(28)[None, :, None, None]
    centre = (ys * pictures).sum(axis=(1, 2, 3)) / pictures.sum(axis=(1, 2, 3))
    # Centred by mass, as MNIST is; redrawing with a pen moves the mass a little.
    assert np.median(np.abs(centre - 14)) < 0.5 and np.abs(centre - 14).max() < 3
    again = negatives.not_digits(200, seed=3)
    np.testing.assert_array_equal(pictures, again)
