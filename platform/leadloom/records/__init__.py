"""The one write path: create, update and delete records from any channel."""

from __future__ import annotations

from leadloom.records import hooks as hooks
from leadloom.records.batch_update import BulkUpdateResult as BulkUpdateResult
from leadloom.records.batch_update import bulk_update as bulk_update
from leadloom.records.bulk import bulk_create as bulk_create
from leadloom.records.errors import Conflict as Conflict
from leadloom.records.errors import Forbidden as Forbidden
from leadloom.records.errors import NotFound as NotFound
from leadloom.records.errors import RecordError as RecordError
from leadloom.records.errors import RecordInvalid as RecordInvalid
from leadloom.records.history_load import LOADED_PATHS as LOADED_PATHS
from leadloom.records.history_load import DecidedApproval as DecidedApproval
from leadloom.records.history_load import Move as Move
from leadloom.records.history_load import Vote as Vote
from leadloom.records.history_load import load_approvals as load_approvals
from leadloom.records.history_load import load_moves as load_moves
from leadloom.records.hooks import Change as Change
from leadloom.records.hooks import RecordHook as RecordHook
from leadloom.records.org import Membership as Membership
from leadloom.records.org import membership as membership
from leadloom.records.org import set_membership as set_membership
from leadloom.records.schemas import input_schema as input_schema
from leadloom.records.seeds import ensure_seed_rows as ensure_seed_rows
from leadloom.records.service import Context as Context
from leadloom.records.service import create as create
from leadloom.records.service import delete as delete
from leadloom.records.service import get as get
from leadloom.records.service import scoped_select as scoped_select
from leadloom.records.service import update as update
from leadloom.records.transitions import Transition as Transition
from leadloom.records.transitions import transition as transition
