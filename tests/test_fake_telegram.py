"""Tests of the fake Bot API server, driven by the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
import datetime as dtm
import http.client
import io
import json
import os
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
from PIL import Image
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    ApplicationBuilder,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from testing.fake_telegram import FakeTelegram


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def make_bot(fake: FakeTelegram, token: str | None = None) -> Bot:
    return Bot(token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


def image_bytes(width: int, height: int, fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (width, height), color=200).save(buffer, format=fmt)
    return buffer.getvalue()


def test_get_me_returns_the_bot_user(fake: FakeTelegram) -> None:
    async def scenario() -> None:
        async with make_bot(fake) as bot:  # initialize() already calls getMe
            me = await bot.get_me()
            assert me.id == 123456789
            assert me.is_bot
            assert me.username == "digits_test_bot"
            assert bot.can_join_groups is True

    asyncio.run(scenario())
    assert [call.method for call in fake.requests] == ["getMe", "getMe"]


def test_wrong_token_is_rejected(fake: FakeTelegram) -> None:
    async def scenario() -> None:
        bot = make_bot(fake, token="987654321:wrong-token")
        with pytest.raises(InvalidToken):
            await bot.initialize()
        await bot.shutdown()

    asyncio.run(scenario())
    assert fake.requests[-1].status == 401


def test_get_updates_confirms_with_offset(fake: FakeTelegram) -> None:
    first = fake.send_text("hello", language_code=None)
    second = fake.send_text("/start@digits_test_bot now", user_id=7, chat_id=-100)

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            updates = await bot.get_updates(timeout=0)
            assert [u.update_id for u in updates] == [1, 2]
            assert updates[0].message.text == "hello"
            assert updates[0].message.from_user.language_code is None
            assert updates[0].message.chat.type == "private"
            command = updates[1].message
            assert command.chat.id == -100
            assert command.from_user.id == 7
            assert command.parse_entities(["bot_command"]) != {}
            assert command.entities[0].length == len("/start@digits_test_bot")

            updates = await bot.get_updates(offset=2, timeout=0)
            assert [u.update_id for u in updates] == [2]
            assert await bot.get_updates(offset=3, timeout=0) == ()
            assert fake.pending_updates() == []

    asyncio.run(scenario())
    assert first["message_id"] < second["message_id"]
    assert fake.calls("getUpdates")[1].params == {"offset": 2, "timeout": 0}


def test_get_updates_long_polls_without_delaying(fake: FakeTelegram) -> None:
    async def scenario() -> None:
        async with make_bot(fake) as bot:
            started = time.monotonic()
            assert await bot.get_updates(timeout=30) == ()  # capped at about one second
            assert 0.8 < time.monotonic() - started < 3

            threading.Timer(0.2, fake.send_text, args=("late",)).start()
            started = time.monotonic()
            updates = await bot.get_updates(timeout=30)
            assert time.monotonic() - started < 0.9
            assert updates[0].message.text == "late"

    asyncio.run(scenario())


def test_photo_file_can_be_fetched_and_downloaded(fake: FakeTelegram) -> None:
    small, large = image_bytes(9, 7, "JPEG"), image_bytes(90, 70, "JPEG")
    message = fake.send_photo([small, large], caption="my digit")

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            (update,) = await bot.get_updates(timeout=0)
            photo = update.message.photo
            assert [(p.width, p.height, p.file_size) for p in photo] == [
                (9, 7, len(small)),
                (90, 70, len(large)),
            ]
            assert update.message.caption == "my digit"
            file = await bot.get_file(photo[-1].file_id)
            assert file.file_path.startswith(f"{fake.base_file_url}{fake.token}/photos/")
            assert bytes(await file.download_as_bytearray()) == large
            with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
                await bot.get_file("no-such-file")

    asyncio.run(scenario())
    assert message["photo"][0]["file_id"] != message["photo"][1]["file_id"]


def test_huge_documents_cannot_be_downloaded(fake: FakeTelegram) -> None:
    fake.send_document(b"%PDF-1.4", "scan.pdf", "application/pdf", file_size=50_000_000)

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            (update,) = await bot.get_updates(timeout=0)
            document = update.message.document
            assert (document.file_name, document.file_size) == ("scan.pdf", 50_000_000)
            with pytest.raises(BadRequest, match=r"(?i)file is too big"):
                await bot.get_file(document.file_id)

    asyncio.run(scenario())


def test_send_message_with_reply_and_keyboard(fake: FakeTelegram) -> None:
    incoming = fake.send_text("what digit?")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Right", callback_data="ok:1")]])

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            sent = await bot.send_message(
                chat_id=incoming["chat"]["id"],
                text="It is a 7",
                reply_parameters=ReplyParameters(message_id=incoming["message_id"]),
                reply_markup=keyboard,
            )
            assert sent.text == "It is a 7"
            assert sent.from_user.id == fake.bot_id
            assert sent.reply_markup == keyboard
            assert sent.reply_to_message.message_id == incoming["message_id"]

            with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
                await bot.send_message(1001, "x", reply_to_message_id=999)
            with pytest.raises(BadRequest, match=r"(?i)message is too long"):
                await bot.send_message(1001, "9" * 4097)

    asyncio.run(scenario())
    reply = fake.replies_to(incoming, timeout=1)
    assert reply.params["chat_id"] == 1001
    assert reply.params["text"] == "It is a 7"
    assert reply.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Right", "callback_data": "ok:1"}]]
    }
    assert reply.result["message_id"] > incoming["message_id"]


def test_send_photo_uploads_multipart(fake: FakeTelegram) -> None:
    picture = image_bytes(28, 28)
    blob = os.urandom(4096) + b"\r\n--boundary\r\n\r\n" + bytes(range(256))

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            sent = await bot.send_photo(1001, photo=picture, caption="Prédiction: 7 ✓")
            assert (sent.photo[0].width, sent.photo[0].height) == (28, 28)
            file = await bot.get_file(sent.photo[0].file_id)
            assert bytes(await file.download_as_bytearray()) == picture

            document = await bot.send_document(1001, document=blob, filename="raw.bin")
            assert document.document.file_name == "raw.bin"

    asyncio.run(scenario())
    photo_call = fake.wait_for("sendPhoto", timeout=1)
    assert photo_call.files == {"photo": picture}
    assert photo_call.params == {"chat_id": 1001, "caption": "Prédiction: 7 ✓"}
    assert fake.wait_for("sendDocument", timeout=1).files["document"] == blob


def test_chat_action_and_commands(fake: FakeTelegram) -> None:
    async def scenario() -> None:
        async with make_bot(fake) as bot:
            assert await bot.send_chat_action(1001, ChatAction.UPLOAD_PHOTO) is True
            commands = [BotCommand("start", "Start the bot"), BotCommand("help", "Get help")]
            assert await bot.set_my_commands(commands) is True
            assert await bot.get_my_commands() == tuple(commands)
            assert await bot.get_my_commands(language_code="de") == ()
            assert await bot.set_my_description("Reads digits") is True
            assert (await bot.get_my_description()).description == "Reads digits"

    asyncio.run(scenario())
    assert fake.wait_for("sendChatAction").params == {"chat_id": 1001, "action": "upload_photo"}
    assert fake.wait_for("setMyCommands").params["commands"] == [
        {"command": "start", "description": "Start the bot"},
        {"command": "help", "description": "Get help"},
    ]


@pytest.mark.filterwarnings("ignore:.*retry_after.*:DeprecationWarning")
def test_injected_failures_surface_as_telegram_errors(fake: FakeTelegram) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    fake.fail_next("sendMessage", times=2)

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            with pytest.raises(RetryAfter) as flood:
                await bot.send_message(1001, "one")
            retry_after = flood.value.retry_after
            if isinstance(retry_after, dtm.timedelta):
                retry_after = int(retry_after.total_seconds())
            assert retry_after == 3
            for _ in range(2):
                with pytest.raises(TelegramError, match="Internal Server Error"):
                    await bot.send_message(1001, "two")
            assert (await bot.send_message(1001, "three")).text == "three"

    asyncio.run(scenario())
    assert [call.status for call in fake.calls("sendMessage")] == [429, 500, 500, 200]


def test_delayed_answer_times_out_the_client(fake: FakeTelegram) -> None:
    fake.delay_next("sendMessage", 0.6)

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(1001, "slow", read_timeout=0.2)
            assert (await bot.send_message(1001, "fast", read_timeout=0.2)).text == "fast"

    asyncio.run(scenario())
    slow = fake.wait_for("sendMessage", lambda call: call.params["text"] == "slow", timeout=2)
    assert slow.status == 200


def test_callback_query_and_edit(fake: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Wrong", callback_data="no")]])

    async def scenario() -> None:
        async with make_bot(fake) as bot:
            sent = await bot.send_message(1001, "It is a 3", reply_markup=keyboard)
            query = await asyncio.to_thread(
                fake.send_callback_query, "no", fake.wait_for("sendMessage").result
            )
            (update,) = await bot.get_updates(timeout=0)
            assert update.callback_query.id == query["id"]
            assert update.callback_query.data == "no"
            assert update.callback_query.message.message_id == sent.message_id
            assert await update.callback_query.answer("Thanks!") is True
            edited = await update.callback_query.edit_message_text("Thanks for the correction")
            assert edited.text == "Thanks for the correction"
            assert edited.reply_markup is None
            with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
                await bot.edit_message_text("x", chat_id=1001, message_id=12345)

    asyncio.run(scenario())
    assert fake.wait_for("answerCallbackQuery").params["text"] == "Thanks!"


def test_raw_http_errors_and_keep_alive(fake: FakeTelegram) -> None:
    connection = http.client.HTTPConnection(fake.root.removeprefix("http://"), timeout=5)
    try:
        connection.request("POST", f"/bot{fake.token}/noSuchMethod")
        response = connection.getresponse()
        assert response.status == 404
        assert json.loads(response.read())["description"] == "Not Found: method not found"

        # A malformed nested parameter makes the handler fail: a 500 answer, not a hang.
        body = "chat_id=1001&text=hi&reply_parameters=%5B1%5D"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        connection.request("POST", f"/bot{fake.token}/sendMessage", body, headers)
        response = connection.getresponse()
        assert response.status == 500
        assert json.loads(response.read())["ok"] is False

        connection.request("GET", f"/file/bot{fake.token}/photos/missing.jpg")
        response = connection.getresponse()
        assert response.status == 404
        response.read()
    finally:
        connection.close()
    assert len(fake.errors) == 1
    url = f"{fake.base_url}{fake.token}/getMe"
    with urllib.request.urlopen(url, timeout=5) as response:
        assert json.loads(response.read())["result"]["username"] == "digits_test_bot"


def test_wait_for_reports_what_it_saw(fake: FakeTelegram) -> None:
    asyncio.run(make_bot(fake).get_me())
    with pytest.raises(AssertionError, match="methods seen since #0: getMe"):
        fake.wait_for("sendMessage", timeout=0.1)


def test_application_polls_and_replies(fake: FakeTelegram) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Echo the text back as a reply."""
        await update.message.reply_text(f"echo: {update.message.text}", do_quote=True)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet without quoting (PTB's default in private chats)."""
        await update.message.reply_text("Send me a digit")

    async def scenario() -> None:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        app.add_handler(CommandHandler("start", start))
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            message = fake.send_text("seven")
            reply = await asyncio.to_thread(fake.replies_to, message, 10)
            assert reply.params["text"] == "echo: seven"
            command = fake.send_text("/start")
            greeting = await asyncio.to_thread(fake.replies_to, command, 10, None, False)
            assert greeting.params["text"] == "Send me a digit"
            assert "reply_parameters" not in greeting.params
            await app.updater.stop()
            await app.stop()

    started = time.monotonic()
    asyncio.run(scenario())
    assert time.monotonic() - started < 8
    assert fake.calls("deleteWebhook")
    assert fake.pending_updates() == []  # the final getUpdates confirmed the update
