"""Soak: many photos from many chats while Telegram fails, with a crash in the middle.

    python -m benchmarks.soak [--photos 1000] [--chats 32] [--failure-rate 0.05]
        [--mnist-path MNIST.npz] [--seed 2026]

Starts the fake Bot API server (`testing/`) and the real `python -m bot`, makes a share of
every Bot API call the bot makes fail (500, 502, or 429 with retry_after 1), and sends the
photos from the chats. When half of them are answered, the bot is killed with SIGKILL (as
the out-of-memory killer would) and started again on the same DATA_DIR. Then it waits
until every photo is answered, and prints: photos answered, lost (no answer), answered
twice, read right, the faults injected, and each run's peak resident memory, against the
goal (none lost, none twice).
"""

import argparse
import contextlib
import os
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from model import rendering
from model.reading.mnist import load_mnist_test
from testing.bot_process import BotProcess
from testing.fake_telegram import Call, FakeTelegram

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"
FAILING = ("getUpdates", "getFile", "sendMessage", "sendChatAction")
FAULTS = ((500, None), (502, None), (429, 1))
DISTINCT_PHOTOS = 20  # rendered once, sent again and again
QUIET_SECONDS = 90  # no new answer for this long (retries give up after 60 s): the rest are lost


def start_bot(fake: FakeTelegram, workdir: Path, run: int) -> BotProcess:
    """The real bot on `workdir`'s DATA_DIR, its peak memory watched."""
    bot = BotProcess(fake, workdir, log_name=f"bot-{run}.log", DATA_DIR=str(workdir / "data"),
                     PHOTOS_PER_MINUTE="100000", LOG_LEVEL="WARNING")
    bot.watch_memory()
    return bot


def photos(mnist_path: Path, seed: int) -> list[tuple[bytes, int]]:
    test = load_mnist_test(mnist_path)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(test.images), DISTINCT_PHOTOS, replace=False)
    return [(rendering.render(test.images[i, ..., 0], "clean-white-paper", rng),
             int(test.labels[i])) for i in picked]


Key = tuple[int, int]  # (chat, message id) of a photo sent


def replied_to(call: Call) -> Key:
    """The (chat, message id) a sendMessage call answers."""
    return call.params.get("chat_id"), call.params.get("reply_parameters", {}).get("message_id")


def answers_to(fake: FakeTelegram, sent: dict[Key, int]) -> Counter:
    """How many accepted replies each sent photo got."""
    return Counter(replied_to(call) for call in fake.calls("sendMessage")
                   if call.status == 200 and replied_to(call) in sent)


def wait_for_answers(fake: FakeTelegram, sent: dict[Key, int], at_least: int) -> int:
    """Wait until `at_least` photos are answered, or none more is for QUIET_SECONDS."""
    answered, last_progress = 0, time.monotonic()
    while answered < at_least and time.monotonic() - last_progress < QUIET_SECONDS:
        time.sleep(0.05)
        now = len(answers_to(fake, sent))
        if now > answered:
            answered, last_progress = now, time.monotonic()
    return answered


def tries(fake: FakeTelegram, key: Key, kill_time: float) -> list[str]:
    """Each reply tried for a photo: its status, and when, against the SIGKILL."""
    return [f"{call.status} at kill{call.time - kill_time:+.3f}s"
            for call in fake.calls("sendMessage") if replied_to(call) == key]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=32)
    parser.add_argument("--failure-rate", type=float, default=0.05)
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or DEFAULT_MNIST))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true",
                        help="keep the bots' logs and journal (the directory is printed)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    pictures = photos(args.mnist_path, args.seed)
    kept = contextlib.nullcontext(tempfile.mkdtemp(prefix="soak-")) if args.keep else None
    with FakeTelegram() as fake, kept or tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        runs = [start_bot(fake, workdir, 1)]
        runs[0].wait_until_polling(timeout=180)
        fake.fail_randomly(FAILING, args.failure_rate, FAULTS, seed=args.seed)
        sent: dict[Key, int] = {}  # each photo sent, and the digit it shows
        for k in range(args.photos):
            data, label = pictures[k % len(pictures)]
            message = fake.send_photo([data], user_id=50_000 + k % args.chats)
            sent[(message["chat"]["id"], message["message_id"])] = label
        answered_before_kill = wait_for_answers(fake, sent, args.photos // 2)
        runs[0].stop(signal.SIGKILL)
        runs.append(start_bot(fake, workdir, 2))
        wait_for_answers(fake, sent, args.photos)
        time.sleep(3.0)  # answers sent twice would arrive by now
        counts = answers_to(fake, sent)
        right = sum(re.match(r"\d", call.params["text"]) is not None
                    and int(call.params["text"][0]) == sent[replied_to(call)]
                    for call in fake.calls("sendMessage")
                    if call.status == 200 and replied_to(call) in sent)
        faults = Counter((call.method, call.status) for call in fake.requests
                         if call.status != 200)
        kill_time = runs[0].stopped_at
        for key in sorted(set(sent) - set(counts)):
            print(f"lost: chat {key[0]} message {key[1]}: replies tried"
                  f" {tries(fake, key, kill_time) or 'none'}")
        for key in sorted(key for key, n in counts.items() if n > 1):
            print(f"twice: chat {key[0]} message {key[1]}: replies {tries(fake, key, kill_time)}")
        runs[1].stop(signal.SIGTERM)

    if args.keep:
        print(f"logs and journal kept in {tmp}")
    lost = args.photos - len(counts)
    twice = sum(n > 1 for n in counts.values())
    print(f"Soak: {args.photos} photos from {args.chats} chats, {args.failure_rate:.0%} of"
          f" {', '.join(FAILING)} failing, SIGKILL after {answered_before_kill} answers\n")
    print(f"{'what':<44}{'measured':>10}{'goal':>10}")
    for what, value, goal in (("photos answered", len(counts), args.photos),
                              ("photos lost (never answered)", lost, 0),
                              ("photos answered twice", twice, 0)):
        print(f"{what:<44}{value:>10}{goal:>10}")
    print(f"{'answers with the right digit':<44}{right:>10}")
    print(f"{'Telegram faults injected':<44}{sum(faults.values()):>10}")
    for (method, status), n in sorted(faults.items()):
        print(f"{f'  {method} {status}':<44}{n:>10}")
    print("  (all retried, except sendChatAction: 'typing…' is best-effort)")
    for number, run in enumerate(runs, 1):
        print(f"{f'peak resident memory, run {number}':<44}{run.peak_rss / 2**20:>8.0f} MB")
    print(f"{'wall time':<44}{time.monotonic() - started:>8.0f} s")
    return 0 if lost == 0 and twice == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
