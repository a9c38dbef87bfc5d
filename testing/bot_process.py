"""The real bot, `python -m bot`, in a subprocess against a `FakeTelegram`: started as a
self-hoster starts it (settings in the environment), its output kept in a log file, its
CPU time and memory read from /proc. For the end-to-end tests and the benchmarks."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from testing.fake_telegram import FakeTelegram

PROJECT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def resident_bytes(pid: int) -> int:
    """A process's resident memory."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024


class BotProcess:
    """`python -m <module>` (the bot, or a stand-in with the same settings) in `workdir`,
    polling `fake`; `settings` are added to (or override) the environment it gets."""

    def __init__(self, fake: FakeTelegram, workdir: Path, module: str = "bot",
                 log_name: str = "bot.log", project: Path = PROJECT, **settings: str) -> None:
        self.env = {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(project),  # another checkout: the bot as it was, for a baseline
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_BASE_URL": fake.root,
            "LOG_LEVEL": "INFO",
            "HEARTBEAT_FILE": str(workdir / "heartbeat"),
            **settings,
        }
        self.fake = fake
        self.log_file = workdir / log_name
        self.peak_rss = 0  # the highest resident memory seen by `watch_memory`
        self._mark = fake.mark()
        self.started = time.monotonic()
        with self.log_file.open("w") as log:
            self.process = subprocess.Popen([sys.executable, "-m", module], cwd=workdir,
                                            env=self.env, stdout=log, stderr=log)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def output(self) -> str:
        return self.log_file.read_text()

    def wait_until_polling(self, timeout: float = 120) -> float:
        """Seconds from the start to the bot's first getUpdates."""
        self.fake.wait_for("getUpdates", timeout=timeout, since=self._mark)
        return time.monotonic() - self.started

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime

    def resident_bytes(self) -> int:
        return resident_bytes(self.pid)

    def watch_memory(self, every: float = 0.05) -> None:
        """Keep `peak_rss` up to date until the process ends (in a daemon thread)."""

        def sample() -> None:
            while self.process.poll() is None:
                # (It may end between poll() and the read.)
                with contextlib.suppress(OSError, AttributeError):
                    self.peak_rss = max(self.peak_rss, self.resident_bytes())
                time.sleep(every)

        threading.Thread(target=sample, daemon=True).start()

    def exit_code(self, timeout: float = 120) -> int:
        return self.process.wait(timeout=timeout)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> None:
        """Send `sig` (if it still runs) and wait for the process to end."""
        if self.process.poll() is None:
            self.stopped_at = time.time()
            self.process.send_signal(sig)
            self.process.wait(timeout=timeout)


class PeakMemory:
    """The highest resident memory of a process while in the `with` block, sampled."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def _sample(self) -> None:
        while not self._done.wait(0.01):
            self.peak = max(self.peak, resident_bytes(self.pid))

    def __enter__(self) -> PeakMemory:
        self.before = self.peak = resident_bytes(self.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        self._thread.join()

    @property
    def added(self) -> int:
        return self.peak - self.before
