"""What the reader found in a photo: each character, what the network made of it, the verdict."""

import enum
from dataclasses import dataclass
from math import prod

import numpy as np

from model.layout import Box


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
    """One character in the photo and what the network read in it."""

    box: Box  # in the pixels of `Reading.photo`
    image: np.ndarray  # the (28, 28) float picture the network read, white on black
    probabilities: np.ndarray  # per class: 0-9 and, with digitnet, "not a digit"
    role: Role

    @property
    def ranked(self) -> list[int]:
        """The digits 0-9, most likely first."""
        return [int(d) for d in np.argsort(self.probabilities[:10])[::-1]]

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

    @property
    def digits(self) -> tuple[Character, ...]:
        return tuple(c for c in self.characters if c.role is Role.DIGIT)

    @property
    def number(self) -> str:
        """The digits as one run, e.g. "2026"; empty when refused."""
        return "" if self.refusal else "".join(str(c.digit) for c in self.digits)

    @property
    def confidence(self) -> float:
        """How likely the whole number is right: every digit's probability multiplied."""
        return prod(c.confidence for c in self.digits) if self.number else 0.0
