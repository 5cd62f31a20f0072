"""A published version goes live in running gunicorn workers within seconds, no restart."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from leadloom import lifecycle
from leadloom.metadata.files import read_folder
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.users import add_user
from tests.helpers import replace_once

CONFIG = Path(__file__).resolve().parents[3] / "config"
SECRET = "s" * 48
REMARK = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(port: int, path: str, token: str | None = None, body: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode() if body else None,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.headers["X-Leadloom-Config-Version"], json.loads(response.read())


@pytest.fixture
def served(tmp_path, database_factory):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    url = database_factory()
    settings = Settings(config_dir=config, database_url=url, secret_key=SECRET)
    app = create_app(settings)
    with app.app_context():
        add_user("admin", roles=["admin"], password="admin-pass-1")
        app.extensions["leadloom"].db.engine.dispose()
    port = free_port()
    env = {**os.environ, "LEADLOOM_CONFIG_DIR": str(config), "LEADLOOM_DATABASE_URL": url,
           "LEADLOOM_SECRET_KEY": SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "leadloom.web:create_live_app()"], env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        try:
            call(port, "/api/v1/security/login", body={
                "username": "admin", "password": "admin-pass-1", "provider": "db"})
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(server.stderr.read().decode()[-3000:]) from None
            time.sleep(0.3)
    yield config, url, port
    server.terminate()
    server.wait(timeout=20)


def test_new_field_is_live_in_every_worker_within_seconds(served):
    config, url, port = served
    _, login = call(port, "/api/v1/security/login", body={
        "username": "admin", "password": "admin-pass-1", "provider": "db"})
    token = login["access_token"]
    version, info = call(port, "/api/v1/lead/_info", token)
    assert version == "1" and "wechat" not in {c["name"] for c in info["add_columns"]}
    replace_once(config / "entities" / "lead.yaml", REMARK, REMARK + "  wechat: {type: string,"
                 " zh: 微信, en: WeChat}\n")
    engine = sa.create_engine(url)
    lifecycle.publish(engine, read_folder(config), author="test", message="add wechat")
    engine.dispose()
    published = time.monotonic()
    streak = 0
    while streak < 12:  # a dozen answers in a row from the new version, from both workers
        waited = time.monotonic() - published
        # about 2-3 s on a quiet machine (a poll every 0.5 s, then building the app); the
        # bound leaves room for a loaded CI machine running tests side by side
        assert waited < 15, f"after {waited:.1f} s the answers still came from version {version}"
        version, info = call(port, "/api/v1/lead/_info", token)
        live = version == "2" and "wechat" in {c["name"] for c in info["add_columns"]}
        streak = streak + 1 if live else 0
        time.sleep(0.05)
    created = call(port, "/api/v1/lead/", token, body=None)
    assert created[0] == "2"
