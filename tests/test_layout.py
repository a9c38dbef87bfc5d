"""Finding the writing and its characters: ink against its surface, marks into characters,
characters into lines in reading order."""

import cv2
import numpy as np
from PIL import Image, ImageDraw

from model.reading.ink import find_ink, percentiles, writing_is_dark
from model.reading.layout import find_shapes
from tests.images import drawn_digit


def page(size=(900, 600), paper=235) -> np.ndarray:
    return np.full(size[::-1], paper, np.uint8)


def write(photo: np.ndarray, text: str, at: tuple[int, int], height: int, ink: int = 20) -> None:
    """Text drawn in Pillow's font, `height` pixels tall, starting at `at` (its left middle)."""
    image = Image.fromarray(photo)
    from PIL import ImageFont

    font = ImageFont.load_default(size=height)
    ImageDraw.Draw(image).text(at, text, fill=ink, font=font, anchor="lm", stroke_width=2,
                               stroke_fill=ink)
    photo[:] = np.asarray(image)


def read_order(photo: np.ndarray) -> list[list[tuple[int, int]]]:
    """Each line's characters as (x, y) of their boxes."""
    mask = find_ink(photo)
    return [[(s.box.x, s.box.y) for s in line] for line in find_shapes(mask)]


def test_blank_page_has_no_ink():
    for paper in (0, 120, 250):
        mask = find_ink(page(paper=paper))
        assert not mask.any()


def test_percentiles_from_the_histogram_are_numpys_to_the_last_bit():
    rng = np.random.default_rng(5)
    for size in (1, 2, 3, 77, 1000, 76_800):
        for pixels in (rng.integers(0, 256, size), (rng.random(size) ** 8 * 255).astype(int),
                       np.full(size, 7)):
            pixels = pixels.astype(np.uint8).reshape(-1, 1)
            q = [0, 1, 50, 99, 99.5, 100, float(rng.random() * 100)]
            assert percentiles(pixels, q) == np.percentile(pixels, q).tolist()


def test_dark_writing_and_chalk_are_both_found():
    assert writing_is_dark(np.asarray(drawn_digit("7")))
    assert not writing_is_dark(np.asarray(drawn_digit("7", ink=235, paper=40)))
    for ink, paper in ((20, 235), (235, 40)):
        photo = np.asarray(drawn_digit("7", ink=ink, paper=paper))
        mask = find_ink(photo)
        assert 0.01 < mask.mean() < 0.2


def test_a_fat_marker_filling_the_picture_is_still_dark_writing():
    photo = page((300, 300), paper=200)
    cv2.ellipse(photo, (150, 85), (75, 62), 0, 0, 360, 10, 45)  # an 8 in a fat marker
    cv2.ellipse(photo, (150, 215), (90, 68), 0, 0, 360, 10, 50)
    assert (photo < 100).mean() > 0.4  # the ink covers much of the picture
    assert writing_is_dark(photo)


def test_digits_in_a_row_are_read_left_to_right():
    photo = page()
    write(photo, "2  0  2  6", (100, 300), 160)
    [line] = read_order(photo)
    assert len(line) == 4
    assert [x for x, _ in line] == sorted(x for x, _ in line)


def test_two_lines_are_read_top_to_bottom():
    photo = page((900, 800))
    write(photo, "4  5", (100, 560), 150)
    write(photo, "1  2  3", (100, 220), 150)
    lines = read_order(photo)
    assert [len(line) for line in lines] == [3, 2]
    assert lines[0][0][1] < lines[1][0][1]


def test_a_five_written_in_two_strokes_is_one_character():
    photo = page((400, 400))
    cv2.line(photo, (150, 100), (260, 100), 20, 9)  # the flag, lifted off the page
    cv2.line(photo, (150, 118), (150, 190), 20, 9)
    cv2.ellipse(photo, (190, 245), (60, 60), 0, -150, 150, 20, 9)
    [[five]] = [[s for s in line] for line in find_shapes(find_ink(photo))]
    assert five.box.height > 180


def test_specks_and_dots_beside_a_digit_are_left_out():
    photo = page()
    write(photo, "7", (300, 300), 260)
    for x in (100, 600, 750):
        cv2.circle(photo, (x, 500), 3, 20, -1)
    [[seven]] = [line for line in read_order(photo)]
    assert seven[0] > 250


def test_writing_at_the_edge_is_flagged():
    photo = page((400, 300))
    write(photo, "7", (-40, 150), 260)
    [[shape]] = find_shapes(find_ink(photo))
    assert shape.touches_edge


def test_faint_show_through_is_not_writing():
    photo = page()
    write(photo, "3", (300, 300), 260, ink=20)
    write(photo, "abc", (600, 450), 80, ink=205)  # from the back of the page: faint
    [[three]] = read_order(photo)
    assert three[0] < 500


def test_a_small_mark_above_the_line_does_not_reorder_it():
    """A 5's flag written apart, higher than the digits, once started a line of its own
    that pulled the digits after it in front of the ones before it."""
    photo = page((900, 400))
    write(photo, "3 4", (60, 230), 150)
    cv2.line(photo, (345, 120), (385, 120), 20, 6)  # a dash above the line
    write(photo, "6 7", (420, 240), 150)
    lines = read_order(photo)
    xs = [x for line in lines for x, _ in line]
    tall = [x for line in lines for (x, y) in line if y > 140]
    assert len(lines) == 1 and xs == sorted(xs) and len(tall) == 4


def ruled(photo: np.ndarray, spacing: int = 60, ink: int = 170) -> None:
    """Ruled paper: thin lines right across the page."""
    for y in range(spacing // 2, photo.shape[0], spacing):
        cv2.line(photo, (0, y), (photo.shape[1] - 1, y), ink, 2)


def test_ruled_lines_go_and_a_pen_stroke_crossing_them_stays():
    photo = page((600, 600))
    ruled(photo)
    cv2.line(photo, (300, 90), (300, 520), 25, 4)  # a 1 across seven lines
    [[one]] = find_shapes(find_ink(photo))
    assert one.box.height >= 420 and one.box.width < 30


def test_a_long_thin_stroke_alone_on_the_page_is_writing_not_a_line():
    # A 7 in a fine pen filling a close crop: its stem and its bar are long, straight and
    # thin, as a ruled line is, but they end in the page and no line runs beside them.
    photo = page((300, 600))
    cv2.line(photo, (60, 40), (240, 40), 30, 3)
    cv2.line(photo, (240, 40), (150, 560), 30, 3)
    [[seven]] = find_shapes(find_ink(photo))
    assert seven.box.width >= 175 and seven.box.height >= 515


def test_a_four_whose_strokes_just_miss_is_one_character():
    photo = page((400, 400))
    cv2.polylines(photo, [np.array([[150, 60], [80, 220], [241, 220]], np.int32)], False, 25, 4)
    cv2.line(photo, (248, 60), (248, 340), 25, 4)  # the stem, a pixel or two from the bar
    [[four]] = find_shapes(find_ink(photo))
    assert four.box.x <= 80 and four.box.right >= 250
