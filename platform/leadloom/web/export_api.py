"""``GET /api/v1/<entity>/export?format=xlsx|csv&q=RISON``: the REST list as a file.

The same ``q`` (filters, sort) and address filters (``?view=``, ``?grade=A``) as
``GET /api/v1/<entity>/``, checked the same way (a 400, never a 500), without paging;
``?columns=a,b`` picks columns (default: the list's).
"""

from __future__ import annotations

import re
from typing import IO, Any

import sqlalchemy as sa
from flask import Response, current_app, request
from flask_appbuilder.api import expose, safe
from flask_appbuilder.security.decorators import protect

from leadloom.exports import ExportResult
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity
from leadloom.records import RecordError
from leadloom.web.errors import answers_record_errors
from leadloom.web.exports import export_response, write_export
from leadloom.web.layout import STAMPS, list_columns, owner_column
from leadloom.web.list_query import fab_problem, rison_args

#: the export's own arguments, besides the list's
EXPORT_ARGUMENTS = ("format", "columns")
#: the order of a list that asks for none: the newest first, as on the list page
DEFAULT_ORDER = ("id", "desc")


class ExportApiMixin:
    """The export route of an ``EntityApi`` (which provides ``_listed``)."""

    @expose("/export", methods=["GET"])
    @protect()
    @safe
    def export(self, **kwargs: Any) -> Response:
        """The list the caller sees, as an XLSX or CSV file (audited)."""
        return self.export_headless()

    @answers_record_errors
    def export_headless(self) -> Response:
        prepared = self.export_query()
        if isinstance(prepared, Response):
            return prepared
        statement, columns, filters = prepared
        return export_response(self.entity, statement, columns,  # type: ignore[attr-defined]
                               request.args.get("format", "xlsx"), filters, "api")

    def export_to(self, out: IO[bytes], fmt: str, channel: str) -> ExportResult | Response:
        """The export of this request's list into ``out`` (the CLI), or the 400 answer."""
        prepared = self.export_query()
        if isinstance(prepared, Response):
            return prepared
        statement, columns, filters = prepared
        return write_export(self.entity, statement, columns, fmt,  # type: ignore[attr-defined]
                            filters, channel, out)

    def export_query(self) -> tuple[sa.Select[Any], list[str], dict[str, Any]] | Response:
        """This request's list query (no paging), its columns and its filters as asked."""
        args, problem = rison_args(request.args.get("q"),
                                   current_app.config.get("FAB_API_ALLOW_JSON_QS", True))
        problem = problem or fab_problem(args)
        if problem is not None:
            return self.response_400(message=problem)  # type: ignore[attr-defined,no-any-return]
        arguments = {k: v for k, v in request.args.items() if k not in EXPORT_ARGUMENTS}
        listed = self._listed(args, arguments)  # type: ignore[attr-defined]
        if isinstance(listed, Response):
            return listed
        args, filters, order_column, order_direction = listed
        if not order_column:  # the list page's order (the REST list leaves it open)
            order_column, order_direction = DEFAULT_ORDER
        model = self.datamodel  # type: ignore[attr-defined]
        query = model.apply_all(model.session.query(model.obj), filters, order_column,
                                order_direction)
        columns = self._export_columns()
        return query.statement, columns, {"q": request.args.get("q", ""), **arguments}

    def _export_columns(self) -> list[str]:
        """The columns ``?columns=a,b`` asks for (without it: the list's).

        :raises RecordError: an empty one, one the caller cannot see or no record has (400).
        """
        entity = self.entity  # type: ignore[attr-defined]
        if "columns" not in request.args:
            return list_columns(entity)
        asked = request.args["columns"].split(",")
        known = export_codes(entity, self._hidden())  # type: ignore[attr-defined]
        unknown = [c for c in asked if c not in known]
        if unknown:
            raise RecordError(Message("unknown column '%(column)s'", column=unknown[0]))
        return asked


def export_codes(entity: Entity, hidden: frozenset[str]) -> list[str]:
    """The columns a caller who may not see ``hidden`` can ask an export for (a field of
    another unit's view is no column in the file)."""
    codes = [f.code for f in entity.fields] + [*owner_column(entity), *STAMPS]
    return [c for c in codes if c not in hidden]


def columns_parameter(entity: Entity, hidden: frozenset[str]) -> dict[str, Any]:
    """``?columns=`` in the OpenAPI document: field codes the caller may ask for."""
    code = "|".join(re.escape(c) for c in export_codes(entity, hidden))
    return {"in": "query", "name": "columns", "required": False,
            "description": "field codes, comma-separated (default: the list's columns)",
            "schema": {"type": "string", "pattern": f"^(?:{code})(?:,(?:{code}))*$"}}
