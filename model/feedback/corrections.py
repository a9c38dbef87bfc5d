"""The corrections store: `DATA_DIR/feedback.sqlite3`.

For each answer a user corrected it keeps only what a fine-tune needs and what tells how
the bot does: the 28x28 pictures the network read, what the bot answered and how sure
it was, the correction, when, which checkpoint and reader answered, and a salted hash of
the user (to forget them and cap a flood; the salt never leaves DATA_DIR, so the hash
names no one elsewhere). Never the photo, the user's name or the chat.

A user who chose "type the number" is remembered for `WAIT_FOR_NUMBER_SECONDS` as a
pending row (the same hashes, the answer's message id, the number it showed and the
photo's Telegram file id), deleted when the number comes, anything else comes, or the
time is up (`purge_expired`, which the bot runs every minute). Deleted rows are
overwritten on disk (SQLite's secure_delete).
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from model.reading.digits import SIDE
from model.sqlite_files import open_database

STORE = "feedback.sqlite3"  # the file's name in DATA_DIR
NO_DIGIT = "none"  # the correction "there is no digit"
WAIT_FOR_NUMBER_SECONDS = 5 * 60

SCHEMA = """
CREATE TABLE IF NOT EXISTS salt (value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS corrections (
    answer TEXT PRIMARY KEY,    -- salted hash of the answer's chat and message: one each
    user TEXT NOT NULL,         -- salted hash of the user id
    at REAL NOT NULL,           -- Unix time of the correction
    answered TEXT NOT NULL,     -- the number read, or '' when the bot refused
    refusal TEXT NOT NULL,      -- why it refused, or ''
    confidence REAL NOT NULL,
    corrected TEXT NOT NULL,    -- the digits the photo shows, or 'none'
    pictures BLOB NOT NULL,     -- uint8 (n, 28, 28): what the network read
    checkpoint TEXT NOT NULL,   -- the network's file
    reader TEXT NOT NULL        -- the network's training date and the preprocessing's digest
);
CREATE INDEX IF NOT EXISTS corrections_by_user ON corrections (user, at);
CREATE TABLE IF NOT EXISTS pending (
    person TEXT PRIMARY KEY,    -- salted hash of the user and the chat
    user TEXT NOT NULL,
    answer_message INTEGER NOT NULL,
    shown TEXT NOT NULL,        -- the number the answer showed ('' for a refusal)
    photo_file TEXT NOT NULL,   -- Telegram's file id, to read the photo again
    until REAL NOT NULL
);
"""


@dataclass(frozen=True)
class Correction:
    answer: str  # `Corrections.answer_key(...)`
    user: str  # `Corrections.user_key(...)`
    answered: str
    refusal: str
    confidence: float
    corrected: str  # digits, or NO_DIGIT
    pictures: np.ndarray  # float (n, 28, 28) in [0, 1] or uint8
    checkpoint: str
    reader: str
    at: float = 0.0  # 0: now


@dataclass(frozen=True)
class Pending:
    answer_message: int
    shown: str
    photo_file: str


def as_pictures(pictures: np.ndarray) -> np.ndarray:
    """The pictures as kept: uint8, (n, 28, 28)."""
    pictures = np.asarray(pictures)
    if pictures.dtype != np.uint8:
        pictures = np.clip(np.rint(pictures * 255), 0, 255).astype(np.uint8)
    return pictures.reshape(-1, SIDE, SIDE)


class SaltedKeys:
    """How a store names users and answers: salted hashes, the salt kept with the store."""

    def __init__(self, salt: bytes) -> None:
        self._salt = salt

    def _hash(self, *parts: object) -> str:
        text = ":".join(str(part) for part in parts).encode()
        return hmac.new(self._salt, text, hashlib.sha256).hexdigest()[:32]

    def user_key(self, user_id: int) -> str:
        return self._hash("user", user_id)

    def answer_key(self, chat_id: int, message_id: int) -> str:
        return self._hash("answer", chat_id, message_id)


class Corrections(SaltedKeys):
    """The store of one bot: SQLite in DATA_DIR. (Replicas share `SharedCorrections`,
    in Redis: `shared_corrections.py`.)"""

    answers_at_once = True  # SQLite on the same disk: microseconds, fine on an event loop

    def __init__(self, path: Path) -> None:
        self._db = open_database(path, used_from_threads=True)
        self._db.executescript(SCHEMA)
        row = self._db.execute("SELECT value FROM salt").fetchone()
        if row is None:
            row = (secrets.token_bytes(32),)
            self._db.execute("INSERT INTO salt VALUES (?)", row)
        super().__init__(row[0])

    def close(self) -> None:
        self._db.close()

    def add(self, correction: Correction) -> bool:
        """Keep a correction; False (and nothing kept) if that answer was corrected already."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO corrections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (correction.answer, correction.user, correction.at or time.time(),
             correction.answered, correction.refusal, float(correction.confidence),
             correction.corrected, as_pictures(correction.pictures).tobytes(),
             correction.checkpoint, correction.reader),
        )
        return cursor.rowcount == 1

    def corrected(self, answer: str) -> str | None:
        """What the user said the answer's photo shows, if they corrected it."""
        row = self._db.execute("SELECT corrected FROM corrections WHERE answer = ?",
                               (answer,)).fetchone()
        return row[0] if row else None

    def count_since(self, user: str, since: float) -> int:
        return self._db.execute("SELECT COUNT(*) FROM corrections WHERE user = ? AND at >= ?",
                                (user, since)).fetchone()[0]

    def wait_for_number(self, user_id: int, chat_id: int, answer_message: int, shown: str,
                        photo_file: str) -> None:
        """The user's next message in this chat may be the number the photo shows."""
        self._db.execute(
            "INSERT OR REPLACE INTO pending VALUES (?, ?, ?, ?, ?, ?)",
            (self._hash("person", user_id, chat_id), self.user_key(user_id), answer_message,
             shown, photo_file, time.time() + WAIT_FOR_NUMBER_SECONDS),
        )

    def take_pending(self, user_id: int, chat_id: int) -> Pending | None:
        """The answer this user is typing a number for, if any (and no longer pending)."""
        person = self._hash("person", user_id, chat_id)
        if self._db.execute("SELECT 1 FROM pending WHERE person = ?", (person,)).fetchone() is None:
            return None  # (the usual case, for every message: a read, not a write)
        row = self._db.execute(
            "DELETE FROM pending WHERE person = ? RETURNING answer_message, shown, photo_file,"
            " until", (person,)).fetchone()
        if row is None or row[3] < time.time():
            return None
        return Pending(answer_message=row[0], shown=row[1], photo_file=row[2])

    def purge_expired(self) -> None:
        """Forget the typed numbers no longer awaited."""
        self._db.execute("DELETE FROM pending WHERE until < ?", (time.time(),))

    def forget(self, user_id: int) -> int:
        """Delete everything kept about the user; how many corrections there were."""
        user = self.user_key(user_id)
        self._db.execute("DELETE FROM pending WHERE user = ?", (user,))
        return self._db.execute("DELETE FROM corrections WHERE user = ?", (user,)).rowcount

    def since(self, at: float) -> list[tuple[float, str, str, str]]:
        """(at, answered, refusal, corrected) of each correction made since `at`."""
        return self._db.execute(
            "SELECT at, answered, refusal, corrected FROM corrections WHERE at >= ?", (at,)
        ).fetchall()

    def all(self) -> list[Correction]:
        rows = self._db.execute(
            "SELECT answer, user, answered, refusal, confidence, corrected, pictures,"
            " checkpoint, reader, at FROM corrections ORDER BY at"
        ).fetchall()
        return [
            Correction(answer, user, answered, refusal, confidence, corrected,
                       np.frombuffer(pictures, np.uint8).reshape(-1, SIDE, SIDE),
                       checkpoint, reader, at)
            for answer, user, answered, refusal, confidence, corrected, pictures, checkpoint,
            reader, at in rows
        ]
