"""Centre lines: one pixel wide, as long as the shape, and with its holes kept."""

import cv2
import numpy as np
import pytest

from model.rendering.thinning import thin


def test_a_thick_bar_becomes_a_line_along_its_middle():
    bar = np.zeros((40, 80), bool)
    bar[16:25, 10:70] = True
    line = thin(bar)
    columns = line[:, 15:65]
    assert (columns.sum(axis=0) == 1).all()  # one pixel wide...
    assert (np.flatnonzero(columns.any(axis=1)) == 20).all()  # ...down the bar's middle
    assert line.sum() >= 50


def test_a_ring_keeps_its_hole():
    ring = cv2.circle(np.zeros((60, 60), np.uint8), (30, 30), 18, 1, thickness=7).astype(bool)
    line = thin(ring)
    assert line.sum() < ring.sum() / 4
    outside = line.astype(np.uint8)
    cv2.floodFill(outside, None, (0, 0), 2)
    assert outside[30, 30] == 0  # the flood from the corner never reached the middle


def test_a_stack_is_thinned_as_each_image_alone():
    stack = np.zeros((4, 40, 50), bool)
    stack[0, 5:12, 3:30] = True  # a bar near the top left
    stack[1, 20:40, 35:50] = True  # a block touching the bottom and right edges
    stack[3, 33, 7] = True  # a single dot; image 2 stays empty
    lines = thin(stack)
    assert lines.shape == stack.shape
    np.testing.assert_array_equal(lines, np.stack([thin(mask) for mask in stack]))
    assert lines[0].sum() >= 15 and lines[1].any() and lines[3, 33, 7] and not lines[2].any()
    assert thin(np.zeros((0, 10, 10), bool)).shape == (0, 10, 10)


def test_thinning_wants_images():
    with pytest.raises(ValueError, match="height, width"):
        thin(np.ones(5, bool))
