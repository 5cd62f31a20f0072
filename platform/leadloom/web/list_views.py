"""What a list request asks for beyond FAB's own arguments: a shared view (``?view=``) and
filters by field code (``?grade=A&owner=me``), in the grammar of ``metadata.list_filters``.

The same texts make the home page's numbers, so a number and the list it links to agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from flask import flash, g, request
from marshmallow import ValidationError

from leadloom.access import rights
from leadloom.metadata.field_types import NUMERIC, FieldType
from leadloom.metadata.list_filters import FilterProblem, OneOf, Span, filterable, parse
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Entity, Field, ListView
from leadloom.model.columns import BIGINT_RANGE
from leadloom.records import RecordInvalid
from leadloom.records.leads import clock
from leadloom.records.schemas import Text
from leadloom.web.actor import current_actor
from leadloom.web.language import translated
from leadloom.web.state import state
from leadloom.workflow.list_filters import filters_clause


class BadListQuery(RecordInvalid):
    """A list filter or sort the server cannot apply: the request is wrong, not a record."""

    status = 400


EMPTY_FILTER = Message("give the filter a value, or leave it out")
#: REST list arguments that are not filters: FAB's rison ``q`` and a shared view's code
API_ARGUMENTS = ("q", "view")


def chosen_view(entity: Entity) -> ListView | None:
    code = request.args.get("view")
    return next((v for v in entity.views if v.code == code), None)


def requested_filters(entity: Entity) -> dict[str, str]:
    """The chosen view's filters, then the address's own (which win), by field code."""
    view = chosen_view(entity)
    filters = dict(view.filters) if view else {}
    fields = filterable(entity, state().registry.units)
    filters.update({k: v for k, v in request.args.items() if k in fields and v.strip()})
    return filters


def prepare_list_filters(entity: Entity) -> None:
    """Work out this request's filter clause once; a filter that cannot be applied (a field
    the reader may not see, a text that does not fit its field) is left out with a message
    saying so."""
    st = state()
    actor = current_actor()
    filters = requested_filters(entity)
    hidden = rights(st.registry, actor, entity.code).hidden
    for code, text in list(filters.items()):
        problem = _problem(entity, hidden, code, text)
        if problem is not None:
            flash(translated(problem), "warning")
            del filters[code]
    g.leadloom_list_filters = filters_clause(st.models, actor, entity, filters, clock.now())


def prepare_api_filters(entity: Entity, args: Mapping[str, str]) -> None:
    """The REST list's filters in the screens' grammar (``?view=``, ``?unit=east``, …, next
    to FAB's ``q``); anything that cannot be applied is refused by name, never dropped.

    :raises RecordInvalid: an unknown or hidden field, an unknown view, or a text that
        does not fit its field (400, each named).
    """
    st = state()
    actor = current_actor()
    hidden = rights(st.registry, actor, entity.code).hidden
    errors: dict[str, list[Message]] = {}
    code = args.get("view")
    if code is not None and chosen_view(entity) is None:
        errors["view"] = [Message("There is no view \"%(view)s\"", view=code)]
    fields = filterable(entity, st.registry.units)
    for key, text in args.items():
        if key not in API_ARGUMENTS and (key not in fields or key in hidden):
            errors[key] = [Message("There is no field \"%(field)s\" to filter by", field=key)]
        elif key in fields and not text.strip():
            errors[key] = [EMPTY_FILTER]
    filters = {k: v for k, v in requested_filters(entity).items() if k not in errors}
    for key, text in filters.items():
        problem = _problem(entity, hidden, key, text)
        if problem is not None:
            errors[key] = [problem]
    if errors:
        raise BadListQuery(errors)
    g.leadloom_list_filters = filters_clause(st.models, actor, entity, filters, clock.now())


def _problem(entity: Entity, hidden: frozenset[str], code: str, text: str) -> Message | None:
    """Why the filter ``code``=``text`` cannot be applied for this reader (None: it can)."""
    if code in hidden:
        return Message("There is no field \"%(field)s\" to filter by", field=code)
    try:
        Text().deserialize(text)
    except ValidationError as error:
        return error.messages[0]  # type: ignore[no-any-return]
    st = state()
    field = filterable(entity, st.registry.units)[code]
    try:
        filters_clause(st.models, current_actor(), entity, {code: text}, clock.now())
        fits = not _unstorable(field, parse(field, text))
    except FilterProblem as problem:
        return problem.message
    except (OverflowError, ValueError):  # a day past the calendar's end, say
        fits = False
    return None if fits else Message("%(field)s cannot be filtered by \"%(text)s\"",
                                     field=field.label, text=text)


def _unstorable(field: Field, condition: object) -> bool:
    """Numbers no column holds: whole numbers past the database's range, NaN, infinity."""
    if field.type not in NUMERIC and field.type not in (FieldType.REFERENCE, FieldType.USER):
        return False
    numbers: list[Decimal] = []
    if isinstance(condition, OneOf):
        numbers = [Decimal(v) for v in condition.values]
    elif isinstance(condition, Span):
        numbers = [p.value for p in (condition.start, condition.end)  # type: ignore[misc]
                   if p is not None and p.kind == "number"]
    return any(not n.is_finite() or not BIGINT_RANGE[0] <= n <= BIGINT_RANGE[1]
               for n in numbers)


def list_filters_clause() -> object | None:
    """The clause ``prepare_list_filters`` made for this request, if it is a list."""
    return g.get("leadloom_list_filters")
