"""Every engine the project opens comes from ``leadloom.model.create_engine``, so none
misses SQLite's WAL, busy timeout and write lock (see model/engine.py)."""

from __future__ import annotations

import pathlib
import re

PACKAGE = pathlib.Path(__file__).resolve().parents[3] / "platform" / "leadloom"
FACTORY = PACKAGE / "model" / "engine.py"
RAW = re.compile(r"\b(sa|sqlalchemy)\.(create_engine|engine_from_config)\(|"
                 r"from sqlalchemy import .*\bcreate_engine\b")


def test_no_engine_is_made_around_the_factory():
    found = [f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}"
             for path in sorted(PACKAGE.rglob("*.py")) if path != FACTORY
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if RAW.search(line)]
    assert found == [], "use leadloom.model.create_engine:\n" + "\n".join(found)
