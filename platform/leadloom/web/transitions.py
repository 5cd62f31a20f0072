"""Per entity: ``POST /api/v1/<entity>/<pk>/transition`` (move a record to a stage) and
``GET /api/v1/<entity>/<pk>/timeline`` (its audit trail, stage path and approvals).

The move is ``records.transition``: the same write as a form or a REST update changing
the stage, with the same guards. Answers: 200 moved, 202 an approval was requested
instead, 409 with ``current`` (the record's stage and version now) when someone else was
faster, 422 with every missing field when a guard refuses.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_appbuilder.api import expose
from flask_appbuilder.security.decorators import protect

from leadloom.access import rights
from leadloom.metadata.registry import Entity
from leadloom.model.tables import utcnow
from leadloom.records import RecordError, RecordInvalid
from leadloom.records.transitions import StaleTransition, transition
from leadloom.web.actor import current_actor, request_context
from leadloom.web.errors import json_error
from leadloom.web.language import translated
from leadloom.web.openapi import checked_body
from leadloom.web.openapi_docs import DocumentedApi, checked
from leadloom.web.serialize import datetime_values, plain, record_json, with_offsets
from leadloom.web.state import state
from leadloom.web.views import BASE_PERMISSIONS
from leadloom.workflow.history import path, timeline
from leadloom.workflow.stages import funnel_of


class RecordWorkflowApi(DocumentedApi):
    """Base class; ``workflow_api`` fills in the entity."""

    entity: Entity
    method_permission_name = {"move": "update", "history": "read"}
    #: the entity's own permissions (FAB drops the ones a view of the same name lacks)
    base_permissions = BASE_PERMISSIONS
    allow_browser_login = True

    @expose("/<id:pk>/transition", methods=["POST"])
    @protect()
    def move(self, pk: int) -> Response:
        """Move the record to a stage, with the fields the move needs.
        ---
        post:
          summary: Move the record to a stage (the same guards as every channel)
          parameters:
          - pk
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/Transition'}
          responses:
            200:
              description: Moved
              content: {application/json: {schema: {$ref: '#/components/schemas/Moved'}}}
            202:
              description: An approval was asked for instead
              content: {application/json: {schema: {$ref: '#/components/schemas/Moved'}}}
        """
        try:
            data = checked("Transition", request.get_json(silent=True))
            registry = state().registry
            values = checked_body(registry.entity(self.entity.code), data.get("values") or {},
                                  registry.app.timezone)
            done = transition(request_context("api"), self.entity.code, pk, data["to"],
                              comment=data.get("comment"),
                              expected_version=data.get("version"), values=values)
        except StaleTransition as error:
            return self.response(409, message=translated(error.message),
                                 errors=error.errors, current=error.current)
        except RecordError as error:
            return self._refused(error)
        st = state()
        view = st.registry.view(self.entity.code, done.record.unit)
        hidden = rights(st.registry, current_actor(), self.entity.code).hidden
        return self.response(200 if done.moved else 202, moved=done.moved,
                             approval_id=done.approval_id,
                             notices=[translated(n) for n in done.notices],
                             result=record_json(view, done.record, hidden))

    @expose("/<id:pk>/timeline", methods=["GET"])
    @protect()
    def history(self, pk: int) -> Response:
        """The record's events, newest first, and its path through the funnel.
        ---
        get:
          summary: The record's audit trail and its path through the funnel
          parameters:
          - pk
          responses:
            200:
              description: Events newest first; stages with the time spent in each
              content: {application/json: {schema: {$ref: '#/components/schemas/History'}}}
        """
        st = state()
        actor = current_actor()
        events = timeline(st.db.session, st.models, actor, self.entity.code, pk)
        if events is None:
            return self.response(404, message=f"{self.entity.label.en} #{pk} not found",
                                 errors={})
        record = st.db.session.get(st.models.cls(self.entity.code), pk)
        funnel = funnel_of(st.registry, self.entity.code, record.unit)
        visits = path(st.db.session, st.models, self.entity.code, pk, utcnow()) \
            if funnel else []
        view = st.registry.entity(self.entity.code)
        return self.response(200, result=[_event_json(view, e.as_json()) for e in events],
                             path=[{"stage": v.stage, "entered_at": plain(v.entered_at),
                                    "left_at": plain(v.left_at), "seconds": v.seconds}
                                   for v in visits])

    def _refused(self, error: RecordError) -> Response:
        """A guard's refusal: the stage's sentence (``完成谈判推进需填写: …``) is the
        message."""
        if isinstance(error, RecordInvalid):
            fields = [f.field for f in state().registry.funnels
                      if f.entity == self.entity.code]
            summary = next((error.errors[k] for k in [*fields, "to"] if error.errors.get(k)),
                           None)
            if summary:
                error.message = summary[0]
        return json_error(error)


def _event_json(view: Entity, event: dict[str, Any]) -> dict[str, Any]:
    """An audit event with its time and any changed datetime fields in the app's zone."""
    changes = {code: [datetime_values(view, {code: v})[code] for v in pair]
               for code, pair in event["changes"].items()}
    return {**with_offsets(event, ["at"]), "changes": changes}


def workflow_api(entity: Entity) -> type[RecordWorkflowApi]:
    """The transition and timeline API of ``entity`` (under its own REST prefix)."""
    return type(f"{entity.code.title()}WorkflowApi", (RecordWorkflowApi,), {
        "entity": entity, "resource_name": entity.code,
        "class_permission_name": entity.code, "openapi_spec_tag": entity.label.en,
    })

