"""Draft a report file from the report's own text: ``toolkit import-report``.

``toolkit import-report PATH --id ID`` (and ``toolkit new-report ID --from PATH``) reads a
report saved from the HMICFRS website (``.html``), its PDF (``.pdf``) or plain text
(``.txt``), finds its recommendations, areas for improvement and causes of concern, and
writes ``reports/<ID>.yaml`` in the params root for the analyst to review. Nothing is
fetched from the network and nothing existing is overwritten.

The parts, each a module:

:mod:`~toolkit.importer.document`
    Blocks (headings, paragraphs, list entries with their place) and plain text.
:mod:`~toolkit.importer.html`, :mod:`~toolkit.importer.pdf`
    Web pages (lxml) and PDFs (pdfminer.six) read into blocks.
:mod:`~toolkit.importer.items`
    The rules that find items, their refs, addressees and parents.
:mod:`~toolkit.importer.due`
    Due forms in the report's wording.
:mod:`~toolkit.importer.write`
    The report file, written whole, with a note beside every item to check.
"""

from __future__ import annotations

from toolkit.importer.write import Imported, import_report, report_placeholder_warnings

__all__ = ["Imported", "import_report", "report_placeholder_warnings"]
