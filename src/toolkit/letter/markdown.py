"""The letter as Markdown in which every character from params renders literally.

``letter/render.md.j2`` lays the letter out; its ``md`` filter (:func:`md_block`) escapes
each block's text, so that ``*``, ``[``, ``<`` or a line starting ``1.`` stay text.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment

from toolkit.text.templating import environment

if TYPE_CHECKING:
    from toolkit.letter.blocks import Block

_MD_INLINE = re.compile(r"([\\`*_\[\]<>#~|$]|&(?=[#A-Za-z]))")
_MD_LINE_START = re.compile(r"^(?:([+\-=])|(\d+)([.)]))")


def _md_text(text: str) -> str:
    """Escape Markdown syntax so that ``text`` renders literally."""
    return _MD_INLINE.sub(r"\\\1", text)


def _md_line_start(line: str) -> str:
    """Escape what would start a list, heading underline or rule at the start of a line."""
    match = _MD_LINE_START.match(line)
    if not match:
        return line
    if match.group(1):
        return "\\" + line
    digits = match.group(2)
    return f"{digits}\\{line[len(digits) :]}"


def md_block(block: Block, indent: str = "") -> str:
    """A block's text as escaped Markdown; line breaks continue with ``indent``."""
    lines = [""]
    for segment in block.segments:
        if segment.kind == "break":
            lines.append("")
        else:
            lines[-1] += _md_text(segment.text)
    lines = [_md_line_start(line) for line in lines]
    return ("\\\n" + indent).join(lines)


@lru_cache(maxsize=8)
def markdown_environment(override: Path | None) -> Environment:
    """An overlay without autoescaping, with its own template cache (templates compiled with
    autoescaping elsewhere are never reused here) and its own filters dict."""
    env = environment(override).overlay(autoescape=False, cache_size=400)
    env.filters = {**env.filters, "md": md_block}
    return env
