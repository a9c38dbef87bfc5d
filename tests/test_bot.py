"""The bot end to end: `python -m bot` against a fake Telegram Bot API server over HTTP.

The real python-telegram-bot polls the fake, downloads photos from it and sends its
replies to it; the tests play the users and read the replies.
"""

import concurrent.futures
import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bot import buttons, i18n, messages
from model import rendering
from model.reading.result import Refusal
from testing.bot_process import BotProcess, PeakMemory
from testing.fake_telegram import FakeTelegram
from tests.images import encode, jpeg, letters, phone_photo, portrait
from tests.texts import english

PROJECT = Path(__file__).resolve().parent.parent
ADMIN, STRANGER = 42, 1001


@pytest.fixture(scope="module")
def telegram(tmp_path_factory, mnist_path):
    """A running fake Telegram and the bot, started as users start it, polling the fake."""
    workdir = tmp_path_factory.mktemp("bot")
    with FakeTelegram() as fake:
        bot = BotProcess(
            fake, workdir, ADMIN_IDS=str(ADMIN), MNIST_PATH=str(mnist_path),
            LOG_LEVEL="DEBUG",  # the most talkative level: the token must still not show
            PHOTOS_PER_MINUTE="100000",  # these tests send many; tests/test_hosting.py limits
        )
        try:
            bot.wait_until_polling()
            fake.log_file, fake.env, fake.bot_pid = bot.log_file, bot.env, bot.pid
            yield fake
        finally:
            bot.stop(timeout=30)


def first_line(call) -> str:
    return (call.params.get("text") or call.params.get("caption") or "").splitlines()[0]


def read_digit(reply) -> int:
    """The digit on the reply's first line, as a client would parse it."""
    return int(re.search(r"\d+", first_line(reply)).group())


def mnist_photo(mnist, index: int, seed: int = 0) -> tuple[bytes, int]:
    rng = np.random.default_rng(seed)
    photo = phone_photo(mnist.test.images[index, ..., 0], rng)
    return jpeg(photo), int(mnist.test.labels[index])


def test_start_and_help_explain_what_to_send(telegram):
    for command, text in (("/start", english(messages.WELCOME)), ("/help", english(messages.HELP))):
        reply = telegram.replies_to(telegram.send_text(command))
        assert reply.params["text"] == text
        assert "photo" in text and "digit" in text


def test_commands_are_registered_at_start_up_in_each_language(telegram):
    menus = {(str(call.params.get("scope")), call.params.get("language_code")):
             call.params["commands"] for call in telegram.calls("setMyCommands")}
    default = menus[("None", None)]
    assert [c["command"] for c in default] == ["start", "help", "language", "privacy", "forget"]
    assert default[0]["description"] == "What I do"
    russian = menus[("None", "ru")]
    assert [c["command"] for c in russian] == [c["command"] for c in default]
    assert russian[0]["description"] == messages.say(i18n.language("ru"), messages.COMMANDS[0][1])
    assert russian[0]["description"] not in ("", default[0]["description"])
    assert {language for _, language in menus} >= {"ru", "uk", "es", "pt", "de", "fr", "tr",
                                                    "zh", "hi"}
    admin = next(commands for (scope, _), commands in menus.items() if str(ADMIN) in scope)
    assert {"accuracy", "stats"} <= {c["command"] for c in admin}


def test_photo_of_a_handwritten_digit_gets_the_digit_and_confidence(telegram, mnist):
    photo, label = mnist_photo(mnist, index=0)
    thumbnail = encode(Image.new("RGB", (90, 68), "white"), "JPEG")  # Telegram's smallest size
    message = telegram.send_photo([thumbnail, photo])
    reply = telegram.replies_to(message)
    assert read_digit(reply) == label
    assert re.fullmatch(r"\d — \d{1,3}\.\d% sure", first_line(reply))
    # Read in a moment: no "typing…" (it would only flash, and count against the limit).
    actions = telegram.calls("sendChatAction")
    assert not any(call.params["chat_id"] == message["chat"]["id"] for call in actions)
    downloaded = [call.params["file_id"] for call in telegram.calls("getFile")]
    assert message["photo"][-1]["file_id"] in downloaded  # the largest size was read


def press_what_the_model_saw(telegram, answer):
    """Press the answer's first button; returns the picture sent back and the query."""
    button = answer.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["text"] == english(messages.SAW_BUTTON)
    query = telegram.send_callback_query(button["callback_data"], message=answer.result)
    picture = telegram.wait_for("sendPhoto", lambda call: call.params.get("caption")
                                == english(messages.SAW_CAPTION) and call.time > answer.time)
    answered = telegram.wait_for("answerCallbackQuery",
                                 lambda call: call.params["callback_query_id"] == query["id"])
    assert not answered.params.get("text")
    return Image.open(io.BytesIO(picture.files["photo"])).convert("RGB")


def green_boxes(picture: Image.Image) -> int:
    """How many green boxes (digits read) are drawn on the picture: outlines, not labels."""
    pixels = np.asarray(picture).astype(int)
    green = (pixels[..., 1] > 140) & (pixels[..., 0] < 60) & (pixels[..., 2] < 110)
    _, _, stats, _ = cv2.connectedComponentsWithStats(green.astype(np.uint8), 8)
    width, height = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
    return int(((width >= 10) & (height >= 30)).sum())  # a label's letters are smaller


def test_what_the_model_saw_shows_the_photo_with_the_digit_boxed(telegram, mnist):
    photo, _ = mnist_photo(mnist, index=4)
    answer = telegram.replies_to(telegram.send_photo([photo]))
    picture = press_what_the_model_saw(telegram, answer)
    assert max(picture.size) <= 720 + 200 and picture.height > 112  # photo, crops below
    assert green_boxes(picture) == 1


def test_a_photo_of_a_number_gets_the_number_each_digit_and_the_boxes(telegram, mnist):
    rng = np.random.default_rng(2026)
    picked = [7, 21, 35, 44]
    number = rendering.compose_number(mnist.test.images[picked, ..., 0], rng)
    message = telegram.send_photo([rendering.render(number, "clean-white-paper", rng)])
    answer = telegram.replies_to(message)
    expected = "".join(str(mnist.test.labels[i]) for i in picked)
    first, second = answer.params["text"].splitlines()[:2]
    assert re.fullmatch(rf"{expected} — \d{{1,3}}% sure", first)
    assert re.fullmatch(r"\d \d{1,3}%( · \d \d{1,3}%){3}", second)
    assert "".join(part[0] for part in second.split(" · ")) == expected
    assert green_boxes(press_what_the_model_saw(telegram, answer)) == len(picked)


def test_what_the_model_saw_when_the_photo_is_gone(telegram):
    answer = telegram.replies_to(telegram.send_text("/help"))
    for data in (buttons.SAW, "saw:an-old-button", "something else"):
        query = telegram.send_callback_query(data, message=answer.result)
        answered = telegram.wait_for(
            "answerCallbackQuery", lambda call, q=query: call.params["callback_query_id"] == q["id"]
        )
        assert answered.params["text"] == english(messages.SAW_EXPIRED)
        assert answered.params["show_alert"]


def test_a_button_press_without_its_message_is_answered(telegram):
    # Telegram leaves the message out when it is too old to send (or inaccessible).
    telegram.send_update({"callback_query": {
        "id": "press-without-message", "chat_instance": "1", "data": buttons.SAW,
        "from": {"id": STRANGER, "is_bot": False, "first_name": "Ann"}}})
    answered = telegram.wait_for("answerCallbackQuery", lambda call: call.params[
        "callback_query_id"] == "press-without-message")
    assert answered.params["text"] == english(messages.SAW_EXPIRED)
    assert "Failed to handle" not in telegram.log_file.read_text()


@pytest.mark.parametrize("file_name, mime_type, fmt",
                         [("digit.png", "image/png", "PNG"), ("digit.webp", "image/webp", "WEBP"),
                          ("digit.PNG", "text/plain", "PNG")])  # a client's wrong MIME type
def test_image_sent_as_a_file_is_read_like_a_photo(telegram, mnist, file_name, mime_type, fmt):
    rng = np.random.default_rng(3)
    image = phone_photo(mnist.test.images[1, ..., 0], rng, size=(800, 600))
    reply = telegram.replies_to(telegram.send_document(encode(image, fmt), file_name, mime_type))
    assert read_digit(reply) == mnist.test.labels[1]


def test_many_users_at_once_are_all_answered(telegram, mnist):
    indices = range(10, 18)
    sent = {}
    for user, index in enumerate(indices, start=5000):
        photo, label = mnist_photo(mnist, index, seed=user)
        sent[user] = (telegram.send_photo([photo], user_id=user), label)
    with concurrent.futures.ThreadPoolExecutor() as pool:
        replies = dict(zip(sent, pool.map(lambda m: telegram.replies_to(m[0]), sent.values()),
                           strict=True))
    right = sum(read_digit(replies[user]) == label for user, (_, label) in sent.items())
    assert right >= len(sent) - 1


@pytest.mark.parametrize("code", ["ru", "es", "zh-hans", "it"])  # it: no catalogue
def test_users_are_answered_in_their_telegram_language(telegram, mnist, code):
    language = i18n.language(i18n.best_match(code))
    user = 6000 + len(code) * 10 + ord(code[0])
    start = telegram.replies_to(telegram.send_text("/start", user_id=user, language_code=code))
    assert start.params["text"] == messages.say(language, messages.WELCOME)

    photo, label = mnist_photo(mnist, index=1)
    reply = telegram.replies_to(telegram.send_photo([photo], user_id=user, language_code=code))
    # The first line is the digit, then the confidence as this language writes it.
    before, after = re.escape(messages.say(language, messages.SURE, number=label,
                                           confidence="@")).split("@")
    assert re.fullmatch(f"{before}.*\\d.*{after}", first_line(reply)), first_line(reply)
    [[saw, wrong]] = reply.params["reply_markup"]["inline_keyboard"]
    assert saw["text"] == messages.say(language, messages.SAW_BUTTON)
    assert wrong["text"] == messages.say(language, messages.WRONG_BUTTON)

    blank = encode(Image.new("RGB", (640, 480), "white"), "JPEG")
    refusal = telegram.replies_to(telegram.send_photo([blank], user_id=user, language_code=code))
    assert refusal.params["text"] == messages.say(language, messages.REFUSALS[Refusal.NO_WRITING])
    if code == "it":
        assert refusal.params["text"] == english(messages.REFUSALS[Refusal.NO_WRITING])


@pytest.mark.parametrize(
    "send, answer",
    [
        (lambda tg: tg.send_text("what is this?"), english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_text("/unknown"), english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_sticker(), english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_voice(), english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_document(b"%PDF-1.4 fake", "scan.pdf", "application/pdf"),
         english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_message({"video": {"file_id": "v1", "file_unique_id": "v1",
                                               "width": 1, "height": 1, "duration": 1}}),
         english(messages.UNSUPPORTED)),
        (lambda tg: tg.send_document(b"\x89PNG garbage", "broken.png", "image/png"),
         english(messages.UNREADABLE)),
        (lambda tg: tg.send_document(b"x" * 1000, "huge.png", "image/png", file_size=30_000_000),
         english(messages.TOO_LARGE)),
        (lambda tg: tg.send_photo([encode(Image.new("RGB", (640, 480), "white"), "JPEG")]),
         english(messages.REFUSALS[Refusal.NO_WRITING])),
        (lambda tg: tg.send_photo([encode(letters(), "JPEG", quality=90)]),
         english(messages.REFUSALS[Refusal.NOT_DIGITS])),
    ],
    ids=["text", "unknown-command", "sticker", "voice", "pdf", "video", "corrupt-image",
         "huge-file", "blank-page", "handwritten-letters"],
)
def test_anything_else_gets_a_polite_explanation(telegram, send, answer):
    assert telegram.replies_to(send(telegram)).params["text"] == answer


def test_a_file_telegram_will_not_serve_gets_too_large_even_without_its_size(telegram):
    known = telegram.send_document(b"x" * 1000, "huge.png", "image/png", file_size=30_000_000)
    assert telegram.replies_to(known).params["text"] == english(messages.TOO_LARGE)  # from its size
    unsized = {key: value for key, value in known["document"].items() if key != "file_size"}
    message = telegram.send_message({"document": unsized})
    reply = telegram.replies_to(message)
    assert reply.params["text"] == english(messages.TOO_LARGE)  # from getFile
    assert telegram.calls("getFile")[-1].status == 400


def test_a_portrait_gets_no_digit(telegram):
    reply = telegram.replies_to(telegram.send_photo([encode(portrait(), "JPEG", quality=90)]))
    assert re.search(r"\d", first_line(reply)) is None


def test_admin_gets_the_accuracy_report_with_a_confusion_matrix(telegram):
    message = telegram.send_text("/accuracy", user_id=ADMIN)
    assert telegram.replies_to(message).params["text"] == english(messages.EVALUATING, n=10_000)
    report = telegram.wait_for(
        "sendPhoto", lambda call: call.params["chat_id"] == ADMIN, timeout=120
    )
    caption = report.params["caption"]
    accuracy = float(re.search(r"Accuracy on the MNIST test set: ([\d.]+)%", caption).group(1))
    assert accuracy >= 99.0
    assert "10,000 images" in caption
    assert all(f"  {digit}: " in caption for digit in range(10))
    assert re.search(r"That took \d+ seconds?\.", caption)
    assert report.files["photo"].startswith(b"\x89PNG")


def test_accuracy_asked_several_times_at_once_runs_one_evaluation(telegram):
    """One evaluation for the whole run: asked at once, they share it; asked later, the
    network (which has not changed) is not evaluated again."""
    asks = [telegram.send_text("/accuracy", user_id=ADMIN) for _ in range(3)]
    reports = [telegram.wait_for("sendPhoto", lambda call, ask=ask: call.params.get(
        "reply_parameters", {}).get("message_id") == ask["message_id"], timeout=120)
        for ask in asks]
    captions = {report.params["caption"] for report in reports}
    assert len(captions) == 1 and "Accuracy on the MNIST test set" in captions.pop()
    assert telegram.log_file.read_text().count("Evaluated on") == 1


def test_stranger_is_refused_accuracy_and_nothing_is_evaluated(telegram):
    reply = telegram.replies_to(telegram.send_text("/accuracy", user_id=STRANGER))
    assert reply.params["text"] == english(messages.NOT_ADMIN, command="/accuracy")
    to_stranger = [call.params.get("text") for call in telegram.calls("sendMessage")
                   if call.params["chat_id"] == STRANGER]
    assert english(messages.EVALUATING, n=10_000) not in to_stranger


def test_slow_image_does_not_hold_up_other_users(telegram, mnist):
    """A 16 MP PNG is decoded in a worker thread while another user's /help is answered."""
    photo = phone_photo(mnist.test.images[3, ..., 0], np.random.default_rng(5), size=(1200, 900))
    big = encode(photo.resize((4600, 3450), Image.Resampling.NEAREST), "PNG", compress_level=1)
    slow = telegram.send_document(big, "scan.png", "image/png")
    telegram.wait_for("getFile", lambda call: call.params["file_id"] == slow["document"]["file_id"])
    time.sleep(0.1)  # the download is under way; decoding it takes a good part of a second
    quick = telegram.send_text("/help", user_id=STRANGER + 1)
    slow_reply, quick_reply = telegram.replies_to(slow), telegram.replies_to(quick)
    assert read_digit(slow_reply) == mnist.test.labels[3]
    assert quick_reply.time < slow_reply.time


def test_edits_group_chatter_and_joins_get_no_reply(telegram, mnist):
    photo, _ = mnist_photo(mnist, index=6)
    original = telegram.send_photo([photo], user_id=9100)
    telegram.replies_to(original)
    mark = telegram.mark()
    telegram.send_update({"edited_message": {**original, "edit_date": original["date"] + 5,
                                             "caption": "edited"}})
    telegram.send_text("hello everyone", user_id=9101, chat_id=-100777)
    telegram.send_message({"new_chat_members": [telegram.bot_user]}, user_id=9101,
                          chat_id=-100777)
    assert telegram.replies_to(telegram.send_text("/help", user_id=9102)).status == 200
    time.sleep(1)
    spoken_to = {call.params.get("chat_id") for call in telegram.requests[mark:]
                 if call.method in ("sendMessage", "sendPhoto")}
    assert spoken_to == {9102}


def test_telegram_error_is_logged_answered_and_the_bot_goes_on(telegram, mnist):
    telegram.fail_next("getFile", 400, "Bad Request: temporary failure")
    photo, label = mnist_photo(mnist, index=2)
    failed = telegram.send_photo([photo])
    assert telegram.replies_to(failed).params["text"] == english(messages.SOMETHING_WENT_WRONG)
    assert read_digit(telegram.replies_to(telegram.send_photo([photo]))) == label
    assert "Failed to handle an update" in telegram.log_file.read_text()


def test_admins_hear_of_errors_once_an_hour_per_kind(telegram, mnist):
    photo, _ = mnist_photo(mnist, index=2)
    for _ in range(2):
        telegram.fail_next("getFile", 400, "Bad Request: temporary failure")
        failed = telegram.send_photo([photo])
        assert telegram.replies_to(failed).params["text"] == english(messages.SOMETHING_WENT_WRONG)
    reports = [call.params["text"] for call in telegram.calls("sendMessage")
               if call.params["chat_id"] == ADMIN and "went wrong while answering" in
               call.params["text"]]
    assert len(reports) == 1 and "BadRequest: Temporary failure" in reports[0]
    assert telegram.token not in reports[0]


def test_a_failed_poll_is_one_warning_not_an_error_report(telegram):
    before = telegram.log_file.read_text().count("Failed to handle")
    alerts = len([c for c in telegram.calls("sendMessage") if c.params["chat_id"] == ADMIN])
    mark = telegram.mark()
    telegram.fail_next("getUpdates", 502, "Bad Gateway")
    telegram.wait_for("getUpdates", lambda call: call.status == 502, timeout=60, since=mark)
    reply = telegram.replies_to(telegram.send_text("/help"), timeout=60)  # polled again
    assert reply.params["text"] == english(messages.HELP)
    log = telegram.log_file.read_text()
    assert "Polling Telegram failed (Bad Gateway); trying again" in log
    assert log.count("Failed to handle") == before
    assert len([c for c in telegram.calls("sendMessage") if c.params["chat_id"] == ADMIN]) == (
        alerts)


def test_a_slow_reading_shows_typing_and_a_failure_to_show_it_does_not_fail_it(telegram, mnist):
    for fails in (False, True):
        if fails:
            telegram.fail_next("sendChatAction", 500)
        telegram.delay_next("downloadFile", 2.0)  # Telegram's file server is slow today
        photo, label = mnist_photo(mnist, index=4)
        message = telegram.send_photo([photo], user_id=5150 + fails)
        assert read_digit(telegram.replies_to(message)) == label
        [shown] = [call for call in telegram.calls("sendChatAction")
                   if call.params["chat_id"] == message["chat"]["id"]]
        assert shown.params["action"] == "typing" and shown.status == (500 if fails else 200)


def test_rate_limit_from_telegram_is_retried(telegram):
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    message = telegram.send_text("/help")
    refused = telegram.replies_to(message)
    assert refused.status == 429
    retried = telegram.wait_for("sendMessage", lambda call: call.time > refused.time)
    assert retried.params["text"] == english(messages.HELP) and retried.status == 200
    assert retried.time - refused.time >= 1  # it waited as Telegram asked
    assert "Rate limit hit" in telegram.log_file.read_text()  # and said so in the log


def delivered_reply(telegram, message):
    """The reply to `message` that Telegram accepted, after any that it refused."""
    return telegram.wait_for("sendMessage", lambda call: call.status == 200 and call.params.get(
        "reply_parameters", {}).get("message_id") == message["message_id"], timeout=90)


@pytest.mark.parametrize("error_code, retry_after", [(500, None), (502, None), (429, 1)])
def test_a_reading_is_delivered_through_repeated_telegram_errors(telegram, mnist, error_code,
                                                                  retry_after):
    photo, label = mnist_photo(mnist, index=5)
    telegram.fail_next("sendMessage", error_code, "Telegram is having a bad day",
                       retry_after=retry_after, times=4)
    message = telegram.send_photo([photo])
    reply = delivered_reply(telegram, message)
    assert read_digit(reply) == label
    refused = [call for call in telegram.calls("sendMessage") if call.status == error_code
               and call.params["reply_parameters"]["message_id"] == message["message_id"]]
    assert len(refused) == 4  # each refusal was followed by another try, not by silence
    photo, label = mnist_photo(mnist, index=6)  # and the bot goes on as before
    assert read_digit(telegram.replies_to(telegram.send_photo([photo]))) == label


def test_a_long_429_is_waited_out_and_every_user_gets_the_reading(telegram, mnist):
    """Telegram answers every answer with 429 (retry after 1 s) for 8 seconds:
    python-telegram-bot's limiter gives up after five tries, the bot waits on as asked."""
    telegram.fail_randomly(["sendMessage"], rate=1.0, faults=[(429, 1)])
    try:
        sent = [(telegram.send_photo([photo], user_id=5000 + k), label)
                for k, (photo, label) in enumerate(mnist_photo(mnist, index=20 + k)
                                                    for k in range(10))]
        time.sleep(8)
    finally:
        telegram.fail_randomly(["sendMessage"], rate=0)
    for message, label in sent:
        assert read_digit(delivered_reply(telegram, message)) == label


def test_a_failed_download_is_tried_again(telegram, mnist):
    telegram.fail_next("downloadFile", 503, "Service Unavailable", times=3)
    sent = [(telegram.send_photo([photo], user_id=5100 + k), label)
            for k, (photo, label) in enumerate(mnist_photo(mnist, index=40 + k)
                                                for k in range(10))]
    for message, label in sent:
        assert read_digit(telegram.replies_to(message, timeout=60)) == label


def big_jpeg(size: tuple[int, int], target_bytes: int) -> bytes:
    """A JPEG of `size` pixels, noisy enough to weigh about `target_bytes`."""
    noise = np.random.default_rng(0).integers(0, 256, (size[1] // 8, size[0] // 8), np.uint8)
    image = Image.fromarray(noise).resize(size, Image.Resampling.BILINEAR)
    for quality in (95, 85, 70, 50, 30):
        data = encode(image, "JPEG", quality=quality)
        if len(data) <= target_bytes:
            return data
    return data


def test_huge_images_from_many_users_at_once_keep_memory_bounded(telegram, mnist):
    photo, label = mnist_photo(mnist, index=7)  # the bot warmed up, as after any photo
    assert read_digit(telegram.replies_to(telegram.send_photo([photo]))) == label
    png = encode(Image.new("1", (8_880, 6_660), 1), "PNG")  # 59 MP in a small file
    jpg = big_jpeg((8_880, 6_660), 19_800_000)  # 59 MP, just under the 20 MB download limit
    assert len(png) < 1_000_000 and 5_000_000 < len(jpg) < 20_000_000
    with PeakMemory(telegram.bot_pid) as memory:
        sent = [telegram.send_document(png, f"big{user}.png", "image/png", user_id=user)
                for user in range(7000, 7008)]
        sent += [telegram.send_document(jpg, f"big{user}.jpg", "image/jpeg", user_id=user)
                 for user in range(7100, 7116)]
        replies = [telegram.replies_to(message, timeout=120) for message in sent]
    assert all(reply.params["text"] == english(messages.TOO_LARGE) for reply in replies[:8])
    assert all(first_line(reply) for reply in replies[8:])  # read (a blank page: refused)
    assert memory.added < 300 * 2**20, f"{memory.added / 2**20:.0f} MB added"


def test_heartbeat_keeps_the_health_check_green(telegram):
    result = subprocess.run([sys.executable, "-m", "bot.healthcheck"], env=telegram.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout


def test_token_never_reaches_the_logs(telegram):
    logs = telegram.log_file.read_text()
    assert "getUpdates" in logs or "Loaded" in logs  # the log is not simply empty
    assert telegram.token not in logs
    assert telegram.token.split(":")[1] not in logs


def test_missing_token_stops_start_up_with_one_clear_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "bot"], cwd=tmp_path, capture_output=True, text=True, timeout=60,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT)},
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("TELEGRAM_BOT_TOKEN") and ".env" in lines[0]


def send_as_user_would(telegram, data: bytes, user_id: int) -> dict:
    """Photos as Telegram photos; PNG files (paint apps, big originals) as documents."""
    if data.startswith(b"\x89PNG") or len(data) > 5_000_000:
        return telegram.send_document(data, "digit.png" if data.startswith(b"\x89PNG")
                                      else "digit.jpg", "image/png", user_id=user_id)
    return telegram.send_photo([data], user_id=user_id)


@pytest.fixture(scope="module")
def condition_replies(telegram, mnist):
    """Three fresh photos per condition (MNIST test digits), all sent at once."""
    sent = []
    for number, condition in enumerate(rendering.CONDITIONS):
        for k in range(3):
            rng = np.random.default_rng([31, number, k])
            index = 5000 + 3 * number + k
            data = rendering.render(mnist.test.images[index, ..., 0], condition, rng)
            message = send_as_user_would(telegram, data, user_id=7000 + number)
            sent.append((condition, int(mnist.test.labels[index]), message))
    for number, condition in enumerate(rendering.NEGATIVE_CONDITIONS):
        for k in range(3):
            rng = np.random.default_rng([37, number, k])
            digit = mnist.test.images[6000 + 3 * number + k, ..., 0]
            data = rendering.render_negative(condition, rng, digit=digit)
            sent.append((condition, None, send_as_user_would(telegram, data, 8000 + number)))
    return [(condition, label, first_line(telegram.replies_to(message, timeout=120)))
            for condition, label, message in sent]


@pytest.mark.parametrize("condition", rendering.CONDITIONS)
def test_each_photo_condition_is_read_through_telegram(condition_replies, condition):
    answers = [(label, line) for c, label, line in condition_replies if c == condition]
    right = [re.match(rf"{label} — \d", line) is not None for label, line in answers]
    assert sum(right) >= 2, answers


@pytest.mark.parametrize("condition", rendering.NEGATIVE_CONDITIONS)
def test_photos_without_a_digit_get_no_digit_on_the_first_line(condition_replies, condition):
    lines = [line for c, _, line in condition_replies if c == condition]
    without_digit = [re.search(r"\d", line) is None for line in lines]
    assert sum(without_digit) >= 2, lines
