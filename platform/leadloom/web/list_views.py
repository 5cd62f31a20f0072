"""What a list request asks for beyond FAB's own arguments: a shared view (``?view=``) and
filters by field code (``?grade=A&owner=me``), in the grammar of ``metadata.list_filters``.

The same texts make the home page's numbers, so a number and the list it links to agree.
"""

from __future__ import annotations

from flask import flash, g, request

from leadloom.access import rights
from leadloom.metadata.list_filters import FilterProblem, filterable
from leadloom.metadata.registry import Entity, ListView
from leadloom.records.leads import clock
from leadloom.web.actor import current_actor
from leadloom.web.language import translated
from leadloom.web.state import state
from leadloom.workflow.list_filters import filters_clause


def chosen_view(entity: Entity) -> ListView | None:
    code = request.args.get("view")
    return next((v for v in entity.views if v.code == code), None)


def requested_filters(entity: Entity) -> dict[str, str]:
    """The chosen view's filters, then the address's own (which win), minus hidden fields."""
    view = chosen_view(entity)
    filters = dict(view.filters) if view else {}
    fields = filterable(entity)
    filters.update({k: v for k, v in request.args.items() if k in fields and v.strip()})
    hidden = rights(state().registry, current_actor(), entity.code).hidden
    return {k: v for k, v in filters.items() if k not in hidden}


def prepare_list_filters(entity: Entity) -> None:
    """Work out this request's filter clause once; a filter that does not fit its field is
    left out with a message saying why."""
    st = state()
    actor = current_actor()
    filters = requested_filters(entity)
    for code, text in list(filters.items()):
        try:
            filters_clause(st.models, actor, entity, {code: text}, clock.now())
        except FilterProblem as problem:
            flash(translated(problem.message), "warning")
            del filters[code]
    g.leadloom_list_filters = filters_clause(st.models, actor, entity, filters, clock.now())


def list_filters_clause() -> object | None:
    """The clause ``prepare_list_filters`` made for this request, if it is a list."""
    return g.get("leadloom_list_filters")
