"""Hosting the bot: start-up and polling failures, driven through the real `python -m bot`.

Each test starts the bot against the fake Bot API server with a fault injected, and checks
what a self-hoster sees: the exit code, a few lines naming what to fix, and never the token.
"""

import io
import json
import pickle
import re
import shutil
import signal
import sqlite3
import time
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from prometheus_client.parser import text_string_to_metric_families

from bot import buttons, i18n, messages
from model.reading import checkpoint
from testing.bot_process import BotProcess
from testing.fake_telegram import FakeTelegram
from testing.redis_server import free_port
from tests.images import jpeg, phone_photo
from tests.texts import english

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake():
    with FakeTelegram() as server:
        yield server


@pytest.fixture
def start_bot(tmp_path, fake):
    started = []

    def start(**settings: str) -> BotProcess:
        bot = BotProcess(fake, tmp_path, **settings)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.stop()


def first_line(call) -> str:
    return call.params["text"].splitlines()[0]


def press_button(fake, menu, label: str, **user):
    """Press the button labelled `label` under the bot's message `menu`; the bot's edit."""
    button = next(button for row in menu.params["reply_markup"]["inline_keyboard"]
                  for button in row if button["text"] == label)
    fake.send_callback_query(button["callback_data"], message=menu.result, **user)
    return fake.wait_for("editMessageText", timeout=30)


def assert_short_and_secret(output: str, token: str, most_lines: int = 4) -> None:
    assert token not in output
    assert "Traceback" not in output
    our_lines = [line for line in output.splitlines() if " bot" in line or "Telegram" in line]
    assert 1 <= len(our_lines) <= most_lines, output


@pytest.mark.parametrize("status, description", [(401, "Unauthorized"), (404, "Not Found")])
def test_a_rejected_token_at_start_up_is_one_line_and_exit_1(fake, start_bot, status,
                                                               description):
    fake.fail_next("getMe", status, description)
    bot = start_bot()
    assert bot.exit_code() == 1
    assert "TELEGRAM_BOT_TOKEN" in bot.output and "@BotFather" in bot.output
    assert_short_and_secret(bot.output, fake.token)
    assert not fake.calls("getUpdates")


def test_a_token_rejected_while_polling_stops_the_bot_with_exit_1(fake, start_bot):
    bot = start_bot()
    fake.wait_for("getUpdates", timeout=120)
    fake.fail_next("getUpdates", 401, "Unauthorized", times=3)  # its last poll while stopping too
    assert bot.exit_code(timeout=60) == 1  # not alive and deaf: the supervisor restarts it
    assert "rejected TELEGRAM_BOT_TOKEN while polling" in bot.output
    assert_short_and_secret(bot.output, fake.token)


def test_start_up_waits_out_telegram_errors_and_then_serves(fake, start_bot):
    fake.fail_next("getMe", 500, times=2)
    fake.fail_next("getMe", 429, "Too Many Requests: retry after 1", retry_after=1)
    fake.fail_next("setMyCommands", 500, times=5)  # no menu: the bot works all the same
    bot = start_bot()
    fake.wait_for("getUpdates", timeout=120)
    reply = fake.replies_to(fake.send_text("/help"))
    assert reply.params["text"] == english(messages.HELP)
    tries = [line for line in bot.output.splitlines() if "did not answer at start-up" in line]
    assert len(tries) == 2, bot.output  # the 500s
    assert "Rate limit hit. Retrying after 1" in bot.output  # the 429, as long as asked
    assert "Could not set the command menu" in bot.output
    assert fake.token not in bot.output and "Traceback" not in bot.output


def test_an_unreachable_bot_api_is_retried_with_one_line_per_attempt(fake, start_bot):
    bot = start_bot(TELEGRAM_BASE_URL="http://127.0.0.1:9")  # the discard port: refused
    deadline = time.monotonic() + 120
    while bot.output.count("trying again") < 3 and time.monotonic() < deadline:
        assert bot.process.poll() is None, bot.output
        time.sleep(0.5)
    assert bot.output.count("trying again") >= 3, bot.output
    assert fake.token not in bot.output and "Traceback" not in bot.output


def test_ctrl_c_while_start_up_waits_is_one_line(fake, start_bot):
    bot = start_bot(TELEGRAM_BASE_URL="http://127.0.0.1:9")  # refused: start-up retries
    deadline = time.monotonic() + 60
    while "trying again" not in bot.output and time.monotonic() < deadline:
        time.sleep(0.2)
    bot.process.send_signal(signal.SIGINT)
    assert bot.exit_code(timeout=30) == 130
    after = bot.output.split("trying again", 1)[1].splitlines()[1:]
    assert len(after) == 1 and "Stopped" in after[0], bot.output
    assert "Traceback" not in bot.output and fake.token not in bot.output


def test_a_new_token_on_an_old_data_dir_answers_every_update(tmp_path, mnist_path):
    """The journal of the bot that used DATA_DIR before does not make this one skip
    updates whose ids it had answered (Telegram numbers each bot's updates itself)."""
    data = tmp_path / "data"
    for token in ("111111:first-bot-token", "222222:second-bot-token"):
        with FakeTelegram(token=token, bot_id=int(token.split(":")[0])) as server:
            bot = BotProcess(server, tmp_path, DATA_DIR=str(data), MNIST_PATH=str(mnist_path))
            try:
                bot.wait_until_polling()
                for _ in range(3):  # update ids 1, 2, 3 on each server
                    reply = server.replies_to(server.send_text("/help"))
                    assert reply.params["text"] == english(messages.HELP)
            finally:
                bot.stop()


def test_a_base_url_in_python_telegram_bots_form_reaches_the_same_server(fake, start_bot):
    start_bot(TELEGRAM_BASE_URL=f"{fake.root}/bot")
    reply = fake.replies_to(fake.send_text("/start"), timeout=120)
    assert reply.params["text"] == english(messages.WELCOME)


def test_allowed_users_are_served_others_refused_once_and_floods_cost_one_note(fake, start_bot):
    start_bot(ALLOWED_USER_IDS="7,8", ADMIN_IDS="42", PHOTOS_PER_MINUTE="3")
    fake.wait_for("getUpdates", timeout=120)

    def sent_to(chat_id: int) -> list[str]:
        return [call.params["text"] for call in fake.calls("sendMessage")
                if call.params["chat_id"] == chat_id and call.status == 200]

    for _ in range(3):
        fake.send_text("/help", user_id=9)  # not on the list
    flood = [fake.send_text("/help", user_id=7) for _ in range(12)]
    reply = fake.replies_to(fake.send_text("/help", user_id=8))
    assert reply.params["text"] == english(messages.HELP)
    assert fake.replies_to(fake.send_text("/start", user_id=42)).params["text"] == (
        english(messages.WELCOME))  # admins are always let in
    deadline = time.monotonic() + 30
    while len(sent_to(7)) < 4 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # anything more would have been sent by now

    assert sent_to(9) == [english(messages.NOT_ALLOWED)]
    answers = sent_to(7)
    assert len(flood) == 12 and len(answers) == 4, answers
    [note] = [text for text in answers if text != english(messages.HELP)]
    seconds = int(re.search(r"Try again in (\d+) seconds?\.", note).group(1))
    assert 1 <= seconds <= 60


def answers_to(fake, message) -> list:
    """The replies Telegram accepted that quote `message`."""
    return [call for call in fake.calls("sendMessage") if call.status == 200
            and call.params["chat_id"] == message["chat"]["id"]
            and call.params.get("reply_parameters", {}).get("message_id")
            == message["message_id"]]


def test_sigterm_stops_within_docker_s_grace_period_and_the_next_start_answers(
    fake, start_bot, mnist
):
    bot = start_bot()
    fake.wait_for("getUpdates", timeout=120)
    rng = np.random.default_rng(4)
    photo = lambda k: jpeg(phone_photo(mnist.test.images[k, ..., 0], rng))  # noqa: E731
    fake.delay_next("downloadFile", 120)  # Telegram's file server stops answering
    hung = fake.send_photo([photo(0)], user_id=8100)
    fake.wait_for("getFile", lambda call: call.params["file_id"] == hung["photo"][-1]["file_id"])
    fake.fail_randomly(["sendMessage"], rate=1.0)  # and no reply gets through
    stuck = [fake.send_photo([photo(k)], user_id=8100 + k) for k in (1, 2, 3)]
    fake.wait_for("sendMessage", lambda call: call.status == 500, timeout=60)
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_code(timeout=8) == 0  # docker stop waits 10 s, then kills
    assert "updates not answered in time are left for the next start" in bot.output, bot.output

    fake.cancel_delays("downloadFile")
    fake.fail_randomly(["sendMessage"], rate=0)  # Telegram is well again
    start_bot()
    deadline = time.monotonic() + 180
    while not all(answers_to(fake, m) for m in [hung, *stuck]) and time.monotonic() < deadline:
        time.sleep(0.2)
    for k, message in enumerate([hung, *stuck]):
        assert int(first_line(answers_to(fake, message)[0])[0]) == int(mnist.test.labels[k])
    time.sleep(1.0)  # a second answer would have come by now
    assert [len(answers_to(fake, message)) for message in [hung, *stuck]] == [1, 1, 1, 1]


def test_photos_in_flight_when_the_bot_is_killed_are_answered_once_after_a_restart(
    fake, start_bot, mnist
):
    bot = start_bot()
    fake.wait_for("getUpdates", timeout=120)
    fake.delay_next("downloadFile", 30, times=5)  # so that all five are in flight
    rng = np.random.default_rng(3)
    labels = [int(mnist.test.labels[k]) for k in range(5)]
    photos = [fake.send_photo([jpeg(phone_photo(mnist.test.images[k, ..., 0], rng))],
                              user_id=8000 + k) for k in range(5)]
    for photo in photos:
        fake.wait_for("getFile", lambda call, p=photo: call.params["file_id"]
                      == p["photo"][-1]["file_id"])
    deadline = time.monotonic() + 30
    while fake.pending_updates() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not fake.pending_updates()  # Telegram was told they arrived: it will not resend
    time.sleep(0.5)  # the downloads are under way
    bot.process.kill()  # as the kernel's out-of-memory killer would
    bot.process.wait()
    fake.cancel_delays("downloadFile")  # Telegram's file server is well again

    start_bot()
    replies = [fake.replies_to(photo, timeout=120) for photo in photos]
    assert [int(first_line(reply)[0]) for reply in replies] == labels
    time.sleep(1.0)  # a second answer would have come by now
    for photo in photos:
        answers = [call for call in fake.calls("sendMessage") if call.params.get(
            "reply_parameters", {}).get("message_id") == photo["message_id"]
            and call.params["chat_id"] == photo["chat"]["id"]]
        assert len(answers) == 1


def test_an_answer_telegram_refuses_past_the_deadline_is_kept_and_given_later(
    fake, start_bot, mnist
):
    """Telegram answers every sendMessage with 429 for 12 seconds; the bot gives each
    answer up after REPLY_DEADLINE_SECONDS (2 s here, 3 minutes by default) but keeps the
    update, reads the photo again later, and every user gets their digit, once, without a
    "something went wrong"."""
    bot = start_bot(REPLY_DEADLINE_SECONDS="2")
    fake.wait_for("getUpdates", timeout=120)
    fake.fail_randomly(["sendMessage"], rate=1.0, faults=[(429, 1)])
    rng = np.random.default_rng(4)
    labels = [int(mnist.test.labels[k]) for k in range(10, 13)]
    photos = [fake.send_photo([jpeg(phone_photo(mnist.test.images[k, ..., 0], rng))],
                              user_id=8100 + k) for k in range(10, 13)]
    time.sleep(12)
    fake.fail_randomly(["sendMessage"], rate=0)

    def delivered(photo):
        return [call for call in fake.calls("sendMessage") if call.status == 200
                and call.params.get("reply_parameters", {}).get("message_id")
                == photo["message_id"] and call.params["chat_id"] == photo["chat"]["id"]]

    deadline = time.monotonic() + 90
    while not all(delivered(photo) for photo in photos) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(1.0)  # a second answer would have come by now
    answers = [delivered(photo) for photo in photos]
    assert [len(each) for each in answers] == [1, 1, 1]
    assert [int(first_line(each[0])[0]) for each in answers] == labels
    assert all(call.params["text"] != english(messages.SOMETHING_WENT_WRONG)
               for call in fake.calls("sendMessage"))
    assert "kept and tried again" in bot.output


def test_a_stop_while_answers_wait_for_telegram_exits_at_once_and_the_next_start_answers(
    fake, start_bot, mnist
):
    """Telegram refuses answers past the deadline (10 s here). A stranger's refusal note
    (ALLOWED_USER_IDS) refused so does not let their photo be read once Telegram is well.
    A user's answer refused so is kept; SIGTERM while it waits for its next try stops the
    bot at once, and the next start answers it."""
    allowed, stranger = 8300, 8301
    bot = start_bot(REPLY_DEADLINE_SECONDS="10", ALLOWED_USER_IDS=str(allowed))
    fake.wait_for("getUpdates", timeout=120)
    rng = np.random.default_rng(5)
    photo = jpeg(phone_photo(mnist.test.images[7, ..., 0], rng))

    def refused_past_the_deadline(times: int) -> None:
        deadline = time.monotonic() + 60
        while bot.output.count("kept and tried again") < times and time.monotonic() < deadline:
            time.sleep(0.1)

    fake.fail_randomly(["sendMessage"], rate=1.0, faults=[(429, 1)])
    theirs = fake.send_photo([photo], user_id=stranger)
    refused_past_the_deadline(1)
    fake.fail_randomly(["sendMessage"], rate=0)
    time.sleep(2.0)  # a reading would have come by now
    told = [call.params["text"] for call in fake.calls("sendMessage")
            if call.params["chat_id"] == theirs["chat"]["id"] and call.status == 200]
    assert told == []  # neither the note (refused) nor, after it, a reading

    fake.fail_randomly(["sendMessage"], rate=1.0, faults=[(429, 1)])
    mine = fake.send_photo([photo], user_id=allowed)
    refused_past_the_deadline(2)
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_code(timeout=5) == 0  # not held up by the retry waiting its turn

    fake.fail_randomly(["sendMessage"], rate=0)
    start_bot(ALLOWED_USER_IDS=str(allowed))
    deadline = time.monotonic() + 60
    while not answers_to(fake, mine) and time.monotonic() < deadline:
        time.sleep(0.1)
    [answer] = answers_to(fake, mine)
    assert int(first_line(answer)[0]) == int(mnist.test.labels[7])


def test_a_broken_checkpoint_stops_start_up_in_one_line(fake, start_bot, tmp_path):
    served = tmp_path / "broken.tflite"
    shutil.copy(checkpoint.DEFAULT_SERVED_MODEL, served)
    checkpoint.metadata_path(served).write_text('["not", "an", "object"]')
    bot = start_bot(CHECKPOINT=str(served))
    assert bot.exit_code() == 1
    assert "Cannot start" in bot.output and "CHECKPOINT" in bot.output
    assert_short_and_secret(bot.output, fake.token)


def webhook_settings(port: int) -> dict[str, str]:
    return {"WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram",
            "WEBHOOK_LISTEN": f"127.0.0.1:{port}", "WEBHOOK_SECRET": SECRET}


SECRET = "a-secret-of-32-characters-000000"


def test_webhook_replicas_share_the_work_and_refuse_requests_without_the_secret(
    fake, start_bot, mnist, tmp_path
):
    port_a, port_b = free_port(), free_port()
    start_bot(**webhook_settings(port_a))
    fake.wait_for("setWebhook", timeout=120)
    assert not fake.calls("getUpdates")
    photo = fake.send_photo([jpeg(phone_photo(mnist.test.images[0, ..., 0],
                                              np.random.default_rng(5)))])
    answer = fake.replies_to(photo, timeout=60)
    assert first_line(answer).startswith(str(int(mnist.test.labels[0])))
    deadline = time.monotonic() + 30
    while not (tmp_path / "heartbeat").is_file() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert (tmp_path / "heartbeat").is_file()  # the health check sees a live webhook

    forged = urllib.request.Request(
        f"http://127.0.0.1:{port_a}/telegram", method="POST",
        data=json.dumps({"update_id": 999_999, "message": {}}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=10)
    assert refused.value.code == 403

    # A second replica (here: the load balancer sends the press to it) has never seen the
    # photo, and answers the button all the same: it reads the photo the answer replies to.
    start_bot(**webhook_settings(port_b), DATA_DIR=str(tmp_path / "replica-b"))
    fake.wait_for("setWebhook", lambda call: str(port_b) in call.params["url"], timeout=120)
    button = answer.params["reply_markup"]["inline_keyboard"][0][0]
    fake.send_callback_query(button["callback_data"], message=answer.result)
    picture = fake.wait_for("sendPhoto", lambda call: call.params.get("caption")
                            == english(messages.SAW_CAPTION), timeout=60)
    assert Image.open(io.BytesIO(picture.files["photo"])).width > 100
    # So does "Wrong?" and its keypad: the correction is read from the photo, on B.
    wrong = answer.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"]
    fake.send_callback_query(wrong, message=answer.result, user_id=photo["from"]["id"])
    fake.wait_for("editMessageReplyMarkup", timeout=60)
    shown = buttons.Fix.parse(wrong).shown
    press = fake.send_callback_query(buttons.Fix(buttons.NO_DIGIT, buttons.ONE_DIGIT, shown)
                                     .data(buttons.FIX), message=answer.result,
                                     user_id=photo["from"]["id"])
    thanks = fake.wait_for("answerCallbackQuery", lambda call: call.params[
        "callback_query_id"] == press["id"], timeout=60)
    assert thanks.params["text"] == english(messages.THANKS,
                                            correction=english(messages.NO_DIGIT_SAID))
    with sqlite3.connect(tmp_path / "replica-b" / "feedback.sqlite3") as kept:
        assert kept.execute("SELECT corrected FROM corrections").fetchall() == [("none",)]


def kept_about_users(tmp_path: Path) -> dict:
    """The languages kept in DATA_DIR's shared state (without REDIS_URL), by user id."""
    with sqlite3.connect(tmp_path / "data" / "state.sqlite3") as kept:
        rows = kept.execute("SELECT key, value FROM state").fetchall()
    return {int(key.removeprefix("language:")): value.decode() for key, value in rows
            if key.startswith("language:")}


def test_a_language_chosen_with_slash_language_survives_a_restart(fake, start_bot, tmp_path):
    (tmp_path / "data").mkdir()
    with (tmp_path / "data" / "languages.pickle").open("wb") as before:  # an older version's
        pickle.dump({"user_data": {79: {"language": "ru"}, 80: {}}, "bot_data": {}}, before)
    bot = start_bot()
    fake.wait_for("getUpdates", timeout=120)
    menu = fake.replies_to(fake.send_text("/language", user_id=77, language_code="en"))
    assert menu.params["text"] == english(messages.CHOOSE_LANGUAGE)
    buttons = {button["text"]: button for row in menu.params["reply_markup"]["inline_keyboard"]
               for button in row}
    assert {"English", "Русский", "简体中文", english(messages.AUTOMATIC)} <= set(buttons)
    confirmed = press_button(fake, menu, "Deutsch", user_id=77, language_code="en")
    assert confirmed.params["text"] == "Ab jetzt antworte ich auf Deutsch."
    fake.replies_to(fake.send_text("/help", user_id=78, language_code="en"))  # no choice
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_code(timeout=8) == 0
    assert kept_about_users(tmp_path) == {77: "de", 79: "ru"}  # and nothing about 78
    assert not (tmp_path / "data" / "languages.pickle").exists()  # moved, not copied

    bot = start_bot()
    reply = fake.replies_to(fake.send_text("/help", user_id=77, language_code="en"), timeout=120)
    assert reply.params["text"] == messages.say(i18n.language("de"), messages.HELP)
    auto = fake.replies_to(fake.send_text("/language auto", user_id=77, language_code="en"))
    assert auto.params["text"] == english(messages.LANGUAGE_AUTOMATIC)
    reply = fake.replies_to(fake.send_text("/help", user_id=77, language_code="en"))
    assert reply.params["text"] == english(messages.HELP)
    reply = fake.replies_to(fake.send_text("/help", user_id=79, language_code="en"))
    assert reply.params["text"] == messages.say(i18n.language("ru"), messages.HELP)
    bot.process.send_signal(signal.SIGTERM)
    assert bot.exit_code(timeout=8) == 0
    assert kept_about_users(tmp_path) == {79: "ru"}  # /language auto forgot 77's choice


def test_metrics_count_photos_by_outcome_latency_retries_and_work_in_flight(
    fake, start_bot, mnist
):
    port = free_port()
    start_bot(METRICS_LISTEN=f"127.0.0.1:{port}")
    fake.wait_for("getUpdates", timeout=120)
    fake.fail_next("sendMessage", 500, "Internal Server Error")
    rng = np.random.default_rng(6)
    digit = fake.send_photo([jpeg(phone_photo(mnist.test.images[3, ..., 0], rng))])
    blank = fake.send_photo([jpeg(Image.new("L", (640, 480), 255))], user_id=8401)
    for message in (digit, blank):
        fake.wait_for("sendMessage", lambda call, m=message: call.status == 200 and call.params[
            "reply_parameters"]["message_id"] == m["message_id"], timeout=60)
    time.sleep(0.5)
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    samples = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
               for family in text_string_to_metric_families(text) for sample in family.samples}
    assert samples[("digitbot_photos_total", (("outcome", "read"),))] == 1
    assert samples[("digitbot_photos_total", (("outcome", "NO_WRITING"),))] == 1
    assert samples[("digitbot_answer_seconds_count", ())] == 2
    assert samples[("digitbot_telegram_retries_total", (("method", "sendMessage"),))] == 1
    assert samples[("digitbot_telegram_errors_total", (("error", "NetworkError"),
                                                       ("method", "sendMessage")))] == 1
    assert samples[("digitbot_updates_in_flight", ())] == 0
