"""The Compose file and Caddy's: one bot by default, two replicas with the profile.

(These machines run no Compose; the replicas' behaviour itself is tested with real
processes and a real Redis in tests/test_replicas.py.)
"""

import re
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent


def services(profile: str | None) -> dict[str, dict]:
    """The services `docker compose [--profile profile] up` starts."""
    compose = yaml.safe_load((PROJECT / "compose.yaml").read_text())
    return {name: service for name, service in compose["services"].items()
            if not service.get("profiles") or profile in service["profiles"]}


def test_one_polling_bot_by_default():
    assert list(services(None)) == ["bot"]
    bot = services(None)["bot"]
    assert bot["read_only"] and bot["env_file"] == ".env"
    assert any(volume.endswith(":/data") for volume in bot["volumes"])


def test_the_replicas_profile_runs_two_replicas_with_their_own_journal_redis_and_caddy():
    started = services("replicas")
    assert set(started) == {"bot", "replica-2", "redis", "caddy"}
    data = {name: next(v for v in started[name]["volumes"] if v.endswith(":/data"))
            for name in ("bot", "replica-2")}
    assert data["bot"] != data["replica-2"]  # each replica keeps its own journal
    assert started["replica-2"]["image"] == started["bot"]["image"]
    caddyfile = (PROJECT / "deploy" / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy /telegram ([^{]+)\{", caddyfile).group(1).split()
    assert upstreams == ["bot:8080", "replica-2:8080"]
    assert "lb_try_duration" in caddyfile  # a replica down: its updates go to the other
    assert "redis://redis:6379/0" in (PROJECT / "compose.yaml").read_text()  # as README says
