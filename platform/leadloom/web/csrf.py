"""CSRF protection and the login cookies: a state-changing request that a browser sends
with our cookies must prove it comes from one of our own pages.

- Screens: Flask-WTF's ``CSRFProtect`` checks every POST/PUT/PATCH/DELETE for the token in
  the form field ``csrf_token`` or the ``X-CSRFToken`` header. Pages get it from
  ``{{ csrf_token() }}`` (forms) or ``<meta name="csrf-token">`` (``leadloom/baselayout.html``,
  whose ``leadloomJson`` sends it with every fetch).
- REST: FAB exempts its API blueprints from ``CSRFProtect`` (they are made for bearer
  tokens), but leadloom's APIs also accept the session cookie (``allow_browser_login``).
  So an API call carrying a login cookie and no ``Authorization: Bearer`` header is checked
  the same way; bearer-token calls stay as they are.
- Cookies: ``SameSite=Lax`` and ``HttpOnly``; ``Secure`` whenever the request came over
  HTTPS. ``X-Forwarded-Proto`` counts only behind a configured proxy
  (``LEADLOOM_PROXY_HOPS``).

The only routes that accept a cookie-carrying request without a token are in ``EXEMPT``.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf
from werkzeug.middleware.proxy_fix import ProxyFix

from leadloom.metadata.messages import Message
from leadloom.web.labels import current_locale
from leadloom.web.language import translated

#: endpoint → why it needs no token. Nothing else may skip the check (the url_map walk in
#: tests/security/test_csrf_walk.py fails for any other route that acts without one).
EXEMPT: dict[str, str] = {
    "SecurityApi.login": "JSON login: no session to ride on; the password is the proof",
}
#: What a refused request is told, in the user's language.
REFUSED = Message("The request has no valid security (CSRF) token; the page may have expired: "
                  "reload it and try again.")
#: The refusal page's links.
BACK, HOME = Message("Back"), Message("Home")
#: The cookie RQ's dashboard reads its token from (it sends it as ``X-CSRFToken``).
SCRIPT_TOKEN_COOKIE = "_csrf_token"


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked ``Secure`` whenever the request came over
    HTTPS (decided per request: one process may serve both behind a proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or bool(app.config["SESSION_COOKIE_SECURE"])


def protect(app: Flask, *, enabled: bool, proxy_hops: int = 0) -> None:
    """Set the cookie flags and, when ``enabled``, refuse unsafe requests without a token.

    Call it before ``AppBuilder.init_app``: FAB looks for the extension to exempt its API
    blueprints and to refuse deletes by GET.

    :param enabled: off for tests built with ``testing=True`` (their clients send no token).
    :param proxy_hops: how many reverse proxies in front set ``X-Forwarded-*`` (0: trust none).
    """
    app.config.update(
        WTF_CSRF_ENABLED=enabled, WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_HTTPONLY=True)
    app.session_interface = SessionCookie()
    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.after_request(_secure_remember_cookie)
    if proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops,  # type: ignore[method-assign]
                                x_host=proxy_hops)
    if not enabled:
        return
    CSRFProtect(app)
    app.before_request(_check_cookie_api)
    app.register_error_handler(CSRFError, refused)


def _check_cookie_api() -> None:
    """FAB exempted the API blueprints; check the calls that ride on a login cookie.

    A bearer header cannot come from another site's page (no CORS here), so it is trusted.
    """
    if not request.path.startswith("/api/") or request.endpoint in EXEMPT:
        return
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return
    config = current_app.config
    cookies = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    if any(name in request.cookies for name in cookies):
        current_app.extensions["csrf"].protect()


def refused(error: CSRFError) -> tuple[Response | str, int]:
    """400 with the reason in the user's language: JSON for the API, a page otherwise."""
    message = translated(REFUSED)
    if request.path.startswith("/api/"):
        return jsonify(message=message, errors={"csrf_token": [error.description]}), 400
    return render_template("leadloom/csrf_refused.html", message=message,
                           reason=error.description, locale=current_locale(),
                           back=translated(BACK), home=translated(HOME)), 400


def _secure_remember_cookie(response: Response) -> Response:
    """Flask-Login's remember cookie takes ``Secure`` from the config only: add it over HTTPS.

    Registered before FAB's login manager, so it runs after the hook that sets the cookie.
    """
    if not request.is_secure:
        return response
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    cookies = response.headers.getlist("Set-Cookie")
    if any(c.startswith(f"{name}=") and "; Secure" not in c for c in cookies):
        response.headers.setlist("Set-Cookie", [
            f"{c}; Secure" if c.startswith(f"{name}=") and "; Secure" not in c else c
            for c in cookies])
    return response


def hand_token_to_script(response: Response, path: str) -> Response:
    """Give a page we do not render (RQ's dashboard) the token in a script-readable cookie
    limited to ``path``; its JavaScript sends it back as ``X-CSRFToken``."""
    if current_app.config["WTF_CSRF_ENABLED"]:
        response.set_cookie(SCRIPT_TOKEN_COOKIE, generate_csrf(), path=path, samesite="Strict",
                            secure=request.is_secure)
    return response
