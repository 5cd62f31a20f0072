"""The recompute after a publish is done once, whoever runs it: two processes at once share
the batches (none done twice), and a process that dies mid-way leaves the rest to the next
one, which finishes from where the last committed batch ended. ``leadloom publish`` and
``rollback`` recompute themselves and print the progress and the summary."""

from __future__ import annotations

import re
import threading
from collections import Counter

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy.orm import Session

from leadloom import lifecycle
from leadloom.access import Actor
from leadloom.cli.main import cli
from leadloom.metadata.files import read_folder
from leadloom.model import build_models
from leadloom.records import Context, create
from leadloom.records.leads import recompute as recomputing
from leadloom.records.leads.recompute import DONE, RUNNING, begin, recompute, run_of
from tests.helpers import replace_once

B = {"need_clarity": "partial", "budget_status": "to_confirm"}
LEADS = 9
#: the first-touch SLA preset line of leads.yaml (the cadence's is another)
FIRST_TOUCH = re.compile(r"^    preset: (by_grade|uniform_3wd|uniform_24h)$", re.MULTILINE)


def edit_config(folder):
    """Nothing yet: each test publishes its own SLA change."""


class Crash(Exception):
    """The process dies after a batch."""


def switched_preset(world):
    """The first-touch preset line in force and one that differs: the tests of this module
    share one config folder and run in any order."""
    current = FIRST_TOUCH.search((world.config / "leads.yaml").read_text()).group(1)
    new = "uniform_24h" if current == "uniform_3wd" else "uniform_3wd"
    return f"    preset: {current}\n", f"    preset: {new}\n"


def published(world):
    """Publish a changed first-touch preset; the engine and models of the new version."""
    world.session.commit()
    old, new = switched_preset(world)
    replace_once(world.config / "leads.yaml", old, new)
    engine = sa.create_engine(world.session.get_bind().url)
    lifecycle.publish(engine, read_folder(world.config), author="admin", message=new.strip())
    registry = lifecycle.active_registry(engine, world.config, upgrade=False)
    return engine, build_models(registry)


def deadline_events(world, version):
    event = world.models.metadata.tables["ll_lead_event"]
    return Counter(world.session.scalars(sa.select(event.c.lead_id).where(
        event.c.kind == "deadline", event.c.reason == f"config v{version}")))


@pytest.fixture(scope="module")
def leads(world):
    world.freeze("2024-09-27 16:00")
    made = [create(world.ctx("rep1"), "lead", world.lead(**B)).id for _ in range(LEADS)]
    world.session.commit()
    world.freeze("2024-09-29 12:00")
    return made


def test_a_process_that_dies_mid_way_leaves_the_rest_to_the_next(world, leads, monkeypatch):
    monkeypatch.setattr(recomputing, "BATCH", 4)
    engine, models = published(world)

    def crash(run):
        raise Crash

    with Session(engine) as session:
        ctx = Context(Actor.system_actor(), session, models, channel="job")
        with pytest.raises(Crash):
            recompute(ctx, progress=crash)
        half = run_of(session, models, models.registry.version)
    assert (half.state, half.checked) == (RUNNING, 4)
    with Session(engine) as session:  # the next process
        done = recompute(Context(Actor.system_actor(), session, models, channel="job"))
    engine.dispose()
    world.session.expire_all()
    assert (done.state, done.checked, done.due_changed) == (DONE, LEADS, LEADS)
    assert deadline_events(world, models.registry.version) == Counter(
        {pk: 1 for pk in leads})


def test_two_processes_at_once_share_the_batches(world, leads, monkeypatch):
    monkeypatch.setattr(recomputing, "BATCH", 2)
    engine, models = published(world)
    with Session(engine) as session:
        begin(Context(Actor.system_actor(), session, models, channel="job"))
    start = threading.Barrier(2)
    runs, errors = [], []

    def process():
        try:
            with Session(engine) as session:
                start.wait()
                runs.append(recompute(Context(Actor.system_actor(), session, models,
                                              channel="job")))
        except Exception as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=process) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    world.session.expire_all()
    assert not errors
    with Session(engine) as session:
        run = run_of(session, models, models.registry.version)
    assert (run.state, run.checked) == (DONE, LEADS)
    assert all(r is None or r.state == DONE for r in runs)
    engine.dispose()
    assert deadline_events(world, models.registry.version) == Counter(
        {pk: 1 for pk in leads})
    rep1 = world.inbox("rep1")
    assert sum(m.startswith(f"配置 v{models.registry.version} 生效") for m in rep1) == 1


def test_the_command_line_publishes_recomputes_and_says_so(world, leads, monkeypatch):
    monkeypatch.setattr(recomputing, "BATCH", 4)
    world.session.commit()
    url = world.session.get_bind().url.render_as_string(hide_password=False)

    def run(*args):
        result = CliRunner().invoke(cli, ["--config", str(world.config), "--database-url",
                                          url, *args])
        assert result.exit_code == 0, result.output
        return result.output

    replace_once(world.config / "leads.yaml", "  holidays: []", '  holidays: ["2024-10-08"]')
    replace_once(world.config / "leads.yaml", *switched_preset(world))
    published = run("publish", "-m", "a company day off")
    assert "recomputing open leads: 4/9 (44%)" in published
    assert f"recomputed {LEADS} open leads; deadlines changed {LEADS}; grades changed 0 (done)" \
        in published
    replace_once(world.config / "entities" / "lead.yaml", "zh: 备注,", "zh: 备注说明,")
    assert "nothing recomputed" in run("publish", "-m", "a label")
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        before = lifecycle.latest_number(conn) - 2
    engine.dispose()
    rolled = run("rollback", str(before))
    assert f"deadlines changed {LEADS}; grades changed 0 (done)" in rolled
