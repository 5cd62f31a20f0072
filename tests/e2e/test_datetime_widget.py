"""Date-time fields: a native ``datetime-local`` input in Asia/Shanghai over naive-UTC
columns; add forms opened from a lead start filled in and return to it."""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from leadloom.records.leads import clock
from leadloom.web.fields import DATETIME_FORMATS, ZonedDateTimeField
from tests.e2e.conftest import login, make_lead

SHANGHAI = ZoneInfo("Asia/Shanghai")


class _Form(Form):
    at = ZonedDateTimeField(format=DATETIME_FORMATS, tz=SHANGHAI)


def test_stored_utc_shows_as_local_time_in_a_datetime_local_input():
    form = _Form(data={"at": dt.datetime(2026, 11, 30, 1, 30)})  # naive UTC, as stored
    html = form.at()
    assert 'type="datetime-local"' in html and 'value="2026-11-30T09:30"' in html


@pytest.mark.parametrize("typed", ["2026-11-30T09:30", "2026-11-30 09:30:00"])
def test_typed_local_time_comes_back_as_the_same_utc_instant(typed):
    form = _Form(formdata=MultiDict({"at": typed}))
    assert form.validate()
    assert form.at.data.astimezone(dt.UTC).replace(tzinfo=None) == dt.datetime(2026, 11, 30, 1, 30)


def test_round_trip_across_midnight_keeps_the_instant():
    stored = dt.datetime(2026, 11, 29, 20, 15)  # 04:15 the next day in Shanghai
    shown = _Form(data={"at": stored}).at._value()
    assert shown == "2026-11-30T04:15"
    again = _Form(formdata=MultiDict({"at": shown})).at.data
    assert again.astimezone(dt.UTC).replace(tzinfo=None) == stored


@pytest.fixture
def frozen(monkeypatch):
    """The rules' clock after the typed times (follow-ups may not lie in the future)."""
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 11, 30, 12, 0))


@pytest.mark.parametrize(("entity", "lead_key", "time"), [
    ("followup", "lead", "occurred_at"), ("task", "_flt_0_lead", "due_at")])
def test_add_form_from_a_lead_is_prefilled(app, ids, entity, lead_key, time):
    lead_id, _ = make_lead(app, ids, "rep1")
    page = login(app, "rep1").get(f"/{entity}/add?{lead_key}={lead_id}")
    html = page.data.decode()
    assert f'<input type="hidden" id="lead" name="lead" value="{lead_id}">' in html
    now = dt.datetime.now(SHANGHAI).strftime("%Y-%m-%dT")
    assert f'id="{time}"' in html and f'value="{now}' in html  # now, local time
    assert "appbuilder_date" not in html  # FAB's date-only picker does not attach


def test_add_form_ignores_a_lead_the_user_may_not_read(app, ids):
    lead_id, name = make_lead(app, ids, "rep2")
    html = login(app, "rep1").get(f"/followup/add?lead={lead_id}").data.decode()
    assert 'type="datetime-local"' in html
    assert name not in html and 'id="lead" name="lead" value=""' in html


def test_config_default_fills_the_lead_status(app):
    html = login(app, "rep1").get("/lead/add").data.decode()
    assert '<option selected value="new">' in html


def test_saved_follow_up_returns_to_the_lead(app, ids, frozen):
    lead_id, _ = make_lead(app, ids, "rep1")
    summary = f"电话沟通 {uuid.uuid4().hex[:8]}"
    response = login(app, "rep1").post(
        f"/followup/add?lead={lead_id}&next=/lead/show/{lead_id}", data={
            "lead": str(lead_id), "occurred_at": "2026-11-30T09:30", "method": "phone",
            "summary": summary, "customer_feedback": "interested"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/lead/show/{lead_id}")
    from leadloom.web.state import state

    with app.app_context():
        cls = state().models.cls("followup")
        record = state().db.session.query(cls).filter_by(summary=summary).one()
        assert record.occurred_at == dt.datetime(2026, 11, 30, 1, 30)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/",
                                    "/\\evil.example", "javascript:alert(1)"])
def test_next_elsewhere_is_ignored(app, ids, frozen, target):
    lead_id, _ = make_lead(app, ids, "rep1")
    response = login(app, "rep1").post(f"/followup/add?next={target}", data={
        "lead": str(lead_id), "occurred_at": "2026-11-30T09:30", "method": "phone",
        "summary": "电话", "customer_feedback": "interested"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]
    assert "javascript" not in response.headers["Location"]


def test_failed_save_keeps_the_typed_times(app, ids, frozen):
    lead_id, _ = make_lead(app, ids, "rep1")
    response = login(app, "rep1").post(f"/followup/add?lead={lead_id}", data={
        "lead": str(lead_id), "occurred_at": "2026-11-30T09:30", "method": "phone",
        "summary": "", "customer_feedback": "interested", "next_action_due": "2026-12-03"})
    html = response.data.decode()
    assert response.status_code == 200
    assert 'value="2026-11-30T09:30"' in html
    assert 'type="date"' in html and 'value="2026-12-03"' in html
