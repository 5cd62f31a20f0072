"""离职交接 on the members page: the admin hands a leaving rep's open leads to a colleague
and reads how many moved (the list's bulk-action wording); a supervisor cannot."""

from __future__ import annotations

import sqlalchemy as sa

from leadloom.web.state import state
from leadloom.web.users import add_user
from tests.conftest import PASSWORD
from tests.e2e.conftest import login, make_lead


def owners(app, leads: list[int]) -> set[int]:
    with app.app_context():
        lead = state().models.cls("lead").__table__
        return set(state().db.session.scalars(sa.select(lead.c.owner_id).where(
            lead.c.id.in_(leads))))


def test_the_admin_hands_a_leaving_reps_leads_over(app, ids):
    with app.app_context():
        people = {name: add_user(name, roles=("rep",), password=PASSWORD, team="east-1",
                                 unit="east", name=label).id
                  for name, label in (("sr_leaver", "离职甲"), ("sr_taker", "接手乙"))}
        state().db.session.commit()
    leads = [make_lead(app, {**ids, **people}, "sr_leaver")[0] for _ in range(3)]
    form = {"user_id": str(people["sr_leaver"]), "to": str(people["sr_taker"])}
    login(app, "sup1").post("/members/handover", data=form)
    assert owners(app, leads) == {people["sr_leaver"]}  # not the supervisor's to do
    admin = login(app, "admin")
    page = admin.post("/members/handover", data=form, follow_redirects=True)
    assert "已更新 3 条" in page.get_data(as_text=True)
    assert owners(app, leads) == {people["sr_taker"]}
    again = admin.post("/members/handover", data=form, follow_redirects=True)
    assert "没有可交接的未关闭线索" in again.get_data(as_text=True)
    same = admin.post("/members/handover", data={**form, "to": form["user_id"]},
                      follow_redirects=True).get_data(as_text=True)
    assert "请选择另一位接手人" in same
    assert 'id="ll-handover"' in admin.get("/members/").get_data(as_text=True)
