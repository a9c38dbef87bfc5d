"""Everything the bot says, in one place."""

from typing import TYPE_CHECKING

from telegram import BotCommand

if TYPE_CHECKING:  # only for type hints: importing them would load TensorFlow
    from model.evaluate import Report
    from model.recogniser import Reading

COMMANDS = [
    BotCommand("start", "What this bot does"),
    BotCommand("help", "How to take a photo it reads well"),
    BotCommand("privacy", "What happens to your photos"),
]
ADMIN_COMMANDS = [*COMMANDS, BotCommand("accuracy", "Test the model on MNIST (admins)")]

TIPS = (
    "For the best result:\n"
    "• one digit, written large with a dark pen or marker\n"
    "• plain paper, good light, no shadow across it\n"
    "• the whole digit inside the frame, filling much of it"
)

WELCOME = (
    "Hi! I read handwritten digits.\n\n"
    "Send me a photo of a digit from 0 to 9 on paper, a whiteboard or a screen, "
    "and I'll tell you which digit it is and how sure I am.\n\n"
    f"{TIPS}\n\n"
    "/help shows this again, /privacy says what I do with your photos."
)

HELP = (
    "Send a photo of one handwritten digit (0-9). A picture sent as a file "
    "(PNG, JPEG, WebP, BMP, GIF or TIFF) works too.\n\n"
    f"{TIPS}"
)

PRIVACY = (
    "Your photo is read in memory to find the digit, then forgotten: "
    "it is never stored on disk, and nobody sees it. Only the tiny 28x28 picture "
    "the model read is kept in memory, for the \"What the model saw\" button, "
    "until newer readings replace it or the bot restarts."
)

UNSUPPORTED = "I can only read photos of handwritten digits. Send me a photo of one digit (0-9)."
NO_DIGIT = f"I couldn't find a digit in this picture.\n\n{TIPS}"
CUT_OFF = (
    "The writing runs off the edge of the photo, so part of the digit may be missing.\n\n"
    f"{TIPS}"
)
UNCLEAR = f"I can't tell which digit this is.\n\n{TIPS}"
UNREADABLE = "I couldn't open this file as an image. Please send a photo or a PNG/JPEG file."
TOO_LARGE = "This image is too large for me. Please send it as a photo (not as a file)."
NOT_ADMIN = "Sorry, /accuracy is only for the bot's admins."
EVALUATING = "Evaluating the model on the 10,000 MNIST test images… this takes a few seconds."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."


SAW_BUTTON = "🔍 What the model saw"
SAW_CAPTION = (
    "This is what the model read: your digit cropped, scaled into 20x20 pixels and centred "
    "in 28x28, white on black, like the MNIST digits it learned from."
)
SAW_EXPIRED = "That picture is gone by now. Send the photo again to see it."


def reading(result: "Reading") -> str:
    """First line: the digit and how sure; when unsure, the runner-up and a tip."""
    answer = f"{result.digit} — {result.confidence:.1%} sure"
    if result.is_sure:
        return answer
    return (
        f"{answer}, or maybe {result.runner_up} ({result.runner_up_confidence:.1%})\n\n"
        f"I'm torn between {result.digit} and {result.runner_up}. A clearer photo would help."
        f"\n\n{TIPS}"
    )


def accuracy_report(report: "Report") -> str:
    return report.summary()


def evaluation_failed(reason: Exception) -> str:
    return f"I couldn't evaluate the model: {reason}"
