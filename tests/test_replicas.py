"""Two replicas behind one bot: webhook mode, state shared in a real Redis (redis-server).

The fake Bot API server feeds the two `python -m bot` processes in turn, as a load
balancer would; each keeps its own journal (DATA_DIR), and they share the languages users
chose, the per-user limits and /accuracy through REDIS_URL.
"""

import signal
import time

import numpy as np
import pytest

from bot import i18n, messages
from model import rendering
from testing.bot_process import BotProcess
from testing.fake_telegram import FakeTelegram
from testing.redis_server import RedisServer, free_port
from tests.images import jpeg, phone_photo
from tests.test_hosting import SECRET, answers_to, first_line, press_button
from tests.texts import english

ADMIN = 4242
PER_MINUTE = 5  # each user's messages a minute, for both replicas together


@pytest.fixture
def redis_server(tmp_path):  # one per test, not conftest's per module: tests kill and hang it
    server = RedisServer(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def replicas(tmp_path, redis_server, mnist_path):
    """Two webhook replicas with one Redis, fed in turn by the fake Bot API server."""
    with FakeTelegram() as fake:
        ports = [free_port(), free_port()]
        bots = [BotProcess(
            fake, tmp_path, log_name=f"replica-{name}.log", REDIS_URL=redis_server.url,
            WEBHOOK_URL=f"http://127.0.0.1:{ports[0]}/telegram", WEBHOOK_SECRET=SECRET,
            WEBHOOK_LISTEN=f"127.0.0.1:{port}", DATA_DIR=str(tmp_path / f"data-{name}"),
            HEARTBEAT_FILE=str(tmp_path / f"heartbeat-{name}"), MNIST_PATH=str(mnist_path),
            ADMIN_IDS=str(ADMIN), PHOTOS_PER_MINUTE=str(PER_MINUTE),
        ) for name, port in zip("ab", ports, strict=True)]
        fake.feed_in_turn([f"http://127.0.0.1:{port}/telegram" for port in ports])
        try:
            deadline = time.monotonic() + 120
            while len(fake.calls("setWebhook")) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            yield fake, bots
        finally:
            for bot in bots:
                bot.stop()


def test_a_language_chosen_through_one_replica_is_used_by_the_other(replicas):
    fake, _bots = replicas
    menu = fake.replies_to(fake.send_text("/language", user_id=501, language_code="en"),
                           timeout=60)
    press_button(fake, menu, "Deutsch", user_id=501)
    helps = [fake.send_text("/help", user_id=501, language_code="en") for _ in range(2)]
    replies = [fake.replies_to(message, timeout=60) for message in helps]
    assert len({fake.taken_by(message) for message in helps}) == 2  # one to each replica
    assert [reply.params["text"] for reply in replies] == [
        messages.say(i18n.language("de"), messages.HELP)] * 2


def test_a_user_s_photos_are_limited_across_both_replicas(replicas, mnist):
    fake, _bots = replicas
    rng = np.random.default_rng(8)
    photo = jpeg(phone_photo(mnist.test.images[2, ..., 0], rng))
    sent = [fake.send_photo([photo], user_id=502) for _ in range(2 * PER_MINUTE)]
    time.sleep(8)
    assert len({fake.taken_by(message) for message in sent}) == 2  # all answered by now, or skipped
    texts = [call.params["text"] for call in fake.calls("sendMessage")
             if call.params["chat_id"] == sent[0]["chat"]["id"] and call.status == 200]
    readings = [text for text in texts if text.startswith(f"{int(mnist.test.labels[2])} — ")]
    assert len(readings) == PER_MINUTE  # for both replicas together, not each
    notes = [text for text in texts if "Try again in" in text]
    assert len(notes) == 1 and len(texts) == PER_MINUTE + 1  # one note, then silence


def test_accuracy_is_evaluated_once_for_both_replicas(replicas):
    fake, bots = replicas
    asks = [fake.send_text("/accuracy", user_id=ADMIN) for _ in range(2)]
    reports = [fake.wait_for("sendPhoto", lambda call, ask=ask: call.params.get(
        "reply_parameters", {}).get("message_id") == ask["message_id"], timeout=120)
        for ask in asks]
    assert len({fake.taken_by(ask) for ask in asks}) == 2
    assert reports[0].params["caption"] == reports[1].params["caption"]
    assert sum(bot.output.count("Evaluated on") for bot in bots) == 1


def test_a_replica_killed_under_load_loses_nothing_the_other_can_answer(replicas, mnist,
                                                                      tmp_path):
    fake, bots = replicas
    rng = np.random.default_rng(9)
    photos = [(jpeg(phone_photo(mnist.test.images[k, ..., 0], rng)), int(mnist.test.labels[k]))
              for k in range(20, 60)]
    sent = []
    for k, (photo, label) in enumerate(photos):
        sent.append((fake.send_photo([photo], user_id=600 + k), label))
        if k == 15:
            bots[0].process.kill()  # replica a dies mid-load (the load balancer passes it over)
        time.sleep(0.05)
    for message, label in sent[16:]:  # those sent after: all answered by replica b
        assert int(first_line(fake.replies_to(message, timeout=60))[0]) == label
    restarted = BotProcess(fake, tmp_path, log_name="replica-a-again.log", **{
        key: value for key, value in bots[0].env.items()
        if key not in ("PATH", "PYTHONPATH")})
    try:  # what replica a had taken is in its journal: its next start answers it
        for message, label in sent[:16]:
            reply = fake.replies_to(message, timeout=120)
            assert int(first_line(reply)[0]) == label
        time.sleep(1.0)
        assert all(len(answers_to(fake, message)) == 1 for message, _ in sent)
    finally:
        restarted.stop()


def test_redis_lost_while_running_costs_no_reading(replicas, redis_server, mnist):
    fake, bots = replicas
    redis_server.stop()
    rng = np.random.default_rng(10)
    photo = jpeg(phone_photo(mnist.test.images[4, ..., 0], rng))
    for user in (701, 702):
        reply = fake.replies_to(fake.send_photo([photo], user_id=user), timeout=60)
        assert first_line(reply).startswith(str(int(mnist.test.labels[4])))
    assert any("let through" in bot.output or "Could not read a user's language"
               in bot.output for bot in bots)


def test_redis_unreachable_at_start_is_one_line_and_exit_1(tmp_path):
    with FakeTelegram() as fake:
        bot = BotProcess(fake, tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
        assert bot.exit_code(timeout=60) == 1
    lines = [line for line in bot.output.splitlines() if line.strip()]
    assert "REDIS_URL does not answer" in bot.output and "Traceback" not in bot.output
    assert len([line for line in lines if "REDIS_URL" in line]) == 1
    assert fake.token not in bot.output
    bot.stop(signal.SIGKILL)


def test_a_number_typed_to_one_replica_corrects_an_answer_the_other_asked_about(replicas,
                                                                              mnist):
    fake, _bots = replicas
    user, rng = 801, np.random.default_rng(11)
    number = rendering.compose_number(mnist.test.images[[3, 5, 8], ..., 0], rng)
    photo = fake.send_photo([rendering.render(number, "clean-white-paper", rng)], user_id=user)
    answer = fake.replies_to(photo, timeout=60)
    wrong = next(b for row in answer.params["reply_markup"]["inline_keyboard"] for b in row
                 if b["text"] == english(messages.WRONG_BUTTON))
    asked = fake.send_callback_query(wrong["callback_data"], message=answer.result, user_id=user)
    prompt = fake.replies_to(answer.result, timeout=60)  # "type the number", from one replica
    assert prompt.params["text"] == english(messages.TYPE_THE_NUMBER)
    typed = fake.send_text("9012", user_id=user)
    assert fake.replies_to(typed, timeout=60).params["text"] == english(
        messages.THANKS, correction="9012")
    assert fake.taken_by(typed) != fake.taken_by(asked)  # not the replica that asked
    forget = fake.send_text("/forget", user_id=user)
    assert fake.replies_to(forget, timeout=60).params["text"] == english(messages.FORGOTTEN, n=1)


def test_stats_counts_the_photos_and_corrections_of_both_replicas(replicas, mnist):
    fake, _bots = replicas
    rng = np.random.default_rng(12)
    sent = [fake.send_photo([jpeg(phone_photo(mnist.test.images[k, ..., 0], rng))],
                            user_id=900 + k) for k in range(4)]
    for message in sent:
        fake.replies_to(message, timeout=60)
    assert len({fake.taken_by(message) for message in sent}) == 2
    stats = fake.replies_to(fake.send_text("/stats", user_id=ADMIN), timeout=60)
    assert stats.params["text"].startswith(english(messages.STATS_PHOTOS, day=4, week=4))


def test_redis_that_stops_answering_costs_no_reading_and_little_time(replicas, redis_server,
                                                                     mnist):
    """Redis hangs (SIGSTOP: connections open, nothing answered): each call gives up after
    half a second and Redis is then left alone, so photos keep being answered promptly;
    a language chosen meanwhile is used for that answer."""
    fake, _bots = replicas
    redis_server.process.send_signal(signal.SIGSTOP)
    try:
        rng = np.random.default_rng(13)
        photo = jpeg(phone_photo(mnist.test.images[6, ..., 0], rng))
        sent = []
        for user in range(710, 718):  # the first photos find out that Redis hangs
            sent.append((fake.send_photo([photo], user_id=user), time.time()))
            time.sleep(0.5)
        took = [fake.replies_to(message, timeout=60).time - at for message, at in sent]
        assert all(first_line(fake.replies_to(m)).startswith(str(int(mnist.test.labels[6])))
                   for m, _ in sent)
        assert max(took) < 3 and max(took[-3:]) < 0.5, took  # then Redis is left alone
        menu = fake.replies_to(fake.send_text("/language", user_id=720), timeout=30)
        confirmed = press_button(fake, menu, "Deutsch", user_id=720)
        assert confirmed.params["text"] == "Ab jetzt antworte ich auf Deutsch."
    finally:
        redis_server.process.send_signal(signal.SIGCONT)
