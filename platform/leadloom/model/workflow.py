"""The workflow's tables: the audit trail, stage history, approval requests and their votes.

leadloom-managed (``ll_`` prefix) like the organisation table, so ``migrate`` creates them
with the entity tables. Mapped classes on the build's own base, so the write path adds
rows in the unit of work of the record it writes (one transaction, batched inserts).
``leadloom.records`` is the only code that writes them; the audit trail and the stage
history are append-only: no code updates or deletes their rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase

AUDIT_TABLE = "ll_audit"
STAGE_TABLE = "ll_stage_history"
APPROVAL_TABLE = "ll_approval"
VOTE_TABLE = "ll_approval_vote"


@dataclass(frozen=True, slots=True)
class WorkflowClasses:
    """The mapped classes of one build."""

    audit: type[Any]
    stage: type[Any]
    approval: type[Any]
    vote: type[Any]


def _who() -> dict[str, Any]:
    return {
        "actor_id": sa.Column(sa.Integer),
        "actor": sa.Column(sa.String(64), nullable=False),
        "channel": sa.Column(sa.String(32), nullable=False),
    }


def _audit(base: type[DeclarativeBase]) -> type[Any]:
    return type("AuditEntry", (base,), {
        "__tablename__": AUDIT_TABLE,
        "__table_args__": (sa.Index("ix_ll_audit_record", "entity", "record_id"),),
        "id": sa.Column(sa.Integer, primary_key=True),
        "entity": sa.Column(sa.String(64), nullable=False),
        "record_id": sa.Column(sa.Integer, nullable=False),
        "action": sa.Column(sa.String(16), nullable=False),
        **_who(),
        "config_version": sa.Column(sa.Integer),
        "at": sa.Column(sa.DateTime, nullable=False, index=True),
        #: field code → [old value, new value], JSON-ready
        "changes": sa.Column(sa.JSON, nullable=False),
        "comment": sa.Column(sa.Text),
        "approval_id": sa.Column(sa.Integer),
    })


def _stage(base: type[DeclarativeBase]) -> type[Any]:
    return type("StageEntry", (base,), {
        "__tablename__": STAGE_TABLE,
        "__table_args__": (sa.Index("ix_ll_stage_history_record", "entity", "record_id"),),
        "id": sa.Column(sa.Integer, primary_key=True),
        "entity": sa.Column(sa.String(64), nullable=False),
        "record_id": sa.Column(sa.Integer, nullable=False),
        "funnel": sa.Column(sa.String(64), nullable=False),
        "from_stage": sa.Column(sa.String(64)),
        "to_stage": sa.Column(sa.String(64), nullable=False),
        "at": sa.Column(sa.DateTime, nullable=False),
        #: how long the record stayed in ``from_stage``
        "seconds_in_from": sa.Column(sa.BigInteger),
        **_who(),
        "comment": sa.Column(sa.Text),
        "approval_id": sa.Column(sa.Integer),
    })


def _approval(base: type[DeclarativeBase]) -> type[Any]:
    version = sa.Column(sa.Integer, nullable=False, server_default="1")
    return type("ApprovalRequest", (base,), {
        "__tablename__": APPROVAL_TABLE,
        "__table_args__": (sa.Index("ix_ll_approval_record", "entity", "record_id"),),
        "id": sa.Column(sa.Integer, primary_key=True),
        "workflow": sa.Column(sa.String(64), nullable=False),
        "entity": sa.Column(sa.String(64), nullable=False),
        "record_id": sa.Column(sa.Integer, nullable=False),
        #: ``move`` (a stage move) or ``change`` (field values)
        "kind": sa.Column(sa.String(16), nullable=False),
        "from_stage": sa.Column(sa.String(64)),
        "to_stage": sa.Column(sa.String(64)),
        #: field code → proposed value / value when asked, JSON-ready
        "proposal": sa.Column(sa.JSON, nullable=False),
        "before": sa.Column(sa.JSON, nullable=False),
        "requester_id": sa.Column(sa.Integer, index=True),
        "requester": sa.Column(sa.String(64), nullable=False),
        "channel": sa.Column(sa.String(32), nullable=False),
        "comment": sa.Column(sa.Text),
        #: pending, approved, rejected, cancelled
        "status": sa.Column(sa.String(16), nullable=False, index=True),
        #: the step a sequential flow waits on
        "step": sa.Column(sa.Integer, nullable=False, server_default="0"),
        #: how many decisions it has had: every vote updates the row (and its version)
        "decisions": sa.Column(sa.Integer, nullable=False, server_default="0"),
        "created_at": sa.Column(sa.DateTime, nullable=False),
        "decided_at": sa.Column(sa.DateTime),
        "decided_by_id": sa.Column(sa.Integer),
        "decision_comment": sa.Column(sa.Text),
        #: ``entity:record_id`` while pending, else NULL: one open request per record
        "open_key": sa.Column(sa.String(100), unique=True),
        "config_version": sa.Column(sa.Integer),
        "version": version,
        "__mapper_args__": {"version_id_col": version},
    })


def _vote(base: type[DeclarativeBase]) -> type[Any]:
    return type("ApprovalVote", (base,), {
        "__tablename__": VOTE_TABLE,
        "__table_args__": (sa.UniqueConstraint("approval_id", "voter_id",
                                               name="uq_ll_approval_vote_voter"),),
        "id": sa.Column(sa.Integer, primary_key=True),
        "approval_id": sa.Column(sa.Integer, sa.ForeignKey(
            f"{APPROVAL_TABLE}.id", name="fk_ll_approval_vote_approval"), nullable=False,
            index=True),
        "step": sa.Column(sa.Integer, nullable=False),
        "voter_id": sa.Column(sa.Integer, nullable=False),
        "voter": sa.Column(sa.String(64), nullable=False),
        #: approve or reject
        "decision": sa.Column(sa.String(16), nullable=False),
        "comment": sa.Column(sa.Text),
        "at": sa.Column(sa.DateTime, nullable=False),
    })


#: where a build's MetaData keeps its workflow classes (mappers hold classes weakly)
INFO_KEY = "leadloom.workflow"


class AppendOnly(RuntimeError):
    """Something tried to change or remove a row of the audit trail or stage history."""


def _refuse(mapper: Any, connection: Any, target: Any) -> None:
    raise AppendOnly(f"{mapper.local_table.name} is append-only: rows are never changed "
                     "or deleted")


def add_workflow_tables(base: type[DeclarativeBase]) -> WorkflowClasses:
    """Declare the workflow tables and their mapped classes on a build's base; the trail's
    classes refuse updates and deletes."""
    classes = WorkflowClasses(_audit(base), _stage(base), _approval(base), _vote(base))
    for cls in (classes.audit, classes.stage):
        sa.event.listen(cls, "before_update", _refuse)
        sa.event.listen(cls, "before_delete", _refuse)
    base.metadata.info[INFO_KEY] = classes
    return classes


def workflow_classes(metadata: sa.MetaData) -> WorkflowClasses:
    """The mapped workflow classes of the build whose MetaData is ``metadata``."""
    classes: WorkflowClasses = metadata.info[INFO_KEY]
    return classes
