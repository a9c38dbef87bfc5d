"""`scripts/start.sh` on a fresh checkout: the one command that sets everything up and
starts the bot, asking for the token when there is none (in a terminal, through a pty)."""

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from bot import messages
from testing.fake_telegram import FakeTelegram
from tests.texts import english

PROJECT = Path(__file__).resolve().parent.parent


def checkout(tmp_path: Path) -> Path:
    """The project as cloned (no .env), its .venv the one the tests run in."""
    project = tmp_path / "digit-bot"
    project.mkdir()
    for entry in PROJECT.iterdir():
        if entry.name not in (".env", ".git", "data"):
            (project / entry.name).symlink_to(entry)
    return project


def environment(fake: FakeTelegram, tmp_path: Path) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "TELEGRAM_BASE_URL": fake.root,
            "DATA_DIR": str(tmp_path / "data"), "HEARTBEAT_FILE": str(tmp_path / "heartbeat")}


class Terminal:
    """A process on a pseudo-terminal: what it prints, and typing into it."""

    def __init__(self, command: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdin=slave, stdout=slave,
                                        stderr=slave, start_new_session=True)
        os.close(slave)
        self.screen = ""

    def read_until(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.screen and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.screen += os.read(self.master, 4096).decode(errors="replace")
                except OSError:  # the process ended
                    break
        assert text in self.screen, self.screen

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        os.close(self.master)


def test_the_first_start_asks_for_the_token_saves_it_and_starts_the_bot(tmp_path):
    project = checkout(tmp_path)
    with FakeTelegram() as fake:
        terminal = Terminal(["scripts/start.sh"], project, environment(fake, tmp_path))
        try:
            terminal.read_until("Paste the token")
            terminal.type(fake.token)
            terminal.read_until("@userinfobot")
            terminal.type("4242")
            fake.wait_for("getUpdates", timeout=180)  # set up, started, polling
            reply = fake.replies_to(fake.send_text("/help"))
            assert reply.params["text"] == english(messages.HELP)
        finally:
            terminal.close()
    assert (project / ".env").stat().st_mode & 0o077 == 0  # the token: the owner's only
    settings = (project / ".env").read_text()
    assert f"TELEGRAM_BOT_TOKEN={fake.token}\n" in settings and "ADMIN_IDS=4242\n" in settings
    assert settings.count("TELEGRAM_BOT_TOKEN=") == 1  # the example's line, filled in
    assert "# Optional: DEBUG, INFO" in settings  # and the rest of the example kept
    assert fake.token not in terminal.screen  # typed without echo, and never printed

    with FakeTelegram() as fake:  # the next start, by a supervisor: no terminal, no question
        (project / ".env").write_text(settings.replace("TELEGRAM_BOT_TOKEN=", "export "
                                                       "TELEGRAM_BOT_TOKEN=") + "A=1\n")
        again = subprocess.Popen(["scripts/start.sh"], cwd=project, stdin=subprocess.DEVNULL,
                                 env=environment(fake, tmp_path), start_new_session=True)
        try:
            fake.wait_for("getUpdates", timeout=180)
        finally:
            again.terminate()
            again.wait(timeout=60)


def test_without_a_terminal_it_says_what_to_put_in_env_and_exits_1(tmp_path):
    project = checkout(tmp_path)
    with FakeTelegram() as fake:
        run = subprocess.run(["scripts/start.sh"], cwd=project, env=environment(fake, tmp_path),
                             stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "TELEGRAM_BOT_TOKEN= in .env" in run.stderr and "@BotFather" in run.stderr
    assert (project / ".env").read_text() == (PROJECT / ".env.example").read_text()
