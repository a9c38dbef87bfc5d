"""The decisions between reading and refusing, on made-up network outputs."""

import numpy as np
import pytest

from model.reading import policy
from model.reading.result import Box, Refusal, Role, Shape

PHOTO = np.full((600, 800), 230, np.uint8)


def shape(x: int, height: int = 100, y: int = 200, edge: float = 0.0) -> Shape:
    """A shape `height` tall; `edge`: how many strokes' widths of it lie on the border."""
    return Shape(Box(x, y, height // 2, height), np.ones((height, height // 2), bool), edge)


def digit(d: int, p: float = 0.99) -> np.ndarray:
    """Probabilities over 0-9 and "not a digit" with `p` on digit `d`."""
    out = np.full(11, (1 - p) / 10, np.float32)
    out[d] = p
    return out


NOT_A_DIGIT = digit(10, 0.95)


def decide(shapes: list[Shape], probabilities: list[np.ndarray]):
    images = np.zeros((len(shapes), 28, 28), np.float32)
    return policy.decide(PHOTO, shapes, images, np.array(probabilities))


def test_digits_make_a_number_in_order_with_its_confidence():
    reading = decide([shape(100), shape(200), shape(300)], [digit(2), digit(0, 0.9), digit(7)])
    assert reading.refusal is None
    assert reading.number == "207"
    assert reading.confidence == pytest.approx(0.99 * 0.9 * 0.99, rel=1e-4)


def test_nothing_found_is_no_writing():
    reading = decide([], [])
    assert reading.refusal is Refusal.NO_WRITING and reading.number == ""


def test_only_letters_are_writing_but_not_digits():
    reading = decide([shape(100), shape(200)], [NOT_A_DIGIT, NOT_A_DIGIT])
    assert reading.refusal is Refusal.NOT_DIGITS


def test_mostly_letters_with_one_digit_like_letter_is_not_a_number():
    reading = decide([shape(100), shape(200), shape(300)], [NOT_A_DIGIT, digit(4), NOT_A_DIGIT])
    assert reading.refusal is Refusal.NOT_DIGITS


def test_a_dash_beside_a_number_is_skipped():
    shapes = [shape(100), shape(200, height=30, y=240), shape(300)]
    reading = decide(shapes, [digit(1), NOT_A_DIGIT, digit(2)])
    assert reading.number == "12"
    assert [c.role for c in reading.characters] == [Role.DIGIT, Role.NOT_A_DIGIT, Role.DIGIT]


def test_a_digit_sized_mark_among_digits_makes_the_number_unclear():
    shapes = [shape(100), shape(200), shape(300)]
    reading = decide(shapes, [digit(1), NOT_A_DIGIT, digit(2)])
    assert reading.refusal is Refusal.UNCLEAR and reading.number == ""


def test_a_speck_read_as_a_digit_is_stray():
    reading = decide([shape(100), shape(200, height=20)], [digit(3), digit(0)])
    assert reading.number == "3" and reading.characters[1].role is Role.STRAY


def test_an_unsure_digit_at_the_edge_is_cut_off():
    reading = decide([shape(0, edge=1.0)], [digit(7, 0.6)])
    assert reading.refusal is Refusal.CUT_OFF


def test_a_sure_digit_whose_tail_touches_the_edge_is_read():
    assert decide([shape(0, edge=1.0)], [digit(7, 0.97)]).number == "7"


def test_a_digit_the_edge_cuts_through_is_cut_off_however_sure():
    assert decide([shape(0, edge=2.5)], [digit(7, 0.99)]).refusal is Refusal.CUT_OFF


def test_tiny_digits_are_too_small():
    reading = decide([shape(100, height=8), shape(200, height=9)], [digit(5), digit(6)])
    assert reading.refusal is Refusal.TOO_SMALL
    assert {c.role for c in reading.characters} == {Role.TOO_SMALL}


def test_a_digit_the_edge_cuts_off_in_a_number_makes_it_cut_off():
    shapes = [shape(100), shape(200), shape(590, edge=2.5)]
    reading = decide(shapes, [digit(2), digit(0), digit(6)])
    assert reading.refusal is Refusal.CUT_OFF and reading.number == ""


def test_a_number_with_a_digit_nobody_could_name_is_unclear():
    torn = np.full(11, 0.0, np.float32)
    torn[[1, 4, 7, 9]] = 0.25
    reading = decide([shape(100), shape(200), shape(300)], [digit(2), torn, digit(5)])
    assert reading.refusal is Refusal.UNCLEAR and reading.number == ""


def test_a_single_digit_nobody_could_name_is_unclear():
    torn = np.full(11, 0.0, np.float32)
    torn[[1, 4, 7, 9]] = 0.25
    assert decide([shape(100)], [torn]).refusal is Refusal.UNCLEAR
    two_way = digit(4, 0.55)
    two_way[9] = 0.40
    reading = decide([shape(100)], [two_way])
    assert reading.refusal is None and not reading.digits[0].sure
    assert reading.number == "4" and reading.digits[0].runner_up == 9
