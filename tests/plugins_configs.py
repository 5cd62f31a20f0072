"""Config folders for the plugin tests: the default CRM copied to a temporary folder, with
plugins enabled in its app.yaml and, optionally, a region field on accounts, a screening
rule calling ``phone_carrier`` and a report listing ``top_sources_won``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "plugins"
EXAMPLES = ["region_cn", "rule_fn_example", "report_section_example"]
REGION_FIELD = {"type": "region", "zh": "所在地区", "en": "Region", "list": True,
                "section": "basic"}
CARRIER_RULE = {"code": "broadnet_number", "when": "phone_carrier(contact_phone) == 'broadnet'",
                "action": "flag"}
TOP_SOURCES_REPORT = """zh: 来源成交排行
en: Top sources
template: plugin_sources.html
sections: [top_sources_won]
parameters: {period: month}
"""
TEMPLATE = '{% extends "base.html" %}\n'


def plugin_config(tmp: Path, enabled: list[str], settings: dict[str, Any] | None = None,
                  *, examples: bool = True) -> Path:
    """A copy of the default config with ``enabled`` plugins; with ``examples``, the field,
    rule and report that use the shipped example plugins."""
    config = tmp / "config"
    shutil.copytree(ROOT / "config", config)
    shutil.copytree(ROOT / "reports", tmp / "reports")
    app = (config / "app.yaml").read_text(encoding="utf-8")
    block = yaml.safe_dump({"plugins": {"enabled": enabled, "settings": settings or {}}},
                           allow_unicode=True, sort_keys=False)
    (config / "app.yaml").write_text(app + block, encoding="utf-8")
    if examples:
        _edit(config / "entities" / "account.yaml",
              lambda d: d["fields"].update(region=REGION_FIELD))
        _edit(config / "options.yaml", lambda d: d["option_sets"]["screening_flag"][
            "options"].append({"code": "broadnet_number", "zh": "广电号段", "en": "Broadnet"}))
        _edit(config / "leads.yaml", lambda d: d["screening"]["rules"].append(CARRIER_RULE))
        (config / "reports" / "plugin_sources.yaml").write_text(TOP_SOURCES_REPORT,
                                                                encoding="utf-8")
        (tmp / "reports" / "templates" / "plugin_sources.html").write_text(TEMPLATE,
                                                                          encoding="utf-8")
    return config


def _edit(file: Path, change: Any) -> None:
    data = yaml.safe_load(file.read_text(encoding="utf-8"))
    change(data)
    file.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


def write_plugin(root: Path, name: str, manifest: str, code: str = "") -> Path:
    """A plugin folder ``root/name`` with ``plugin.yaml`` and ``plugin.py``."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "plugin.yaml").write_text(manifest, encoding="utf-8")
    (folder / "plugin.py").write_text(code, encoding="utf-8")
    return folder
