"""``./dev`` installs the missing Debian packages as root, and otherwise prints the one
``sudo apt-get install`` line and exits 2 (system commands replaced by stubs)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STUBS = {
    "fc-list": "",  # fontconfig is there, no Chinese font
    "ldconfig": "echo 'libharfbuzz-subset.so.0 (libc6,x86-64) => /usr/lib/x'",
    "pdffonts": "", "chromium": "",
    "apt-get": 'echo "apt-get $*" >> "$CALLS"',
    # python3 has venv, but is "too old": ./dev stops right after the system packages
    "python3": 'case "$*" in *version_info*) exit 1;; esac',
}


def _run_dev(tmp_path: Path, uid: int) -> tuple[subprocess.CompletedProcess[str], str]:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, body in {**STUBS, "id": f"echo {uid}"}.items():
        (stubs / name).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / name).chmod(0o755)
    shutil.copy(ROOT / "dev", tmp_path / "dev")
    calls = tmp_path / "calls"
    calls.touch()
    env = {**os.environ, "PATH": f"{stubs}:/usr/bin:/bin", "CALLS": str(calls)}
    result = subprocess.run(["bash", str(tmp_path / "dev"), "test"], env=env,
                            capture_output=True, text=True, timeout=60)
    return result, calls.read_text()


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_not_root_prints_the_one_line_to_run(tmp_path):
    result, calls = _run_dev(tmp_path, uid=1000)
    assert result.returncode == 2
    assert "  sudo apt-get install -y fonts-noto-cjk\n" in result.stderr
    assert calls == ""


@pytest.mark.skipif(not shutil.which("bash"), reason="needs bash")
def test_root_installs_only_what_is_missing(tmp_path):
    result, calls = _run_dev(tmp_path, uid=0)
    assert calls.splitlines() == [
        "apt-get update -qq", "apt-get install -y -qq --no-install-recommends fonts-noto-cjk"]
    assert result.returncode == 2 and "needs Python 3.11" in result.stderr
    assert not (tmp_path / ".venv").exists()
