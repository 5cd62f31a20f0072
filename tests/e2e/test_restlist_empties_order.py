"""Empty values sort as the smallest, on the screen and in REST alike and on SQLite and
PostgreSQL alike: first going up, last going down (``model.indexes.list_order``, the order
the indexes keep). PostgreSQL's own default put never-followed-up leads on top of "last
follow-up, newest first"."""

from __future__ import annotations

import datetime as dt
import re

import prison
import pytest
import sqlalchemy as sa

from leadloom.web.state import state
from tests.e2e.conftest import login, make_lead

ROW = re.compile(r'<tr data-id="(\d+)"')
FAR = dt.datetime(2031, 1, 1)


@pytest.fixture(scope="module")
def followed(app, ids):
    """Three leads of rep1's: followed up a day apart after everyone else's, and never."""
    made = [make_lead(app, ids, "rep1")[0] for _ in range(3)]
    with app.app_context():
        st = state()
        lead = st.models.cls("lead").__table__
        for pk, at in zip(made, (FAR + dt.timedelta(days=1), None, FAR), strict=True):
            st.db.session.execute(sa.update(lead).where(lead.c.id == pk)
                                  .values(last_followup_at=at))
        st.db.session.commit()
    newest, never, older = made
    return {"desc": [newest, older, never], "asc": [never, older, newest]}


def rest_order(api, direction):
    query = prison.dumps({"order_column": "last_followup_at", "order_direction": direction,
                          "page_size": 500})
    answer = api("rep1", "get", f"/api/v1/lead/?q={query}")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["result"]


@pytest.mark.parametrize("direction", ["desc", "asc"])
def test_empty_values_are_the_smallest_in_rest_and_on_the_screen(app, api, followed,
                                                                 direction):
    rows = rest_order(api, direction)
    empty = [row["last_followup_at"] is None for row in rows]
    assert empty == sorted(empty, reverse=direction == "asc"), "empties in one block"
    assert any(empty) and not all(empty)
    rest = [row["id"] for row in rows]
    assert [pk for pk in rest if pk in followed[direction]] == followed[direction]
    page = login(app, "rep1").get(f"/lead/list/?psize_LeadView=500&_oc_LeadView="
                                  f"last_followup_at&_od_LeadView={direction}")
    assert page.status_code == 200
    assert [int(pk) for pk in ROW.findall(page.get_data(as_text=True))] == rest
