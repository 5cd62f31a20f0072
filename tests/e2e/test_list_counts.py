"""List counts: exact up to the limit, PostgreSQL's planner estimate beyond it, labelled on
the page and flagged in REST; exact on SQLite (the limit is lowered for the test)."""

from __future__ import annotations

import dataclasses

import prison
import pytest

from tests.e2e.conftest import login, make_lead

LIMIT = 2


@pytest.fixture
def low_limit(app, ids, monkeypatch):
    """More leads than the limit in admin's scope, and the limit lowered to ``LIMIT``;
    gives the leads made and the settings as they were."""
    made = [make_lead(app, ids, "rep3") for _ in range(LIMIT + 1)]
    settings = app.config["LEADLOOM_SETTINGS"]
    monkeypatch.setitem(app.config, "LEADLOOM_SETTINGS",
                        dataclasses.replace(settings, exact_count_limit=LIMIT))
    return made, settings


def rest_list(api, **equal):
    filters = [{"col": col, "opr": "eq", "value": value} for col, value in equal.items()]
    query = prison.dumps({"filters": filters, "page_size": 1})
    response = api("admin", "get", f"/api/v1/lead/?q={query}")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_long_list_counts_exactly_on_sqlite_and_estimates_on_postgresql(app, api, low_limit,
                                                                         monkeypatch):
    _, settings = low_limit
    body = rest_list(api)
    assert isinstance(body["count"], int) and body["count"] > LIMIT
    page = login(app, "admin").get("/lead/list/").data.decode()
    if settings.database_url.startswith("postgresql"):
        assert body["count_estimated"] is True
        assert 'data-estimated="true"' in page and "约 " in page
    else:
        monkeypatch.setitem(app.config, "LEADLOOM_SETTINGS", settings)
        exact = rest_list(api)["count"]
        assert body["count_estimated"] is False and body["count"] == exact
        assert "data-estimated" not in page and f"共 {exact} 条" in page


def test_a_list_within_the_limit_counts_exactly(app, api, low_limit):
    _, name = low_limit[0][0]
    body = rest_list(api, customer_name=name)
    assert body["count"] == 1 and body["count_estimated"] is False
    page = login(app, "admin").get(f"/lead/list/?_flt_0_customer_name={name}").data.decode()
    assert "共 1 条" in page and "data-estimated" not in page


@pytest.mark.parametrize(("language", "count", "text"), [
    ("zh", 123_456, "12.3 万"), ("zh", 120_000, "12 万"), ("zh", 8_000, "8,000"),
    ("en", 123_456, "123,000"), ("en", 1_234_567, "1,230,000"), ("en", 987, "987")])
def test_an_estimate_reads_as_people_say_it(app, language, count, text):
    from flask_babel import force_locale

    from leadloom.web.list_count import rounded

    with app.test_request_context("/"), force_locale(language):
        assert rounded(count) == text
