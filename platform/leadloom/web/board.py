"""The funnel board: ``/board/<entity>/?unit=U`` (a kanban page per unit) and
``GET /api/v1/board/<entity>?unit=U`` (its columns as JSON).

Dragging a card calls the transition endpoint, so a move on the board passes the same
guards as anywhere else; a refused move snaps back with the message. The figures come
from ``workflow.board``, through the reader's scope.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, abort, request
from flask_appbuilder import BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect

from leadloom.access import Actor
from leadloom.web.actor import current_actor
from leadloom.web.labels import current_locale
from leadloom.web.leads import hidden_statuses
from leadloom.web.openapi_docs import DocumentedApi
from leadloom.web.state import state
from leadloom.workflow.board import Board, board, owners

#: What every signed-in user is granted (``web.security``); the board itself shows only
#: what the user's scope holds, and nothing for entities they may not list.
PERMISSIONS = [("can_read", "Board"), ("menu_access", "Board")]


def funnel_entities() -> list[str]:
    """Entities with a funnel, in config order."""
    st = state()
    return [e.code for e in st.registry.entities
            if any(f.entity == e.code for f in st.registry.funnels)]


def _unit(actor: Actor) -> str | None:
    """The unit asked for, else the reader's own, else the first unit."""
    st = state()
    units = [u.code for u in st.registry.units]
    asked = request.args.get("unit")
    if asked in units:
        return asked
    return actor.unit if actor.unit in units else (units[0] if units else None)


def _exclude(entity: str, actor: Actor) -> tuple[str, ...]:
    """What the lists leave out (invalid leads): the board shows what the lists show."""
    return hidden_statuses(state().registry, entity, actor, False)


def _owners(entity: str, actor: Actor) -> list[tuple[int, str]]:
    st = state()
    return owners(st.db.session, st.models, actor, entity, _unit(actor),
                  _exclude(entity, actor))


def grades(entity: str) -> list[tuple[str, str]]:
    """The grade filter's choices (code, label), from the Registry; none without grades."""
    field = next((f for f in state().registry.entity(entity).fields if f.code == "grade"),
                 None)
    return [(o.code, o.label.get(current_locale())) for o in field.options] if field else []


def _equal(entity: str, actor: Actor) -> dict[str, Any]:
    """``?owner=ID&grade=G`` as column filters; values outside the choices are ignored."""
    equal: dict[str, Any] = {}
    owner = request.args.get("owner", "")
    if owner.isdigit() and int(owner) in {i for i, _ in _owners(entity, actor)}:
        equal["owner_id"] = int(owner)
    grade = request.args.get("grade")
    if grade in {code for code, _ in grades(entity)}:
        equal["grade"] = grade
    return equal


def _board(entity: str) -> Board | None:
    st = state()
    if entity not in funnel_entities():
        return None
    actor = current_actor()
    return board(st.db.session, st.models, actor, entity, _unit(actor), current_locale(),
                 exclude=_exclude(entity, actor), equal=_equal(entity, actor))


def board_json(found: Board) -> dict[str, Any]:
    return {
        "entity": found.entity, "unit": found.unit, "funnel": found.funnel.name,
        "total": found.total,
        "won": {"count": found.won.count, "amount": _money(found.won.amount)},
        "columns": [{
            "stage": c.stage.code, "label": c.label, "probability": c.stage.probability,
            "outcome": c.stage.outcome, "count": c.count,
            "amount": _money(c.amount) if found.amount_visible else None,
            "cards": [{"id": card.id, "number": card.number, "title": card.title,
                       "amount": _money(card.amount), "version": card.version,
                       "stalled": card.stalled, "pending": card.pending} for card in c.cards],
        } for c in found.columns],
    }


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class BoardApi(DocumentedApi):
    resource_name = "board"
    class_permission_name = "Board"
    method_permission_name = {"columns": "read"}
    #: the page's permissions too: FAB drops those a view of the same name lacks
    base_permissions = ["can_read", "menu_access"]
    allow_browser_login = True
    openapi_spec_tag = "Board"

    @expose("/<entity>", methods=["GET"])
    @protect()
    def columns(self, entity: str) -> Response:
        """The board of ``entity`` for ``?unit=U`` (default: my unit).
        ---
        get:
          summary: The funnel board of an entity (my scope only)
          parameters:
          - in: path
            name: entity
            required: true
            schema: {type: string}
            description: an entity with a funnel
          - in: query
            name: unit
            required: false
            schema: {type: string}
            description: 'a business unit (default: mine)'
          - in: query
            name: owner
            required: false
            schema: {type: integer}
            description: only the records of this owner (a user in my scope)
          - in: query
            name: grade
            required: false
            schema: {type: string}
            description: only the records of this grade (A/B/C)
          responses:
            200:
              description: Columns per stage with their cards
              content: {application/json: {schema: {$ref: '#/components/schemas/Board'}}}
        """
        found = _board(entity)
        if found is None:
            return self.response(404, message=f"no board for '{entity}'", errors={})
        return self.response(200, **board_json(found))


class BoardView(BaseView):
    route_base = "/board"
    default_view = "index"
    class_permission_name = "Board"
    method_permission_name = {"index": "read", "entity_board": "read"}
    base_permissions = ["can_read", "menu_access"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        entities = funnel_entities()
        if not entities:
            abort(404)
        return self.entity_board(entities[0])

    @expose("/<entity>/")
    @has_access
    def entity_board(self, entity: str) -> Any:
        found = _board(entity)
        if found is None:
            abort(404)
        st = state()
        locale = current_locale()
        return self.render_template(
            "leadloom/board.html", board=found, data=board_json(found), locale=locale,
            entity_label=st.registry.entity(entity).label.get(locale),
            units=[(u.code, u.label.get(locale)) for u in st.registry.units],
            owners=_owners(entity, current_actor()), grades=grades(entity),
            me=current_actor().user_id, filters=_equal(entity, current_actor()),
            funnel_label=found.funnel.label.get(locale))
