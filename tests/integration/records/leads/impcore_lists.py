"""A generated expo list for import tests: its rows, which rows a given world already
holds, and the outcome each row must get."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from typing import Any

import openpyxl

HEADERS = ["客户名称", "所属行业", "来源", "联系人", "手机", "核心需求描述", "预计金额",
           "预计成交日期", "联系人为决策者"]
INDUSTRIES = ["制造业", "manufacturing", "信息技术/软件", "批发零售/商贸"]
SOURCES = ["官网表单", "EXPO", "Trade show", "WEB"]
AMOUNTS = ["15万", "150,000元", "¥80000", "12", ""]
DATES = ["2025-06-30", "2025/7/1", "2025年8月15日", "20250901", ""]


@dataclass(slots=True)
class ExpoList:
    """The file's rows, the rows to store first (by whom) and each row's expected outcome."""

    rows: list[list[str]] = field(default_factory=list)
    stored: dict[str, list[list[str]]] = field(default_factory=dict)
    expected: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(("created", "updated", "flagged", "skipped", "refused"), 0)
        for outcome in self.expected:
            found[outcome] += 1
        return found

    def xlsx(self, rows: list[list[str]] | None = None) -> bytes:
        return workbook(self.rows if rows is None else rows)


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def expo_list(n: int, seed: int = 7, base: int = 0) -> ExpoList:
    """``n`` rows: ~2 % repeat an earlier row's phone, ~3 % are leads the importer's team
    stored, ~1 % leads of another unit (invisible), ~2 % refused (unknown industry, bad
    phone, no customer name); the others new."""
    rng = random.Random(seed)
    made = ExpoList(stored={"rep1": [], "rep3": []})
    for i in range(n):
        number = f"137{base + i:08d}"
        cells = [f"展会客户{base + i}有限公司", rng.choice(INDUSTRIES), rng.choice(SOURCES),
                 rng.choice(["周经理", "李总", "王工"]), number, "需要CRM系统",
                 rng.choice(AMOUNTS), rng.choice(DATES), rng.choice(["是", "否", "Y", ""])]
        roll = rng.random()
        outcome = "created"
        if roll < 0.02 and i > 10:
            cells[4] = made.rows[rng.randrange(0, i - 5)][4]
            earlier = made.expected[[r[4] for r in made.rows].index(cells[4])]
            outcome = ("refused" if cells[4] == "12345" else
                       "skipped" if earlier in ("created", "skipped") else "created")
        elif roll < 0.05:
            made.stored["rep1"].append(list(cells))
            outcome = "skipped"
        elif roll < 0.06:
            made.stored["rep3"].append(list(cells))
            outcome = "skipped"
        elif roll < 0.08:
            bad = rng.randrange(3)
            if bad == 0:
                cells[1] = "不存在的行业"
            elif bad == 1:
                cells[4] = "12345"
            else:
                cells[0] = ""
            outcome = "refused"
        made.rows.append(cells)
        made.expected.append(outcome)
    return made
