"""Fonts for PDFs: a CJK font must be installed, and HarfBuzz subsetting should be.

Without a CJK font WeasyPrint draws Chinese as empty boxes and says nothing, so workers
check at start (``require_cjk_font``) and refuse to run. Without ``libharfbuzz-subset0``
WeasyPrint falls back to fontTools, which is about ten times slower with Noto CJK.
"""

from __future__ import annotations

import ctypes.util
import logging
import shutil
import subprocess

from leadloom.reporting.errors import MissingFont

log = logging.getLogger(__name__)
INSTALL = "apt-get install fonts-noto-cjk libharfbuzz-subset0"


def cjk_families() -> list[str]:
    """Font families fontconfig knows for Chinese (``fc-list :lang=zh family``)."""
    if shutil.which("fc-list") is None:
        raise MissingFont(f"fontconfig's fc-list is missing: {INSTALL} fontconfig")
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True,
                            check=False, timeout=30).stdout
    return sorted({name.strip() for line in listed.splitlines() for name in line.split(",")
                   if name.strip()})


def require_cjk_font() -> str:
    """The CJK family reports will use.

    :raises MissingFont: none is installed (Chinese would print as empty boxes).
    """
    families = cjk_families()
    if not families:
        raise MissingFont(f"no CJK font installed; Chinese would print as empty boxes: {INSTALL}")
    preferred = [f for f in families if f.startswith("Noto Sans CJK SC")]
    return (preferred or families)[0]


def harfbuzz_subset() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (fast) instead of fontTools."""
    found = ctypes.util.find_library("harfbuzz-subset") is not None
    if not found:
        log.warning("libharfbuzz-subset0 is missing: PDFs with CJK text write ~10x slower "
                    "(%s)", INSTALL)
    return found
