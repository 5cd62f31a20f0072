"""What a record-page panel is: a title and the HTML its provider rendered."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    html: Markup
