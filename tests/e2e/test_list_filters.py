"""Lists filtered from the address (``?grade=A``, ``?owner=me``, ``?view=mine``): the rows
are the ones the filter names, within the reader's scope; a filter that does not fit is left
out with a message in Chinese; a hidden field cannot be probed by filtering on it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.e2e.conftest import login, make_lead

LISTED = re.compile(r'/lead/show/(\d+)"')
TOTAL = re.compile(r'id="ll-total">共 (\d+) 条')


def shown(client, query: str) -> set[int]:
    page = client.get(f"/lead/list/?psize_LeadView=100&{query}")
    assert page.status_code == 200
    return {int(pk) for pk in LISTED.findall(page.data.decode())}


def total(client, query: str) -> int:
    """The list's count of rows (all pages)."""
    page = client.get(f"/lead/list/?{query}").data.decode()
    return int(TOTAL.search(page).group(1))


def lead_ids(app, where) -> set[int]:
    """Ids of the leads ``where`` picks that the active lists hold (not invalid ones)."""
    from leadloom.web.state import state

    with app.app_context():
        lead = state().models.cls("lead")
        active = sa.or_(lead.status.is_(None), lead.status != "invalid")
        return set(state().db.session.scalars(sa.select(lead.id).where(where(lead), active)))


def grade_of(app, pk: int) -> str:
    from leadloom.web.state import state

    with app.app_context():
        return state().db.session.get(state().models.cls("lead"), pk).grade


def test_an_option_filter_lists_exactly_those_rows_in_scope(app, ids):
    (mine, name), (theirs, their_name) = (make_lead(app, ids, owner) for owner in ("rep1",
                                                                                 "rep3"))
    grade = grade_of(app, mine)
    other = next(g for g in "ABC" if g != grade)
    rep1 = login(app, "rep1")
    assert shown(rep1, f"grade={grade}&customer_name={name}") == {mine}
    assert shown(rep1, f"grade={other}&customer_name={name}") == set()
    assert shown(rep1, f"grade={grade_of(app, theirs)}&customer_name={their_name}") == set()
    assert mine in shown(rep1, f"grade={other},{grade}&customer_name={name}")


def test_me_and_my_team_follow_the_reader(app, ids):
    make_lead(app, ids, "rep2")
    make_lead(app, ids, "rep3")
    sup1 = login(app, "sup1")
    assert total(sup1, "owner=my_team") == len(lead_ids(
        app, lambda lead: lead.owner_id.in_((ids["rep1"], ids["rep2"], ids["sup1"]))))
    assert total(sup1, "owner=me") == 0
    assert total(login(app, "rep2"), "view=mine") == len(lead_ids(
        app, lambda lead: lead.owner_id == ids["rep2"]))


def test_a_period_is_a_day_of_the_app_time_zone(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    assert pk in shown(client, "created_at=today")
    assert pk not in shown(client, "created_at=..-1d")


def test_a_filter_that_does_not_fit_is_left_out_with_a_message(app, ids):
    make_lead(app, ids, "rep1")
    client = login(app, "rep1")
    page = client.get("/lead/list/?grade=Z").data.decode()
    assert "线索分级不能按“Z”筛选" in page
    assert shown(client, "grade=Z") == shown(client, "")


def test_a_hidden_field_cannot_be_probed(app, ids):
    make_lead(app, ids, "rep1")  # phone 138 0013 8000
    fin1 = login(app, "fin1")
    assert total(fin1, "contact_phone=13800138000") == total(fin1, "contact_phone=99999")
