"""Everyone a record's page names, read in one statement before its parts run.

The header, the follow-up timeline, the approvals and the history each name people (an
owner, who logged a follow-up, who asked, who voted, who changed what); asked one by one
that was a statement per person. Here the names of the record's owner, of the people on
its related records (their owners and user fields), its lead events, its audit trail,
stage moves, approval requests and votes are read at once and kept for the request: by id
for ``web.approvals.user_name`` and the write path's name cache, by login for
``PeopleByLogin``; with the owner's team, for the approvals panel. When the reader may
transfer the record, the same statement also reads the transfer's pick list (the first
active users by login), which was a statement of its own.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import g
from flask_appbuilder.security.sqla.models import User

from leadloom.access.people import display_name
from leadloom.metadata.field_types import FieldType
from leadloom.metadata.registry import Entity
from leadloom.model.tables import Models
from leadloom.model.workflow import workflow_classes
from leadloom.records.leads.state import tx_state
from leadloom.web.lookup import choice_label
from leadloom.web.state import state
from leadloom.workflow.approvals import Place

#: a lead's events table: who did it and whom it concerned
LEAD_EVENTS = "ll_lead_event"


def prime_people(entity: Entity, record: Any, new_owners: int = 0) -> list[tuple[int, str]]:
    """Read the names the page of ``record`` shows, in one statement; with ``new_owners``,
    also the first that many active users by login, for the transfer's pick list.

    :return: the pick list, (id, label) by login (empty without ``new_owners``).
    """
    st = state()
    models = st.models
    org = models.org
    pickable = User.id.in_(sa.select(User.id).where(User.active.is_(True))
                           .order_by(User.username).limit(new_owners)) \
        if new_owners else sa.false()
    query = sa.select(User.id, User.first_name, User.last_name, User.username, User.active,
                      org.c.team if org is not None else sa.null().label("team"),
                      pickable.label("pickable"))
    if org is not None:
        query = query.outerjoin(org, org.c.user_id == User.id)
    rows = st.db.session.execute(query.where(sa.or_(
        User.id.in_(sa.union_all(*_user_ids(models, entity, record))),
        User.username.in_(sa.union_all(*_logins(models, entity, record))),
        pickable)).order_by(User.username)).all()
    by_id, by_login = known_names()
    cache = tx_state(st.db.session).users
    g.leadloom_teams = {}
    for row in rows:
        name = display_name(row.first_name, row.last_name, row.username)
        by_id[row.id] = by_login[row.username] = name
        cache[row.id] = (name or f"#{row.id}", bool(row.active))
        g.leadloom_teams[row.id] = row.team
    return [(row.id, choice_label(row)) for row in rows if row.pickable]


def owner_place(record: Any) -> Place | None:
    """Where ``record`` sits (its owner, the owner's team, its unit) from the names read
    for its page; None if they were not (then ``workflow.approvals.place_of`` reads it)."""
    teams = g.get("leadloom_teams")
    if teams is None or record.owner_id not in teams:
        return None
    return Place(record.owner_id, teams[record.owner_id], getattr(record, "unit", None))


def known_names() -> tuple[dict[int, str], dict[str, str]]:
    """This request's names read so far: by user id, by login."""
    if "leadloom_people" not in g:
        g.leadloom_people = ({}, {})
    return g.leadloom_people  # type: ignore[no-any-return]


def _user_ids(models: Models, entity: Entity, record: Any) -> list[sa.Select[Any]]:
    found: list[sa.Select[Any]] = [sa.select(sa.literal(record.owner_id or 0))]
    for other in models.registry.entities:
        links = [f for f in other.fields
                 if f.type is FieldType.REFERENCE and f.to == entity.code and f.column]
        table = models.cls(other.code).__table__
        people = [table.c.owner_id] if other.owned else []
        people += [table.c[f.column] for f in other.fields
                   if f.type is FieldType.USER and f.column]
        for link in links:
            found += [sa.select(column).where(table.c[link.column] == record.id)
                      for column in people]
    events = models.metadata.tables.get(LEAD_EVENTS)
    if entity.code == "lead" and events is not None:
        found += [sa.select(events.c[c]).where(events.c.lead_id == record.id)
                  for c in ("user_id", "actor_id")]
    classes = workflow_classes(models.metadata)
    approval, vote = classes.approval, classes.vote
    found.append(sa.select(vote.voter_id).join(approval, approval.id == vote.approval_id)
                 .where(approval.entity == entity.code, approval.record_id == record.id))
    return found


def _logins(models: Models, entity: Entity, record: Any) -> list[sa.Select[Any]]:
    classes = workflow_classes(models.metadata)
    return [sa.select(column).where(cls.entity == entity.code, cls.record_id == record.id)
            for cls, column in ((classes.audit, classes.audit.actor),
                                (classes.stage, classes.stage.actor),
                                (classes.approval, classes.approval.requester))]
