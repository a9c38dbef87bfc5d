"""The buttons under an answer, and the callback data each sends back.

Everything a button needs is in its callback data or in the messages it hangs under
(the answer replies to the user's photo), so a press works after a restart and on any
replica: nothing is kept in memory between an answer and a press.
"""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.i18n import Language

SAW = "saw"  # "What the model saw"
WRONG = "wrong:"  # "Wrong?": + ONE_DIGIT or NUMBER, what the answer was
ONE_DIGIT, NUMBER = "1", "n"  # a single digit (or a refusal), or a number of several
FIX = "fix:"  # the keypad: + a digit, NO_DIGIT, TYPE, or CANCEL + ":" + the answer's kind
NO_DIGIT, TYPE, CANCEL = "none", "type", "cancel"
FIXED = "fixed"  # the button that shows the correction made


def _button(language: Language, text: str, data: str, **fields: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(messages.say(language, text, **fields), callback_data=data)


def answer(language: Language, kind: str | None, corrected: str | None = None
           ) -> InlineKeyboardMarkup:
    """Under an answer: "What the model saw", and "Wrong?" (none when `kind` is None:
    FEEDBACK=off), or the correction once made."""
    row = [_button(language, messages.SAW_BUTTON, SAW)]
    if corrected is not None:
        row.append(_button(language, messages.CORRECTED_BUTTON, FIXED,
                           correction=messages.correction(language, corrected)))
    elif kind is not None:
        row.append(_button(language, messages.WRONG_BUTTON, WRONG + kind))
    return InlineKeyboardMarkup([row])


def keypad(language: Language, kind: str) -> InlineKeyboardMarkup:
    """What the photo shows: ten digits, "no digit", "I'll type a number", cancel. After a
    number, only "no digit" and cancel: the user types the number."""
    cancel = _button(language, messages.CANCEL_BUTTON, f"{FIX}{CANCEL}:{kind}")
    no_digit = _button(language, messages.NO_DIGIT_BUTTON, FIX + NO_DIGIT)
    if kind == NUMBER:
        return InlineKeyboardMarkup([[no_digit, cancel]])
    digits = [InlineKeyboardButton(str(d), callback_data=f"{FIX}{d}") for d in (*range(1, 10), 0)]
    return InlineKeyboardMarkup([
        digits[:5], digits[5:],
        [no_digit, _button(language, messages.TYPE_BUTTON, FIX + TYPE)],
        [cancel],
    ])
