"""Global search: the page ``/search/?q=`` (the box in every page's menu bar) and
``GET /api/v1/search?q=``. The read side is ``workflow.search``; this module labels its
hits and notices in the reader's language, with each record's own unit's labels.

A notice offers 申请协作 / 申请转移: ``POST /api/v1/search/collaboration`` and
``POST /api/v1/search/transfer`` with ``{"lead_no": ...}`` tell the lead's owner and their
supervisors (``records.leads.requests``), once per requester, lead and day.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_appbuilder import AppBuilder, BaseView, expose, has_access
from flask_appbuilder.security.decorators import protect

from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label
from leadloom.records import RecordInvalid
from leadloom.records.leads.requests import ask
from leadloom.web.actor import current_actor, request_context
from leadloom.web.errors import answers_record_errors
from leadloom.web.labels import current_locale, display
from leadloom.web.language import translated
from leadloom.web.openapi_docs import DocumentedApi, add_schemas
from leadloom.web.state import state
from leadloom.workflow.search import MIN_LENGTH, Found, Hit, Notice, search

#: What every signed-in user is granted (``web.security``): search in their own scope.
PERMISSIONS = [("can_read", "Search"), ("can_ask", "Search")]
POOL = Label("公海", "public pool")
#: at most this many characters are searched
MAX_LENGTH = 100
_S = {"type": "string"}
ANSWER = {"type": "object", "required": ["q", "results", "notices"], "properties": {
    "q": _S,
    "results": {"type": "array", "items": {
        "type": "object", "required": ["entity", "id", "title", "subtitle", "url"],
        "properties": {"entity": _S, "id": {"type": "integer"}, "title": _S,
                       "subtitle": _S, "url": _S}}},
    "notices": {"type": "array", "items": {
        "type": "object", "required": ["lead_no", "status", "owner"],
        "properties": {"lead_no": _S, "status": _S,
                       "owner": {**_S, "description": "masked (张*), or the public pool"}}}}}}
#: the notice's buttons and what the page says when an ask fails
ASKS = {"collaboration": Message("Request collaboration"),
        "transfer": Message("Request transfer"),
        "failed": Message("The request could not be sent; reload the page and try again")}
ASK = {"type": "object", "required": ["lead_no"], "properties": {"lead_no": _S}}
ASKED = {"type": "object", "required": ["message", "notified"], "properties": {
    "message": _S, "notified": {"type": "integer", "description": "how many were told"}}}


def add_search(appbuilder: AppBuilder) -> None:
    """Register the results page and the API."""
    appbuilder.add_view_no_menu(SearchView)
    appbuilder.add_api(SearchApi)


def _text() -> str:
    """The ``q`` argument, checked.

    :raises RecordInvalid: it is shorter than ``MIN_LENGTH`` characters.
    """
    text = request.args.get("q", "").strip()[:MAX_LENGTH]
    if len(text) < MIN_LENGTH:
        raise RecordInvalid({"q": [Message("type at least %(count)s characters to search",
                                           count=MIN_LENGTH)]})
    return text


def _found(text: str) -> Found:
    st = state()
    return search(st.db.session, st.models, current_actor(), text)


def result_of(hit: Hit) -> dict[str, Any]:
    """One hit as the reader sees it: its title, the matched field and a few columns."""
    st = state()
    entity = st.registry.view(hit.entity, hit.unit)
    locale = current_locale()
    values = dict(hit.values)
    fields = {f.code: f for f in entity.fields}
    title = values.get(entity.title_field)
    parts = [f"{fields[code].label.get(locale)}：{display(fields[code], value)}"
             for code, value in sorted(values.items(), key=lambda kv: kv[0] != hit.field)
             if code != entity.title_field and code in fields and value not in (None, "")]
    return {"entity": hit.entity, "id": hit.id,
            "title": str(title) if title not in (None, "") else f"#{hit.id}",
            "subtitle": " · ".join(parts), "url": f"/{hit.entity}/show/{hit.id}"}


def notice_of(notice: Notice) -> dict[str, Any]:
    """A lead the reader may not open: number, status label and masked owner only."""
    locale = current_locale()
    status = state().registry.view("lead", notice.unit).field("status")
    return {"lead_no": notice.lead_no or "",
            "status": display(status, notice.status) if notice.status else "",
            "owner": notice.owner or POOL.get(locale)}


class SearchView(BaseView):
    """The results page: hits grouped by entity, then the notices."""

    route_base = "/search"
    default_view = "index"
    class_permission_name = "Search"
    method_permission_name = {"index": "read"}
    base_permissions = ["can_read"]

    @expose("/")
    @has_access
    def index(self) -> Any:
        text = request.args.get("q", "").strip()[:MAX_LENGTH]
        locale = current_locale()
        groups: dict[str, dict[str, Any]] = {}
        notices: list[dict[str, Any]] = []
        short = len(text) < MIN_LENGTH
        if not short:
            found = _found(text)
            for hit in found.hits:
                label = state().registry.entity(hit.entity).label.get(locale)
                groups.setdefault(hit.entity, {"label": label, "rows": []})["rows"].append(
                    result_of(hit))
            notices = [{**notice_of(n), "askable": n.owner is not None and bool(n.lead_no)}
                       for n in found.notices]
        return self.render_template("leadloom/search.html", q=text, short=short,
                                    groups=list(groups.values()), notices=notices,
                                    locale=locale, min_length=MIN_LENGTH,
                                    asks={k: translated(v) for k, v in ASKS.items()})


class SearchApi(DocumentedApi):
    """``/api/v1/search``: records in the caller's scope, and duplicate notices."""

    resource_name = "search"
    class_permission_name = "Search"
    method_permission_name = {"find": "read", "collaboration": "ask", "transfer": "ask"}
    base_permissions = ["can_read", "can_ask"]
    allow_browser_login = True
    openapi_spec_tag = "Search"

    def add_apispec_components(self, api_spec: Any) -> None:
        super().add_apispec_components(api_spec)
        add_schemas(api_spec, {"SearchAnswer": ANSWER, "SearchAsk": ASK,
                               "SearchAsked": ASKED})

    @expose("", methods=["GET"])
    @protect()
    @answers_record_errors
    def find(self) -> Response:
        """Records matching ``q`` in the caller's scope, and notices for the leads outside it.
        ---
        get:
          summary: Search every entity you may read
          parameters:
          - in: query
            name: q
            required: true
            schema: {type: string, minLength: 2}
            description: lead number, phone in any format, company or contact name, …
          responses:
            200:
              description: Matches, best first, and notices
              content: {application/json: {schema: {$ref: '#/components/schemas/SearchAnswer'}}}
        """
        text = _text()
        found = _found(text)
        return self.response(200, q=text, results=[result_of(h) for h in found.hits],
                             notices=[notice_of(n) for n in found.notices])

    @expose("/collaboration", methods=["POST"])
    @protect()
    @answers_record_errors
    def collaboration(self) -> Response:
        """Ask the owner of a lead you may not open to work on it with you.
        ---
        post:
          summary: Request collaboration on a lead from a duplicate notice
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/SearchAsk'}}}
          responses:
            201:
              description: The owner and their supervisors were told
              content: {application/json: {schema: {$ref: '#/components/schemas/SearchAsked'}}}
            404: {description: No lead has that number}
            422: {description: You may open it already, or it is in the public pool}
            429: {description: You asked about this lead today already}
        """
        return _asked("collaboration")

    @expose("/transfer", methods=["POST"])
    @protect()
    @answers_record_errors
    def transfer(self) -> Response:
        """Ask for a lead you may not open to be transferred to you.
        ---
        post:
          summary: Request the transfer of a lead from a duplicate notice
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/SearchAsk'}}}
          responses:
            201:
              description: The owner and their supervisors were told
              content: {application/json: {schema: {$ref: '#/components/schemas/SearchAsked'}}}
            404: {description: No lead has that number}
            422: {description: You may open it already, or it is in the public pool}
            429: {description: You asked about this lead today already}
        """
        return _asked("transfer")


def _asked(kind: str) -> Response:
    """Run one ask for the ``lead_no`` of the JSON body and say whom it reached."""
    body = request.get_json(silent=True)
    number = body.get("lead_no") if isinstance(body, dict) else None
    if not isinstance(number, str) or not number.strip():
        raise RecordInvalid({"lead_no": [Message("give the lead's number")]})
    count = ask(request_context("ui"), kind, number[:MAX_LENGTH])
    answer = jsonify(message=translated(_told(kind, count)), notified=count)
    answer.status_code = 201
    return answer


def _told(kind: str, count: int) -> Message:
    """What the asker is told, in their language."""
    if kind == "collaboration":
        return Message("Collaboration requested: the owner and their supervisor were told "
                       "(%(count)s people)", count=count)
    return Message("Transfer requested: the owner and their supervisor were told "
                   "(%(count)s people)", count=count)
