"""Errors of the model layer."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from leadloom.model.plan import Plan


class SchemaError(Exception):
    """The database could not be brought up to the config."""


class DestructiveChange(SchemaError):
    """The plan would lose data; nothing was applied."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        steps = "\n".join(f"  - {step.line()}" for step in plan.refused)
        super().__init__(
            "refused: this config change would lose data, so nothing was changed:\n" + steps)
