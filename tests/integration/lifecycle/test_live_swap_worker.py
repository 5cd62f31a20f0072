"""A running ``leadloom worker`` uses a newly published config version for its next job."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from redis import Redis
from rq.job import Job

from leadloom import lifecycle
from leadloom.metadata.files import read_folder
from leadloom.settings import Settings
from leadloom.web import create_app
from leadloom.web.users import add_user
from tests.helpers import claimed_redis_db, replace_once
from tests.integration.jobs.test_redis_worker import WorkerProcess, wait_for

CONFIG = Path(__file__).resolve().parents[3] / "config"
SERVER = os.environ.get("LEADLOOM_TEST_REDIS_URL", "redis://127.0.0.1:6379")
REMARK = "  remark: {type: text, zh: 备注, en: Remarks, section: need}\n"


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from claimed_redis_db(SERVER, range(7, 0, -1))


def test_worker_runs_the_new_version_for_its_next_job(redis_url, tmp_path, database_factory):
    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    settings = Settings(config_dir=config, database_url=database_factory(), secret_key="x" * 48,
                        redis_url=redis_url, reports_dir=tmp_path / "reports")
    app = create_app(settings, testing=True)
    with app.app_context():
        add_user("boss", roles=["admin"], password="boss-pass-1")
    client = app.test_client()
    token = client.post("/api/v1/security/login", json={
        "username": "boss", "password": "boss-pass-1", "provider": "db"}).get_json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    redis = Redis.from_url(redis_url)
    worker = WorkerProcess({"settings": settings, "redis": redis, "logs": tmp_path})

    def run_report() -> Job:
        response = client.post("/api/v1/reports/stale_leads/run", headers=headers,
                               json={"period": "2025-12-31"})
        assert response.status_code == 202, response.get_json()
        job = Job.fetch(response.get_json()["job_id"], connection=redis)
        return wait_for(job, lambda j: j.get_status() in ("finished", "failed"), timeout=60)

    try:
        assert run_report().return_value()["config_version"] == 1
        replace_once(config / "entities" / "lead.yaml", REMARK, REMARK + "  wechat: {type: "
                     "string, zh: 微信, en: WeChat}\n")
        engine = sa.create_engine(settings.database_url)
        lifecycle.publish(engine, read_folder(config), author="test", message="add wechat")
        engine.dispose()
        published = time.monotonic()
        job = run_report()
        assert job.get_status() == "finished", worker.log.read_text()
        assert job.return_value()["config_version"] == 2
        assert time.monotonic() - published < 5
    finally:
        worker.stop()
