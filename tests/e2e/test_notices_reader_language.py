"""Notices about leads are read in the reader's language: the API answers a gathered
notice with its lines in Chinese or English as asked; ``notify_leads`` (a rule telling
several people of several leads) sends each person one notice, once."""

from __future__ import annotations

import uuid

from leadloom.access import Actor
from leadloom.records import Context
from leadloom.records.leads.notices import grade_label, lead_notice, link
from leadloom.records.notify import notify_leads
from tests.e2e.conftest import make_lead


def _tell(app, usernames, key, pks):
    """Grade-change notices about leads ``pks`` to ``usernames``, as one run sends them."""
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        users = [st.appbuilder.sm.find_user(username=u).id for u in usernames]
        ctx = Context(Actor.system_actor(), st.db.session, st.models, channel="test")
        lead = st.models.cls("lead")
        rows = st.db.session.query(lead).filter(lead.id.in_(pks)).order_by(lead.id).all()
        calendar = st.registry.lead_rules.base.calendar
        notify_leads(ctx, users, "grade", [
            (lead_notice("grade", {"id": r.id, "lead_no": r.lead_no, "grade": "A",
                                   "customer_name": r.customer_name}, calendar,
                         r.first_touch_due_at, old=grade_label("B")), link(r.id))
            for r in rows], key=key)
        st.db.session.commit()
        return [r.lead_no for r in rows]


def _gathered(api, user, language):
    answer = api(user, "get", "/api/v1/notifications/?unread=1",
                 headers={"Accept-Language": language}).get_json()
    return [m for m in answer["result"] if m["kind"] == "grade" and "lines" in m]


def test_a_gathered_notice_in_chinese_and_english_sent_once(app, api, ids):
    key = f"regrade-test:{uuid.uuid4().hex[:8]}"
    pks = [make_lead(app, ids, "rep1")[0] for _ in range(3)]
    before = {u: len(_gathered(api, u, "zh")) for u in ("rep2", "sup1")}
    numbers = _tell(app, ["rep2", "sup1"], key, pks)
    _tell(app, ["rep2", "sup1"], key, pks)  # the same run again: nothing new
    for user in ("rep2", "sup1"):
        zh = _gathered(api, user, "zh")
        assert len(zh) == before[user] + 1
        assert zh[0]["title"] == "3 条线索分级已调整"
        assert [line["title"].split("（")[0] for line in zh[0]["lines"]] == [
            f"线索 {n}" for n in numbers]
        assert "分级由 B级 调整为 A级" in zh[0]["lines"][0]["title"]
        en = _gathered(api, user, "en")[0]
        assert en["title"] == "3 leads changed grade"
        assert en["lines"][0]["title"].startswith(f"Lead {numbers[0]} (")
        assert "B → grade A; due " in en["lines"][0]["title"]
