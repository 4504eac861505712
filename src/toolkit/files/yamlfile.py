"""Read a YAML params file keeping the line of every key, and turn pydantic's
validation errors into :class:`~toolkit.errors.Problem` lines.

Dates stay strings when read (PyYAML's own date parsing raises a bare
``ValueError`` on ``2020-13-01``); the pydantic models parse them, so a bad date is
reported like any other bad value.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from toolkit.errors import Problem, shown
from toolkit.text.characters import control_character, printable

Loc = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader that leaves timestamps as strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# libyaml's parser when PyYAML has it (ten times faster: every briefing reads every
# report file); the pure-Python one words syntax errors, so it is kept for those.
_FastLoader: type = _Loader
if getattr(yaml, "__with_libyaml__", False):

    class _CLoader(yaml.CSafeLoader):
        """libyaml SafeLoader that leaves timestamps as strings."""

    _CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
    _FastLoader = _CLoader


class _TooLarge(Exception):
    """The document is nested too deep, or its aliases expand too far: ``str`` says which."""

    def __init__(self, what: str, line: int | None = None) -> None:
        super().__init__(what)
        self.line = line


MAX_DEPTH = 50
"""The deepest nesting of lists and mappings a params file may have.

A report file nests four or five levels (report, items, item, a list in it); a file of
a thousand ``[`` (a few kilobytes) would exhaust the stack of the parsers that walk it."""

MAX_VALUES = 100_000
"""The most values anchors and aliases may add to a params file once expanded.

A report file writes its values out; YAML anchors and aliases nested a few levels deep
(a "billion laughs") expand a file of a few hundred bytes to billions of values, which
every later step (line numbers, validation) would walk. Values the file writes out do
not count: a register of ten thousand items is legitimate."""

MAX_ALIAS_CHARS = 1_000_000
"""The most characters of text anchors and aliases may add once expanded (one
megabyte-long anchor used two thousand times would make two gigabytes)."""


def _scan(text: str, loader_class: type) -> bool:
    """Walk the document's events (no recursion): refuse nesting deeper than
    :data:`MAX_DEPTH`; return whether it holds an alias. Syntax errors raise here, worded
    by the loader's parser."""
    loader = loader_class(text)
    depth = 0
    aliases = False
    opening = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
    closing = (yaml.SequenceEndEvent, yaml.MappingEndEvent)
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, opening):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise _TooLarge(
                        f"YAML lists and mappings nested more than {MAX_DEPTH} levels deep",
                        mark.line + 1 if mark else None,
                    )
            elif isinstance(event, closing):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases = True
    finally:
        loader.dispose()
    return aliases


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """Check the document's shape from its events, compose it once, check what its
    aliases add, and construct the data."""
    aliases = _scan(text, loader_class)
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None and aliases:
            _check_aliases(node)
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _check_aliases(root: yaml.Node) -> None:
    """Refuse a document whose aliases add more than :data:`MAX_VALUES` values or
    :data:`MAX_ALIAS_CHARS` characters to what the file writes out, or nest it deeper than
    :data:`MAX_DEPTH` (an alias of a deep list inside a deep list: each is shallow as
    written)."""
    written, expanded, deep_at = _sizes(root)
    if deep_at is not None:
        raise _TooLarge(
            f"YAML lists and mappings nested more than {MAX_DEPTH} levels deep", deep_at
        )
    if expanded[0] - written[0] > MAX_VALUES:
        raise _TooLarge(f"YAML anchors and aliases expand to more than {MAX_VALUES:,} values")
    if expanded[1] - written[1] > MAX_ALIAS_CHARS:
        raise _TooLarge(
            f"YAML anchors and aliases expand to more than {MAX_ALIAS_CHARS:,} characters"
        )


_CAP = 1 << 62


def _sizes(root: yaml.Node) -> tuple[tuple[int, int], tuple[int, int], int | None]:
    """(values, characters) written out in the document, the same with aliases expanded,
    and the line of a node nested more than :data:`MAX_DEPTH` deep once aliases are
    followed (``None`` when none is).

    An alias is the same node object in several places, so each node's expanded size and
    depth are computed once (from its children's): the cost is the number of distinct
    nodes. A node that contains itself (``&a [*a]``) counts as infinitely large.
    """
    sizes: dict[int, tuple[int, int]] = {}
    depths: dict[int, int] = {}
    busy: set[int] = set()
    written = [0, 0]
    endless = (0, 0), (_CAP, _CAP), None
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            size = len(node.value) if isinstance(node.value, str) else 0
            sizes[key], depths[key] = (1, size), 0
            written[0] += 1
            written[1] += size
            continue
        if not children_done:
            if key in busy:
                return endless  # a cycle
            busy.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in busy and id(child) not in sizes:
                    return endless
                stack.append((child, False))
            continue
        busy.discard(key)
        written[0] += 1
        sizes[key] = (
            min(_CAP, 1 + sum(sizes[id(child)][0] for child in children)),
            min(_CAP, sum(sizes[id(child)][1] for child in children)),
        )
        depths[key] = 1 + max((depths[id(child)] for child in children), default=0)
        if depths[key] > MAX_DEPTH:
            return (0, 0), (0, 0), node.start_mark.line + 1
    return (written[0], written[1]), sizes[id(root)], None


def _lines(node: yaml.Node, loc: Loc, out: dict[Loc, int]) -> None:
    out.setdefault(loc, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*loc, str(key.value))
            out[child] = key.start_mark.line + 1
            _lines(value, child, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _lines(value, (*loc, index), out)


def _hint(line: int | None) -> str:
    """Plain words after the parser's: where such an error usually is. PyYAML reports the
    place it gave up, which is often the line after the mistake (a key indented too far or
    not far enough, a colon or quote missing on the line above)."""
    if line is None:
        return ""
    if line <= 1:
        return f" (check the indentation and punctuation of line {line})"
    return f" (check the indentation of line {line} and the line above)"


def _refused_text(root: yaml.Node, display: str) -> list[Problem]:
    """A problem for each key or value holding a character no text may hold
    (:func:`toolkit.text.characters.control_character`): a lone surrogate, a control or
    bidirectional character. Checked on every scalar, before any field is read, so such
    text never reaches a message, a page or a file."""
    problems = []
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            control = control_character(str(node.value))
            if control:
                problems.append(
                    Problem(
                        display,
                        printable(field_name(loc)),
                        f"{control} cannot go into the briefing or the letter",
                        line=node.start_mark.line + 1,
                        expected="printable text",
                        got=shown(node.value),
                    )
                )
        elif isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                child = (*loc, str(key.value))
                stack.append((value, child))
                stack.append((key, child))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, (*loc, i)) for i, value in reversed(list(enumerate(node.value))))
    return problems


def read_yaml(path: Path, display: str) -> tuple[Any, dict[Loc, int], list[Problem]]:
    """Parse ``path``; return the data, a map from location to line, and problems.

    Parameters
    ----------
    path
        The YAML file.
    display
        How the file is named in messages (relative to the params root).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        return (
            None,
            {},
            [
                Problem(
                    display,
                    "",
                    "not UTF-8 text",
                    expected="a UTF-8 YAML file",
                    got=f"byte {err.start}",
                )
            ],
        )
    except OSError as err:
        return None, {}, [Problem(display, "", f"cannot be read ({err.strerror})")]
    if not text.strip():
        return None, {}, [Problem(display, "", "the file is empty", expected="YAML mapping")]
    try:
        try:
            node, data = _parse(text, _FastLoader)
        except yaml.YAMLError:
            node, data = _parse(text, _Loader)  # raises again, with PyYAML's wording
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark else None
        what = (err.problem or "invalid YAML").strip()
        return (
            None,
            {},
            [Problem(display, "", f"YAML syntax error: {what}{_hint(line)}", line=line)],
        )
    except yaml.YAMLError as err:
        return None, {}, [Problem(display, "", f"YAML syntax error: {err}")]
    except _TooLarge as err:
        return None, {}, [_too_large(display, err)]
    lines: dict[Loc, int] = {}
    if node is not None:
        _lines(node, (), lines)
        if refused := _refused_text(node, display):
            return None, lines, refused
    if not isinstance(data, dict):
        return (
            None,
            lines,
            [
                Problem(
                    display,
                    "",
                    "expected a mapping of keys to values",
                    line=1,
                    got=type(data).__name__,
                )
            ],
        )
    return data, lines, []


def _too_large(display: str, err: _TooLarge) -> Problem:
    if err.line is not None:  # nested too deep
        return Problem(
            display,
            "",
            str(err),
            line=err.line,
            expected=f"at most {MAX_DEPTH} levels of lists and mappings",
        )
    return Problem(display, "", str(err), expected="a params file that writes its values out")


def line_of(lines: dict[Loc, int], loc: Loc) -> int | None:
    """The line of ``loc``, or of its nearest enclosing key."""
    while True:
        if loc in lines:
            return lines[loc]
        if not loc:
            return None
        loc = loc[:-1]


def field_name(loc: Loc) -> str:
    """``('items', 2, 'due')`` → ``items[2].due``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_EXPECTED = {
    "date_from_datetime_parsing": "a date as YYYY-MM-DD or DD/MM/YYYY",
    "date_parsing": "a date as YYYY-MM-DD or DD/MM/YYYY",
    "date_type": "a date as YYYY-MM-DD or DD/MM/YYYY",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "bool_type": "true or false",
}


_MESSAGES = {
    "date": "not a date",
    "literal": "not an allowed value",
    "enum": "not an allowed value",
    "string": "not text",
    "list": "not a list",
    "dict": "not a mapping",
    "model": "not a mapping",
    "int": "not a whole number",
    "bool": "not true or false",
}


def _model_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """The keys the model allows at ``loc`` (for "did you mean")."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part) if hasattr(current, "model_fields") else None
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ()) or ()
        candidates = [annotation, *args]
        current = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if current is None:
            return []
    return list(current.model_fields) if current is not None else []


def problems_from(
    err: ValidationError, model: type[BaseModel], display: str, lines: dict[Loc, int]
) -> list[Problem]:
    """Turn a pydantic error into one :class:`Problem` per wrong value."""
    problems = []
    for detail in err.errors(include_url=False):
        loc: Loc = tuple(p for p in detail["loc"] if not (isinstance(p, str) and "[" in p))
        kind = detail["type"]
        line = line_of(lines, loc)
        field = field_name(loc)
        if kind == "missing":
            problems.append(Problem(display, field, "required field is missing", line=line))
        elif kind == "extra_forbidden":
            allowed = _model_keys(model, loc[:-1])
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            known = ", ".join(allowed)
            problems.append(
                Problem(display, field, f"unknown key{hint}", line=line, expected=f"one of {known}")
            )
        else:
            message = detail["msg"]
            if kind == "value_error":
                # Our validators word the whole message, expected and got included.
                problems.append(
                    Problem(display, field, message.removeprefix("Value error, "), line=line)
                )
                continue
            ctx = detail.get("ctx") or {}
            expected = ctx.get("expected") or _EXPECTED.get(kind)
            message = _MESSAGES.get(kind.split("_")[0], "wrong value") if expected else message
            problems.append(
                Problem(
                    display,
                    field,
                    message,
                    line=line,
                    expected=expected,
                    got=shown(detail.get("input")),
                )
            )
    problems.sort(key=lambda p: p.line or 0)
    return problems
