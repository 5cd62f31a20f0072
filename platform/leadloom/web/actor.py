"""The actor behind the current request (session login or JWT), and its write Context."""

from __future__ import annotations

from flask import g

from leadloom.access import Actor
from leadloom.records import Context, membership
from leadloom.web.state import state


def current_actor() -> Actor:
    """The logged-in user as an ``Actor``; cached for the request."""
    cached = getattr(g, "leadloom_actor", None)
    if cached is not None:
        return cached
    st = state()
    user = st.appbuilder.sm.current_user
    if user is None or not getattr(user, "is_authenticated", True):
        actor = Actor(None, "anonymous", ())
    else:
        loaded = g.get("leadloom_place")  # read with the user (``web.permission_cache``)
        place = loaded[1] if loaded and loaded[0] == user.id else membership(
            st.db.session, st.models, user.id)
        actor = Actor(user.id, user.username, tuple(r.name for r in user.roles),
                      team=place.team, unit=place.unit)
    g.leadloom_actor = actor
    return actor


def request_context(channel: str) -> Context:
    """The write Context for this request; ``channel`` is ``ui`` or ``api``."""
    st = state()
    return Context(current_actor(), st.db.session, st.models, channel=channel)
