"""Every lead notice says number, customer, grade and the deadline in Asia/Shanghai time,
in Chinese and in English, from the catalogs; every gathering title is translated."""

from __future__ import annotations

import datetime as dt

import pytest

from leadloom.metadata.catalog import in_language, loaded, stored
from leadloom.metadata.messages import Message
from leadloom.records.leads.notices import (
    DIGEST,
    GATHERED,
    RECOMPUTED,
    TEXTS,
    grade_label,
    lead_notice,
    overdue_notice,
    task_notice,
)
from leadloom.records.notify import BATCH_TITLES, OTHER_BATCH
from leadloom.rules import WorkCalendar

CALENDAR = WorkCalendar()
LEAD = {"id": 7, "lead_no": "WEB-20240603-001", "customer_name": "苏州峰博新材料有限公司",
        "contact_name": "周经理", "grade": "A"}
DUE = dt.datetime(2024, 6, 5, 1, 0)  # 09:00 in Shanghai
EXTRA = {"grade": {"old": grade_label("B")}, "reclaim_warning": {"days": 42, "left": 3},
         "reclaimed": {"days": 45}, "task_due": {"task": "发送报价"}, "stale": {"days": 31}}
#: (zh, en) per kind
EXPECTED = {
    "assignment": ("新线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）已分配给你，首次触达截止 "
                   "2024-06-05 09:00",
                   "New lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A) is yours; "
                   "first touch by 2024-06-05 09:00"),
    "grade": ("线索 WEB-20240603-001（苏州峰博新材料有限公司）分级由 B级 调整为 A级，截止 "
              "2024-06-05 09:00",
              "Lead WEB-20240603-001 (苏州峰博新材料有限公司): grade B → grade A; due "
              "2024-06-05 09:00"),
    "sla_warning": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）需在 2024-06-05 09:00 "
                    "前首次触达",
                    "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A): first touch due "
                    "by 2024-06-05 09:00"),
    "sla_breach": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）首次触达已超时（截止 "
                   "2024-06-05 09:00）",
                   "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A): first touch "
                   "overdue (due 2024-06-05 09:00)"),
    "reclaim_warning": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）已 42 天未跟进，3 天后"
                        "将退回公海（2024-06-05 09:00）",
                        "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A): no follow-up "
                        "for 42 days; back to the pool in 3 days (2024-06-05 09:00)"),
    "reclaimed": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）已 45 天未跟进，已退回公海",
                  "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A) went back to the "
                  "pool after 45 idle days"),
    "task_due": ("任务「发送报价」将于 2024-06-05 09:00 到期：线索 WEB-20240603-001（苏州峰博新材料"
                 "有限公司，A级）",
                 "Task 发送报价 due 2024-06-05 09:00: lead WEB-20240603-001 "
                 "(苏州峰博新材料有限公司, grade A)"),
    "stale": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）已 31 天未更新（最后活动 "
              "2024-06-05 09:00）",
              "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A): no activity for 31 "
              "days (last 2024-06-05 09:00)"),
    "followup_due": ("线索 WEB-20240603-001（苏州峰博新材料有限公司，A级）需跟进（截止 "
                     "2024-06-05 09:00）",
                     "Lead WEB-20240603-001 (苏州峰博新材料有限公司, grade A): follow-up due "
                     "2024-06-05 09:00"),
}


@pytest.mark.parametrize("kind", sorted(TEXTS))
def test_each_kind_in_chinese_and_english(kind):
    message = lead_notice(kind, LEAD, CALENDAR, DUE, **EXTRA.get(kind, {}))
    again = loaded(stored(message))  # as the inbox reads it back from the database
    assert (in_language(again, "zh"), in_language(again, "en")) == EXPECTED[kind]


def test_an_ungraded_lead_without_a_company_and_a_day_as_deadline():
    lead = {**LEAD, "grade": None, "customer_name": None}
    message = lead_notice("reclaim_warning", lead, CALENDAR, dt.date(2024, 6, 8), days=42,
                          left=3)
    assert "（周经理，未分级）" in in_language(message, "zh")
    assert "(周经理, ungraded)" in in_language(message, "en")
    assert "（2024-06-08）" in in_language(message, "zh")


def test_a_task_without_a_lead():
    class Task:
        title, due_at = "周会", DUE

    assert in_language(task_notice(Task, None, CALENDAR), "zh") == (
        "任务「周会」将于 2024-06-05 09:00 到期")


@pytest.mark.parametrize("msgid", [*BATCH_TITLES.values(), OTHER_BATCH])
def test_gathering_titles_are_translated(msgid):
    zh = in_language(Message(msgid, count=12), "zh")
    assert zh.startswith("12 ") and zh != in_language(Message(msgid, count=12), "en")


@pytest.mark.parametrize(("kind", "zh", "en"), [
    ("stale", "12 条线索超过 30 天未更新", "12 leads without activity for 30 days"),
    ("followup_due", "12 条线索已到跟进时间", "12 leads are due a follow-up")])
def test_periodic_gathering_titles_in_both_languages(kind, zh, en):
    again = loaded(stored(Message(GATHERED[kind], count=12, days=30)))
    assert (in_language(again, "zh"), in_language(again, "en")) == (zh, en)


@pytest.mark.parametrize(("message", "zh", "en"), [
    (overdue_notice(["回电", "报价"]), "2 项任务已逾期：回电、报价", "2 tasks overdue: 回电, 报价"),
    (overdue_notice(["回电", "报价", "发送资料", "周会"]),
     "4 项任务已逾期：回电、报价、发送资料…", "4 tasks overdue: 回电, 报价, 发送资料…"),
    (Message(DIGEST, due=3, overdue=1, touch=2),
     "今日待办：3 项任务到期，1 项逾期，2 条线索需首次触达",
     "Today: 3 tasks due, 1 overdue, 2 leads to touch first"),
    (Message(RECOMPUTED, version=7, count=40, due=12, grades=3),
     "配置 v7 生效：你的 40 条线索已按新规则重新计算（截止时间变化 12 条，等级变化 3 条）",
     "Config v7: 40 of your leads recomputed under the new rules (12 deadlines changed, "
     "3 grades changed)")])
def test_task_digest_and_recompute_notices_in_both_languages(message, zh, en):
    """Each reader reads these in their own language, whatever the deployment's default."""
    again = loaded(stored(message))
    assert (in_language(again, "zh"), in_language(again, "en")) == (zh, en)
