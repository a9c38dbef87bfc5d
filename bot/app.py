"""Builds the bot's one `Application`: settings, handlers, start-up work; and runs it."""

import asyncio
import contextlib
import logging
import urllib.request
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import Bot, BotCommandScopeChat, Update
from telegram.error import NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type

from bot import (
    buttons,
    evaluation,
    feedback,
    handlers,
    i18n,
    languages_before,
    memory,
    messages,
    metrics,
    shared_state,
)
from bot.access import MessageLimit
from bot.alerts import ErrorAlerts
from bot.capacity import Capacity
from bot.config import Settings
from bot.delivery import JournalingTransport, PatientRateLimiter
from bot.heartbeat import PollingRequest, check_webhook
from bot.journal import Journal, JournaledQueue, JournaledUpdateProcessor
from bot.state import BotData
from bot.usage import SharedUsageLog, UsageLog
from model.feedback import corrections
from model.feedback.shared_corrections import SharedCorrections
from model.reading.reader import Reader, one_core_per_read

logger = logging.getLogger(__name__)

# Updates handled at once; more wait in PTB's queue. (bot/capacity.py bounds the heavy
# part further: files held in memory, reads at once.)
MAX_CONCURRENT_UPDATES = 256
# Connections to the Bot API at once. A request holds one only while it is on the wire
# (the rate limiter holds calls before they take one), so a few dozen carry Telegram's 30
# messages a second with the downloads beside them; httpcore scans every pooled connection
# on each request, so a larger pool costs CPU on every call. A request waits up to
# POOL_WAIT_SECONDS for one.
CONNECTIONS = 32
POOL_WAIT_SECONDS = 10.0
TELEGRAM = "https://api.telegram.org"
IMAGE_EXTENSIONS = ("png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff")
START_RETRY_SECONDS = (1, 2, 4, 8, 15, 30)  # waits between start-up attempts; then 30 s each
# On SIGTERM, updates being handled get this long to be answered; the rest wait for the
# next start. Docker kills 10 s after SIGTERM, and polling and shutdown need the rest.
STOP_GRACE_SECONDS = 5.0


class GracefulApplication(Application):
    """PTB's `Application`, except that stopping never waits long: see STOP_GRACE_SECONDS."""

    async def stop(self) -> None:
        self.update_processor.stop_within(STOP_GRACE_SECONDS)  # a JournaledUpdateProcessor
        await super().stop()


async def on_startup(application: Application) -> None:
    """Load the network once (off the loop), queue what a previous run left unanswered,
    and tell Telegram the command list."""
    shared: BotData = application.bot_data
    settings = shared.settings
    shared.reader = await asyncio.to_thread(Reader.load, settings.checkpoint)
    one_core_per_read()  # bot/capacity.py runs a read per core
    logger.info(
        "Loaded %s (MNIST test accuracy %s)",
        settings.checkpoint.name, shared.reader.metadata.get("test_accuracy", "unknown"),
    )
    await languages_before.move_into(shared.state, settings.data_dir)
    unfinished = shared.journal.unfinished()
    if unfinished:
        logger.info("Answering %d updates a previous run received but did not", len(unfinished))
    for body in unfinished:
        await application.update_queue.put(Update.de_json(body, application.bot))
    shared.housekeeping = asyncio.create_task(_housekeeping(shared))
    shared.returning_memory = asyncio.create_task(memory.keep_returning_memory())
    if evaluation.mnist_on_disk(shared):
        shared.evaluating_ahead = asyncio.create_task(evaluation.evaluate_ahead(shared))
    if settings.webhook:  # the health check's heartbeat, which polling would give
        shared.webhook_check = asyncio.create_task(check_webhook(
            application.bot, settings.webhook.url, settings.heartbeat_file,
            lambda: _stop_for_good(application),
        ))
    missing = i18n.missing_catalogues()
    if missing:
        logger.warning("No compiled translations for %s: those users get English"
                       " (run: pybabel compile -d bot/locales -D bot)", ", ".join(missing))
    await _set_command_menus(application.bot, settings.admin_ids)


async def _set_command_menus(bot: Bot, admin_ids: frozenset[int]) -> None:
    """The command menu in each language (English for the rest), /accuracy in the admins'.
    A convenience: the bot works without it."""
    for code in i18n.LANGUAGES:
        language = i18n.language(code)
        tag = {} if code == i18n.ENGLISH else {"language_code": code.split("-")[0]}
        try:
            await bot.set_my_commands(messages.commands(language), **tag)
        except TelegramError as error:
            logger.warning("Could not set the command menu (%s): %s", code, error)
            break
    for admin_id in admin_ids:  # (in English: an admin's language is not known here)
        try:
            await bot.set_my_commands(messages.commands(i18n.language(i18n.ENGLISH), admin=True),
                                      scope=BotCommandScopeChat(admin_id))
        except TelegramError as error:  # the admin has not opened a chat with the bot yet
            logger.warning("Could not show /accuracy in admin %s's menu: %s", admin_id, error)


async def _housekeeping(shared: BotData) -> None:
    """Every minute: forget what is no longer needed (answered updates after a day, typed
    corrections no longer awaited, usage rows after 30 days), also when the bot is quiet."""
    while True:
        shared.journal.prune()
        try:
            await shared_state.ask(shared.corrections.purge_expired)
            await shared_state.ask(shared.usage.prune)
        except shared_state.STATE_ERRORS as error:
            logger.warning("Housekeeping in the shared state failed (%s); again in a minute",
                           error)
        await asyncio.sleep(60)


async def on_stop(application: Application) -> None:
    shared: BotData = application.bot_data
    for task in (shared.webhook_check, shared.housekeeping, shared.evaluating_ahead,
                 shared.returning_memory, *shared.retries):
        if task is not None:
            task.cancel()
    if shared.evaluation is not None:  # its lock released before the shared state closes
        shared.evaluation.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await shared.evaluation
    await shared.state.close()


def environment_proxy(url: str) -> str | None:
    """The proxy HTTPS_PROXY, HTTP_PROXY or ALL_PROXY sets for `url` (unless NO_PROXY
    exempts it). httpx reads them itself, but not for a client given its own transport."""
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    return proxies.get(parts.scheme) or proxies.get("all")


def _api_urls(settings: Settings) -> dict[str, Any]:
    """`base_url` and `base_file_url` for a self-hosted Bot API server; PTB's defaults else."""
    if not settings.base_url:
        return {}
    root = settings.base_url
    return {"base_url": f"{root}/bot", "base_file_url": f"{root}/file/bot"}


def _start_up_wait(state: RetryCallState) -> float:
    """The next wait in START_RETRY_SECONDS, or longer if Telegram asked for longer."""
    wait = START_RETRY_SECONDS[min(state.attempt_number, len(START_RETRY_SECONDS)) - 1]
    error = state.outcome.exception() if state.outcome else None
    if isinstance(error, RetryAfter):
        asked = error.retry_after  # seconds, or a timedelta with PTB_TIMEDELTA set
        wait = max(wait, asked.total_seconds() if isinstance(asked, timedelta) else asked)
    return float(wait)


def _log_start_up_retry(state: RetryCallState) -> None:
    logger.warning("Telegram did not answer at start-up (%s); trying again in %.0f s",
                   state.outcome.exception(), state.upcoming_sleep)


async def wait_for_telegram(bot: Bot) -> None:
    """Initialize `bot`, which checks the token with Telegram (getMe), waiting while
    Telegram cannot be reached (unreachable, timed out, 5xx, flood control).

    Raises `InvalidToken` at once if Telegram rejects the token: waiting cannot help.
    """
    retrying = AsyncRetrying(
        retry=retry_if_exception_type((NetworkError, RetryAfter)),
        wait=_start_up_wait,
        before_sleep=_log_start_up_retry,
        reraise=True,
    )
    await retrying(bot.initialize)


def build_application(settings: Settings) -> Application:
    """The bot, with every handler registered, ready for `run_polling`."""
    journal = Journal(settings.data_dir / "journal.sqlite3", bot_id=settings.bot_id)
    polling = PollingRequest(settings.heartbeat_file, read_timeout=30)
    builder = (
        ApplicationBuilder()
        .application_class(GracefulApplication)
        .context_types(ContextTypes(bot_data=BotData))
        .token(settings.token)
        .update_queue(JournaledQueue(journal))
        .defaults(Defaults(do_quote=True, allow_sending_without_reply=True))
        # Concurrent, so that one user's slow photo does not queue the others'.
        .concurrent_updates(JournaledUpdateProcessor(journal, MAX_CONCURRENT_UPDATES))
        .rate_limiter(PatientRateLimiter(settings.reply_deadline))
        .request(HTTPXRequest(
            connection_pool_size=CONNECTIONS, pool_timeout=POOL_WAIT_SECONDS,
            read_timeout=30, write_timeout=30,
            httpx_kwargs={"transport": JournalingTransport(
                journal, limits=httpx.Limits(max_connections=CONNECTIONS),
                proxy=environment_proxy(settings.base_url or TELEGRAM))},
        ))
        .get_updates_request(polling)
        .post_init(on_startup)
        .post_stop(on_stop)
    )
    urls = _api_urls(settings)
    if urls:  # a self-hosted Bot API server; PTB does not derive the file URL
        builder = builder.base_url(urls["base_url"]).base_file_url(urls["base_file_url"])
    application = builder.build()
    shared: BotData = application.bot_data
    shared.settings = settings
    shared.journal = journal
    shared.message_limit = MessageLimit(settings.photos_per_minute, settings.redis_url)
    shared.state = shared_state.open_state(settings.redis_url, settings.data_dir)
    shared.error_alerts = ErrorAlerts(settings.admin_ids, settings.token)
    shared.capacity = Capacity()
    shared.usage = (SharedUsageLog(settings.redis_url) if settings.redis_url
                    else UsageLog(settings.data_dir / "usage.sqlite3"))
    # Opened with FEEDBACK=off too: /forget must still delete what was kept before.
    shared.corrections = (SharedCorrections(settings.redis_url) if settings.redis_url
                          else corrections.Corrections(settings.data_dir / corrections.STORE))
    polling.on_token_rejected = lambda: _stop_for_good(application)

    new = filters.UpdateType.MESSAGE  # edits of old messages are not asked again
    admins = filters.User(user_id=settings.admin_ids)
    # An image file is known by its MIME type or, when a client sends a wrong one (a PNG
    # as text/plain), by its name; the decoder has the last word either way.
    image_files = filters.Document.IMAGE
    for extension in IMAGE_EXTENSIONS:
        image_files = image_files | filters.Document.FileExtension(extension)
    application.add_handler(TypeHandler(Update, handlers.admit), group=-2)  # before the rest
    # Then, a number typed to correct an answer (anything else goes on to the handlers).
    application.add_handler(MessageHandler(new, feedback.take_typed_number), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler("help", handlers.help_command, filters=new),
            CommandHandler("privacy", handlers.privacy, filters=new),
            CommandHandler("language", handlers.choose_language, filters=new),
            CommandHandler("forget", handlers.forget, filters=new),
            CommandHandler("accuracy", handlers.accuracy, filters=new & admins),
            CommandHandler("stats", handlers.stats, filters=new & admins),
            CommandHandler(["accuracy", "stats"], handlers.refuse_admin_command, filters=new),
            MessageHandler(new & filters.PHOTO, handlers.read_photo),
            MessageHandler(new & image_files, handlers.read_image_document),
            CallbackQueryHandler(handlers.show_what_model_saw, pattern=f"^{buttons.SAW}$"),
            CallbackQueryHandler(handlers.language_chosen, pattern=f"^{handlers.CHOSEN}"),
            CallbackQueryHandler(feedback.offer_correction, pattern=f"^{buttons.WRONG}"),
            CallbackQueryHandler(feedback.correction_chosen, pattern=f"^{buttons.FIX}"),
            CallbackQueryHandler(feedback.show_correction, pattern=f"^{buttons.FIXED}$"),
            CallbackQueryHandler(handlers.stale_button),
            # Last: anything else said to the bot in private (not group chatter, not joins).
            MessageHandler(
                new & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, handlers.unsupported
            ),
        ]
    )
    application.add_error_handler(handlers.report_error)
    return application


def _stop_for_good(application: Application) -> None:
    """Telegram rejected the token mid-run: stop, so that the supervisor sees a failure."""
    if application.bot_data.token_rejected:
        return  # (PTB's last getUpdates while stopping is rejected too)
    logger.error(
        "Telegram rejected TELEGRAM_BOT_TOKEN while polling (revoked?): stopping."
        " Put a valid token from @BotFather in .env and start the bot again."
    )
    application.bot_data.token_rejected = True
    application.stop_running()


def run(settings: Settings) -> int:
    """Poll Telegram, or serve its webhook, until interrupted (Ctrl+C or SIGTERM); the
    process's exit code."""
    memory.map_large_blocks_apart()
    if settings.redis_url:
        shared_state.check_redis(settings.redis_url)
    application = build_application(settings)
    if settings.metrics:
        host, port = settings.metrics
        metrics.serve(host, port)
        logger.info("Serving Prometheus metrics at http://%s:%d/metrics", host, port)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # run_polling runs on this loop too
    loop.run_until_complete(wait_for_telegram(application.bot))
    # Telegram answered a moment ago: retry setWebhook or deleteWebhook rather than give up.
    if settings.webhook:
        application.run_webhook(
            listen=settings.webhook.host,
            port=settings.webhook.port,
            url_path=urlsplit(settings.webhook.url).path.strip("/"),
            webhook_url=settings.webhook.url,
            secret_token=settings.webhook.secret,
            allowed_updates=Update.ALL_TYPES,
            bootstrap_retries=-1,
        )
    else:
        application.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
    return 1 if application.bot_data.token_rejected else 0
