"""Every decision between reading and refusing, in one place.

The network says, for each character the layout found, how likely each digit is and
(digitnet) how likely it is not a digit at all. This module turns that into the
answer: which characters make the number, which are skipped, and when to refuse.
Each constant says where its value comes from.
"""

import numpy as np

from model.layout import SAME_SIZE, Shape
from model.reading import Character, Reading, Refusal, Role

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


def _is_digit(probabilities: np.ndarray) -> bool:
    """Whether some digit is likelier than "not a digit" (the 11th class, when there is one)."""
    return probabilities[:10].max() > probabilities[10:].max(initial=0.0)


def _roles(shapes: list[Shape], probabilities: np.ndarray) -> list[Role]:
    """Each shape's role before size is considered: digit, not a digit, or cut off."""
    roles = []
    for shape, p in zip(shapes, probabilities, strict=True):
        if not _is_digit(p):
            roles.append(Role.NOT_A_DIGIT)
        elif shape.edge_strokes > CUT_STROKES or (shape.touches_edge and p[:10].max() < SURE):
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


def decide(
    photo: np.ndarray, shapes: list[Shape], images: np.ndarray, probabilities: np.ndarray
) -> Reading:
    """The reading of a photo from its shapes (in reading order) and the network's output."""
    roles = _roles(shapes, probabilities)
    typical = _typical_digit_height(shapes, roles)
    roles = [
        Role.STRAY if r is Role.DIGIT and not (
            SAME_SIZE * typical <= s.box.height <= typical / SAME_SIZE
        ) else r
        for s, r in zip(shapes, roles, strict=True)
    ]
    refusal = _refusal(roles, shapes)
    characters = tuple(
        Character(shape.box, image, p, role)
        for shape, image, p, role in zip(shapes, images, probabilities, roles, strict=True)
    )
    # A number is only as good as its least clear digit: one that neither it nor a
    # runner-up is likely enough to name makes the whole reading unclear.
    if refusal is None and not all(is_answered(c) for c in characters if c.role is Role.DIGIT):
        refusal = Refusal.UNCLEAR
    return Reading(photo, characters, refusal)


def is_sure(character: Character) -> bool:
    """Whether a digit is named without hedging."""
    return character.confidence >= SURE


def is_answered(character: Character) -> bool:
    """Whether a digit, or a pair of digits, is likely enough to name."""
    return is_sure(character) or (
        character.confidence + character.runner_up_confidence >= TWO_WAY
    )
