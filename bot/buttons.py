"""The buttons under an answer, and the callback data each sends back.

Everything a button needs is in its callback data or in the messages it hangs under
(the answer replies to the user's photo), so a press works after a restart and on any
replica: nothing is kept in memory between an answer and a press. The correction buttons
carry the kind of answer and the number shown (`Fix`), so that a correction is only
kept for the answer the user saw.
"""

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.i18n import Language

SAW = "saw"  # "What I saw"
WRONG = "wrong:"  # "Wrong?": + Fix(WRONG_PRESSED, ...)
FIX = "fix:"  # the keypad: + Fix(a digit, NO_DIGIT, TYPE or CANCEL, ...)
FIXED = "fixed"  # the button that shows the correction made
ONE_DIGIT, NUMBER = "1", "n"  # a single digit (or a refusal), or a number of several
NO_DIGIT, TYPE, CANCEL, WRONG_PRESSED = "none", "type", "cancel", "wrong"
MAX_SHOWN = 40  # digits: Telegram's callback data holds 64 bytes


@dataclass(frozen=True)
class Fix:
    """What a correction button says: the choice, the kind of answer, the number shown
    ('' for a refusal)."""

    choice: str
    kind: str
    shown: str

    def data(self, prefix: str) -> str:
        return f"{prefix}{self.choice}:{self.kind}:{self.shown}"

    @classmethod
    def parse(cls, data: str) -> "Fix | None":
        """The button's `Fix`, or None for data no version of this bot wrote."""
        parts = data.partition(":")[2].split(":")
        if len(parts) != 3 or parts[1] not in (ONE_DIGIT, NUMBER) or not (
                parts[2] == "" or parts[2].isdigit()):
            return None
        return cls(*parts)


def _button(language: Language, text: str, data: str, **fields: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(messages.say(language, text, **fields), callback_data=data)


def answer(language: Language, kind: str | None, shown: str, corrected: str | None = None
           ) -> InlineKeyboardMarkup:
    """Under an answer: "What I saw", and "Wrong?" (none when `kind` is None:
    FEEDBACK=off), or the correction once made."""
    row = [_button(language, messages.SAW_BUTTON, SAW)]
    if corrected is not None:
        row.append(_button(language, messages.CORRECTED_BUTTON, FIXED,
                           correction=messages.correction(language, corrected)))
    elif kind is not None and len(shown) <= MAX_SHOWN:
        row.append(_button(language, messages.WRONG_BUTTON,
                           Fix(WRONG_PRESSED, kind, shown).data(WRONG)))
    return InlineKeyboardMarkup([row])


def keypad(language: Language, kind: str, shown: str) -> InlineKeyboardMarkup:
    """What the photo shows: ten digits, "no digit", "several digits", cancel. After a
    number, only "no digit" and cancel: the user types the number."""
    def fix(choice: str) -> str:
        return Fix(choice, kind, shown).data(FIX)

    cancel = _button(language, messages.CANCEL_BUTTON, fix(CANCEL))
    no_digit = _button(language, messages.NO_DIGIT_BUTTON, fix(NO_DIGIT))
    if kind == NUMBER:
        return InlineKeyboardMarkup([[no_digit, cancel]])
    digits = [InlineKeyboardButton(str(d), callback_data=fix(str(d))) for d in (*range(1, 10), 0)]
    return InlineKeyboardMarkup([
        digits[:5], digits[5:],
        [no_digit, _button(language, messages.TYPE_BUTTON, fix(TYPE))],
        [cancel],
    ])
