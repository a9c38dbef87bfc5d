"""Centre lines: one pixel wide, as long as the shape, and with its holes kept."""

import cv2
import numpy as np

from model.thinning import thin


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
    rng = np.random.default_rng(3)
    stack = cv2.GaussianBlur(rng.random((5, 40, 40)).transpose(1, 2, 0), (0, 0), 3)
    masks = stack.transpose(2, 0, 1) > 0.5
    np.testing.assert_array_equal(thin(masks), np.stack([thin(mask) for mask in masks]))
    assert not thin(np.zeros((0, 10, 10), bool)).any()
