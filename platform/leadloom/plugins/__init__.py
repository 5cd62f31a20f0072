"""Plugins: hook specifications (pluggy) and the loader for ``plugins/`` and entry points.

A low layer (above ``rules``, below ``metadata``): the config loader asks it for the
enabled plugins, and the layers above read what they contribute from ``registry.plugins``.
"""

from __future__ import annotations

import pluggy

from leadloom.plugins.contributions import Choice as Choice
from leadloom.plugins.contributions import FieldTypeSpec as FieldTypeSpec
from leadloom.plugins.contributions import PeriodicJob as PeriodicJob
from leadloom.plugins.contributions import RecordHookLike as RecordHookLike
from leadloom.plugins.contributions import ReportSectionSpec as ReportSectionSpec
from leadloom.plugins.discovery import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP
from leadloom.plugins.discovery import Found as Found
from leadloom.plugins.discovery import find_plugins as find_plugins
from leadloom.plugins.discovery import search_dirs as search_dirs
from leadloom.plugins.errors import PluginProblem as PluginProblem
from leadloom.plugins.errors import PluginsRefused as PluginsRefused
from leadloom.plugins.hookspecs import PROJECT
from leadloom.plugins.loader import load_plugins as load_plugins
from leadloom.plugins.loader import try_load as try_load
from leadloom.plugins.manifest import Manifest as Manifest
from leadloom.plugins.pluginset import NO_PLUGINS as NO_PLUGINS
from leadloom.plugins.pluginset import PluginSet as PluginSet

#: marks a plugin's hook functions: ``@hookimpl def leadloom_field_types(): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)
