"""The conversation: what the bot does with each kind of message.

Image decoding and the network run in a worker thread (`asyncio.to_thread`), so one
user's photo never holds up another's.
"""

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import File, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot import buttons, evaluation, i18n, messages, metrics, usage
from bot.access import Verdict
from bot.delivery import TelegramBusy, retrying_download
from bot.journal import TRIES_WHILE_TELEGRAM_BUSY
from bot.shared_state import STATE_ERRORS, ask
from bot.state import BotData, Context
from model.reading.errors import ImageTooLarge, PreprocessingError
from model.reading.mnist import TEST_IMAGES, MnistError
from model.reading.pictures import annotated_png
from model.reading.reader import Reader

logger = logging.getLogger(__name__)

MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # the Bot API serves no bigger file to bots
LANGUAGE = "language"  # in user_data: the code chosen with /language, for this update
# (read from the shared state by `admit`: another replica may have been told it)
CHOSEN = "language:"  # callback data of /language's buttons: CHOSEN + code, or + AUTO
AUTO = "auto"
DOWNLOAD_STALL_SECONDS = 5.0  # no byte for this long: the download has hung
# "typing…" is shown only for work that takes longer than this. Most photos are answered
# within a tenth of it, and every chat action counts against Telegram's 30 messages a
# second (python-telegram-bot's AIORateLimiter enforces it), as the answer does.
SHOW_ACTION_AFTER_SECONDS = 1.0

T = TypeVar("T")


async def admit(update: Update, context: Context) -> None:
    """Runs before every other handler: stops users not on ALLOWED_USER_IDS, and users
    over their PHOTOS_PER_MINUTE, each told so once rather than once per message."""
    user = update.effective_user
    if user is None:
        return
    settings, limit = context.bot_data.settings, context.bot_data.message_limit
    allowed = settings.allowed_user_ids
    if allowed and user.id not in allowed and user.id not in settings.admin_ids:
        metrics.REFUSED.labels("not allowed").inc()
        if await limit.first_refusal(user.id):
            await _tell(update, say_to(update, context, messages.NOT_ALLOWED))
        elif update.callback_query:  # dropped, but answered: else the button spins
            await update.callback_query.answer()
        raise ApplicationHandlerStop
    if update.message is None and update.callback_query is None:
        return  # edits, joins and the like: no handler answers them
    if update.update_id in context.bot_data.retried:  # counted when it first came
        context.bot_data.retried.discard(update.update_id)
        verdict = Verdict(allowed=True)
    else:
        verdict = await limit.check(user.id)
    if verdict.allowed or verdict.note_seconds is not None:  # (a silent drop needs none)
        await _recall_language(user.id, context)
    if verdict.allowed:
        return
    metrics.REFUSED.labels("over the limit").inc()
    if verdict.note_seconds is not None:
        await _tell(update, say_to(update, context, messages.SLOW_DOWN,
                                   n=verdict.note_seconds))
    elif update.callback_query:  # dropped, but answered: else the button spins
        await update.callback_query.answer()
    raise ApplicationHandlerStop


async def _recall_language(user_id: int, context: Context) -> None:
    """The language `user_id` chose with /language, if any, into `context.user_data`."""
    try:
        chosen = await context.bot_data.state.get(f"language:{user_id}")
    except STATE_ERRORS as error:  # answered in their app's language rather than not at all
        logger.warning("Could not read a user's language (%s)", error)
        return
    if chosen:
        context.user_data[LANGUAGE] = chosen.decode()
    else:
        context.user_data.pop(LANGUAGE, None)


async def _remember_language(user_id: int, code: str | None, context: Context) -> None:
    """Keep `code` as `user_id`'s language (None: their app's again), for every replica."""
    if code:
        context.user_data[LANGUAGE] = code
    else:
        context.user_data.pop(LANGUAGE, None)
    try:
        if code:
            await context.bot_data.state.put(f"language:{user_id}", code.encode())
        else:
            await context.bot_data.state.delete(f"language:{user_id}")
    except STATE_ERRORS as error:  # answered in it now; the choice is not kept
        logger.warning("Could not keep a user's language (%s)", error)


def language_of(update: object, context: Context) -> i18n.Language:
    """The language to answer in: the user's choice (/language), else their Telegram app's."""
    chosen = context.user_data.get(LANGUAGE) if context.user_data is not None else None
    if chosen in i18n.LANGUAGES:
        return i18n.language(chosen)
    user = update.effective_user if isinstance(update, Update) else None
    return i18n.language(i18n.best_match(user.language_code if user else None))


def say_to(update: object, context: Context, text: str | tuple[str, str],
           **fields: object) -> str:
    """`text` in the language of the user who sent `update`."""
    return messages.say(language_of(update, context), text, **fields)


async def _tell(update: Update, text: str) -> None:
    """Say `text` where the user will see it: a button press's alert, or a private chat."""
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message and update.effective_chat.type == ChatType.PRIVATE:
        await update.effective_message.reply_text(text)


async def start(update: Update, context: Context) -> None:
    """Greet the user and say what to send."""
    await update.effective_message.reply_text(say_to(update, context, messages.WELCOME))


async def help_command(update: Update, context: Context) -> None:
    """Say how to get a good reading."""
    await update.effective_message.reply_text(say_to(update, context, messages.HELP))


async def privacy(update: Update, context: Context) -> None:
    """Say what happens to the photos."""
    await update.effective_message.reply_text(say_to(update, context, messages.PRIVACY))


async def forget(update: Update, context: Context) -> None:
    """/forget: delete everything the bot keeps about the user who sends it, and say so."""
    user_id = update.effective_user.id
    count = await asyncio.to_thread(context.bot_data.corrections.forget, user_id)
    await _remember_language(user_id, None, context)
    logger.info("A user asked to be forgotten (%d corrections deleted)", count)
    await update.effective_message.reply_text(
        say_to(update, context, messages.FORGOTTEN, n=count) if count
        else say_to(update, context, messages.FORGOTTEN_ALL))


async def read_photo(update: Update, context: Context) -> None:
    """Read the digits in a photo, taking its largest size."""
    message = update.effective_message
    await reply_with_reading(update, context, await message.photo[-1].get_file())


async def read_image_document(update: Update, context: Context) -> None:
    """Read the digits in an image sent as a file."""
    message = update.effective_message
    if (message.document.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await message.reply_text(say_to(update, context, messages.TOO_LARGE))
        return
    try:
        file = await message.document.get_file()
    except BadRequest as error:  # Telegram did not say the size, but knows it is too big
        if "too big" not in error.message.lower():
            raise
        await message.reply_text(say_to(update, context, messages.TOO_LARGE))
        return
    await reply_with_reading(update, context, file)


async def _show(message: Message, action: str) -> None:
    """"typing…" and the like: a courtesy, so a failure to show it never fails the reading."""
    try:
        await message.reply_chat_action(action)
    except TelegramError as error:
        logger.info("Could not show %s: %s", action, error)


async def showing_if_slow(message: Message, action: str, work: Awaitable[T]) -> T:
    """The result of `work`; `action` is shown if it is not done in a moment."""
    task = asyncio.ensure_future(work)
    showing = None
    try:
        done, _ = await asyncio.wait({task}, timeout=SHOW_ACTION_AFTER_SECONDS)
        if not done:  # beside the work: the answer must not wait for it
            showing = asyncio.ensure_future(_show(message, action))
        return await task
    finally:
        task.cancel()  # (a no-op once it is done) not left running if we are cancelled
        if showing is not None:
            showing.cancel()


async def reply_with_reading(
    update: Update, context: Context, file: File
) -> None:
    """Download the image into memory, read it off the event loop, answer."""
    message, language = update.effective_message, language_of(update, context)
    read, started = context.bot_data.reader.read, time.monotonic()
    try:
        reading = await showing_if_slow(
            message, ChatAction.TYPING, download_and_run(context, file, read)
        )
    except PreprocessingError as problem:
        logger.info("Could not read an image: %s", problem)
        await message.reply_text(messages.say(language, _explain(problem)))
        await _answered(context, type(problem).__name__, started)
        return
    except TimedOut:
        logger.warning("Downloading an image from Telegram stalled; asked the user again")
        await message.reply_text(messages.say(language, messages.DOWNLOAD_STALLED))
        await _answered(context, usage.DOWNLOAD_STALLED, started)
        return
    if reading.refusal:
        text = messages.refusal(language, reading)
    else:
        text = messages.reading(language, reading)
    kind = buttons.NUMBER if len(reading.digits) > 1 else buttons.ONE_DIGIT
    if not context.bot_data.settings.feedback:  # FEEDBACK=off: no "Wrong?"
        kind = None
    await message.reply_text(text, reply_markup=buttons.answer(language, kind, reading.number))
    await _answered(context, reading.refusal.name if reading.refusal else "", started)


async def _answered(context: Context, refusal: str, started: float) -> None:
    """Count a photo answered (for /stats and the metrics): `refusal` names why no number
    was given, or is empty."""
    seconds = time.monotonic() - started
    metrics.PHOTOS.labels(refusal or metrics.READ).inc()
    metrics.ANSWER_SECONDS.observe(seconds)
    try:
        await ask(context.bot_data.usage.answered, refusal, seconds)
    except STATE_ERRORS as error:
        logger.warning("Could not count a photo for /stats (%s)", error)


async def download_and_run(
    context: Context, file: File, work: Callable[[bytearray], T]
) -> T:
    """`work` on the file's bytes, in a worker thread, within the bot's capacity."""
    capacity = context.bot_data.capacity
    async with capacity.file(file.file_size):
        # (bytes() would copy it once more.)
        data = await retrying_download("a photo")(
            file.download_as_bytearray, read_timeout=DOWNLOAD_STALL_SECONDS)
        async with capacity.read():
            return await asyncio.to_thread(work, data)


def _explain(problem: PreprocessingError) -> str:
    return messages.TOO_LARGE if isinstance(problem, ImageTooLarge) else messages.UNREADABLE


def image_file_of(message: Message | None) -> str | None:
    """The file id of the photo (largest size) or image document in `message`, if any."""
    if message is None:
        return None
    if message.photo:
        return message.photo[-1].file_id
    if message.document and (message.document.mime_type or "").startswith("image/"):
        return message.document.file_id
    return None


async def show_what_model_saw(update: Update, context: Context) -> None:
    """Read the user's photo again and send it back with what was found drawn on it.

    The photo is the message the answer replies to, so nothing is kept between the
    answer and the button press.
    """
    query = update.callback_query
    answer = query.message if isinstance(query.message, Message) else None
    file_id = image_file_of(answer.reply_to_message if answer else None)
    if file_id is None:
        await query.answer(say_to(update, context, messages.SAW_EXPIRED), show_alert=True)
        return
    await query.answer()
    file = await context.bot.get_file(file_id)
    picture = await showing_if_slow(answer, ChatAction.UPLOAD_PHOTO, download_and_run(
        context, file, functools.partial(_annotated, context.bot_data.reader)))
    await answer.reply_photo(picture, caption=say_to(update, context, messages.SAW_CAPTION))


async def stale_button(update: Update, context: Context) -> None:
    """A press on a button this bot no longer offers: answer it, or the client spins."""
    await update.callback_query.answer(say_to(update, context, messages.SAW_EXPIRED),
                                       show_alert=True)


def _annotated(reader: Reader, data: bytes) -> bytes:
    return annotated_png(reader.read(data))


async def choose_language(update: Update, context: Context) -> None:
    """/language: a button for each language; /language auto: back to Telegram's."""
    if context.args and context.args[0].lower() == AUTO:
        await _remember_language(update.effective_user.id, None, context)
        await update.effective_message.reply_text(
            say_to(update, context, messages.LANGUAGE_AUTOMATIC))
        return
    names = [(name, CHOSEN + code) for code, (_, name) in i18n.LANGUAGES.items()]
    names.append((say_to(update, context, messages.AUTOMATIC), CHOSEN + AUTO))
    rows = [[InlineKeyboardButton(name, callback_data=data) for name, data in names[k:k + 2]]
            for k in range(0, len(names), 2)]
    await update.effective_message.reply_text(
        say_to(update, context, messages.CHOOSE_LANGUAGE), reply_markup=InlineKeyboardMarkup(rows)
    )


async def language_chosen(update: Update, context: Context) -> None:
    """A press on one of /language's buttons: keep the choice, confirm it in that language."""
    query = update.callback_query
    code = query.data.removeprefix(CHOSEN)
    # "Automatic" (or a language this version no longer has): their app's
    await _remember_language(query.from_user.id, code if code in i18n.LANGUAGES else None,
                             context)
    await query.answer()
    confirmation = messages.LANGUAGE_CHOSEN if LANGUAGE in context.user_data else (
        messages.LANGUAGE_AUTOMATIC)
    if isinstance(query.message, Message):
        await query.edit_message_text(say_to(update, context, confirmation))


async def unsupported(update: Update, context: Context) -> None:
    """Anything that is not an image: say what to send."""
    await update.effective_message.reply_text(say_to(update, context, messages.UNSUPPORTED))


async def accuracy(update: Update, context: Context) -> None:
    """Evaluate the model on MNIST's test set and send the report with a confusion matrix."""
    message, language = update.effective_message, language_of(update, context)
    await message.reply_text(messages.say(language, messages.EVALUATING, n=TEST_IMAGES))
    await _show(message, ChatAction.UPLOAD_PHOTO)
    try:
        report, picture = await evaluation.report(context.bot_data)
    except (MnistError, OSError) as problem:
        logger.warning("Evaluation failed: %s", problem)
        await message.reply_text(messages.say(language, messages.EVALUATION_FAILED,
                                              reason=problem))
        return
    await message.reply_photo(picture, caption=messages.accuracy_report(language, report))


async def stats(update: Update, context: Context) -> None:
    """/stats (admins): how the bot did in use over the last day and week."""
    report = await asyncio.to_thread(_usage, context.bot_data)  # (with Redis: off the loop)
    await update.effective_message.reply_text(
        messages.usage_report(language_of(update, context), report))


def _usage(shared: BotData) -> usage.Usage:
    corrected = shared.corrections.since(time.time() - 7 * usage.DAY)
    return usage.Usage(
        day=shared.usage.period(usage.DAY), week=shared.usage.period(7 * usage.DAY),
        corrections_day=sum(at >= time.time() - usage.DAY for at, *_ in corrected),
        corrections_week=len(corrected),
        confusions=usage.confusions([row[1:] for row in corrected]),
        feedback=shared.settings.feedback,
    )


async def refuse_admin_command(update: Update, context: Context) -> None:
    """/accuracy or /stats from someone who is not an admin."""
    command = update.effective_message.text.split()[0].split("@")[0].lower()
    await update.effective_message.reply_text(
        say_to(update, context, messages.NOT_ADMIN, command=command))


async def report_error(update: object, context: Context) -> None:
    """Log the failure, tell the user something went wrong, then tell the admins."""
    if update is None and isinstance(context.error, NetworkError):
        # getUpdates failed (5xx, timeout, no network): PTB polls again with backoff.
        logger.warning("Polling Telegram failed (%s); trying again", context.error)
        return
    if isinstance(context.error, TelegramBusy) and isinstance(update, Update) and update.message:
        _try_again_later(update, context)
        raise ApplicationHandlerStop  # no other handler: it is all handled again later
    logger.error("Failed to handle an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_message:
        try:
            await update.effective_message.reply_text(
                say_to(update, context, messages.SOMETHING_WENT_WRONG))
        except TelegramError as error:
            logger.warning("Could not tell the user about the failure: %s", error)
    await context.bot_data.error_alerts.report(context.bot, context.error)
    if isinstance(update, Update):
        raise ApplicationHandlerStop  # a failed admission check must not let it through


def _try_again_later(update: Update, context: Context) -> None:
    """Telegram refused the answer for minutes: the reading is not lost, the update stays
    in the journal and is handled again as long after (or at the next start)."""
    shared = context.bot_data
    journal, deadline = shared.journal, shared.settings.reply_deadline
    if not journal.later(update.update_id):
        logger.error("Telegram refused the answer to update %d (%s): not tried again (it was"
                     " tried %d times, or an answer to it went out)", update.update_id,
                     context.error, TRIES_WHILE_TELEGRAM_BUSY)
        return
    logger.warning("Telegram refused the answer to update %d (%s); it is kept and tried"
                   " again in %.0f s", update.update_id, context.error, deadline)

    async def retry() -> None:
        await asyncio.sleep(deadline)
        body = journal.retry(update.update_id)
        if body is not None:
            shared.retried.add(update.update_id)
            await context.application.update_queue.put(Update.de_json(body, context.bot))

    # Not `application.create_task`: stopping the bot would wait for it. Cancelled when
    # the bot stops, the update stays in the journal and the next start handles it.
    task = asyncio.create_task(retry(), name=f"retry update {update.update_id}")
    shared.retries.add(task)
    task.add_done_callback(shared.retries.discard)
