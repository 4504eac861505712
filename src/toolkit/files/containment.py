"""One rule for what lies inside the params root, used by validate, the snapshot and the run.

Params files, a report's letter as sent (``response.file``) and a force's template
folder (``templates:``) are read only from inside the params root. "Inside" is decided
on the real path: every component is resolved, so a symlink anywhere on the way — the
file itself, or a folder above it (``responses -> /etc``) — that leads out of the root
makes the path outside, and it is refused by name, its content never read or shown.
``toolkit validate``, the run's private copy of the params
(:mod:`toolkit.files.snapshot`) and every read during a run ask :func:`inside`, so the
three cannot disagree.
"""

from __future__ import annotations

from pathlib import Path

from toolkit.errors import InputError, Problem, shown


def real_path(path: Path) -> Path | None:
    """``path`` with every symlink on the way resolved; ``None`` for a symlink loop."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return None


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` really lies in ``root`` (every component of both resolved)."""
    real, base = real_path(path), real_path(root)
    return real is not None and base is not None and real.is_relative_to(base)


def outside_root(path: Path, root: Path, display: str) -> Problem | None:
    """A problem when ``path`` is (or passes through) a symlink leading out of ``root``.

    Params files and a force's templates are read only from inside the params root:
    a link to ``/etc/shadow`` is refused by name, its content never read or shown.
    """
    if inside(path, root):
        return None
    real = real_path(path) or path
    return Problem(
        display,
        "",
        "a symlink leading outside the params root is not read",
        expected="a file inside the params root",
        got=f"a link to {shown(str(real), 120)}",
    )


def require_inside(path: Path, root: Path, display: str) -> Path:
    """``path``, after checking it lies in ``root``.

    Raises
    ------
    InputError
        Naming ``display`` when a symlink on the way leads outside the root.
    """
    found = outside_root(path, root, display)
    if found is not None:
        raise InputError(found)
    return path
