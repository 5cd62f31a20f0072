"""PDF checks that cannot be fooled by a ToUnicode map: embedded fonts (pdffonts), page
count (pdfinfo), ink on a rasterised page (pdftoppm). Text (pdftotext) is used only for
what the text says (headers, footers, lead numbers), never to prove glyphs were drawn."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

TOOLS = ("pdffonts", "pdfinfo", "pdftoppm", "pdftotext")


def require_poppler() -> None:
    """Skip without poppler-utils, except in CI, where its absence is a failure."""
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing and not os.environ.get("CI"):
        pytest.skip(f"poppler-utils not installed ({', '.join(missing)}): "
                    "apt-get install poppler-utils")
    assert not missing, f"poppler-utils missing in CI: {missing}"


def _run(*args: str | Path) -> str:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def embedded_fonts(pdf: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) per font in the PDF."""
    found = []
    for line in _run("pdffonts", pdf).splitlines()[2:]:
        flags = re.search(r"\b(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        found.append((line.split()[0], bool(flags) and flags.group(1) == "yes"))
    return found


def page_count(pdf: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)", _run("pdfinfo", pdf), re.MULTILINE)
    assert match, f"pdfinfo found no page count in {pdf}"
    return int(match.group(1))


def page_text(pdf: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return _run("pdftotext", *pages, pdf, "-")


def ink(pdf: Path, page: int = 1, dpi: int = 40) -> float:
    """The share of pixels that are not white on ``page`` rasterised at ``dpi``."""
    png = subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(page), "-l", str(page),
                          "-singlefile", str(pdf)], capture_output=True, check=True,
                         timeout=60).stdout
    image = Image.open(io.BytesIO(png)).convert("L")
    histogram = image.histogram()
    return 1 - sum(histogram[245:]) / sum(histogram)
