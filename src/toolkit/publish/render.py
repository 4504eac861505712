"""HTML for the briefing's sections and pages, from Jinja2 templates with autoescaping.

Every value from params or data reaches the page through a template with
autoescaping on, so recommendation text such as ``<script>`` shows as text. The
templates live in ``toolkit/templates/``; a force may override any of them by
naming a folder in ``force.yaml`` (``templates:``) holding a file of the same name. The
environment and its filters are :mod:`toolkit.text.templating` and
:mod:`toolkit.text.display`.

A force's templates are data, not code: every template (sections, pages, the quarter
index, the letter and its Markdown) renders in
:class:`toolkit.text.sandbox.TemplateSandbox`, which allows only listed calls (the
templates' own macros, the filters, text, list and dictionary methods) and refuses
every attribute of objects that are neither plain data nor the toolkit's own, so no
template can reach a file, a program or Python's globals. The force's template folder
must lie inside the params root and a template file that is a symlink leading out of it
is refused (:class:`toolkit.errors.InputError`), never read (:mod:`toolkit.files.containment`).
The exported page's own template (``toolkit/nbtemplate``) is the toolkit's and cannot be
replaced from the params.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from toolkit.charts.chart import ChartView
from toolkit.facts import template_override
from toolkit.text.templating import environment

if TYPE_CHECKING:
    from toolkit.facts import Facts

SECTIONS = ("header", "status", "performance", "response")

NOTEBOOK_STYLE_END = "<!-- toolkit:notebook-style-end -->"
"""Ends the style the notebook's first output carries, which the briefing page leaves out."""


@lru_cache(maxsize=1)
def notebook_style() -> str:
    """The status tags' rules from the briefing's stylesheet, as a ``<style>`` element.

    The briefing page has the whole stylesheet; the executed notebook, opened in JupyterLab
    or turned into HTML by nbconvert's own templates, has only its outputs. The header
    section shown in the notebook carries these rules so that the tags keep their colours
    there too; only the tags' rules, which name the toolkit's own classes, so the page
    around them keeps its look. The briefing's template drops it (up to
    :data:`NOTEBOOK_STYLE_END`).
    """
    from toolkit.files.resources import TEMPLATE_DIR

    css = (TEMPLATE_DIR / "briefing" / "briefing.css").read_text(encoding="utf-8")
    rules = re.findall(r"^\.tag\b[^{]*\{[^}]*\}", css, re.MULTILINE)
    return "<style>\n" + "\n".join(rules) + "\n</style>" + NOTEBOOK_STYLE_END


class BriefingChart(ChartView):
    """A chart of the performance section: ``crime_type`` is ``None`` for the trend."""

    crime_type: str | None
    table_caption: str


def _charts(briefing: Facts) -> list[BriefingChart]:
    """The performance charts, each with its numbers as a table.

    ``crime_type`` is ``None`` for the trend chart (left out when the trend's window
    holds no data at all: the section says so instead) and the crime type of a peer
    chart.
    """
    from toolkit.charts.draw import briefing_charts  # matplotlib: only where charts are drawn

    figures = briefing.police_uk
    if not figures or not figures.get("focus"):
        return []
    force = briefing.params.force.force
    charts: list[BriefingChart] = []
    labels = {force.police_uk: force.name}
    made = briefing_charts(figures, labels=labels, cache_dir=briefing.cache_dir)
    kinds: list[str | None] = [None, *figures["focus"]]
    for chart, crime_type in zip(made, kinds, strict=False):
        if crime_type is None and not figures.get("trend"):
            continue
        width, height = chart.size
        charts.append(
            {
                "crime_type": crime_type,
                "png": chart.png,
                "alt": chart.alt,
                "caption": chart.caption,
                "table_caption": f"The numbers in the chart: {chart.caption}",
                "header": chart.table[0],
                "rows": chart.table[1:],
                "width": width,
                "height": height,
            }
        )
    return charts


def section(name: str, briefing: Facts) -> str:
    """Render one section of the briefing as an HTML fragment.

    ``briefing`` is a :class:`toolkit.publish.briefing.Briefing` (typed by the facts this module
    reads; the templates, as ``b``, also read its ``letter``, ``compliance`` and
    ``figures``).
    """
    if name not in SECTIONS:
        raise ValueError(f"unknown section {name!r}; expected one of {', '.join(SECTIONS)}")
    env = environment(template_override(briefing))
    charts = {"charts": _charts(briefing)} if name == "performance" else {}
    return env.get_template(f"sections/{name}.html.j2").render(b=briefing, **charts)
