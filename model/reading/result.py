"""What the reader found in a photo: where each character is, what the network made of
it, and the verdict. The layout makes `Shape`s; the policy makes the `Reading`."""

import enum
from dataclasses import dataclass

import numpy as np

from model.reading.digits import DIGITS


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels of the image it was found in."""

    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def scaled(self, factor: float) -> "Box":
        return Box(*(round(value * factor) for value in (self.x, self.y, self.width, self.height)))


@dataclass(frozen=True)
class Shape:
    """One character's marks (whatever it turns out to be), cropped to its box."""

    box: Box
    mask: np.ndarray  # bool, (box.height, box.width), True on its strokes
    edge_strokes: float  # how many pen strokes' widths of its ink lie on the photo's
    # border: 0 inside the photo, about 1 for a tail that touches it, more when cut off

    @property
    def touches_edge(self) -> bool:
        return self.edge_strokes > 0


class Role(enum.Enum):
    """What a character found in the photo counts as in the answer."""

    DIGIT = "digit"  # part of the number read
    NOT_A_DIGIT = "not a digit"  # a letter, a mark, a blot: skipped
    CUT_OFF = "cut off"  # runs off the photo's edge and is not clearly a digit: skipped
    STRAY = "stray"  # far smaller or larger than the digits beside it: skipped
    TOO_SMALL = "too small"  # fewer pixels tall than any digit can be read in: skipped


class Refusal(enum.Enum):
    """Why no number is given; each has its own reply, worded so the user can act on it."""

    NO_WRITING = "nothing written"
    NOT_DIGITS = "writing, but not digits"
    CUT_OFF = "the writing runs off the photo's edge"
    TOO_SMALL = "the digits are too small or too far away"
    UNCLEAR = "the network cannot tell which digit"


@dataclass(frozen=True)
class Character:
    """One character in the photo, what the network read in it, and what the policy made
    of it."""

    box: Box  # in the pixels of `Reading.photo`
    image: np.ndarray  # the (28, 28) float picture the network read, white on black
    probabilities: np.ndarray  # per class: 0-9 and, with digitnet, "not a digit"
    role: Role
    sure: bool  # named without hedging (else the answer names a runner-up too)

    @property
    def ranked(self) -> list[int]:
        """The digits 0-9, most likely first."""
        return [int(d) for d in np.argsort(self.probabilities[:DIGITS])[::-1]]

    @property
    def digit(self) -> int:
        return self.ranked[0]

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.digit])

    @property
    def runner_up(self) -> int:
        return self.ranked[1]

    @property
    def runner_up_confidence(self) -> float:
        return float(self.probabilities[self.runner_up])


@dataclass(frozen=True)
class Reading:
    """Everything read in one photo, in reading order: lines top to bottom, left to right."""

    photo: np.ndarray  # the grayscale picture the reader worked on (uint8)
    characters: tuple[Character, ...]
    refusal: Refusal | None  # None when a number (or digit) is given
    number: str  # the digits as one run, e.g. "2026"; empty when refused
    confidence: float  # how likely the whole number is right; 0 when refused

    @property
    def digits(self) -> tuple[Character, ...]:
        return tuple(c for c in self.characters if c.role is Role.DIGIT)
