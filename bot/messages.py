"""Everything the bot says, in one place."""

from telegram import BotCommand

from model.evaluate import Report
from model.recogniser import Reading

UNSURE_BELOW = 0.80  # below this confidence the reply names the runner-up too

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
    "• fill most of the frame with the digit"
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
    "it is never stored on disk, and nobody sees it."
)

UNSUPPORTED = "I can only read photos of handwritten digits. Send me a photo of one digit (0-9)."
NO_DIGIT = f"I couldn't find a digit in this picture.\n\n{TIPS}"
UNREADABLE = "I couldn't open this file as an image. Please send a photo or a PNG/JPEG file."
TOO_LARGE = "This image is too large for me. Please send it as a photo (not as a file)."
NOT_ADMIN = "Sorry, /accuracy is only for the bot's admins."
EVALUATING = "Evaluating the model on the 10,000 MNIST test images… this takes a few seconds."
SOMETHING_WENT_WRONG = "Sorry, something went wrong on my side. Please try again in a moment."


def reading(result: Reading) -> str:
    """First line: the digit and how sure; below it, the runner-up when unsure."""
    answer = f"{result.digit} — {result.confidence:.1%} sure"
    if result.confidence >= UNSURE_BELOW:
        return answer
    return (
        f"{answer}\n\nI'm not certain: it could also be a {result.runner_up}"
        f" ({result.runner_up_confidence:.1%}).\n\n{TIPS}"
    )


def accuracy_report(report: Report) -> str:
    return report.summary()


def evaluation_failed(reason: Exception) -> str:
    return f"I couldn't evaluate the model: {reason}"
