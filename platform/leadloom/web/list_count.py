"""List counts for Flask-AppBuilder's data model: exact up to the configured limit, the
planner's estimate beyond it (``model.counts``), and how the page says which it is."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_appbuilder.models.sqla.interface import SQLAInterface

from leadloom.model.counts import EstimatedCount, count_rows
from leadloom.web.labels import current_locale

#: ten thousand: the unit Chinese counts large numbers in (万)
WAN = 10_000


class CountingInterface(SQLAInterface):
    """FAB's SQLAlchemy data model whose list count stops being exact past the limit."""

    def query_count(self, query: Any, filters: Any = None,
                    select_columns: Any = None) -> int:
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        limit = current_app.config["LEADLOOM_SETTINGS"].exact_count_limit
        return count_rows(self.session, inner.statement, limit)


def is_estimated(count: int) -> bool:
    return isinstance(count, EstimatedCount)


def rounded(count: int) -> str:
    """An estimated count as people say it: 约 12.3 万 / about 123,000 (three digits)."""
    if current_locale().startswith("zh") and count >= WAN:
        return f"{count / WAN:.1f} 万".replace(".0 ", " ")
    digits = len(str(count))
    return f"{round(count, 3 - digits if digits > 3 else 0):,}"
