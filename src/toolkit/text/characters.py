"""Which characters text from params and update files may hold.

One rule for every text a user writes (report and force files, update files, their file
names in messages): printable text, line breaks and tabs. Refused, each named by its
code point:

- control characters: C0 (but tab, line feed, carriage return), DEL and C1 (U+0080 to
  U+009F, e.g. U+0085 "next line" and U+009B, a terminal's escape), which Word and XML
  cannot hold or a terminal acts on;
- bidirectional embedding, override and isolate characters (U+202A to U+202E, U+2066 to
  U+2069), which make a line read differently from what it holds ("Trojan Source");
- lone surrogates (``"\\ud800"`` written as a YAML escape), which are no character at all
  and cannot be written to any file;
- the non-characters U+FFFE and U+FFFF.
"""

from __future__ import annotations

import re

_REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_ONE_LINE = re.compile("[\t\n\r]")


def control_character(text: str, *, one_line: bool = False) -> str | None:
    """Words for the first character of ``text`` that text may not hold, e.g.
    ``a control character (U+0007)``; else ``None``.

    ``one_line`` refuses tabs and line breaks as well (an identifier such as a ref).
    """
    found = _REFUSED.search(text) or (_ONE_LINE.search(text) if one_line else None)
    if found is None:
        return None
    code = ord(found.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        kind = "a bidirectional control character"
    elif code in (0x09, 0x0A, 0x0D):
        kind = "a tab or line break"
    else:
        kind = "a control character"
    return f"{kind} (U+{code:04X})"


def printable(text: str) -> str:
    """``text`` as one line of a message: refused characters and line breaks escaped
    (``\\n``, ``\\u202e``), everything else as it is."""
    if not (_REFUSED.search(text) or _ONE_LINE.search(text) or not text.isprintable()):
        return text
    return "".join(
        ch
        if ch.isprintable() and not _REFUSED.match(ch)
        else ch.encode("unicode_escape", "backslashreplace").decode("ascii")
        if not 0xD800 <= ord(ch) <= 0xDFFF
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""How a cell a spreadsheet would read as a formula begins (OWASP's list)."""


def spreadsheet_text(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet shows as text: one that begins like a formula
    (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, a tab or carriage return) gets a leading
    apostrophe. The one rule for every CSV the toolkit writes (``tracker.csv``,
    ``toolkit status --format csv``)."""
    return "'" + text if text.startswith(FORMULA_START) else text
