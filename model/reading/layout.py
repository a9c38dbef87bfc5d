"""Where the characters are: the ink's marks grouped into characters, in reading order.

A handwritten character is one connected mark, or a few (a 5's flag, a 4 written in
two strokes, a pencil line that broke). Marks that overlap a lot horizontally and
lie close above one another make one character. Each character joins the line of its
nearest neighbour to the left when their heights overlap, so a line may run uphill;
lines are read top to bottom, and the characters in each left to right. Which marks
count as writing at all (not specks, dots or the photo's edge) is set by `policy`;
which characters are digits is the network's call.
"""

import cv2
import numpy as np

from model.reading import policy
from model.reading.normalise import stroke_width
from model.reading.result import Box, Shape

MAX_MARKS = 200  # the largest marks considered: no photo of a number has more characters
SAME_COLUMN = 0.5  # horizontal overlap, of the narrower mark, for marks of one character
STACK_GAP = 0.35  # the vertical gap between them, at most this share of the taller
FRAME = 2.0  # a mark enclosing one over this many times shorter is a frame round it
# Marks whose ink comes within two pixels (of the picture the reader works on, 640 px
# long) of each other are one character: a 4 or a 7 written in two strokes that just
# miss, a pencil line that broke. Digits written side by side keep a wider gap.
NEAR_TOUCH = 1  # pixels each mark reaches out
SAME_LINE = 0.2  # neighbours in a line overlap vertically by this share of the shorter
# Marks under this share of the typical character's height (dots, dashes, a 5's flag
# written apart) join the lines after the others, so that they cannot start a line of
# their own and pull its neighbours into it.
LATE_JOINER = 0.5


def _runs_along_the_edge(labels: np.ndarray, count: int, stats: np.ndarray) -> np.ndarray:
    """Per label, whether the mark runs along a side of the photo (`policy.ALONG_THE_EDGE`).

    `labels`, `count` and `stats` are what `cv2.connectedComponentsWithStats` returns.
    """
    along = np.zeros(count, bool)
    for side, extent in ((labels[:, 0], 3), (labels[:, -1], 3), (labels[0], 2), (labels[-1], 2)):
        contact = np.bincount(side, minlength=count)
        along |= contact > policy.ALONG_THE_EDGE * stats[:, extent]
    along[0] = False
    return along


def _marks(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The label image, and the labels and boxes (x, y, width, height) of the marks that
    may be writing: not specks, not the photo's edges, at most `MAX_MARKS` of the largest."""
    # (Grana's block-based algorithm: the same labels and statistics as OpenCV's default,
    # in a third of the time when statistics are asked for.)
    count, labels, stats, _ = cv2.connectedComponentsWithStatsWithAlgorithm(
        mask.astype(np.uint8), 8, cv2.CV_32S, cv2.CCL_GRANA)
    boxes = stats[:, :4].astype(np.int64)
    longest = boxes[:, 2:4].max(axis=1)
    keep = (longest >= policy.SPECK_PIXELS) & ~_runs_along_the_edge(labels, count, stats)
    keep[0] = False
    # A dot or a speck is far smaller than the largest mark, of those the photo's edge
    # does not cut (a shadow or a desk there may be far larger than any writing).
    height, width = mask.shape
    x, y, w, h = boxes.T
    inside = keep & (x > 0) & (y > 0) & (x + w < width) & (y + h < height)
    reference = inside if inside.any() else keep
    if reference.any():
        keep &= longest >= policy.DOT_SHARE * longest[reference].max()
    kept = np.flatnonzero(keep)
    kept = kept[np.argsort(-stats[kept, cv2.CC_STAT_AREA])][:MAX_MARKS]
    return labels, kept, boxes[kept]


def _same_character(boxes: np.ndarray) -> np.ndarray:
    """For every pair of marks, whether they belong to one character: (n, n) bool."""
    x, y, w, h = (boxes[:, k] for k in range(4))
    right, bottom = x + w, y + h
    overlap = np.minimum.outer(right, right) - np.maximum.outer(x, x)
    gap = np.maximum.outer(y, y) - np.minimum.outer(bottom, bottom)
    return (overlap >= SAME_COLUMN * np.minimum.outer(w, w)) & (
        gap <= STACK_GAP * np.maximum.outer(h, h)
    )


def _framing(boxes: np.ndarray) -> np.ndarray:
    """For every pair of marks, whether one is a frame round the other (a screen's bezel, a
    box drawn round the writing), which is not part of it: (n, n) bool."""
    x, y, w, h = (boxes[:, k] for k in range(4))
    right, bottom = x + w, y + h
    inside = (
        (x[:, None] >= x[None, :]) & (right[:, None] <= right[None, :])
        & (y[:, None] >= y[None, :]) & (bottom[:, None] <= bottom[None, :])
    )
    framed = inside & (h[None, :] > FRAME * h[:, None])
    return framed | framed.T


def _near_touching(labels: np.ndarray, kept: np.ndarray) -> np.ndarray:
    """For every pair of kept marks, whether their ink comes within 2 * `NEAR_TOUCH`
    pixels of each other (directly, or through other marks): (n, n) bool."""
    count = int(labels.max()) + 1
    is_kept = np.zeros(count, bool)
    is_kept[kept] = True
    marks = is_kept[labels]
    side = 2 * NEAR_TOUCH + 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    _, near = cv2.connectedComponents(cv2.dilate(marks.astype(np.uint8), kernel), connectivity=8)
    # Every pixel of a mark lies in the same grown-together region: any one names it.
    region_of = np.zeros(count, np.int32)
    region_of[labels[marks]] = near[marks]
    region = region_of[kept]
    return region[:, None] == region[None, :]


def _group(boxes: np.ndarray, touching: np.ndarray) -> list[list[int]]:
    """Marks (by index) joined into characters: each with all marks it belongs with."""
    parent = list(range(len(boxes)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    together = (_same_character(boxes) | touching) & ~_framing(boxes)
    for i, j in zip(*np.nonzero(np.triu(together, 1)), strict=True):
        parent[root(int(i))] = root(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def _chain(shapes: list[Shape]) -> list[list[Shape]]:
    """Shapes chained into lines: each joins the line of its nearest neighbour to the left
    whose height overlaps its own by a fifth of the smaller height, so a line written
    uphill stays one line."""
    lines: list[list[Shape]] = []
    for shape in sorted(shapes, key=lambda s: s.box.x):
        best, best_gap = None, float("inf")
        for line in lines:
            last = line[-1].box
            overlap = min(last.bottom, shape.box.bottom) - max(last.y, shape.box.y)
            gap = shape.box.x - last.right
            if overlap >= SAME_LINE * min(last.height, shape.box.height) and gap < best_gap:
                best, best_gap = line, gap
        if best is None:
            lines.append([shape])
        else:
            best.append(shape)
    return lines


def _lines(shapes: list[Shape]) -> list[list[Shape]]:
    """Shapes in lines, top to bottom, each left to right.

    Lines are chained from the characters of about the writing's height; smaller marks
    (a 5's flag written apart, a dot, a dash) then join the line nearest to them, so
    that they cannot start a line of their own and pull its neighbours into it.
    """
    if not shapes:
        return []
    typical = float(np.median([s.box.height for s in shapes]))
    tall = [s for s in shapes if s.box.height >= LATE_JOINER * typical]
    lines = _chain(tall)
    for shape in (s for s in shapes if s.box.height < LATE_JOINER * typical):
        middle = shape.box.y + shape.box.height / 2
        nearest = min(lines, key=lambda line: min(
            abs(middle - (s.box.y + s.box.height / 2)) + abs(shape.box.x - s.box.x)
            for s in line
        ))
        nearest.append(shape)
    lines = [sorted(line, key=lambda s: s.box.x) for line in lines]
    return sorted(lines, key=lambda line: np.median([s.box.y + s.box.height / 2 for s in line]))


def _edge_strokes(ink: np.ndarray, box: Box, height: int, width: int) -> float:
    """How many strokes' widths of a shape's ink lie on the photo's border."""
    on_border = (
        (ink[:, 0].sum() if box.x == 0 else 0) + (ink[:, -1].sum() if box.right == width else 0)
        + (ink[0].sum() if box.y == 0 else 0) + (ink[-1].sum() if box.bottom == height else 0)
    )
    return float(on_border) / max(stroke_width(ink), 1.0) if on_border else 0.0


def find_shapes(mask: np.ndarray) -> list[list[Shape]]:
    """The characters written in an ink mask, as lines in reading order."""
    labels, kept, boxes = _marks(mask)
    height, width = mask.shape
    shapes = []
    for members in _group(boxes, _near_touching(labels, kept)):
        x0, y0 = boxes[members, 0].min(), boxes[members, 1].min()
        x1 = (boxes[members, 0] + boxes[members, 2]).max()
        y1 = (boxes[members, 1] + boxes[members, 3]).max()
        box = Box(int(x0), int(y0), int(x1 - x0), int(y1 - y0))
        ink = np.isin(labels[box.y : box.bottom, box.x : box.right], kept[members])
        shapes.append(Shape(box, ink, _edge_strokes(ink, box, height, width)))
    return _lines(shapes)
