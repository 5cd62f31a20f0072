"""``POST /intake/{form}`` in the OpenAPI document (``/api/v1/_openapi``).

The route itself is a plain blueprint (``web.intake``: public, no login); this API class has
no routes of its own and only adds the path and its schemas, from the forms of the running
config, so the document lists each form's fields.
"""

from __future__ import annotations

from typing import Any

from leadloom.web.openapi_docs import DocumentedApi, add_schemas
from leadloom.web.state import state

_S = {"type": "string"}
ANSWER = {"type": "object", "required": ["id", "number", "status", "flags"], "properties": {
    "id": {"type": "integer"}, "number": {**_S, "description": "the lead number"},
    "status": {**_S, "description": "to_verify when a value was kept as given"},
    "flags": {"type": "array", "items": _S, "description": "screening flags"}}}
REFUSAL = {"type": "object", "required": ["message"], "properties": {
    "message": _S, "errors": {"type": "object", "description": "field code → messages"}}}


def _answer(text: str, schema: str) -> dict[str, Any]:
    return {"description": text, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{schema}"}}}}


class IntakeDocs(DocumentedApi):
    """Documents the intake route; the route lives in ``web.intake``."""

    resource_name = "intake"
    openapi_spec_tag = "Intake"

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        forms = state().registry.intake_forms
        if not forms:
            return
        fields = sorted({code for form in forms for code in form.fields})
        add_schemas(api_spec, {
            "IntakeLead": {"type": "object", "properties": {
                code: _S for code in fields}, "description": (
                    "the form's fields (others are ignored); a value failing a field rule "
                    "is kept and flags the lead; a missing required field or contact is a 422")},
            "IntakeAnswer": ANSWER, "IntakeRefusal": REFUSAL})
        api_spec.path(path="/intake/{form}", operations={"post": {
            "tags": ["Intake"],
            "summary": "Keep a lead from outside (web-to-lead form or another system)",
            "parameters": [
                {"name": "form", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": [f.name for f in forms]}},
                {"name": "X-Intake-Token", "in": "header", "required": True, "schema": _S,
                 "description": "the form's token (from its token_env variable)"}],
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/IntakeLead"}},
                "application/x-www-form-urlencoded": {
                    "schema": {"$ref": "#/components/schemas/IntakeLead"}}}},
            "responses": {
                "201": _answer("Kept: its number, status and screening flags", "IntakeAnswer"),
                "403": _answer("No token, or not this form's", "IntakeRefusal"),
                "404": _answer("No such form", "IntakeRefusal"),
                "422": _answer("A required field or every contact is missing",
                               "IntakeRefusal"),
                "429": _answer("Too many submissions from this address (Retry-After)",
                               "IntakeRefusal")}}})
