"""Finding the digit in a photo: which pixels are the strokes that make it.

A phone photo holds far more than a digit: paper grain, uneven light and shadows,
ruled or squared lines, the page's edge, show-through from the back, specks. This
module evens out the light, decides whether the writing is dark on light (pen on
paper) or light on dark (chalk on a board), binarises against the local background,
removes ruled lines, and picks the connected strokes that form the digit. It says
so (`NoDigitFound`) when nothing there looks like a digit, or the digit is cut off.
"""

from dataclasses import dataclass

import cv2
import numpy as np

from model.errors import DigitCutOff, NoDigitFound
from model.thinning import centre_lines_and_half_widths

# Ink is measured as how much darker a pixel is than the paper around it (0..1).
WEAK_INK = 0.10  # weakest stroke pixels kept (pencil); paper grain stays below
STRONG_INK = 0.28  # a stroke must reach this somewhere; show-through and stains do not
MIN_DIGIT_SIDE = 0.06  # of the image's short side: smaller is a speck, not a digit
MAX_FILL = 0.62  # ink fills at most this share of a digit's box (strokes, not blobs)
MAX_STROKE = 0.30  # stroke width relative to the digit's height; a blob is thicker
DARKEST_PAPER = 100.0  # grey level below which darkness is not measured relative to the page
MAX_UNEVENNESS = 0.30  # of the ink's contrast: the surface beside writing varies less
MAX_THICKNESS = 0.65  # of the digit's longer side: a filled loop is thinner, a disc is not
MIN_LOOP_AREA = 0.02  # of the digit's box: smaller holes are gaps in the ink, not loops
# How closely a hand-drawn loop can match the best-fitting ellipse or four-cornered polygon
# (intersection over union). Drawn large, MNIST's loops reach 0.984 and 0.913.
MAX_ELLIPSE_FIT = 0.988
MAX_POLYGON_FIT = 0.95
TAPER = 0.5  # a centre line thinner than this share of the median stroke is tapering


@dataclass(frozen=True)
class Strokes:
    """The digit's strokes, cropped to their bounding box."""

    mask: np.ndarray  # bool, True on the strokes
    stroke_width: float  # typical stroke width, in pixels
    tapering: float  # share of the centre lines far thinner than the typical stroke


def _odd(value: float) -> int:
    return max(3, int(value) // 2 * 2 + 1)


def writing_is_dark(gray: np.ndarray) -> bool:
    """Whether the writing is darker than what it is written on (pen on paper, not chalk).

    Around the sharpest edges in the picture (the strokes' outlines), the thin strokes
    take up less room than the surface they are written on, so the surface's tone
    dominates there. When that is not clear-cut (very thick strokes), the whole
    picture's median tone stands for the surface.
    """
    smooth = cv2.GaussianBlur(gray, (3, 3), 0)
    contrast = cv2.morphologyEx(smooth, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    # The strokes' outlines are the sharpest edges; a shadow's edge is softer.
    edges = contrast >= max(16, np.percentile(contrast, 99), 0.5 * np.percentile(contrast, 99.9))
    band = _odd(0.05 * min(gray.shape))  # wider than most pens' strokes
    near_edges = smooth[cv2.dilate(edges.astype(np.uint8), np.ones((band, band))) > 0]
    for values in (near_edges, smooth.ravel()):
        if values.size:
            darkest, brightest = np.percentile(values, [2, 98])
            middle = (darkest + brightest) / 2
            median = float(np.median(values))
            if abs(median - middle) > 0.15 * (brightest - darkest):
                return median > middle
    return True


def ink_map(gray: np.ndarray, widest_stroke: float) -> np.ndarray:
    """How much darker each pixel is than its local background, 0..1 (dark writing).

    The background is the picture with every dark feature narrower than `widest_stroke`
    closed over (on a quarter-size copy, for speed): it follows light falloff and the
    broad parts of shadows, while pen strokes stand out from it.
    """
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(widest_stroke / 4 + 2),) * 2)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    background = cv2.resize(background, gray.shape[::-1], interpolation=cv2.INTER_LINEAR)
    background = np.maximum(background.astype(np.float32), gray.astype(np.float32))
    # Relative darkness copes with shadows; the floor keeps the noise of a near-black
    # picture from passing for ink.
    return (background - gray) / np.maximum(background, DARKEST_PAPER)


def _along_line(image: np.ndarray, start: np.ndarray, end: np.ndarray, reach: int) -> float:
    """Median, along a segment, of `image` summed across it within `reach` pixels.

    For a mask that is the line's thickness; with no reach, the line's own ink. The
    median ignores the few places where strokes cross the line.
    """
    length = max(float(np.hypot(*(end - start))), 1.0)
    along = (end - start) / length
    across = np.array([-along[1], along[0]])
    steps = np.linspace(0.0, 1.0, max(2, int(length) // 2))[:, None, None]
    offsets = np.arange(-reach, reach + 1)[None, :, None]
    points = start + steps * (end - start) + offsets * across  # (positions, offsets, xy)
    columns = np.clip(np.rint(points[..., 0]).astype(int), 0, image.shape[1] - 1)
    rows = np.clip(np.rint(points[..., 1]).astype(int), 0, image.shape[0] - 1)
    return float(np.median(image[rows, columns].sum(axis=1)))


def remove_ruled_lines(mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """Drop ruled and squared paper's lines: thin straight lines across much of the page.

    A digit's own straight strokes are shorter than these, or far thicker. Where a pen
    stroke crosses or follows a line, the pen's darker ink stays.
    """
    binary = mask.astype(np.uint8)
    height, width = binary.shape
    margin = 0.02 * max(height, width)
    segments = cv2.HoughLinesP(
        binary, rho=1, theta=np.pi / 360, threshold=max(height, width) // 5,
        minLineLength=min(height, width) // 3, maxLineGap=max(4, min(height, width) // 100),
    )
    if segments is None:
        return mask
    lines = np.zeros_like(binary)
    # Per line, how dark ink must be to be a pen's rather than the line's own: a margin
    # line is often darker than the ruled lines, and still the paper's.
    pen_floor = np.zeros(ink.shape, np.float32)
    boldest = float(np.percentile(ink[mask], 99))
    for x0, y0, x1, y1 in segments.reshape(-1, 4).tolist():
        start, end = np.array([x0, y0], float), np.array([x1, y1], float)
        length = float(np.hypot(*(end - start)))
        thickness = _along_line(binary, start, end, round(0.02 * min(height, width)))
        own_ink = _along_line(ink, start, end, 0)
        # A line running off the picture's edge is the paper's, and so is one far fainter
        # than the boldest writing (a rule seen close up); a thin enough one anywhere.
        at_edge = min(x0, y0, x1, y1) <= margin or max(x0, x1) >= width - margin or max(
            y0, y1) >= height - margin
        faint = own_ink < 0.6 * boldest
        if 0 < thickness <= (0.03 if at_edge or faint else 0.015) * length:
            footprint = round(thickness) + 3
            cv2.line(lines, (x0, y0), (x1, y1), 1, thickness=footprint)
            floor = max(STRONG_INK, 1.5 * own_ink)
            cv2.line(pen_floor, (x0, y0), (x1, y1), floor, thickness=footprint)
    pen = ink >= pen_floor
    return mask & ~(lines.astype(bool) & ~pen)


@dataclass(frozen=True)
class _Components:
    labels: np.ndarray  # int32 label image, 0 = background
    boxes: np.ndarray  # (n, 4): x, y, width, height
    areas: np.ndarray  # (n,)
    strength: np.ndarray  # (n,): strongest ink in each component
    mass: np.ndarray  # (n,): total ink in each component


def _components(mask: np.ndarray, ink: np.ndarray) -> _Components:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), 8)
    flat_labels, flat_ink = labels.ravel(), ink.ravel()
    strength = np.zeros(count, np.float32)
    np.maximum.at(strength, flat_labels, flat_ink)
    mass = np.bincount(flat_labels, weights=flat_ink, minlength=count)
    return _Components(labels, stats[:, :4], stats[:, cv2.CC_STAT_AREA], strength, mass)


def _grow_group(parts: _Components, main: int, candidates: np.ndarray) -> np.ndarray:
    """The main component plus the strokes close to it (a 5's flag, a broken pencil line)."""
    group = np.zeros(len(parts.areas), bool)
    group[main] = True
    x0, y0, x1, y1 = _box(parts.boxes[main])
    # A digit's other strokes are no longer than it is; a page's edge or a line is.
    extent = parts.boxes[:, 2:4].max(axis=1)
    candidates = candidates & (extent <= 1.2 * max(x1 - x0, y1 - y0))
    while True:
        reach = 0.25 * max(y1 - y0, x1 - x0)
        near = (
            candidates
            & ~group
            & (parts.boxes[:, 0] <= x1 + reach)
            & (parts.boxes[:, 0] + parts.boxes[:, 2] >= x0 - reach)
            & (parts.boxes[:, 1] <= y1 + reach)
            & (parts.boxes[:, 1] + parts.boxes[:, 3] >= y0 - reach)
            & (parts.mass >= 0.04 * parts.mass[main])
        )
        if not near.any():
            return group
        group |= near
        boxes = parts.boxes[group]
        x0, y0 = boxes[:, 0].min(), boxes[:, 1].min()
        x1, y1 = (boxes[:, 0] + boxes[:, 2]).max(), (boxes[:, 1] + boxes[:, 3]).max()


def _box(box: np.ndarray) -> tuple[int, int, int, int]:
    x, y, width, height = (int(v) for v in box)
    return x, y, x + width, y + height


def stroke_width(mask: np.ndarray) -> float:
    """Typical stroke width: twice the area over the length of all outlines."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(contour, True) for contour in contours)
    return 2.0 * float(mask.sum()) / max(perimeter, 1.0)


def tapering(mask: np.ndarray, pen: float) -> float:
    """Share of the strokes' centre lines thinner than half their median width.

    A pen draws strokes of one width, so only their very ends are thinner. A crescent
    (a head's hair, a shadow's rim) or a brush stroke tapers along much of its length.
    """
    scale = min(1.0, 4.0 / max(pen, 1.0))  # a pen of about 4 pixels shows it well enough
    small = cv2.resize(mask.astype(np.float32), None, fx=scale, fy=scale,
                       interpolation=cv2.INTER_AREA) > 0.5
    _, half_widths = centre_lines_and_half_widths(small)
    if half_widths.size < 5:
        return 0.0
    return float((half_widths < TAPER * np.median(half_widths)).mean())


def _typical_stroke_width(ink: np.ndarray) -> float:
    """Width of the boldest marks in an ink map: the pen's, unless there is no writing."""
    strong = ink > max(STRONG_INK, 0.6 * float(np.percentile(ink, 99.9)))
    return stroke_width(strong) if strong.any() else 0.0


def _surface_unevenness(
    gray: np.ndarray, marks: np.ndarray, digit: np.ndarray, pen: float
) -> float:
    """How much the surface right beside the strokes varies, relative to the ink's contrast.

    Ink lies on one surface, so the paper on either side of a pen stroke has the same
    tone. The outline of a thing (a cup's rim, a phone's frame, a head of hair) is
    where one surface meets another, so the tones on its two sides differ. Measured
    within a few pens' widths of each stroke pixel, and the median taken, so that
    a shadow's edge crossing the digit, or light falling off, changes little.
    """
    x0, y0, box_width, box_height = _bounding_box(digit)
    reach = int(np.ceil(3 * pen)) + 2
    rows = slice(max(0, y0 - reach), y0 + box_height + reach)
    columns = slice(max(0, x0 - reach), x0 + box_width + reach)
    # Worked out where a pen is about 3 pixels wide: the measure does not need more detail.
    scale = min(1.0, 3.0 / max(pen, 1.0))
    gray, marks, digit = (
        cv2.resize(image[rows, columns].astype(np.float32), None, fx=scale, fy=scale,
                   interpolation=cv2.INTER_AREA)
        for image in (gray, marks, digit)
    )
    marks, digit, pen = marks > 0.5, digit > 0.5, pen * scale
    distance = cv2.distanceTransform((~digit).astype(np.uint8), cv2.DIST_L2, 3)
    # The surface: a band beyond the strokes' blurred edges, without other marks on it.
    surface = (distance > max(2.0, pen)) & (distance <= max(4.0, 2.5 * pen)) & ~marks
    if surface.sum() < 10:
        return 0.0
    weight = surface.astype(np.float32)
    sigma = max(1.0, pen / 2)  # average out paper grain and sensor noise
    coverage = cv2.GaussianBlur(weight, (0, 0), sigma)
    tone = cv2.GaussianBlur(gray * weight, (0, 0), sigma) / np.maximum(coverage, 1e-3)
    measured = coverage > 0.2
    window = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (_odd(6 * pen + 1),) * 2)
    lightest = cv2.dilate(np.where(measured, tone, 0).astype(np.float32), window)
    darkest = cv2.erode(np.where(measured, tone, 255).astype(np.float32), window)
    spread = np.clip(lightest - darkest, 0, 255)[digit]
    contrast = float(np.percentile(gray[surface], 75) - np.percentile(gray[digit], 20))
    return float(np.median(spread)) / max(contrast, 1.0)


def _bounding_box(mask: np.ndarray) -> np.ndarray:
    """x, y, width, height of a mask's True pixels."""
    return np.array(cv2.boundingRect(mask.astype(np.uint8)))


def _cut_threads(digit: np.ndarray, main: np.ndarray, pen: float) -> np.ndarray:
    """The digit without threads much thinner than its pen that join it to other things."""
    size = _odd(max(3.0, pen / 2))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(digit.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    count, labels = cv2.connectedComponents(opened, connectivity=8)
    if count < 2:
        return digit
    overlap = np.bincount(labels[main], minlength=count)
    overlap[0] = 0
    core = labels == int(np.argmax(overlap))
    # Give back the strokes' edges that the opening took, not the threads beyond them.
    return digit & (cv2.dilate(core.astype(np.uint8), kernel) > 0)


def _has_regular_loop(mask: np.ndarray) -> bool:
    """Whether the strokes enclose an exact ellipse or quadrilateral: a cup's rim, a phone.

    Things made by machines have loops that match an ellipse (a circle seen at an angle)
    or a four-cornered polygon almost exactly; hand-drawn loops seldom do (see the limits).
    """
    padded = np.pad(mask.astype(np.uint8), 1)
    contours, hierarchy = cv2.findContours(padded, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True):
        is_hole = parent >= 0
        if not is_hole or len(contour) < 6 or cv2.contourArea(contour) < MIN_LOOP_AREA * mask.size:
            continue
        loop = np.zeros_like(padded)
        cv2.drawContours(loop, [contour], -1, 1, cv2.FILLED)
        ellipse = cv2.ellipse(np.zeros_like(padded), cv2.fitEllipse(contour), 1, cv2.FILLED)
        corners = cv2.approxPolyDP(contour, 0.02 * cv2.arcLength(contour, True), True)
        polygon = cv2.fillPoly(np.zeros_like(padded), [corners], 1)
        if _overlap(loop, ellipse) > MAX_ELLIPSE_FIT or (
            len(corners) <= 4 and _overlap(loop, polygon) > MAX_POLYGON_FIT
        ):
            return True
    return False


def _fill_inked_loops(strokes: np.ndarray, gray: np.ndarray) -> np.ndarray:
    """The strokes with the loops the writer inked in filled (a 6's or 9's solid loop).

    The ink map sees only the rim of a patch of ink wider than a few pens, so such a
    loop comes out hollow. Its inside is as dark as the strokes, though, while a loop
    drawn open shows the surface's tone.
    """
    # The padding joins everything outside the strokes into one region; the rest are loops.
    outer = np.pad(~strokes, 1, constant_values=True).astype(np.uint8)
    count, labels = cv2.connectedComponents(outer, connectivity=4)
    outside = labels[0, 0]
    labels = labels[1:-1, 1:-1]
    surface = labels == outside
    if count <= 2 or not surface.any():
        return strokes  # no loops, or nothing to compare them with
    tone_of_ink = float(np.median(gray[strokes]))
    tone_of_surface = float(np.median(gray[surface]))
    # Mean tone per region in one pass: grainy strokes can hold thousands of tiny gaps.
    totals = np.bincount(labels.ravel(), weights=gray.ravel().astype(np.float64), minlength=count)
    sizes = np.bincount(labels.ravel(), minlength=count)
    inked = totals / np.maximum(sizes, 1) < (tone_of_ink + tone_of_surface) / 2
    inked[[0, outside]] = False  # label 0 is the strokes themselves
    return strokes | inked[labels]


def _overlap(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two masks."""
    return float(np.logical_and(a, b).sum() / max(np.logical_or(a, b).sum(), 1))


def _is_straight_band(mask: np.ndarray) -> bool:
    """Whether a mask is one long straight band, as the edge of a page or a screen is."""
    points = cv2.findNonZero(mask.astype(np.uint8))
    (_, _), (side_a, side_b), _ = cv2.minAreaRect(points)
    long_side, short_side = max(side_a, side_b), max(min(side_a, side_b), 1.0)
    return long_side >= 4 * short_side and len(points) >= 0.6 * long_side * short_side


def _touches_edge(box: np.ndarray, height: int, width: int) -> bool:
    x0, y0, x1, y1 = _box(box)
    return x0 <= 0 or y0 <= 0 or x1 >= width or y1 >= height


def find_strokes(gray: np.ndarray) -> Strokes:
    """The strokes of the one digit in a grayscale photo; raises `NoDigitFound`.

    The likelier polarity is tried first; when it shows no digit, the other one is.
    """
    dark_first = writing_is_dark(gray)
    try:
        return _find_dark_strokes(gray if dark_first else 255 - gray)
    except DigitCutOff:
        raise
    except NoDigitFound as first_problem:
        try:
            return _find_dark_strokes(255 - gray if dark_first else gray)
        except NoDigitFound:
            raise first_problem from None


def _find_dark_strokes(gray: np.ndarray) -> Strokes:
    """The strokes of the one digit, written darker than its surface."""
    gray = cv2.GaussianBlur(gray, (3, 3), 0)  # paper grain and sensor noise are not ink
    height, width = gray.shape
    # A first look with a kernel wider than any pen finds how wide this pen is. The second
    # kernel, three pens wide, still closes over strokes where they cross, while shadows
    # (a hand's fingers too) and page edges, wider than that, stay background.
    widest = min(height, width) / 8
    pen = _typical_stroke_width(ink_map(gray, widest))
    ink = ink_map(gray, float(np.clip(3 * pen, 12, widest)))
    marks = ink > WEAK_INK
    digit = _pick_digit(remove_ruled_lines(marks, ink), ink, pen)
    return _handwriting(digit, gray, marks)


def _pick_digit(mask: np.ndarray, ink: np.ndarray, pen: float) -> np.ndarray:
    """The marks that make the digit: the heaviest stroke away from the edges, and its kin."""
    height, width = mask.shape
    parts = _components(mask, ink)
    min_area = max(4, int(height * width * 2e-5))
    candidates = (parts.strength >= STRONG_INK) & (parts.areas >= min_area)
    candidates[0] = False  # label 0 is the background
    # Whatever touches the picture's edge is the page's edge, a shadow or writing cut off.
    at_edge = np.array([_touches_edge(box, height, width) for box in parts.boxes])
    if not candidates.any():
        raise NoDigitFound("no strokes dark enough to be writing")
    inside = candidates & ~at_edge
    main = int(np.argmax(np.where(inside if inside.any() else candidates, parts.mass, -1)))
    digit = np.isin(parts.labels, np.flatnonzero(_grow_group(parts, main, candidates)))
    if _touches_edge(_bounding_box(digit), height, width):
        # Often only threads join the digit to the edge: what is left of a line, a page edge.
        digit = _cut_threads(digit, parts.labels == main, pen)
        # What is left must still look drawn with this pen, not be a shadow's solid shape.
        if _touches_edge(_bounding_box(digit), height, width) or (
            stroke_width(digit) > 1.6 * max(pen, 2.0)
        ):
            raise DigitCutOff("the writing runs off the edge of the picture")
    cut_off = candidates & at_edge & (parts.mass > parts.mass[main])
    cut_off &= np.max(parts.boxes[:, 2:4] / [width, height], axis=1) < 0.6  # not a frame
    for label in np.flatnonzero(cut_off):
        if _is_straight_band(parts.labels == label):
            cut_off[label] = False  # the edge of a page, a screen or a table: not writing
    if cut_off.any():
        raise DigitCutOff("bigger writing runs off the edge of the picture")
    if max(_bounding_box(digit)[2:]) < MIN_DIGIT_SIDE * min(height, width):
        raise NoDigitFound("only specks, too small to be a digit")
    return digit


def _handwriting(digit: np.ndarray, gray: np.ndarray, marks: np.ndarray) -> Strokes:
    """The digit's strokes cropped, with inked-in loops filled; refused if not handwriting."""
    x0, y0, box_width, box_height = _bounding_box(digit)
    x1, y1 = x0 + box_width, y0 + box_height
    crop = digit[y0:y1, x0:x1]
    width_of_strokes = stroke_width(crop)  # the pen's: measured before inked loops are filled
    if _surface_unevenness(gray, marks, digit, width_of_strokes) > MAX_UNEVENNESS:
        raise NoDigitFound("the outline of a thing, not writing on a surface")
    if box_width > 2.2 * box_height:
        raise NoDigitFound("wider than any single digit")
    if _has_regular_loop(crop):
        raise NoDigitFound("the outline of a made thing (a rim, a frame), not handwriting")
    crop = _fill_inked_loops(crop, gray[y0:y1, x0:x1])
    fill = crop.sum() / crop.size
    thickest = 2 * cv2.distanceTransform(np.pad(crop, 1).astype(np.uint8), cv2.DIST_L2, 5).max()
    bar_like = box_height > 2.5 * box_width  # a 1 fills its narrow box
    blob_like = fill > MAX_FILL or stroke_width(crop) > MAX_STROKE * box_height
    if thickest > MAX_THICKNESS * max(box_height, box_width) or (blob_like and not bar_like):
        raise NoDigitFound("a solid shape, not pen strokes")
    return Strokes(crop, width_of_strokes, tapering(crop, width_of_strokes))
