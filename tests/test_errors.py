"""The exception hierarchy drawn in ``toolkit.errors``' docstring is the real one."""

from __future__ import annotations

import re

from toolkit import errors


def _drawn() -> dict[str, str | None]:
    """Class → parent, read from the tree in the module docstring (indent = depth)."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (errors.__doc__ or "").splitlines():
        found = re.match(r"^\s{4}((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+Error)\b", line)
        if not found:
            continue
        depth = len(found.group(1)) // 4 + (1 if "──" in line else 0)
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[found.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, found.group(2)))
    return parents


def test_the_drawn_hierarchy_is_the_real_one():
    real = {
        name: (cls.__bases__[0].__name__ if cls is not errors.ToolkitError else None)
        for name, cls in vars(errors).items()
        if isinstance(cls, type) and issubclass(cls, errors.ToolkitError)
    }
    assert real == {
        "ToolkitError": None,
        "InputError": "ToolkitError",
        "DataError": "InputError",
        "OutputError": "ToolkitError",
    }
    assert _drawn() == real


def test_exit_codes_are_the_ones_drawn():
    assert errors.ToolkitError.exit_code == 2
    assert errors.InputError.exit_code == 2
    assert errors.DataError.exit_code == 2
    assert errors.OutputError.exit_code == 1
