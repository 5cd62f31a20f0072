"""The report job queue connects on first use; a new app (a newly published config)
still hands its runtime at once to the embedded jobs this process already runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leadloom.settings import Settings
from leadloom.web import create_app, reports

CONFIG = Path(__file__).resolve().parents[3] / "config"


def test_an_app_connects_no_queue_until_asked(database_factory: Callable[[], str],
                                              monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(reports, "_EMBEDDED", {})  # no embedded jobs run in this process yet
    app = create_app(Settings(config_dir=CONFIG, database_url=database_factory()),
                     testing=True)
    assert "queue" not in vars(app.extensions["leadloom.jobs"])


def test_a_new_app_hands_its_runtime_to_the_embedded_jobs_already_running(
        database_factory: Callable[[], str]):
    settings = Settings(config_dir=CONFIG, database_url=database_factory())
    first = create_app(settings, testing=True)
    queue = first.extensions["leadloom.jobs"].queue  # the embedded jobs start
    second = create_app(settings, testing=True)
    assert queue.inline is not None
    assert queue.inline.runtime is second.extensions["leadloom.jobs"].runtime
    assert second.extensions["leadloom.jobs"].queue is queue
