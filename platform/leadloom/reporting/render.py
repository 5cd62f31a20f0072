"""HTML from the report's Jinja template, then a PDF from WeasyPrint.

Templates live in the top-level ``reports/templates/``; each report's template extends
``base.html`` (page size, header with report name, period and scope, footer with
page x / y) and includes one partial per section (``sections/<name>.html``).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from leadloom.reporting import formats
from leadloom.reporting.errors import TemplateMissing

# WeasyPrint reports missing glyphs and subsetting fallbacks on its own logger, which has
# only a NullHandler: let them reach the process's log.
logging.getLogger("weasyprint").propagate = True


@dataclass(frozen=True, slots=True)
class Rendered:
    pdf: bytes
    pages: int


@lru_cache(maxsize=8)
def environment(templates: Path,
                partials: tuple[tuple[str, Path], ...] = ()) -> jinja2.Environment:
    """The Jinja environment for a templates folder (cached: templates compile once);
    ``partials``: plugin section templates (name → file), found before the folder's."""
    files = dict(partials)
    loader = jinja2.ChoiceLoader([
        jinja2.FunctionLoader(lambda name: files[name].read_text(encoding="utf-8")
                              if name in files else None),
        jinja2.FileSystemLoader(str(templates))])
    env = jinja2.Environment(loader=loader,
                             autoescape=jinja2.select_autoescape(["html"]),
                             trim_blocks=True, lstrip_blocks=True)
    formats.install(env)
    return env


def render_html(templates: Path, template: str, context: dict[str, Any],
                partials: tuple[tuple[str, Path], ...] = ()) -> str:
    """Render ``template`` with ``context``; ``partials`` as for ``environment``.

    :raises TemplateMissing: the file is not in ``templates``.
    """
    try:
        return environment(templates.resolve(), partials).get_template(template).render(
            **context)
    except jinja2.TemplateNotFound as missing:
        raise TemplateMissing(f"report template '{missing.name}' is not in {templates}") \
            from None


def html_to_pdf(html: str, base: Path) -> Rendered:
    """Lay out and write the PDF; ``base`` resolves relative URLs (CSS, images)."""
    import weasyprint  # half a second to import: loaded by the first PDF

    document = weasyprint.HTML(string=html, base_url=str(base)).render()
    return Rendered(document.write_pdf(), len(document.pages))


def warm_up() -> float:
    """Render a one-line CJK page so fontconfig, Pango and the fonts are loaded now (in a
    worker's parent process, before it forks jobs). Returns the seconds it took."""
    started = time.perf_counter()
    html_to_pdf("<p style=\"font-family: 'Noto Sans CJK SC', sans-serif\">预热 warm-up</p>",
                Path("."))
    return time.perf_counter() - started
