"""The entity APIs' operations in the OpenAPI document, and the schemas they refer to.

Per entity ``X`` (per caller): ``XRecord`` (a record as they read it), ``XCreate`` and
``XUpdate`` (bodies with exactly what they may write in their unit), ``XQuery`` (the rison
``q`` of the list). Shared: ``Error`` and ``FieldInfo`` (one column of ``_info``).
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

from apispec.exceptions import DuplicateComponentNameError
from flask import request
from flask_appbuilder.api import BaseApi

from leadloom.access import Actor
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Field, Registry
from leadloom.records import RecordInvalid
from leadloom.web.labels import current_locale
from leadloom.web.openapi import (
    DECIMAL_OUT,
    ERROR,
    INT32,
    RESPONSES,
    body_schema,
    check_body,
    input_field,
    record_schema,
    required_on_create,
    writable,
)

SECURITY = [{"jwt": []}, {"api_key": []}]
#: FAB operators that take a list of values: not offered (the filters take one value).
LIST_OPERATORS = ("in", "not_in")
MAX_PAGE_SIZE = 100

FIELD_INFO = {"type": "object", "required": ["name", "label", "type", "required"],
              "properties": {
                  "name": {"type": "string"}, "label": {"type": "string"},
                  "description": {"type": "string"}, "type": {"type": "string"},
                  "required": {"type": "boolean"}, "unique": {"type": "boolean"},
                  "schema": {"type": "object", "description": "JSON Schema of its value"},
                  "options": {"type": "array", "items": {"type": "object", "properties": {
                      "code": {"type": "string"}, "label": {"type": "string"}}}},
              }}
INFO = {"type": "object", "properties": {
    "add_columns": {"type": "array", "items": {"$ref": "#/components/schemas/FieldInfo"}},
    "edit_columns": {"type": "array", "items": {"$ref": "#/components/schemas/FieldInfo"}},
    "filters": {"type": "object", "additionalProperties": {"type": "array", "items": {
        "type": "object", "properties": {"name": {"type": "string"},
                                         "operator": {"type": "string"}}}}},
    "permissions": {"type": "array", "items": {"type": "string"}},
    "add_title": {"type": "string"}, "edit_title": {"type": "string"}}}


def field_info(f: Field, *, create: bool) -> dict[str, Any]:
    """One writable column of ``_info``: enough to build a form field that saves."""
    locale = current_locale()
    info: dict[str, Any] = {
        "name": f.code, "label": f.label.get(locale),
        "description": f.help.get(locale) if f.help else "", "type": str(f.type),
        "required": required_on_create(f) if create else f.required, "unique": f.unique,
        "schema": input_field(f)}
    if f.options:
        info["options"] = [{"code": o.code, "label": o.label.get(locale)}
                           for o in f.options if o.active]
    return info


def list_query_schema(orders: list[str],
                      filters: dict[str, tuple[list[str], Field | None]]) -> dict[str, Any]:
    """The rison ``q`` of a list: the caller's sortable and filterable columns only."""
    props: dict[str, Any] = {
        "order_column": {"type": "string", "enum": orders},
        "order_direction": {"type": "string", "enum": ["asc", "desc"]},
        # their upper bounds are the write path's (422 naming the argument), not FAB's 400
        "page": {"type": "integer", "minimum": 0},
        "page_size": {"type": "integer", "minimum": 1,
                      "description": f"at most {MAX_PAGE_SIZE} are answered"}}
    choices = [{"type": "object", "required": ["col", "opr", "value"],
                "additionalProperties": False,
                "properties": {"col": {"type": "string", "enum": [col]},
                               "opr": {"type": "string", "enum": [
                                   o for o in oprs if o not in LIST_OPERATORS]},
                               "value": input_field(f) if f else {"type": "string"}}}
               for col, (oprs, f) in filters.items() if oprs]
    if choices:
        props["filters"] = {"type": "array", "items": {"anyOf": choices}}
    return {"type": "object", "properties": props, "additionalProperties": False}


def entity_components(registry: Registry, actor: Actor, code: str, hidden: frozenset[str],
                      query: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The schemas of entity ``code`` as ``actor`` sees it."""
    name = _name(code)
    return {
        "Error": ERROR, "FieldInfo": FIELD_INFO, "Info": INFO,
        f"{name}Record": record_schema(registry.entity(code), hidden),
        f"{name}Create": body_schema(writable(registry, actor, code, "create"), create=True),
        f"{name}Update": body_schema(writable(registry, actor, code, "update"), create=False),
        f"{name}Query": query,
    }


def add_schemas(api_spec: Any, schemas: dict[str, dict[str, Any]]) -> None:
    """Add schemas and leadloom's answers; the first API to add a shared one wins."""
    for key, value in schemas.items():
        with suppress(DuplicateComponentNameError):
            api_spec.components.schema(key, value)
    for key, response in RESPONSES.items():
        with suppress(DuplicateComponentNameError):
            api_spec.components.response(key, response)
    with suppress(DuplicateComponentNameError):
        api_spec.components.parameter("pk", "path", {k: v for k, v in PK.items() if k != "in"})


def _name(code: str) -> str:
    return code.title().replace("_", "")


def _ref(kind: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{kind}"}


def _json(schema: dict[str, Any], text: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): {"$ref": f"#/components/responses/{c}"} for c in codes}


PK = {"in": "path", "name": "pk", "required": True,
      "schema": {"type": "integer", "minimum": 1, "maximum": INT32}}
PK_REF = "pk"  # apispec refers to a registered parameter by its name


def _written(name: str) -> dict[str, Any]:
    return {"type": "object", "required": ["id", "result"], "properties": {
        "id": {"type": "integer"}, "result": _ref(f"{name}Record"),
        "notices": {"type": "array", "items": {"type": "string"}},
        "approval_id": {"type": "integer", "description": "an approval it asked for instead"}}}


def entity_operations(code: str, method: str) -> dict[str, Any] | None:
    """The documented operation of FAB method ``method`` of entity ``code``'s API."""
    name = _name(code)
    body = {"required": True, "content": {"application/json": {"schema": _ref(
        f"{name}Create" if method == "post" else f"{name}Update")}}}
    found = {
        "get_list": {
            "summary": f"List {code} records in your scope",
            "parameters": [{"in": "query", "name": "q", "required": False, "content": {
                "application/json": {"schema": _ref(f"{name}Query")}}}],
            "responses": {"200": _json({"type": "object",
                                        "required": ["count", "count_estimated", "ids", "result"],
                                        "properties": {
                                            "count": {"type": "integer"},
                                            "count_estimated": {
                                                "type": "boolean",
                                                "description": "count is the database's "
                                                "estimate: more rows than can be counted "
                                                "exactly fast"},
                                            "ids": {"type": "array", "items": {"type": "integer"}},
                                            "result": {"type": "array",
                                                       "items": _ref(f"{name}Record")}}},
                                       "One page of records"),
                          **_errors(400, 401, 403, 422)}},
        "get": {"summary": f"One {code} record", "parameters": [PK_REF],
                "responses": {"200": _json({"type": "object", "required": ["id", "result"],
                                            "properties": {"id": {"type": "integer"},
                                                           "result": _ref(f"{name}Record")}},
                                           "The record"), **_errors(401, 403, 404)}},
        "post": {"summary": f"Create a {code} record", "requestBody": body,
                 "responses": {"201": _json(_written(name), "Created"),
                               **_errors(400, 401, 403, 404, 409, 422)}},
        "put": {"summary": f"Change a {code} record", "parameters": [PK_REF], "requestBody": body,
                "responses": {"200": _json(_written(name), "Changed (or an approval asked)"),
                              **_errors(400, 401, 403, 404, 409, 422)}},
        "delete": {"summary": f"Delete a {code} record", "parameters": [PK_REF],
                   "responses": {"200": _json({"type": "object", "properties": {
                       "message": {"type": "string"}}}, "Deleted"),
                       **_errors(400, 401, 403, 404, 409, 422)}},
        "info": {"summary": f"What you may write in {code} records (in your unit)",
                 "responses": {"200": _json(_ref("Info"), "Columns, filters, permissions"),
                               **_errors(400, 401, 403)}},
        "export": {"summary": f"Download the {code} list you see as XLSX or CSV (audited)",
                   "parameters": [
                       {"in": "query", "name": "format", "required": False,
                        "schema": {"type": "string", "enum": ["xlsx", "csv"],
                                   "default": "xlsx"}},
                       {"in": "query", "name": "q", "required": False, "content": {
                           "application/json": {"schema": _ref(f"{name}Query")}},
                        "description": "the list's filters and sort (no paging)"}],
                   "responses": {"200": {"description": "The file (Content-Disposition: "
                                         "attachment, UTF-8 file name; X-Export-Rows: rows)",
                                         "content": {media: {"schema": {
                                             "type": "string", "format": "binary"}}
                                             for media in EXPORT_MEDIA}},
                                 **_errors(400, 401, 403, 422)}},
    }
    return found.get(method)


#: what an export answers with
EXPORT_MEDIA = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "text/csv")


# ---- the custom endpoints' shapes (their operations are YAML in their docstrings) ------
_S = {"type": "string"}
_NS = {"type": "string", "nullable": True}
_I = {"type": "integer"}
_NI = {"type": "integer", "nullable": True}
_B = {"type": "boolean"}
_AT = {"type": "string", "format": "date-time"}
_NAT = {"type": "string", "format": "date-time", "nullable": True}


def _object(needed: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": needed, "properties": props} if needed else {
        "type": "object", "properties": props}


def _list_of(name: str, **more: Any) -> dict[str, Any]:
    return _object(["count", "result", *more], count=_I,
                   result={"type": "array", "items": _ref(name)}, **more)


SHARED: dict[str, dict[str, Any]] = {
    "Error": ERROR,
    "Approval": _object(
        ["id", "status", "created_at"], id=_I, workflow=_S, title=_S, entity=_S,
        record_id=_I, record=_S, kind=_S, **{"from": _NS, "to": _NS},
        proposal={"type": "object"}, before={"type": "object"}, requester=_S, comment=_NS,
        status=_S, created_at=_AT, decided_at=_NAT, decision_comment=_NS,
        steps={"type": "array", "items": _object([], label=_S, approved=_I, required=_I,
                                                 waiting=_B)},
        votes={"type": "array", "items": _object([], voter=_S, decision=_S, comment=_NS,
                                                 at=_AT)},
        can_decide=_B, mine=_B, link=_S),
    "ApprovalList": _list_of("Approval"),
    "ApprovalAnswer": _object(["result"], result=_ref("Approval")),
    "Decided": _object(["status", "result"], status=_S, result={"type": "object"}),
    "Notification": _object(["id", "kind", "created_at", "read"], id=_I, kind=_S, title=_S,
                            link=_NS, created_at=_AT, read=_B,
                            lines={"type": "array", "items": _object(
                                ["id", "title"], id=_I, title=_S, link=_NS)}),
    "NotificationList": _list_of("Notification", unread=_I),
    "Message": _object(["message"], message=_S),
    "ReportFile": _object(["id", "created_at"], id=_I, report=_S, title=_S, created_at=_AT,
                          pdf_url=_S),
    "ReportFileList": _list_of("ReportFile"),
    "ReportRun": {"type": "object", "additionalProperties": False, "properties": {
        "period": {**_NS, "description": "e.g. 2024-03, 2024-W11, 2024-Q1 (default: the "
                   "report's own)"},
        "unit": _NS, "team": _NS, "locale": {"type": "string", "enum": ["zh", "en"],
                                             "nullable": True}}},
    "Queued": _object(["job_id", "state_url"], job_id=_S, state_url=_S),
    "Job": _object(["id", "state", "progress"], id=_S, state=_S, progress=_I, stage=_S,
                   report=_NS, file_id=_NI, error=_NS, retries_left=_NI,
                   enqueued_at=_NAT, pdf_url=_S),
    "PoolLead": _object(["id", "customer_name", "status", "created_at"], id=_I,
                        lead_no=_NS, customer_name=_S, industry=_NS, grade=_NS,
                        value_level=_NS, source_id=_NI, city=_NS, status=_S,
                        created_at=_NAT, unit=_NS, phone=_NS, followups=_I,
                        last_followup={**_object(["at", "summary"], at=_AT, method=_NS,
                                                 summary=_S), "nullable": True}),
    "PoolLeadList": _list_of("PoolLead"),
    "LeadMoved": _object(["id"], id=_I, owner=_NI, status=_NS, lead_no=_NS),
    "LeadTimeline": _object(["result"], result={"type": "array", "items": _object(
        ["at", "kind"], at=_AT, kind=_S, title=_S, detail=_S, who=_S, link=_NS,
        badge=_NS)}),
    "Transition": {"type": "object", "required": ["to"], "additionalProperties": False,
                   "properties": {
                       "to": {"type": "string", "description": "the stage to move to"},
                       "comment": _NS, "version": {**_NI, "minimum": 1, "maximum": INT32},
                       "values": {"type": "object",
                                  "description": "fields the move needs: {field: value}"}}},
    "Moved": _object(["moved", "result"], moved=_B, approval_id=_NI,
                     notices={"type": "array", "items": _S}, result={"type": "object"}),
    "History": _object(
        ["result", "path"],
        result={"type": "array", "items": _object(
            ["at", "kind"], at=_AT, kind=_S, actor=_NS, channel=_NS, config_version=_NI,
            changes={"type": "object"}, comment=_NS, approval_id=_NI, from_stage=_NS,
            to_stage=_NS, seconds=_NI, status=_NS)},
        path={"type": "array", "items": _object(["stage", "entered_at"], stage=_S,
                                                entered_at=_AT, left_at=_NAT,
                                                seconds=_NI)}),
    "Board": _object(["entity", "columns"], entity=_S, unit=_NS, funnel=_S, total=_I,
                     won=_object([], count=_I, amount={**_NS, "pattern": DECIMAL_OUT}),
                     columns={"type": "array", "items": _object(
                         ["stage", "count", "cards"], stage=_S, label=_S,
                         probability={"type": "number", "nullable": True}, outcome=_NS,
                         count=_I, amount={**_NS, "pattern": DECIMAL_OUT},
                         cards={"type": "array", "items": _object(
                             ["id"], id=_I, number=_NS, title=_S, version=_I, stalled=_B,
                             pending=_B, amount={**_NS, "pattern": DECIMAL_OUT})})}),
    "Comment": {"type": "object", "additionalProperties": False,
                "properties": {"comment": _NS}},
    "Owner": {"type": "object", "required": ["owner"], "additionalProperties": False,
              "properties": {"owner": {"type": "integer", "minimum": 1, "maximum": INT32}}},
    "Reason": {"type": "object", "additionalProperties": False,
               "properties": {"reason": _NS}},
    "Duplicate": {"type": "object", "required": ["duplicate"], "additionalProperties": False,
                  "properties": {"duplicate": {"type": "integer", "minimum": 1,
                                               "maximum": INT32}}},
}


#: The refusals every custom endpoint may answer, documented once for all of them.
REFUSALS = ("400", "401", "403", "404", "409", "422")


class DocumentedApi(BaseApi):
    """A custom API whose docstrings refer to the shared schemas above; the docstrings
    give the answers that succeed, the refusals are added here."""

    responses = RESPONSES

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        add_schemas(api_spec, SHARED)

    def operation_helper(self, path: Any = None, operations: Any = None, methods: Any = None,
                         func: Any = None, **kwargs: Any) -> None:
        super().operation_helper(path=path, operations=operations, methods=methods,
                                 func=func, **kwargs)
        for operation in (operations or {}).values():
            answers = operation.setdefault("responses", {})
            for code in REFUSALS:
                answers.setdefault(code, {"$ref": f"#/components/responses/{code}"})


def checked(schema_name: str, body: Any) -> Any:
    """A custom endpoint's body, checked against its documented schema.

    :raises RecordInvalid: what does not fit, per property.
    """
    return check_body(_nullable(SHARED[schema_name]), body)


def _nullable(schema: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema (the validator knows only the latter)."""
    if isinstance(schema, list):
        return [_nullable(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    found = {k: _nullable(v) for k, v in schema.items() if k != "nullable"}
    if schema.get("nullable") and "type" in found:
        found["type"] = [found["type"], "null"]
        if "enum" in found:
            found["enum"] = [*found["enum"], None]
    return found


def int_arg(name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within its documented bounds.

    :raises RecordInvalid: it is not a whole number from ``low`` to ``high``.
    """
    text = request.args.get(name)
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise RecordInvalid({name: [Message("must be a whole number from %(low)s to %(high)s",
                                            low=low, high=high)]})
    return value
