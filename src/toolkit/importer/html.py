"""Read a report page saved from the HMICFRS website (``.html``) into blocks.

lxml parses the page as a browser would (it forgives unclosed tags). Only the page's
main content is read: ``<main>``, else ``role="main"``, else ``<article>``, else the
element of class ``entry-content``, else ``<body>`` (the first of these holding at least
200 characters of text). Navigation, headers, footers, scripts, forms, asides, cookie
banners, tables of contents and footnote lists are left out, and so are footnote markers
(``<sup>`` holding a number).

Headings are ``<h1>``–``<h6>``, and a paragraph whose whole text is bold and short
(``<p><strong>Area for improvement</strong></p>``). Paragraphs are ``<p>``,
``<dd>``/``<dt>`` and the loose text of a ``<div>``; table cells are blocks of their own
kind (``cell``), read as paragraphs except that a cell of status words does not end a run
of items; list entries are ``<li>``, numbered by their ``<ol>`` (``start`` and
``type="a"`` honoured). The place of each block is its line in the saved file.

The title is the page's ``<h1>`` (else its ``<title>`` up to the site name); the
publication date is a ``<meta>`` (``article:published_time``, ``DC.date.issued``,
``date``), a ``<time datetime>``, or a line such as "Published: 12 May 2022".
"""

from __future__ import annotations

import re
from datetime import date

from lxml import etree
from lxml import html as lxml_html

from toolkit.importer.document import Block, Document, tidy
from toolkit.importer.due import stated_publication
from toolkit.record.dates import NotADate, parse_day

__all__ = ["read_html"]

_SKIP = {
    "script", "style", "nav", "header", "footer", "aside", "form", "noscript", "svg",
    "button", "template", "iframe", "select", "img", "figure", "input", "label",
}  # fmt: skip
_SKIP_CLASS = re.compile(
    r"\b(?:breadcrumbs?|cookie\w*|share\w*|skip-link|site-header|site-footer|menu|sidebar"
    r"|footnotes?|related\w*|pagination|print-only|visually-hidden|screen-reader-text"
    r"|toc|table-of-contents|contents-list)\b",
    re.IGNORECASE,
)
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_PARAS = {"p", "dd", "dt", "td", "th", "caption", "figcaption", "blockquote", "summary"}
_BLOCKS = _HEADINGS | _PARAS | {
    "li", "ul", "ol", "div", "section", "article", "main", "table", "tbody", "thead", "tr",
    "dl", "details", "body", "aside", "header", "footer", "nav", "form", "figure",
}  # fmt: skip


def _skipped(el: etree._Element) -> bool:
    if not isinstance(el.tag, str):
        return True  # comments, processing instructions
    if el.tag in _SKIP or el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    if el.get("role") in ("navigation", "banner", "contentinfo", "search"):
        return True
    return bool(_SKIP_CLASS.search(el.get("class") or "") or _SKIP_CLASS.search(el.get("id") or ""))


def _footnote_marker(el: etree._Element) -> bool:
    text = (el.text_content() or "").strip()
    if el.tag == "sup":
        return bool(re.fullmatch(r"\[?\(?\d{1,3}\)?\]?|[*†‡]", text))
    if el.tag == "a":
        href = el.get("href") or ""
        return (
            href.startswith("#") and "fn" in href.lower() and bool(re.fullmatch(r"\[?\d+\]?", text))
        )
    return False


def _inline_text(el: etree._Element, *, own_only: bool) -> str:
    """The text of ``el``; with ``own_only``, leaving out nested blocks (lists, paragraphs)."""
    parts: list[str] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and not _skipped(child) and not _footnote_marker(child):
            if child.tag == "br":
                parts.append(" ")
            elif own_only and child.tag in _BLOCKS:
                pass
            else:
                parts.append(_inline_text(child, own_only=False))
        parts.append(child.tail or "")
    return "".join(parts)


def _bold_heading(el: etree._Element, text: str) -> bool:
    """A paragraph that is only bold text, and short: a heading in all but tag."""
    if el.tag != "p" or not text or len(text.split()) > 14 or text.endswith((".", ":")):
        return False
    strong = [c for c in el if isinstance(c.tag, str) and c.tag in ("strong", "b")]
    if len(strong) != 1 or (el.text or "").strip():
        return False
    return tidy(strong[0].text_content()) == text


def _walk(el: etree._Element, out: list[Block], marker: str = "") -> None:
    if _skipped(el):
        return
    tag = el.tag
    line = f"line {el.sourceline}" if el.sourceline else ""
    if tag in _HEADINGS:
        text = tidy(_inline_text(el, own_only=False))
        if text:
            out.append(Block("heading", text, line, level=int(tag[1])))
        return
    if tag in ("ul", "ol"):
        numbered = tag == "ol"
        kind = (el.get("type") or "1") if numbered else ""
        try:
            number = int(el.get("start") or 1)
        except ValueError:
            number = 1
        for child in el:
            if isinstance(child.tag, str) and child.tag == "li":
                label = ""
                if numbered:
                    label = chr(ord("a") + number - 1) if kind in ("a", "A") else str(number)
                    number += 1
                _walk(child, out, marker=label)
            elif isinstance(child.tag, str):
                _walk(child, out)
        return
    if tag == "li" or tag in _PARAS:
        text = tidy(_inline_text(el, own_only=True))
        if text:
            if tag == "li":
                out.append(Block("entry", text, line, marker))
            elif tag in ("td", "th"):
                out.append(Block("cell", text, line))
            elif _bold_heading(el, text):
                out.append(Block("heading", text, line, level=7))
            else:
                out.append(Block("para", text, line))
        for child in el:
            if isinstance(child.tag, str) and child.tag in _BLOCKS:
                _walk(child, out)
        return
    # A container: its loose text (between nested blocks) is a paragraph of its own.
    loose: list[str] = [el.text or ""]

    def flush() -> None:
        text = tidy("".join(loose))
        if text:
            out.append(Block("para", text, line))
        loose.clear()

    for child in el:
        if isinstance(child.tag, str) and child.tag in _BLOCKS:
            flush()
            _walk(child, out)
        elif isinstance(child.tag, str) and not _skipped(child) and not _footnote_marker(child):
            loose.append(" " if child.tag == "br" else _inline_text(child, own_only=False))
        loose.append(child.tail or "")
    flush()


def _main(root: etree._Element) -> etree._Element:
    for path in (
        "//main",
        "//*[@role='main']",
        "//article",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
        "//body",
    ):
        for found in root.xpath(path):
            # A <main> that is only a wrapper for a banner is passed over.
            if len(" ".join(found.text_content().split())) >= 200 or path == "//body":
                return found
    return root


def _meta_date(root: etree._Element) -> date | None:
    for path in (
        "//meta[@property='article:published_time']/@content",
        "//meta[@name='DC.date.issued']/@content",
        "//meta[@name='dcterms.issued']/@content",
        "//meta[@name='date']/@content",
        "//time/@datetime",
    ):
        for value in root.xpath(path):
            try:
                found = parse_day(str(value).strip()[:10])
            except NotADate:
                continue
            if found is not None:
                return found
    return None


def read_html(data: bytes, source: str) -> Document:
    """A saved report page as a :class:`Document`.

    Raises
    ------
    ValueError
        When the file holds no HTML lxml can read.
    """
    try:
        root = lxml_html.document_fromstring(data)
    except (etree.ParserError, ValueError) as err:
        raise ValueError(f"not an HTML page ({err})") from None
    blocks: list[Block] = []
    _walk(_main(root), blocks)
    doc = Document(source=source, blocks=blocks)
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    if not h1:
        titles = root.xpath("//title")
        raw = tidy(titles[0].text_content()) if titles else ""
        h1 = re.split(r"\s+[-|–]\s+", raw)[0] if raw else ""
    doc.title = h1
    doc.published = _meta_date(root) or stated_publication(
        tidy(t) for t in root.xpath("//body//text()") if "ublish" in t or "ublication" in t
    )
    return doc
