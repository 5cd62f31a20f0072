"""Users' places in the organisation: their team and business unit."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from leadloom.metadata.messages import Message
from leadloom.model.tables import Models
from leadloom.records.errors import RecordInvalid


@dataclass(frozen=True, slots=True)
class Membership:
    team: str | None
    unit: str | None


def membership(session: Session, models: Models, user_id: int) -> Membership:
    org = models.org
    row = session.execute(sa.select(org.c.team, org.c.unit)
                          .where(org.c.user_id == user_id)).first()
    return Membership(row.team, row.unit) if row else Membership(None, None)


def set_membership(session: Session, models: Models, user_id: int, team: str | None,
                   unit: str | None = None) -> Membership:
    """Place a user in ``team`` (its unit follows) or directly in ``unit`` (no team).

    :raises RecordInvalid: unknown team or unit, or a team outside the given unit.
    """
    registry = models.registry
    team_unit = registry.team_unit(team) if team else None
    if team and team_unit is None:
        raise RecordInvalid({"team": [Message("unknown team '%(team)s'", team=team)]})
    if unit and unit not in {u.code for u in registry.units}:
        raise RecordInvalid({"unit": [Message("unknown unit '%(unit)s'", unit=unit)]})
    if team_unit and unit and unit != team_unit:
        raise RecordInvalid({"unit": [Message("team '%(team)s' belongs to unit '%(unit)s'",
                                              team=team, unit=team_unit)]})
    unit = team_unit or unit
    org = models.org
    session.execute(sa.delete(org).where(org.c.user_id == user_id))
    session.execute(sa.insert(org).values(user_id=user_id, team=team, unit=unit))
    session.commit()
    return Membership(team, unit)
