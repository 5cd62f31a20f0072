"""What a plugin contributes, as plain typed data the layers above read.

A hook returns these; the layer that uses a contribution reads it from the registry's
``PluginSet`` (``registry.plugins``): ``metadata`` for field type names and rule functions,
``records`` for record hooks and field validation, ``reporting`` for sections, ``web`` for
display and the picker. Nothing here imports a layer above ``rules``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Choice:
    """One entry of a cascading picker: the stored code and what a person reads."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class FieldTypeSpec:
    """A field type a plugin adds (``type: region`` in an entity file).

    The value is stored as the built-in type ``base`` (one column, no EAV), so lists,
    filters, search, import and the REST API keep working; ``validate`` runs on the write
    path for every channel, ``display`` on every page.

    :param validate: a stored value → ``None`` when fine, else an English message (a msgid
        of the catalog) saying what to change.
    :param display: a stored value and a locale (``zh``/``en``) → the text a page shows.
    :param children: a parent code (``None``: the top level) → the picker's choices under
        it; ``None`` for a plain text input.
    :param path: a stored value → the codes from the top level down to it (the picker's
        chosen entries); empty for an unknown value.
    :param levels: how many selects the cascading picker shows.
    """

    name: str
    base: str
    validate: Callable[[Any], str | None]
    display: Callable[[Any, str], str]
    length: int | None = None
    children: Callable[[str | None], Sequence[Choice]] | None = None
    path: Callable[[str], Sequence[str]] | None = None
    levels: int = 1


@dataclass(frozen=True, slots=True)
class ReportSectionSpec:
    """A report section a plugin adds, usable in ``config/reports/*.yaml``.

    :param build: ``reporting.SectionContext`` → ``reporting.SectionResult``; every query
        must be scoped with ``ctx.scope(...)`` like the built-in sections.
    :param template: the Jinja file (under the plugin's folder) that renders it, its
        ``data`` being what ``build`` returned.
    """

    name: str
    build: Callable[[Any], Any]
    template: str


@dataclass(frozen=True, slots=True)
class PeriodicJob:
    """A job a plugin runs on a schedule (cron text, the app's time zone)."""

    name: str
    cron: str
    run: Callable[[Any], None]


class RecordHookLike(Protocol):
    """What ``records`` calls on a plugin's record hook: subclass
    ``leadloom.records.RecordHook`` and override what you need."""

    def before_save(self, change: Any) -> None: ...

    def after_save(self, change: Any) -> None: ...

    def before_batch(self, changes: Sequence[Any]) -> None: ...

    def after_batch(self, changes: Sequence[Any]) -> None: ...
