"""Cross-checks and build of the lead rules: every expression compiled against the fields of
the unit it applies to, every code, role, unit, status and grade looked up.

``check_leads`` reports problems as ``ConfigError``s at the file and line that brought the
value (leads.yaml, or the unit's overlay); ``build_leads`` turns the checked data into a
``LeadRulesSet``. Both walk the rules with one ``_Builder``, so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

from croniter import croniter
from marshmallow import ValidationError

from leadloom.metadata.errors import ConfigError
from leadloom.metadata.field_types import CHOICE
from leadloom.metadata.lead_rules import (
    DUPLICATE_KEYS,
    JOB_NAMES,
    NOTICE_KINDS,
    RECLAIM_NAMES,
    REQUIRED_FIELDS,
    SYSTEM_NAMES,
    Assignment,
    AssignmentRule,
    ByGrade,
    Case,
    DuplicateRule,
    Duplicates,
    Grading,
    LeadRules,
    LeadRulesSet,
    Pools,
    QuietHours,
    Screening,
    ScreeningRule,
    Sla,
    Target,
    Territory,
)
from leadloom.metadata.leads import SCHEMAS, LeadsSchema, base_data, merged, unit_overlays
from leadloom.metadata.parts import ConfigParts, Part
from leadloom.metadata.registry import Label
from leadloom.metadata.task_rules import TaskRule, build_task_rule
from leadloom.rules import (
    Expression,
    ExpressionError,
    WorkCalendar,
    compile_expression,
    parse_duration,
    with_sides,
)

Path = tuple[str | int, ...]
Problem = tuple[Path, str]
TOKEN = re.compile(r"\{([^{}]*)\}")
LITERAL = re.compile(r"^[A-Za-z0-9_\-/.]*$")
#: what a unit's overlay may not set, and what it is told
WHOLE_CRM = {"schedule": "the schedule is for the whole CRM: set it in leads.yaml",
             "quiet_hours": "quiet hours are for the whole CRM: set them in leads.yaml"}
#: assignment keys that decide a lead's unit: leads.yaml only, never a unit's overlay
WHOLE_CRM_ASSIGNMENT = ("territories", "default_unit", "existing_customer")


def check_leads(parts: ConfigParts) -> list[ConfigError]:
    """Every problem of leads.yaml and of the units' ``leads:`` overlays."""
    overlays = unit_overlays(parts)
    if parts.leads is None:
        return [part.error(("leads",), "no leads.yaml to override: create it first")
                for part, _ in overlays.values() if not parts.files.exists("leads.yaml")]
    missing = list(_missing_fields(parts))
    if missing:
        return [parts.leads.error((), message) for message in missing]
    if _needs_broken(parts):  # their own errors are reported; the rules wait for them
        return [parts.leads.error(path, message) for path, message in _whole_crm(parts)]
    errors = [parts.leads.error(path, message)
              for path, message in _Builder(parts, None).problems(parts.leads.data)]
    raw = base_data(parts) or {}
    errors += [parts.leads.error(path, message) for path, message in _whole_crm(parts)]
    for unit, (part, overlay) in overlays.items():
        errors += [part.error(("leads", key), message) for key, message in WHOLE_CRM.items()
                   if key in overlay]
        for key in WHOLE_CRM_ASSIGNMENT:
            if key in overlay.get("assignment", {}):
                errors.append(part.error(("leads", "assignment", key),
                                         "which unit a lead belongs to is for the whole CRM: "
                                         "set it in leads.yaml"))
        data, shape = _load(merged(raw, overlay))
        found = shape if data is None else shape + _Builder(parts, unit).problems(data)
        errors += [part.error(("leads", *path), message) for path, message in found
                   if _inside(overlay, path)]
    return errors


def build_leads(parts: ConfigParts, timezone: str) -> LeadRulesSet | None:
    """The rules per unit; ``parts`` must have passed ``check_leads``."""
    if parts.leads is None:
        return None
    base = _Builder(parts, None, timezone).build(parts.leads.data)
    units = []
    raw = base_data(parts) or {}
    for unit, (_, overlay) in unit_overlays(parts).items():
        data, _ = _load(merged(raw, overlay))
        assert data is not None, "check_leads reports broken overlays"
        units.append((unit, _Builder(parts, unit, timezone).build(data)))
    inputs = [timezone, derivation_inputs(parts.leads.data),
              *[(u, derivation_inputs(_load(merged(raw, o))[0] or {}))
                for u, (_, o) in unit_overlays(parts).items()]]
    fingerprint = hashlib.sha256(json.dumps(inputs, sort_keys=True, default=str)
                                 .encode()).hexdigest()
    schedule = tuple(parts.leads.data["schedule"].items())
    return LeadRulesSet(base, tuple(units), fingerprint, schedule,
                        _quiet_hours(parts.leads.data["quiet_hours"]))


def _quiet_hours(data: dict[str, Any] | None) -> QuietHours | None:
    if data is None:
        return None
    return QuietHours(_clock_time(data["start"]) or dt.time(), _clock_time(data["end"])
                      or dt.time(), tuple(code.lower() for code in data["exempt"]))


def _clock_time(text: str) -> dt.time | None:
    """``"21:00"`` as a time; ``None`` when it is not HH:MM."""
    try:
        return dt.datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError:
        return None


def _whole_crm(parts: ConfigParts) -> Iterator[Problem]:
    """The parts of leads.yaml only the base file may set: schedule and quiet hours."""
    yield from _schedule(parts)
    assert parts.leads is not None
    quiet = parts.leads.data.get("quiet_hours")
    if quiet is None:
        return
    for key, name in (("from", "start"), ("to", "end")):
        if _clock_time(quiet[name]) is None:
            yield ("quiet_hours", key), f"'{quiet[name]}' is not a time like '21:00'"
    if quiet["start"].strip() == quiet["end"].strip():
        yield ("quiet_hours", "to"), "quiet hours end when they start: give another time"
    for index, code in enumerate(quiet["exempt"]):
        if not any(code.lower() == kind or code.lower().startswith(f"{kind}_")
                   for kind in NOTICE_KINDS):
            yield (("quiet_hours", "exempt", index),
                   f"unknown notice '{code}': use a kind such as sla_breach, or sla_breach_a")


def derivation_inputs(data: dict[str, Any]) -> dict[str, Any]:
    """What the stored values derived from a lead's data depend on (grade, value, due
    dates, cadence tasks, reclaim eligibility): the calendar, lists, grading, the SLA
    presets in force and the reclaim rule. Presets not in force and everything else
    (numbering, assignment, schedules, labels) are left out, so a publish that changes
    only those recomputes nothing."""
    sla = data.get("sla") or {}
    chosen = {part: (sla.get(part) or {}).get("presets", {}).get(
        (sla.get(part) or {}).get("preset")) for part in ("first_touch", "cadence")}
    return {"calendar": data.get("calendar"), "lists": data.get("lists"),
            "grading": data.get("grading"), "open_statuses": data.get("open_statuses"),
            "sla": {**chosen, "warn_before": (sla.get("first_touch") or {}).get("warn_before")},
            "reclaim": (data.get("pools") or {}).get("reclaim")}


def _schedule(parts: ConfigParts) -> Iterator[Problem]:
    assert parts.leads is not None
    for job, cron in parts.leads.data["schedule"].items():
        if job not in JOB_NAMES:
            yield ("schedule", job), f"unknown job '{job}' (known: {', '.join(JOB_NAMES)})"
        elif len(cron.split()) != 5 or not croniter.is_valid(cron):
            yield ("schedule", job), f"'{cron}' is not a cron expression like '0 2 * * *'"


def _load(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Problem]]:
    try:
        return LeadsSchema().load(data), []
    except ValidationError as exc:
        return None, list(_flatten(exc.messages, ()))


def _flatten(messages: Any, path: Path) -> Iterator[Problem]:
    if isinstance(messages, dict):
        for key, sub in messages.items():
            yield from _flatten(sub, path if key == "_schema" else (*path, key))
    elif isinstance(messages, list):
        for item in messages:
            if isinstance(item, (dict, list)):
                yield from _flatten(item, path)
            else:
                yield path, _readable(path, str(item))


def _readable(path: Path, message: str) -> str:
    """marshmallow's words → what to change (as ``loader`` does for the other files)."""
    name = str(path[-1]) if path else ""
    if message == "Unknown field.":
        known = sorted({n for schema in SCHEMAS for n in schema._declared_fields} - {name})
        close = difflib.get_close_matches(name, known, n=1)
        return f"unknown key '{name}' ({f'did you mean {close[0]!r}?' if close else 'remove it'})"
    if message == "Missing data for required field.":
        return f"'{name}' is required"
    return message[0].lower() + message[1:].rstrip(".") if message else message


def _inside(overlay: Any, path: Path) -> bool:
    """Whether ``path`` names something the overlay itself wrote."""
    node = overlay
    for key in path:
        inside_list = isinstance(node, list) and isinstance(key, int) and key < len(node)
        if (isinstance(node, dict) and key in node) or inside_list:
            node = node[key]
        else:
            return False
    return True


def _needs_broken(parts: ConfigParts) -> bool:
    """Whether an entity the rules refer to did not load, or some of its fields did not."""
    return parts.options_broken or any(entity in parts.broken_entities or (
        entity in parts.entities and parts.entities[entity].broken_fields)
        for entity in REQUIRED_FIELDS)


def _missing_fields(parts: ConfigParts) -> Iterator[str]:
    for entity, codes in REQUIRED_FIELDS.items():
        part = parts.entities.get(entity)
        if part is None:
            if entity not in parts.broken_entities:
                yield f"needs entity '{entity}' (entities/{entity}.yaml)"
            continue
        for code in codes:
            if code not in part.data["fields"] and code not in part.broken_fields:
                yield f"needs field '{code}' on entity '{entity}'"


class _Builder:
    """Walks checked (shape-valid) leads data for one unit: collects problems or builds."""

    def __init__(self, parts: ConfigParts, unit: str | None,
                 timezone: str = "Asia/Shanghai") -> None:
        self.parts, self.unit, self.timezone = parts, unit, timezone
        self.found: list[Problem] = []
        self.types, self.options = _entity_fields(parts, "lead", unit)
        self.roles = set(parts.roles.data["roles"]) if parts.roles else set()
        self.units = set(parts.units)
        self.calendar = WorkCalendar(timezone)

    def problems(self, data: dict[str, Any]) -> list[Problem]:
        self.build(data)
        return self.found

    def problem(self, path: Path, message: str) -> None:
        self.found.append((path, message))

    # ---- the whole ------------------------------------------------------------------------
    def build(self, data: dict[str, Any]) -> LeadRules:
        self.calendar = self._calendar(data["calendar"])
        self.names = {**self.types, **SYSTEM_NAMES, **{n: "list" for n in data["lists"]}}
        for i, status in enumerate(data["open_statuses"]):
            self._option(("open_statuses", i), "status", status)
        self._numbering(data["numbering"]["pattern"])
        return LeadRules(
            calendar=self.calendar, numbering=data["numbering"]["pattern"],
            screening=self._screening(data["screening"]),
            duplicates=self._duplicates(data["duplicates"]),
            grading=self._grading(data["grading"]),
            assignment=self._assignment(data["assignment"]), pools=self._pools(data["pools"]),
            sla=self._sla(data["sla"]), open_statuses=tuple(data["open_statuses"]),
            lists=tuple((n, tuple(v)) for n, v in data["lists"].items()),
            task_rules=self._task_rules(data["task_rules"]))

    # ---- helpers ------------------------------------------------------------------------
    def expr(self, path: Path, text: str, extra: dict[str, str] | None = None) -> Expression:
        names = {**self.names, **(extra or {})}
        try:
            return compile_expression(text, names, options=self.options,
                                      calendar=self.calendar,
                                      functions=self.parts.plugins.functions)
        except ExpressionError as exc:
            where = f" at column {exc.column}" if exc.column else ""
            self.problem(path, f"{exc.message}{where}")
            return compile_expression("null", {}, calendar=self.calendar)

    def _entity_expr(self, path: Path, text: str, entity: str) -> Expression:
        """``text`` over ``entity``'s fields (a lead's with ``old.``/``new.`` sides)."""
        if entity == "lead":
            return self.expr(path, text, with_sides(self.types))
        types, options = _entity_fields(self.parts, entity, self.unit)
        lists = {n: "list" for n in self.names if self.names[n] == "list"}
        try:
            return compile_expression(text, {**types, **SYSTEM_NAMES, **lists},
                                      options=options, calendar=self.calendar,
                                      functions=self.parts.plugins.functions)
        except ExpressionError as exc:
            where = f" at column {exc.column}" if exc.column else ""
            self.problem(path, f"{exc.message}{where}")
            return compile_expression("null", {}, calendar=self.calendar)

    def _option(self, path: Path, field: str, code: str | None) -> None:
        known = self.options.get(field, [])
        if code is not None and code not in known:
            self.problem(path, f"'{code}' is not an option of {field} (known: "
                               f"{', '.join(known)})")

    def _role_list(self, path: Path, roles: list[str]) -> tuple[str, ...]:
        for i, role in enumerate(roles):
            if self.roles and role not in self.roles:
                self.problem((*path, i), f"unknown role '{role}' (known: "
                                         f"{', '.join(sorted(self.roles))})")
        return tuple(roles)

    def _unique(self, path: Path, items: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item["code"] in seen:
                self.problem((*path, i, "code"), f"duplicate code '{item['code']}'")
            seen.add(item["code"])

    # ---- sections -----------------------------------------------------------------------
    def _calendar(self, data: dict[str, Any]) -> WorkCalendar:
        both = sorted(set(data["holidays"]) & set(data["workdays"]))
        if both:
            self.problem(("calendar", "workdays"), f"{both[0]} is also listed in holidays")
        hour, minute = (int(p) for p in data["day_end"].split(":"))
        return WorkCalendar(self.timezone, frozenset(data["holidays"]),
                            frozenset(data["workdays"]), dt.time(hour, minute))

    def _numbering(self, pattern: str) -> None:
        path: Path = ("numbering", "pattern")
        tokens = TOKEN.findall(pattern)
        literal = TOKEN.sub("", pattern)
        if not LITERAL.match(literal) or "{" in literal or "}" in literal:
            self.problem(path, "text between {…} may hold letters, digits and - _ / . only")
        if sum(t.startswith("seq") for t in tokens) != 1:
            self.problem(path, "put exactly one {seq:N} in the pattern, e.g. {seq:3}")
        for token in tokens:
            self._token(path, token)

    def _token(self, path: Path, token: str) -> None:
        name, _, spec = token.partition(":")
        if name == "seq":
            if not re.fullmatch(r"[1-9]", spec):
                self.problem(path, f"{{{token}}}: write {{seq:N}} with N digits, 1 to 9")
        elif name == "created_at":
            if not spec or not re.fullmatch(r"(%[YmdyHjU]|[-_/.])+", spec):
                self.problem(path, f"{{{token}}}: write a date like {{created_at:%Y%m%d}}")
        elif name != "unit":
            self._field_token(path, name)

    def _field_token(self, path: Path, name: str) -> None:
        head, _, sub = name.partition(".")
        if head not in self.types:
            self.problem(path, f"{{{name}}}: the lead has no field '{head}'")
        elif sub:
            code = _target(self.parts, head) or ""
            target = self.parts.entities.get(code)
            if code in self.parts.broken_entities or (target and sub in target.broken_fields):
                return
            if target is None or sub not in target.data["fields"]:
                self.problem(path, f"{{{name}}}: '{head}' has no field '{sub}'")

    def _screening(self, data: dict[str, Any]) -> Screening:
        self._option(("screening", "status"), "status", data["status"])
        self._option(("screening", "invalid_status"), "status", data["invalid_status"])
        self._unique(("screening", "rules"), data["rules"])
        rules = []
        for i, rule in enumerate(data["rules"]):
            self._option(("screening", "rules", i, "code"), "screening_flags", rule["code"])
            rules.append(ScreeningRule(rule["code"], self.expr(
                ("screening", "rules", i, "when"), rule["when"]), rule["action"]))
        return Screening(tuple(rules), data["status"], data["invalid_status"])

    def _duplicates(self, data: dict[str, Any]) -> Duplicates:
        self._unique(("duplicates", "rules"), data["rules"])
        rules = []
        for i, rule in enumerate(data["rules"]):
            path = ("duplicates", "rules", i)
            if DUPLICATE_KEYS[rule["key"]] not in self.types:
                self.problem((*path, "key"), f"key '{rule['key']}' reads field "
                                             f"'{DUPLICATE_KEYS[rule['key']]}': declare it")
            if rule["match"] == "fuzzy" and rule["key"] != "company":
                self.problem((*path, "match"), "fuzzy matching is for company names only")
            if rule["match"] == "fuzzy" and rule["action"] != "warn":
                self.problem((*path, "action"), "a fuzzy match can only warn: action: warn")
            rules.append(DuplicateRule(rule["code"], rule["key"], rule["match"],
                                       rule["action"], rule["threshold"]))
        for i, status in enumerate(data["ignore_statuses"]):
            self._option(("duplicates", "ignore_statuses", i), "status", status)
        return Duplicates(tuple(rules), tuple(data["ignore_statuses"]),
                          self._role_list(("duplicates", "merge_roles"), data["merge_roles"]))

    def _grading(self, data: dict[str, Any]) -> Grading:
        lets: list[tuple[str, Expression]] = []
        extra: dict[str, str] = {}
        for name, text in data["let"].items():
            if name in self.names:
                self.problem(("grading", "let", name), f"'{name}' is already a field name")
            expr = self.expr(("grading", "let", name), text, extra)
            lets.append((name, expr))
            extra[name] = expr.kind.value
        return Grading(tuple(lets), self._cases("grade", "grade", data["grade"], extra),
                       self._cases("value", "value_level", data["value"], extra))

    def _cases(self, key: str, field: str, items: list[dict[str, Any]],
               extra: dict[str, str]) -> tuple[Case, ...]:
        cases = []
        for i, case in enumerate(items):
            self._option(("grading", key, i, "value"), field, case["value"])
            cases.append(Case(self.expr(("grading", key, i, "when"), case["when"], extra),
                              case["value"]))
        return tuple(cases)

    def _assignment(self, data: dict[str, Any]) -> Assignment:
        self._unique(("assignment", "rules"), data["rules"])
        rules = []
        for i, rule in enumerate(data["rules"]):
            path = ("assignment", "rules", i)
            rules.append(AssignmentRule(
                rule["code"], Label(rule.get("zh", rule["code"]), rule.get("en", rule["code"])),
                self.expr((*path, "when"), rule["when"]), self._target(path, rule),
                rule["strategy"], rule["cap"]))
        return Assignment(self._role_list(("assignment", "keep_creator_roles"),
                                          data["keep_creator_roles"]), tuple(rules),
                          self._territories(data["territories"]),
                          self._unit(("assignment", "default_unit"), data["default_unit"]),
                          self._existing_customer(data["existing_customer"]))

    def _territories(self, items: list[dict[str, Any]]) -> tuple[Territory, ...]:
        self._unique(("assignment", "territories"), items)
        return tuple(Territory(t["code"], self.expr(("assignment", "territories", i, "when"),
                                                    t["when"]),
                               self._unit(("assignment", "territories", i, "unit"), t["unit"])
                               or "")
                     for i, t in enumerate(items))

    def _unit(self, path: Path, unit: str | None) -> str | None:
        if unit is not None and unit not in {*self.units, *self.parts.broken_units}:
            self.problem(path, f"unknown unit '{unit}' (known: {', '.join(sorted(self.units))})")
        return unit

    def _existing_customer(self, keys: list[str]) -> tuple[str, ...]:
        """The keys, when the lead can be marked and accounts' contacts can be read."""
        path: Path = ("assignment", "existing_customer")
        if keys and self.types.get("upsell") != "boolean":
            self.problem(path, "marking upsell leads needs a boolean field 'upsell' on the lead")
        for entity in ("account", "contact"):
            if keys and entity not in self.parts.entities:
                self.problem(path, f"matching existing customers needs entity '{entity}'")
        return tuple(keys)

    def _target(self, path: Path, rule: dict[str, Any]) -> Target:
        to = rule["to"]
        roles = self._role_list((*path, "to", "roles"), to["roles"])
        if not roles and not to["users"]:
            self.problem((*path, "to"), "name the roles or the users leads go to")
        if rule["strategy"] == "weighted" and not to["users"]:
            self.problem((*path, "strategy"), "weighted needs users with weights: "
                                              "to: {users: {rep1: 2, rep2: 1}}")
        return Target(roles, tuple(to["users"].items()),
                      self._unit((*path, "to", "unit"), to["unit"]))

    def _task_rules(self, items: list[dict[str, Any]]) -> tuple[TaskRule, ...]:
        self._unique(("task_rules",), items)
        task = self.parts.entities["task"].data["fields"]
        if items and "rule_key" not in task:
            self.problem(("task_rules",), "needs field 'rule_key' on entity 'task' (a "
                                          "unique string: one task per event)")
        kinds = _entity_fields(self.parts, "task", self.unit)[1].get("kind", [])
        return tuple(build_task_rule(("task_rules", i), rule, self._entity_expr,
                                     self.problem, kinds, self.types, self.roles)
                     for i, rule in enumerate(items))

    def _pools(self, data: dict[str, Any]) -> Pools:
        reclaim = data["reclaim"]
        exclude = reclaim["exclude"]
        return Pools(
            self._role_list(("pools", "claim_roles"), data["claim_roles"]),
            self._role_list(("pools", "manager_roles"), data["manager_roles"]),
            data["claims_per_day"], data["holding_cap"], data["cooldown_days"],
            reclaim["after_days"], reclaim["warn_days"],
            self.expr(("pools", "reclaim", "exclude"), exclude, RECLAIM_NAMES) if exclude
            else None,
            data["release_reason_required"])

    def _sla(self, data: dict[str, Any]) -> Sla:
        first, cadence = data["first_touch"], data["cadence"]
        warn = self._by_grade(("sla", "first_touch", "warn_before"),
                              {"default": "1d", **first["warn_before"]})
        return Sla(first["preset"], self._preset(("sla", "first_touch"), first), warn,
                   cadence["preset"], self._preset(("sla", "cadence"), cadence),
                   data["stale_after_days"], parse_duration(data["followup_late_after"]),
                   parse_duration(data["followup_max_backdate"]))

    def _preset(self, path: Path, data: dict[str, Any]) -> ByGrade:
        name = data["preset"]
        if name not in data["presets"]:
            self.problem((*path, "preset"), f"unknown preset '{name}' (known: "
                                            f"{', '.join(data['presets'])})")
            return ByGrade((), parse_duration("7d"))
        for preset, durations in data["presets"].items():
            self._by_grade((*path, "presets", preset), durations)
        return self._by_grade((*path, "presets", name), data["presets"][name])

    def _by_grade(self, path: Path, durations: dict[str, str]) -> ByGrade:
        grades = self.options.get("grade", [])
        for code in durations:
            if code != "default" and code not in grades:
                self.problem((*path, code), f"'{code}' is not a grade (known: "
                                            f"{', '.join(grades)}, default)")
        if "default" not in durations and set(grades) - set(durations):
            self.problem(path, "give every grade a duration, or a 'default'")
        parsed = {k: parse_duration(v) for k, v in durations.items()}
        default = parsed.get("default") or next(iter(parsed.values()), parse_duration("7d"))
        return ByGrade(tuple((k, v) for k, v in parsed.items() if k != "default"), default)


def _target(parts: ConfigParts, field: str) -> str | None:
    spec = parts.entities["lead"].data["fields"].get(field, {})
    return spec.get("to")


def _entity_fields(parts: ConfigParts, entity: str, unit: str | None
                   ) -> tuple[dict[str, str], dict[str, list[str]]]:
    """``entity``'s fields as ``unit`` sees them: type per field, option codes per choice
    field (with the unit's added options)."""
    part: Part = parts.entities[entity]
    fields = dict(part.data["fields"])
    overlay = (parts.units[unit].data["entities"].get(entity, {}) if unit in parts.units
               else {})
    fields.update(overlay.get("fields", {}))
    for code in overlay.get("hide", []):
        fields.pop(code, None)
    sets = {code: s["options"] for code, s in parts.options.data["option_sets"].items()} if (
        parts.options) else {}
    types = {code: spec["type"] for code, spec in fields.items() if spec["type"] != "tags"}
    options: dict[str, list[str]] = {}
    for code, spec in fields.items():
        if spec["type"] not in CHOICE:
            continue
        raw = spec.get("options")
        items = sets.get(raw, []) if isinstance(raw, str) else (raw or [])
        added = overlay.get("options", {}).get(code, {}).get("add", [])
        options[code] = [str(o["code"]) for o in (*items, *added)]
    return types, options
