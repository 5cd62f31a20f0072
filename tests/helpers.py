"""Small helpers for tests: config folders, Redis databases, demo sites, fixed clocks."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.support import Translations
from redis import Redis
from redis.exceptions import RedisError

from leadloom.demo import generate_demo
from leadloom.metadata.messages import Message
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.language import TRANSLATIONS
from tests.pdf_checks import require_poppler


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path``; fail loudly if it is not unique."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file below ``folder`` with its modification time and bytes."""
    return {str(p): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def claimed_redis_db(server: str, databases: range) -> Iterator[str]:
    """Claim an empty Redis database (skip when Redis is down or none is free); flush it
    afterwards. Different test modules claim from different ranges."""
    try:
        Redis.from_url(f"{server}/0", socket_connect_timeout=2).ping()
    except RedisError as error:
        pytest.skip(f"no Redis at {server} ({error}); CI starts one")
    for db in databases:
        client = Redis.from_url(f"{server}/{db}")
        if client.dbsize() == 0 and client.set("leadloom:test:claimed", os.getpid(), nx=True):
            yield f"{server}/{db}"
            client.flushdb()
            return
    pytest.skip(f"no empty Redis database ({min(databases)}-{max(databases)}) at {server}")


class Clock:
    """A clock that stands still at ``at`` (move it by assigning ``at``)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


CONFIG = Path(__file__).resolve().parents[1] / "config"
REDIS_SERVER = os.environ.get("LEADLOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379")


def demo_site(redis_url: str, database_factory: Callable[[], str],
              tmp_path_factory: pytest.TempPathFactory, *, leads: int, seed: int,
              password: str) -> dict[str, object]:
    """An app on its own database with ``leads`` demo leads, its settings, a folder for
    worker logs and a Redis client."""
    require_poppler()
    settings = Settings(config_dir=CONFIG, database_url=database_factory(), secret_key="x" * 48,
                        redis_url=redis_url, reports_dir=tmp_path_factory.mktemp("reports"))
    app = create_app(settings, testing=True)
    with app.app_context():
        generate_demo(app, leads=leads, seed=seed, password=password)
    return {"app": app, "settings": settings, "logs": tmp_path_factory.mktemp("logs"),
            "redis": Redis.from_url(redis_url)}


def chinese(message: Message) -> str:
    """``message`` as a Chinese user reads it, from the committed catalog."""
    text = Translations.load(str(TRANSLATIONS), ["zh"]).gettext(message.msgid)
    return text % message.params if message.params else text
