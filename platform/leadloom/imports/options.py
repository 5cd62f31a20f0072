"""How an import treats duplicates, whether it writes, and what a bare amount means."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from leadloom.imports.errors import ImportRequestError
from leadloom.metadata.field_types import MoneyUnit
from leadloom.metadata.messages import Message

ON_DUPLICATE = ("skip", "flag", "update")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """``on_duplicate``: skip the row, flag it and create it anyway, or update the lead it
    matches (when the importer may); ``dry_run``: check everything, write nothing;
    ``money_unit``: a bare number in a money column is 元 or 万 (None: each field's own)."""

    on_duplicate: str = "skip"
    dry_run: bool = False
    money_unit: MoneyUnit | None = None

    def __post_init__(self) -> None:
        if self.on_duplicate not in ON_DUPLICATE:
            raise ImportRequestError(Message(
                "on_duplicate must be one of: %(choices)s", choices=", ".join(ON_DUPLICATE)),
                "on_duplicate")

    def as_json(self) -> dict[str, Any]:
        return {"on_duplicate": self.on_duplicate, "dry_run": self.dry_run,
                "money_unit": self.money_unit.value if self.money_unit else None}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> ImportOptions:
        """Options from request or stored JSON.

        :raises ImportRequestError: an unknown choice.
        """
        unit = body.get("money_unit") or None
        if unit is not None and unit not in {u.value for u in MoneyUnit}:
            raise ImportRequestError(Message("money_unit must be yuan or wan"), "money_unit")
        return cls(on_duplicate=str(body.get("on_duplicate") or "skip"),
                   dry_run=_flag(body.get("dry_run")),
                   money_unit=MoneyUnit(unit) if unit else None)


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)
