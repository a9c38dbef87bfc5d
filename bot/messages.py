"""Everything the bot says, in one place."""

from typing import TYPE_CHECKING

from telegram import BotCommand

from model.policy import is_sure
from model.reading import Refusal

if TYPE_CHECKING:  # only for type hints: importing them would load TensorFlow
    from model.evaluate import Report
    from model.reading import Character, Reading

COMMANDS = [
    BotCommand("start", "What this bot does"),
    BotCommand("help", "How to take a photo it reads well"),
    BotCommand("privacy", "What happens to your photos"),
]
ADMIN_COMMANDS = [*COMMANDS, BotCommand("accuracy", "Test the model on MNIST (admins)")]

TIPS = (
    "For the best result:\n"
    "• digits written large with a dark pen or marker, on one line\n"
    "• plain paper, good light, no shadow across it\n"
    "• all the writing inside the frame, filling much of it"
)

WELCOME = (
    "Hi! I read handwritten digits.\n\n"
    "Send me a photo of a digit or a number on paper, a whiteboard or a screen, "
    "and I'll tell you what it says and how sure I am.\n\n"
    f"{TIPS}\n\n"
    "/help shows this again, /privacy says what I do with your photos."
)

HELP = (
    "Send a photo of a handwritten digit (0-9) or number. A picture sent as a file "
    "(PNG, JPEG, WebP, BMP, GIF or TIFF) works too.\n\n"
    f"{TIPS}"
)

PRIVACY = (
    "Your photo is read in memory to find the digits, then forgotten: "
    "it is never stored on disk, and nobody sees it. The \"What the model saw\" "
    "button downloads your photo from Telegram again and reads it anew; I keep nothing. "
    "To share myself fairly, I count how many messages each person sent in the last "
    "minute, in memory only."
)

DOWNLOAD_STALLED = "Telegram did not give me your picture in time. Please send it again."

NOT_ALLOWED = (
    "Sorry, this bot is private: its owner has not added you to the people who may use it."
)


def slow_down(seconds: int) -> str:
    """The one note a user gets when sending faster than the bot takes."""
    return (
        "You're sending faster than I can take, so I'm skipping your messages for now. "
        f"Try again in {seconds} s."
    )


def error_report(kind: str, detail: str) -> str:
    """What an admin is told when handling an update failed (the log has the traceback)."""
    return (
        f"Something went wrong while answering a user: {kind}: {detail[:300]}\n\n"
        "The traceback is in the bot's log. You will hear of this kind of error at most "
        "once an hour."
    )


UNSUPPORTED = (
    "I can only read photos of handwritten digits. Send me a photo of a digit or a number."
)
REFUSALS = {
    Refusal.NO_WRITING: f"I couldn't find any writing in this picture.\n\n{TIPS}",
    Refusal.NOT_DIGITS: (
        "I can see writing or marks here, but no digits I can read. I only read "
        f"handwritten digits.\n\n{TIPS}"
    ),
    Refusal.CUT_OFF: (
        "The writing runs off the edge of the photo, so part of it may be missing. "
        f"Leave some space around it.\n\n{TIPS}"
    ),
    Refusal.TOO_SMALL: (
        "The digits are too small for me to read. Come closer, so that they fill more "
        f"of the photo.\n\n{TIPS}"
    ),
    Refusal.UNCLEAR: f"I can't make out the digits clearly enough to say.\n\n{TIPS}",
}
NO_DIGIT = REFUSALS[Refusal.NO_WRITING]
UNREADABLE = "I couldn't open this file as an image. Please send a photo or a PNG/JPEG file."
TOO_LARGE = "This image is too large for me. Please send it as a photo (not as a file)."
NOT_ADMIN = "Sorry, /accuracy is only for the bot's admins."
EVALUATING = "Evaluating the model on the 10,000 MNIST test images… this takes a few seconds."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."


SAW_BUTTON = "🔍 What the model saw"
SAW_CAPTION = (
    "What I found in your photo: a box round each character, with what I read in it. "
    "Below, each character as the network saw it: cropped, scaled into 20x20 pixels and "
    "centred in 28x28, white on black, like the MNIST digits it learned from."
)
SAW_EXPIRED = "I can't find your photo any more. Send it again to see what I saw."


def reading(result: "Reading") -> str:
    """First line: the number (or digit) and how sure; then each digit, or a hedge."""
    digits = result.digits
    if len(digits) == 1:
        return _single_digit(digits[0])
    answer = f"{result.number} — {result.confidence:.0%} sure"
    each = " · ".join(f"{c.digit} {c.confidence:.0%}" for c in digits)
    if all(is_sure(c) for c in digits):
        return f"{answer}\n{each}"
    return f"{answer}\n{each}\n\nSome digits are hard to read. A clearer photo would help."


def _single_digit(digit: "Character") -> str:
    answer = f"{digit.digit} — {digit.confidence:.1%} sure"
    if is_sure(digit):
        return answer
    return (
        f"{answer}, or maybe {digit.runner_up} ({digit.runner_up_confidence:.1%})\n\n"
        f"I'm torn between {digit.digit} and {digit.runner_up}. A clearer photo would help."
        f"\n\n{TIPS}"
    )


def refusal(result: "Reading") -> str:
    """Why no number is given, in words the user can act on."""
    return REFUSALS[result.refusal]


def accuracy_report(report: "Report") -> str:
    return report.summary()


def evaluation_failed(reason: Exception) -> str:
    return f"I couldn't evaluate the model: {reason}"
