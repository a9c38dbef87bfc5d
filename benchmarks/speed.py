"""How fast the bot reads: the network, the whole photo path, and /accuracy end to end.

    python -m benchmarks.speed [--mnist-path PATH] [--repeats N]

Each figure is printed beside its baseline, measured in the same run:
- one digit through the network: Keras' `model.predict` (what the seed's predict
  script called) against the LiteRT export the bot serves;
- 64 digits in one LiteRT call, per digit, against one digit per call (what batching
  photos that arrive together could gain);
- the 10,000 MNIST test images: `model.predict` against LiteRT on every core;
- one 1280x960 phone photo of a digit, and one of a 6-digit number, end to end in-process
  (decode, find the digits, read them);
- /accuracy as an admin sees it: from sending the command to the fake Telegram server
  until the report arrives, with `python -m bot` polling that server over HTTP.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from model import rendering
from model.reading import checkpoint
from model.reading.mnist import load_mnist
from model.reading.reader import Reader
from model.training.weights import load_weights
from testing.fake_telegram import FakeTelegram

PROJECT = Path(__file__).resolve().parent.parent


def timed(action: Callable[[], object], repeats: int) -> list[float]:
    """Seconds per call, after one warm-up call."""
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def row(name: str, ours: list[float], baseline: list[float] | None = None) -> str:
    ours_ms = statistics.median(ours) * 1000
    line = f"{name:<44} {ours_ms:>10.2f} ms"
    if baseline:
        base_ms = statistics.median(baseline) * 1000
        line += f"   baseline {base_ms:>9.2f} ms   {base_ms / ours_ms:>6.2f}x faster"
    return line


def accuracy_command_seconds(mnist_path: Path) -> float:
    """Wall time of /accuracy from an admin, through `python -m bot` and a fake Telegram."""
    admin = 42
    with FakeTelegram() as telegram:
        env = {
            **os.environ, "PYTHONPATH": str(PROJECT), "TELEGRAM_BOT_TOKEN": telegram.token,
            "TELEGRAM_BASE_URL": telegram.root, "ADMIN_IDS": str(admin),
            "MNIST_PATH": str(mnist_path), "LOG_LEVEL": "WARNING",
        }
        bot = subprocess.Popen([sys.executable, "-m", "bot"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            telegram.wait_for("getUpdates", timeout=120)
            started = time.time()
            telegram.send_text("/accuracy", user_id=admin)
            report = telegram.wait_for("sendPhoto", lambda c: c.params["chat_id"] == admin,
                                       timeout=300)
            return report.time - started
        finally:
            bot.terminate()
            bot.wait(timeout=30)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mnist-path", type=Path, default=os.environ.get("MNIST_PATH")
                        or PROJECT.parent / "shared/data/mnist.npz")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args(argv)

    mnist = load_mnist(args.mnist_path)
    reader = Reader.load()
    classifier = reader.classifier  # LiteRT, as the bot serves it
    model, _ = load_weights(checkpoint.DEFAULT_CHECKPOINT)  # the same network in Keras
    one, batch = mnist.test.images[:1], mnist.test.images[:64]
    rng = np.random.default_rng(0)
    digit = rendering.render(mnist.test.images[0, ..., 0], "clean-white-paper", rng)
    number = rendering.render(
        rendering.compose_number(mnist.test.images[:6, ..., 0], rng), "clean-white-paper", rng
    )

    print(f"{'what':<44} {'ours':>13}")
    print(row("one digit through the network",
              timed(lambda: classifier.predict(one), args.repeats),
              timed(lambda: model.predict(one, verbose=0), args.repeats)))
    # Would batching photos that arrive together help? Per digit, against one at a time:
    print(row("64 digits in one batch, per digit",
              [t / 64 for t in timed(lambda: classifier.predict(batch), args.repeats)],
              timed(lambda: classifier.predict(one), args.repeats)))
    everywhere = classifier.with_threads(os.cpu_count() or 1)  # as /accuracy runs it
    print(row("10,000 MNIST test digits, all cores",
              timed(lambda: everywhere.predict(mnist.test.images), 3),
              timed(lambda: model.predict(mnist.test.images, verbose=0), 3)))
    print(row("a phone photo of a digit, bytes to answer",
              timed(lambda: reader.read(digit), args.repeats)))
    print(row("a phone photo of a 6-digit number",
              timed(lambda: reader.read(number), args.repeats)))
    print(f"{'/accuracy, command to report (end to end)':<44} "
          f"{accuracy_command_seconds(args.mnist_path) * 1000:>10.1f} ms")


if __name__ == "__main__":
    main()
