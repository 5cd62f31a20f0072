"""Load the enabled plugins, or refuse with every reason: a plugin never half-loads.

Order of checks for each enabled plugin: found and a valid manifest, its required plugins
enabled and Python packages installed, its settings valid for its ``config`` schema, its
module imports, its hooks match the specs, its start-up hook passes, and the names it
provides are the ones its manifest declares and nobody else's.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import traceback
from collections.abc import Mapping, Sequence
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pluggy

from leadloom.plugins import hookspecs
from leadloom.plugins.contributions import FieldTypeSpec, ReportSectionSpec
from leadloom.plugins.discovery import Found
from leadloom.plugins.errors import PluginProblem, PluginsRefused
from leadloom.plugins.manifest import Manifest
from leadloom.plugins.pluginset import NO_PLUGINS, PluginSet, call_impl
from leadloom.rules.functions import FUNCTIONS

APP_FILE = Path("app.yaml")
#: hook → the ``provides`` kind whose names its results must match
_NAMED = {"leadloom_field_types": "field_types", "leadloom_rule_functions": "rule_functions",
          "leadloom_report_sections": "report_sections"}


def load_plugins(enabled: Sequence[str], settings: Mapping[str, Any], found: Sequence[Found],
                 builtin: Mapping[str, frozenset[str]]) -> PluginSet:
    """The ``PluginSet`` of ``enabled`` plugins.

    :param settings: ``app.yaml``'s ``plugins.settings``: plugin name → its settings.
    :param builtin: per kind (``field_types``...), names the platform already has.
    :raises PluginsRefused: with every problem of every enabled plugin.
    """
    plugins, problems = try_load(enabled, settings, found, builtin)
    if problems:
        raise PluginsRefused(problems)
    return plugins


def try_load(enabled: Sequence[str], settings: Mapping[str, Any], found: Sequence[Found],
             builtin: Mapping[str, frozenset[str]]) -> tuple[PluginSet, list[PluginProblem]]:
    """As ``load_plugins``, returning the problems instead of raising: ``leadloom plugins``
    lists them next to the plugins that are fine, and the config check uses what those
    provide so a refused plugin does not hide other problems. With problems, the set is
    only for checking: the config loader refuses to build a registry."""
    if not enabled:
        return NO_PLUGINS, []
    chosen, problems = _chosen(enabled, found)
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manifests: list[Manifest] = []
    for item in chosen:
        assert item.manifest is not None
        mine = _load_one(manager, item, item.manifest, enabled,
                         settings.get(item.manifest.name) or {})
        if mine and manager.has_plugin(item.manifest.name):
            manager.unregister(name=item.manifest.name)
        manifests += [] if mine else [item.manifest]
        problems += mine
    plugins, refused = _collect(manager, tuple(manifests), {
        m.name: dict(settings.get(m.name) or {}) for m in manifests}, builtin)
    return plugins, problems + refused


def _chosen(enabled: Sequence[str], found: Sequence[Found]) -> tuple[list[Found],
                                                                      list[PluginProblem]]:
    by_name: dict[str, list[Found]] = {}
    for item in found:
        by_name.setdefault(item.name, []).append(item)
    chosen, problems = [], []
    for name in enabled:
        items = by_name.get(name, [])
        if not items:
            known = ", ".join(sorted(by_name)) or "none"
            problems.append(PluginProblem(name, APP_FILE, None, "plugins.enabled",
                                          f"not found (plugins found: {known})"))
        elif len(items) > 1:
            where = " and ".join(str(i.folder) for i in items)
            problems.append(PluginProblem(name, items[1].folder / "plugin.yaml", 1, "name",
                                          f"two plugins have this name: {where}"))
        elif items[0].problems:
            problems += items[0].problems
        else:
            chosen.append(items[0])
    return chosen, problems


def _load_one(manager: pluggy.PluginManager, item: Found, manifest: Manifest,
              enabled: Sequence[str], settings: Any) -> list[PluginProblem]:
    problems = _requirements(manifest, enabled) + _settings(manifest, settings)
    if problems:
        return problems
    try:
        module = _import(item, manifest)
    except Exception as exc:
        return [_raised(manifest, exc, "module", "does not import")]
    try:
        manager.register(module, name=manifest.name)
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        return [PluginProblem(manifest.name, Path(module.__file__ or manifest.file),
                              _line_of(exc.plugin, str(exc)), "hooks", str(exc))]
    for impl in manager.hook.leadloom_startup.get_hookimpls():
        if impl.plugin_name == manifest.name:
            try:
                call_impl(impl, settings)
            except Exception as exc:
                return [_raised(manifest, exc, "leadloom_startup", "refused to start")]
    return []


def _requirements(manifest: Manifest, enabled: Sequence[str]) -> list[PluginProblem]:
    problems = [manifest.problem("requires.plugins", f"needs plugin '{name}': enable it too")
                for name in manifest.requires_plugins if name not in enabled]
    for package in manifest.requires_python:
        try:
            distribution(package)
        except PackageNotFoundError:
            problems.append(manifest.problem(
                "requires.python", f"needs the Python package '{package}': "
                                   f"pip install {package}"))
    return problems


def _settings(manifest: Manifest, settings: Any) -> list[PluginProblem]:
    validator = jsonschema.Draft202012Validator(manifest.config)
    return [PluginProblem(manifest.name, APP_FILE, None, ".".join(
        ["plugins", "settings", manifest.name, *map(str, e.absolute_path)]), e.message)
        for e in sorted(validator.iter_errors(settings), key=lambda e: list(e.absolute_path))]


def _import(item: Found, manifest: Manifest) -> ModuleType:
    """The plugin's module, imported once per process (a folder plugin under the name
    ``leadloom_plugin_<name>``)."""
    if item.module is not None:
        return importlib.import_module(item.module)
    path = (manifest.folder / f"{manifest.module}.py").resolve()
    name = f"leadloom_plugin_{manifest.name}"
    known = sys.modules.get(name)
    if known is not None and Path(known.__file__ or "") == path:
        return known
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.is_file():
        raise FileNotFoundError(f"no module file {path.name} in {manifest.folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _raised(manifest: Manifest, exc: BaseException, path: str, what: str) -> PluginProblem:
    """Where in the plugin's own files ``exc`` came from (its deepest frame there)."""
    file, line = manifest.file, manifest.line("module")
    if isinstance(exc, SyntaxError) and exc.filename:
        file, line = Path(exc.filename), exc.lineno
    for frame in traceback.extract_tb(exc.__traceback__):
        if Path(frame.filename).resolve().is_relative_to(manifest.folder.resolve()):
            file, line = Path(frame.filename), frame.lineno
    return PluginProblem(manifest.name, file, line, path,
                         f"{what}: {type(exc).__name__}: {exc}")


def _line_of(plugin: Any, message: str) -> int | None:
    for name in dir(plugin):
        if name.startswith("leadloom_") and name in message:
            code = getattr(getattr(plugin, name), "__code__", None)
            return code.co_firstlineno if code else None
    return None


def _collect(manager: pluggy.PluginManager, manifests: tuple[Manifest, ...],
             settings: dict[str, dict[str, Any]],
             builtin: Mapping[str, frozenset[str]]) -> tuple[PluginSet, list[PluginProblem]]:
    """Call each naming hook per plugin, check the names, and build the set."""
    named: dict[str, dict[str, tuple[Manifest, Any]]] = {kind: {} for kind in _NAMED.values()}
    problems: list[PluginProblem] = []
    by_name = {m.name: m for m in manifests}
    builtin = {**builtin, "rule_functions": frozenset(FUNCTIONS)}
    returned: set[tuple[str, str, str]] = set()  # (plugin, kind, name)
    for hook, kind in _NAMED.items():
        for impl in getattr(manager.hook, hook).get_hookimpls():
            manifest = by_name[impl.plugin_name]
            try:
                items = list(call_impl(impl, settings[impl.plugin_name]) or ())
            except Exception as exc:
                problems.append(_raised(manifest, exc, hook, "failed"))
                continue
            returned |= {(manifest.name, kind, getattr(i, "name", "")) for i in items}
            problems += _names(manifest, kind, items, named[kind], builtin.get(kind, frozenset()))
    for manifest in manifests:
        for kind in _NAMED.values():
            missing = {n for n in manifest.provided(kind)
                       if (manifest.name, kind, n) not in returned}
            problems += [manifest.problem(f"provides.{kind}", f"declares '{n}' but no "
                                          f"hook returns it") for n in sorted(missing)]
    if problems:
        return NO_PLUGINS, problems
    sections = {n: spec for n, (_, spec) in named["report_sections"].items()}
    return PluginSet(
        manifests=manifests,
        field_types={n: spec for n, (_, spec) in named["field_types"].items()},
        functions={n: spec for n, (_, spec) in named["rule_functions"].items()},
        sections=sections,
        section_folders={n: m.folder for n, (m, _) in named["report_sections"].items()},
        settings=settings, manager=manager), []


def _names(manifest: Manifest, kind: str, items: list[Any],
           seen: dict[str, tuple[Manifest, Any]], builtin: frozenset[str]) -> list[PluginProblem]:
    problems = []
    wanted = {"field_types": FieldTypeSpec, "report_sections": ReportSectionSpec}.get(kind)
    for item in items:
        name = getattr(item, "name", None)
        path = f"provides.{kind}"
        if not isinstance(name, str) or (wanted and not isinstance(item, wanted)):
            problems.append(manifest.problem(path, f"a {kind} hook returned {item!r}"))
        elif isinstance(item, ReportSectionSpec) and not (manifest.folder / item.template
                                                          ).is_file():
            problems.append(manifest.problem(path, f"no template '{item.template}' in "
                                                   f"{manifest.folder}"))
        elif name not in manifest.provided(kind):
            problems.append(manifest.problem(path, f"'{name}' is returned but not declared "
                                                   f"here"))
        elif name in builtin:
            problems.append(manifest.problem(path, f"'{name}' is a built-in name: rename it"))
        elif name in seen:
            other = seen[name][0]
            problems.append(manifest.problem(path, f"'{name}' is also provided by plugin "
                                                   f"'{other.name}' ({other.file}:"
                                                   f"{other.line(path)})"))
        else:
            seen[name] = (manifest, item)
    return problems
