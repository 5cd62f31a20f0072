"""One write path: the same lead entered on the form, through the REST API and by import
gets the same number format, screening, duplicate check, grade and assignment."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from leadloom.access import Actor
from leadloom.records import Context, bulk_create, create, membership
from tests.e2e.conftest import login

NUMBER = re.compile(r"^WEB-\d{8}-\d{3}$")
BNAU = {"budget_status": "sufficient", "need_clarity": "clear", "authority": "decides",
        "purchase_timeline": "within_1m", "is_decision_maker": True,
        "matches_core_product": "yes"}


def user_context(username: str, channel: str) -> Context:
    """A write Context for ``username`` (in an app context)."""
    from leadloom.web.state import state

    st = state()
    user = st.appbuilder.sm.find_user(username=username)
    place = membership(st.db.session, st.models, user.id)
    actor = Actor(user.id, username, tuple(r.name for r in user.roles), place.team,
                  place.unit)
    return Context(actor, st.db.session, st.models, channel=channel)


@pytest.fixture(scope="module")
def seed(app, ids):
    """A lead of rep1 whose phone the new leads repeat (sup1 sees it: a warning)."""
    phone = f"139{uuid.uuid4().int % 100_000_000:08d}"
    with app.app_context():
        lead = create(user_context("rep1", "api"), "lead", {
            "customer_name": f"渠道测试{uuid.uuid4().hex[:6]}", "industry": "trade",
            "contact_name": "吴总", "contact_phone": phone, "source": ids["web"],
            "need_description": "CRM"})
        return {"phone": phone, "lead_no": lead.lead_no}


def _body(ids, seed):
    """The same lead each time: a government buyer (not a target industry), BNAU all top,
    the seed's phone written with spaces."""
    return {"customer_name": f"政府采购中心{uuid.uuid4().hex[:6]}", "industry": "government",
            "contact_name": "钱主任", "source": ids["web"], "need_description": "采购CRM系统",
            "contact_phone": f"{seed['phone'][:3]} {seed['phone'][3:7]} {seed['phone'][7:]}",
            **BNAU}


def _by_form(app, api, body):
    form = {**{k: str(v) for k, v in body.items()}, "status": "new"}
    response = login(app, "sup1").post("/lead/add", data=form)
    assert response.status_code == 302, response.data.decode()[:1500]


def _by_api(app, api, body):
    response = api("sup1", "post", "/api/v1/lead/", json=body)
    assert response.status_code == 201, response.get_json()


def _by_import(app, api, body):
    with app.app_context():
        bulk_create(user_context("sup1", "import"), "lead", [body])


@pytest.mark.parametrize("channel", [_by_form, _by_api, _by_import],
                         ids=["form", "api", "import"])
def test_every_channel_applies_every_rule(app, ids, api, seed, channel):
    body = _body(ids, seed)
    channel(app, api, body)
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        lead = st.models.cls("lead")
        record = st.db.session.scalars(sa.select(lead).where(
            lead.customer_name == body["customer_name"])).one()
        events = st.models.metadata.tables["ll_lead_event"]
        rule = st.db.session.scalar(sa.select(events.c.detail).where(
            events.c.lead_id == record.id, events.c.kind == "assigned"))
        assert NUMBER.match(record.lead_no), record.lead_no
        assert (record.status, record.screening_flags) == ("to_verify", ["non_target_industry"])
        assert (record.grade, record.value_level) == ("A", "high")
        assert seed["lead_no"] in record.duplicate_hint and "r*" in record.duplicate_hint
        assert record.owner_id in (ids["rep1"], ids["rep2"]) and rule["rule"] == "unit_reps"
        assert record.first_touch_due_at is not None and record.unit == "east"
