"""The password policy on Flask-AppBuilder's screens: its ``FAB_PASSWORD_COMPLEXITY_VALIDATOR``
hook guards adding a user, an admin resetting someone's password, resetting one's own, and
FAB's REST user API; it only sees the password, so the account comes from the request."""

from __future__ import annotations

from flask import g, request
from flask_appbuilder.exceptions import PasswordComplexityValidationError

from leadloom.access import password_problems
from leadloom.metadata.registry import Label
from leadloom.web.labels import current_locale
from leadloom.web.state import state

SEPARATOR = Label("；", "; ")


def check_password(password: str) -> None:
    """Refuse ``password`` with every rule it breaks, in the user's language.

    :raises PasswordComplexityValidationError: FAB shows it under the password field.
    """
    problems = password_problems(password, _username())
    if problems:
        locale = current_locale()
        raise PasswordComplexityValidationError(
            SEPARATOR.get(locale).join(p.get(locale) for p in problems))


def _username() -> str | None:
    """Whose password it is: the add form's or API body's username, the user being reset
    (``?pk=``, or the API's ``/<pk>``), or the signed-in user resetting their own."""
    body = request.get_json(silent=True) if request.is_json else request.form
    named = body.get("username") if isinstance(body, dict) else None  # a form is a dict too
    if isinstance(named, str) and named:
        return named
    pk = request.args.get("pk") or (request.view_args or {}).get("pk")
    if pk is not None:
        account = state().appbuilder.sm.get_user_by_id(pk)
        return account.username if account else None
    user = getattr(g, "user", None)
    return user.username if user is not None and user.is_authenticated else None
