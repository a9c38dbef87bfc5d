"""Users correct the bot, end to end: a photo answered through the fake Bot API server,
"Wrong?" pressed, a digit chosen or a number typed; what is kept, /stats, /forget, and
a restart between the answer and the press."""

import re
import sqlite3
import time

import numpy as np
import pytest
from PIL import Image

from bot import buttons, messages
from bot.buttons import NUMBER, ONE_DIGIT, Fix
from model import rendering
from model.feedback.corrections import NO_DIGIT
from model.reading.result import Refusal
from testing.bot_process import BotProcess
from testing.fake_telegram import FakeTelegram
from tests.images import jpeg, phone_photo
from tests.texts import english

ADMIN, USER, OTHER = 42, 3001, 3002
COLUMNS = {"answer", "user", "at", "answered", "refusal", "confidence", "corrected",
           "pictures", "checkpoint", "reader"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback-data")


@pytest.fixture(scope="module")
def bot(tmp_path_factory, mnist_path, data_dir):
    """The fake Telegram and a way to (re)start the bot on the same DATA_DIR."""
    workdir = tmp_path_factory.mktemp("feedback-bot")
    with FakeTelegram() as fake:
        running: list[BotProcess] = []

        def start(**settings: str) -> None:
            if running:
                running.pop().stop(timeout=30)
            process = BotProcess(fake, workdir, **{
                "ADMIN_IDS": str(ADMIN), "MNIST_PATH": str(mnist_path),
                "DATA_DIR": str(data_dir), "PHOTOS_PER_MINUTE": "100000", **settings})
            process.wait_until_polling()
            running.append(process)

        start()
        fake.restart_bot = start
        try:
            yield fake
        finally:
            running.pop().stop(timeout=30)


def rows(data_dir) -> list[dict]:
    with sqlite3.connect(data_dir / "feedback.sqlite3") as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM corrections ORDER BY at")]


def digit_photo(mnist, index: int) -> tuple[bytes, int]:
    photo = phone_photo(mnist.test.images[index, ..., 0], np.random.default_rng(index))
    return jpeg(photo), int(mnist.test.labels[index])


def button(call, text: str) -> dict:
    """The button with `text` in the keyboard a call sent."""
    keyboard = call.params["reply_markup"]["inline_keyboard"]
    return next(b for row in keyboard for b in row if b["text"] == text)


def press(telegram, answer: dict, data: str, user: int = USER) -> dict:
    """Press a button of the bot's message `answer` (as it is now); returns the query."""
    return telegram.send_callback_query(data, message=answer, user_id=user)


def fix(choice: str, shown: str, kind: str = ONE_DIGIT) -> str:
    """The callback data of a keypad button under an answer that showed `shown`."""
    return Fix(choice, kind, shown).data(buttons.FIX)


def alert(telegram, query: dict) -> str:
    return telegram.wait_for("answerCallbackQuery", lambda call: call.params[
        "callback_query_id"] == query["id"]).params.get("text") or ""


def keyboard_of(telegram, answer: dict, since: int) -> list[list[dict]]:
    """The keyboard the bot next put under `answer`."""
    edit = telegram.wait_for("editMessageReplyMarkup", lambda call: call.params[
        "message_id"] == answer["message_id"], since=since)
    return edit.params["reply_markup"]["inline_keyboard"]


def test_a_digit_is_corrected_with_the_keypad_and_only_the_promised_fields_are_kept(
        bot, mnist, data_dir):
    photo, label = digit_photo(mnist, 0)
    message = bot.send_photo([photo], user_id=USER)
    answer = bot.replies_to(message)
    wrong = button(answer, english(messages.WRONG_BUTTON))
    assert Fix.parse(wrong["callback_data"]) == Fix(buttons.WRONG_PRESSED, ONE_DIGIT, str(label))

    since = bot.mark()
    assert alert(bot, press(bot, answer.result, wrong["callback_data"])) == ""
    keypad = [b["text"] for row in keyboard_of(bot, answer.result, since) for b in row]
    assert keypad[:10] == [str(d) for d in (*range(1, 10), 0)]
    assert english(messages.NO_DIGIT_BUTTON) in keypad

    said = (label + 1) % 10  # as if the photo showed another digit
    since = bot.mark()
    thanks = alert(bot, press(bot, answer.result, fix(str(said), str(label))))
    assert thanks == english(messages.THANKS, correction=str(said))
    [[saw, shown]] = keyboard_of(bot, answer.result, since)
    assert saw["callback_data"] == buttons.SAW
    assert shown["text"] == english(messages.CORRECTED_BUTTON, correction=str(said))

    [kept] = rows(data_dir)
    assert set(kept) == COLUMNS
    assert kept["corrected"] == str(said) and kept["answered"] == str(label)
    assert 0.5 < kept["confidence"] <= 1 and kept["refusal"] == ""
    pictures = np.frombuffer(kept["pictures"], np.uint8).reshape(-1, 28, 28)
    assert len(pictures) == 1 and pictures.max() > 200  # the digit as the network read it
    assert "digitnet" in kept["checkpoint"] and "reader" in kept["reader"]
    # Nothing that names the user, the chat or the photo: the two keys are salted hashes
    # (32 hex digits, which may hold "3001" by chance), the rest says which network.
    assert all(re.fullmatch(r"[0-9a-f]{32}", kept[key]) for key in ("user", "answer"))
    for text in (kept["checkpoint"], kept["reader"]):
        for secret in (str(USER), f"User{USER}", message["photo"][-1]["file_id"]):
            assert secret not in text


def test_a_number_is_corrected_by_typing_it(bot, mnist, data_dir):
    rng = np.random.default_rng(7)
    picked = [3, 5, 8]
    number = rendering.compose_number(mnist.test.images[picked, ..., 0], rng)
    answer = bot.replies_to(bot.send_photo([rendering.render(number, "clean-white-paper", rng)],
                                           user_id=USER))
    wrong = button(answer, english(messages.WRONG_BUTTON))
    shown = Fix.parse(wrong["callback_data"]).shown
    assert Fix.parse(wrong["callback_data"]).kind == NUMBER and len(shown) == 3
    press(bot, answer.result, wrong["callback_data"])
    prompt = bot.replies_to(answer.result)
    assert prompt.params["text"] == english(messages.TYPE_THE_NUMBER)
    assert prompt.params["reply_markup"]["force_reply"]  # reaches the bot in groups too

    before = len(rows(data_dir))
    typed = bot.send_text("90 12", user_id=USER)
    assert bot.replies_to(typed).params["text"] == english(messages.THANKS, correction="9012")
    assert rows(data_dir)[-1]["corrected"] == "9012"
    assert len(rows(data_dir)) == before + 1
    # The next text is an ordinary message again.
    again = bot.replies_to(bot.send_text("1234", user_id=USER))
    assert again.params["text"] == english(messages.UNSUPPORTED)


def test_other_text_cancels_a_typed_correction(bot, mnist, data_dir):
    photo, _ = digit_photo(mnist, 1)
    answer = bot.replies_to(bot.send_photo([photo], user_id=USER))
    wrong = button(answer, english(messages.WRONG_BUTTON))["callback_data"]
    press(bot, answer.result, wrong)
    press(bot, answer.result, fix(buttons.TYPE, Fix.parse(wrong).shown))
    bot.replies_to(answer.result)  # "Type the number…"
    before = len(rows(data_dir))
    reply = bot.replies_to(bot.send_text("it is a seven", user_id=USER))
    assert reply.params["text"] == english(messages.NOT_CORRECTED)
    assert len(rows(data_dir)) == before


def test_only_the_sender_corrects_and_only_once(bot, mnist, data_dir):
    photo, label = digit_photo(mnist, 2)
    answer = bot.replies_to(bot.send_photo([photo], user_id=USER))
    wrong = button(answer, english(messages.WRONG_BUTTON))["callback_data"]
    shown = str(label)
    for other in (wrong, fix(NO_DIGIT, shown), fix(buttons.CANCEL, shown)):
        assert alert(bot, press(bot, answer.result, other, user=OTHER)) == english(
            messages.NOT_YOUR_PHOTO)
    before = len(rows(data_dir))
    assert alert(bot, press(bot, answer.result, fix(NO_DIGIT, shown))) == english(
        messages.THANKS, correction=english(messages.NO_DIGIT_SAID))
    # An old keypad pressed again (a second client, a double tap) keeps nothing more.
    since = bot.mark()
    assert alert(bot, press(bot, answer.result, fix(shown, shown))) == english(
        messages.ALREADY_CORRECTED)
    assert keyboard_of(bot, answer.result, since)[0][1]["text"] == english(
        messages.CORRECTED_BUTTON, correction=english(messages.NO_DIGIT_SAID))
    assert len(rows(data_dir)) == before + 1 and rows(data_dir)[-1]["corrected"] == NO_DIGIT


def test_a_refusal_can_be_corrected_too(bot, data_dir):
    blank = jpeg(Image.new("RGB", (640, 480), "white"))
    answer = bot.replies_to(bot.send_photo([blank], user_id=USER))
    assert answer.params["text"] == english(messages.REFUSALS[Refusal.NO_WRITING])
    press(bot, answer.result, button(answer, english(messages.WRONG_BUTTON))["callback_data"])
    assert alert(bot, press(bot, answer.result, fix("4", ""))) == english(
        messages.THANKS, correction="4")
    kept = rows(data_dir)[-1]
    assert (kept["answered"], kept["refusal"], kept["corrected"]) == ("", "NO_WRITING", "4")


def test_a_restart_between_answer_and_press_changes_nothing(bot, mnist, data_dir):
    photo, label = digit_photo(mnist, 3)
    answer = bot.replies_to(bot.send_photo([photo], user_id=USER))
    wrong = button(answer, english(messages.WRONG_BUTTON))["callback_data"]
    bot.restart_bot()
    since = bot.mark()
    press(bot, answer.result, wrong)
    assert keyboard_of(bot, answer.result, since)[0][0]["text"] == "1"
    bot.restart_bot()
    said = (label + 3) % 10
    assert alert(bot, press(bot, answer.result, fix(str(said), str(label)))) == english(
        messages.THANKS, correction=str(said))
    assert rows(data_dir)[-1]["corrected"] == str(said)


def test_stats_shows_corrections_and_forget_deletes_them(bot, mnist, data_dir):
    photo, label = digit_photo(mnist, 4)
    said = (label + 5) % 10
    for _ in range(2):  # the same confusion twice: the most frequent
        answer = bot.replies_to(bot.send_photo([photo], user_id=OTHER))
        press(bot, answer.result, button(answer, english(messages.WRONG_BUTTON))[
            "callback_data"], user=OTHER)
        alert(bot, press(bot, answer.result, fix(str(said), str(label)), user=OTHER))
    corrected = len(rows(data_dir))

    stats = bot.replies_to(bot.send_text("/stats", user_id=ADMIN)).params["text"]
    assert f"Corrected by users: {corrected} in 24 hours" in stats
    confusions = stats.split(english(messages.STATS_CONFUSIONS))[1].splitlines()
    assert confusions[1].strip() == english(messages.CONFUSION, shows=said, said=label, count=2)
    assert "Median time to answer" in stats and "Photos answered: " in stats
    refused = bot.replies_to(bot.send_text("/stats", user_id=USER)).params["text"]
    assert refused == english(messages.NOT_ADMIN, command="/stats")

    users = {row["user"] for row in rows(data_dir)}
    assert len(users) == 2
    forgotten = bot.replies_to(bot.send_text("/forget", user_id=USER)).params["text"]
    assert forgotten == english(messages.FORGOTTEN, n=corrected - 2)
    assert [left["corrected"] for left in rows(data_dir)] == [str(said)] * 2
    with sqlite3.connect(data_dir / "journal.sqlite3") as db:  # answered: only ids kept
        bodies = [body for (body,) in db.execute("SELECT body FROM updates WHERE state = 'done'")]
    assert bodies and all(body == "" for body in bodies)


def test_an_answer_the_bot_now_reads_otherwise_is_not_corrected(bot, mnist, data_dir):
    photo, label = digit_photo(mnist, 6)
    answer = bot.replies_to(bot.send_photo([photo], user_id=USER))
    before = len(rows(data_dir))
    shown_then = str((label + 1) % 10)  # as if an earlier version had answered this
    assert alert(bot, press(bot, answer.result, fix("3", shown_then))) == english(
        messages.READ_DIFFERENTLY)
    bot.fail_next("getFile", 400, "Bad Request: wrong file_id or the file is temporarily"
                  " unavailable")
    assert alert(bot, press(bot, answer.result, fix("3", str(label)))) == english(
        messages.CORRECTION_FAILED)
    assert len(rows(data_dir)) == before


def test_a_press_over_the_limit_is_answered_but_not_handled(bot, mnist):
    bot.restart_bot(PHOTOS_PER_MINUTE="2")
    photo, _ = digit_photo(mnist, 7)
    answer = bot.replies_to(bot.send_photo([photo], user_id=USER))
    bot.replies_to(bot.send_text("/help", user_id=USER))
    note = bot.replies_to(bot.send_text("/help", user_id=USER))  # the third message
    assert note.params["text"].startswith("You're sending faster")
    edits = len(bot.calls("editMessageReplyMarkup"))
    query = press(bot, answer.result, button(answer, english(messages.WRONG_BUTTON))[
        "callback_data"])
    assert alert(bot, query) == ""  # answered, so the button does not spin
    time.sleep(1)
    assert len(bot.calls("editMessageReplyMarkup")) == edits  # but no keypad


def test_feedback_off_offers_no_correction_and_forget_still_deletes(bot, mnist, data_dir):
    bot.restart_bot(FEEDBACK="off")
    photo, _ = digit_photo(mnist, 5)
    answer = bot.replies_to(bot.send_photo([photo], user_id=OTHER))
    [[only]] = answer.params["reply_markup"]["inline_keyboard"]
    assert only["callback_data"] == buttons.SAW
    stats = bot.replies_to(bot.send_text("/stats", user_id=ADMIN)).params["text"]
    assert english(messages.STATS_NO_FEEDBACK) in stats
    kept = len(rows(data_dir))
    assert kept > 0  # OTHER's, from before FEEDBACK was turned off
    forgotten = bot.replies_to(bot.send_text("/forget", user_id=OTHER)).params["text"]
    assert forgotten == english(messages.FORGOTTEN, n=kept)
    assert rows(data_dir) == []
