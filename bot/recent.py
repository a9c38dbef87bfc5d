"""The last digits the model read, kept in memory for the 'what the model saw' button."""

import secrets
from collections import OrderedDict

import numpy as np

CAPACITY = 500  # readings kept; older buttons say the picture is gone


class RecentDigits:
    """A bounded map from a short random key (fits in callback data) to a 28x28 digit."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._digits: OrderedDict[str, np.ndarray] = OrderedDict()

    def add(self, digit: np.ndarray) -> str:
        key = secrets.token_urlsafe(9)
        self._digits[key] = digit
        while len(self._digits) > self.capacity:
            self._digits.popitem(last=False)
        return key

    def get(self, key: str) -> np.ndarray | None:
        return self._digits.get(key)
