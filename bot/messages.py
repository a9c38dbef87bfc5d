"""Everything the bot says, in one place, in English: the source language of the
translations in `bot/locales/` (see `bot/i18n.py`).

A text is marked with `N_` so that Babel extracts it, and said in a user's language with
`say(language, TEXT, **fields)`. A text that counts something ("3 seconds") is a pair
marked with `Nn_`, said with the count as `n`: gettext picks the form the language uses
for it (Russian and Ukrainian have three). `{tips}` in a text stands for TIPS. A comment
starting `TRANSLATORS:` right above a text reaches the translators (`bot/locales/bot.pot`).
"""

from typing import TYPE_CHECKING

from telegram import BotCommand

from bot import usage
from bot.i18n import Language
from model.feedback.corrections import NO_DIGIT
from model.reading.errors import ImageTooLarge, UnreadableImage
from model.reading.result import Refusal

if TYPE_CHECKING:  # only for type hints
    from model.reading.evaluate import Report
    from model.reading.result import Character, Reading


def N_(text: str) -> str:  # gettext's name for "translate later"
    """Mark `text` for translation; it is translated where it is said."""
    return text


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # ngettext's "translate later"
    """Mark a text with a count `{n}` in it for translation, in its two English forms."""
    return singular, plural


def say(language: Language, text: str | tuple[str, str], **fields: object) -> str:
    """`text` in `language`, its {fields} filled in; for a counted text, in the form
    for the count `n`, written the language's way."""
    if isinstance(text, tuple):
        count = fields["n"]
        assert isinstance(count, int)
        template = language.ngettext(*text, count)
        fields["n"] = language.number(count)
    else:
        template = language._(text)
    return template.format(tips=language._(TIPS), **fields)


COMMANDS = [
    # TRANSLATORS: the command menu; as everywhere, the bot speaks of itself as "I".
    ("start", N_("What I do")),
    ("help", N_("How to take a photo I read well")),
    ("language", N_("Choose the language I answer in")),
    ("privacy", N_("What I do with your photos")),
    ("forget", N_("Delete everything I keep about you")),
]
ADMIN_COMMANDS = [*COMMANDS, ("accuracy", N_("My accuracy on the MNIST test set (admins)")),
                  ("stats", N_("How I have been doing (admins)"))]


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
    "/help: how to take a photo I read well\n"
    "/language: the language I answer in\n"
    "/privacy: what I do with your photos"
)

HELP = N_(
    "Send me a photo of a handwritten digit (0–9) or a number. An image sent as a file "
    "(PNG, JPEG, WebP, BMP, GIF or TIFF) works too.\n\n"
    "{tips}\n\n"
    "Under each answer, “🔍 What I saw” shows what I read where, and “✏️ Wrong?” lets "
    "you correct me."
)

PRIVACY = N_(
    "Your photo is read in memory to find the digits, then forgotten: it is never "
    "stored, and nobody sees it. “What I saw” downloads it from Telegram again.\n\n"
    "If you correct an answer (“Wrong?”), I keep the small 28×28 pictures of the "
    "characters I found in your photo, my answer and how sure I was, your correction and "
    "when, and which version of me answered, under codes made from your user id and the "
    "answer's message: not the photo, your name or the chat. While I wait for a number "
    "you type, I also keep Telegram's reference to the photo, for at most 5 minutes. "
    "Corrections teach the next version of me and are kept until you send /forget; a "
    "version already trained on them keeps what it learned.\n\n"
    "I also keep the language you chose with /language, until /language auto or /forget; "
    "each message until I have answered it, so that none is lost if I restart; and, "
    "for 30 days, how many photos I read and how long they took, with no one's id.\n\n"
    "/forget deletes everything I keep about you."
)

DOWNLOAD_STALLED = N_("Telegram did not give me your picture in time. Please send it again.")

NOT_ALLOWED = N_(
    "Sorry, I'm a private bot: my owner has not added you to the people who may use me."
)

# (It may answer a photo, whose answer's first line holds a digit only if one was read.)
SLOW_DOWN = Nn_(
    "You're sending faster than I can keep up with, so I'm skipping your messages for "
    "now.\nTry again in {n} second.",
    "You're sending faster than I can keep up with, so I'm skipping your messages for "
    "now.\nTry again in {n} seconds.",
)

# To the admins, whose language the bot may not know: always English.
ERROR_REPORT = (
    "Something went wrong while answering a user: {kind}: {detail}\n\n"
    "The traceback is in the bot's log. You will hear of this kind of error at most "
    "once an hour."
)

UNSUPPORTED = N_(
    "I only read photos of handwritten digits. Send me a photo of a digit or a number."
)
# Why there is no number, and what to do: one or two short sentences (tips are on /help).
REFUSALS = {
    Refusal.NO_WRITING: N_(
        "I couldn't find any writing in this photo. Write the digits large and dark, and "
        "see /help for tips."
    ),
    Refusal.NOT_DIGITS: N_(
        "I can see writing here, but no digits. I only read handwritten digits."
    ),
    Refusal.CUT_OFF: N_(
        "The writing runs off the edge of the photo. Take it again with some space around it."
    ),
    Refusal.TOO_SMALL: N_(
        "The digits are too small for me. Come closer, so that they fill more of the photo."
    ),
    Refusal.UNCLEAR: N_(
        "I can't make out the digits well enough. Try a sharper photo in good light; /help "
        "has tips."
    ),
}
UNREADABLE = N_(
    "I couldn't open this file as an image. Send a photo, or an image file: PNG, JPEG, "
    "WebP, BMP, GIF or TIFF."
)
TOO_LARGE = N_("This image is too large for me. Send it as a photo instead of as a file.")
NOT_ADMIN = N_("Sorry, {command} is only for my admins.")
EVALUATING = Nn_("Testing myself on the {n} MNIST test image… this takes a few seconds.",
                 "Testing myself on the {n} MNIST test images… this takes a few seconds.")
SOMETHING_WENT_WRONG = N_("Sorry, something went wrong on my side. Please try again in a moment.")
EVALUATION_FAILED = N_("I couldn't evaluate the model: {reason}")

SAW_BUTTON = N_("🔍 What I saw")
SAW_CAPTION = N_(
    "What I found in your photo: a box around each character, with what I read in it. "
    "Below, each character the way I look at it: cut out, scaled, centred, white on black."
)
SAW_EXPIRED = N_("I can't find your photo any more. Send it again to see what I saw.")

# Corrections ("Wrong?" under an answer)
WRONG_BUTTON = N_("✏️ Wrong?")
NO_DIGIT_BUTTON = N_("🚫 No digit")
TYPE_BUTTON = N_("⌨️ Several digits")
CANCEL_BUTTON = N_("✖ Cancel")
CORRECTED_BUTTON = N_("✏️ You said: {correction}")
NO_DIGIT_SAID = N_("no digit")
TYPE_THE_NUMBER = N_("Type the number in the photo, digits only. Anything else cancels.")
THANKS = N_("Thank you! Noted: {correction}.")
NOT_CORRECTED = N_("That is not a number, so I left the answer as it was.")
NOT_YOUR_PHOTO = N_("Only the person who sent the photo can correct its answer.")
PHOTO_GONE = N_("I can't find your photo any more, so I can't take a correction for it.")
CORRECTION_FAILED = N_(
    "I couldn't read your photo again, so nothing was noted. Please try again later."
)
READ_DIFFERENTLY = N_(
    "I have been updated and now read this photo differently. Send it again, and "
    "correct the new answer if it is wrong."
)
ALREADY_CORRECTED = N_("This answer has been corrected already. Thank you!")
TOO_MANY_CORRECTIONS = N_("Thank you for all your corrections! That is enough for today.")
CORRECTION_KEPT = N_(
    "You corrected this answer. Thank you: it helps train a better version of me."
)
FORGOTTEN_ALL = N_("Done: I deleted everything I kept about you.")  # (no corrections)
FORGOTTEN = Nn_(
    "Done: I deleted everything I kept about you: {n} correction, and your language "
    "choice if you made one.",
    "Done: I deleted everything I kept about you: {n} corrections, and your language "
    "choice if you made one.",
)

CHOOSE_LANGUAGE = N_(
    "Which language shall I answer in? “Automatic” follows your Telegram app's language."
)
AUTOMATIC = N_("Automatic")
# TRANSLATORS: name your own language here.
LANGUAGE_CHOSEN = N_("From now on I answer in English.")
LANGUAGE_AUTOMATIC = N_("From now on I answer in your Telegram app's language.")

# A reading. The first line is always the number (or digit), then the confidence, so
# that a client can parse it.
# TRANSLATORS: keep {number} first and the dash after it: clients read the number there.
SURE = N_("{number} — {confidence} sure")
# TRANSLATORS: {answer} is the line above ("4 — 61% sure"); {runner_up} another digit.
OR_MAYBE = N_("{answer}, or maybe {runner_up} ({confidence})")
CLEARER = N_("A clearer photo would help.")
SOME_HARD = N_("Some digits are hard to read: a clearer photo would help.")

STATS_PHOTOS = N_("Photos answered: {day} in the last 24 hours, {week} in the last 7 days")
STATS_REFUSED = N_("Refused (7 days): {share}")
STATS_CORRECTIONS = N_(
    "Corrected by users: {day} in 24 hours, {week} in 7 days ({share} of answers)"
)
STATS_CONFUSIONS = N_("Most frequent corrections (7 days):")
# TRANSLATORS: {shows} is what a user said the photo shows, {said} what the bot answered
# (a number, or a reason such as "no writing"); {count} how many times.
CONFUSION = N_("{shows} read as {said}: {count}")
STATS_LATENCY = N_("Median time to answer (7 days): {milliseconds} ms")
STATS_NO_FEEDBACK = N_("Corrections are off (FEEDBACK=off).")
REASONS = {  # why a photo got no number, as /stats lists it (bot/usage.py)
    Refusal.NO_WRITING.name: N_("no writing"),
    Refusal.NOT_DIGITS.name: N_("not digits"),
    Refusal.CUT_OFF.name: N_("cut off"),
    Refusal.TOO_SMALL.name: N_("too small"),
    Refusal.UNCLEAR.name: N_("unclear"),
    UnreadableImage.__name__: N_("not an image"),
    ImageTooLarge.__name__: N_("too large a file"),
    usage.DOWNLOAD_STALLED: N_("download stalled"),
}

ACCURACY = Nn_("Accuracy on the MNIST test set: {accuracy} ({right} of {n} image)",
               "Accuracy on the MNIST test set: {accuracy} ({right} of {n} images)")
PER_DIGIT = N_("Per digit:")
TOOK = Nn_("That took {n} second.", "That took {n} seconds.")


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
    return f"{hedged}\n\n{language._(CLEARER)}"


def refusal(language: Language, result: "Reading") -> str:
    """Why no number is given, in words the user can act on."""
    return say(language, REFUSALS[result.refusal])


def accuracy_report(language: Language, report: "Report") -> str:
    """Overall, per digit, how many images and how long."""
    per_digit = "\n".join(f"  {digit}: {language.percent(accuracy, 2)}"
                          for digit, accuracy in enumerate(report.per_digit))
    overall = say(language, ACCURACY, accuracy=language.percent(report.accuracy, 2),
                  right=language.number(report.right), n=report.images)
    took = say(language, TOOK, n=max(1, round(report.seconds)))
    return f"{overall}\n{language._(PER_DIGIT)}\n{per_digit}\n{took}"


def correction(language: Language, corrected: str) -> str:
    """What a user said the photo shows: its digits, or "no digit"."""
    return language._(NO_DIGIT_SAID) if corrected == NO_DIGIT else corrected


def _said(language: Language, said: str) -> str:
    """A number read, or why none was."""
    return language._(REASONS[said]) if said in REASONS else said


def usage_report(language: Language, report: usage.Usage) -> str:
    """/stats: photos, refusals by reason, corrections, confusions, time to answer."""
    number, week = language.number, report.week
    lines = [say(language, STATS_PHOTOS, day=number(report.day.photos), week=number(week.photos))]
    if week.photos:
        reasons = ", ".join(f"{_said(language, name)} {number(count)}"
                            for name, count in week.refusals.most_common())
        refused = language.percent(week.refused / week.photos)
        lines.append(say(language, STATS_REFUSED, share=refused)
                     + (f" ({reasons})" if reasons else ""))
    if not report.feedback:
        lines.append(language._(STATS_NO_FEEDBACK))
    else:
        share = language.percent(report.error_rate or 0.0, 1)
        lines.append(say(language, STATS_CORRECTIONS, day=number(report.corrections_day),
                         week=number(report.corrections_week), share=share))
        if report.confusions:
            lines.append(language._(STATS_CONFUSIONS))
            lines += ["  " + say(language, CONFUSION, shows=correction(language, shows),
                                 said=_said(language, said), count=number(count))
                      for shows, said, count in report.confusions]
    if week.median_seconds is not None:
        lines.append(say(language, STATS_LATENCY,
                         milliseconds=number(1000 * week.median_seconds)))
    return "\n".join(lines)


def error_report(kind: str, detail: str) -> str:
    """What an admin is told when handling an update failed (the log has the traceback)."""
    return ERROR_REPORT.format(kind=kind, detail=detail[:300])
