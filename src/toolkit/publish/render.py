"""HTML for the briefing's sections and pages, from Jinja2 templates with autoescaping.

Every value from params or data reaches the page through a template with
autoescaping on, so recommendation text such as ``<script>`` shows as text. The
templates live in ``toolkit/templates/``; a force may override any of them by
naming a folder in ``force.yaml`` (``templates:``) holding a file of the same name.

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

import base64
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from toolkit.errors import InputError, Problem, shown
from toolkit.files.containment import inside, require_inside
from toolkit.forces import force_label
from toolkit.text.sandbox import TemplateSandbox
from toolkit.vocabulary import ClosedBy, Rag, Status, tag_colour

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


def uk_date(value: date | str | None) -> str:
    """``2020-02-06`` → ``6 February 2020``."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.date()
    return f"{value.day} {value:%B %Y}"


def number(value: float | int | None, places: int | None = None) -> str:
    """Thousands separators; ``not available`` for ``None`` (never a zero)."""
    if value is None:
        return "not available"
    if places is not None:
        return f"{value:,.{places}f}"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{int(value):,}"


def signed(value: float | int | None, places: int = 0, suffix: str = "") -> str:
    """``+12`` / ``−3`` (a real minus sign); ``not available`` for ``None``."""
    if value is None:
        return "not available"
    text = f"{abs(value):,.{places}f}{suffix}"
    if value > 0:
        return f"+{text}"
    if value < 0:
        return f"\u2212{text}"
    return f"0{suffix}" if places == 0 else f"{0:.{places}f}{suffix}"


def status_label(status: str) -> str:
    """``in-progress`` → ``In progress``."""
    if status in Status._value2member_map_:
        return Status(status).label
    return status.replace("-", " ").capitalize()


def closed_by_label(value: str) -> str:
    """``opcc`` → ``OPCC``, ``force`` → ``the force`` (:class:`toolkit.vocabulary.ClosedBy`)."""
    return ClosedBy(value).label if value in ClosedBy._value2member_map_ else value


def tag_class(state: str) -> str:
    """The colour class that reinforces a tag's word (:func:`toolkit.vocabulary.tag_colour`)."""
    return tag_colour(state)


def sentence_case(text: str) -> str:
    """The first letter upper-case, the rest as written (Jinja's ``capitalize`` lowers it)."""
    return text[:1].upper() + text[1:]


def quarter_short(quarter: Any) -> str:
    """``Q3 2018/19``: a quarter's short label (a :class:`~toolkit.quarters.Quarter` or id)."""
    from toolkit.quarters import Quarter

    parsed = quarter if isinstance(quarter, Quarter) else Quarter.parse(str(quarter))
    return f"Q{parsed.number} {parsed.financial_year}"


def quarter_of(day: date) -> Any:
    """The quarter a date falls in."""
    from toolkit.quarters import Quarter

    return Quarter.containing(day)


def png_data_uri(png: bytes) -> str:
    """A PNG as a ``data:`` URI, for a self-contained page."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def preload() -> None:
    """Compile the shipped section and page templates now (kernels forked afterwards
    inherit them); the letter's are compiled by :func:`toolkit.letter.draft.preload`."""
    env = environment()
    for name in env.list_templates(filter_func=lambda name: not name.startswith("letter/")):
        env.get_template(name)


def environment(override: Path | None = None) -> Environment:
    """The Jinja2 environment: autoescaping, strict undefined, the filters above.

    One environment per template folder and process, so each template is compiled once
    (Jinja checks a file's modification time before reusing its compiled form).
    ``environment()`` and ``environment(None)`` are the same one: the kernel zygote
    compiles the templates with the first, and briefings without a template folder
    of their own ask for the second.
    """
    return _environment(override)


@lru_cache(maxsize=8)
def _environment(override: Path | None) -> Environment:
    loaders: list[Any] = [PackageLoader("toolkit", "templates")]
    if override is not None:
        loaders.insert(0, _ConfinedLoader(str(override)))
    env = TemplateSandbox(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        uk_date=uk_date,
        number=number,
        signed=signed,
        status_label=status_label,
        tag_class=tag_class,
        png_data_uri=png_data_uri,
        quarter_short=quarter_short,
        sentence_case=sentence_case,
        quarter_of=quarter_of,
        force_label=force_label,
        closed_by_label=closed_by_label,
        rag_class=lambda value: Rag(value).colour,
    )
    env.globals["rag_colours"] = list(Rag)
    return env


class _ConfinedLoader(FileSystemLoader):
    """A force's template folder: a file whose real path is outside the folder is refused
    (the folder itself is checked against the params root by :func:`template_override`)."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        folder = Path(str(self.searchpath[0])).resolve()
        if not inside(Path(filename), folder):
            raise InputError(
                Problem(
                    str(filename),
                    "templates",
                    "a template that is a symlink leading out of the template folder is not read",
                    expected=f"a file inside {folder}",
                    got=shown(str(Path(filename).resolve())),
                )
            )
        return source, filename, uptodate


def template_override(briefing: Facts) -> Path | None:
    """The force's own template folder (``templates:`` in ``force.yaml``), if it names one."""
    folder = briefing.params.force.templates
    if not folder:
        return None
    # Against the root itself: a run's snapshot of the params holds its own copy.
    root = briefing.params.root
    path = require_inside(root / folder, root, f"force.yaml: templates: {folder}")
    return path.resolve()


def _charts(briefing: Facts) -> list[dict[str, Any]]:
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
    charts = []
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
    context: dict[str, Any] = {"b": briefing}
    if name == "performance":
        context["charts"] = _charts(briefing)
    return env.get_template(f"sections/{name}.html.j2").render(**context)
