"""Export an executed briefing notebook to the PCC's self-contained HTML page.

nbconvert renders the notebook through the toolkit's own template
(``toolkit/nbtemplate/briefing``): only the HTML the toolkit displayed is kept —
no code, no prompts, no stream output or tracebacks — inside a page with a real
title, ``lang="en"``, inline CSS and a Content-Security-Policy that forbids
loading anything from anywhere (no scripts at all). The exporter is built once
per process and reused (by one thread at a time: the batch runner exports from
several).

nbconvert's HTML exporter ends by parsing the whole page with BeautifulSoup to add
``alt`` text to images without one and ``tabindex`` to JupyterLab's cell wrappers;
on a briefing with thousands of update rows that pass took minutes. The toolkit's
page has neither (every chart carries its own alt text; the template has no
JupyterLab cells), so :class:`BriefingExporter` renders without it, in time
linear in the page's size.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import nbformat
from nbconvert import HTMLExporter
from nbconvert.exporters.templateexporter import TemplateExporter
from nbconvert.filters.highlight import Highlight2HTML
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

from toolkit.files.resources import TEMPLATE_DIR

_LOCK = threading.Lock()  # one exporter per process; briefings export one at a time
Resources = dict[str, Any]  # free-form: nbconvert's resources, keyed by each exporter and filter
"""nbconvert's ``resources`` (the toolkit's own under ``toolkit``: title, footer, …)."""


class BriefingExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass over the finished page.

    :meth:`HTMLExporter.from_notebook_node` parses every page it made with Python's
    HTML parser to give images without alt text a placeholder and Jupyter's cell
    wrappers a ``tabindex``, then writes the page out again: most of an export's time
    for a briefing, whose charts are large ``data:`` URIs. The toolkit's template
    shows no cell wrappers, and every image in a briefing carries its own alt text
    (written from the numbers), so the page is returned as the template made it.
    """

    def from_notebook_node(  # type: ignore[override]
        self, nb: nbformat.NotebookNode, resources: Resources | None = None, **kw: Any
    ) -> tuple[str, Resources]:
        """The page for ``nb``: HTMLExporter's filters, the template, nothing after."""
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter(
            "highlight_code",
            self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)),
        )
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type",
            WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            ),
        )
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """The HTML exporter with the toolkit's template (built once).

    The notebook is validated once, after nbconvert's preprocessors have run
    (``optimistic_validation``), not after each of them.
    """
    return BriefingExporter(
        template_name="briefing",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        optimistic_validation=True,
    )


def warm() -> None:
    """Build the exporter and compile its templates now, by exporting an empty notebook.

    The batch calls this on a thread while its first kernels start, so the first
    briefing's export does not pay for it.
    """
    notebook_html(nbformat.v4.new_notebook(), title="")


def notebook_html(
    nb: nbformat.NotebookNode, *, title: str, footer: str = "", generated: str = ""
) -> str:
    """The briefing page for an executed notebook.

    Parameters
    ----------
    nb
        The executed notebook (papermill's output).
    title
        The page's ``<title>``.
    footer
        A short provenance line for the page's footer.
    generated
        When the run started, for the header's "Generated" row (omitted when empty).
    """
    from toolkit import __version__

    resources: Resources = {
        "toolkit": {
            "title": title,
            "footer": footer,
            "version": __version__,
            "generated": generated,
        },
    }
    with _LOCK:
        body, _ = exporter().from_notebook_node(nb, resources=resources)
    return body
