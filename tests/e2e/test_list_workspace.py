"""The list page to work in: a filter bar with labels (not codes) from the Registry, saved
views per user, bulk actions through the write path with per-record refusals, and bulk
assign from the pool."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.e2e.conftest import login, make_lead

ROW = re.compile(r'<tr data-id="(\d+)"')


def page_of(client, url: str) -> str:
    answer = client.get(url)
    assert answer.status_code == 200, answer.data[:500]
    return answer.data.decode()


def listed(client, query: str) -> set[int]:
    return {int(pk) for pk in ROW.findall(page_of(client, f"/lead/list/?psize_LeadView=500&"
                                                          f"{query}"))}


def select_html(page: str, name: str) -> str:
    found = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, name
    return found.group(1)


def lead_row(app, pk: int):
    from leadloom.web.state import state

    with app.app_context():
        st = state()
        st.db.session.expire_all()
        return st.db.session.get(st.models.cls("lead"), pk)


def audit_rows(app, pk: int) -> list:
    from leadloom.model.workflow import workflow_classes
    from leadloom.web.state import state

    with app.app_context():
        audit = workflow_classes(state().models.metadata).audit
        return state().db.session.scalars(sa.select(audit).where(
            audit.entity == "lead", audit.record_id == pk, audit.actor == "sup1")).all()


def test_enum_filters_offer_labels_and_filter_by_code(app):
    from leadloom.web.state import state

    fin1 = login(app, "fin1")
    options = select_html(page_of(fin1, "/contract/list/"), "finance_status")
    assert '<option value="pending">待财务确认</option>' in options
    page = page_of(fin1, "/contract/list/?finance_status=pending&psize_ContractView=500")
    with app.app_context():
        contract = state().models.cls("contract")
        pending = set(state().db.session.scalars(
            sa.select(contract.id).where(contract.finance_status == "pending")))
    assert {int(pk) for pk in ROW.findall(page)} == pending
    assert f"共 {len(pending)} 条" in page


def test_supervisors_filter_by_rep_by_name(app, ids):
    make_lead(app, ids, "rep1")
    theirs = make_lead(app, ids, "rep3")[0]
    sup1 = login(app, "sup1")
    owners = select_html(page_of(sup1, "/lead/list/"), "owner")
    assert '<option value="me">我</option>' in owners
    assert '<option value="my_team">我的团队</option>' in owners
    assert f'value="{ids["rep1"]}"' in owners and f'value="{ids["rep3"]}"' not in owners
    rows = listed(sup1, f"owner={ids['rep1']}")
    assert rows and all(lead_row(app, pk).owner_id == ids["rep1"] for pk in rows)
    assert theirs not in listed(sup1, f"owner={ids['rep3']}")


def test_sorted_heads_link_both_ways(app, ids):
    make_lead(app, ids, "rep1")
    page = page_of(login(app, "rep1"), "/lead/list/?_oc_LeadView=last_followup_at"
                                        "&_od_LeadView=asc")
    assert "_oc_LeadView=last_followup_at&amp;_od_LeadView=desc" in page
    assert "fa-sort-asc" in page


def test_only_the_columns_with_an_index_have_sort_links(app, ids):
    make_lead(app, ids, "rep1")
    rep1 = login(app, "rep1")
    page = page_of(rep1, "/lead/list/")
    assert re.search(r'data-code="last_followup_at"><a href="[^"]*_oc_LeadView=last_followup_at',
                     page)
    for indexed in ("grade", "lead_no"):  # indexed for filtering, unique
        assert re.search(rf'data-code="{indexed}"><a href="[^"]*_oc_LeadView={indexed}', page)
    assert re.search(r'<th data-code="customer_name">[^<]+</th>', page)  # no link
    ignored = page_of(rep1, "/lead/list/?_oc_LeadView=customer_name&_od_LeadView=asc")
    assert "fa-sort-asc" not in ignored  # an unsortable column: the default order instead
    assert re.search(r"列表不能按“[^”]+”排序", ignored)  # and the page says so


def test_saved_views_are_mine_alone(app, ids):
    rep1, rep2 = login(app, "rep1"), login(app, "rep2")
    answer = rep1.post("/lead/list/views", data={"name": "我的A级", "query": "grade=A"})
    assert answer.status_code == 302 and answer.location.endswith("/lead/list/?grade=A")
    page = page_of(rep1, "/lead/list/?grade=A")
    assert 'data-name="我的A级"' in page and 'aria-current="true"><i class="fa fa-bookmark"' in page
    again = rep1.post("/lead/list/views", data={"name": "我的A级", "query": "grade=B"},
                      follow_redirects=True).data.decode()
    assert "你已有名为“我的A级”的视图" in again
    assert 'data-name="我的A级"' not in page_of(rep2, "/lead/list/")
    view_id = re.search(r'/lead/list/views/(\d+)/delete', page).group(1)
    rep2.post(f"/lead/list/views/{view_id}/delete")
    assert 'data-name="我的A级"' in page_of(rep1, "/lead/list/")
    rep1.post(f"/lead/list/views/{view_id}/delete")
    assert 'data-name="我的A级"' not in page_of(rep1, "/lead/list/")


def test_bulk_transfer_reports_each_refusal_and_changes_nothing_refused(app, ids):
    mine = [make_lead(app, ids, "rep1")[0] for _ in range(2)]
    other = make_lead(app, ids, "rep3")[0]
    sup1 = login(app, "sup1")
    answer = sup1.post("/lead/list/bulk", data={
        "ids": [*map(str, mine), str(other)], "action": "owner", "owner": str(ids["rep2"]),
        "next": "/lead/list/"}, follow_redirects=True).data.decode()
    assert f"已更新 2 条，1 条未更新：#{other} 不存在或不在你的范围内" in answer
    assert all(lead_row(app, pk).owner_id == ids["rep2"] for pk in mine)
    assert lead_row(app, other).owner_id == ids["rep3"]
    assert all(a.channel == "ui" and "owner" in a.changes
               for pk in mine for a in audit_rows(app, pk))
    assert all(audit_rows(app, pk) for pk in mine) and not audit_rows(app, other)


def test_a_rep_may_not_transfer_and_is_told_why_per_record(app, ids):
    pk, _ = make_lead(app, ids, "rep1")
    rep1 = login(app, "rep1")
    assert 'value="owner"' not in page_of(rep1, "/lead/list/")  # no transfer offered
    answer = rep1.post("/lead/list/bulk", data={
        "ids": [str(pk)], "action": "owner", "owner": str(ids["rep2"])},
        follow_redirects=True).data.decode()
    number = lead_row(app, pk).lead_no
    assert f"已更新 0 条，1 条未更新：{number} 负责人：您的角色不能修改此字段" in answer
    assert lead_row(app, pk).owner_id == ids["rep1"]


def test_bulk_option_change_goes_through_the_write_path(app, ids):
    picked = [make_lead(app, ids, "rep1")[0] for _ in range(2)]
    rep1 = login(app, "rep1")
    assert 'value="industry:trade"' in select_html(page_of(rep1, "/lead/list/"), "option")
    answer = rep1.post("/lead/list/bulk", data={
        "ids": [str(pk) for pk in picked], "action": "option", "option": "industry:trade"},
        follow_redirects=True).data.decode()
    assert "已更新 2 条" in answer
    assert all(lead_row(app, pk).industry == "trade" for pk in picked)


def test_supervisor_assigns_several_pool_leads_at_once(app, ids):
    pooled = [make_lead(app, ids, "rep1")[0] for _ in range(2)]
    rep1 = login(app, "rep1")
    for pk in pooled:
        rep1.post(f"/pool/release/{pk}", data={"reason": "暂无预算"})
    assert all(lead_row(app, pk).owner_id is None for pk in pooled)
    kept = make_lead(app, ids, "rep1")[0]  # not in the pool: refused, left as it was
    sup1 = login(app, "sup1")
    answer = sup1.post("/pool/assign-many", data={
        "ids": [*map(str, pooled), str(kept)], "owner": str(ids["rep2"])},
        follow_redirects=True).data.decode()
    assert "已更新 2 条，1 条未更新：" in answer
    assert all(lead_row(app, pk).owner_id == ids["rep2"] for pk in pooled)
    assert lead_row(app, kept).owner_id == ids["rep1"]
