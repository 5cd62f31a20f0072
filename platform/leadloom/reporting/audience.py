"""Who a report is for: recipients from the report's roles and user names, as Actors.

Every copy is computed for one recipient's ``Actor`` (roles plus team and unit from
``records.membership``), so each copy holds only what that person may see.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role
from sqlalchemy.orm import Session

from leadloom.access import Actor, people, rights
from leadloom.metadata.messages import Message
from leadloom.metadata.registry import Label, Registry
from leadloom.metadata.reports import Report
from leadloom.model import Models
from leadloom.records import membership
from leadloom.reporting.errors import ReportError

SCOPE_LABELS = {
    "own": Label("本人", "own records"), "team": Label("团队", "team"),
    "unit": Label("业务单元", "business unit"), "all": Label("全部", "all records"),
}


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user a copy is made for: their actor, display name and e-mail address."""

    actor: Actor
    name: str
    email: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.actor.user_id


def system_recipient() -> Recipient:
    """The system actor (``leadloom report`` without ``--as``): every record."""
    return Recipient(Actor.system_actor(), "system")


def recipient_for(session: Session, models: Models, user_id: int) -> Recipient:
    """The recipient for an active user.

    :raises ReportError: no such (active) user.
    """
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise ReportError(Message("no active user #%(id)s", id=user_id))
    return _recipient(session, models, user)


def recipient_named(session: Session, models: Models, username: str) -> Recipient:
    """The recipient for ``username``.

    :raises ReportError: no such (active) user.
    """
    user = session.scalar(sa.select(User).where(User.username == username))
    if user is None or not user.active:
        raise ReportError(Message("no active user '%(name)s'", name=username))
    return _recipient(session, models, user)


def _recipient(session: Session, models: Models, user: User) -> Recipient:
    place = membership(session, models, user.id)
    actor = Actor(user.id, user.username, tuple(r.name for r in user.roles),
                  team=place.team, unit=place.unit)
    return Recipient(actor, display_name(user), user.email or None)


def display_name(user: User) -> str:
    """The name in Chinese order (``access.people``); the login if there is none."""
    return people.display_name(user.first_name, user.last_name, user.username)


def recipients_of(session: Session, models: Models, report: Report) -> list[Recipient]:
    """Every active user named by the report, directly or by role, once, ordered by id."""
    wanted = report.recipients
    # joined through the association table: ``User.roles`` is a backref that exists only
    # once the mappers are configured, which a worker's first query may precede
    holders = (sa.select(assoc_user_role.c.user_id)
               .join(Role, Role.id == assoc_user_role.c.role_id)
               .where(Role.name.in_(list(wanted.roles))))
    query = sa.select(User).where(User.active.is_(True)).where(sa.or_(
        User.username.in_(list(wanted.users)),  # an empty list matches nothing
        User.id.in_(holders),
    )).order_by(User.id)
    return [_recipient(session, models, user) for user in session.scalars(query).unique()]


def unknown_users(conn: sa.Connection | Session, registry: Registry) -> list[str]:
    """Report recipients naming users that do not exist (for ``leadloom check``)."""
    named = {u for r in registry.reports for u in r.recipients.users}
    bind = conn.connection() if isinstance(conn, Session) else conn
    if not named or not sa.inspect(bind).has_table(User.__tablename__):
        return []
    found = set(conn.scalars(sa.select(User.username).where(User.username.in_(named))))
    return [f"reports.{r.name}.recipients.users: no user '{u}'"
            for r in registry.reports for u in r.recipients.users if u not in found]


def is_admin(registry: Registry, actor: Actor) -> bool:
    """The system actor, or a user holding a role with ``admin: true``."""
    admins = {r.code for r in registry.roles if r.admin}
    return actor.system or bool(admins & set(actor.roles))


def may_run(registry: Registry, report: Report, actor: Actor) -> bool:
    """Admins, users named by the report, and holders of its recipient roles."""
    if actor.user_id is None and not actor.system:
        return False
    return (is_admin(registry, actor) or actor.username in report.recipients.users
            or bool(set(report.recipients.roles) & set(actor.roles)))


def scope_label(registry: Registry, recipient: Recipient, *, unit: str | None,
                team: str | None, locale: str) -> str:
    """What a copy covers, for its header: ``李娜 · 本人`` / ``王强 · 团队 华东一组``."""
    actor = recipient.actor
    widest = "all" if actor.system else rights(registry, actor, "lead").widest_scope \
        if any(e.code == "lead" for e in registry.entities) else None
    words = [recipient.name]
    if widest:
        word = SCOPE_LABELS[widest].get(locale)
        place = {"team": _team_label(registry, actor.team, locale),
                 "unit": _unit_label(registry, actor.unit, locale)}.get(widest)
        words.append(f"{word} {place}" if place else word)
    if unit:
        words.append(_unit_label(registry, unit, locale) or unit)
    if team:
        words.append(_team_label(registry, team, locale) or team)
    return " · ".join(words)


def _unit_label(registry: Registry, code: str | None, locale: str) -> str | None:
    found = next((u for u in registry.units if u.code == code), None)
    return found.label.get(locale) if found else code


def _team_label(registry: Registry, code: str | None, locale: str) -> str | None:
    found = next((t for u in registry.units for t in u.teams if t.code == code), None)
    return found.label.get(locale) if found else code
