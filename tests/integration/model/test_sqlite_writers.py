"""The embedded database holds concurrent writers: 20 threads write leads over HTTP to
``leadloom serve`` on a SQLite file while ``leadloom publish`` adds a field; no request
fails and the publish goes through."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path
from statistics import median

import pytest
import sqlalchemy as sa

from leadloom.model import create_engine
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.users import add_user
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"
SECRET = "w" * 48
PASSWORD = "writer-pass-123"
WRITERS = 20
REMARK = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"
WECHAT = "  wechat: {type: string, zh: 微信, en: WeChat, length: 64}\n"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _post(port: int, path: str, body: dict, token: str | None = None) -> tuple[int, str, str]:
    """(status, config version, body text); never raises for an HTTP status."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers["X-Leadloom-Config-Version"], \
                response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("X-Leadloom-Config-Version", ""), \
            error.read().decode(errors="replace")


def _login(port: int) -> str:
    return json.loads(_post(port, "/api/v1/security/login", {
        "username": "rep1", "password": PASSWORD, "provider": "db"})[2])["access_token"]


@pytest.fixture
def served(tmp_path: Path):
    """``leadloom serve`` (threaded, jobs in-process) on a SQLite file, rep1 logged in."""
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    url = f"sqlite:///{tmp_path / 'var' / 'leadloom.db'}"
    app = create_app(Settings(config_dir=config, database_url=url, secret_key=SECRET))
    with app.app_context():
        add_user("rep1", roles=["rep"], password=PASSWORD, team="east-1")
        state = app.extensions["leadloom"]
        source = state.db.session.execute(sa.text("SELECT id FROM source WHERE code = 'WEB'"))
        web = source.scalar_one()
        state.db.engine.dispose()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEADLOOM_")}
    env.update(LEADLOOM_SECRET_KEY=SECRET, LEADLOOM_DATABASE_URL=url)
    server = subprocess.Popen(
        [sys.executable, "-m", "leadloom", "--config", str(config), "serve", "--port",
         str(port)], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            token = _login(port)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(server.stderr.read().decode()[-3000:]) from None
            time.sleep(0.3)
    yield config, url, port, token, web, env
    server.terminate()
    server.wait(timeout=20)


def _write_leads(port: int, token: str, web: int, stop: threading.Event,
                 answers: list[tuple[int, str, str]], waits: list[float]) -> None:
    while not stop.is_set():
        mark = uuid.uuid4().hex[:10]
        started = time.monotonic()
        try:
            answers.append(_post(port, "/api/v1/lead/", {
                "customer_name": f"并发客户{mark}", "industry": "trade", "contact_name": "冯经理",
                "contact_phone": f"139{uuid.uuid4().int % 10**8:08d}", "source": web,
                "need_description": "CRM"}, token))
        except OSError as error:  # no answer at all (reset, timeout): a failure too
            answers.append((0, "", repr(error)))
        waits.append(time.monotonic() - started)


@pytest.mark.slow
def test_a_publish_under_twenty_writers_fails_no_request(served):
    config, url, port, token, web, env = served
    answers: list[tuple[int, str, str]] = []
    waits: list[float] = []
    stop = threading.Event()
    writers = [threading.Thread(target=_write_leads,
                                args=(port, token, web, stop, answers, waits))
               for _ in range(WRITERS)]
    for writer in writers:
        writer.start()
    try:
        time.sleep(2)
        replace_once(config / "entities" / "lead.yaml", REMARK, REMARK + WECHAT)
        started = time.monotonic()
        publish = subprocess.run(
            [sys.executable, "-m", "leadloom", "--config", str(config), "publish", "-m",
             "wechat under load"], env=env, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - started
        deadline = time.monotonic() + 20
        while not any(version == "2" for _, version, _ in answers[-WRITERS:]):
            assert time.monotonic() < deadline, "the new version never answered"
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=90)
    statuses = Counter(status for status, _, _ in answers)
    versions = Counter(version for _, version, _ in answers)
    print(f"\n{len(answers)} requests from {WRITERS} writers: {dict(statuses)}, by config "
          f"version {dict(versions)}; answers took {median(waits):.2f} s (median), "
          f"{max(waits):.1f} s (slowest); publish took "
          f"{took:.1f} s, exit {publish.returncode}")
    assert publish.returncode == 0, publish.stdout + publish.stderr
    assert "published version 2" in publish.stdout
    failed = [(status, text[:300]) for status, _, text in answers if status != 201]
    assert failed == [], f"{len(failed)} of {len(answers)} failed, e.g. {failed[:3]}"
    assert len(answers) >= 2 * WRITERS and versions["1"] and versions["2"]
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM lead")).scalar_one()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    engine.dispose()
    assert stored == len(answers) and mode == "wal"
