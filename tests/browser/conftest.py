"""Browser tests: one demo site per session, served in a thread with CSRF on, and pages of
Debian's Chromium driven by Playwright at a desk (1440×900) and on a phone (390×844).

Every page records the browser console's errors; a test ends with ``assert_quiet(page)``.
The one Chromium of the session is the ``browser`` fixture of tests/conftest.py.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from leadloom.demo import generate_demo
from leadloom.records import Context, create
from leadloom.records.leads import clock
from leadloom.settings import Settings
from leadloom.web import create_app
from tests.conftest import CONFIG, SECRET

#: the demo users' password (every demo login)
DEMO_PASSWORD = "demo1234"
SIZES = {"desk": {"width": 1440, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Site:
    app: Flask
    url: str


@pytest.fixture(scope="session")
def site(database_factory: Callable[[], str],
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The demo organisation with a small data set, CSRF on, on a free port."""
    yield from demo_site(database_factory(), tmp_path_factory.mktemp("reports"), leads=300,
                         seed=11)


def demo_site(database_url: str, reports_dir: Path, *, leads: int, seed: int,
              config_dir: Path = CONFIG) -> Iterator[Site]:
    """A demo organisation of ``leads`` leads on ``database_url``, served in a thread."""
    settings = Settings(config_dir=config_dir, database_url=database_url, secret_key=SECRET,
                        reports_dir=reports_dir)
    app = create_app(settings, testing=True, csrf=True)
    with app.app_context():
        generate_demo(app, leads=leads, seed=seed, password=DEMO_PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Site(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        app.extensions["leadloom"].db.engine.dispose()


@pytest.fixture
def open_page(browser, site: Site) -> Iterator[Callable[..., object]]:
    """``open_page(user, size="desk")``: a new Chinese-language page logged in as ``user``."""
    contexts = []

    def open_(user: str, size: str = "desk") -> object:
        context = browser.new_context(locale="zh-CN", viewport=SIZES[size],
                                      has_touch=size == "phone", is_mobile=size == "phone")
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.goto(f"{site.url}/login/")
        page.fill("#username", user)
        page.fill("#password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit], button[type=submit]")
        return page

    yield open_
    for context in contexts:
        context.close()


def assert_quiet(page: object) -> None:
    """No error in the browser console while the test ran."""
    assert not page.console_errors, page.console_errors


def remove_leads(st: object, ids: list[int]) -> None:
    """Delete the leads ``ids`` and the rows pointing at them (a test's leads on the
    shared site), and commit."""
    lead = st.models.cls("lead").__table__
    for table in st.models.metadata.sorted_tables[::-1]:
        for fk in table.foreign_keys:
            if fk.column is lead.c.id:
                st.db.session.execute(sa.delete(table).where(fk.parent.in_(ids)))
    st.db.session.execute(sa.delete(lead).where(lead.c.id.in_(ids)))
    st.db.session.commit()


def log_demo(ctx: Context, lead_id: int) -> None:
    """A demo follow-up on the lead: leaving 方案 (solution), or skipping it, asks for one."""
    create(ctx, "followup", {"lead": lead_id, "kind": "demo", "method": "visit",
                             "occurred_at": clock.now(), "summary": "上门产品演示",
                             "customer_feedback": "interested"})
