"""The draft s55 response letter (first cut: the statutory facts only)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document

from toolkit.render import uk_date


@dataclass
class Letter:
    """A draft response: a title and paragraphs."""

    title: str
    paragraphs: list[str]

    def compliance_json(self) -> list[dict[str, Any]]:
        return []

    def to_markdown(self) -> str:
        escaped = [p.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
                   .replace("<", "&lt;") for p in self.paragraphs]
        return f"# {self.title}\n\n" + "\n\n".join(escaped) + "\n"

    def to_docx(self, path: Path) -> None:
        doc = Document()
        doc.add_heading(self.title, level=1)
        for paragraph in self.paragraphs:
            doc.add_paragraph(paragraph)
        doc.save(str(path))


def draft_letter(briefing: Any) -> Letter:
    report = briefing.report
    return Letter(
        title=f"Response to the HMICFRS report \u201c{report.title}\u201d",
        paragraphs=[
            f"The report was published on {uk_date(report.published)}; under section 55 of "
            f"the Police Act 1996 the response is due by {uk_date(report.deadline)}.",
        ],
    )
