"""Form conversions: times are entered and shown in Asia/Shanghai and stored as UTC."""

from __future__ import annotations

import datetime as dt
import uuid

from leadloom.records.leads import clock
from tests.e2e.conftest import login, make_lead


def test_followup_time_round_trips_in_shanghai_time(app, ids, monkeypatch):
    lead_id, _ = make_lead(app, ids, "rep1")
    # follow-ups more than 7 days back are refused: the rules' clock is the next day
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2025, 3, 2, 2, 0))
    client = login(app, "rep1")
    summary = f"电话沟通 {uuid.uuid4().hex[:8]}"
    response = client.post("/followup/add", data={
        "lead": str(lead_id), "occurred_at": "2025-03-01 10:00:00", "method": "phone",
        "summary": summary, "customer_feedback": "interested"})
    assert response.status_code == 302, response.data.decode()[:1500]
    from leadloom.web.state import state

    with app.app_context():
        cls = state().models.cls("followup")
        record = state().db.session.query(cls).filter_by(summary=summary).one()
        assert record.occurred_at == dt.datetime(2025, 3, 1, 2, 0)
        pk = record.id
    page = client.get(f"/followup/show/{pk}").data.decode()
    assert "2025-03-01 10:00" in page
    form = client.get(f"/followup/edit/{pk}").data.decode()
    assert 'type="datetime-local"' in form and 'value="2025-03-01T10:00"' in form
