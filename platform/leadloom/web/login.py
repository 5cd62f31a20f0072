"""Guarding both login routes (the ``/login/`` form and ``POST /api/v1/security/login``).

Two defences, on Flask-Limiter's storage (Redis when ``LEADLOOM_REDIS_URL`` is set, memory
otherwise): a rate limit per client IP on each route (429), and a temporary lockout per
username after repeated failures. The lockout counts any username, known or not, and refuses
with the same answer, so it never tells whether an account exists.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, current_app, flash, jsonify, request
from flask_appbuilder import AppBuilder
from flask_appbuilder.security.forms import LoginForm_db
from flask_limiter import RequestLimit
from flask_limiter.util import get_remote_address
from flask_login import current_user
from limits import parse_many
from limits.storage import Storage

from leadloom.metadata.messages import Message
from leadloom.settings import LoginLimits
from leadloom.web.language import translated
from leadloom.web.state import state

#: Answers a refusal: (message, seconds until the client may retry) → response.
Refuse = Callable[[str, float], Response]
#: Whether an attempt signed in: (the view's response, signed in before it) → bool.
Outcome = Callable[[Any, bool], bool]


@dataclass(frozen=True, slots=True)
class Lockout:
    """Failed logins in a row per username; ``max_failures`` of them lock it for a while.

    An attempt is counted before the password is checked, so a burst of simultaneous
    guesses (from many addresses) gets no more tries than a sequence does.
    """

    storage: Storage
    limits: LoginLimits

    def begin(self, username: str) -> float | None:
        """Count an attempt; the epoch time its lock ends if ``username`` may not try now."""
        lock = self._key("lock", username)
        if not self.storage.get(lock):
            if self.storage.incr(self._key("failures", username), self._seconds) \
                    <= self.limits.max_failures:
                return None
            self._lock(username)
        return self.storage.get_expiry(lock)

    def end(self, username: str, succeeded: bool) -> None:
        """A success forgets past failures; the ``max_failures``-th failure locks."""
        failures = self._key("failures", username)
        if succeeded:
            self.storage.clear(failures)
        elif self.storage.get(failures) >= self.limits.max_failures:
            self._lock(username)

    def _lock(self, username: str) -> None:
        self.storage.incr(self._key("lock", username), self._seconds)
        self.storage.clear(self._key("failures", username))

    @property
    def _seconds(self) -> int:
        return max(1, round(self.limits.lock_minutes * 60))  # Redis expiries are whole seconds

    @staticmethod
    def _key(kind: str, username: str) -> str:
        digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
        return f"leadloom/login/{kind}/{digest}"


def protect_logins(appbuilder: AppBuilder, limits: LoginLimits | None, *,
                   testing: bool) -> None:
    """Put the rate limit and the lockout on both login routes (after FAB registered them).

    Unset ``limits`` means the defaults, except in tests: they log in far more often than a
    person, so only the tests about logins turn the limits on.

    :raises ValueError: a limit in the environment cannot be used.
    """
    limits = limits or (None if testing else LoginLimits())
    if limits is None:
        return
    if limits.max_failures < 1 or limits.lock_minutes <= 0 or not parse_many(limits.rate):
        raise ValueError("LEADLOOM_LOGIN_MAX_FAILURES must be at least 1, "
                         "LEADLOOM_LOGIN_LOCK_MINUTES above 0, LEADLOOM_LOGIN_RATE_LIMIT "
                         "like '10 per minute'")
    sm = appbuilder.sm
    lockout = Lockout(sm.limiter.storage, limits)
    routes = ((f"{sm.auth_view.endpoint}.login", _page_refusal, _page_succeeded),
              ("SecurityApi.login", _json_refusal, _json_succeeded))
    views = current_app.view_functions
    for endpoint, refuse, succeeded in routes:
        guarded = _guarded(views[endpoint], lockout, refuse, succeeded)
        views[endpoint] = sm.limiter.limit(limits.rate, key_func=get_remote_address,
                                           methods=["POST"], on_breach=_on_breach(refuse))(guarded)


def _guarded(view: Callable[..., Any], lockout: Lockout, refuse: Refuse,
             succeeded: Outcome) -> Callable[..., Any]:
    """``view`` refusing locked usernames and recording how each attempt went."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        username = _posted_username()
        if username is None:
            return view(*args, **kwargs)
        until = lockout.begin(username)
        if until is not None:
            locked = Message("Too many failed logins: this account is locked until %(until)s",
                             until=_local(until))
            return refuse(translated(locked), until - time.time())
        signed_in_before = current_user.is_authenticated
        response = view(*args, **kwargs)
        lockout.end(username, succeeded(response, signed_in_before))
        return response

    return guarded


def _posted_username() -> str | None:
    if request.method != "POST":
        return None
    body = request.get_json(silent=True) if request.is_json else request.form
    username = body.get("username") if isinstance(body, dict) else None  # a form is a dict too
    return username if isinstance(username, str) and username.strip() else None


def _page_succeeded(response: Any, signed_in_before: bool) -> bool:
    """FAB's form signs the user in on success; anything else (wrong password, a bad form,
    someone already signed in posting another name) counts as a failure."""
    return current_user.is_authenticated and not signed_in_before


def _json_succeeded(response: Any, signed_in_before: bool) -> bool:
    """200 with tokens; 401 for wrong credentials and 400 for a bad body are failures."""
    return getattr(response, "status_code", None) == 200


def _on_breach(refuse: Refuse) -> Callable[[RequestLimit], Response]:
    def breached(limit: RequestLimit) -> Response:
        seconds = max(1, math.ceil(limit.reset_at - time.time()))
        too_fast = Message("Too many login attempts; try again in %(seconds)s seconds",
                           seconds=seconds)
        return refuse(translated(too_fast), seconds)

    return breached


def _json_refusal(message: str, seconds: float) -> Response:
    response = jsonify(message=message)
    return _too_many(response, seconds)


def _page_refusal(message: str, seconds: float) -> Response:
    """The login page again, with the message where FAB shows a failed login's."""
    flash(message, "warning")
    view = state().appbuilder.sm.auth_view
    page = view.render_template(view.login_template, title=view.title, form=LoginForm_db(),
                                appbuilder=view.appbuilder)
    return _too_many(current_app.make_response(page), seconds)


def _too_many(response: Response, seconds: float) -> Response:
    response.status_code = 429
    response.headers["Retry-After"] = str(max(1, math.ceil(seconds)))
    return response


def _local(epoch: float) -> str:
    """An end time in the app's time zone, as people there read it."""
    zone = ZoneInfo(state().registry.app.timezone)
    return dt.datetime.fromtimestamp(epoch, zone).strftime("%Y-%m-%d %H:%M:%S")
