"""The Jinja2 environment every template renders in, with the display filters.

Autoescaping and strict undefined are always on; every environment is a
:class:`~toolkit.text.sandbox.TemplateSandbox`. The toolkit's templates live in
``toolkit/templates/``; a force may override any of them from a folder of its own
(``templates:`` in ``force.yaml``), read through a loader that refuses a template whose
real path leads out of that folder.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from toolkit.errors import InputError, Problem, shown
from toolkit.files.containment import inside
from toolkit.forces import force_label
from toolkit.text.display import (
    closed_by_label,
    number,
    png_data_uri,
    quarter_of,
    quarter_short,
    sentence_case,
    short_date,
    signed,
    status_label,
    tag_class,
    uk_date,
)
from toolkit.text.sandbox import TemplateSandbox
from toolkit.vocabulary import Rag


def preload() -> None:
    """Compile the shipped section and page templates now (kernels forked afterwards
    inherit them); the letter's are compiled by :func:`toolkit.letter.draft.preload`."""
    env = environment()
    for name in env.list_templates(filter_func=lambda name: not name.startswith("letter/")):
        env.get_template(name)


def environment(override: Path | None = None) -> Environment:
    """The Jinja2 environment: autoescaping, strict undefined, the filters above.

    One environment per template folder and process, so each template is compiled once
    (Jinja checks a file's modification time before reusing its compiled form).
    ``environment()`` and ``environment(None)`` are the same one: the kernel zygote
    compiles the templates with the first, and briefings without a template folder
    of their own ask for the second.
    """
    return _environment(override)


@lru_cache(maxsize=8)
def _environment(override: Path | None) -> Environment:
    loaders: list[Any] = [PackageLoader("toolkit", "templates")]
    if override is not None:
        loaders.insert(0, _ConfinedLoader(str(override)))
    env = TemplateSandbox(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        uk_date=uk_date,
        short_date=short_date,
        number=number,
        signed=signed,
        status_label=status_label,
        tag_class=tag_class,
        png_data_uri=png_data_uri,
        quarter_short=quarter_short,
        sentence_case=sentence_case,
        quarter_of=quarter_of,
        force_label=force_label,
        closed_by_label=closed_by_label,
        rag_class=lambda value: Rag(value).colour,
    )
    env.globals["rag_colours"] = list(Rag)
    return env


class _ConfinedLoader(FileSystemLoader):
    """A force's template folder: a file whose real path is outside the folder is refused
    (the folder itself is checked against the params root by
    :func:`toolkit.facts.template_override`)."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        folder = Path(str(self.searchpath[0])).resolve()
        if not inside(Path(filename), folder):
            raise InputError(
                Problem(
                    str(filename),
                    "templates",
                    "a template that is a symlink leading out of the template folder is not read",
                    expected=f"a file inside {folder}",
                    got=shown(str(Path(filename).resolve())),
                )
            )
        return source, filename, uptodate
