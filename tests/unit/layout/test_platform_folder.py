"""``platform/`` is the source root, never a package: a package there shadows the stdlib."""

from __future__ import annotations

import pathlib
import platform
import subprocess
import sys
import sysconfig

ROOT = pathlib.Path(__file__).resolve().parents[3]


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()
    assert [p.name for p in (ROOT / "platform").iterdir() if p.suffix == ".py"] == []


def test_stdlib_platform_not_shadowed_in_this_process():
    assert pathlib.Path(platform.__file__).parent == pathlib.Path(sysconfig.get_paths()["stdlib"])


def test_stdlib_platform_not_shadowed_from_repo_root():
    """``python -c`` from the repo root puts the root first on sys.path, as ``-m pytest`` does."""
    code = "import platform, uuid; print(platform.system())"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == platform.system()
