"""The sandbox every template renders in: wording may read data, never call out of it.

A force may replace any page, section or letter template (``templates:`` in
``force.yaml``), and a template is wording, not code. The templates are handed the
briefing's objects (``b``: the report, the register, the figures), so Jinja's own
sandbox, which only hides attributes starting with ``_``, is not enough: a path in
the context has ``read_text`` and ``write_text``. :class:`TemplateSandbox` therefore
works from allow-lists:

- **Calls.** A template may call its own macros (and ``caller``/``super``), Jinja's
  loop and cycler helpers, the environment's globals (``range``, ``dict``,
  ``namespace``, ``cycler``, ``joiner``, ``lipsum`` and the toolkit's own, such as the
  letter's ``gap``), the methods of plain values listed in :data:`PLAIN_METHODS`
  (``upper``, ``join``, ``items``, ``get``, ``strftime`` …) and the few toolkit
  methods in :data:`TOOLKIT_METHODS`. Filters are the toolkit's and Jinja's. Every
  other call raises :class:`jinja2.exceptions.SecurityError`.
- **Attributes.** Of a plain value (text, numbers, dates, lists, dicts …) the
  attributes that are not methods and the methods above; of a toolkit object (the
  briefing's data classes) its fields and properties; of Jinja's own helpers (the
  loop, a namespace) theirs. Any other object (a path, a data frame, a module, a
  function) can be shown or passed to a filter but has no attribute a template can
  read, so nothing in a template's reach can open a file or start a process.

:func:`forbidden_calls` finds, without rendering, the calls in a template's source
that the sandbox would certainly refuse, so ``toolkit validate`` can name the file
and line before any run.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from jinja2 import nodes
from jinja2.environment import TemplateModule
from jinja2.runtime import BlockReference, LoopContext, Macro, TemplateReference, Undefined
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import Cycler, Joiner, Namespace
from markupsafe import Markup

_TEXT = frozenset(
    [
        "capitalize",
        "casefold",
        "center",
        "count",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "istitle",
        "isupper",
        "join",
        "ljust",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rfind",
        "rindex",
        "rjust",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
        "zfill",
    ]
)
PLAIN_METHODS: dict[type, frozenset[str]] = {
    Markup: _TEXT | {"striptags", "unescape"},
    str: _TEXT,
    bool: frozenset(),
    int: frozenset({"bit_length", "is_integer"}),
    float: frozenset({"is_integer"}),
    Decimal: frozenset(),
    date: frozenset({"isoformat", "strftime", "weekday", "isoweekday", "isocalendar"}),
    time: frozenset({"isoformat", "strftime"}),
    timedelta: frozenset({"total_seconds"}),
    dict: frozenset({"get", "items", "keys", "values"}),
    list: frozenset({"count", "index", "append"}),
    tuple: frozenset({"count", "index"}),
    set: frozenset({"union", "intersection", "difference", "issubset", "issuperset"}),
    frozenset: frozenset({"union", "intersection", "difference", "issubset", "issuperset"}),
    type(None): frozenset(),
}
"""The methods a template may call on each plain type (subclasses included)."""

TOOLKIT_METHODS = frozenset(
    {
        "toolkit.quarters.Quarter.previous",
        "toolkit.letter.model.Letter.html",
    }
)
"""Methods of the toolkit's own objects a template may call: pure, and needed by the
shipped templates (``b.quarter.previous()``, ``letter.html(level=3)``)."""

_JINJA_HELPERS = (LoopContext, Namespace, Cycler, Joiner, TemplateReference, TemplateModule)
_JINJA_CALLABLES = (Macro, BlockReference, Joiner, LoopContext)
_JINJA_METHODS = frozenset({"cycle", "changed", "next", "reset"})

CALLABLE_NAMES = frozenset().union(*PLAIN_METHODS.values(), _JINJA_METHODS) | {
    name.rsplit(".", 1)[1] for name in TOOLKIT_METHODS
}
"""Every method name some allowed call uses: a call of any other is always refused."""


def _plain_methods(obj: Any) -> frozenset[str] | None:
    for kind in type(obj).__mro__:
        if kind in PLAIN_METHODS:
            return PLAIN_METHODS[kind]
    return None


def _is_toolkit(obj: Any) -> bool:
    module = type(obj).__module__ or ""
    return module == "toolkit" or module.startswith("toolkit.")


def _qualified(method: Any) -> str:
    func = getattr(method, "__func__", method)
    return f"{getattr(func, '__module__', '')}.{getattr(func, '__qualname__', '')}"


class TemplateSandbox(SandboxedEnvironment):
    """Jinja's sandbox, refusing every call and attribute not on an allow-list."""

    def _readable(self, obj: Any, attr: str) -> bool:
        if attr.startswith("_"):
            return False
        if _is_toolkit(obj) or _plain_methods(obj) is not None:
            return True
        return isinstance(obj, _JINJA_HELPERS)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value) or not self._readable(obj, attr):
            return False
        if not callable(value) or isinstance(value, type):
            return not isinstance(value, type)  # a class is a constructor: not handed out
        return self.is_safe_callable(value)

    def is_safe_callable(self, obj: Any) -> bool:
        if isinstance(obj, _JINJA_CALLABLES):
            return True
        if any(obj is value for value in self.globals.values()):
            return True
        if isinstance(obj, types.MethodType | types.BuiltinMethodType):
            owner = getattr(obj, "__self__", None)
            name = getattr(obj, "__name__", "")
            if isinstance(owner, _JINJA_HELPERS):
                return name in _JINJA_METHODS
            if _is_toolkit(owner) and _qualified(obj) in TOOLKIT_METHODS:
                return True
            methods = _plain_methods(owner)
            return methods is not None and name in methods
        return False

    def getattr(self, obj: Any, attribute: str) -> Any:
        if not self._readable(obj, attribute):
            return self.unsafe_undefined(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        container = isinstance(obj, dict | list | tuple)
        if isinstance(argument, str) and not container and not self._readable(obj, argument):
            return self.unsafe_undefined(obj, argument)
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        from jinja2.exceptions import SecurityError

        if isinstance(__obj, Undefined):
            return __obj()  # raises: undefined, or an attribute the sandbox refused
        if not __self.is_safe_callable(__obj):
            name = getattr(__obj, "__name__", type(__obj).__name__)
            raise SecurityError(f"a template may not call {name!r}")
        return __context.call(__obj, *args, **kwargs)


def forbidden_calls(tree: nodes.Template) -> Iterator[tuple[int, str]]:
    """``(line, what)`` for each call in a parsed template the sandbox would refuse.

    Only calls that are refused whatever the data is: a method whose name no allowed
    call has (``x.read_text()``), or a call of anything but a name or an attribute
    (``(x | attr("open"))()``). A call of a name (a macro, a global) is checked when
    the template renders.
    """
    for call in tree.find_all(nodes.Call):
        target = call.node
        if isinstance(target, nodes.Name):
            continue
        if isinstance(target, nodes.Getattr):
            name = target.attr
        elif isinstance(target, nodes.Getitem) and isinstance(target.arg, nodes.Const):
            name = str(target.arg.value)
        else:
            yield call.lineno, "the result of an expression"
            continue
        if name not in CALLABLE_NAMES:
            yield call.lineno, f"{name!r}"
