"""Funnels and workflows: stages, moves, guards, approvals, boards and timelines.

Reads only: deciding what a move needs, which flow a change triggers, who approves, what
a board or a timeline shows. Writing (moves, requests, votes, the audit trail) is
``leadloom.records``'.
"""

from __future__ import annotations

from leadloom.workflow.conditions import Conditions as Conditions
from leadloom.workflow.conditions import conditions_for as conditions_for
from leadloom.workflow.errors import WorkflowError as WorkflowError
from leadloom.workflow.stages import current_stage as current_stage
from leadloom.workflow.stages import funnel_of as funnel_of
from leadloom.workflow.stages import move_kind as move_kind
from leadloom.workflow.stages import stage_label as stage_label
