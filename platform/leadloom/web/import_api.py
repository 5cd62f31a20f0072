"""``/api/v1/<entity>/import``: upload a CSV or XLSX list to import as a job, read the run,
download its error file. The engine is ``leadloom.imports``; this module parses and answers.

JWT like the other APIs; a cookie-carried POST needs the CSRF token (``web.csrf``).
"""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, request, send_file
from flask_appbuilder import AppBuilder, expose
from flask_appbuilder.security.decorators import protect

from leadloom.imports import (
    ImportFileError,
    ImportOptions,
    ImportRequestError,
    error_file,
    import_run,
    read_sheet,
    start_import,
    suggest_mapping,
)
from leadloom.metadata.messages import Message
from leadloom.records import Context
from leadloom.web.actor import current_actor
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale
from leadloom.web.language import translated
from leadloom.web.openapi_docs import DocumentedApi
from leadloom.web.reports import jobs
from leadloom.web.state import state

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _ctx() -> Context:
    st = state()
    return Context(current_actor(), st.db.session, st.models, channel="import")


#: request parts whose values the OpenAPI document lists: another value is malformed (400)
LISTED_CHOICES = frozenset({"on_duplicate", "money_unit", "preset", "dry_run"})


def _refused(error: ImportFileError | ImportRequestError, field: str) -> Response:
    """400 for a malformed request (no file, a choice not listed), 404 for an unknown
    entity, 422 for a well-formed one that cannot be done (a file that is no table, a
    mapping naming columns the file lacks)."""
    status = 400 if field in LISTED_CHOICES else 404 if field == "entity" else 422
    return _answer(status, {field: [translated(error.message)]})


def _answer(status: int, errors: dict[str, list[str]]) -> Response:
    """The JSON error body every API answers with: the first message, then by field."""
    message = next(iter(errors.values()))[0]
    return Response(json.dumps({"message": message, "errors": errors}, ensure_ascii=False),
                    status=status, mimetype="application/json")


def _not_found(run_id: int) -> Response:
    text = translated(Message("no import run #%(id)s", id=run_id))
    return Response(json.dumps({"message": text, "errors": {}}, ensure_ascii=False),
                    status=404, mimetype="application/json")


def _mapping(entity: str, headers: list[str]) -> dict[str, str | None]:
    """The ``mapping`` form field (JSON object), or the one suggested from the headers.

    :raises ImportRequestError: not a JSON object of header -> field code or null.
    """
    raw = request.form.get("mapping")
    preset = request.form.get("preset") or None
    if not raw:
        return suggest_mapping(state().registry, entity, headers, preset=preset)
    try:
        given = json.loads(raw)
    except ValueError:
        given = None
    if not isinstance(given, dict) or not all(
            isinstance(v, str | None) for v in given.values()):
        raise ImportRequestError(Message("mapping must be a JSON object of column name to "
                                         "field code or null"))
    return suggest_mapping(state().registry, entity, headers, preset=preset, saved=given)


class ImportApi(DocumentedApi):
    """Imports of any entity, as the caller."""

    resource_name = "import"
    route_base = "/api/v1"
    class_permission_name = "Imports"
    method_permission_name = {"start": "write", "run": "read", "errors": "read"}
    base_permissions = ["can_read", "can_write"]
    allow_browser_login = True
    openapi_spec_tag = "Imports"

    @expose("/<entity>/import", methods=["POST"])
    @protect()
    @answers_record_errors
    def start(self, entity: str) -> Response:
        """Import a file (multipart: ``file``; optional ``mapping`` JSON, ``preset``,
        ``on_duplicate``, ``dry_run``, ``money_unit``). Answers 202 with the run id.
        ---
        post:
          summary: Import a CSV or XLSX file into an entity, as a job
          parameters:
          - {in: path, name: entity, required: true, schema: {type: string}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file]
                  properties:
                    file: {type: string, format: binary}
                    mapping: {type: string, description: 'JSON {header: field code or null}'}
                    preset: {type: string, enum: [salesforce, hubspot, cn_crm]}
                    on_duplicate: {type: string, enum: [skip, flag, update]}
                    dry_run: {type: boolean}
                    money_unit: {type: string, enum: [yuan, wan]}
          responses:
            202:
              description: Queued; poll the run's url
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id: {type: integer}
                      job: {type: string}
                      url: {type: string}
            400: {description: 'No file, or a choice not listed (errors by field)'}
            404: {description: No such entity}
            422: {description: 'The file is no CSV/XLSX table, or the mapping does not fit it'}
        """
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return _answer(400, {"file": [translated(Message("choose a CSV or XLSX file"))]})
        data = upload.read()
        try:
            options = ImportOptions.from_json(dict(request.form))
            sheet = read_sheet(data, upload.filename)
            mapping = _mapping(entity, sheet.headers)
            ctx = _ctx()
            run_id = start_import(ctx, entity, upload.filename, data, mapping, options, jobs())
        except ImportFileError as error:
            return _refused(error, "file")
        except ImportRequestError as error:
            return _refused(error, error.field)
        run = import_run(ctx, run_id)
        return self.response(202, id=run_id, job=run.job_id if run else None,
                             url=f"/api/v1/{entity}/import/{run_id}")

    @expose("/<entity>/import/<int:run_id>", methods=["GET"])
    @protect()
    @answers_record_errors
    def run(self, entity: str, run_id: int) -> Response:
        """An import run I started: status, progress and counts per outcome.
        ---
        get:
          summary: An import run I started (admins see every run)
          parameters:
          - {in: path, name: entity, required: true, schema: {type: string}}
          - {in: path, name: run_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: The run
              content: {application/json: {schema: {type: object}}}
        """
        found = import_run(_ctx(), run_id)
        if found is None or found.entity != entity:
            return _not_found(run_id)
        body: dict[str, Any] = found.as_json()
        body["errors_url"] = f"/api/v1/{entity}/import/{run_id}/errors"
        return self.response(200, **body)

    @expose("/<entity>/import/<int:run_id>/errors", methods=["GET"])
    @protect()
    @answers_record_errors
    def errors(self, entity: str, run_id: int) -> Response:
        """The refused and skipped rows with their reasons, as XLSX to fix and re-import.
        ---
        get:
          summary: The error file of an import run I started
          parameters:
          - {in: path, name: entity, required: true, schema: {type: string}}
          - {in: path, name: run_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: The rows to fix, with a reason column
              content:
                application/vnd.openxmlformats-officedocument.spreadsheetml.sheet:
                  schema: {type: string, format: binary}
        """
        ctx = _ctx()
        found = import_run(ctx, run_id)
        made = error_file(ctx, run_id, current_locale()) if found and (
            found.entity == entity) else None
        if made is None:
            return _not_found(run_id)
        name, body = made
        return send_file(io.BytesIO(body), mimetype=XLSX, as_attachment=True,
                         download_name=name)


def add_import_api(appbuilder: AppBuilder) -> None:
    """Register the import API (its permissions are every user's: ``web.security``)."""
    appbuilder.add_api(ImportApi)
