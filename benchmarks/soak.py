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
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np

from model import photoset
from model.data import load_mnist_test
from testing.fake_telegram import FakeTelegram

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"
FAILING = ("getUpdates", "getFile", "sendMessage", "sendChatAction")
FAULTS = ((500, None), (502, None), (429, 1))
DISTINCT_PHOTOS = 20  # rendered once, sent again and again
QUIET_SECONDS = 90  # no new answer for this long (retries give up after 60 s): the rest are lost


class Bot:
    """`python -m bot` in a subprocess, with its peak resident memory sampled."""

    def __init__(self, fake: FakeTelegram, workdir: Path, run: int) -> None:
        env = {
            "PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT),
            "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.root,
            "DATA_DIR": str(workdir / "data"), "HEARTBEAT_FILE": str(workdir / "heartbeat"),
            "PHOTOS_PER_MINUTE": "100000", "LOG_LEVEL": "WARNING",
        }
        self.log = (workdir / f"bot-{run}.log").open("w")
        self.process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=workdir, env=env,
                                        stdout=self.log, stderr=self.log)
        self.peak_rss = 0
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def _sample(self) -> None:
        status = Path(f"/proc/{self.process.pid}/status")
        while self.process.poll() is None:
            try:
                rss = int(re.search(r"VmRSS:\s+(\d+) kB", status.read_text()).group(1))
                self.peak_rss = max(self.peak_rss, rss * 1024)
            except (OSError, AttributeError):
                pass
            time.sleep(0.05)

    def stop(self, sig: int) -> None:
        if self.process.poll() is None:
            self.killed_at = time.time()
            self.process.send_signal(sig)
            self.process.wait(timeout=60)
        self.log.close()


def photos(mnist_path: Path, seed: int) -> list[tuple[bytes, int]]:
    test = load_mnist_test(mnist_path)
    rng = np.random.default_rng(seed)
    picked = rng.choice(len(test.images), DISTINCT_PHOTOS, replace=False)
    return [(photoset.render(test.images[i, ..., 0], "clean-white-paper", rng),
             int(test.labels[i])) for i in picked]


def answers_to(fake: FakeTelegram, sent: list[dict]) -> Counter:
    """How many accepted replies each sent message got, by (chat, message id)."""
    wanted = {(m["chat"]["id"], m["message_id"]) for m in sent}
    counts: Counter = Counter()
    for call in fake.calls("sendMessage"):
        key = (call.params.get("chat_id"), call.params.get("reply_parameters", {})
               .get("message_id"))
        if call.status == 200 and key in wanted:
            counts[key] += 1
    return counts


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
        runs = [Bot(fake, workdir, 1)]
        fake.wait_for("getUpdates", timeout=180)
        fake.fail_randomly(FAILING, args.failure_rate, FAULTS, seed=args.seed)
        sent, labels = [], {}
        for k in range(args.photos):
            data, label = pictures[k % len(pictures)]
            message = fake.send_photo([data], user_id=50_000 + k % args.chats)
            sent.append(message)
            labels[(message["chat"]["id"], message["message_id"])] = label
        while len(answers_to(fake, sent)) < args.photos // 2:
            time.sleep(0.05)
        answered_before_kill = len(answers_to(fake, sent))
        runs[0].stop(signal.SIGKILL)
        runs.append(Bot(fake, workdir, 2))
        answered, last_progress = 0, time.monotonic()
        while answered < args.photos and time.monotonic() - last_progress < QUIET_SECONDS:
            time.sleep(0.2)
            if len(answers_to(fake, sent)) > answered:
                answered, last_progress = len(answers_to(fake, sent)), time.monotonic()
        time.sleep(3.0)  # answers sent twice would arrive by now
        counts = answers_to(fake, sent)
        right = sum(
            re.match(r"\d", call.params["text"]) is not None
            and int(call.params["text"][0]) == labels[key]
            for call in fake.calls("sendMessage") if call.status == 200
            for key in [(call.params.get("chat_id"),
                         call.params.get("reply_parameters", {}).get("message_id"))]
            if key in labels
        )
        faults = Counter((call.method, call.status) for call in fake.requests
                         if call.status != 200)
        kill_time = runs[0].killed_at
        for chat, message_id in sorted(set(labels) - set(counts)):
            tries = [f"{call.status} at kill{call.time - kill_time:+.3f}s"
                     for call in fake.calls("sendMessage")
                     if (call.params.get("chat_id"), call.params.get("reply_parameters", {})
                         .get("message_id")) == (chat, message_id)]
            print(f"lost: chat {chat} message {message_id}: replies tried {tries or 'none'}")
        for (chat, message_id), n in sorted(counts.items()):
            if n > 1:
                tries = [f"{call.status} at kill{call.time - kill_time:+.3f}s"
                         for call in fake.calls("sendMessage")
                         if (call.params.get("chat_id"), call.params.get("reply_parameters", {})
                             .get("message_id")) == (chat, message_id)]
                print(f"twice: chat {chat} message {message_id}: replies {tries}")
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
