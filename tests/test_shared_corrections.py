"""The corrections store replicas share, in a real Redis: the same promises as the
SQLite store of one bot (tests/test_corrections.py); and the usage counts of /stats."""

import numpy as np
import pytest
import redis

from bot.usage import DAY, KEEP_DAYS, SharedUsageLog
from model.feedback.__main__ import main as feedback_main
from model.feedback.corrections import NO_DIGIT, WAIT_FOR_NUMBER_SECONDS
from model.feedback.shared_corrections import PREFIX, SharedCorrections
from model.reading.digits import NOT_A_DIGIT
from tests.test_corrections import correction, forget_deletes_the_user_and_no_one_else


@pytest.fixture
def store(redis_server):
    redis.Redis.from_url(redis_server.url).flushall()
    opened = SharedCorrections(redis_server.url)
    yield opened
    opened.close()


def test_one_salt_for_all_replicas_and_each_answer_is_corrected_once(store, redis_server):
    user = 123456789
    assert store.user_key(user) == SharedCorrections(redis_server.url).user_key(user)
    elsewhere = redis_server.url.replace("/0", "/1")  # another Redis: another salt
    assert store.user_key(user) != SharedCorrections(elsewhere).user_key(user)
    assert str(user) not in store.user_key(user) and len(store.user_key(user)) == 32
    pictures = np.zeros((2, 28, 28), np.float32)
    assert store.add(correction(store, 7, 1, "12", pictures))
    assert not SharedCorrections(redis_server.url).add(correction(store, 7, 1, "13", pictures))
    assert store.corrected(store.answer_key(7, 1)) == "12"
    assert store.count_since(store.user_key(7), 0) == 1
    assert store.count_since(store.user_key(7), 2e9) == 0


def test_forget_deletes_the_user_and_no_one_else(store, redis_server):
    forget_deletes_the_user_and_no_one_else(store)
    keys = {key.decode() for key in redis.Redis.from_url(redis_server.url).scan_iter()}
    assert not any(store.user_key(1) in key for key in keys)  # nothing named after user 1


def test_a_typed_number_is_awaited_by_any_replica_a_few_minutes_only(store, redis_server):
    store.wait_for_number(5, 6, 77, "2026", "file-id")
    other_replica = SharedCorrections(redis_server.url)
    pending = other_replica.take_pending(5, 6)
    assert (pending.answer_message, pending.shown, pending.photo_file) == (77, "2026", "file-id")
    assert store.take_pending(5, 6) is None  # taken once
    store.wait_for_number(5, 6, 78, "2026", "file-id")
    client = redis.Redis.from_url(redis_server.url)
    ttls = [client.ttl(key) for key in client.scan_iter(PREFIX + "pending:*")]
    assert ttls and all(0 < ttl <= WAIT_FOR_NUMBER_SECONDS for ttl in ttls)  # Redis expires it


def test_export_from_redis_labels_pictures_as_the_users_said(store, redis_server, tmp_path,
                                                             capsys):
    three = np.stack([np.full((28, 28), k / 4) for k in range(3)])
    store.add(correction(store, 1, 1, "307", three))
    store.add(correction(store, 1, 2, NO_DIGIT, three[:2]))
    assert store.since(0)[0][3] == "307" and len(store.since(0)) == 2
    assert feedback_main(["export", "--redis", redis_server.url, str(tmp_path / "out.npz")]) == 0
    assert "2 corrections" in capsys.readouterr().out
    with np.load(tmp_path / "out.npz") as data:
        assert data["labels"].tolist() == [3, 0, 7, NOT_A_DIGIT, NOT_A_DIGIT]
        assert data["images"][2].max() == 128


def test_usage_counts_in_redis_give_stats_photos_refusals_and_a_median(store, redis_server):
    log = SharedUsageLog(redis_server.url)
    for refusal, seconds in (("", 0.05), ("NO_WRITING", 0.1), ("", 0.2)):
        log.answered(refusal, seconds)
    day = log.period(DAY)
    assert (day.photos, dict(day.refusals)) == (3, {"NO_WRITING": 1})
    assert abs(day.median_seconds - 0.1) <= 0.01  # the middle of its bucket
    client = redis.Redis.from_url(redis_server.url)
    assert all(0 < client.ttl(key) <= KEEP_DAYS * DAY for key in client.scan_iter(
        SharedUsageLog.PREFIX + "*"))  # each minute's counts expire by themselves
