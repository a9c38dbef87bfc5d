"""Updates written down before Telegram is told they arrived, so that a crash loses none.

Each update is written to SQLite (`DATA_DIR/journal.sqlite3`) as it enters PTB's update
queue (`JournaledQueue`), and marked done once answered: then only its id is kept (for a
day), not what the user sent. That is before Telegram learns
it arrived, either way the bot receives updates: with polling, Telegram counts a batch
as delivered when the next `getUpdates` asks past it, which PTB sends only after the
whole batch is queued; a webhook answers Telegram's POST only after the update is queued.
At start, the updates not done are handled again. Telegram resends those it never saw
acknowledged; the journal knows them by id, so each update is answered once.

An answer in flight when the process dies may or may not have reached Telegram, and
Telegram offers no way to ask. The journal notes "sending" as an answer's request is
handed to the kernel (which delivers it even if the process dies), and "sent" once
Telegram took it (both by `JournalingTransport` in `bot/delivery.py`): such an update is
not answered again.
An answer still waiting for a connection, or half written, is not "sending": the next
start answers the update. (A handler that sends two messages, like /accuracy's
"evaluating…" and its report, counts as answered after the first.)

Writes are a few hundred microseconds (WAL mode): small enough for the event loop.
"""

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import SimpleUpdateProcessor

from bot import metrics
from model.sqlite_files import open_database

logger = logging.getLogger(__name__)

KEEP_DONE_SECONDS = 24 * 3600  # done updates are kept a day, to recognise late resends
MAX_ATTEMPTS = 3  # an update that was being handled when the process died this often is
# taken to be what kills it (a decoder crash, the out-of-memory killer): it is dropped
TRIES_WHILE_TELEGRAM_BUSY = 5  # an update whose answer Telegram refused this often (each
# time until the reply deadline, 3 minutes) is given up
NEW, CLAIMED, SENDING, SENT, DONE = "new", "claimed", "sending", "sent", "done"
LATER = "later"  # Telegram refused the answer until the deadline: to be tried again
# The update the current task is handling: `bot/delivery.py` reads it.
current_update: ContextVar[int | None] = ContextVar("current_update", default=None)


class Journal:
    """The journal of one bot (`bot_id`, the number its token starts with): a `DATA_DIR`
    that served another bot before holds that bot's updates apart, never mistaken for
    this one's."""

    def __init__(self, path: Path, bot_id: int = 0) -> None:
        self._db = open_database(path)
        self._upgrade(bot_id)
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS updates (bot INTEGER NOT NULL, id INTEGER NOT NULL,"
            " body TEXT NOT NULL, state TEXT NOT NULL, at REAL,"
            " attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (bot, id))"
        )
        self.bot_id = bot_id

    def _upgrade(self, bot_id: int) -> None:
        """A journal written before updates were keyed by bot: its unanswered updates are
        taken as this bot's (a token rarely changes); its answered ones, which only guard
        against resends, are dropped."""
        columns = [row[1] for row in self._db.execute("PRAGMA table_info(updates)")]
        if not columns or "bot" in columns:
            return
        self._db.execute("ALTER TABLE updates RENAME TO updates_before_bot_ids")
        self._db.execute(
            "CREATE TABLE updates (bot INTEGER NOT NULL, id INTEGER NOT NULL,"
            " body TEXT NOT NULL, state TEXT NOT NULL, at REAL,"
            " attempts INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (bot, id))"
        )
        self._db.execute(
            "INSERT INTO updates SELECT ?, id, body, state, at, attempts"
            " FROM updates_before_bot_ids WHERE state != ?", (bot_id, DONE))
        self._db.execute("DROP TABLE updates_before_bot_ids")

    def record(self, update: Update) -> None:
        """Write down an update that arrived (one already known is kept as it is)."""
        self._db.execute(
            "INSERT OR IGNORE INTO updates (bot, id, body, state, at) VALUES (?, ?, ?, ?, ?)",
            (self.bot_id, update.update_id, json.dumps(update.to_dict()), NEW, time.time()),
        )

    def claim(self, update_id: int) -> bool:
        """Whether to handle this update: not when it is handled or being handled."""
        cursor = self._db.execute(
            "UPDATE updates SET state = ?, attempts = attempts + 1"
            " WHERE bot = ? AND id = ? AND state = ?", (CLAIMED, self.bot_id, update_id, NEW),
        )
        return cursor.rowcount == 1 or not self._known(update_id)

    def release(self, update_id: int) -> None:
        """Handling was abandoned (the bot is stopping): handle it again at the next start,
        without counting this attempt against it."""
        self._db.execute("UPDATE updates SET state = ?, attempts = attempts - 1"
                         " WHERE bot = ? AND id = ? AND state = ?",
                         (NEW, self.bot_id, update_id, CLAIMED))

    def done(self, update_id: int) -> None:
        """Answered: only the id is kept (to know a resend), not what the user sent."""
        self._db.execute("UPDATE updates SET state = ?, at = ?, body = ''"
                         " WHERE bot = ? AND id = ? AND state != ?",
                         (DONE, time.time(), self.bot_id, update_id, LATER))

    def later(self, update_id: int) -> bool:
        """Telegram would not take the answer: keep the update to try again (`retry`),
        unless an answer to it went out already (/accuracy's "testing…") or it has been
        tried TRIES_WHILE_TELEGRAM_BUSY times (crashed runs count too). Whether kept."""
        return self._db.execute(
            "UPDATE updates SET state = ? WHERE bot = ? AND id = ? AND state = ?"
            " AND attempts < ?",
            (LATER, self.bot_id, update_id, CLAIMED, TRIES_WHILE_TELEGRAM_BUSY)).rowcount == 1

    def retry(self, update_id: int) -> dict[str, Any] | None:
        """The update kept by `later`, back to unanswered; None if it is no longer kept."""
        row = self._db.execute("UPDATE updates SET state = ? WHERE bot = ? AND id = ?"
                               " AND state = ? RETURNING body",
                               (NEW, self.bot_id, update_id, LATER)).fetchone()
        return json.loads(row[0]) if row else None

    def sending(self, update_id: int) -> None:
        """An answer to this update has gone out (unless one already went earlier)."""
        self._set(update_id, SENDING, CLAIMED)

    def sent(self, update_id: int) -> None:
        self._set(update_id, SENT, SENDING)

    def not_sent(self, update_id: int) -> None:
        """The answer failed (and may be tried again): the update is not answered yet."""
        self._set(update_id, CLAIMED, SENDING)

    def unfinished(self) -> list[dict[str, Any]]:
        """The updates a previous run received but did not answer, oldest first."""
        self.prune()
        answered = self._db.execute(
            "UPDATE updates SET state = ?, at = ?, body = '' WHERE bot = ? AND state IN (?, ?)",
            (DONE, time.time(), self.bot_id, SENDING, SENT)).rowcount
        if answered:
            logger.warning("%d answers were sent or on their way when the bot stopped;"
                           " not sent again", answered)
        killers = self._db.execute(
            "UPDATE updates SET state = ?, at = ?, body = ''"
            " WHERE bot = ? AND state = ? AND attempts >= ?",
            (DONE, time.time(), self.bot_id, CLAIMED, MAX_ATTEMPTS),
        ).rowcount
        if killers:
            logger.warning("%d updates were being handled in each of the last %d runs,"
                           " which all died: dropped", killers, MAX_ATTEMPTS)
        self._db.execute("UPDATE updates SET state = ? WHERE bot = ? AND state IN (?, ?)",
                         (NEW, self.bot_id, CLAIMED, LATER))
        rows = self._db.execute("SELECT body FROM updates WHERE bot = ? AND state = ? ORDER BY id",
                                (self.bot_id, NEW))
        return [json.loads(body) for (body,) in rows]

    def _set(self, update_id: int, state: str, was: str) -> None:
        self._db.execute("UPDATE updates SET state = ? WHERE bot = ? AND id = ? AND state = ?",
                         (state, self.bot_id, update_id, was))

    def prune(self) -> None:
        """Forget answered updates older than KEEP_DONE_SECONDS (the bot runs this every
        minute): after a week's silence Telegram numbers updates afresh, and a new update
        must not be taken for an old one."""
        self._db.execute("DELETE FROM updates WHERE state = ? AND at < ?",
                         (DONE, time.time() - KEEP_DONE_SECONDS))

    def _known(self, update_id: int) -> bool:
        row = self._db.execute("SELECT 1 FROM updates WHERE bot = ? AND id = ?",
                               (self.bot_id, update_id)).fetchone()
        return row is not None


class JournaledQueue(asyncio.Queue):
    """PTB's update queue, writing each update to the journal as it is put in."""

    def __init__(self, journal: Journal) -> None:
        super().__init__()
        self.journal = journal

    async def put(self, item: Any) -> None:
        if isinstance(item, Update):
            self.journal.record(item)  # if this fails, Telegram is not told it arrived
        await super().put(item)


class JournaledUpdateProcessor(SimpleUpdateProcessor):
    """Handles updates concurrently (up to `max_concurrent_updates`), each once, and
    marks each done in the journal when handled.

    A stop (`stop_within`) takes no new update and cancels what is still being handled
    when the grace period ends: those updates stay in the journal, answered at next start.
    """

    def __init__(self, journal: Journal, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self.journal = journal
        self._stopping = False
        self._handling: set[asyncio.Task[Any]] = set()
        metrics.IN_FLIGHT.set_function(lambda: len(self._handling))

    def stop_within(self, grace: float) -> None:
        """Start no more updates; cancel those still being handled after `grace` seconds."""
        self._stopping = True
        asyncio.get_running_loop().call_later(grace, self._cancel_the_rest)

    def _cancel_the_rest(self) -> None:
        if self._handling:
            logger.warning("Stopping: %d updates not answered in time are left for the"
                           " next start", len(self._handling))
        for task in self._handling:
            task.cancel()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        if self._stopping:  # it stays "new" in the journal: answered at the next start
            coroutine.close()  # type: ignore[attr-defined]
            return
        if not self.journal.claim(update.update_id):
            coroutine.close()  # type: ignore[attr-defined]
            logger.info("Update %d was handled already; skipped", update.update_id)
            return
        current_update.set(update.update_id)  # the task below gets its own copy
        handling = asyncio.ensure_future(coroutine)
        self._handling.add(handling)
        try:
            await handling
        except asyncio.CancelledError:
            if not handling.cancelled() or not self._stopping:
                raise
            self.journal.release(update.update_id)
            return
        except Exception:
            self.journal.done(update.update_id)  # it failed and was reported: not again
            raise
        finally:
            self._handling.discard(handling)
        self.journal.done(update.update_id)
