"""REST per entity at ``/api/v1/<entity>/``: FAB's ModelRestApi, writing through ``records``.

FAB keeps its conventions (rison ``?q=`` filters, ordering, paging, ``_info``, OpenAPI);
reads are scoped by the same base filter as the screens, writes go through the write path
and answer ``{"message", "errors"}`` with 403/404/409/422.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_appbuilder.api import BaseApi, ModelRestApi, expose, safe
from flask_appbuilder.models.filters import Filters
from flask_appbuilder.security.decorators import permission_name, protect
from flask_jwt_extended import JWTManager
from marshmallow import Schema, ValidationError
from marshmallow import fields as mf
from werkzeug.exceptions import HTTPException

from leadloom import records
from leadloom.access import on_record, rights
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.list_filters import filterable
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Unit
from leadloom.model.columns import BIGINT_RANGE, ID_RANGE
from leadloom.records import RecordError, RecordInvalid, input_schema
from leadloom.records.schemas import Text
from leadloom.web.actor import current_actor, request_context
from leadloom.web.converters import IdConverter
from leadloom.web.errors import answers_record_errors, json_error
from leadloom.web.export_api import ExportApiMixin, columns_parameter
from leadloom.web.labels import lazy
from leadloom.web.language import translated
from leadloom.web.list_count import ActiveFilters, is_estimated
from leadloom.web.list_parameters import checked_query, list_parameters
from leadloom.web.list_query import QueryCheck, fab_problem, rison_args
from leadloom.web.list_rows import Opened, page_json
from leadloom.web.list_views import chosen_view, prepare_api_filters
from leadloom.web.openapi import checked_body, query_value, writable
from leadloom.web.openapi_docs import (
    SECURITY,
    add_schemas,
    entity_components,
    entity_operations,
    field_info,
    list_query_schema,
)
from leadloom.web.serialize import record_json
from leadloom.web.state import state
from leadloom.web.views import BASE_PERMISSIONS, ScopeFilter

#: types a list cannot be sorted by (the order would be of ids or of nothing)
UNSORTABLE = frozenset({FieldType.REFERENCE, FieldType.USER, FieldType.TAGS,
                        FieldType.MULTI_ENUM})
API_PERMISSIONS = {
    "get_list": "list", "info": "list", "get": "read", "post": "create", "put": "update",
    "delete": "delete", "export": "export",
}


class EntityApi(ExportApiMixin, ModelRestApi):
    """Base class; ``build_api`` fills in ``entity`` and the column lists."""

    entity: Entity
    method_permission_name = API_PERMISSIONS
    base_permissions = BASE_PERMISSIONS
    allow_browser_login = True
    #: ``q`` checks by the set of fields the caller may not see
    _query_checks: dict[frozenset[str], QueryCheck] | None = None

    def _hidden(self) -> frozenset[str]:
        return rights(state().registry, current_actor(), self.entity.code).hidden

    def _opened(self) -> Opened | None:
        """The hidden fields the caller sees on their own unowned rows (``on_record``)."""
        actor = current_actor()
        fields = rights(state().registry, actor, self.entity.code).shown_to_creator
        return Opened(actor.user_id, fields) if fields and actor.user_id is not None else None

    def _json(self, record: Any) -> dict[str, Any]:
        """The record as its business unit sees it, minus what the user may not see."""
        st = state()
        view = st.registry.view(self.entity.code, record.unit)
        actor = current_actor()
        granted = on_record(rights(st.registry, actor, self.entity.code), actor,
                            getattr(record, "created_by_id", None),
                            getattr(record, "owner_id", None))
        return record_json(view, record, granted.hidden)

    def _body(self) -> dict[str, Any]:
        """The JSON body, checked against the documented schema (times read in the app's
        zone when they carry no offset)."""
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise RecordError(Message("invalid JSON: send a JSON object as the request body"))
        registry = state().registry
        return checked_body(registry.entity(self.entity.code), data, registry.app.timezone)

    @answers_record_errors
    def post_headless(self) -> Response:
        ctx, body = _with_comment(self._body())
        record = records.create(ctx, self.entity.code, body)
        return self.response(201, id=record.id, result=self._json(record), **_told(ctx))

    @answers_record_errors
    def put_headless(self, pk: Any) -> Response:
        ctx, body = _with_comment(self._body())
        record = records.update(ctx, self.entity.code, _pk(pk), body)
        return self.response(200, id=record.id, result=self._json(record), **_told(ctx))

    @answers_record_errors
    def delete_headless(self, pk: Any) -> Response:
        records.delete(request_context("api"), self.entity.code, _pk(pk))
        return self.response(200, message="OK")

    @answers_record_errors
    def get_headless(self, pk: Any, **kwargs: Any) -> Response:
        record = records.get(request_context("api"), self.entity.code, _pk(pk))
        return self.response(200, id=record.id, result=self._json(record))

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def get_list(self, **kwargs: Any) -> Response:
        """FAB's list endpoint: ``q`` read (``rison_args``: a 400, never a 500) and checked
        by a validator built once (FAB's answer)."""
        args, problem = rison_args(request.args.get("q"),
                                   current_app.config.get("FAB_API_ALLOW_JSON_QS", True))
        problem = problem or fab_problem(args)
        if problem is not None:
            return self.response_400(message=problem)
        return self.get_list_headless(rison=args)

    @answers_record_errors
    def get_list_headless(self, **kwargs: Any) -> Response:
        listed = self._listed(kwargs.get("rison", {}), request.args)
        if isinstance(listed, Response):
            return listed
        args, filters, order_column, order_direction = listed
        page, page_size = self._handle_page_args(args)
        model = self.datamodel
        count, rows = model.counted_page(model.session.query(model.obj), filters,
                                         order_column, order_direction, page, page_size)
        st = state()
        result = page_json(model.session, st.models, st.registry, self.entity.code, rows,
                           self._hidden(), self._opened())
        return self.response(200, count=int(count), count_estimated=is_estimated(count),
                             ids=[r["id"] for r in result], result=result)

    def _listed(self, args: dict[str, Any], arguments: Mapping[str, str]
                ) -> tuple[dict[str, Any], Filters, str, str] | Response:
        """The list's ``q`` checked and its filters (the scope's base filter joined in) and
        order worked out, or FAB's 400; the REST list and its export share it.
        ``arguments``: the address's own (``view``, filters by field code).

        :raises RecordInvalid: a ``q`` or filter the list cannot apply (400/422, named).
        """
        if self._query_check().problems(args):  # each problem, in the reader's language
            checked_query(self._query_schema(), args)
        _check_query(args)
        prepare_api_filters(self.entity, arguments)
        if "order_column" not in args:
            args = {**args, **_view_order(self.entity)}
        args = {**args, "filters": [self._filter(f) for f in args.get("filters", [])]}
        hidden = self._hidden()
        refused = sorted({f.get("col") for f in args.get("filters", [])} & hidden
                         | ({args.get("order_column")} & hidden))
        if refused:
            return json_error(RecordError(Message("unknown column '%(column)s'",
                                                  column=refused[0])))
        try:
            filters = self._handle_filters_args(args)
            order_column, order_direction = self._handle_order_args(args)
        except Exception as exc:  # FAB raises its own exception types for bad arguments
            return self.response_400(message=str(exc))
        return args, filters, order_column, order_direction

    def _handle_filters_args(self, rison_args: dict[str, Any]) -> Filters:
        """FAB's, joined into ``ActiveFilters`` (FAB's join makes a whole ``Filters``)."""
        self._filters.clear_filters()
        self._filters.rest_add_filters(rison_args.get("filters", []))
        return ActiveFilters.joined(self._filters, self._base_filters)

    def _filter(self, flt: dict[str, Any]) -> dict[str, Any]:
        """A list filter with its value as the column holds it (exact decimals, UTC)."""
        registry = state().registry
        f = filterable(registry.entity(self.entity.code), registry.units).get(flt["col"])
        try:
            return {**flt, "value": query_value(f, flt["value"], registry.app.timezone)}
        except ValueError as error:  # well formed, but no value the column can hold
            raise RecordInvalid({str(flt["col"]): [error.args[0]]}) from None

    def _label_columns_json(self, cols: list[str] | None = None) -> dict[str, Any]:
        cols = cols or []
        return {k: str(v) for k, v in self.label_columns.items() if k in cols}

    # ---- _info: what the caller may write, in their unit -------------------------------
    def info_headless(self, **kwargs: Any) -> Response:
        """FAB's ``_info`` with the caller's columns: only what they may write in their
        unit, and filters only on columns they may see."""
        args = kwargs.get("rison", {})
        payload: dict[str, Any] = {}
        self.set_response_key_mappings(payload, self.info, args, **args)
        if "add_columns" in payload:
            payload["add_columns"] = self._writable_info("create")
        if "edit_columns" in payload:
            payload["edit_columns"] = self._writable_info("update")
        if "filters" in payload:
            payload["filters"] = {
                col: [{"name": str(flt.name), "operator": flt.arg_name} for flt in flts]
                for col, flts in self._search_filters().items()}
        return self.response(200, **payload)

    def _writable_info(self, operation: str) -> list[dict[str, Any]]:
        fields = writable(state().registry, current_actor(), self.entity.code, operation)
        return [field_info(f, create=operation == "create") for f in fields]

    def _search_filters(self) -> dict[str, list[Any]]:
        """FAB's filters of the columns the caller may see."""
        found = self._filters.get_search_filters()
        hidden = self._hidden()
        return {c: found[c] for c in self.search_columns if c in found and c not in hidden}

    # ---- the OpenAPI document, per caller ----------------------------------------------
    def _query_check(self) -> QueryCheck:
        """The check of the caller's ``q``, built once per set of hidden fields (the app is
        rebuilt when the config changes)."""
        hidden = self._hidden()
        if self._query_checks is None:
            self._query_checks = {}
        if hidden not in self._query_checks:
            self._query_checks[hidden] = QueryCheck(self._query_schema())
        return self._query_checks[hidden]

    def _query_schema(self) -> dict[str, Any]:
        registry = state().registry
        fields = filterable(registry.entity(self.entity.code), registry.units)
        hidden = self._hidden()
        orders = [c for c in self.order_columns if c not in hidden]
        filters = {c: ([f.arg_name for f in flts], fields.get(c))
                   for c, flts in self._search_filters().items()}
        return list_query_schema(orders, filters)

    def add_apispec_components(self, api_spec: Any) -> None:
        """The caller's schemas, not FAB's marshmallow ones (those list every field)."""
        BaseApi.add_apispec_components(self, api_spec)
        st = state()
        actor = current_actor()
        code = self.entity.code
        add_schemas(api_spec, entity_components(
            st.registry, actor, code, self._hidden(), self._query_schema()))

    def create_blueprint(self, appbuilder: Any, *args: Any, **kwargs: Any) -> Blueprint:
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(_unreadable_query)
        return blueprint

    def response_400(self, message: str | None = None) -> Response:
        """FAB's own 400s (a ``q`` that is no rison, or not FAB's list schema) in the
        reader's language and leadloom's error body."""
        return _not_valid(message or "")

    def operation_helper(self, path: Any = None, operations: Any = None,
                         methods: Any = None, func: Any = None, **kwargs: Any) -> None:
        documented = entity_operations(self.entity.code, func.__name__)
        if documented is None:
            super().operation_helper(path, operations, methods, func, **kwargs)
            return
        if func.__name__ in ("get_list", "export"):
            documented = {**documented, "parameters": [*documented["parameters"], *(
                list_parameters(self.entity, state().registry.units, self._hidden()))]}
        if func.__name__ == "export":
            documented["parameters"].append(columns_parameter(self.entity, self._hidden()))
        for method in methods:
            operations[method.lower()] = {**documented, "security": SECURITY}


def answer_bad_tokens(jwt: JWTManager) -> None:
    """A token that cannot be read is a failed login (401, as documented), not FAB's 422."""
    jwt.invalid_token_loader(lambda reason: (jsonify(message=reason, errors={}), 401))


def answer_api_routing(app: Flask) -> None:
    """``<id:...>`` in routes; under ``/api/`` an unknown URL or method answers JSON (with
    its ``Allow`` header), as the document says, instead of an HTML page."""
    app.url_map.converters["id"] = IdConverter

    def as_json(error: HTTPException) -> Any:
        if not request.path.startswith("/api/"):
            return error
        response = error.get_response()
        response.set_data(json.dumps({"message": error.description, "errors": {}}))
        response.content_type = "application/json"
        return response

    app.register_error_handler(404, as_json)
    app.register_error_handler(405, as_json)


def _unreadable_query() -> Response | None:
    """A rison ``q`` FAB's decorator cannot read is a 400 on every route of a record API
    (``_info``, a record, the list): the decorator catches only its parser's own exception,
    so a number prison cannot read, or deep nesting, was a 500."""
    if "q" not in request.args:
        return None
    _, problem = rison_args(request.args["q"],
                            current_app.config.get("FAB_API_ALLOW_JSON_QS", True))
    return None if problem is None else _not_valid(problem)


def _not_valid(detail: str) -> Response:
    return json_error(RecordError(Message("the request is not valid: %(detail)s",
                                          detail=detail)))


def _view_order(entity: Entity) -> dict[str, str]:
    """The chosen shared view's sort, as rison's ordering (``q``'s own wins)."""
    view = chosen_view(entity)
    if view is None or not view.sort:
        return {}
    return {"order_column": view.sort.lstrip("-"),
            "order_direction": "desc" if view.sort.startswith("-") else "asc"}


def _with_comment(body: dict[str, Any]) -> tuple[records.Context, dict[str, Any]]:
    """The write's context; ``_comment`` in the body says why (an approval a change asks
    for shows it). No field code starts with ``_``, so it never clashes with a field."""
    ctx = request_context("api")
    comment = body.pop("_comment", None)
    if comment is not None:
        ctx.meta["comment"] = comment.strip() or None
    return ctx, body


def _told(ctx: records.Context) -> dict[str, Any]:
    """What the write's hooks reported: an approval it asked for instead of changing."""
    told: dict[str, Any] = {}
    if ctx.meta.get("notices"):
        told["notices"] = [translated(n) for n in ctx.meta["notices"]]
    if ctx.meta.get("approval_started"):
        told["approval_id"] = ctx.meta["approval_started"]
    return told


def _check_query(args: dict[str, Any]) -> None:
    """Paging and filter values the database can take; the rest is refused by name."""
    errors: dict[str, list[str]] = {}
    for name in ("page", "page_size"):
        value = args.get(name)
        if isinstance(value, int) and not 0 <= value <= ID_RANGE[1]:
            errors[name] = [Message("must be between %(min)s and %(max)s", min=0,
                                    max=ID_RANGE[1])]
    for item in args.get("filters", []):
        values = item.get("value")
        for value in values if isinstance(values, list) else [values]:
            problem = _filter_problem(value)
            if problem:
                errors[str(item.get("col"))] = [problem]
    if errors:
        raise RecordInvalid(errors)


def _filter_problem(value: Any) -> Message | None:
    if isinstance(value, int) and not BIGINT_RANGE[0] <= value <= BIGINT_RANGE[1]:
        return Message("must be between %(min)s and %(max)s", min=BIGINT_RANGE[0],
                       max=BIGINT_RANGE[1])
    if isinstance(value, str):
        try:
            Text().deserialize(value)
        except ValidationError as error:
            return error.messages[0]  # type: ignore[no-any-return]
    return None


def _pk(value: Any) -> int:
    """A record id from the URL; anything that cannot be an id is simply not found."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not 1 <= pk <= ID_RANGE[1]:
        raise records.NotFound(Message("no record '%(id)s'", id=str(value)[:40]))
    return pk


def output_schema(entity: Entity) -> Schema:
    """The documented shape of a record in responses (for OpenAPI)."""
    declared: dict[str, mf.Field] = {"id": mf.Integer()}
    for f in entity.fields:
        declared[f.code] = _output_field(f.type)
    for name in ("owner", "version", "config_version"):
        declared[name] = mf.Integer(allow_none=True)
    declared["unit"] = mf.String(allow_none=True)
    declared["created_at"] = mf.DateTime()
    declared["updated_at"] = mf.DateTime()
    return Schema.from_dict(declared, name=f"{entity.code.title()}Record")()


def _output_field(ftype: FieldType) -> mf.Field:
    if ftype is FieldType.TAGS:
        return mf.List(mf.Dict())
    if ftype is FieldType.MULTI_ENUM:
        return mf.List(mf.String())
    if ftype in (FieldType.INTEGER, FieldType.REFERENCE, FieldType.USER):
        return mf.Integer(allow_none=True)
    if ftype is FieldType.BOOLEAN:
        return mf.Boolean(allow_none=True)
    return mf.String(allow_none=True)


def _renamed(schema: Schema, suffix: str) -> Schema:
    """The same schema under its own class name: OpenAPI documents each class once."""
    cls = type(schema)
    return type(f"{cls.__name__}{suffix}", (cls,), {})(unknown=schema.unknown)


def build_api(entity: Entity, view_cls: Any, units: Sequence[Unit] = ()) -> type[EntityApi]:
    """A ModelRestApi class for ``entity`` sharing the view's labels and permissions; its
    list filters and sorts on every field the screens' lists filter by (``units``: the
    record's business unit too), those hidden from the caller refused per request."""
    listed = filterable(entity, units)
    searchable = [*view_cls.search_columns,
                  *(c for c in listed if c not in view_cls.search_columns)]
    sortable = [*view_cls.order_columns,
                *(c for c, f in listed.items()
                  if c not in view_cls.order_columns and f.type not in UNSORTABLE)]
    columns = [f.code for f in entity.fields if f.type is not FieldType.TAGS]
    writable = [f.code for f in entity.fields] + (["owner"] if entity.owned else [])
    schema = output_schema(entity)
    return type(f"{entity.code.title()}Api", (EntityApi,), {
        "entity": entity,
        "datamodel": view_cls.datamodel,
        "resource_name": entity.code,
        "class_permission_name": entity.code,
        "list_columns": ["id", *columns],
        "add_columns": writable,
        "edit_columns": writable,
        "show_columns": ["id", *columns],
        "search_columns": searchable,
        "order_columns": ["id", *sortable],
        "label_columns": dict(view_cls.label_columns),
        # FAB translates descriptions; an empty one would come back as the catalogue header
        "description_columns": {f.code: lazy(f.help or f.label) for f in entity.fields},
        "add_model_schema": _renamed(input_schema(entity), "Create"),
        "edit_model_schema": _renamed(input_schema(entity), "Update"),
        "list_model_schema": _renamed(schema, "ListItem"),
        "show_model_schema": _renamed(schema, "Detail"),
        "base_filters": [["id", ScopeFilter, lambda: None]],
    })
