"""Users correct the bot: "Wrong?" under an answer, a keypad or a typed number, thanks.

Only the user who sent the photo may correct its answer, once, and at most
`CORRECTIONS_PER_DAY` times a day. The photo is read again when the correction is made
(the answer replies to it), so that what is kept is exactly what the network read;
`model/feedback/corrections.py` says what that is. If the bot now reads the photo other
than the answer the user saw (it was updated since), nothing is kept. A user who chose
to type a number has `WAIT_FOR_NUMBER_SECONDS` to send it; any other text cancels.
"""

import enum
import logging
import re
import time

from telegram import ForceReply, Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import buttons, handlers, messages, metrics
from bot.buttons import Fix
from bot.shared_state import STATE_ERRORS, ask
from bot.state import Context
from model.feedback.corrections import NO_DIGIT, Correction, Corrections
from model.feedback.shared_corrections import SharedCorrections
from model.reading.errors import PreprocessingError
from model.reading.reader import Reader
from model.reading.result import Reading

logger = logging.getLogger(__name__)

CORRECTIONS_PER_DAY = 50  # per user: enough for any honest use, a cap on a flood
DAY = 24 * 3600
NUMBER = re.compile(r"^[0-9][0-9 ]{0,40}$")  # a typed correction: digits, maybe spaced
MAX_DIGITS = 20


class Outcome(enum.Enum):
    KEPT = "kept"
    ALREADY = "already corrected"  # a second press raced the first
    CHANGED = "read differently now"  # the bot was updated since the answer


def _photo_of(answer: Message | None) -> Message | None:
    """The user's message with the photo that `answer` (the bot's reply) answers."""
    photo = answer.reply_to_message if answer else None
    return photo if handlers.image_file_of(photo) else None


async def _refused(update: Update, context: Context, answer: Message, fix: Fix) -> bool:
    """Whether this press may not correct the answer; if so, the user was told why."""
    query, user = update.callback_query, update.effective_user
    corrections = context.bot_data.corrections
    photo = _photo_of(answer)
    corrected = await ask(corrections.corrected,
                          corrections.answer_key(answer.chat_id, answer.message_id))
    reason = None
    if photo is None:
        reason = messages.PHOTO_GONE
    elif photo.from_user is None or photo.from_user.id != user.id:
        reason = messages.NOT_YOUR_PHOTO
    elif corrected is not None:
        reason = messages.ALREADY_CORRECTED
        await query.edit_message_reply_markup(buttons.answer(
            handlers.language_of(update, context), None, fix.shown, corrected=corrected))
    elif fix.choice != buttons.CANCEL and await ask(
            corrections.count_since, corrections.user_key(user.id),
            time.time() - DAY) >= CORRECTIONS_PER_DAY:
        reason = messages.TOO_MANY_CORRECTIONS
    if reason is None:
        return False
    await query.answer(handlers.say_to(update, context, reason), show_alert=True)
    return True


async def _pressed(update: Update, context: Context) -> tuple[Message, Fix] | None:
    """The answer and what the press says, if it may correct it (else the user was told)."""
    query = update.callback_query
    answer = query.message if isinstance(query.message, Message) else None
    fix = Fix.parse(query.data)
    if answer is None or fix is None or not context.bot_data.settings.feedback:
        await handlers.stale_button(update, context)
        return None
    if await _refused(update, context, answer, fix):
        return None
    return answer, fix


async def offer_correction(update: Update, context: Context) -> None:
    """A press on "Wrong?": the keypad in place of the buttons (after a number, a prompt
    to type it)."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    answer, fix = pressed
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(
        buttons.keypad(handlers.language_of(update, context), fix.kind, fix.shown))
    if fix.kind == buttons.NUMBER:
        await _ask_for_number(update, context, answer, fix)


async def _ask_for_number(update: Update, context: Context, answer: Message, fix: Fix) -> None:
    await ask(context.bot_data.corrections.wait_for_number, update.effective_user.id,
              answer.chat_id, answer.message_id, fix.shown,
              handlers.image_file_of(_photo_of(answer)))
    # ForceReply: in a group, the user's reply reaches the bot even in privacy mode.
    await answer.reply_text(handlers.say_to(update, context, messages.TYPE_THE_NUMBER),
                            reply_markup=ForceReply(selective=True))


async def correction_chosen(update: Update, context: Context) -> None:
    """A press on the keypad: a digit, "no digit", "several digits", or cancel."""
    pressed = await _pressed(update, context)
    if pressed is None:
        return
    answer, fix = pressed
    query, language = update.callback_query, handlers.language_of(update, context)
    if fix.choice == buttons.CANCEL:
        await ask(context.bot_data.corrections.take_pending, update.effective_user.id,
                  answer.chat_id)
        await query.answer()
        await query.edit_message_reply_markup(buttons.answer(language, fix.kind, fix.shown))
        return
    if fix.choice == buttons.TYPE:
        await query.answer()
        await _ask_for_number(update, context, answer, fix)
        return
    if not (fix.choice == NO_DIGIT or (len(fix.choice) == 1 and fix.choice.isdigit())):
        await handlers.stale_button(update, context)
        return
    await ask(context.bot_data.corrections.take_pending, update.effective_user.id,
              answer.chat_id)
    outcome = await _keep(update, context, answer.chat_id, answer.message_id,
                          handlers.image_file_of(_photo_of(answer)), fix.shown, fix.choice)
    if outcome is Outcome.KEPT:
        await query.answer(messages.say(language, messages.THANKS,
                                        correction=messages.correction(language, fix.choice)))
    else:
        await query.answer(_why_not(update, context, outcome), show_alert=True)


async def take_typed_number(update: Update, context: Context) -> None:
    """Before any other handler: a message from a user the bot asked to type a number.
    A number is the correction; other text cancels it (and is answered so); a photo or
    a command cancels it and is handled as usual."""
    corrections, message = context.bot_data.corrections, update.effective_message
    if message is None or update.effective_user is None:
        return
    try:
        pending = await ask(corrections.take_pending, update.effective_user.id,
                            message.chat_id)
    except STATE_ERRORS as error:  # the message is handled as usual rather than lost
        logger.warning("Could not look for a typed correction (%s)", error)
        return
    if pending is None:
        return
    text = (message.text or "").strip()
    if text.startswith("/") or not text:
        return
    typed = text.replace(" ", "")
    if not NUMBER.match(text) or len(typed) > MAX_DIGITS:
        await message.reply_text(handlers.say_to(update, context, messages.NOT_CORRECTED))
        raise ApplicationHandlerStop
    outcome = await _keep(update, context, message.chat_id, pending.answer_message,
                          pending.photo_file, pending.shown, typed)
    language = handlers.language_of(update, context)
    if outcome is Outcome.KEPT:
        await message.reply_text(messages.say(language, messages.THANKS,
                                              correction=messages.correction(language, typed)))
    else:
        await message.reply_text(_why_not(update, context, outcome))
    raise ApplicationHandlerStop


def _why_not(update: Update, context: Context, outcome: Outcome | None) -> str:
    text = {Outcome.ALREADY: messages.ALREADY_CORRECTED,
            Outcome.CHANGED: messages.READ_DIFFERENTLY}.get(outcome, messages.CORRECTION_FAILED)
    return handlers.say_to(update, context, text)


async def _keep(update: Update, context: Context, chat_id: int, answer_message: int,
                photo_file: str, shown: str, corrected: str) -> Outcome | None:
    """Read the photo again, keep the correction, and show it under the answer; None if
    the photo could not be read again."""
    shared = context.bot_data
    try:
        file = await context.bot.get_file(photo_file)
        reading = await handlers.showing_if_slow(
            update.effective_message, ChatAction.TYPING,
            handlers.download_and_run(context, file, shared.reader.read))
    except (TelegramError, PreprocessingError) as problem:
        logger.warning("Could not read a photo again to keep its correction: %s", problem)
        return None
    if reading.number != shown:
        return Outcome.CHANGED
    answer = shared.corrections.answer_key(chat_id, answer_message)
    if not await ask(shared.corrections.add, _correction(
            shared.corrections, shared.reader, reading, update.effective_user.id, answer,
            corrected)):
        return Outcome.ALREADY
    logger.info("A user corrected an answer (%d pictures)", len(reading.characters))
    metrics.CORRECTIONS.labels("no digit" if corrected == NO_DIGIT else "digits").inc()
    language = handlers.language_of(update, context)
    await context.bot.edit_message_reply_markup(
        chat_id, answer_message, reply_markup=buttons.answer(language, None, shown, corrected))
    return Outcome.KEPT


def _correction(corrections: Corrections | SharedCorrections, reader: Reader,
                reading: Reading, user_id: int, answer: str, corrected: str) -> Correction:
    return Correction(
        answer=answer,
        user=corrections.user_key(user_id),
        answered=reading.number,
        refusal=reading.refusal.name if reading.refusal else "",
        confidence=reading.confidence,
        corrected=corrected,
        pictures=[character.image for character in reading.characters],
        checkpoint=reader.metadata.get("served_model", {}).get("file", "?"),
        reader=reader.version,
    )


async def show_correction(update: Update, context: Context) -> None:
    """A press on the button that shows a correction: say what it means."""
    await update.callback_query.answer(
        handlers.say_to(update, context, messages.CORRECTION_KEPT), show_alert=True)
