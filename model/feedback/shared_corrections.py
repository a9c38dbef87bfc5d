"""The corrections store in Redis, for replicas (REDIS_URL): what `corrections.py` keeps in
SQLite, kept alike and shared, so that a typed correction is taken by either replica, one
correction per answer and the daily cap hold across both, and /stats, /forget and the
export see everything.

Keys, all under `digitbot:feedback:`: `salt`; `answer:<answer key>` (one correction, as
JSON with its pictures in base64: written only if absent, hence one per answer);
`at` (a sorted set of answer keys by time); `user:<user key>` (a user's answer keys, for
the cap and /forget); `pending:<person key>` (a typed number awaited, expiring by itself
after WAIT_FOR_NUMBER_SECONDS) and `pending-of:<user key>` (for /forget).
"""

import base64
import contextlib
import json
import secrets
import time

import numpy as np
import redis

from model import shared_redis
from model.feedback.corrections import (
    WAIT_FOR_NUMBER_SECONDS,
    Correction,
    Pending,
    SaltedKeys,
    as_pictures,
)
from model.reading.digits import SIDE
from model.shared_redis import guarded

PREFIX = "digitbot:feedback:"
# A correction, its time and its user in one step: a crash in between must not leave a
# correction that /forget cannot find. KEYS: answer:<a>, at, user:<u>; ARGV: record, at, a.
ADD = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""


class SharedCorrections(SaltedKeys):
    answers_at_once = False  # a network round trip, or a timeout: ask from a thread

    def __init__(self, url: str) -> None:
        self._redis = shared_redis.client(url)
        self._redis.set(PREFIX + "salt", secrets.token_bytes(32), nx=True)  # first start
        super().__init__(self._redis.get(PREFIX + "salt"))

    def close(self) -> None:
        self._redis.close()

    @guarded
    def add(self, correction: Correction) -> bool:
        """Keep a correction; False (and nothing kept) if that answer was corrected already."""
        at = correction.at or time.time()
        record = {
            "user": correction.user, "at": at, "answered": correction.answered,
            "refusal": correction.refusal, "confidence": float(correction.confidence),
            "corrected": correction.corrected, "checkpoint": correction.checkpoint,
            "reader": correction.reader,
            "pictures": base64.b64encode(as_pictures(correction.pictures).tobytes()).decode(),
        }
        keys = [PREFIX + "answer:" + correction.answer, PREFIX + "at",
                PREFIX + "user:" + correction.user]
        return bool(self._redis.eval(ADD, len(keys), *keys, json.dumps(record), at,
                                     correction.answer))

    @guarded
    def corrected(self, answer: str) -> str | None:
        record = self._redis.get(PREFIX + "answer:" + answer)
        return json.loads(record)["corrected"] if record else None

    @guarded
    def count_since(self, user: str, since: float) -> int:
        answers = list(self._redis.smembers(PREFIX + "user:" + user))
        if not answers:
            return 0
        times = self._redis.zmscore(PREFIX + "at", answers)
        return sum(at is not None and at >= since for at in times)

    @guarded
    def wait_for_number(self, user_id: int, chat_id: int, answer_message: int, shown: str,
                        photo_file: str) -> None:
        person, user = self._hash("person", user_id, chat_id), self.user_key(user_id)
        pending = {"answer_message": answer_message, "shown": shown, "photo_file": photo_file}
        with self._redis.pipeline() as pipe:
            pipe.set(PREFIX + "pending:" + person, json.dumps(pending),
                     ex=WAIT_FOR_NUMBER_SECONDS)
            pipe.sadd(PREFIX + "pending-of:" + user, person)
            pipe.expire(PREFIX + "pending-of:" + user, WAIT_FOR_NUMBER_SECONDS)
            pipe.execute()

    @guarded
    def take_pending(self, user_id: int, chat_id: int) -> Pending | None:
        pending = self._redis.getdel(PREFIX + "pending:" + self._hash("person", user_id, chat_id))
        return Pending(**json.loads(pending)) if pending else None

    def purge_expired(self) -> None:
        """Nothing to do: Redis expires what is no longer awaited by itself."""

    @guarded
    def forget(self, user_id: int) -> int:
        """Delete the user's corrections and awaited number, and have Redis rewrite its
        append-only file, so that they are gone from its disk too."""
        user = self.user_key(user_id)
        answers = [answer.decode() for answer in self._redis.smembers(PREFIX + "user:" + user)]
        persons = [p.decode() for p in self._redis.smembers(PREFIX + "pending-of:" + user)]
        with self._redis.pipeline() as pipe:
            for answer in answers:
                pipe.delete(PREFIX + "answer:" + answer)
            if answers:
                pipe.zrem(PREFIX + "at", *answers)
            for person in persons:
                pipe.delete(PREFIX + "pending:" + person)
            pipe.delete(PREFIX + "user:" + user, PREFIX + "pending-of:" + user)
            pipe.execute()
        if answers:
            with contextlib.suppress(redis.RedisError):  # already rewriting, or no AOF
                self._redis.bgrewriteaof()
        return len(answers)

    @guarded
    def since(self, at: float) -> list[tuple[float, str, str, str]]:
        return [(f["at"], f["answered"], f["refusal"], f["corrected"])
                for _, f in self._records(at)]  # (the pictures left undecoded)

    @guarded
    def all(self) -> list[Correction]:
        kept = []
        for answer, fields in self._records(float("-inf")):
            pictures = np.frombuffer(base64.b64decode(fields.pop("pictures")), np.uint8)
            kept.append(Correction(answer=answer, pictures=pictures.reshape(-1, SIDE, SIDE),
                                   **fields))
        return kept

    def _records(self, since: float) -> list[tuple[str, dict]]:
        """Each correction kept since `since`: its answer's key, and its stored fields."""
        answers = [a.decode() for a in self._redis.zrangebyscore(PREFIX + "at", since, "+inf")]
        records = self._redis.mget([PREFIX + "answer:" + a for a in answers]) if answers else []
        return [(answer, json.loads(record))
                for answer, record in zip(answers, records, strict=True)
                if record is not None]  # (None: forgotten meanwhile)
