"""The board shows what the lead list shows: the same counts per stage, no invalid leads,
and the owner and grade filters narrow both alike."""

from __future__ import annotations

import prison as rison
import pytest

from tests.e2e.conftest import login
from tests.e2e.test_board import add_lead, column


def listed(api, user, owner=None, **equal):
    """How many leads ``user``'s list shows with these column values (and this owner: the
    list's rows name it, the API filters do not)."""
    filters = [{"col": col, "opr": "eq", "value": value} for col, value in equal.items()]
    query = rison.dumps({"filters": filters, "page_size": 100})
    response = api(user, "get", f"/api/v1/lead/?q={query}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    if owner is None:
        return body["count"]
    assert body["count"] <= 100
    return sum(1 for row in body["result"] if row["owner"] == owner)


def stages(board):
    return {c["stage"]: c["count"] for c in board["columns"]}


@pytest.mark.parametrize("user", ["rep1", "sup1"])
def test_each_column_counts_what_the_list_shows_for_its_stage(api, user):
    add_lead(api, "rep1")
    board = api(user, "get", "/api/v1/board/lead").get_json()
    assert sum(stages(board).values()) > 0
    for stage, count in stages(board).items():
        assert count == listed(api, user, stage=stage), stage


def test_an_invalid_lead_leaves_the_board(api):
    pk = add_lead(api, "rep1")
    before = api("sup1", "get", "/api/v1/board/lead").get_json()
    done = api("rep1", "put", f"/api/v1/lead/{pk}",
               json={"status": "invalid", "invalid_reason": "spam"})
    assert done.status_code == 200, done.get_json()
    for user in ("rep1", "sup1"):
        board = api(user, "get", "/api/v1/board/lead").get_json()
        assert pk not in [card["id"] for c in board["columns"] for card in c["cards"]]
    after = api("sup1", "get", "/api/v1/board/lead").get_json()
    assert column(after, "capture")["count"] == column(before, "capture")["count"] - 1


def test_owner_and_grade_filters_narrow_the_columns_as_the_list(api, ids):
    add_lead(api, "rep1")
    whole = stages(api("sup1", "get", "/api/v1/board/lead").get_json())
    mine = api("sup1", "get", f"/api/v1/board/lead?owner={ids['rep1']}").get_json()
    for stage, count in stages(mine).items():
        assert count == listed(api, "sup1", stage=stage, owner=ids["rep1"]), stage
    assert stages(mine) != whole or listed(api, "sup1") == listed(api, "sup1", owner=ids["rep1"])
    graded = api("sup1", "get", "/api/v1/board/lead?grade=A").get_json()
    for stage, count in stages(graded).items():
        assert count == listed(api, "sup1", stage=stage, grade="A"), stage
    # an owner outside the reader's scope is ignored, not an empty board
    outside = api("rep1", "get", f"/api/v1/board/lead?owner={ids['rep2']}").get_json()
    assert stages(outside) == stages(api("rep1", "get", "/api/v1/board/lead").get_json())


def test_the_page_offers_owner_and_grade_filters_and_a_move_select(app, api, ids):
    add_lead(api, "rep1")
    html = login(app, "sup1").get(f"/board/lead/?owner={ids['rep1']}&grade=B").data.decode()
    assert 'name="owner"' in html and f'<option value="{ids["rep1"]}" selected>' in html
    assert 'name="grade"' in html and '<option value="B" selected>B级(中价值)</option>' in html
    rep = login(app, "rep1").get("/board/lead/").data.decode()
    assert "我的" in rep and f'value="{ids["rep2"]}"' not in rep
    assert 'class="form-control ll-move"' in rep and "移动到…" in rep
    assert 'class="ll-no"' in rep  # compact cards: number, customer, amount


def test_cards_carry_the_record_number(api):
    pk = add_lead(api, "rep1")
    board = api("rep1", "get", "/api/v1/board/lead").get_json()
    card = next(card for card in column(board, "capture")["cards"] if card["id"] == pk)
    assert card["number"] == api("rep1", "get", f"/api/v1/lead/{pk}").get_json()[
        "result"]["lead_no"]
