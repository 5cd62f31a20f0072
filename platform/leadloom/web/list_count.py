"""Flask-AppBuilder's data model for lists: counts exact up to the configured limit, the
planner's estimate beyond it (``model.counts``), and how the page says which it is; the
order the indexes keep; and the filters a list applies kept without FAB's catalogue of
every column's filters."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.utils.base import get_column_root_relation, is_column_dotted

from leadloom.model.counts import EstimatedCount, count_rows
from leadloom.model.indexes import list_order
from leadloom.web.labels import current_locale

#: ten thousand: the unit Chinese counts large numbers in (万)
WAN = 10_000


class ActiveFilters(Filters):
    """Filters to apply, and only those: FAB's ``Filters`` also works out every column's
    possible filters when made (about a millisecond), and a list made three."""

    def __init__(self, filter_converter: Any, datamodel: Any) -> None:
        self.filter_converter = filter_converter
        self.datamodel = datamodel
        self.search_columns = []
        self.clear_filters()

    @classmethod
    def joined(cls, first: Filters, then: Filters) -> ActiveFilters:
        """``first``'s filters and ``then``'s, as FAB's ``get_joined_filters``."""
        joined = cls(first.filter_converter, first.datamodel)
        joined.filters = first.filters + then.filters
        joined.values = first.values + then.values
        return joined


class CountingInterface(SQLAInterface):
    """FAB's SQLAlchemy data model whose list count stops being exact past the limit."""

    def get_inner_filters(self, filters: Filters | None) -> Filters:
        """FAB's: the filters on the record's own columns and its to-one relations."""
        inner = ActiveFilters(self.filter_converter_class, self)
        if filters:
            inner.add_filter_list([(f.column_name, type(f), value)
                                   for f, value in zip(filters.filters, filters.values, strict=True)
                                   if self._inner(f.column_name)])
        return inner

    def _inner(self, column: str) -> bool:
        if not is_column_dotted(column):
            return True
        root = get_column_root_relation(column)
        return bool(self.is_relation_many_to_one(root) or self.is_relation_one_to_one(root))

    def apply_order_by(self, query: Any, order_column: str, order_direction: str,
                       aliases_mapping: Any = None, bypass_many_to_many: bool = False,
                       add_pk: bool = False) -> Any:
        """FAB's ordering with empty values as the smallest (``model.indexes.list_order``),
        the order the indexes keep: the same on SQLite and PostgreSQL, and on the screen and
        in REST, and a page read from an index whichever way it goes."""
        column = self.obj.__table__.c.get(order_column) if order_column else None
        if column is None:  # a relation's column: FAB's own
            return super().apply_order_by(query, order_column, order_direction,
                                          aliases_mapping, bypass_many_to_many, add_pk)
        descending = order_direction != "asc"
        keys = [list_order(column, descending)]
        if add_pk and column.name != "id":
            keys.append(list_order(self.obj.__table__.c.id, descending))
        return query.order_by(*keys)

    def query_count(self, query: Any, filters: Any = None,
                    select_columns: Any = None) -> int:
        inner = self._apply_inner_all(query, filters, select_columns=select_columns,
                                      aliases_mapping={})
        return self._count(inner)

    def counted_page(self, query: Any, filters: Any, order_column: str,
                     order_direction: str, page: int | None, page_size: int | None
                     ) -> tuple[int, Any]:
        """``query_count`` and ``apply_all``'s page (no columns chosen) of one list, its
        filters applied once: each of FAB's applies them anew, so the scope and every
        filter were built twice a request."""
        filtered = self.apply_filters(query, self.get_inner_filters(filters))
        ordered = self.apply_order_by(
            self.apply_engine_specific_hack(filtered, page, page_size, order_column),
            order_column, order_direction, bypass_many_to_many=True, add_pk=True)
        return self._count(filtered), self.apply_pagination(ordered, page, page_size)

    def _count(self, query: Any) -> int:
        limit = current_app.config["LEADLOOM_SETTINGS"].exact_count_limit
        return count_rows(self.session, query.statement, limit)


def is_estimated(count: int) -> bool:
    return isinstance(count, EstimatedCount)


def rounded(count: int) -> str:
    """An estimated count as people say it: 约 12.3 万 / about 123,000 (three digits)."""
    if current_locale().startswith("zh") and count >= WAN:
        return f"{count / WAN:.1f} 万".replace(".0 ", " ")
    digits = len(str(count))
    return f"{round(count, 3 - digits if digits > 3 else 0):,}"
