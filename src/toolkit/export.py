"""Export an executed briefing notebook to the PCC's self-contained HTML page.

nbconvert renders the notebook through the toolkit's own template
(``toolkit/nbtemplate/briefing``): only the HTML the toolkit displayed is kept —
no code, no prompts, no stream output or tracebacks — inside a page with a real
title, ``lang="en"``, inline CSS and a Content-Security-Policy that forbids
loading anything from anywhere (no scripts at all). The exporter is built once
per process and reused (by one thread at a time: the batch runner exports from
several).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

TEMPLATE_DIR = Path(__file__).parent / "nbtemplate"
_LOCK = threading.Lock()  # one exporter per process; briefings export one at a time


@lru_cache(maxsize=1)
def exporter() -> HTMLExporter:
    """The HTML exporter with the toolkit's template (built once)."""
    return HTMLExporter(
        template_name="briefing",
        extra_template_basedirs=[str(TEMPLATE_DIR)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
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

    resources: dict[str, Any] = {
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
