"""Load: the real bot at and beyond Telegram's send limit, beside a baseline in the same run.

    python -m benchmarks.load [--before CHECKOUT] [--seconds 20] [--mnist-path MNIST.npz]
    python -m benchmarks.load --versus-seed [--photos 1000] [--users 32]

Starts the fake Bot API server (`testing/`) and the bot (`python -m bot`), and offers it
photos at a fixed rate, each from its own user, whatever the bot answers (open loop):
25 a second (within Telegram's ~30 messages a second) and 45 a second (beyond it), then
/accuracy while photos keep coming at 25 a second. It prints answers per second, latency
(from the update being available to the bot to its reply reaching the server), photos
lost, the calls that spend Telegram's send budget without answering ("typing…"), CPU
milliseconds per photo and resident memory, for this bot and, with `--before`, for the bot
of another checkout (e.g. `git worktree add /tmp/before 4774198`), run the same way.

`--versus-seed` runs the older comparison instead: the real bot and the seed-style bot of
`benchmarks/seed_bot.py` (the seed CNN, Keras' `model.predict` on each photo squashed to
28x28), each sent, over real HTTP:
- one user's photos, one after another (latency);
- `--users` users sending `--photos` photos in all, each user waiting for the answer
  before sending the next (replies per second, latency, CPU seconds per photo, memory);
- 12-megapixel photos sent as files, by 8 users at once;
- and, for this bot, /accuracy while a user keeps sending photos.
Photos are 1280 px phone-like JPEGs of MNIST test digits (`model.rendering`). The load
generator and the fake server share the machine's cores with the bot.
"""

import argparse
import io
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from model import rendering
from model.reading.mnist import load_mnist_test
from testing.bot_process import BotProcess
from testing.fake_telegram import FakeTelegram
from testing.redis_server import RedisServer, free_port

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_MNIST = PROJECT.parent / "shared" / "data" / "mnist.npz"
ADMIN = 4242
DISTINCT = 24  # photos rendered once and sent again and again
SOLO_PHOTOS = 30
DOCUMENT_USERS, DOCUMENTS_EACH = 8, 4
# Memory is measured the moment a load ends, and again this long after: once the bot has
# handed freed memory back (bot/memory.py does so every 5 s).
SETTLE_SECONDS = 6.0


def phone_photos(mnist_path: Path, long_side: int, quality: int) -> list[bytes]:
    test = load_mnist_test(mnist_path)
    rng = np.random.default_rng(11)
    photos = []
    for k in range(DISTINCT):
        rendered = Image.open(io.BytesIO(rendering.render(test.images[k, ..., 0],
                                                         "clean-white-paper", rng)))
        scale = long_side / max(rendered.size)
        size = (round(rendered.width * scale), round(rendered.height * scale))
        out = io.BytesIO()
        rendered.convert("RGB").resize(size, Image.Resampling.BICUBIC).save(
            out, "JPEG", quality=quality)
        photos.append(out.getvalue())
    return photos


def send_and_wait(fake: FakeTelegram, data: bytes, user: int, as_file: bool) -> float:
    """Seconds from the update being available to the bot's answer."""
    if as_file:
        message = fake.send_document(data, "photo.jpg", "image/jpeg", user_id=user)
    else:
        message = fake.send_photo([data], user_id=user)
    queued = time.time()
    reply = fake.replies_to(message, timeout=600, require_quote=False)
    return reply.time - queued


def users_at_once(fake: FakeTelegram, photos: list[bytes], users: int, each: int,
                  as_file: bool = False, on_half: Callable[[], None] | None = None) -> list[float]:
    """`users` users, each sending `each` photos one after another; their latencies."""
    latencies: list[float] = []
    lock = threading.Lock()
    half = users * each // 2

    def user(u: int) -> None:
        for i in range(each):
            seconds = send_and_wait(fake, photos[(u * 7 + i) % len(photos)], 70_000 + u, as_file)
            with lock:
                latencies.append(seconds)
                if on_half and len(latencies) == half:
                    on_half()

    threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def percentiles(latencies: list[float]) -> tuple[float, float, float]:
    p = np.percentile(latencies, [50, 95, 99]) * 1000
    return float(p[0]), float(p[1]), float(p[2])


def measure(fake: FakeTelegram, module: str, args: argparse.Namespace, photos: list[bytes],
            files: list[bytes], workdir: Path) -> dict[str, float]:
    figures: dict[str, float] = {}
    bot = BotProcess(
        fake, workdir, module, log_name=f"{module}.log", ADMIN_IDS=str(ADMIN),
        MNIST_PATH=str(args.mnist_path), LOG_LEVEL="WARNING", DATA_DIR=str(workdir / "data"),
        PHOTOS_PER_MINUTE="100000", TF_CPP_MIN_LOG_LEVEL="2",
    )
    try:
        figures["start"] = bot.wait_until_polling(timeout=300)
        users_at_once(fake, photos, 1, 3)  # warm-up
        solo = users_at_once(fake, photos, 1, SOLO_PHOTOS)
        figures["solo p50"], figures["solo p95"], _ = percentiles(solo)

        each = args.photos // args.users
        memory: dict[str, float] = {}
        cpu_before, started = bot.cpu_seconds(), time.monotonic()
        many = users_at_once(fake, photos, args.users, each,
                             on_half=lambda: memory.update(half=bot.resident_bytes() / 2**20))
        wall = time.monotonic() - started
        figures["many per second"] = len(many) / wall
        figures["many p50"], figures["many p95"], figures["many p99"] = percentiles(many)
        figures["cpu per photo"] = (bot.cpu_seconds() - cpu_before) / len(many) * 1000
        figures["memory"], figures["memory half"] = bot.resident_bytes() / 2**20, memory["half"]

        started = time.monotonic()
        big = users_at_once(fake, files, DOCUMENT_USERS, DOCUMENTS_EACH, as_file=True)
        figures["files per second"] = len(big) / (time.monotonic() - started)
        figures["files p50"], figures["files p95"], _ = percentiles(big)

        if module == "bot":  # the first loads the test set, which is then kept
            figures.update(accuracy_under_load(fake, photos, "first"))
            figures.update(accuracy_under_load(fake, photos, "again"))
    finally:
        bot.stop()
    return figures


def accuracy_under_load(fake: FakeTelegram, photos: list[bytes], which: str
                        ) -> dict[str, float]:
    """/accuracy's time from command to report, and a user's photo latency meanwhile."""
    done = threading.Event()
    during: list[float] = []

    def user() -> None:
        k = 0
        while not done.is_set():
            during.append(send_and_wait(fake, photos[k % len(photos)], 79_999, False))
            k += 1

    command = fake.send_text("/accuracy", user_id=ADMIN)
    sent = time.time()
    thread = threading.Thread(target=user)
    thread.start()
    report = fake.wait_for("sendPhoto", lambda call: call.params.get("chat_id") == ADMIN
                           and call.time >= sent, timeout=300)
    seconds = report.time - sent
    done.set()
    thread.join()
    assert command and during
    return {f"accuracy {which}": seconds,
            f"accuracy {which} photo p95": percentiles(during)[1],
            f"accuracy {which} photos": len(during)}


def image_size_mb() -> str:
    try:
        size = subprocess.run(["docker", "image", "inspect", "-f", "{{.Size}}", "digit-bot:ci"],
                              capture_output=True, text=True, timeout=30, check=True).stdout
        return f"{int(size) / 1e6:.0f} MB"
    except (OSError, subprocess.SubprocessError, ValueError):
        return "not built here (.ci/docker-check prints it)"


def versus_seed(args: argparse.Namespace) -> int:
    photos = phone_photos(args.mnist_path, 1280, 87)  # as Telegram's photo mode sends them
    files = phone_photos(args.mnist_path, 4000, 92)[:8]  # 4000x3000: a phone's own file
    results = {}
    for module in ("benchmarks.seed_bot", "bot"):
        with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
            results[module] = measure(fake, module, args, photos, files, Path(tmp))
    seed, ours = results["benchmarks.seed_bot"], results["bot"]

    print(f"Load: {args.users} users sending {args.photos // args.users * args.users} photos"
          f" (1280 px JPEG), {os.cpu_count()} cores, fake Bot API on the same machine\n")
    print(f"{'what':<46}{'seed-style':>12}{'this bot':>12}{'ratio':>8}   goal")
    rows = [
        ("1 user: p50 latency (ms)", "solo p50", "<= 30"),
        ("1 user: p95 latency (ms)", "solo p95", ""),
        (f"{args.users} users: replies per second", "many per second", ">= 100"),
        (f"{args.users} users: p50 latency (ms)", "many p50", ""),
        (f"{args.users} users: p95 latency (ms)", "many p95", "<= 300"),
        (f"{args.users} users: p99 latency (ms)", "many p99", ""),
        ("CPU ms per photo (bot process)", "cpu per photo", ""),
        ("resident MB after half the photos", "memory half", ""),
        ("resident MB after all photos", "memory", "<= 250, no growth"),
        ("12-MP files, 8 users: replies per second", "files per second", ""),
        ("12-MP files, 8 users: p95 latency (ms)", "files p95", ""),
        ("start to first getUpdates (s)", "start", "<= 2"),
    ]
    for what, key, goal in rows:
        ratio = seed[key] / ours[key] if key != "many per second" and key != "files per second" \
            else ours[key] / seed[key]
        print(f"{what:<46}{seed[key]:>12.1f}{ours[key]:>12.1f}{ratio:>7.1f}x   {goal}")
    for which in ("first", "again"):
        print(f"{f'/accuracy ({which}), command to report (s)':<46}{'-':>12}"
              f"{ours[f'accuracy {which}']:>12.2f}{'':>8}   <= 1.0")
        print(f"{f'photo p95 while /accuracy ({which}) runs (ms)':<46}{'-':>12}"
              f"{ours[f'accuracy {which} photo p95']:>12.0f}{'':>8}   <= 500"
              f"  ({ours[f'accuracy {which} photos']:.0f} photos)")
    print(f"{'Docker image digit-bot:ci':<46}{'':>12}{image_size_mb():>12}{'':>8}   <= 450 MB")
    print("\n(ratio: how many times better this bot is; the seed-style bot reads each photo"
          " as one squashed 28x28 digit)")
    return 0


def send_at_rate(fake: FakeTelegram, photos: list[bytes], rate: float, first_user: int,
                 until: Callable[[int], bool]) -> tuple[list[tuple[dict, float]], float]:
    """Photos at `rate` a second, each from a new user, sent on time whether or not the
    bot keeps up, until `until(photos sent)`; what was sent and when, and for how long."""
    sent: list[tuple[dict, float]] = []
    started = time.monotonic()
    while not until(len(sent)):
        time.sleep(max(0.0, started + len(sent) / rate - time.monotonic()))
        message = fake.send_photo([photos[len(sent) % len(photos)]],
                                  user_id=first_user + len(sent))
        sent.append((message, time.time()))
    return sent, time.monotonic() - started


def answers(fake: FakeTelegram, sent: list[tuple[dict, float]], mark: int) -> dict[str, float]:
    """Every answer to `sent` waited for: answers per second, latency, photos lost, and the
    calls since `mark` that spent Telegram's send budget."""
    latencies, lost, last = [], 0, 0.0
    for message, at in sent:
        try:
            reply = fake.replies_to(message, timeout=120)
        except TimeoutError:
            lost += 1
            continue
        latencies.append(reply.time - at)
        last = max(last, reply.time)
    calls = fake.requests[mark:]
    p50, p95, p99 = percentiles(latencies)
    return {"answered": len(latencies) / (last - sent[0][1]), "p50": p50, "p95": p95,
            "p99": p99, "max": max(latencies) * 1000, "lost": lost,
            "typing": sum(call.method == "sendChatAction" for call in calls),
            "budget": sum(call.method in BUDGET for call in calls)}


BUDGET = ("sendMessage", "sendPhoto", "sendChatAction", "editMessageReplyMarkup",
          "editMessageText")  # calls that count against Telegram's ~30 a second


def offer(fake: FakeTelegram, photos: list[bytes], rate: float, seconds: float,
          first_user: int) -> dict[str, float]:
    """Photos at `rate` a second for `seconds`, then every answer waited for."""
    mark, count = fake.mark(), round(rate * seconds)
    sent, took = send_at_rate(fake, photos, rate, first_user, lambda n: n == count)
    return {"offered": count / took, **answers(fake, sent, mark)}


def accuracy_while_offered(fake: FakeTelegram, photos: list[bytes], rate: float,
                           first_user: int) -> dict[str, float]:
    """/accuracy's time from command to report while photos come at `rate` a second (from
    a second before it to its report), and those photos' answers."""
    mark, reported = fake.mark(), threading.Event()
    result: dict[str, float] = {}

    def admin() -> None:
        time.sleep(1.0)
        asked = time.time()
        fake.send_text("/accuracy", user_id=ADMIN)
        report = fake.wait_for("sendPhoto", lambda call: call.params.get("chat_id") == ADMIN
                               and call.time >= asked, timeout=300)
        result["accuracy seconds"] = report.time - asked
        reported.set()

    thread = threading.Thread(target=admin)
    thread.start()
    sent, _ = send_at_rate(fake, photos, rate, first_user, lambda n: reported.is_set())
    thread.join()
    return {**result, **{f"during {key}": value
                         for key, value in answers(fake, sent, mark).items()}}


def measure_offered(fake: FakeTelegram, project: Path, args: argparse.Namespace,
                    photos: list[bytes], workdir: Path) -> dict[str, dict[str, float]]:
    # MNIST appears in Keras' cache only once the bot runs, so that nothing is evaluated at
    # start-up: the first /accuracy below evaluates, under load.
    keras = workdir / "keras"
    bot = BotProcess(
        fake, workdir, project=project, ADMIN_IDS=str(ADMIN), KERAS_HOME=str(keras),
        LOG_LEVEL="WARNING", DATA_DIR=str(workdir / "data"), PHOTOS_PER_MINUTE="100000",
    )
    figures: dict[str, dict[str, float]] = {}
    try:
        bot.wait_until_polling(timeout=300)
        (keras / "datasets").mkdir(parents=True)
        shutil.copy(args.mnist_path, keras / "datasets" / "mnist.npz")
        offer(fake, photos, 5, 2, 100_000)  # warm-up
        for rate, first_user in ((25, 200_000), (45, 300_000)):
            cpu = bot.cpu_seconds()
            figures[f"{rate}"] = offer(fake, photos, rate, args.seconds, first_user)
            figures[f"{rate}"]["cpu"] = ((bot.cpu_seconds() - cpu) * 1000
                                         / round(rate * args.seconds))
        figures["25"]["memory"] = bot.resident_bytes() / 2**20
        time.sleep(SETTLE_SECONDS)
        figures["25"]["memory settled"] = bot.resident_bytes() / 2**20
        figures["accuracy"] = accuracy_while_offered(fake, photos, 25, 400_000)
        figures["accuracy again"] = accuracy_while_offered(fake, photos, 25, 500_000)
        figures["25"]["memory after"] = bot.resident_bytes() / 2**20
        time.sleep(SETTLE_SECONDS)
        figures["25"]["memory after settled"] = bot.resident_bytes() / 2**20
    finally:
        bot.stop()
    return figures


def measure_replicas(fake: FakeTelegram, args: argparse.Namespace, photos: list[bytes],
                     workdir: Path) -> dict[str, dict[str, float]]:
    """Two webhook replicas sharing a redis-server, fed in turn: 45 photos a second, then
    a language chosen through one replica and used by the other, and a user's photos
    limited across both."""
    redis_server = RedisServer(workdir)
    ports = [free_port(), free_port()]
    bots = [BotProcess(
        fake, workdir, log_name=f"replica-{k}.log", REDIS_URL=redis_server.url,
        WEBHOOK_URL=f"http://127.0.0.1:{ports[0]}/telegram", WEBHOOK_SECRET="s" * 32,
        WEBHOOK_LISTEN=f"127.0.0.1:{port}", DATA_DIR=str(workdir / f"data-{k}"),
        HEARTBEAT_FILE=str(workdir / f"heartbeat-{k}"), MNIST_PATH=str(args.mnist_path),
        LOG_LEVEL="WARNING", PHOTOS_PER_MINUTE="5",
    ) for k, port in enumerate(ports)]
    fake.feed_in_turn([f"http://127.0.0.1:{port}/telegram" for port in ports])
    try:
        deadline = time.monotonic() + 300
        while len(fake.calls("setWebhook")) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        offer(fake, photos, 5, 2, 100_000)  # warm-up
        figures = offer(fake, photos, 45, args.seconds, 300_000)
        menu = fake.replies_to(fake.send_text("/language", user_id=900_001), timeout=60)
        german = next(button for row in menu.params["reply_markup"]["inline_keyboard"]
                      for button in row if button["text"] == "Deutsch")
        fake.send_callback_query(german["callback_data"], message=menu.result,
                                 user_id=900_001)
        fake.wait_for("editMessageText", timeout=60)
        helps = [fake.send_text("/help", user_id=900_001) for _ in range(2)]
        shared = all(fake.replies_to(m, timeout=60).params["text"].startswith("Schick")
                     for m in helps) and len({fake.taken_by(m) for m in helps}) == 2
        flood = [fake.send_photo([photos[0]], user_id=900_002) for _ in range(10)]
        time.sleep(5)
        told = [call for call in fake.calls("sendMessage") if call.status == 200
                and call.params["chat_id"] == flood[0]["chat"]["id"]]
        figures["shared"] = float(shared and len(told) == 5 + 1)  # 5 readings and a note
    finally:
        for bot in bots:
            bot.stop()
        redis_server.stop()
    return {"45": figures}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="a checkout of the bot to compare with")
    parser.add_argument("--seconds", type=float, default=20, help="how long each rate is offered")
    parser.add_argument("--versus-seed", action="store_true")
    parser.add_argument("--photos", type=int, default=1000)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--mnist-path", type=Path,
                        default=Path(os.environ.get("MNIST_PATH") or DEFAULT_MNIST).resolve())
    args = parser.parse_args(argv)
    if args.versus_seed:
        return versus_seed(args)

    photos = phone_photos(args.mnist_path, 1280, 87)
    variants = {"this bot": PROJECT}
    if args.before:
        variants = {"before": args.before.resolve(), **variants}
    results = {}
    for name, project in variants.items():
        with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
            results[name] = measure_offered(fake, project, args, photos, Path(tmp))
    with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
        replicas = measure_replicas(fake, args, photos, Path(tmp))

    print(f"Offered load: photos at a fixed rate for {args.seconds:.0f} s each, each from its"
          f" own user (1280 px JPEG), {os.cpu_count()} cores, fake Bot API on this machine\n")
    print(f"{'what':<52}" + "".join(f"{name:>14}" for name in results) + "   goal")
    rows = [
        ("offered per second", "45", "offered", "{:.1f}", ""),
        ("45/s offered: answers per second", "45", "answered", "{:.1f}", ">= 27"),
        ("45/s offered: photos lost", "45", "lost", "{:.0f}", "0"),
        ("45/s offered: p95 / max latency (ms)", "45", ("p95", "max"), "{:.0f} / {:.0f}", ""),
        ("45/s offered: \"typing…\" sent / budget calls", "45", ("typing", "budget"),
         "{:.0f} / {:.0f}", "typing only with room"),
        ("25/s offered: answers per second", "25", "answered", "{:.1f}", ""),
        ("25/s offered: p50 / p95 latency (ms)", "25", ("p50", "p95"), "{:.0f} / {:.0f}",
         "p95 <= 150"),
        ("/accuracy under 25/s, evaluated: command to report (s)", "accuracy",
         "accuracy seconds", "{:.2f}", "<= 2"),
        ("/accuracy under 25/s: photo p95 meanwhile (ms)", "accuracy", "during p95", "{:.0f}",
         "<= 200"),
        ("/accuracy under 25/s: photos lost meanwhile", "accuracy", "during lost", "{:.0f}", "0"),
        ("/accuracy again (report kept): command to report (s)", "accuracy again",
         "accuracy seconds", "{:.2f}", "<= 2"),
        ("/accuracy again: photo p95 meanwhile (ms)", "accuracy again", "during p95", "{:.0f}",
         "<= 200"),
        ("CPU ms per photo (bot process, at 25/s)", "25", "cpu", "{:.1f}", "<= 15"),
        ("resident MB, one replica (after 45/s; after /accuracy)", "25",
         ("memory", "memory after"), "{:.0f}; {:.0f}", "<= 150"),
        (f"  the same {SETTLE_SECONDS:.0f} s later, the load over", "25",
         ("memory settled", "memory after settled"), "{:.0f}; {:.0f}", "<= 150"),
    ]
    for what, group, keys, form, goal in rows:
        keys = keys if isinstance(keys, tuple) else (keys,)
        cells = "".join(f"{form.format(*(results[name][group][key] for key in keys)):>14}"
                        for name in results)
        print(f"{what:<52}{cells}   {goal}")
    two = replicas["45"]
    print(f"\nTwo replicas (webhook, fed in turn) with redis-server, 45/s offered:"
          f" {two['answered']:.1f} answers a second (goal >= 27), {two['lost']:.0f} lost,"
          f" p95 {two['p95']:.0f} ms; language and limits shared across them:"
          f" {'yes' if two['shared'] else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
