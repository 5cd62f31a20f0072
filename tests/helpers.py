"""Small helpers for tests that edit config folders."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.support import Translations
from redis import Redis
from redis.exceptions import RedisError

from leadloom.metadata.messages import Message
from leadloom.web.language import TRANSLATIONS


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


def chinese(message: Message) -> str:
    """``message`` as a Chinese user reads it, from the committed catalog."""
    text = Translations.load(str(TRANSLATIONS), ["zh"]).gettext(message.msgid)
    return text % message.params if message.params else text
