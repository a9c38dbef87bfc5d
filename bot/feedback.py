"""Users correct the bot: "Wrong?" under an answer, a keypad or a typed number, thanks.

Only the user who sent the photo may correct its answer, once, and at most
`CORRECTIONS_PER_DAY` times a day. The photo is read again when the correction is made
(the answer replies to it), so that what is kept is exactly what the network read;
`model/feedback/corrections.py` says what that is. A user who chose to type a number
has `WAIT_FOR_NUMBER_SECONDS` to send it; any other text cancels.
"""

import logging
import re
import time

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import ApplicationHandlerStop

from bot import buttons, handlers, messages
from bot.state import Context
from model.feedback.corrections import NO_DIGIT, Correction, Corrections
from model.reading.reader import Reader
from model.reading.result import Reading

logger = logging.getLogger(__name__)

CORRECTIONS_PER_DAY = 50  # per user: enough for any honest use, a cap on a flood
DAY = 24 * 3600
NUMBER = re.compile(r"^\d[\d ]{0,40}$")  # a typed correction: digits, maybe spaced
MAX_DIGITS = 20


def _photo_of(answer: Message | None) -> Message | None:
    """The user's message with the photo that `answer` (the bot's reply) answers."""
    photo = answer.reply_to_message if answer else None
    return photo if handlers.image_file_of(photo) else None


async def _refused(update: Update, context: Context, corrections: Corrections,
                   answer: Message, photo: Message | None) -> bool:
    """Whether this press may not correct the answer; if so, the user was told why."""
    query, user = update.callback_query, update.effective_user
    reason = None
    if photo is None:
        reason = messages.SAW_EXPIRED
    elif photo.from_user is None or photo.from_user.id != user.id:
        reason = messages.NOT_YOUR_PHOTO
    elif corrections.corrected(corrections.answer_key(answer.chat_id, answer.message_id)):
        reason = messages.ALREADY_CORRECTED
    elif corrections.count_since(corrections.user_key(user.id), time.time() - DAY) >= (
            CORRECTIONS_PER_DAY):
        reason = messages.TOO_MANY_CORRECTIONS
    if reason is None:
        return False
    await query.answer(handlers.say_to(update, context, reason), show_alert=True)
    return True


async def offer_correction(update: Update, context: Context) -> None:
    """A press on "Wrong?": the keypad in place of the buttons (after a number, a prompt
    to type it)."""
    query, corrections = update.callback_query, context.bot_data.corrections
    answer = query.message if isinstance(query.message, Message) else None
    if corrections is None or answer is None:
        await handlers.stale_button(update, context)
        return
    photo = _photo_of(answer)
    if await _refused(update, context, corrections, answer, photo):
        return
    kind = query.data.removeprefix(buttons.WRONG)
    language = handlers.language_of(update, context)
    await query.answer()
    await query.edit_message_reply_markup(buttons.keypad(language, kind))
    if kind == buttons.NUMBER:
        await _ask_for_number(update, context, answer, photo)


async def _ask_for_number(update: Update, context: Context, answer: Message,
                          photo: Message) -> None:
    context.bot_data.corrections.wait_for_number(
        update.effective_user.id, answer.chat_id, answer.message_id,
        handlers.image_file_of(photo))
    await answer.reply_text(handlers.say_to(update, context, messages.TYPE_THE_NUMBER))


async def correction_chosen(update: Update, context: Context) -> None:
    """A press on the keypad: a digit, "no digit", "I'll type it", or cancel."""
    query, corrections = update.callback_query, context.bot_data.corrections
    answer = query.message if isinstance(query.message, Message) else None
    if corrections is None or answer is None:
        await handlers.stale_button(update, context)
        return
    choice = query.data.removeprefix(buttons.FIX)
    language = handlers.language_of(update, context)
    if choice.startswith(buttons.CANCEL):
        kind = choice.partition(":")[2] or buttons.ONE_DIGIT
        corrections.take_pending(update.effective_user.id, answer.chat_id)
        await query.answer()
        await query.edit_message_reply_markup(buttons.answer(language, kind))
        return
    photo = _photo_of(answer)
    if await _refused(update, context, corrections, answer, photo):
        return
    if choice == buttons.TYPE:
        await query.answer()
        await _ask_for_number(update, context, answer, photo)
        return
    corrected = NO_DIGIT if choice == buttons.NO_DIGIT else choice
    if not (corrected == NO_DIGIT or (len(corrected) == 1 and corrected.isdigit())):
        await handlers.stale_button(update, context)
        return
    corrections.take_pending(update.effective_user.id, answer.chat_id)
    await _keep(update, context, answer.chat_id, answer.message_id,
                handlers.image_file_of(photo), corrected)
    await query.answer(messages.say(language, messages.THANKS,
                                    correction=messages.correction(language, corrected)))


async def take_typed_number(update: Update, context: Context) -> None:
    """Before any other handler: a message from a user the bot asked to type a number.
    A number is the correction; other text cancels it (and is answered so); a photo or
    a command cancels it and is handled as usual."""
    corrections, message = context.bot_data.corrections, update.effective_message
    if corrections is None or message is None or update.effective_user is None:
        return
    pending = corrections.take_pending(update.effective_user.id, message.chat_id)
    if pending is None:
        return
    text = (message.text or "").strip()
    if text.startswith("/") or not text:
        return
    typed = text.replace(" ", "")
    if not NUMBER.match(text) or len(typed) > MAX_DIGITS:
        await message.reply_text(handlers.say_to(update, context, messages.NOT_CORRECTED))
        raise ApplicationHandlerStop
    await _keep(update, context, message.chat_id, pending.answer_message, pending.photo_file,
                typed)
    language = handlers.language_of(update, context)
    await message.reply_text(messages.say(language, messages.THANKS,
                                          correction=messages.correction(language, typed)))
    raise ApplicationHandlerStop


async def _keep(update: Update, context: Context, chat_id: int, answer_message: int,
                photo_file: str, corrected: str) -> None:
    """Read the photo again, keep the correction, and show it under the answer."""
    shared = context.bot_data
    file = await context.bot.get_file(photo_file)
    reading = await handlers.showing_if_slow(
        update.effective_message, ChatAction.TYPING,
        handlers.download_and_run(context, file, shared.reader.read))
    kept = shared.corrections.add(_correction(
        shared.corrections, shared.reader, reading, update.effective_user.id,
        shared.corrections.answer_key(chat_id, answer_message), corrected))
    if not kept:  # a second press raced the first
        return
    logger.info("A user corrected an answer (%d pictures)", len(reading.characters))
    language = handlers.language_of(update, context)
    await context.bot.edit_message_reply_markup(
        chat_id, answer_message,
        reply_markup=buttons.answer(language, None, corrected=corrected))


def _correction(corrections: Corrections, reader: Reader, reading: Reading, user_id: int,
                answer: str, corrected: str) -> Correction:
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


