"""Drafting: the letter templates rendered with the briefing's context, read back as a Letter."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, TemplateError, TemplateSyntaxError

from toolkit.errors import InputError, Problem
from toolkit.letter.compliance import s55_checks
from toolkit.letter.context import full_stop, gap_marker, letter_context, paragraphs, words
from toolkit.letter.markdown import markdown_environment
from toolkit.letter.model import Letter
from toolkit.letter.reader import read_blocks
from toolkit.text.templating import environment

if TYPE_CHECKING:
    from toolkit.facts import Facts

_CACHE_SIZE = 400


def draft_letter(briefing: Facts) -> Letter:
    """Draft the s55 response for one briefing.

    Parameters
    ----------
    briefing
        From :func:`toolkit.publish.briefing.build`: the report, the force file, and the register's
        items as at the briefing's quarter.

    Raises
    ------
    InputError
        When a letter template (shipped or the force's own) cannot be rendered or uses an
        element the letter cannot hold.
    """
    from toolkit.facts import template_override

    override = template_override(briefing)
    context = letter_context(briefing)
    env = letter_environment(override)
    try:
        source = env.get_template("letter/draft.html.j2").render(**context)
    except TemplateSyntaxError as err:
        raise InputError(
            Problem(
                err.filename or err.name or "letter template",
                "",
                err.message or "",
                line=err.lineno,
            )
        ) from None
    except TemplateError as err:
        raise InputError(
            Problem(_template_name(override), "", f"cannot render the letter: {err.message}")
        ) from None
    blocks = read_blocks(source, _template_name(override))
    return Letter(
        blocks=tuple(blocks),
        compliance=tuple(s55_checks(briefing, context, blocks)),
        templates=override,
        author=briefing.params.force.pcc.name,
        dated=briefing.report.response.sent or briefing.as_at,
    )


def letter_environment(override: Path | None = None) -> Environment:
    """The briefing's Jinja environment with the letter's own helpers added.

    An overlay of :func:`toolkit.text.templating.environment` with its own template cache and its
    own ``globals`` and ``filters`` dicts, so the shared environment is never changed;
    one per template folder and process, so each letter template is compiled once.
    ``letter_environment()`` and ``letter_environment(None)`` are the same one (the
    kernel zygote compiles the letter with the first, briefings ask for the second).
    """
    return _letter_environment(override)


@lru_cache(maxsize=8)
def _letter_environment(override: Path | None) -> Environment:
    env = environment(override).overlay(cache_size=_CACHE_SIZE)
    env.globals = {**env.globals, "gap": gap_marker}
    env.filters = {
        **env.filters,
        "full_stop": full_stop,
        "words": words,
        "paragraphs": paragraphs,
    }
    return env


def preload() -> None:
    """Compile the shipped letter templates now (kernels forked afterwards inherit them)."""
    env = letter_environment()
    markdown = markdown_environment(None)
    for name in env.list_templates(filter_func=lambda name: name.startswith("letter/")):
        (markdown if name.endswith(".md.j2") else env).get_template(name)
    environment().get_template("letter/render.html.j2")  # Letter.html renders with it


def _template_name(override: Path | None) -> str:
    return f"letter templates ({override})" if override else "letter templates"
