"""Public web-to-lead forms and the intake API: ``GET|POST /intake/<form>``.

No login and no menu: ``GET`` renders the form (Chinese by default, usable at phone
width); ``POST`` takes it. Two kinds of caller, told apart by the token:

- the form's own page posts form fields with its CSRF token (checked here: the blueprint
  is exempt from the global check so that outside systems can post without one);
- an outside system posts JSON or form fields with the form's token in ``X-Intake-Token``
  (or a ``token`` field) and gets JSON: ``201 {"id", "number", "status", "flags"}``, 403
  for a wrong token, 422 with the field errors in its ``Accept-Language``.

Every POST is rate limited per client IP and form (the form's ``rate_limit``, on
Flask-Limiter's storage: Redis when configured, else memory) → 429. A filled honeypot gets
the normal thank-you page and nothing is stored. The lead is written through the one write
path on channel ``intake`` by an explicit intake actor (``records.intake`` decides what
the channel keeps).
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address

from leadloom.access import Actor
from leadloom.metadata.intake import IntakeForm, find_form
from leadloom.metadata.messages import Message
from leadloom.records import Context, RecordError, RecordInvalid, create
from leadloom.records.intake import DEFAULTS, INTAKE
from leadloom.web.errors import json_error
from leadloom.web.intake_docs import IntakeDocs
from leadloom.web.intake_fields import form_fields
from leadloom.web.intake_input import (
    HONEYPOT,
    given_token,
    lead_values,
    missing,
    submitted,
    token_matches,
    with_defaults,
)
from leadloom.web.labels import current_locale
from leadloom.web.language import translated
from leadloom.web.state import state

log = logging.getLogger(__name__)
ENTITY = "lead"
TEXTS = {
    "submit": Message("Submit"), "unknown": Message("No such form"),
    "bad_token": Message("The intake token is missing or wrong for this form"),
    "too_fast": Message("Too many submissions from your address; try again in "
                        "%(seconds)s seconds"),
    "refused": Message("Please correct the marked fields"),
    "contact_hint": Message("Leave a phone number or an e-mail address and we will get back "
                            "to you."),
    "choose": Message("Please choose"),
    "no_source": Message("This form is not available: its source '%(source)s' does not "
                         "exist"),
}


class FormUnavailable(RecordError):
    """The form's config names a source that is not there (a config mistake, not input)."""

    status = 503


def add_intake(app: Flask) -> None:
    """Register the public routes, rate limited, with their own CSRF check (a blueprint
    per app: one app's registration must not change another's)."""
    intake = Blueprint("Intake", __name__)
    limiter = state().appbuilder.sm.limiter
    limited = limiter.limit(_rate, key_func=_client_and_form, methods=["POST"],
                            on_breach=_too_many)
    intake.add_url_rule("/intake/<name>", "page", form_page, methods=["GET"])
    intake.add_url_rule("/intake/<name>", "submit", limited(submit), methods=["POST"])
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(intake)  # checked in ``submit`` unless the caller has the form's token
    app.register_blueprint(intake)
    state().appbuilder.add_api(IntakeDocs)


def form_page(name: str) -> Any:
    """The form, empty."""
    form = _form_or_404(name)
    if isinstance(form, Response):
        return form
    return _page(form, {}, {})


def submit(name: str) -> Any:
    """Keep the lead (201 JSON / the thank-you page) or say what is missing (422)."""
    body = submitted()
    token = given_token(body)
    outside = token is not None or request.is_json  # the page posts a form, no token
    if not outside and current_app.config.get("WTF_CSRF_ENABLED"):
        current_app.extensions["csrf"].protect()  # a refusal is web.csrf's 400 page
    form = _form_or_404(name)
    if isinstance(form, Response):
        return form
    if outside and not (token is not None and token_matches(form, token)):
        return _json(403, TEXTS["bad_token"])
    if token is None:
        return _from_page(form, body)
    with force_locale(_asked_locale()):
        return _from_system(form, body)


def _from_page(form: IntakeForm, body: dict[str, Any]) -> Any:
    values = lead_values(form, body)
    if body.get(HONEYPOT):
        log.warning("intake form %s: honeypot filled from %s; nothing stored", form.name,
                    get_remote_address())
        return _thanks(form)
    try:
        _keep(form, values)
    except RecordError as error:
        problem = TEXTS["refused"] if isinstance(error, RecordInvalid) else error.message
        return _page(form, values, error.errors, problem, status=error.status)
    return _thanks(form)


def _from_system(form: IntakeForm, body: dict[str, Any]) -> Response:
    try:
        lead = _keep(form, lead_values(form, body))
    except RecordError as error:
        return json_error(error)
    response = jsonify(id=lead.id, number=lead.lead_no, status=lead.status,
                       flags=list(lead.screening_flags or []))
    response.status_code = 201
    return response


def _keep(form: IntakeForm, values: dict[str, Any]) -> Any:
    """The new lead, through the write path as the form's intake actor.

    :raises RecordInvalid: a required field or every contact is missing (nothing written).
    """
    st = state()
    entity = st.registry.entity(ENTITY)
    errors = missing(form, entity, values)
    if errors:
        raise RecordInvalid(dict(errors), entity)
    data = with_defaults(form, values)
    data["source"] = _source_id(form)
    if form.campaign and "campaign" in {f.code for f in entity.fields}:
        data["campaign"] = form.campaign
    actor = Actor(None, f"intake:{form.name}", (), system=True)
    ctx = Context(actor, st.db.session, st.models, channel=INTAKE,
                  meta={DEFAULTS: dict(form.defaults)})
    return create(ctx, ENTITY, data)


def _source_id(form: IntakeForm) -> int:
    st = state()
    source = st.models.cls("source")
    found = st.db.session.scalar(sa.select(source.id).where(source.code == form.source))
    if found is None:
        raise FormUnavailable(Message(TEXTS["no_source"].msgid, source=form.source))
    return int(found)


def _form_or_404(name: str) -> IntakeForm | Response:
    form = find_form(state().registry.intake_forms, name)
    return form if form is not None else _json(404, TEXTS["unknown"])


def _page(form: IntakeForm, values: dict[str, Any], errors: dict[str, Any],
          problem: Message | None = None, status: int = 200) -> tuple[str, int]:
    locale = current_locale()
    fields = form_fields(form, state().registry.entity(ENTITY), values, errors, locale)
    return render_template(
        "leadloom/intake_form.html", form=form, title=form.label.get(locale), fields=fields,
        locale=locale, honeypot=HONEYPOT, submit_text=translated(TEXTS["submit"]),
        problem=translated(problem) if problem else None,
        contact_hint=translated(TEXTS["contact_hint"]), choose=translated(TEXTS["choose"])
    ), status


def _thanks(form: IntakeForm) -> str:
    locale = current_locale()
    return render_template("leadloom/intake_thanks.html", title=form.label.get(locale),
                           thanks=form.thanks.get(locale), locale=locale)


def _json(status: int, message: Message) -> Response:
    with force_locale(_asked_locale()):
        response = jsonify(message=translated(message), errors={})
    response.status_code = status
    return response


def _asked_locale() -> str:
    """An outside system's language: its ``Accept-Language`` (zh or en), else the default."""
    languages = list(current_app.config["LANGUAGES"])
    return request.accept_languages.best_match(languages) or current_app.config[
        "BABEL_DEFAULT_LOCALE"]


def _rate() -> str:
    form = find_form(state().registry.intake_forms, request.view_args.get("name", ""))  # type: ignore[union-attr]
    return form.rate_limit if form else "10 per minute"


def _client_and_form() -> str:
    return f"intake/{request.view_args.get('name')}/{get_remote_address()}"  # type: ignore[union-attr]


def _too_many(limit: RequestLimit) -> Response:
    seconds = max(1, math.ceil(limit.reset_at - time.time()))
    response = _json(429, Message(TEXTS["too_fast"].msgid, seconds=seconds))
    response.headers["Retry-After"] = str(seconds)
    return response
