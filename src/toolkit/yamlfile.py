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


class _TooManyValues(Exception):
    """The document's aliases expand past :data:`MAX_VALUES`."""


def _parse(text: str, loader_class: type) -> tuple[yaml.Node | None, Any]:
    """Compose the document once, check its expanded size, construct the data from it."""
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, MAX_VALUES) > MAX_VALUES:
            raise _TooManyValues
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


MAX_VALUES = 100_000
"""The most values a params file may hold once its aliases are expanded.

A real report file holds a few hundred; YAML anchors and aliases nested a few levels
deep (a "billion laughs") expand a file of a few hundred bytes to billions of values,
which every later step (line numbers, validation) would walk.
"""


def _expanded_size(root: yaml.Node, limit: int) -> int:
    """How many nodes ``root`` stands for with aliases expanded, stopping past ``limit``.

    Aliases are the same node object in several places, so each node's expanded size
    is computed once (from its children's): the cost is the number of distinct nodes.
    A node that contains itself (``&a [*a]``) counts as past the limit.
    """
    sizes: dict[int, int] = {}
    busy: set[int] = set()
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
            sizes[key] = 1
            continue
        if not children_done:
            if key in busy:
                return limit + 1  # a cycle
            busy.add(key)
            stack.append((node, True))
            for child in children:
                if id(child) in busy and id(child) not in sizes:
                    return limit + 1
                stack.append((child, False))
            continue
        busy.discard(key)
        sizes[key] = min(limit + 1, 1 + sum(sizes[id(child)] for child in children))
    return sizes[id(root)]


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
    except _TooManyValues:
        return (
            None,
            {},
            [
                Problem(
                    display,
                    "",
                    f"YAML anchors and aliases expand to more than {MAX_VALUES:,} values",
                    expected="a params file that writes its values out",
                )
            ],
        )
    lines: dict[Loc, int] = {}
    if node is not None:
        _lines(node, (), lines)
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
