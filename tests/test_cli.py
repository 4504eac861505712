"""The command line's help texts: nothing swallowed, nothing broken mid-sentence."""

import re

import pytest
import typer.main
from typer.testing import CliRunner

from toolkit.cli import app

COMMAND = typer.main.get_command(app)


def _help(*words: str) -> str:
    result = CliRunner().invoke(app, [*words, "--help"], env={"COLUMNS": "200"}, color=False)
    assert result.exit_code == 0
    return result.output


@pytest.mark.parametrize("command", ["run", "status", "request-updates"])
def test_quarter_is_shown_as_required(command):
    line = next(li for li in _help(command).splitlines() if "--quarter" in li)
    assert "[required]" in line


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("fetch-data", "Force slugs, comma-separated [default: force and peers]."),
        ("fetch-data", "Where the archives are [default: data.police.uk's archive]."),
        ("request-updates", "[default: outputs/<quarter>/updates-request-<quarter>.xlsx]."),
    ],
)
def test_defaults_written_in_help_texts_are_shown(command, shown):
    assert shown in _help(command)


def test_no_help_text_has_stray_spaces_or_broken_lines():
    for name, command in COMMAND.commands.items():
        for paragraph in (command.help or "").split("\n\n"):
            assert "\n" not in paragraph.strip(), (name, paragraph)
        for param in command.params:
            text = getattr(param, "help", None) or ""
            assert text == text.strip() and "  " not in text, (name, param.name)
        rendered = _help(name)
        assert not re.search(r"\S \.(\s|$)", rendered), (name, rendered)  # "comma-separated ."
