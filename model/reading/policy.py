"""Every decision between reading and refusing, in one place.

What counts as writing at all (a mark dark enough, big enough, not the photo's edge) is
decided by the constants in the first part, which `ink` and `layout` apply as they find
the marks. The network then says, for each character the layout found, how likely each
digit is and (digitnet) how likely it is not a digit at all; `decide` turns that into the
answer: which characters make the number, which are skipped, how sure it is, and when to
refuse. Each constant says where its value comes from.
"""

from math import prod

import numpy as np

from model.reading.calibration import soften
from model.reading.digits import DIGITS
from model.reading.result import Character, Reading, Refusal, Role, Shape

# --------------------------------------------------------------------------------------
# What counts as writing

# A narrower picture cannot show a digit: it is answered as holding no writing.
MIN_PHOTO_SIDE = 16
# Weakest ink worth reading, as a share of the paper's brightness (faint pencil is about
# 0.15); paper grain and JPEG noise stay below it. A photo with nothing darker is blank.
FAINTEST_INK = 0.12
# A mark must somewhere reach this share of the photo's boldest ink: one pen wrote a
# photo's digits, while show-through from the back of the page and stains are fainter.
FAINT_MARK = 0.6
# A mark whose edges are this much softer than the sharpest mark's (for its darkness) is a
# shadow, not ink: on real-train and rendered photos pens' marks measured 0.31-0.52 and
# shadows of hands and phones 0.04-0.08 (see ink._edge_sharpness).
SOFT_MARK = 1 / 3
# A mark shorter than this either way, in pixels of the picture the reader works on, is a
# speck of dirt or noise.
SPECK_PIXELS = 4
# A mark whose long side is under this share of the largest mark's (of those wholly
# inside the photo) is a dot or a speck, not a character.
DOT_SHARE = 0.25
# A mark touching a side of the photo along over this share of its own length there is
# the edge of a page, a table or a shadow: a character cut by the edge mostly crosses it
# with a stroke or two. (One cut along one of its strokes is taken for an edge too.)
ALONG_THE_EDGE = 0.5

# --------------------------------------------------------------------------------------
# Reading or refusing

# A digit at least this likely is named without hedging; below it, a single digit is
# named with its runner-up when the two together reach TWO_WAY. Both carried over
# unchanged from the single-digit bot (issue 2), not tuned on any photo set.
SURE = 0.80
TWO_WAY = 0.80
# Characters shorter than this, in the pixels of the picture the reader works on, cannot
# be read: MNIST's digits are 20 pixels tall, and below half that a stroke is a pixel.
MIN_DIGIT_PIXELS = 10
# A digit whose tail touches the photo's edge lies on it over about one stroke's width;
# one the edge cuts through lies on it over two strokes or more (both sides of a loop,
# or a stroke crossing at a slant).
CUT_STROKES = 1.5
# A number's digits are written at one size: marks under half the typical digit's height
# are dots, dashes and specks, and over twice it are not part of the writing (a desk's
# edge).
SAME_SIZE = 0.5


def big_enough(photo: np.ndarray) -> bool:
    """Whether a picture has pixels enough to show a digit at all."""
    return min(photo.shape) >= MIN_PHOTO_SIDE


def _is_digit(probabilities: np.ndarray) -> bool:
    """Whether some digit is likelier than "not a digit" (the 11th class, when there is one)."""
    return probabilities[:DIGITS].max() > probabilities[DIGITS:].max(initial=0.0)


def _roles(shapes: list[Shape], probabilities: np.ndarray) -> list[Role]:
    """Each shape's role before size is considered: digit, not a digit, or cut off."""
    roles = []
    for shape, p in zip(shapes, probabilities, strict=True):
        if not _is_digit(p):
            roles.append(Role.NOT_A_DIGIT)
        elif shape.edge_strokes > CUT_STROKES or (
            shape.touches_edge and p[:DIGITS].max() < SURE
        ):
            roles.append(Role.CUT_OFF)  # part of it is, or may be, beyond the edge
        elif shape.box.height < MIN_DIGIT_PIXELS:
            roles.append(Role.TOO_SMALL)
        else:
            roles.append(Role.DIGIT)
    return roles


def _typical_digit_height(shapes: list[Shape], roles: list[Role]) -> float:
    """The median height of the digits lying wholly inside the photo (else of all digits).

    What the photo's edge cuts through (a desk, a page's edge, a shadow) can be far
    larger than the writing, and must not set the size the digits are measured by.
    """
    digits = [s for s, r in zip(shapes, roles, strict=True) if r is Role.DIGIT]
    inside = [s for s in digits if not s.touches_edge] or digits
    return float(np.median([s.box.height for s in inside])) if inside else 0.0


def _refusal(roles: list[Role], shapes: list[Shape]) -> Refusal | None:
    digits = [s for s, r in zip(shapes, roles, strict=True) if r is Role.DIGIT]
    if not digits:
        for role, refusal in ((Role.CUT_OFF, Refusal.CUT_OFF), (Role.TOO_SMALL, Refusal.TOO_SMALL)):
            if role in roles:
                return refusal
        return Refusal.NOT_DIGITS if shapes else Refusal.NO_WRITING
    tallest = max(s.box.height for s in digits)

    def digit_sized(role: Role) -> list[Shape]:
        return [
            s for s, r in zip(shapes, roles, strict=True)
            if r is role and SAME_SIZE * tallest <= s.box.height <= tallest / SAME_SIZE
        ]

    # Writing that is mostly not digits (a word, Greek letters) is not a number with a
    # few letters skipped, even when one of its letters looks like a digit. Letters are
    # marks of the digits' size, wholly inside the photo (not a shadow or a desk).
    letters = [s for s in digit_sized(Role.NOT_A_DIGIT) if not s.touches_edge]
    if len(letters) >= len(digits):
        return Refusal.NOT_DIGITS
    # A digit of the number that runs off the photo: the number read would be short.
    if digit_sized(Role.CUT_OFF):
        return Refusal.CUT_OFF
    # A few marks as tall as the digits beside them are more likely digits the network
    # could not read than letters in a number: leaving them out would give a wrong number.
    # Dots, dashes and underlines are far shorter, and are skipped.
    return Refusal.UNCLEAR if letters else None


def _is_sure(probabilities: np.ndarray) -> bool:
    """Whether a digit is likely enough to name without hedging."""
    return float(probabilities[:DIGITS].max()) >= SURE


def _is_answered(probabilities: np.ndarray) -> bool:
    """Whether a digit, or a pair of digits, is likely enough to name."""
    first, second = np.sort(probabilities[:DIGITS])[::-1][:2]
    return _is_sure(probabilities) or float(first + second) >= TWO_WAY


def decide(
    photo: np.ndarray, shapes: list[Shape], images: np.ndarray, probabilities: np.ndarray,
    temperature: float = 1.0,
) -> Reading:
    """The reading of a photo from its shapes (in reading order) and the network's output.

    Every decision is taken on the network's own probabilities, for which the thresholds
    above were set; the confidence the reading states is softened by the network's
    calibrated `temperature`, so that it says how often such an answer is right.
    """
    roles = _roles(shapes, probabilities)
    typical = _typical_digit_height(shapes, roles)
    roles = [
        Role.STRAY if r is Role.DIGIT and not (
            SAME_SIZE * typical <= s.box.height <= typical / SAME_SIZE
        ) else r
        for s, r in zip(shapes, roles, strict=True)
    ]
    refusal = _refusal(roles, shapes)
    # A number is only as good as its least clear digit: one that neither it nor a
    # runner-up is likely enough to name makes the whole reading unclear.
    if refusal is None and not all(_is_answered(p) for p, r in zip(probabilities, roles,
                                                                    strict=True)
                                   if r is Role.DIGIT):
        refusal = Refusal.UNCLEAR
    stated = soften(probabilities, temperature)
    characters = tuple(
        Character(shape.box, image, said, role, _is_sure(p))
        for shape, image, p, said, role in zip(shapes, images, probabilities, stated, roles,
                                               strict=True)
    )
    digits = [c for c in characters if c.role is Role.DIGIT]
    if refusal is not None:
        return Reading(photo, characters, refusal, number="", confidence=0.0)
    # How likely the whole number is right: every digit's probability multiplied.
    return Reading(photo, characters, None, number="".join(str(c.digit) for c in digits),
                   confidence=prod(c.confidence for c in digits))
