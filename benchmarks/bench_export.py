"""HTML export of a briefing with many update rows: nbconvert's exporter against the toolkit's.

Run: ``.venv/bin/python benchmarks/bench_export.py [ROWS ...]``. For each size, a
notebook whose one output is a table of ROWS rows (as the status section shows one row
per update) is exported by nbconvert's ``HTMLExporter`` (the baseline, with its
BeautifulSoup pass) and by :class:`toolkit.publish.export.BriefingExporter`, both with the
toolkit's template, in the same run; prints seconds and the ratio.
"""

from __future__ import annotations

import sys
import time

import nbformat
from nbconvert import HTMLExporter

from toolkit.publish.export import TEMPLATE_DIR, BriefingExporter


def _notebook(rows: int) -> nbformat.NotebookNode:
    body = "".join(
        f"<tr><th scope='row'>R{i}</th><td>In progress</td><td>Update {i} &amp; more</td></tr>"
        for i in range(rows)
    )
    html = f"<table class='table'><tbody>{body}</tbody></table>"
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    return nbformat.v4.new_notebook(cells=[cell])


def _seconds(exporter: HTMLExporter, nb: nbformat.NotebookNode) -> float:
    resources = {"toolkit": {"title": "t", "footer": "", "version": "", "generated": ""}}
    began = time.perf_counter()
    exporter.from_notebook_node(nb, resources=resources)
    return time.perf_counter() - began


def main(sizes: list[int]) -> None:
    options = {
        "template_name": "briefing",
        "extra_template_basedirs": [str(TEMPLATE_DIR)],
        "exclude_input": True,
    }
    baseline, toolkit = HTMLExporter(**options), BriefingExporter(**options)
    print("rows  nbconvert_s  toolkit_s  ratio")
    for rows in sizes:
        nb = _notebook(rows)
        before, after = _seconds(baseline, nb), _seconds(toolkit, nb)
        print(f"{rows:>5}  {before:>11.2f}  {after:>9.3f}  {before / after:>5.0f}x")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 2000, 4000])
