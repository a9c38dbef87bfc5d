"""What the handlers share: one `BotData`, python-telegram-bot's `context.bot_data`.

`app.build_application` gives the class to PTB (`ContextTypes(bot_data=BotData)`), which
makes the one instance; `build_application` and start-up fill it in, so that every
handler reads `context.bot_data.reader` with its type. Handlers are typed `Context`.
"""

import asyncio
from dataclasses import dataclass, field

from telegram.ext import CallbackContext, ExtBot

from bot.access import MessageLimit
from bot.alerts import ErrorAlerts
from bot.capacity import Capacity
from bot.config import Settings
from bot.journal import Journal
from bot.shared_state import SharedState
from bot.usage import SharedUsageLog, UsageLog
from model.feedback.corrections import Corrections
from model.feedback.shared_corrections import SharedCorrections
from model.reading.evaluate import Report
from model.reading.reader import Reader


@dataclass(repr=False)
class BotData:
    # Set by `build_application`, before anything runs:
    settings: Settings = field(init=False)
    journal: Journal = field(init=False)  # updates not yet answered (bot/journal.py)
    message_limit: MessageLimit = field(init=False)  # PHOTOS_PER_MINUTE, the allow-list notes
    state: SharedState = field(init=False)  # languages, /accuracy (bot/shared_state.py)
    error_alerts: ErrorAlerts = field(init=False)  # errors reported to the admins
    capacity: Capacity = field(init=False)  # files held and reads at once
    usage: UsageLog | SharedUsageLog = field(init=False)  # photos answered (/stats)
    corrections: Corrections | SharedCorrections = field(init=False)  # what users corrected
    # (model/feedback/corrections.py); with FEEDBACK=off, only for /forget and /stats
    # Set at start-up (`app.on_startup`), before the first update is handled:
    reader: Reader = field(init=False)
    # While running:
    evaluation: "asyncio.Future[tuple[Report, bytes]] | None" = None  # the /accuracy under way
    accuracy_report: tuple[Report, bytes] | None = None  # and its result, kept (bot/evaluation.py)
    evaluating_ahead: "asyncio.Task[None] | None" = None  # at start-up
    mnist_digest: str | None = None  # of the test set, once known (bot/evaluation.py)
    returning_memory: "asyncio.Task[None] | None" = None  # bot/memory.py
    webhook_check: "asyncio.Task[None] | None" = None  # the webhook's heartbeat
    housekeeping: "asyncio.Task[None] | None" = None  # old journal entries, expired typed
    # corrections and old usage rows forgotten every minute
    token_rejected: bool = False  # Telegram rejected the token while running: exit 1
    # Updates Telegram would not take the answer to, waiting to be handled again (their ids
    # are in `retried` once queued again: `handlers.admit` does not count them twice)
    retries: "set[asyncio.Task[None]]" = field(default_factory=set)
    retried: set[int] = field(default_factory=set)


Context = CallbackContext[ExtBot[None], dict, dict, BotData]
