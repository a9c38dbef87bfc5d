"""Everything the bot says, in one place, in English: the source language of the
translations in `bot/locales/` (see `bot/i18n.py`).

A text is marked with `N_` so that Babel extracts it, and said in a user's language with
`say(language, TEXT, **fields)`. `{tips}` in a text stands for TIPS.
"""

from typing import TYPE_CHECKING

from telegram import BotCommand

from bot.i18n import Language
from model.reading.result import Refusal

if TYPE_CHECKING:  # only for type hints
    from model.reading.evaluate import Report
    from model.reading.result import Character, Reading


def N_(text: str) -> str:  # gettext's name for "translate later"
    """Mark `text` for translation; it is translated where it is said."""
    return text


def say(language: Language, text: str, **fields: object) -> str:
    """`text` in `language`, its {fields} filled in."""
    return language._(text).format(tips=language._(TIPS), **fields)


COMMANDS = [
    ("start", N_("What this bot does")),
    ("help", N_("How to take a photo it reads well")),
    ("language", N_("Choose the language I answer in")),
    ("privacy", N_("What happens to your photos")),
]
ADMIN_COMMANDS = [*COMMANDS, ("accuracy", N_("Test the model on MNIST (admins)"))]


def commands(language: Language, admin: bool = False) -> list[BotCommand]:
    """The command menu, in `language`."""
    return [BotCommand(name, language._(text))
            for name, text in (ADMIN_COMMANDS if admin else COMMANDS)]


TIPS = N_(
    "For the best result:\n"
    "• digits written large with a dark pen or marker, on one line\n"
    "• plain paper, good light, no shadow across it\n"
    "• all the writing inside the frame, filling much of it"
)

WELCOME = N_(
    "Hi! I read handwritten digits.\n\n"
    "Send me a photo of a digit or a number on paper, a whiteboard or a screen, "
    "and I'll tell you what it says and how sure I am.\n\n"
    "{tips}\n\n"
    "/help shows this again, /language changes the language I answer in, /privacy says "
    "what I do with your photos."
)

HELP = N_(
    "Send a photo of a handwritten digit (0-9) or number. A picture sent as a file "
    "(PNG, JPEG, WebP, BMP, GIF or TIFF) works too.\n\n"
    "{tips}"
)

PRIVACY = N_(
    "Your photo is read in memory to find the digits, then forgotten: "
    "it is never stored on disk, and nobody sees it. The \"What the model saw\" "
    "button downloads your photo from Telegram again and reads it anew. "
    "The only thing I keep about you is the language you chose with /language, if you "
    "chose one (/language auto forgets it). To share myself fairly, I count how many "
    "messages each person sent in the last minute, in memory only."
)

DOWNLOAD_STALLED = N_("Telegram did not give me your picture in time. Please send it again.")

NOT_ALLOWED = N_(
    "Sorry, this bot is private: its owner has not added you to the people who may use it."
)

SLOW_DOWN = N_(
    "You're sending faster than I can take, so I'm skipping your messages for now. "
    "Try again in {seconds} s."
)

# To the admins, whose language the bot may not know: always English.
ERROR_REPORT = (
    "Something went wrong while answering a user: {kind}: {detail}\n\n"
    "The traceback is in the bot's log. You will hear of this kind of error at most "
    "once an hour."
)

UNSUPPORTED = N_(
    "I can only read photos of handwritten digits. Send me a photo of a digit or a number."
)
REFUSALS = {
    Refusal.NO_WRITING: N_("I couldn't find any writing in this picture.\n\n{tips}"),
    Refusal.NOT_DIGITS: N_(
        "I can see writing or marks here, but no digits I can read. I only read "
        "handwritten digits.\n\n{tips}"
    ),
    Refusal.CUT_OFF: N_(
        "The writing runs off the edge of the photo, so part of it may be missing. "
        "Leave some space around it.\n\n{tips}"
    ),
    Refusal.TOO_SMALL: N_(
        "The digits are too small for me to read. Come closer, so that they fill more "
        "of the photo.\n\n{tips}"
    ),
    Refusal.UNCLEAR: N_("I can't make out the digits clearly enough to say.\n\n{tips}"),
}
UNREADABLE = N_("I couldn't open this file as an image. Please send a photo or a PNG/JPEG file.")
TOO_LARGE = N_("This image is too large for me. Please send it as a photo (not as a file).")
NOT_ADMIN = N_("Sorry, /accuracy is only for the bot's admins.")
EVALUATING = N_("Evaluating the model on the 10,000 MNIST test images… this takes a few seconds.")
SOMETHING_WENT_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")
EVALUATION_FAILED = N_("I couldn't evaluate the model: {reason}")

SAW_BUTTON = N_("🔍 What the model saw")
SAW_CAPTION = N_(
    "What I found in your photo: a box round each character, with what I read in it. "
    "Below, each character as the network saw it: cropped, scaled into 20x20 pixels and "
    "centred in 28x28, white on black, like the MNIST digits it learned from."
)
SAW_EXPIRED = N_("I can't find your photo any more. Send it again to see what I saw.")

CHOOSE_LANGUAGE = N_(
    "Which language shall I answer in? \"Automatic\" follows your Telegram app's language."
)
AUTOMATIC = N_("Automatic")
LANGUAGE_CHOSEN = N_("From now on I answer in English.")  # translators: your language's name
LANGUAGE_AUTOMATIC = N_("From now on I answer in your Telegram app's language.")

# A reading. The first line is always the number (or digit), then the confidence, so
# that a client can parse it.
SURE = N_("{number} — {confidence} sure")
OR_MAYBE = N_("{answer}, or maybe {runner_up} ({confidence})")
TORN = N_("I'm torn between {digit} and {runner_up}. A clearer photo would help.")
SOME_HARD = N_("Some digits are hard to read. A clearer photo would help.")

ACCURACY = N_("Accuracy on the MNIST test set: {accuracy} ({right} of {images} images)")
PER_DIGIT = N_("Per digit:")
TOOK = N_("Took {seconds} s")


def reading(language: Language, result: "Reading") -> str:
    """First line: the number (or digit) and how sure; then each digit, or a hedge."""
    digits = result.digits
    if len(digits) == 1:
        return _single_digit(language, digits[0])
    answer = say(language, SURE, number=result.number,
                 confidence=language.percent(result.confidence))
    each = " · ".join(f"{c.digit} {language.percent(c.confidence)}" for c in digits)
    if all(c.sure for c in digits):
        return f"{answer}\n{each}"
    return f"{answer}\n{each}\n\n{say(language, SOME_HARD)}"


def _single_digit(language: Language, digit: "Character") -> str:
    answer = say(language, SURE, number=digit.digit,
                 confidence=language.percent(digit.confidence, 1))
    if digit.sure:
        return answer
    hedged = say(language, OR_MAYBE, answer=answer, runner_up=digit.runner_up,
                 confidence=language.percent(digit.runner_up_confidence, 1))
    torn = say(language, TORN, digit=digit.digit, runner_up=digit.runner_up)
    return f"{hedged}\n\n{torn}\n\n{language._(TIPS)}"


def refusal(language: Language, result: "Reading") -> str:
    """Why no number is given, in words the user can act on."""
    return say(language, REFUSALS[result.refusal])


def accuracy_report(language: Language, report: "Report") -> str:
    """Overall, per digit, how many images and how long."""
    per_digit = "\n".join(f"  {digit}: {language.percent(accuracy, 2)}"
                          for digit, accuracy in enumerate(report.per_digit))
    overall = say(language, ACCURACY, accuracy=language.percent(report.accuracy, 2),
                  right=language.number(report.right), images=language.number(report.images))
    took = say(language, TOOK, seconds=language.number(report.seconds, 1))
    return f"{overall}\n{language._(PER_DIGIT)}\n{per_digit}\n{took}"


def error_report(kind: str, detail: str) -> str:
    """What an admin is told when handling an update failed (the log has the traceback)."""
    return ERROR_REPORT.format(kind=kind, detail=detail[:300])
