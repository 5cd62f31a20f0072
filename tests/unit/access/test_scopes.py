"""Row scopes as SQL: own, team, unit and all, alone and combined over several roles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import User
from sqlalchemy.orm import Session

from leadloom.access import Actor, rights, scope_clause
from leadloom.metadata import load_registry
from leadloom.model import build_models, migrate

CONFIG = Path(__file__).resolve().parents[3] / "config"


@pytest.fixture(scope="module")
def world():
    registry = load_registry(CONFIG)
    rep = registry.role("rep")
    grant = dataclasses.replace(rep.grant("lead"), scope="unit")
    unit_role = dataclasses.replace(rep, code="unit_rep", grants=(grant,))
    registry = dataclasses.replace(registry, roles=(*registry.roles, unit_role))
    models = build_models(registry)
    engine = sa.create_engine("sqlite://")
    migrate(engine, models)
    session = Session(engine)
    org = models.org
    session.execute(sa.insert(org), [
        {"user_id": 1, "team": "east-1", "unit": "east"},
        {"user_id": 2, "team": "east-1", "unit": "east"},
        {"user_id": 3, "team": "west-1", "unit": "west"},
    ])
    lead = models.cls("lead")
    session.execute(sa.insert(lead.__table__), [
        {"customer_name": f"c{owner}", "owner_id": owner, "unit": unit, "version": 1}
        for owner, unit in ((1, "east"), (2, "east"), (3, "west"), (4, "west"))])
    session.commit()
    return models, session


def owners(world, actor):
    models, session = world
    lead = models.cls("lead")
    query = sa.select(lead.owner_id).where(scope_clause(models, actor, "lead"))
    return sorted(session.scalars(query))


def test_own_scope(world):
    assert owners(world, Actor(1, "rep1", ("rep",), "east-1", "east")) == [1]


def test_team_scope(world):
    assert owners(world, Actor(9, "sup1", ("supervisor",), "east-1", "east")) == [1, 2]


def test_unit_scope(world):
    assert owners(world, Actor(3, "u", ("unit_rep",), "west-1", "west")) == [3, 4]


def test_all_scope_and_system(world):
    assert owners(world, Actor(5, "fin1", ("finance",))) == [1, 2, 3, 4]
    assert owners(world, Actor.system_actor()) == [1, 2, 3, 4]


def test_roles_combine_by_widening(world):
    actor = Actor(3, "x", ("rep", "supervisor"), "east-1", "west")
    assert owners(world, actor) == [1, 2, 3]


def test_no_grant_sees_nothing_and_missing_team_sees_nothing(world):
    assert owners(world, Actor(1, "nobody", ())) == []
    assert owners(world, Actor(9, "sup", ("supervisor",), None, None)) == []


def test_hidden_fields_narrow_only_when_every_role_hides(world):
    models, _ = world
    registry = models.registry
    assert "contact_phone" in rights(registry, Actor(1, "f", ("finance",)), "lead").hidden
    both = rights(registry, Actor(1, "f", ("finance", "rep")), "lead")
    assert "contact_phone" not in both.hidden


def test_user_table_is_not_touched_by_planning(world):
    models, session = world
    assert "ab_user" not in models.managed_tables()
    assert sa.inspect(session.get_bind()).has_table(User.__tablename__)
