"""The journal of updates: what a restart answers again, and what it must not."""

import asyncio
import contextlib
import sqlite3
import time

import httpx
from telegram import Update

from bot.delivery import JournalingTransport
from bot.journal import KEEP_DONE_SECONDS, TRIES_WHILE_TELEGRAM_BUSY, Journal, current_update
from testing.fake_telegram import FakeTelegram


def arrive(journal: Journal, *update_ids: int) -> None:
    """Record updates with these ids, as they would arrive from Telegram."""
    for i in update_ids:
        journal.record(Update.de_json({"update_id": i, "message": {
            "message_id": i, "date": 0, "chat": {"id": 1, "type": "private"},
            "text": "/help"}}, None))


def test_each_update_is_claimed_once_even_when_telegram_resends_it(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    arrive(journal, 1, 2)
    assert journal.claim(1) and not journal.claim(1)
    journal.done(1)
    arrive(journal, 1)  # resent: Telegram never saw it acknowledged
    assert not journal.claim(1)
    assert journal.claim(99)  # not journaled (not from polling): handled


def test_a_restart_answers_what_was_received_but_not_answered(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    arrive(journal, 1, 2, 3, 4, 5)
    for update_id in (1, 2, 3, 4):
        assert journal.claim(update_id)
    journal.done(1)  # answered
    journal.sending(2)  # its answer was on its way when the process died
    journal.sending(3)
    journal.not_sent(3)  # its answer failed, to be tried again: not answered
    # 4: being handled; 5: received, not yet handled

    after_crash = Journal(path)
    assert [u["update_id"] for u in after_crash.unfinished()] == [3, 4, 5]
    assert after_crash.claim(3) and not after_crash.claim(2)


def test_a_second_answer_failing_does_not_undo_the_first(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    arrive(journal, 1)
    journal.claim(1)
    journal.sending(1)
    journal.sent(1)  # "evaluating…" went out
    journal.sending(1)
    journal.not_sent(1)  # the report failed
    assert Journal(tmp_path / "journal.sqlite3").unfinished() == []  # not answered twice


def test_an_update_that_kills_every_run_is_dropped_after_three(tmp_path):
    path = tmp_path / "journal.sqlite3"
    arrive(Journal(path), 7)
    for _ in range(3):  # each run claims it and dies handling it
        journal = Journal(path)
        assert [u["update_id"] for u in journal.unfinished()] == [7]
        assert journal.claim(7)
    assert Journal(path).unfinished() == []


def test_an_update_left_by_graceful_stops_is_never_taken_for_a_killer(tmp_path):
    path = tmp_path / "journal.sqlite3"
    arrive(Journal(path), 7)
    for _ in range(5):  # each run claims it and is stopped (SIGTERM) before answering
        journal = Journal(path)
        assert [u["update_id"] for u in journal.unfinished()] == [7]
        assert journal.claim(7)
        journal.release(7)
    assert [u["update_id"] for u in Journal(path).unfinished()] == [7]


def test_an_answer_is_on_its_way_only_once_its_request_is_written_out(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    arrive(journal, 7, 8)
    journal.claim(7)
    journal.claim(8)

    async def send(bot_api: str, update_id: int, method: str) -> None:
        current_update.set(update_id)
        async with httpx.AsyncClient(transport=JournalingTransport(journal)) as client:
            with contextlib.suppress(httpx.ConnectError):
                await client.post(f"{bot_api}/{method}", json={"chat_id": 1001, "text": "7"})

    asyncio.run(send("http://127.0.0.1:9/bot1:a", 7, "sendMessage"))  # refused: never left
    with FakeTelegram() as fake:
        asyncio.run(send(fake.base_url + fake.token, 8, "getMe"))  # not an answer
    assert [u["update_id"] for u in Journal(journal_path(tmp_path)).unfinished()] == [7, 8]

    journal = Journal(journal_path(tmp_path))
    journal.claim(8)
    with FakeTelegram() as fake:
        fake.send_text("/start")  # the chat the answer goes to
        asyncio.run(send(fake.base_url + fake.token, 8, "sendMessage"))  # written out: on its way
    assert [u["update_id"] for u in Journal(journal_path(tmp_path)).unfinished()] == [7]


def journal_path(tmp_path):
    return tmp_path / "journal.sqlite3"


def test_another_bots_journal_in_the_same_data_dir_skips_nothing(tmp_path):
    """A new token against an old DATA_DIR: the old bot's done ids are not this bot's."""
    path = tmp_path / "journal.sqlite3"
    old = Journal(path, bot_id=111)
    arrive(old, 1, 2, 3)
    for update_id in (1, 2, 3):
        old.claim(update_id)
        old.done(update_id)
    new = Journal(path, bot_id=222)
    arrive(new, 1, 2, 3)
    assert all(new.claim(update_id) for update_id in (1, 2, 3))
    assert Journal(path, bot_id=111).unfinished() == [] and not old.claim(1)


def test_answered_updates_keep_only_their_id_and_go_after_a_day(tmp_path, monkeypatch):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path, bot_id=5)
    arrive(journal, 7)
    journal.claim(7)
    journal.done(7)
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT bot, id, body FROM updates").fetchall() == [(5, 7, "")]
    later = time.time() + KEEP_DONE_SECONDS + 1
    monkeypatch.setattr("bot.journal.time.time", lambda: later)
    journal.prune()  # the bot runs this every minute, quiet or not
    arrive(journal, 7)  # Telegram numbered afresh after a week's silence: a new update
    assert journal.claim(7)


def test_a_journal_from_before_bot_ids_keeps_its_unanswered_updates(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE updates (id INTEGER PRIMARY KEY, body TEXT NOT NULL,"
                   " state TEXT NOT NULL, at REAL, attempts INTEGER NOT NULL DEFAULT 0)")
        db.execute("INSERT INTO updates VALUES (1, '{}', 'done', 0, 1)")
        db.execute("INSERT INTO updates VALUES (2, ?, 'new', 0, 0)",
                   ('{"update_id": 2}',))
    journal = Journal(path, bot_id=9)
    assert [u["update_id"] for u in journal.unfinished()] == [2]
    assert journal.claim(1)  # the old answered id no longer blocks anything


def test_an_update_telegram_would_not_take_the_answer_to_is_kept_for_a_later_try(tmp_path):
    path = tmp_path / "journal.sqlite3"
    journal = Journal(path)
    arrive(journal, 1, 2)
    assert journal.claim(1) and journal.later(1)
    journal.done(1)  # the handler returned: the update is still kept, not done
    assert not journal.claim(1)  # nor taken by a resend meanwhile
    assert journal.retry(1)["update_id"] == 1 and journal.retry(1) is None
    assert journal.claim(1)
    journal.later(1)
    assert [u["update_id"] for u in Journal(path).unfinished()] == [1, 2]  # a restart: both

    for _ in range(TRIES_WHILE_TELEGRAM_BUSY):  # then Telegram refuses it at every try
        journal.claim(1)
        kept = journal.later(1)
        journal.retry(1)
    assert not kept
