"""Charts as inline SVG (pygal): no JavaScript, the report's CJK font, print colours.

WeasyPrint draws the SVG as vectors, so charts stay sharp and their text is real text.
"""

from __future__ import annotations

from collections.abc import Sequence

import pygal
from markupsafe import Markup
from pygal.style import Style

FONT = "'Noto Sans CJK SC', 'Noto Sans CJK', 'WenQuanYi Micro Hei', sans-serif"
COLORS = ("#2f6fb0", "#e07b39", "#3a9a5b", "#c0392b", "#8e6bb8", "#7f8c8d", "#d4ac0d",
          "#16a085", "#b03a6f", "#5d6d7e")
STYLE = Style(
    font_family=FONT, background="#ffffff", plot_background="#ffffff",
    foreground="#333333", foreground_strong="#111111", foreground_subtle="#999999",
    colors=COLORS, title_font_size=15, label_font_size=11, major_label_font_size=11,
    legend_font_size=11, value_font_size=10, tooltip_font_size=10,
)
Series = Sequence[tuple[str, Sequence[float | None]]]


def _options(height: int) -> dict[str, object]:
    return {"style": STYLE, "width": 760, "height": height, "js": [],
            "disable_xml_declaration": True, "explicit_size": True, "show_y_guides": True,
            "print_values": False, "truncate_label": 14, "margin": 8,
            "max_scale": 8}


def _svg(chart: pygal.graph.graph.Graph) -> Markup:
    # pygal escapes labels and values itself: its output is safe markup
    return Markup(chart.render(is_unicode=True))


def bar(title: str, labels: Sequence[str], series: Series, *, percent: bool = False,
        horizontal: bool = False, height: int = 280) -> Markup:
    """A bar chart (none for fewer than two bars); ``percent`` formats values in [0, 1] as
    percentages."""
    if len(labels) < 2 or not any(v for _, values in series for v in values):
        return Markup("")
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(**_options(height), show_legend=len(series) > 1, legend_at_bottom=True,
                 x_label_rotation=0 if horizontal or len(labels) <= 8 else 30)
    if percent:
        chart.value_formatter = lambda v: f"{v:.0%}" if v is not None else ""
    else:  # counts and amounts: whole ticks only
        chart.order_min = 0
        chart.value_formatter = lambda v: f"{v:,.0f}" if v is not None else ""
    chart.title = title
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, [None if v is None else float(v) for v in values])
    return _svg(chart)


def pie(title: str, items: Sequence[tuple[str, float]], *, height: int = 280) -> Markup:
    """A donut of shares; the legend names each slice."""
    items = [(label, float(value)) for label, value in items if value]
    if not items:
        return Markup("")
    chart = pygal.Pie(**_options(height), inner_radius=0.45, legend_at_bottom=False)
    chart.title = title
    for label, value in items:
        chart.add(label, value)
    return _svg(chart)
