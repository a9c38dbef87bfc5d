"""Builds the bot's one `Application`: settings, handlers, start-up work."""

import asyncio
import logging

from telegram import BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    filters,
)

from bot import handlers, messages
from bot.config import Settings
from bot.heartbeat import HeartbeatRequest
from model.reader import Reader

logger = logging.getLogger(__name__)


async def on_startup(application: Application) -> None:
    """Load the network once (off the loop) and tell Telegram the command list."""
    settings: Settings = application.bot_data["settings"]
    reader = await asyncio.to_thread(Reader.load, settings.checkpoint)
    application.bot_data["reader"] = reader
    logger.info(
        "Loaded %s (MNIST test accuracy %s)",
        settings.checkpoint.name, reader.metadata.get("test_accuracy", "unknown"),
    )
    await application.bot.set_my_commands(messages.COMMANDS)
    for admin_id in settings.admin_ids:
        try:
            await application.bot.set_my_commands(
                messages.ADMIN_COMMANDS, scope=BotCommandScopeChat(admin_id)
            )
        except TelegramError as error:  # the admin has not opened a chat with the bot yet
            logger.warning("Could not show /accuracy in admin %s's menu: %s", admin_id, error)


def build_application(settings: Settings) -> Application:
    """The bot, with every handler registered, ready for `run_polling`."""
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .defaults(Defaults(do_quote=True, allow_sending_without_reply=True))
        .concurrent_updates(True)  # one user's slow photo must not queue the others
        .rate_limiter(AIORateLimiter(max_retries=2))
        .read_timeout(30)
        .write_timeout(30)
        .get_updates_request(HeartbeatRequest(settings.heartbeat_file, read_timeout=30))
        .post_init(on_startup)
    )
    if settings.base_url:  # a self-hosted Bot API server; PTB does not derive the file URL
        builder = builder.base_url(f"{settings.base_url}/bot").base_file_url(
            f"{settings.base_url}/file/bot"
        )
    application = builder.build()
    application.bot_data["settings"] = settings

    new = filters.UpdateType.MESSAGE  # edits of old messages are not asked again
    admins = filters.User(user_id=settings.admin_ids)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler("help", handlers.help_command, filters=new),
            CommandHandler("privacy", handlers.privacy, filters=new),
            CommandHandler("accuracy", handlers.accuracy, filters=new & admins),
            CommandHandler("accuracy", handlers.refuse_accuracy, filters=new),
            MessageHandler(new & filters.PHOTO, handlers.read_photo),
            MessageHandler(new & filters.Document.IMAGE, handlers.read_image_document),
            CallbackQueryHandler(handlers.show_what_model_saw, pattern=f"^{handlers.SAW}$"),
            CallbackQueryHandler(handlers.stale_button),
            # Last: anything else said to the bot in private (not group chatter, not joins).
            MessageHandler(
                new & filters.ChatType.PRIVATE & ~filters.StatusUpdate.ALL, handlers.unsupported
            ),
        ]
    )
    application.add_error_handler(handlers.report_error)
    return application


def run(settings: Settings) -> None:
    """Poll Telegram until interrupted (Ctrl+C or SIGTERM)."""
    build_application(settings).run_polling(allowed_updates=Update.ALL_TYPES)
