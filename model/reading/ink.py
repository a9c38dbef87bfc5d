"""Which pixels of a photo are writing: lighting evened out, polarity found, lines removed.

Ink is measured as how much darker a pixel is than the surface around it (0..1), so
that light falling off across a page, or a broad shadow, changes little. Chalk on a
board or white on a screen is turned round first, so writing is always the dark side.
A ruled or squared page's lines are taken out; a pen stroke crossing them stays.
"""

import cv2
import numpy as np

from model.reading import policy

# The surface is the photo with every dark feature narrower than this share of its short
# side closed over: wider than any pen's stroke in a photo of a few digits (a fat marker
# digit filling a close crop has strokes of about a fifth of the side).
SURFACE_FEATURE = 0.3
THIN = 9  # pixels at half the working size: wider than a pen's stroke in most photos
THIN_CONTRAST = 20.0  # grey levels: thin features weaker than this are grain, not writing
THIN_MARGIN = 1.5  # one side's thin features must be this much stronger to decide
DARKEST_PAPER = 100.0  # grey level below which darkness is not measured relative to the page
WEAK_SHARE = 0.35  # stroke pixels: at least this share of the boldest ink (blurred edges in)

# Ruled and squared paper's lines, found by a Hough transform at half size (in whole
# degrees); lengths are shares of the photo's sides. The values were set on rendered
# ruled and squared pages when lines were first taken out (commits 2e3d73d, 651c324 for
# the faint and the edge lines, on development seeds, not the benchmark's), not tuned on
# real photos.
LINE_VOTES = 10  # a line has at least 1/10 of the long side's pixels on it,
LINE_LENGTH = 6  # runs over at least 1/6 of the short side,
LINE_GAP = 50  # with gaps (where a pen crossed it, or ink skipped) of up to 1/50 of it
LINE_AT_EDGE = 0.02  # a line ending this close to the photo's side runs off it
LINE_REACH = 0.02  # a line's thickness is measured this far across it
# A paper's line is thin for its length: at most this share of it wide, twice as much
# when it runs off the photo or is far fainter than the boldest writing (a rule seen
# close up), where a digit's straight stroke is never so thin.
THIN_LINE = 0.015
FAINT_LINE = 0.6  # of the boldest writing's darkness: fainter lines are the paper's
# A paper's lines come in families (ruled or squared paper has several parallel lines,
# evenly spaced), or run across the whole photo or off its edge (a margin line, a page's
# edge, a shadow's); a pen's long straight stroke (a 1, the stem of a 4 or 7, the base
# of a 2) is one line that ends in the page.
FAMILY = 3  # parallel lines, at distinct offsets, that make a family
PARALLEL_DEGREES = 3.0  # lines this close in angle are parallel
ACROSS = 0.9  # a line covering this share of the photo's extent along it runs across it
LINE_SPILL = 3  # pixels beyond a line's measured thickness taken out with it (its blur)
STRONG_INK = 0.28  # a pen's ink crossing a line is at least this dark,
PEN_OVER_LINE = 1.5  # and this many times as dark as the line's own ink


def _odd(value: float) -> int:
    return max(3, int(value) // 2 * 2 + 1)


def writing_is_dark(gray: np.ndarray) -> bool:
    """Whether the writing is darker than what it is written on (pen on paper, not chalk).

    Writing is thin strokes. Thin dark features stand out of paper when a closing fills
    them in (a black-hat), thin light ones out of a board when an opening takes them
    away (a top-hat): the side whose strongest thin features are clearly stronger is
    the writing's ("strongest": the top 0.5% of each, so writing must cover about 1 in
    200 of the photo's pixels to count). When neither side is (a fat marker filling a
    close crop, a tiny digit), the surface is what covers most of the photo, so its
    tone is the median's: paper unless the median is dark.
    """
    half = gray[::2, ::2]
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (THIN, THIN))
    [dark] = percentiles(cv2.morphologyEx(half, cv2.MORPH_BLACKHAT, kernel), [99.5])
    [light] = percentiles(cv2.morphologyEx(half, cv2.MORPH_TOPHAT, kernel), [99.5])
    if max(dark, light) >= THIN_CONTRAST and max(dark, light) >= THIN_MARGIN * min(dark, light):
        return dark > light
    darkest, median, brightest = percentiles(half, [1, 50, 99])
    return median >= (darkest + brightest) / 2 - 0.1 * (brightest - darkest)


def percentiles(gray: np.ndarray, q: list[float]) -> list[float]:
    """`np.percentile(gray, q)` of a uint8 image (its default, linear interpolation),
    counted from the image's histogram rather than sorted: a tenth of the time."""
    below_or_at = np.cumsum(np.bincount(gray.ravel(), minlength=256))
    position = np.asarray(q, np.float64) / 100 * (below_or_at[-1] - 1)
    lower = np.floor(position)
    upper = np.minimum(lower + 1, below_or_at[-1] - 1)
    # The k-th smallest value (from 0) is the first grey level with more than k at or below.
    a = np.searchsorted(below_or_at, lower, side="right").astype(np.float64)
    b = np.searchsorted(below_or_at, upper, side="right").astype(np.float64)
    t = position - lower
    # numpy's own interpolation, to the last bit: from the nearer of the two values.
    return np.where(t >= 0.5, b - (b - a) * (1 - t), a + (b - a) * t).tolist()


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
    margin = LINE_AT_EDGE * max(height, width)
    # Lines are found at half size, in whole degrees: a quarter of the pixels to vote.
    half = (cv2.resize(binary, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA) > 0)
    segments = cv2.HoughLinesP(
        half.astype(np.uint8), rho=1, theta=np.pi / 180,
        threshold=max(height, width) // LINE_VOTES,
        minLineLength=min(height, width) // LINE_LENGTH,
        maxLineGap=max(3, min(height, width) // LINE_GAP),
    )
    if segments is None:
        return mask
    segments = segments * 2
    papers = _paper_lines(segments.reshape(-1, 4).astype(float), height, width)
    lines = np.zeros_like(binary)
    # Per line, how dark ink must be to be a pen's rather than the line's own: a margin
    # line is often darker than the ruled lines, and still the paper's.
    pen_floor = np.zeros(ink.shape, np.float32)
    boldest = float(np.percentile(ink[mask], 99))
    for (x0, y0, x1, y1), paper in zip(segments.reshape(-1, 4).tolist(), papers, strict=True):
        # A line running off the picture's edge is the paper's (or a page's, a shadow's),
        # and so is one far fainter than the boldest writing (a rule seen close up).
        at_edge = min(x0, y0, x1, y1) <= margin or max(x0, x1) >= width - margin or max(
            y0, y1) >= height - margin
        if not (paper or at_edge):
            continue  # one straight line ending in the page: a pen's stroke
        start, end = np.array([x0, y0], float), np.array([x1, y1], float)
        length = float(np.hypot(*(end - start)))
        thickness = _along_line(binary, start, end, round(LINE_REACH * min(height, width)))
        own_ink = _along_line(ink, start, end, 0)
        faint = own_ink < FAINT_LINE * boldest
        if 0 < thickness <= (2 if at_edge or faint else 1) * THIN_LINE * length:
            footprint = round(thickness) + LINE_SPILL
            cv2.line(lines, (x0, y0), (x1, y1), 1, thickness=footprint)
            floor = max(STRONG_INK, PEN_OVER_LINE * own_ink)
            cv2.line(pen_floor, (x0, y0), (x1, y1), floor, thickness=footprint)
    pen = ink >= pen_floor
    return mask & ~(lines.astype(bool) & ~pen)


def _paper_lines(segments: np.ndarray, height: int, width: int) -> np.ndarray:
    """Which of the segments (x0, y0, x1, y1 rows) may be the paper's: those with at
    least FAMILY - 1 parallel lines at other offsets, and those whose line (all the
    pieces on it) runs across the photo."""
    dx, dy = segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1]
    angle = np.degrees(np.arctan2(dy, dx)) % 180
    normal = np.radians(angle + 90)
    middle_x = (segments[:, 0] + segments[:, 2]) / 2
    middle_y = (segments[:, 1] + segments[:, 3]) / 2
    offset = middle_x * np.cos(normal) + middle_y * np.sin(normal)
    turn = np.abs(angle[:, None] - angle[None, :])
    parallel = np.minimum(turn, 180 - turn) <= PARALLEL_DEGREES
    tolerance = LINE_REACH * min(height, width)
    same_line = parallel & (np.abs(offset[:, None] - offset[None, :]) <= tolerance)
    papers = np.zeros(len(segments), bool)
    along = np.stack([np.cos(np.radians(angle)), np.sin(np.radians(angle))], axis=1)
    for i in range(len(segments)):
        offsets = np.sort(offset[parallel[i]])
        distinct = 1 + int(np.sum(np.diff(offsets) > tolerance))
        # The extent of the photo along the line, and how much of it the line's pieces cover.
        ends = np.concatenate([segments[same_line[i], :2], segments[same_line[i], 2:]]) @ along[i]
        corners = np.array([[0, 0], [width, 0], [0, height], [width, height]]) @ along[i]
        covered = (ends.max() - ends.min()) / max(corners.max() - corners.min(), 1.0)
        papers[i] = distinct >= FAMILY or covered >= ACROSS
    return papers


def _surface(small: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The surface under the writing, from a reduced copy of the photo, at full size."""
    size = _odd(SURFACE_FEATURE * min(small.shape))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    surface = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    surface = cv2.GaussianBlur(surface, (0, 0), size / 4)
    return cv2.resize(surface, shape[::-1], interpolation=cv2.INTER_LINEAR)


def ink_map(gray: np.ndarray) -> np.ndarray:
    """How much darker each pixel is than the surface around it, 0..1, dark writing first.

    Light writing on a dark surface (chalk, a screen) is turned round before measuring.
    """
    if not writing_is_dark(gray):
        gray = 255 - gray
    # The surface varies smoothly: it is found on a copy about 128 pixels across.
    scale = min(1.0, 128.0 / min(gray.shape))
    small = cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    surface = np.maximum(_surface(small, gray.shape), gray).astype(np.float32)
    # Relative darkness copes with shadows; the floor keeps the noise of a near-black
    # picture from passing for ink.
    return (surface - gray) / np.maximum(surface, DARKEST_PAPER)


def find_ink(gray: np.ndarray) -> np.ndarray:
    """The writing in a grayscale photo: a mask of the marks worth reading.

    The mask is empty when nothing in the photo is darker than its surface by
    `policy.FAINTEST_INK`: a blank page, a plain wall.
    """
    ink = ink_map(gray)
    boldest = float(cv2.GaussianBlur(ink, (3, 3), 0).max())
    if boldest < policy.FAINTEST_INK:
        return np.zeros(ink.shape, bool)
    mask = ink >= max(policy.FAINTEST_INK / 2, WEAK_SHARE * boldest)
    mask = remove_ruled_lines(mask, ink)
    count, labels = cv2.connectedComponents(mask.astype(np.uint8), connectivity=8)
    strong = np.zeros(count, bool)
    strong[labels[mask & (ink >= max(policy.FAINTEST_INK, policy.FAINT_MARK * boldest))]] = True
    strong[0] = False
    sharpness = _edge_sharpness(ink, mask, labels, count)
    sharp = sharpness >= policy.SOFT_MARK * sharpness[strong].max(initial=0.0)
    return (strong & sharp)[labels]


def _edge_sharpness(ink: np.ndarray, mask: np.ndarray, labels: np.ndarray, count: int
                    ) -> np.ndarray:
    """Per mark, how steeply its darkness falls off at its outline, for its darkness.

    A pen's stroke ends within a pixel or two, however dark it is; a shadow fades over
    many. (A blurred photo blurs every mark alike, so marks are compared with each other.)
    """
    outline = mask & ~cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    slope = np.hypot(cv2.Sobel(ink, cv2.CV_32F, 1, 0, ksize=3)[outline],
                     cv2.Sobel(ink, cv2.CV_32F, 0, 1, ksize=3)[outline]) / 8  # per pixel
    edge = np.bincount(labels[outline], weights=slope, minlength=count)
    edge /= np.maximum(np.bincount(labels[outline], minlength=count), 1)
    darkness = np.bincount(labels[mask], weights=ink[mask], minlength=count)
    darkness /= np.maximum(np.bincount(labels[mask], minlength=count), 1)
    return edge / np.maximum(darkness, 1e-6)
