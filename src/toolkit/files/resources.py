"""Files the toolkit ships beside its code: the briefing notebook and the worked example.

In a source checkout (``pip install -e .``) they are read where the project keeps
them, so an edit to ``notebooks/briefing.ipynb`` is what ``toolkit run`` uses. An
installed wheel carries copies in the package, under ``toolkit/_shipped/``, with the
same relative paths (``setup.py`` puts them there when the wheel is built)::

    notebooks/briefing.ipynb          the briefing notebook
    params/                           the worked example's params root (Dorset)
    data/sample/population.csv        ONS mid-year estimates by force area (long form)
    data/sample/rec-crime-pfa.csv     Home Office recorded crime, rolling 12 months
    data/sample/README.md             where the sample data comes from
    data/sample/police-uk.zip         the example's data.police.uk street-level files, only
                                      the columns the toolkit reads (wheel only: a checkout
                                      has the full files in data/sample/police-uk/)

A file that is in neither place is reported as a one-line :class:`ToolkitError`.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import ToolkitError

_PACKAGE = Path(__file__).resolve().parents[1]
PACKAGED = _PACKAGE / "_shipped"
TEMPLATE_DIR = _PACKAGE / "nbtemplate"
"""The briefing's nbconvert template (``briefing/``) and its stylesheet, in the package."""
"""Where an installed wheel keeps the shipped files."""

NOTEBOOK = "notebooks/briefing.ipynb"
EXAMPLE_PARAMS = "params"
EXAMPLE_DATA = ("data/sample/population.csv", "data/sample/rec-crime-pfa.csv")
EXAMPLE_DATA_README = "data/sample/README.md"
EXAMPLE_POLICE_UK = "data/sample/police-uk"
EXAMPLE_POLICE_UK_ZIP = "data/sample/police-uk.zip"


def checkout() -> Path | None:
    """The source checkout the toolkit runs from, or ``None`` for an installed wheel.

    A checkout is recognised by the ``pyproject.toml`` naming this project two
    folders above the package (``src/toolkit``).
    """
    root = _PACKAGE.parents[1]
    pyproject = root / "pyproject.toml"
    try:
        text = pyproject.read_text(encoding="utf-8")
    except OSError:
        return None
    return root if 'name = "opcc-toolkit"' in text else None


_REINSTALL = "reinstall the toolkit (pip install --force-reinstall opcc-toolkit)"


def shipped(relative: str, *, hint: str = _REINSTALL) -> Path:
    """The path of a shipped file or folder (checkout first, then the package).

    Parameters
    ----------
    relative
        Its path in the project, e.g. :data:`NOTEBOOK`.
    hint
        What the user can do when it is missing (the end of the message).

    Raises
    ------
    ToolkitError
        When neither the checkout nor the installed package holds it.
    """
    root = checkout()
    for base in (root, PACKAGED):
        if base is not None and (base / relative).exists():
            return base / relative
    looked = [str(base / relative) for base in (root, PACKAGED) if base is not None]
    raise ToolkitError(
        f"{relative}: the toolkit's own copy is missing (looked in {' and '.join(looked)}); {hint}"
    )


def notebook() -> Path:
    """The briefing notebook ``toolkit run`` executes.

    Raises
    ------
    ToolkitError
        When it is missing (see :func:`shipped`).
    """
    return shipped(NOTEBOOK, hint=f"{_REINSTALL}, or give a notebook with --notebook PATH")
